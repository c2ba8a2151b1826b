/* vita-window-actions.c — the main window's actions (installed on the class, their
 * enabled state set in _vita_window_update_actions), key bindings, playback and the
 * file choosers for models, annotations and probes. */
#include "vita-config.h"
#include "vita-window-private.h"

#include <glib/gi18n.h>
#include <math.h>

#include "vita-click-track.h"
#include "vita-engine.h"
#include "vita-derived.h"
#include "vita-training-window.h"
#include "vita-views.h"

#define SEEK_STEP_SECONDS 5

static const double speeds[] = { 0.5, 0.75, 1.0, 1.25, 1.5, 2.0 };

static void on_follow_changed (VitaWindow *self);

static gint64
samples_to_ns (VitaWindow *self, gint64 samples)
{
  int rate = vita_timeline_get_sample_rate (vita_session_get_timeline (self->session));
  return rate > 0 ? (gint64) gst_util_uint64_scale_round (MAX (samples, 0), GST_SECOND, rate) : 0;
}

/* ------------------------------------------------------------------ onset clicks
 *
 * "Hear Attention Onsets": the received-attention curve of the shown layer and head
 * (the head average when head = -1, as the received panel draws it) is peak-picked
 * into onsets, and the player mixes a click at each (vita-click-track.h).  Frames
 * whose window is not analysed yet count as 0; recomputed as the analysis advances
 * and when the layer or head changes. */

/* Peak picking on the curve min-max scaled to [0, 1]: a peak must stand 0.05 above the
 * local mean (vita_peak_pick's ±3-frame windows) and come at least 3 frames
 * (~0.1 s at 31.25 frames/s) after the previous one. */
#define ONSET_CLICK_DELTA 0.05f
#define ONSET_CLICK_WAIT  3

void
_vita_window_update_onset_clicks (VitaWindow *self)
{
  VitaClickTrack *track = self->player != NULL ? vita_player_get_click_track (self->player) : NULL;
  VitaAnalysis *an = vita_session_get_analysis (self->session);
  VitaTimeline *tl = vita_session_get_timeline (self->session);

  if (track == NULL)
    return;
  if (!vita_session_get_onset_clicks (self->session) || an == NULL || an->received == NULL || an->n_frames < 1)
    {
      vita_click_track_set_enabled (track, FALSE);
      vita_click_track_set_times (track, NULL, 0);
      return;
    }
  int n_layers = 0, n_heads = 0, rate = 16000, hop = 512;
  vita_engine_model_describe (an->vit, &n_layers, &n_heads, &rate, &hop);
  int n = an->n_frames;
  int block = vita_paint_block_for_layer (an, vita_timeline_get_layer (tl));
  int head = vita_timeline_get_head (tl);
  g_autofree float *curve = g_new (float, n);
  /* The curve the received panel draws; model/vita-derived.h picks its peaks. */
  vita_received_curve (curve, an, block, head < an->cfg.heads ? head : -1, 0, n);
  g_autoptr(GArray) peaks = vita_onset_peaks (curve, (gsize) n, ONSET_CLICK_DELTA, ONSET_CLICK_WAIT);
  g_autofree double *times = g_new (double, MAX (peaks->len, 1));
  for (guint i = 0; i < peaks->len; i++)
    times[i] = (double) g_array_index (peaks, guint, i) * hop / rate;  /* token i at sample i*hop */
  vita_click_track_set_times (track, times, peaks->len);
  vita_click_track_set_enabled (track, TRUE);
}


/* ------------------------------------------------------------------ layers, heads */

/* A drop-down as wide as its widest item, whichever is chosen: the header bar's
 * controls keep their places. */
static void
fix_dropdown_width (GtkDropDown *dropdown, GPtrArray *labels)
{
  PangoLayout *layout = gtk_widget_create_pango_layout (GTK_WIDGET (dropdown), NULL);
  int widest = 0;

  for (guint i = 0; i < labels->len; i++)
    if (g_ptr_array_index (labels, i) != NULL)
      {
        int w;
        pango_layout_set_text (layout, g_ptr_array_index (labels, i), -1);
        pango_layout_get_pixel_size (layout, &w, NULL);
        widest = MAX (widest, w);
      }
  g_object_unref (layout);
  /* the label's padding and the arrow beside it */
  gtk_widget_set_size_request (GTK_WIDGET (dropdown), widest + 60, -1);
}

