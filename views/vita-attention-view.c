/* vita-attention-view.c — Attention map of the window under the playhead: draws VITA_PANEL_ATTENTION through the shared
 * VitaPanelView machinery; everything it shows comes from the painter. */
#include "vita-attention-view.h"

struct _VitaAttentionView
{
  VitaPanelView parent_instance;
};

G_DEFINE_FINAL_TYPE (VitaAttentionView, vita_attention_view, VITA_TYPE_PANEL_VIEW)

static void
vita_attention_view_class_init (VitaAttentionViewClass *klass)
{
  VITA_PANEL_VIEW_CLASS (klass)->panel = VITA_PANEL_ATTENTION;
  gtk_widget_class_set_css_name (GTK_WIDGET_CLASS (klass), "vita-attention-view");
}

static void
vita_attention_view_init (VitaAttentionView *self)
{
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  "Attention map of the window under the playhead", -1);
}

GtkWidget *
vita_attention_view_new (VitaTimeline *timeline)
{
  return g_object_new (VITA_TYPE_ATTENTION_VIEW, "timeline", timeline, NULL);
}
