/* vita-ssm-view.c — Self-similarity matrix: draws VITA_PANEL_SSM through the shared
 * VitaPanelView machinery; everything it shows comes from the painter. */
#include "vita-ssm-view.h"

struct _VitaSsmView
{
  VitaPanelView parent_instance;
};

G_DEFINE_FINAL_TYPE (VitaSsmView, vita_ssm_view, VITA_TYPE_PANEL_VIEW)

static void
vita_ssm_view_class_init (VitaSsmViewClass *klass)
{
  VITA_PANEL_VIEW_CLASS (klass)->panel = VITA_PANEL_SSM;
  gtk_widget_class_set_css_name (GTK_WIDGET_CLASS (klass), "vita-ssm-view");
}

static void
vita_ssm_view_init (VitaSsmView *self)
{
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  "Self-similarity matrix", -1);
}

GtkWidget *
vita_ssm_view_new (VitaTimeline *timeline)
{
  return g_object_new (VITA_TYPE_SSM_VIEW, "timeline", timeline, NULL);
}
