/* vita-cli-counterfactual.c — `vitascope-cli counterfactual AUDIO --model M
 *   --edit "transpose:+2" [--edit "mute:0-300Hz@10-20" ...] --out DIR`.
 *
 * Edits the audio (dsp/vita-edit.h; the file is never written), then analyses the
 * original and the edited audio exactly as `analyze` does:
 *   DIR/edited.wav      the edited audio (32-bit float at the model's rate: what was
 *                       analysed, bit for bit; listen to it)
 *   DIR/original/       `analyze AUDIO` (same file names: mel.npy, tokens.npy, ...)
 *   DIR/edited/         `analyze DIR/edited.wav`
 *   DIR/difference/     edited − original over the frames both have, frame by frame:
 *                       mel.npy, onset.npy, received.npy (differences), token_cosine.npy
 *                       (n_layers, frames: cosine of each frame's tokens, edited vs
 *                       original), cls_cosine.npy (windows, n_layers)
 *   DIR/summary.json    the edits, both durations and frame counts, and per array the
 *                       mean and largest |difference| and mean cosine per layer
 * With --probe P (frame-level probes, repeatable): DIR/difference/probe-TASK-layerNN-
 * {original,edited}.npy (frames, classes) probabilities on both sides, and in
 * summary.json how many frames keep their class, and for chord probes how many move by
 * exactly the edits' transposition (C:maj + 2 semitones = D:maj; N stays N).
 * Every edit is parsed and checked against the track before anything is analysed.
 *
 * The difference step is one function (write_differences) so that it can become the
 * comparison object's (model/vita-compare.h) once that exists. */
#include "vita-cli.h"

#include "dsp/vita-audio.h"
#include "dsp/vita-edit.h"
#include "model/probe/vita-annotations.h"
#include "model/probe/vita-probe.h"
#include "model/vita-npy.h"
#include "model/vita-vit.h"

#include <errno.h>
#include <json-glib/json-glib.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <glib/gstdio.h>

typedef struct {
  float *data;
  int    ndim;
  gsize  shape[VITA_NPY_MAX_DIMS];
} Npy;

static void
npy_clear (Npy *a)
{
  g_clear_pointer (&a->data, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Npy, npy_clear)

static gboolean
npy_read (const char *dir, const char *name, Npy *a, GError **error)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  a->data = vita_npy_load (path, &a->ndim, a->shape, error);
  return a->data != NULL;
}

static void
add_stats (JsonBuilder *b, const char *name, const float *d, gsize n)
{
  double sum = 0, mx = 0, ss = 0;
  for (gsize i = 0; i < n; i++)
    {
      double v = fabs (d[i]);
      sum += v;
      ss += v * v;
      mx = MAX (mx, v);
    }
  json_builder_set_member_name (b, name);
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "mean_abs");
  json_builder_add_double_value (b, n ? sum / n : 0);
  json_builder_set_member_name (b, "max_abs");
  json_builder_add_double_value (b, mx);
  json_builder_set_member_name (b, "rms");
  json_builder_add_double_value (b, n ? sqrt (ss / n) : 0);
  json_builder_end_object (b);
}

static double
cosine (const float *a, const float *b, gsize n)
{
  double ab = 0, aa = 0, bb = 0;
  for (gsize i = 0; i < n; i++)
    {
      ab += (double) a[i] * b[i];
      aa += (double) a[i] * a[i];
      bb += (double) b[i] * b[i];
    }
  return ab / MAX (sqrt (aa) * sqrt (bb), 1e-12);
}

/* edited − original over the frames both have; frame axis `axis` of arrays shaped
 * (..., frames, inner).  Writes diff_dir/name and adds its statistics to b. */
