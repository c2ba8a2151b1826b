/* vita-window-panels.c — the panels of the main window: the one place where they
 * are created and connected to the session (one loop over the registry of panel
 * classes, views/vita-panel-registry.c).  Each panel draws from the session's
 * analysis source (views/vita-analysis-source.h: the analysis, its progress, the
 * shared cache); peaks, colormap, attention mode and probe lanes reach them through
 * one GSignalGroup on the session. */
#include "vita-config.h"
#include "vita-window-private.h"

#include <glib/gi18n.h>
#include <math.h>
#include <string.h>

#include "vita-views.h"
#include "vita-panel-card.h"
#include "views/vita-probe-lanes.h"


/* ------------------------------------------------------------------ panels
 *
 * Each panel is a views/ widget in a card with a title.  The views handle the
 * pointer themselves (views/vita-panel-view.h): a click seeks (the view activates
 * "win.seek"), a drag across a time-aligned panel selects a region (for the loop):
 * the loop follows the timeline's selection. */

/* Without a model the model's panels give way to an explanation. */
static GtkWidget *
build_no_model_page (VitaWindow *self)
{
  GtkWidget *button = gtk_button_new_with_mnemonic (_("Open _Model…"));

  self->no_model_page = adw_status_page_new ();
  adw_status_page_set_icon_name (ADW_STATUS_PAGE (self->no_model_page), "dialog-information-symbolic");
  adw_status_page_set_title (ADW_STATUS_PAGE (self->no_model_page), _("No Model"));
  adw_status_page_set_description (ADW_STATUS_PAGE (self->no_model_page),
      _("The mel spectrogram, attention and self-similarity panels show what a model "
        "does with this music. Open a ViT-1D model file (.safetensors) exported from "
        "PyTorch, or train one on a folder of music with "
        "<tt>vitascope-cli train FOLDER --out RUN</tt> and open the model that "
        "<tt>vitascope-cli export-model</tt> writes from its last checkpoint."));
  gtk_actionable_set_action_name (GTK_ACTIONABLE (button), "win.open-model");
  gtk_widget_set_halign (button, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (button, "pill");
  gtk_widget_add_css_class (button, "suggested-action");
  adw_status_page_set_child (ADW_STATUS_PAGE (self->no_model_page), button);
  gtk_widget_add_css_class (self->no_model_page, "compact");
  return self->no_model_page;
}

/* One card (app/vita-panel-card.c): the panel's title and subtitle from its class
 * record, its view drawing from the session's analysis source.  The card is kept
 * (owned) in self->cards; vita-window-arrange.c shows it. */
static void
add_panel (VitaWindow *self, VitaPanel panel)
{
  const VitaPanelClass *klass = vita_panel_get_class (panel);
  GtkWidget *view = vita_panel_view_new (panel, vita_session_get_timeline (self->session));

  gtk_accessible_update_property (GTK_ACCESSIBLE (view), GTK_ACCESSIBLE_PROPERTY_LABEL, _(klass->title), -1);
  vita_panel_view_set_source (VITA_PANEL_VIEW (view),
                              vita_session_get_analysis_source (self->session));
  self->cards[panel] = g_object_ref_sink (vita_panel_card_new (panel, view));
  self->panels[panel] = view;
}

/* The panels of the registry (views/vita-painters.h), and the no-model page that
 * stands in for the model's panels without a model. */
static void
build_panels (VitaWindow *self)
{
  int n;
  g_autofree VitaPanel *panels = vita_panel_arrangement (&n);

  g_object_ref_sink (build_no_model_page (self));
  for (int i = 0; i < n; i++)
    add_panel (self, panels[i]);
  self->probes_subtitle = GTK_WIDGET (vita_panel_card_get_subtitle (VITA_PANEL_CARD (self->cards[VITA_PANEL_PROBES])));
  _vita_window_arrange_init (self);
}


/* The panels observe the session's analysis source (its "analysis", progress and
 * cache); the session keeps it in step with its analysis. */
static void
on_analysis (VitaWindow *self)
{
  _vita_window_panels_queue_draw (self);
}

static void
on_decoding (VitaWindow *self)
{
  double progress;
  gboolean preview, decoding = vita_session_get_decoding (self->session, &progress, &preview);

  for (int i = 0; i < VITA_N_PANELS; i++)
    if (self->panels[i] != NULL)
      vita_panel_view_set_decoding (VITA_PANEL_VIEW (self->panels[i]), decoding, progress, preview);
}

static void
on_peaks (VitaWindow *self)
{
  VitaPeaks *peaks = vita_session_get_peaks (self->session);

  for (int i = 0; i < VITA_N_PANELS; i++)
    if (self->panels[i] != NULL)
      vita_panel_view_set_peaks (VITA_PANEL_VIEW (self->panels[i]), peaks);
  _vita_window_panels_queue_draw (self);
}

static void
on_colormap (VitaWindow *self)
{
  VitaColormap cmap = vita_session_get_colormap (self->session);

  for (int i = 0; i < VITA_N_PANELS; i++)
    if (self->panels[i] != NULL)
      vita_panel_view_set_colormap (VITA_PANEL_VIEW (self->panels[i]), cmap);
}

static void
on_attention_mode (VitaWindow *self)
{
  VitaAttentionMode mode = vita_session_get_attention_mode (self->session);

  for (int i = 0; i < VITA_N_PANELS; i++)
    if (self->panels[i] != NULL)
      vita_panel_view_set_attention_mode (VITA_PANEL_VIEW (self->panels[i]), mode);
}

/* A comparison: every panel view draws side B beside A (or A − B); the views key
 * their textures on it, so this only hands them the source and the labels. */
static void
on_compare (VitaWindow *self)
{
  VitaSessionSide *b = vita_session_get_side_b (self->session);
  g_autofree char *label_a = vita_session_describe_side_a (self->session);
  VitaAnalysisSource *source_b = b ? vita_session_side_get_analysis_source (b) : NULL;
  const char *label_b = b ? vita_session_side_get_label (b) : NULL;

  if (self->compare_side != b)
    {
      if (self->compare_side != NULL)
        g_signal_handlers_disconnect_by_data (self->compare_side, self);
      g_set_object (&self->compare_side, b);
      if (b != NULL)
        g_signal_connect_swapped (b, "notify::label", G_CALLBACK (on_compare), self);
    }
  /* the mel of an edited track is drawn twice (A above B): twice as tall meanwhile */
  GtkWidget *mel = self->panels[VITA_PANEL_MEL];
  if (mel != NULL)
    {
      gboolean two = b != NULL && vita_session_side_get_kind (b) == VITA_SIDE_EDIT;
      int base = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (mel), "vita-compare-base-height"));
      int w, h;
      gtk_widget_get_size_request (mel, &w, &h);
      if (two && base == 0)
        {
          g_object_set_data (G_OBJECT (mel), "vita-compare-base-height", GINT_TO_POINTER (h));
          gtk_widget_set_size_request (mel, w, 2 * h + 24);
        }
      else if (!two && base > 0)
        {
          g_object_set_data (G_OBJECT (mel), "vita-compare-base-height", NULL);
          gtk_widget_set_size_request (mel, w, base);
        }
    }
  gboolean own = vita_session_get_compare_own_layers (self->session);
  for (int i = 0; i < VITA_N_PANELS; i++)
    if (self->panels[i] != NULL)
      {
        vita_panel_view_set_compare (VITA_PANEL_VIEW (self->panels[i]), source_b, label_a, label_b,
                                     vita_session_get_compare_view (self->session),
                                     vita_session_get_compare_per_side_scale (self->session),
                                     b == NULL || vita_session_side_get_kind (b) != VITA_SIDE_EDIT);
        vita_panel_view_set_compare_layers (VITA_PANEL_VIEW (self->panels[i]), own,
                                            vita_session_get_layer_b (self->session),
                                            vita_session_get_head_b (self->session));
      }
  /* square panels drawing A beside B get wider cards (A − B is one map again; a
   * difference whose shapes do not match falls back to A beside B in a narrow card) */
  const gboolean difference = vita_session_get_compare_view (self->session) == VITA_COMPARE_DIFFERENCE;
  for (int i = 0; i < VITA_N_PANELS; i++)
    if (self->cards[i] != NULL)
      vita_panel_card_set_two_sided (VITA_PANEL_CARD (self->cards[i]),
                                     source_b != NULL &&
                                     !(difference && vita_compare_has_difference ((VitaPanel) i)));
}

