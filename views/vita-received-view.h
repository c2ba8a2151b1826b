/* vita-received-view.h — Attention received per frame and spectral flux: a VitaPanelView (see vita-panel-view.h). */
#pragma once

#include "vita-panel-view.h"

G_BEGIN_DECLS

#define VITA_TYPE_RECEIVED_VIEW (vita_received_view_get_type ())
G_DECLARE_FINAL_TYPE (VitaReceivedView, vita_received_view, VITA, RECEIVED_VIEW, VitaPanelView)

GtkWidget *vita_received_view_new (VitaTimeline *timeline);

G_END_DECLS
