/* test-edit.c — counterfactual edits (dsp/vita-edit.h): parsing, refusals that name the
 * edit and the problem, and what each edit does to known signals. */
#include "vita-test.h"
#include "dsp/vita-edit.h"
#include "dsp/vita-mel.h"

#include <math.h>
#include <string.h>
#include <sndfile.h>
#include <glib/gstdio.h>

#define RATE 16000

static VitaPcm *
make_pcm (gsize n, double (*fn) (gsize i))
{
  VitaPcm *p = g_new0 (VitaPcm, 1);
  p->samples = g_new (float, n);
  p->n_samples = n;
  p->sample_rate = p->source_rate = RATE;
  p->source_channels = 1;
  p->duration = (double) n / RATE;
  for (gsize i = 0; i < n; i++)
    p->samples[i] = (float) fn (i);
  return p;
}

static double ramp (gsize i) { return i * 1e-5; }
static double two_tones (gsize i)
{
  return 0.3 * sin (2 * G_PI * 200.0 * i / RATE) + 0.3 * sin (2 * G_PI * 2000.0 * i / RATE);
}

static VitaPcm *
apply (const VitaPcm *pcm, const char *spec, GError **error)
{
  g_autoptr(GPtrArray) edits = g_ptr_array_new_with_free_func ((GDestroyNotify) vita_edit_free);
  VitaEdit *e = vita_edit_parse (spec, error);
  if (e == NULL)
    return NULL;
  g_ptr_array_add (edits, e);
  VitaFrontend fe;
  vita_frontend_init_default (&fe);
  return vita_edits_apply (pcm, edits, &fe, NULL, error);
}

/* Amplitude of a sinusoid at hz over samples [a, b) (correlation with sin and cos). */
static double
tone_amplitude (const float *x, gsize a, gsize b, double hz)
{
  double s = 0, c = 0;
  for (gsize i = a; i < b; i++)
    {
      s += x[i] * sin (2 * G_PI * hz * i / RATE);
      c += x[i] * cos (2 * G_PI * hz * i / RATE);
    }
  return 2 * sqrt (s * s + c * c) / (b - a);
}

static void
test_parse_errors (void)
{
  struct { const char *spec, *needle; } bad[] = {
    { "wobble:3", "unknown edit “wobble”" },
    { "transpose", "transpose needs an argument" },
    { "transpose:abc", "not a number of semitones" },
    { "transpose:+40", "outside ±36" },
    { "mute:300-300Hz", "band 300–300 Hz is empty" },
    { "mute:500-300Hz@1-2", "is empty" },
    { "mute:0-300", "not a band" },
    { "mute:0-300Hz@5-3", "time range 5–3 s is empty" },
    { "mute:8-3mel", "not a band range" },
    { "gain:loud", "not a gain in dB" },
    { "swap:1-3,2-4", "overlap" },
    { "swap:1-3", "two time ranges" },
    { "reverse:4", "not a time range" },
    { "stretch:0", "outside 0.25–4" },
    { "mix:", "mix needs an argument" },
  };
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(VitaEdit) e = vita_edit_parse (bad[i].spec, &error);
      g_assert_null (e);
      g_assert_error (error, VITA_DSP_ERROR, VITA_DSP_ERROR_INVALID);
      g_test_message ("%s → %s", bad[i].spec, error->message);
      g_assert_nonnull (strstr (error->message, bad[i].spec));   /* names the edit */
      if (strstr (error->message, bad[i].needle) == NULL)
        g_error ("“%s”: expected “%s” in “%s”", bad[i].spec, bad[i].needle, error->message);
    }
  /* good ones */
  const char *good[] = { "mute:0-300Hz@10-20", "mute:2-5kHz", "mute:3-8mel@1-2", "gain:-6dB@5-8",
                         "gain:+3", "swap:10-12,20-22", "swap:20-22,10-12", "reverse:3-5",
                         "transpose:+2", "transpose:-1.5", "stretch:1.1", "mix:other.wav@-12dB",
                         "mix:a@b.wav" };
  for (guint i = 0; i < G_N_ELEMENTS (good); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(VitaEdit) e = vita_edit_parse (good[i], &error);
      g_assert_no_error (error);
    }
  g_autoptr(VitaEdit) m = vita_edit_parse ("mix:a@b.wav", NULL);
  g_assert_cmpstr (m->path, ==, "a@b.wav");
  g_autoptr(VitaEdit) m2 = vita_edit_parse ("mix:other.wav@-12dB", NULL);
  g_assert_cmpstr (m2->path, ==, "other.wav");
  g_assert_cmpfloat (m2->value, ==, -12);
  g_autoptr(VitaEdit) s = vita_edit_parse ("swap:20-22,10-12", NULL);
  g_assert_cmpfloat (s->t0, ==, 10);
  g_assert_cmpfloat (s->t3, ==, 22);
}

