/* vita-ssm-view.h — Self-similarity matrix: a VitaPanelView (see vita-panel-view.h). */
#pragma once

#include "vita-panel-view.h"

G_BEGIN_DECLS

#define VITA_TYPE_SSM_VIEW (vita_ssm_view_get_type ())
G_DECLARE_FINAL_TYPE (VitaSsmView, vita_ssm_view, VITA, SSM_VIEW, VitaPanelView)

GtkWidget *vita_ssm_view_new (VitaTimeline *timeline);

G_END_DECLS
