/* vita-window-arrange.c — the arrangement of the main window's panels: which are
 * shown, in what order, how tall, and which one is maximised (issue 9, item 10).
 *
 * The cards (app/vita-panel-card.c) are made once by vita-window-panels.c and kept
 * here; relayout() puts the shown ones into panels_box in order, the model's square
 * panels that follow each other sharing a flow box, so that they wrap on a narrow
 * window and share the width of a wide one.  What a person does reaches this file as
 * the "panels" action group (a card's menu, hide button, header drag and
 * double-click; the Panels submenu of the main menu).  The arrangement is saved in
 * the session file ("panels", app/vita-session-file.h). */
#include "vita-config.h"
#include "vita-window-private.h"

#include <glib/gi18n.h>
#include <string.h>

#include "vita-panel-card.h"

/* Whether a panel has something to show: the model's panels need a model, the
 * probe-o-gram its probes, the emergence panel an open training series. */
static gboolean
has_data (VitaWindow *self, VitaPanel panel)
{
  const VitaPanelClass *klass = vita_panel_get_class (panel);

  if ((klass->traits & VITA_PANEL_NEEDS_MODEL) && vita_session_get_model (self->session) == NULL)
    return FALSE;
  if ((klass->traits & VITA_PANEL_ON_DEMAND) && panel == VITA_PANEL_PROBEOGRAM)
    return vita_session_get_probeogram (self->session) != NULL ||
           vita_session_get_probeogram_b (self->session) != NULL;   /* side B's alone */
  if (g_strcmp0 (klass->name, "emergence") == 0)   /* while a training series is open */
    return _vita_window_teach_has_series (self);
  return TRUE;
}

static gboolean
is_shown (VitaWindow *self, VitaPanel panel)
{
  return self->cards[panel] != NULL && !self->panel_hidden[panel] && has_data (self, panel) &&
         (self->maximised < 0 || self->maximised == (int) panel);
}

static void
clear_box (VitaWindow *self)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->panels_box))) != NULL)
    {
      GtkWidget *item;
      /* a flow box's cards are taken out of their GtkFlowBoxChild first (they are
       * kept for the next layout) */
      while (GTK_IS_FLOW_BOX (child) && (item = gtk_widget_get_first_child (child)) != NULL)
        {
          gtk_flow_box_child_set_child (GTK_FLOW_BOX_CHILD (item), NULL);
          gtk_flow_box_remove (GTK_FLOW_BOX (child), item);
        }
      gtk_box_remove (self->panels_box, child);
    }
}

static GtkWidget *
new_flow (void)
{
  GtkWidget *flow = gtk_flow_box_new ();

  gtk_flow_box_set_selection_mode (GTK_FLOW_BOX (flow), GTK_SELECTION_NONE);
  gtk_flow_box_set_homogeneous (GTK_FLOW_BOX (flow), TRUE);
  gtk_flow_box_set_min_children_per_line (GTK_FLOW_BOX (flow), 1);
  gtk_flow_box_set_column_spacing (GTK_FLOW_BOX (flow), 12);
  gtk_flow_box_set_row_spacing (GTK_FLOW_BOX (flow), 12);
  gtk_widget_add_css_class (flow, "vita-panel-row");
  return flow;
}

/* Puts the shown cards into panels_box, in order; without a model, the no-model page
 * stands where the first of the model's panels would. */
