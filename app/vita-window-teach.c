/* vita-window-teach.c — teaching with the main window (issue 12):
 *
 *   series        a checkpoint series (model/vita-series.h) opened from a run folder or
 *                 the bundled default series: a "Training step" scrubber under the header
 *                 bar; each checkpoint is shown through vita_session_show_checkpoint (the
 *                 window under the playhead first; a checkpoint analysed before is shown
 *                 from its kept analysis); Play steps through training; `,` / `.` step
 *                 one checkpoint.  The emergence panel (views/vita-emergence-painter.c)
 *                 fills per checkpoint on a worker thread, the shown checkpoint marked.
 *   presentation  F11: full screen, the header bar hidden until the pointer reaches the
 *                 top; Ctrl+plus / Ctrl+minus: the type scale (1×–3×) of every panel's
 *                 text, lines and playhead; Ctrl+B captures a view (visible panels,
 *                 layer, head, mode, time range), PageDown / PageUp step through the
 *                 session's views, an overlay names each for two seconds.
 *   style         panels follow AdwStyleManager's dark flag; the "style" setting picks
 *                 follow system / light / dark.
 */
#include "vita-config.h"
#include "vita-window-private.h"

#include <glib/gi18n.h>
#include <math.h>

#include "dsp/vita-audio.h"
#include "model/vita-series.h"
#include "model/probe/vita-emergence.h"
#include "vita-default-model.h"
#include "vita-engine.h"
#include "vita-main-post.h"
#include "vita-panel-card.h"
#include "vita-views.h"

#define TYPE_SCALE_MIN 1.0
#define TYPE_SCALE_MAX 3.0
#define TYPE_SCALE_STEP 0.25
#define OVERLAY_MS 2000
#define FULLSCREEN_CHECK_MS 700   /* a window manager answers a full-screen request by then */
#define PLAY_INTERVAL_MS 900
#define PREFETCH_REACH 2

struct _VitaTeach
{
  VitaWindow     *win;             /* borrowed: the teach state lives as long as it */

  /* series */
  VitaSeries     *series;
  VitaVit       **vits;            /* (series->n) loaded on demand, refs */
  int             index;           /* the checkpoint shown, -1 none */
  GtkWidget      *bar;             /* GtkRevealer under the header bar */
  GtkWidget      *scale;
  GtkWidget      *play_button;
  GtkWidget      *step_label;
  GtkWidget      *bar_title;
  guint           play_id;
  gboolean        syncing;

  /* emergence */
  VitaEmergence  *em;
  GCancellable   *em_cancel;
  int             em_done;
  gconstpointer   em_onsets;       /* the session's onset list measured against (not
                                      dereferenced: a change restarts), NULL: flux */

  /* presentation */
  gboolean        presenting;
  double          type_scale;
  GtkWidget      *header_bar;
  GtkWidget      *overlay_label;
  guint           overlay_id;
  int             view_index;      /* the view shown last, -1 none */
  /* while a view shows: the person's own playhead, layer, head, query token, attention
   * mode and time range (sample_rate and the strings unused), put back on leaving the
   * views */
  VitaSessionView mine;
  char           *pending_view;    /* an opened session's active view, shown once the
                                      session's own view state has been restored */
  guint           fullscreen_check_id;
  gboolean        fullscreen_seen; /* the window manager made it full screen */
  gboolean        own_fullscreen;  /* no window manager did: sized to the monitor here */
  int             saved_width, saved_height;
};

static gboolean leave_views (VitaWindow *self);

static VitaPanel
emergence_panel (void)
{
  VitaPanel p = VITA_PANEL_LAYOUT;
  vita_panel_from_string ("emergence", &p);
  return p;
}

/* A panel's card (app/vita-panel-card.c; the view sits in the card's box). */
static GtkWidget *
card_of (VitaWindow *self, VitaPanel panel)
{
  return self->cards[panel];
}

/* ------------------------------------------------------------------ emergence */

typedef struct {
  VitaSeries    *series;           /* the worker's own (opened again from the folder) */
  char          *series_dir;
  char          *audio_path;
  VitaEventList *onsets;           /* the track's annotated onsets (a copy), or NULL */
  GCancellable  *cancel;           /* ref: the teach state's em_cancel when started */
  VitaWindow    *win;              /* ref */
} EmergenceJob;

/* One checkpoint's measures, handed to the main thread (self-contained: the job may be
 * gone by the time it lands). */
typedef struct {
  GCancellable     *cancel;        /* ref */
  VitaWindow       *win;           /* ref */
  int               c;
  gint64            step;
  double            loss;
  VitaCompareTable *table;
} EmergenceRow;

static void
update_emergence_panel (VitaWindow *self)
{
  VitaTeach *t = self->teach;
  GtkWidget *view = self->panels[emergence_panel ()];

  GtkWidget *card = self->cards[emergence_panel ()];

  if (view != NULL)
    vita_panel_view_set_emergence (VITA_PANEL_VIEW (view), t->em, t->em ? t->index : -1);
  /* the card says which attention measure its plots show */
  if (card != NULL && VITA_IS_PANEL_CARD (card) && t->em != NULL)
    gtk_label_set_text (vita_panel_card_get_subtitle (VITA_PANEL_CARD (card)),
                        t->em->onsets
                        ? _("per checkpoint: onset F of received attention at the annotated onsets, SSM r per layer, loss")
                        : _("per checkpoint: received attention vs spectral flux (no onsets annotated), SSM r per layer, loss"));
}

static gboolean
emergence_row_cb (gpointer data)
{
  EmergenceRow *row = data;
  VitaTeach *t = row->win->teach;

  if (t != NULL && !g_cancellable_is_cancelled (row->cancel) && t->em_cancel == row->cancel &&
      t->em != NULL && row->c < t->em->n_checkpoints)
    {
      vita_emergence_set (t->em, row->c, row->step, row->loss, row->table);
      t->em_done++;
      update_emergence_panel (row->win);
    }
  vita_compare_table_free (row->table);
  g_object_unref (row->cancel);
  g_object_unref (row->win);
  g_free (row);
  return G_SOURCE_REMOVE;
}

static void
emergence_job_free (EmergenceJob *job)
{
  g_clear_pointer (&job->series, vita_series_free);
  g_free (job->series_dir);
  g_free (job->audio_path);
  g_clear_pointer (&job->onsets, vita_event_list_free);
  g_object_unref (job->cancel);
  g_object_unref (job->win);
  g_free (job);
}

