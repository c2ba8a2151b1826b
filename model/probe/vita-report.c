/* vita-report.c — the paper's measurements (see vita-report.h). */
#include "vita-report.h"
#include "model/vita-derived.h"
#include "model/vita-analysis.h"
#include "vita-annotations.h"
#include "vita-annotation-set.h"
#include "vita-metrics.h"
#include "vita-probe.h"
#include "dsp/vita-audio.h"
#include "dsp/vita-features.h"
#include "dsp/vita-mel.h"

#include <cblas.h>
#include <errno.h>
#include <glib/gstdio.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#define N_CHROMA 12
#define N_MFCC VITA_MFCC_DEFAULT_N
#define RHYTHM_WIN 64   /* frames (2 s) of onset novelty per rhythm vector */
#define RHYTHM_LAGS 32  /* autocorrelation lags 1..32 frames (up to 1 s) */
#define N_REF 3         /* chroma, MFCC, rhythm */
#define N_POOLS 3       /* cls, mean, cls+mean */

static const double peak_deltas[] = { 0.0, 0.02, 0.05, 0.1, 0.2 };
#define N_DELTAS G_N_ELEMENTS (peak_deltas)

void
vita_report_options_init (VitaReportOptions *opt)
{
  opt->test_every = 4;
  opt->max_pieces = 0;
  opt->epochs_frame = 8;
  opt->epochs_clip = 60;
  opt->random_seed = 1;
  opt->event_window = VITA_EVENT_TOLERANCE;
  opt->onset_window = VITA_ONSET_WINDOW_MIREVAL;
  opt->with_random = TRUE;
  opt->verbose = FALSE;
  opt->probe_dir = NULL;
}

/* ------------------------------------------------------------------ pieces */

typedef struct {
  char   *stem;
  gboolean test;
  int     n_frames;
  float  *mel;          /* (F, M) model input */
  float  *flux;         /* (F) spectral flux */
  float  *ref[N_REF];   /* (F, ref_dim[k]) chroma, MFCC, rhythm */
  int    *chord;        /* (F) chord class per frame */
  float  *beat_t;       /* (F) 1 at the frame nearest each beat */
  float  *onset_t;      /* (F) */
  VitaChordTrack *chords;
  VitaEventList  *beats;   /* may be NULL */
  VitaEventList  *onsets;  /* may be NULL */
  int     key;          /* VITA_KEY_X when unknown */
  float  *tags;         /* (n_tags) or NULL */
  char   *found;        /* "STEM: found chords (…) from STEM.lab, …; no onsets" */
  gboolean has[VITA_ANN_N_KINDS];

  /* per model, replaced for each model */
  VitaAnalysis *an;
  int     n_windows;
  float  *wpool;        /* (W, L+1, N_POOLS, D) clip vectors */
} Piece;

static const int ref_dim[N_REF] = { N_CHROMA, N_MFCC, RHYTHM_LAGS };
static const char *const ref_names[N_REF] = { "chroma", "MFCC", "rhythm" };

static void
piece_free (Piece *p)
{
  g_free (p->stem);
  g_free (p->mel);
  g_free (p->flux);
  for (int k = 0; k < N_REF; k++)
    g_free (p->ref[k]);
  g_free (p->chord);
  g_free (p->beat_t);
  g_free (p->onset_t);
  vita_chord_track_free (p->chords);
  vita_event_list_free (p->beats);
  vita_event_list_free (p->onsets);
  g_free (p->tags);
  g_free (p->found);
  if (p->an)
    vita_analysis_unref (p->an);
  g_free (p->wpool);
  g_free (p);
}

struct _VitaReport {
  GString    *markdown;
  GHashTable *csv;
};

void
vita_report_free (VitaReport *r)
{
  if (!r)
    return;
  g_string_free (r->markdown, TRUE);
  g_hash_table_unref (r->csv);
  g_free (r);
}

const char *
vita_report_markdown (const VitaReport *r)
{
  return r->markdown->str;
}

GHashTable *
vita_report_csv (const VitaReport *r)
{
  return r->csv;
}

/* Rhythm vector of frame f: normalised autocorrelation (lags 1..RHYTHM_LAGS) of the
 * onset novelty in a RHYTHM_WIN-frame window centred on f — a local tempogram
 * (librosa.feature.tempogram's idea), independent of the phase of the beat. */
static void
rhythm_features (const float *flux, int F, float *out)
{
  for (int f = 0; f < F; f++)
    {
      int a = f - RHYTHM_WIN / 2;
      float *o = out + (gsize) f * RHYTHM_LAGS;
      double e0 = 0;
      for (int i = 0; i < RHYTHM_WIN; i++)
        {
          int t = a + i;
          double v = (t >= 0 && t < F) ? flux[t] : 0;
          e0 += v * v;
        }
      for (int lag = 1; lag <= RHYTHM_LAGS; lag++)
        {
          double s = 0;
          for (int i = 0; i + lag < RHYTHM_WIN; i++)
            {
              int t = a + i, u = a + i + lag;
              if (t >= 0 && u < F)
                s += (double) flux[t] * flux[u];
            }
          o[lag - 1] = e0 > 0 ? (float) (s / e0) : 0.0f;
        }
    }
}

const char *
vita_report_reference_name (int k)
{
  g_return_val_if_fail (k >= 0 && k < N_REF, NULL);
  return ref_names[k];
}

int
vita_report_reference_dim (int k)
{
  g_return_val_if_fail (k >= 0 && k < N_REF, 0);
  return ref_dim[k];
}

void
vita_report_reference_features (VitaMel *mel, const float *chroma_fb, const float *pcm,
                                gsize n_samples, float *flux, float *ref[N_REF])
{
  const VitaFrontend *fe = vita_mel_frontend (mel);
  int F = (int) vita_frontend_n_frames (fe, n_samples);
  int bins = fe->n_fft / 2 + 1, M = fe->n_mels;
  g_autofree float *power = g_new (float, (gsize) F * bins);
  vita_mel_power (mel, pcm, n_samples, power);
  g_autofree float *melpow = g_new (float, (gsize) F * M);
  vita_mel_mel_power (mel, pcm, n_samples, melpow);
  vita_onset_flux (power, F, bins, flux);
  vita_chroma (chroma_fb, N_CHROMA, power, F, bins, ref[0]);
  memset (ref[1], 0, (gsize) F * N_MFCC * sizeof (float));
  {
    /* 20 coefficients by convention; fewer when the model has fewer mel bands */
    int n_mfcc = MIN (N_MFCC, M);
    g_autofree float *mf = g_new (float, (gsize) F * n_mfcc);
    vita_mfcc (melpow, F, M, n_mfcc, mf);
    for (int f = 0; f < F; f++)
      memcpy (ref[1] + (gsize) f * N_MFCC, mf + (gsize) f * n_mfcc, n_mfcc * sizeof (float));
  }
  rhythm_features (flux, F, ref[2]);
}