void
_vita_window_rebuild_layer_head_lists (VitaWindow *self)
{
  VitaTimeline *tl = vita_session_get_timeline (self->session);
  int n_layers = vita_timeline_get_n_layers (tl);
  int n_heads = vita_timeline_get_n_heads (tl);
  g_autoptr(GPtrArray) layers = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) heads = g_ptr_array_new_with_free_func (g_free);

  self->syncing = TRUE;
  if (n_layers == 0)
    g_ptr_array_add (layers, g_strdup (_("No Layers")));
  for (int l = 0; l < n_layers; l++)
    /* Token layer 0 is the input embedding, layer l ≥ 1 the output of block l
     * (attention: layers 1…L; heads 1…H). */
    g_ptr_array_add (layers, l == 0 ? g_strdup (_("Layer 0 (Input)"))
                                    : g_strdup_printf (_("Layer %d"), l));
  g_ptr_array_add (heads, g_strdup (n_heads == 0 ? _("No Heads") : _("Mean of Heads")));
  for (int h = 0; h < n_heads; h++)
    g_ptr_array_add (heads, g_strdup_printf (_("Head %d"), h + 1));
  fix_dropdown_width (self->layer_dropdown, layers);
  fix_dropdown_width (self->head_dropdown, heads);
  g_ptr_array_add (layers, NULL);
  g_ptr_array_add (heads, NULL);

  gtk_string_list_splice (self->layer_names, 0,
                          g_list_model_get_n_items (G_LIST_MODEL (self->layer_names)),
                          (const char * const *) layers->pdata);
  gtk_string_list_splice (self->head_names, 0,
                          g_list_model_get_n_items (G_LIST_MODEL (self->head_names)),
                          (const char * const *) heads->pdata);
  gtk_drop_down_set_selected (self->layer_dropdown, n_layers > 0 ? vita_timeline_get_layer (tl) : 0);
  gtk_drop_down_set_selected (self->head_dropdown, n_heads > 0 ? vita_timeline_get_head (tl) + 1 : 0);
  gtk_widget_set_sensitive (GTK_WIDGET (self->layer_dropdown), n_layers > 0);
  gtk_widget_set_sensitive (GTK_WIDGET (self->head_dropdown), n_heads > 0);
  self->syncing = FALSE;
  _vita_window_update_actions (self);
}

static void
on_timeline_layer_head (VitaWindow *self)
{
  VitaTimeline *tl = vita_session_get_timeline (self->session);

  if (self->syncing)
    return;
  self->syncing = TRUE;
  gtk_drop_down_set_selected (self->layer_dropdown, vita_timeline_get_layer (tl));
  gtk_drop_down_set_selected (self->head_dropdown, vita_timeline_get_head (tl) + 1);
  self->syncing = FALSE;
  _vita_window_panels_queue_draw (self);
}

static void
on_layer_selected (VitaWindow *self)
{
  guint selected = gtk_drop_down_get_selected (self->layer_dropdown);

  if (self->syncing || selected == GTK_INVALID_LIST_POSITION)
    return;
  vita_timeline_set_layer (vita_session_get_timeline (self->session), (int) selected);
}

static void
on_head_selected (VitaWindow *self)
{
  guint selected = gtk_drop_down_get_selected (self->head_dropdown);

  if (self->syncing || selected == GTK_INVALID_LIST_POSITION)
    return;
  vita_timeline_set_head (vita_session_get_timeline (self->session), (int) selected - 1);
}

/* ------------------------------------------------------------------ speed, loop */

static void
on_speed_selected (VitaWindow *self)
{
  guint selected = gtk_drop_down_get_selected (self->speed_dropdown);

  if (selected < G_N_ELEMENTS (speeds))
    vita_session_set_speed (self->session, speeds[selected]);
}

void
_vita_window_on_session_speed (VitaWindow *self)
{
  double speed = vita_session_get_speed (self->session);
  guint best = 0;

  for (guint i = 1; i < G_N_ELEMENTS (speeds); i++)
    if (fabs (speeds[i] - speed) < fabs (speeds[best] - speed))
      best = i;
  gtk_drop_down_set_selected (self->speed_dropdown, best);
  vita_player_set_rate (self->player, speed);
}

/* ------------------------------------------------------------------ models, annotations, probes */