/* The key annotation, and a clip-level key probe's prediction, in the probe panel's
 * subtitle. */
static void
update_key_label (VitaWindow *self)
{
  g_autoptr(GString) text = g_string_new (NULL);
  VitaProbeSet *set = vita_session_get_probe_set (self->session);
  const VitaAnalysis *an = vita_session_get_analysis_complete (self->session)
                           ? vita_session_get_analysis (self->session) : NULL;
  int key, predicted;
  double prob = NAN;
  gboolean has_key = vita_probe_set_get_key (set, &key);
  gboolean has_pred = vita_probe_set_predict_key (set, an, &predicted, &prob);

  if (self->probes_subtitle == NULL)
    return;
  if (!has_key && !has_pred)
    {
      gtk_label_set_text (GTK_LABEL (self->probes_subtitle),
                          _(vita_panel_get_class (VITA_PANEL_PROBES)->subtitle));
      return;
    }
  if (has_key)
    /* Translators: %s is a key, e.g. "C major". */
    g_string_append_printf (text, _("key: %s"), vita_key_class_name (key));
  if (has_pred)
    {
      if (text->len > 0)
        g_string_append (text, " · ");
      /* Translators: %s is a key, %.0f%% the probe's probability. */
      g_string_append_printf (text, _("key probe: %s (%.0f%%)"), vita_key_class_name (predicted),
                              100.0 * prob);
    }
  gtk_label_set_text (GTK_LABEL (self->probes_subtitle), text->str);
}

