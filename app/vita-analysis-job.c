/* vita-analysis-job.c — see vita-analysis-job.h.
 *
 * Ownership: the worker thread only touches the job (kept alive by its GTask) and
 * what the job owns (path copy, model ref, PCM, mel, analysis ref).  The main
 * thread reads pcm/mel/analysis only after the signal saying they are ready; they
 * are written once by the worker before that signal is scheduled and never again,
 * so the hand-over through g_main_context_invoke is the only synchronisation
 * needed.  The window disconnects from the job before it goes away; the job
 * outlives the window if its thread is still running.
 */
#include "vita-config.h"
#include "vita-analysis-job.h"
#include "vita-engine.h"

#include <glib/gi18n.h>
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

  /* written by the worker before the matching signal; read-only afterwards */
  VitaPcm      *pcm;
  VitaPeaks    *peaks;          /* waveform envelope, built here, not on the main thread */
  float        *mel;            /* (n_frames, n_mels) */
  float        *onset;          /* (n_frames) spectral flux, from the same front-end call */
  int           n_frames;
  int           n_mels;
  VitaAnalysis *analysis;
  gpointer      live_analysis;  /* atomic: the analysis once it runs, for set_priority_frame */

  /* worker lifetime, under lock */
  GMutex        lock;
  GCond         cond;
  gboolean      running;

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
  VitaAnalysisJob *job;   /* ref */
  guint            signal;
  GError          *error; /* finished only */
} Emission;

static void
emission_free (gpointer data)
{
  Emission *e = data;
  g_object_unref (e->job);
  g_clear_error (&e->error);
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
    g_signal_emit (self, signals[e->signal], 0);
  return G_SOURCE_REMOVE;
}

static void
schedule (VitaAnalysisJob *self, guint signal, GError *error)
{
  Emission *e = g_new0 (Emission, 1);

  e->job = g_object_ref (self);
  e->signal = signal;
  e->error = error;
  /* Always a source, never g_main_context_invoke: invoke runs the function on THIS
   * thread when it can acquire the main context (nobody iterating it at that moment,
   * e.g. between g_main_context_iteration calls), i.e. GTK on the worker thread. */
  GSource *source = g_idle_source_new ();
  g_source_set_priority (source, G_PRIORITY_DEFAULT);
  g_source_set_callback (source, emit_on_main, e, emission_free);
  g_source_attach (source, self->main_context);
  g_source_unref (source);
}

static void
on_progress (VitaAnalysis *an, int done, int total, gpointer user_data)
{
  VitaAnalysisJob *self = user_data;

  g_atomic_int_set (&self->progress_done, done);
  g_atomic_int_set (&self->progress_total, total);
  /* At most one progress emission queued: the main loop is never flooded. */
  if (g_atomic_int_compare_and_exchange (&self->progress_pending, 0, 1))
    schedule (self, SIGNAL_PROGRESS, NULL);
}

