/* vita-file.c — atomic files (see vita-file.h). */
#include "vita-file-private.h"
#include "vita-model.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct _VitaAtomicFile {
  char  *path;      /* final name */
  char  *tmp;       /* NAME.tmp-XXXXXX beside it */
  int    fd;
  int    err;       /* first errno of a failed write */
  gsize  written;
};

static gssize fail_after = -1;

void
vita_atomic_file_set_fail_after (gssize n_bytes)
{
  fail_after = n_bytes;
}

static void
set_io_error (GError **error, const char *path, const char *what, int err)
{
  g_autofree char *disp = g_filename_display_name (path);
  g_set_error (error, VITA_MODEL_ERROR, VITA_MODEL_ERROR_IO, "Cannot write “%s”: %s%s%s", disp,
               what ? what : "", what ? ": " : "", g_strerror (err ? err : EIO));
}

VitaAtomicFile *
vita_atomic_file_new (const char *path, GError **error)
{
  g_return_val_if_fail (path != NULL, NULL);
  g_autofree char *tmp = g_strdup_printf ("%s.tmp-XXXXXX", path);
  {
    /* a name near NAME_MAX (255 bytes) would pass it with the suffix: then a short
     * temporary name in the same folder (issue 15.10) */
    g_autofree char *base = g_path_get_basename (tmp);
    if (strlen (base) > 255)
      {
        g_autofree char *dir = g_path_get_dirname (path);
        g_free (tmp);
        tmp = g_build_filename (dir, ".vtmp-XXXXXX", NULL);
      }
  }
  /* 0644 like any file the user saves (mkstemp alone leaves 0600) */
  int fd = g_mkstemp_full (tmp, O_WRONLY | O_CLOEXEC, 0644);
  if (fd < 0)
    {
      int e = errno;
      g_autofree char *dir = g_path_get_dirname (path);
      g_autofree char *ddisp = g_filename_display_name (dir);
      g_autofree char *what = g_strdup_printf ("cannot create a file in folder “%s”", ddisp);
      set_io_error (error, path, what, e);
      return NULL;
    }
  (void) fchmod (fd, 0644);
  VitaAtomicFile *f = g_new0 (VitaAtomicFile, 1);
  f->path = g_strdup (path);
  f->tmp = g_steal_pointer (&tmp);
  f->fd = fd;
  return f;
}

gboolean
vita_atomic_file_write (VitaAtomicFile *f, const void *data, gsize len)
{
  const guint8 *p = data;
  if (f->err)
    return FALSE;
  while (len > 0)
    {
      gsize chunk = MIN (len, (gsize) 1 << 30);
      if (fail_after >= 0)
        {
          if (f->written >= (gsize) fail_after)
            {
              f->err = ENOSPC;
              return FALSE;
            }
          chunk = MIN (chunk, (gsize) fail_after - f->written);
        }
      ssize_t n = write (f->fd, p, chunk);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        {
          f->err = n < 0 ? errno : EIO;
          return FALSE;
        }
      p += n;
      len -= (gsize) n;
      f->written += (gsize) n;
    }
  return TRUE;
}

int
vita_atomic_file_get_errno (const VitaAtomicFile *f)
{
  return f->err;
}

void
vita_atomic_file_abort (VitaAtomicFile *f)
{
  if (f == NULL)
    return;
  if (f->fd >= 0)
    close (f->fd);
  if (f->tmp)
    g_unlink (f->tmp);
  g_free (f->tmp);
  g_free (f->path);
  g_free (f);
}

static gboolean
fail_commit (VitaAtomicFile *f, const char *what, int err, GError **error)
{
  set_io_error (error, f->path, what, err);
  vita_atomic_file_abort (f);
  return FALSE;
}

gboolean
vita_atomic_file_commit (VitaAtomicFile *f, GError **error)
{
  if (f->err)
    return fail_commit (f, "write failed", f->err, error);
  if (fsync (f->fd) != 0)
    return fail_commit (f, "fsync failed", errno, error);
  int fd = f->fd;
  f->fd = -1;
  if (close (fd) != 0)
    return fail_commit (f, "close failed", errno, error);
  if (g_rename (f->tmp, f->path) != 0)
    return fail_commit (f, "rename failed", errno, error);
  g_autofree char *dir = g_path_get_dirname (f->path);
  int dfd = g_open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
  if (dfd >= 0)
    {
      /* Some file systems refuse fsync on a folder (EINVAL); the data is already
       * safe, only the rename's durability is at stake. */
      (void) fsync (dfd);
      close (dfd);
    }
  g_clear_pointer (&f->tmp, g_free);
  vita_atomic_file_abort (f);
  return TRUE;
}

gboolean
vita_file_write_atomic (const char *path, const void *data, gsize len, GError **error)
{
  VitaAtomicFile *f = vita_atomic_file_new (path, error);
  if (f == NULL)
    return FALSE;
  vita_atomic_file_write (f, data, len);
  return vita_atomic_file_commit (f, error);
}