/* The probe-o-gram's task: one of the loaded probes' tasks. */
static void
update_probeogram_tasks (VitaWindow *self)
{
  g_auto(GStrv) tasks = vita_session_get_probe_tasks (self->session);
  const VitaProbeogram *pg = vita_session_get_probeogram (self->session);
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->probe_tasks)), selected = 0;

  self->syncing = TRUE;
  gtk_string_list_splice (self->probe_tasks, 0, n, (const char *const *) tasks);
  for (guint i = 0; tasks[i] != NULL; i++)
    if (pg != NULL && pg->name != NULL && g_str_has_prefix (pg->name, tasks[i]) &&
        pg->name[strlen (tasks[i])] == ' ')
      selected = i;
  gtk_drop_down_set_selected (self->probeogram_task, selected);
  gtk_widget_set_visible (GTK_WIDGET (self->probeogram_task), g_strv_length (tasks) > 1);
  self->syncing = FALSE;
}

static void
on_probeogram_task (GtkDropDown *dropdown, GParamSpec *pspec, VitaWindow *self)
{
  GObject *item = gtk_drop_down_get_selected_item (dropdown);

  if (self->syncing || item == NULL)
    return;
  vita_session_set_probeogram_task (self->session, gtk_string_object_get_string (GTK_STRING_OBJECT (item)));
}

static void
on_remove_probe (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  vita_session_remove_probe (VITA_WINDOW (user_data)->session, g_variant_get_int32 (param));
}

static void
on_remove_probe_b (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  vita_session_remove_probe_b (VITA_WINDOW (user_data)->session, g_variant_get_int32 (param));
}

