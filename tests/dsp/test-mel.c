/* test-mel.c — the log-mel front-end against torchaudio (float64), see
 * tests/make_golden_dsp.py.  Target (issue 2, item 6): max abs error ≤ 1e-4. */
#include "vita-mel.h"
#include "vita-test.h"

#include <math.h>

#define LOGMEL_TOL 1e-4

static float *
run_logmel (const VitaFrontend *fe, const float *pcm, gsize n, gsize *n_frames)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(VitaMel) mel = vita_mel_new (fe, &error);
  g_assert_no_error (error);
  *n_frames = vita_frontend_n_frames (fe, n);
  float *out = g_new (float, *n_frames * fe->n_mels);
  vita_mel_compute (mel, pcm, n, out);
  return out;
}

static void
check_golden (const char *pcm_name, const char *ref_name, const VitaFrontend *fe)
{
  gsize n_pcm, shape[VITA_NPY_MAX_DIMS];
  int ndim;
  g_autofree float *pcm = vita_test_load_npy (pcm_name, NULL, NULL, &n_pcm);
  g_autofree float *ref = vita_test_load_npy (ref_name, &ndim, shape, NULL);
  g_assert_cmpint (ndim, ==, 2);
  gsize nf;
  g_autofree float *got = run_logmel (fe, pcm, n_pcm, &nf);
  g_assert_cmpuint (nf, ==, shape[0]);
  g_assert_cmpuint ((gsize) fe->n_mels, ==, shape[1]);
  double err = vita_test_max_abs_diff (got, ref, nf * fe->n_mels, NULL);
  g_test_message ("%s: %zu frames, max abs error %.3g", ref_name, nf, err);
  vita_test_assert_close (ref_name, got, ref, nf * fe->n_mels, LOGMEL_TOL);
}

static void
test_music (void)
{
  VitaFrontend fe;
  vita_frontend_init_default (&fe);
  check_golden ("dsp_music_pcm.npy", "dsp_music_logmel.npy", &fe);
  fe.input_mean = -4.5f;
  fe.input_std = 3.25f;
  check_golden ("dsp_music_pcm.npy", "dsp_music_logmel_norm.npy", &fe);
}

static void
test_synthetic (gconstpointer data)
{
  const char *name = data;
  VitaFrontend fe;
  vita_frontend_init_default (&fe);
  g_autofree char *pcm = g_strdup_printf ("dsp_syn_%s_pcm.npy", name);
  g_autofree char *ref = g_strdup_printf ("dsp_syn_%s_logmel.npy", name);
  check_golden (pcm, ref, &fe);
}

static void
test_other_frontend (void)
{
  VitaFrontend fe = {
    .sample_rate = 22050, .n_fft = 512, .win_length = 400, .hop_length = 160,
    .center = TRUE, .power = 1.0f, .n_mels = 64, .f_min = 30.0f, .f_max = 11025.0f,
    .log_offset = 1e-3f, .input_mean = 1.0f, .input_std = 2.0f,
  };
  check_golden ("dsp_cfg2_pcm.npy", "dsp_cfg2_logmel.npy", &fe);

  g_autoptr(GError) error = NULL;
  g_autoptr(VitaMel) mel = vita_mel_new (&fe, &error);
  g_assert_no_error (error);
  gsize n;
  g_autofree float *fb = vita_test_load_npy ("dsp_cfg2_melfb.npy", NULL, NULL, &n);
  g_assert_cmpuint (n, ==, 64 * 257);
  vita_test_assert_close ("Slaney filterbank", vita_mel_filterbank (mel), fb, n, 1e-7);
}

/* The FFT path against the naive DFT reference kernel (both in double). */
static void
test_matches_ref_kernel (void)
{
  VitaFrontend fe;
  vita_frontend_init_default (&fe);
  fe.n_fft = 256;
  fe.win_length = 200;
  fe.hop_length = 100;
  fe.n_mels = 32;
  gsize n = 1234;
  g_autofree float *pcm = g_new (float, n);
  for (gsize i = 0; i < n; i++)
    pcm[i] = (float) (0.6 * sin (i * 0.37) + 0.3 * sin (i * 2.1) * (i % 97 == 0 ? 3 : 1));
  g_autoptr(GError) error = NULL;
  g_autoptr(VitaMel) mel = vita_mel_new (&fe, &error);
  g_assert_no_error (error);
  gsize nf = vita_frontend_n_frames (&fe, n);
  g_autofree float *a = g_new (float, nf * fe.n_mels);
  g_autofree float *b = g_new (float, nf * fe.n_mels);
  vita_mel_compute (mel, pcm, n, a);
  vita_mel_compute_ref (mel, pcm, n, b);
  vita_test_assert_close ("FFT vs naive DFT", a, b, nf * fe.n_mels, 1e-5);
}

/* Several threads on one VitaMel (and several VitaMel being created at once)
 * give bit-identical results: the planner lock and per-call buffers work. */
typedef struct {
  VitaMel     *mel;
  const float *pcm;
  gsize        n;
  float       *out;
} Job;

static gpointer
thread_main (gpointer data)
{
  Job *job = data;
  VitaFrontend fe;
  vita_frontend_init_default (&fe);
  for (int r = 0; r < 3; r++)
    {
      g_autoptr(VitaMel) own = vita_mel_new (&fe, NULL);  /* plans concurrently */
      g_assert_nonnull (own);
      vita_mel_compute (job->mel, job->pcm, job->n, job->out);
    }
  return NULL;
}

