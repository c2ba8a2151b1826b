/* vita-waveform-view.h — Waveform: a VitaPanelView (see vita-panel-view.h). */
#pragma once

#include "vita-panel-view.h"

G_BEGIN_DECLS

#define VITA_TYPE_WAVEFORM_VIEW (vita_waveform_view_get_type ())
G_DECLARE_FINAL_TYPE (VitaWaveformView, vita_waveform_view, VITA, WAVEFORM_VIEW, VitaPanelView)

GtkWidget *vita_waveform_view_new (VitaTimeline *timeline);

G_END_DECLS