static void
on_clear_probes (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  vita_session_clear_probes (VITA_WINDOW (user_data)->session);
}

static gboolean
unparent_later (gpointer popover)
{
  gtk_widget_unparent (popover);
  g_object_unref (popover);
  return G_SOURCE_REMOVE;
}

/* The menu's item activates its action after the popover closes: it goes after that. */
static void
on_lane_menu_closed (GtkPopover *popover)
{
  g_idle_add (unparent_later, g_object_ref (popover));
}

/* The lane menu: a right click on a lane offers to remove its probe, or all. */
static void
on_probes_pressed (GtkGestureClick *gesture, int n_press, double x, double y, gpointer user_data)
{
  VitaWindow *self = VITA_WINDOW (user_data);
  GtkWidget *view = gtk_event_controller_get_widget (GTK_EVENT_CONTROLLER (gesture));
  int n_lanes = 0, n_b = 0, side = 0;
  VitaProbeLane *const *lanes = vita_session_get_probe_lanes (self->session, &n_lanes);
  VitaProbeLane *const *lanes_b = vita_session_get_probe_lanes_b (self->session, &n_b);
  VitaSessionSide *b = vita_session_get_side_b (self->session);
  VitaRect area = { 0, 0, gtk_widget_get_width (view), gtk_widget_get_height (view) };
  VitaStyle style;
  VitaPaintContext ctx = { 0 };
  VitaPaintCompare cmp = { 0 };
  g_autoptr(GMenu) menu = g_menu_new ();
  GtkWidget *popover;
  int lane;

  if (n_lanes <= 0 && n_b <= 0)
    return;
  vita_style_init (&style);
  ctx.style = &style;
  ctx.lanes = lanes;
  ctx.n_lanes = n_lanes;
  /* side B's lanes of another model are drawn among A's (vita_compare_merge_lanes) */
  if (b != NULL && vita_session_side_get_kind (b) != VITA_SIDE_EDIT && n_b > 0)
    {
      cmp.lanes_b = lanes_b;
      cmp.n_lanes_b = n_b;
      cmp.same_input = TRUE;
      ctx.compare = &cmp;
    }
  lane = vita_compare_lanes_hit (&area, &ctx, y, &side);
  if (lane >= 0)
    {
      /* Translators: %s is a probe lane's name, e.g. "chord · layer 3 · majmin 0.71". */
      g_autofree char *label = g_strdup_printf (side == 0 ? _("Remove “%s”") : _("Remove Side B's “%s”"),
                                                (side == 0 ? lanes : lanes_b)[lane]->name);
      g_autoptr(GMenuItem) item = g_menu_item_new (label, NULL);
      g_menu_item_set_action_and_target_value (item, side == 0 ? "panels.remove-probe"
                                                               : "panels.remove-probe-b",
                                               g_variant_new_int32 (lane));
      g_menu_append_item (menu, item);
    }
  g_menu_append (menu, _("Clear All Probes"), "panels.clear-probes");
  popover = gtk_popover_menu_new_from_model (G_MENU_MODEL (menu));
  gtk_widget_set_parent (popover, view);
  gtk_popover_set_pointing_to (GTK_POPOVER (popover), &(GdkRectangle) { (int) x, (int) y, 1, 1 });
  gtk_popover_set_has_arrow (GTK_POPOVER (popover), FALSE);
  g_signal_connect (popover, "closed", G_CALLBACK (on_lane_menu_closed), NULL);
  gtk_popover_popup (GTK_POPOVER (popover));
  gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_CLAIMED);
}

static void
update_probe_actions (VitaWindow *self, int n_lanes)
{
  GActionMap *map = G_ACTION_MAP (self->panel_actions);
  int n_b = 0;
  vita_session_get_probe_paths_b (self->session, &n_b);
  gboolean any = vita_probe_set_get_n_probes (vita_session_get_probe_set (self->session)) > 0 ||
                 n_b > 0;

  g_simple_action_set_enabled (G_SIMPLE_ACTION (g_action_map_lookup_action (map, "clear-probes")), any);
  g_simple_action_set_enabled (G_SIMPLE_ACTION (g_action_map_lookup_action (map, "remove-probe")), n_lanes > 0);
}

