/* vita-mel-view.c — Mel spectrogram (model input): draws VITA_PANEL_MEL through the shared
 * VitaPanelView machinery; everything it shows comes from the painter. */
#include "vita-mel-view.h"

struct _VitaMelView
{
  VitaPanelView parent_instance;
};

G_DEFINE_FINAL_TYPE (VitaMelView, vita_mel_view, VITA_TYPE_PANEL_VIEW)

static void
vita_mel_view_class_init (VitaMelViewClass *klass)
{
  VITA_PANEL_VIEW_CLASS (klass)->panel = VITA_PANEL_MEL;
  gtk_widget_class_set_css_name (GTK_WIDGET_CLASS (klass), "vita-mel-view");
}

static void
vita_mel_view_init (VitaMelView *self)
{
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  "Mel spectrogram (model input)", -1);
}

GtkWidget *
vita_mel_view_new (VitaTimeline *timeline)
{
  return g_object_new (VITA_TYPE_MEL_VIEW, "timeline", timeline, NULL);
}
