/* vita-cli-common.c — helpers shared by the subcommands. */
#include "vita-cli.h"
#include "vita-gst-decode.h"
#include "model/vita-file.h"

#include <stdio.h>
#include <unistd.h>

static gboolean progress_shown;

void
vita_cli_progress (const char *label, double fraction, const char *detail)
{
  if (g_getenv ("VITASCOPE_CLI_PROGRESS") != NULL)
    {
      /* for the app (Export Video…): one line per update */
      fprintf (stderr, "progress %.4f %s\n", CLAMP (fraction, 0.0, 1.0), detail ? detail : "");
      fflush (stderr);
      return;
    }
  if (!isatty (STDERR_FILENO))
    return;
  int width = 30;
  int filled = (int) (CLAMP (fraction, 0.0, 1.0) * width + 0.5);
  fprintf (stderr, "\r%-12s [", label);
  for (int i = 0; i < width; i++)
    fputc (i < filled ? '#' : '-', stderr);
  fprintf (stderr, "] %3d%% %s\033[K", (int) (CLAMP (fraction, 0.0, 1.0) * 100 + 0.5),
           detail ? detail : "");
  fflush (stderr);
  progress_shown = TRUE;
}

void
vita_cli_progress_end (void)
{
  if (progress_shown)
    fputc ('\n', stderr);
  progress_shown = FALSE;
}

void
vita_cli_init (void)
{
  vita_gst_decode_register ();
}

gboolean
vita_cli_write_summary (JsonBuilder *b, const char *dir, GError **error)
{
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  g_autoptr(JsonNode) root = json_builder_get_root (b);
  json_generator_set_root (gen, root);
  json_generator_set_pretty (gen, TRUE);
  gsize len;
  g_autofree char *text = json_generator_to_data (gen, &len);
  g_autofree char *path = g_build_filename (dir, "summary.json", NULL);
  return vita_file_write_atomic (path, text, len, error);
}

int
vita_cli_load_onsets (const char *prefix, char **annotations, VitaEventList **onsets)
{
  g_autoptr(GPtrArray) warnings = g_ptr_array_new_with_free_func (g_free);
  *onsets = NULL;
  for (guint i = 0; annotations && annotations[i]; i++)
    {
      g_autofree char *disp = g_filename_display_name (annotations[i]);
      g_autoptr(GError) error = NULL;
      if (!g_str_has_suffix (annotations[i], "onsets.txt") &&
          !g_str_has_suffix (annotations[i], ".onsets"))
        {
          fprintf (stderr, "%snote: %s is not used (the measures read onsets: STEM.onsets or "
                   "STEM.onsets.txt)\n", prefix, disp);
          continue;
        }
      if (*onsets)
        {
          fprintf (stderr, "%s%s: a second onset file (one track, one list of onsets)\n", prefix, disp);
          g_clear_pointer (onsets, vita_event_list_free);
          return 2;
        }
      *onsets = vita_event_list_load (annotations[i], warnings, &error);
      if (*onsets == NULL)
        {
          fprintf (stderr, "%s%s\n", prefix, error->message);
          return 1;
        }
    }
  for (guint i = 0; i < warnings->len; i++)
    fprintf (stderr, "%swarning: %s\n", prefix, (char *) warnings->pdata[i]);
  return 0;
}

void
vita_cli_take_trailing_annotations (char ***annotations, int *argc, char **argv, int n_positional)
{
  if (*annotations == NULL || *argc <= n_positional)
    return;
  GStrvBuilder *all = g_strv_builder_new ();
  g_strv_builder_addv (all, (const char **) *annotations);
  for (int i = n_positional; i < *argc; i++)
    g_strv_builder_add (all, argv[i]);
  g_strfreev (*annotations);
  *annotations = g_strv_builder_end (all);
  g_strv_builder_unref (all);
  *argc = n_positional;
}
