/* vita-cli-export.c — `vitascope-cli export SOURCE... --what WHAT --out FILE`: results
 * and annotations back to the tools MIR people use (Sonic Visualiser CSV, .lab, JAMS,
 * .npy; the format follows --format or FILE's extension).
 *
 *   SOURCE = an analysis folder (`vitascope-cli analyze --out DIR`):
 *     --what received        received-attention curve of --layer L (1…L) and
 *                            --head H (1…H, or mean: the default)       CSV time,value | npy
 *     --what received-peaks  its peaks as onset times                CSV | JAMS | npy
 *     --what onset           the spectral-flux onset curve           CSV | npy
 *     --what onset-peaks     its peaks as onset times                CSV | JAMS | npy
 *     --what probe --probe P a frame-level probe's predictions on the tokens of its
 *                            layer: chord segments, or beat / onset times
 *   SOURCE = annotation files (any format Vitascope reads: .lab, .beats, .jams, SV CSV):
 *     --what chords|beats|onsets|key|tags|all   (all: JAMS only)
 */
#include "vita-cli.h"
#include "vita-results-export.h"
#include "model/probe/vita-probe.h"
#include "model/vita-npy.h"

#include <json-glib/json-glib.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

typedef struct {
  double hop;        /* seconds per frame */
  int    n_frames;
  GArray *layers;    /* int: token layers in tokens.npy */
} Summary;

static gboolean
read_summary (const char *dir, Summary *s, GError **error)
{
  g_autofree char *path = g_build_filename (dir, "summary.json", NULL);
  g_autoptr(JsonParser) parser = json_parser_new ();
  if (!json_parser_load_from_file (parser, path, error))
    {
      g_prefix_error (error, "%s: ", path);
      return FALSE;
    }
  JsonNode *root = json_parser_get_root (parser);
  JsonObject *o = root && JSON_NODE_HOLDS_OBJECT (root) ? json_node_get_object (root) : NULL;
  if (!o || !json_object_has_member (o, "sample_rate") || !json_object_has_member (o, "hop") ||
      !json_object_has_member (o, "n_frames"))
    {
      g_set_error (error, VITA_MODEL_ERROR, VITA_MODEL_ERROR_PARSE,
                   "%s: not an analysis summary (needs sample_rate, hop, n_frames)", path);
      return FALSE;
    }
  gint64 sr = json_object_get_int_member (o, "sample_rate");
  gint64 hop = json_object_get_int_member (o, "hop");
  s->n_frames = (int) json_object_get_int_member (o, "n_frames");
  if (sr <= 0 || hop <= 0 || s->n_frames <= 0)
    {
      g_set_error (error, VITA_MODEL_ERROR, VITA_MODEL_ERROR_PARSE,
                   "%s: sample_rate, hop and n_frames must be positive", path);
      return FALSE;
    }
  s->hop = (double) hop / sr;
  s->layers = g_array_new (FALSE, FALSE, sizeof (int));
  JsonArray *la = json_object_has_member (o, "layers") ? json_object_get_array_member (o, "layers")
                                                       : NULL;
  for (guint i = 0; la && i < json_array_get_length (la); i++)
    {
      int l = (int) json_array_get_int_element (la, i);
      g_array_append_val (s->layers, l);
    }
  return TRUE;
}

static float *
load_npy (const char *dir, const char *name, int want_ndim, gsize shape[VITA_NPY_MAX_DIMS],
          GError **error)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  int ndim;
  float *d = vita_npy_load (path, &ndim, shape, error);
  if (d && ndim != want_ndim)
    {
      g_set_error (error, VITA_MODEL_ERROR, VITA_MODEL_ERROR_CORRUPT,
                   "%s: expected %d dimensions, found %d", path, want_ndim, ndim);
      g_free (d);
      return NULL;
    }
  return d;
}

