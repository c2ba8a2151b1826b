/* main.c — `vitascope [FILE] [--model MODEL]`: the desktop application. */
#include "vita-config.h"

#include <glib/gi18n.h>
#include <gst/gst.h>
#include <locale.h>

#include "vita-application.h"
#include "model/vita-blas.h"

/* Running from the build tree (the README's demo): use the schema compiled there
 * when none is installed, and the catalogues built there. */
static gboolean
running_uninstalled (void)
{
  g_autofree char *installed = g_build_filename (VITA_DATADIR, "glib-2.0", "schemas",
                                                 VITA_APP_ID ".gschema.xml", NULL);
  return !g_file_test (installed, G_FILE_TEST_EXISTS);
}

static void
setup_build_tree (void)
{
  g_autofree char *installed = g_build_filename (VITA_DATADIR, "glib-2.0", "schemas",
                                                 VITA_APP_ID ".gschema.xml", NULL);
  g_autofree char *compiled = g_build_filename (VITA_SCHEMA_BUILD_DIR, "gschemas.compiled", NULL);

  /* Checked by file, not through GSettings: the default schema source is read once. */
  if (g_getenv ("GSETTINGS_SCHEMA_DIR") == NULL &&
      !g_file_test (installed, G_FILE_TEST_EXISTS) &&
      g_file_test (compiled, G_FILE_TEST_EXISTS))
    g_setenv ("GSETTINGS_SCHEMA_DIR", VITA_SCHEMA_BUILD_DIR, TRUE);
}

int
main (int argc, char *argv[])
{
  vita_blas_init_kernels ();   /* before any BLAS call or thread (model/vita-blas.h) */
  g_autoptr(VitaApplication) app = NULL;
  const char *localedir = g_getenv ("VITASCOPE_LOCALEDIR");

  if (localedir == NULL && running_uninstalled () &&
      g_file_test (VITA_BUILD_LOCALEDIR, G_FILE_TEST_IS_DIR))
    localedir = VITA_BUILD_LOCALEDIR;

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, localedir ? localedir : VITA_LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  setup_build_tree ();
  gst_init (NULL, NULL);
  g_set_application_name ("Vitascope");  /* not translated: recent-files key */

  app = vita_application_new (G_APPLICATION_DEFAULT_FLAGS);
  return g_application_run (G_APPLICATION (app), argc, argv);
}
