/* vita-cli-emergence.c — `vitascope-cli emergence SERIES AUDIO --out DIR
 * [--annotations FILE…]`: what a model learned over training, on one track.
 *
 * SERIES is a run folder (with series/), a series folder (`export-model --series`) or a
 * folder of model files with trained_steps (model/vita-series.h).  For each checkpoint,
 * one after another, the comparison table's measures of that checkpoint alone
 * (model/probe/vita-emergence.h: per layer the onset F of received attention — or its
 * correlation with spectral flux when no onsets are given — mean over heads and best
 * head, and the SSM correlation with chroma, MFCC and rhythm) and the NT-Xent loss the
 * run logged at that step.  The audio is decoded once.  Writes into DIR:
 *   emergence.csv   one row per checkpoint (step, loss, measure_L<layer> …)
 *   emergence.npy   the same columns, (n_checkpoints, n_columns) float32
 *   emergence.pdf, emergence.png, emergence.svg   the figure (views/vita-emergence-painter.h)
 *   summary.json    the series, the audio, the columns, the checkpoints, timings — written last
 * Exit status: 0, 1 failure (a message naming the file), 2 usage. */
#include "vita-cli.h"

#include "dsp/vita-audio.h"
#include "model/vita-series.h"
#include "model/probe/vita-emergence.h"
#include "model/probe/vita-metrics.h"
#include "views/vita-emergence-painter.h"

#include <errno.h>
#include <json-glib/json-glib.h>
#include <math.h>
#include <stdio.h>

#include <glib/gstdio.h>

#define PREFIX "vitascope-cli emergence: "

static void
add_number (JsonBuilder *b, double v)
{
  if (isnan (v))
    json_builder_add_null_value (b);
  else
    json_builder_add_double_value (b, v);
}

static gboolean
write_summary (const char *out_dir, const VitaSeries *series, const char *audio_path,
               const VitaEventList *onsets, const VitaEmergence *em, char **sha,
               double t_decode, double t_total, GError **error)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autofree char *audio_abs = g_canonicalize_filename (audio_path, NULL);
  g_autofree char *audio_utf8 = g_filename_display_name (audio_abs);
  g_autofree char *dir_abs = g_canonicalize_filename (series->dir, NULL);
  g_autofree char *dir_utf8 = g_filename_display_name (dir_abs);
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "format"); json_builder_add_string_value (b, "vitascope-emergence");
  json_builder_set_member_name (b, "version"); json_builder_add_string_value (b, VITA_VERSION);
  json_builder_set_member_name (b, "file"); json_builder_add_string_value (b, audio_utf8);
  json_builder_set_member_name (b, "series"); json_builder_add_string_value (b, dir_utf8);
  json_builder_set_member_name (b, "loss_log");
  if (series->log_path)
    {
      g_autofree char *d = g_filename_display_name (series->log_path);
      json_builder_add_string_value (b, d);
    }
  else
    json_builder_add_null_value (b);
  json_builder_set_member_name (b, "onsets");
  if (onsets && onsets->path)
    {
      g_autofree char *d = g_filename_display_name (onsets->path);
      json_builder_add_string_value (b, d);
    }
  else
    json_builder_add_null_value (b);
  json_builder_set_member_name (b, "n_layers"); json_builder_add_int_value (b, em->n_layers);
  json_builder_set_member_name (b, "note"); json_builder_add_string_value (b, em->note ? em->note : "");
  json_builder_set_member_name (b, "measures");
  json_builder_begin_array (b);
  for (int m = 0; m < VITA_EMERGENCE_N_MEASURES; m++)
    json_builder_add_string_value (b, vita_emergence_measure_name (em, m));
  json_builder_end_array (b);
  json_builder_set_member_name (b, "checkpoints");
  json_builder_begin_array (b);
  for (int c = 0; c < em->n_checkpoints; c++)
    {
      g_autofree char *p = g_filename_display_name (series->entries[c].path);
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "step"); json_builder_add_int_value (b, em->step[c]);
      json_builder_set_member_name (b, "path"); json_builder_add_string_value (b, p);
      json_builder_set_member_name (b, "sha256"); json_builder_add_string_value (b, sha[c]);
      json_builder_set_member_name (b, "loss"); add_number (b, em->loss[c]);
      for (int m = 0; m < VITA_EMERGENCE_N_MEASURES; m++)
        {
          json_builder_set_member_name (b, vita_emergence_measure_name (em, m));
          json_builder_begin_array (b);
          for (int l = 0; l < em->n_layers; l++)
            add_number (b, vita_emergence_get (em, c, m, l));
          json_builder_end_array (b);
        }
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_set_member_name (b, "timings");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "decode"); json_builder_add_double_value (b, t_decode);
  json_builder_set_member_name (b, "total"); json_builder_add_double_value (b, t_total);
  json_builder_end_object (b);
  json_builder_end_object (b);
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  g_autoptr(JsonNode) root = json_builder_get_root (b);
  json_generator_set_root (gen, root);
  json_generator_set_pretty (gen, TRUE);
  gsize len;
  g_autofree char *text = json_generator_to_data (gen, &len);
  g_autofree char *path = g_build_filename (out_dir, "summary.json", NULL);
  return g_file_set_contents_full (path, text, len,
                                   G_FILE_SET_CONTENTS_CONSISTENT | G_FILE_SET_CONTENTS_DURABLE,
                                   0644, error);
}

