/* vita-analysis-job.c — see vita-analysis-job.h.
 *
 * Ownership: the job's thread (and a seek's preview thread, while the track decodes)
 * only touches the job (each holds a ref) and what the job owns (path copy, model ref,
 * PCM, peaks, analysis ref).  The main thread reads pcm/peaks only after "decoded" and
 * an analysis only as an "analysis-started" emission hands it over (a ref travels with
 * the emission); all are written before their emission is scheduled and never again,
 * so the hand-over through the main context is the only synchronisation needed, but
 * for the preview state (under lock) and the atomics.  The window disconnects from the
 * job before it goes away; the job outlives the window if its threads still run.
 */
#include "vita-config.h"
#include "vita-analysis-job.h"
#include "vita-main-post.h"
#include "vita-engine.h"

#include <glib/gi18n.h>
#include <errno.h>
#ifdef __linux__
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif
#include "dsp/vita-mel.h"
#include "dsp/vita-edit.h"
#include "vita-painters.h"

struct _VitaAnalysisJob
{
  GObject       parent_instance;

  /* owned, set before start */
  char         *path;
  VitaPcm      *given_pcm;      /* vita_analysis_job_new_for_pcm: no decode */
  GPtrArray    *edits;          /* VitaEdit*, applied to the PCM first, or NULL */
  int           workers;        /* 0: one per core but one */
  VitaVit      *vit;            /* NULL: decode and mel only */
  gint          priority_frame; /* atomic: the main thread moves it on a seek */
  GCancellable *cancellable;
  GMainContext *main_context;

  gboolean      preview;        /* the window under the playhead first (set_preview) */
  VitaAudioProgress decode_progress;  /* the decoder's, read by the main thread */

  /* written by the worker before the matching signal; read-only afterwards */
  VitaPcm      *pcm;
  VitaPeaks    *peaks;          /* waveform envelope, built here, not on the main thread */
  int           n_frames;
  VitaAnalysis *analysis;       /* the track's analysis (its mel in its store: no copy here) */
  gint          publish_pending;/* atomic: analysis not handed to the main thread yet ... */
  gint          publish_window; /* atomic: ... until it has this window (the preview's) */
  gpointer      live_analysis;  /* atomic: the analysis once it runs, for set_priority_frame */

  /* main thread: what "analysis-started" handed over last, and the track's length */
  VitaAnalysis *published;
  gboolean      published_preview; /* the analysis handed over last is a preview */
  float        *published_att;  /* during "analysis-started": its preview window's attention */
  int           published_att_window;
  gint64        n_samples;

  /* worker lifetime, under lock */
  GMutex        lock;
  GCond         cond;
  gboolean      running;
  /* previews, under lock */
  gboolean      previews_open;  /* until the track's analysis is handed over (or the
                                   header lied, or the decode failed) */
  gboolean      track_published;/* the track's analysis went to the main thread: no
                                   preview after it (it would replace the track's) */
  gboolean      preview_shown;  /* one was handed to the main thread ... */
  gint64        preview_samples;/* ... for a track of this length (the header's) */
  int           preview_window; /* ... showing this window */
  gboolean      seeking;        /* a seek's preview thread is alive */
  gint          seek_frame;     /* atomic: the frame it is for */

  /* progress coalescing */
  gint          progress_done;
  gint          progress_total;
  gint          progress_pending;
};

G_DEFINE_FINAL_TYPE (VitaAnalysisJob, vita_analysis_job, G_TYPE_OBJECT)

enum {
  SIGNAL_DECODED,
  SIGNAL_ANALYSIS_STARTED,
  SIGNAL_PROGRESS,
  SIGNAL_FINISHED,
  N_SIGNALS
};
static guint signals[N_SIGNALS];

typedef struct {
  VitaAnalysisJob *job;      /* ref */
  guint            signal;
  GError          *error;    /* finished only */
  VitaAnalysis    *analysis; /* analysis-started only: ref, or NULL (none yet) */
  gint64           n_samples;/* analysis-started and decoded: the track's length, or 0 */
  float           *attention;/* analysis-started of a preview: its window's attention, or NULL */
  gboolean         preview;  /* analysis-started: the analysis is a preview */
  int              att_window;
} Emission;

