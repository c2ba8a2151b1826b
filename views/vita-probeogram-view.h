/* vita-probeogram-view.h — Probe-o-gram (layer × time): a VitaPanelView (see
 * vita-panel-view.h); its data comes from vita_panel_view_set_probeogram. */
#pragma once

#include "vita-panel-view.h"

G_BEGIN_DECLS

#define VITA_TYPE_PROBEOGRAM_VIEW (vita_probeogram_view_get_type ())
G_DECLARE_FINAL_TYPE (VitaProbeogramView, vita_probeogram_view, VITA, PROBEOGRAM_VIEW, VitaPanelView)

GtkWidget *vita_probeogram_view_new (VitaTimeline *timeline);

G_END_DECLS
