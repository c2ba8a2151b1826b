/* vita-cli-compare.c — `vitascope-cli compare AUDIO --model A (--model B | --twin
 * [--seed N]) --out DIR [--annotations FILE…] [--probes-a FILE… --probes-b FILE…]`:
 * two models on one track.
 *
 * Writes into DIR (each file atomically):
 *   a/, b/         each side's arrays, named and shaped as `analyze` writes them
 *                  (mel.npy, onset.npy, tokens.npy, cls.npy, attention.npy, received.npy,
 *                  ssm.npy, windows.npy) and bit-identical to a separate `analyze` run
 *                  with the same --batch and --ssm-max
 *   diff/          A − B: received.npy (L, NH, n_frames), ssm.npy (layers, S, S),
 *                  attention.npy (windows, L, NH, N, N) — each when both sides have the
 *                  same shape (depth, heads, window length)
 *   table.csv, table.npy, table.pdf, table.png   the comparison table
 *                  (model/probe/vita-compare-table.h): per layer SSM correlations with
 *                  chroma, MFCC and rhythm; per head onset F of received attention
 *                  (with onsets) or its correlation with spectral flux; with probes
 *                  (--probes-a / --probes-b, each side's own, scored against the
 *                  annotations: chords .lab, beats, onsets) per layer the probe's score
 *                  "probe_TASK" (claim 3); A, B, A − B
 *   summary.json   both models (path, SHA-256, label, twin seed), shapes, the largest
 *                  |A − B| of each difference, the table, timings
 * The audio is decoded once; both analyses run at once on the worker threads.  The two
 * models must share the front-end (model/vita-compare.h); otherwise exit 1 with a
 * message naming both files and the field.  Exit status: 0, 1 failure, 2 usage.
 */
#include "vita-cli.h"

#include "dsp/vita-audio.h"
#include "dsp/vita-mel.h"
#include "model/vita-compare.h"
#include "model/vita-npy.h"
#include "model/probe/vita-compare-table.h"
#include "model/probe/vita-metrics.h"
#include "views/vita-compare-table-painter.h"
#include "vita-probe-set.h"

#include <cblas.h>
#include <errno.h>
#include <json-glib/json-glib.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <glib/gstdio.h>

#define PREFIX "vitascope-cli compare: "

typedef struct {
  VitaNpyWriter *writer[2];   /* a/attention.npy, b/attention.npy */
  gint64         t_start;
} RunData;

static void
on_progress (VitaCompare *cmp, int done_a, int n_a, int done_b, int n_b, gpointer data)
{
  RunData *rd = data;
  char detail[128];
  g_snprintf (detail, sizeof detail, "A %d/%d, B %d/%d windows, %.1f s", done_a, n_a, done_b,
              n_b, (g_get_monotonic_time () - rd->t_start) / 1e6);
  vita_cli_progress ("comparing", (double) (done_a + done_b) / (n_a + n_b), detail);
}

static gboolean
sink_side (VitaAnalysis *an, int side, const float *attention, RunData *rd, GError **error)
{
  gsize N = an->cfg.frames + 1;
  return vita_npy_writer_append (rd->writer[side], attention,
                                 (gsize) an->cfg.depth * an->cfg.heads * N * N, error);
}

static gboolean
on_attention_a (VitaAnalysis *an, int window, const float *attention, gpointer data, GError **error)
{
  return sink_side (an, 0, attention, data, error);
}

static gboolean
on_attention_b (VitaAnalysis *an, int window, const float *attention, gpointer data, GError **error)
{
  return sink_side (an, 1, attention, data, error);
}

static gboolean
save (const char *dir, const char *name, const float *data, int ndim, const gsize *shape,
      GError **error)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  return vita_npy_save (path, data, ndim, shape, error);
}

