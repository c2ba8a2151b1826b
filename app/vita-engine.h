/* vita-engine.h — the GUI's small helpers around dsp/ and model/: BLAS threads,
 * loading a model on a worker thread, finding the default model. */
#pragma once

#include <gio/gio.h>
#include "model/vita-vit.h"

G_BEGIN_DECLS

/* Threads for OpenBLAS; 0 = number of cores − 1 (one left to the interface), at least 1. */
void      vita_engine_set_blas_threads (int n_threads);
int       vita_engine_get_blas_threads (void);

/* Loads a model file on a worker thread. */
void      vita_engine_load_model_async  (const char *path, GCancellable *cancellable,
                                         GAsyncReadyCallback callback, gpointer user_data);
VitaVit  *vita_engine_load_model_finish (GAsyncResult *result, GError **error);
VitaVit  *vita_engine_model_ref   (VitaVit *vit);
void      vita_engine_model_unref (VitaVit *vit);
/* Token layers (depth + 1), heads, the front-end's rate and hop. */
void      vita_engine_model_describe (VitaVit *vit, int *n_layers, int *n_heads,
                                      int *sample_rate, int *hop);

/* The first model file found (vita-default-model.h): $VITASCOPE_DEFAULT_MODEL, the
 * installed copy beside the running binary ($prefix/share/vitascope/models, also under
 * a DESTDIR), then resources/models/ in the source tree for a binary in the build
 * tree.  NULL when there is none. */
char     *vita_engine_find_default_model (void);

G_END_DECLS