static void
build_probe_controls (VitaWindow *self)
{
  static const GActionEntry entries[] = {
    { "remove-probe", on_remove_probe, "i" },
    { "remove-probe-b", on_remove_probe_b, "i" },
    { "clear-probes", on_clear_probes },
  };
  GtkGesture *click = gtk_gesture_click_new ();

  g_action_map_add_action_entries (G_ACTION_MAP (self->panel_actions), entries, G_N_ELEMENTS (entries), self);
  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (click), GDK_BUTTON_SECONDARY);
  /* before the view's own click (which seeks with any button) */
  gtk_event_controller_set_propagation_phase (GTK_EVENT_CONTROLLER (click), GTK_PHASE_CAPTURE);
  g_signal_connect (click, "pressed", G_CALLBACK (on_probes_pressed), self);
  gtk_widget_add_controller (self->panels[VITA_PANEL_PROBES], GTK_EVENT_CONTROLLER (click));

  self->probe_tasks = gtk_string_list_new (NULL);
  self->probeogram_task = GTK_DROP_DOWN (gtk_drop_down_new (G_LIST_MODEL (g_object_ref (self->probe_tasks)), NULL));
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->probeogram_task), _("The task the probe-o-gram shows"));
  gtk_widget_set_valign (GTK_WIDGET (self->probeogram_task), GTK_ALIGN_CENTER);
  gtk_widget_set_visible (GTK_WIDGET (self->probeogram_task), FALSE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->probeogram_task), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Probe-o-gram task"), -1);
  g_signal_connect (self->probeogram_task, "notify::selected", G_CALLBACK (on_probeogram_task), self);
  vita_panel_card_add_header_widget (VITA_PANEL_CARD (self->cards[VITA_PANEL_PROBEOGRAM]),
                                     GTK_WIDGET (self->probeogram_task));
  update_probe_actions (self, 0);
}

/* ------------------------------------------------------------------ annotation layers
 *
 * The loaded annotations as layers over the waveform and mel panels (views/
 * vita-painters.h), each shown or hidden by a stateful action (Annotation Layers
 * menu); they show with or without probes. */

static const struct { const char *action; VitaAnnotationKind kind; } annotation_actions[] = {
  { "show-chords", VITA_ANNOTATION_CHORDS },
  { "show-beats", VITA_ANNOTATION_BEATS },
  { "show-onsets", VITA_ANNOTATION_ONSETS },
  { "show-key", VITA_ANNOTATION_KEY },
};

static guint
annotations_shown (VitaWindow *self)
{
  guint shown = 0;

  for (gsize i = 0; i < G_N_ELEMENTS (annotation_actions); i++)
    {
      GAction *action = g_action_map_lookup_action (G_ACTION_MAP (self), annotation_actions[i].action);
      g_autoptr(GVariant) state = action ? g_action_get_state (action) : NULL;
      if (state == NULL || g_variant_get_boolean (state))
        shown |= annotation_actions[i].kind;
    }
  return shown;
}

static void
update_annotation_layers (VitaWindow *self)
{
  const VitaAnnotations *ann = vita_probe_set_get_annotations (vita_session_get_probe_set (self->session));
  VitaAnnotationLayers *l = vita_annotation_layers_new (ann, annotations_shown (self));

  /* The views borrow the new layers before the old ones are freed. */
  for (int i = 0; i < VITA_N_PANELS; i++)
    if (self->panels[i] != NULL)
      vita_panel_view_set_annotations (VITA_PANEL_VIEW (self->panels[i]), l);
  g_object_set_data_full (G_OBJECT (self), "vita-annotation-layers", l,
                          (GDestroyNotify) vita_annotation_layers_free);
}