static void
events_to_targets (const VitaEventList *ev, double hop_s, int F, float *out)
{
  memset (out, 0, F * sizeof (float));
  if (!ev)
    return;
  for (guint i = 0; i < ev->times->len; i++)
    {
      long f = lround (g_array_index (ev->times, double, i) / hop_s);
      if (f >= 0 && f < F)
        out[f] = 1.0f;
    }
}

static Piece *
piece_load (const char *dir, const char *stem, const VitaFrontend *fe, VitaMel *mel,
            const float *chroma_fb, GPtrArray *tag_vocab, GPtrArray *warnings,
            GCancellable *cancellable, GError **error)
{
  g_autofree char *wav = g_strconcat (stem, ".wav", NULL);
  g_autofree char *wav_path = g_build_filename (dir, wav, NULL);
  g_autoptr(VitaPcm) pcm = vita_audio_load (wav_path, fe->sample_rate, cancellable, error);
  if (!pcm)
    return NULL;
  Piece *p = g_new0 (Piece, 1);
  p->stem = g_strdup (stem);
  double hop_s = (double) fe->hop_length / fe->sample_rate;
  double duration = pcm->duration;
  /* the model input: the one front-end call; the spectral flux (dsp/'s) comes with
   * the reference features, from the same power spectrogram as the chroma */
  gsize n_frames = 0;
  p->mel = vita_mel_features (mel, pcm->samples, pcm->n_samples, NULL, &n_frames, error);
  if (p->mel == NULL)
    {
      g_prefix_error (error, "%s: ", wav_path);
      piece_free (p);
      return NULL;
    }
  int F = (int) n_frames;
  p->n_frames = F;
  p->flux = g_new (float, F);
  for (int k = 0; k < N_REF; k++)
    p->ref[k] = g_new (float, (gsize) F * ref_dim[k]);
  vita_report_reference_features (mel, chroma_fb, pcm->samples, pcm->n_samples, p->flux, p->ref);

  /* every annotation the field writes beside the audio (vita-annotation-set.h) */
  g_autoptr(VitaAnnotationSet) ann = vita_annotation_set_find (wav_path, duration, warnings);
  vita_annotation_set_clip (ann, duration, warnings);
  p->found = vita_annotation_set_describe (ann, stem);
  for (int k = 0; k < VITA_ANN_N_KINDS; k++)
    p->has[k] = vita_annotation_set_has (ann, (VitaAnnKind) k);
  p->chords = g_steal_pointer (&ann->chords);
  p->beats = g_steal_pointer (&ann->beats);
  p->onsets = g_steal_pointer (&ann->onsets);
  p->chord = g_new (int, F);
  if (p->chords)
    vita_chord_track_to_frames (p->chords, hop_s, F, p->chord);
  else
    for (int f = 0; f < F; f++)
      p->chord[f] = -1;  /* unlabelled: the chord probe skips these frames */
  p->beat_t = g_new (float, F);
  p->onset_t = g_new (float, F);
  events_to_targets (p->beats, hop_s, F, p->beat_t);
  events_to_targets (p->onsets, hop_s, F, p->onset_t);
  p->key = ann->has_key ? ann->key : VITA_KEY_X;
  if (ann->tags)
    {
      VitaTags *t = ann->tags;
      if (tag_vocab->len == 0)
        for (guint i = 0; i < t->names->len; i++)
          g_ptr_array_add (tag_vocab, g_strdup (g_ptr_array_index (t->names, i)));
      p->tags = g_new0 (float, tag_vocab->len);
      for (guint i = 0; i < t->names->len; i++)
        for (guint j = 0; j < tag_vocab->len; j++)
          if (strcmp (g_ptr_array_index (t->names, i), g_ptr_array_index (tag_vocab, j)) == 0)
            p->tags[j] = g_array_index (t->values, float, i) >= 0.5f ? 1.0f : 0.0f;
    }
  return p;
}

/* ------------------------------------------------------------------ per model */

static gboolean
piece_analyse (Piece *p, VitaVit *vit, VitaVitState *state, GCancellable *cancellable,
               GError **error)
{
  if (p->an)
    vita_analysis_unref (p->an);
  g_clear_pointer (&p->wpool, g_free);
  VitaAnalysisOptions aopt;
  vita_analysis_options_init (&aopt);
  p->an = vita_analysis_new (vit, p->mel, p->n_frames, &aopt, error);
  if (!p->an || !vita_analysis_run (p->an, NULL, NULL, NULL, NULL, cancellable, error))
    return FALSE;

  /* clip vectors: the analysis keeps each window's class token but not the mean of
   * that window's own sequence tokens, so windows go through the model once more. */
  const VitaVitConfig *cfg = &vit->cfg;
  int T = cfg->frames, M = cfg->fe.n_mels, D = cfg->dim, NL = cfg->depth + 1, N = T + 1;
  int W = p->an->n_windows;
  p->n_windows = W;
  p->wpool = g_new (float, (gsize) W * NL * N_POOLS * D);
  g_autofree float *input = g_new (float, (gsize) state->B * T * M);
  float pad = (logf (cfg->fe.log_offset) - cfg->fe.input_mean) / cfg->fe.input_std;
  for (int w0 = 0; w0 < W; w0 += state->B)
    {
      int B = MIN (state->B, W - w0);
      for (int b = 0; b < B; b++)
        {
          int s = p->an->window_start[w0 + b];
          for (int t = 0; t < T; t++)
            {
              float *dst = input + ((gsize) b * T + t) * M;
              if (s + t < p->n_frames)
                memcpy (dst, p->mel + (gsize) (s + t) * M, M * sizeof (float));
              else
                for (int m = 0; m < M; m++)
                  dst[m] = pad;  /* as the analysis pads a track shorter than T */
            }
        }
      vita_vit_forward (vit, state, input, B);
      for (int l = 0; l < NL; l++)
        {
          const float *tok = vita_vit_state_tokens (state, l);
          for (int b = 0; b < B; b++)
            for (int k = 0; k < N_POOLS; k++)
              vita_probe_pool ((VitaPool) (VITA_POOL_CLS + k), tok + (gsize) b * N * D, N, D,
                               p->wpool + (((gsize) (w0 + b) * NL + l) * N_POOLS + k) * D);
        }
    }
  return TRUE;
}

