/* vita-attention-view.h — Attention map of the window under the playhead: a VitaPanelView (see vita-panel-view.h). */
#pragma once

#include "vita-panel-view.h"

G_BEGIN_DECLS

#define VITA_TYPE_ATTENTION_VIEW (vita_attention_view_get_type ())
G_DECLARE_FINAL_TYPE (VitaAttentionView, vita_attention_view, VITA, ATTENTION_VIEW, VitaPanelView)

GtkWidget *vita_attention_view_new (VitaTimeline *timeline);

G_END_DECLS