static void
relayout (VitaWindow *self)
{
  GString *key = g_string_new (NULL);
  gboolean has_model = vita_session_get_model (self->session) != NULL;
  gboolean show_no_model = !has_model && !vita_session_get_model_loading (self->session) &&
                           self->maximised < 0;
  GtkWidget *flow = NULL;
  gboolean placed_no_model = FALSE;

  /* what will be shown, so that nothing is re-parented when nothing changed */
  for (int i = 0; i < self->n_order; i++)
    if (is_shown (self, self->order[i]))
      g_string_append_printf (key, "%d,", self->order[i]);
  g_string_append_printf (key, "m%d,n%d", self->maximised, show_no_model);
  if (self->layout_key != NULL && g_str_equal (self->layout_key, key->str))
    {
      g_string_free (key, TRUE);
      return;
    }
  g_free (self->layout_key);
  self->layout_key = g_string_free (key, FALSE);

  clear_box (self);
  for (int i = 0; i < self->n_order; i++)
    {
      VitaPanel p = self->order[i];
      const VitaPanelClass *klass = vita_panel_get_class (p);
      GtkWidget *card = self->cards[p];

      if (card == NULL)
        continue;
      if (show_no_model && !placed_no_model && (klass->traits & VITA_PANEL_NEEDS_MODEL))
        {
          gtk_box_append (self->panels_box, self->no_model_page);
          placed_no_model = TRUE;
          flow = NULL;
        }
      vita_panel_card_set_maximised (VITA_PANEL_CARD (card), self->maximised == (int) p);
      if (!is_shown (self, p))
        continue;
      if (vita_panel_card_is_square (VITA_PANEL_CARD (card)) && self->maximised < 0)
        {
          if (flow == NULL)
            {
              flow = new_flow ();
              gtk_box_append (self->panels_box, flow);
            }
          gtk_flow_box_append (GTK_FLOW_BOX (flow), card);
        }
      else
        {
          flow = NULL;
          gtk_box_append (self->panels_box, card);
        }
    }
  /* a flow box's line holds all of its panels when they fit */
  for (GtkWidget *c = gtk_widget_get_first_child (GTK_WIDGET (self->panels_box)); c != NULL;
       c = gtk_widget_get_next_sibling (c))
    if (GTK_IS_FLOW_BOX (c))
      {
        guint n = 0;
        for (GtkWidget *k = gtk_widget_get_first_child (c); k != NULL; k = gtk_widget_get_next_sibling (k))
          n++;
        gtk_flow_box_set_max_children_per_line (GTK_FLOW_BOX (c), MAX (n, 1));
      }
  if (show_no_model && !placed_no_model)
    gtk_box_append (self->panels_box, self->no_model_page);
}

void
_vita_window_arrange_update (VitaWindow *self)
{
  if (self->n_order > 0)
    relayout (self);
}

/* ------------------------------------------------------------------ changes */

static void
changed (VitaWindow *self)
{
  for (int p = 0; p < VITA_N_PANELS; p++)
    {
      g_autofree char *name = g_strdup_printf ("show-%s", vita_panel_to_string (p));
      GAction *action = g_action_map_lookup_action (G_ACTION_MAP (self->panel_actions), name);
      if (action != NULL)
        g_simple_action_set_state (G_SIMPLE_ACTION (action),
                                   g_variant_new_boolean (!self->panel_hidden[p]));
    }
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.leave-views", self->in_view);
  relayout (self);
}

/* A presentation view's panel set (registry names): the others are hidden; panels
 * shown on demand (probe-o-gram, emergence) show as the view says while they have
 * something to show (a view captured with the emergence panel shows it again when
 * the person had closed it; one without it hides it).  A view is a
 * temporary override: the first one keeps the person's arrangement aside, and
 * _vita_window_arrange_leave_view() puts it back; while a view shows, the session
 * saves the kept arrangement, and showing or hiding a panel changes only the view's
 * picture (the order and the heights are the person's, in a view or not). */
void
_vita_window_arrange_show_only (VitaWindow *self, const char *const *panels)
{
  if (!self->in_view)
    {
      memcpy (self->user_hidden, self->panel_hidden, sizeof self->user_hidden);
      self->user_maximised = self->maximised;
      self->in_view = TRUE;
    }
  for (int p = 0; p < VITA_N_PANELS; p++)
    self->panel_hidden[p] = !g_strv_contains (panels, vita_panel_to_string (p));
  self->maximised = -1;
  changed (self);
}

/* Back to the person's own arrangement; FALSE when no view was shown. */
gboolean
_vita_window_arrange_leave_view (VitaWindow *self)
{
  if (!self->in_view)
    return FALSE;
  memcpy (self->panel_hidden, self->user_hidden, sizeof self->panel_hidden);
  self->maximised = self->user_maximised;
  self->in_view = FALSE;
  changed (self);
  return TRUE;
}

static int
index_of (VitaWindow *self, VitaPanel panel)
{
  for (int i = 0; i < self->n_order; i++)
    if (self->order[i] == panel)
      return i;
  return -1;
}

/* Moves the panel at index `from` to index `to` of the order. */
static void
move (VitaWindow *self, int from, int to)
{
  VitaPanel p = self->order[from];

  if (from < 0 || to < 0 || from == to)
    return;
  if (from < to)
    memmove (self->order + from, self->order + from + 1, (to - from) * sizeof (VitaPanel));
  else
    memmove (self->order + to + 1, self->order + to, (from - to) * sizeof (VitaPanel));
  self->order[to] = p;
}

static gboolean
panel_of_param (GVariant *param, VitaPanel *panel)
{
  return vita_panel_from_string (g_variant_get_string (param, NULL), panel) &&
         (int) *panel < VITA_N_PANELS && !(vita_panel_get_class (*panel)->traits & VITA_PANEL_FIGURE_ONLY);
}

