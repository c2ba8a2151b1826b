/* vita-cli-probe.c — `report` (the paper's tables) and `make-dataset` (the labelled
 * MIDI set rendered with fluidsynth). */
#include "model/vita-blas.h"
#include "vita-cli.h"
#include "model/vita-file.h"
#include "model/probe/vita-midigen.h"
#include "model/probe/vita-report.h"
#include "model/probe/vita-annotation-set.h"
#include "model/vita-vit.h"

#include <cblas.h>
#include <errno.h>
#include <math.h>
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <string.h>

/* Constant delay between a MIDI note-on and its onset in fluidsynth's file render,
 * measured with tests/measure_render_offset.py on 12 generated pieces (lag that
 * maximises spectral flux at the annotated onsets): 3 ms with a 512-sample window,
 * 8–9 ms with a 128-sample one (the attack of the samples).  5 ms is added to every
 * annotation time; it is far below a mel frame (32 ms) and the ±50/70 ms tolerances. */
#define VITA_RENDER_OFFSET_S 0.005

#define DEFAULT_SOUNDFONT "/usr/share/sounds/sf2/FluidR3_GM.sf2"

static gboolean
write_text (const char *dir, const char *name, const char *text, GError **error)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  return vita_file_write_atomic (path, text, strlen (text), error);
}

static gboolean
render_piece (const char *fluidsynth, const char *soundfont, const char *mid_path,
              const char *wav_path, int rate, GError **error)
{
  /* fluidsynth picks the file type from the extension: the temp name ends in .wav. */
  g_autofree char *tmp = g_strdup_printf ("%s.part.wav", wav_path);
  g_autofree char *rate_s = g_strdup_printf ("%d", rate);
  const char *argv[] = { fluidsynth, "-ni", "-q", "-F", tmp, "-r", rate_s, soundfont, mid_path,
                         NULL };
  g_autofree char *out = NULL, *err = NULL;
  int status = 0;
  if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out, &err,
                     &status, error))
    return FALSE;
  g_autoptr(GError) exit_error = NULL;
  if (!g_spawn_check_wait_status (status, &exit_error))
    {
      g_unlink (tmp);
      g_set_error (error, G_SPAWN_ERROR, G_SPAWN_ERROR_FAILED, "%s failed on %s: %s%s%s",
                   fluidsynth, mid_path, exit_error->message, err && *err ? "\n" : "",
                   err ? err : "");
      return FALSE;
    }
  GStatBuf st;
  if (g_stat (tmp, &st) != 0 || st.st_size <= 44)
    {
      g_unlink (tmp);
      g_set_error (error, G_SPAWN_ERROR, G_SPAWN_ERROR_FAILED,
                   "%s wrote no audio for %s (%s)", fluidsynth, mid_path, err ? err : "");
      return FALSE;
    }
  if (g_rename (tmp, wav_path) != 0)
    {
      int e = errno;
      g_unlink (tmp);
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (e), "cannot rename %s to %s: %s",
                   tmp, wav_path, g_strerror (e));
      return FALSE;
    }
  return TRUE;
}