/* Worker: the audio decoded once at the series' rate, then per checkpoint the
 * comparison table's measures (vita-cli-emergence.c does the same): the onset F of
 * received attention when the track's onsets are annotated, else its correlation with
 * spectral flux (the panel's titles say which). */
static void
emergence_thread (GTask *task, gpointer source, gpointer data, GCancellable *cancel)
{
  EmergenceJob *job = data;
  g_autoptr(VitaPcm) pcm = NULL;
  VitaAnalysisOptions opt;

  job->series = vita_series_open (job->series_dir, NULL);
  if (job->series != NULL)
    pcm = vita_audio_load (job->audio_path, job->series->cfg.fe.sample_rate, NULL, NULL);
  if (pcm == NULL || pcm->n_samples == 0)
    {
      g_task_return_boolean (task, FALSE);
      return;
    }
  vita_analysis_options_init (&opt);
  opt.workers = 1;               /* the UI and the checkpoint's own analysis keep the rest */
  opt.keep_tokens = FALSE;
  for (int c = 0; c < job->series->n && !g_cancellable_is_cancelled (cancel); c++)
    {
      g_autoptr(VitaVit) vit = vita_series_load (job->series, c, NULL);
      if (vit == NULL)
        continue;
      VitaCompareTable *table = vita_emergence_checkpoint_table (vit, pcm->samples, pcm->n_samples,
                                                                 job->onsets, &opt, NULL);
      if (table == NULL)
        continue;
      EmergenceRow *row = g_new0 (EmergenceRow, 1);
      row->cancel = g_object_ref (job->cancel);
      row->win = g_object_ref (job->win);
      row->c = c;
      row->step = job->series->entries[c].step;
      row->loss = vita_series_loss_at (job->series, row->step);
      row->table = table;
      vita_main_post (NULL, G_PRIORITY_DEFAULT_IDLE, emergence_row_cb, row, NULL);
    }
  g_task_return_boolean (task, TRUE);
}

static void
stop_emergence (VitaTeach *t)
{
  if (t->em_cancel != NULL)
    g_cancellable_cancel (t->em_cancel);
  g_clear_object (&t->em_cancel);
  /* rows already queued see the cancelled job and drop themselves */
}

static void
start_emergence (VitaWindow *self)
{
  VitaTeach *t = self->teach;
  const char *audio = vita_session_get_audio_path (self->session);
  const VitaEventList *onsets = vita_probe_set_get_onsets (vita_session_get_probe_set (self->session));

  stop_emergence (t);
  g_clear_pointer (&t->em, vita_emergence_free);
  t->em_done = 0;
  t->em_onsets = onsets;
  if (t->series != NULL && audio != NULL)
    {
      EmergenceJob *job = g_new0 (EmergenceJob, 1);
      g_autoptr(GTask) task = NULL;

      t->em = vita_emergence_new (t->series->n, t->series->cfg.depth + 1, onsets != NULL);
      if (onsets != NULL)
        {
          job->onsets = g_new0 (VitaEventList, 1);
          job->onsets->times = g_array_copy (onsets->times);
          job->onsets->path = g_strdup (onsets->path);
        }
      for (int c = 0; c < t->series->n; c++)
        {
          t->em->step[c] = t->series->entries[c].step;
          t->em->loss[c] = vita_series_loss_at (t->series, t->series->entries[c].step);
        }
      t->em_cancel = g_cancellable_new ();
      job->series_dir = g_strdup (t->series->dir);
      job->audio_path = g_strdup (audio);
      job->cancel = g_object_ref (t->em_cancel);
      job->win = g_object_ref (self);
      task = g_task_new (NULL, t->em_cancel, NULL, NULL);
      g_task_set_task_data (task, job, (GDestroyNotify) emergence_job_free);
      g_task_run_in_thread (task, emergence_thread);
    }
  update_emergence_panel (self);
}

/* ------------------------------------------------------------------ series */

static void
update_bar (VitaWindow *self)
{
  VitaTeach *t = self->teach;
  g_autofree char *text = NULL;

  gtk_revealer_set_reveal_child (GTK_REVEALER (t->bar), t->series != NULL);
  if (t->series == NULL || t->index < 0)
    return;
  t->syncing = TRUE;
  gtk_range_set_value (GTK_RANGE (t->scale), t->index);
  t->syncing = FALSE;
  /* Translators: the checkpoint shown: its training step, then "k of n". */
  text = g_strdup_printf (_("step %" G_GINT64_FORMAT " (%d of %d)"),
                          t->series->entries[t->index].step, t->index + 1, t->series->n);
  gtk_label_set_text (GTK_LABEL (t->step_label), text);
}

static void
show_checkpoint (VitaWindow *self, int index)
{
  VitaTeach *t = self->teach;
  g_autoptr(GError) error = NULL;
  g_autofree char *label = NULL;

  if (t->series == NULL)
    return;
  index = CLAMP (index, 0, t->series->n - 1);
  if (t->vits[index] == NULL && (t->vits[index] = vita_series_load (t->series, index, &error)) == NULL)
    {
      g_autofree char *escaped = g_markup_escape_text (error->message, -1);
      _vita_window_toast (self, escaped);
      return;
    }
  t->index = index;
  /* Translators: the model label while a checkpoint of a series is shown. */
  label = g_strdup_printf (_("training step %" G_GINT64_FORMAT), t->series->entries[index].step);
  vita_session_show_checkpoint (self->session, t->vits[index], label);
  vita_session_set_series (self->session, t->series->dir, t->series->entries[index].step);
  update_bar (self);
  update_emergence_panel (self);
}

/* While nothing else is analysed: the nearest checkpoint not analysed yet, ahead of
 * being asked for (index+1, index−1, index+2, index−2), so that stepping feels
 * immediate; no further (each kept analysis holds the whole track's results). */
static void
prefetch_nearest (VitaWindow *self)
{
  VitaTeach *t = self->teach;

  if (t->series == NULL || t->index < 0 || t->play_id != 0 || vita_session_is_busy (self->session) ||
      vita_session_is_prefetching (self->session))
    return;
  for (int d = 1; d <= PREFETCH_REACH; d++)
    for (int sign = 1; sign >= -1; sign -= 2)
      {
        int i = t->index + sign * d;
        if (i < 0 || i >= t->series->n)
          continue;
        if (t->vits[i] == NULL && (t->vits[i] = vita_series_load (t->series, i, NULL)) == NULL)
          continue;
        if (vita_session_prefetch_checkpoint (self->session, t->vits[i]))
          return;
      }
}

