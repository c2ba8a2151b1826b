/* vita-npy.h — NumPy .npy files (format 1.0/2.0, little-endian float32 '<f4', C order).
 * The writer is atomic (temp file + rename); the stream writer lets large arrays
 * (attention of every window) go to disk without being held in memory. */
#pragma once

#include "vita-model.h"
#include <stdio.h>

G_BEGIN_DECLS

#define VITA_NPY_MAX_DIMS 8

gboolean vita_npy_save (const char *path, const float *data,
                        int ndim, const gsize *shape, GError **error);

/* Reads '<f4' (and '<f8', '<i4', '<i8', '|u1', '|b1', converted to float) C-order arrays. */
float   *vita_npy_load (const char *path, int *ndim, gsize shape[VITA_NPY_MAX_DIMS],
                        GError **error);

typedef struct _VitaNpyWriter VitaNpyWriter;
/* Writes the header for the full shape, then rows appended in order; commit renames
 * the temp file over path once exactly prod(shape) values were written. */
VitaNpyWriter *vita_npy_writer_new    (const char *path, int ndim, const gsize *shape, GError **error);
gboolean       vita_npy_writer_append (VitaNpyWriter *w, const float *data, gsize n, GError **error);
gboolean       vita_npy_writer_commit (VitaNpyWriter *w, GError **error);
/* Frees; removes the temp file when not committed. */
void           vita_npy_writer_free   (VitaNpyWriter *w);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (VitaNpyWriter, vita_npy_writer_free)

G_END_DECLS