static int
export_from_analysis (const char *dir, const char *what, int layer, int head, const char *probe_path,
                      double delta, VitaAnnExportFormat format, const char *out, GError **error)
{
  Summary s = { 0 };
  if (!read_summary (dir, &s, error))
    return 1;
  g_autoptr(GArray) layers = s.layers;
  int F = s.n_frames;
  gsize shape[VITA_NPY_MAX_DIMS];
  gboolean ok;
  if (g_str_has_prefix (what, "received"))
    {
      g_autofree float *r = load_npy (dir, "received.npy", 3, shape, error);
      if (!r)
        return 1;
      int L = (int) shape[0], NH = (int) shape[1];
      if ((int) shape[2] != F || layer < 1 || layer > L || head < -1 || head >= NH)
        {
          g_set_error (error, VITA_MODEL_ERROR, VITA_MODEL_ERROR_MISMATCH,
                       "%s/received.npy: shape (%zu, %zu, %zu); --layer must be 1..%d and --head "
                       "1..%d or mean", dir, shape[0], shape[1], shape[2], L, NH);
          return 2;
        }
      g_autofree float *curve = g_new0 (float, F);
      for (int h = 0; h < NH; h++)
        if (head < 0 || h == head)
          for (int f = 0; f < F; f++)
            curve[f] += r[((gsize) (layer - 1) * NH + h) * F + f] / (head < 0 ? NH : 1);
      ok = strcmp (what, "received") == 0
             ? vita_results_export_curve (curve, F, s.hop, format, out, error)
             : vita_results_export_peaks (curve, F, s.hop, delta, F * s.hop, format, out, error);
    }
  else if (g_str_has_prefix (what, "onset"))
    {
      g_autofree float *o = load_npy (dir, "onset.npy", 1, shape, error);
      if (!o)
        return 1;
      F = MIN (F, (int) shape[0]);
      ok = strcmp (what, "onset") == 0
             ? vita_results_export_curve (o, F, s.hop, format, out, error)
             : vita_results_export_peaks (o, F, s.hop, delta, F * s.hop, format, out, error);
    }
  else if (strcmp (what, "probe") == 0)
    {
      if (!probe_path)
        {
          g_set_error (error, VITA_MODEL_ERROR, VITA_MODEL_ERROR_UNSUPPORTED,
                       "--what probe needs --probe PROBE.safetensors");
          return 2;
        }
      g_autoptr(VitaProbe) probe = vita_probe_load (probe_path, error);
      if (!probe)
        return 1;
      if (!probe->frame_level)
        {
          g_set_error (error, VITA_MODEL_ERROR, VITA_MODEL_ERROR_UNSUPPORTED,
                       "%s: a clip-level probe (%s) has no frame predictions to export",
                       probe_path, probe->task ? probe->task : "?");
          return 1;
        }
      g_autofree float *tok = load_npy (dir, "tokens.npy", 3, shape, error);
      if (!tok)
        return 1;
      int sel = -1;
      for (guint i = 0; i < layers->len; i++)
        if (g_array_index (layers, int, i) == probe->layer)
          sel = (int) i;
      if (sel < 0 || sel >= (int) shape[0] || (int) shape[1] != F || (int) shape[2] != probe->dim)
        {
          g_set_error (error, VITA_MODEL_ERROR, VITA_MODEL_ERROR_MISMATCH,
                       "%s: probe of layer %d and width %d does not fit %s/tokens.npy (%zu × %zu "
                       "× %zu)", probe_path, probe->layer, probe->dim, dir, shape[0], shape[1],
                       shape[2]);
          return 1;
        }
      int C = probe->n_classes;
      VitaProbeLane lane = { 0 };
      g_autofree char *name = g_strdup_printf ("%s · layer %d", probe->task ? probe->task : "probe",
                                               probe->layer);
      lane.name = name;
      lane.n_frames = F;
      lane.n_classes = C;
      g_autofree char **names = g_new0 (char *, C + 1);
      for (int c = 0; c < C; c++)
        names[c] = c < (int) probe->labels->len ? g_ptr_array_index (probe->labels, c) : "?";
      lane.class_names = names;
      g_autofree float *prob = g_new (float, (gsize) F * C);
      vita_probe_predict (probe, tok + (gsize) sel * F * probe->dim, F, prob);
      lane.probs = prob;
      lane.binary = probe->activation == VITA_PROBE_SIGMOID && C == 1;
      VitaAnnKind kind = VITA_ANN_UNKNOWN;
      if (probe->task && strstr (probe->task, "beat"))
        kind = VITA_ANN_BEATS;
      else if (probe->task && strstr (probe->task, "onset"))
        kind = VITA_ANN_ONSETS;
      ok = vita_results_export_lane (&lane, s.hop, kind, format, out, error);
    }
  else
    {
      g_set_error (error, VITA_MODEL_ERROR, VITA_MODEL_ERROR_UNSUPPORTED,
                   "--what %s: an analysis folder exports received, received-peaks, onset, "
                   "onset-peaks or probe", what);
      return 2;
    }
  return ok ? 0 : 1;
}