static void
on_annotation_toggled (GSimpleAction *action, GVariant *state, VitaWindow *self)
{
  VitaAnnotationLayers *l = g_object_get_data (G_OBJECT (self), "vita-annotation-layers");

  g_simple_action_set_state (action, state);
  if (l == NULL)
    return;
  l->shown = annotations_shown (self);
  for (int i = 0; i < VITA_N_PANELS; i++)
    if (self->panels[i] != NULL)
      vita_panel_view_set_annotations (VITA_PANEL_VIEW (self->panels[i]), l);
}

static const char *
annotation_layer_name (const char *action)
{
  return action + strlen ("show-");
}

/* The annotation layers shown, in the session file (vita-session-file.h). */
void
_vita_window_panels_annotations_to_state (VitaWindow *self, VitaSessionState *state)
{
  g_autoptr(GStrvBuilder) names = g_strv_builder_new ();
  guint shown = annotations_shown (self);

  for (gsize i = 0; i < G_N_ELEMENTS (annotation_actions); i++)
    if (shown & annotation_actions[i].kind)
      g_strv_builder_add (names, annotation_layer_name (annotation_actions[i].action));
  g_strfreev (state->annotation_layers);
  state->annotation_layers = g_strv_builder_end (names);
}

/* A session's annotation layers (all shown when it does not record them). */
void
_vita_window_panels_annotations_from_state (VitaWindow *self, const VitaSessionState *state)
{
  for (gsize i = 0; i < G_N_ELEMENTS (annotation_actions); i++)
    {
      GAction *action = g_action_map_lookup_action (G_ACTION_MAP (self), annotation_actions[i].action);
      gboolean on = state->annotation_layers == NULL ||
                    g_strv_contains ((const char *const *) state->annotation_layers,
                                     annotation_layer_name (annotation_actions[i].action));
      if (action != NULL)
        g_action_change_state (action, g_variant_new_boolean (on));
    }
}

static void
on_lanes_changed (VitaWindow *self)
{
  int n_lanes = 0;
  VitaProbeLane *const *lanes = vita_session_get_probe_lanes (self->session, &n_lanes);
  const VitaProbeogram *pg = vita_session_get_probeogram (self->session);

  if (self->panels[VITA_PANEL_PROBES] != NULL)
    {
      int n_b = 0;
      VitaProbeLane *const *lanes_b = vita_session_get_probe_lanes_b (self->session, &n_b);
      VitaStyle style;
      vita_style_init (&style);
      vita_panel_view_set_probe_lanes (VITA_PANEL_VIEW (self->panels[VITA_PANEL_PROBES]), lanes, n_lanes);
      vita_panel_view_set_probe_lanes_b (VITA_PANEL_VIEW (self->panels[VITA_PANEL_PROBES]), lanes_b, n_b);
      /* each lane readable: the panel grows with its lanes, side B's too (the page scrolls) */
      vita_panel_card_set_min_content_height (VITA_PANEL_CARD (self->cards[VITA_PANEL_PROBES]),
          (int) ceil (vita_probe_lanes_min_height (&style, lanes, n_lanes) +
                      (n_b > 0 ? vita_probe_lanes_min_height (&style, lanes_b, n_b) : 0)));
    }
  if (self->panels[VITA_PANEL_PROBEOGRAM] != NULL)
    {
      const VitaProbeogram *pg_b = vita_session_get_probeogram_b (self->session);
      vita_panel_view_set_probeogram (VITA_PANEL_VIEW (self->panels[VITA_PANEL_PROBEOGRAM]), pg);
      vita_panel_view_set_probeogram_b (VITA_PANEL_VIEW (self->panels[VITA_PANEL_PROBEOGRAM]), pg_b);
      /* A above B: twice as tall meanwhile (the page scrolls) */
      vita_panel_card_set_min_content_height (VITA_PANEL_CARD (self->cards[VITA_PANEL_PROBEOGRAM]),
                                              pg_b != NULL ? 2 * 150 + 24 : 0);
    }
  _vita_window_arrange_update (self);
  update_probeogram_tasks (self);
  update_probe_actions (self, n_lanes);
  update_key_label (self);
  update_annotation_layers (self);
  _vita_window_panels_queue_draw (self);
}

