/* test-probe.c — linear probes: kernels vs the naive reference, training on separable
 * data, and the check that can fail: a frame-level chord probe on log-mel input alone,
 * trained on generated pieces, beats chance by a wide margin on held-out pieces. */
#include "vita-test.h"
#include "model/probe/vita-probe.h"
#include "model/probe/vita-midigen.h"
#include "model/probe/vita-metrics.h"

#include "dsp/vita-mel.h"
#include "model/vita-safetensors.h"

#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

#define SR 16000
#define NFFT 1024
#define HOP 512
#define NMELS 128

static void
test_predict_matches_ref (void)
{
  g_autoptr(GRand) r = g_rand_new_with_seed (7);
  for (int act = 0; act < 2; act++)
    {
      g_autoptr(VitaProbe) p = vita_probe_new (37, 5, act ? VITA_PROBE_SIGMOID : VITA_PROBE_SOFTMAX);
      for (int i = 0; i < 37 * 5; i++)
        p->weight[i] = (float) g_rand_double_range (r, -1, 1);
      for (int i = 0; i < 5; i++)
        p->bias[i] = (float) g_rand_double_range (r, -1, 1);
      gsize n = 300;
      g_autofree float *x = g_new (float, n * 37);
      for (gsize i = 0; i < n * 37; i++)
        x[i] = (float) g_rand_double_range (r, -2, 2);
      g_autofree float *a = g_new (float, n * 5);
      g_autofree float *b = g_new (float, n * 5);
      vita_probe_predict (p, x, n, a);
      vita_probe_predict_ref (p, x, n, b);
      vita_test_assert_close ("probe predict vs ref", a, b, n * 5, 1e-5);
    }
}

/* Predictions over an analysis's tokens read a part at a time = over the token array,
 * whether the tokens are in memory or in their cache file (a track of 9000 frames:
 * three parts). */
static void
test_predict_analysis (void)
{
  VitaVitConfig cfg;
  g_assert_true (vita_vit_config_init_preset (&cfg, "test", NULL));
  g_autoptr(VitaVit) vit = vita_vit_new_random (&cfg, 5);
  const int F = 9000, M = cfg.fe.n_mels, D = cfg.dim;
  g_autofree float *mel = g_new (float, (gsize) F * M);
  for (gsize i = 0; i < (gsize) F * M; i++)
    mel[i] = sinf (0.001f * i);
  g_autoptr(GRand) r = g_rand_new_with_seed (11);
  g_autoptr(VitaProbe) p = vita_probe_new (D, 3, VITA_PROBE_SOFTMAX);
  for (int i = 0; i < D * 3; i++)
    p->weight[i] = (float) g_rand_double_range (r, -1, 1);
  for (int cached = 0; cached < 2; cached++)
    {
      VitaAnalysisOptions opt;
      vita_analysis_options_init (&opt);
      opt.tokens_in_memory_max = cached ? 0 : G_MAXSIZE;
      opt.workers = 1;
      g_autoptr(GError) error = NULL;
      g_autoptr(VitaAnalysis) an = vita_analysis_new (vit, mel, F, &opt, &error);
      g_assert_no_error (error);
      g_assert_true (vita_analysis_run (an, NULL, NULL, NULL, NULL, NULL, &error));
      g_assert_cmpint (vita_analysis_tokens_cached (an), ==, cached);
      g_autofree float *a = g_new (float, (gsize) F * 3), *b = g_new (float, (gsize) F * 3);
      vita_probe_predict_analysis (p, an, 2, a);
      vita_probe_predict (p, an->tokens + (gsize) 2 * F * D, F, b);
      vita_test_assert_close ("predictions over the analysis", a, b, (gsize) F * 3, 0.0);
    }
}