int
vita_cli_make_dataset (int argc, char **argv)
{
  int pieces = 48;
  gint64 seed = 1;
  double seconds = 30;
  double offset = VITA_RENDER_OFFSET_S;
  int rate = 16000;
  gboolean midi_only = FALSE;
  g_autofree char *soundfont = NULL;
  g_autofree char *fluidsynth = NULL;
  GOptionEntry entries[] = {
    { "pieces", 'n', 0, G_OPTION_ARG_INT, &pieces, "Number of pieces (default 48)", "N" },
    { "seed", 's', 0, G_OPTION_ARG_INT64, &seed, "Random seed (default 1)", "S" },
    { "seconds", 0, 0, G_OPTION_ARG_DOUBLE, &seconds, "Approximate length of a piece (default 30)", "S" },
    { "rate", 'r', 0, G_OPTION_ARG_INT, &rate, "Render sample rate (default 16000)", "HZ" },
    { "offset", 0, 0, G_OPTION_ARG_DOUBLE, &offset, "Seconds added to every annotation (render latency)", "S" },
    { "soundfont", 0, 0, G_OPTION_ARG_FILENAME, &soundfont, "SoundFont (default FluidR3_GM)", "SF2" },
    { "fluidsynth", 0, 0, G_OPTION_ARG_FILENAME, &fluidsynth, "fluidsynth executable", "PATH" },
    { "midi-only", 0, 0, G_OPTION_ARG_NONE, &midi_only, "Write MIDI and annotations, do not render", NULL },
    { NULL },
  };
  g_autoptr(GOptionContext) ctx = g_option_context_new ("OUTDIR — render the labelled MIDI set");
  g_option_context_add_main_entries (ctx, entries, NULL);
  g_autoptr(GError) error = NULL;
  if (!g_option_context_parse (ctx, &argc, &argv, &error))
    {
      fprintf (stderr, "%s: %s\n", argv[0], error->message);
      return 2;
    }
  if (argc != 2 || pieces < 1 || pieces > 100000 || !(seconds >= 4 && seconds <= 3600) ||
      rate < 8000 || rate > 192000)
    {
      fprintf (stderr, "Usage: %s OUTDIR [--pieces N --seed S --seconds S]\n", argv[0]);
      return 2;
    }
  const char *outdir = argv[1];
  if (!soundfont)
    soundfont = g_strdup (DEFAULT_SOUNDFONT);
  if (!fluidsynth)
    fluidsynth = g_strdup ("fluidsynth");
  if (!midi_only)
    {
      g_autofree char *fs = g_find_program_in_path (fluidsynth);
      if (!fs)
        {
          fprintf (stderr, "%s: '%s' not found (install the fluidsynth package)\n", argv[0],
                   fluidsynth);
          return 1;
        }
      if (!g_file_test (soundfont, G_FILE_TEST_IS_REGULAR))
        {
          fprintf (stderr, "%s: SoundFont %s not found (install fluid-soundfont-gm)\n", argv[0],
                   soundfont);
          return 1;
        }
    }
  if (g_mkdir_with_parents (outdir, 0755) != 0)
    {
      fprintf (stderr, "%s: cannot create %s: %s\n", argv[0], outdir, g_strerror (errno));
      return 1;
    }

  g_autoptr(GPtrArray) found = g_ptr_array_new_with_free_func (g_free);
  for (int i = 0; i < pieces; i++)
    {
      g_autoptr(VitaPiece) p = vita_piece_generate ((guint64) seed, i, seconds);
      g_autofree char *stem = g_strdup_printf ("piece-%04d", i);
      g_autofree char *mid_name = g_strconcat (stem, ".mid", NULL);
      g_autofree char *mid_path = g_build_filename (outdir, mid_name, NULL);
      g_autofree char *wav_name = g_strconcat (stem, ".wav", NULL);
      g_autofree char *wav_path = g_build_filename (outdir, wav_name, NULL);
      g_autofree char *lab = vita_piece_chords_lab (p, offset);
      g_autofree char *beats = vita_piece_events_text (p->beats, offset);
      g_autofree char *downbeats = vita_piece_events_text (p->downbeats, offset);
      g_autofree char *onsets = vita_piece_events_text (p->onsets, offset);
      g_autofree char *key = vita_piece_key_text (p);
      g_autofree char *tags = vita_piece_tags_csv (p);
      g_autofree char *n_lab = g_strconcat (stem, ".lab", NULL);
      g_autofree char *n_beats = g_strconcat (stem, ".beats.txt", NULL);
      g_autofree char *n_down = g_strconcat (stem, ".downbeats.txt", NULL);
      g_autofree char *n_onsets = g_strconcat (stem, ".onsets.txt", NULL);
      g_autofree char *n_key = g_strconcat (stem, ".key.txt", NULL);
      g_autofree char *n_tags = g_strconcat (stem, ".tags.csv", NULL);
      if (!vita_file_write_atomic (mid_path, p->smf->data, p->smf->len, &error) ||
          !write_text (outdir, n_lab, lab, &error) ||
          !write_text (outdir, n_beats, beats, &error) ||
          !write_text (outdir, n_down, downbeats, &error) ||
          !write_text (outdir, n_onsets, onsets, &error) ||
          !write_text (outdir, n_key, key, &error) ||
          !write_text (outdir, n_tags, tags, &error) ||
          (!midi_only && !render_piece (fluidsynth, soundfont, mid_path, wav_path, rate, &error)))
        {
          vita_cli_progress_end ();
          fprintf (stderr, "%s: %s\n", argv[0], error->message);
          return 1;
        }
      g_autofree char *detail = g_strdup_printf ("%s %s %.0f BPM %d/4", stem,
                                                 vita_key_class_name (p->key), p->bpm,
                                                 p->beats_per_bar);
      vita_cli_progress ("make-dataset", (i + 1.0) / pieces, detail);
      /* read back by the readers `report` uses: what they find, from which file */
      g_autoptr(GPtrArray) warnings = g_ptr_array_new_with_free_func (g_free);
      g_autoptr(VitaAnnotationSet) ann = vita_annotation_set_find (wav_path, NAN, warnings);
      g_ptr_array_add (found, vita_annotation_set_describe (ann, stem));
      for (guint w = 0; w < warnings->len; w++)
        g_ptr_array_add (found, g_strdup_printf ("  warning: %s",
                                                 (char *) g_ptr_array_index (warnings, w)));
    }
  vita_cli_progress_end ();
  for (guint i = 0; i < found->len; i++)
    printf ("%s\n", (char *) g_ptr_array_index (found, i));
  printf ("%d pieces written to %s (seed %" G_GINT64_FORMAT ", annotation offset %.4f s)\n",
          pieces, outdir, seed, offset);
  return 0;
}

static gboolean
write_out (const char *dir, const char *name, const char *text, GError **error)
{
  return write_text (dir, name, text, error);
}

