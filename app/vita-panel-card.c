/* vita-panel-card.c — the card around one panel (see vita-panel-card.h). */
#include "vita-config.h"
#include "vita-panel-card.h"

#include <glib/gi18n.h>

/* The handle's height, and how much above it a press still grabs it (px). */
#define HANDLE_HEIGHT 8
#define HANDLE_SLOP   3

struct _VitaPanelCard
{
  GtkWidget  parent_instance;

  GtkWidget *box;          /* owned: header, view, handle */
  GtkWidget *title;
  GtkWidget *subtitle;
  GtkWidget *view;
  GtkWidget *handle;
  GtkGesture *resize;      /* owned by the card */
  VitaPanel  panel;
  int        content_height;   /* 0: the panel's own */
  int        min_content_height;
  int        drag_start_height;
  gboolean   maximised;
  gboolean   two_sided;        /* a square panel drawing A beside B (a comparison) */
};

/* A square card's narrowest view: one map, or A beside B (two maps, each with its
 * axes: at 290 px they were ~40 px each; at 440 a 1024-px window holds two such cards
 * a line, a 1920-px one four). */
#define SQUARE_MIN_WIDTH     290
#define TWO_SIDED_MIN_WIDTH  440

G_DEFINE_FINAL_TYPE (VitaPanelCard, vita_panel_card, GTK_TYPE_WIDGET)

gboolean
vita_panel_card_is_square (VitaPanelCard *self)
{
  g_return_val_if_fail (VITA_IS_PANEL_CARD (self), FALSE);
  return vita_panel_get_class (self->panel)->row != 0;
}

/* The view's height at a card width: the person's choice; else, for a square panel,
 * what fills its width (a square plot beside its axes and colorbar); else the
 * panel's own (its class record). */
static int
view_height_for_width (VitaPanelCard *self, int width)
{
  int h;

  if (self->content_height > 0)
    h = self->content_height;
  else if (vita_panel_card_is_square (self) && width > 0)
    /* two sides beside each other: half the width each, plus their label line */
    h = CLAMP ((int) ((width - 16) * (self->two_sided ? 0.5 : 0.85)) + (self->two_sided ? 24 : 0),
               200, 820);
  else
    h = vita_panel_get_class (self->panel)->height;
  return MAX (h, self->min_content_height);
}

static GtkSizeRequestMode
vita_panel_card_get_request_mode (GtkWidget *widget)
{
  return GTK_SIZE_REQUEST_HEIGHT_FOR_WIDTH;
}

static void
vita_panel_card_measure (GtkWidget *widget, GtkOrientation orientation, int for_size,
                         int *minimum, int *natural, int *minimum_baseline, int *natural_baseline)
{
  VitaPanelCard *self = VITA_PANEL_CARD (widget);

  gtk_widget_measure (self->box, orientation, for_size, minimum, natural, NULL, NULL);
  /* square cards share a row's width: none asks for more than the others (a flow
   * box puts as many on a line as their natural widths allow) */
  if (orientation == GTK_ORIENTATION_HORIZONTAL && vita_panel_card_is_square (self))
    *natural = *minimum;
  if (orientation == GTK_ORIENTATION_VERTICAL && !self->maximised)
    {
      int view_min = 0;
      gtk_widget_measure (self->view, GTK_ORIENTATION_VERTICAL, -1, &view_min, NULL, NULL, NULL);
      *minimum += MAX (0, view_height_for_width (self, for_size) - view_min);
      *natural = MAX (*natural, *minimum);
    }
}

static void
vita_panel_card_size_allocate (GtkWidget *widget, int width, int height, int baseline)
{
  gtk_widget_allocate (VITA_PANEL_CARD (widget)->box, width, height, baseline, NULL);
}

static void
vita_panel_card_dispose (GObject *object)
{
  VitaPanelCard *self = VITA_PANEL_CARD (object);

  g_clear_pointer (&self->box, gtk_widget_unparent);
  G_OBJECT_CLASS (vita_panel_card_parent_class)->dispose (object);
}

static void
vita_panel_card_class_init (VitaPanelCardClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = vita_panel_card_dispose;
  widget_class->get_request_mode = vita_panel_card_get_request_mode;
  widget_class->measure = vita_panel_card_measure;
  widget_class->size_allocate = vita_panel_card_size_allocate;
  gtk_widget_class_set_css_name (widget_class, "vitapanelcard");
}

static void
vita_panel_card_init (VitaPanelCard *self)
{
}

/* ------------------------------------------------------------------ gestures */

