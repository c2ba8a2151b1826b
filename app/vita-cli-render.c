/* vita-cli-render.c — `vitascope-cli render SIDECAR.json --out FILE.{png,svg,pdf}`:
 * re-renders an exported figure headlessly from its sidecar (audio path, model path
 * and SHA-256, panel, layer, head, time range, colormap, size, font size) through
 * the same painters as the app; --panel draws another registered panel. */
#include "vita-cli.h"

#include "dsp/vita-audio.h"
#include "dsp/vita-mel.h"
#include "model/vita-analysis.h"
#include "views/vita-export.h"

#include <stdio.h>
#include <string.h>

static void
on_progress (VitaAnalysis *an, int done, int total, gpointer data)
{
  vita_cli_progress ("analysing", total > 0 ? (double) done / total : 1.0, NULL);
}

int
vita_cli_render (int argc, char **argv)
{
  g_autofree char *out = NULL, *audio = NULL, *model = NULL, *npy = NULL, *cmap = NULL;
  g_autofree char *panel_name = NULL;
  double width = 0, height = 0, font_size = 0, scale = 0;
  gboolean allow_mismatch = FALSE, no_sidecar = FALSE;
  GOptionEntry entries[] = {
    { "out", 'o', 0, G_OPTION_ARG_FILENAME, &out, "Figure to write (.png, .svg or .pdf)", "FILE" },
    { "audio", 0, 0, G_OPTION_ARG_FILENAME, &audio, "Use this audio file instead of the sidecar's", "FILE" },
    { "model", 0, 0, G_OPTION_ARG_FILENAME, &model, "Use this model file instead of the sidecar's", "FILE" },
    { "npy", 0, 0, G_OPTION_ARG_FILENAME, &npy, "Also write the drawn array as .npy", "FILE" },
    { "panel", 0, 0, G_OPTION_ARG_STRING, &panel_name, "Draw this panel instead of the sidecar's (waveform, mel, attention, cka, layout, …)", "NAME" },
    { "width", 0, 0, G_OPTION_ARG_DOUBLE, &width, "Width (pt; px × scale for PNG)", "W" },
    { "height", 0, 0, G_OPTION_ARG_DOUBLE, &height, "Height", "H" },
    { "font-size", 0, 0, G_OPTION_ARG_DOUBLE, &font_size, "Font size (pt)", "PT" },
    { "scale", 0, 0, G_OPTION_ARG_DOUBLE, &scale, "PNG pixels per point", "S" },
    { "colormap", 0, 0, G_OPTION_ARG_STRING, &cmap, "viridis, magma, inferno or gray", "NAME" },
    { "allow-model-mismatch", 0, 0, G_OPTION_ARG_NONE, &allow_mismatch,
      "Render even if the model file's SHA-256 differs from the sidecar's", NULL },
    { "no-sidecar", 0, 0, G_OPTION_ARG_NONE, &no_sidecar, "Do not write FILE.json beside the figure", NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) octx = g_option_context_new ("SIDECAR.json --out FILE.{png,svg,pdf}");
  g_option_context_set_summary (octx, "Re-render an exported figure from its sidecar JSON.");
  g_option_context_add_main_entries (octx, entries, NULL);
  g_autoptr(GError) error = NULL;
  if (!g_option_context_parse (octx, &argc, &argv, &error))
    {
      fprintf (stderr, "%s: %s\n", argv[0], error->message);
      return 2;
    }
  if (argc != 2 || out == NULL)
    {
      fprintf (stderr, "Usage: %s SIDECAR.json --out FILE.{png,svg,pdf}\n", argv[0]);
      return 2;
    }
  VitaExportFormat format;
  if (!vita_export_format_from_path (out, &format, &error))
    {
      fprintf (stderr, "%s: %s\n", argv[0], error->message);
      return 2;
    }

  VitaExportSpec spec;
  if (!vita_export_sidecar_read (argv[1], &spec, NULL, &error))
    {
      fprintf (stderr, "%s: %s\n", argv[0], error->message);
      return 1;
    }
  if (audio)
    {
      g_free (spec.audio_path);
      spec.audio_path = g_strdup (audio);
    }
  if (model)
    {
      g_free (spec.model_path);
      spec.model_path = g_strdup (model);
    }
  if (width > 0)
    spec.width = width;
  if (height > 0)
    spec.height = height;
  if (font_size > 0)
    spec.style.font_size = font_size;
  if (scale > 0)
    spec.png_scale = scale;
  if (cmap && !vita_colormap_from_string (cmap, &spec.style.colormap))
    {
      fprintf (stderr, "%s: unknown colormap “%s”\n", argv[0], cmap);
      vita_export_spec_clear (&spec);
      return 2;
    }
  if (panel_name && !vita_panel_from_string (panel_name, &spec.panel))
    {
      GString *names = g_string_new (NULL);
      for (int p = 0; p < vita_panel_count (); p++)
        g_string_append_printf (names, "%s%s", p ? ", " : "", vita_panel_to_string (p));
      fprintf (stderr, "%s: unknown panel “%s” (panels: %s)\n", argv[0], panel_name, names->str);
      g_string_free (names, TRUE);
      vita_export_spec_clear (&spec);
      return 2;
    }
  int status = 1;
  VitaVit *vit = NULL;
  VitaPcm *pcm = NULL;
  VitaAnalysis *an = NULL;
  VitaPaintCache *cache = NULL;
  VitaPeaks *peaks = NULL;
  g_autofree float *mel = NULL;

  if (spec.audio_path == NULL || spec.model_path == NULL)
    {
      fprintf (stderr, "%s: sidecar “%s” names no %s file (pass --%s)\n", argv[0], argv[1],
               spec.audio_path ? "model" : "audio", spec.audio_path ? "model" : "audio");
      goto out;
    }
  vit = vita_vit_load (spec.model_path, &error);
  if (vit == NULL)
    {
      fprintf (stderr, "%s: %s\n", argv[0], error->message);
      goto out;
    }
  if (spec.model_sha256 && vit->sha256[0] && g_ascii_strcasecmp (spec.model_sha256, vit->sha256) != 0)
    {
      fprintf (stderr, "%s: model “%s” has SHA-256 %s, the sidecar records %s%s\n", argv[0],
               spec.model_path, vit->sha256, spec.model_sha256,
               allow_mismatch ? " (rendering anyway)" : "; use --allow-model-mismatch to render anyway");
      if (!allow_mismatch)
        goto out;
    }
  g_free (spec.model_sha256);
  spec.model_sha256 = vit->sha256[0] ? g_strdup (vit->sha256) : NULL;
  const VitaFrontend *fe = &vit->cfg.fe;
  if (spec.snap.sample_rate != fe->sample_rate || spec.snap.hop != fe->hop_length)
    {
      fprintf (stderr, "%s: sidecar “%s” was made at %d Hz / hop %d, the model uses %d Hz / hop %d\n",
               argv[0], argv[1], spec.snap.sample_rate, spec.snap.hop, fe->sample_rate,
               fe->hop_length);
      goto out;
    }
  pcm = vita_audio_load (spec.audio_path, fe->sample_rate, NULL, &error);
  if (pcm == NULL)
    {
      fprintf (stderr, "%s: %s\n", argv[0], error->message);
      goto out;
    }
  if (spec.snap.n_samples && (gint64) pcm->n_samples != spec.snap.n_samples)
    fprintf (stderr, "%s: warning: “%s” now has %zu samples, the sidecar recorded %" G_GINT64_FORMAT "\n",
             argv[0], spec.audio_path, pcm->n_samples, spec.snap.n_samples);
  {
    g_autoptr(VitaMel) melp = vita_mel_new (fe, &error);
    g_autofree float *onset = NULL;
    gsize n_frames = 0;
    mel = melp ? vita_mel_features (melp, pcm->samples, pcm->n_samples, &onset, &n_frames, &error)
               : NULL;
    if (mel == NULL)
      {
        fprintf (stderr, "%s: %s: %s\n", argv[0], spec.audio_path, error->message);
        goto out;
      }
    VitaAnalysisOptions opt;
    vita_analysis_options_init (&opt);
    /* Tokens are large: kept only for a panel drawn from them (layer similarity). */
    opt.keep_tokens = (vita_panel_get_class (spec.panel)->depends & VITA_DEPENDS_TOKENS) != 0;
    opt.priority_frame = (int) (spec.snap.position / fe->hop_length);
    an = vita_analysis_new (vit, mel, (int) n_frames, &opt, &error);
    if (an != NULL)
      vita_analysis_set_onset (an, onset);
    if (an == NULL || !vita_analysis_run (an, on_progress, NULL, NULL, NULL, NULL, &error))
      {
        vita_cli_progress_end ();
        fprintf (stderr, "%s: analysing “%s”: %s\n", argv[0], spec.audio_path, error->message);
        goto out;
      }
    vita_cli_progress_end ();
  }
  spec.snap.n_samples = pcm->n_samples;
  /* The audio may be shorter than the recorded range (another file, an edit):
   * clamp as the timeline would, keeping the span when possible. */
  {
    gint64 span = MIN (spec.snap.visible_end - spec.snap.visible_start, (gint64) pcm->n_samples);
    gint64 start = CLAMP (spec.snap.visible_start, 0, (gint64) pcm->n_samples - span);
    spec.snap.visible_start = start;
    spec.snap.visible_end = start + MAX (span, 1);
    spec.snap.position = CLAMP (spec.snap.position, 0, (gint64) pcm->n_samples);
  }
  spec.snap.n_frames = an->n_frames;
  spec.snap.n_layers = an->n_layers;
  spec.snap.n_heads = an->cfg.heads;
  cache = vita_paint_cache_new (an);
  peaks = vita_peaks_new (pcm->samples, pcm->n_samples, pcm->sample_rate);
  VitaPaintContext ctx = { .cache = cache, .peaks = peaks };
  gboolean ok = no_sidecar ? vita_export_figure (&spec, &ctx, out, &error)
                           : vita_export_figure_with_sidecar (&spec, &ctx, out, &error);
  if (ok && npy)
    ok = vita_export_npy (&spec, &ctx, npy, &error);
  if (!ok)
    {
      fprintf (stderr, "%s: %s\n", argv[0], error->message);
      goto out;
    }
  status = 0;
out:
  if (peaks)
    vita_peaks_unref (peaks);
  if (cache)
    vita_paint_cache_unref (cache);
  if (an)
    vita_analysis_unref (an);
  if (pcm)
    vita_pcm_free (pcm);
  if (vit)
    vita_vit_unref (vit);
  vita_export_spec_clear (&spec);
  return status;
}
