/* vita-cli-attribute.c — `vitascope-cli attribute AUDIO --model M [--probe P]
 *   --target SPEC --method ig|grad-input|occlusion [--steps 64] [--patch 8x8] --out DIR`.
 *
 * Target specs (times in seconds; frame = round(t · sample_rate / hop)):
 *   class:C:maj@83.0          the probe's class (label or index) logit at a frame
 *   class:C:maj@80-85         … summed over the frames of a range
 *   prob:C:maj@83.0           the probability (the probe's softmax / sigmoid) instead
 *   cosine@83.0,120.5         the class token of the last layer at 83 s vs at 120.5 s
 *   cosine:6@83.0,120.5       … of token layer 6
 *   received:2:1@83.0         the attention the frame receives in layer 2, head 1
 *                             (layers 1…L, heads 1…H: the one numbering, README;
 *                             layer 0, the input embedding, has no attention)
 *   received:2:mean@83.0      … averaged over the heads
 *
 * Writes into DIR: attribution.npy (n_frames, M), attribution_frames.npy (n_frames,
 * Σ over bands), attribution_bands.npy (M, Σ over frames), mel.npy (the model input),
 * attribution.png (the figure; --figure FILE.{png,svg,pdf} for another) and
 * summary.json (target, method, f(x), f(baseline), Σ, completeness, frames, timing).
 * Definitions: model/explain/vita-attribution.h. */
#include "vita-cli.h"

#include "dsp/vita-audio.h"
#include "dsp/vita-mel.h"
#include "model/explain/vita-attribution.h"
#include "model/vita-blas.h"
#include "model/vita-npy.h"
#include "views/vita-attribution-painter.h"
#include "views/vita-export.h"

#include <errno.h>
#include <json-glib/json-glib.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <glib/gstdio.h>

#define ERR(...) g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, __VA_ARGS__)

static gboolean
parse_seconds (const char *s, double *out)
{
  g_autofree char *t = g_strstrip (g_strdup (s));
  char *end = NULL;
  double v = g_ascii_strtod (t, &end);
  if (end == t || (*end != '\0' && g_strcmp0 (end, "s") != 0) || !isfinite (v) || v < 0)
    return FALSE;
  *out = v;
  return TRUE;
}

static int
frame_of (double t, const VitaFrontend *fe)
{
  return (int) llround (t * fe->sample_rate / fe->hop_length);
}

