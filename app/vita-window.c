/* vita-window.c — the main window (see vita-window.h): the template, the title,
 * the banners, and the action state; it observes a VitaSession (GSignalGroup,
 * detailed notify::) and never pushes state into the panels itself.  Actions,
 * panels, export and opening files live beside it (vita-window-private.h).
 *
 * Data flow (architecture.md): the player's pipeline position is read on the frame
 * clock (tick callback) and written to the timeline; views observe the timeline;
 * a click on a view activates "win.seek" with a sample target, which goes to the
 * player — never from a position notification.
 */
#include "vita-config.h"
#include "vita-window-private.h"
#include "vita-window-attribution.h"

#include <glib/gi18n.h>
#include <math.h>

#include "vita-engine.h"
#include "vita-views.h"

G_DEFINE_FINAL_TYPE (VitaWindow, vita_window, ADW_TYPE_APPLICATION_WINDOW)

/* ------------------------------------------------------------------ helpers */

static char *
format_time (double seconds)
{
  char buf[32];

  if (!(seconds >= 0))
    seconds = 0;
  /* Tenths, cut rather than rounded: the label changes (and the header bar is
   * re-measured) ten times a second while playing, not at every frame; m:ss.s, or
   * h:mm:ss.s from an hour on, as the panels' time axes and read-outs. */
  vita_format_time (floor (seconds * 10) / 10, 0.1, TRUE, buf, sizeof buf);
  return g_strdup (buf);
}

void
vita_window_show_error (VitaWindow *self, const char *message)
{
  AdwToast *toast;

  g_return_if_fail (VITA_IS_WINDOW (self));

  g_free (self->last_error);
  self->last_error = g_strdup (message);
  self->n_errors++;
  g_message ("%s", message);
  {
    /* a toast's title is markup: file names and parser messages are not */
    g_autofree char *escaped = g_markup_escape_text (message, -1);
    toast = adw_toast_new (escaped);
  }
  adw_toast_set_timeout (toast, 6);
  adw_toast_set_priority (toast, ADW_TOAST_PRIORITY_HIGH);
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

void
_vita_window_toast (VitaWindow *self, const char *text)
{
  adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (text));
}

/* ------------------------------------------------------------------ position */

static void
update_position_label (VitaWindow *self)
{
  VitaTimeline *tl = vita_session_get_timeline (self->session);
  gint64 duration_ns = vita_player_get_duration (self->player);
  g_autofree char *now = format_time (vita_timeline_sample_to_seconds (tl, vita_timeline_get_position (tl)));
  g_autofree char *total = format_time (duration_ns > 0 ? duration_ns / (double) GST_SECOND
                                        : vita_timeline_sample_to_seconds (tl, vita_timeline_get_n_samples (tl)));
  g_autofree char *text = g_strdup_printf ("%s / %s", now, total);

  if (g_strcmp0 (text, gtk_label_get_label (self->position_label)) != 0)
    gtk_label_set_label (self->position_label, text);
}

void
_vita_window_sync_position_from_player (VitaWindow *self)
{
  VitaTimeline *tl = vita_session_get_timeline (self->session);
  gint64 ns;

  if (!vita_player_get_position (self->player, &ns))
    return;
  /* The timeline scrolls the view itself (its follow mode). */
  vita_timeline_set_position (tl, (gint64) gst_util_uint64_scale_round (MAX (ns, 0),
                                      vita_timeline_get_sample_rate (tl), GST_SECOND));
}

static gboolean
on_tick (GtkWidget *widget, GdkFrameClock *clock, gpointer user_data)
{
  VitaWindow *self = VITA_WINDOW (widget);

  _vita_window_sync_position_from_player (self);
  if (!vita_player_get_playing (self->player))
    {
      self->tick_id = 0;
      return G_SOURCE_REMOVE;
    }
  return G_SOURCE_CONTINUE;
}

