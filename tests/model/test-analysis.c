/* test-analysis.c — long-audio analysis with a fake model whose outputs encode the
 * window and the position inside it, so windowing, padding, ownership, the class
 * tokens, received attention, SSM pooling, progressive order, cancellation/resume
 * and the attention sink are checked exactly, independently of the real forward. */
#include "vita-test.h"
#include "model/vita-analysis-private.h"
#include <glib/gstdio.h>
#include "model/vita-derived.h"

#include <math.h>
#include <string.h>

/* ---- the fake model -------------------------------------------------------------
 * The test mel holds the frame index in band 0 (and pad_value in padded frames), so
 * the fake forward knows which frames a window holds:
 *   token[l][b][p][d] (p >= 1) = mel0(frame at p-1) + 1000 p + 100 l + 0.25 d
 *   token[l][b][0][d]          = -(first frame of the window) - 100 l - 0.25 d - 1
 *   attention[l][b][h][q][k]   = softmax-free row-stochastic: wgt(l,h,q,k,s) / row sum
 */

typedef struct {
  VitaVitConfig cfg;
  int    B;
  float *tokens;      /* (L+1, B, N, D) */
  float *att;         /* (L, B, NH, N, N) */
} FakeState;

static GMutex fake_lock;
static GArray *fake_log;   /* window starts, in forward order */

static gpointer
fake_state_new (const VitaVit *vit, int B, GError **error)
{
  FakeState *st = g_new0 (FakeState, 1);
  st->cfg = vit->cfg;
  st->B = B;
  gsize N = vit->cfg.frames + 1;
  st->tokens = g_new0 (float, (vit->cfg.depth + 1) * B * N * vit->cfg.dim);
  st->att = g_new0 (float, vit->cfg.depth * B * vit->cfg.heads * N * N);
  return st;
}

static void
fake_state_free (gpointer p)
{
  FakeState *st = p;
  g_free (st->tokens);
  g_free (st->att);
  g_free (st);
}

static double
fake_weight (int l, int h, int q, int k, int start)
{
  return 1.0 + ((l * 7 + h * 13 + q * 3 + k * 5 + start * 11) % 17);
}

static void
fake_forward (const VitaVit *vit, gpointer p, const float *input, int B)
{
  FakeState *st = p;
  g_assert_cmpint (B, <=, st->B);
  const int T = st->cfg.frames, N = T + 1, M = st->cfg.fe.n_mels, D = st->cfg.dim;
  const int L = st->cfg.depth, NH = st->cfg.heads;
  for (int b = 0; b < B; b++)
    {
      const float *in = input + (gsize) b * T * M;
      int start = (int) in[0];
      g_mutex_lock (&fake_lock);
      if (fake_log)
        g_array_append_val (fake_log, start);
      g_mutex_unlock (&fake_lock);
      for (int l = 0; l <= L; l++)
        for (int pos = 0; pos < N; pos++)
          for (int d = 0; d < D; d++)
            {
              float v = pos == 0 ? -start - 100.f * l - 0.25f * d - 1
                                 : in[(pos - 1) * M] + 1000.f * pos + 100.f * l + 0.25f * d;
              st->tokens[(((gsize) l * st->B + b) * N + pos) * D + d] = v;
            }
      for (int l = 0; l < L; l++)
        for (int h = 0; h < NH; h++)
          for (int q = 0; q < N; q++)
            {
              double sum = 0;
              for (int k = 0; k < N; k++)
                sum += fake_weight (l, h, q, k, start);
              float *row = st->att + ((((gsize) l * st->B + b) * NH + h) * N + q) * N;
              for (int k = 0; k < N; k++)
                row[k] = (float) (fake_weight (l, h, q, k, start) / sum);
            }
    }
}

static const float *
fake_tokens (gpointer p, int layer)
{
  FakeState *st = p;
  gsize N = st->cfg.frames + 1;
  return st->tokens + (gsize) layer * st->B * N * st->cfg.dim;
}

static const float *
fake_attention (gpointer p, int block)
{
  FakeState *st = p;
  gsize N = st->cfg.frames + 1;
  return st->att + (gsize) block * st->B * st->cfg.heads * N * N;
}

static const VitaAnalysisBackend fake_backend = {
  fake_state_new, fake_state_free, fake_forward, fake_tokens, fake_attention,
};

/* ---- helpers -------------------------------------------------------------------- */

