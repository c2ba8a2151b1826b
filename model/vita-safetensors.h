/* vita-safetensors.h — safetensors reader/writer (untrusted input).
 *
 * Container: 8-byte little-endian header length N, N bytes of UTF-8 JSON, raw data.
 * F32, F16 and BF16 are accepted and widened to float32; every tensor is COPIED into
 * an aligned buffer (never a pointer cast into the file).  Validation follows
 * shared/design/reliability.md items 1–8; errors are VITA_MODEL_ERROR_* and name the
 * file and the tensor / field.
 */
#pragma once

#include "vita-file.h"

#include "vita-model.h"

G_BEGIN_DECLS

#define VITA_TENSOR_MAX_DIMS 8

typedef struct {
  char   *name;
  int     ndim;
  gint64  shape[VITA_TENSOR_MAX_DIMS];
  gsize   n_elements;
  float  *data;          /* (n_elements), owned, float32 */
} VitaTensor;

typedef struct _VitaSafetensors VitaSafetensors;

VitaSafetensors *vita_safetensors_new   (void);
void             vita_safetensors_free  (VitaSafetensors *st);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (VitaSafetensors, vita_safetensors_free)

/* Reads and validates a whole file (items 1–8). */
VitaSafetensors *vita_safetensors_load  (const char *path, GError **error);
/* Same on a buffer; display_name is used in messages (the file name). */
VitaSafetensors *vita_safetensors_parse (const guint8 *data, gsize len,
                                         const char *display_name, GError **error);

guint              vita_safetensors_n_tensors  (const VitaSafetensors *st);
const VitaTensor  *vita_safetensors_tensor_at  (const VitaSafetensors *st, guint i);
const VitaTensor  *vita_safetensors_lookup     (const VitaSafetensors *st, const char *name);
/* The file name given to load/parse (for messages), or NULL. */
const char        *vita_safetensors_get_path   (const VitaSafetensors *st);
/* Lower-case hex SHA-256 of exactly the bytes vita_safetensors_load() parsed (so it
 * cannot disagree with the weights if the file is replaced meanwhile); NULL for
 * parse() and new(). */
const char        *vita_safetensors_get_sha256 (const VitaSafetensors *st);

/* __metadata__ (string → string). */
const char        *vita_safetensors_get_metadata (const VitaSafetensors *st, const char *key);
GHashTable        *vita_safetensors_metadata     (const VitaSafetensors *st); /* borrowed */
void               vita_safetensors_set_metadata (VitaSafetensors *st, const char *key, const char *value);

/* Adds a copy of data; replaces a tensor of the same name. */
void               vita_safetensors_add (VitaSafetensors *st, const char *name,
                                         int ndim, const gint64 *shape, const float *data);

/* Store every tensor as F16 when serialized (round to nearest even; the reader widens
 * it back).  For the checkpoint series, where half the size matters more than the
 * last bits. */
void               vita_safetensors_set_store_f16 (VitaSafetensors *st, gboolean f16);
/* F32 (or F16, see above), tensors sorted by name, 8-byte aligned data start. */
GBytes            *vita_safetensors_serialize (const VitaSafetensors *st);
/* Atomic: temp file in the same folder, fsync, rename, fsync folder. */
gboolean           vita_safetensors_save (const VitaSafetensors *st, const char *path, GError **error);


/* Lower-case hex SHA-256 of a file (65 bytes with NUL), for provenance and sidecars. */
gboolean           vita_file_sha256 (const char *path, char out[65], GError **error);

G_END_DECLS
