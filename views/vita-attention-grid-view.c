/* vita-attention-grid-view.c — Attention of every layer and head: draws VITA_PANEL_ATTENTION_GRID through the shared
 * VitaPanelView machinery; everything it shows comes from the painter. */
#include "vita-attention-grid-view.h"

struct _VitaAttentionGridView
{
  VitaPanelView parent_instance;
};

G_DEFINE_FINAL_TYPE (VitaAttentionGridView, vita_attention_grid_view, VITA_TYPE_PANEL_VIEW)

static void
vita_attention_grid_view_class_init (VitaAttentionGridViewClass *klass)
{
  VITA_PANEL_VIEW_CLASS (klass)->panel = VITA_PANEL_ATTENTION_GRID;
  gtk_widget_class_set_css_name (GTK_WIDGET_CLASS (klass), "vita-attention-grid-view");
}

static void
vita_attention_grid_view_init (VitaAttentionGridView *self)
{
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  "Attention of every layer and head", -1);
}

GtkWidget *
vita_attention_grid_view_new (VitaTimeline *timeline)
{
  return g_object_new (VITA_TYPE_ATTENTION_GRID_VIEW, "timeline", timeline, NULL);
}
