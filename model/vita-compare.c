/* vita-compare.c — two models on one track (see vita-compare.h). */
#include "vita-compare.h"
#include "vita-blas.h"
#include "vita-file.h"
#include "vita-npy.h"

#include <math.h>
#include <pthread.h>
#include <string.h>

struct _VitaComparePrivate {
  gint            running;        /* atomic */
  GMutex          cancel_lock;    /* guards side_cancel */
  GCancellable   *side_cancel[2]; /* while running: each side's own */
  pthread_mutex_t progress_lock;  /* serialises the progress callback */
  int             done[2];        /* under progress_lock */
};

/* ---- front-end ------------------------------------------------------------------ */

gboolean
vita_compare_check_frontends (const VitaVit *a, const char *name_a, const VitaVit *b,
                              const char *name_b, GError **error)
{
  g_return_val_if_fail (a != NULL && b != NULL, FALSE);
  const VitaFrontend *fa = &a->cfg.fe, *fb = &b->cfg.fe;
  char va[64] = "", vb[64] = "";
  const char *field = NULL;
#define CHECK_INT(f) \
  if (field == NULL && fa->f != fb->f) \
    { field = #f; g_snprintf (va, sizeof va, "%d", (int) fa->f); g_snprintf (vb, sizeof vb, "%d", (int) fb->f); }
#define CHECK_FLOAT(f) \
  if (field == NULL && fa->f != fb->f) \
    { field = #f; g_snprintf (va, sizeof va, "%g", (double) fa->f); g_snprintf (vb, sizeof vb, "%g", (double) fb->f); }
  CHECK_INT (sample_rate);
  CHECK_INT (hop_length);
  CHECK_INT (n_mels);
  CHECK_INT (n_fft);
  CHECK_INT (win_length);
  CHECK_INT (center);
  CHECK_FLOAT (power);
  CHECK_FLOAT (f_min);
  CHECK_FLOAT (f_max);
  CHECK_FLOAT (log_offset);
#undef CHECK_INT
#undef CHECK_FLOAT
  if (field == NULL)
    return TRUE;
  g_set_error (error, VITA_MODEL_ERROR, VITA_MODEL_ERROR_MISMATCH,
               "Cannot compare %s with %s: their front-ends differ in %s (%s vs %s); both "
               "models must read the same mel frames (sample rate, hop, mel bands, FFT, "
               "frequency range and log offset)",
               name_a ? name_a : "model A", name_b ? name_b : "model B", field, va, vb);
  return FALSE;
}

void
vita_compare_diff (float *out, const float *a, const float *b, gsize n)
{
  for (gsize i = 0; i < n; i++)
    out[i] = a[i] - b[i];
}

float
vita_compare_max_abs (const float *x, gsize n)
{
  float m = 0.0f;
  for (gsize i = 0; i < n; i++)
    if (fabsf (x[i]) > m)   /* false for NaN */
      m = fabsf (x[i]);
  return m;
}

/* ---- the pair --------------------------------------------------------------------- */

static char *
model_name (const VitaVit *vit)
{
  if (vit->path)
    return g_filename_display_name (vit->path);
  return vita_vit_describe (vit);
}

VitaCompare *
vita_compare_new (VitaAnalysis *a, VitaAnalysis *b, GError **error)
{
  g_return_val_if_fail (a != NULL && b != NULL, NULL);
  g_autofree char *na = model_name (a->vit), *nb = model_name (b->vit);
  if (!vita_compare_check_frontends (a->vit, na, b->vit, nb, error))
    return NULL;
  if (a->n_frames != b->n_frames)
    {
      g_set_error (error, VITA_MODEL_ERROR, VITA_MODEL_ERROR_MISMATCH,
                   "Cannot compare the analyses of %s (%d frames) and %s (%d frames): "
                   "not the same track", na, a->n_frames, nb, b->n_frames);
      return NULL;
    }
  VitaCompare *cmp = g_new0 (VitaCompare, 1);
  cmp->priv = g_new0 (struct _VitaComparePrivate, 1);
  pthread_mutex_init (&cmp->priv->progress_lock, NULL);
  g_mutex_init (&cmp->priv->cancel_lock);
  cmp->ref_count = 1;
  cmp->a = vita_analysis_ref (a);
  cmp->b = vita_analysis_ref (b);
  cmp->label_a = vita_vit_describe (a->vit);
  cmp->label_b = vita_vit_describe (b->vit);
  cmp->n_frames = a->n_frames;
  cmp->same_blocks = a->cfg.depth == b->cfg.depth && a->cfg.heads == b->cfg.heads &&
                     a->cfg.frames == b->cfg.frames;
  cmp->same_layers = a->n_layers == b->n_layers && a->ssm_size == b->ssm_size;
  return cmp;
}

gboolean
vita_compare_same_weights (const VitaVit *a, const VitaVit *b)
{
  g_return_val_if_fail (a != NULL && b != NULL, FALSE);
  if (a == b)
    return TRUE;
  return memcmp (&a->cfg, &b->cfg, sizeof a->cfg) == 0 && a->num_params == b->num_params &&
         memcmp (a->memory, b->memory, a->num_params * sizeof (float)) == 0;
}

VitaCompare *
vita_compare_new_for_mel (VitaVit *a, const float *mel_a, VitaVit *b, const float *mel_b,
                          int n_frames, const VitaAnalysisOptions *opt_in, GError **error)
{
  g_return_val_if_fail (a != NULL && b != NULL, NULL);
  g_autofree char *na = model_name (a), *nb = model_name (b);
  if (!vita_compare_check_frontends (a, na, b, nb, error))
    return NULL;
  VitaAnalysisOptions opt;
  if (opt_in)
    opt = *opt_in;
  else
    vita_analysis_options_init (&opt);
  int workers = opt.workers > 0 ? opt.workers : (int) g_get_num_processors ();
  opt.workers = MAX (1, workers / 2);
  g_autoptr(VitaAnalysis) an_a = vita_analysis_new (a, mel_a, n_frames, &opt, error);
  if (an_a == NULL)
    return NULL;
  if (vita_compare_same_weights (a, b) &&
      (mel_a == mel_b || memcmp (mel_a, mel_b, (gsize) n_frames * a->cfg.fe.n_mels * sizeof (float)) == 0))
    return vita_compare_new (an_a, an_a, error);   /* one analysis, both sides */
  g_autoptr(VitaAnalysis) an_b = vita_analysis_new (b, mel_b, n_frames, &opt, error);
  if (an_b == NULL)
    return NULL;
  return vita_compare_new (an_a, an_b, error);
}

VitaCompare *
vita_compare_ref (VitaCompare *cmp)
{
  g_return_val_if_fail (cmp != NULL, NULL);
  g_atomic_int_inc (&cmp->ref_count);
  return cmp;
}

void
vita_compare_unref (VitaCompare *cmp)
{
  if (cmp == NULL || !g_atomic_int_dec_and_test (&cmp->ref_count))
    return;
  vita_analysis_unref (cmp->a);
  vita_analysis_unref (cmp->b);
  g_free (cmp->label_a);
  g_free (cmp->label_b);
  g_free (cmp->received_diff);
  g_free (cmp->ssm_diff);
  pthread_mutex_destroy (&cmp->priv->progress_lock);
  g_mutex_clear (&cmp->priv->cancel_lock);
  g_free (cmp->priv);
  g_free (cmp);
}

gboolean
vita_compare_is_complete (const VitaCompare *cmp)
{
  g_return_val_if_fail (cmp != NULL, FALSE);
  return g_atomic_int_get (&cmp->complete) != 0;
}

void
vita_compare_set_priority_frame (VitaCompare *cmp, int frame)
{
  g_return_if_fail (cmp != NULL);
  vita_analysis_set_priority_frame (cmp->a, frame);
  vita_analysis_set_priority_frame (cmp->b, frame);
}

gboolean
vita_compare_frame_ready (const VitaCompare *cmp, int frame)
{
  g_return_val_if_fail (cmp != NULL, FALSE);
  return vita_analysis_frame_ready (cmp->a, frame) && vita_analysis_frame_ready (cmp->b, frame);
}

/* ---- the run ------------------------------------------------------------------------ */

typedef struct {
  VitaCompare *cmp;
  int side;                       /* 0 = A, 1 = B */
  VitaCompareProgress progress;
  gpointer progress_data;
  VitaAnalysisAttentionSink sink;
  gpointer sink_data;
  GCancellable *cancellable;      /* this side's; a failure cancels the other's too */
  GCancellable *other;
  gboolean ok;
  GError *error;
} SideRun;

static void
side_progress (VitaAnalysis *an, int done, int total, gpointer data)
{
  SideRun *sr = data;
  struct _VitaComparePrivate *priv = sr->cmp->priv;
  pthread_mutex_lock (&priv->progress_lock);
  priv->done[sr->side] = done;
  if (sr->cmp->a == sr->cmp->b)
    priv->done[1] = done;
  if (sr->progress)
    sr->progress (sr->cmp, priv->done[0], sr->cmp->a->n_windows, priv->done[1],
                  sr->cmp->b->n_windows, sr->progress_data);
  pthread_mutex_unlock (&priv->progress_lock);
}

static gpointer
side_run (gpointer data)
{
  SideRun *sr = data;
  VitaAnalysis *an = sr->side ? sr->cmp->b : sr->cmp->a;
  sr->ok = vita_analysis_run (an, side_progress, sr, sr->sink, sr->sink_data, sr->cancellable,
                              &sr->error);
  /* a failure stops the other side too; a cancellation of this side alone does not */
  if (!sr->ok && !g_error_matches (sr->error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_cancellable_cancel (sr->other);
  return NULL;
}

/* One analysis for both sides: its attention goes to both sinks. */
static gboolean
both_sinks (VitaAnalysis *an, int window, const float *attention, gpointer data, GError **error)
{
  SideRun *runs = data;
  for (int s = 0; s < 2; s++)
    if (runs[s].sink && !runs[s].sink (an, window, attention, runs[s].sink_data, error))
      return FALSE;
  return TRUE;
}

static void
forward_cancel (GCancellable *outer, gpointer inner)
{
  GCancellable **side = inner;
  g_cancellable_cancel (side[0]);
  g_cancellable_cancel (side[1]);
}

void
vita_compare_cancel_side (VitaCompare *cmp, int side)
{
  g_return_if_fail (cmp != NULL && (side == 0 || side == 1));
  g_mutex_lock (&cmp->priv->cancel_lock);
  if (cmp->priv->side_cancel[side])
    g_cancellable_cancel (cmp->priv->side_cancel[side]);
  g_mutex_unlock (&cmp->priv->cancel_lock);
}

gboolean
vita_compare_run (VitaCompare *cmp, VitaCompareProgress progress, gpointer progress_data,
                  VitaAnalysisAttentionSink sink_a, gpointer sink_a_data,
                  VitaAnalysisAttentionSink sink_b, gpointer sink_b_data,
                  GCancellable *cancellable, GError **error)
{
  g_return_val_if_fail (cmp != NULL, FALSE);
  if (!g_atomic_int_compare_and_exchange (&cmp->priv->running, 0, 1))
    {
      g_set_error (error, VITA_MODEL_ERROR, VITA_MODEL_ERROR_BUSY,
                   "This comparison is already running in another thread");
      return FALSE;
    }
  if (vita_compare_is_complete (cmp))
    {
      g_atomic_int_set (&cmp->priv->running, 0);
      return TRUE;
    }
  GCancellable *inner[2] = { g_cancellable_new (), g_cancellable_new () };
  g_mutex_lock (&cmp->priv->cancel_lock);
  cmp->priv->side_cancel[0] = inner[0];
  cmp->priv->side_cancel[1] = cmp->a == cmp->b ? inner[0] : inner[1];   /* one run for both */
  g_mutex_unlock (&cmp->priv->cancel_lock);
  gulong handler = 0;
  if (cancellable)
    handler = g_cancellable_connect (cancellable, G_CALLBACK (forward_cancel), inner, NULL);
  cmp->priv->done[0] = g_atomic_int_get (&cmp->a->n_ready);
  cmp->priv->done[1] = g_atomic_int_get (&cmp->b->n_ready);
  SideRun runs[2] = {
    { cmp, 0, progress, progress_data, sink_a, sink_a_data, inner[0], inner[1], FALSE, NULL },
    { cmp, 1, progress, progress_data, sink_b, sink_b_data, inner[1], inner[0], FALSE, NULL },
  };
  /* Two runs at once, each with its own workers: single-threaded BLAS for both (as one
   * run with several workers has), whatever each side's worker count. */
  VitaBlasSingle *single = vita_blas_single_begin ();
  if (cmp->a == cmp->b)
    {
      /* one analysis for both sides (the same weights): it runs once */
      SideRun both = runs[0];
      both.sink = (sink_a || sink_b) ? both_sinks : NULL;
      both.sink_data = runs;
      side_run (&both);
      runs[0].ok = both.ok;
      runs[0].error = both.error;
      runs[1].ok = runs[0].ok;
    }
  else
    {
      GError *thread_error = NULL;
      GThread *tb = g_thread_try_new ("vita-compare-b", side_run, &runs[1], &thread_error);
      if (tb == NULL)
        g_clear_error (&thread_error);   /* one after the other then */
      side_run (&runs[0]);
      if (tb)
        g_thread_join (tb);
      else if (runs[0].ok)
        side_run (&runs[1]);
      else
        runs[1].ok = FALSE;
    }
  vita_blas_single_end (single);
  if (cancellable)
    g_cancellable_disconnect (cancellable, handler);
  g_mutex_lock (&cmp->priv->cancel_lock);
  cmp->priv->side_cancel[0] = cmp->priv->side_cancel[1] = NULL;
  g_mutex_unlock (&cmp->priv->cancel_lock);
  g_object_unref (inner[0]);
  g_object_unref (inner[1]);

  gboolean ok = runs[0].ok && runs[1].ok;
  if (!ok)
    {
      /* the side that failed first, not the one stopped because of it */
      int s = 0;
      for (int k = 1; k >= 0; k--)
        if (!runs[k].ok && runs[k].error &&
            !g_error_matches (runs[k].error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
          s = k;
      if (runs[s].ok)   /* A ran through: B stopped (cancelled, or by its own error) */
        s = 1;
      GError *e = runs[s].error;
      if (e == NULL)
        g_set_error (error, VITA_MODEL_ERROR, VITA_MODEL_ERROR_IO, "The comparison failed");
      else if (g_error_matches (e, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_propagate_error (error, g_steal_pointer (&runs[s].error));
      else
        {
          VitaAnalysis *an = s ? cmp->b : cmp->a;
          g_autofree char *name = model_name (an->vit);
          g_propagate_prefixed_error (error, g_steal_pointer (&runs[s].error), "model %c (%s): ",
                                      s ? 'B' : 'A', name);
        }
    }
  g_clear_error (&runs[0].error);
  g_clear_error (&runs[1].error);

  if (ok)
    {
      VitaAnalysis *a = cmp->a, *b = cmp->b;
      if (cmp->same_blocks && cmp->received_diff == NULL)
        {
          gsize n = (gsize) a->cfg.depth * a->cfg.heads * cmp->n_frames;
          cmp->received_diff = g_try_new (float, n);
          if (cmp->received_diff)
            vita_compare_diff (cmp->received_diff, a->received, b->received, n);
        }
      if (cmp->same_layers && cmp->ssm_diff == NULL)
        {
          gsize n = (gsize) a->n_layers * a->ssm_size * a->ssm_size;
          cmp->ssm_diff = g_try_new (float, n);
          if (cmp->ssm_diff)
            vita_compare_diff (cmp->ssm_diff, a->ssm, b->ssm, n);
        }
      if ((cmp->same_blocks && cmp->received_diff == NULL) ||
          (cmp->same_layers && cmp->ssm_diff == NULL))
        {
          g_set_error (error, VITA_MODEL_ERROR, VITA_MODEL_ERROR_IO,
                       "Out of memory for the differences of the comparison");
          ok = FALSE;
        }
      else
        g_atomic_int_set (&cmp->complete, 1);
    }
  g_atomic_int_set (&cmp->priv->running, 0);
  return ok;
}

gboolean
vita_compare_window_attention (const VitaCompare *cmp, int window, float *diff, float *out_a,
                               float *out_b, GError **error)
{
  g_return_val_if_fail (cmp != NULL && diff != NULL, FALSE);
  if (!cmp->same_blocks)
    {
      g_set_error (error, VITA_MODEL_ERROR, VITA_MODEL_ERROR_MISMATCH,
                   "No attention difference: %s and %s differ in depth, heads or window length",
                   cmp->label_a, cmp->label_b);
      return FALSE;
    }
  const VitaVitConfig *c = &cmp->a->cfg;
  const gsize N = c->frames + 1, n = (gsize) c->depth * c->heads * N * N;
  g_autofree float *own_a = out_a ? NULL : g_try_new (float, n);
  g_autofree float *own_b = out_b ? NULL : g_try_new (float, n);
  float *pa = out_a ? out_a : own_a, *pb = out_b ? out_b : own_b;
  if (pa == NULL || pb == NULL)
    {
      g_set_error (error, VITA_MODEL_ERROR, VITA_MODEL_ERROR_IO,
                   "Out of memory for one window's attention maps");
      return FALSE;
    }
  if (!vita_analysis_window_attention (cmp->a, window, pa, error))
    return FALSE;
  if (cmp->a == cmp->b)
    memcpy (pb, pa, n * sizeof (float));
  else if (!vita_analysis_window_attention (cmp->b, window, pb, error))
    return FALSE;
  vita_compare_diff (diff, pa, pb, n);
  return TRUE;
}

/* ---- the comparison table ------------------------------------------------------------ */

VitaCompareTable *
vita_compare_table_new (const char *label_a, const char *label_b)
{
  VitaCompareTable *t = g_new0 (VitaCompareTable, 1);
  t->rows = g_array_new (FALSE, FALSE, sizeof (VitaCompareRow));
  t->label_a = g_strdup (label_a ? label_a : "A");
  t->label_b = g_strdup (label_b ? label_b : "B");
  return t;
}

void
vita_compare_table_free (VitaCompareTable *t)
{
  if (t == NULL)
    return;
  for (guint i = 0; i < t->rows->len; i++)
    g_free (g_array_index (t->rows, VitaCompareRow, i).measure);
  g_array_unref (t->rows);
  g_free (t->label_a);
  g_free (t->label_b);
  g_free (t->note);
  g_free (t);
}

void
vita_compare_table_add (VitaCompareTable *t, const char *measure, int layer, int head,
                        double a, double b)
{
  VitaCompareRow r = { g_strdup (measure), layer, head, a, b };
  g_array_append_val (t->rows, r);
}

const VitaCompareRow *
vita_compare_table_find (const VitaCompareTable *t, const char *measure, int layer, int head)
{
  for (guint i = 0; i < t->rows->len; i++)
    {
      const VitaCompareRow *r = &g_array_index (t->rows, VitaCompareRow, i);
      if (r->layer == layer && r->head == head && strcmp (r->measure, measure) == 0)
        return r;
    }
  return NULL;
}

double
vita_compare_row_diff (const VitaCompareRow *r)
{
  return r->a - r->b;   /* NaN when either is */
}

static void
append_value (GString *s, double v)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];
  g_string_append_c (s, ',');
  if (!isnan (v))
    g_string_append (s, g_ascii_formatd (buf, sizeof buf, "%.6g", v));
}

char *
vita_compare_table_to_csv (const VitaCompareTable *t)
{
  GString *s = g_string_new ("measure,layer,head,A,B,A-B\n");
  for (guint i = 0; i < t->rows->len; i++)
    {
      const VitaCompareRow *r = &g_array_index (t->rows, VitaCompareRow, i);
      g_string_append_printf (s, "%s,%d,", r->measure, r->layer);
      if (r->head >= 0)
        g_string_append_printf (s, "%d", r->head);
      append_value (s, r->a);
      append_value (s, r->b);
      append_value (s, vita_compare_row_diff (r));
      g_string_append_c (s, '\n');
    }
  return g_string_free (s, FALSE);
}

gboolean
vita_compare_table_save_csv (const VitaCompareTable *t, const char *path, GError **error)
{
  g_autofree char *text = vita_compare_table_to_csv (t);
  return vita_file_write_atomic (path, text, strlen (text), error);
}

gboolean
vita_compare_table_save_npy (const VitaCompareTable *t, const char *path, GError **error)
{
  gsize n = t->rows->len;
  g_autofree float *data = g_new (float, MAX (n, 1) * 3);
  for (gsize i = 0; i < n; i++)
    {
      const VitaCompareRow *r = &g_array_index (t->rows, VitaCompareRow, i);
      data[i * 3 + 0] = (float) r->a;
      data[i * 3 + 1] = (float) r->b;
      data[i * 3 + 2] = (float) vita_compare_row_diff (r);
    }
  gsize shape[2] = { n, 3 };
  return vita_npy_save (path, data, 2, shape, error);
}