static void
on_hide (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  VitaWindow *self = VITA_WINDOW (user_data);
  VitaPanel p;

  if (!panel_of_param (param, &p))
    return;
  self->panel_hidden[p] = TRUE;
  if (self->maximised == (int) p)
    self->maximised = -1;
  changed (self);
}

/* Up or down past the next panel that is shown (moving past a hidden one shows
 * nothing). */
static void
step (VitaWindow *self, GVariant *param, int dir)
{
  VitaPanel p;
  int i;

  if (!panel_of_param (param, &p) || (i = index_of (self, p)) < 0)
    return;
  for (int j = i + dir; j >= 0 && j < self->n_order; j += dir)
    if (is_shown (self, self->order[j]))
      {
        move (self, i, j);
        changed (self);
        return;
      }
}

static void
on_move_up (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  step (VITA_WINDOW (user_data), param, -1);
}

static void
on_move_down (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  step (VITA_WINDOW (user_data), param, +1);
}

/* A header dropped onto another card: it takes that card's place (the target moves
 * one towards where the dragged one was). */
static void
on_move_to (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  VitaWindow *self = VITA_WINDOW (user_data);
  const char *from_name, *to_name;
  VitaPanel from, to;

  g_variant_get (param, "(&s&s)", &from_name, &to_name);
  if (!vita_panel_from_string (from_name, &from) || !vita_panel_from_string (to_name, &to) ||
      index_of (self, from) < 0 || index_of (self, to) < 0)
    return;
  move (self, index_of (self, from), index_of (self, to));
  changed (self);
}

static void
on_maximise (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  VitaWindow *self = VITA_WINDOW (user_data);
  VitaPanel p;

  if (!panel_of_param (param, &p))
    return;
  if (self->maximised == (int) p)
    self->maximised = -1;
  else if (has_data (self, p))
    {
      self->maximised = p;
      self->panel_hidden[p] = FALSE;
    }
  changed (self);
}

static void
on_show_changed (GSimpleAction *action, GVariant *value, gpointer user_data)
{
  VitaWindow *self = VITA_WINDOW (user_data);
  const char *name = g_action_get_name (G_ACTION (action)) + strlen ("show-");
  VitaPanel p;

  if (!vita_panel_from_string (name, &p))
    return;
  self->panel_hidden[p] = !g_variant_get_boolean (value);
  if (self->panel_hidden[p] && self->maximised == (int) p)
    self->maximised = -1;
  else if (!self->panel_hidden[p] && self->maximised >= 0)
    self->maximised = -1;    /* what was asked for is seen */
  changed (self);
}

static void
reset (VitaWindow *self)
{
  g_autofree VitaPanel *panels = vita_panel_arrangement (&self->n_order);

  memcpy (self->order, panels, self->n_order * sizeof (VitaPanel));
  memset (self->panel_hidden, 0, sizeof self->panel_hidden);
  self->maximised = -1;
  self->in_view = FALSE;   /* a reset (or another session) is the person's arrangement */
  for (int p = 0; p < VITA_N_PANELS; p++)
    if (self->cards[p] != NULL)
      vita_panel_card_set_content_height (VITA_PANEL_CARD (self->cards[p]), 0);
}

static void
on_reset (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  reset (VITA_WINDOW (user_data));
  changed (VITA_WINDOW (user_data));
}

static void
on_show_all (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  VitaWindow *self = VITA_WINDOW (user_data);

  memset (self->panel_hidden, 0, sizeof self->panel_hidden);
  self->maximised = -1;
  changed (self);
}

/* ------------------------------------------------------------------ session */

void
_vita_window_arrange_to_state (VitaWindow *self, VitaSessionState *state)
{
  int maximised;

  for (int i = 0; i < self->n_order; i++)
    {
      VitaPanel p = self->order[i];
      VitaSessionPanel *panel = g_new0 (VitaSessionPanel, 1);

      panel->name = g_strdup (vita_panel_to_string (p));
      panel->visible = !(self->in_view ? self->user_hidden[p] : self->panel_hidden[p]);
      panel->height = self->cards[p] ? vita_panel_card_get_content_height (VITA_PANEL_CARD (self->cards[p])) : 0;
      g_ptr_array_add (state->panels, panel);
    }
  g_free (state->maximised);
  maximised = self->in_view ? self->user_maximised : self->maximised;
  state->maximised = maximised >= 0 ? g_strdup (vita_panel_to_string (maximised)) : NULL;
  g_free (state->probeogram_task);
  state->probeogram_task = g_strdup (vita_session_get_probeogram_task (self->session));
}

