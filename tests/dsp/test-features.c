/* test-features.c — onset flux, peak picking, SSM, chroma, MFCC against the
 * references of tests/make_golden_dsp.py (numpy ports / torchaudio, float64). */
#include "vita-features.h"
#include "vita-mel.h"
#include "vita-test.h"

#include <math.h>

/* Power spectrogram of the music excerpt by the C front-end. */
static float *
music_power (gsize *n_frames, int *n_bins)
{
  gsize n;
  g_autofree float *pcm = vita_test_load_npy ("dsp_music_pcm.npy", NULL, NULL, &n);
  VitaFrontend fe;
  vita_frontend_init_default (&fe);
  g_autoptr(VitaMel) mel = vita_mel_new (&fe, NULL);
  *n_frames = vita_frontend_n_frames (&fe, n);
  *n_bins = fe.n_fft / 2 + 1;
  float *p = g_new (float, *n_frames * *n_bins);
  vita_mel_power (mel, pcm, n, p);
  return p;
}

static void
test_onset (void)
{
  gsize nf;
  int nb;
  g_autofree float *p = music_power (&nf, &nb);
  gsize n_ref;
  g_autofree float *ref = vita_test_load_npy ("dsp_music_onset.npy", NULL, NULL, &n_ref);
  g_assert_cmpuint (n_ref, ==, nf);
  g_autofree float *got = g_new (float, nf);
  vita_onset_flux (p, nf, nb, got);
  /* values reach ~100; relative 1e-5 is float32 round-off of the power input */
  vita_test_assert_close_rel ("onset flux (music)", got, ref, nf, 1e-5);
  g_assert_cmpfloat (got[0], ==, 0.0f);

  /* clicks: a click frame has a large novelty, the frames between them a small one */
  gsize n;
  g_autofree float *clk = vita_test_load_npy ("dsp_syn_clicks_pcm.npy", NULL, NULL, &n);
  VitaFrontend fe;
  vita_frontend_init_default (&fe);
  g_autoptr(VitaMel) mel = vita_mel_new (&fe, NULL);
  gsize cf = vita_frontend_n_frames (&fe, n);
  g_autofree float *cp = g_new (float, cf * 513);
  vita_mel_power (mel, clk, n, cp);
  g_autofree float *cn = g_new (float, cf);
  vita_onset_flux (cp, cf, 513, cn);
  g_autofree float *cref = vita_test_load_npy ("dsp_clicks_onset.npy", NULL, NULL, NULL);
  vita_test_assert_close_rel ("onset flux (clicks)", cn, cref, cf, 1e-5);
}

static void
test_peaks (void)
{
  gsize n, n_peaks;
  g_autofree float *nov = vita_test_load_npy ("dsp_music_onset.npy", NULL, NULL, &n);
  g_autofree float *delta = vita_test_load_npy ("dsp_music_peaks_delta.npy", NULL, NULL, NULL);
  g_autofree float *want = vita_test_load_npy ("dsp_music_peaks.npy", NULL, NULL, &n_peaks);
  g_assert_cmpuint (n_peaks, >, 2);
  g_autoptr(GArray) got = vita_peak_pick (nov, n, delta[0], 2);
  g_assert_cmpuint (got->len, ==, n_peaks);
  for (guint i = 0; i < got->len; i++)
    g_assert_cmpuint (g_array_index (got, guint, i), ==, (guint) want[i]);

  /* hand-made: two peaks, the second too close (wait 3), a plateau, silence */
  float x[] = { 0, 5, 0, 0, 4, 0, 0, 0, 0, 3, 3, 0, 0, 0, 0, 0 };
  g_autoptr(GArray) p = vita_peak_pick_full (x, G_N_ELEMENTS (x), 1, 2, 3, 4, 1.0f, 3);
  g_assert_cmpuint (p->len, ==, 2);
  g_assert_cmpuint (g_array_index (p, guint, 0), ==, 1);
  g_assert_cmpuint (g_array_index (p, guint, 1), ==, 9);   /* 4 (index 4) is within wait */
  float z[8] = { 0 };
  g_autoptr(GArray) none = vita_peak_pick (z, 8, 0.1f, 0);
  g_assert_cmpuint (none->len, ==, 0);
  g_autoptr(GArray) empty = vita_peak_pick (NULL, 0, 0.1f, 0);
  g_assert_cmpuint (empty->len, ==, 0);
}