static VitaVit *
test_model (int frames)
{
  VitaVitConfig cfg;
  g_assert_true (vita_vit_config_init_preset (&cfg, "test", NULL));
  cfg.frames = frames;
  cfg.fe.input_mean = 0.0f;
  cfg.fe.input_std = 1.0f;
  return vita_vit_new (&cfg);
}

static float *
test_mel (int n_frames, int M)
{
  float *mel = g_new (float, (gsize) n_frames * M);
  for (int f = 0; f < n_frames; f++)
    for (int m = 0; m < M; m++)
      mel[(gsize) f * M + m] = m == 0 ? (float) f : 0.01f * m;
  return mel;
}

static VitaAnalysis *
fake_analysis (int n_frames, int frames, const VitaAnalysisOptions *opt)
{
  g_autoptr(VitaVit) vit = test_model (frames);
  g_autofree float *mel = test_mel (n_frames, vit->cfg.fe.n_mels);
  g_autoptr(GError) error = NULL;
  VitaAnalysis *an = vita_analysis_new (vit, mel, n_frames, opt, &error);
  g_assert_no_error (error);
  vita_analysis_set_backend (an, &fake_backend);
  return an;
}

/* Brute force of the header's definitions. */
static int
expected_owner (const VitaAnalysis *an, int f)
{
  const int T = an->cfg.frames;
  int best = -1, best_score = 0;
  for (int w = 0; w < an->n_windows; w++)
    {
      int s = an->window_start[w];
      if (f < s || f >= s + T)
        continue;
      int score = abs (2 * (f - s) - (T - 1));
      if (best < 0 || score < best_score)
        best = w, best_score = score;
    }
  return best;
}

static void
check_results (const VitaAnalysis *an)
{
  const int T = an->cfg.frames, N = T + 1, D = an->cfg.dim, L = an->cfg.depth, NH = an->cfg.heads;
  const int n = an->n_frames;
  g_assert_true (vita_analysis_is_complete (an));

  /* windows: hop T/2, first at 0, last aligned to the end, every frame covered */
  g_assert_cmpint (an->window_hop, ==, MAX (1, T / 2));
  g_assert_cmpint (an->window_start[0], ==, 0);
  g_assert_cmpint (an->window_start[an->n_windows - 1], ==, MAX (0, n - T));
  for (int w = 1; w < an->n_windows; w++)
    {
      g_assert_cmpint (an->window_start[w], >, an->window_start[w - 1]);
      g_assert_cmpint (an->window_start[w] - an->window_start[w - 1], <=, an->window_hop);
      if (w < an->n_windows - 1)
        g_assert_cmpint (an->window_start[w], ==, w * an->window_hop);
    }
  g_assert_cmpint (an->n_pad, ==, MAX (0, T - n));

  for (int f = 0; f < n; f++)
    {
      int w = expected_owner (an, f);
      g_assert_cmpint (an->frame_window[f], ==, w);
      g_assert_cmpint (vita_analysis_window_for_frame (an, f), ==, w);
      g_assert_cmpint (an->window_owned[w], <=, f);
      g_assert_cmpint (f, <, an->window_owned[w + 1]);
      int s = an->window_start[w], pos = 1 + f - s;
      if (an->tokens)
        for (int l = 0; l <= L; l++)
          for (int d = 0; d < D; d += 5)
            g_assert_cmpfloat (an->tokens[((gsize) l * n + f) * D + d], ==,
                               f + 1000.f * pos + 100.f * l + 0.25f * d);
      for (int l = 0; l < L; l++)
        for (int h = 0; h < NH; h++)
          {
            double want = 0;
            for (int q = 0; q < N; q++)
              {
                double sum = 0;
                for (int k = 0; k < N; k++)
                  sum += fake_weight (l, h, q, k, s);
                want += fake_weight (l, h, q, pos, s) / sum;
              }
            g_assert_cmpfloat_with_epsilon (an->received[((gsize) l * NH + h) * n + f], want, 1e-5);
          }
    }
  for (int w = 0; w < an->n_windows; w++)
    for (int l = 0; l <= L; l++)
      g_assert_cmpfloat (an->cls[((gsize) w * an->n_layers + l) * D + 3], ==,
                         -an->window_start[w] - 100.f * l - 0.75f - 1);
}