static void
on_player_playing (VitaWindow *self)
{
  gboolean playing = vita_player_get_playing (self->player);

  vita_timeline_set_playing (vita_session_get_timeline (self->session), playing);
  gtk_button_set_icon_name (self->play_button,
                            playing ? "media-playback-pause-symbolic" : "media-playback-start-symbolic");
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->play_button),
                               playing ? _("Pause (Space)") : _("Play (Space)"));
  if (playing && self->tick_id == 0)
    self->tick_id = gtk_widget_add_tick_callback (GTK_WIDGET (self), on_tick, NULL, NULL);
  _vita_window_sync_position_from_player (self);
}

static void
on_player_error (VitaWindow *self, GError *error)
{
  vita_window_show_error (self, error->message);
  _vita_window_update_actions (self);
}

static void
on_player_duration (VitaWindow *self)
{
  vita_session_set_duration (self->session, vita_player_get_duration (self->player));
  update_position_label (self);
  _vita_window_update_actions (self);
}

void
_vita_window_update_loop (VitaWindow *self)
{
  VitaTimeline *tl = vita_session_get_timeline (self->session);
  int rate = vita_timeline_get_sample_rate (tl);
  gint64 start, end;

  vita_timeline_get_selection (tl, &start, &end);
  gtk_toggle_button_set_active (self->loop_button, vita_session_get_loop (self->session));
  if (vita_session_get_loop (self->session) && end > start && rate > 0)
    vita_player_set_loop (self->player, gst_util_uint64_scale_round (start, GST_SECOND, rate),
                          gst_util_uint64_scale_round (end, GST_SECOND, rate));
  else
    vita_player_set_loop (self->player, 0, 0);
}

/* ------------------------------------------------------------------ title, banners */

static void
update_model_banner (VitaWindow *self)
{
  gboolean loading = vita_session_get_model_loading (self->session);
  const char *text = NULL;

  _vita_window_panels_update_model_cards (self);
  if (!loading && vita_session_get_model (self->session) == NULL &&
      vita_session_get_audio_path (self->session) == NULL)
    /* With audio open, the "No Model" page among the panels says it. */
    text = _("No model loaded. Open a ViT-1D model file (.safetensors), "
             "or train one with “vitascope-cli train FOLDER”.");
  if (text != NULL)
    gtk_label_set_label (self->model_banner_label, text);
  gtk_revealer_set_reveal_child (self->model_banner, text != NULL);
}

static void
update_session_banners (VitaWindow *self)
{
  VitaSessionFileKind kind;
  const char *path = NULL;
  const char *warning = vita_session_get_sha256_warning (self->session);
  gboolean missing = vita_session_get_missing (self->session, &kind, &path);

  if (missing)
    {
      const char *what[] = { N_("audio file"), N_("model"), N_("annotation file"), N_("probe") };
      /* Translators: “The session’s model “/a/b.safetensors” is missing: …” */
      g_autofree char *text = g_strdup_printf (_("The session’s %s “%s” is missing: the session "
                                                 "opened without it."), _(what[kind]), path);
      gtk_label_set_label (self->missing_banner_label, text);
    }
  gtk_revealer_set_reveal_child (self->missing_banner, missing);
  if (warning != NULL)
    gtk_label_set_label (self->warning_banner_label, warning);
  gtk_revealer_set_reveal_child (self->warning_banner, warning != NULL);
}

static void
update_title (VitaWindow *self)
{
  const char *audio = vita_session_get_audio_path (self->session);
  const char *model_path = vita_session_get_model_path (self->session);
  const char *label = vita_session_get_model_label (self->session);
  g_autofree char *title = audio ? g_path_get_basename (audio) : NULL;
  g_autofree char *model = model_path ? g_path_get_basename (model_path) : NULL;
  g_autofree char *subtitle = NULL;

  if (label != NULL)
    subtitle = g_strdup (label);
  else if (model != NULL)
    /* Translators: window subtitle, %s is the model's file name. */
    subtitle = g_strdup_printf (_("Model: %s"), model);
  else
    subtitle = g_strdup (_("No model"));
  adw_window_title_set_title (self->window_title, title ? title : _("Vitascope"));
  adw_window_title_set_subtitle (self->window_title, audio ? subtitle : "");
  gtk_window_set_title (GTK_WINDOW (self), title ? title : _("Vitascope"));
}