/* What `analyze` writes for one side (every layer), attention.npy aside. */
static gboolean
save_side (const char *dir, const VitaAnalysis *an, const float *onset, GError **error)
{
  const gsize F = an->n_frames, D = an->cfg.dim, S = an->ssm_size;
  gsize shape[3];
  shape[0] = F; shape[1] = an->cfg.fe.n_mels;
  if (!save (dir, "mel.npy", an->mel, 2, shape, error) ||
      !save (dir, "onset.npy", onset, 1, shape, error))
    return FALSE;
  shape[0] = an->n_layers; shape[1] = F; shape[2] = D;
  if (!save (dir, "tokens.npy", an->tokens, 3, shape, error))
    return FALSE;
  shape[1] = S; shape[2] = S;
  if (!save (dir, "ssm.npy", an->ssm, 3, shape, error))
    return FALSE;
  shape[0] = an->n_windows; shape[1] = an->n_layers; shape[2] = D;
  if (!save (dir, "cls.npy", an->cls, 3, shape, error))
    return FALSE;
  shape[0] = an->cfg.depth; shape[1] = an->cfg.heads; shape[2] = F;
  if (!save (dir, "received.npy", an->received, 3, shape, error))
    return FALSE;
  g_autofree float *win = g_new (float, (gsize) an->n_windows * 3);
  for (int w = 0; w < an->n_windows; w++)
    {
      win[w * 3 + 0] = an->window_start[w];
      win[w * 3 + 1] = an->window_owned[w];
      win[w * 3 + 2] = an->window_owned[w + 1];
    }
  shape[0] = an->n_windows; shape[1] = 3;
  return save (dir, "windows.npy", win, 2, shape, error);
}

/* Opens an .npy written by VitaNpyWriter and positions it at its data. */
static FILE *
npy_open_data (const char *path, GError **error)
{
  FILE *fp = g_fopen (path, "rb");
  guint8 head[12];
  gsize offset = 0;
  if (fp && fread (head, 1, 12, fp) == 12 && memcmp (head, "\x93NUMPY", 6) == 0)
    {
      if (head[6] == 1)
        offset = 10 + (head[8] | (head[9] << 8));
      else if (head[6] == 2)
        offset = 12 + ((gsize) head[8] | ((gsize) head[9] << 8) | ((gsize) head[10] << 16) |
                       ((gsize) head[11] << 24));
    }
  if (fp == NULL || offset == 0 || fseek (fp, (long) offset, SEEK_SET) != 0)
    {
      g_autofree char *disp = g_filename_display_name (path);
      g_set_error (error, VITA_MODEL_ERROR, VITA_MODEL_ERROR_IO, "%s: cannot read it back: %s",
                   disp, fp ? "not an .npy file" : g_strerror (errno));
      if (fp)
        fclose (fp);
      return NULL;
    }
  return fp;
}

/* diff/attention.npy from a/ and b/attention.npy, one window at a time; *max_abs. */
static gboolean
attention_diff (const char *out_dir, const VitaCompare *cmp, float *max_abs, GError **error)
{
  const VitaAnalysis *a = cmp->a;
  const gsize N = a->cfg.frames + 1, per = (gsize) a->cfg.depth * a->cfg.heads * N * N;
  g_autofree char *pa = g_build_filename (out_dir, "a", "attention.npy", NULL);
  g_autofree char *pb = g_build_filename (out_dir, "b", "attention.npy", NULL);
  g_autofree char *pd = g_build_filename (out_dir, "diff", "attention.npy", NULL);
  FILE *fa = npy_open_data (pa, error), *fb = fa ? npy_open_data (pb, error) : NULL;
  gboolean ok = fa && fb;
  gsize shape[5] = { a->n_windows, a->cfg.depth, a->cfg.heads, N, N };
  g_autoptr(VitaNpyWriter) w = ok ? vita_npy_writer_new (pd, 5, shape, error) : NULL;
  ok = ok && w;
  g_autofree float *xa = ok ? g_try_new (float, per) : NULL;
  g_autofree float *xb = ok ? g_try_new (float, per) : NULL;
  if (ok && (xa == NULL || xb == NULL))
    {
      g_set_error (error, VITA_MODEL_ERROR, VITA_MODEL_ERROR_IO, "Out of memory for one window's attention");
      ok = FALSE;
    }
  *max_abs = 0;
  for (int win = 0; ok && win < a->n_windows; win++)
    {
      if (fread (xa, sizeof (float), per, fa) != per || fread (xb, sizeof (float), per, fb) != per)
        {
          g_set_error (error, VITA_MODEL_ERROR, VITA_MODEL_ERROR_IO,
                       "%s or %s: shorter than its header says", pa, pb);
          ok = FALSE;
          break;
        }
      vita_compare_diff (xa, xa, xb, per);
      *max_abs = MAX (*max_abs, vita_compare_max_abs (xa, per));
      ok = vita_npy_writer_append (w, xa, per, error);
    }
  if (ok)
    ok = vita_npy_writer_commit (w, error);
  if (fa)
    fclose (fa);
  if (fb)
    fclose (fb);
  return ok;
}