static void
emission_free (gpointer data)
{
  Emission *e = data;
  g_object_unref (e->job);
  g_clear_error (&e->error);
  g_clear_pointer (&e->analysis, vita_analysis_unref);
  g_free (e->attention);
  g_free (e);
}

static gboolean
emit_on_main (gpointer data)
{
  Emission *e = data;
  VitaAnalysisJob *self = e->job;

  if (g_cancellable_is_cancelled (self->cancellable))
    return G_SOURCE_REMOVE;
  if (e->signal == SIGNAL_PROGRESS)
    {
      g_atomic_int_set (&self->progress_pending, 0);
      g_signal_emit (self, signals[SIGNAL_PROGRESS], 0,
                     g_atomic_int_get (&self->progress_done),
                     g_atomic_int_get (&self->progress_total));
    }
  else if (e->signal == SIGNAL_FINISHED)
    g_signal_emit (self, signals[SIGNAL_FINISHED], 0, e->error);
  else
    {
      if (e->n_samples > 0)
        self->n_samples = e->n_samples;
      if (e->signal == SIGNAL_ANALYSIS_STARTED)
        {
          g_clear_pointer (&self->published, vita_analysis_unref);
          self->published = g_steal_pointer (&e->analysis);
          self->published_preview = e->preview;
          self->published_att = g_steal_pointer (&e->attention);
          self->published_att_window = e->att_window;
        }
      g_signal_emit (self, signals[e->signal], 0);
      g_clear_pointer (&self->published_att, g_free);   /* not taken by a handler */
    }
  return G_SOURCE_REMOVE;
}

static Emission *
emission_new (VitaAnalysisJob *self, guint signal)
{
  Emission *e = g_new0 (Emission, 1);

  e->job = g_object_ref (self);
  e->signal = signal;
  return e;
}

static void
schedule_emission (VitaAnalysisJob *self, Emission *e)
{
  vita_main_post (self->main_context, G_PRIORITY_DEFAULT, emit_on_main, e, emission_free);
}

static void
schedule (VitaAnalysisJob *self, guint signal, GError *error)
{
  Emission *e = emission_new (self, signal);

  e->error = error;
  schedule_emission (self, e);
}

/* "analysis-started" handing an (or NULL) to the main thread, with the track's length
 * and, for a preview, its window's attention (taken over; NULL: none). */
static void
schedule_analysis_full (VitaAnalysisJob *self, VitaAnalysis *an, gint64 n_samples,
                        float *attention, int att_window, gboolean preview)
{
  Emission *e = emission_new (self, SIGNAL_ANALYSIS_STARTED);
  e->preview = preview;

  e->analysis = an ? vita_analysis_ref (an) : NULL;
  e->n_samples = n_samples;
  e->attention = attention;
  e->att_window = att_window;
  schedule_emission (self, e);
}

static void
schedule_analysis (VitaAnalysisJob *self, VitaAnalysis *an, gint64 n_samples)
{
  schedule_analysis_full (self, an, n_samples, NULL, -1, FALSE);
}

/* Hands the track's analysis to the main thread, once; from then on no preview is
 * handed over (with the lock held, so a preview's emission never follows it). */
static void
publish_track_locked (VitaAnalysisJob *self, VitaAnalysis *an)
{
  if (!self->track_published)
    {
      self->track_published = TRUE;
      self->previews_open = FALSE;
      schedule_analysis (self, an, 0);
    }
}

static void
publish_track (VitaAnalysisJob *self, VitaAnalysis *an)
{
  g_mutex_lock (&self->lock);
  publish_track_locked (self, an);
  g_mutex_unlock (&self->lock);
}

static void
on_progress (VitaAnalysis *an, int done, int total, gpointer user_data)
{
  VitaAnalysisJob *self = user_data;

  /* after a preview: the track's analysis replaces it once it shows the same window
   * (or the one under the playhead now, after a seek): no panel goes blank between */
  if (g_atomic_int_get (&self->publish_pending))
    {
      int frame = CLAMP (g_atomic_int_get (&self->priority_frame), 0, an->n_frames - 1);
      if ((vita_analysis_window_ready (an, g_atomic_int_get (&self->publish_window)) ||
           vita_analysis_window_ready (an, vita_analysis_window_for_frame (an, frame))) &&
          g_atomic_int_compare_and_exchange (&self->publish_pending, 1, 0))
        publish_track (self, an);
    }
  g_atomic_int_set (&self->progress_done, done);
  g_atomic_int_set (&self->progress_total, total);
  /* At most one progress emission queued: the main loop is never flooded. */
  if (g_atomic_int_compare_and_exchange (&self->progress_pending, 0, 1))
    schedule (self, SIGNAL_PROGRESS, NULL);
}

