/* vita-window.c — the main window (see vita-window.h).
 *
 * Data flow (architecture.md): the player's pipeline position is read on the frame
 * clock (tick callback) and written to the timeline; views observe the timeline;
 * a click on a view activates "win.seek" with a sample target, which goes to the
 * player — never from a position notification.
 */
#include "vita-config.h"
#include "vita-window.h"

#include <glib/gi18n.h>
#include <math.h>
#include <string.h>

#include "vita-analysis-job.h"
#include "vita-click-track.h"
#include "vita-derived.h"
#include "vita-probe-set.h"
#include "vita-engine.h"
#include "vita-gst-decode.h"
#include "vita-training-window.h"
#include "vita-views.h"

#define SEEK_STEP_SECONDS 5

static const double speeds[] = { 0.5, 0.75, 1.0, 1.25, 1.5, 2.0 };
#define SPEED_NORMAL 2

struct _VitaWindow
{
  AdwApplicationWindow  parent_instance;

  /* template widgets */
  AdwToastOverlay      *toast_overlay;
  GtkWidget            *content_box;
  AdwSplitButton       *open_button;
  GtkButton            *play_button;
  GtkToggleButton      *loop_button;
  GtkLabel             *position_label;
  AdwWindowTitle       *window_title;
  GtkDropDown          *head_dropdown;
  GtkDropDown          *layer_dropdown;
  GtkDropDown          *speed_dropdown;
  GtkRevealer          *progress_revealer;
  GtkLabel             *progress_label;
  GtkProgressBar       *progress_bar;
  GtkRevealer          *model_banner;
  GtkLabel             *model_banner_label;
  GtkStack             *main_stack;
  GtkBox               *panels_box;
  GMenu                *recent_menu;

  /* owned */
  GSettings            *settings;
  VitaTimeline         *timeline;
  VitaPlayer           *player;
  VitaAnalysisJob      *job;
  VitaVit              *vit;
  char                 *audio_path;
  char                 *model_path;
  char                 *last_error;
  char                 *pending_model_path;
  char                 *live_label;        /* "training run, step N" while a live model shows */
  GtkWindow            *training_window;   /* weak pointer */
  GCancellable         *model_cancellable;
  GtkStringList        *layer_names;
  GtkStringList        *head_names;
  VitaPeaks            *peaks;             /* waveform envelope of the decoded PCM */
  VitaAnalysis         *analysis;          /* ref; filled progressively by the job */
  VitaAnalysisSource   *analysis_source;   /* what every panel draws from */
  GtkWidget            *panels[VITA_MAX_PANELS]; /* VitaPanelView widgets, owned by panels_box */
  GPtrArray            *model_cards;       /* cards of panels that need a model (borrowed) */
  GtkWidget            *no_model_page;     /* shown in their place without a model */
  VitaProbeSet         *probe_set;         /* annotations + probes → probe lanes */
  GCancellable         *ann_cancellable;   /* annotation parsing on a worker */
  guint                 ann_pending;       /* annotation loads in flight */
  VitaProbeogram       *probeogram;        /* the probes' task at every layer, or NULL */
  GtkWidget            *probeogram_card;   /* shown while there is a probe-o-gram */
  GtkWidget            *probes_subtitle;   /* probe panel subtitle: key annotation/prediction */

  /* borrowed */
  GtkRecentManager     *recent;

  guint                 tick_id;
  guint                 views_update_id;   /* throttles vita_analysis_source_update */
  guint                 n_errors;
  gboolean              syncing;           /* guards dropdown <-> timeline echo */
  gboolean              model_loading;
  gboolean              rollout;
  gboolean              onset_clicks;      /* "win.onset-clicks": clicks mixed into playback */
  gboolean              job_done;          /* "finished" delivered for self->job */           /* attention rollout instead of one head */
  double                drag_start_x;
};

G_DEFINE_FINAL_TYPE (VitaWindow, vita_window, ADW_TYPE_APPLICATION_WINDOW)

static void update_onset_clicks (VitaWindow *self);

static void update_actions (VitaWindow *self);
static void update_loop (VitaWindow *self);
static void restart_analysis (VitaWindow *self);
static void update_probe_lanes (VitaWindow *self);
static void load_annotations_beside (VitaWindow *self);

/* ------------------------------------------------------------------ helpers */

static gint64
samples_to_ns (VitaWindow *self, gint64 samples)
{
  int rate = vita_timeline_get_sample_rate (self->timeline);
  return rate > 0 ? (gint64) gst_util_uint64_scale_round (MAX (samples, 0), GST_SECOND, rate) : 0;
}

static gint64
ns_to_samples (VitaWindow *self, gint64 ns)
{
  int rate = vita_timeline_get_sample_rate (self->timeline);
  return (gint64) gst_util_uint64_scale_round (MAX (ns, 0), rate, GST_SECOND);
}

static char *
format_time (double seconds)
{
  int minutes;

  if (!(seconds >= 0))
    seconds = 0;
  minutes = (int) (seconds / 60);
  /* Tenths: the label changes (and the header bar is re-measured) ten times a
   * second while playing, not at every frame. */
  return g_strdup_printf ("%d:%04.1f", minutes, floor ((seconds - 60.0 * minutes) * 10) / 10);
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
  toast = adw_toast_new (message);
  adw_toast_set_timeout (toast, 6);
  adw_toast_set_priority (toast, ADW_TOAST_PRIORITY_HIGH);
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

static void
queue_panels_draw (VitaWindow *self)
{
  for (int i = 0; i < VITA_N_PANELS; i++)
    if (self->panels[i] != NULL)
      gtk_widget_queue_draw (self->panels[i]);
}

/* Hands the peaks to every panel and the analysis (either may be NULL) to the
 * source they observe. */
static void
update_panel_sources (VitaWindow *self)
{
  for (int i = 0; i < VITA_N_PANELS; i++)
    if (self->panels[i] != NULL)
      vita_panel_view_set_peaks (VITA_PANEL_VIEW (self->panels[i]), self->peaks);
  vita_analysis_source_set_analysis (self->analysis_source, self->analysis);
}

static void
on_colormap_changed (VitaWindow *self)
{
  g_autofree char *nick = g_settings_get_string (self->settings, "colormap");
  VitaColormap cmap = VITA_COLORMAP_VIRIDIS;

  vita_colormap_from_string (nick, &cmap);
  for (int i = 0; i < VITA_N_PANELS; i++)
    if (self->panels[i] != NULL)
      vita_panel_view_set_colormap (VITA_PANEL_VIEW (self->panels[i]), cmap);
}

/* ------------------------------------------------------------------ position */

static void
update_position_label (VitaWindow *self)
{
  gint64 position = vita_timeline_get_position (self->timeline);
  gint64 duration_ns = vita_player_get_duration (self->player);
  g_autofree char *now = format_time (vita_timeline_sample_to_seconds (self->timeline, position));
  g_autofree char *total = format_time (duration_ns > 0 ? duration_ns / (double) GST_SECOND
                                        : vita_timeline_sample_to_seconds (self->timeline,
                                              vita_timeline_get_n_samples (self->timeline)));
  g_autofree char *text = g_strdup_printf ("%s / %s", now, total);

  if (g_strcmp0 (text, gtk_label_get_label (self->position_label)) != 0)
    gtk_label_set_label (self->position_label, text);
}

static void
sync_position_from_player (VitaWindow *self)
{
  gint64 ns;

  if (!vita_player_get_position (self->player, &ns))
    return;
  /* The timeline scrolls the view itself (its follow mode). */
  vita_timeline_set_position (self->timeline, ns_to_samples (self, ns));
}

static gboolean
on_tick (GtkWidget *widget, GdkFrameClock *clock, gpointer user_data)
{
  VitaWindow *self = VITA_WINDOW (widget);

  sync_position_from_player (self);
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

  vita_timeline_set_playing (self->timeline, playing);
  gtk_button_set_icon_name (self->play_button,
                            playing ? "media-playback-pause-symbolic" : "media-playback-start-symbolic");
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->play_button),
                               playing ? _("Pause (Space)") : _("Play (Space)"));
  if (playing && self->tick_id == 0)
    self->tick_id = gtk_widget_add_tick_callback (GTK_WIDGET (self), on_tick, NULL, NULL);
  sync_position_from_player (self);
}

static void
on_player_error (VitaWindow *self, GError *error)
{
  vita_window_show_error (self, error->message);
  update_actions (self);
}