int
vita_cli_report (int argc, char **argv)
{
  VitaReportOptions opt;
  vita_report_options_init (&opt);
  g_autofree char *out = NULL;
  gint64 seed = (gint64) opt.random_seed;
  gboolean no_random = FALSE, quiet = FALSE;
  GOptionEntry entries[] = {
    { "out", 'o', 0, G_OPTION_ARG_FILENAME, &out, "Write report.md and the tables as CSV into DIR", "DIR" },
    { "pieces", 'n', 0, G_OPTION_ARG_INT, &opt.max_pieces, "Use at most N pieces (default all)", "N" },
    { "test-every", 0, 0, G_OPTION_ARG_INT, &opt.test_every, "Hold out every K-th piece (default 4)", "K" },
    { "epochs", 0, 0, G_OPTION_ARG_INT, &opt.epochs_frame, "Epochs of the frame-level probes (default 8)", "E" },
    { "clip-epochs", 0, 0, G_OPTION_ARG_INT, &opt.epochs_clip, "Epochs of the clip-level probes (default 60)", "E" },
    { "random-seed", 0, 0, G_OPTION_ARG_INT64, &seed, "Seed of the random-init twin (default 1)", "S" },
    { "tolerance", 0, 0, G_OPTION_ARG_DOUBLE, &opt.event_window, "Beat tolerance in seconds (default 0.07)", "S" },
    { "onset-tolerance", 0, 0, G_OPTION_ARG_DOUBLE, &opt.onset_window, "Onset tolerance in seconds (default 0.05)", "S" },
    { "no-random", 0, 0, G_OPTION_ARG_NONE, &no_random, "Skip the random-init twin", NULL },
    { "quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet, "No progress on stderr", NULL },
    { NULL },
  };
  g_autoptr(GOptionContext) ctx = g_option_context_new ("MODEL DATA_DIR — train and evaluate probes: the paper's tables");
  g_option_context_add_main_entries (ctx, entries, NULL);
  g_autoptr(GError) error = NULL;
  if (!g_option_context_parse (ctx, &argc, &argv, &error))
    {
      fprintf (stderr, "%s: %s\n", argv[0], error->message);
      return 2;
    }
  if (argc != 3 || opt.test_every < 2 || opt.epochs_frame < 1 || opt.epochs_clip < 1 ||
      !(opt.event_window > 0 && opt.event_window < 1) || !(opt.onset_window > 0 && opt.onset_window < 1))
    {
      fprintf (stderr, "Usage: %s MODEL DATA_DIR [--out DIR]\n", argv[0]);
      return 2;
    }
  /* The probes' mini-batch products are small: OpenBLAS threads spin and lose more
   * than they gain (measured: a 4-layer report ran >10x slower with 2 threads on a
   * busy 2-core machine).  One thread unless the user asks otherwise. */
  vita_blas_set_threads (g_getenv ("OPENBLAS_NUM_THREADS") ? 0 : 1);
  opt.random_seed = (guint64) seed;
  g_autofree char *probe_dir = out ? g_build_filename (out, "probes", NULL) : NULL;
  opt.probe_dir = probe_dir;
  opt.with_random = !no_random;
  opt.verbose = !quiet;
  /* MODEL is a file, or random:PRESET[:SEED] (e.g. random:small-4l:7) */
  g_autoptr(VitaVit) vit = NULL;
  if (g_str_has_prefix (argv[1], "random:"))
    {
      g_auto(GStrv) parts = g_strsplit (argv[1] + 7, ":", 2);
      VitaVitConfig cfg;
      if (vita_vit_config_init_preset (&cfg, parts[0], &error))
        vit = vita_vit_new_random (&cfg, parts[1] ? g_ascii_strtoull (parts[1], NULL, 10) : 7);
    }
  else
    vit = vita_vit_load (argv[1], &error);
  if (!vit)
    {
      fprintf (stderr, "%s: %s\n", argv[0], error->message);
      return 1;
    }
  g_autoptr(VitaReport) report = vita_report_run (vit, argv[2], &opt, NULL, &error);
  if (!report)
    {
      fprintf (stderr, "%s: %s\n", argv[0], error->message);
      return 1;
    }
  fputs (vita_report_markdown (report), stdout);
  if (out)
    {
      if (g_mkdir_with_parents (out, 0755) != 0)
        {
          fprintf (stderr, "%s: cannot create %s: %s\n", argv[0], out, g_strerror (errno));
          return 1;
        }
      if (!write_out (out, "report.md", vita_report_markdown (report), &error))
        {
          fprintf (stderr, "%s: %s\n", argv[0], error->message);
          return 1;
        }
      GHashTableIter it;
      gpointer k, v;
      g_hash_table_iter_init (&it, vita_report_csv (report));
      while (g_hash_table_iter_next (&it, &k, &v))
        if (!write_out (out, k, v, &error))
          {
            fprintf (stderr, "%s: %s\n", argv[0], error->message);
            return 1;
          }
      fprintf (stderr, "report written to %s\n", out);
    }
  return 0;
}