static gboolean
diff_frames (const char *orig_dir, const char *edit_dir, const char *diff_dir, const char *name,
             int axis, JsonBuilder *b, GError **error)
{
  g_auto(Npy) a = { 0 };
  g_auto(Npy) e = { 0 };
  if (!npy_read (orig_dir, name, &a, error) || !npy_read (edit_dir, name, &e, error))
    return FALSE;
  if (a.ndim != e.ndim || axis >= a.ndim)
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL, "%s: the two analyses disagree in shape", name);
      return FALSE;
    }
  gsize outer = 1, inner = 1;
  for (int k = 0; k < axis; k++)
    outer *= a.shape[k];
  for (int k = axis + 1; k < a.ndim; k++)
    inner *= a.shape[k];
  const gsize fa = a.shape[axis], fe = e.shape[axis], fc = MIN (fa, fe);
  gsize shape[VITA_NPY_MAX_DIMS];
  memcpy (shape, a.shape, sizeof shape);
  shape[axis] = fc;
  g_autofree float *d = g_new (float, MAX (outer * fc * inner, 1));
  for (gsize o = 0; o < outer; o++)
    for (gsize f = 0; f < fc; f++)
      for (gsize i = 0; i < inner; i++)
        d[(o * fc + f) * inner + i] = e.data[(o * fe + f) * inner + i] - a.data[(o * fa + f) * inner + i];
  g_autofree char *path = g_build_filename (diff_dir, name, NULL);
  if (!vita_npy_save (path, d, a.ndim, shape, error))
    return FALSE;
  add_stats (b, name, d, outer * fc * inner);
  return TRUE;
}

/* Cosine of matching rows: arrays (outer, rows, D) → (outer, min rows), written
 * transposed as out_name (outer_first ? (outer, rows) : (rows, outer)). */
static gboolean
cosine_rows (const char *orig_dir, const char *edit_dir, const char *diff_dir, const char *name,
             const char *out_name, gboolean rows_first, JsonBuilder *b, GError **error)
{
  g_auto(Npy) a = { 0 };
  g_auto(Npy) e = { 0 };
  g_autofree char *pa = g_build_filename (orig_dir, name, NULL);
  if (!g_file_test (pa, G_FILE_TEST_EXISTS))
    return TRUE;   /* e.g. tokens.npy written only for some layers: still fine */
  if (!npy_read (orig_dir, name, &a, error) || !npy_read (edit_dir, name, &e, error))
    return FALSE;
  if (a.ndim != 3 || e.ndim != 3 || a.shape[2] != e.shape[2])
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL, "%s: the two analyses disagree in shape", name);
      return FALSE;
    }
  /* tokens: (layers, frames, D) → (layers, frames); cls: (windows, layers, D) → (windows, layers) */
  const gsize D = a.shape[2];
  const gsize d0 = MIN (a.shape[0], e.shape[0]), d1 = MIN (a.shape[1], e.shape[1]);
  g_autofree float *c = g_new (float, MAX (d0 * d1, 1));
  for (gsize i = 0; i < d0; i++)
    for (gsize j = 0; j < d1; j++)
      c[i * d1 + j] = (float) cosine (a.data + (i * a.shape[1] + j) * D, e.data + (i * e.shape[1] + j) * D, D);
  gsize shape[2] = { d0, d1 };
  g_autofree char *path = g_build_filename (diff_dir, out_name, NULL);
  if (!vita_npy_save (path, c, 2, shape, error))
    return FALSE;
  /* mean cosine per layer */
  json_builder_set_member_name (b, out_name);
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "mean_per_layer");
  json_builder_begin_array (b);
  gsize n_layers = rows_first ? d0 : d1, n_items = rows_first ? d1 : d0;
  for (gsize l = 0; l < n_layers; l++)
    {
      double s = 0;
      for (gsize k = 0; k < n_items; k++)
        s += rows_first ? c[l * d1 + k] : c[k * d1 + l];
      json_builder_add_double_value (b, n_items ? s / n_items : 0);
    }
  json_builder_end_array (b);
  json_builder_end_object (b);
  return TRUE;
}

/* The minimal A/B difference step (see the file comment). */
static gboolean
write_differences (const char *orig_dir, const char *edit_dir, const char *diff_dir,
                   JsonBuilder *b, GError **error)
{
  if (g_mkdir_with_parents (diff_dir, 0755) != 0)
    {
      int e = errno;
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (e), "cannot create %s: %s",
                   diff_dir, g_strerror (e));
      return FALSE;
    }
  json_builder_set_member_name (b, "differences");
  json_builder_begin_object (b);
  gboolean ok = diff_frames (orig_dir, edit_dir, diff_dir, "mel.npy", 0, b, error)
    && diff_frames (orig_dir, edit_dir, diff_dir, "onset.npy", 0, b, error)
    && diff_frames (orig_dir, edit_dir, diff_dir, "received.npy", 2, b, error)
    && cosine_rows (orig_dir, edit_dir, diff_dir, "tokens.npy", "token_cosine.npy", TRUE, b, error)
    && cosine_rows (orig_dir, edit_dir, diff_dir, "cls.npy", "cls_cosine.npy", FALSE, b, error);
  json_builder_end_object (b);
  return ok;
}