/* Fills target from spec; n_frames: the track's.  Errors name the spec. */
static gboolean
parse_target (const char *spec, const VitaVit *vit, const VitaProbe *probe, int n_frames,
              VitaAttrTarget *t, GError **error)
{
  const VitaFrontend *fe = &vit->cfg.fe;
  const char *at = strrchr (spec, '@');
  if (at == NULL)
    {
      ERR ("--target “%s”: no time (like class:C:maj@83.0)", spec);
      return FALSE;
    }
  g_autofree char *head = g_strndup (spec, at - spec);
  const char *when = at + 1;
  const double duration = (double) (n_frames - 1) * fe->hop_length / fe->sample_rate;
  if (g_str_has_prefix (head, "class:") || g_str_has_prefix (head, "prob:"))
    {
      vita_attr_target_init (t, VITA_ATTR_TARGET_PROBE);
      t->probability = g_str_has_prefix (head, "prob:");
      const char *label = strchr (head, ':') + 1;
      if (probe == NULL)
        {
          ERR ("--target “%s”: a class target needs --probe", spec);
          return FALSE;
        }
      t->probe = probe;
      t->class_index = -1;
      for (guint i = 0; i < probe->labels->len; i++)
        if (g_strcmp0 (g_ptr_array_index (probe->labels, i), label) == 0)
          t->class_index = i;
      if (t->class_index < 0)
        {
          char *end = NULL;
          gint64 k = g_ascii_strtoll (label, &end, 10);
          if (*label && end && *end == '\0' && k >= 0 && k < probe->n_classes)
            t->class_index = (int) k;
        }
      if (t->class_index < 0)
        {
          g_autoptr(GString) known = g_string_new (NULL);
          for (guint i = 0; i < probe->labels->len && i < 30; i++)
            g_string_append_printf (known, "%s%s", i ? ", " : "", (char *) g_ptr_array_index (probe->labels, i));
          ERR ("--target “%s”: the probe has no class “%s” (its classes: %s)", spec, label, known->str);
          return FALSE;
        }
      double a, b;
      const char *dash = strchr (when, '-');
      if (dash)
        {
          g_autofree char *l = g_strndup (when, dash - when);
          if (!parse_seconds (l, &a) || !parse_seconds (dash + 1, &b) || b <= a)
            {
              ERR ("--target “%s”: “%s” is not a time range in seconds (like 80-85)", spec, when);
              return FALSE;
            }
          t->frame = frame_of (a, fe);
          t->frame_end = frame_of (b, fe) + 1;
          if (t->frame_end > n_frames)
            {
              ERR ("--target “%s”: the range ends after the track (%.2f s)", spec, duration);
              return FALSE;
            }
        }
      else if (parse_seconds (when, &a))
        t->frame = frame_of (a, fe);
      else
        {
          ERR ("--target “%s”: “%s” is not a time in seconds", spec, when);
          return FALSE;
        }
    }
  else if (g_str_has_prefix (head, "cosine"))
    {
      vita_attr_target_init (t, VITA_ATTR_TARGET_COSINE);
      if (head[6] == ':')
        {
          char *end = NULL;
          gint64 l = g_ascii_strtoll (head + 7, &end, 10);
          if (end == head + 7 || *end != '\0' || l < 0 || l > vit->cfg.depth)
            {
              ERR ("--target “%s”: “%s” is not a token layer (0..%d)", spec, head + 7, vit->cfg.depth);
              return FALSE;
            }
          t->layer = (int) l;
        }
      else if (head[6] != '\0')
        {
          ERR ("--target “%s”: unknown target “%s” (class, prob, cosine, received)", spec, head);
          return FALSE;
        }
      g_auto(GStrv) parts = g_strsplit (when, ",", -1);
      double a, b;
      if (g_strv_length (parts) != 2 || !parse_seconds (parts[0], &a) || !parse_seconds (parts[1], &b))
        {
          ERR ("--target “%s”: a cosine target needs two times, like cosine@83.0,120.5", spec);
          return FALSE;
        }
      t->frame = frame_of (a, fe);
      t->ref_frame = frame_of (b, fe);
      if (t->ref_frame >= n_frames)
        {
          ERR ("--target “%s”: %.2f s is after the end of the track (%.2f s)", spec, b, duration);
          return FALSE;
        }
    }
  else if (g_str_has_prefix (head, "received:"))
    {
      vita_attr_target_init (t, VITA_ATTR_TARGET_RECEIVED);
      g_auto(GStrv) parts = g_strsplit (head + 9, ":", -1);
      char *end = NULL;
      if (g_strv_length (parts) != 2)
        goto bad_received;
      gint64 l = g_ascii_strtoll (parts[0], &end, 10);
      if (end == parts[0] || *end != '\0')
        goto bad_received;
      if (l < 1)
        {
          ERR ("--target “%s”: layer %s has no attention: layer 0 is the input embedding; "
               "attention layers are numbered 1…L", spec, parts[0]);
          return FALSE;
        }
      t->block = (int) MIN (l - 1, G_MAXINT);   /* 0-based block */
      if (g_strcmp0 (parts[1], "mean") == 0)
        t->head = -1;
      else
        {
          gint64 h = g_ascii_strtoll (parts[1], &end, 10);
          if (end == parts[1] || *end != '\0' || h < 0)
            goto bad_received;
          if (h == 0)
            {
              ERR ("--target “%s”: heads are numbered 1…H (head 0 of earlier versions is "
                   "head 1 now)", spec);
              return FALSE;
            }
          t->head = (int) MIN (h - 1, G_MAXINT);   /* 0-based head */
        }
      double a;
      if (!parse_seconds (when, &a))
        {
          ERR ("--target “%s”: “%s” is not a time in seconds", spec, when);
          return FALSE;
        }
      t->frame = frame_of (a, fe);
      return TRUE;
    bad_received:
      ERR ("--target “%s”: expected received:LAYER:HEAD@TIME (LAYER 1…L, HEAD 1…H or mean)", spec);
      return FALSE;
    }
  else
    {
      ERR ("--target “%s”: unknown target “%s” (class, prob, cosine, received)", spec, head);
      return FALSE;
    }
  if (t->frame >= n_frames)
    {
      ERR ("--target “%s”: the time is after the end of the track (%.2f s)", spec, duration);
      return FALSE;
    }
  return TRUE;
}

static void
on_progress (int done, int total, gpointer data)
{
  gint64 *t0 = data;
  char detail[64];
  g_snprintf (detail, sizeof detail, "%d/%d batches, %.1f s", done, total,
              (g_get_monotonic_time () - *t0) / 1e6);
  vita_cli_progress ("attributing", (double) done / MAX (total, 1), detail);
}

typedef struct {
  const VitaStyle             *style;
  const VitaAttributionFigure *fig;
} FigureData;

