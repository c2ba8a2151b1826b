/* test-audio.c — decoding (every container libsndfile writes), downmix,
 * resampling (torchaudio golden + analytic sine) and the bad input of
 * reliability.md 9–11.  Fixtures are written at test time with libsndfile into
 * a temporary folder. */
#include "vita-audio.h"
#include "vita-mpeg.h"
#include "vita-mel.h"
#include "vita-test.h"

#include <glib/gstdio.h>
#include <math.h>
#include <sndfile.h>
#include <string.h>

static char *tmpdir;

static char *
tmp_path (const char *name)
{
  return g_build_filename (tmpdir, name, NULL);
}

/* Writes interleaved float frames with libsndfile; FALSE if the format is not
 * available in this libsndfile build. */
static gboolean
write_sf (const char *path, int format, int rate, int channels, const float *x, gsize frames)
{
  SF_INFO info = { .samplerate = rate, .channels = channels, .format = format };
  SNDFILE *sf = sf_open (path, SFM_WRITE, &info);
  if (sf == NULL)
    return FALSE;
  sf_count_t n = sf_writef_float (sf, x, (sf_count_t) frames);
  sf_close (sf);
  return n == (sf_count_t) frames;
}

/* L = 0.5 sin(2π 440 t), R = 0.3 sin(2π 1000 t + 0.3): the downmix is their mean. */
static float *
make_stereo (int rate, gsize frames, float **mono_out)
{
  float *x = g_new (float, frames * 2);
  float *m = g_new (float, frames);
  for (gsize i = 0; i < frames; i++)
    {
      double t = (double) i / rate;
      x[2 * i] = (float) (0.5 * sin (2 * G_PI * 440 * t));
      x[2 * i + 1] = (float) (0.3 * sin (2 * G_PI * 1000 * t + 0.3));
      m[i] = (float) (((double) x[2 * i] + x[2 * i + 1]) / 2);
    }
  *mono_out = m;
  return x;
}

static void
assert_error_names_file (const GError *error, const char *path)
{
  g_assert_nonnull (error);
  g_autofree char *base = g_path_get_basename (path);
  g_test_message ("error: %s", error->message);
  if (strstr (error->message, base) == NULL)
    g_error ("error message does not name the file %s: %s", base, error->message);
}

/* Best normalised cross-correlation over lags in [-max_lag, max_lag]. */
static double
best_xcorr (const float *a, gsize na, const float *b, gsize nb, int max_lag)
{
  double best = -1;
  for (int lag = -max_lag; lag <= max_lag; lag++)
    {
      double ab = 0, aa = 0, bb = 0;
      for (gsize i = 0; i < na; i++)
        {
          gssize j = (gssize) i + lag;
          if (j < 0 || j >= (gssize) nb)
            continue;
          ab += (double) a[i] * b[j];
          aa += (double) a[i] * a[i];
          bb += (double) b[j] * b[j];
        }
      if (aa > 0 && bb > 0)
        best = MAX (best, ab / sqrt (aa * bb));
    }
  return best;
}

/* ---- containers ------------------------------------------------------------ */

typedef struct {
  const char *name;
  int format;
  int rate;
  gboolean lossless;
  double tol;         /* lossless: max abs error vs the exact mono mix */
} Container;

static const Container containers[] = {
  { "wav-pcm16.wav", SF_FORMAT_WAV | SF_FORMAT_PCM_16, 44100, TRUE, 1.0 / 32768 + 1e-6 },
  { "wav-float.wav", SF_FORMAT_WAV | SF_FORMAT_FLOAT, 44100, TRUE, 1e-7 },
  { "flac-24.flac", SF_FORMAT_FLAC | SF_FORMAT_PCM_24, 48000, TRUE, 1.0 / 8388608 + 1e-7 },
  { "vorbis.ogg", SF_FORMAT_OGG | SF_FORMAT_VORBIS, 44100, FALSE, 0 },
  { "opus.opus", SF_FORMAT_OGG | SF_FORMAT_OPUS, 48000, FALSE, 0 },
  { "mp3.mp3", SF_FORMAT_MPEG | SF_FORMAT_MPEG_LAYER_III, 44100, FALSE, 0 },
};