static void
configure_timeline (VitaWindow *self, gint64 n_samples)
{
  int n_layers = 0, n_heads = 0, rate = 16000, hop = 512;

  if (self->vit != NULL)
    vita_engine_model_describe (self->vit, &n_layers, &n_heads, &rate, &hop);
  vita_timeline_configure (self->timeline, rate, hop, n_samples, n_layers, n_heads);
}

static void
on_player_duration (VitaWindow *self)
{
  gint64 duration = vita_player_get_duration (self->player);

  /* The decoded PCM gives the exact length later; until then, the pipeline's. */
  if (duration > 0 && (self->job == NULL || vita_analysis_job_get_pcm (self->job) == NULL))
    {
      gint64 position = vita_timeline_get_position (self->timeline);
      int rate = 16000, hop = 512, n_layers = 0, n_heads = 0;
      if (self->vit != NULL)
        vita_engine_model_describe (self->vit, &n_layers, &n_heads, &rate, &hop);
      configure_timeline (self, (gint64) gst_util_uint64_scale_round (duration, rate, GST_SECOND));
      vita_timeline_set_position (self->timeline, position);
    }
  update_position_label (self);
  update_actions (self);
}

/* ------------------------------------------------------------------ model UI */

static void
rebuild_layer_head_lists (VitaWindow *self)
{
  int n_layers = vita_timeline_get_n_layers (self->timeline);
  int n_heads = vita_timeline_get_n_heads (self->timeline);
  g_autoptr(GPtrArray) layers = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) heads = g_ptr_array_new_with_free_func (g_free);

  self->syncing = TRUE;
  if (n_layers == 0)
    g_ptr_array_add (layers, g_strdup (_("No Layers")));
  for (int l = 0; l < n_layers; l++)
    /* Token layer 0 is the embedded input; l ≥ 1 the output of block l. */
    g_ptr_array_add (layers, l == 0 ? g_strdup (_("Input Tokens"))
                                    : g_strdup_printf (_("Layer %d"), l));
  if (n_heads == 0)
    g_ptr_array_add (heads, g_strdup (_("No Heads")));
  else
    g_ptr_array_add (heads, g_strdup (_("Mean of Heads")));
  for (int h = 0; h < n_heads; h++)
    g_ptr_array_add (heads, g_strdup_printf (_("Head %d"), h + 1));
  g_ptr_array_add (layers, NULL);
  g_ptr_array_add (heads, NULL);

  gtk_string_list_splice (self->layer_names, 0,
                          g_list_model_get_n_items (G_LIST_MODEL (self->layer_names)),
                          (const char * const *) layers->pdata);
  gtk_string_list_splice (self->head_names, 0,
                          g_list_model_get_n_items (G_LIST_MODEL (self->head_names)),
                          (const char * const *) heads->pdata);
  gtk_drop_down_set_selected (self->layer_dropdown,
                              n_layers > 0 ? vita_timeline_get_layer (self->timeline) : 0);
  gtk_drop_down_set_selected (self->head_dropdown,
                              n_heads > 0 ? vita_timeline_get_head (self->timeline) + 1 : 0);
  gtk_widget_set_sensitive (GTK_WIDGET (self->layer_dropdown), n_layers > 0);
  gtk_widget_set_sensitive (GTK_WIDGET (self->head_dropdown), n_heads > 0);
  self->syncing = FALSE;
  update_actions (self);
}

static void
on_timeline_layer_head (VitaWindow *self)
{
  if (self->syncing)
    return;
  self->syncing = TRUE;
  gtk_drop_down_set_selected (self->layer_dropdown, vita_timeline_get_layer (self->timeline));
  gtk_drop_down_set_selected (self->head_dropdown, vita_timeline_get_head (self->timeline) + 1);
  self->syncing = FALSE;
  queue_panels_draw (self);
}

static void
on_layer_selected (VitaWindow *self)
{
  guint selected = gtk_drop_down_get_selected (self->layer_dropdown);

  if (self->syncing || selected == GTK_INVALID_LIST_POSITION)
    return;
  vita_timeline_set_layer (self->timeline, (int) selected);
}

static void
on_head_selected (VitaWindow *self)
{
  guint selected = gtk_drop_down_get_selected (self->head_dropdown);

  if (self->syncing || selected == GTK_INVALID_LIST_POSITION)
    return;
  vita_timeline_set_head (self->timeline, (int) selected - 1);
}

static void
on_speed_selected (VitaWindow *self)
{
  guint selected = gtk_drop_down_get_selected (self->speed_dropdown);

  if (selected < G_N_ELEMENTS (speeds))
    vita_player_set_rate (self->player, speeds[selected]);
}

static void
update_model_banner (VitaWindow *self)
{
  const char *text = NULL;

  for (guint i = 0; self->model_cards != NULL && i < self->model_cards->len; i++)
    gtk_widget_set_visible (g_ptr_array_index (self->model_cards, i), self->vit != NULL);
  if (self->no_model_page != NULL)
    gtk_widget_set_visible (self->no_model_page, self->vit == NULL && !self->model_loading);

  if (self->model_loading)
    text = NULL;
  else if (self->vit == NULL && self->audio_path == NULL)
    /* With audio open, the "No Model" page among the panels says it. */
    text = _("No model loaded. Open a ViT-1D model file (.safetensors), "
             "or train one with “vitascope-cli train FOLDER”.");
  if (text != NULL)
    gtk_label_set_label (self->model_banner_label, text);
  gtk_revealer_set_reveal_child (self->model_banner, text != NULL);
}

static void
update_title (VitaWindow *self)
{
  g_autofree char *title = self->audio_path ? g_path_get_basename (self->audio_path) : NULL;
  g_autofree char *model = self->model_path ? g_path_get_basename (self->model_path) : NULL;
  g_autofree char *subtitle = NULL;

  if (self->live_label != NULL)
    subtitle = g_strdup (self->live_label);
  else if (model != NULL)
    /* Translators: window subtitle, %s is the model's file name. */
    subtitle = g_strdup_printf (_("Model: %s"), model);
  else
    subtitle = g_strdup (_("No model"));
  adw_window_title_set_title (self->window_title, title ? title : _("Vitascope"));
  adw_window_title_set_subtitle (self->window_title, self->audio_path ? subtitle : "");
  gtk_window_set_title (GTK_WINDOW (self), title ? title : _("Vitascope"));
}

static void
on_model_loaded (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(VitaWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  VitaVit *vit = vita_engine_load_model_finish (result, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self->model_loading = FALSE;
  if (vit == NULL)
    {
      vita_window_show_error (self, error->message);
    }
  else
    {
      gint64 position = vita_timeline_get_position (self->timeline);
      vita_engine_model_unref (self->vit);
      self->vit = vit;
      g_clear_pointer (&self->live_label, g_free);
      g_free (self->model_path);
      self->model_path = g_strdup (vit->path ? vit->path : self->pending_model_path);
      configure_timeline (self, vita_timeline_get_n_samples (self->timeline));
      vita_timeline_set_position (self->timeline, position);
      rebuild_layer_head_lists (self);
      restart_analysis (self);
    }
  update_model_banner (self);
  update_title (self);
  update_actions (self);
}

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
        {
          update_model_banner (self);
          return;
        }
    }
  if (path == NULL)
    {
      vita_window_show_error (self, _("Models must be local files"));
      return;
    }

  g_cancellable_cancel (self->model_cancellable);
  g_clear_object (&self->model_cancellable);
  self->model_cancellable = g_cancellable_new ();
  self->model_loading = TRUE;
  g_free (self->pending_model_path);
  self->pending_model_path = g_strdup (path);
  update_model_banner (self);
  vita_engine_load_model_async (path, self->model_cancellable, on_model_loaded, g_object_ref (self));
}

void
vita_window_set_live_model (VitaWindow *self, VitaVit *vit, const char *label)
{
  g_return_if_fail (VITA_IS_WINDOW (self));
  g_return_if_fail (vit != NULL);

  /* a file being loaded would replace the live model later: cancel it */
  if (self->model_cancellable != NULL)
    g_cancellable_cancel (self->model_cancellable);
  g_clear_object (&self->model_cancellable);
  self->model_loading = FALSE;

  gint64 position = vita_timeline_get_position (self->timeline);
  VitaVit *old = self->vit;
  self->vit = vita_engine_model_ref (vit);
  vita_engine_model_unref (old);
  g_free (self->live_label);
  self->live_label = g_strdup (label);
  g_clear_pointer (&self->model_path, g_free);
  configure_timeline (self, vita_timeline_get_n_samples (self->timeline));
  vita_timeline_set_position (self->timeline, position);
  rebuild_layer_head_lists (self);
  if (self->audio_path != NULL)
    restart_analysis (self);
  update_model_banner (self);
  update_title (self);
  update_actions (self);
}

