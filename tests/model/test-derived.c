/* test-derived.c — quantities derived from an analysis (model/vita-derived.h):
 * linear CKA against numpy (tests/make_golden_cka.py), its invariances, the
 * analysis's CKA over frames and its refusals, rollout, the received-attention
 * curve's gaps and onset peak picking. */
#include "vita-test.h"
#include "model/vita-blas.h"
#include "model/vita-derived.h"

#include <cblas.h>

#include <math.h>
#include <string.h>

static void
check_golden (const char *name)
{
  g_autofree char *xname = g_strdup_printf ("cka_%s_x.npy", name);
  g_autofree char *rname = g_strdup_printf ("cka_%s_ref.npy", name);
  int nd;
  gsize shape[VITA_NPY_MAX_DIMS], count;
  g_autofree float *x = vita_test_load_npy (xname, &nd, shape, &count);
  g_assert_cmpint (nd, ==, 3);
  int L = shape[0], n = shape[1], d = shape[2];
  g_autofree float *ref = vita_test_load_npy (rname, NULL, NULL, &count);
  g_assert_cmpuint (count, ==, (gsize) L * L);
  g_autofree float *got = g_new (float, L * L);
  g_autofree float *naive = g_new (float, L * L);
  vita_cka_forward (got, x, L, (gsize) n * d, n, d);
  vita_cka_forward_ref (naive, x, L, (gsize) n * d, n, d);
  vita_test_assert_close ("cka vs numpy", got, ref, L * L, 1e-5);
  vita_test_assert_close ("cka_ref vs numpy", naive, ref, L * L, 1e-6);
  for (int a = 0; a < L; a++)
    g_assert_cmpfloat_with_epsilon (got[a * L + a], 1.0, 1e-5);
}

static void
test_cka_golden (void)
{
  check_golden ("tall");   /* n > d */
  check_golden ("wide");   /* n < d */
}

static void
test_cka_invariances (void)
{
  /* Linear CKA is invariant to an orthogonal map, isotropic scaling and an offset of
   * either matrix (Kornblith et al. 2019, section 3): layer 1 = 3 · layer 0 · R + 5
   * with R a rotation in a plane gives CKA 1, a constant layer gives 0. */
  const int n = 30, d = 4;
  g_autofree float *x = g_new (float, 3 * n * d);
  guint32 s = 7;
  for (int i = 0; i < n * d; i++)
    {
      s = s * 1664525u + 1013904223u;
      x[i] = (float) (s >> 8) / (1 << 24) - 0.5f;
    }
  double c = cos (0.7), si = sin (0.7);
  for (int i = 0; i < n; i++)
    {
      const float *r = x + i * d;
      float *o = x + n * d + i * d;
      o[0] = (float) (3 * (c * r[0] - si * r[1]) + 5);
      o[1] = (float) (3 * (si * r[0] + c * r[1]) + 5);
      o[2] = 3 * r[2] + 5;
      o[3] = 3 * r[3] + 5;
      for (int k = 0; k < d; k++)
        x[2 * n * d + i * d + k] = 2.0f;
    }
  float got[9];
  vita_cka_forward (got, x, 3, (gsize) n * d, n, d);
  g_assert_cmpfloat_with_epsilon (got[1], 1.0, 1e-5);
  g_assert_cmpfloat_with_epsilon (got[3], 1.0, 1e-5);
  g_assert_cmpfloat (got[2], ==, 0.0f);
  g_assert_cmpfloat (got[8], ==, 0.0f);
}

/* A hand-built analysis (as views/ tests make them): 3 windows of 8 frames. */
static VitaAnalysis *
hand_analysis (gboolean tokens)
{
  VitaAnalysis *an = g_new0 (VitaAnalysis, 1);
  an->ref_count = 1;
  an->n_frames = 16;
  an->n_layers = 3;
  an->cfg.depth = 2;
  an->cfg.heads = 2;
  an->cfg.dim = 5;
  an->cfg.frames = 8;
  an->n_windows = 3;
  an->window_start = g_new (int, 3);
  for (int w = 0; w < 3; w++)
    an->window_start[w] = 4 * w;
  an->frame_window = g_new (int, 16);
  for (int f = 0; f < 16; f++)
    an->frame_window[f] = f < 6 ? 0 : f < 10 ? 1 : 2;
  an->window_ready = g_new0 (gint, 3);
  an->window_ready[0] = an->window_ready[1] = 1;   /* window 2 (frames 10..15) not yet */
  an->received = g_new (float, 2 * 2 * 16);
  for (int i = 0; i < 2 * 2 * 16; i++)
    an->received[i] = (float) i;
  if (tokens)
    {
      an->tokens = g_new (float, 3 * 16 * 5);
      for (int i = 0; i < 3 * 16 * 5; i++)
        an->tokens[i] = (float) sin (i * 0.37 + (i / 80) * 0.5);
    }
  return an;
}