/* What the app keeps in memory of a track's big arrays, in bytes: the decoded PCM
 * (unless VITASCOPE_PCM_MAP_BYTES says otherwise) and the analysis' tokens and mel
 * beyond this go to mapped cache files (16 MiB: 4.4 minutes of PCM at 16 kHz, 6.5
 * minutes of the bundled model's tokens), so a 10-minute track's resident set stays
 * within issue 14's 250 MB. */
#define APP_STORE_BYTES ((gsize) 16 << 20)

/* The app's analysis options: the windows nearest the priority frame first. */
static void
job_options (VitaAnalysisJob *self, VitaAnalysisOptions *opt, int n_frames)
{
  vita_analysis_options_init (opt);
  opt->priority_frame = CLAMP (g_atomic_int_get (&self->priority_frame), -1, n_frames - 1);
  /* leave a core to the UI (GTK, GStreamer playback); batches of 2 windows: the
   * windows at a seek come in after at most one small batch in flight, and more
   * workers fit the analysis's memory bound (bench-analysis, 1 thread, battle.ogg:
   * CPU 2.04 s at batch 2 vs 2.24 s at batch 8 for the paper-size model, 0.69 vs
   * 0.77 s for the bundled one) */
  opt->workers = MAX (1, (int) g_get_num_processors () - 1);
  if (self->workers > 0)
    opt->workers = self->workers;
  opt->batch = VITA_ANALYSIS_APP_BATCH;
  /* the app's resident set (issue 14.5): a track's tokens and mel over APP_STORE_BYTES
   * live in cache files, their pages resident only while the panels read them
   * (VITASCOPE_STORE_MAP_BYTES overrides it: tests lower it to see them there) */
  opt->tokens_in_memory_max = APP_STORE_BYTES;
  const char *env = g_getenv ("VITASCOPE_STORE_MAP_BYTES");
  guint64 v;
  if (env && g_ascii_string_to_unsigned (env, 10, 0, G_MAXUINT64, &v, NULL))
    opt->tokens_in_memory_max = (gsize) MIN (v, (guint64) G_MAXSIZE);
}

/* The model input of frames [first, first + n) of a track of n_samples samples, into an,
 * from part = samples [part_start, part_start + part_len) (vita_mel_range_samples). */
static gboolean
set_mel_range (VitaAnalysis *an, VitaMel *mel, const float *part, gsize part_start,
               gsize part_len, gsize n_samples, int first, int n, GError **error)
{
  g_autofree float *out = g_new (float, (gsize) n * an->cfg.fe.n_mels);

  vita_mel_compute_range (mel, part, part_start, part_len, n_samples, first, n, out);
  return vita_analysis_set_mel (an, first, out, n, error);
}

static void
cancel_other (GCancellable *cancellable, gpointer other)
{
  g_cancellable_cancel (other);
}

/* The preview's window's attention, as its run computes it (the sink gets the window
 * under the playhead alone: see on_preview_progress). */
typedef struct {
  int    window;
  float *attention;
} PreviewAttention;

static gboolean
keep_preview_attention (VitaAnalysis *an, int window, const float *attention,
                        gpointer user_data, GError **error)
{
  PreviewAttention *pa = user_data;
  if (window == pa->window && pa->attention == NULL)
    pa->attention = g_memdup2 (attention, vita_analysis_window_attention_size (an) * sizeof (float));
  return TRUE;
}

/* Stops the preview's run after its first batch: the window under the playhead alone. */
static void
on_preview_progress (VitaAnalysis *an, int done, int total, gpointer user_data)
{
  g_cancellable_cancel (user_data);
}

/* The progressive open: the window under the playhead before the whole track.  The
 * track's length from the file's header, the samples that window's frames read
 * (vita_audio_load_stretch: the whole decode's, bit for bit), their mel
 * (vita_mel_compute_range: the whole mel's rows), and that one window analysed in an
 * analysis of the whole track's size whose other windows stay not ready.  It is handed
 * to the main thread at once; the track's own analysis, computed as without a preview,
 * replaces it once it has the same window (on_progress).  NULL (nothing shown early)
 * for a file that cannot be read a stretch at a time, a short track, or any failure:
 * the whole decode then says what is wrong. */
