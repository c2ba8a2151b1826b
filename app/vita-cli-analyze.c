/* vita-cli-analyze.c — `vitascope-cli analyze AUDIO --model MODEL --out DIR`.
 *
 * Writes into DIR (each file atomically: temp file in DIR, fsync, rename):
 *   mel.npy        (n_frames, M)             the model's input, normalised log-mel
 *   onset.npy      (n_frames)                spectral-flux onset novelty
 *   tokens.npy     (n_sel, n_frames, D)      per-frame tokens of the selected layers
 *                                            (layer 0 = the input embedding, l = after block l)
 *   cls.npy        (n_windows, n_layers, D)  every window's class token per layer
 *   attention.npy  (n_windows, L, NH, N, N)  every window's softmax maps, streamed
 *                                            (omitted with --no-attention)
 *   received.npy   (L, NH, n_frames)         attention each frame receives
 *   ssm.npy        (n_sel, S, S)             per-layer self-similarity (pooled)
 *   windows.npy    (n_windows, 3)            start frame, first and end (exclusive)
 *                                            frame the window owns
 *   summary.json   file, model, shapes, windows, timings
 * Definitions: model/vita-analysis.h.  Exit status: 0 success, 1 failure (message
 * names the file), 2 usage error.
 */
#define _GNU_SOURCE 1  /* renameat2 */
#include "model/vita-blas.h"
#include "vita-cli.h"
#include "vita-default-model.h"

#include "dsp/vita-audio.h"
#include "dsp/vita-features.h"
#include "dsp/vita-mel.h"
#include "model/vita-analysis.h"
#include "model/vita-npy.h"

#include <cblas.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>
#include <json-glib/json-glib.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <glib/gstdio.h>

typedef struct {
  const char    *out_dir;
  VitaNpyWriter *writer;       /* attention.npy */
  gint64         t_start;
} RunData;

static double
seconds_since (gint64 t0)
{
  return (g_get_monotonic_time () - t0) / 1e6;
}

static void
on_progress (VitaAnalysis *an, int done, int total, gpointer data)
{
  RunData *rd = data;
  char detail[96];
  double el = seconds_since (rd->t_start);
  g_snprintf (detail, sizeof detail, "%d/%d windows, %.1f s", done, total, el);
  vita_cli_progress ("analysing", (double) done / total, detail);
}

static gboolean
on_attention (VitaAnalysis *an, int window, const float *attention, gpointer data,
              GError **error)
{
  RunData *rd = data;
  gsize N = an->cfg.frames + 1;
  gsize n = (gsize) an->cfg.depth * an->cfg.heads * N * N;
  return vita_npy_writer_append (rd->writer, attention, n, error);
}

/* "0,3,6-12" → sorted unique layer list within 0..n_layers-1. */
static GArray *
parse_layers (const char *spec, int n_layers, GError **error)
{
  GArray *layers = g_array_new (FALSE, FALSE, sizeof (int));
  if (spec == NULL)
    {
      for (int l = 0; l < n_layers; l++)
        g_array_append_val (layers, l);
      return layers;
    }
  g_autofree gboolean *seen = g_new0 (gboolean, n_layers);
  g_auto(GStrv) parts = g_strsplit (spec, ",", -1);
  for (int i = 0; parts[i]; i++)
    {
      char *s = g_strstrip (parts[i]);
      char *end;
      gint64 a, b;
      errno = 0;
      a = g_ascii_strtoll (s, &end, 10);
      if (end == s || errno)
        goto bad;
      b = a;
      if (*end == '-')
        {
          char *s2 = end + 1;
          b = g_ascii_strtoll (s2, &end, 10);
          if (end == s2 || errno)
            goto bad;
        }
      if (*end != '\0' || a < 0 || b < a || b >= n_layers)
        goto bad;
      for (gint64 l = a; l <= b; l++)
        seen[l] = TRUE;
    }
  for (int l = 0; l < n_layers; l++)
    if (seen[l])
      g_array_append_val (layers, l);
  if (layers->len == 0)
    goto bad;
  return layers;
bad:
  g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
               "--layers '%s': expected layers like 0,6,12 or 1-4 within 0–%d",
               spec, n_layers - 1);
  g_array_unref (layers);
  return NULL;
}