/* ------------------------------------------------------------------ helpers */

/* Local maxima of a probability curve above thresh within ±radius frames. */
static GArray *
pick_probs (const float *curve, int F, float thresh, int radius, double hop_s)
{
  GArray *out = g_array_new (FALSE, FALSE, sizeof (double));
  for (int f = 0; f < F; f++)
    {
      if (curve[f] < thresh)
        continue;
      gboolean is_max = TRUE;
      for (int g = MAX (0, f - radius); g <= MIN (F - 1, f + radius) && is_max; g++)
        if (curve[g] > curve[f] || (curve[g] == curve[f] && g < f))
          is_max = FALSE;
      if (is_max)
        {
          double t = f * hop_s;
          g_array_append_val (out, t);
        }
    }
  return out;
}

static GArray *
pick_novelty (const float *curve, int F, double delta, double hop_s)
{
  /* normalised to [0, 1] per piece so that one delta fits every piece */
  g_autoptr(GArray) idx = vita_onset_peaks (curve, F, (float) delta, 1);
  GArray *out = g_array_new (FALSE, FALSE, sizeof (double));
  for (guint i = 0; i < idx->len; i++)
    {
      double t = g_array_index (idx, guint, i) * hop_s;
      g_array_append_val (out, t);
    }
  return out;
}

static double
event_f (const VitaEventList *ref, const GArray *est, double window, gboolean beat)
{
  if (!ref)
    return NAN;
  const double *r = (const double *) ref->times->data;
  const double *e = (const double *) est->data;
  VitaEventScore s = beat ? vita_beat_f_measure (r, ref->times->len, e, est->len, window,
                                                 VITA_BEAT_MIN_TIME_MIREVAL)
                          : vita_onset_f_measure (r, ref->times->len, e, est->len, window);
  return s.f_measure;
}

static double
pearson_upper (const float *a, const float *b, int S)
{
  double sa = 0, sb = 0, saa = 0, sbb = 0, sab = 0, n = 0;
  for (int i = 0; i < S; i++)
    for (int j = i + 1; j < S; j++)
      {
        double x = a[(gsize) i * S + j], y = b[(gsize) i * S + j];
        sa += x;
        sb += y;
        saa += x * x;
        sbb += y * y;
        sab += x * y;
        n += 1;
      }
  if (n < 2)
    return NAN;
  double cov = sab / n - sa / n * sb / n;
  double va = saa / n - sa / n * sa / n, vb = sbb / n - sb / n * sb / n;
  return (va > 0 && vb > 0) ? cov / sqrt (va * vb) : NAN;
}

/* Pooled cosine SSM exactly as the analysis defines it (vita-analysis.h). */
static float *
pooled_ssm (const float *x, int F, int d, int pool, int S)
{
  g_autofree float *P = g_new0 (float, (gsize) S * d);
  for (int i = 0; i < S; i++)
    {
      int a = i * pool, b = MIN ((i + 1) * pool, F);
      for (int f = a; f < b; f++)
        {
          const float *xf = x + (gsize) f * d;
          double n2 = 0;
          for (int k = 0; k < d; k++)
            n2 += (double) xf[k] * xf[k];
          double inv = 1.0 / MAX (sqrt (n2), 1e-8);
          for (int k = 0; k < d; k++)
            P[(gsize) i * d + k] += (float) (xf[k] * inv / (b - a));
        }
    }
  float *out = g_new (float, (gsize) S * S);
  cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasTrans, S, S, d, 1.0f, P, d, P, d, 0.0f, out, S);
  return out;
}

double
vita_report_ssm_correlation (const float *ssm, int S, int pool, const float *ref, int n_frames,
                             int dim)
{
  g_autofree float *r = pooled_ssm (ref, n_frames, dim, pool, S);
  return pearson_upper (ssm, r, S);
}

double
vita_report_curve_onset_f (const float *curve, int n_frames, double delta, double hop_seconds,
                           const VitaEventList *onsets, double window)
{
  if (!onsets)
    return NAN;
  g_autoptr(GArray) est = pick_novelty (curve, n_frames, delta, hop_seconds);
  return event_f (onsets, est, window, FALSE);
}

const double *
vita_report_peak_deltas (int *n)
{
  *n = N_DELTAS;
  return peak_deltas;
}

typedef struct {
  GPtrArray *pieces;       /* Piece * */
  GPtrArray *tag_vocab;
  const VitaReportOptions *opt;
  const char *sha256;      /* of the model being measured */
  gboolean save_probes;    /* TRUE while measuring the trained model with opt->probe_dir */
  double hop_s;
  int D, NL, NH, L, M;
  int have[VITA_ANN_N_KINDS];  /* pieces with each kind of annotation */
} Ctx;

typedef enum { FEAT_TOKENS, FEAT_CLS_BCAST, FEAT_MEL } FrameFeature;

/* Frame features of one piece for (feature, layer): (F, dim) newly allocated. */
static float *
frame_features (const Ctx *c, const Piece *p, FrameFeature feat, int layer, int *dim)
{
  int F = p->n_frames;
  if (feat == FEAT_MEL)
    {
      *dim = c->M;
      return g_memdup2 (p->mel, (gsize) F * c->M * sizeof (float));
    }
  *dim = c->D;
  float *x = g_new (float, (gsize) F * c->D);
  for (int f = 0; f < F; f++)
    {
      const float *src;
      if (feat == FEAT_TOKENS)
        src = p->an->tokens + ((gsize) layer * F + f) * c->D;
      else
        src = p->an->cls + ((gsize) p->an->frame_window[f] * c->NL + layer) * c->D;
      memcpy (x + (gsize) f * c->D, src, c->D * sizeof (float));
    }
  return x;
}

static gboolean
save_probe (const Ctx *c, VitaProbe *p, const char *task, int layer, VitaPool pool,
            const char *const *labels, double figure, const char *figure_name, GError **error)
{
  g_free (p->task);
  p->task = g_strdup (task);
  p->layer = layer;
  p->pool = pool;
  p->frame_level = pool == VITA_POOL_TOKEN;
  g_ptr_array_set_size (p->labels, 0);
  for (int k = 0; k < p->n_classes; k++)
    g_ptr_array_add (p->labels, g_strdup (labels[k]));
  g_strlcpy (p->model_sha256, c->sha256 ? c->sha256 : "", sizeof p->model_sha256);
  char buf[G_ASCII_DTOSTR_BUF_SIZE];
  if (!isnan (figure))
    g_hash_table_insert (p->figures, g_strdup (figure_name),
                         g_strdup (g_ascii_formatd (buf, sizeof buf, "%.4f", figure)));
  g_autofree char *name = g_strdup_printf ("%s-%s-layer%02d.safetensors", task,
                                           vita_pool_name (pool), layer);
  g_autofree char *path = g_build_filename (c->opt->probe_dir, name, NULL);
  return vita_probe_save (p, path, error);
}