static VitaAnalysis *
preview_window (VitaAnalysisJob *self, VitaMel *mel, int frame, gint64 *n_samples_out,
                int *window_out, float **attention_out)
{
  const VitaVitConfig *cfg = &self->vit->cfg;
  const VitaFrontend *fe = &cfg->fe;
  g_autoptr(GError) error = NULL;
  guint64 n_samples = 0;
  VitaAnalysisOptions opt;
  const gint64 t0 = g_get_monotonic_time ();

  if (!vita_audio_stretch_length (self->path, fe->sample_rate, &n_samples, &error))
    {
      g_debug ("no preview: %s", error->message);
      return NULL;
    }
  const gsize n_frames = vita_frontend_n_frames (fe, n_samples);
  /* a track of a few windows decodes whole in a few milliseconds */
  if (n_frames < 4 * (gsize) cfg->frames || n_frames > G_MAXINT / 2 ||
      !vita_vit_check_audio (cfg, n_samples, self->path, NULL))
    return NULL;
  job_options (self, &opt, (int) n_frames);
  opt.priority_frame = CLAMP (frame, 0, (int) n_frames - 1);
  opt.ssm_max = 1;   /* no SSM from one window: a 3-hour track's would be 20 MB */
  opt.workers = 1;   /* one window, alone: no other worker takes a window without its mel */
  g_autoptr(VitaAnalysis) an = vita_analysis_new (self->vit, NULL, (int) n_frames, &opt, &error);
  if (an == NULL)
    {
      g_debug ("no preview: %s", error->message);
      return NULL;
    }
  const int w = vita_analysis_window_for_frame (an, opt.priority_frame);
  g_mutex_lock (&self->lock);
  gboolean shown = self->preview_shown && self->preview_window == w;
  g_mutex_unlock (&self->lock);
  if (shown)
    return NULL;   /* a seek within the window shown */
  const int first = an->window_start[w], n = MIN (cfg->frames, (int) n_frames - first);
  gsize a, b;
  vita_mel_range_samples (mel, n_samples, first, n, &a, &b);
  const gint64 t_setup = g_get_monotonic_time ();
  g_autofree float *part = vita_audio_load_stretch (self->path, fe->sample_rate, a, b - a,
                                                    self->cancellable, &error);
  const gint64 t_decode = g_get_monotonic_time ();
  if (part == NULL || !set_mel_range (an, mel, part, a, b - a, n_samples, first, n, &error))
    {
      g_debug ("no preview: %s", error->message);
      return NULL;
    }
  const gint64 t_mel = g_get_monotonic_time ();
  g_autoptr(GCancellable) one = g_cancellable_new ();
  gulong id = g_cancellable_connect (self->cancellable, G_CALLBACK (cancel_other),
                                     g_object_ref (one), g_object_unref);
  /* its attention maps too, from the same forward pass (what the panels' cache would
   * recompute on a worker once the preview is shown, a frame later): the attention
   * panels show it in the first frame that has the preview */
  PreviewAttention pa = { w, NULL };
  vita_analysis_run (an, on_preview_progress, one, keep_preview_attention, &pa, one, NULL);
  g_cancellable_disconnect (self->cancellable, id);
  g_autofree float *att = g_steal_pointer (&pa.attention);
  if (!vita_analysis_window_ready (an, w))
    return NULL;
  const gint64 t_end = g_get_monotonic_time ();
  g_debug ("%s: preview of window %d (samples %" G_GSIZE_FORMAT "–%" G_GSIZE_FORMAT ") in %.1f ms "
           "(set-up %.1f, decode %.1f, mel %.1f, forward %.1f)", self->path, w, a, b,
           (t_end - t0) / 1e3, (t_setup - t0) / 1e3, (t_decode - t_setup) / 1e3,
           (t_mel - t_decode) / 1e3, (t_end - t_mel) / 1e3);
  *n_samples_out = (gint64) n_samples;
  *window_out = w;
  *attention_out = g_steal_pointer (&att);
  return g_steal_pointer (&an);
}