/* ------------------------------------------------------------------ the session */

static void
on_session_audio (VitaWindow *self)
{
  const char *path = vita_session_get_audio_path (self->session);
  g_autofree char *uri = path ? g_filename_to_uri (path, NULL, NULL) : NULL;

  if (uri != NULL)
    gtk_recent_manager_add_item (self->recent, uri);
  vita_player_set_uri (self->player, uri);
  vita_player_set_rate (self->player, vita_session_get_speed (self->session));
  gtk_stack_set_visible_child_name (self->main_stack, path ? "panels" : "empty");
  update_title (self);
  update_model_banner (self);
  update_position_label (self);
  _vita_window_update_actions (self);
  _vita_window_panels_queue_draw (self);
  gtk_widget_grab_focus (GTK_WIDGET (self->play_button));
}

static void
on_session_model (VitaWindow *self)
{
  update_model_banner (self);
  update_title (self);
  _vita_window_update_actions (self);
}

static void
on_session_progress (VitaWindow *self, double fraction, const char *text)
{
  gtk_progress_bar_set_fraction (self->progress_bar, fraction);
  gtk_label_set_label (self->progress_label, text);
}

static void
on_session_analysis_complete (VitaWindow *self)
{
  gtk_revealer_set_reveal_child (self->progress_revealer,
                                 vita_session_get_audio_path (self->session) != NULL &&
                                 !vita_session_get_analysis_complete (self->session));
  _vita_window_update_actions (self);
}

static void
on_session_view_restored (VitaWindow *self)
{
  VitaTimeline *tl = vita_session_get_timeline (self->session);

  /* the player follows the restored playhead */
  if (vita_session_get_audio_path (self->session) != NULL)
    gtk_widget_activate_action (GTK_WIDGET (self), "win.seek", "x", vita_timeline_get_position (tl));
  _vita_window_update_loop (self);
  _vita_window_update_onset_clicks (self);
}

static void
on_session_info (VitaWindow *self, const char *message)
{
  /* a toast's title is markup; file names may hold '&' or '<' */
  g_autofree char *escaped = g_markup_escape_text (message, -1);
  _vita_window_toast (self, escaped);
}

static void
on_session_error (VitaWindow *self, const char *message)
{
  vita_window_show_error (self, message);
}

/* ------------------------------------------------------------------ action state */

void
_vita_window_update_actions (VitaWindow *self)
{
  VitaTimeline *tl = vita_session_get_timeline (self->session);
  gboolean has_audio = vita_session_get_audio_path (self->session) != NULL;
  gboolean has_layers = vita_timeline_get_n_layers (tl) > 0;
  gboolean has_heads = vita_timeline_get_n_heads (tl) > 0;
  const char *audio_actions[] = { "play-pause", "seek", "seek-relative", "go-start", "go-end",
                                  "loop", "zoom-in", "zoom-out", "zoom-all", "speed-up",
                                  "speed-down", "export", "export-results", "load-annotations", "load-probe",
                                  "save-session", "save-session-as" };
  const char *layer_actions[] = { "layer-next", "layer-previous" };
  const char *head_actions[] = { "head-next", "head-previous", "head-average" };

  for (gsize i = 0; i < G_N_ELEMENTS (audio_actions); i++)
    {
      g_autofree char *name = g_strconcat ("win.", audio_actions[i], NULL);
      gtk_widget_action_set_enabled (GTK_WIDGET (self), name, has_audio);
    }
  for (gsize i = 0; i < G_N_ELEMENTS (layer_actions); i++)
    {
      g_autofree char *name = g_strconcat ("win.", layer_actions[i], NULL);
      gtk_widget_action_set_enabled (GTK_WIDGET (self), name, has_layers);
    }
  for (gsize i = 0; i < G_N_ELEMENTS (head_actions); i++)
    {
      g_autofree char *name = g_strconcat ("win.", head_actions[i], NULL);
      gtk_widget_action_set_enabled (GTK_WIDGET (self), name, has_heads);
    }
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.locate-missing",
                                 vita_session_get_missing (self->session, NULL, NULL));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.none", FALSE);
  /* Controls appear when they have something to act on. */
  gtk_widget_set_visible (GTK_WIDGET (self->speed_dropdown), has_audio);
  gtk_widget_set_visible (GTK_WIDGET (self->position_label), has_audio);
  gtk_widget_set_visible (GTK_WIDGET (self->loop_button), has_audio);
  gtk_widget_set_visible (GTK_WIDGET (self->layer_dropdown), has_layers);
  gtk_widget_set_visible (GTK_WIDGET (self->head_dropdown), has_heads);
}

