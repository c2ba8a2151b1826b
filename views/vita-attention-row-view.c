/* vita-attention-row-view.c — Attention row of the token under the playhead: draws VITA_PANEL_ATTENTION_ROW through the shared
 * VitaPanelView machinery; everything it shows comes from the painter. */
#include "vita-attention-row-view.h"

struct _VitaAttentionRowView
{
  VitaPanelView parent_instance;
};

G_DEFINE_FINAL_TYPE (VitaAttentionRowView, vita_attention_row_view, VITA_TYPE_PANEL_VIEW)

static void
vita_attention_row_view_class_init (VitaAttentionRowViewClass *klass)
{
  VITA_PANEL_VIEW_CLASS (klass)->panel = VITA_PANEL_ATTENTION_ROW;
  gtk_widget_class_set_css_name (GTK_WIDGET_CLASS (klass), "vita-attention-row-view");
}

static void
vita_attention_row_view_init (VitaAttentionRowView *self)
{
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  "Attention row of the token under the playhead", -1);
}

GtkWidget *
vita_attention_row_view_new (VitaTimeline *timeline)
{
  return g_object_new (VITA_TYPE_ATTENTION_ROW_VIEW, "timeline", timeline, NULL);
}