/* Hands a preview to the main thread, unless the track's analysis was handed over
 * already or the playhead has moved to another window since (a newer preview is
 * coming).  After the decode, before the track's analysis has the playhead's window, a
 * seek's preview still comes first (a WAV decodes in a few tens of ms: a seek then
 * waited for the track's mel, onsets and a batch, ~170 ms); the track's analysis then
 * replaces it once it has this window (publish_window). */
static void
publish_preview (VitaAnalysisJob *self, VitaAnalysis *an, gint64 n_samples, int window,
                 float *attention)
{
  g_mutex_lock (&self->lock);
  int frame = CLAMP (g_atomic_int_get (&self->priority_frame), 0, an->n_frames - 1);
  if (self->previews_open && !self->track_published &&
      vita_analysis_window_for_frame (an, frame) == window)
    {
      self->preview_shown = TRUE;
      self->preview_samples = n_samples;
      self->preview_window = window;
      g_atomic_int_set (&self->publish_window, window);
      schedule_analysis_full (self, an, n_samples, g_steal_pointer (&attention), window, TRUE);
    }
  g_mutex_unlock (&self->lock);
  g_free (attention);
}

/* A seek while the track decodes: a preview of the window there, on a thread of its
 * own (at the UI's priority), the newest seek's after the others. */
static gpointer
seek_thread (gpointer data)
{
  VitaAnalysisJob *self = data;   /* a ref, dropped at the end */
  g_autoptr(VitaMel) mel = vita_mel_new (&self->vit->cfg.fe, NULL);
  gboolean again = mel != NULL;

  while (again)
    {
      int frame = g_atomic_int_get (&self->seek_frame), window;
      gint64 n_samples;
      float *att = NULL;
      g_autoptr(VitaAnalysis) an = preview_window (self, mel, frame, &n_samples, &window, &att);
      if (an != NULL)
        publish_preview (self, an, n_samples, window, att);
      g_mutex_lock (&self->lock);
      again = self->previews_open && !self->track_published &&
              g_atomic_int_get (&self->seek_frame) != frame &&
              !g_cancellable_is_cancelled (self->cancellable);
      if (!again)
        {
          self->seeking = FALSE;
          g_cond_broadcast (&self->cond);
        }
      g_mutex_unlock (&self->lock);
    }
  g_object_unref (self);
  return NULL;
}

/* The track's analysis from its PCM: its mel computed a stretch at a time straight
 * into the analysis' store (a long track's mel is never whole in memory), the spectral
 * flux of the same front-end. */
static VitaAnalysis *
track_analysis (VitaAnalysisJob *self, VitaMel *mel, VitaPcm *pcm, GError **error)
{
  VitaAnalysisOptions opt;
  const gsize n_samples = pcm->n_samples, stretch = 4096;

  job_options (self, &opt, self->n_frames);
  g_autoptr(VitaAnalysis) an = vita_analysis_new (self->vit, NULL, self->n_frames, &opt, error);
  if (an == NULL)
    return NULL;
  g_autofree float *onset = vita_mel_onset_pcm (mel, pcm, error);
  if (onset == NULL)
    return NULL;
  for (gsize f = 0; f < (gsize) self->n_frames; f += stretch)
    {
      gsize k = MIN (stretch, (gsize) self->n_frames - f), a, b;
      vita_mel_range_samples (mel, n_samples, f, k, &a, &b);
      if (!set_mel_range (an, mel, pcm->samples + a, a, b - a, n_samples, (int) f, (int) k, error))
        return NULL;
      vita_pcm_release (pcm);   /* a mapped PCM's pages, read so far */
      if (g_cancellable_set_error_if_cancelled (self->cancellable, error))
        return NULL;
    }
  vita_analysis_set_onset (an, onset);
  return g_steal_pointer (&an);
}

/* The rest of the track behind the window shown: this thread and those it starts (the
 * decoder's segments, the analysis' workers inherit it) below the UI's priority, so
 * that the panels of the preview, their attention maps (computed on GLib's pool) and
 * the frames get the cores first.  Linux's nice is per thread; the job's thread ends
 * with the job, so nothing else runs at the lowered priority. */
static void
background_priority (void)
{
#ifdef __linux__
  if (setpriority (PRIO_PROCESS, (id_t) syscall (SYS_gettid), 5) != 0)
    g_debug ("the analysis keeps the UI's priority: %s", g_strerror (errno));
#endif
}

