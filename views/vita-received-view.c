/* vita-received-view.c — Attention received per frame and spectral flux: draws VITA_PANEL_RECEIVED through the shared
 * VitaPanelView machinery; everything it shows comes from the painter. */
#include "vita-received-view.h"

struct _VitaReceivedView
{
  VitaPanelView parent_instance;
};

G_DEFINE_FINAL_TYPE (VitaReceivedView, vita_received_view, VITA_TYPE_PANEL_VIEW)

static void
vita_received_view_class_init (VitaReceivedViewClass *klass)
{
  VITA_PANEL_VIEW_CLASS (klass)->panel = VITA_PANEL_RECEIVED;
  gtk_widget_class_set_css_name (GTK_WIDGET_CLASS (klass), "vita-received-view");
}

static void
vita_received_view_init (VitaReceivedView *self)
{
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  "Attention received per frame and spectral flux", -1);
}

GtkWidget *
vita_received_view_new (VitaTimeline *timeline)
{
  return g_object_new (VITA_TYPE_RECEIVED_VIEW, "timeline", timeline, NULL);
}