const char *
vita_window_get_model_label (VitaWindow *self)
{
  g_return_val_if_fail (VITA_IS_WINDOW (self), NULL);
  return self->live_label;
}

/* ------------------------------------------------------------------ analysis */

static void
stop_job (VitaWindow *self, gboolean join)
{
  if (self->job == NULL)
    return;
  g_signal_handlers_disconnect_by_data (self->job, self);
  g_clear_handle_id (&self->views_update_id, g_source_remove);
  vita_analysis_job_cancel (self->job);
  if (join)
    vita_analysis_job_join (self->job);
  g_clear_object (&self->job);
  g_clear_pointer (&self->analysis, vita_analysis_unref);
  g_clear_pointer (&self->peaks, vita_peaks_unref);
  update_onset_clicks (self);
  update_panel_sources (self);
  gtk_revealer_set_reveal_child (self->progress_revealer, FALSE);
}

static void
on_job_decoded (VitaWindow *self, VitaAnalysisJob *job)
{
  const VitaPcm *pcm = vita_analysis_job_get_pcm (job);
  gint64 position = vita_timeline_get_position (self->timeline);
  gint64 start, end;

  vita_timeline_get_visible (self->timeline, &start, &end);
  configure_timeline (self, (gint64) pcm->n_samples);
  vita_timeline_set_position (self->timeline, position);
  if (end > start)
    vita_timeline_set_visible (self->timeline, start, end);
  g_clear_pointer (&self->peaks, vita_peaks_unref);
  self->peaks = vita_peaks_ref (vita_analysis_job_get_peaks (job));
  update_panel_sources (self);
  gtk_label_set_label (self->progress_label, self->vit ? _("Analysing…") : _("Decoded"));
  queue_panels_draw (self);
}

