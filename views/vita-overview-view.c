/* vita-overview-view.c — Overview of the whole track: draws VITA_PANEL_OVERVIEW through the shared
 * VitaPanelView machinery; everything it shows comes from the painter. */
#include "vita-overview-view.h"

struct _VitaOverviewView
{
  VitaPanelView parent_instance;
};

G_DEFINE_FINAL_TYPE (VitaOverviewView, vita_overview_view, VITA_TYPE_PANEL_VIEW)

static void
vita_overview_view_class_init (VitaOverviewViewClass *klass)
{
  VITA_PANEL_VIEW_CLASS (klass)->panel = VITA_PANEL_OVERVIEW;
  gtk_widget_class_set_css_name (GTK_WIDGET_CLASS (klass), "vita-overview-view");
}

static void
vita_overview_view_init (VitaOverviewView *self)
{
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  "Overview of the whole track", -1);
}

GtkWidget *
vita_overview_view_new (VitaTimeline *timeline)
{
  return g_object_new (VITA_TYPE_OVERVIEW_VIEW, "timeline", timeline, NULL);
}