void
vita_window_open_model (VitaWindow *self, GFile *file)
{
  g_autofree char *path = NULL;

  g_return_if_fail (VITA_IS_WINDOW (self));

  if (file != NULL)
    path = g_file_get_path (file);
  else
    {
      g_autofree char *setting = g_settings_get_string (self->settings, "default-model");
      path = *setting ? g_steal_pointer (&setting) : vita_engine_find_default_model ();
      if (path == NULL)
        return;
    }
  if (path == NULL)
    {
      vita_window_show_error (self, _("Models must be local files"));
      return;
    }
  vita_session_open_model (self->session, path);
}

/* Local paths of files (NULL-terminated); the others get a message. */
static GPtrArray *
local_paths (VitaWindow *self, GFile **files, int n_files)
{
  GPtrArray *paths = g_ptr_array_new_with_free_func (g_free);

  for (int i = 0; i < n_files; i++)
    {
      char *path = g_file_get_path (files[i]);
      if (path == NULL)
        {
          g_autofree char *name = g_file_get_parse_name (files[i]);
          g_autofree char *message = g_strdup_printf (_("Cannot open “%s”: %s"), name,
                                                      _("not a local file"));
          vita_window_show_error (self, message);
          continue;
        }
      g_ptr_array_add (paths, path);
    }
  g_ptr_array_add (paths, NULL);
  return paths;
}

void
vita_window_load_annotations (VitaWindow *self, GFile **files, int n_files)
{
  g_autoptr(GPtrArray) paths = NULL;

  g_return_if_fail (VITA_IS_WINDOW (self));
  paths = local_paths (self, files, n_files);
  vita_session_load_annotations (self->session, (const char *const *) paths->pdata);
}

void
vita_window_load_probes (VitaWindow *self, GFile **files, int n_files)
{
  g_autoptr(GPtrArray) paths = NULL;

  g_return_if_fail (VITA_IS_WINDOW (self));
  paths = local_paths (self, files, n_files);
  vita_session_load_probes (self->session, (const char *const *) paths->pdata);
}

static void
on_files_chosen (GtkNativeDialog *dialog, int response, gpointer user_data)
{
  VitaWindow *self = VITA_WINDOW (user_data);
  gboolean probes = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (dialog), "vita-probes"));

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GListModel) list = gtk_file_chooser_get_files (GTK_FILE_CHOOSER (dialog));
      guint n = g_list_model_get_n_items (list);
      g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func (g_object_unref);

      for (guint i = 0; i < n; i++)
        g_ptr_array_add (files, g_list_model_get_item (list, i));
      if (probes)
        vita_window_load_probes (self, (GFile **) files->pdata, (int) files->len);
      else
        vita_window_load_annotations (self, (GFile **) files->pdata, (int) files->len);
    }
  g_object_unref (dialog);
}

void
_vita_window_show_chooser (VitaWindow *self, GtkFileChooserNative *native, GtkFileFilter *filter,
              const char *key, gboolean flag, GCallback on_response)
{
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (native), filter);
  g_object_unref (filter);
  filter = gtk_file_filter_new ();
  gtk_file_filter_set_name (filter, _("All files"));
  gtk_file_filter_add_pattern (filter, "*");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (native), filter);
  g_object_unref (filter);
  g_object_set_data (G_OBJECT (native), key, GINT_TO_POINTER (flag));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (native), TRUE);
  g_signal_connect (native, "response", on_response, self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (native));
}

static void
run_multi_chooser (VitaWindow *self, gboolean probes)
{
  GtkFileChooserNative *native;
  GtkFileFilter *filter;

  native = gtk_file_chooser_native_new (probes ? _("Load Probes") : _("Load Annotations"),
                                        GTK_WINDOW (self), GTK_FILE_CHOOSER_ACTION_OPEN,
                                        _("_Open"), _("_Cancel"));
  gtk_file_chooser_set_select_multiple (GTK_FILE_CHOOSER (native), TRUE);
  filter = gtk_file_filter_new ();
  if (probes)
    {
      gtk_file_filter_set_name (filter, _("Probe files (*.safetensors)"));
      gtk_file_filter_add_pattern (filter, "*.safetensors");
    }
  else
    {
      gtk_file_filter_set_name (filter, _("Annotations (.lab, beats, onsets, key)"));
      gtk_file_filter_add_pattern (filter, "*.lab");
      gtk_file_filter_add_pattern (filter, "*.beats*");
      gtk_file_filter_add_pattern (filter, "*.onsets*");
      gtk_file_filter_add_pattern (filter, "*.key*");
      gtk_file_filter_add_pattern (filter, "*.txt");
    }
  _vita_window_show_chooser (self, native, filter, "vita-probes", probes, G_CALLBACK (on_files_chosen));
}