static void
on_job_started (VitaWindow *self, VitaAnalysisJob *job)
{
  VitaAnalysis *an = vita_analysis_job_get_analysis (job);

  gtk_progress_bar_set_fraction (self->progress_bar, 0);
  gtk_label_set_label (self->progress_label, _("Analysing windows near the playhead first…"));
  g_clear_pointer (&self->analysis, vita_analysis_unref);
  self->analysis = vita_analysis_ref (an);
  update_onset_clicks (self);
  update_panel_sources (self);
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

static void
update_onset_clicks (VitaWindow *self)
{
  VitaClickTrack *track = self->player != NULL ? vita_player_get_click_track (self->player) : NULL;
  VitaAnalysis *an = self->analysis;

  if (track == NULL)
    return;
  if (!self->onset_clicks || an == NULL || an->received == NULL || an->n_frames < 1)
    {
      vita_click_track_set_enabled (track, FALSE);
      vita_click_track_set_times (track, NULL, 0);
      return;
    }
  int n_layers = 0, n_heads = 0, rate = 16000, hop = 512;
  vita_engine_model_describe (an->vit, &n_layers, &n_heads, &rate, &hop);
  int n = an->n_frames;
  int block = vita_paint_block_for_layer (an, vita_timeline_get_layer (self->timeline));
  int head = vita_timeline_get_head (self->timeline);
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

static gboolean
views_update_cb (gpointer user_data)
{
  VitaWindow *self = VITA_WINDOW (user_data);

  self->views_update_id = 0;
  vita_analysis_source_update (self->analysis_source);
  update_onset_clicks (self);
  return G_SOURCE_REMOVE;
}

static void
on_job_progress (VitaWindow *self, int done, int total, VitaAnalysisJob *job)
{
  g_autofree char *text = NULL;

  gtk_progress_bar_set_fraction (self->progress_bar, total > 0 ? (double) done / total : 0);
  /* Translators: progress of the analysis, in windows of the track. */
  text = g_strdup_printf (_("Analysing: %d of %d windows"), done, total);
  gtk_label_set_label (self->progress_label, text);
  /* Views rebuild their heatmaps when told the analysis changed: at most twice a
   * second, so the main loop keeps its frames while the worker runs. */
  if (self->views_update_id == 0)
    self->views_update_id = g_timeout_add (500, views_update_cb, self);
}

static void
on_job_finished (VitaWindow *self, GError *error, VitaAnalysisJob *job)
{
  self->job_done = TRUE;
  gtk_revealer_set_reveal_child (self->progress_revealer, FALSE);
  if (error != NULL)
    vita_window_show_error (self, error->message);
  g_clear_handle_id (&self->views_update_id, g_source_remove);
  vita_analysis_source_update (self->analysis_source);
  update_onset_clicks (self);
  update_probe_lanes (self);
  update_actions (self);
}

static void
restart_analysis (VitaWindow *self)
{
  stop_job (self, FALSE);
  if (self->audio_path == NULL)
    return;
  self->job = vita_analysis_job_new (self->audio_path, self->vit,
                                     vita_timeline_get_current_frame (self->timeline));
  g_signal_connect_swapped (self->job, "decoded", G_CALLBACK (on_job_decoded), self);
  g_signal_connect_swapped (self->job, "analysis-started", G_CALLBACK (on_job_started), self);
  g_signal_connect_swapped (self->job, "progress", G_CALLBACK (on_job_progress), self);
  g_signal_connect_swapped (self->job, "finished", G_CALLBACK (on_job_finished), self);
  gtk_progress_bar_set_fraction (self->progress_bar, 0);
  gtk_label_set_label (self->progress_label, _("Decoding…"));
  gtk_revealer_set_reveal_child (self->progress_revealer, TRUE);
  self->job_done = FALSE;
  update_probe_lanes (self);   /* the old lanes belong to the old analysis */
  vita_analysis_job_start (self->job);
}

/* ------------------------------------------------------------------ annotations, probes */

/* Several messages at once (a file full of bad lines) become one toast: the first
 * few, then a count, so the overlay does not queue hundreds of toasts. */
static void
show_messages (VitaWindow *self, GPtrArray *messages)
{
  g_autoptr(GString) text = NULL;
  const guint shown = 3;

  if (messages == NULL || messages->len == 0)
    return;
  text = g_string_new (NULL);
  for (guint i = 0; i < messages->len && i < shown; i++)
    {
      if (i > 0)
        g_string_append_c (text, '\n');
      g_string_append (text, g_ptr_array_index (messages, i));
    }
  if (messages->len > shown)
    {
      g_string_append_c (text, '\n');
      /* Translators: after the first few warnings of a file. */
      g_string_append_printf (text, g_dngettext (GETTEXT_PACKAGE, "…and %u more warning",
                                                 "…and %u more warnings",
                                                 messages->len - shown),
                              messages->len - shown);
    }
  vita_window_show_error (self, text->str);
}

#define PROBES_SUBTITLE N_("chords, onsets and beats read off the tokens, once probes are trained")

/* The probe-o-gram of the first lane's task: every loaded frame-level probe of that
 * task sits in the row of its layer (vita_probeogram_from_analysis takes one probe
 * per token layer; rows without a loaded probe stay empty).  The truth is the first
 * lane's annotation for softmax probes (P(annotated class)); event probes show
 * P(event). */
static void
update_probeogram (VitaWindow *self, const VitaAnalysis *an, VitaProbeLane *const *lanes,
                   int n_lanes, GPtrArray *messages)
{
  VitaProbe *first = n_lanes > 0 ? vita_probe_set_get_probe (self->probe_set, 0) : NULL;

  if (self->panels[VITA_PANEL_PROBEOGRAM] != NULL)
    vita_panel_view_set_probeogram (VITA_PANEL_VIEW (self->panels[VITA_PANEL_PROBEOGRAM]), NULL);
  g_clear_pointer (&self->probeogram, vita_probeogram_free);
  if (an != NULL && first != NULL)
    {
      g_autofree VitaProbe **probes = g_new0 (VitaProbe *, an->n_layers);
      g_autoptr(GError) error = NULL;
      const int *truth = lanes[0]->binary ? NULL : lanes[0]->truth;
      int n_rows = 0;

      for (int i = 0; i < n_lanes; i++)
        {
          VitaProbe *p = vita_probe_set_get_probe (self->probe_set, i);
          if (p != NULL && g_strcmp0 (p->task, first->task) == 0 && p->layer >= 0 &&
              p->layer < an->n_layers && probes[p->layer] == NULL)
            probes[p->layer] = p, n_rows++;
        }
      g_autofree char *name = g_strdup_printf (
          /* Translators: probe-o-gram title: task, then how many layers have a probe. */
          g_dngettext (GETTEXT_PACKAGE, "%s (%d layer probed of %d)",
                       "%s (%d layers probed of %d)", n_rows),
          first->task ? first->task : "probe", n_rows, an->n_layers);
      self->probeogram = vita_probeogram_from_analysis (an, (VitaProbe *const *) probes,
                                                        an->n_layers, truth, name, &error);
      if (self->probeogram == NULL && messages != NULL)
        g_ptr_array_add (messages, g_strdup_printf (_("No probe-o-gram: %s"), error->message));
    }
  if (self->panels[VITA_PANEL_PROBEOGRAM] != NULL)
    vita_panel_view_set_probeogram (VITA_PANEL_VIEW (self->panels[VITA_PANEL_PROBEOGRAM]),
                                    self->probeogram);
  if (self->probeogram_card != NULL)
    gtk_widget_set_visible (self->probeogram_card, self->probeogram != NULL);
}

/* The key annotation, and a clip-level key probe's prediction, in the probe panel's
 * subtitle. */
static void
update_key_label (VitaWindow *self, const VitaAnalysis *an)
{
  g_autoptr(GString) text = g_string_new (NULL);
  int key, predicted;
  double prob = NAN;
  gboolean has_key = vita_probe_set_get_key (self->probe_set, &key);
  gboolean has_pred = vita_probe_set_predict_key (self->probe_set, an, &predicted, &prob);

  if (self->probes_subtitle == NULL)
    return;
  if (!has_key && !has_pred)
    {
      gtk_label_set_text (GTK_LABEL (self->probes_subtitle), _(PROBES_SUBTITLE));
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

const char *
vita_window_get_probes_subtitle (VitaWindow *self)
{
  g_return_val_if_fail (VITA_IS_WINDOW (self), NULL);
  return self->probes_subtitle ? gtk_label_get_text (GTK_LABEL (self->probes_subtitle)) : NULL;
}

const VitaProbeogram *
vita_window_get_probeogram (VitaWindow *self)
{
  g_return_val_if_fail (VITA_IS_WINDOW (self), NULL);
  return self->probeogram;
}

static void
update_probe_lanes (VitaWindow *self)
{
  g_autoptr(GPtrArray) messages = g_ptr_array_new_with_free_func (g_free);
  VitaProbeLane *const *lanes;
  int n_lanes = 0;
  /* Lanes read the tokens of every frame: only once the analysis is complete. */
  const VitaAnalysis *an = self->job_done ? self->analysis : NULL;

  if (self->probe_set == NULL)
    return;
  vita_probe_set_update_lanes (self->probe_set, an, messages);
  lanes = vita_probe_set_get_lanes (self->probe_set, &n_lanes);
  if (self->panels[VITA_PANEL_PROBES] != NULL)
    vita_panel_view_set_probe_lanes (VITA_PANEL_VIEW (self->panels[VITA_PANEL_PROBES]),
                                     lanes, n_lanes);
  update_probeogram (self, an, lanes, n_lanes, messages);
  update_key_label (self, an);
  show_messages (self, messages);
  queue_panels_draw (self);
}

typedef struct {
  VitaWindow *self;   /* weak: the load is cancelled in dispose */
  char       *audio_path;
} AnnLoad;

static void
on_annotations_loaded (GObject *source, GAsyncResult *result, gpointer user_data)
{
  AnnLoad *load = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(VitaAnnotations) ann = vita_annotations_load_finish (result, &error);
  VitaWindow *self = load->self;

  self->ann_pending--;
  /* Dropped when the track changed meanwhile: annotations belong to one track. */
  if (ann != NULL && g_strcmp0 (load->audio_path, self->audio_path) == 0)
    {
      vita_probe_set_merge_annotations (self->probe_set, ann);
      show_messages (self, ann->messages);
      update_probe_lanes (self);
    }
  g_object_unref (self);
  g_free (load->audio_path);
  g_free (load);
}

static void
load_annotation_paths (VitaWindow *self, const char *const *paths)
{
  AnnLoad *load;

  if (paths == NULL || paths[0] == NULL)
    return;
  if (self->ann_cancellable == NULL)
    self->ann_cancellable = g_cancellable_new ();
  load = g_new0 (AnnLoad, 1);
  load->self = g_object_ref (self);
  load->audio_path = g_strdup (self->audio_path);
  self->ann_pending++;
  vita_annotations_load_async (paths, self->ann_cancellable, on_annotations_loaded, load);
}

static void
load_annotations_beside (VitaWindow *self)
{
  g_auto(GStrv) paths = NULL;

  vita_probe_set_clear_annotations (self->probe_set);
  if (self->audio_path == NULL)
    return;
  paths = vita_annotations_find_beside (self->audio_path);
  load_annotation_paths (self, (const char *const *) paths);
}

void
vita_window_load_annotations (VitaWindow *self, GFile **files, int n_files)
{
  g_autoptr(GPtrArray) paths = g_ptr_array_new_with_free_func (g_free);

  g_return_if_fail (VITA_IS_WINDOW (self));
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
  load_annotation_paths (self, (const char *const *) paths->pdata);
}

void
vita_window_load_probes (VitaWindow *self, GFile **files, int n_files)
{
  g_return_if_fail (VITA_IS_WINDOW (self));
  for (int i = 0; i < n_files; i++)
    {
      g_autofree char *path = g_file_get_path (files[i]);
      g_autofree char *name = g_file_get_basename (files[i]);
      g_autoptr(GError) error = NULL;
      VitaProbe *probe = path ? vita_probe_load (path, &error) : NULL;

      if (probe == NULL)
        {
          g_autofree char *message = g_strdup_printf (_("Cannot open “%s”: %s"), name,
                                                      error ? error->message : _("not a local file"));
          vita_window_show_error (self, message);
          continue;
        }
      if (self->vit != NULL && probe->model_sha256[0] && self->vit->sha256[0] &&
          g_ascii_strcasecmp (probe->model_sha256, self->vit->sha256) != 0)
        {
          /* Translators: %s is a probe file name; sha256 is a checksum. */
          g_autofree char *message = g_strdup_printf (
              _("Probe “%s” was trained on another model (sha256 %.12s…, the loaded model "
                "is %.12s…): its lane is shown, but its predictions may mean little"),
              name, probe->model_sha256, self->vit->sha256);
          vita_window_show_error (self, message);
        }
      vita_probe_set_add_probe (self->probe_set, probe, path);
    }
  update_probe_lanes (self);
}

int
vita_window_get_n_probe_lanes (VitaWindow *self)
{
  int n = 0;

  g_return_val_if_fail (VITA_IS_WINDOW (self), 0);
  vita_probe_set_get_lanes (self->probe_set, &n);
  return n;
}

const VitaProbeLane *
vita_window_get_probe_lane (VitaWindow *self, int i, double *score)
{
  int n = 0;
  VitaProbeLane *const *lanes;

  g_return_val_if_fail (VITA_IS_WINDOW (self), NULL);
  lanes = vita_probe_set_get_lanes (self->probe_set, &n);
  if (i < 0 || i >= n)
    return NULL;
  if (score != NULL)
    *score = vita_probe_set_get_score (self->probe_set, i);
  return lanes[i];
}

gboolean
vita_window_is_loading_annotations (VitaWindow *self)
{
  g_return_val_if_fail (VITA_IS_WINDOW (self), FALSE);
  return self->ann_pending > 0;
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

/* Adds FILTER (taken) and "All files", remembers FLAG under KEY, shows the modal chooser. */
static void
show_chooser (VitaWindow *self, GtkFileChooserNative *native, GtkFileFilter *filter,
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
  show_chooser (self, native, filter, "vita-probes", probes, G_CALLBACK (on_files_chosen));
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

/* ------------------------------------------------------------------ opening audio */

void
vita_window_open_audio (VitaWindow *self, GFile *file)
{
  g_autofree char *path = NULL;
  g_autofree char *uri = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GFileInfo) info = NULL;

  g_return_if_fail (VITA_IS_WINDOW (self));
  g_return_if_fail (G_IS_FILE (file));

  path = g_file_get_path (file);
  info = g_file_query_info (file, G_FILE_ATTRIBUTE_STANDARD_TYPE, G_FILE_QUERY_INFO_NONE, NULL, &error);
  if (path == NULL || info == NULL || g_file_info_get_file_type (info) != G_FILE_TYPE_REGULAR)
    {
      g_autofree char *name = g_file_get_parse_name (file);
      g_autofree char *message = g_strdup_printf (_("Cannot open “%s”: %s"), name,
                                                  error ? error->message : _("not a local file"));
      vita_window_show_error (self, message);
      return;
    }

  stop_job (self, FALSE);
  g_free (self->audio_path);
  self->audio_path = g_steal_pointer (&path);
  load_annotations_beside (self);
  uri = g_file_get_uri (file);
  gtk_recent_manager_add_item (self->recent, uri);

  vita_timeline_set_selection (self->timeline, 0, 0);
  vita_timeline_set_position (self->timeline, 0);
  gtk_toggle_button_set_active (self->loop_button, FALSE);
  vita_player_set_uri (self->player, uri);
  vita_player_set_rate (self->player, speeds[gtk_drop_down_get_selected (self->speed_dropdown)]);
  gtk_stack_set_visible_child_name (self->main_stack, "panels");
  update_title (self);
  update_model_banner (self);
  restart_analysis (self);
  update_position_label (self);
  update_actions (self);
  queue_panels_draw (self);
  gtk_widget_grab_focus (GTK_WIDGET (self->play_button));
}

static gboolean
is_model_file (GFile *file)
{
  g_autofree char *name = g_file_get_basename (file);
  return name != NULL && g_str_has_suffix (name, ".safetensors");
}

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
        vita_window_open_audio (self, file);
    }
  g_object_unref (dialog);
}

static void
run_file_chooser (VitaWindow *self, gboolean model)
{
  GtkFileChooserNative *native;
  GtkFileFilter *filter;

  /* GtkFileChooserNative, not GtkFileDialog: the app supports GTK 4.8. */
  native = gtk_file_chooser_native_new (model ? _("Open a Model") : _("Open Audio"),
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
      gtk_file_filter_set_name (filter, _("Audio files"));
      gtk_file_filter_add_mime_type (filter, "audio/*");
    }
  show_chooser (self, native, filter, "vita-model", model, G_CALLBACK (on_open_response));
}

static gboolean
on_drop (GtkDropTarget *target, const GValue *value, double x, double y, gpointer user_data)
{
  VitaWindow *self = VITA_WINDOW (user_data);
  GSList *files;

  if (!G_VALUE_HOLDS (value, GDK_TYPE_FILE_LIST))
    return FALSE;
  files = gdk_file_list_get_files (g_value_get_boxed (value));
  for (GSList *l = files; l != NULL; l = l->next)
    {
      if (is_model_file (l->data))
        vita_window_open_model (self, l->data);
      else
        vita_window_open_audio (self, l->data);
    }
  g_slist_free (files);
  return files != NULL;
}

/* ------------------------------------------------------------------ recent files */

static int
compare_recent (gconstpointer a, gconstpointer b)
{
  /* Most recently used first. */
  return g_date_time_compare (gtk_recent_info_get_modified ((GtkRecentInfo *) b),
                              gtk_recent_info_get_modified ((GtkRecentInfo *) a));
}

static void
rebuild_recent_menu (VitaWindow *self)
{
  GList *items = gtk_recent_manager_get_items (self->recent);
  const char *app_name = g_get_application_name ();
  int n = 0;

  items = g_list_sort (items, compare_recent);
  g_menu_remove_all (self->recent_menu);
  for (GList *l = items; l != NULL && n < 8; l = l->next)
    {
      GtkRecentInfo *info = l->data;
      g_autoptr(GMenuItem) item = NULL;
      const char *uri = gtk_recent_info_get_uri (info);

      if (!gtk_recent_info_has_application (info, app_name) || !gtk_recent_info_is_local (info) ||
          !gtk_recent_info_exists (info))
        continue;
      item = g_menu_item_new (gtk_recent_info_get_display_name (info), NULL);
      g_menu_item_set_action_and_target (item, "win.open-recent", "s", uri);
      g_menu_append_item (self->recent_menu, item);
      n++;
    }
  if (n == 0)
    {
      g_autoptr(GMenuItem) item = g_menu_item_new (_("No Recent Files"), "win.none");
      g_menu_append_item (self->recent_menu, item);
    }
  g_list_free_full (items, (GDestroyNotify) gtk_recent_info_unref);
}

/* ------------------------------------------------------------------ export */

static VitaColormap
current_colormap (VitaWindow *self)
{
  g_autofree char *nick = g_settings_get_string (self->settings, "colormap");
  VitaColormap cmap = VITA_COLORMAP_VIRIDIS;

  vita_colormap_from_string (nick, &cmap);
  return cmap;
}

gboolean
vita_window_export (VitaWindow *self, VitaPanel panel, const char *path, GError **error)
{
  VitaExportSpec spec;
  VitaPaintContext ctx = { 0 };
  gboolean ok;

  g_return_val_if_fail (VITA_IS_WINDOW (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  if (self->audio_path == NULL)
    {
      g_set_error (error, VITA_EXPORT_ERROR, VITA_EXPORT_ERROR_DATA,
                   _("Cannot export “%s”: open an audio file first"), path);
      return FALSE;
    }
  vita_export_spec_init (&spec);
  spec.panel = panel;
  vita_timeline_snapshot (self->timeline, &spec.snap);
  spec.style.colormap = current_colormap (self);
  spec.attention_mode = self->rollout ? VITA_ATTENTION_ROLLOUT : VITA_ATTENTION_HEAD;
  spec.audio_path = g_strdup (self->audio_path);
  spec.model_path = g_strdup (self->model_path);
  if (self->vit != NULL && self->vit->sha256[0] != '\0')
    spec.model_sha256 = g_strdup (self->vit->sha256);

  /* The same sources the screen draws from: the panels' shared cache and peaks. */
  ctx.cache = vita_analysis_source_get_cache (self->analysis_source);
  ctx.peaks = self->peaks;
  ctx.lanes = vita_probe_set_get_lanes (self->probe_set, &ctx.n_lanes);
  ctx.probeogram = self->probeogram;
  ctx.snap = &spec.snap;
  ctx.style = &spec.style;
  ctx.attention_mode = spec.attention_mode;

  if (g_str_has_suffix (path, ".npy") || g_str_has_suffix (path, ".NPY"))
    ok = vita_export_npy (&spec, &ctx, path, error);
  else
    ok = vita_export_figure_with_sidecar (&spec, &ctx, path, error);
  vita_export_spec_clear (&spec);
  return ok;
}

static void
on_export_response (GtkNativeDialog *dialog, int response, gpointer user_data)
{
  VitaWindow *self = VITA_WINDOW (user_data);

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      g_autofree char *path = file ? g_file_get_path (file) : NULL;
      const char *choice = gtk_file_chooser_get_choice (GTK_FILE_CHOOSER (dialog), "panel");
      VitaPanel panel = VITA_PANEL_LAYOUT;
      g_autoptr(GError) error = NULL;

      vita_panel_from_string (choice, &panel);   /* the registry's names */
      if (path == NULL)
        vita_window_show_error (self, _("Figures can only be exported to local files"));
      else if (!vita_window_export (self, panel, path, &error))
        vita_window_show_error (self, error->message);
      else
        {
          g_autofree char *name = g_path_get_basename (path);
          g_autofree char *text = g_strdup_printf (_("Exported “%s”"), name);
          adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (text));
        }
    }
  g_object_unref (dialog);
}

static void
action_export (GtkWidget *widget, const char *name, GVariant *param)
{
  VitaWindow *self = VITA_WINDOW (widget);
  GtkFileChooserNative *native;
  g_autofree char *base = g_path_get_basename (self->audio_path);
  g_autofree char *suggested = NULL;
  int n_panels;
  g_autofree VitaPanel *panels = vita_panel_arrangement (&n_panels);
  const char *ids[VITA_MAX_PANELS + 2];
  const char *labels[VITA_MAX_PANELS + 2];
  const char *patterns[][2] = { { "*.pdf", N_("PDF (vector)") }, { "*.svg", N_("SVG (vector)") },
                                { "*.png", N_("PNG (144 dpi)") }, { "*.npy", N_("NumPy array (.npy)") } };
  char *dot = strrchr (base, '.');

  if (dot != NULL)
    *dot = '\0';
  suggested = g_strdup_printf ("%s-vitascope.pdf", base);
  /* GtkFileChooserNative (GTK 4.8); a save chooser asks before overwriting. */
  native = gtk_file_chooser_native_new (_("Export Figure"), GTK_WINDOW (self),
                                        GTK_FILE_CHOOSER_ACTION_SAVE, _("_Export"), _("_Cancel"));
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (native), suggested);
  for (gsize i = 0; i < G_N_ELEMENTS (patterns); i++)
    {
      GtkFileFilter *filter = gtk_file_filter_new ();
      gtk_file_filter_set_name (filter, _(patterns[i][1]));
      gtk_file_filter_add_pattern (filter, patterns[i][0]);
      gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (native), filter);
      g_object_unref (filter);
    }
  /* Every registered panel: the whole view first, then the on-screen order. */
  ids[0] = vita_panel_to_string (VITA_PANEL_LAYOUT);
  labels[0] = _(vita_panel_get_class (VITA_PANEL_LAYOUT)->title);
  for (int i = 0; i < n_panels; i++)
    {
      ids[i + 1] = vita_panel_to_string (panels[i]);
      labels[i + 1] = _(vita_panel_get_class (panels[i])->title);
    }
  ids[n_panels + 1] = labels[n_panels + 1] = NULL;
  gtk_file_chooser_add_choice (GTK_FILE_CHOOSER (native), "panel", _("Panel"), ids, labels);
  gtk_file_chooser_set_choice (GTK_FILE_CHOOSER (native), "panel", "layout");
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (native), TRUE);
  g_signal_connect (native, "response", G_CALLBACK (on_export_response), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (native));
}