/* ------------------------------------------------------------------ GObject */

static gboolean
vita_window_close_request (GtkWindow *window)
{
  VitaWindow *self = VITA_WINDOW (window);
  int width, height;

  gtk_window_get_default_size (window, &width, &height);
  g_settings_set_int (self->settings, "window-width", width);
  g_settings_set_int (self->settings, "window-height", height);
  g_settings_set_boolean (self->settings, "window-maximized", gtk_window_is_maximized (window));
  _vita_window_save_last_session (self);
  return GTK_WINDOW_CLASS (vita_window_parent_class)->close_request (window);
}

static void
vita_window_dispose (GObject *object)
{
  VitaWindow *self = VITA_WINDOW (object);

  /* The training window stops and joins its trainer when destroyed. */
  if (self->training_window != NULL)
    {
      g_object_remove_weak_pointer (G_OBJECT (self->training_window), (gpointer *) &self->training_window);
      gtk_window_destroy (g_steal_pointer (&self->training_window));
    }
  if (self->session_signals != NULL)
    g_signal_group_set_target (self->session_signals, NULL);
  if (self->panel_signals != NULL)
    g_signal_group_set_target (self->panel_signals, NULL);
  if (self->compare_side != NULL)
    g_signal_handlers_disconnect_by_data (self->compare_side, self);
  g_clear_object (&self->compare_side);
  _vita_window_compare_dispose (self);
  /* Cancels and joins the session's workers before anything they report to goes. */
  if (self->session != NULL)
    {
      g_signal_handlers_disconnect_by_data (vita_session_get_timeline (self->session), self);
      g_object_run_dispose (G_OBJECT (self->session));
    }
  if (self->tick_id != 0)
    {
      gtk_widget_remove_tick_callback (GTK_WIDGET (self), self->tick_id);
      self->tick_id = 0;
    }
  if (self->player != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->player, self);
      vita_player_set_uri (self->player, NULL);
      g_clear_object (&self->player);
    }
  if (self->recent != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->recent, self);
      self->recent = NULL;
    }
  if (self->settings != NULL)
    g_signal_handlers_disconnect_by_data (self->settings, self);
  _vita_window_teach_dispose (self);
  _vita_window_video_dispose (self);
  _vita_window_arrange_dispose (self);
  gtk_widget_dispose_template (GTK_WIDGET (self), VITA_TYPE_WINDOW);
  G_OBJECT_CLASS (vita_window_parent_class)->dispose (object);
}

static void
vita_window_finalize (GObject *object)
{
  VitaWindow *self = VITA_WINDOW (object);

  g_clear_object (&self->session_signals);
  g_clear_object (&self->panel_signals);
  g_clear_object (&self->session);
  g_clear_object (&self->settings);
  g_clear_object (&self->layer_names);
  g_clear_object (&self->head_names);
  g_clear_object (&self->probe_tasks);
  g_free (self->last_error);
  _vita_window_teach_finalize (self);
  G_OBJECT_CLASS (vita_window_parent_class)->finalize (object);
}