static void
stop_playing (VitaTeach *t)
{
  g_clear_handle_id (&t->play_id, g_source_remove);
  if (t->play_button != NULL)
    gtk_button_set_icon_name (GTK_BUTTON (t->play_button), "media-playback-start-symbolic");
}

static void
close_series (VitaWindow *self)
{
  VitaTeach *t = self->teach;

  stop_playing (t);
  stop_emergence (t);
  g_clear_pointer (&t->em, vita_emergence_free);
  update_emergence_panel (self);
  for (int i = 0; t->series != NULL && i < t->series->n; i++)
    vita_engine_model_unref (t->vits[i]);
  g_clear_pointer (&t->vits, g_free);
  g_clear_pointer (&t->series, vita_series_free);
  t->index = -1;
  _vita_window_arrange_update (self);   /* the emergence panel goes with the series */
  update_bar (self);
}

/* The slider's marks, one per checkpoint (its step), in the step bar's type scale: a
 * presentation's larger text reaches them too (markup: they are the scale's own
 * labels).  Scaled, they are labelled only where the text fits beside its neighbours
 * (every mark keeps its tick; the last is always labelled): 11 checkpoints at 2× in a
 * 1280-px presentation ran "100200500 1000" together.  The slider's width is the
 * window's less the bar's other children (the window may still grow into full screen:
 * then fewer labels than would fit, never overlapping ones). */
static void
set_step_marks (VitaWindow *self)
{
  VitaTeach *t = self->teach;
  const double scale = t->presenting ? t->type_scale : 1.0;
  const int n = t->series != NULL ? t->series->n : 0;
  const PangoFontDescription *font =
    pango_context_get_font_description (gtk_widget_get_pango_context (t->scale));
  const int size = (int) lround (pango_font_description_get_size (font) * scale);
  g_autofree gboolean *labelled = g_new0 (gboolean, MAX (n, 1));
  g_auto(GStrv) texts = g_new0 (char *, MAX (n, 1) + 1);

  for (int i = 0; i < n; i++)
    texts[i] = scale != 1.0 && size > 0
      ? g_strdup_printf ("<span size=\"%d\">%" G_GINT64_FORMAT "</span>", size, t->series->entries[i].step)
      : g_strdup_printf ("%" G_GINT64_FORMAT, t->series->entries[i].step);
  /* scaled, the end labels' halves past the slider's ends: room beside it for them */
  gtk_widget_set_margin_start (t->scale, 0);
  gtk_widget_set_margin_end (t->scale, 0);
  if (scale == 1.0 || n < 2)
    for (int i = 0; i < n; i++)
      labelled[i] = TRUE;
  else
    {
      /* the slider's width: the window's less the bar's other children and spacing */
      int others = 0;
      GtkWidget *kids[] = { t->bar_title, t->play_button, t->step_label };
      for (guint k = 0; k < G_N_ELEMENTS (kids); k++)
        {
          int nat = 0;
          gtk_widget_measure (kids[k], GTK_ORIENTATION_HORIZONTAL, -1, NULL, &nat, NULL, NULL);
          others += nat;
        }
      double *w = g_new (double, n);
      for (int i = 0; i < n; i++)
        {
          PangoLayout *layout = gtk_widget_create_pango_layout (t->scale, NULL);
          int pw = 0;
          pango_layout_set_markup (layout, texts[i], -1);
          pango_layout_get_pixel_size (layout, &pw, NULL);
          w[i] = pw + 0.5 * size / PANGO_SCALE;   /* a gap of half an em */
          g_object_unref (layout);
        }
      /* less the bar's margins (2 × 12), its 4 gaps of 12, the close button (~32), the
       * slider's own ends (~20) and the end labels' room */
      const double track = MAX (gtk_widget_get_width (GTK_WIDGET (self)) - others - 24 - 4 * 12 -
                                32 - 20 - ceil (w[0] / 2) - ceil (w[n - 1] / 2), 50);
      gtk_widget_set_margin_start (t->scale, (int) ceil (w[0] / 2));
      gtk_widget_set_margin_end (t->scale, (int) ceil (w[n - 1] / 2));
      /* the last first, then from the left whatever clears its neighbours */
      labelled[n - 1] = TRUE;
      double right = -G_MAXDOUBLE;
      const double last_left = track - w[n - 1] / 2;
      for (int i = 0; i < n - 1; i++)
        {
          const double x = track * i / (n - 1);
          if (x - w[i] / 2 >= right && x + w[i] / 2 <= last_left)
            {
              labelled[i] = TRUE;
              right = x + w[i] / 2;
            }
        }
      g_free (w);
    }
  gtk_scale_clear_marks (GTK_SCALE (t->scale));
  for (int i = 0; i < n; i++)
    gtk_scale_add_mark (GTK_SCALE (t->scale), i, GTK_POS_BOTTOM, labelled[i] ? texts[i] : NULL);
}

/* Opens a series and shows the checkpoint nearest `step` (-1: the last). */
static gboolean
open_series (VitaWindow *self, const char *path, gint64 step)
{
  VitaTeach *t = self->teach;
  g_autoptr(GError) error = NULL;
  VitaSeries *series = vita_series_open (path, &error);
  int best = 0;

  if (series == NULL)
    {
      g_autofree char *escaped = g_markup_escape_text (error->message, -1);
      _vita_window_toast (self, escaped);
      return FALSE;
    }
  close_series (self);
  t->series = series;
  t->vits = g_new0 (VitaVit *, series->n);
  gtk_range_set_range (GTK_RANGE (t->scale), 0, MAX (series->n - 1, 1));
  set_step_marks (self);
  for (int i = 0; i < series->n; i++)
    if (step < 0 || llabs (series->entries[i].step - step) < llabs (series->entries[best].step - step))
      best = i;
  _vita_window_arrange_update (self);   /* the emergence panel comes with it */
  show_checkpoint (self, step < 0 ? series->n - 1 : best);
  start_emergence (self);
  return TRUE;
}

static void
on_scale_changed (GtkRange *range, VitaWindow *self)
{
  VitaTeach *t = self->teach;
  int index = (int) lround (gtk_range_get_value (range));

  if (t->syncing || t->series == NULL || index == t->index)
    return;
  show_checkpoint (self, index);
}