int
vita_cli_emergence (int argc, char **argv)
{
  g_auto(GStrv) annotations = NULL;
  g_autofree char *out_dir = NULL;
  int ssm_max = 1024, threads = 0, batch = 8;
  double width = 720, height = 560;
  const GOptionEntry entries[] = {
    { "out", 'o', 0, G_OPTION_ARG_FILENAME, &out_dir, "Output folder (created if missing)", "DIR" },
    { "annotations", 'a', 0, G_OPTION_ARG_FILENAME_ARRAY, &annotations,
      "Annotation file (onsets: STEM.onsets.txt; repeatable)", "FILE" },
    { "ssm-max", 0, 0, G_OPTION_ARG_INT, &ssm_max, "SSM resolution bound (default 1024)", "N" },
    { "threads", 't', 0, G_OPTION_ARG_INT, &threads, "Analysis threads (default: one per core)", "T" },
    { "batch", 0, 0, G_OPTION_ARG_INT, &batch, "Windows per forward pass (default 8)", "B" },
    { "width", 0, 0, G_OPTION_ARG_DOUBLE, &width, "Figure width (pt, default 720)", "W" },
    { "height", 0, 0, G_OPTION_ARG_DOUBLE, &height, "Figure height (pt, default 560)", "H" },
    { NULL }
  };
  g_autoptr(GOptionContext) ctx = g_option_context_new ("SERIES AUDIO");
  g_option_context_set_summary (ctx, "Per checkpoint of a training series, on one track: "
                                "attention onset F (or flux r) and SSM correlations per layer, "
                                "and the logged loss; a table and a figure.");
  g_option_context_add_main_entries (ctx, entries, NULL);
  g_autoptr(GError) error = NULL;
  if (!g_option_context_parse (ctx, &argc, &argv, &error))
    {
      fprintf (stderr, PREFIX "%s\n", error->message);
      return 2;
    }
  vita_cli_take_trailing_annotations (&annotations, &argc, argv, 3);
  const char *usage_error = argc < 3 ? "give a series folder and an audio file"
                          : argc > 3 ? "more than one audio file given"
                          : out_dir == NULL ? "--out is required" : NULL;
  if (usage_error)
    {
      fprintf (stderr, PREFIX "%s\nUsage: vitascope-cli emergence SERIES AUDIO --out DIR "
               "[--annotations FILE...]\n", usage_error);
      return 2;
    }
  if (ssm_max < 1 || ssm_max > 65536 || threads < 0 || threads > 1024 || batch < 1 || batch > 4096 ||
      !(width >= 100 && width <= 20000 && height >= 100 && height <= 20000))
    {
      fprintf (stderr, PREFIX "an option is out of range (--ssm-max 1–65536, --threads 0–1024, "
               "--batch 1–4096, --width/--height 100–20000)\n");
      return 2;
    }
  gint64 t_total = g_get_monotonic_time ();
  g_autoptr(VitaSeries) series = vita_series_open (argv[1], &error);
  if (series == NULL)
    {
      fprintf (stderr, PREFIX "%s\n", error->message);
      return 1;
    }

  g_autoptr(VitaEventList) onsets = NULL;
  int load_status = vita_cli_load_onsets (PREFIX, annotations, &onsets);
  if (load_status != 0)
    return load_status;

  if (g_mkdir_with_parents (out_dir, 0755) != 0)
    {
      int e = errno;
      g_autofree char *disp = g_filename_display_name (out_dir);
      fprintf (stderr, PREFIX "cannot create the output folder %s: %s\n", disp, g_strerror (e));
      return 1;
    }

  /* decode once, at the series' rate */
  gint64 t0 = g_get_monotonic_time ();
  g_autoptr(VitaPcm) pcm = vita_audio_load (argv[2], series->cfg.fe.sample_rate, NULL, &error);
  if (pcm == NULL)
    {
      fprintf (stderr, PREFIX "%s\n", error->message);
      return 1;
    }
  if (pcm->n_samples == 0)
    {
      g_autofree char *disp = g_filename_display_name (argv[2]);
      fprintf (stderr, PREFIX "%s: no audio to analyse\n", disp);
      return 1;
    }
  double t_decode = (g_get_monotonic_time () - t0) / 1e6;

  VitaAnalysisOptions opt;
  vita_analysis_options_init (&opt);
  opt.ssm_max = ssm_max;
  opt.batch = batch;
  opt.workers = threads;
  opt.keep_tokens = FALSE;
  g_autoptr(VitaEmergence) em = vita_emergence_new (series->n, series->cfg.depth + 1, onsets != NULL);
  char **sha = g_new0 (char *, series->n + 1);
  int status = 1;
  for (int c = 0; c < series->n; c++)
    {
      char detail[96];
      g_snprintf (detail, sizeof detail, "step %" G_GINT64_FORMAT " (%d/%d)", series->entries[c].step,
                  c + 1, series->n);
      vita_cli_progress ("checkpoints", (double) c / series->n, detail);
      g_autoptr(VitaVit) vit = vita_series_load (series, c, &error);
      if (vit == NULL)
        goto out;
      g_autoptr(VitaCompareTable) table =
        vita_emergence_checkpoint_table (vit, pcm->samples, pcm->n_samples, onsets, &opt, &error);
      if (table == NULL)
        {
          g_autofree char *disp = g_filename_display_name (series->entries[c].path);
          g_prefix_error (&error, "%s: ", disp);
          goto out;
        }
      sha[c] = g_strdup (vit->sha256);
      vita_emergence_set (em, c, series->entries[c].step,
                          vita_series_loss_at (series, series->entries[c].step), table);
    }
  vita_cli_progress_end ();
  {
    const char *figs[] = { "emergence.pdf", "emergence.png", "emergence.svg" };
    g_autofree char *csv = g_build_filename (out_dir, "emergence.csv", NULL);
    g_autofree char *npy = g_build_filename (out_dir, "emergence.npy", NULL);
    if (!vita_emergence_save_csv (em, csv, &error) || !vita_emergence_save_npy (em, npy, &error))
      goto out;
    for (guint i = 0; i < G_N_ELEMENTS (figs); i++)
      {
        g_autofree char *p = g_build_filename (out_dir, figs[i], NULL);
        if (!vita_emergence_export (em, p, width, height, NULL, &error))
          goto out;
      }
  }
  if (!write_summary (out_dir, series, argv[2], onsets, em, sha, t_decode,
                      (g_get_monotonic_time () - t_total) / 1e6, &error))
    goto out;
  {
    g_autofree char *disp = g_filename_display_name (out_dir);
    fprintf (stderr, "wrote %d checkpoints' measures to %s\n", series->n, disp);
  }
  status = 0;
out:
  vita_cli_progress_end ();
  if (status != 0)
    fprintf (stderr, PREFIX "%s\n", error ? error->message : "failed");
  g_strfreev (sha);
  return status;
}
