/* vita-cli-analyze.c — placeholder: not implemented yet. */
#include "vita-cli.h"
#include <stdio.h>

int
vita_cli_analyze (int argc, char **argv)
{
  fprintf (stderr, "vitascope-cli %s: not implemented yet\n", argv[0]);
  return 1;
}