static void
vita_window_class_init (VitaWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = vita_window_dispose;
  object_class->finalize = vita_window_finalize;
  window_class->close_request = vita_window_close_request;

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/vitascope/Vitascope/vita-window.ui");
#define BIND(name) gtk_widget_class_bind_template_child (widget_class, VitaWindow, name)
  BIND (toast_overlay);
  BIND (content_box);
  BIND (open_button);
  BIND (play_button);
  BIND (loop_button);
  BIND (position_label);
  BIND (window_title);
  BIND (head_dropdown);
  BIND (layer_dropdown);
  BIND (speed_dropdown);
  BIND (progress_revealer);
  BIND (progress_label);
  BIND (progress_bar);
  BIND (model_banner);
  BIND (model_banner_label);
  BIND (missing_banner);
  BIND (missing_banner_label);
  BIND (warning_banner);
  BIND (warning_banner_label);
  BIND (main_stack);
  BIND (panels_box);
  BIND (recent_menu);
  BIND (panels_menu);
#undef BIND

  _vita_window_actions_class_init (widget_class);
  _vita_window_export_class_init (widget_class);
  _vita_window_dnd_class_init (widget_class);
  _vita_window_teach_class_init (widget_class);
  _vita_window_video_class_init (widget_class);
}

static void
vita_window_init (VitaWindow *self)
{
  g_autoptr(GtkStringList) speed_names = NULL;
  VitaTimeline *tl;
  GSignalGroup *g;

  gtk_widget_init_template (GTK_WIDGET (self));

  self->settings = g_settings_new (VITA_APP_ID);
  self->session = vita_session_new ();
  self->player = vita_player_new ();
  self->recent = gtk_recent_manager_get_default ();
  self->layer_names = gtk_string_list_new (NULL);
  self->head_names = gtk_string_list_new (NULL);
  tl = vita_session_get_timeline (self->session);

  gtk_window_set_default_size (GTK_WINDOW (self),
                               g_settings_get_int (self->settings, "window-width"),
                               g_settings_get_int (self->settings, "window-height"));
  if (g_settings_get_boolean (self->settings, "window-maximized"))
    gtk_window_maximize (GTK_WINDOW (self));

  speed_names = gtk_string_list_new ((const char *[]) { "0.5×", "0.75×", "1×", "1.25×", "1.5×", "2×", NULL });
  gtk_drop_down_set_model (self->speed_dropdown, G_LIST_MODEL (speed_names));
  _vita_window_on_session_speed (self);
  gtk_drop_down_set_model (self->layer_dropdown, G_LIST_MODEL (self->layer_names));
  gtk_drop_down_set_model (self->head_dropdown, G_LIST_MODEL (self->head_names));

  g_signal_connect_swapped (self->player, "notify::playing", G_CALLBACK (on_player_playing), self);
  g_signal_connect_swapped (self->player, "notify::duration", G_CALLBACK (on_player_duration), self);
  g_signal_connect_swapped (self->player, "error", G_CALLBACK (on_player_error), self);
  g_signal_connect_swapped (self->player, "seeked", G_CALLBACK (_vita_window_sync_position_from_player), self);
  g_signal_connect_swapped (self->player, "eos", G_CALLBACK (_vita_window_sync_position_from_player), self);

  g_signal_connect_swapped (tl, "notify::position", G_CALLBACK (update_position_label), self);

  /* The window observes the session, one handler per property. */
  self->session_signals = g = g_signal_group_new (VITA_TYPE_SESSION);
  g_signal_group_connect_swapped (g, "notify::audio-path", G_CALLBACK (on_session_audio), self);
  g_signal_group_connect_swapped (g, "notify::model", G_CALLBACK (on_session_model), self);
  g_signal_group_connect_swapped (g, "notify::model-loading", G_CALLBACK (on_session_model), self);
  g_signal_group_connect_swapped (g, "notify::model-path", G_CALLBACK (update_title), self);
  g_signal_group_connect_swapped (g, "notify::model-label", G_CALLBACK (update_title), self);
  g_signal_group_connect_swapped (g, "notify::analysis-complete", G_CALLBACK (on_session_analysis_complete), self);
  g_signal_group_connect_swapped (g, "notify::speed", G_CALLBACK (_vita_window_on_session_speed), self);
  g_signal_group_connect_swapped (g, "notify::loop", G_CALLBACK (_vita_window_update_loop), self);
  g_signal_group_connect_swapped (g, "notify::missing", G_CALLBACK (update_session_banners), self);
  g_signal_group_connect_swapped (g, "notify::missing", G_CALLBACK (_vita_window_update_actions), self);
  g_signal_group_connect_swapped (g, "notify::sha256-warning", G_CALLBACK (update_session_banners), self);
  g_signal_group_connect_swapped (g, "progress", G_CALLBACK (on_session_progress), self);
  g_signal_group_connect_swapped (g, "view-restored", G_CALLBACK (on_session_view_restored), self);
  g_signal_group_connect_swapped (g, "error", G_CALLBACK (on_session_error), self);
  g_signal_group_connect_swapped (g, "info", G_CALLBACK (on_session_info), self);

  _vita_window_teach_keys_init (self);  /* before the main key table's controller */
  _vita_window_actions_init (self);     /* adds its own observers to session_signals */
  _vita_window_compare_init (self);
  _vita_window_attribution_init (self); /* so does the attribution popover */
  g_signal_group_set_target (g, self->session);
  _vita_window_dnd_init (self);
  _vita_window_panels_build (self);
  _vita_window_teach_init (self);

  /* For the GUI tests (tests/gui/test-app-*.c). */
  g_object_set_data (G_OBJECT (self), "vita-test-layer-dropdown", self->layer_dropdown);
  g_object_set_data (G_OBJECT (self), "vita-test-head-dropdown", self->head_dropdown);
  g_object_set_data (G_OBJECT (self), "vita-test-play-button", self->play_button);

  _vita_window_rebuild_layer_head_lists (self);
  update_model_banner (self);
  update_session_banners (self);
  update_title (self);
  update_position_label (self);
  _vita_window_update_actions (self);
}