/* The token layers tokens.npy holds (summary.json "layers"). */
static GArray *
analysis_layers (const char *dir, GError **error)
{
  g_autofree char *path = g_build_filename (dir, "summary.json", NULL);
  g_autoptr(JsonParser) parser = json_parser_new ();
  if (!json_parser_load_from_file (parser, path, error))
    return NULL;
  JsonObject *root = json_node_get_object (json_parser_get_root (parser));
  JsonArray *arr = json_object_get_array_member (root, "layers");
  GArray *layers = g_array_new (FALSE, FALSE, sizeof (int));
  for (guint i = 0; arr && i < json_array_get_length (arr); i++)
    {
      int l = (int) json_array_get_int_element (arr, i);
      g_array_append_val (layers, l);
    }
  return layers;
}

static int
chord_transpose (int chord, int semitones)
{
  if (chord < 0 || chord >= VITA_CHORD_N)
    return chord;
  int root = chord % 12, minor = chord / 12;
  return ((root + semitones) % 12 + 12) % 12 + 12 * minor;
}

/* Probe predictions on both sides; statistics into b (member "probes"). */
static gboolean
write_probe_differences (const char *orig_dir, const char *edit_dir, const char *diff_dir,
                         GPtrArray *probes, GPtrArray *probe_paths, double semitones,
                         gboolean transposed_only, JsonBuilder *b, GError **error)
{
  g_autoptr(GArray) layers = analysis_layers (orig_dir, error);
  if (layers == NULL)
    return FALSE;
  g_auto(Npy) ta = { 0 };
  g_auto(Npy) te = { 0 };
  if (!npy_read (orig_dir, "tokens.npy", &ta, error) || !npy_read (edit_dir, "tokens.npy", &te, error))
    return FALSE;
  json_builder_set_member_name (b, "probes");
  json_builder_begin_array (b);
  for (guint p = 0; p < probes->len; p++)
    {
      const VitaProbe *pr = g_ptr_array_index (probes, p);
      const char *ppath = g_ptr_array_index (probe_paths, p);
      int idx = -1;
      for (guint i = 0; i < layers->len; i++)
        if (g_array_index (layers, int, i) == pr->layer)
          idx = (int) i;
      if (idx < 0)
        {
          json_builder_end_array (b);
          g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                       "--probe %s reads token layer %d, which --layers left out", ppath, pr->layer);
          return FALSE;
        }
      const gsize D = ta.shape[2], C = pr->n_classes;
      const gsize fa = ta.shape[1], fe = te.shape[1];
      g_autofree float *pa = g_new (float, fa * C);
      g_autofree float *pe = g_new (float, fe * C);
      vita_probe_predict (pr, ta.data + (gsize) idx * fa * D, fa, pa);
      vita_probe_predict (pr, te.data + (gsize) idx * fe * D, fe, pe);
      g_autofree char *task = g_strdup (pr->task ? pr->task : "probe");
      g_autofree char *na = g_strdup_printf ("probe-%s-layer%02d-original.npy", task, pr->layer);
      g_autofree char *ne = g_strdup_printf ("probe-%s-layer%02d-edited.npy", task, pr->layer);
      g_autofree char *pa_path = g_build_filename (diff_dir, na, NULL);
      g_autofree char *pe_path = g_build_filename (diff_dir, ne, NULL);
      gsize sa[2] = { fa, C }, se[2] = { fe, C };
      if (!vita_npy_save (pa_path, pa, 2, sa, error) || !vita_npy_save (pe_path, pe, 2, se, error))
        {
          json_builder_end_array (b);
          return FALSE;
        }
      g_autofree int *aa = g_new (int, fa);
      g_autofree int *ae = g_new (int, fe);
      vita_probe_argmax (pa, fa, C, aa);
      vita_probe_argmax (pe, fe, C, ae);
      const gsize fc = MIN (fa, fe);
      gsize same = 0, moved = 0, chord_frames = 0;
      gboolean chord = g_strcmp0 (pr->task, "chord") == 0 && C == VITA_CHORD_N_CLASSES;
      int st = (int) lround (semitones);
      const gboolean sigmoid = pr->activation == VITA_PROBE_SIGMOID;
      for (gsize f = 0; f < fc; f++)
        {
          if (sigmoid)   /* independent classes: every class's decision (p > 0.5) agrees */
            {
              gboolean agree = TRUE;
              for (gsize k = 0; k < C; k++)
                agree &= (pa[f * C + k] > 0.5f) == (pe[f * C + k] > 0.5f);
              same += agree;
              continue;
            }
          same += aa[f] == ae[f];
          if (chord && aa[f] != VITA_CHORD_N)
            {
              chord_frames++;
              moved += ae[f] == chord_transpose (aa[f], st);
            }
        }
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "probe");
      json_builder_add_string_value (b, ppath);
      json_builder_set_member_name (b, "task");
      json_builder_add_string_value (b, task);
      json_builder_set_member_name (b, "layer");
      json_builder_add_int_value (b, pr->layer);
      json_builder_set_member_name (b, "frames");
      json_builder_add_int_value (b, fc);
      json_builder_set_member_name (b, "same_class");
      json_builder_add_double_value (b, fc ? (double) same / fc : 0);
      if (chord && transposed_only && st == semitones)
        {
          json_builder_set_member_name (b, "transposition");
          json_builder_add_int_value (b, st);
          json_builder_set_member_name (b, "moved_with_transposition");
          json_builder_add_double_value (b, chord_frames ? (double) moved / chord_frames : 0);
          json_builder_set_member_name (b, "chord_frames");
          json_builder_add_int_value (b, chord_frames);
        }
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  return TRUE;
}

