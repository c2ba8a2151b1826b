/* vita-attention-grid-view.h — Attention of every layer and head: a VitaPanelView (see vita-panel-view.h). */
#pragma once

#include "vita-panel-view.h"

G_BEGIN_DECLS

#define VITA_TYPE_ATTENTION_GRID_VIEW (vita_attention_grid_view_get_type ())
G_DECLARE_FINAL_TYPE (VitaAttentionGridView, vita_attention_grid_view, VITA, ATTENTION_GRID_VIEW, VitaPanelView)

GtkWidget *vita_attention_grid_view_new (VitaTimeline *timeline);

G_END_DECLS