static void
test_container (gconstpointer data)
{
  const Container *c = data;
  const gsize frames = (gsize) c->rate * 3;  /* 3 s: several decode chunks */
  g_autofree float *mono = NULL;
  g_autofree float *x = make_stereo (c->rate, frames, &mono);
  g_autofree char *path = tmp_path (c->name);
  if (!write_sf (path, c->format, c->rate, 2, x, frames))
    {
      g_test_skip ("this libsndfile cannot write the format");
      return;
    }
  /* at the file's own rate: compare with the exact downmix */
  g_autoptr(GError) error = NULL;
  g_autoptr(VitaPcm) pcm = vita_audio_load (path, c->rate, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (pcm->source_channels, ==, 2);
  g_assert_cmpint (pcm->source_rate, ==, c->rate);
  g_assert_cmpuint (pcm->n_nonfinite, ==, 0);
  if (c->lossless)
    {
      g_assert_cmpuint (pcm->n_samples, ==, frames);
      vita_test_assert_close (c->name, pcm->samples, mono, frames, c->tol);
    }
  else
    {
      /* lossy codecs add delay/padding and noise: same length ±5 %, and the
       * waveform correlates with the mix at some small lag */
      g_assert_cmpfloat (fabs ((double) pcm->n_samples - frames), <, 0.05 * frames);
      double r = best_xcorr (mono + c->rate, (gsize) c->rate / 10, pcm->samples + c->rate,
                             pcm->n_samples - c->rate, 2500);
      g_test_message ("%s: best correlation %.4f", c->name, r);
      g_assert_cmpfloat (r, >, 0.97);
    }

  /* at 16 kHz: the streamed decode+resample equals resampling the decoded mix */
  g_autoptr(VitaPcm) p16 = vita_audio_load (path, 16000, NULL, &error);
  g_assert_no_error (error);
  gsize n_res;
  g_autofree float *res = vita_resample (pcm->samples, pcm->n_samples, c->rate, 16000, &n_res, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (p16->n_samples, ==, n_res);
  g_assert_cmpuint (p16->n_samples, ==, (pcm->n_samples * 16000 + c->rate - 1) / c->rate);
  vita_test_assert_close ("streamed vs whole-buffer resampling", p16->samples, res, n_res, 1e-7);
  g_assert_cmpfloat_with_epsilon (p16->duration, (double) n_res / 16000, 1e-9);

  /* the same bytes through the memory loader */
  g_autofree char *bytes = NULL;
  gsize len;
  g_assert_true (g_file_get_contents (path, &bytes, &len, NULL));
  g_autoptr(VitaPcm) pm = vita_audio_load_memory ((const guint8 *) bytes, len, c->name, 16000, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (pm->n_samples, ==, p16->n_samples);
  vita_test_assert_close ("memory vs file", pm->samples, p16->samples, pm->n_samples, 0);
}

/* A real Wesnoth OGG decodes at its own rate exactly as libvorbis does (checked
 * against torchaudio/sox in make_golden_dsp.py's excerpt via the 16 kHz golden). */
static void
test_real_ogg (void)
{
  const char *path = "/usr/share/games/wesnoth/1.16/data/core/music/battle.ogg";
  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    {
      g_test_skip ("wesnoth-1.16-music is not installed");
      return;
    }
  g_autoptr(GError) error = NULL;
  g_autoptr(VitaPcm) pcm = vita_audio_load (path, 16000, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (pcm->source_rate, ==, 44100);
  g_assert_cmpint (pcm->source_channels, ==, 2);
  g_assert_cmpfloat (pcm->duration, >, 60);
  /* the golden excerpt: torchaudio (sox, 16-bit) decode of 40.0–42.6 s, averaged,
   * resampled in float64.  sox decodes Vorbis to 16-bit and clips at ±1, so the
   * agreement is at 16-bit level, not float level. */
  gsize n;
  g_autofree float *ref = vita_test_load_npy ("dsp_music_pcm.npy", NULL, NULL, &n);
  gsize off = 40 * 16000;
  g_assert_cmpuint (pcm->n_samples, >, off + n);
  /* skip the first/last 100 samples: the reference resampled an excerpt (zero-padded edges) */
  vita_test_assert_close ("battle.ogg 40 s–42.5 s vs torchaudio", pcm->samples + off + 100,
                          ref + 100, n - 200, 2e-4);
}

/* Long OGG/FLAC files decode in parallel segments: the result must be identical
 * to the serial decoder, also for a file whose header promises more than it has. */
static void
test_parallel (void)
{
  const int rate = 44100;
  const gsize frames = (gsize) rate * 24;  /* above the 20 s threshold */
  g_autofree float *mono = NULL;
  g_autofree float *x = make_stereo (rate, frames, &mono);
  for (gsize i = 0; i < frames * 2; i++)  /* something less regular than two sines */
    x[i] += (float) (0.1 * sin (i * i * 1e-9));
  static const struct { const char *name; int format; } cases[] = {
    { "long.ogg", SF_FORMAT_OGG | SF_FORMAT_VORBIS },
    { "long.flac", SF_FORMAT_FLAC | SF_FORMAT_PCM_16 },
    { "long.mp3", SF_FORMAT_MPEG | SF_FORMAT_MPEG_LAYER_III },
  };
  for (guint c = 0; c < G_N_ELEMENTS (cases); c++)
    {
      g_autofree char *path = tmp_path (cases[c].name);
      g_assert_true (write_sf (path, cases[c].format, rate, 2, x, frames));
      g_autofree char *bytes = NULL;
      gsize len;
      g_assert_true (g_file_get_contents (path, &bytes, &len, NULL));
      g_autofree char *cut = g_strconcat (path, ".cut", NULL);
      g_assert_true (g_file_set_contents (cut, bytes, (gssize) (len * 2 / 3), NULL));
      const char *files[] = { path, cut };
      for (guint f = 0; f < G_N_ELEMENTS (files); f++)
        for (int target = 0; target < 2; target++)
          {
            int tr = target ? 16000 : rate;
            g_autoptr(GError) e1 = NULL, e2 = NULL;
            VitaAudioProgress p1 = { 0 }, p2 = { 0 };
            vita_audio_set_threads (1);
            g_autoptr(VitaPcm) serial = vita_audio_load_progress (files[f], tr, NULL, &p1, &e1);
            vita_audio_set_threads (3);
            g_autoptr(VitaPcm) par = vita_audio_load_progress (files[f], tr, NULL, &p2, &e2);
            vita_audio_set_threads (0);
            g_assert_no_error (e1);
            g_assert_no_error (e2);
            /* the progress: the header's frames, all of them read (the segments of the
             * parallel decoder overlap by the resampler's width); a cut file's short */
            if (f == 0)
              {
                g_assert_cmpuint (p1.total, ==, frames);
                g_assert_cmpuint (p2.total, ==, frames);
                g_assert_cmpuint (p1.done, ==, frames);
                g_assert_cmpuint (p2.done, >=, frames);
                g_assert_cmpuint (p2.done, <, frames + 3 * 4096);
                g_assert_cmpfloat (vita_audio_progress_fraction (&p2), ==, 1.0);
              }
            else if ((cases[c].format & SF_FORMAT_TYPEMASK) == SF_FORMAT_MPEG)
              {
                /* MPEG is scanned: the length is the cut stream's own */
                g_assert_cmpuint (p1.total, <, frames * 7 / 10);
                g_assert_cmpuint (p1.total, >, frames * 6 / 10);
                g_assert_cmpuint (p1.done, ==, p1.total);
              }
            else if (p1.total > 0)
              {
                /* (a cut Ogg file's length is not known: -1) */
                g_assert_cmpuint (p1.total, ==, frames);
                g_assert_cmpfloat (vita_audio_progress_fraction (&p1), <, 0.8);
                g_assert_cmpfloat (vita_audio_progress_fraction (&p1), >, 0.5);
              }
            else
              g_assert_cmpfloat (vita_audio_progress_fraction (&p1), ==, -1);
            g_test_message ("%s%s at %d Hz: %zu samples", cases[c].name, f ? " (cut)" : "", tr,
                            serial->n_samples);
            g_assert_cmpuint (par->n_samples, ==, serial->n_samples);
            g_assert_cmpuint (par->n_nonfinite, ==, serial->n_nonfinite);
            g_assert_cmpmem (par->samples, par->n_samples * sizeof (float),
                             serial->samples, serial->n_samples * sizeof (float));
          }
    }
}

/* A stretch decoded alone (the app's progressive open) is the whole decode's samples
 * at that place, bit for bit, at the file's start, in its middle and at its end, at the
 * file's rate and resampled, for OGG/Vorbis, FLAC, MP3 and uncompressed WAV/AIFF; the length
 * comes from the header; a compressed WAV (IMA ADPCM) is refused. */
static void
test_stretch (void)
{
  const int rate = 44100;
  const gsize frames = (gsize) rate * 26;   /* the last 10 s are not sought into */
  g_autofree float *mono = NULL;
  g_autofree float *x = make_stereo (rate, frames, &mono);
  for (gsize i = 0; i < frames * 2; i++)
    x[i] += (float) (0.1 * sin (i * i * 1e-9));
  static const struct { const char *name; int format; } cases[] = {
    { "stretch.ogg", SF_FORMAT_OGG | SF_FORMAT_VORBIS },
    { "stretch.flac", SF_FORMAT_FLAC | SF_FORMAT_PCM_16 },
    { "stretch.wav", SF_FORMAT_WAV | SF_FORMAT_FLOAT },
    { "stretch-16.wav", SF_FORMAT_WAV | SF_FORMAT_PCM_16 },
    { "stretch.aiff", SF_FORMAT_AIFF | SF_FORMAT_PCM_24 },
    { "stretch.mp3", SF_FORMAT_MPEG | SF_FORMAT_MPEG_LAYER_III },
  };
  for (guint c = 0; c < G_N_ELEMENTS (cases); c++)
    {
      g_autofree char *path = tmp_path (cases[c].name);
      g_assert_true (write_sf (path, cases[c].format, rate, 2, x, frames));
      for (int target = 0; target < 2; target++)
        {
          int tr = target ? 16000 : rate;
          g_autoptr(GError) error = NULL;
          vita_audio_set_threads (1);
          g_autoptr(VitaPcm) whole = vita_audio_load (path, tr, NULL, &error);
          vita_audio_set_threads (0);
          g_assert_no_error (error);
          guint64 total = 0;
          g_assert_true (vita_audio_stretch_length (path, tr, &total, &error));
          g_assert_no_error (error);
          g_assert_cmpuint (total, ==, whole->n_samples);
          const guint64 at[][2] = {
            { 0, 5000 }, { 3, 700 }, { 12345, 4096 }, { total / 2 - 1, 33333 },
            { total - total / 3, 5000 },
            { total - 9000, 9000 }, { total - 1, 1 }, { 0, total },
          };
          for (guint k = 0; k < G_N_ELEMENTS (at); k++)
            {
              g_autofree float *part = vita_audio_load_stretch (path, tr, at[k][0], at[k][1],
                                                                NULL, &error);
              g_assert_no_error (error);
              g_test_message ("%s at %d Hz: stretch %" G_GUINT64_FORMAT " + %" G_GUINT64_FORMAT,
                              cases[c].name, tr, at[k][0], at[k][1]);
              g_assert_cmpmem (part, at[k][1] * sizeof (float),
                               whole->samples + at[k][0], at[k][1] * sizeof (float));
            }
          g_assert_null (vita_audio_load_stretch (path, tr, total - 10, 11, NULL, &error));
          assert_error_names_file (error, path);
        }
    }
  g_autofree char *wav = tmp_path ("stretch-adpcm.wav");
  g_assert_true (write_sf (wav, SF_FORMAT_WAV | SF_FORMAT_IMA_ADPCM, rate, 2, x, frames));
  g_autoptr(GError) error = NULL;
  guint64 total = 0;
  g_assert_false (vita_audio_stretch_length (wav, 16000, &total, &error));
  g_assert_error (error, VITA_DSP_ERROR, VITA_DSP_ERROR_FORMAT);
  assert_error_names_file (error, wav);
}

/* A long PCM lives in a mapped cache file (vita_audio_set_map_threshold), written as
 * it is decoded — serially (WAV; OGG/FLAC with one thread, and a file cut short), or
 * by parallel segments each at its place: bit-identical to the in-memory decode,
 * also after its pages are released. */
static void
test_mapped (void)
{
  const int rate = 44100;
  const gsize frames = (gsize) rate * 24;  /* above the 20 s parallel threshold */
  g_autofree float *mono = NULL;
  g_autofree float *x = make_stereo (rate, frames, &mono);
  for (gsize i = 0; i < frames * 2; i++)
    x[i] += (float) (0.1 * sin (i * i * 1e-9));
  static const struct { const char *name; int format; } cases[] = {
    { "map.ogg", SF_FORMAT_OGG | SF_FORMAT_VORBIS },
    { "map.flac", SF_FORMAT_FLAC | SF_FORMAT_PCM_16 },
    { "map.wav", SF_FORMAT_WAV | SF_FORMAT_FLOAT },
  };
  const gsize old = vita_audio_get_map_threshold ();
  GError *error_none = NULL;
  for (guint c = 0; c < G_N_ELEMENTS (cases); c++)
    {
      g_autofree char *path = tmp_path (cases[c].name);
      g_assert_true (write_sf (path, cases[c].format, rate, 2, x, frames));
      g_autofree char *bytes = NULL;
      gsize len;
      g_assert_true (g_file_get_contents (path, &bytes, &len, NULL));
      g_autofree char *cut = g_strconcat (path, ".cut", NULL);
      g_assert_true (g_file_set_contents (cut, bytes, (gssize) (len * 2 / 3), NULL));
      const char *files[] = { path, cut };
      for (guint f = 0; f < G_N_ELEMENTS (files); f++)
        for (int target = 0; target < 2; target++)
          for (int threads = 1; threads <= 3; threads += 2)
            {
              int tr = target ? 16000 : rate;
              g_autoptr(GError) e1 = NULL, e2 = NULL;
              vita_audio_set_threads (threads);
              vita_audio_set_map_threshold (G_MAXSIZE);
              g_autoptr(VitaPcm) mem = vita_audio_load (files[f], tr, NULL, &e1);
              /* 400 kB: ~100 k samples, written 100 k at a time */
              vita_audio_set_map_threshold (400000);
              g_autoptr(VitaPcm) map = vita_audio_load (files[f], tr, NULL, &e2);
              vita_audio_set_threads (0);
              vita_audio_set_map_threshold (old);
              g_assert_no_error (e1);
              g_assert_no_error (e2);
              g_test_message ("%s%s at %d Hz, %d threads: %zu samples", cases[c].name,
                              f ? " (cut)" : "", tr, threads, mem->n_samples);
              g_assert_cmpuint (mem->mapped_bytes, ==, 0);
              g_assert_cmpuint (map->mapped_bytes, >=, map->n_samples * sizeof (float));
              g_assert_cmpuint (map->n_samples, ==, mem->n_samples);
              g_assert_cmpuint (map->n_nonfinite, ==, mem->n_nonfinite);
              g_assert_cmpfloat (map->duration, ==, mem->duration);
              g_assert_cmpmem (map->samples, map->n_samples * sizeof (float),
                               mem->samples, mem->n_samples * sizeof (float));
              vita_pcm_release (map);
              vita_pcm_release (mem);   /* a no-op in memory */
              g_assert_cmpmem (map->samples, map->n_samples * sizeof (float),
                               mem->samples, mem->n_samples * sizeof (float));
              if (tr == 16000 && threads == 3)
                {
                  /* the front-end over the mapping, a stretch at a time, pages dropped */
                  VitaFrontend fe;
                  vita_frontend_init_default (&fe);
                  g_autoptr(VitaMel) mp = vita_mel_new (&fe, &error_none);
                  g_assert_nonnull (mp);
                  const gsize first = 3000, n = map->n_samples - first - 1000;
                  g_autofree float *o1 = NULL, *o2 = NULL;
                  gsize n1 = 0, n2 = 0;
                  g_autofree float *m1 = vita_mel_features (mp, mem->samples + first, n, &o1, &n1, NULL);
                  g_autofree float *m2 = vita_mel_features_pcm (mp, map, first, n, &o2, &n2, NULL);
                  g_assert_nonnull (m1);
                  g_assert_nonnull (m2);
                  g_assert_cmpuint (n1, ==, n2);
                  g_assert_cmpmem (m1, n1 * fe.n_mels * sizeof (float), m2, n2 * fe.n_mels * sizeof (float));
                  g_assert_cmpmem (o1, n1 * sizeof (float), o2, n2 * sizeof (float));
                }
            }
    }
  /* under the threshold: in memory */
  g_autofree char *path = tmp_path ("map.flac");
  g_autoptr(GError) error = NULL;
  g_autoptr(VitaPcm) small = vita_audio_load (path, 16000, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (small->mapped_bytes, ==, 0);
}

/* ---- resampling ---------------------------------------------------------------- */

static void
test_resample_golden (void)
{
  static const int rates[] = { 44100, 48000, 22050, 8000 };
  for (guint i = 0; i < G_N_ELEMENTS (rates); i++)
    {
      g_autofree char *in_name = g_strdup_printf ("dsp_resample_%d_in.npy", rates[i]);
      g_autofree char *out_name = g_strdup_printf ("dsp_resample_%d_16000.npy", rates[i]);
      gsize n_in, n_ref, n_out;
      g_autofree float *in = vita_test_load_npy (in_name, NULL, NULL, &n_in);
      g_autofree float *ref = vita_test_load_npy (out_name, NULL, NULL, &n_ref);
      g_autoptr(GError) error = NULL;
      g_autofree float *out = vita_resample (in, n_in, rates[i], 16000, &n_out, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (n_out, ==, n_ref);
      /* same kernel as torchaudio; the taps are stored as float32: ~1e-7 */
      vita_test_assert_close (out_name, out, ref, n_out, 1e-6);
    }
}

/* A 1 kHz sine, 44.1 kHz → 16 kHz, against the analytic sine at 16 kHz.  The
 * tolerance is the filter's passband ripple at 1 kHz (Hann-windowed sinc, 6 zero
 * crossings, rolloff 0.99), measured ~1e-4 here; 1e-3 leaves room yet would fail
 * on any aliasing, phase or length error (those are O(0.1–1)).  The first and last
 * 50 output samples see the zero padding of the edges and are left out. */
static void
test_resample_sine (void)
{
  const gsize n_in = 44100;
  g_autofree float *in = g_new (float, n_in);
  for (gsize i = 0; i < n_in; i++)
    in[i] = (float) (0.8 * sin (2 * G_PI * 1000.0 * i / 44100.0));
  gsize n_out;
  g_autofree float *out = vita_resample (in, n_in, 44100, 16000, &n_out, NULL);
  g_assert_cmpuint (n_out, ==, 16000);
  double worst = 0;
  for (gsize j = 50; j < n_out - 50; j++)
    worst = MAX (worst, fabs (out[j] - 0.8 * sin (2 * G_PI * 1000.0 * j / 16000.0)));
  g_test_message ("1 kHz sine 44.1k→16k: max error %.3g", worst);
  g_assert_cmpfloat (worst, <, 1e-3);

  /* Stop band: torchaudio's Hann-windowed sinc (6 zero crossings, cutoff 7.92 kHz)
   * has a wide transition band — a 9 kHz tone keeps an rms of 0.1019 (−17 dB,
   * aliased to 7 kHz) and 14 kHz 4.6e-5 in torchaudio itself (measured with
   * torchaudio 0.13 in float64).  The port must do exactly the same. */
  static const struct { double f, rms, tol; } stop[] = {
    { 9000, 0.1018565, 1e-4 }, { 12000, 0.0012470, 1e-5 }, { 14000, 4.605e-5, 1e-6 },
  };
  for (guint s = 0; s < G_N_ELEMENTS (stop); s++)
    {
      for (gsize i = 0; i < n_in; i++)
        in[i] = (float) sin (2 * G_PI * stop[s].f * i / 44100.0);
      g_autofree float *out2 = vita_resample (in, n_in, 44100, 16000, &n_out, NULL);
      double rms = 0;
      for (gsize j = 100; j < n_out - 100; j++)
        rms += (double) out2[j] * out2[j];
      rms = sqrt (rms / (n_out - 200));
      g_test_message ("%.0f Hz tone after 44.1k→16k: rms %.7g (torchaudio %.7g)", stop[s].f, rms, stop[s].rms);
      g_assert_cmpfloat (fabs (rms - stop[s].rms), <, stop[s].tol);
    }

  /* same rate: a copy; a rate out of range: an error */
  g_autofree float *same = vita_resample (in, 10, 44100, 44100, &n_out, NULL);
  g_assert_cmpuint (n_out, ==, 10);
  g_assert_cmpmem (same, 10 * sizeof (float), in, 10 * sizeof (float));
  g_autoptr(GError) error = NULL;
  g_assert_null (vita_resample (in, 10, 0, 16000, &n_out, &error));
  g_assert_error (error, VITA_DSP_ERROR, VITA_DSP_ERROR_INVALID);
  /* an odd pair (huge reduced ratio) takes the libsamplerate path: length and level */
  g_autofree float *odd = vita_resample (in, n_in, 44100, 16001, &n_out, NULL);
  g_assert_cmpuint (n_out, ==, (n_in * 16001 + 44099) / 44100);
}

static void
test_downmix (void)
{
  float x[] = { 1, 0, -1, 0.5f, 0.25f, 0.25f };
  float m[3];
  vita_audio_downmix (m, x, 3, 2);
  float want[] = { 0.5f, -0.25f, 0.25f };
  vita_test_assert_close ("downmix", m, want, 3, 0);
  float y[] = { 1, 2, 3, 4, 5, 6 };
  vita_audio_downmix (y, y, 2, 3);  /* in place */
  float want3[] = { 2, 5 };
  vita_test_assert_close ("downmix 3ch in place", y, want3, 2, 1e-7);
}

/* ---- bad input (reliability.md 9–11) ----------------------------------------------- */

static void
expect_error (const char *path, int code)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(VitaPcm) pcm = vita_audio_load (path, 16000, NULL, &error);
  g_assert_null (pcm);
  assert_error_names_file (error, path);
  if (code >= 0)
    g_assert_error (error, VITA_DSP_ERROR, code);
  else
    g_assert_true (error->domain == VITA_DSP_ERROR);
}

static void
test_bad_files (void)
{
  g_autofree char *empty = tmp_path ("empty.wav");
  g_assert_true (g_file_set_contents (empty, "", 0, NULL));
  expect_error (empty, VITA_DSP_ERROR_FORMAT);

  g_autofree char *text = tmp_path ("notes.wav");
  g_assert_true (g_file_set_contents (text, "This is not audio.\nJust text.\n", -1, NULL));
  expect_error (text, VITA_DSP_ERROR_FORMAT);

  g_autofree char *missing = tmp_path ("does-not-exist.flac");
  expect_error (missing, VITA_DSP_ERROR_OPEN);
  expect_error (tmpdir, VITA_DSP_ERROR_OPEN);  /* a folder */

  /* unsupported codec: a valid MP4/M4A header libsndfile does not know */
  g_autofree char *m4a = tmp_path ("song.m4a");
  static const guint8 ftyp[] = { 0, 0, 0, 0x18, 'f', 't', 'y', 'p', 'M', '4', 'A', ' ',
                                 0, 0, 0, 0, 'M', '4', 'A', ' ', 'i', 's', 'o', 'm' };
  g_assert_true (g_file_set_contents (m4a, (const char *) ftyp, sizeof ftyp, NULL));
  expect_error (m4a, VITA_DSP_ERROR_FORMAT);
}

static void
test_truncated (void)
{
  const gsize frames = 44100;
  g_autofree float *mono = NULL;
  g_autofree float *x = make_stereo (44100, frames, &mono);
  static const struct { const char *name; int format; } cases[] = {
    { "trunc.wav", SF_FORMAT_WAV | SF_FORMAT_PCM_16 },
    { "trunc.flac", SF_FORMAT_FLAC | SF_FORMAT_PCM_16 },
    { "trunc.ogg", SF_FORMAT_OGG | SF_FORMAT_VORBIS },
  };
  for (guint c = 0; c < G_N_ELEMENTS (cases); c++)
    {
      g_autofree char *path = tmp_path (cases[c].name);
      g_assert_true (write_sf (path, cases[c].format, 44100, 2, x, frames));
      g_autofree char *bytes = NULL;
      gsize len;
      g_assert_true (g_file_get_contents (path, &bytes, &len, NULL));
      /* cut at several places: inside the header, and half-way */
      gsize cuts[] = { 10, 44, 100, len / 2, len - 1 };
      for (guint k = 0; k < G_N_ELEMENTS (cuts); k++)
        {
          g_assert_true (g_file_set_contents (path, bytes, (gssize) cuts[k], NULL));
          g_autoptr(GError) error = NULL;
          g_autoptr(VitaPcm) pcm = vita_audio_load (path, 16000, NULL, &error);
          if (pcm == NULL)
            assert_error_names_file (error, path);
          else
            {
              /* what was there decodes; never more than the whole */
              g_assert_cmpuint (pcm->n_samples, <=, 16000 + 1);
              for (gsize i = 0; i < pcm->n_samples; i++)
                g_assert_true (isfinite (pcm->samples[i]));
            }
        }
    }
}

static char *
write_float_wav (const char *name, int rate, const float *x, gsize frames)
{
  char *path = tmp_path (name);
  g_assert_true (write_sf (path, SF_FORMAT_WAV | SF_FORMAT_FLOAT, rate, 1, x, frames));
  return path;
}

static void
assert_mel_finite (const VitaPcm *pcm)
{
  VitaFrontend fe;
  vita_frontend_init_default (&fe);
  g_autoptr(VitaMel) mel = vita_mel_new (&fe, NULL);
  gsize nf = vita_frontend_n_frames (&fe, pcm->n_samples);
  g_autofree float *out = g_new (float, nf * fe.n_mels);
  vita_mel_compute (mel, pcm->samples, pcm->n_samples, out);
  for (gsize i = 0; i < nf * fe.n_mels; i++)
    g_assert_true (isfinite (out[i]));
}

static void
test_odd_content (void)
{
  const gsize n = 44100;
  g_autofree float *x = g_new0 (float, n);

  /* NaN / Inf samples: replaced by 0, counted; everything downstream finite */
  for (gsize i = 0; i < n; i++)
    x[i] = (float) (0.5 * sin (i * 0.05));
  x[100] = NAN;
  x[2000] = INFINITY;
  x[3000] = -INFINITY;
  x[40000] = NAN;
  g_autofree char *nan_path = write_float_wav ("nan.wav", 44100, x, n);
  g_autoptr(GError) error = NULL;
  g_autoptr(VitaPcm) pcm = vita_audio_load (nan_path, 16000, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (pcm->n_nonfinite, ==, 4);
  for (gsize i = 0; i < pcm->n_samples; i++)
    g_assert_true (isfinite (pcm->samples[i]));
  assert_mel_finite (pcm);

  /* full-scale square: the resampler's overshoot (Gibbs) stays bounded and finite */
  for (gsize i = 0; i < n; i++)
    x[i] = (i / 50) % 2 ? 1.0f : -1.0f;
  g_autofree char *sq_path = write_float_wav ("square.wav", 44100, x, n);
  g_autoptr(VitaPcm) sq = vita_audio_load (sq_path, 16000, NULL, &error);
  g_assert_no_error (error);
  float peak = 0;
  for (gsize i = 0; i < sq->n_samples; i++)
    peak = MAX (peak, fabsf (sq->samples[i]));
  g_assert_cmpfloat (peak, >, 0.9f);
  g_assert_cmpfloat (peak, <, 1.5f);
  assert_mel_finite (sq);

  /* pure silence: zeros out, log-mel = log(1e-6) */
  memset (x, 0, n * sizeof (float));
  g_autofree char *sil_path = write_float_wav ("silence.wav", 44100, x, n);
  g_autoptr(VitaPcm) sil = vita_audio_load (sil_path, 16000, NULL, &error);
  g_assert_no_error (error);
  for (gsize i = 0; i < sil->n_samples; i++)
    g_assert_cmpfloat (sil->samples[i], ==, 0.0f);
  assert_mel_finite (sil);

  /* 10 ms (shorter than one window): 160 samples at 16 kHz, one finite frame */
  for (gsize i = 0; i < 441; i++)
    x[i] = (float) (0.5 * sin (i * 0.2));
  g_autofree char *short_path = write_float_wav ("short.wav", 44100, x, 441);
  g_autoptr(VitaPcm) sh = vita_audio_load (short_path, 16000, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (sh->n_samples, ==, 160);
  assert_mel_finite (sh);

  /* one single sample */
  g_autofree char *one_path = write_float_wav ("one.wav", 16000, x, 1);
  g_autoptr(VitaPcm) one = vita_audio_load (one_path, 16000, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (one->n_samples, ==, 1);
  assert_mel_finite (one);

  /* a valid header with zero frames */
  g_autofree char *none_path = write_float_wav ("no-frames.wav", 16000, x, 0);
  expect_error (none_path, VITA_DSP_ERROR_FORMAT);
}

/* Minimal RIFF/WAVE header (PCM16) with chosen fields, plus `data_bytes` of data. */
static char *
write_raw_wav (const char *name, guint16 channels, guint32 rate, guint32 declared_data,
               gsize data_bytes, guint16 format_tag, guint16 bits)
{
  GByteArray *b = g_byte_array_new ();
#define U32(v) G_STMT_START { guint32 _v = GUINT32_TO_LE (v); g_byte_array_append (b, (guint8 *) &_v, 4); } G_STMT_END
#define U16(v) G_STMT_START { guint16 _v = GUINT16_TO_LE (v); g_byte_array_append (b, (guint8 *) &_v, 2); } G_STMT_END
  g_byte_array_append (b, (const guint8 *) "RIFF", 4);
  U32 (36 + declared_data);
  g_byte_array_append (b, (const guint8 *) "WAVEfmt ", 8);
  U32 (16);
  U16 (format_tag);
  U16 (channels);
  U32 (rate);
  guint32 block = (guint32) channels * (bits / 8);
  U32 (rate * block);
  U16 ((guint16) block);
  U16 (bits);
  g_byte_array_append (b, (const guint8 *) "data", 4);
  U32 (declared_data);
  for (gsize i = 0; i < data_bytes; i++)
    {
      guint8 v = (guint8) (i * 37);
      g_byte_array_append (b, &v, 1);
    }
#undef U32
#undef U16
  char *path = tmp_path (name);
  g_assert_true (g_file_set_contents (path, (const char *) b->data, b->len, NULL));
  g_byte_array_unref (b);
  return path;
}

static void
test_absurd_headers (void)
{
  struct {
    const char *name;
    guint16 channels;
    guint32 rate;
    guint32 declared;
    gsize bytes;
    guint16 tag;
    guint16 bits;
    gboolean may_succeed;
  } cases[] = {
    { "zero-channels.wav", 0, 44100, 4000, 4000, 1, 16, FALSE },
    { "1000-channels.wav", 1000, 44100, 64000, 64000, 1, 16, FALSE },
    { "65535-channels.wav", 65535, 44100, 131070, 131070, 1, 16, FALSE },
    { "rate-zero.wav", 2, 0, 4000, 4000, 1, 16, FALSE },
    { "rate-huge.wav", 2, 4000000000u, 4000, 4000, 1, 16, FALSE },
    { "rate-1hz.wav", 1, 1, 4000, 4000, 1, 16, FALSE },
    /* data size far beyond the file (frame count "overflows"): the hint is wrong,
     * what is there decodes */
    { "huge-data.wav", 2, 44100, 0xFFFFFFF0u, 4000, 1, 16, TRUE },
    { "zero-bits.wav", 2, 44100, 4000, 4000, 1, 0, FALSE },
    { "odd-codec.wav", 2, 44100, 4000, 4000, 0x1234, 16, FALSE },
  };
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *path = write_raw_wav (cases[i].name, cases[i].channels, cases[i].rate,
                                             cases[i].declared, cases[i].bytes, cases[i].tag,
                                             cases[i].bits);
      g_autoptr(GError) error = NULL;
      g_autoptr(VitaPcm) pcm = vita_audio_load (path, 16000, NULL, &error);
      if (pcm == NULL)
        assert_error_names_file (error, path);
      else
        {
          g_assert_true (cases[i].may_succeed);
          g_assert_cmpuint (pcm->n_samples, <=, 16000);
        }
      /* the memory loader refuses or decodes the same way */
      g_autofree char *bytes = NULL;
      gsize len;
      g_assert_true (g_file_get_contents (path, &bytes, &len, NULL));
      g_autoptr(GError) error2 = NULL;
      g_autoptr(VitaPcm) pm = vita_audio_load_memory ((guint8 *) bytes, len, cases[i].name, 16000, &error2);
      g_assert_true ((pm == NULL) == (pcm == NULL));
      if (pm == NULL)
        assert_error_names_file (error2, cases[i].name);
    }
}

static void
test_too_long (void)
{
  const gsize n = 44100 * 2;  /* 2 s */
  g_autofree float *x = g_new0 (float, n);
  g_autofree char *path = write_float_wav ("two-seconds.wav", 44100, x, n);
  g_autofree char *ogg = tmp_path ("two-seconds.ogg");
  g_assert_true (write_sf (ogg, SF_FORMAT_OGG | SF_FORMAT_VORBIS, 44100, 1, x, n));
  /* 3 hours by default (the PCM of a long track is mapped, not held) */
  g_assert_cmpfloat (vita_audio_get_max_duration (), ==, 10800.0);
  vita_audio_set_max_duration (1.5);
  expect_error (path, VITA_DSP_ERROR_TOO_LONG);
  {
    /* what is still refused says the limit and how to get past it */
    g_autoptr(GError) e = NULL;
    g_assert_null (vita_audio_load (path, 16000, NULL, &e));
    g_assert_nonnull (strstr (e->message, "1.5 s limit"));
    g_assert_nonnull (strstr (e->message, "cut it or raise the limit"));
  }
  expect_error (ogg, VITA_DSP_ERROR_TOO_LONG);
  /* same rate (no resampling) too */
  g_autoptr(GError) error = NULL;
  g_assert_null (vita_audio_load (path, 44100, NULL, &error));
  g_assert_error (error, VITA_DSP_ERROR, VITA_DSP_ERROR_TOO_LONG);
  vita_audio_set_max_duration (2.5);
  g_autoptr(VitaPcm) ok = vita_audio_load (path, 16000, NULL, NULL);
  g_assert_nonnull (ok);
  vita_audio_set_max_duration (10800);
}

static void
test_cancel (void)
{
  const gsize n = 44100;
  g_autofree float *x = g_new0 (float, n);
  g_autofree char *path = write_float_wav ("cancel.wav", 44100, x, n);
  g_autoptr(GCancellable) c = g_cancellable_new ();
  g_cancellable_cancel (c);
  g_autoptr(GError) error = NULL;
  g_assert_null (vita_audio_load (path, 16000, c, &error));
  g_assert_error (error, VITA_DSP_ERROR, VITA_DSP_ERROR_CANCELLED);
  assert_error_names_file (error, path);
}

/* ---- the fallback decoder hook --------------------------------------------------- */

static int fallback_calls;

static VitaPcm *
fake_fallback (const char *path, GCancellable *cancellable, GError **error)
{
  fallback_calls++;
  if (!g_str_has_suffix (path, ".fake"))
    {
      g_set_error (error, VITA_DSP_ERROR, VITA_DSP_ERROR_FORMAT, "fake decoder: cannot read “%s”", path);
      return NULL;
    }
  VitaPcm *pcm = g_new0 (VitaPcm, 1);
  pcm->n_samples = 22050;
  pcm->samples = g_new (float, pcm->n_samples);
  for (gsize i = 0; i < pcm->n_samples; i++)
    pcm->samples[i] = (float) sin (i * 0.1);
  pcm->samples[7] = NAN;
  pcm->sample_rate = 22050;
  pcm->source_rate = 22050;
  pcm->source_channels = 2;
  return pcm;
}

static void
test_fallback (void)
{
  g_autofree char *fake = tmp_path ("song.fake");
  g_assert_true (g_file_set_contents (fake, "opaque bytes only the fake decoder reads", -1, NULL));
  g_autofree char *text = tmp_path ("other.wav");
  g_assert_true (g_file_set_contents (text, "not audio at all", -1, NULL));

  vita_audio_set_fallback_decoder (fake_fallback);
  g_autoptr(GError) error = NULL;
  g_autoptr(VitaPcm) pcm = vita_audio_load (fake, 16000, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (fallback_calls, ==, 1);
  g_assert_cmpint (pcm->sample_rate, ==, 16000);
  g_assert_cmpint (pcm->source_rate, ==, 22050);
  g_assert_cmpuint (pcm->n_samples, ==, 16000);
  g_assert_cmpuint (pcm->n_nonfinite, ==, 1);

  g_autoptr(GError) e2 = NULL;
  g_assert_null (vita_audio_load (text, 16000, NULL, &e2));
  assert_error_names_file (e2, text);
  g_assert_nonnull (strstr (e2->message, "fake decoder"));
  vita_audio_set_fallback_decoder (NULL);
}


/* ---- issue 15.7: a chained Ogg file is refused, not cut to its first link ------- */

static void
test_chained_ogg (void)
{
  const int rate = 16000;
  const gsize frames = rate * 2;
  g_autofree float *mono = NULL;
  g_autofree float *x = make_stereo (rate, frames, &mono);
  g_autofree char *a = tmp_path ("link-a.ogg"), *b = tmp_path ("link-b.ogg");
  if (!write_sf (a, SF_FORMAT_OGG | SF_FORMAT_VORBIS, rate, 2, x, frames) ||
      !write_sf (b, SF_FORMAT_OGG | SF_FORMAT_VORBIS, rate, 2, x, frames))
    {
      g_test_skip ("no Ogg Vorbis in this libsndfile");
      return;
    }
  g_autofree char *da = NULL, *db = NULL;
  gsize la, lb;
  g_assert_true (g_file_get_contents (a, &da, &la, NULL));
  g_assert_true (g_file_get_contents (b, &db, &lb, NULL));
  g_autofree char *chained = tmp_path ("chained.ogg");
  GString *both = g_string_new_len (da, (gssize) la);
  g_string_append_len (both, db, (gssize) lb);
  g_assert_true (g_file_set_contents (chained, both->str, (gssize) both->len, NULL));
  g_string_free (both, TRUE);
  /* one link: decoded as before */
  g_autoptr(GError) error = NULL;
  g_autoptr(VitaPcm) one = vita_audio_load (a, rate, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (one->n_samples, ==, frames);
  /* two links: 0.1 returned the first 2 s silently */
  g_autoptr(VitaPcm) two = vita_audio_load (chained, rate, NULL, &error);
  g_assert_null (two);
  assert_error_names_file (error, chained);
  g_assert_nonnull (strstr (error->message, "chained Ogg"));
  g_assert_nonnull (strstr (error->message, "2 streams"));
}

/* ---- issue 15.8: a file replaced during a parallel decode is not spliced -------- */

extern void (*vita_audio_test_before_reopen) (const char *path);
static char *replacement;

static void
replace_now (const char *path)
{
  g_assert_cmpint (g_rename (replacement, path), ==, 0);
}

static void
test_replaced_during_decode (void)
{
  const int rate = 44100;
  const gsize frames = (gsize) rate * 24;  /* above the 20 s parallel threshold */
  g_autofree float *mono = NULL;
  g_autofree float *x = make_stereo (rate, frames, &mono);
  g_autofree char *path = tmp_path ("replaced.flac");
  g_autofree char *other = tmp_path ("other.flac");
  g_assert_true (write_sf (path, SF_FORMAT_FLAC | SF_FORMAT_PCM_16, rate, 2, x, frames));
  for (gsize i = 0; i < frames * 2; i++)
    x[i] = -x[i];
  g_assert_true (write_sf (other, SF_FORMAT_FLAC | SF_FORMAT_PCM_16, rate, 2, x, frames));
  replacement = other;
  vita_audio_test_before_reopen = replace_now;
  vita_audio_set_threads (3);
  g_autoptr(GError) error = NULL;
  g_autoptr(VitaPcm) pcm = vita_audio_load (path, 16000, NULL, &error);
  vita_audio_set_threads (0);
  vita_audio_test_before_reopen = NULL;
  g_assert_null (pcm);
  assert_error_names_file (error, path);
  g_assert_nonnull (strstr (error->message, "replaced or modified"));
  /* the new file itself decodes */
  g_clear_error (&error);
  g_autoptr(VitaPcm) again = vita_audio_load (path, 16000, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (again);
}


/* issue 15.10: decoding a prefix gives the same samples as the whole decode (but for
 * the resampler's edge at the cut), and is not held against the duration limit */
static void
test_prefix (void)
{
  const int rate = 44100;
  const gsize frames = (gsize) rate * 6;
  g_autofree float *mono = NULL;
  g_autofree float *x = make_stereo (rate, frames, &mono);
  g_autofree char *path = tmp_path ("prefix.wav");
  g_assert_true (write_sf (path, SF_FORMAT_WAV | SF_FORMAT_FLOAT, rate, 2, x, frames));
  g_autoptr(GError) error = NULL;
  g_autoptr(VitaPcm) all = vita_audio_load (path, 16000, NULL, &error);
  g_assert_no_error (error);
  double old = vita_audio_get_max_duration ();
  vita_audio_set_max_duration (4.0);
  g_autoptr(VitaPcm) refused = vita_audio_load (path, 16000, NULL, &error);
  g_assert_error (error, VITA_DSP_ERROR, VITA_DSP_ERROR_TOO_LONG);
  g_clear_error (&error);
  g_autoptr(VitaPcm) part = vita_audio_load_prefix (path, 16000, 2.0, NULL, &error);
  vita_audio_set_max_duration (old);
  g_assert_no_error (error);
  g_assert_null (refused);
  g_assert_cmpuint (part->n_samples, ==, 32000);
  g_assert_cmpmem (part->samples, 31900 * sizeof (float), all->samples, 31900 * sizeof (float));
}

/* ---- MPEG: the length is the stream's, not libsndfile's estimate ------------------ */

/* Removes the Xing/Info (LAME) frame that libsndfile's encoder writes first, as many
 * encoders do not write one (GStreamer's lamemp3enc without xingmux, streams cut from
 * a broadcast): mpg123 then estimates the length from the first frame's bitrate. */
static void
strip_xing_frame (const char *path)
{
  gchar *data = NULL;
  gsize len = 0;
  g_assert_true (g_file_get_contents (path, &data, &len, NULL));
  gsize o = 0;
  if (len > 10 && memcmp (data, "ID3", 3) == 0)
    o = 10 + (((gsize) data[6] & 0x7f) << 21 | ((gsize) data[7] & 0x7f) << 14 |
              ((gsize) data[8] & 0x7f) << 7 | ((gsize) data[9] & 0x7f));
  const guint8 *h = (const guint8 *) data + o;
  g_assert_true (o + 4 < len && h[0] == 0xff && (h[1] & 0xfe) == 0xfa);   /* MPEG-1 layer III */
  static const int kbps[16] = { 0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 0 };
  static const int hz[4] = { 44100, 48000, 32000, 0 };
  const gsize frame = (gsize) (144000 * kbps[h[2] >> 4] / hz[(h[2] >> 2) & 3]) + ((h[2] >> 1) & 1);
  g_assert_true (frame > 40 && o + frame < len);
  gboolean tag = FALSE;
  for (gsize k = 0; k + 4 <= frame && !tag; k++)
    tag = memcmp (data + o + k, "Xing", 4) == 0 || memcmp (data + o + k, "Info", 4) == 0;
  g_assert_true (tag);
  memmove (data + o, data + o + frame, len - o - frame);
  g_assert_true (g_file_set_contents (path, data, (gssize) (len - frame), NULL));
  g_free (data);
}

static void
test_mpeg (void)
{
  const int rate = 44100;
  const gsize frames = (gsize) rate * 14;
  g_autofree float *mono = NULL;
  g_autofree float *x = make_stereo (rate, frames, &mono);
  /* loud and rich for 3 s (large frames), then nearly silent (small ones) */
  guint32 seed = 7;
  for (gsize i = 0; i < frames; i++)
    {
      seed = seed * 1664525u + 1013904223u;
      const float noise = (float) (seed >> 8) / (float) (1 << 24) - 0.5f;
      const float gain = i < (gsize) rate * 3 ? 1.0f : 0.002f;
      x[2 * i] = gain * (x[2 * i] + 0.8f * noise);
      x[2 * i + 1] = gain * (x[2 * i + 1] - 0.6f * noise);
    }
  g_autofree char *path = tmp_path ("no-xing.mp3");
  SF_INFO info = { .samplerate = rate, .channels = 2, .format = SF_FORMAT_MPEG | SF_FORMAT_MPEG_LAYER_III };
  SNDFILE *sf = sf_open (path, SFM_WRITE, &info);
  if (sf == NULL)
    {
      g_test_skip ("this libsndfile writes no MP3");
      return;
    }
  int mode = SF_BITRATE_MODE_VARIABLE;
  sf_command (sf, SFC_SET_BITRATE_MODE, &mode, sizeof mode);   /* its return varies by version */
  g_assert_cmpint (sf_writef_float (sf, x, (sf_count_t) frames), ==, (sf_count_t) frames);
  sf_close (sf);

  /* with its LAME header: the samples are libsndfile's, bit for bit */
  info = (SF_INFO) { 0 };
  sf = sf_open (path, SFM_READ, &info);
  g_assert_nonnull (sf);
  g_assert_cmpint (info.frames, ==, (sf_count_t) frames);
  g_autofree float *ref = g_new (float, frames * 2);
  g_assert_cmpint (sf_readf_float (sf, ref, (sf_count_t) frames), ==, (sf_count_t) frames);
  sf_close (sf);
  g_autofree float *ref_mono = g_new (float, frames);
  vita_audio_downmix (ref_mono, ref, frames, 2);
  g_autoptr(GError) error = NULL;
  g_autoptr(VitaPcm) tagged = vita_audio_load (path, rate, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (tagged->n_samples, ==, frames);
  g_assert_cmpmem (tagged->samples, frames * sizeof (float), ref_mono, frames * sizeof (float));

  /* without it: libsndfile's estimate is short (it would stop there); ours is the
   * stream's length, and a stretch near the end is the whole decode's */
  strip_xing_frame (path);
  /* another file at the same path: its own scan, not the kept one of the file before */
  guint scans = vita_mpeg_scan_count ();
  guint64 fresh_total = 0;
  g_assert_true (vita_audio_stretch_length (path, rate, &fresh_total, &error));
  g_assert_cmpuint (vita_mpeg_scan_count (), ==, scans + 1);
  info = (SF_INFO) { 0 };
  sf = sf_open (path, SFM_READ, &info);
  g_assert_nonnull (sf);
  sf_close (sf);
  g_test_message ("libsndfile's length of %s: %" G_GINT64_FORMAT " frames of %" G_GSIZE_FORMAT,
                  path, (gint64) info.frames, frames);
  g_assert_cmpint (info.frames, <, (sf_count_t) frames * 9 / 10);   /* the case in point */
  for (int target = 0; target < 2; target++)
    {
      const int tr = target ? 16000 : rate;
      vita_audio_set_threads (1);
      g_autoptr(VitaPcm) whole = vita_audio_load (path, tr, NULL, &error);
      vita_audio_set_threads (0);
      g_assert_no_error (error);
      /* every written sample, and the encoder's delay and padding (no header says them) */
      g_assert_cmpuint (whole->n_samples, >=, (guint64) frames * tr / rate);
      g_assert_cmpuint (whole->n_samples, <=, ((guint64) frames + 3 * 1152) * tr / rate + 1);
      guint64 total = 0;
      g_assert_true (vita_audio_stretch_length (path, tr, &total, &error));
      g_assert_cmpuint (total, ==, whole->n_samples);
      if (target == 0)
        g_assert_cmpuint (total, ==, fresh_total);
      /* a stretch that stops before the end opens with the kept scan (a 3-hour MP3's
       * preview does not read the whole file again); one to the end scans */
      scans = vita_mpeg_scan_count ();
      const guint64 at = total - total / 4, n = 4096;
      g_autofree float *part = vita_audio_load_stretch (path, tr, at, n, NULL, &error);
      g_assert_no_error (error);
      g_assert_cmpmem (part, n * sizeof (float), whole->samples + at, n * sizeof (float));
      g_assert_cmpuint (vita_mpeg_scan_count (), ==, scans);
      g_autofree float *tail = vita_audio_load_stretch (path, tr, total - n, n, NULL, &error);
      g_assert_no_error (error);
      g_assert_cmpmem (tail, n * sizeof (float), whole->samples + total - n, n * sizeof (float));
      g_assert_cmpuint (vita_mpeg_scan_count (), ==, scans + 1);
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  tmpdir = g_dir_make_tmp ("vita-test-audio-XXXXXX", NULL);
  g_assert_nonnull (tmpdir);
  for (guint i = 0; i < G_N_ELEMENTS (containers); i++)
    {
      g_autofree char *p = g_strdup_printf ("/audio/container/%s", containers[i].name);
      g_test_add_data_func (p, &containers[i], test_container);
    }
  g_test_add_func ("/audio/real-ogg", test_real_ogg);
  g_test_add_func ("/audio/parallel", test_parallel);
  g_test_add_func ("/audio/stretch", test_stretch);
  g_test_add_func ("/audio/mpeg", test_mpeg);
  g_test_add_func ("/audio/mapped", test_mapped);
  g_test_add_func ("/audio/resample/golden", test_resample_golden);
  g_test_add_func ("/audio/resample/sine", test_resample_sine);
  g_test_add_func ("/audio/downmix", test_downmix);
  g_test_add_func ("/audio/bad/files", test_bad_files);
  g_test_add_func ("/audio/bad/truncated", test_truncated);
  g_test_add_func ("/audio/bad/content", test_odd_content);
  g_test_add_func ("/audio/bad/headers", test_absurd_headers);
  g_test_add_func ("/audio/bad/too-long", test_too_long);
  g_test_add_func ("/audio/cancel", test_cancel);
  g_test_add_func ("/audio/fallback", test_fallback);
  g_test_add_func ("/audio/bad/chained-ogg", test_chained_ogg);
  g_test_add_func ("/audio/prefix", test_prefix);
  g_test_add_func ("/audio/bad/replaced-during-decode", test_replaced_during_decode);
  int ret = g_test_run ();
  /* remove the fixtures */
  GDir *d = g_dir_open (tmpdir, 0, NULL);
  const char *name;
  while (d && (name = g_dir_read_name (d)))
    {
      g_autofree char *p = tmp_path (name);
      g_unlink (p);
    }
  if (d)
    g_dir_close (d);
  g_rmdir (tmpdir);
  g_free (tmpdir);
  return ret;
}