static int
run_analyze (const char *audio, const char *model, const char *out, const char *layers,
             int threads, gboolean no_attention)
{
  GPtrArray *args = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (args, g_strdup ("analyze"));
  g_ptr_array_add (args, g_strdup (audio));
  g_ptr_array_add (args, g_strdup ("--model"));
  g_ptr_array_add (args, g_strdup (model));
  g_ptr_array_add (args, g_strdup ("--out"));
  g_ptr_array_add (args, g_strdup (out));
  if (layers)
    {
      g_ptr_array_add (args, g_strdup ("--layers"));
      g_ptr_array_add (args, g_strdup (layers));
    }
  if (threads > 0)
    g_ptr_array_add (args, g_strdup_printf ("--threads=%d", threads));
  if (no_attention)
    g_ptr_array_add (args, g_strdup ("--no-attention"));
  g_ptr_array_add (args, NULL);
  /* GOption rearranges argv: hand it a copy of the pointers */
  int argc = (int) args->len - 1;
  char **argv = g_memdup2 (args->pdata, args->len * sizeof (char *));
  int rc = vita_cli_analyze (argc, argv);
  g_free (argv);
  g_ptr_array_unref (args);
  return rc;
}

int
vita_cli_counterfactual (int argc, char **argv)
{
  g_autofree char *model_path = NULL, *out_dir = NULL, *layers = NULL;
  g_auto(GStrv) edit_specs = NULL;
  g_auto(GStrv) probe_specs = NULL;
  int threads = 0;
  gboolean no_attention = FALSE;
  const GOptionEntry entries[] = {
    { "model", 'm', 0, G_OPTION_ARG_FILENAME, &model_path, "Model file (safetensors, vit1d)", "MODEL" },
    { "edit", 'e', 0, G_OPTION_ARG_STRING_ARRAY, &edit_specs, "An edit (repeat; applied in order): mute:0-300Hz@10-20, gain:-6dB@5-8, swap:10-12,20-22, reverse:3-5, transpose:+2, stretch:1.1, mix:other.wav@-12dB", "EDIT" },
    { "out", 'o', 0, G_OPTION_ARG_FILENAME, &out_dir, "Output folder (created if missing)", "DIR" },
    { "probe", 'p', 0, G_OPTION_ARG_FILENAME_ARRAY, &probe_specs, "A frame-level probe to compare on both sides (repeat)", "PROBE" },
    { "layers", 0, 0, G_OPTION_ARG_STRING, &layers, "Token layers for tokens.npy and ssm.npy (as analyze)", "LIST" },
    { "threads", 't', 0, G_OPTION_ARG_INT, &threads, "Analysis threads (as analyze)", "T" },
    { "no-attention", 0, 0, G_OPTION_ARG_NONE, &no_attention, "Do not write attention.npy", NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) ctx = g_option_context_new ("AUDIO");
  g_option_context_set_summary (ctx, "Edit the audio (non-destructively) and analyse the original and "
                                "the edited version side by side, with their differences.");
  g_option_context_add_main_entries (ctx, entries, NULL);
  g_autoptr(GError) error = NULL;
  if (!g_option_context_parse (ctx, &argc, &argv, &error))
    {
      fprintf (stderr, "vitascope-cli counterfactual: %s\n", error->message);
      return 2;
    }
  if (argc != 2 || model_path == NULL || out_dir == NULL || edit_specs == NULL)
    {
      fprintf (stderr, "vitascope-cli counterfactual: %s\n"
               "Usage: vitascope-cli counterfactual AUDIO --model MODEL --edit EDIT [--edit EDIT ...] --out DIR\n",
               argc < 2 ? "no audio file given" : argc > 2 ? "more than one audio file given"
               : model_path == NULL ? "--model is required" : out_dir == NULL ? "--out is required"
               : "at least one --edit is required");
      return 2;
    }
  const char *audio_path = argv[1];

  /* every edit parsed, then checked against the track, before anything is analysed */
  g_autoptr(GPtrArray) edits = g_ptr_array_new_with_free_func ((GDestroyNotify) vita_edit_free);
  for (int i = 0; edit_specs[i]; i++)
    {
      VitaEdit *e = vita_edit_parse (edit_specs[i], &error);
      if (e == NULL)
        {
          fprintf (stderr, "vitascope-cli counterfactual: %s\n", error->message);
          return 2;
        }
      g_ptr_array_add (edits, e);
    }
  g_autoptr(VitaVit) vit = vita_vit_load (model_path, &error);
  if (vit == NULL)
    {
      fprintf (stderr, "vitascope-cli counterfactual: %s\n", error->message);
      return 1;
    }
  g_autoptr(GPtrArray) probes = g_ptr_array_new_with_free_func ((GDestroyNotify) vita_probe_free);
  g_autoptr(GPtrArray) probe_paths = g_ptr_array_new ();
  for (int i = 0; probe_specs && probe_specs[i]; i++)
    {
      VitaProbe *pr = vita_probe_load (probe_specs[i], &error);
      if (pr == NULL)
        {
          fprintf (stderr, "vitascope-cli counterfactual: %s\n", error->message);
          return 1;
        }
      g_ptr_array_add (probes, pr);
      g_ptr_array_add (probe_paths, probe_specs[i]);
      if (!pr->frame_level || pr->dim != vit->cfg.dim || pr->layer > vit->cfg.depth)
        {
          fprintf (stderr, "vitascope-cli counterfactual: --probe %s: not a frame-level probe of this "
                   "model (dim %d, token layers 0..%d)\n", probe_specs[i], vit->cfg.dim, vit->cfg.depth);
          return 2;
        }
    }
  g_autoptr(VitaPcm) pcm = vita_audio_load (audio_path, vit->cfg.fe.sample_rate, NULL, &error);
  if (pcm == NULL)
    {
      fprintf (stderr, "vitascope-cli counterfactual: %s\n", error->message);
      return 1;
    }
  gint64 t0 = g_get_monotonic_time ();
  g_autoptr(VitaPcm) edited = vita_edits_apply (pcm, edits, &vit->cfg.fe, NULL, &error);
  if (edited == NULL)
    {
      g_autofree char *disp = g_filename_display_name (audio_path);
      fprintf (stderr, "vitascope-cli counterfactual: %s: %s\n", disp, error->message);
      return 1;
    }
  double t_edit = (g_get_monotonic_time () - t0) / 1e6;

  if (g_mkdir_with_parents (out_dir, 0755) != 0)
    {
      int e = errno;
      g_autofree char *disp = g_filename_display_name (out_dir);
      fprintf (stderr, "vitascope-cli counterfactual: cannot create the output folder %s: %s\n",
               disp, g_strerror (e));
      return 1;
    }
  g_autofree char *wav = g_build_filename (out_dir, "edited.wav", NULL);
  if (!vita_pcm_save_wav (edited, wav, &error))
    {
      fprintf (stderr, "vitascope-cli counterfactual: %s\n", error->message);
      return 1;
    }
  g_autofree char *orig_dir = g_build_filename (out_dir, "original", NULL);
  g_autofree char *edit_dir = g_build_filename (out_dir, "edited", NULL);
  g_autofree char *diff_dir = g_build_filename (out_dir, "difference", NULL);
  int rc = run_analyze (audio_path, model_path, orig_dir, layers, threads, no_attention);
  if (rc != 0)
    return rc;
  rc = run_analyze (wav, model_path, edit_dir, layers, threads, no_attention);
  if (rc != 0)
    return rc;

  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autofree char *audio_abs = g_canonicalize_filename (audio_path, NULL);
  g_autofree char *audio_utf8 = g_filename_display_name (audio_abs);
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "format");
  json_builder_add_string_value (b, "vitascope-counterfactual");
  json_builder_set_member_name (b, "version");
  json_builder_add_string_value (b, VITA_VERSION);
  json_builder_set_member_name (b, "file");
  json_builder_add_string_value (b, audio_utf8);
  json_builder_set_member_name (b, "model_sha256");
  json_builder_add_string_value (b, vit->sha256);
  json_builder_set_member_name (b, "edits");
  json_builder_begin_array (b);
  for (guint i = 0; i < edits->len; i++)
    {
      const VitaEdit *e = g_ptr_array_index (edits, i);
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "spec");
      json_builder_add_string_value (b, e->spec);
      json_builder_set_member_name (b, "kind");
      json_builder_add_string_value (b, vita_edit_kind_name (e->kind));
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_set_member_name (b, "pitch_time_library");
  json_builder_add_string_value (b, "Rubber Band Library, offline, R3 (finer) engine");
  json_builder_set_member_name (b, "original_duration");
  json_builder_add_double_value (b, pcm->duration);
  json_builder_set_member_name (b, "edited_duration");
  json_builder_add_double_value (b, edited->duration);
  json_builder_set_member_name (b, "original_frames");
  json_builder_add_int_value (b, vita_frontend_n_frames (&vit->cfg.fe, pcm->n_samples));
  json_builder_set_member_name (b, "edited_frames");
  json_builder_add_int_value (b, vita_frontend_n_frames (&vit->cfg.fe, edited->n_samples));
  json_builder_set_member_name (b, "frame_alignment");
  json_builder_add_string_value (b, "differences compare frame i with frame i over the frames both "
                                 "have (time-aligned unless an edit changes the duration)");
  json_builder_set_member_name (b, "seconds_edit");
  json_builder_add_double_value (b, t_edit);
  double semitones = 0;
  gboolean transposed_only = TRUE;   /* time-aligned: no stretch, swap or reverse */
  for (guint i = 0; i < edits->len; i++)
    {
      const VitaEdit *e = g_ptr_array_index (edits, i);
      if (e->kind == VITA_EDIT_TRANSPOSE)
        semitones += e->value;
      else if (e->kind == VITA_EDIT_STRETCH || e->kind == VITA_EDIT_SWAP || e->kind == VITA_EDIT_REVERSE)
        transposed_only = FALSE;
    }
  if (!write_differences (orig_dir, edit_dir, diff_dir, b, &error)
      || (probes->len > 0
          && !write_probe_differences (orig_dir, edit_dir, diff_dir, probes, probe_paths, semitones,
                                       transposed_only, b, &error)))
    {
      fprintf (stderr, "vitascope-cli counterfactual: %s\n", error->message);
      return 1;
    }
  json_builder_end_object (b);
  if (!vita_cli_write_summary (b, out_dir, &error))
    {
      fprintf (stderr, "vitascope-cli counterfactual: %s\n", error->message);
      return 1;
    }
  printf ("%s: %u edit(s), %.2f s → %.2f s; original, edited and difference in %s\n", audio_path,
          edits->len, pcm->duration, edited->duration, out_dir);
  return 0;
}
