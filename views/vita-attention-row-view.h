/* vita-attention-row-view.h — Attention row of the token under the playhead: a VitaPanelView (see vita-panel-view.h). */
#pragma once

#include "vita-panel-view.h"

G_BEGIN_DECLS

#define VITA_TYPE_ATTENTION_ROW_VIEW (vita_attention_row_view_get_type ())
G_DECLARE_FINAL_TYPE (VitaAttentionRowView, vita_attention_row_view, VITA, ATTENTION_ROW_VIEW, VitaPanelView)

GtkWidget *vita_attention_row_view_new (VitaTimeline *timeline);

G_END_DECLS