static void
action_load_annotations (GtkWidget *widget, const char *name, GVariant *param)
{
  run_multi_chooser (VITA_WINDOW (widget), FALSE);
}

static void
action_load_probe (GtkWidget *widget, const char *name, GVariant *param)
{
  run_multi_chooser (VITA_WINDOW (widget), TRUE);
}

/* ------------------------------------------------------------------ toggles */

static void
on_onset_clicks_changed (GSimpleAction *action, GVariant *state, gpointer user_data)
{
  vita_session_set_onset_clicks (VITA_WINDOW (user_data)->session, g_variant_get_boolean (state));
}

static void
on_rollout_changed (GSimpleAction *action, GVariant *state, gpointer user_data)
{
  vita_session_set_attention_mode (VITA_WINDOW (user_data)->session,
                                   g_variant_get_boolean (state) ? VITA_ATTENTION_ROLLOUT
                                                                 : VITA_ATTENTION_HEAD);
}

/* The stateful actions show the session's state, whoever changed it. */
static void
on_session_toggles (VitaWindow *self)
{
  GAction *rollout = g_action_map_lookup_action (G_ACTION_MAP (self), "rollout");
  GAction *clicks = g_action_map_lookup_action (G_ACTION_MAP (self), "onset-clicks");

  g_simple_action_set_state (G_SIMPLE_ACTION (rollout), g_variant_new_boolean (
      vita_session_get_attention_mode (self->session) == VITA_ATTENTION_ROLLOUT));
  g_simple_action_set_state (G_SIMPLE_ACTION (clicks), g_variant_new_boolean (
      vita_session_get_onset_clicks (self->session)));
  _vita_window_update_onset_clicks (self);
}

static void
on_colormap_setting (VitaWindow *self)
{
  g_autofree char *nick = g_settings_get_string (self->settings, "colormap");
  VitaColormap cmap = VITA_COLORMAP_VIRIDIS;

  vita_colormap_from_string (nick, &cmap);
  vita_session_set_colormap (self->session, cmap);
}

/* ------------------------------------------------------------------ open choosers */

static void
on_open_response (GtkNativeDialog *dialog, int response, gpointer user_data)
{
  VitaWindow *self = VITA_WINDOW (user_data);
  gboolean model = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (dialog), "vita-model"));

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      if (file != NULL && model)
        vita_window_open_model (self, file);
      else if (file != NULL)
        vita_window_open_file (self, file);   /* audio, or a session */
    }
  g_object_unref (dialog);
}

static void
run_file_chooser (VitaWindow *self, gboolean model)
{
  GtkFileChooserNative *native;
  GtkFileFilter *filter;

  /* GtkFileChooserNative, not GtkFileDialog: the app supports GTK 4.8. */
  native = gtk_file_chooser_native_new (model ? _("Open a Model") : _("Open Audio or a Session"),
                                        GTK_WINDOW (self), GTK_FILE_CHOOSER_ACTION_OPEN,
                                        _("_Open"), _("_Cancel"));
  filter = gtk_file_filter_new ();
  if (model)
    {
      gtk_file_filter_set_name (filter, _("ViT-1D models (*.safetensors)"));
      gtk_file_filter_add_pattern (filter, "*.safetensors");
    }
  else
    {
      gtk_file_filter_set_name (filter, _("Audio files and sessions"));
      gtk_file_filter_add_mime_type (filter, "audio/*");
      gtk_file_filter_add_pattern (filter, "*.vitascope");
    }
  _vita_window_show_chooser (self, native, filter, "vita-model", model, G_CALLBACK (on_open_response));
}

/* ------------------------------------------------------------------ actions */


static void
action_open (GtkWidget *widget, const char *name, GVariant *param)
{
  run_file_chooser (VITA_WINDOW (widget), FALSE);
}

static void
action_open_model (GtkWidget *widget, const char *name, GVariant *param)
{
  run_file_chooser (VITA_WINDOW (widget), TRUE);
}