static const char *const *
chord_labels (void)
{
  static const char *names[VITA_CHORD_N_CLASSES];
  for (int k = 0; k < VITA_CHORD_N_CLASSES; k++)
    names[k] = vita_chord_class_name (k);
  return names;
}

static const char *const *
key_labels (void)
{
  static const char *names[VITA_KEY_N_CLASSES];
  for (int k = 0; k < VITA_KEY_N_CLASSES; k++)
    names[k] = vita_key_class_name (k);
  return names;
}

/* Table (a) for one feature/layer: chord overlap, beat F, onset F on the test pieces. */
static gboolean
frame_probes (const Ctx *c, FrameFeature feat, int layer, double out[3], GError **error)
{
  g_autoptr(GArray) X = g_array_new (FALSE, FALSE, sizeof (float));
  g_autoptr(GArray) yc = g_array_new (FALSE, FALSE, sizeof (int));
  g_autoptr(GArray) yb = g_array_new (FALSE, FALSE, sizeof (float));
  g_autoptr(GArray) yo = g_array_new (FALSE, FALSE, sizeof (float));
  int dim = 0;
  for (guint i = 0; i < c->pieces->len; i++)
    {
      Piece *p = g_ptr_array_index (c->pieces, i);
      if (p->test)
        continue;
      g_autofree float *x = frame_features (c, p, feat, layer, &dim);
      g_array_append_vals (X, x, (guint) ((gsize) p->n_frames * dim));
      g_array_append_vals (yc, p->chord, p->n_frames);
      g_array_append_vals (yb, p->beat_t, p->n_frames);
      g_array_append_vals (yo, p->onset_t, p->n_frames);
    }
  gsize n = yc->len;
  VitaProbeTrainOptions topt;
  vita_probe_train_options_init (&topt);
  topt.epochs = c->opt->epochs_frame;
  g_autoptr(VitaProbe) pc = vita_probe_new (dim, VITA_CHORD_N_CLASSES, VITA_PROBE_SOFTMAX);
  g_autoptr(VitaProbe) pb = vita_probe_new (dim, 1, VITA_PROBE_SIGMOID);
  g_autoptr(VitaProbe) po = vita_probe_new (dim, 1, VITA_PROBE_SIGMOID);
  gboolean with_chords = c->have[VITA_ANN_CHORDS] > 0;
  if ((with_chords &&
       !vita_probe_train (pc, (float *) X->data, n, (int *) yc->data, NULL, &topt, NULL, error)) ||
      !vita_probe_train (pb, (float *) X->data, n, NULL, (float *) yb->data, &topt, NULL, error) ||
      !vita_probe_train (po, (float *) X->data, n, NULL, (float *) yo->data, &topt, NULL, error))
    return FALSE;

  double ov_sum = 0, ov_secs = 0, fb = 0, fo = 0;
  int nb = 0, no = 0;
  for (guint i = 0; i < c->pieces->len; i++)
    {
      Piece *p = g_ptr_array_index (c->pieces, i);
      if (!p->test)
        continue;
      int F = p->n_frames;
      g_autofree float *x = frame_features (c, p, feat, layer, &dim);
      g_autofree float *prob = g_new (float, (gsize) F * VITA_CHORD_N_CLASSES);
      g_autofree int *pred = g_new (int, F);
      if (with_chords && p->chords)
        {
          vita_probe_predict (pc, x, F, prob);
          vita_probe_argmax (prob, F, VITA_CHORD_N_CLASSES, pred);
          g_autoptr(GArray) est = vita_chord_frames_to_segments (pred, F, c->hop_s);
          double valid;
          double o = vita_chord_overlap_majmin ((VitaChordSegment *) p->chords->segments->data,
                                                p->chords->segments->len,
                                                (VitaChordSegment *) est->data, est->len, &valid);
          ov_sum += o * valid;
          ov_secs += valid;
        }
      /* beats/onsets: local maxima (±2 frames) of the probability above 0.5 */
      vita_probe_predict (pb, x, F, prob);
      g_autoptr(GArray) be = pick_probs (prob, F, 0.5f, 2, c->hop_s);
      double f1 = event_f (p->beats, be, c->opt->event_window, TRUE);
      if (!isnan (f1))
        fb += f1, nb++;
      vita_probe_predict (po, x, F, prob);
      g_autoptr(GArray) oe = pick_probs (prob, F, 0.5f, 1, c->hop_s);
      double f2 = event_f (p->onsets, oe, c->opt->onset_window, FALSE);
      if (!isnan (f2))
        fo += f2, no++;
    }
  out[0] = ov_secs > 0 ? ov_sum / ov_secs : NAN;
  out[1] = nb ? fb / nb : NAN;
  out[2] = no ? fo / no : NAN;
  if (c->save_probes && feat == FEAT_TOKENS)
    {
      static const char *const beat[] = { "beat" }, *const onset[] = { "onset" };
      /* a probe is saved only for a task with annotations: one trained on nothing
       * would look like a result */
      if ((with_chords &&
           !save_probe (c, pc, "chord", layer, VITA_POOL_TOKEN, chord_labels (), out[0],
                        "majmin_overlap", error)) ||
          (c->have[VITA_ANN_BEATS] > 0 &&
           !save_probe (c, pb, "beat", layer, VITA_POOL_TOKEN, beat, out[1], "beat_f", error)) ||
          (c->have[VITA_ANN_ONSETS] > 0 &&
           !save_probe (c, po, "onset", layer, VITA_POOL_TOKEN, onset, out[2], "onset_f", error)))
        return FALSE;
    }
  return TRUE;
}

/* mean onset F over the train (sel = FALSE) or test (TRUE) pieces of a curve getter */
typedef const float *(*CurveFunc) (const Ctx *c, const Piece *p, int a, int b);

static const float *
curve_received (const Ctx *c, const Piece *p, int l, int h)
{
  return p->an->received + ((gsize) l * c->NH + h) * p->n_frames;
}

static const float *
curve_flux (const Ctx *c, const Piece *p, int a, int b)
{
  return p->flux;
}