static gboolean
run_worker (VitaAnalysisJob *self, GError **error)
{
  VitaFrontend fe;
  g_autoptr(VitaMel) mel = NULL;
  g_autoptr(VitaPcm) pcm = NULL;
  gint64 preview_samples = 0;

  if (self->vit != NULL)
    fe = self->vit->cfg.fe;
  else
    vita_frontend_init_default (&fe);
  mel = vita_mel_new (&fe, error);
  if (mel == NULL)
    return FALSE;

  if (self->preview)
    {
      int window;
      float *att = NULL;
      g_autoptr(VitaAnalysis) an = preview_window (self, mel, g_atomic_int_get (&self->priority_frame),
                                                   &preview_samples, &window, &att);
      if (an != NULL)
        {
          publish_preview (self, an, preview_samples, window, att);
          background_priority ();
        }
    }

  if (self->given_pcm != NULL)
    pcm = g_steal_pointer (&self->given_pcm);
  else
    pcm = vita_audio_load_progress (self->path, fe.sample_rate, self->cancellable,
                                    &self->decode_progress, error);
  if (pcm == NULL)
    return FALSE;
  if (self->edits != NULL && self->edits->len > 0)
    {
      VitaPcm *edited = vita_edits_apply (pcm, self->edits, &fe, self->cancellable, error);
      if (edited == NULL)
        return FALSE;
      vita_pcm_free (pcm);
      pcm = edited;
    }
  if (self->vit != NULL && !vita_vit_check_audio (&self->vit->cfg, pcm->n_samples, self->path, error))
    return FALSE;
  gsize n_frames = vita_frontend_n_frames (&fe, pcm->n_samples);
  if (n_frames == 0 || n_frames > (gsize) (G_MAXINT / MAX (fe.n_fft / 2 + 1, fe.n_mels)))
    {
      g_set_error (error, VITA_DSP_ERROR, VITA_DSP_ERROR_INVALID,
                   _("“%s” is too short or too long to analyse"), self->path);
      return FALSE;
    }
  self->n_frames = (int) n_frames;
  /* previews go on until the track's analysis is handed over (publish_track), but for
   * a header that lied about the length: the previews' layout is not the track's */
  g_mutex_lock (&self->lock);
  gboolean preview_shown = self->preview_shown;
  preview_samples = self->preview_samples;
  if (preview_shown && preview_samples != (gint64) pcm->n_samples)
    {
      g_debug ("%s: %" G_GSIZE_FORMAT " samples, not %" G_GINT64_FORMAT " as its header "
               "said: the preview is dropped", self->path, pcm->n_samples, preview_samples);
      self->previews_open = FALSE;
      self->preview_shown = FALSE;
      schedule_analysis (self, NULL, 0);
    }
  g_mutex_unlock (&self->lock);
  if (self->vit != NULL)
    {
      self->analysis = track_analysis (self, mel, pcm, error);
      if (self->analysis == NULL)
        return FALSE;
    }
  /* a mapped PCM's pages dropped as the peaks read them */
  self->peaks = vita_peaks_new_full (pcm->samples, pcm->n_samples, pcm->sample_rate,
                                     (VitaPeaksReleaseFunc) vita_pcm_release, pcm);
  self->pcm = g_steal_pointer (&pcm);
  if (g_cancellable_set_error_if_cancelled (self->cancellable, error))
    return FALSE;
  Emission *decoded = emission_new (self, SIGNAL_DECODED);
  decoded->n_samples = (gint64) self->pcm->n_samples;
  schedule_emission (self, decoded);

  if (self->vit == NULL)
    return TRUE;

  /* publish, then catch a seek made while the analysis was being built */
  g_atomic_pointer_set (&self->live_analysis, self->analysis);
  vita_analysis_set_priority_frame (self->analysis,
                                    CLAMP (g_atomic_int_get (&self->priority_frame), -1,
                                           self->n_frames - 1));
  g_mutex_lock (&self->lock);
  if (self->preview_shown)   /* also a seek's since the decode */
    g_atomic_int_set (&self->publish_pending, 1);   /* on_progress hands it over */
  else
    publish_track_locked (self, self->analysis);
  g_mutex_unlock (&self->lock);
  gboolean ok = vita_analysis_run (self->analysis, on_progress, self, NULL, NULL,
                                   self->cancellable, error);
  if (g_atomic_int_compare_and_exchange (&self->publish_pending, 1, 0))
    publish_track (self, self->analysis);
  return ok;
}