static void
action_use_default_model (GtkWidget *widget, const char *name, GVariant *param)
{
  VitaWindow *self = VITA_WINDOW (widget);
  g_autofree char *path = vita_engine_find_default_model ();

  if (path == NULL)
    {
      vita_window_show_error (self, _("No default model is installed. Open a model file, "
                                      "or train one with “vitascope-cli train”."));
      return;
    }
  {
    g_autoptr(GFile) file = g_file_new_for_path (path);
    vita_window_open_model (self, file);
  }
}

static void
action_train_model (GtkWidget *widget, const char *name, GVariant *param)
{
  VitaWindow *self = VITA_WINDOW (widget);

  if (self->training_window == NULL)
    {
      self->training_window = GTK_WINDOW (vita_training_window_new (self->session));
      g_object_add_weak_pointer (G_OBJECT (self->training_window), (gpointer *) &self->training_window);
    }
  gtk_window_present (self->training_window);
}

static void
action_noop (GtkWidget *widget, const char *name, GVariant *param)
{
}

static void
action_play_pause (GtkWidget *widget, const char *name, GVariant *param)
{
  vita_player_toggle (VITA_WINDOW (widget)->player);
}

static void
action_seek (GtkWidget *widget, const char *name, GVariant *param)
{
  VitaWindow *self = VITA_WINDOW (widget);
  gint64 target = CLAMP (g_variant_get_int64 (param), 0, vita_timeline_get_n_samples (vita_session_get_timeline (self->session)));

  vita_player_seek (self->player, samples_to_ns (self, target));
  /* The player reports the target until the seek settles: the playhead moves now. */
  _vita_window_sync_position_from_player (self);
  if (!vita_player_get_playing (self->player))
    vita_timeline_set_position (vita_session_get_timeline (self->session), target);
  /* a jump: the analysis computes the windows around the new position next */
  vita_session_prioritise_position (self->session);
}

static void
seek_to (VitaWindow *self, gint64 target)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "win.seek", "x", target);
}

static void
action_seek_relative (GtkWidget *widget, const char *name, GVariant *param)
{
  VitaWindow *self = VITA_WINDOW (widget);
  gint64 delta = (gint64) g_variant_get_int32 (param) * vita_timeline_get_sample_rate (vita_session_get_timeline (self->session));

  seek_to (self, vita_timeline_get_position (vita_session_get_timeline (self->session)) + delta);
}

static void
action_go_start (GtkWidget *widget, const char *name, GVariant *param)
{
  VitaWindow *self = VITA_WINDOW (widget);
  gint64 start, end;

  vita_timeline_get_visible (vita_session_get_timeline (self->session), &start, &end);
  vita_timeline_set_visible (vita_session_get_timeline (self->session), 0, end - start);
  seek_to (self, 0);
}

static void
action_go_end (GtkWidget *widget, const char *name, GVariant *param)
{
  VitaWindow *self = VITA_WINDOW (widget);
  gint64 n = vita_timeline_get_n_samples (vita_session_get_timeline (self->session));
  gint64 start, end;

  vita_timeline_get_visible (vita_session_get_timeline (self->session), &start, &end);
  vita_timeline_set_visible (vita_session_get_timeline (self->session), n - (end - start), n);
  seek_to (self, n);
}

static void
action_loop (GtkWidget *widget, const char *name, GVariant *param)
{
  VitaWindow *self = VITA_WINDOW (widget);
  gint64 start, end;
  gboolean active = !vita_session_get_loop (self->session);

  vita_timeline_get_selection (vita_session_get_timeline (self->session), &start, &end);
  if (active && end <= start)
    {
      vita_window_show_error (self, _("Select a region first: drag across a panel, then loop it"));
      active = FALSE;
    }
  vita_session_set_loop (self->session, active);
  _vita_window_update_loop (self);   /* the toggle button flipped itself: set it back */
}

static void
action_zoom (GtkWidget *widget, const char *name, GVariant *param)
{
  VitaWindow *self = VITA_WINDOW (widget);

  VitaTimeline *tl = vita_session_get_timeline (self->session);
  gint64 start, end;

  if (g_str_equal (name, "win.zoom-all"))
    vita_timeline_set_visible (vita_session_get_timeline (self->session), 0, vita_timeline_get_n_samples (vita_session_get_timeline (self->session)));
  else if (g_str_equal (name, "win.zoom-selection"))
    {
      vita_timeline_get_selection (tl, &start, &end);
      if (end > start)
        vita_timeline_set_visible (tl, start, end);
      else
        vita_window_show_error (self, _("Select a region first: drag across a panel, then zoom to it"));
    }
  else
    vita_timeline_zoom (vita_session_get_timeline (self->session), g_str_equal (name, "win.zoom-in") ? 1.5 : 1 / 1.5,
                        vita_timeline_get_position (vita_session_get_timeline (self->session)));
}