static gboolean
run_worker (VitaAnalysisJob *self, GError **error)
{
  VitaFrontend fe;
  g_autoptr(VitaMel) mel = NULL;
  g_autoptr(VitaPcm) pcm = NULL;
  VitaAnalysisOptions opt;
  gsize n_frames;

  if (self->vit != NULL)
    fe = self->vit->cfg.fe;
  else
    vita_frontend_init_default (&fe);

  if (self->given_pcm != NULL)
    pcm = g_steal_pointer (&self->given_pcm);
  else
    pcm = vita_audio_load (self->path, fe.sample_rate, self->cancellable, error);
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
  mel = vita_mel_new (&fe, error);
  if (mel == NULL)
    return FALSE;
  /* a long track's PCM is mapped from its cache file: read a stretch at a time */
  self->mel = vita_mel_features_pcm (mel, pcm, 0, pcm->n_samples, &self->onset, &n_frames, NULL);
  if (self->mel == NULL)
    {
      g_set_error (error, VITA_DSP_ERROR, VITA_DSP_ERROR_INVALID,
                   _("“%s” is too short or too long to analyse"), self->path);
      return FALSE;
    }
  self->n_frames = (int) n_frames;
  self->n_mels = fe.n_mels;
  self->peaks = vita_peaks_new (pcm->samples, pcm->n_samples, pcm->sample_rate);
  vita_pcm_release (pcm);   /* what the peaks read of a mapped PCM */
  self->pcm = g_steal_pointer (&pcm);
  if (g_cancellable_set_error_if_cancelled (self->cancellable, error))
    return FALSE;
  schedule (self, SIGNAL_DECODED, NULL);

  if (self->vit == NULL)
    return TRUE;

  vita_analysis_options_init (&opt);
  opt.priority_frame = CLAMP (g_atomic_int_get (&self->priority_frame), -1, self->n_frames - 1);
  /* leave a core to the UI (GTK, GStreamer playback); batches of 2 windows: the
   * windows at a seek come in after at most one small batch in flight, and more
   * workers fit the analysis's memory bound (bench-analysis, 1 thread, battle.ogg:
   * CPU 2.04 s at batch 2 vs 2.24 s at batch 8 for the paper-size model, 0.69 vs
   * 0.77 s for the bundled one) */
  opt.workers = MAX (1, (int) g_get_num_processors () - 1);
  if (self->workers > 0)
    opt.workers = self->workers;
  opt.batch = 2;
  self->analysis = vita_analysis_new (self->vit, self->mel, self->n_frames, &opt, error);
  if (self->analysis != NULL)
    vita_analysis_set_onset (self->analysis, self->onset);
  if (self->analysis == NULL)
    return FALSE;
  /* publish, then catch a seek made while the analysis was being built */
  g_atomic_pointer_set (&self->live_analysis, self->analysis);
  vita_analysis_set_priority_frame (self->analysis,
                                    CLAMP (g_atomic_int_get (&self->priority_frame), -1,
                                           self->n_frames - 1));
  schedule (self, SIGNAL_ANALYSIS_STARTED, NULL);
  return vita_analysis_run (self->analysis, on_progress, self, NULL, NULL,
                            self->cancellable, error);
}

static void
job_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  VitaAnalysisJob *self = source;
  GError *error = NULL;

  if (run_worker (self, &error))
    schedule (self, SIGNAL_FINISHED, NULL);
  else
    schedule (self, SIGNAL_FINISHED, g_error_copy (error));
  /* then, with the panels complete, the whole track's CKA (its panel's lower triangle:
   * "progress" once more when it is there); cancelled with the job */
  if (error == NULL && self->analysis != NULL)
    vita_analysis_run_track_cka (self->analysis, on_progress, self, self->cancellable, NULL);
  g_task_return_boolean (task, error == NULL);
  g_clear_error (&error);

  /* The GTask holds a ref on self until this function returns. */
  g_mutex_lock (&self->lock);
  self->running = FALSE;
  g_cond_broadcast (&self->cond);
  g_mutex_unlock (&self->lock);
}

static void
vita_analysis_job_finalize (GObject *object)
{
  VitaAnalysisJob *self = VITA_ANALYSIS_JOB (object);

  g_assert (!self->running);
  g_clear_pointer (&self->analysis, vita_analysis_unref);
  g_clear_pointer (&self->pcm, vita_pcm_free);
  g_clear_pointer (&self->given_pcm, vita_pcm_free);
  g_clear_pointer (&self->edits, g_ptr_array_unref);
  g_clear_pointer (&self->peaks, vita_peaks_unref);
  vita_engine_model_unref (self->vit);
  g_free (self->mel);
  g_free (self->onset);
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
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (VITA_IS_ANALYSIS_JOB (self));
  g_return_if_fail (self->main_context == NULL);

  self->main_context = g_main_context_ref_thread_default ();
  self->running = TRUE;
  task = g_task_new (self, self->cancellable, NULL, NULL);
  g_task_set_source_tag (task, vita_analysis_job_start);
  /* The result is reported through "finished"; a cancelled task is fine. */
  g_task_set_return_on_cancel (task, FALSE);
  g_task_run_in_thread (task, job_thread);
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
  while (self->running)
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

const float *
vita_analysis_job_get_mel (VitaAnalysisJob *self, int *n_frames, int *n_mels)
{
  if (n_frames) *n_frames = self->n_frames;
  if (n_mels) *n_mels = self->n_mels;
  return self->mel;
}

VitaAnalysis *
vita_analysis_job_get_analysis (VitaAnalysisJob *self)
{
  return self->analysis;
}