static void
on_onset_clicks_changed (GSimpleAction *action, GVariant *state, gpointer user_data)
{
  VitaWindow *self = VITA_WINDOW (user_data);

  self->onset_clicks = g_variant_get_boolean (state);
  g_simple_action_set_state (action, state);
  update_onset_clicks (self);
}

static void
on_rollout_changed (GSimpleAction *action, GVariant *state, gpointer user_data)
{
  VitaWindow *self = VITA_WINDOW (user_data);

  self->rollout = g_variant_get_boolean (state);
  g_simple_action_set_state (action, state);
  for (int i = 0; i < VITA_N_PANELS; i++)
    if (self->panels[i] != NULL)
      vita_panel_view_set_attention_mode (VITA_PANEL_VIEW (self->panels[i]),
                                          self->rollout ? VITA_ATTENTION_ROLLOUT : VITA_ATTENTION_HEAD);
}

/* ------------------------------------------------------------------ actions */

static void
update_actions (VitaWindow *self)
{
  gboolean has_audio = self->audio_path != NULL;
  gboolean has_layers = vita_timeline_get_n_layers (self->timeline) > 0;
  gboolean has_heads = vita_timeline_get_n_heads (self->timeline) > 0;

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.play-pause", has_audio);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.seek", has_audio);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.seek-relative", has_audio);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.go-start", has_audio);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.go-end", has_audio);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.loop", has_audio);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.zoom-in", has_audio);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.zoom-out", has_audio);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.zoom-all", has_audio);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.speed-up", has_audio);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.speed-down", has_audio);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.layer-next", has_layers);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.layer-previous", has_layers);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.head-next", has_heads);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.head-previous", has_heads);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.head-average", has_heads);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.export", has_audio);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.load-annotations", has_audio);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.load-probe", has_audio);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.none", FALSE);
  /* Controls appear when they have something to act on. */
  gtk_widget_set_visible (GTK_WIDGET (self->speed_dropdown), has_audio);
  gtk_widget_set_visible (GTK_WIDGET (self->position_label), has_audio);
  gtk_widget_set_visible (GTK_WIDGET (self->loop_button), has_audio);
  gtk_widget_set_visible (GTK_WIDGET (self->layer_dropdown), has_layers);
  gtk_widget_set_visible (GTK_WIDGET (self->head_dropdown), has_heads);
}

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
action_open_recent (GtkWidget *widget, const char *name, GVariant *param)
{
  g_autoptr(GFile) file = g_file_new_for_uri (g_variant_get_string (param, NULL));
  vita_window_open_audio (VITA_WINDOW (widget), file);
}