VitaWindow *
vita_window_new (AdwApplication *application)
{
  return g_object_new (VITA_TYPE_WINDOW, "application", application, NULL);
}

/* ------------------------------------------------------------------ accessors */

VitaSession *vita_window_get_session (VitaWindow *self) { return self->session; }
VitaTimeline *vita_window_get_timeline (VitaWindow *self) { return vita_session_get_timeline (self->session); }
VitaPlayer *vita_window_get_player (VitaWindow *self) { return self->player; }
const char *vita_window_get_audio_path (VitaWindow *self) { return vita_session_get_audio_path (self->session); }
const char *vita_window_get_model_path (VitaWindow *self) { return vita_session_get_model_path (self->session); }
const char *vita_window_get_model_label (VitaWindow *self) { return vita_session_get_model_label (self->session); }
const char *vita_window_get_last_error (VitaWindow *self) { return self->last_error; }
guint vita_window_get_n_errors (VitaWindow *self) { return self->n_errors; }
const char *vita_window_get_page (VitaWindow *self) { return gtk_stack_get_visible_child_name (self->main_stack); }
gboolean vita_window_is_busy (VitaWindow *self) { return vita_session_is_busy (self->session); }
gboolean vita_window_is_loading_annotations (VitaWindow *self) { return vita_session_is_loading_annotations (self->session); }
const VitaProbeogram *vita_window_get_probeogram (VitaWindow *self) { return vita_session_get_probeogram (self->session); }
GtkWindow *vita_window_get_training_window (VitaWindow *self) { return self->training_window; }

const char *
vita_window_get_missing_banner (VitaWindow *self)
{
  return gtk_revealer_get_reveal_child (self->missing_banner)
         ? gtk_label_get_label (self->missing_banner_label) : NULL;
}

const char *
vita_window_get_warning_banner (VitaWindow *self)
{
  return gtk_revealer_get_reveal_child (self->warning_banner)
         ? gtk_label_get_label (self->warning_banner_label) : NULL;
}

int
vita_window_get_n_probe_lanes (VitaWindow *self)
{
  int n = 0;

  vita_session_get_probe_lanes (self->session, &n);
  return n;
}

const VitaProbeLane *
vita_window_get_probe_lane (VitaWindow *self, int i, double *score)
{
  int n = 0;
  VitaProbeLane *const *lanes = vita_session_get_probe_lanes (self->session, &n);

  if (i < 0 || i >= n)
    return NULL;
  if (score != NULL)
    *score = vita_probe_set_get_score (vita_session_get_probe_set (self->session), i);
  return lanes[i];
}