/* The job's own thread (not a pool thread: it lowers its priority, see run_worker). */
static gpointer
job_thread (gpointer data)
{
  VitaAnalysisJob *self = data;   /* a ref, dropped at the end */
  GError *error = NULL;
  gboolean ok = run_worker (self, &error);

  g_mutex_lock (&self->lock);
  self->previews_open = FALSE;   /* a failed decode: no seek's preview after "finished" */
  g_mutex_unlock (&self->lock);
  if (ok)
    schedule (self, SIGNAL_FINISHED, NULL);
  else
    schedule (self, SIGNAL_FINISHED, g_error_copy (error));
  /* then, with the panels complete, the whole track's CKA (its panel's lower triangle:
   * "progress" once more when it is there); cancelled with the job */
  if (ok && self->analysis != NULL)
    vita_analysis_run_track_cka (self->analysis, on_progress, self, self->cancellable, NULL);
  g_clear_error (&error);

  g_mutex_lock (&self->lock);
  self->running = FALSE;
  g_cond_broadcast (&self->cond);
  g_mutex_unlock (&self->lock);
  g_object_unref (self);
  return NULL;
}

static void
vita_analysis_job_finalize (GObject *object)
{
  VitaAnalysisJob *self = VITA_ANALYSIS_JOB (object);

  g_assert (!self->running && !self->seeking);
  g_clear_pointer (&self->analysis, vita_analysis_unref);
  g_clear_pointer (&self->published, vita_analysis_unref);
  g_clear_pointer (&self->pcm, vita_pcm_free);
  g_clear_pointer (&self->given_pcm, vita_pcm_free);
  g_clear_pointer (&self->edits, g_ptr_array_unref);
  g_clear_pointer (&self->peaks, vita_peaks_unref);
  vita_engine_model_unref (self->vit);
  g_free (self->path);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->main_context, g_main_context_unref);
  g_mutex_clear (&self->lock);
  g_cond_clear (&self->cond);
  G_OBJECT_CLASS (vita_analysis_job_parent_class)->finalize (object);
}