static void
test_chroma (void)
{
  gsize n;
  g_autofree float *fb = vita_chroma_filterbank_new (16000, 1024, 12);
  g_autofree float *fb_ref = vita_test_load_npy ("dsp_chroma_fb.npy", NULL, NULL, &n);
  g_assert_cmpuint (n, ==, 12 * 513);
  vita_test_assert_close ("chroma filterbank", fb, fb_ref, n, 1e-6);

  gsize nf;
  int nb;
  g_autofree float *p = music_power (&nf, &nb);
  g_autofree float *got = g_new (float, nf * 12);
  vita_chroma (fb, 12, p, nf, nb, got);
  g_autofree float *ref = vita_test_load_npy ("dsp_music_chroma.npy", NULL, NULL, &n);
  g_assert_cmpuint (n, ==, nf * 12);
  vita_test_assert_close ("chroma (music)", got, ref, n, 1e-5);

  /* silence stays 0, a frame's maximum is 1 */
  float zero[513] = { 0 };
  float c[12];
  vita_chroma (fb, 12, zero, 1, 513, c);
  for (int i = 0; i < 12; i++)
    g_assert_cmpfloat (c[i], ==, 0.0f);
  float mx = 0;
  for (gsize i = 0; i < 12; i++)
    mx = MAX (mx, got[12 * 10 + i]);
  g_assert_cmpfloat_with_epsilon (mx, 1.0f, 1e-6);

  /* a pure A (440 Hz): pitch class A (index 9) must win */
  float pure[513] = { 0 };
  pure[(int) lround (440.0 * 1024 / 16000)] = 1.0f;  /* bin 28 = 437.5 Hz */
  vita_chroma (fb, 12, pure, 1, 513, c);
  int best = 0;
  for (int i = 1; i < 12; i++)
    if (c[i] > c[best])
      best = i;
  g_assert_cmpint (best, ==, 9);
}

static void
test_mfcc (void)
{
  static const char *cases[][2] = {
    { "dsp_music_pcm.npy", "dsp_music_mfcc.npy" },
    { "dsp_syn_chirp_pcm.npy", "dsp_chirp_mfcc.npy" },
  };
  for (guint c = 0; c < G_N_ELEMENTS (cases); c++)
    {
      gsize n, n_ref;
      g_autofree float *pcm = vita_test_load_npy (cases[c][0], NULL, NULL, &n);
      g_autofree float *ref = vita_test_load_npy (cases[c][1], NULL, NULL, &n_ref);
      VitaFrontend fe;
      vita_frontend_init_default (&fe);
      g_autoptr(VitaMel) mel = vita_mel_new (&fe, NULL);
      gsize nf = vita_frontend_n_frames (&fe, n);
      g_autofree float *mp = g_new (float, nf * 128);
      vita_mel_mel_power (mel, pcm, n, mp);
      g_autofree float *got = g_new (float, nf * VITA_MFCC_DEFAULT_N);
      vita_mfcc (mp, nf, 128, VITA_MFCC_DEFAULT_N, got);
      g_assert_cmpuint (n_ref, ==, nf * VITA_MFCC_DEFAULT_N);
      /* MFCCs are in dB (c0 reaches several hundred); float32 DCT → relative 1e-5 */
      double err = vita_test_max_abs_diff (got, ref, n_ref, NULL);
      g_test_message ("%s: max abs error %.3g", cases[c][1], err);
      vita_test_assert_close_rel (cases[c][1], got, ref, n_ref, 1e-5);
    }
}

static void
test_ssm (void)
{
  gsize n;
  int ndim;
  gsize shape[VITA_NPY_MAX_DIMS];
  g_autofree float *chroma = vita_test_load_npy ("dsp_music_chroma.npy", &ndim, shape, &n);
  g_autofree float *ref = vita_test_load_npy ("dsp_music_chroma_ssm.npy", NULL, NULL, NULL);
  gsize T = shape[0];
  g_autofree float *got = g_new (float, T * T);
  g_autofree float *got_ref = g_new (float, T * T);
  vita_ssm_cosine (chroma, T, 12, got);
  vita_ssm_cosine_ref (chroma, T, 12, got_ref);
  vita_test_assert_close ("SSM (sgemm) vs numpy", got, ref, T * T, 1e-5);
  vita_test_assert_close ("SSM ref kernel vs numpy", got_ref, ref, T * T, 1e-6);

  /* zero rows: similar to nothing, finite */
  float x[] = { 1, 0, 0, 0, 0, 0, 0, 2, 0 };
  float s[9];
  vita_ssm_cosine (x, 3, 3, s);
  float want[9] = { 1, 0, 0, 0, 0, 0, 0, 0, 1 };
  vita_test_assert_close ("SSM with a zero row", s, want, 9, 1e-6);
}

static void
test_dct (void)
{
  /* orthonormal: D D^T = I */
  g_autofree float *d = vita_dct_ortho_new (20, 128);
  for (int a = 0; a < 20; a++)
    for (int b = 0; b < 20; b++)
      {
        double s = 0;
        for (int m = 0; m < 128; m++)
          s += (double) d[a * 128 + m] * d[b * 128 + m];
        g_assert_cmpfloat_with_epsilon (s, a == b ? 1.0 : 0.0, 1e-5);
      }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/features/onset", test_onset);
  g_test_add_func ("/features/peaks", test_peaks);
  g_test_add_func ("/features/chroma", test_chroma);
  g_test_add_func ("/features/mfcc", test_mfcc);
  g_test_add_func ("/features/ssm", test_ssm);
  g_test_add_func ("/features/dct", test_dct);
  return g_test_run ();
}