static void
activate (VitaPanelCard *self, const char *action)
{
  gtk_widget_activate_action (GTK_WIDGET (self), action, "s", vita_panel_to_string (self->panel));
}

static void
on_header_pressed (GtkGestureClick *gesture, int n_press, double x, double y, gpointer user_data)
{
  if (n_press == 2)
    activate (VITA_PANEL_CARD (user_data), "panels.maximise");
}

static GdkContentProvider *
on_drag_prepare (GtkDragSource *source, double x, double y, gpointer user_data)
{
  VitaPanelCard *self = VITA_PANEL_CARD (user_data);

  if (self->maximised)
    return NULL;
  return gdk_content_provider_new_typed (G_TYPE_STRING, vita_panel_to_string (self->panel));
}

static void
on_drag_begin (GtkDragSource *source, GdkDrag *drag, gpointer user_data)
{
  VitaPanelCard *self = VITA_PANEL_CARD (user_data);
  GtkWidget *header = gtk_widget_get_first_child (self->box);
  g_autoptr(GdkPaintable) icon = gtk_widget_paintable_new (header);

  gtk_drag_source_set_icon (source, icon, 0, 0);
  /* the drag takes the pointer: the release never reaches the resize gesture, which
   * would otherwise wait for it and refuse the next press */
  gtk_event_controller_reset (GTK_EVENT_CONTROLLER (self->resize));
}

static gboolean
on_drop (GtkDropTarget *target, const GValue *value, double x, double y, gpointer user_data)
{
  VitaPanelCard *self = VITA_PANEL_CARD (user_data);
  const char *dragged = g_value_get_string (value);
  const char *name = vita_panel_to_string (self->panel);

  if (dragged == NULL || g_str_equal (dragged, name))
    return FALSE;
  gtk_widget_activate_action (GTK_WIDGET (self), "panels.move-to", "(ss)", dragged, name);
  return TRUE;
}

/* The handle: a drag that starts on the card's bottom edge sets the view's height.
 * The gesture is the card's (whose top stays put while it grows), not the handle's,
 * so that the offsets do not move with the handle. */
static void
on_resize_begin (GtkGestureDrag *gesture, double x, double y, gpointer user_data)
{
  VitaPanelCard *self = VITA_PANEL_CARD (user_data);
  graphene_rect_t bounds;

  if (self->maximised ||
      !gtk_widget_compute_bounds (self->handle, GTK_WIDGET (self), &bounds) ||
      y < bounds.origin.y - HANDLE_SLOP)
    {
      gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_DENIED);
      return;
    }
  gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_CLAIMED);
  self->drag_start_height = gtk_widget_get_height (self->view);
}

static void
on_resize_update (GtkGestureDrag *gesture, double dx, double dy, gpointer user_data)
{
  VitaPanelCard *self = VITA_PANEL_CARD (user_data);

  vita_panel_card_set_content_height (self, MAX (VITA_PANEL_CARD_MIN_HEIGHT,
                                                 self->drag_start_height + (int) dy));
}

/* ------------------------------------------------------------------ building */

static GMenuModel *
card_menu (const char *name)
{
  static const struct { const char *label, *action; } items[] = {
    { N_("Move _Up"), "panels.move-up" },
    { N_("Move _Down"), "panels.move-down" },
    { N_("_Maximise or Restore (double-click the title)"), "panels.maximise" },
    { N_("_Hide Panel"), "panels.hide" },
  };
  GMenu *menu = g_menu_new ();

  for (guint i = 0; i < G_N_ELEMENTS (items); i++)
    {
      g_autoptr(GMenuItem) item = g_menu_item_new (_(items[i].label), NULL);
      g_menu_item_set_action_and_target_value (item, items[i].action, g_variant_new_string (name));
      g_menu_append_item (menu, item);
    }
  return G_MENU_MODEL (menu);
}