static double
curve_f (const Ctx *c, CurveFunc get, int a, int b, double delta, gboolean test)
{
  double sum = 0;
  int n = 0;
  for (guint i = 0; i < c->pieces->len; i++)
    {
      Piece *p = g_ptr_array_index (c->pieces, i);
      if (p->test != test || !p->onsets)
        continue;
      sum += vita_report_curve_onset_f (get (c, p, a, b), p->n_frames, delta, c->hop_s,
                                        p->onsets, c->opt->onset_window);
      n++;
    }
  return n ? sum / n : NAN;
}

/* delta chosen on the training pieces, F on the test pieces; also the train F */
static void
curve_select (const Ctx *c, CurveFunc get, int a, int b, double *train_f, double *test_f)
{
  double best = -1, best_delta = 0;
  for (guint k = 0; k < N_DELTAS; k++)
    {
      double f = curve_f (c, get, a, b, peak_deltas[k], FALSE);
      if (f > best)
        best = f, best_delta = peak_deltas[k];
    }
  *train_f = best;
  *test_f = curve_f (c, get, a, b, best_delta, TRUE);
}

/* ------------------------------------------------------------------ tables */

typedef struct {
  char *title;
  char *csv_name;
  GPtrArray *cols;   /* char *, in first-use order */
  GPtrArray *rows;   /* char *, in first-use order */
  GHashTable *vals;  /* "row\037col" → double * */
  char *note;
  GString *missing;  /* "No annotations for task …" lines */
} Table;

static Table *
table_new (const char *title, const char *csv_name, const char *note)
{
  Table *t = g_new0 (Table, 1);
  t->title = g_strdup (title);
  t->csv_name = g_strdup (csv_name);
  t->note = g_strdup (note);
  t->cols = g_ptr_array_new_with_free_func (g_free);
  t->rows = g_ptr_array_new_with_free_func (g_free);
  t->vals = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  t->missing = g_string_new (NULL);
  return t;
}

static void
table_free (Table *t)
{
  g_free (t->title);
  g_free (t->csv_name);
  g_free (t->note);
  g_ptr_array_unref (t->cols);
  g_ptr_array_unref (t->rows);
  g_hash_table_unref (t->vals);
  g_string_free (t->missing, TRUE);
  g_free (t);
}

static void
add_unique (GPtrArray *a, const char *s)
{
  for (guint i = 0; i < a->len; i++)
    if (strcmp (g_ptr_array_index (a, i), s) == 0)
      return;
  g_ptr_array_add (a, g_strdup (s));
}

static void
table_set (Table *t, const char *row, const char *col, double v)
{
  add_unique (t->rows, row);
  add_unique (t->cols, col);
  g_hash_table_insert (t->vals, g_strdup_printf ("%s\037%s", row, col), g_memdup2 (&v, sizeof v));
}

/* A task without annotations: its columns go, one line says why. */
static void
table_drop_task (Table *t, const char *col_prefix, const char *line)
{
  for (guint k = t->cols->len; k-- > 0;)
    if (g_str_has_prefix (g_ptr_array_index (t->cols, k), col_prefix))
      g_ptr_array_remove_index (t->cols, k);
  if (!strstr (t->missing->str, line))
    g_string_append_printf (t->missing, "%s\n", line);
}

static double
table_get (const Table *t, const char *row, const char *col)
{
  g_autofree char *k = g_strdup_printf ("%s\037%s", row, col);
  const double *v = g_hash_table_lookup (t->vals, k);
  return v ? *v : NAN;
}

static void
table_render (const Table *t, GString *md, GHashTable *csv)
{
  g_string_append_printf (md, "\n### %s\n\n", t->title);
  if (t->note)
    g_string_append_printf (md, "%s\n\n", t->note);
  if (t->missing->len)
    g_string_append_printf (md, "%s\n", t->missing->str);
  if (t->cols->len == 0)
    return;  /* every task of this table lacks annotations: the lines say so */
  g_string_append (md, "| |");
  for (guint k = 0; k < t->cols->len; k++)
    g_string_append_printf (md, " %s |", (char *) g_ptr_array_index (t->cols, k));
  g_string_append (md, "\n| --- |");
  for (guint k = 0; k < t->cols->len; k++)
    g_string_append (md, " ---: |");
  g_string_append (md, "\n");
  GString *c = g_string_new ("row");
  for (guint k = 0; k < t->cols->len; k++)
    g_string_append_printf (c, ",%s", (char *) g_ptr_array_index (t->cols, k));
  g_string_append (c, "\n");
  for (guint r = 0; r < t->rows->len; r++)
    {
      g_string_append_printf (md, "| %s |", (char *) g_ptr_array_index (t->rows, r));
      g_string_append (c, g_ptr_array_index (t->rows, r));
      for (guint k = 0; k < t->cols->len; k++)
        {
          double v = table_get (t, g_ptr_array_index (t->rows, r), g_ptr_array_index (t->cols, k));
          if (isnan (v))
            g_string_append (md, " – |");
          else
            g_string_append_printf (md, " %.3f |", v);
          char buf[G_ASCII_DTOSTR_BUF_SIZE];
          g_string_append_printf (c, ",%s", isnan (v) ? "" : g_ascii_formatd (buf, sizeof buf, "%.5f", v));
        }
      g_string_append (md, "\n");
      g_string_append (c, "\n");
    }
  g_hash_table_insert (csv, g_strdup (t->csv_name), g_string_free (c, FALSE));
}

static char *
layer_name (int l)
{
  /* Token layers 0…L, 0 = the input embedding; attention layers 1…L (block b is
   * layer b + 1) use the same numbers, heads are 1…H. */
  return l == 0 ? g_strdup ("0 (input embedding)") : g_strdup_printf ("%d", l);
}