static gboolean
save_npy (const char *dir, const char *name, const float *data, int ndim, const gsize *shape,
          JsonBuilder *files, GError **error)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  if (!vita_npy_save (path, data, ndim, shape, error))
    return FALSE;
  json_builder_set_member_name (files, name);
  json_builder_begin_array (files);
  for (int i = 0; i < ndim; i++)
    json_builder_add_int_value (files, shape[i]);
  json_builder_end_array (files);
  return TRUE;
}

static void
add_shape (JsonBuilder *files, const char *name, int ndim, const gsize *shape)
{
  json_builder_set_member_name (files, name);
  json_builder_begin_array (files);
  for (int i = 0; i < ndim; i++)
    json_builder_add_int_value (files, shape[i]);
  json_builder_end_array (files);
}

/* A float setting as the shortest decimal that reads back to it (1e-06, not
 * 9.9999999747524271e-07). */
static double
float_value (float v)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE], fmt[8];
  for (int digits = 6; digits < 10; digits++)
    {
      g_snprintf (fmt, sizeof fmt, "%%.%dg", digits);
      g_ascii_formatd (buf, sizeof buf, fmt, (double) v);   /* locale-independent */
      if ((float) g_ascii_strtod (buf, NULL) == v)
        break;
    }
  return g_ascii_strtod (buf, NULL);
}

static void
add_config (JsonBuilder *b, const VitaVitConfig *c)
{
  json_builder_begin_object (b);
#define SET_I(k, v) json_builder_set_member_name (b, k); json_builder_add_int_value (b, v)
#define SET_D(k, v) json_builder_set_member_name (b, k); json_builder_add_double_value (b, float_value (v))
  SET_I ("frames", c->frames); SET_I ("dim", c->dim); SET_I ("depth", c->depth); SET_I ("heads", c->heads);
  SET_I ("mlp_dim", c->mlp_dim); SET_I ("proj_dim", c->proj_dim); SET_D ("norm_eps", c->norm_eps);
  SET_I ("sample_rate", c->fe.sample_rate); SET_I ("n_fft", c->fe.n_fft);
  SET_I ("win_length", c->fe.win_length); SET_I ("hop_length", c->fe.hop_length);
  SET_I ("n_mels", c->fe.n_mels); SET_D ("f_min", c->fe.f_min); SET_D ("f_max", c->fe.f_max);
  SET_D ("log_offset", c->fe.log_offset); SET_D ("input_mean", c->fe.input_mean);
  SET_D ("input_std", c->fe.input_std);
#undef SET_I
#undef SET_D
  json_builder_end_object (b);
}

/* ---- the output folder is replaced as a set (issue 15.3) ---------------------------
 * The new set is written into a hidden staging folder beside the target
 * (".NAME.vita-stage-PID-XXXXXX"), then swapped in with renameat2(RENAME_EXCHANGE)
 * (or, where the file system lacks it, two renames: the target is briefly absent,
 * never mixed), and the old set is removed.  A killed run leaves only a staging
 * folder, which the next run into the same target removes once its process is gone. */

static const char *const analysis_files[] = {
  "mel.npy", "onset.npy", "tokens.npy", "cls.npy", "attention.npy", "received.npy",
  "ssm.npy", "windows.npy", "summary.json",
};

static gboolean
is_analysis_file (const char *name)
{
  for (gsize i = 0; i < G_N_ELEMENTS (analysis_files); i++)
    if (g_str_equal (name, analysis_files[i]))
      return TRUE;
  /* temporaries of 0.1's in-place writes ("attention.npy.tmp-AbC123") and of
   * g_file_set_contents ("summary.json.AbC123") */
  for (gsize i = 0; i < G_N_ELEMENTS (analysis_files); i++)
    if (g_str_has_prefix (name, analysis_files[i]) && name[strlen (analysis_files[i])] == '.')
      return TRUE;
  return g_str_has_prefix (name, ".vtmp-");
}

/* Removes a staging folder (files only, one level: all analyze ever writes). */
static void
remove_set (const char *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  if (d != NULL)
    for (const char *n; (n = g_dir_read_name (d)) != NULL;)
      {
        g_autofree char *p = g_build_filename (dir, n, NULL);
        g_unlink (p);
      }
  g_rmdir (dir);
}