/* SSM against the full-resolution cosine matrix, block-averaged (needs tokens). */
static void
check_ssm_brute (const VitaAnalysis *an)
{
  const int n = an->n_frames, D = an->cfg.dim, S = an->ssm_size, pool = an->ssm_pool;
  g_assert_nonnull (an->tokens);
  g_assert_cmpint (S, ==, (n + pool - 1) / pool);
  for (int l = 0; l < an->n_layers; l++)
    {
      const float *x = an->tokens + (gsize) l * n * D;
      for (int i = 0; i < S; i++)
        for (int j = 0; j < S; j++)
          {
            double sum = 0;
            int cnt = 0;
            for (int a = i * pool; a < MIN (n, (i + 1) * pool); a++)
              for (int b = j * pool; b < MIN (n, (j + 1) * pool); b++)
                {
                  double dot = 0, na = 0, nb = 0;
                  for (int d = 0; d < D; d++)
                    {
                      dot += (double) x[a * D + d] * x[b * D + d];
                      na += (double) x[a * D + d] * x[a * D + d];
                      nb += (double) x[b * D + d] * x[b * D + d];
                    }
                  sum += dot / (MAX (sqrt (na), 1e-8) * MAX (sqrt (nb), 1e-8));
                  cnt++;
                }
            g_assert_cmpfloat_with_epsilon (an->ssm[((gsize) l * S + i) * S + j], sum / cnt, 1e-5);
          }
    }
}

/* ---- tests ---------------------------------------------------------------------- */

static void
test_windows_various_lengths (void)
{
  /* T even and odd; short, exact, one more, hop multiples and not */
  const int Ts[] = { 8, 7, 1, 2 };
  const int ns[] = { 1, 3, 7, 8, 9, 12, 13, 20, 31, 64, 65 };
  for (gsize ti = 0; ti < G_N_ELEMENTS (Ts); ti++)
    for (gsize ni = 0; ni < G_N_ELEMENTS (ns); ni++)
      {
        VitaAnalysisOptions opt;
        vita_analysis_options_init (&opt);
        opt.batch = 3;
        opt.ssm_max = 5;
        g_autoptr(VitaAnalysis) an = fake_analysis (ns[ni], Ts[ti], &opt);
        g_autoptr(GError) error = NULL;
        g_assert_true (vita_analysis_run (an, NULL, NULL, NULL, NULL, NULL, &error));
        g_assert_no_error (error);
        check_results (an);
        check_ssm_brute (an);
      }
}

static void
test_window_count (void)
{
  /* the paper's T = 126: hop 63; 5625 frames (3 min) → 1 + ceil(5499 / 63) = 89 */
  g_autoptr(VitaVit) vit = test_model (126);
  g_autofree float *mel = g_new0 (float, 5625 * 16);
  g_autoptr(VitaAnalysis) an = vita_analysis_new (vit, mel, 5625, NULL, NULL);
  g_assert_nonnull (an);
  g_assert_cmpint (an->window_hop, ==, 63);
  g_assert_cmpint (an->n_windows, ==, 89);
  g_assert_cmpint (an->window_start[87], ==, 87 * 63);
  g_assert_cmpint (an->window_start[88], ==, 5625 - 126);
  g_assert_cmpint (an->ssm_pool, ==, 6);
  g_assert_cmpint (an->ssm_size, ==, 938);
  /* frame 62 is only in window 0; frame 94 is as central in window 0 (|2*94-125| = 63)
   * as in window 1 (|2*31-125| = 63): a tie, the earlier wins; frame 95 goes to 1 */
  g_assert_cmpint (an->frame_window[62], ==, 0);
  g_assert_cmpint (an->frame_window[94], ==, 0);
  g_assert_cmpint (an->frame_window[95], ==, 1);
}

static void
test_padding (void)
{
  VitaAnalysisOptions opt;
  vita_analysis_options_init (&opt);
  g_autoptr(VitaAnalysis) an = fake_analysis (3, 8, &opt);
  g_assert_cmpint (an->n_windows, ==, 1);
  g_assert_cmpint (an->n_pad, ==, 5);
  g_assert_cmpfloat_with_epsilon (an->pad_value, logf (1e-6f), 1e-5);
  float in[8 * 16];
  vita_analysis_window_input (an, 0, in);
  for (int f = 0; f < 8; f++)
    for (int m = 0; m < 16; m++)
      {
        float want = f < 3 ? (m == 0 ? (float) f : 0.01f * m) : an->pad_value;
        g_assert_cmpfloat (in[f * 16 + m], ==, want);
      }
  g_assert_true (vita_analysis_run (an, NULL, NULL, NULL, NULL, NULL, NULL));
  check_results (an);
}