int
vita_cli_export (int argc, char **argv)
{
  g_autofree char *out = NULL, *what = NULL, *format_s = NULL, *probe = NULL;
  int layer = 1, head = -1;
  g_autofree char *head_s = NULL;
  double delta = 0.05;
  GOptionEntry entries[] = {
    { "out", 'o', 0, G_OPTION_ARG_FILENAME, &out, "File to write", "FILE" },
    { "what", 'w', 0, G_OPTION_ARG_STRING, &what, "received, received-peaks, onset, onset-peaks, probe; or chords, beats, onsets, key, tags, all", "WHAT" },
    { "format", 'f', 0, G_OPTION_ARG_STRING, &format_s, "csv (Sonic Visualiser), lab, jams or npy (default: FILE's extension)", "F" },
    { "layer", 'l', 0, G_OPTION_ARG_INT, &layer, "Layer of the received-attention curve, 1…L (attention has no layer 0; default 1)", "L" },
    { "head", 0, 0, G_OPTION_ARG_STRING, &head_s, "Head 1…H, or mean: the mean over heads (default)", "H" },
    { "probe", 'p', 0, G_OPTION_ARG_FILENAME, &probe, "Probe file for --what probe", "PROBE" },
    { "delta", 0, 0, G_OPTION_ARG_DOUBLE, &delta, "Peak-picking threshold on the curve scaled to [0,1] (default 0.05)", "D" },
    { NULL },
  };
  g_autoptr(GOptionContext) ctx = g_option_context_new ("SOURCE... — results and annotations as Sonic Visualiser CSV, .lab, JAMS or .npy");
  g_option_context_add_main_entries (ctx, entries, NULL);
  g_autoptr(GError) error = NULL;
  if (!g_option_context_parse (ctx, &argc, &argv, &error))
    {
      fprintf (stderr, "%s: %s\n", argv[0], error->message);
      return 2;
    }
  /* heads are numbered 1…H as everywhere a person reads (README, "Layers and heads") */
  if (head_s != NULL && g_strcmp0 (head_s, "mean") != 0)
    {
      char *end = NULL;
      gint64 h = g_ascii_strtoll (head_s, &end, 10);
      if (end == head_s || *end != '\0' || h < 1)
        {
          fprintf (stderr, "%s: --head %s: heads are numbered 1…H, or “mean”%s\n", argv[0], head_s,
                   end != head_s && *end == '\0' && h == 0
                     ? " (head 0 of earlier versions, a 0-based index, is --head 1 now)"
                     : end != head_s && *end == '\0' && h == -1
                     ? " (-1 of earlier versions is --head mean now)" : "");
          return 2;
        }
      head = (int) MIN (h - 1, G_MAXINT);   /* 0-based index of received.npy */
    }
  VitaAnnExportFormat format;
  if (argc < 2 || !out || !what ||
      !vita_ann_export_format_from_string (format_s ? format_s : out, &format))
    {
      fprintf (stderr, "Usage: %s SOURCE... --what WHAT --out FILE [--format csv|lab|jams|npy]\n"
               "  (%s)\n", argv[0],
               argc < 2 ? "no SOURCE" : !out ? "--out is required" : !what ? "--what is required"
               : "unknown format: use --format csv, lab, jams or npy");
      return 2;
    }
  if (g_file_test (argv[1], G_FILE_TEST_IS_DIR))
    {
      if (argc != 2)
        {
          fprintf (stderr, "%s: one analysis folder at a time\n", argv[0]);
          return 2;
        }
      int rc = export_from_analysis (argv[1], what, layer, head, probe, delta, format, out, &error);
      if (rc != 0)
        fprintf (stderr, "%s: %s\n", argv[0], error ? error->message : "failed");
      else
        fprintf (stderr, "%s written\n", out);
      return rc;
    }
  /* annotation files: read them all (later ones replace earlier kinds), write one kind */
  static const char *const kinds[] = { "chords", "beats", "onsets", "key", "tags", "all" };
  int kind = -1;
  for (gsize i = 0; i < G_N_ELEMENTS (kinds); i++)
    if (strcmp (what, kinds[i]) == 0)
      kind = (int) i;
  if (kind < 0)
    {
      fprintf (stderr, "%s: --what %s: annotation files export chords, beats, onsets, key, tags "
               "or all\n", argv[0], what);
      return 2;
    }
  g_autoptr(VitaAnnotationSet) set = vita_annotation_set_new ();
  g_autoptr(GPtrArray) warnings = g_ptr_array_new_with_free_func (g_free);
  for (int i = 1; i < argc; i++)
    if (!vita_annotation_set_add_file (set, argv[i], VITA_ANN_UNKNOWN, TRUE, warnings, &error))
      {
        for (guint w = 0; w < warnings->len; w++)
          fprintf (stderr, "%s: warning: %s\n", argv[0], (char *) g_ptr_array_index (warnings, w));
        fprintf (stderr, "%s: %s\n", argv[0], error->message);
        return 1;
      }
  for (guint w = 0; w < warnings->len; w++)
    fprintf (stderr, "%s: warning: %s\n", argv[0], (char *) g_ptr_array_index (warnings, w));
  g_autofree char *line = vita_annotation_set_describe (set, "read");
  fprintf (stderr, "%s\n", line);
  VitaAnnKind k = kind == 5 ? VITA_ANN_ANY : (VitaAnnKind) kind;
  if (!vita_annotation_export (set, k, format, out, "vitascope-cli " VITA_VERSION " export",
                               &error))
    {
      fprintf (stderr, "%s: %s\n", argv[0], error->message);
      return 1;
    }
  fprintf (stderr, "%s written\n", out);
  return 0;
}