/* Staging folders of runs that were killed: their process no longer exists. */
static void
remove_stale_staging (const char *parent, const char *base)
{
  g_autofree char *prefix = g_strdup_printf (".%s.vita-stage-", base);
  g_autoptr(GDir) d = g_dir_open (parent, 0, NULL);
  if (d == NULL)
    return;
  for (const char *n; (n = g_dir_read_name (d)) != NULL;)
    {
      if (!g_str_has_prefix (n, prefix))
        continue;
      char *end = NULL;
      gint64 pid = g_ascii_strtoll (n + strlen (prefix), &end, 10);
      if (end == n + strlen (prefix) || *end != '-' || pid <= 0 || pid > G_MAXINT)
        continue;
      if (pid != getpid () && kill ((pid_t) pid, 0) == 0)
        continue;   /* a run in progress */
      g_autofree char *p = g_build_filename (parent, n, NULL);
      remove_set (p);
    }
}

/* Checks that an existing target holds nothing but an analysis (the set is replaced
 * as a whole, so anything else would be lost) and removes 0.1's stale temporaries. */
static gboolean
check_target (const char *target, GError **error)
{
  g_autofree char *disp = g_filename_display_name (target);
  struct stat sb;
  if (g_lstat (target, &sb) != 0)
    return TRUE;
  if (!S_ISDIR (sb.st_mode))
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_NOTDIR,
                   "the output folder %s exists and is not a folder", disp);
      return FALSE;
    }
  g_autoptr(GError) local = NULL;
  g_autoptr(GDir) d = g_dir_open (target, 0, &local);
  if (d == NULL)
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_ACCES, "the output folder %s: %s", disp,
                   local->message);
      return FALSE;
    }
  for (const char *n; (n = g_dir_read_name (d)) != NULL;)
    if (!is_analysis_file (n))
      {
        g_autofree char *dn = g_filename_display_name (n);
        g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_EXIST,
                     "the output folder %s holds “%s”, which is not part of an analysis; the "
                     "folder is replaced as a whole, so give a new or empty folder", disp, dn);
        return FALSE;
      }
  return TRUE;
}

static void
fsync_dir (const char *dir)
{
  int fd = g_open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
  if (fd >= 0)
    {
      (void) fsync (fd);
      close (fd);
    }
}

/* Swaps the complete staging folder in for the target. */
static gboolean
commit_set (const char *stage, const char *target, const char *parent, const char *base,
            GError **error)
{
  g_autofree char *disp = g_filename_display_name (target);
  fsync_dir (stage);
  if (g_file_test (target, G_FILE_TEST_IS_DIR))
    {
      if (renameat2 (AT_FDCWD, stage, AT_FDCWD, target, RENAME_EXCHANGE) == 0)
        {
          fsync_dir (parent);
          remove_set (stage);   /* now the old set */
          return TRUE;
        }
      if (errno != EINVAL && errno != ENOSYS && errno != ENOTSUP)
        {
          int e = errno;
          g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (e),
                       "cannot replace the output folder %s: %s", disp, g_strerror (e));
          return FALSE;
        }
      /* no RENAME_EXCHANGE here: move the old set aside as a staging folder of ours
       * (removed by the next run if we die now), then move the new one in */
      g_autofree char *old = g_strdup_printf ("%s/.%s.vita-stage-%d-old", parent, base,
                                              (int) getpid ());
      if (g_rename (target, old) != 0)
        {
          int e = errno;
          g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (e),
                       "cannot replace the output folder %s: %s", disp, g_strerror (e));
          return FALSE;
        }
      if (g_rename (stage, target) != 0)
        {
          int e = errno;
          (void) g_rename (old, target);
          g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (e),
                       "cannot replace the output folder %s: %s", disp, g_strerror (e));
          return FALSE;
        }
      fsync_dir (parent);
      remove_set (old);
      return TRUE;
    }
  if (g_rename (stage, target) != 0)
    {
      int e = errno;
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (e),
                   "cannot create the output folder %s: %s", disp, g_strerror (e));
      return FALSE;
    }
  fsync_dir (parent);
  return TRUE;
}