/* Fills the tables' columns for one model ("trained" or "random"). */
static gboolean
measure_model (Ctx *c, VitaVit *vit, const char *tag, Table *ta, Table *tb, Table *tc,
               Table *td, GCancellable *cancellable, GError **error)
{
  const VitaVitConfig *cfg = &vit->cfg;
  g_autoptr(VitaVitState) state = vita_vit_state_new (cfg, 8, FALSE);
  if (state == NULL)
    {
      g_set_error (error, VITA_MODEL_ERROR, VITA_MODEL_ERROR_IO,
                   "Not enough memory for the activations of 8 windows of this model");
      return FALSE;
    }
  for (guint i = 0; i < c->pieces->len; i++)
    {
      Piece *p = g_ptr_array_index (c->pieces, i);
      if (c->opt->verbose)
        fprintf (stderr, "\r[%s] analysing %u/%u %s\033[K", tag, i + 1, c->pieces->len, p->stem);
      if (!piece_analyse (p, vit, state, cancellable, error))
        return FALSE;
    }
  if (c->opt->verbose)
    fprintf (stderr, "\n");
  char col[128];

  /* (a) */
  for (int l = 0; l < c->NL; l++)
    {
      g_autofree char *row = layer_name (l);
      double seq[3], cls[3];
      if (c->opt->verbose)
        fprintf (stderr, "\r[%s] frame probes, layer %d/%d\033[K", tag, l, c->NL - 1);
      if (!frame_probes (c, FEAT_TOKENS, l, seq, error) ||
          !frame_probes (c, FEAT_CLS_BCAST, l, cls, error))
        return FALSE;
      static const char *const what[3] = { "chord", "beat F", "onset F" };
      for (int k = 0; k < 3; k++)
        {
          g_snprintf (col, sizeof col, "%s seq (%s)", what[k], tag);
          table_set (ta, row, col, seq[k]);
          g_snprintf (col, sizeof col, "%s cls (%s)", what[k], tag);
          table_set (ta, row, col, cls[k]);
        }
    }
  if (c->opt->verbose)
    fprintf (stderr, "\n");

  /* (b) */
  double best_train = -1, best_test = NAN;
  int best_l = 0, best_h = 0;
  g_autofree double *per_head = g_new (double, c->NH);
  for (int l = 0; l < c->L; l++)
    {
      g_autofree char *row = layer_name (l + 1);
      double sum = 0, lo = INFINITY, hi = -INFINITY, layer_best_train = -1, chosen = NAN;
      for (int h = 0; h < c->NH; h++)
        {
          double trf, tef;
          curve_select (c, curve_received, l, h, &trf, &tef);
          per_head[h] = tef;
          sum += tef;
          lo = MIN (lo, tef);
          hi = MAX (hi, tef);
          if (trf > layer_best_train)
            layer_best_train = trf, chosen = tef;
          if (trf > best_train)
            best_train = trf, best_test = tef, best_l = l, best_h = h;
        }
      g_snprintf (col, sizeof col, "mean over heads (%s)", tag);
      table_set (tb, row, col, sum / c->NH);
      g_snprintf (col, sizeof col, "worst head (%s)", tag);
      table_set (tb, row, col, lo);
      g_snprintf (col, sizeof col, "best head (%s)", tag);
      table_set (tb, row, col, hi);
      g_snprintf (col, sizeof col, "head chosen on train (%s)", tag);
      table_set (tb, row, col, chosen);
    }
  {
    g_autofree char *row = g_strdup_printf ("head chosen over all layers (%s: layer %d head %d)",
                                            tag, best_l + 1, best_h + 1);
    g_snprintf (col, sizeof col, "head chosen on train (%s)", tag);
    table_set (tb, row, col, best_test);
  }

  /* (c) */
  for (int l = 0; l < c->NL; l++)
    {
      g_autofree char *row = layer_name (l);
      double r[N_REF] = { 0 };
      int n[N_REF] = { 0 };
      for (guint i = 0; i < c->pieces->len; i++)
        {
          Piece *p = g_ptr_array_index (c->pieces, i);
          int S = p->an->ssm_size, pool = p->an->ssm_pool;
          const float *ssm = p->an->ssm + (gsize) l * S * S;
          for (int k = 0; k < N_REF; k++)
            {
              double v = vita_report_ssm_correlation (ssm, S, pool, p->ref[k], p->n_frames,
                                                      ref_dim[k]);
              if (!isnan (v))
                r[k] += v, n[k]++;
            }
        }
      for (int k = 0; k < N_REF; k++)
        {
          g_snprintf (col, sizeof col, "%s (%s)", ref_names[k], tag);
          table_set (tc, row, col, n[k] ? r[k] / n[k] : NAN);
        }
    }

  /* (d) */
  int n_tags = (int) c->tag_vocab->len;
  for (int l = 0; l < c->NL; l++)
    {
      g_autofree char *row = layer_name (l);
      for (int k = 0; k < N_POOLS; k++)
        {
          g_autoptr(GArray) X = g_array_new (FALSE, FALSE, sizeof (float));
          g_autoptr(GArray) yk = g_array_new (FALSE, FALSE, sizeof (int));
          g_autoptr(GArray) yt = g_array_new (FALSE, FALSE, sizeof (float));
          g_autoptr(GArray) Xt = g_array_new (FALSE, FALSE, sizeof (float));
          g_autoptr(GArray) ykt = g_array_new (FALSE, FALSE, sizeof (int));
          g_autoptr(GArray) ytt = g_array_new (FALSE, FALSE, sizeof (float));
          for (guint i = 0; i < c->pieces->len; i++)
            {
              Piece *p = g_ptr_array_index (c->pieces, i);
              for (int w = 0; w < p->n_windows; w++)
                {
                  const float *v = p->wpool + (((gsize) w * c->NL + l) * N_POOLS + k) * c->D;
                  g_array_append_vals (p->test ? Xt : X, v, c->D);
                  g_array_append_val (p->test ? ykt : yk, p->key);
                  for (int t = 0; t < n_tags; t++)
                    {
                      float y = p->tags ? p->tags[t] : 0.0f;
                      g_array_append_val (p->test ? ytt : yt, y);
                    }
                }
            }
          VitaProbeTrainOptions topt;
          vita_probe_train_options_init (&topt);
          topt.epochs = c->opt->epochs_clip;
          topt.batch = 64;
          g_autoptr(VitaProbe) pk = vita_probe_new (c->D, VITA_KEY_N_CLASSES, VITA_PROBE_SOFTMAX);
          const char *pool = vita_pool_name ((VitaPool) (VITA_POOL_CLS + k));
          g_autoptr(GError) local = NULL;
          gsize nt = ykt->len;
          if (c->have[VITA_ANN_KEY] > 0 &&
              vita_probe_train (pk, (float *) X->data, yk->len, (int *) yk->data, NULL, &topt,
                                NULL, &local) && nt > 0)
            {
              g_autofree float *prob = g_new (float, nt * VITA_KEY_N_CLASSES);
              g_autofree int *pred = g_new (int, nt);
              vita_probe_predict (pk, (float *) Xt->data, nt, prob);
              vita_probe_argmax (prob, nt, VITA_KEY_N_CLASSES, pred);
              double s = 0;
              int n = 0;
              for (gsize i = 0; i < nt; i++)
                if (g_array_index (ykt, int, i) >= 0)
                  s += vita_key_weighted_score (g_array_index (ykt, int, i), pred[i]), n++;
              g_snprintf (col, sizeof col, "key %s (%s)", pool, tag);
              table_set (td, row, col, n ? s / n : NAN);
              if (c->save_probes &&
                  !save_probe (c, pk, "key", l, (VitaPool) (VITA_POOL_CLS + k), key_labels (),
                               n ? s / n : NAN, "key_weighted_score", error))
                return FALSE;
            }
          g_clear_error (&local);
          if (n_tags > 0 && nt > 0)
            {
              g_autoptr(VitaProbe) pt = vita_probe_new (c->D, n_tags, VITA_PROBE_SIGMOID);
              if (vita_probe_train (pt, (float *) X->data, yk->len, NULL, (float *) yt->data,
                                    &topt, NULL, &local))
                {
                  g_autofree float *prob = g_new (float, nt * n_tags);
                  vita_probe_predict (pt, (float *) Xt->data, nt, prob);
                  g_snprintf (col, sizeof col, "tags mAP %s (%s)", pool, tag);
                  table_set (td, row, col,
                             vita_mean_average_precision (prob, (float *) ytt->data, nt, n_tags));
                  g_snprintf (col, sizeof col, "tags AUC %s (%s)", pool, tag);
                  table_set (td, row, col,
                             vita_macro_roc_auc (prob, (float *) ytt->data, nt, n_tags));
                }
            }
        }
    }
  /* tokens are large: drop this model's analyses before the next model */
  for (guint i = 0; i < c->pieces->len; i++)
    {
      Piece *p = g_ptr_array_index (c->pieces, i);
      g_clear_pointer (&p->an, vita_analysis_unref);
      g_clear_pointer (&p->wpool, g_free);
    }
  return TRUE;
}

