/* vita-cli.c — `vitascope-cli`: the command-line tool (no display needed). */
#include "vita-cli.h"
#include "model/vita-blas.h"

#include <locale.h>
#include <stdio.h>
#include <string.h>

static const VitaCliCommand commands[] = {
  { "info",         "print a model file's configuration and parameter count", vita_cli_info },
  { "init-model",   "write a randomly initialised model file",                 vita_cli_init_model },
  { "analyze",      "analyse an audio file: mel, tokens, attention, SSMs",     vita_cli_analyze },
  { "compare",      "two models on one audio file: both analyses, A − B, the table", vita_cli_compare },
  { "attribute",    "attribute a probe class / similarity / attention to the mel input", vita_cli_attribute },
  { "counterfactual", "edit the audio (transpose, mute a band, ...) and analyse both", vita_cli_counterfactual },
  { "emergence",    "measures per checkpoint of a training series on one track", vita_cli_emergence },
  { "render",       "re-render an exported figure from its sidecar JSON",      vita_cli_render },
  { "render-video", "a panel of a session as a WebM/MP4 video with its sound", vita_cli_render_video },
  { "train",        "train a ViT-1D with NT-Xent on a folder of audio",        vita_cli_train },
  { "export-model", "strip optimizer state from a checkpoint",                 vita_cli_export_model },
  { "report",       "train and evaluate probes: the paper's tables",           vita_cli_report },
  { "make-dataset", "render the labelled MIDI set with fluidsynth",            vita_cli_make_dataset },
  { "export",       "results and annotations as Sonic Visualiser CSV, .lab, JAMS, .npy", vita_cli_export },
};

static void
usage (FILE *out)
{
  fprintf (out, "Usage: vitascope-cli COMMAND [OPTIONS...]\n\nCommands:\n");
  for (gsize i = 0; i < G_N_ELEMENTS (commands); i++)
    fprintf (out, "  %-14s %s\n", commands[i].name, commands[i].summary);
  fprintf (out, "\nRun 'vitascope-cli COMMAND --help' for a command's options.\n");
}

int
main (int argc, char **argv)
{
  vita_blas_init_kernels ();   /* before any BLAS call (model/vita-blas.h) */
  setlocale (LC_ALL, "");

  if (argc < 2)
    {
      usage (stderr);
      return 2;
    }
  if (strcmp (argv[1], "--help") == 0 || strcmp (argv[1], "-h") == 0 ||
      strcmp (argv[1], "help") == 0)
    {
      usage (stdout);
      return 0;
    }
  if (strcmp (argv[1], "--version") == 0)
    {
      printf ("vitascope-cli %s\n", VITA_VERSION);
      return 0;
    }

  for (gsize i = 0; i < G_N_ELEMENTS (commands); i++)
    if (strcmp (argv[1], commands[i].name) == 0)
      {
        vita_cli_init ();
        /* argv[0] of the subcommand is "vitascope-cli COMMAND" for messages. */
        return commands[i].func (argc - 1, argv + 1);
      }

  fprintf (stderr, "vitascope-cli: unknown command '%s'\n\n", argv[1]);
  usage (stderr);
  return 2;
}