static void
test_threads (void)
{
  gsize n;
  g_autofree float *pcm = vita_test_load_npy ("dsp_music_pcm.npy", NULL, NULL, &n);
  VitaFrontend fe;
  vita_frontend_init_default (&fe);
  g_autoptr(VitaMel) mel = vita_mel_new (&fe, NULL);
  gsize nf = vita_frontend_n_frames (&fe, n);
  g_autofree float *want = g_new (float, nf * fe.n_mels);
  vita_mel_compute (mel, pcm, n, want);
  enum { N = 4 };
  Job jobs[N];
  GThread *threads[N];
  for (int i = 0; i < N; i++)
    {
      jobs[i] = (Job) { mel, pcm, n, g_new (float, nf * fe.n_mels) };
      threads[i] = g_thread_new ("mel", thread_main, &jobs[i]);
    }
  for (int i = 0; i < N; i++)
    {
      g_thread_join (threads[i]);
      g_assert_cmpmem (jobs[i].out, nf * fe.n_mels * sizeof (float), want, nf * fe.n_mels * sizeof (float));
      g_free (jobs[i].out);
    }
}

static void
test_empty_and_frames (void)
{
  VitaFrontend fe;
  vita_frontend_init_default (&fe);
  g_assert_cmpuint (vita_frontend_n_frames (&fe, 0), ==, 1);
  g_assert_cmpuint (vita_frontend_n_frames (&fe, 511), ==, 1);
  g_assert_cmpuint (vita_frontend_n_frames (&fe, 512), ==, 2);
  g_autoptr(VitaMel) mel = vita_mel_new (&fe, NULL);
  float out[128];
  vita_mel_compute (mel, NULL, 0, out);  /* no samples: one frame of log(offset) */
  for (int m = 0; m < 128; m++)
    g_assert_cmpfloat_with_epsilon (out[m], logf (1e-6f), 1e-5);
  float one = 0.5f;  /* one sample: held constant, finite everywhere */
  vita_mel_compute (mel, &one, 1, out);
  for (int m = 0; m < 128; m++)
    g_assert_true (isfinite (out[m]));
}

/* A track's mel a stretch at a time (vita_mel_compute_range) from only the samples
 * vita_mel_range_samples names, each copied to a buffer of its own (a read outside it
 * would be caught): bit for bit the whole-track mel, for stretches at the start, in the
 * middle and at the end, centred and not, lengths on and off the hop. */
static void
test_range (void)
{
  for (int centre = 0; centre < 2; centre++)
    for (gsize n = 5000; n <= 5000 + 512; n += 256 + 1)
      {
        VitaFrontend fe;
        vita_frontend_init_default (&fe);
        fe.center = centre;
        g_autoptr(VitaMel) mel = vita_mel_new (&fe, NULL);
        g_autofree float *pcm = g_new (float, n);
        for (gsize i = 0; i < n; i++)
          pcm[i] = sinf (0.01f * i * (1 + i % 7)) * 0.5f;
        const gsize nf = vita_frontend_n_frames (&fe, n), M = fe.n_mels;
        g_autofree float *whole = g_new (float, nf * M), *got = g_new (float, nf * M);
        vita_mel_compute (mel, pcm, n, whole);
        for (gsize step = 1; step <= 4; step += 3)
          {
            for (gsize f = 0; f < nf; f += step)
              {
                gsize k = MIN (step, nf - f), a, b;
                vita_mel_range_samples (mel, n, f, k, &a, &b);
                g_assert_cmpuint (a, <=, b);
                g_assert_cmpuint (b, <=, n);
                g_autofree float *part = g_memdup2 (pcm + a, MAX (b - a, 1) * sizeof (float));
                vita_mel_compute_range (mel, part, a, b - a, n, f, k, got + f * M);
              }
            g_assert_cmpmem (got, nf * M * sizeof (float), whole, nf * M * sizeof (float));
          }
      }
}

static void
test_bad_frontend (void)
{
  VitaFrontend fe;
  vita_frontend_init_default (&fe);
  fe.hop_length = 0;
  g_autoptr(GError) e1 = NULL;
  g_assert_null (vita_mel_new (&fe, &e1));
  g_assert_error (e1, VITA_DSP_ERROR, VITA_DSP_ERROR_INVALID);
  vita_frontend_init_default (&fe);
  fe.f_max = 9000;  /* above Nyquist at 16 kHz */
  g_autoptr(GError) e2 = NULL;
  g_assert_null (vita_mel_new (&fe, &e2));
  g_assert_error (e2, VITA_DSP_ERROR, VITA_DSP_ERROR_INVALID);
  vita_frontend_init_default (&fe);
  fe.input_std = 0;
  g_autoptr(GError) e3 = NULL;
  g_assert_null (vita_mel_new (&fe, &e3));
  g_assert_error (e3, VITA_DSP_ERROR, VITA_DSP_ERROR_INVALID);
  vita_frontend_init_default (&fe);
  fe.win_length = 2048;
  g_autoptr(GError) e4 = NULL;
  g_assert_null (vita_mel_new (&fe, &e4));
  g_assert_error (e4, VITA_DSP_ERROR, VITA_DSP_ERROR_INVALID);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/mel/golden/music", test_music);
  static const char *syn[] = { "chirp", "clicks", "noise", "silence", "square", "short", "tiny" };
  for (guint i = 0; i < G_N_ELEMENTS (syn); i++)
    {
      g_autofree char *path = g_strdup_printf ("/mel/golden/%s", syn[i]);
      g_test_add_data_func (path, syn[i], test_synthetic);
    }
  g_test_add_func ("/mel/golden/other-frontend", test_other_frontend);
  g_test_add_func ("/mel/ref-kernel", test_matches_ref_kernel);
  g_test_add_func ("/mel/threads", test_threads);
  g_test_add_func ("/mel/empty", test_empty_and_frames);
  g_test_add_func ("/mel/range", test_range);
  g_test_add_func ("/mel/bad-frontend", test_bad_frontend);
  return g_test_run ();
}
