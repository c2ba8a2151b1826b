/* vita-file.h — the one way Vitascope writes a file: atomically.
 *
 * A temporary file NAME.tmp-XXXXXX in the same folder (rename is atomic only within
 * one file system), mode 0644, written, fsync'd, renamed over NAME, then the folder
 * fsync'd so the rename itself survives a power cut.  Until the commit NAME is
 * untouched (a previous file stays as it was); a failed or abandoned write leaves no
 * temporary behind.  Models, checkpoints, .npy arrays, figures, sidecars and reports
 * all go through here.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _VitaAtomicFile VitaAtomicFile;

/* NULL + VITA_MODEL_ERROR_IO ("Cannot write “NAME”: …") when the folder refuses. */
VitaAtomicFile *vita_atomic_file_new    (const char *path, GError **error);
/* Appends len bytes; FALSE once a write failed (the first errno is kept and reported
 * by commit; later writes do nothing). */
gboolean        vita_atomic_file_write  (VitaAtomicFile *file, const void *data, gsize len);
/* The first errno of a failed write, 0 if none. */
int             vita_atomic_file_get_errno (const VitaAtomicFile *file);
/* fsync, close, rename, fsync the folder; frees file.  FALSE + VITA_MODEL_ERROR_IO
 * naming the file, the step and the system's reason. */
gboolean        vita_atomic_file_commit (VitaAtomicFile *file, GError **error);
/* Gives up: removes the temporary, frees file.  NULL is fine. */
void            vita_atomic_file_abort  (VitaAtomicFile *file);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (VitaAtomicFile, vita_atomic_file_abort)

/* The whole of data at once. */
gboolean vita_file_write_atomic (const char *path, const void *data, gsize len, GError **error);

G_END_DECLS