static gboolean
play_tick (gpointer data)
{
  VitaWindow *self = data;
  VitaTeach *t = self->teach;

  if (t->series == NULL || t->index >= t->series->n - 1)
    {
      t->play_id = 0;
      stop_playing (t);
      return G_SOURCE_REMOVE;
    }
  /* the next checkpoint every PLAY_INTERVAL_MS: the attention panels compute the window
   * under the playhead on demand, the rest of the track follows (or comes from the
   * kept analyses) */
  show_checkpoint (self, t->index + 1);
  return G_SOURCE_CONTINUE;
}

static void
action_series_play (GtkWidget *widget, const char *name, GVariant *param)
{
  VitaWindow *self = VITA_WINDOW (widget);
  VitaTeach *t = self->teach;

  if (t->series == NULL)
    return;
  if (t->play_id != 0)
    {
      stop_playing (t);
      return;
    }
  if (t->index >= t->series->n - 1)
    show_checkpoint (self, 0);
  t->play_id = g_timeout_add (PLAY_INTERVAL_MS, play_tick, self);
  gtk_button_set_icon_name (GTK_BUTTON (t->play_button), "media-playback-pause-symbolic");
}

static void
action_checkpoint_step (GtkWidget *widget, const char *name, GVariant *param)
{
  VitaWindow *self = VITA_WINDOW (widget);
  VitaTeach *t = self->teach;

  if (t->series == NULL)
    return;
  stop_playing (t);
  show_checkpoint (self, t->index + (g_str_equal (name, "win.checkpoint-next") ? 1 : -1));
}

static void
on_series_chosen (GtkNativeDialog *native, int response, gpointer user_data)
{
  VitaWindow *self = VITA_WINDOW (user_data);

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (native));
      g_autofree char *path = file ? g_file_get_path (file) : NULL;
      if (path != NULL)
        open_series (self, path, -1);
    }
  g_object_unref (native);
}

static void
action_open_series (GtkWidget *widget, const char *name, GVariant *param)
{
  VitaWindow *self = VITA_WINDOW (widget);
  GtkFileChooserNative *native =
    gtk_file_chooser_native_new (_("Open Training Series"), GTK_WINDOW (self),
                                 GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER, _("_Open"), _("_Cancel"));

  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (native), TRUE);
  g_signal_connect (native, "response", G_CALLBACK (on_series_chosen), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (native));
}

/* The bundled series: default-series/ beside the default model. */
static char *
default_series_path (void)
{
  g_autofree char *model = vita_default_model_find ();
  g_autofree char *dir = model ? g_path_get_dirname (model) : NULL;
  char *series = dir ? g_build_filename (dir, "default-series", NULL) : NULL;

  if (series != NULL && !g_file_test (series, G_FILE_TEST_IS_DIR))
    g_clear_pointer (&series, g_free);
  return series;
}

static void
action_use_default_series (GtkWidget *widget, const char *name, GVariant *param)
{
  VitaWindow *self = VITA_WINDOW (widget);
  g_autofree char *path = default_series_path ();

  if (path == NULL)
    _vita_window_toast (self, _("The bundled training series is not installed"));
  else
    open_series (self, path, -1);
}

/* A model file opened by hand ends the series; a restored session reopens one. */
static void
on_session_model_path (VitaWindow *self)
{
  if (self->teach->series != NULL && vita_session_get_model_path (self->session) != NULL)
    {
      close_series (self);
      vita_session_set_series (self->session, NULL, 0);
    }
}

static void
on_session_series (VitaWindow *self)
{
  VitaTeach *t = self->teach;
  gint64 step = 0;
  const char *path = vita_session_get_series (self->session, &step);

  if (path == NULL)
    {
      if (t->series != NULL)
        close_series (self);
      return;
    }
  if (t->series != NULL && g_strcmp0 (t->series->dir, path) == 0)
    return;   /* our own echo */
  open_series (self, path, step);
}

static void
on_session_audio_path (VitaWindow *self)
{
  if (self->teach->series != NULL)
    start_emergence (self);
}

/* Annotations load after the audio: onsets arriving (or another onset list) measure
 * the emergence panel again, as onset F. */
static void
on_session_lanes_changed (VitaWindow *self)
{
  VitaTeach *t = self->teach;
  const VitaEventList *onsets = vita_probe_set_get_onsets (vita_session_get_probe_set (self->session));

  if (t->series != NULL && onsets != t->em_onsets)
    start_emergence (self);
}

/* ------------------------------------------------------------------ presentation */

static gboolean
hide_overlay (gpointer data)
{
  VitaWindow *self = data;

  self->teach->overlay_id = 0;
  gtk_widget_set_visible (self->teach->overlay_label, FALSE);
  return G_SOURCE_REMOVE;
}

static void
show_overlay (VitaWindow *self, const char *text)
{
  VitaTeach *t = self->teach;

  gtk_label_set_text (GTK_LABEL (t->overlay_label), text);
  gtk_widget_set_visible (t->overlay_label, TRUE);
  g_clear_handle_id (&t->overlay_id, g_source_remove);
  t->overlay_id = g_timeout_add (OVERLAY_MS, hide_overlay, self);
}

/* The type scale of every panel, its card's header, and, while presenting, the
 * header bar's time and the training-step bar's labels (outside a presentation both
 * bars keep the window's minimum width). */
static void
apply_type_scale (VitaWindow *self)
{
  VitaTeach *t = self->teach;
  double bars = t->presenting ? t->type_scale : 1.0;

  vita_label_set_type_scale (self->position_label, bars);
  vita_label_set_type_scale (GTK_LABEL (t->bar_title), bars);
  vita_label_set_type_scale (GTK_LABEL (t->step_label), bars);
  set_step_marks (self);
  for (int i = 0; i < VITA_N_PANELS; i++)
    if (self->cards[i] != NULL && VITA_IS_PANEL_CARD (self->cards[i]))
      vita_panel_card_set_type_scale (VITA_PANEL_CARD (self->cards[i]), t->type_scale);
  for (int i = 0; i < VITA_N_PANELS; i++)
    if (self->panels[i] != NULL)
      {
        const VitaPanelClass *klass = vita_panel_get_class (i);
        vita_panel_view_set_type_scale (VITA_PANEL_VIEW (self->panels[i]), t->type_scale);
        /* taller panels for the larger text (widths stay: rows share the window) */
        gtk_widget_set_size_request (self->panels[i], klass->width,
                                     (int) lround (klass->height * t->type_scale));
      }
}