static void
test_refused_on_track (void)
{
  g_autoptr(VitaPcm) pcm = make_pcm (10 * RATE, ramp);   /* 10 s */
  struct { const char *spec, *needle; } bad[] = {
    { "gain:-6dB@5-80", "ends after the track (10.000 s)" },
    { "reverse:9-11", "ends after the track" },
    { "swap:1-2,9.5-10.5", "ends after the track" },
    { "mute:9-10kHz", "at or above the Nyquist frequency" },
    { "mute:3-200mel", "mel band 200 does not exist" },
    { "mix:/nonexistent/other.wav", "cannot mix in “/nonexistent/other.wav”" },
  };
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(VitaPcm) out = apply (pcm, bad[i].spec, &error);
      g_assert_null (out);
      g_assert_nonnull (error);
      g_test_message ("%s → %s", bad[i].spec, error->message);
      g_assert_nonnull (strstr (error->message, bad[i].spec));
      if (strstr (error->message, bad[i].needle) == NULL)
        g_error ("“%s”: expected “%s” in “%s”", bad[i].spec, bad[i].needle, error->message);
    }
  /* a good edit after a bad one: nothing comes back (all or nothing) */
  g_autoptr(GPtrArray) edits = g_ptr_array_new_with_free_func ((GDestroyNotify) vita_edit_free);
  g_ptr_array_add (edits, vita_edit_parse ("gain:-6dB", NULL));
  g_ptr_array_add (edits, vita_edit_parse ("reverse:9-11", NULL));
  g_autoptr(GError) error = NULL;
  g_autoptr(VitaPcm) none = vita_edits_apply (pcm, edits, NULL, NULL, &error);
  g_assert_null (none);
  g_assert_nonnull (strstr (error->message, "reverse:9-11"));
  g_assert_cmpfloat (pcm->samples[100], ==, (float) (100 * 1e-5));   /* original untouched */
}