static void
test_separable (void)
{
  /* 3 Gaussian blobs far apart, offset and scaled features: a softmax probe must
   * separate them (standardisation folded back correctly), and a sigmoid probe must
   * find a 2 % positive class thanks to positive weighting. */
  g_autoptr(GRand) r = g_rand_new_with_seed (3);
  gsize n = 3000;
  int D = 8;
  g_autofree float *x = g_new (float, n * D);
  g_autofree int *y = g_new (int, n);
  g_autofree float *t = g_new0 (float, n);
  for (gsize i = 0; i < n; i++)
    {
      y[i] = i % 3;
      for (int d = 0; d < D; d++)
        x[i * D + d] = 100.0f + 50.0f * (float) (d == y[i]) * 0.2f * 5 +
                       (float) g_rand_double_range (r, -1, 1) * 3.0f;
      t[i] = (i % 50 == 0) ? 1.0f : 0.0f;
      if (t[i] > 0)
        x[i * D + 7] += 40.0f;
    }
  g_autoptr(VitaProbe) p = vita_probe_new (D, 3, VITA_PROBE_SOFTMAX);
  g_autoptr(GError) error = NULL;
  VitaProbeTrainOptions opt;
  vita_probe_train_options_init (&opt);
  g_assert_true (vita_probe_train (p, x, n, y, NULL, &opt, NULL, &error));
  g_autofree float *prob = g_new (float, n * 3);
  g_autofree int *pred = g_new (int, n);
  vita_probe_predict (p, x, n, prob);
  vita_probe_argmax (prob, n, 3, pred);
  int correct = 0;
  for (gsize i = 0; i < n; i++)
    correct += pred[i] == y[i];
  g_assert_cmpint (correct, >, (int) (0.99 * n));

  g_autoptr(VitaProbe) q = vita_probe_new (D, 1, VITA_PROBE_SIGMOID);
  g_assert_true (vita_probe_train (q, x, n, NULL, t, &opt, NULL, &error));
  g_autofree float *s = g_new (float, n);
  vita_probe_predict (q, x, n, s);
  g_assert_cmpfloat (vita_roc_auc (s, t, n, 1), >, 0.99);
  int tp = 0;
  for (gsize i = 0; i < n; i++)
    tp += t[i] > 0 && s[i] > 0.5f;
  g_assert_cmpint (tp, >=, 55);  /* of 60 positives */

  /* NaN in the input is refused */
  x[5] = NAN;
  g_assert_false (vita_probe_train (p, x, n, y, NULL, &opt, NULL, &error));
  g_assert_error (error, VITA_MODEL_ERROR, VITA_MODEL_ERROR_NONFINITE);
}

/* ---- generated pieces → audio (additive synth, no fluidsynth) → log-mel ---- */

static float *
synth (const VitaPiece *p, gsize *n_out)
{
  gsize n = (gsize) ((p->duration + 0.5) * SR);
  float *y = g_new0 (float, n);
  guint32 noise = 12345;
  for (guint k = 0; k < p->notes->len; k++)
    {
      const VitaNote *nt = &g_array_index (p->notes, VitaNote, k);
      gsize a = (gsize) (nt->on * SR), b = MIN (n, (gsize) ((nt->off + 0.05) * SR));
      float amp = nt->velocity / 127.0f * 0.05f;
      if (nt->channel == 9)
        {
          /* drums: decaying noise (snare, hats) or a low thump (kick) */
          gsize len = MIN (n - MIN (a, n), (gsize) (0.12 * SR));
          for (gsize i = 0; i < len; i++)
            {
              float env = expf (-(float) i / (0.03f * SR));
              noise = noise * 1664525u + 1013904223u;
              float v = nt->pitch == 36 ? sinf (2 * G_PI * 60.0f * i / SR)
                                        : ((noise >> 9) / 4194304.0f - 1.0f) * 0.5f;
              y[a + i] += amp * 2 * env * v;
            }
          continue;
        }
      double f0 = 440.0 * pow (2.0, (nt->pitch - 69) / 12.0);
      for (int h = 1; h <= 4; h++)
        {
          double f = f0 * h;
          if (f > SR / 2 - 200)
            break;
          /* phase rotation recurrence instead of sin() per sample */
          double c = cos (2 * G_PI * f / SR), s = sin (2 * G_PI * f / SR);
          double re = 1, im = 0;
          float ah = amp / h;
          for (gsize i = a; i < b; i++)
            {
              float env = expf (-(float) (i - a) / (1.2f * SR));
              y[i] += ah * env * (float) im;
              double nr = re * c - im * s;
              im = re * s + im * c;
              re = nr;
            }
        }
    }
  *n_out = n;
  return y;
}

/* The model's exact front-end (dsp/vita-mel.h): Slaney log-mel, default settings. */
static float *
log_mel (const float *y, gsize n, int *n_frames_out)
{
  VitaFrontend fe;
  vita_frontend_init_default (&fe);
  g_autoptr(GError) error = NULL;
  g_autoptr(VitaMel) mel = vita_mel_new (&fe, &error);
  g_assert_no_error (error);
  int nf = (int) vita_frontend_n_frames (&fe, n);
  float *out = g_new (float, (gsize) nf * fe.n_mels);
  vita_mel_compute (mel, y, n, out);
  *n_frames_out = nf;
  return out;
}

typedef struct {
  GArray *x;       /* float (frames * NMELS) */
  GArray *y;       /* int */
} Frames;

static void
add_piece (Frames *f, const VitaPiece *p)
{
  gsize n;
  g_autofree float *audio = synth (p, &n);
  int nf;
  g_autofree float *mel = log_mel (audio, n, &nf);
  VitaChordTrack track = { p->chords, NULL };
  g_autofree int *labels = g_new (int, nf);
  vita_chord_track_to_frames (&track, (double) HOP / SR, nf, labels);
  g_array_append_vals (f->x, mel, (guint) nf * NMELS);
  g_array_append_vals (f->y, labels, nf);
}