static void
test_bad_input (void)
{
  g_autoptr(VitaVit) vit = test_model (8);
  float mel[16] = { 0 };
  g_autoptr(GError) error = NULL;
  VitaAnalysis *an = vita_analysis_new (vit, mel, 0, NULL, &error);
  g_assert_null (an);
  g_assert_error (error, VITA_MODEL_ERROR, VITA_MODEL_ERROR_METADATA);
  g_clear_error (&error);
  VitaAnalysisOptions opt;
  vita_analysis_options_init (&opt);
  opt.ssm_max = 0;
  g_assert_null (vita_analysis_new (vit, mel, 1, &opt, &error));
  g_assert_error (error, VITA_MODEL_ERROR, VITA_MODEL_ERROR_METADATA);
  g_clear_error (&error);
  vita_analysis_options_init (&opt);
  opt.batch = 0;
  g_assert_null (vita_analysis_new (vit, mel, 1, &opt, &error));
  g_assert_error (error, VITA_MODEL_ERROR, VITA_MODEL_ERROR_METADATA);
  g_clear_error (&error);
}

static void
progress_count (VitaAnalysis *an, int done, int total, gpointer data)
{
  int *calls = data;
  g_assert_cmpint (total, ==, an->n_windows);
  g_assert_cmpint (done, >, calls[1]);
  g_assert_cmpint (done, <=, total);
  /* everything reported done is readable */
  for (int w = 0; w < an->n_windows; w++)
    if (vita_analysis_window_ready (an, w))
      for (int f = an->window_owned[w]; f < an->window_owned[w + 1]; f++)
        g_assert_true (vita_analysis_frame_ready (an, f));
  calls[0]++;
  calls[1] = done;
}

/* progress_count, and what the first report said in calls[2] */
static void
progress_first (VitaAnalysis *an, int done, int total, gpointer data)
{
  int *calls = data;
  progress_count (an, done, total, data);
  if (calls[0] == 1)
    calls[2] = done;
}

static void
test_priority_and_progress (void)
{
  VitaAnalysisOptions opt;
  vita_analysis_options_init (&opt);
  opt.batch = 2;
  opt.priority_frame = 50;
  opt.workers = 1;                     /* the exact order of the forward passes */
  g_autoptr(VitaAnalysis) an = fake_analysis (100, 8, &opt);   /* 24 windows */
  g_assert_cmpint (an->n_windows, ==, 24);
  fake_log = g_array_new (FALSE, FALSE, sizeof (int));
  int calls[3] = { 0, 0, 0 };
  g_assert_true (vita_analysis_run (an, progress_first, calls, NULL, NULL, NULL, NULL));
  /* the priority window alone first (ready after one window's forward pass), then
   * batches of 2: 1 + 23 / 2 rounded up */
  g_assert_cmpint (calls[2], ==, 1);
  g_assert_cmpint (calls[0], ==, 13);
  g_assert_cmpint (calls[1], ==, 24);
  g_assert_cmpuint (fake_log->len, ==, 24);
  /* frame 50: window centres 4w + 3.5; nearest w = 11 (47.5..) and w = 12 (51.5):
   * |100 - 95| = 5 vs |100 - 103| = 3 → 12 first, then 11 */
  g_assert_cmpint (g_array_index (fake_log, int, 0), ==, 48);
  g_assert_cmpint (g_array_index (fake_log, int, 1), ==, 44);
  /* distances never decrease */
  int prev = -1;
  for (guint i = 0; i < fake_log->len; i++)
    {
      int s = g_array_index (fake_log, int, i);
      int d = abs (100 - (2 * s + 7));
      g_assert_cmpint (d, >=, prev);
      prev = d;
    }
  g_clear_pointer (&fake_log, g_array_unref);
  check_results (an);
}

static void
cancel_after_first (VitaAnalysis *an, int done, int total, gpointer data)
{
  g_cancellable_cancel (data);
}

