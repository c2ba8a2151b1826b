/* vita-store.h — a float array that lives in memory or, when large, in a memory-mapped
 * cache file: the one way an analysis keeps its big per-frame arrays (tokens of every
 * layer, the mel input, the SSM partial sums) for short and long tracks alike.
 *
 * A store of n floats larger than in_memory_max bytes is a file in the user's cache
 * folder ($XDG_CACHE_HOME/vitascope/store-XXXXXX) that is unlinked as soon as it is
 * created: it goes away when the store is freed or when the process ends, however it
 * ends (a crash leaves nothing behind).  The file is sized sparse (it reads as zeros
 * until written) and mapped shared and read-only: vita_store_data() is the same kind
 * of pointer for both kinds of store, so painters and exporters index it as an array.
 * Writers use vita_store_write() (pwrite(2) for a file: the pages go to the page cache,
 * never into the process's resident set) and bulk readers vita_store_read() (pread(2));
 * what is read through the pointer stays resident until vita_store_release().
 *
 * Threads: writes of disjoint ranges and reads may run on any threads at once; the
 * caller orders a write before the reads of the same range (a barrier, as the
 * analysis' ready flags).  Errors: VITA_MODEL_ERROR_IO naming the folder.
 */
#pragma once

#include "vita-model.h"

G_BEGIN_DECLS

typedef struct _VitaStore VitaStore;

/* n floats, zeros.  NULL + error when the memory or the cache file cannot be had
 * (what names the array in the message: "the tokens of every layer"). */
VitaStore   *vita_store_new     (gsize n, gsize in_memory_max, const char *what,
                                 GError **error);
void         vita_store_free    (VitaStore *store);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (VitaStore, vita_store_free)

/* The n floats (read-only when mapped: write with vita_store_write). */
float       *vita_store_data    (const VitaStore *store);
gsize        vita_store_size    (const VitaStore *store);
/* TRUE when the data is the cache file's mapping. */
gboolean     vita_store_mapped  (const VitaStore *store);
/* data[offset .. offset + n) = src. */
gboolean     vita_store_write   (VitaStore *store, gsize offset, const float *src, gsize n,
                                 GError **error);
/* dst = data[offset .. offset + n), without making the pages resident. */
void         vita_store_read    (const VitaStore *store, gsize offset, float *dst, gsize n);
/* Drops the pages read through the pointer from the resident set (they come back
 * from the file on the next read).  A no-op in memory. */
void         vita_store_release (VitaStore *store);

G_END_DECLS