static void
figure_paint (cairo_t *cr, double width, double height, gpointer data)
{
  FigureData *d = data;
  vita_attribution_paint (cr, d->style, 0, 0, width, height, d->fig);
}

/* The figure through the export's one surface writer (atomic, views/vita-export.h). */
static gboolean
save_figure (const char *path, const VitaAttributionFigure *fig, GError **error)
{
  const double W = 900, H = 560;
  VitaStyle style;
  vita_style_init (&style);
  if (!g_str_has_suffix (path, ".png") && !g_str_has_suffix (path, ".svg") &&
      !g_str_has_suffix (path, ".pdf"))
    {
      ERR ("--figure %s: the name must end in .png, .svg or .pdf", path);
      return FALSE;
    }
  FigureData d = { &style, fig };
  return vita_export_paint (path, W, H, 1.0, "Vitascope attribution", figure_paint, &d, error);
}

static gboolean
save_npy (const char *dir, const char *name, const float *data, int ndim, const gsize *shape,
          GError **error)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  return vita_npy_save (path, data, ndim, shape, error);
}

static int
fail (const GError *error)
{
  fprintf (stderr, "vitascope-cli attribute: %s\n", error ? error->message : "failed");
  return 1;
}

int
vita_cli_attribute (int argc, char **argv)
{
  g_autofree char *model_path = NULL, *out_dir = NULL, *probe_path = NULL, *target_spec = NULL;
  g_autofree char *method_name = NULL, *patch_spec = NULL, *figure_path = NULL;
  int steps = 64, batch = 8, threads = 0;
  const GOptionEntry entries[] = {
    { "model", 'm', 0, G_OPTION_ARG_FILENAME, &model_path, "Model file (safetensors, vit1d)", "MODEL" },
    { "probe", 'p', 0, G_OPTION_ARG_FILENAME, &probe_path, "Probe file (class and prob targets)", "PROBE" },
    { "target", 0, 0, G_OPTION_ARG_STRING, &target_spec, "What to explain, e.g. class:C:maj@83.0, cosine@10,20, received:2:1@12.5 (layer 2, head 1)", "SPEC" },
    { "method", 0, 0, G_OPTION_ARG_STRING, &method_name, "ig (default), grad-input or occlusion", "METHOD" },
    { "steps", 0, 0, G_OPTION_ARG_INT, &steps, "Integrated-gradient steps (default 64)", "N" },
    { "patch", 0, 0, G_OPTION_ARG_STRING, &patch_spec, "Occlusion patch FRAMESxBANDS (default 8x8)", "FxB" },
    { "batch", 0, 0, G_OPTION_ARG_INT, &batch, "Inputs per forward/backward pass (default 8)", "B" },
    { "threads", 't', 0, G_OPTION_ARG_INT, &threads, "BLAS threads (default: OpenBLAS's)", "T" },
    { "figure", 0, 0, G_OPTION_ARG_FILENAME, &figure_path, "Figure file (.png, .svg, .pdf; default DIR/attribution.png)", "FILE" },
    { "out", 'o', 0, G_OPTION_ARG_FILENAME, &out_dir, "Output folder (created if missing)", "DIR" },
    { NULL }
  };
  g_autoptr(GOptionContext) ctx = g_option_context_new ("AUDIO");
  g_option_context_set_summary (ctx, "Attribute a model quantity (a probe's class, a class-token "
                                "similarity, received attention) to the mel input: gradient × input, "
                                "integrated gradients or occlusion.");
  g_option_context_add_main_entries (ctx, entries, NULL);
  g_autoptr(GError) error = NULL;
  if (!g_option_context_parse (ctx, &argc, &argv, &error))
    {
      fprintf (stderr, "vitascope-cli attribute: %s\n", error->message);
      return 2;
    }
  if (argc != 2 || model_path == NULL || out_dir == NULL || target_spec == NULL)
    {
      fprintf (stderr, "vitascope-cli attribute: %s\n"
               "Usage: vitascope-cli attribute AUDIO --model MODEL [--probe PROBE] --target SPEC "
               "[--method ig|grad-input|occlusion] [--steps N] [--patch FxB] --out DIR\n",
               argc < 2 ? "no audio file given" : argc > 2 ? "more than one audio file given"
               : model_path == NULL ? "--model is required"
               : out_dir == NULL ? "--out is required" : "--target is required");
      return 2;
    }
  VitaAttrOptions opt;
  vita_attr_options_init (&opt);
  if (method_name && !vita_attr_method_from_name (method_name, &opt.method))
    {
      fprintf (stderr, "vitascope-cli attribute: --method %s: unknown (ig, grad-input, occlusion)\n",
               method_name);
      return 2;
    }
  if (patch_spec)
    {
      char *end = NULL;
      gint64 pf = g_ascii_strtoll (patch_spec, &end, 10), pb = 0;
      if (end && (*end == 'x' || *end == 'X'))
        {
          char *s2 = end + 1;
          pb = g_ascii_strtoll (s2, &end, 10);
          if (end == s2)
            pb = 0;
        }
      if (pf < 1 || pb < 1 || pf > 4096 || pb > 4096 || *end != '\0')
        {
          fprintf (stderr, "vitascope-cli attribute: --patch %s: expected FRAMESxBANDS like 8x8\n",
                   patch_spec);
          return 2;
        }
      opt.patch_frames = (int) pf;
      opt.patch_bands = (int) pb;
    }
  if (steps < 1 || steps > 4096 || batch < 1 || batch > 256 || threads < 0 || threads > 1024)
    {
      fprintf (stderr, "vitascope-cli attribute: an option is out of range (--steps 1–4096, "
               "--batch 1–256, --threads 0–1024)\n");
      return 2;
    }
  opt.steps = steps;
  opt.batch = batch;
  if (threads > 0)
    vita_blas_set_threads (threads);
  const char *audio_path = argv[1];
  gint64 t_total = g_get_monotonic_time ();

  g_autoptr(VitaVit) vit = vita_vit_load (model_path, &error);
  if (vit == NULL)
    return fail (error);
  g_autoptr(VitaProbe) probe = NULL;
  if (probe_path && (probe = vita_probe_load (probe_path, &error)) == NULL)
    return fail (error);
  const VitaVitConfig *cfg = &vit->cfg;
  const int M = cfg->fe.n_mels;

  /* the model input (as `analyze` computes it) */
  g_autoptr(VitaPcm) pcm = vita_audio_load (audio_path, cfg->fe.sample_rate, NULL, &error);
  if (pcm == NULL)
    return fail (error);
  if (pcm->n_samples == 0)
    {
      g_autofree char *disp = g_filename_display_name (audio_path);
      fprintf (stderr, "vitascope-cli attribute: %s: no audio\n", disp);
      return 1;
    }
  g_autoptr(VitaMel) melproc = vita_mel_new (&cfg->fe, &error);
  if (melproc == NULL)
    return fail (error);
  gsize n_frames = 0;
  g_autofree float *mel = vita_mel_features (melproc, pcm->samples, pcm->n_samples, NULL,
                                             &n_frames, &error);
  if (mel == NULL)
    {
      g_autofree char *disp = g_filename_display_name (audio_path);
      fprintf (stderr, "vitascope-cli attribute: %s: %s\n", disp, error->message);
      return 1;
    }

  VitaAnalysisOptions aopt;
  vita_analysis_options_init (&aopt);
  g_autoptr(VitaAnalysis) an = vita_analysis_new (vit, mel, (int) n_frames, &aopt, &error);
  if (an == NULL)
    return fail (error);
  VitaAttrTarget target;
  if (!parse_target (target_spec, vit, probe, (int) n_frames, &target, &error))
    {
      fprintf (stderr, "vitascope-cli attribute: %s\n", error->message);
      return 2;
    }
  if (g_mkdir_with_parents (out_dir, 0755) != 0)
    {
      int e = errno;
      g_autofree char *disp = g_filename_display_name (out_dir);
      fprintf (stderr, "vitascope-cli attribute: cannot create the output folder %s: %s\n", disp,
               g_strerror (e));
      return 1;
    }

  gint64 t0 = g_get_monotonic_time ();
  g_autoptr(VitaAttribution) a = vita_attribution_compute (an, &target, &opt, on_progress, &t0,
                                                           NULL, &error);
  vita_cli_progress_end ();
  if (a == NULL)
    return fail (error);

  gsize shape[2] = { n_frames, M };
  g_autofree float *per_frame = g_new0 (float, n_frames);
  g_autofree float *per_band = g_new0 (float, M);
  for (gsize f = 0; f < n_frames; f++)
    for (int m = 0; m < M; m++)
      {
        per_frame[f] += a->map[f * M + m];
        per_band[m] += a->map[f * M + m];
      }
  gsize sf = n_frames, sb = M;
  if (!save_npy (out_dir, "attribution.npy", a->map, 2, shape, &error)
      || !save_npy (out_dir, "mel.npy", mel, 2, shape, &error)
      || !save_npy (out_dir, "attribution_frames.npy", per_frame, 1, &sf, &error)
      || !save_npy (out_dir, "attribution_bands.npy", per_band, 1, &sb, &error))
    return fail (error);

  /* the figure: the frames of the windows the target reads */
  const double frame_rate = (double) cfg->fe.sample_rate / cfg->fe.hop_length;
  g_autofree char *title = g_strdup_printf ("%s of %s", opt.method == VITA_ATTR_INTEGRATED_GRADIENTS
                                            ? "Integrated gradients" : opt.method == VITA_ATTR_OCCLUSION
                                            ? "Occlusion" : "Gradient × input", target_spec);
  g_autofree char *label = g_strdup_printf ("Attribution (%s)", vita_attr_method_name (opt.method));
  VitaAttributionFigure fig = {
    .map = a->map, .mel = mel, .n_frames = (int) n_frames, .n_mels = M,
    .f0 = a->first_frame, .f1 = a->last_frame, .frame_rate = frame_rate, .title = title,
    .label = label,
    .marker_t0 = (target.frame - 0.5) / frame_rate,
    .marker_t1 = (MAX (target.frame_end, target.frame + 1) - 0.5) / frame_rate,
  };
  g_autofree char *fig_path = figure_path ? g_strdup (figure_path)
                                          : g_build_filename (out_dir, "attribution.png", NULL);
  if (!save_figure (fig_path, &fig, &error))
    return fail (error);

  {
    g_autoptr(JsonBuilder) b = json_builder_new ();
    g_autofree char *audio_abs = g_canonicalize_filename (audio_path, NULL);
    g_autofree char *audio_utf8 = g_filename_display_name (audio_abs);
    json_builder_begin_object (b);
#define SET_S(k, v) json_builder_set_member_name (b, k); json_builder_add_string_value (b, v)
#define SET_I(k, v) json_builder_set_member_name (b, k); json_builder_add_int_value (b, v)
#define SET_D(k, v) json_builder_set_member_name (b, k); \
    if (isfinite (v)) json_builder_add_double_value (b, v); else json_builder_add_null_value (b)
    SET_S ("format", "vitascope-attribution");
    SET_S ("version", VITA_VERSION);
    SET_S ("file", audio_utf8);
    SET_S ("model_sha256", vit->sha256);
    SET_S ("target", target_spec);
    SET_S ("target_kind", target.kind == VITA_ATTR_TARGET_PROBE ? "probe"
                          : target.kind == VITA_ATTR_TARGET_COSINE ? "cosine" : "received");
    if (probe)
      {
        SET_S ("probe", probe_path);
        SET_S ("probe_task", probe->task ? probe->task : "");
        SET_I ("probe_layer", probe->layer);
        SET_I ("class_index", target.class_index);
        json_builder_set_member_name (b, "probability");
        json_builder_add_boolean_value (b, target.probability);
      }
    SET_I ("frame", target.frame);
    SET_D ("time", target.frame / frame_rate);
    SET_S ("method", vita_attr_method_name (opt.method));
    if (opt.method == VITA_ATTR_INTEGRATED_GRADIENTS)
      {
        SET_I ("steps", opt.steps);
        SET_S ("quadrature", "gauss-legendre");
        SET_D ("baseline_value", (double) an->pad_value);
      }
    if (opt.method == VITA_ATTR_OCCLUSION)
      {
        SET_I ("patch_frames", opt.patch_frames);
        SET_I ("patch_bands", opt.patch_bands);
      }
    SET_D ("f_input", a->f_input);
    SET_D ("f_baseline", a->f_baseline);
    SET_D ("sum", a->sum);
    SET_D ("completeness_error", a->completeness);
    SET_I ("windows", a->n_windows);
    SET_I ("first_frame", a->first_frame);
    SET_I ("last_frame", a->last_frame);
    SET_I ("n_frames", (gint64) n_frames);
    SET_I ("n_mels", M);
    SET_D ("frame_rate", frame_rate);
    SET_D ("seconds", a->seconds);
    SET_D ("seconds_total", (g_get_monotonic_time () - t_total) / 1e6);
#undef SET_S
#undef SET_I
#undef SET_D
    json_builder_end_object (b);
    if (!vita_cli_write_summary (b, out_dir, &error))
      return fail (error);
  }
  printf ("%s: %s, %d window(s), f(x) %.6g", audio_path, vita_attr_method_name (opt.method),
          a->n_windows, a->f_input);
  if (opt.method == VITA_ATTR_INTEGRATED_GRADIENTS)
    printf (", f(baseline) %.6g, sum %.6g, completeness error %.3g %%", a->f_baseline, a->sum,
            100 * a->completeness);
  printf (", %.1f s\n", a->seconds);
  return 0;

}
