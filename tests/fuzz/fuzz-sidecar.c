/* fuzz-sidecar.c — the sidecar reader (views/vita-export.c) end to end on arbitrary
 * bytes: the strict JSON reader, then every field's type and range checks.  What
 * it accepts must satisfy the ranges render relies on (issue 15.1, 15.4, 15.10).
 * Linked with replay-annotations-main.c to replay corpus/json in every build. */
#include "views/vita-export.h"

#include <stdint.h>
#include <unistd.h>

#include <glib/gstdio.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  static char *path;
  if (path == NULL)
    {
      int fd = g_file_open_tmp ("vita-fuzz-sidecar-XXXXXX.json", &path, NULL);
      g_assert (fd >= 0);
      close (fd);
    }
  g_assert (g_file_set_contents (path, (const char *) data, (gssize) size, NULL));
  VitaExportSpec spec;
  g_autoptr(GError) error = NULL;
  char *figure = NULL;
  if (vita_export_sidecar_read (path, &spec, &figure, &error))
    {
      const VitaTimelineSnapshot *s = &spec.snap;
      g_assert (s->layer >= 0 && s->head >= -1 && s->query_token >= -1);
      g_assert (s->visible_start >= 0 && s->visible_end > s->visible_start);
      g_assert (s->sample_rate > 0 && s->hop > 0 && s->n_frames >= 1);
      (void) (s->visible_end - s->visible_start);   /* cannot overflow: both ≤ 2^48 */
      g_assert (vita_export_spec_check (&spec, 1000, 1000, G_MAXINT, path, NULL) ||
                s->layer >= 1000 || s->head >= 1000);
      vita_export_spec_clear (&spec);
    }
  else
    g_assert (error != NULL);
  g_free (figure);
  return 0;
}