/* A session's arrangement: the panels it names in its order, then those it does not
 * know (a newer Vitascope's) in their own; names this one does not know are skipped.
 * A session without one shows the default. */
void
_vita_window_arrange_from_state (VitaWindow *self, const VitaSessionState *state)
{
  gboolean listed[VITA_MAX_PANELS] = { FALSE };
  g_autofree VitaPanel *panels = NULL;
  int n = 0, n_default = 0;
  VitaPanel p;

  reset (self);
  if (state->panels->len > 0)
    {
      panels = vita_panel_arrangement (&n_default);
      for (guint i = 0; i < state->panels->len; i++)
        {
          const VitaSessionPanel *sp = g_ptr_array_index (state->panels, i);
          if (!vita_panel_from_string (sp->name, &p) || (int) p >= VITA_N_PANELS ||
              self->cards[p] == NULL || listed[p])
            continue;
          listed[p] = TRUE;
          self->order[n++] = p;
          self->panel_hidden[p] = !sp->visible;
          vita_panel_card_set_content_height (VITA_PANEL_CARD (self->cards[p]), sp->height);
        }
      for (int i = 0; i < n_default; i++)
        if (!listed[panels[i]])
          self->order[n++] = panels[i];
      self->n_order = n;
    }
  /* applied when the probes load (the session keeps the choice) */
  vita_session_set_probeogram_task (self->session, state->probeogram_task);
  if (state->maximised != NULL && vita_panel_from_string (state->maximised, &p) && index_of (self, p) >= 0)
    {
      self->maximised = p;
      self->panel_hidden[p] = FALSE;
    }
  changed (self);
}

/* ------------------------------------------------------------------ set-up */

void
_vita_window_arrange_init (VitaWindow *self)
{
  static const GActionEntry entries[] = {
    { "hide", on_hide, "s" },
    { "move-up", on_move_up, "s" },
    { "move-down", on_move_down, "s" },
    { "move-to", on_move_to, "(ss)" },
    { "maximise", on_maximise, "s" },
    { "show-all", on_show_all },
    { "reset", on_reset },
  };
  g_autoptr(GMenu) panels = g_menu_new ();
  g_autoptr(GMenu) all = g_menu_new ();

  self->maximised = -1;
  self->panel_actions = g_simple_action_group_new ();
  g_action_map_add_action_entries (G_ACTION_MAP (self->panel_actions), entries,
                                   G_N_ELEMENTS (entries), self);
  reset (self);
  for (int i = 0; i < self->n_order; i++)
    {
      VitaPanel p = self->order[i];
      g_autofree char *name = g_strdup_printf ("show-%s", vita_panel_to_string (p));
      g_autofree char *detailed = g_strdup_printf ("panels.%s", name);
      g_autoptr(GSimpleAction) action = g_simple_action_new_stateful (name, NULL,
                                                                      g_variant_new_boolean (TRUE));
      g_signal_connect (action, "change-state", G_CALLBACK (on_show_changed), self);
      g_action_map_add_action (G_ACTION_MAP (self->panel_actions), G_ACTION (action));
      g_menu_append (panels, _(vita_panel_get_class (p)->title), detailed);
    }
  g_menu_append (all, _("Show _All Panels"), "panels.show-all");
  g_menu_append (all, _("_Reset Arrangement"), "panels.reset");
  g_menu_append_section (self->panels_menu, NULL, G_MENU_MODEL (panels));
  g_menu_append_section (self->panels_menu, NULL, G_MENU_MODEL (all));
  gtk_widget_insert_action_group (GTK_WIDGET (self), "panels", G_ACTION_GROUP (self->panel_actions));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.leave-views", FALSE);
  relayout (self);
}

void
_vita_window_arrange_dispose (VitaWindow *self)
{
  if (self->panels_box != NULL && self->n_order > 0)
    clear_box (self);
  self->n_order = 0;
  for (int p = 0; p < VITA_MAX_PANELS; p++)
    g_clear_object (&self->cards[p]);
  g_clear_object (&self->no_model_page);
  g_clear_object (&self->panel_actions);
  g_clear_pointer (&self->layout_key, g_free);
}

GtkWidget *
vita_window_get_panel_card (VitaWindow *self, const char *name)
{
  VitaPanel p;

  g_return_val_if_fail (VITA_IS_WINDOW (self), NULL);
  return vita_panel_from_string (name, &p) && (int) p < VITA_N_PANELS ? self->cards[p] : NULL;
}

GActionGroup *
vita_window_get_panel_actions (VitaWindow *self)
{
  g_return_val_if_fail (VITA_IS_WINDOW (self), NULL);
  return G_ACTION_GROUP (self->panel_actions);
}