static void
action_type_scale (GtkWidget *widget, const char *name, GVariant *param)
{
  VitaWindow *self = VITA_WINDOW (widget);
  VitaTeach *t = self->teach;
  double s = g_str_equal (name, "win.type-bigger") ? t->type_scale + TYPE_SCALE_STEP
           : g_str_equal (name, "win.type-smaller") ? t->type_scale - TYPE_SCALE_STEP : 1.0;
  g_autofree char *text = NULL;

  t->type_scale = CLAMP (s, TYPE_SCALE_MIN, TYPE_SCALE_MAX);
  apply_type_scale (self);
  /* Translators: the presentation type scale, e.g. "Text size 1.5×". */
  text = g_strdup_printf (_("Text size %g×"), t->type_scale);
  show_overlay (self, text);
}

static void
set_header_shown (VitaWindow *self, gboolean shown)
{
  gtk_widget_set_visible (self->teach->header_bar, shown);
}

/* Without a window manager (a bare X server, a kiosk) nothing answers the
 * full-screen request: shortly after it, a window still not full screen is sized to
 * its monitor instead (where the X server put it; without a window manager that is
 * the top left), and gets its size back when the presentation ends.  With a window
 * manager the window is full screen by then and this does nothing. */
static gboolean
check_fullscreen (gpointer data)
{
  VitaWindow *self = data;
  VitaTeach *t = self->teach;
  GdkSurface *surface = gtk_native_get_surface (GTK_NATIVE (self));
  GdkMonitor *monitor;
  GdkRectangle geometry;

  t->fullscreen_check_id = 0;
  if (!t->presenting || gtk_window_is_fullscreen (GTK_WINDOW (self)) || surface == NULL ||
      (monitor = gdk_display_get_monitor_at_surface (gtk_widget_get_display (GTK_WIDGET (self)),
                                                     surface)) == NULL)
    return G_SOURCE_REMOVE;
  gdk_monitor_get_geometry (monitor, &geometry);
  gtk_window_get_default_size (GTK_WINDOW (self), &t->saved_width, &t->saved_height);
  t->own_fullscreen = TRUE;
  gtk_window_set_default_size (GTK_WINDOW (self), geometry.width, geometry.height);
  return G_SOURCE_REMOVE;
}

/* The window manager left full screen on its own (its key, a workspace switch):
 * the presentation ends with it. */
static void
on_fullscreened (VitaWindow *self)
{
  VitaTeach *t = self->teach;

  if (gtk_window_is_fullscreen (GTK_WINDOW (self)))
    t->fullscreen_seen = t->presenting;
  else if (t->presenting && t->fullscreen_seen)
    gtk_widget_activate_action (GTK_WIDGET (self), "win.unpresent", NULL);
}

static void
action_present (GtkWidget *widget, const char *name, GVariant *param)
{
  VitaWindow *self = VITA_WINDOW (widget);
  VitaTeach *t = self->teach;

  t->presenting = g_str_equal (name, "win.present") ? !t->presenting : FALSE;
  g_clear_handle_id (&t->fullscreen_check_id, g_source_remove);
  t->fullscreen_seen = FALSE;
  if (t->presenting)
    {
      gtk_window_fullscreen (GTK_WINDOW (self));
      t->fullscreen_check_id = g_timeout_add (FULLSCREEN_CHECK_MS, check_fullscreen, self);
      /* a screen shows a few panels: without views the lower ones are below the fold */
      if (vita_session_get_views (self->session)->len == 0)
        show_overlay (self, _("Hide panels to fit the screen, Ctrl+B captures them as a view; "
                              "PageDown: next view, Escape: end"));
    }
  else
    {
      gtk_window_unfullscreen (GTK_WINDOW (self));
      if (t->own_fullscreen)
        gtk_window_set_default_size (GTK_WINDOW (self), t->saved_width, t->saved_height);
      t->own_fullscreen = FALSE;
      leave_views (self);   /* the person's own layout and view state again */
    }
  set_header_shown (self, !t->presenting);
  apply_type_scale (self);   /* the header bar's time follows the scale while presenting */
}

/* While presenting, the header bar comes back when the pointer reaches the top. */
static void
on_motion (GtkEventControllerMotion *motion, double x, double y, VitaWindow *self)
{
  VitaTeach *t = self->teach;

  if (!t->presenting)
    return;
  if (y <= 4 && !gtk_widget_get_visible (t->header_bar))
    set_header_shown (self, TRUE);
  else if (gtk_widget_get_visible (t->header_bar) &&
           y > gtk_widget_get_height (t->header_bar) + 24)
    set_header_shown (self, FALSE);
}

/* Ctrl+B: the visible panels and the view state as a new named view. */
static void
action_capture_view (GtkWidget *widget, const char *name, GVariant *param)
{
  VitaWindow *self = VITA_WINDOW (widget);
  VitaTeach *t = self->teach;
  GPtrArray *views = vita_session_get_views (self->session);
  g_autofree char *view_name = g_strdup_printf (_("View %u"), views->len + 1);
  VitaSessionNamedView *nv = vita_session_named_view_new (view_name);
  g_autoptr(VitaSessionState) state = vita_session_to_state (self->session);
  g_autoptr(GStrvBuilder) panels = g_strv_builder_new ();
  g_autofree char *text = NULL;

  nv->view = state->view;   /* take its strings */
  state->view.colormap = state->view.follow = NULL;
  for (int i = 0; i < VITA_N_PANELS; i++)
    {
      GtkWidget *card = card_of (self, i);
      /* shown: in the window (the arrangement takes hidden cards out of it) */
      if (card != NULL && gtk_widget_get_root (card) != NULL && gtk_widget_is_visible (card))
        g_strv_builder_add (panels, vita_panel_to_string (i));
    }
  nv->panels = g_strv_builder_end (panels);
  vita_session_add_view (self->session, nv);
  t->view_index = views->len - 1;
  /* Translators: %s is a view's name ("View 2"). */
  text = g_strdup_printf (_("Captured “%s”"), nv->name);
  show_overlay (self, text);
}

/* The person's own view state, kept when the first view shows (the arrangement is kept
 * beside it by _vita_window_arrange_show_only). */
static void
keep_mine (VitaWindow *self)
{
  VitaTimeline *tl = vita_session_get_timeline (self->session);
  VitaSessionView *m = &self->teach->mine;

  m->position = vita_timeline_get_position (tl);
  m->layer = vita_timeline_get_layer (tl);
  m->head = vita_timeline_get_head (tl);
  m->query_token = vita_timeline_get_query_token (tl);
  m->attention_mode = vita_session_get_attention_mode (self->session);
  vita_timeline_get_visible (tl, &m->visible_start, &m->visible_end);
}

