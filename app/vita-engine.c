/* vita-engine.c — see vita-engine.h. */
#include "vita-config.h"
#include "vita-engine.h"
#include "vita-default-model.h"

#include <glib/gi18n.h>
#include "model/vita-blas.h"

/* The app's default of the one BLAS policy (model/vita-blas.h): cores − 1, the main
 * thread keeps a core for the UI and playback. */
void
vita_engine_set_blas_threads (int n_threads)
{
  vita_blas_set_threads (n_threads > 0 ? n_threads : MAX (1, (int) g_get_num_processors () - 1));
}

int
vita_engine_get_blas_threads (void)
{
  return vita_blas_get_threads ();
}

static void
load_model_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  const char *path = task_data;
  GError *error = NULL;
  VitaVit *vit = vita_vit_load (path, &error);
  if (vit != NULL)
    g_task_return_pointer (task, vit, (GDestroyNotify) vita_vit_unref);
  else
    g_task_return_error (task, error);
}

void
vita_engine_load_model_async (const char *path, GCancellable *cancellable,
                              GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);

  g_task_set_source_tag (task, vita_engine_load_model_async);
  g_task_set_task_data (task, g_strdup (path), g_free);
  g_task_run_in_thread (task, load_model_thread);
}

VitaVit *
vita_engine_load_model_finish (GAsyncResult *result, GError **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

VitaVit *
vita_engine_model_ref (VitaVit *vit)
{
  return vit ? vita_vit_ref (vit) : NULL;
}

void
vita_engine_model_unref (VitaVit *vit)
{
  if (vit != NULL)
    vita_vit_unref (vit);
}

void
vita_engine_model_describe (VitaVit *vit, int *n_layers, int *n_heads, int *sample_rate, int *hop)
{
  *n_layers = vit->cfg.depth + 1;
  *n_heads = vit->cfg.heads;
  *sample_rate = vit->cfg.fe.sample_rate;
  *hop = vit->cfg.fe.hop_length;
}

char *
vita_engine_find_default_model (void)
{
  return vita_default_model_find ();
}
