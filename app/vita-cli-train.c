/* vita-cli-train.c — placeholder: not implemented yet. */
#include "vita-cli.h"
#include <stdio.h>

int
vita_cli_train (int argc, char **argv)
{
  fprintf (stderr, "vitascope-cli %s: not implemented yet\n", argv[0]);
  return 1;
}

int
vita_cli_export_model (int argc, char **argv)
{
  fprintf (stderr, "vitascope-cli %s: not implemented yet\n", argv[0]);
  return 1;
}