static void
test_cancel_and_resume (void)
{
  VitaAnalysisOptions opt;
  vita_analysis_options_init (&opt);
  opt.batch = 4;
  opt.ssm_max = 7;
  opt.workers = 1;                     /* exactly one batch before the cancellation */
  g_autoptr(VitaAnalysis) an = fake_analysis (200, 8, &opt);
  g_autoptr(GCancellable) cancel = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  g_assert_false (vita_analysis_run (an, cancel_after_first, cancel, NULL, NULL, cancel, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);
  g_assert_false (vita_analysis_is_complete (an));
  g_assert_cmpint (an->n_ready, ==, 4);
  for (int w = 0; w < an->n_windows; w++)
    g_assert_cmpint (vita_analysis_window_ready (an, w), ==, w < 4);
  /* resume: the rest, and the same results as in one go */
  vita_analysis_set_priority_frame (an, 150);
  g_assert_true (vita_analysis_run (an, NULL, NULL, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  check_results (an);
  check_ssm_brute (an);
  /* a run of a complete analysis is a no-op */
  g_assert_true (vita_analysis_run (an, NULL, NULL, NULL, NULL, NULL, &error));
}

typedef struct {
  int    n;
  int    next;
  float *copy;
  gsize  size;
  int    fail_at;
} SinkData;

static gboolean
sink_collect (VitaAnalysis *an, int window, const float *attention, gpointer data, GError **error)
{
  SinkData *sd = data;
  g_assert_cmpint (window, ==, sd->next);
  sd->next++;
  if (window == sd->fail_at)
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_NOSPC, "disk full (test)");
      return FALSE;
    }
  memcpy (sd->copy + (gsize) window * sd->size, attention, sd->size * sizeof (float));
  sd->n++;
  return TRUE;
}

typedef struct {
  VitaAnalysis *an;
  int           window;
  float        *out;
} RecomputeJob;

static gpointer
recompute_thread (gpointer data)
{
  RecomputeJob *job = data;
  g_autoptr(GError) error = NULL;
  for (int rep = 0; rep < 5; rep++)
    g_assert_true (vita_analysis_window_attention (job->an, job->window, job->out, &error));
  return NULL;
}

static void
test_attention_sink_and_recompute (void)
{
  VitaAnalysisOptions opt;
  vita_analysis_options_init (&opt);
  opt.batch = 3;
  g_autoptr(VitaAnalysis) an = fake_analysis (30, 8, &opt);
  const gsize size = (gsize) an->cfg.depth * an->cfg.heads * 9 * 9;
  SinkData sd = { 0, 0, g_new0 (float, size * an->n_windows), size, -1 };
  g_autoptr(GError) error = NULL;
  g_assert_true (vita_analysis_run (an, NULL, NULL, sink_collect, &sd, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (sd.n, ==, an->n_windows);

  /* recompute on demand from several threads at once: identical maps */
  RecomputeJob jobs[4];
  GThread *threads[4];
  for (int i = 0; i < 4; i++)
    {
      jobs[i] = (RecomputeJob) { an, i % an->n_windows, g_new (float, size) };
      threads[i] = g_thread_new ("recompute", recompute_thread, &jobs[i]);
    }
  for (int i = 0; i < 4; i++)
    {
      g_thread_join (threads[i]);
      vita_test_assert_close ("recomputed attention", jobs[i].out,
                              sd.copy + (gsize) jobs[i].window * size, size, 0.0);
      g_free (jobs[i].out);
    }
  float *dummy = g_new (float, size);
  g_assert_false (vita_analysis_window_attention (an, an->n_windows, dummy, &error));
  g_assert_error (error, VITA_MODEL_ERROR, VITA_MODEL_ERROR_METADATA);
  g_clear_error (&error);
  g_free (dummy);
  g_free (sd.copy);

  /* a failing sink stops the run with its error */
  g_autoptr(VitaAnalysis) an2 = fake_analysis (30, 8, &opt);
  SinkData sd2 = { 0, 0, g_new0 (float, size * an2->n_windows), size, 2 };
  g_assert_false (vita_analysis_run (an2, NULL, NULL, sink_collect, &sd2, NULL, &error));
  g_assert_error (error, G_FILE_ERROR, G_FILE_ERROR_NOSPC);
  g_assert_false (vita_analysis_is_complete (an2));
  g_free (sd2.copy);
}

typedef struct {
  int calls, last;
  GCancellable *cancel;
} CancelAt;

static void
cancel_at_third (VitaAnalysis *an, int done, int total, gpointer data)
{
  CancelAt *ca = data;
  g_assert_cmpint (done, >, ca->last);   /* serialised, never decreasing */
  ca->last = done;
  if (++ca->calls == 3)
    g_cancellable_cancel (ca->cancel);
}

/* Several workers: the same results (bit for bit) as one, in any priority; the sink
 * still sees the windows in index order; a cancelled run stops every worker and
 * resumes to the same results. */
static void
test_workers (void)
{
  VitaAnalysisOptions opt;
  vita_analysis_options_init (&opt);
  opt.batch = 2;
  opt.ssm_max = 9;                     /* groups of several frames, shared by windows */
  opt.workers = 1;
  g_autoptr(VitaAnalysis) one = fake_analysis (150, 8, &opt);
  g_assert_true (vita_analysis_run (one, NULL, NULL, NULL, NULL, NULL, NULL));
  check_results (one);
  check_ssm_brute (one);
  const gsize n_tok = (gsize) one->n_layers * one->n_frames * one->cfg.dim;
  const gsize n_cls = (gsize) one->n_windows * one->n_layers * one->cfg.dim;
  const gsize n_rec = (gsize) one->cfg.depth * one->cfg.heads * one->n_frames;
  const gsize n_ssm = (gsize) one->n_layers * one->ssm_size * one->ssm_size;

  for (int workers = 2; workers <= 5; workers += 3)
    for (int prio = -1; prio <= 100; prio += 101)
      {
        opt.workers = workers;
        opt.priority_frame = prio;
        g_autoptr(VitaAnalysis) an = fake_analysis (150, 8, &opt);
        const gsize size = (gsize) an->cfg.depth * an->cfg.heads * 9 * 9;
        SinkData sd = { 0, 0, g_new0 (float, size * an->n_windows), size, -1 };
        int calls[2] = { 0, 0 };
        g_autoptr(GError) error = NULL;
        gboolean ok = prio < 0
          ? vita_analysis_run (an, progress_count, calls, sink_collect, &sd, NULL, &error)
          : vita_analysis_run (an, progress_count, calls, NULL, NULL, NULL, &error);
        g_assert_no_error (error);
        g_assert_true (ok);
        g_assert_cmpint (calls[1], ==, an->n_windows);
        if (prio < 0)
          g_assert_cmpint (sd.n, ==, an->n_windows);
        g_free (sd.copy);
        g_assert_cmpmem (an->tokens, n_tok * sizeof (float), one->tokens, n_tok * sizeof (float));
        g_assert_cmpmem (an->cls, n_cls * sizeof (float), one->cls, n_cls * sizeof (float));
        g_assert_cmpmem (an->received, n_rec * sizeof (float), one->received, n_rec * sizeof (float));
        g_assert_cmpmem (an->ssm, n_ssm * sizeof (float), one->ssm, n_ssm * sizeof (float));
      }

  /* cancellation with several workers, then resume */
  opt.workers = 3;
  opt.priority_frame = -1;
  opt.batch = 1;
  g_autoptr(VitaAnalysis) an = fake_analysis (150, 8, &opt);
  g_autoptr(GCancellable) cancel = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  CancelAt ca = { 0, 0, cancel };
  g_assert_false (vita_analysis_run (an, cancel_at_third, &ca, NULL, NULL, cancel, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);
  g_assert_false (vita_analysis_is_complete (an));
  /* each worker finishes at most the batch it holds */
  g_assert_cmpint (an->n_ready, >=, 3);
  g_assert_cmpint (an->n_ready, <=, 3 + 2);
  g_assert_cmpint (an->n_ready, <, an->n_windows);
  g_assert_true (vita_analysis_run (an, NULL, NULL, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpmem (an->tokens, n_tok * sizeof (float), one->tokens, n_tok * sizeof (float));
  g_assert_cmpmem (an->ssm, n_ssm * sizeof (float), one->ssm, n_ssm * sizeof (float));
}

static void
test_without_tokens (void)
{
  VitaAnalysisOptions opt;
  vita_analysis_options_init (&opt);
  opt.ssm_max = 9;
  g_autoptr(VitaAnalysis) with = fake_analysis (77, 8, &opt);
  opt.keep_tokens = FALSE;
  g_autoptr(VitaAnalysis) without = fake_analysis (77, 8, &opt);
  g_autoptr(GError) error = NULL;
  /* The whole track's layer similarity is the stage after the analysis: not before */
  g_assert_false (vita_analysis_run_track_cka (with, NULL, NULL, NULL, &error));
  g_assert_error (error, VITA_MODEL_ERROR, VITA_MODEL_ERROR_BUSY);
  g_clear_error (&error);
  g_assert_true (vita_analysis_run (with, NULL, NULL, NULL, NULL, NULL, NULL));
  g_assert_true (vita_analysis_run (without, NULL, NULL, NULL, NULL, NULL, NULL));
  g_assert_null (without->tokens);
  /* nor in it: the analysis is complete without it */
  g_assert_true (vita_analysis_is_complete (with));
  g_assert_null (vita_analysis_track_cka (with));
  int calls[2] = { 0, 0 };
  g_assert_true (vita_analysis_run_track_cka (without, progress_count, calls, NULL, &error));
  g_assert_no_error (error);
  g_assert_null (vita_analysis_track_cka (without));   /* nothing to compute it from */
  g_assert_cmpint (calls[0], ==, 0);
  check_results (without);
  /* cancelled: nothing kept, and a later call computes it */
  g_autoptr(GCancellable) cancel = g_cancellable_new ();
  g_cancellable_cancel (cancel);
  g_assert_false (vita_analysis_run_track_cka (with, progress_count, calls, cancel, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);
  g_assert_null (vita_analysis_track_cka (with));
  g_assert_cmpint (calls[0], ==, 0);
  /* then computed once, and progress told once with every window */
  g_assert_true (vita_analysis_run_track_cka (with, progress_count, calls, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (calls[0], ==, 1);
  g_assert_cmpint (calls[1], ==, with->n_windows);
  const float *first = vita_analysis_track_cka (with);
  g_assert_nonnull (first);
  g_assert_true (first == with->cka);
  g_assert_true (vita_analysis_run_track_cka (with, progress_count, calls, NULL, &error));
  g_assert_true (vita_analysis_track_cka (with) == first);
  g_assert_cmpint (calls[0], ==, 1);
  g_autofree float *cka = g_new (float, with->n_layers * with->n_layers);
  vita_cka_forward_ref (cka, with->tokens, with->n_layers, (gsize) 77 * with->cfg.dim, 77,
                        with->cfg.dim);
  vita_test_assert_close ("cka of the whole track", with->cka, cka,
                          with->n_layers * with->n_layers, 1e-4);
  gsize S = with->ssm_size;
  vita_test_assert_close ("ssm without tokens", without->ssm, with->ssm, with->n_layers * S * S, 0.0);
  vita_test_assert_close ("received", without->received, with->received,
                          (gsize) with->cfg.depth * with->cfg.heads * 77, 0.0);
}

static void
test_pool_one_is_cosine (void)
{
  VitaAnalysisOptions opt;
  vita_analysis_options_init (&opt);
  g_autoptr(VitaAnalysis) an = fake_analysis (40, 8, &opt);
  g_assert_true (vita_analysis_run (an, NULL, NULL, NULL, NULL, NULL, NULL));
  g_assert_cmpint (an->ssm_pool, ==, 1);
  g_assert_cmpint (an->ssm_size, ==, 40);
  for (int l = 0; l < an->n_layers; l++)
    for (int i = 0; i < 40; i++)
      g_assert_cmpfloat_with_epsilon (an->ssm[((gsize) l * 40 + i) * 40 + i], 1.0, 1e-5);
  check_ssm_brute (an);
}

/* Tokens beyond tokens_in_memory_max live in the token cache file: the same values
 * (the fake backend's tokens are checked exactly), still there after their pages are
 * released, and no file left in the cache folder — during the run (unlinked at once)
 * or after it; short tracks stay in memory by default. */
static void
test_token_cache (void)
{
  VitaAnalysisOptions opt;
  vita_analysis_options_init (&opt);
  opt.ssm_max = 9;
  opt.batch = 3;
  opt.workers = 2;
  g_autoptr(VitaAnalysis) mem = fake_analysis (301, 8, &opt);
  g_assert_false (vita_analysis_tokens_cached (mem));
  vita_analysis_release_tokens (mem);   /* a no-op in memory */
  opt.tokens_in_memory_max = 0;
  g_autoptr(VitaAnalysis) an = fake_analysis (301, 8, &opt);
  g_assert_true (vita_analysis_tokens_cached (an));
  g_assert_nonnull (an->tokens);
  g_assert_cmpint (vita_test_cache_files (), ==, 0);
  g_assert_true (vita_analysis_run (mem, NULL, NULL, NULL, NULL, NULL, NULL));
  g_assert_true (vita_analysis_run (an, NULL, NULL, NULL, NULL, NULL, NULL));
  g_assert_true (vita_analysis_run_track_cka (mem, NULL, NULL, NULL, NULL));
  g_assert_true (vita_analysis_run_track_cka (an, NULL, NULL, NULL, NULL));
  check_results (an);
  gsize n_tok = (gsize) an->n_layers * an->n_frames * an->cfg.dim;
  vita_test_assert_close ("cached tokens", an->tokens, mem->tokens, n_tok, 0.0);
  vita_test_assert_close ("ssm (tokens cached)", an->ssm, mem->ssm,
                          (gsize) an->n_layers * an->ssm_size * an->ssm_size, 0.0);
  vita_analysis_release_tokens (an);
  vita_test_assert_close ("cached tokens after release", an->tokens, mem->tokens, n_tok, 0.0);
  g_assert_cmpint (vita_test_cache_files (), ==, 0);
  /* the mel lives in the cache too, and reads the same every way */
  const int M = an->cfg.fe.n_mels, T = an->cfg.frames, D = an->cfg.dim;
  vita_test_assert_close ("cached mel", an->mel, mem->mel, (gsize) an->n_frames * M, 0.0);
  g_autofree float *in_a = g_new (float, (gsize) T * M), *in_b = g_new (float, (gsize) T * M);
  for (int w = 0; w < an->n_windows; w += 7)
    {
      vita_analysis_window_input (an, w, in_a);
      vita_analysis_window_input (mem, w, in_b);
      vita_test_assert_close ("window input", in_a, in_b, (gsize) T * M, 0.0);
    }
  g_autofree float *tok = g_new (float, (gsize) 50 * D);
  vita_analysis_read_tokens (an, 2, 100, 50, tok);
  vita_test_assert_close ("tokens read", tok, mem->tokens + ((gsize) 2 * 301 + 100) * D,
                          (gsize) 50 * D, 0.0);
  /* the layer similarity streamed from the file = the one in memory */
  vita_test_assert_close ("cka (tokens cached)", an->cka, mem->cka,
                          (gsize) an->n_layers * an->n_layers, 1e-5);
}

/* An analysis made without a mel takes it in parts (vita_analysis_set_mel), as a long
 * track's mel is computed, and gives exactly the results of one made with it whole. */
static void
test_mel_in_parts (void)
{
  VitaAnalysisOptions opt;
  vita_analysis_options_init (&opt);
  opt.tokens_in_memory_max = 0;
  g_autoptr(VitaVit) vit = test_model (8);
  const int n = 93, M = vit->cfg.fe.n_mels;
  g_autofree float *mel = test_mel (n, M);
  g_autoptr(VitaAnalysis) whole = fake_analysis (n, 8, &opt);
  g_autoptr(GError) error = NULL;
  g_autoptr(VitaAnalysis) parts = vita_analysis_new (vit, NULL, n, &opt, &error);
  g_assert_no_error (error);
  vita_analysis_set_backend (parts, &fake_backend);
  for (int f = 0; f < n; f += 40)
    g_assert_true (vita_analysis_set_mel (parts, f, mel + (gsize) f * M, MIN (40, n - f), &error));
  g_assert_no_error (error);
  vita_test_assert_close ("mel set in parts", parts->mel, whole->mel, (gsize) n * M, 0.0);
  /* the colour range the mel panel shows, kept as the parts came in */
  float lo, hi, lo_w, hi_w;
  g_assert_true (vita_analysis_mel_range (parts, &lo, &hi));
  g_assert_true (vita_analysis_mel_range (whole, &lo_w, &hi_w));
  g_assert_cmpfloat (lo, ==, 0.0f);       /* test_mel: band 0 is the frame index */
  g_assert_cmpfloat (hi, ==, (float) (n - 1));
  g_assert_cmpfloat (lo_w, ==, lo);
  g_assert_cmpfloat (hi_w, ==, hi);
  g_assert_true (vita_analysis_run (whole, NULL, NULL, NULL, NULL, NULL, NULL));
  g_assert_true (vita_analysis_run (parts, NULL, NULL, NULL, NULL, NULL, NULL));
  check_results (parts);
  vita_test_assert_close ("ssm", parts->ssm, whole->ssm,
                          (gsize) whole->n_layers * whole->ssm_size * whole->ssm_size, 0.0);
}

int
main (int argc, char **argv)
{
  char *cache = vita_test_cache_new ();   /* before g_test_init */
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/analysis/token-cache", test_token_cache);
  g_test_add_func ("/analysis/mel-in-parts", test_mel_in_parts);
  g_test_add_func ("/analysis/window-count", test_window_count);
  g_test_add_func ("/analysis/windows-various-lengths", test_windows_various_lengths);
  g_test_add_func ("/analysis/padding", test_padding);
  g_test_add_func ("/analysis/bad-input", test_bad_input);
  g_test_add_func ("/analysis/priority-and-progress", test_priority_and_progress);
  g_test_add_func ("/analysis/cancel-and-resume", test_cancel_and_resume);
  g_test_add_func ("/analysis/attention-sink-and-recompute", test_attention_sink_and_recompute);
  g_test_add_func ("/analysis/without-tokens", test_without_tokens);
  g_test_add_func ("/analysis/workers", test_workers);
  g_test_add_func ("/analysis/ssm-pool-one-is-cosine", test_pool_one_is_cosine);
  return vita_test_cache_remove (cache, g_test_run ());
}