/* Back to the person's own arrangement and view state (Escape, Back to My Layout,
 * leaving the presentation); FALSE when no view was shown. */
static gboolean
leave_views (VitaWindow *self)
{
  VitaTimeline *tl = vita_session_get_timeline (self->session);
  const VitaSessionView *m = &self->teach->mine;

  if (!_vita_window_arrange_leave_view (self))
    return FALSE;
  /* the playhead first: the time range set after it stays as it was */
  gtk_widget_activate_action (GTK_WIDGET (self), "win.seek", "x", (gint64) m->position);
  vita_timeline_set_layer (tl, m->layer);
  vita_timeline_set_head (tl, m->head);
  vita_timeline_set_query_token (tl, m->query_token);
  vita_session_set_attention_mode (self->session, m->attention_mode);
  if (m->visible_end > m->visible_start)
    vita_timeline_set_visible (tl, m->visible_start, m->visible_end);
  return TRUE;
}

static void
apply_named_view (VitaWindow *self, const VitaSessionNamedView *nv)
{
  VitaTimeline *tl = vita_session_get_timeline (self->session);
  const VitaSessionView *v = &nv->view;

  if (!self->in_view)
    keep_mine (self);
  if (nv->panels != NULL)
    _vita_window_arrange_show_only (self, (const char *const *) nv->panels);
  else if (!self->in_view)   /* all panels as they are: still a view to leave */
    {
      g_autoptr(GStrvBuilder) all = g_strv_builder_new ();
      for (int p = 0; p < VITA_N_PANELS; p++)
        if (!self->panel_hidden[p])
          g_strv_builder_add (all, vita_panel_to_string (p));
      g_auto(GStrv) shown = g_strv_builder_end (all);
      _vita_window_arrange_show_only (self, (const char *const *) shown);
    }
  gtk_widget_activate_action (GTK_WIDGET (self), "win.seek", "x", (gint64) v->position);
  vita_timeline_set_layer (tl, v->layer);
  vita_timeline_set_head (tl, v->head);
  vita_timeline_set_query_token (tl, v->query_token);
  vita_session_set_attention_mode (self->session, v->attention_mode);
  if (v->visible_end > v->visible_start)
    vita_timeline_set_visible (tl, v->visible_start, v->visible_end);
}

/* Shows view `i` of the session and names it in the overlay. */
static void
show_view (VitaWindow *self, int i)
{
  GPtrArray *views = vita_session_get_views (self->session);
  const VitaSessionNamedView *nv = g_ptr_array_index (views, i);
  g_autofree char *text = NULL;

  self->teach->view_index = i;
  apply_named_view (self, nv);
  /* Translators: a view's name, then its place, e.g. "View 2 — 2 of 3". */
  text = g_strdup_printf (_("%s — %d of %d"), nv->name, i + 1, (int) views->len);
  show_overlay (self, text);
}

static void
action_view_step (GtkWidget *widget, const char *name, GVariant *param)
{
  VitaWindow *self = VITA_WINDOW (widget);
  VitaTeach *t = self->teach;
  int n = (int) vita_session_get_views (self->session)->len, i;

  if (n == 0)
    {
      show_overlay (self, _("No views yet: press Ctrl+B to capture one"));
      return;
    }
  i = g_str_equal (name, "win.view-next") ? t->view_index + 1 : t->view_index - 1;
  show_view (self, CLAMP (i, 0, n - 1));
}

/* Escape (outside a presentation) or the menu's Back to My Layout: the arrangement
 * and view state the person had before the first view. */
static void
action_leave_views (GtkWidget *widget, const char *name, GVariant *param)
{
  VitaWindow *self = VITA_WINDOW (widget);

  if (leave_views (self))
    show_overlay (self, _("Back to your layout"));
}

/* Saving while a view shows: the file keeps the person's own view state (as it keeps
 * their arrangement, _vita_window_arrange_to_state) and names the view shown. */
void
_vita_window_teach_to_state (VitaWindow *self, VitaSessionState *state)
{
  VitaTeach *t = self->teach;
  GPtrArray *views = vita_session_get_views (self->session);

  if (!self->in_view || t->view_index < 0 || t->view_index >= (int) views->len)
    return;
  g_free (state->active_view);
  state->active_view = g_strdup (((VitaSessionNamedView *) g_ptr_array_index (views, t->view_index))->name);
  state->view.position = t->mine.position;   /* inside the time range: it stays */
  state->view.layer = t->mine.layer;
  state->view.head = t->mine.head;
  state->view.query_token = t->mine.query_token;
  state->view.attention_mode = t->mine.attention_mode;
  state->view.visible_start = t->mine.visible_start;
  state->view.visible_end = t->mine.visible_end;
}

/* The view a session was saved with shows once the session's own view state is
 * restored ("view-restored"; vita_window_open_session calls it at once when the
 * session has no audio to wait for). */
void
_vita_window_teach_show_pending_view (VitaWindow *self)
{
  VitaTeach *t = self->teach;
  g_autofree char *name = g_steal_pointer (&t->pending_view);
  GPtrArray *views = vita_session_get_views (self->session);

  if (name == NULL)
    return;
  for (guint i = 0; i < views->len; i++)
    if (g_str_equal (((VitaSessionNamedView *) g_ptr_array_index (views, i))->name, name))
      {
        show_view (self, (int) i);
        return;
      }
  g_message ("The session's active view “%s” is not one of its views: its own layout is shown", name);
}

/* Before vita_session_restore (which takes the state): the view to show once it is
 * restored. */
void
_vita_window_teach_from_state (VitaWindow *self, const VitaSessionState *state)
{
  VitaTeach *t = self->teach;

  t->view_index = -1;
  g_free (t->pending_view);
  t->pending_view = g_strdup (state->active_view);
}

/* ------------------------------------------------------------------ style */

static void
on_dark (VitaWindow *self)
{
  gboolean dark = adw_style_manager_get_dark (adw_style_manager_get_default ());

  for (int i = 0; i < VITA_N_PANELS; i++)
    if (self->panels[i] != NULL)
      vita_panel_view_set_dark (VITA_PANEL_VIEW (self->panels[i]), dark);
}

