/* vita-cli-model.c — `vitascope-cli info MODEL` and
 * `vitascope-cli init-model OUT [--config NAME] [--seed N]`. */
#include "vita-cli.h"

#include <stdio.h>
#include <string.h>

#include "model/vita-vit-io.h"

/* 5526912 → "5,526,912" */
static char *
grouped (guint64 n)
{
  char digits[32];
  g_snprintf (digits, sizeof digits, "%" G_GUINT64_FORMAT, n);
  GString *s = g_string_new (NULL);
  gsize len = strlen (digits);
  for (gsize i = 0; i < len; i++)
    {
      if (i > 0 && (len - i) % 3 == 0)
        g_string_append_c (s, ',');
      g_string_append_c (s, digits[i]);
    }
  return g_string_free (s, FALSE);
}

static void
print_group (const char *label, gsize n)
{
  g_autofree char *g = grouped (n);
  printf ("  %-30s %12s\n", label, g);
}

static gint
cmp_str (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

/* A provenance value on one line: newlines and control characters escaped. */
static char *
one_line (const char *s)
{
  GString *out = g_string_new (NULL);
  for (const guchar *p = (const guchar *) s; *p; p++)
    {
      if (*p == '\n')
        g_string_append (out, "\\n");
      else if (*p < 0x20 || *p == 0x7f)
        g_string_append_printf (out, "\\x%02x", *p);
      else
        g_string_append_c (out, (char) *p);
    }
  return g_string_free (out, FALSE);
}

static void
print_model (const VitaVit *vit)
{
  const VitaVitConfig *c = &vit->cfg;
  const VitaFrontend *fe = &c->fe;
  double fps = (double) fe->sample_rate / fe->hop_length;

  printf ("File:          %s\n", vit->path);
  printf ("SHA-256:       %s\n", vit->sha256);
  printf ("Format:        vit1d, version 1\n");
  printf ("Model:         ViT-1D, dim %d, depth %d, heads %d (head size %d), MLP %d, "
          "LayerNorm eps %g, exact GELU\n",
          c->dim, c->depth, c->heads, c->dim / c->heads, c->mlp_dim, c->norm_eps);
  printf ("Input:         %d frames of %d mel bands (%.2f s) + a class token "
          "(learned + mean of the frames), learned positions\n",
          c->frames, fe->n_mels, c->frames / fps);
  printf ("Front-end:     %d Hz mono, Hann window %d, n_fft %d, hop %d (%.2f frames/s), "
          "%s, power %g\n",
          fe->sample_rate, fe->win_length, fe->n_fft, fe->hop_length, fps,
          fe->center ? "centred (reflect padding)" : "not centred", fe->power);
  printf ("               %d mel bands %g-%g Hz (Slaney scale and norm), "
          "log(mel + %g), normalised with mean %g and std %g\n",
          fe->n_mels, fe->f_min, fe->f_max, fe->log_offset, fe->input_mean, fe->input_std);
  if (c->proj_dim > 0)
    printf ("Projection:    head %d -> %d -> %d (NT-Xent temperature %g)\n",
            c->dim, c->dim, c->proj_dim, c->temperature);
  else
    printf ("Projection:    none (an analysis-only file)\n");

  const gsize *s = vit->sizes;
  gsize block = 0;
  for (int i = 4; i <= 15; i++)
    block += s[i];
  printf ("Parameters:\n");
  print_group ("patch embedding", s[0] + s[1]);
  print_group ("class token + positions", s[2] + s[3]);
  g_autofree char *per_block = grouped (block / (gsize) c->depth);
  g_autofree char *blocks_label = g_strdup_printf ("blocks (%d x %s)", c->depth, per_block);
  print_group (blocks_label, block);
  print_group ("final norm", s[16] + s[17]);
  if (c->proj_dim > 0)
    print_group ("projection head", s[18] + s[19] + s[20] + s[21]);
  print_group ("total", vit->num_params);
  {
    guint64 pb = 0, sb = 0;
    vita_vit_param_bytes (c, &pb);
    vita_vit_state_bytes (c, 1, FALSE, &sb);
    g_autofree char *ps = vita_format_bytes (pb), *ss = vita_format_bytes (sb);
    g_autofree char *ts = vita_format_bytes (pb + sb), *lim = vita_format_bytes (VITA_VIT_MEMORY_MAX);
    printf ("Memory:        %s (parameters %s + activations of one window %s; limit %s)\n",
            ts, ps, ss, lim);
  }

  printf ("Provenance:\n");
  guint n;
  g_autofree const char **keys =
    (const char **) g_hash_table_get_keys_as_array (vit->metadata, &n);
  qsort (keys, n, sizeof *keys, cmp_str);
  if (n == 0)
    printf ("  (none)\n");
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *k = one_line (keys[i]);
      g_autofree char *v = one_line (g_hash_table_lookup (vit->metadata, keys[i]));
      printf ("  %-16s %s\n", k, v);
    }
}

