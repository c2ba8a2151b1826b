/* vita-store.c — see vita-store.h. */
#include "vita-store.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <glib/gstdio.h>

struct _VitaStore {
  float *data;     /* (n) the memory, or the file's mapping */
  gsize  n;
  gsize  bytes;    /* n floats, at least 1 (mmap refuses 0) */
  int    fd;       /* the cache file (unlinked), or -1: in memory */
};

/* XDG cache dir/vitascope/store-XXXXXX, unlinked at once, sized sparse, mapped shared
 * and read-only. */
static gboolean
store_open_file (VitaStore *s, const char *what, GError **error)
{
  g_autofree char *dir = g_build_filename (g_get_user_cache_dir (), "vitascope", NULL);
  g_autofree char *path = g_build_filename (dir, "store-XXXXXX", NULL);
  g_autofree char *disp = g_filename_display_name (dir);
  if (g_mkdir_with_parents (dir, 0700) != 0 ||
      (s->fd = g_mkstemp_full (path, O_RDWR | O_CLOEXEC, 0600)) < 0)
    {
      int e = errno;
      g_set_error (error, VITA_MODEL_ERROR, VITA_MODEL_ERROR_IO,
                   "Cannot create the cache file for %s in %s: %s", what, disp, g_strerror (e));
      return FALSE;
    }
  g_unlink (path);
  void *map = MAP_FAILED;
  if (ftruncate (s->fd, (off_t) s->bytes) != 0 ||
      (map = mmap (NULL, s->bytes, PROT_READ, MAP_SHARED, s->fd, 0)) == MAP_FAILED)
    {
      int e = errno;
      g_set_error (error, VITA_MODEL_ERROR, VITA_MODEL_ERROR_IO,
                   "Cannot size the cache file for %s in %s to %.1f MB: %s", what, disp,
                   s->bytes / 1e6, g_strerror (e));
      return FALSE;
    }
  s->data = map;
  return TRUE;
}

VitaStore *
vita_store_new (gsize n, gsize in_memory_max, const char *what, GError **error)
{
  g_return_val_if_fail (what != NULL, NULL);
  g_autoptr(VitaStore) s = g_new0 (VitaStore, 1);
  s->fd = -1;
  s->n = n;
  if (n > (G_MAXSIZE - 1) / sizeof (float) || n * sizeof (float) > (guint64) G_MAXINT64)
    {
      g_set_error (error, VITA_MODEL_ERROR, VITA_MODEL_ERROR_METADATA,
                   "Analysis too large: %s needs %" G_GSIZE_FORMAT " values", what, n);
      return NULL;
    }
  s->bytes = MAX (n * sizeof (float), sizeof (float));
  if (n * sizeof (float) > in_memory_max)
    return store_open_file (s, what, error) ? g_steal_pointer (&s) : NULL;
  /* calloc, not g_try_malloc0 (malloc + memset): a fresh mapping is zero already, its
   * pages touched only where the analysis writes (a preview: one window's rows) */
  if (!(s->data = calloc (1, s->bytes)))
    {
      g_set_error (error, VITA_MODEL_ERROR, VITA_MODEL_ERROR_IO,
                   "Out of memory: %s needs %.1f MB", what, s->bytes / 1e6);
      return NULL;
    }
  return g_steal_pointer (&s);
}

void
vita_store_free (VitaStore *s)
{
  if (s == NULL)
    return;
  if (s->fd >= 0)
    {
      if (s->data)
        munmap (s->data, s->bytes);
      close (s->fd);
    }
  else
    g_free (s->data);
  g_free (s);
}

float *
vita_store_data (const VitaStore *s)
{
  g_return_val_if_fail (s != NULL, NULL);
  return s->data;
}

gsize
vita_store_size (const VitaStore *s)
{
  g_return_val_if_fail (s != NULL, 0);
  return s->n;
}

gboolean
vita_store_mapped (const VitaStore *s)
{
  g_return_val_if_fail (s != NULL, FALSE);
  return s->fd >= 0;
}

gboolean
vita_store_write (VitaStore *s, gsize offset, const float *src, gsize n, GError **error)
{
  g_return_val_if_fail (s != NULL && (src != NULL || n == 0), FALSE);
  g_return_val_if_fail (offset <= s->n && n <= s->n - offset, FALSE);
  if (s->fd < 0)
    {
      if (n)
        memcpy (s->data + offset, src, n * sizeof (float));
      return TRUE;
    }
  const char *p = (const char *) src;
  gsize left = n * sizeof (float);
  off_t off = (off_t) (offset * sizeof (float));
  while (left > 0)
    {
      ssize_t k = pwrite (s->fd, p, left, off);
      if (k < 0 && errno == EINTR)
        continue;
      if (k <= 0)
        {
          int e = k < 0 ? errno : ENOSPC;
          g_set_error (error, VITA_MODEL_ERROR, VITA_MODEL_ERROR_IO,
                       "Cannot write the analysis cache (in %s/vitascope): %s",
                       g_get_user_cache_dir (), g_strerror (e));
          return FALSE;
        }
      p += k;
      off += k;
      left -= (gsize) k;
    }
  return TRUE;
}

void
vita_store_read (const VitaStore *s, gsize offset, float *dst, gsize n)
{
  g_return_if_fail (s != NULL && (dst != NULL || n == 0));
  g_return_if_fail (offset <= s->n && n <= s->n - offset);
  char *p = (char *) dst;
  gsize left = n * sizeof (float);
  off_t off = (off_t) (offset * sizeof (float));
  while (s->fd >= 0 && left > 0)
    {
      ssize_t k = pread (s->fd, p, left, off);
      if (k < 0 && errno == EINTR)
        continue;
      if (k <= 0)
        break;   /* the mapping below says the same (or raises the same fault) */
      p += k;
      off += k;
      left -= (gsize) k;
    }
  if (left > 0)
    memcpy (p, (const char *) s->data + off, left);
}

void
vita_store_release (VitaStore *s)
{
  g_return_if_fail (s != NULL);
  /* a shared, read-only file mapping: the pages stay in the file */
  if (s->fd >= 0)
    madvise (s->data, s->bytes, MADV_DONTNEED);
}