static void
action_clear_selection (GtkWidget *widget, const char *name, GVariant *param)
{
  VitaWindow *self = VITA_WINDOW (widget);

  vita_timeline_set_selection (vita_session_get_timeline (self->session), 0, 0);
}

static void
action_speed (GtkWidget *widget, const char *name, GVariant *param)
{
  VitaWindow *self = VITA_WINDOW (widget);
  int selected = (int) gtk_drop_down_get_selected (self->speed_dropdown);

  selected += g_str_equal (name, "win.speed-up") ? 1 : -1;
  selected = CLAMP (selected, 0, (int) G_N_ELEMENTS (speeds) - 1);
  gtk_drop_down_set_selected (self->speed_dropdown, selected);
}

static void
action_layer_head (GtkWidget *widget, const char *name, GVariant *param)
{
  VitaWindow *self = VITA_WINDOW (widget);
  VitaTimeline *tl = vita_session_get_timeline (self->session);

  if (g_str_equal (name, "win.layer-next"))
    vita_timeline_set_layer (tl, vita_timeline_get_layer (tl) + 1);
  else if (g_str_equal (name, "win.layer-previous"))
    vita_timeline_set_layer (tl, vita_timeline_get_layer (tl) - 1);
  else if (g_str_equal (name, "win.head-next"))
    vita_timeline_set_head (tl, vita_timeline_get_head (tl) + 1);
  else if (g_str_equal (name, "win.head-previous"))
    vita_timeline_set_head (tl, vita_timeline_get_head (tl) - 1);
  else
    vita_timeline_set_head (tl, -1);
}

static void
on_follow_changed (VitaWindow *self)
{
  g_autofree char *nick = g_settings_get_string (self->settings, "follow");
  VitaFollowMode mode = g_str_equal (nick, "continuous") ? VITA_FOLLOW_CONTINUOUS
                      : g_str_equal (nick, "off") ? VITA_FOLLOW_OFF : VITA_FOLLOW_PAGE;

  vita_timeline_set_follow (vita_session_get_timeline (self->session), mode);
}

/* Keys without modifiers (space, arrows, +/-, Home/End) work wherever the focus is,
 * except in text entries and open popovers/menus, which need them. */
typedef struct {
  guint            keyval;
  GdkModifierType  mods;
  const char      *action;
  const char      *format;   /* parameter: NULL or "i" with value */
  int              value;
} KeyBinding;

static const KeyBinding key_bindings[] = {
  { GDK_KEY_space,        0,               "win.play-pause",     NULL, 0 },
  { GDK_KEY_Up,           0,               "win.layer-previous", NULL, 0 },
  { GDK_KEY_Down,         0,               "win.layer-next",     NULL, 0 },
  { GDK_KEY_Left,         0,               "win.head-previous",  NULL, 0 },
  { GDK_KEY_Right,        0,               "win.head-next",      NULL, 0 },
  /* side B's own layer / head, when A and B differ in depth or heads */
  { GDK_KEY_Up,           GDK_ALT_MASK,    "win.layer-b-previous", NULL, 0 },
  { GDK_KEY_Down,         GDK_ALT_MASK,    "win.layer-b-next",   NULL, 0 },
  { GDK_KEY_Left,         GDK_ALT_MASK,    "win.head-b-previous", NULL, 0 },
  { GDK_KEY_Right,        GDK_ALT_MASK,    "win.head-b-next",    NULL, 0 },
  { GDK_KEY_Left,         GDK_SHIFT_MASK,  "win.seek-relative",  "i", -SEEK_STEP_SECONDS },
  { GDK_KEY_Right,        GDK_SHIFT_MASK,  "win.seek-relative",  "i", SEEK_STEP_SECONDS },
  { GDK_KEY_a,            0,               "win.head-average",   NULL, 0 },
  { GDK_KEY_plus,         0,               "win.zoom-in",        NULL, 0 },
  { GDK_KEY_plus,         GDK_SHIFT_MASK,  "win.zoom-in",        NULL, 0 },
  { GDK_KEY_equal,        0,               "win.zoom-in",        NULL, 0 },
  { GDK_KEY_KP_Add,       0,               "win.zoom-in",        NULL, 0 },
  { GDK_KEY_minus,        0,               "win.zoom-out",       NULL, 0 },
  { GDK_KEY_KP_Subtract,  0,               "win.zoom-out",       NULL, 0 },
  { GDK_KEY_0,            0,               "win.zoom-all",       NULL, 0 },
  { GDK_KEY_z,            0,               "win.zoom-selection", NULL, 0 },
  { GDK_KEY_Escape,       0,               "win.clear-selection", NULL, 0 },
  { GDK_KEY_Home,         0,               "win.go-start",       NULL, 0 },
  { GDK_KEY_End,          0,               "win.go-end",         NULL, 0 },
  { GDK_KEY_l,            0,               "win.loop",           NULL, 0 },
  { GDK_KEY_c,            0,               "win.onset-clicks",   NULL, 0 },
  { GDK_KEY_bracketleft,  0,               "win.speed-down",     NULL, 0 },
  { GDK_KEY_bracketright, 0,               "win.speed-up",       NULL, 0 },
};