static void
test_chord_probe_on_mel (void)
{
  const guint64 seed = 11;
  Frames train = { g_array_new (FALSE, FALSE, sizeof (float)), g_array_new (FALSE, FALSE, sizeof (int)) };
  Frames test = { g_array_new (FALSE, FALSE, sizeof (float)), g_array_new (FALSE, FALSE, sizeof (int)) };
  /* 24 training pieces (every key once), 6 held-out pieces (other instruments,
   * progressions, tempi): split by piece, never by frame. */
  g_autoptr(GPtrArray) test_pieces = g_ptr_array_new_with_free_func ((GDestroyNotify) vita_piece_free);
  for (int i = 0; i < 30; i++)
    {
      VitaPiece *p = vita_piece_generate (seed, i, 10.0);
      if (i < 24)
        {
          add_piece (&train, p);
          vita_piece_free (p);
        }
      else
        {
          add_piece (&test, p);
          g_ptr_array_add (test_pieces, p);
        }
    }
  g_autoptr(VitaProbe) probe = vita_probe_new (NMELS, VITA_CHORD_N_CLASSES, VITA_PROBE_SOFTMAX);
  VitaProbeTrainOptions opt;
  vita_probe_train_options_init (&opt);
  opt.epochs = 30;
  g_autoptr(GError) error = NULL;
  float loss;
  g_assert_true (vita_probe_train (probe, (float *) train.x->data, train.y->len,
                                   (int *) train.y->data, NULL, &opt, &loss, &error));
  g_assert_no_error (error);

  /* majority-class chance from the training labels */
  int counts[VITA_CHORD_N_CLASSES] = { 0 };
  for (guint i = 0; i < train.y->len; i++)
    counts[g_array_index (train.y, int, i)]++;
  int majority = 0;
  for (int c = 1; c < VITA_CHORD_N_CLASSES; c++)
    if (counts[c] > counts[majority])
      majority = c;

  gsize n = test.y->len;
  g_autofree float *prob = g_new (float, n * VITA_CHORD_N_CLASSES);
  g_autofree int *pred = g_new (int, n);
  vita_probe_predict (probe, (float *) test.x->data, n, prob);
  vita_probe_argmax (prob, n, VITA_CHORD_N_CLASSES, pred);
  gsize correct = 0, chance = 0;
  for (gsize i = 0; i < n; i++)
    {
      int y = g_array_index (test.y, int, i);
      correct += pred[i] == y;
      chance += y == majority;
    }
  double acc = (double) correct / n, chance_acc = (double) chance / n;

  /* and the mir_eval-style majmin overlap, piece by piece */
  double overlap_sum = 0, secs = 0;
  gsize off = 0;
  for (guint k = 0; k < test_pieces->len; k++)
    {
      VitaPiece *p = g_ptr_array_index (test_pieces, k);
      int nf = 1 + (int) ((gsize) ((p->duration + 0.5) * SR) / HOP);
      g_autoptr(GArray) est = vita_chord_frames_to_segments (pred + off, nf, (double) HOP / SR);
      double valid;
      double o = vita_chord_overlap_majmin ((VitaChordSegment *) p->chords->data, p->chords->len,
                                            (VitaChordSegment *) est->data, est->len, &valid);
      overlap_sum += o * valid;
      secs += valid;
      off += nf;
    }
  g_assert_cmpuint (off, ==, n);
  double overlap = overlap_sum / secs;
  g_test_message ("chord probe on log-mel: frame accuracy %.3f, majmin overlap %.3f, "
                  "majority-class chance %.3f, uniform chance %.3f (train loss %.3f, %u train / %zu test frames)",
                  acc, overlap, chance_acc, 1.0 / VITA_CHORD_N_CLASSES, loss, train.y->len, n);
  g_assert_cmpfloat (acc, >, chance_acc + 0.3);
  g_assert_cmpfloat (acc, >, 0.5);
  g_assert_cmpfloat (overlap, >, 0.5);
  g_array_unref (train.x);
  g_array_unref (train.y);
  g_array_unref (test.x);
  g_array_unref (test.y);
}