int
vita_cli_info (int argc, char **argv)
{
  g_autoptr(GOptionContext) ctx = g_option_context_new ("MODEL.safetensors");
  g_option_context_set_summary (ctx, "Print a model file's configuration, front-end, "
                                "parameter counts and provenance.");
  g_autoptr(GError) error = NULL;
  if (!g_option_context_parse (ctx, &argc, &argv, &error))
    {
      fprintf (stderr, "vitascope-cli info: %s\n", error->message);
      return 2;
    }
  if (argc != 2)
    {
      fprintf (stderr, "Usage: vitascope-cli info MODEL.safetensors\n");
      return 2;
    }
  g_autoptr(VitaVit) vit = vita_vit_load (argv[1], &error);
  if (vit == NULL)
    {
      fprintf (stderr, "vitascope-cli info: %s\n", error->message);
      return 1;
    }
  print_model (vit);
  return 0;
}

int
vita_cli_init_model (int argc, char **argv)
{
  g_autofree char *config = NULL;
  g_autofree char *seed_s = NULL;
  g_autofree char *mean_s = NULL;
  g_autofree char *std_s = NULL;
  gboolean force = FALSE;
  GOptionEntry entries[] = {
    { "config", 'c', 0, G_OPTION_ARG_STRING, &config,
      "Model configuration: tiny (the paper's), small-4l or test (default: tiny)", "NAME" },
    { "seed", 's', 0, G_OPTION_ARG_STRING, &seed_s, "Random seed (default: 0)", "N" },
    { "input-mean", 0, 0, G_OPTION_ARG_STRING, &mean_s,
      "Log-mel normalisation mean stored in the file (default: 0)", "X" },
    { "input-std", 0, 0, G_OPTION_ARG_STRING, &std_s,
      "Log-mel normalisation standard deviation (default: 1)", "X" },
    { "force", 'f', 0, G_OPTION_ARG_NONE, &force, "Overwrite OUT if it exists", NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) ctx = g_option_context_new ("OUT.safetensors");
  g_option_context_set_summary (ctx, "Write a randomly initialised ViT-1D (timm-style init) "
                                "with the full metadata of vit1d-format.md.");
  g_option_context_add_main_entries (ctx, entries, NULL);
  g_autoptr(GError) error = NULL;
  if (!g_option_context_parse (ctx, &argc, &argv, &error))
    {
      fprintf (stderr, "vitascope-cli init-model: %s\n", error->message);
      return 2;
    }
  if (argc != 2)
    {
      fprintf (stderr, "Usage: vitascope-cli init-model OUT.safetensors [--config tiny|small-4l|test] "
               "[--seed N]\n");
      return 2;
    }
  const char *out = argv[1];

  VitaVitConfig cfg;
  if (!vita_vit_config_init_preset (&cfg, config ? config : "tiny", &error))
    {
      fprintf (stderr, "vitascope-cli init-model: %s\n", error->message);
      return 2;
    }
  guint64 seed = 0;
  if (seed_s && !g_ascii_string_to_unsigned (seed_s, 10, 0, G_MAXUINT64, &seed, NULL))
    {
      fprintf (stderr, "vitascope-cli init-model: --seed '%s' is not a non-negative integer\n",
               seed_s);
      return 2;
    }
  const char *num_s[2] = { mean_s, std_s };
  float *num[2] = { &cfg.fe.input_mean, &cfg.fe.input_std };
  for (int i = 0; i < 2; i++)
    if (num_s[i])
      {
        char *end = NULL;
        double x = g_ascii_strtod (num_s[i], &end);
        if (end == num_s[i] || *end != '\0')
          {
            fprintf (stderr, "vitascope-cli init-model: --input-%s '%s' is not a number\n",
                     i ? "std" : "mean", num_s[i]);
            return 2;
          }
        *num[i] = (float) x;
      }
  if (!vita_vit_config_validate (&cfg, &error))
    {
      fprintf (stderr, "vitascope-cli init-model: %s\n", error->message);
      return 2;
    }
  if (!force && g_file_test (out, G_FILE_TEST_EXISTS))
    {
      fprintf (stderr, "vitascope-cli init-model: %s already exists (use --force to "
               "overwrite it)\n", out);
      return 1;
    }

  g_autoptr(VitaVit) vit = vita_vit_new_random (&cfg, seed);
  if (!vita_vit_save (vit, out, &error))
    {
      fprintf (stderr, "vitascope-cli init-model: %s\n", error->message);
      return 1;
    }
  char sha[65];
  if (!vita_file_sha256 (out, sha, &error))
    {
      fprintf (stderr, "vitascope-cli init-model: %s\n", error->message);
      return 1;
    }
  g_autofree char *n = grouped (vit->num_params);
  printf ("Wrote %s: %s configuration, %s parameters, seed %" G_GUINT64_FORMAT "\n"
          "SHA-256: %s\n", out, config ? config : "tiny", n, seed, sha);
  return 0;
}