GtkWidget *
vita_panel_card_new (VitaPanel panel, GtkWidget *view)
{
  const VitaPanelClass *klass = vita_panel_get_class (panel);
  const char *name = vita_panel_to_string (panel);
  VitaPanelCard *self = g_object_new (VITA_TYPE_PANEL_CARD, NULL);
  GtkWidget *header = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 8);
  GtkWidget *label = gtk_label_new (_(klass->title));
  GtkWidget *menu_button = gtk_menu_button_new ();
  GtkWidget *hide_button = gtk_button_new_from_icon_name ("window-close-symbolic");
  g_autoptr(GMenuModel) menu = card_menu (name);
  g_autofree char *hide_tip = g_strdup_printf (_("Hide “%s” (Panels in the main menu shows it again)"),
                                               _(klass->title));
  GtkGesture *click = gtk_gesture_click_new ();
  GtkDragSource *source = gtk_drag_source_new ();
  GtkDropTarget *target = gtk_drop_target_new (G_TYPE_STRING, GDK_ACTION_MOVE);
  GtkGesture *resize = gtk_gesture_drag_new ();

  g_return_val_if_fail (klass != NULL, NULL);

  self->panel = panel;
  self->view = view;
  self->box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 4);
  gtk_widget_set_parent (self->box, GTK_WIDGET (self));
  gtk_widget_add_css_class (GTK_WIDGET (self), "card");
  gtk_widget_add_css_class (GTK_WIDGET (self), "vita-panel");
  gtk_widget_set_name (GTK_WIDGET (self), name);

  gtk_widget_add_css_class (header, "vita-panel-header");
  self->title = label;
  gtk_widget_add_css_class (label, "vita-panel-title");
  gtk_label_set_xalign (GTK_LABEL (label), 0);   /* whole: the subtitle gives way first */
  self->subtitle = gtk_label_new (_(klass->subtitle));
  gtk_widget_add_css_class (self->subtitle, "vita-panel-subtitle");
  gtk_widget_add_css_class (self->subtitle, "dim-label");
  gtk_label_set_xalign (GTK_LABEL (self->subtitle), 0);
  gtk_label_set_ellipsize (GTK_LABEL (self->subtitle), PANGO_ELLIPSIZE_END);
  gtk_widget_set_hexpand (self->subtitle, TRUE);
  gtk_menu_button_set_icon_name (GTK_MENU_BUTTON (menu_button), "view-more-symbolic");
  gtk_menu_button_set_menu_model (GTK_MENU_BUTTON (menu_button), menu);
  gtk_menu_button_set_has_frame (GTK_MENU_BUTTON (menu_button), FALSE);
  gtk_widget_set_tooltip_text (menu_button, _("Move, maximise or hide this panel"));
  gtk_widget_add_css_class (hide_button, "flat");
  gtk_widget_set_tooltip_text (hide_button, hide_tip);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (hide_button), "panels.hide");
  gtk_actionable_set_action_target_value (GTK_ACTIONABLE (hide_button), g_variant_new_string (name));
  gtk_accessible_update_property (GTK_ACCESSIBLE (hide_button), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Hide panel"), -1);
  gtk_accessible_update_property (GTK_ACCESSIBLE (menu_button), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Panel menu"), -1);
  gtk_box_append (GTK_BOX (header), label);
  gtk_box_append (GTK_BOX (header), self->subtitle);
  gtk_box_append (GTK_BOX (header), menu_button);
  gtk_box_append (GTK_BOX (header), hide_button);
  gtk_widget_set_tooltip_text (label, _("Drag onto another panel to move it there; "
                                        "double-click to maximise or restore"));

  /* the header: a double-click maximises, a drag moves the panel */
  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (click), GDK_BUTTON_PRIMARY);
  g_signal_connect (click, "pressed", G_CALLBACK (on_header_pressed), self);
  gtk_widget_add_controller (header, GTK_EVENT_CONTROLLER (click));
  gtk_drag_source_set_actions (source, GDK_ACTION_MOVE);
  g_signal_connect (source, "prepare", G_CALLBACK (on_drag_prepare), self);
  g_signal_connect (source, "drag-begin", G_CALLBACK (on_drag_begin), self);
  gtk_widget_add_controller (header, GTK_EVENT_CONTROLLER (source));
  g_signal_connect (target, "drop", G_CALLBACK (on_drop), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (target));

  gtk_widget_set_size_request (view, vita_panel_card_is_square (self) ? SQUARE_MIN_WIDTH : -1,
                               VITA_PANEL_CARD_MIN_HEIGHT);
  gtk_widget_set_vexpand (view, TRUE);

  self->handle = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 0);
  gtk_widget_set_size_request (self->handle, -1, HANDLE_HEIGHT);
  gtk_widget_add_css_class (self->handle, "vita-resize-handle");
  gtk_widget_set_cursor_from_name (self->handle, "ns-resize");
  gtk_widget_set_tooltip_text (self->handle, _("Drag to resize the panel"));
  g_signal_connect (resize, "drag-begin", G_CALLBACK (on_resize_begin), self);
  g_signal_connect (resize, "drag-update", G_CALLBACK (on_resize_update), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (resize));
  self->resize = resize;

  gtk_box_append (GTK_BOX (self->box), header);
  gtk_box_append (GTK_BOX (self->box), view);
  gtk_box_append (GTK_BOX (self->box), self->handle);
  return GTK_WIDGET (self);
}

