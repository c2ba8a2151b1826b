/* vita-cli-probe.c — placeholder: not implemented yet. */
#include "vita-cli.h"
#include <stdio.h>

int
vita_cli_report (int argc, char **argv)
{
  fprintf (stderr, "vitascope-cli %s: not implemented yet\n", argv[0]);
  return 1;
}

int
vita_cli_make_dataset (int argc, char **argv)
{
  fprintf (stderr, "vitascope-cli %s: not implemented yet\n", argv[0]);
  return 1;
}