const char *
vita_window_get_probes_subtitle (VitaWindow *self)
{
  g_return_val_if_fail (VITA_IS_WINDOW (self), NULL);
  return self->probes_subtitle ? gtk_label_get_text (GTK_LABEL (self->probes_subtitle)) : NULL;
}

void
_vita_window_panels_update_model_cards (VitaWindow *self)
{
  _vita_window_arrange_update (self);
}

void
_vita_window_panels_queue_draw (VitaWindow *self)
{
  for (int i = 0; i < VITA_N_PANELS; i++)
    if (self->panels[i] != NULL)
      gtk_widget_queue_draw (self->panels[i]);
}

/* The panels' shared cache: what the screen draws from, and so what export uses. */
VitaPaintCache *
_vita_window_panels_get_cache (VitaWindow *self)
{
  return vita_analysis_source_get_cache (vita_session_get_analysis_source (self->session));
}

void
_vita_window_panels_build (VitaWindow *self)
{
  GSignalGroup *g;

  build_panels (self);
  build_probe_controls (self);
  for (gsize i = 0; i < G_N_ELEMENTS (annotation_actions); i++)
    {
      g_autoptr(GSimpleAction) action = g_simple_action_new_stateful (annotation_actions[i].action, NULL,
                                                                      g_variant_new_boolean (TRUE));
      g_signal_connect (action, "change-state", G_CALLBACK (on_annotation_toggled), self);
      g_action_map_add_action (G_ACTION_MAP (self), G_ACTION (action));
    }
  g_signal_connect_object (vita_session_get_timeline (self->session), "notify::selection-end",
                           G_CALLBACK (_vita_window_update_loop), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (vita_session_get_timeline (self->session), "notify::selection-start",
                           G_CALLBACK (_vita_window_update_loop), self, G_CONNECT_SWAPPED);
  self->panel_signals = g = g_signal_group_new (VITA_TYPE_SESSION);
  g_signal_group_connect_swapped (g, "notify::analysis", G_CALLBACK (on_analysis), self);
  g_signal_group_connect_swapped (g, "notify::peaks", G_CALLBACK (on_peaks), self);
  g_signal_group_connect_swapped (g, "notify::decoding", G_CALLBACK (on_decoding), self);
  g_signal_group_connect_swapped (g, "notify::colormap", G_CALLBACK (on_colormap), self);
  g_signal_group_connect_swapped (g, "notify::attention-mode", G_CALLBACK (on_attention_mode), self);
  g_signal_group_connect_swapped (g, "lanes-changed", G_CALLBACK (on_lanes_changed), self);
  g_signal_group_connect_swapped (g, "notify::side-b", G_CALLBACK (on_compare), self);
  g_signal_group_connect_swapped (g, "notify::compare-view", G_CALLBACK (on_compare), self);
  g_signal_group_connect_swapped (g, "notify::compare-per-side-scale", G_CALLBACK (on_compare), self);
  g_signal_group_connect_swapped (g, "notify::layer-b", G_CALLBACK (on_compare), self);
  g_signal_group_connect_swapped (g, "notify::head-b", G_CALLBACK (on_compare), self);
  g_signal_group_connect_swapped (g, "notify::model", G_CALLBACK (on_compare), self);
  g_signal_group_connect_swapped (g, "notify::model-label", G_CALLBACK (on_compare), self);
  g_signal_group_set_target (g, self->session);
  on_analysis (self);
  on_peaks (self);
  on_decoding (self);
  on_colormap (self);
  on_attention_mode (self);
  on_compare (self);
}