static void
add_model (JsonBuilder *b, const VitaVit *vit, const char *label, gboolean twin, guint64 seed)
{
  const VitaVitConfig *c = &vit->cfg;
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "label"); json_builder_add_string_value (b, label);
  json_builder_set_member_name (b, "path");
  if (vit->path)
    {
      g_autofree char *abs = g_canonicalize_filename (vit->path, NULL);
      g_autofree char *utf8 = g_filename_display_name (abs);
      json_builder_add_string_value (b, utf8);
    }
  else
    json_builder_add_null_value (b);
  json_builder_set_member_name (b, "sha256");
  if (vit->sha256[0])
    json_builder_add_string_value (b, vit->sha256);
  else
    json_builder_add_null_value (b);
  if (twin)
    {
      json_builder_set_member_name (b, "twin_seed"); json_builder_add_int_value (b, (gint64) seed);
      json_builder_set_member_name (b, "twin_of");
      const char *of = g_hash_table_lookup (vit->metadata, "twin_of");
      if (of)
        json_builder_add_string_value (b, of);
      else
        json_builder_add_null_value (b);
    }
#define SET_I(k, v) json_builder_set_member_name (b, k); json_builder_add_int_value (b, v)
  SET_I ("frames", c->frames); SET_I ("dim", c->dim); SET_I ("depth", c->depth);
  SET_I ("heads", c->heads); SET_I ("sample_rate", c->fe.sample_rate);
  SET_I ("hop_length", c->fe.hop_length); SET_I ("n_mels", c->fe.n_mels);
#undef SET_I
  json_builder_end_object (b);
}

static void
add_number (JsonBuilder *b, double v)
{
  if (isnan (v))
    json_builder_add_null_value (b);
  else
    json_builder_add_double_value (b, v);
}

static gboolean
make_dir (const char *dir, GError **error)
{
  if (g_mkdir_with_parents (dir, 0755) == 0)
    return TRUE;
  int e = errno;
  g_autofree char *disp = g_filename_display_name (dir);
  g_set_error (error, VITA_MODEL_ERROR, VITA_MODEL_ERROR_IO, "cannot create the output folder %s: %s",
               disp, g_strerror (e));
  return FALSE;
}