static void
action_train_model (GtkWidget *widget, const char *name, GVariant *param)
{
  VitaWindow *self = VITA_WINDOW (widget);

  if (self->training_window == NULL)
    {
      self->training_window = GTK_WINDOW (vita_training_window_new (self));
      g_object_add_weak_pointer (G_OBJECT (self->training_window), (gpointer *) &self->training_window);
    }
  gtk_window_present (self->training_window);
}

GtkWindow *
vita_window_get_training_window (VitaWindow *self)
{
  g_return_val_if_fail (VITA_IS_WINDOW (self), NULL);
  return self->training_window;
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
  gint64 target = CLAMP (g_variant_get_int64 (param), 0, vita_timeline_get_n_samples (self->timeline));

  vita_player_seek (self->player, samples_to_ns (self, target));
  /* The player reports the target until the seek settles: the playhead moves now. */
  sync_position_from_player (self);
  if (!vita_player_get_playing (self->player))
    vita_timeline_set_position (self->timeline, target);
  /* a jump: the analysis computes the windows around the new position next */
  if (self->job != NULL)
    vita_analysis_job_set_priority_frame (self->job, vita_timeline_get_current_frame (self->timeline));
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
  gint64 delta = (gint64) g_variant_get_int32 (param) * vita_timeline_get_sample_rate (self->timeline);

  seek_to (self, vita_timeline_get_position (self->timeline) + delta);
}

static void
action_go_start (GtkWidget *widget, const char *name, GVariant *param)
{
  VitaWindow *self = VITA_WINDOW (widget);
  gint64 start, end;

  vita_timeline_get_visible (self->timeline, &start, &end);
  vita_timeline_set_visible (self->timeline, 0, end - start);
  seek_to (self, 0);
}

static void
action_go_end (GtkWidget *widget, const char *name, GVariant *param)
{
  VitaWindow *self = VITA_WINDOW (widget);
  gint64 n = vita_timeline_get_n_samples (self->timeline);
  gint64 start, end;

  vita_timeline_get_visible (self->timeline, &start, &end);
  vita_timeline_set_visible (self->timeline, n - (end - start), n);
  seek_to (self, n);
}

static void
update_loop (VitaWindow *self)
{
  gint64 start, end;

  vita_timeline_get_selection (self->timeline, &start, &end);
  if (gtk_toggle_button_get_active (self->loop_button) && end > start)
    vita_player_set_loop (self->player, samples_to_ns (self, start), samples_to_ns (self, end));
  else
    vita_player_set_loop (self->player, 0, 0);
}

static void
action_loop (GtkWidget *widget, const char *name, GVariant *param)
{
  VitaWindow *self = VITA_WINDOW (widget);
  gint64 start, end;
  gboolean active = !vita_player_get_loop (self->player);

  vita_timeline_get_selection (self->timeline, &start, &end);
  if (active && end <= start)
    {
      vita_window_show_error (self, _("Select a region first: drag across a panel, then loop it"));
      active = FALSE;
    }
  gtk_toggle_button_set_active (self->loop_button, active);
  update_loop (self);
}