static void
test_analysis_cka (void)
{
  VitaAnalysis *an = hand_analysis (TRUE);
  float got[9], want[9];
  g_autoptr(GError) error = NULL;
  g_assert_true (vita_analysis_cka (got, an, 2, 8, &error));
  g_assert_no_error (error);
  vita_cka_forward_ref (want, an->tokens + 2 * 5, 3, 16 * 5, 8, 5);
  vita_test_assert_close ("cka of frames 2..9", got, want, 9, 1e-5);
  /* Frames of a window not analysed yet: busy, not garbage. */
  g_assert_false (vita_analysis_cka (got, an, 4, 8, &error));
  g_assert_error (error, VITA_MODEL_ERROR, VITA_MODEL_ERROR_BUSY);
  g_clear_error (&error);
  g_assert_false (vita_analysis_cka (got, an, 15, 8, &error));   /* one frame left */
  g_assert_error (error, VITA_MODEL_ERROR, VITA_MODEL_ERROR_MISMATCH);
  g_clear_error (&error);
  vita_analysis_unref (an);
  an = hand_analysis (FALSE);
  g_assert_false (vita_analysis_cka (got, an, 0, 8, &error));
  g_assert_error (error, VITA_MODEL_ERROR, VITA_MODEL_ERROR_UNSUPPORTED);
  g_assert_nonnull (strstr (error->message, "tokens"));
  vita_analysis_unref (an);
}

/* The analysis's CKA over more frames than d: split into per-layer panels shared by
 * threads, read in parts of 512 frames.  The same bits for any number of threads,
 * and the same numbers as vita_cka_forward on the same frames (tokens with a large
 * offset per layer, so that a centring error would show; d 20: the 8-float loop and
 * its tail). */
