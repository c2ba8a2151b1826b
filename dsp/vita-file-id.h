/* vita-file-id.h — which file an open descriptor is (dsp/ only): device, inode, size and
 * modification time.  vita-audio.c refuses a path reopened onto another file (issue
 * 15.8: two files spliced into one result); vita-mpeg.c keys its kept scan by it. */
#pragma once

#include <glib.h>
#include <sys/stat.h>

typedef struct {
  guint64 dev, ino, size;
  gint64  mtime_ns;
} VitaFileId;

static inline void
vita_file_id_of (const struct stat *st, VitaFileId *id)
{
  id->dev = (guint64) st->st_dev;
  id->ino = (guint64) st->st_ino;
  id->size = (guint64) st->st_size;
  id->mtime_ns = (gint64) st->st_mtim.tv_sec * 1000000000 + st->st_mtim.tv_nsec;
}

static inline gboolean
vita_file_id_equal (const VitaFileId *a, const VitaFileId *b)
{
  return a->dev == b->dev && a->ino == b->ino && a->size == b->size && a->mtime_ns == b->mtime_ns;
}
