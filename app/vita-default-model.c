/* vita-default-model.c — see the header. */
#include "vita-config.h"
#include "vita-default-model.h"

#include <string.h>

static char *
self_dir (void)
{
  g_autofree char *exe = g_file_read_link ("/proc/self/exe", NULL);
  return exe ? g_path_get_dirname (exe) : NULL;
}

char *
vita_default_model_find (void)
{
  const char *env = g_getenv ("VITASCOPE_DEFAULT_MODEL");
  if (env != NULL)
    return *env && g_file_test (env, G_FILE_TEST_IS_REGULAR) ? g_strdup (env) : NULL;

  g_autofree char *dir = self_dir ();
  /* installed (possibly under DESTDIR or moved): ROOT/BINDIR/exe → ROOT/PKGDATADIR */
  if (dir != NULL && g_str_has_suffix (dir, VITA_BINDIR))
    {
      g_autofree char *root = g_strndup (dir, strlen (dir) - strlen (VITA_BINDIR));
      g_autofree char *p = g_build_filename (root, VITA_PKGDATADIR, "models",
                                             "default.safetensors", NULL);
      if (g_file_test (p, G_FILE_TEST_IS_REGULAR))
        return g_steal_pointer (&p);
    }
  g_autofree char *installed = g_build_filename (VITA_PKGDATADIR, "models", "default.safetensors",
                                                 NULL);
  if (g_file_test (installed, G_FILE_TEST_IS_REGULAR))
    return g_steal_pointer (&installed);
  /* running from the build tree: the source tree's copy */
  if (dir != NULL && g_str_has_prefix (dir, VITA_BUILD_ROOT))
    {
      g_autofree char *source = g_build_filename (VITA_SOURCE_DIR, "resources", "models",
                                                  "default.safetensors", NULL);
      if (g_file_test (source, G_FILE_TEST_IS_REGULAR))
        return g_steal_pointer (&source);
    }
  return NULL;
}