int
vita_cli_compare (int argc, char **argv)
{
  g_auto(GStrv) models = NULL, annotations = NULL, probes_a = NULL, probes_b = NULL;
  g_autofree char *out_dir = NULL, *seed_s = NULL;
  gboolean twin = FALSE, no_attention = FALSE;
  int ssm_max = 1024, threads = 0, batch = 8;
  double position = -1;
  const GOptionEntry entries[] = {
    { "model", 'm', 0, G_OPTION_ARG_FILENAME_ARRAY, &models, "Model file (twice: A then B)", "MODEL" },
    { "twin", 0, 0, G_OPTION_ARG_NONE, &twin, "Compare A with its random-init twin (in memory)", NULL },
    { "seed", 's', 0, G_OPTION_ARG_STRING, &seed_s, "The twin's seed (default 0, as init-model)", "N" },
    { "out", 'o', 0, G_OPTION_ARG_FILENAME, &out_dir, "Output folder (created if missing)", "DIR" },
    { "annotations", 'a', 0, G_OPTION_ARG_FILENAME_ARRAY, &annotations,
      "Annotation file (onsets: STEM.onsets.txt; repeatable)", "FILE" },
    { "probes-a", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &probes_a,
      "A probe of model A (repeatable): its per-layer score goes into the table", "FILE" },
    { "probes-b", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &probes_b,
      "A probe of model B (repeatable)", "FILE" },
    { "ssm-max", 0, 0, G_OPTION_ARG_INT, &ssm_max, "SSM resolution bound (default 1024)", "N" },
    { "threads", 't', 0, G_OPTION_ARG_INT, &threads, "Analysis threads, both sides together (default: one per core)", "T" },
    { "batch", 0, 0, G_OPTION_ARG_INT, &batch, "Windows per forward pass (default 8)", "B" },
    { "position", 0, 0, G_OPTION_ARG_DOUBLE, &position, "Analyse the windows nearest this time first (seconds)", "SEC" },
    { "no-attention", 0, 0, G_OPTION_ARG_NONE, &no_attention, "Do not write attention.npy (nor its difference)", NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) ctx = g_option_context_new ("AUDIO");
  g_option_context_set_summary (ctx, "Analyse one audio file with two models (or a model and its "
                                "random-init twin): both sides' arrays, A − B, and the comparison table.");
  g_option_context_add_main_entries (ctx, entries, NULL);
  g_autoptr(GError) error = NULL;
  if (!g_option_context_parse (ctx, &argc, &argv, &error))
    {
      fprintf (stderr, PREFIX "%s\n", error->message);
      return 2;
    }
  guint n_models = models ? g_strv_length (models) : 0;
  vita_cli_take_trailing_annotations (&annotations, &argc, argv, 2);
  const char *usage_error = argc < 2 ? "no audio file given"
                          : argc > 2 ? "more than one audio file given"
                          : n_models == 0 ? "--model is required"
                          : n_models > 2 ? "at most two --model"
                          : n_models == 2 && twin ? "--twin compares with the first model's twin: give one --model"
                          : n_models == 1 && !twin ? "give a second --model or --twin"
                          : seed_s && !twin ? "--seed is the twin's: use it with --twin"
                          : out_dir == NULL ? "--out is required" : NULL;
  if (usage_error)
    {
      fprintf (stderr, PREFIX "%s\nUsage: vitascope-cli compare AUDIO --model A (--model B | --twin "
               "[--seed N]) --out DIR [--annotations FILE...] [--probes-a FILE --probes-b FILE...]\n",
               usage_error);
      return 2;
    }
  guint64 seed = 0;
  if (seed_s && !g_ascii_string_to_unsigned (seed_s, 10, 0, G_MAXUINT64, &seed, NULL))
    {
      fprintf (stderr, PREFIX "--seed '%s' is not a non-negative integer\n", seed_s);
      return 2;
    }
  if (ssm_max < 1 || ssm_max > 65536 || threads < 0 || threads > 1024 || batch < 1 || batch > 4096 ||
      !isfinite (position))
    {
      fprintf (stderr, PREFIX "an option is out of range (--ssm-max 1–65536, --threads 0–1024, "
               "--batch 1–4096)\n");
      return 2;
    }
  const char *audio_path = argv[1];
  gint64 t_total = g_get_monotonic_time ();

  /* the models */
  g_autoptr(VitaVit) va = vita_vit_load (models[0], &error);
  if (va == NULL)
    {
      fprintf (stderr, PREFIX "model A: %s\n", error->message);
      return 1;
    }
  g_autoptr(VitaVit) vb = twin ? vita_vit_new_twin (va, seed) : vita_vit_load (models[1], &error);
  if (vb == NULL)
    {
      fprintf (stderr, PREFIX "model B: %s\n", error->message);
      return 1;
    }
  g_autofree char *name_a = g_filename_display_name (models[0]);
  g_autofree char *name_b = twin ? vita_vit_describe (vb) : g_filename_display_name (models[1]);
  if (!vita_compare_check_frontends (va, name_a, vb, name_b, &error))
    {
      fprintf (stderr, PREFIX "%s\n", error->message);
      return 1;
    }

  /* annotations: the onsets feed the table; with probes, all of them score the probes */
  g_autoptr(VitaEventList) onsets = NULL;
  g_autoptr(GStrvBuilder) onset_files = g_strv_builder_new ();
  gboolean with_probes = probes_a != NULL || probes_b != NULL;
  for (int i = 0; annotations && annotations[i]; i++)
    if (!with_probes || g_strcmp0 (vita_annotation_kind_for_path (annotations[i]), "onsets") == 0)
      g_strv_builder_add (onset_files, annotations[i]);
  g_auto(GStrv) onset_list = g_strv_builder_end (onset_files);
  int load_status = vita_cli_load_onsets (PREFIX, onset_list, &onsets);
  if (load_status != 0)
    return load_status;
  /* the probes of each side, loaded before the analyses (a bad file fails early) */
  g_autoptr(VitaAnnotations) truth = NULL;
  g_autoptr(VitaProbeSet) probe_set_a = NULL;
  g_autoptr(VitaProbeSet) probe_set_b = NULL;
  VitaProbeSet **probe_sets[2] = { &probe_set_a, &probe_set_b };
  if (with_probes)
    {
      truth = vita_annotations_load ((const char *const *) annotations);
      for (guint i = 0; truth->messages && i < truth->messages->len; i++)
        fprintf (stderr, PREFIX "warning: %s\n", (char *) truth->messages->pdata[i]);
      for (int s = 0; s < 2; s++)
        {
          char **list = s ? probes_b : probes_a;
          *probe_sets[s] = vita_probe_set_new ();
          for (int i = 0; list && list[i]; i++)
            {
              VitaProbe *probe = vita_probe_load (list[i], &error);
              if (probe == NULL)
                {
                  g_autofree char *disp = g_filename_display_name (list[i]);
                  fprintf (stderr, PREFIX "%s (probe of model %c): %s\n", disp, s ? 'B' : 'A',
                           error->message);
                  return 1;
                }
              vita_probe_set_add_probe (*probe_sets[s], probe, list[i]);
            }
        }
    }

  g_autofree char *dir_a = g_build_filename (out_dir, "a", NULL);
  g_autofree char *dir_b = g_build_filename (out_dir, "b", NULL);
  g_autofree char *dir_d = g_build_filename (out_dir, "diff", NULL);
  if (!make_dir (dir_a, &error) || !make_dir (dir_b, &error) || !make_dir (dir_d, &error))
    {
      fprintf (stderr, PREFIX "%s\n", error->message);
      return 1;
    }

  /* decode once; the front-end (spectral part shared, normalisation per side) */
  gint64 t0 = g_get_monotonic_time ();
  const VitaFrontend *fe = &va->cfg.fe;
  g_autoptr(VitaPcm) pcm = vita_audio_load (audio_path, fe->sample_rate, NULL, &error);
  if (pcm == NULL)
    {
      fprintf (stderr, PREFIX "%s\n", error->message);
      return 1;
    }
  if (pcm->n_samples == 0)
    {
      g_autofree char *disp = g_filename_display_name (audio_path);
      fprintf (stderr, PREFIX "%s: no audio to analyse\n", disp);
      return 1;
    }
  double t_decode = (g_get_monotonic_time () - t0) / 1e6;
  /* the one front-end call (dsp/vita-mel.h): A's model input and the spectral flux;
   * B's input when its normalisation differs */
  gsize n_frames = 0;
  g_autofree float *onset = NULL;
  g_autofree float *mel_a = NULL;
  g_autofree float *mel_b = NULL;
  {
    g_autoptr(VitaMel) mp = vita_mel_new (fe, &error);
    if (mp == NULL)
      {
        fprintf (stderr, PREFIX "%s: front-end: %s\n", name_a, error->message);
        return 1;
      }
    mel_a = vita_mel_features (mp, pcm->samples, pcm->n_samples, &onset, &n_frames, &error);
    if (mel_a == NULL)
      {
        g_autofree char *disp = g_filename_display_name (audio_path);
        fprintf (stderr, PREFIX "%s: %s\n", disp, error->message);
        return 1;
      }
  }
  if (vb->cfg.fe.input_mean != fe->input_mean || vb->cfg.fe.input_std != fe->input_std)
    {
      g_autoptr(VitaMel) mp = vita_mel_new (&vb->cfg.fe, &error);
      gsize n_b = 0;
      if (mp == NULL)
        {
          fprintf (stderr, PREFIX "%s: front-end: %s\n", name_b, error->message);
          return 1;
        }
      mel_b = vita_mel_features (mp, pcm->samples, pcm->n_samples, NULL, &n_b, &error);
      if (mel_b == NULL)
        {
          g_autofree char *disp = g_filename_display_name (audio_path);
          fprintf (stderr, PREFIX "%s: %s\n", disp, error->message);
          return 1;
        }
    }
  double t_frontend = (g_get_monotonic_time () - t0) / 1e6 - t_decode;

  /* both analyses */
  VitaAnalysisOptions opt;
  vita_analysis_options_init (&opt);
  opt.ssm_max = ssm_max;
  opt.batch = batch;
  opt.workers = threads;
  opt.priority_frame = position >= 0 ? (int) MIN (lround (position * fe->sample_rate / fe->hop_length),
                                                  (long) n_frames - 1) : -1;
  g_autoptr(VitaCompare) cmp = vita_compare_new_for_mel (va, mel_a, vb, mel_b ? mel_b : mel_a,
                                                         (int) n_frames, &opt, &error);
  if (cmp == NULL)
    {
      fprintf (stderr, PREFIX "%s\n", error->message);
      return 1;
    }
  g_clear_pointer (&mel_a, g_free);
  g_clear_pointer (&mel_b, g_free);
  RunData rd = { { NULL, NULL }, g_get_monotonic_time () };
  gboolean ok = TRUE;
  if (!no_attention)
    for (int s = 0; s < 2 && ok; s++)
      {
        const VitaAnalysis *an = s ? cmp->b : cmp->a;
        const gsize N = an->cfg.frames + 1;
        gsize shape[5] = { an->n_windows, an->cfg.depth, an->cfg.heads, N, N };
        g_autofree char *p = g_build_filename (s ? dir_b : dir_a, "attention.npy", NULL);
        rd.writer[s] = vita_npy_writer_new (p, 5, shape, &error);
        ok = rd.writer[s] != NULL;
      }
  t0 = g_get_monotonic_time ();
  ok = ok && vita_compare_run (cmp, on_progress, &rd, no_attention ? NULL : on_attention_a, &rd,
                               no_attention ? NULL : on_attention_b, &rd, NULL, &error);
  vita_cli_progress_end ();
  double t_analysis = (g_get_monotonic_time () - t0) / 1e6;
  for (int s = 0; s < 2; s++)
    {
      if (ok && rd.writer[s])
        ok = vita_npy_writer_commit (rd.writer[s], &error);
      g_clear_pointer (&rd.writer[s], vita_npy_writer_free);
    }
  if (!ok)
    {
      fprintf (stderr, PREFIX "%s\n", error->message);
      return 1;
    }

  /* the arrays, the differences, the table */
  t0 = g_get_monotonic_time ();
  float max_received = NAN, max_ssm = NAN, max_attention = NAN;
  g_autoptr(VitaCompareTable) table = NULL;
  if (!save_side (dir_a, cmp->a, onset, &error) || !save_side (dir_b, cmp->b, onset, &error))
    goto fail;
  if (cmp->received_diff)
    {
      gsize shape[3] = { cmp->a->cfg.depth, cmp->a->cfg.heads, n_frames };
      max_received = vita_compare_max_abs (cmp->received_diff, shape[0] * shape[1] * shape[2]);
      if (!save (dir_d, "received.npy", cmp->received_diff, 3, shape, &error))
        goto fail;
    }
  if (cmp->ssm_diff)
    {
      gsize S = cmp->a->ssm_size, shape[3] = { cmp->a->n_layers, S, S };
      max_ssm = vita_compare_max_abs (cmp->ssm_diff, shape[0] * S * S);
      if (!save (dir_d, "ssm.npy", cmp->ssm_diff, 3, shape, &error))
        goto fail;
    }
  if (!no_attention && cmp->same_blocks && !attention_diff (out_dir, cmp, &max_attention, &error))
    goto fail;

  table = vita_compare_table_compute (cmp, pcm->samples, pcm->n_samples, onsets,
                                VITA_ONSET_WINDOW_MIREVAL, &error);
  if (table == NULL)
    goto fail;
  if (with_probes)
    {
      /* each side's probes on its own analysis, against the same annotations */
      for (int s = 0; s < 2; s++)
        {
          g_autoptr(GPtrArray) messages = g_ptr_array_new_with_free_func (g_free);
          vita_probe_set_update_lanes_with_truth (*probe_sets[s], s ? cmp->b : cmp->a, truth,
                                                  messages);
          if (messages->len > 0)
            {
              g_set_error (&error, VITA_MODEL_ERROR, VITA_MODEL_ERROR_MISMATCH,
                           "model %c (%s): %s", s ? 'B' : 'A', s ? name_b : name_a,
                           (char *) messages->pdata[0]);
              goto fail;
            }
        }
      vita_probe_set_add_table_rows (probe_set_a, probe_set_b, table);
    }
  {
    g_autofree char *csv = g_build_filename (out_dir, "table.csv", NULL);
    g_autofree char *npy = g_build_filename (out_dir, "table.npy", NULL);
    g_autofree char *pdf = g_build_filename (out_dir, "table.pdf", NULL);
    g_autofree char *png = g_build_filename (out_dir, "table.png", NULL);
    if (!vita_compare_table_save_csv (table, csv, &error) ||
        !vita_compare_table_save_npy (table, npy, &error) ||
        !vita_compare_table_export (table, pdf, NULL, &error) ||
        !vita_compare_table_export (table, png, NULL, &error))
      goto fail;
  }
  double t_write = (g_get_monotonic_time () - t0) / 1e6;

  /* summary.json */
  {
    g_autoptr(JsonBuilder) b = json_builder_new ();
    g_autofree char *audio_abs = g_canonicalize_filename (audio_path, NULL);
    g_autofree char *audio_utf8 = g_filename_display_name (audio_abs);
    json_builder_begin_object (b);
    json_builder_set_member_name (b, "format"); json_builder_add_string_value (b, "vitascope-comparison");
    json_builder_set_member_name (b, "version"); json_builder_add_string_value (b, VITA_VERSION);
    json_builder_set_member_name (b, "file"); json_builder_add_string_value (b, audio_utf8);
    json_builder_set_member_name (b, "n_frames"); json_builder_add_int_value (b, n_frames);
    json_builder_set_member_name (b, "frame_rate");
    json_builder_add_double_value (b, (double) fe->sample_rate / fe->hop_length);
    json_builder_set_member_name (b, "model_a"); add_model (b, va, cmp->label_a, FALSE, 0);
    json_builder_set_member_name (b, "model_b"); add_model (b, vb, cmp->label_b, twin, seed);
    json_builder_set_member_name (b, "onsets");
    if (onsets)
      {
        g_autofree char *disp = g_filename_display_name (onsets->path ? onsets->path : "");
        json_builder_add_string_value (b, disp);
      }
    else
      json_builder_add_null_value (b);
    for (int s = 0; s < 2; s++)
      {
        char **list = s ? probes_b : probes_a;
        json_builder_set_member_name (b, s ? "probes_b" : "probes_a");
        json_builder_begin_array (b);
        for (int i = 0; list && list[i]; i++)
          {
            g_autofree char *disp = g_filename_display_name (list[i]);
            json_builder_add_string_value (b, disp);
          }
        json_builder_end_array (b);
      }
    json_builder_set_member_name (b, "differences");
    json_builder_begin_object (b);
    json_builder_set_member_name (b, "definition"); json_builder_add_string_value (b, "A - B");
    json_builder_set_member_name (b, "received_max_abs"); add_number (b, max_received);
    json_builder_set_member_name (b, "ssm_max_abs"); add_number (b, max_ssm);
    json_builder_set_member_name (b, "attention_max_abs"); add_number (b, max_attention);
    json_builder_end_object (b);
    json_builder_set_member_name (b, "table");
    json_builder_begin_object (b);
    json_builder_set_member_name (b, "note"); json_builder_add_string_value (b, table->note);
    json_builder_set_member_name (b, "rows");
    json_builder_begin_array (b);
    for (guint i = 0; i < table->rows->len; i++)
      {
        const VitaCompareRow *r = &g_array_index (table->rows, VitaCompareRow, i);
        json_builder_begin_object (b);
        json_builder_set_member_name (b, "measure"); json_builder_add_string_value (b, r->measure);
        json_builder_set_member_name (b, "layer"); json_builder_add_int_value (b, r->layer);
        json_builder_set_member_name (b, "head");
        if (r->head >= 0)
          json_builder_add_int_value (b, r->head);
        else
          json_builder_add_null_value (b);
        json_builder_set_member_name (b, "a"); add_number (b, r->a);
        json_builder_set_member_name (b, "b"); add_number (b, r->b);
        json_builder_set_member_name (b, "a_minus_b"); add_number (b, vita_compare_row_diff (r));
        json_builder_end_object (b);
      }
    json_builder_end_array (b);
    json_builder_end_object (b);
    json_builder_set_member_name (b, "timings");
    json_builder_begin_object (b);
#define SET_T(k, v) json_builder_set_member_name (b, k); json_builder_add_double_value (b, v)
    SET_T ("decode", t_decode); SET_T ("frontend", t_frontend); SET_T ("analysis", t_analysis);
    SET_T ("forward_a", cmp->a->seconds_forward); SET_T ("forward_b", cmp->b->seconds_forward);
    SET_T ("write", t_write); SET_T ("total", (g_get_monotonic_time () - t_total) / 1e6);
#undef SET_T
    json_builder_end_object (b);
    json_builder_end_object (b);
    if (!vita_cli_write_summary (b, out_dir, &error))
      goto fail;
  }
  {
    g_autofree char *disp = g_filename_display_name (out_dir);
    printf ("%s: %s vs %s, %" G_GSIZE_FORMAT " frames, %.2f s (analysis %.2f s) → %s\n",
            audio_path, cmp->label_a, cmp->label_b, n_frames,
            (g_get_monotonic_time () - t_total) / 1e6, t_analysis, disp);
  }
  return 0;

fail:
  fprintf (stderr, PREFIX "%s\n", error ? error->message : "failed");
  return 1;
}