static gboolean
on_key_pressed (GtkEventControllerKey *controller, guint keyval, guint keycode,
                GdkModifierType state, gpointer user_data)
{
  VitaWindow *self = VITA_WINDOW (user_data);
  GtkWidget *focus = gtk_root_get_focus (GTK_ROOT (self));
  GdkModifierType mods = state & (GDK_SHIFT_MASK | GDK_CONTROL_MASK | GDK_ALT_MASK | GDK_SUPER_MASK);

  if (focus != NULL && (GTK_IS_EDITABLE (focus) || GTK_IS_TEXT (focus) ||
                        gtk_widget_get_ancestor (focus, GTK_TYPE_POPOVER) != NULL))
    return GDK_EVENT_PROPAGATE;
  /* In a presentation, or while a view shows, Escape first leaves it
   * (vita-window-teach.c's keys); then it clears the selection. */
  if (keyval == GDK_KEY_Escape && mods == 0 && (vita_window_is_presenting (self) || self->in_view))
    return GDK_EVENT_PROPAGATE;
  for (gsize i = 0; i < G_N_ELEMENTS (key_bindings); i++)
    {
      const KeyBinding *b = &key_bindings[i];
      if (b->keyval != keyval || b->mods != mods)
        continue;
      if (b->format != NULL)
        gtk_widget_activate_action (GTK_WIDGET (self), b->action, b->format, b->value);
      else
        gtk_widget_activate_action (GTK_WIDGET (self), b->action, NULL);
      return GDK_EVENT_STOP;
    }
  return GDK_EVENT_PROPAGATE;
}

/* ------------------------------------------------------------------ set-up */

void
_vita_window_actions_class_init (GtkWidgetClass *widget_class)
{
  gtk_widget_class_install_action (widget_class, "win.open", NULL, action_open);
  gtk_widget_class_install_action (widget_class, "win.open-model", NULL, action_open_model);
  gtk_widget_class_install_action (widget_class, "win.train-model", NULL, action_train_model);
  gtk_widget_class_install_action (widget_class, "win.use-default-model", NULL, action_use_default_model);
  gtk_widget_class_install_action (widget_class, "win.load-annotations", NULL, action_load_annotations);
  gtk_widget_class_install_action (widget_class, "win.load-probe", NULL, action_load_probe);
  gtk_widget_class_install_action (widget_class, "win.none", NULL, action_noop);
  gtk_widget_class_install_action (widget_class, "win.play-pause", NULL, action_play_pause);
  gtk_widget_class_install_action (widget_class, "win.seek", "x", action_seek);
  gtk_widget_class_install_action (widget_class, "win.seek-relative", "i", action_seek_relative);
  gtk_widget_class_install_action (widget_class, "win.go-start", NULL, action_go_start);
  gtk_widget_class_install_action (widget_class, "win.go-end", NULL, action_go_end);
  gtk_widget_class_install_action (widget_class, "win.loop", NULL, action_loop);
  gtk_widget_class_install_action (widget_class, "win.zoom-in", NULL, action_zoom);
  gtk_widget_class_install_action (widget_class, "win.zoom-out", NULL, action_zoom);
  gtk_widget_class_install_action (widget_class, "win.zoom-all", NULL, action_zoom);
  gtk_widget_class_install_action (widget_class, "win.zoom-selection", NULL, action_zoom);
  gtk_widget_class_install_action (widget_class, "win.clear-selection", NULL, action_clear_selection);
  gtk_widget_class_install_action (widget_class, "win.speed-up", NULL, action_speed);
  gtk_widget_class_install_action (widget_class, "win.speed-down", NULL, action_speed);
  gtk_widget_class_install_action (widget_class, "win.layer-next", NULL, action_layer_head);
  gtk_widget_class_install_action (widget_class, "win.layer-previous", NULL, action_layer_head);
  gtk_widget_class_install_action (widget_class, "win.head-next", NULL, action_layer_head);
  gtk_widget_class_install_action (widget_class, "win.head-previous", NULL, action_layer_head);
  gtk_widget_class_install_action (widget_class, "win.head-average", NULL, action_layer_head);
}