static void
on_style_setting (VitaWindow *self)
{
  g_autofree char *nick = g_settings_get_string (self->settings, "style");
  AdwColorScheme scheme = g_str_equal (nick, "dark") ? ADW_COLOR_SCHEME_FORCE_DARK
                        : g_str_equal (nick, "light") ? ADW_COLOR_SCHEME_FORCE_LIGHT
                                                      : ADW_COLOR_SCHEME_DEFAULT;

  adw_style_manager_set_color_scheme (adw_style_manager_get_default (), scheme);
  on_dark (self);
}

/* ------------------------------------------------------------------ keys */

static gboolean
on_key_pressed (GtkEventControllerKey *controller, guint keyval, guint keycode,
                GdkModifierType state, gpointer user_data)
{
  VitaWindow *self = VITA_WINDOW (user_data);
  GtkWidget *focus = gtk_root_get_focus (GTK_ROOT (self));
  GdkModifierType mods = state & (GDK_CONTROL_MASK | GDK_ALT_MASK | GDK_SUPER_MASK);
  const char *action = NULL;

  if (focus != NULL && (GTK_IS_EDITABLE (focus) || GTK_IS_TEXT (focus) ||
                        gtk_widget_get_ancestor (focus, GTK_TYPE_POPOVER) != NULL))
    return GDK_EVENT_PROPAGATE;
  if (mods == 0)
    switch (keyval)
      {
      case GDK_KEY_comma:     action = "win.checkpoint-previous"; break;
      case GDK_KEY_period:    action = "win.checkpoint-next"; break;
      case GDK_KEY_F11:       action = "win.present"; break;
      case GDK_KEY_Page_Down: action = "win.view-next"; break;
      case GDK_KEY_Page_Up:   action = "win.view-previous"; break;
      case GDK_KEY_Escape:
        action = self->teach->presenting ? "win.unpresent" : self->in_view ? "win.leave-views" : NULL;
        break;
      default: break;
      }
  else if (mods == GDK_CONTROL_MASK)
    switch (keyval)
      {
      case GDK_KEY_plus: case GDK_KEY_equal: case GDK_KEY_KP_Add:
        action = "win.type-bigger"; break;
      case GDK_KEY_minus: case GDK_KEY_underscore: case GDK_KEY_KP_Subtract:
        action = "win.type-smaller"; break;
      case GDK_KEY_0: case GDK_KEY_KP_0:
        action = "win.type-reset"; break;
      case GDK_KEY_b: case GDK_KEY_B:
        action = "win.capture-view"; break;
      default: break;
      }
  if (action == NULL)
    return GDK_EVENT_PROPAGATE;
  gtk_widget_activate_action (GTK_WIDGET (self), action, NULL);
  return GDK_EVENT_STOP;
}

/* ------------------------------------------------------------------ set-up */

