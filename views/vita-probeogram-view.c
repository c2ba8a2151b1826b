/* vita-probeogram-view.c — Probe-o-gram: draws VITA_PANEL_PROBEOGRAM through the shared
 * VitaPanelView machinery; everything it shows comes from the painter. */
#include "vita-probeogram-view.h"

struct _VitaProbeogramView
{
  VitaPanelView parent_instance;
};

G_DEFINE_FINAL_TYPE (VitaProbeogramView, vita_probeogram_view, VITA_TYPE_PANEL_VIEW)

static void
vita_probeogram_view_class_init (VitaProbeogramViewClass *klass)
{
  VITA_PANEL_VIEW_CLASS (klass)->panel = VITA_PANEL_PROBEOGRAM;
  gtk_widget_class_set_css_name (GTK_WIDGET_CLASS (klass), "vita-probeogram-view");
}

static void
vita_probeogram_view_init (VitaProbeogramView *self)
{
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  "Probe-o-gram", -1);
}

GtkWidget *
vita_probeogram_view_new (VitaTimeline *timeline)
{
  return g_object_new (VITA_TYPE_PROBEOGRAM_VIEW, "timeline", timeline, NULL);
}
