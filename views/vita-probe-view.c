/* vita-probe-view.c — Probe lanes: draws VITA_PANEL_PROBES through the shared
 * VitaPanelView machinery; everything it shows comes from the painter. */
#include "vita-probe-view.h"

struct _VitaProbeView
{
  VitaPanelView parent_instance;
};

G_DEFINE_FINAL_TYPE (VitaProbeView, vita_probe_view, VITA_TYPE_PANEL_VIEW)

static void
vita_probe_view_class_init (VitaProbeViewClass *klass)
{
  VITA_PANEL_VIEW_CLASS (klass)->panel = VITA_PANEL_PROBES;
  gtk_widget_class_set_css_name (GTK_WIDGET_CLASS (klass), "vita-probe-view");
}

static void
vita_probe_view_init (VitaProbeView *self)
{
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  "Probe lanes", -1);
}

GtkWidget *
vita_probe_view_new (VitaTimeline *timeline)
{
  return g_object_new (VITA_TYPE_PROBE_VIEW, "timeline", timeline, NULL);
}