static void
action_zoom (GtkWidget *widget, const char *name, GVariant *param)
{
  VitaWindow *self = VITA_WINDOW (widget);

  if (g_str_equal (name, "win.zoom-all"))
    vita_timeline_set_visible (self->timeline, 0, vita_timeline_get_n_samples (self->timeline));
  else
    vita_timeline_zoom (self->timeline, g_str_equal (name, "win.zoom-in") ? 1.5 : 1 / 1.5,
                        vita_timeline_get_position (self->timeline));
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
  VitaTimeline *tl = self->timeline;

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

  vita_timeline_set_follow (self->timeline, mode);
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

/* ------------------------------------------------------------------ panels
 *
 * Each panel is a views/ widget in a card with a title.  A click seeks (the view
 * activates "win.seek"); a drag across a time-aligned panel selects a region
 * (for the loop), mapped through the painter's own plot geometry. */

static gboolean
panel_x_to_sample (VitaWindow *self, VitaPanelView *view, double x, gint64 *sample)
{
  VitaTimelineSnapshot snap;
  VitaStyle style;
  VitaPaintContext ctx = { 0 };
  VitaRect area = { 0, 0, gtk_widget_get_width (GTK_WIDGET (view)),
                    gtk_widget_get_height (GTK_WIDGET (view)) };

  vita_timeline_snapshot (self->timeline, &snap);
  vita_style_init (&style);
  ctx.cache = vita_panel_view_get_cache (view);
  ctx.peaks = self->peaks;
  ctx.snap = &snap;
  ctx.style = &style;
  return vita_panel_hit_sample (vita_panel_view_get_panel (view), &area, &ctx, x,
                                area.height / 2, sample);
}

static void
on_panel_drag_begin (GtkGestureDrag *gesture, double x, double y, gpointer user_data)
{
  VITA_WINDOW (user_data)->drag_start_x = x;
}

static void
on_panel_drag_update (GtkGestureDrag *gesture, double dx, double dy, gpointer user_data)
{
  VitaWindow *self = VITA_WINDOW (user_data);
  VitaPanelView *view = VITA_PANEL_VIEW (gtk_event_controller_get_widget (GTK_EVENT_CONTROLLER (gesture)));
  gint64 a, b;

  if (fabs (dx) < 4)
    return;
  if (panel_x_to_sample (self, view, self->drag_start_x, &a) &&
      panel_x_to_sample (self, view, self->drag_start_x + dx, &b))
    vita_timeline_set_selection (self->timeline, MIN (a, b), MAX (a, b));
}

static void
on_panel_drag_end (GtkGestureDrag *gesture, double dx, double dy, gpointer user_data)
{
  VitaWindow *self = VITA_WINDOW (user_data);

  if (fabs (dx) < 4)
    vita_timeline_set_selection (self->timeline, 0, 0);   /* a click: the view seeks */
  update_loop (self);
}

static GtkWidget *
add_panel (VitaWindow *self, GtkBox *box, VitaPanel panel)
{
  const VitaPanelClass *klass = vita_panel_get_class (panel);
  const char *title = _(klass->title);
  int width = klass->width, height = klass->height;
  GtkWidget *card = gtk_box_new (GTK_ORIENTATION_VERTICAL, 4);
  GtkWidget *header = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 8);
  GtkWidget *label = gtk_label_new (title);
  GtkWidget *sub = gtk_label_new (_(klass->subtitle));
  GtkWidget *view = vita_panel_view_new (panel, self->timeline);

  gtk_widget_add_css_class (card, "card");
  gtk_widget_add_css_class (card, "vita-panel");
  gtk_widget_add_css_class (label, "vita-panel-title");
  gtk_widget_add_css_class (sub, "vita-panel-subtitle");
  gtk_widget_add_css_class (sub, "dim-label");
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_xalign (GTK_LABEL (sub), 0);
  gtk_label_set_ellipsize (GTK_LABEL (sub), PANGO_ELLIPSIZE_END);
  gtk_box_append (GTK_BOX (header), label);
  gtk_box_append (GTK_BOX (header), sub);
  gtk_box_append (GTK_BOX (card), header);

  gtk_widget_set_size_request (view, width, height);
  gtk_widget_set_hexpand (card, width < 0);
  gtk_accessible_update_property (GTK_ACCESSIBLE (view), GTK_ACCESSIBLE_PROPERTY_LABEL, title, -1);
  vita_panel_view_set_source (VITA_PANEL_VIEW (view), self->analysis_source);
  if (vita_panel_is_time_aligned (panel))
    {
      GtkGesture *drag = gtk_gesture_drag_new ();
      g_signal_connect (drag, "drag-begin", G_CALLBACK (on_panel_drag_begin), self);
      g_signal_connect (drag, "drag-update", G_CALLBACK (on_panel_drag_update), self);
      g_signal_connect (drag, "drag-end", G_CALLBACK (on_panel_drag_end), self);
      gtk_widget_add_controller (view, GTK_EVENT_CONTROLLER (drag));
    }
  gtk_box_append (GTK_BOX (card), view);
  gtk_box_append (box, card);
  self->panels[panel] = view;
  if (klass->traits & VITA_PANEL_ON_DEMAND)   /* shown only with probes: update_probeogram */
    gtk_widget_set_visible (card, FALSE);
  else if (klass->traits & VITA_PANEL_NEEDS_MODEL)
    g_ptr_array_add (self->model_cards, card);
  return card;
}

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

/* The panels of the registry in its arrangement (views/vita-painters.h): the same
 * order and rows as the whole-view figure.  Without a model, the no-model page
 * stands where the first row of the model's panels begins. */
static void
build_panels (VitaWindow *self)
{
  int n;
  g_autofree VitaPanel *panels = vita_panel_arrangement (&n);
  GtkWidget *row = NULL;
  int row_id = 0;

  for (int i = 0; i < n; i++)
    {
      const VitaPanelClass *klass = vita_panel_get_class (panels[i]);
      GtkWidget *card;

      if (klass->row != 0 && klass->row == row_id)
        {
          add_panel (self, GTK_BOX (row), panels[i]);
          continue;
        }
      row_id = klass->row;
      if (klass->row == 0)
        card = add_panel (self, self->panels_box, panels[i]);
      else
        {
          if (self->no_model_page == NULL)
            gtk_box_append (self->panels_box, build_no_model_page (self));
          row = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
          g_ptr_array_add (self->model_cards, row);
          gtk_box_append (self->panels_box, row);
          add_panel (self, GTK_BOX (row), panels[i]);
          continue;
        }
      if (panels[i] == VITA_PANEL_PROBES)   /* header box, then title and subtitle labels */
        self->probes_subtitle = gtk_widget_get_last_child (gtk_widget_get_first_child (card));
      if (panels[i] == VITA_PANEL_PROBEOGRAM)
        self->probeogram_card = card;
    }
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
  /* Cancel and join the worker before anything it reports to goes away. */
  stop_job (self, TRUE);
  if (self->model_cancellable != NULL)
    g_cancellable_cancel (self->model_cancellable);
  g_clear_object (&self->model_cancellable);
  if (self->ann_cancellable != NULL)
    g_cancellable_cancel (self->ann_cancellable);
  g_clear_object (&self->ann_cancellable);
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
  if (self->timeline != NULL)
    g_signal_handlers_disconnect_by_data (self->timeline, self);
  if (self->settings != NULL)
    g_signal_handlers_disconnect_by_data (self->settings, self);
  gtk_widget_dispose_template (GTK_WIDGET (self), VITA_TYPE_WINDOW);
  G_OBJECT_CLASS (vita_window_parent_class)->dispose (object);
}

static void
vita_window_finalize (GObject *object)
{
  VitaWindow *self = VITA_WINDOW (object);

  vita_engine_model_unref (self->vit);
  g_clear_pointer (&self->analysis, vita_analysis_unref);
  g_clear_pointer (&self->peaks, vita_peaks_unref);
  g_clear_object (&self->timeline);
  g_clear_object (&self->settings);
  g_clear_object (&self->layer_names);
  g_clear_object (&self->head_names);
  g_clear_pointer (&self->model_cards, g_ptr_array_unref);
  g_clear_object (&self->analysis_source);
  g_clear_pointer (&self->probeogram, vita_probeogram_free);
  g_clear_pointer (&self->probe_set, vita_probe_set_free);
  g_free (self->audio_path);
  g_free (self->model_path);
  g_free (self->live_label);
  g_free (self->last_error);
  g_free (self->pending_model_path);
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
  gtk_widget_class_bind_template_child (widget_class, VitaWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, VitaWindow, content_box);
  gtk_widget_class_bind_template_child (widget_class, VitaWindow, open_button);
  gtk_widget_class_bind_template_child (widget_class, VitaWindow, play_button);
  gtk_widget_class_bind_template_child (widget_class, VitaWindow, loop_button);
  gtk_widget_class_bind_template_child (widget_class, VitaWindow, position_label);
  gtk_widget_class_bind_template_child (widget_class, VitaWindow, window_title);
  gtk_widget_class_bind_template_child (widget_class, VitaWindow, head_dropdown);
  gtk_widget_class_bind_template_child (widget_class, VitaWindow, layer_dropdown);
  gtk_widget_class_bind_template_child (widget_class, VitaWindow, speed_dropdown);
  gtk_widget_class_bind_template_child (widget_class, VitaWindow, progress_revealer);
  gtk_widget_class_bind_template_child (widget_class, VitaWindow, progress_label);
  gtk_widget_class_bind_template_child (widget_class, VitaWindow, progress_bar);
  gtk_widget_class_bind_template_child (widget_class, VitaWindow, model_banner);
  gtk_widget_class_bind_template_child (widget_class, VitaWindow, model_banner_label);
  gtk_widget_class_bind_template_child (widget_class, VitaWindow, main_stack);
  gtk_widget_class_bind_template_child (widget_class, VitaWindow, panels_box);
  gtk_widget_class_bind_template_child (widget_class, VitaWindow, recent_menu);

  gtk_widget_class_install_action (widget_class, "win.open", NULL, action_open);
  gtk_widget_class_install_action (widget_class, "win.open-model", NULL, action_open_model);
  gtk_widget_class_install_action (widget_class, "win.train-model", NULL, action_train_model);
  gtk_widget_class_install_action (widget_class, "win.use-default-model", NULL, action_use_default_model);
  gtk_widget_class_install_action (widget_class, "win.open-recent", "s", action_open_recent);
  gtk_widget_class_install_action (widget_class, "win.load-annotations", NULL, action_load_annotations);
  gtk_widget_class_install_action (widget_class, "win.load-probe", NULL, action_load_probe);
  gtk_widget_class_install_action (widget_class, "win.export", NULL, action_export);
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
  gtk_widget_class_install_action (widget_class, "win.speed-up", NULL, action_speed);
  gtk_widget_class_install_action (widget_class, "win.speed-down", NULL, action_speed);
  gtk_widget_class_install_action (widget_class, "win.layer-next", NULL, action_layer_head);
  gtk_widget_class_install_action (widget_class, "win.layer-previous", NULL, action_layer_head);
  gtk_widget_class_install_action (widget_class, "win.head-next", NULL, action_layer_head);
  gtk_widget_class_install_action (widget_class, "win.head-previous", NULL, action_layer_head);
  gtk_widget_class_install_action (widget_class, "win.head-average", NULL, action_layer_head);
}