static void
vita_analysis_job_class_init (VitaAnalysisJobClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  if (g_getenv ("VITASCOPE_PCM_MAP_BYTES") == NULL)
    vita_audio_set_map_threshold (APP_STORE_BYTES);

  object_class->finalize = vita_analysis_job_finalize;

  signals[SIGNAL_DECODED] = g_signal_new ("decoded", G_TYPE_FROM_CLASS (klass),
      G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  signals[SIGNAL_ANALYSIS_STARTED] = g_signal_new ("analysis-started", G_TYPE_FROM_CLASS (klass),
      G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  signals[SIGNAL_PROGRESS] = g_signal_new ("progress", G_TYPE_FROM_CLASS (klass),
      G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_INT, G_TYPE_INT);
  signals[SIGNAL_FINISHED] = g_signal_new ("finished", G_TYPE_FROM_CLASS (klass),
      G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_ERROR);
}

static void
vita_analysis_job_init (VitaAnalysisJob *self)
{
  g_mutex_init (&self->lock);
  g_cond_init (&self->cond);
  self->cancellable = g_cancellable_new ();
  self->priority_frame = -1;
  self->preview_window = -1;
}

VitaAnalysisJob *
vita_analysis_job_new (const char *audio_path, VitaVit *vit, int priority_frame)
{
  VitaAnalysisJob *self = g_object_new (VITA_TYPE_ANALYSIS_JOB, NULL);

  self->path = g_strdup (audio_path);
  self->vit = vita_engine_model_ref (vit);
  self->priority_frame = priority_frame;
  return self;
}

VitaAnalysisJob *
vita_analysis_job_new_for_pcm (const char *name, VitaPcm *pcm, VitaVit *vit, int priority_frame)
{
  g_return_val_if_fail (pcm != NULL, NULL);
  VitaAnalysisJob *self = vita_analysis_job_new (name, vit, priority_frame);
  self->given_pcm = pcm;
  return self;
}

void
vita_analysis_job_set_workers (VitaAnalysisJob *self, int workers)
{
  g_return_if_fail (self->main_context == NULL);
  self->workers = MAX (workers, 0);
}

/* Half of the default workers (at least one): each side of a comparison. */
int
vita_analysis_job_half_workers (void)
{
  return MAX (1, ((int) g_get_num_processors () - 1) / 2);
}

void
vita_analysis_job_set_edits (VitaAnalysisJob *self, GPtrArray *edits)
{
  g_return_if_fail (self->main_context == NULL);
  g_clear_pointer (&self->edits, g_ptr_array_unref);
  self->edits = edits ? g_ptr_array_ref (edits) : NULL;
}

void
vita_analysis_job_start (VitaAnalysisJob *self)
{
  g_return_if_fail (VITA_IS_ANALYSIS_JOB (self));
  g_return_if_fail (self->main_context == NULL);

  self->main_context = g_main_context_ref_thread_default ();
  self->running = TRUE;
  self->previews_open = self->preview && self->vit != NULL && self->given_pcm == NULL &&
                        (self->edits == NULL || self->edits->len == 0);
  self->preview = self->previews_open;
  /* the result is reported through "finished"; the thread holds a ref until it leaves */
  g_thread_unref (g_thread_new ("vita-job", job_thread, g_object_ref (self)));
}

void
vita_analysis_job_cancel (VitaAnalysisJob *self)
{
  g_return_if_fail (VITA_IS_ANALYSIS_JOB (self));
  g_cancellable_cancel (self->cancellable);
}

void
vita_analysis_job_join (VitaAnalysisJob *self)
{
  g_return_if_fail (VITA_IS_ANALYSIS_JOB (self));

  g_mutex_lock (&self->lock);
  while (self->running || self->seeking)
    g_cond_wait (&self->cond, &self->lock);
  g_mutex_unlock (&self->lock);
}

gboolean
vita_analysis_job_is_running (VitaAnalysisJob *self)
{
  gboolean running;

  g_mutex_lock (&self->lock);
  running = self->running;
  g_mutex_unlock (&self->lock);
  return running;
}

void
vita_analysis_job_set_priority_frame (VitaAnalysisJob *self, int frame)
{
  g_return_if_fail (VITA_IS_ANALYSIS_JOB (self));
  g_atomic_int_set (&self->priority_frame, frame < 0 ? -1 : frame);
  /* the analysis lives as long as the job (freed in finalize only) */
  VitaAnalysis *an = g_atomic_pointer_get (&self->live_analysis);
  if (an == NULL && self->preview)
    {
      /* still decoding: a preview of the window there */
      g_mutex_lock (&self->lock);
      g_atomic_int_set (&self->seek_frame, frame);
      if (self->previews_open && !self->track_published && !self->seeking)
        {
          self->seeking = TRUE;
          g_thread_unref (g_thread_new ("vita-seek-preview", seek_thread, g_object_ref (self)));
        }
      g_mutex_unlock (&self->lock);
    }
  if (an != NULL)
    vita_analysis_set_priority_frame (an, frame < 0 ? -1 : MIN (frame, an->n_frames - 1));
}

const char *
vita_analysis_job_get_path (VitaAnalysisJob *self)
{
  return self->path;
}

const VitaPcm *
vita_analysis_job_get_pcm (VitaAnalysisJob *self)
{
  return self->pcm;
}

VitaPeaks *
vita_analysis_job_get_peaks (VitaAnalysisJob *self)
{
  return self->peaks;
}

double
vita_analysis_job_get_decode_progress (VitaAnalysisJob *self)
{
  return vita_audio_progress_fraction (&self->decode_progress);
}

gint64
vita_analysis_job_get_n_samples (VitaAnalysisJob *self)
{
  return self->n_samples;
}

VitaAnalysis *
vita_analysis_job_get_analysis (VitaAnalysisJob *self)
{
  return self->published;
}

gboolean
vita_analysis_job_is_preview (VitaAnalysisJob *self)
{
  g_return_val_if_fail (VITA_IS_ANALYSIS_JOB (self), FALSE);
  return self->published != NULL && self->published_preview;
}

float *
vita_analysis_job_take_window_attention (VitaAnalysisJob *self, int *window)
{
  g_return_val_if_fail (VITA_IS_ANALYSIS_JOB (self) && window != NULL, NULL);
  *window = self->published_att_window;
  return g_steal_pointer (&self->published_att);
}

void
vita_analysis_job_set_preview (VitaAnalysisJob *self, gboolean preview)
{
  g_return_if_fail (self->main_context == NULL);
  self->preview = preview;
}