int
vita_cli_analyze (int argc, char **argv)
{
  g_autofree char *model_path = NULL, *out_dir = NULL, *layers_spec = NULL;
  int ssm_max = 1024, threads = 0, batch = 8;
  gboolean no_attention = FALSE;
  double start_sec = 0, duration_sec = 0;
  /* Longer tracks are refused before they are decoded.  3 hours: the tokens live in
   * the token cache file beyond a few minutes (model/vita-analysis.h); what stays in
   * memory grows with the decoded PCM and the spectrogram (~130 MB per hour each). */
  double max_duration = 3 * 3600.0;
  const GOptionEntry entries[] = {
    { "model", 'm', 0, G_OPTION_ARG_FILENAME, &model_path, "Model file (safetensors, vit1d), or 'default': the installed default model", "MODEL" },
    { "out", 'o', 0, G_OPTION_ARG_FILENAME, &out_dir, "Output folder (created if missing)", "DIR" },
    { "ssm-max", 0, 0, G_OPTION_ARG_INT, &ssm_max, "SSM resolution bound (default 1024)", "N" },
    { "threads", 't', 0, G_OPTION_ARG_INT, &threads, "Analysis threads (default: one per core)", "T" },
    { "batch", 0, 0, G_OPTION_ARG_INT, &batch, "Windows per forward pass (default 8)", "B" },
    { "no-attention", 0, 0, G_OPTION_ARG_NONE, &no_attention, "Do not write attention.npy", NULL },
    { "layers", 0, 0, G_OPTION_ARG_STRING, &layers_spec, "Token layers for tokens.npy and ssm.npy, 0…L (0 = the input embedding), e.g. 0,6,12 or 1-4 (default all)", "LIST" },
    { "start", 0, 0, G_OPTION_ARG_DOUBLE, &start_sec, "Analyse from this time (seconds)", "SEC" },
    { "duration", 0, 0, G_OPTION_ARG_DOUBLE, &duration_sec, "Analyse at most this long (seconds; default: to the end)", "SEC" },
    { "max-duration", 0, 0, G_OPTION_ARG_DOUBLE, &max_duration, "Refuse audio files longer than this (seconds; default 10800, 3 hours)", "SEC" },
    { NULL }
  };
  g_autoptr(GOptionContext) ctx = g_option_context_new ("AUDIO");
  g_option_context_set_summary (ctx, "Analyse an audio file with a ViT-1D: mel, tokens of every layer, "
                                "attention of every window, per-layer SSMs, onset novelty, summary.json.");
  g_option_context_add_main_entries (ctx, entries, NULL);
  g_autoptr(GError) error = NULL;
  if (!g_option_context_parse (ctx, &argc, &argv, &error))
    {
      fprintf (stderr, "vitascope-cli analyze: %s\n", error->message);
      return 2;
    }
  if (argc != 2 || model_path == NULL || out_dir == NULL)
    {
      fprintf (stderr, "vitascope-cli analyze: %s\n"
               "Usage: vitascope-cli analyze AUDIO --model MODEL --out DIR [--ssm-max N] "
               "[--threads T] [--no-attention] [--layers LIST] [--start SEC] [--duration SEC]\n",
               argc < 2 ? "no audio file given" : argc > 2 ? "more than one audio file given"
               : model_path == NULL ? "--model is required" : "--out is required");
      return 2;
    }
  if (strcmp (model_path, "default") == 0 && !g_file_test (model_path, G_FILE_TEST_EXISTS))
    {
      /* the bundled model where this binary is installed (vita-default-model.h) */
      char *found = vita_default_model_find ();
      if (found == NULL)
        {
          fprintf (stderr, "vitascope-cli analyze: --model default: no default model installed "
                   "(share/vitascope/models/default.safetensors beside this program's prefix)\n");
          return 1;
        }
      g_free (model_path);
      model_path = found;
    }
  if (ssm_max < 1 || ssm_max > 65536 || threads < 0 || threads > 1024 || batch < 1 ||
      batch > 4096 || !(start_sec >= 0) || !(duration_sec >= 0) || !isfinite (start_sec) ||
      !isfinite (duration_sec) || !(max_duration > 0) || !isfinite (max_duration))
    {
      fprintf (stderr, "vitascope-cli analyze: an option is out of range (--ssm-max 1–65536, "
               "--threads 0–1024, --batch 1–4096, --start and --duration >= 0, --max-duration > 0)\n");
      return 2;
    }
  if (max_duration > 1e7)
    {
      fprintf (stderr, "vitascope-cli analyze: --max-duration must be between 0 and 1e7 s\n");
      return 2;
    }
  const char *audio_path = argv[1];
  if (threads > 0)
    vita_blas_set_threads (threads);

  gint64 t_total = g_get_monotonic_time ();
  double t_load_model, t_decode, t_mel, t_analysis, t_write;

  /* the model */
  gint64 t0 = g_get_monotonic_time ();
  g_autoptr(VitaVit) vit = vita_vit_load (model_path, &error);
  if (vit == NULL)
    {
      fprintf (stderr, "vitascope-cli analyze: %s\n", error->message);
      return 1;
    }
  const VitaVitConfig *cfg = &vit->cfg;
  const int n_layers = cfg->depth + 1;
  g_autoptr(GArray) layers = parse_layers (layers_spec, n_layers, &error);
  if (layers == NULL)
    {
      fprintf (stderr, "vitascope-cli analyze: %s\n", error->message);
      return 2;
    }
  t_load_model = seconds_since (t0);

  /* The set is written into a staging folder beside the target and swapped in at
   * the end (issue 15.3); target_dir is where it lands, out_dir the staging folder. */
  g_autofree char *target_dir = g_canonicalize_filename (out_dir, NULL);
  g_autofree char *target_parent = g_path_get_dirname (target_dir);
  g_autofree char *target_base = g_path_get_basename (target_dir);
  if (strlen (target_base) > 200)
    {
      /* ".NAME.vita-stage-PID-XXXXXX" must stay within NAME_MAX (255 bytes): a long
       * name is replaced by its hash in the staging folder's name (issue 15.10) */
      g_autofree char *h = g_compute_checksum_for_string (G_CHECKSUM_SHA256, target_base, -1);
      g_free (target_base);
      target_base = g_strndup (h, 32);
    }
  if (g_mkdir_with_parents (target_parent, 0755) != 0)
    {
      int e = errno;
      g_autofree char *disp = g_filename_display_name (out_dir);
      fprintf (stderr, "vitascope-cli analyze: cannot create the output folder %s: %s\n",
               disp, g_strerror (e));
      return 1;
    }
  remove_stale_staging (target_parent, target_base);
  if (!check_target (target_dir, &error))
    {
      fprintf (stderr, "vitascope-cli analyze: %s\n", error->message);
      return 1;
    }
  g_autofree char *stage_dir = g_strdup_printf ("%s/.%s.vita-stage-%d-XXXXXX", target_parent,
                                                target_base, (int) getpid ());
  if (g_mkdtemp_full (stage_dir, 0755) == NULL)
    {
      int e = errno;
      g_autofree char *disp = g_filename_display_name (out_dir);
      fprintf (stderr, "vitascope-cli analyze: cannot create the output folder %s: %s\n",
               disp, g_strerror (e));
      return 1;
    }
  g_free (out_dir);
  out_dir = g_strdup (stage_dir);

  /* decode */
  vita_audio_set_max_duration (max_duration);
  t0 = g_get_monotonic_time ();
  /* with --duration only what is analysed is decoded: a part of a file longer than
   * the duration limit is not refused (issue 15.10) */
  g_autoptr(VitaPcm) pcm = duration_sec > 0
    ? vita_audio_load_prefix (audio_path, cfg->fe.sample_rate, start_sec + duration_sec, NULL, &error)
    : vita_audio_load (audio_path, cfg->fe.sample_rate, NULL, &error);
  if (pcm == NULL)
    {
      fprintf (stderr, "vitascope-cli analyze: %s\n", error->message);
      remove_set (stage_dir);
      return 1;
    }
  double source_duration = pcm->duration;
  gsize first = (gsize) MIN ((double) pcm->n_samples, floor (start_sec * pcm->sample_rate));
  gsize n_samples = pcm->n_samples - first;
  if (duration_sec > 0)
    n_samples = (gsize) MIN ((double) n_samples, floor (duration_sec * pcm->sample_rate));
  if (n_samples == 0)
    {
      g_autofree char *disp = g_filename_display_name (audio_path);
      fprintf (stderr, "vitascope-cli analyze: %s: no audio to analyse (%.3f s long, "
               "starting at %.3f s)\n", disp, source_duration, start_sec);
      remove_set (stage_dir);
      return 1;
    }
  if (pcm->n_nonfinite > 0)
    {
      g_autofree char *disp = g_filename_display_name (audio_path);
      fprintf (stderr, "vitascope-cli analyze: warning: %s: %u NaN/Inf samples replaced by 0\n",
               disp, pcm->n_nonfinite);
    }
  t_decode = seconds_since (t0);

  /* what the analysis of this much audio will cost, before computing any of it */
  if (!vita_vit_check_audio (cfg, n_samples, audio_path, &error))
    {
      fprintf (stderr, "vitascope-cli analyze: %s\n", error->message);
      remove_set (stage_dir);
      return 1;
    }
  g_autoptr(VitaMel) melproc = vita_mel_new (&cfg->fe, &error);
  if (melproc == NULL)
    {
      g_autofree char *disp = g_filename_display_name (model_path);
      fprintf (stderr, "vitascope-cli analyze: %s: front-end: %s\n", disp, error->message);
      remove_set (stage_dir);
      return 1;
    }
  /* the one front-end call: the model's mel and the spectral flux of the same STFT */
  t0 = g_get_monotonic_time ();
  g_autofree float *onset = NULL;
  gsize n_frames = 0;
  /* a long track's PCM is a mapping whose pages are dropped as they are read */
  g_autofree float *mel = vita_mel_features_pcm (melproc, pcm, first, n_samples, &onset,
                                                 &n_frames, &error);
  if (mel == NULL)
    {
      g_autofree char *disp = g_filename_display_name (audio_path);
      fprintf (stderr, "vitascope-cli analyze: %s: %s\n", disp, error->message);
      remove_set (stage_dir);
      return 1;
    }
  const int M = cfg->fe.n_mels;
  t_mel = seconds_since (t0);
  g_clear_pointer (&melproc, vita_mel_free);
  int pcm_rate = pcm->sample_rate, source_rate = pcm->source_rate, source_channels = pcm->source_channels;
  g_clear_pointer (&pcm, vita_pcm_free);   /* PCM is not needed any more */

  /* every variable freed on the way out of `fail` is declared before the first goto */
  g_autoptr(VitaAnalysis) an = NULL;
  g_autofree char *att_path = g_build_filename (out_dir, "attention.npy", NULL);
  g_autoptr(JsonBuilder) files = json_builder_new ();
  json_builder_begin_object (files);
  gint64 t_w0 = g_get_monotonic_time ();
  gsize shape[5];
  shape[0] = n_frames; shape[1] = M;
  if (!save_npy (out_dir, "mel.npy", mel, 2, shape, files, &error) ||
      !save_npy (out_dir, "onset.npy", onset, 1, shape, files, &error))
    goto fail;
  t_write = seconds_since (t_w0);

  /* the analysis */
  VitaAnalysisOptions opt;
  vita_analysis_options_init (&opt);
  opt.ssm_max = ssm_max;
  opt.batch = batch;
  opt.workers = threads;   /* 0: one worker per core (each with single-threaded BLAS) */
  an = vita_analysis_new (vit, mel, (int) n_frames, &opt, &error);
  if (an == NULL)
    goto fail;
  g_clear_pointer (&mel, g_free);
  const gsize N = cfg->frames + 1, D = cfg->dim, L = cfg->depth, NH = cfg->heads;
  RunData rd = { out_dir, NULL, g_get_monotonic_time () };
  if (!no_attention)
    {
      shape[0] = an->n_windows; shape[1] = L; shape[2] = NH; shape[3] = N; shape[4] = N;
      rd.writer = vita_npy_writer_new (att_path, 5, shape, &error);
      if (rd.writer == NULL)
        goto fail;
    }
  t0 = g_get_monotonic_time ();
  gboolean ran = vita_analysis_run (an, on_progress, &rd, no_attention ? NULL : on_attention, &rd,
                                    NULL, &error);
  vita_cli_progress_end ();
  if (!ran)
    {
      g_clear_pointer (&rd.writer, vita_npy_writer_free);
      goto fail;
    }
  t_analysis = seconds_since (t0);
  t_w0 = g_get_monotonic_time ();
  if (rd.writer)
    {
      gboolean ok = vita_npy_writer_commit (rd.writer, &error);
      g_clear_pointer (&rd.writer, vita_npy_writer_free);
      if (!ok)
        goto fail;
      shape[0] = an->n_windows; shape[1] = L; shape[2] = NH; shape[3] = N; shape[4] = N;
      add_shape (files, "attention.npy", 5, shape);
    }

  /* tokens and SSMs of the selected layers; the tokens are streamed a few MB at a time,
   * and a token cache's pages are dropped as they are written (model/vita-analysis.h) */
  const gsize S = an->ssm_size, n_sel = layers->len;
  {
    g_autofree char *path = g_build_filename (out_dir, "tokens.npy", NULL);
    shape[0] = n_sel; shape[1] = n_frames; shape[2] = D;
    g_autoptr(VitaNpyWriter) w = vita_npy_writer_new (path, 3, shape, &error);
    if (w == NULL)
      goto fail;
    const gsize per = n_frames * D, chunk = (gsize) 1 << 20;   /* floats */
    for (gsize i = 0; i < n_sel; i++)
      for (gsize off = 0; off < per; off += chunk)
        {
          const float *src = an->tokens + g_array_index (layers, int, i) * per + off;
          if (!vita_npy_writer_append (w, src, MIN (chunk, per - off), &error))
            goto fail;
          vita_analysis_release_tokens (an);
        }
    if (!vita_npy_writer_commit (w, &error))
      goto fail;
    add_shape (files, "tokens.npy", 3, shape);
  }
  if (n_sel == (gsize) n_layers)
    {
      shape[0] = n_layers; shape[1] = S; shape[2] = S;
      if (!save_npy (out_dir, "ssm.npy", an->ssm, 3, shape, files, &error))
        goto fail;
    }
  else
    {
      g_autofree char *path = g_build_filename (out_dir, "ssm.npy", NULL);
      shape[0] = n_sel; shape[1] = S; shape[2] = S;
      g_autoptr(VitaNpyWriter) w = vita_npy_writer_new (path, 3, shape, &error);
      if (w == NULL)
        goto fail;
      for (gsize i = 0; i < n_sel; i++)
        if (!vita_npy_writer_append (w, an->ssm + g_array_index (layers, int, i) * S * S, S * S, &error))
          goto fail;
      if (!vita_npy_writer_commit (w, &error))
        goto fail;
      add_shape (files, "ssm.npy", 3, shape);
    }
  shape[0] = an->n_windows; shape[1] = n_layers; shape[2] = D;
  if (!save_npy (out_dir, "cls.npy", an->cls, 3, shape, files, &error))
    goto fail;
  shape[0] = L; shape[1] = NH; shape[2] = n_frames;
  if (!save_npy (out_dir, "received.npy", an->received, 3, shape, files, &error))
    goto fail;
  {
    g_autofree float *win = g_new (float, (gsize) an->n_windows * 3);
    for (int w = 0; w < an->n_windows; w++)
      {
        win[w * 3 + 0] = an->window_start[w];
        win[w * 3 + 1] = an->window_owned[w];
        win[w * 3 + 2] = an->window_owned[w + 1];
      }
    shape[0] = an->n_windows; shape[1] = 3;
    if (!save_npy (out_dir, "windows.npy", win, 2, shape, files, &error))
      goto fail;
  }
  t_write += seconds_since (t_w0);
  json_builder_end_object (files);

  /* summary.json */
  {
    g_autoptr(JsonBuilder) b = json_builder_new ();
    g_autofree char *audio_abs = g_canonicalize_filename (audio_path, NULL);
    g_autofree char *model_abs = g_canonicalize_filename (model_path, NULL);
    g_autofree char *audio_utf8 = g_filename_display_name (audio_abs);
    g_autofree char *model_utf8 = g_filename_display_name (model_abs);
    json_builder_begin_object (b);
    json_builder_set_member_name (b, "format"); json_builder_add_string_value (b, "vitascope-analysis");
    json_builder_set_member_name (b, "version"); json_builder_add_string_value (b, VITA_VERSION);
    json_builder_set_member_name (b, "file"); json_builder_add_string_value (b, audio_utf8);
    json_builder_set_member_name (b, "audio");
    json_builder_begin_object (b);
    json_builder_set_member_name (b, "source_rate"); json_builder_add_int_value (b, source_rate);
    json_builder_set_member_name (b, "source_channels"); json_builder_add_int_value (b, source_channels);
    json_builder_set_member_name (b, "source_duration"); json_builder_add_double_value (b, source_duration);
    /* with --duration only start + duration was decoded: source_duration is that much */
    json_builder_set_member_name (b, "decoded_prefix_only"); json_builder_add_boolean_value (b, duration_sec > 0);
    json_builder_set_member_name (b, "start"); json_builder_add_double_value (b, (double) first / pcm_rate);
    json_builder_set_member_name (b, "duration"); json_builder_add_double_value (b, (double) n_samples / pcm_rate);
    json_builder_set_member_name (b, "n_samples"); json_builder_add_int_value (b, n_samples);
    json_builder_end_object (b);
    json_builder_set_member_name (b, "model");
    json_builder_begin_object (b);
    json_builder_set_member_name (b, "path"); json_builder_add_string_value (b, model_utf8);
    json_builder_set_member_name (b, "sha256"); json_builder_add_string_value (b, vit->sha256);
    json_builder_set_member_name (b, "config"); add_config (b, cfg);
    json_builder_end_object (b);
    json_builder_set_member_name (b, "sample_rate"); json_builder_add_int_value (b, cfg->fe.sample_rate);
    json_builder_set_member_name (b, "hop"); json_builder_add_int_value (b, cfg->fe.hop_length);
    json_builder_set_member_name (b, "frame_rate");
    json_builder_add_double_value (b, (double) cfg->fe.sample_rate / cfg->fe.hop_length);
    json_builder_set_member_name (b, "n_frames"); json_builder_add_int_value (b, n_frames);
    json_builder_set_member_name (b, "layers");
    json_builder_begin_array (b);
    for (guint i = 0; i < layers->len; i++)
      json_builder_add_int_value (b, g_array_index (layers, int, i));
    json_builder_end_array (b);
    json_builder_set_member_name (b, "indexing");
    json_builder_add_string_value (b, "tokens.npy and ssm.npy layer axis: the token layers listed in "
                                   "\"layers\" (0…L, 0 = the input embedding, l = after block l); "
                                   "attention.npy and received.npy layer axis 0…L−1 = layers 1…L "
                                   "(no attention at the input); heads axis 0…H−1 = heads 1…H");
    json_builder_set_member_name (b, "windows");
    json_builder_begin_object (b);
    json_builder_set_member_name (b, "count"); json_builder_add_int_value (b, an->n_windows);
    json_builder_set_member_name (b, "frames"); json_builder_add_int_value (b, cfg->frames);
    json_builder_set_member_name (b, "hop"); json_builder_add_int_value (b, an->window_hop);
    json_builder_set_member_name (b, "padded_frames"); json_builder_add_int_value (b, an->n_pad);
    json_builder_set_member_name (b, "pad_value"); json_builder_add_double_value (b, float_value (an->pad_value));
    json_builder_set_member_name (b, "ownership");
    json_builder_add_string_value (b, "most central window, earlier on a tie");
    json_builder_end_object (b);
    json_builder_set_member_name (b, "ssm");
    json_builder_begin_object (b);
    json_builder_set_member_name (b, "size"); json_builder_add_int_value (b, an->ssm_size);
    json_builder_set_member_name (b, "pool"); json_builder_add_int_value (b, an->ssm_pool);
    json_builder_set_member_name (b, "definition");
    json_builder_add_string_value (b, "block means of the cosine self-similarity of the sequence tokens");
    json_builder_end_object (b);
    json_builder_set_member_name (b, "received_definition");
    json_builder_add_string_value (b, "column sums of the owning window's softmax attention over all its query rows");
    json_builder_set_member_name (b, "shapes");
    json_builder_add_value (b, json_builder_get_root (files));
    json_builder_set_member_name (b, "timings");
    json_builder_begin_object (b);
#define SET_T(k, v) json_builder_set_member_name (b, k); json_builder_add_double_value (b, v)
    SET_T ("load_model", t_load_model); SET_T ("decode", t_decode); SET_T ("mel", t_mel);
    SET_T ("forward", an->seconds_forward); SET_T ("ssm", an->seconds_ssm); SET_T ("analysis", t_analysis);
    SET_T ("write", t_write); SET_T ("total", seconds_since (t_total));
#undef SET_T
    json_builder_end_object (b);
    json_builder_set_member_name (b, "blas_threads"); json_builder_add_int_value (b, vita_blas_get_threads ());
    json_builder_end_object (b);

    if (!vita_cli_write_summary (b, out_dir, &error))
      goto fail;
  }
  if (!commit_set (stage_dir, target_dir, target_parent, target_base, &error))
    goto fail;
  {
    g_autofree char *disp = g_filename_display_name (target_dir);
    printf ("%s: %" G_GSIZE_FORMAT " frames, %d windows, %.2f s (forward %.2f s) → %s\n",
            audio_path, n_frames, an->n_windows, seconds_since (t_total), an->seconds_forward, disp);
  }
  return 0;

fail:
  fprintf (stderr, "vitascope-cli analyze: %s\n", error ? error->message : "failed");
  remove_set (stage_dir);
  return 1;
}