VitaPanel
vita_panel_card_get_panel (VitaPanelCard *self)
{
  g_return_val_if_fail (VITA_IS_PANEL_CARD (self), 0);
  return self->panel;
}

GtkWidget *
vita_panel_card_get_view (VitaPanelCard *self)
{
  g_return_val_if_fail (VITA_IS_PANEL_CARD (self), NULL);
  return self->view;
}

GtkLabel *
vita_panel_card_get_subtitle (VitaPanelCard *self)
{
  g_return_val_if_fail (VITA_IS_PANEL_CARD (self), NULL);
  return GTK_LABEL (self->subtitle);
}

int
vita_panel_card_get_content_height (VitaPanelCard *self)
{
  g_return_val_if_fail (VITA_IS_PANEL_CARD (self), 0);
  return self->content_height;
}

void
vita_panel_card_set_content_height (VitaPanelCard *self, int height)
{
  g_return_if_fail (VITA_IS_PANEL_CARD (self));
  height = height <= 0 ? 0 : MAX (height, VITA_PANEL_CARD_MIN_HEIGHT);
  if (height == self->content_height)
    return;
  self->content_height = height;
  gtk_widget_queue_resize (GTK_WIDGET (self));
}

void
vita_panel_card_add_header_widget (VitaPanelCard *self, GtkWidget *widget)
{
  GtkWidget *header;

  g_return_if_fail (VITA_IS_PANEL_CARD (self));
  header = gtk_widget_get_first_child (self->box);
  gtk_box_insert_child_after (GTK_BOX (header), widget, self->subtitle);
}

void
vita_panel_card_set_min_content_height (VitaPanelCard *self, int height)
{
  g_return_if_fail (VITA_IS_PANEL_CARD (self));
  height = MAX (height, 0);
  if (height == self->min_content_height)
    return;
  self->min_content_height = height;
  gtk_widget_queue_resize (GTK_WIDGET (self));
}

void
vita_panel_card_set_two_sided (VitaPanelCard *self, gboolean two_sided)
{
  g_return_if_fail (VITA_IS_PANEL_CARD (self));
  two_sided = two_sided && vita_panel_card_is_square (self);
  if (self->two_sided == two_sided)
    return;
  self->two_sided = two_sided;
  gtk_widget_set_size_request (self->view, two_sided ? TWO_SIDED_MIN_WIDTH : SQUARE_MIN_WIDTH,
                               VITA_PANEL_CARD_MIN_HEIGHT);
  gtk_widget_queue_resize (GTK_WIDGET (self));
}

gboolean
vita_panel_card_get_two_sided (VitaPanelCard *self)
{
  g_return_val_if_fail (VITA_IS_PANEL_CARD (self), FALSE);
  return self->two_sided;
}

void
vita_panel_card_set_maximised (VitaPanelCard *self, gboolean maximised)
{
  g_return_if_fail (VITA_IS_PANEL_CARD (self));
  if (self->maximised == !!maximised)
    return;
  self->maximised = !!maximised;
  gtk_widget_set_vexpand (GTK_WIDGET (self), self->maximised);
  if (self->maximised)
    gtk_widget_add_css_class (GTK_WIDGET (self), "maximised");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self), "maximised");
  gtk_widget_queue_resize (GTK_WIDGET (self));
}

void
vita_label_set_type_scale (GtkLabel *label, double scale)
{
  PangoAttrList *attrs = NULL;

  g_return_if_fail (GTK_IS_LABEL (label));
  if (scale != 1.0)
    {
      attrs = pango_attr_list_new ();
      pango_attr_list_insert (attrs, pango_attr_scale_new (scale));
    }
  gtk_label_set_attributes (label, attrs);
  g_clear_pointer (&attrs, pango_attr_list_unref);
}

void
vita_panel_card_set_type_scale (VitaPanelCard *self, double scale)
{
  g_return_if_fail (VITA_IS_PANEL_CARD (self));
  vita_label_set_type_scale (GTK_LABEL (self->title), scale);
  vita_label_set_type_scale (GTK_LABEL (self->subtitle), scale);
  /* at 1× whole (the subtitle gives way first); larger, a square card at the window's
   * minimum width has no room for a whole title */
  gtk_label_set_ellipsize (GTK_LABEL (self->title), scale > 1.0 ? PANGO_ELLIPSIZE_END : PANGO_ELLIPSIZE_NONE);
}
