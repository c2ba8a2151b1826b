/* vita-probe-view.h — Probe lanes: a VitaPanelView (see vita-panel-view.h). */
#pragma once

#include "vita-panel-view.h"

G_BEGIN_DECLS

#define VITA_TYPE_PROBE_VIEW (vita_probe_view_get_type ())
G_DECLARE_FINAL_TYPE (VitaProbeView, vita_probe_view, VITA, PROBE_VIEW, VitaPanelView)

GtkWidget *vita_probe_view_new (VitaTimeline *timeline);

G_END_DECLS