static gint
cmp_str (gconstpointer a, gconstpointer b)
{
  return strcmp (*(char *const *) a, *(char *const *) b);
}

VitaReport *
vita_report_run (VitaVit *model, const char *data_dir, const VitaReportOptions *opt_in,
                 GCancellable *cancellable, GError **error)
{
  VitaReportOptions opt;
  if (opt_in)
    opt = *opt_in;
  else
    vita_report_options_init (&opt);
  const VitaVitConfig *cfg = &model->cfg;
  g_autoptr(GDir) dir = g_dir_open (data_dir, 0, error);
  if (!dir)
    return NULL;
  g_autoptr(GPtrArray) stems = g_ptr_array_new_with_free_func (g_free);
  const char *name;
  while ((name = g_dir_read_name (dir)))
    if (g_str_has_suffix (name, ".wav") && !g_str_has_suffix (name, ".part.wav"))
      g_ptr_array_add (stems, g_strndup (name, strlen (name) - 4));
  g_ptr_array_sort (stems, cmp_str);
  if (opt.max_pieces > 0 && stems->len > (guint) opt.max_pieces)
    g_ptr_array_set_size (stems, opt.max_pieces);
  if (stems->len < 2)
    {
      g_set_error (error, VITA_MODEL_ERROR, VITA_MODEL_ERROR_IO,
                   "%s: need at least 2 pieces (STEM.wav + STEM.lab ...), found %u; "
                   "run 'vitascope-cli make-dataset %s' first", data_dir, stems->len, data_dir);
      return NULL;
    }

  g_autoptr(VitaMel) mel = vita_mel_new (&cfg->fe, error);
  if (!mel)
    return NULL;
  g_autofree float *chroma_fb = vita_chroma_filterbank_new (cfg->fe.sample_rate, cfg->fe.n_fft,
                                                            N_CHROMA);
  Ctx c = { 0 };
  c.pieces = g_ptr_array_new_with_free_func ((GDestroyNotify) piece_free);
  c.tag_vocab = g_ptr_array_new_with_free_func (g_free);
  c.opt = &opt;
  c.hop_s = (double) cfg->fe.hop_length / cfg->fe.sample_rate;
  c.D = cfg->dim;
  c.L = cfg->depth;
  c.NL = cfg->depth + 1;
  c.NH = cfg->heads;
  c.M = cfg->fe.n_mels;
  g_autoptr(GPtrArray) warnings = g_ptr_array_new_with_free_func (g_free);
  VitaReport *report = NULL;
  int n_test = 0;
  for (guint i = 0; i < stems->len; i++)
    {
      if (opt.verbose)
        fprintf (stderr, "\rloading %u/%u\033[K", i + 1, stems->len);
      Piece *p = piece_load (data_dir, g_ptr_array_index (stems, i), &cfg->fe, mel, chroma_fb,
                             c.tag_vocab, warnings, cancellable, error);
      if (!p)
        goto out;
      p->test = (i % opt.test_every) == (guint) (opt.test_every - 1);
      n_test += p->test;
      g_ptr_array_add (c.pieces, p);
    }
  if (opt.verbose)
    fprintf (stderr, "\n");
  for (guint i = 0; i < c.pieces->len; i++)
    {
      Piece *p = g_ptr_array_index (c.pieces, i);
      for (int k = 0; k < VITA_ANN_N_KINDS; k++)
        c.have[k] += p->has[k];
      if (opt.verbose)
        fprintf (stderr, "%s\n", p->found);
    }
  if (n_test == 0 || n_test == (int) c.pieces->len)
    {
      g_set_error (error, VITA_MODEL_ERROR, VITA_MODEL_ERROR_IO,
                   "%s: %u pieces cannot be split into training and test pieces", data_dir,
                   c.pieces->len);
      goto out;
    }

  Table *ta = table_new ("(a) Sequence tokens vs class token for local tasks",
                         "table_a_local.csv",
                         "Frame-level linear probes trained on the training pieces, scored on the "
                         "held-out pieces: chord = duration-weighted majmin overlap (mir_eval); "
                         "beat F (±70 ms, mir_eval's 5 s trimming); onset F (±50 ms). "
                         "*seq* = each frame's sequence token, *cls* = its window's class token "
                         "broadcast to the window's frames; row *log-mel* = the model input alone.");
  Table *tb = table_new ("(b) Onsets in the attention each frame receives",
                         "table_b_attention_onsets.csv",
                         "Onset F (±50 ms) of the peak-picked received-attention curve of every "
                         "head, on the held-out pieces (peak threshold chosen per head on the "
                         "training pieces). The distribution over heads is shown, and the head "
                         "chosen on the training pieces is scored on the held-out ones.");
  Table *tc = table_new ("(c) Which layer is harmonic, timbral, rhythmic",
                         "table_c_ssm_correlation.csv",
                         "Pearson correlation of each layer's token SSM with the chroma, MFCC and "
                         "rhythm (local onset autocorrelation) SSMs, upper triangles, mean over "
                         "all pieces.");
  Table *td = table_new ("(d) Class token vs mean vs class+mean for global tasks",
                         "table_d_global.csv",
                         "Clip-level linear probes (one 4 s window = one clip): key weighted score "
                         "(mir_eval) and tag mAP / macro ROC-AUC on the held-out pieces' windows.");
  Table *tables[4] = { ta, tb, tc, td };
  {
    /* column order: each measure with trained and random side by side */
    static const char *const models[2] = { "trained", "random" };
    char col[128];
    int nm = opt.with_random ? 2 : 1;
    static const char *const wa[3] = { "chord", "beat F", "onset F" };
    for (int k = 0; k < 3; k++)
      for (int f = 0; f < 2; f++)
        for (int m = 0; m < nm; m++)
          {
            g_snprintf (col, sizeof col, "%s %s (%s)", wa[k], f ? "cls" : "seq", models[m]);
            add_unique (ta->cols, col);
          }
    static const char *const wb[4] = { "mean over heads", "worst head", "best head",
                                       "head chosen on train" };
    for (int k = 0; k < 4; k++)
      for (int m = 0; m < nm; m++)
        {
          g_snprintf (col, sizeof col, "%s (%s)", wb[k], models[m]);
          add_unique (tb->cols, col);
        }
    for (int k = 0; k < N_REF; k++)
      for (int m = 0; m < nm; m++)
        {
          g_snprintf (col, sizeof col, "%s (%s)", ref_names[k], models[m]);
          add_unique (tc->cols, col);
        }
    static const char *const wd[3] = { "key", "tags mAP", "tags AUC" };
    for (int k = 0; k < 3; k++)
      for (int q = 0; q < N_POOLS; q++)
        for (int m = 0; m < nm; m++)
          {
            g_snprintf (col, sizeof col, "%s %s (%s)", wd[k],
                        vita_pool_name ((VitaPool) (VITA_POOL_CLS + q)), models[m]);
            add_unique (td->cols, col);
          }
  }

  /* model-independent baselines */
  {
    double melr[3];
    if (opt.verbose)
      fprintf (stderr, "log-mel baseline probes\n");
    if (!frame_probes (&c, FEAT_MEL, 0, melr, error))
      goto tables_out;
    static const char *const what[3] = { "chord", "beat F", "onset F" };
    for (int k = 0; k < 3; k++)
      {
        char col[64];
        g_snprintf (col, sizeof col, "%s seq (trained)", what[k]);
        table_set (ta, "log-mel", col, melr[k]);
      }
    double trf, tef;
    curve_select (&c, curve_flux, 0, 0, &trf, &tef);
    table_set (tb, "spectral flux (no model)", "head chosen on train (trained)", tef);
  }

  c.sha256 = model->sha256;
  c.save_probes = opt.probe_dir != NULL;
  if (c.save_probes && g_mkdir_with_parents (opt.probe_dir, 0755) != 0)
    {
      g_set_error (error, VITA_MODEL_ERROR, VITA_MODEL_ERROR_IO, "cannot create %s: %s",
                   opt.probe_dir, g_strerror (errno));
      goto tables_out;
    }
  if (!measure_model (&c, model, "trained", ta, tb, tc, td, cancellable, error))
    goto tables_out;
  c.save_probes = FALSE;
  if (opt.with_random)
    {
      g_autoptr(VitaVit) twin = vita_vit_new_twin (model, opt.random_seed);
      if (!measure_model (&c, twin, "random", ta, tb, tc, td, cancellable, error))
        goto tables_out;
    }

  report = g_new0 (VitaReport, 1);
  report->markdown = g_string_new (NULL);
  report->csv = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_string_append_printf (report->markdown,
                          "## Vitascope report\n\nModel: %s (sha256 %.12s…), D %d, %d layers × %d heads; "
                          "random-init twin: same architecture, seed %" G_GUINT64_FORMAT ".\n"
                          "Data: %s, %u pieces (%d held out for testing, every %d-th).\n",
                          model->path ? model->path : "(in memory)", model->sha256, cfg->dim,
                          cfg->depth, cfg->heads, opt.random_seed, data_dir, c.pieces->len, n_test,
                          opt.test_every);
  {
    /* what was found, piece by piece; a task nobody annotated is one line, not an
     * empty column */
    static const char *const how[VITA_ANN_N_KINDS] = {
      "chord segments (STEM.lab, STEM.chords, STEM.chords.lab, STEM.chords.csv or a chord "
      "annotation in STEM.jams)",
      "beat times (STEM.beats, STEM.beats.txt, STEM.beats.csv or a beat annotation in STEM.jams)",
      "onset times (STEM.onsets, STEM.onsets.txt, STEM.onsets.csv or an onset annotation in "
      "STEM.jams)",
      "a key (STEM.key, STEM.key.txt, STEM.key.lab, STEM.key.csv or a key_mode annotation in "
      "STEM.jams)",
      "tags (STEM.tags.csv or a tag_* annotation in STEM.jams)",
    };
    for (int k = 0; k < VITA_ANN_N_KINDS; k++)
      {
        if (c.have[k] > 0)
          continue;
        g_autofree char *line = g_strdup_printf ("No annotations for task %s: none of the %u "
                                                 "pieces has %s.",
                                                 vita_ann_kind_name ((VitaAnnKind) k),
                                                 c.pieces->len, how[k]);
        switch (k)
          {
          case VITA_ANN_CHORDS: table_drop_task (ta, "chord ", line); break;
          case VITA_ANN_BEATS: table_drop_task (ta, "beat F", line); break;
          case VITA_ANN_ONSETS:
            table_drop_task (ta, "onset F", line);
            table_drop_task (tb, "", line);
            break;
          case VITA_ANN_KEY: table_drop_task (td, "key ", line); break;
          default: table_drop_task (td, "tags ", line); break;
          }
      }
    g_string_append (report->markdown, "\n### Annotations\n\n");
    for (guint i = 0; i < c.pieces->len; i++)
      g_string_append_printf (report->markdown, "- %s\n",
                              ((Piece *) g_ptr_array_index (c.pieces, i))->found);
  }
  for (int k = 0; k < 4; k++)
    table_render (tables[k], report->markdown, report->csv);
  if (warnings->len)
    {
      g_string_append_printf (report->markdown, "\n%u annotation warning(s); first: %s\n",
                              warnings->len, (char *) g_ptr_array_index (warnings, 0));
    }

tables_out:
  for (int k = 0; k < 4; k++)
    table_free (tables[k]);
out:
  g_ptr_array_unref (c.pieces);
  g_ptr_array_unref (c.tag_vocab);
  return report;
}
