/* vita-overview-view.h — Overview of the whole track: a VitaPanelView (see vita-panel-view.h). */
#pragma once

#include "vita-panel-view.h"

G_BEGIN_DECLS

#define VITA_TYPE_OVERVIEW_VIEW (vita_overview_view_get_type ())
G_DECLARE_FINAL_TYPE (VitaOverviewView, vita_overview_view, VITA, OVERVIEW_VIEW, VitaPanelView)

GtkWidget *vita_overview_view_new (VitaTimeline *timeline);

G_END_DECLS
