/* vita-waveform-view.c — Waveform: draws VITA_PANEL_WAVEFORM through the shared
 * VitaPanelView machinery; everything it shows comes from the painter. */
#include "vita-waveform-view.h"

struct _VitaWaveformView
{
  VitaPanelView parent_instance;
};

G_DEFINE_FINAL_TYPE (VitaWaveformView, vita_waveform_view, VITA_TYPE_PANEL_VIEW)

static void
vita_waveform_view_class_init (VitaWaveformViewClass *klass)
{
  VITA_PANEL_VIEW_CLASS (klass)->panel = VITA_PANEL_WAVEFORM;
  gtk_widget_class_set_css_name (GTK_WIDGET_CLASS (klass), "vita-waveform-view");
}

static void
vita_waveform_view_init (VitaWaveformView *self)
{
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  "Waveform", -1);
}

GtkWidget *
vita_waveform_view_new (VitaTimeline *timeline)
{
  return g_object_new (VITA_TYPE_WAVEFORM_VIEW, "timeline", timeline, NULL);
}