static void
test_analysis_cka_threads (void)
{
  const int n = 2100, L = 4, d = 20;
  VitaAnalysis *an = g_new0 (VitaAnalysis, 1);
  an->ref_count = 1;
  an->n_frames = n;
  an->n_layers = L;
  an->cfg.depth = L - 1;
  an->cfg.heads = 1;
  an->cfg.dim = d;
  an->cfg.frames = n;
  an->n_windows = 1;
  an->window_start = g_new0 (int, 1);
  an->frame_window = g_new0 (int, n);
  an->window_ready = g_new (gint, 1);
  an->window_ready[0] = 1;
  an->tokens = g_new (float, (gsize) L * n * d);
  guint32 s = 11;
  for (int l = 0; l < L; l++)
    for (int i = 0; i < n * d; i++)
      {
        s = s * 1664525u + 1013904223u;
        float noise = (float) (s >> 8) / (1 << 24) - 0.5f;
        /* each layer: the one below, turned a little, plus noise and an offset */
        float below = l > 0 ? an->tokens[((gsize) (l - 1) * n) * d + i] : 0.0f;
        float other = l > 0 ? an->tokens[((gsize) (l - 1) * n) * d + (i / d) * d + (i + 1) % d] : 0.0f;
        an->tokens[(gsize) l * n * d + i] = 0.8f * below + 0.3f * other + noise + 40.0f * (l + 1);
      }

  const int LL = L * L;
  float one[16], many[16], want[16];
  g_autoptr(GError) error = NULL;
  const int ranges[][2] = { { 0, n }, { 300, 1100 }, { 1000, 60 } };
  for (gsize r = 0; r < G_N_ELEMENTS (ranges); r++)
    {
      const int first = ranges[r][0], count = ranges[r][1];
      g_assert_true (vita_analysis_cka_threads (one, an, first, count, 1, NULL, &error));
      g_assert_no_error (error);
      for (int threads = 2; threads <= 2 * L + 1; threads += 3)
        {
          memset (many, 0, sizeof many);
          g_assert_true (vita_analysis_cka_threads (many, an, first, count, threads, NULL, &error));
          g_assert_cmpmem (many, LL * sizeof (float), one, LL * sizeof (float));
        }
      g_assert_true (vita_analysis_cka (many, an, first, count, &error));
      g_assert_cmpmem (many, LL * sizeof (float), one, LL * sizeof (float));
      vita_cka_forward (want, an->tokens + (gsize) first * d, L, (gsize) n * d, count, d);
      vita_test_assert_close ("panels vs cka_forward", one, want, LL, 1e-5);
      if (count <= 100)
        {
          vita_cka_forward_ref (want, an->tokens + (gsize) first * d, L, (gsize) n * d, count, d);
          vita_test_assert_close ("panels vs cka_ref", one, want, LL, 1e-5);
        }
      /* not a trivial field: the layers are related, not the same */
      g_assert_cmpfloat (one[1], <, 0.99f);
      g_assert_cmpfloat (one[L - 1], >, 0.05f);
    }
  /* cancelled: stops before its first part and says so */
  g_autoptr(GCancellable) cancel = g_cancellable_new ();
  g_cancellable_cancel (cancel);
  g_assert_false (vita_analysis_cka_threads (many, an, 0, n, 2, cancel, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  vita_analysis_unref (an);
}

static void
test_received_curve (void)
{
  VitaAnalysis *an = hand_analysis (FALSE);
  float out[16];
  /* block 1, head 0: received[(1*2+0)*16 + f] = 32 + f; frames of window 2 are NaN. */
  float max = vita_received_curve (out, an, 1, 0, 0, 16);
  for (int f = 0; f < 10; f++)
    g_assert_cmpfloat (out[f], ==, 32.0f + f);
  for (int f = 10; f < 16; f++)
    g_assert_true (isnan (out[f]));
  g_assert_cmpfloat (max, ==, 41.0f);
  /* Mean of the heads: (32 + f + 48 + f) / 2. */
  vita_received_curve (out, an, 1, -1, 3, 5);
  g_assert_cmpfloat (out[0], ==, 43.0f);
  g_assert_cmpfloat (out[1], ==, 44.0f);
  vita_analysis_unref (an);
}

static void
test_onset_peaks (void)
{
  /* Two clear peaks on a baseline; NaN (frames not analysed) never makes a peak. */
  float c[20];
  for (int i = 0; i < 20; i++)
    c[i] = 10.0f;
  c[5] = 20.0f;
  c[12] = 18.0f;
  c[16] = NAN;
  g_autoptr(GArray) p = vita_onset_peaks (c, 20, 0.05f, 3);
  g_assert_cmpuint (p->len, ==, 2);
  g_assert_cmpuint (g_array_index (p, guint, 0), ==, 5);
  g_assert_cmpuint (g_array_index (p, guint, 1), ==, 12);
  for (int i = 0; i < 20; i++)
    c[i] = 3.0f;
  g_autoptr(GArray) flat = vita_onset_peaks (c, 20, 0.05f, 3);
  g_assert_cmpuint (flat->len, ==, 0);
}

static void
test_rollout (void)
{
  /* One block whose heads attend uniformly: Ã = 0.5 U + 0.5 I (rows sum to 1); two
   * such blocks: Ã². Rows of a rollout stay stochastic. */
  const int NH = 2, N = 3, L = 2;
  float att[L * NH * N * N];
  for (int i = 0; i < L * NH * N * N; i++)
    att[i] = 1.0f / N;
  float r1[9], r2[9];
  vita_attention_rollout (r1, att, 0, NH, N);
  for (int i = 0; i < N; i++)
    for (int j = 0; j < N; j++)
      g_assert_cmpfloat_with_epsilon (r1[i * N + j], (i == j ? 0.5 : 0.0) + 0.5 / N, 1e-6);
  vita_attention_rollout (r2, att, 1, NH, N);
  for (int i = 0; i < N; i++)
    {
      double s = 0;
      for (int j = 0; j < N; j++)
        {
          double want = 0;
          for (int k = 0; k < N; k++)
            want += r1[i * N + k] * r1[k * N + j];
          g_assert_cmpfloat_with_epsilon (r2[i * N + j], want, 1e-6);
          s += r2[i * N + j];
        }
      g_assert_cmpfloat_with_epsilon (s, 1.0, 1e-6);
    }
}

/* The one BLAS policy: single-threaded sections nest, and the default set while
 * one is held is what comes back (not what was there when it began). */
static void
test_blas_policy (void)
{
  vita_blas_set_threads (2);
  g_assert_cmpint (openblas_get_num_threads (), ==, 2);
  VitaBlasSingle *a = vita_blas_single_begin ();
  VitaBlasSingle *b = vita_blas_single_begin ();
  g_assert_cmpint (openblas_get_num_threads (), ==, 1);
  vita_blas_set_threads (3);
  g_assert_cmpint (openblas_get_num_threads (), ==, 1);
  g_assert_cmpint (vita_blas_get_threads (), ==, 3);
  vita_blas_single_end (a);
  g_assert_cmpint (openblas_get_num_threads (), ==, 1);
  vita_blas_single_end (b);
  g_assert_cmpint (openblas_get_num_threads (), ==, 3);
  vita_blas_set_threads (1);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/derived/cka-golden", test_cka_golden);
  g_test_add_func ("/derived/cka-invariances", test_cka_invariances);
  g_test_add_func ("/derived/analysis-cka", test_analysis_cka);
  g_test_add_func ("/derived/analysis-cka-threads", test_analysis_cka_threads);
  g_test_add_func ("/derived/received-curve", test_received_curve);
  g_test_add_func ("/derived/onset-peaks", test_onset_peaks);
  g_test_add_func ("/derived/rollout", test_rollout);
  g_test_add_func ("/derived/blas-policy", test_blas_policy);
  return g_test_run ();
}
