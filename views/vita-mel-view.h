/* vita-mel-view.h — Mel spectrogram (model input): a VitaPanelView (see vita-panel-view.h). */
#pragma once

#include "vita-panel-view.h"

G_BEGIN_DECLS

#define VITA_TYPE_MEL_VIEW (vita_mel_view_get_type ())
G_DECLARE_FINAL_TYPE (VitaMelView, vita_mel_view, VITA, MEL_VIEW, VitaPanelView)

GtkWidget *vita_mel_view_new (VitaTimeline *timeline);

G_END_DECLS