static void
test_probe_file (void)
{
  g_autoptr(VitaProbe) p = vita_probe_new (6, 3, VITA_PROBE_SIGMOID);
  for (int i = 0; i < 18; i++)
    p->weight[i] = 0.25f * i - 1.0f;
  p->bias[2] = 0.5f;
  g_free (p->task);
  p->task = g_strdup ("tags");
  p->frame_level = FALSE;
  p->layer = 3;
  p->pool = VITA_POOL_CLS_MEAN;
  g_ptr_array_set_size (p->labels, 0);
  g_ptr_array_add (p->labels, g_strdup ("piano"));
  g_ptr_array_add (p->labels, g_strdup ("say \"hi\", ünï"));
  g_ptr_array_add (p->labels, g_strdup ("drums"));
  strcpy (p->model_sha256, "ab12");
  g_hash_table_insert (p->figures, g_strdup ("map"), g_strdup ("0.75"));
  g_autofree char *dir = g_dir_make_tmp ("vita-probe-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "p.safetensors", NULL);
  g_autoptr(GError) error = NULL;
  g_assert_true (vita_probe_save (p, path, &error));
  g_assert_no_error (error);
  g_autoptr(VitaProbe) q = vita_probe_load (path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (q->dim, ==, 6);
  g_assert_cmpint (q->n_classes, ==, 3);
  g_assert_cmpint (q->activation, ==, VITA_PROBE_SIGMOID);
  vita_test_assert_close ("probe weight", q->weight, p->weight, 18, 0);
  vita_test_assert_close ("probe bias", q->bias, p->bias, 3, 0);
  g_assert_cmpstr (q->task, ==, "tags");
  g_assert_false (q->frame_level);
  g_assert_cmpint (q->layer, ==, 3);
  g_assert_cmpint (q->pool, ==, VITA_POOL_CLS_MEAN);
  g_assert_cmpstr (g_ptr_array_index (q->labels, 1), ==, "say \"hi\", ünï");
  g_assert_cmpstr (q->model_sha256, ==, "ab12");
  g_assert_cmpstr (g_hash_table_lookup (q->figures, "map"), ==, "0.75");

  /* a model file is not a probe file; a probe without labels is refused */
  g_autoptr(VitaSafetensors) st = vita_safetensors_new ();
  gint64 shape[2] = { 3, 6 };
  vita_safetensors_add (st, "probe.weight", 2, shape, p->weight);
  vita_safetensors_set_metadata (st, "format", "vit1d");
  g_assert_true (vita_safetensors_save (st, path, &error));
  g_assert_null (vita_probe_load (path, &error));
  g_assert_error (error, VITA_MODEL_ERROR, VITA_MODEL_ERROR_METADATA);
  g_assert_nonnull (strstr (error->message, path));
  g_clear_error (&error);
  vita_safetensors_set_metadata (st, "format", "vit1d-probe");
  g_assert_true (vita_safetensors_save (st, path, &error));
  g_assert_null (vita_probe_load (path, &error));
  g_assert_error (error, VITA_MODEL_ERROR, VITA_MODEL_ERROR_MISMATCH);  /* no bias */
  g_clear_error (&error);
  gint64 bshape[1] = { 3 };
  vita_safetensors_add (st, "probe.bias", 1, bshape, p->bias);
  vita_safetensors_set_metadata (st, "task", "x");
  vita_safetensors_set_metadata (st, "kind", "frame");
  vita_safetensors_set_metadata (st, "layer", "1");
  vita_safetensors_set_metadata (st, "pool", "token");
  vita_safetensors_set_metadata (st, "activation", "softmax");
  vita_safetensors_set_metadata (st, "labels", "[\"a\", \"b\"]");
  g_assert_true (vita_safetensors_save (st, path, &error));
  g_assert_null (vita_probe_load (path, &error));
  g_assert_nonnull (strstr (error->message, "labels"));
  g_clear_error (&error);
  vita_safetensors_set_metadata (st, "labels", "[\"a\", \"b\", \"c\"]");
  vita_safetensors_set_metadata (st, "layer", "-2");
  g_assert_true (vita_safetensors_save (st, path, &error));
  g_assert_null (vita_probe_load (path, &error));
  g_assert_nonnull (strstr (error->message, "layer"));
  g_clear_error (&error);
  vita_safetensors_set_metadata (st, "layer", "1");
  g_assert_true (vita_safetensors_save (st, path, &error));
  g_autoptr(VitaProbe) ok = vita_probe_load (path, &error);
  g_assert_no_error (error);
  g_unlink (path);
  g_rmdir (dir);
}

int
main (int argc, char **argv)
{
  char *cache = vita_test_cache_new ();   /* before g_test_init */
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/probe/predict-matches-ref", test_predict_matches_ref);
  g_test_add_func ("/probe/separable", test_separable);
  g_test_add_func ("/probe/predict-analysis", test_predict_analysis);
  g_test_add_func ("/probe/file-roundtrip-and-refusals", test_probe_file);
  g_test_add_func ("/probe/chord-on-mel-beats-chance", test_chord_probe_on_mel);
  return vita_test_cache_remove (cache, g_test_run ());
}