static GtkWidget *
build_bar (VitaWindow *self)
{
  VitaTeach *t = self->teach;
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  GtkWidget *title = t->bar_title = gtk_label_new (_("Training step"));
  GtkWidget *close = gtk_button_new_from_icon_name ("window-close-symbolic");

  t->bar = gtk_revealer_new ();
  gtk_revealer_set_transition_type (GTK_REVEALER (t->bar), GTK_REVEALER_TRANSITION_TYPE_SLIDE_DOWN);
  gtk_widget_add_css_class (box, "vita-series-bar");
  gtk_widget_set_margin_start (box, 12);
  gtk_widget_set_margin_end (box, 12);
  gtk_widget_set_margin_top (box, 4);
  gtk_widget_set_margin_bottom (box, 4);
  gtk_widget_add_css_class (title, "heading");
  t->play_button = gtk_button_new_from_icon_name ("media-playback-start-symbolic");
  gtk_widget_set_tooltip_text (t->play_button, _("Play through training"));
  gtk_actionable_set_action_name (GTK_ACTIONABLE (t->play_button), "win.series-play");
  t->scale = gtk_scale_new_with_range (GTK_ORIENTATION_HORIZONTAL, 0, 1, 1);
  gtk_scale_set_draw_value (GTK_SCALE (t->scale), FALSE);
  gtk_range_set_round_digits (GTK_RANGE (t->scale), 0);
  gtk_widget_set_hexpand (t->scale, TRUE);
  gtk_widget_set_tooltip_text (t->scale, _("Checkpoint of the series (, and . step one)"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (t->scale), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Training step"), -1);
  g_signal_connect (t->scale, "value-changed", G_CALLBACK (on_scale_changed), self);
  g_object_set_data (G_OBJECT (self), "vita-test-step-scale", t->scale);
  t->step_label = gtk_label_new (NULL);
  gtk_label_set_width_chars (GTK_LABEL (t->step_label), 22);
  gtk_label_set_xalign (GTK_LABEL (t->step_label), 0);
  gtk_widget_add_css_class (t->step_label, "numeric");
  gtk_widget_set_tooltip_text (close, _("Close the series"));
  gtk_actionable_set_action_name (GTK_ACTIONABLE (close), "win.close-series");
  gtk_widget_add_css_class (close, "flat");
  gtk_box_append (GTK_BOX (box), title);
  gtk_box_append (GTK_BOX (box), t->play_button);
  gtk_box_append (GTK_BOX (box), t->scale);
  gtk_box_append (GTK_BOX (box), t->step_label);
  gtk_box_append (GTK_BOX (box), close);
  gtk_revealer_set_child (GTK_REVEALER (t->bar), box);
  return t->bar;
}

static void
action_close_series (GtkWidget *widget, const char *name, GVariant *param)
{
  VitaWindow *self = VITA_WINDOW (widget);

  close_series (self);
  vita_session_set_series (self->session, NULL, 0);
}

void
_vita_window_teach_class_init (GtkWidgetClass *widget_class)
{
  gtk_widget_class_install_action (widget_class, "win.open-series", NULL, action_open_series);
  gtk_widget_class_install_action (widget_class, "win.use-default-series", NULL, action_use_default_series);
  gtk_widget_class_install_action (widget_class, "win.close-series", NULL, action_close_series);
  gtk_widget_class_install_action (widget_class, "win.series-play", NULL, action_series_play);
  gtk_widget_class_install_action (widget_class, "win.checkpoint-next", NULL, action_checkpoint_step);
  gtk_widget_class_install_action (widget_class, "win.checkpoint-previous", NULL, action_checkpoint_step);
  gtk_widget_class_install_action (widget_class, "win.present", NULL, action_present);
  gtk_widget_class_install_action (widget_class, "win.unpresent", NULL, action_present);
  gtk_widget_class_install_action (widget_class, "win.type-bigger", NULL, action_type_scale);
  gtk_widget_class_install_action (widget_class, "win.type-smaller", NULL, action_type_scale);
  gtk_widget_class_install_action (widget_class, "win.type-reset", NULL, action_type_scale);
  gtk_widget_class_install_action (widget_class, "win.capture-view", NULL, action_capture_view);
  gtk_widget_class_install_action (widget_class, "win.view-next", NULL, action_view_step);
  gtk_widget_class_install_action (widget_class, "win.view-previous", NULL, action_view_step);
  gtk_widget_class_install_action (widget_class, "win.leave-views", NULL, action_leave_views);
}

/* After the template and the panels: the bar goes under the header bar, the view-name
 * overlay over the whole content. */
void
_vita_window_teach_init (VitaWindow *self)
{
  VitaTeach *t = g_new0 (VitaTeach, 1);
  GtkEventController *motion;
  GtkWidget *overlay;

  self->teach = t;
  t->win = self;
  t->index = -1;
  t->view_index = -1;
  t->type_scale = 1.0;
  t->header_bar = gtk_widget_get_first_child (self->content_box);
  gtk_box_insert_child_after (GTK_BOX (self->content_box), build_bar (self), t->header_bar);

  g_object_ref (self->content_box);
  adw_toast_overlay_set_child (self->toast_overlay, NULL);
  overlay = gtk_overlay_new ();
  gtk_overlay_set_child (GTK_OVERLAY (overlay), self->content_box);
  g_object_unref (self->content_box);
  t->overlay_label = gtk_label_new (NULL);
  gtk_widget_add_css_class (t->overlay_label, "osd");
  gtk_widget_add_css_class (t->overlay_label, "vita-view-overlay");
  gtk_widget_add_css_class (t->overlay_label, "title-1");
  gtk_widget_set_halign (t->overlay_label, GTK_ALIGN_CENTER);
  gtk_widget_set_valign (t->overlay_label, GTK_ALIGN_START);
  gtk_widget_set_margin_top (t->overlay_label, 48);
  gtk_widget_set_can_target (t->overlay_label, FALSE);
  gtk_widget_set_visible (t->overlay_label, FALSE);
  gtk_overlay_add_overlay (GTK_OVERLAY (overlay), t->overlay_label);
  adw_toast_overlay_set_child (self->toast_overlay, overlay);

  _vita_window_arrange_update (self);   /* the emergence panel goes with the series */

  g_signal_connect_object (self->session, "notify::model-path", G_CALLBACK (on_session_model_path), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->session, "notify::series", G_CALLBACK (on_session_series), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->session, "notify::audio-path", G_CALLBACK (on_session_audio_path), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->session, "notify::analysis-complete", G_CALLBACK (prefetch_nearest), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->session, "lanes-changed", G_CALLBACK (on_session_lanes_changed), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->session, "prefetched", G_CALLBACK (prefetch_nearest), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->session, "view-restored", G_CALLBACK (_vita_window_teach_show_pending_view), self,
                           G_CONNECT_SWAPPED);

  g_signal_connect_object (adw_style_manager_get_default (), "notify::dark",
                           G_CALLBACK (on_dark), self, G_CONNECT_SWAPPED);
  g_signal_connect_swapped (self->settings, "changed::style", G_CALLBACK (on_style_setting), self);
  on_style_setting (self);

  g_signal_connect (self, "notify::fullscreened", G_CALLBACK (on_fullscreened), NULL);

  motion = gtk_event_controller_motion_new ();
  g_signal_connect (motion, "motion", G_CALLBACK (on_motion), self);
  gtk_widget_add_controller (GTK_WIDGET (self), motion);
}

/* The teaching keys (`,` `.` F11 Escape PageUp/PageDown Ctrl+± Ctrl+0 Ctrl+B): a capture-phase
 * controller of their own, added before the window's main one (actions) so that the
 * main key table is asked first. */
void
_vita_window_teach_keys_init (VitaWindow *self)
{
  GtkEventController *keys = gtk_event_controller_key_new ();

  gtk_event_controller_set_propagation_phase (keys, GTK_PHASE_CAPTURE);
  g_signal_connect (keys, "key-pressed", G_CALLBACK (on_key_pressed), self);
  gtk_widget_add_controller (GTK_WIDGET (self), keys);
}

/* Whether a training series is open (the emergence panel shows only then). */
gboolean
_vita_window_teach_has_series (VitaWindow *self)
{
  return self->teach != NULL && self->teach->series != NULL;
}

void
_vita_window_teach_dispose (VitaWindow *self)
{
  VitaTeach *t = self->teach;

  if (t == NULL || t->win == NULL)
    return;
  g_clear_handle_id (&t->overlay_id, g_source_remove);
  g_clear_handle_id (&t->fullscreen_check_id, g_source_remove);
  close_series (self);
  t->win = NULL;   /* once: the panels go with the template */
}

void
_vita_window_teach_finalize (VitaWindow *self)
{
  if (self->teach != NULL)
    g_free (self->teach->pending_view);
  g_clear_pointer (&self->teach, g_free);
}

/* ------------------------------------------------------------------ tests */

int
vita_window_get_checkpoint (VitaWindow *self, gint64 *step)
{
  VitaTeach *t = self->teach;

  if (step != NULL)
    *step = t->series && t->index >= 0 ? t->series->entries[t->index].step : -1;
  return t->index;
}

int
vita_window_get_n_checkpoints (VitaWindow *self)
{
  return self->teach->series ? self->teach->series->n : 0;
}

int
vita_window_get_emergence_done (VitaWindow *self)
{
  return self->teach->em_done;
}

const VitaEmergence *
vita_window_get_emergence (VitaWindow *self)
{
  return self->teach->em;
}

double
vita_window_get_type_scale (VitaWindow *self)
{
  return self->teach->type_scale;
}

gboolean
vita_window_is_presenting (VitaWindow *self)
{
  return self->teach->presenting;
}

const char *
vita_window_get_overlay_text (VitaWindow *self)
{
  return gtk_widget_get_visible (self->teach->overlay_label)
         ? gtk_label_get_text (GTK_LABEL (self->teach->overlay_label)) : NULL;
}

GtkWidget *
vita_window_get_panel_view (VitaWindow *self, const char *name)
{
  VitaPanel p;

  return vita_panel_from_string (name, &p) ? self->panels[p] : NULL;
}