static void
vita_window_init (VitaWindow *self)
{
  GtkDropTarget *drop;
  GtkEventController *keys;
  g_autoptr(GtkStringList) speed_names = NULL;

  gtk_widget_init_template (GTK_WIDGET (self));

  self->settings = g_settings_new (VITA_APP_ID);
  self->timeline = vita_timeline_new ();
  self->probe_set = vita_probe_set_new ();
  self->player = vita_player_new ();
  self->recent = gtk_recent_manager_get_default ();
  self->layer_names = gtk_string_list_new (NULL);
  self->head_names = gtk_string_list_new (NULL);
  self->model_cards = g_ptr_array_new ();
  self->analysis_source = vita_analysis_source_new ();

  gtk_window_set_default_size (GTK_WINDOW (self),
                               g_settings_get_int (self->settings, "window-width"),
                               g_settings_get_int (self->settings, "window-height"));
  if (g_settings_get_boolean (self->settings, "window-maximized"))
    gtk_window_maximize (GTK_WINDOW (self));

  speed_names = gtk_string_list_new ((const char *[]) { "0.5×", "0.75×", "1×", "1.25×", "1.5×", "2×", NULL });
  gtk_drop_down_set_model (self->speed_dropdown, G_LIST_MODEL (speed_names));
  gtk_drop_down_set_selected (self->speed_dropdown, SPEED_NORMAL);
  gtk_drop_down_set_model (self->layer_dropdown, G_LIST_MODEL (self->layer_names));
  gtk_drop_down_set_model (self->head_dropdown, G_LIST_MODEL (self->head_names));
  g_signal_connect_swapped (self->speed_dropdown, "notify::selected", G_CALLBACK (on_speed_selected), self);
  g_signal_connect_swapped (self->layer_dropdown, "notify::selected", G_CALLBACK (on_layer_selected), self);
  g_signal_connect_swapped (self->head_dropdown, "notify::selected", G_CALLBACK (on_head_selected), self);

  g_signal_connect_swapped (self->player, "notify::playing", G_CALLBACK (on_player_playing), self);
  g_signal_connect_swapped (self->player, "notify::duration", G_CALLBACK (on_player_duration), self);
  g_signal_connect_swapped (self->player, "error", G_CALLBACK (on_player_error), self);
  g_signal_connect_swapped (self->player, "seeked", G_CALLBACK (sync_position_from_player), self);
  g_signal_connect_swapped (self->player, "eos", G_CALLBACK (sync_position_from_player), self);

  g_signal_connect_swapped (self->timeline, "notify::position", G_CALLBACK (update_position_label), self);
  g_signal_connect_swapped (self->timeline, "notify::layer", G_CALLBACK (on_timeline_layer_head), self);
  g_signal_connect_swapped (self->timeline, "notify::head", G_CALLBACK (on_timeline_layer_head), self);
  g_signal_connect_swapped (self->timeline, "notify::layer", G_CALLBACK (update_onset_clicks), self);
  g_signal_connect_swapped (self->timeline, "notify::head", G_CALLBACK (update_onset_clicks), self);
  g_signal_connect_swapped (self->timeline, "notify::n-layers", G_CALLBACK (rebuild_layer_head_lists), self);
  g_signal_connect_swapped (self->timeline, "notify::n-heads", G_CALLBACK (rebuild_layer_head_lists), self);

  g_signal_connect_swapped (self->settings, "changed::follow", G_CALLBACK (on_follow_changed), self);
  {
    g_autoptr(GAction) follow = g_settings_create_action (self->settings, "follow");
    g_autoptr(GSimpleAction) rollout = g_simple_action_new_stateful ("rollout", NULL,
                                                                      g_variant_new_boolean (FALSE));
    g_action_map_add_action (G_ACTION_MAP (self), follow);
    g_signal_connect (rollout, "change-state", G_CALLBACK (on_rollout_changed), self);
    g_action_map_add_action (G_ACTION_MAP (self), G_ACTION (rollout));
    g_autoptr(GSimpleAction) clicks = g_simple_action_new_stateful ("onset-clicks", NULL,
                                                                     g_variant_new_boolean (FALSE));
    g_signal_connect (clicks, "change-state", G_CALLBACK (on_onset_clicks_changed), self);
    g_action_map_add_action (G_ACTION_MAP (self), G_ACTION (clicks));
  }
  on_follow_changed (self);

  g_signal_connect_swapped (self->recent, "changed", G_CALLBACK (rebuild_recent_menu), self);
  rebuild_recent_menu (self);

  drop = gtk_drop_target_new (GDK_TYPE_FILE_LIST, GDK_ACTION_COPY);
  g_signal_connect (drop, "drop", G_CALLBACK (on_drop), self);
  gtk_widget_add_controller (GTK_WIDGET (self->content_box), GTK_EVENT_CONTROLLER (drop));

  keys = gtk_event_controller_key_new ();
  gtk_event_controller_set_propagation_phase (keys, GTK_PHASE_CAPTURE);
  g_signal_connect (keys, "key-pressed", G_CALLBACK (on_key_pressed), self);
  gtk_widget_add_controller (GTK_WIDGET (self), keys);

  build_panels (self);
  g_signal_connect_swapped (self->settings, "changed::colormap", G_CALLBACK (on_colormap_changed), self);
  on_colormap_changed (self);

  /* For the GUI tests (tests/gui/test-app-*.c). */
  g_object_set_data (G_OBJECT (self), "vita-test-layer-dropdown", self->layer_dropdown);
  g_object_set_data (G_OBJECT (self), "vita-test-head-dropdown", self->head_dropdown);
  g_object_set_data (G_OBJECT (self), "vita-test-play-button", self->play_button);

  rebuild_layer_head_lists (self);
  update_model_banner (self);
  update_title (self);
  update_position_label (self);
  update_actions (self);
}

VitaWindow *
vita_window_new (AdwApplication *application)
{
  return g_object_new (VITA_TYPE_WINDOW, "application", application, NULL);
}

VitaTimeline *vita_window_get_timeline (VitaWindow *self) { return self->timeline; }
VitaPlayer *vita_window_get_player (VitaWindow *self) { return self->player; }
const char *vita_window_get_audio_path (VitaWindow *self) { return self->audio_path; }
const char *vita_window_get_model_path (VitaWindow *self) { return self->model_path; }
const char *vita_window_get_last_error (VitaWindow *self) { return self->last_error; }
guint vita_window_get_n_errors (VitaWindow *self) { return self->n_errors; }

const char *
vita_window_get_page (VitaWindow *self)
{
  return gtk_stack_get_visible_child_name (self->main_stack);
}

gboolean
vita_window_is_busy (VitaWindow *self)
{
  /* Until "finished" has been delivered on this thread, not only until the worker
   * has left: what it reports lands through the main loop. */
  return self->model_loading || (self->job != NULL && !self->job_done);
}