static void
test_time_edits (void)
{
  g_autoptr(VitaPcm) pcm = make_pcm (4 * RATE, ramp);
  g_autoptr(GError) error = NULL;
  /* gain: exact factor inside, nothing outside */
  g_autoptr(VitaPcm) g = apply (pcm, "gain:-6dB@1-2", &error);
  g_assert_no_error (error);
  const float f = (float) pow (10, -6 / 20.0);
  for (gsize i = 0; i < pcm->n_samples; i++)
    {
      float want = (i >= RATE && i < 2 * RATE) ? pcm->samples[i] * f : pcm->samples[i];
      g_assert_cmpfloat (g->samples[i], ==, want);
    }
  /* reverse */
  g_autoptr(VitaPcm) r = apply (pcm, "reverse:1-2", &error);
  g_assert_no_error (error);
  for (gsize i = RATE; i < 2 * RATE; i++)
    g_assert_cmpfloat (r->samples[i], ==, pcm->samples[3 * RATE - 1 - i]);
  g_assert_cmpfloat (r->samples[RATE - 1], ==, pcm->samples[RATE - 1]);
  g_assert_cmpfloat (r->samples[2 * RATE], ==, pcm->samples[2 * RATE]);
  /* swap of unequal segments: length kept, pieces in the new order */
  g_autoptr(VitaPcm) s = apply (pcm, "swap:0.5-1,2-3", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (s->n_samples, ==, pcm->n_samples);
  const gsize a0 = RATE / 2, a1 = RATE, b0 = 2 * RATE, b1 = 3 * RATE;
  gsize o = 0;
  for (gsize i = 0; i < a0; i++, o++)
    g_assert_cmpfloat (s->samples[o], ==, pcm->samples[i]);
  for (gsize i = b0; i < b1; i++, o++)
    g_assert_cmpfloat (s->samples[o], ==, pcm->samples[i]);
  for (gsize i = a1; i < b0; i++, o++)
    g_assert_cmpfloat (s->samples[o], ==, pcm->samples[i]);
  for (gsize i = a0; i < a1; i++, o++)
    g_assert_cmpfloat (s->samples[o], ==, pcm->samples[i]);
  for (gsize i = b1; i < pcm->n_samples; i++, o++)
    g_assert_cmpfloat (s->samples[o], ==, pcm->samples[i]);
}

static void
test_mute_and_mix (void)
{
  g_autoptr(VitaPcm) pcm = make_pcm (4 * RATE, two_tones);
  g_autoptr(GError) error = NULL;
  g_autoptr(VitaPcm) m = apply (pcm, "mute:0-300Hz@1-3", &error);
  g_assert_no_error (error);
  /* inside the range (away from the 10 ms fades): 200 Hz gone, 2 kHz kept */
  double a200 = tone_amplitude (m->samples, RATE + 800, 3 * RATE - 800, 200);
  double a2k = tone_amplitude (m->samples, RATE + 800, 3 * RATE - 800, 2000);
  g_test_message ("muted: 200 Hz %.2e, 2 kHz %.4f", a200, a2k);
  g_assert_cmpfloat (a200, <, 1e-3);
  g_assert_cmpfloat (fabs (a2k - 0.3), <, 1e-3);
  /* outside: untouched */
  for (gsize i = 0; i < RATE; i++)
    g_assert_cmpfloat (m->samples[i], ==, pcm->samples[i]);
  /* mel bands: the model's bands around 2 kHz */
  VitaFrontend fe;
  vita_frontend_init_default (&fe);
  int band = -1;
  for (int b = 0; b < fe.n_mels; b++)
    {
      double lo, hi;
      vita_mel_band_range_hz (&fe, b, &lo, &hi);
      if (lo < 2000 && hi > 2000)
        {
          band = b;
          break;
        }
    }
  g_assert_cmpint (band, >, 0);
  g_autofree char *spec = g_strdup_printf ("mute:%d-%dmel", band, band + 1);
  g_autoptr(VitaPcm) mb = apply (pcm, spec, &error);
  g_assert_no_error (error);
  g_assert_cmpfloat (tone_amplitude (mb->samples, 0, mb->n_samples, 2000), <, 1e-3);
  g_assert_cmpfloat (fabs (tone_amplitude (mb->samples, 0, mb->n_samples, 200) - 0.3), <, 1e-3);

  /* mix: a file of the tones at -6 dB added to the ramp */
  g_autofree char *dir = g_dir_make_tmp ("vita-edit-XXXXXX", NULL);
  g_autofree char *wav = g_build_filename (dir, "tones.wav", NULL);
  g_assert_true (vita_pcm_save_wav (pcm, wav, &error));
  g_autoptr(VitaPcm) ramp_pcm = make_pcm (2 * RATE, ramp);   /* shorter than the other */
  g_autofree char *mix = g_strdup_printf ("mix:%s@-6dB", wav);
  g_autoptr(VitaPcm) x = apply (ramp_pcm, mix, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (x->n_samples, ==, ramp_pcm->n_samples);
  const float f = (float) pow (10, -6 / 20.0);
  for (gsize i = 0; i < x->n_samples; i += 97)
    g_assert_cmpfloat (fabs (x->samples[i] - (ramp_pcm->samples[i] + f * pcm->samples[i])), <=, 1e-7);
  g_unlink (wav);
  g_rmdir (dir);
}

static void
test_rubberband (void)
{
  g_autoptr(VitaPcm) pcm = make_pcm (3 * RATE, two_tones);
  g_autoptr(GError) error = NULL;
  g_autoptr(VitaPcm) t = apply (pcm, "transpose:+12", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (t->n_samples, ==, pcm->n_samples);
  /* an octave up: 400 Hz and 4 kHz, not 200 Hz */
  double a400 = tone_amplitude (t->samples, RATE / 2, 5 * RATE / 2, 400);
  double a200 = tone_amplitude (t->samples, RATE / 2, 5 * RATE / 2, 200);
  g_test_message ("transposed +12: 400 Hz %.3f, 200 Hz %.2e", a400, a200);
  g_assert_cmpfloat (a400, >, 0.2);
  g_assert_cmpfloat (a200, <, 0.02);
  g_autoptr(VitaPcm) s = apply (pcm, "stretch:1.5", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (s->n_samples, ==, (gsize) llround (pcm->n_samples * 1.5));
  g_assert_cmpfloat (tone_amplitude (s->samples, RATE / 2, 4 * RATE, 200), >, 0.2);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/edit/parse-errors", test_parse_errors);
  g_test_add_func ("/edit/refused-on-track", test_refused_on_track);
  g_test_add_func ("/edit/time-edits", test_time_edits);
  g_test_add_func ("/edit/mute-and-mix", test_mute_and_mix);
  g_test_add_func ("/edit/rubberband", test_rubberband);
  return g_test_run ();
}