void
_vita_window_actions_init (VitaWindow *self)
{
  GtkEventController *keys;
  VitaTimeline *tl = vita_session_get_timeline (self->session);
  g_autoptr(GAction) follow = g_settings_create_action (self->settings, "follow");
  g_autoptr(GSimpleAction) rollout = g_simple_action_new_stateful ("rollout", NULL,
                                                                    g_variant_new_boolean (FALSE));
  g_autoptr(GSimpleAction) clicks = g_simple_action_new_stateful ("onset-clicks", NULL,
                                                                   g_variant_new_boolean (FALSE));

  g_action_map_add_action (G_ACTION_MAP (self), follow);
  g_signal_connect (rollout, "change-state", G_CALLBACK (on_rollout_changed), self);
  g_action_map_add_action (G_ACTION_MAP (self), G_ACTION (rollout));
  g_signal_connect (clicks, "change-state", G_CALLBACK (on_onset_clicks_changed), self);
  g_action_map_add_action (G_ACTION_MAP (self), G_ACTION (clicks));
  g_signal_group_connect_swapped (self->session_signals, "notify::attention-mode",
                                  G_CALLBACK (on_session_toggles), self);
  g_signal_group_connect_swapped (self->session_signals, "notify::onset-clicks",
                                  G_CALLBACK (on_session_toggles), self);
  g_signal_group_connect_swapped (self->session_signals, "notify::analysis",
                                  G_CALLBACK (_vita_window_update_onset_clicks), self);
  g_signal_group_connect_swapped (self->session_signals, "analysis-updated",
                                  G_CALLBACK (_vita_window_update_onset_clicks), self);
  g_signal_connect_swapped (tl, "notify::layer", G_CALLBACK (_vita_window_update_onset_clicks), self);
  g_signal_connect_swapped (tl, "notify::head", G_CALLBACK (_vita_window_update_onset_clicks), self);

  g_signal_connect_swapped (self->speed_dropdown, "notify::selected", G_CALLBACK (on_speed_selected), self);
  g_signal_connect_swapped (self->layer_dropdown, "notify::selected", G_CALLBACK (on_layer_selected), self);
  g_signal_connect_swapped (self->head_dropdown, "notify::selected", G_CALLBACK (on_head_selected), self);
  g_signal_connect_swapped (tl, "notify::layer", G_CALLBACK (on_timeline_layer_head), self);
  g_signal_connect_swapped (tl, "notify::head", G_CALLBACK (on_timeline_layer_head), self);
  g_signal_connect_swapped (tl, "notify::n-layers", G_CALLBACK (_vita_window_rebuild_layer_head_lists), self);
  g_signal_connect_swapped (tl, "notify::n-heads", G_CALLBACK (_vita_window_rebuild_layer_head_lists), self);

  g_signal_connect_swapped (self->settings, "changed::follow", G_CALLBACK (on_follow_changed), self);
  on_follow_changed (self);
  g_signal_connect_swapped (self->settings, "changed::colormap", G_CALLBACK (on_colormap_setting), self);
  on_colormap_setting (self);

  keys = gtk_event_controller_key_new ();
  gtk_event_controller_set_propagation_phase (keys, GTK_PHASE_CAPTURE);
  g_signal_connect (keys, "key-pressed", G_CALLBACK (on_key_pressed), self);
  gtk_widget_add_controller (GTK_WIDGET (self), keys);
}
