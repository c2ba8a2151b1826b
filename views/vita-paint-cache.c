/* vita-paint-cache.c — per-analysis cache of heatmap surfaces, the last window's
 * recomputed attention, rollouts and the onset curve. */
#include "vita-paint-private.h"

#include "model/vita-derived.h"
#include <math.h>
#include <string.h>

void
vita_surface_slot_clear (VitaSurfaceSlot *slot)
{
  g_clear_pointer (&slot->surface, cairo_surface_destroy);
  slot->key = 0;
}

VitaPaintCache *
vita_paint_cache_new (VitaAnalysis *an)
{
  g_return_val_if_fail (an != NULL, NULL);
  VitaPaintCache *c = g_new0 (VitaPaintCache, 1);
  c->ref_count = 1;
  c->an = vita_analysis_ref (an);
  c->attention_func = vita_analysis_window_attention;
  c->att_window = -1;
  c->roll_window = -1;
  c->pending = c->wanted = c->waited = -1;
  c->attr_opacity = 0.7;
  for (int i = 0; i < 2; i++)
    c->entries[i].window = -1;
  return c;
}

VitaPaintCache *
vita_paint_cache_ref (VitaPaintCache *cache)
{
  g_atomic_int_inc (&cache->ref_count);
  return cache;
}

void
vita_paint_cache_unref (VitaPaintCache *c)
{
  if (c == NULL || !g_atomic_int_dec_and_test (&c->ref_count))
    return;
  vita_surface_slot_clear (&c->mel);
  for (int i = 0; i < VITA_MEL_TILES; i++)
    vita_surface_slot_clear (&c->mel_tiles[i]);
  vita_surface_slot_clear (&c->ssm);
  vita_surface_slot_clear (&c->att);
  vita_surface_slot_clear (&c->grid);
  for (int i = 0; i < 2; i++)
    g_free (c->entries[i].data);
  g_free (c->roll_data);
  g_free (c->recv);
  g_free (c->attr);
  g_free (c->attr_label);
  vita_surface_slot_clear (&c->attr_slot);
  vita_analysis_unref (c->an);
  g_free (c);
}

VitaAnalysis *
vita_paint_cache_get_analysis (VitaPaintCache *cache)
{
  return cache ? cache->an : NULL;
}

void
vita_paint_cache_set_attention_func (VitaPaintCache *cache, VitaWindowAttentionFunc func)
{
  cache->attention_func = func ? func : vita_analysis_window_attention;
  cache->att_window = -1;
  for (int i = 0; i < 2; i++)
    cache->entries[i].window = -1;
  cache->roll_window = -1;
  vita_surface_slot_clear (&cache->att);
  vita_surface_slot_clear (&cache->grid);
}

void
vita_paint_cache_invalidate (VitaPaintCache *c)
{
  /* The mel never changes; everything computed from windows may. */
  vita_surface_slot_clear (&c->ssm);
  vita_surface_slot_clear (&c->att);
  vita_surface_slot_clear (&c->grid);
  c->att_window = -1;
  c->roll_window = -1;
  c->recv_key = 0;
  for (int i = 0; i < 2; i++)
    c->entries[i].window = -1;
}

void
vita_paint_cache_progressed (VitaPaintCache *c)
{
  vita_surface_slot_clear (&c->ssm);
  c->recv_key = 0;
}

int
vita_paint_cache_window_for_frame (VitaPaintCache *c, int frame)
{
  if (c == NULL || c->an->n_frames <= 0 || c->an->frame_window == NULL)
    return -1;
  return c->an->frame_window[CLAMP (frame, 0, c->an->n_frames - 1)];
}

/* The least recently used entry (an empty one first). */
static int
victim_entry (VitaPaintCache *c)
{
  if (c->entries[0].window < 0)
    return 0;
  if (c->entries[1].window < 0)
    return 1;
  return c->entries[0].used <= c->entries[1].used ? 0 : 1;
}

static const float *
lookup (VitaPaintCache *c, int window)
{
  for (int i = 0; i < 2; i++)
    if (c->entries[i].window == window && c->entries[i].data)
      {
        c->entries[i].used = ++c->stamp;
        c->att_window = window;
        c->att_data = c->entries[i].data;
        return c->att_data;
      }
  return NULL;
}

gboolean
vita_paint_cache_has_window_attention (VitaPaintCache *c, int window)
{
  for (int i = 0; c != NULL && i < 2; i++)
    if (c->entries[i].window == window && window >= 0 && c->entries[i].data)
      return TRUE;
  return FALSE;
}

void
vita_paint_cache_put_window_attention (VitaPaintCache *c, int window, float *data)
{
  g_return_if_fail (c != NULL && data != NULL);
  /* only what the cache would compute itself (vita_paint_cache_set_attention_func) */
  if (c->attention_func != vita_analysis_window_attention || window < 0 ||
      window >= c->an->n_windows || vita_paint_cache_has_window_attention (c, window))
    {
      g_free (data);
      return;
    }
  int e = victim_entry (c);
  g_free (c->entries[e].data);
  c->entries[e].data = data;
  c->entries[e].window = window;
  c->entries[e].used = ++c->stamp;
}

typedef struct {
  VitaPaintCache *cache;
  int             window;
  float          *data;
  gboolean        ok;
} AttentionJob;

static void
attention_job_free (gpointer p)
{
  AttentionJob *job = p;
  g_free (job->data);
  vita_paint_cache_unref (job->cache);
  g_free (job);
}

static void
attention_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancel)
{
  AttentionJob *job = task_data;
  /* vita_analysis_window_attention is thread-safe (vita-analysis.h); nothing of the
   * cache is touched here. */
  job->ok = job->cache->attention_func (job->cache->an, job->window, job->data, NULL);
}

static void start_job (VitaPaintCache *c, int window);

static void
attention_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  AttentionJob *job = g_task_get_task_data (G_TASK (result));
  VitaPaintCache *c = job->cache;
  c->pending = -1;
  if (job->ok && g_atomic_int_get (&c->ref_count) > 1)
    {
      int e = victim_entry (c);
      /* Never evict the window a painter is showing. */
      if (c->att_window >= 0 && c->entries[e].window == c->att_window &&
          c->entries[1 - e].window != c->att_window)
        e = 1 - e;
      g_free (c->entries[e].data);
      c->entries[e].data = g_steal_pointer (&job->data);
      c->entries[e].window = job->window;
      c->entries[e].used = ++c->stamp;
    }
  gboolean was_waited = job->window == c->waited;
  if (was_waited)
    c->waited = -1;
  if (g_atomic_int_get (&c->ref_count) > 1)
    {
      if (c->wanted >= 0)
        {
          int w = c->wanted;
          c->wanted = -1;
          start_job (c, w);
        }
      else if (job->ok && was_waited && job->window + 1 < c->an->n_windows &&
               vita_analysis_window_ready (c->an, job->window + 1) &&
               c->entries[0].window != job->window + 1 && c->entries[1].window != job->window + 1)
        start_job (c, job->window + 1);   /* prefetch one ahead: playback goes forward */
      if (was_waited && c->ready_cb)
        c->ready_cb (c, c->ready_data);
    }
}

static void
start_job (VitaPaintCache *c, int window)
{
  AttentionJob *job = g_new0 (AttentionJob, 1);
  job->cache = vita_paint_cache_ref (c);
  job->window = window;
  job->data = g_new (float, vita_analysis_window_attention_size (c->an));
  c->pending = window;
  GTask *task = g_task_new (NULL, NULL, attention_done, NULL);
  g_task_set_task_data (task, job, attention_job_free);
  g_task_run_in_thread (task, attention_thread);
  g_object_unref (task);
}

void
vita_paint_cache_set_async (VitaPaintCache *cache, gboolean async, GFunc ready, gpointer data)
{
  cache->async = async;
  cache->ready_cb = ready;
  cache->ready_data = data;
}

gboolean
vita_paint_cache_get_async (VitaPaintCache *cache)
{
  return cache->async;
}

const float *
vita_paint_cache_window_attention (VitaPaintCache *c, int window, GError **error)
{
  VitaAnalysis *an = c->an;
  if (window < 0 || window >= an->n_windows)
    {
      g_set_error (error, VITA_MODEL_ERROR, VITA_MODEL_ERROR_MISMATCH,
                   "window %d is outside the analysis (%d windows)", window, an->n_windows);
      return NULL;
    }
  const float *hit = lookup (c, window);
  if (hit)
    return hit;
  if (!vita_analysis_window_ready (an, window))
    {
      g_set_error (error, VITA_MODEL_ERROR, VITA_MODEL_ERROR_BUSY,
                   "window %d is not analysed yet", window + 1);
      return NULL;
    }
  if (c->async)
    {
      /* The window the painters show next: a prefetch finishing meanwhile must not
       * evict it once it is there (the one shown before is no longer protected). */
      c->att_window = window;
      if (c->pending < 0)
        start_job (c, window);
      else if (c->pending != window)
        c->wanted = window;
      c->waited = window;
      g_set_error (error, VITA_MODEL_ERROR, VITA_MODEL_ERROR_BUSY,
                   "Computing the attention of window %d…", window + 1);
      return NULL;
    }
  int e = victim_entry (c);
  if (c->entries[e].data == NULL)
    c->entries[e].data = g_new (float, vita_analysis_window_attention_size (an));
  c->entries[e].window = -1;
  if (!c->attention_func (an, window, c->entries[e].data, error))
    return NULL;
  c->entries[e].window = window;
  return lookup (c, window);
}

const float *
vita_paint_cache_rollout (VitaPaintCache *c, int window, int block, GError **error)
{
  if (c->roll_window == window && c->roll_block == block && c->roll_data)
    return c->roll_data;
  const float *att = vita_paint_cache_window_attention (c, window, error);
  if (att == NULL)
    return NULL;
  VitaAnalysis *an = c->an;
  int N = an->cfg.frames + 1;
  block = CLAMP (block, 0, an->cfg.depth - 1);
  if (c->roll_data == NULL)
    c->roll_data = g_new (float, (gsize) N * N);
  vita_attention_rollout (c->roll_data, att, block, an->cfg.heads, N);
  c->roll_window = window;
  c->roll_block = block;
  return c->roll_data;
}

const float *
vita_paint_cache_received (VitaPaintCache *c, int block, int head, float *max)
{
  VitaAnalysis *an = c->an;
  int n = an->n_frames;
  guint64 key = vita_key (block, head, g_atomic_int_get (&an->n_ready), 0, 0);
  if (c->recv && c->recv_key == key)
    {
      *max = c->recv_max;
      return c->recv;
    }
  if (c->recv == NULL)
    c->recv = g_new (float, MAX (n, 1));
  c->recv_max = vita_received_curve (c->recv, an, block, head, 0, n);
  c->recv_key = key;
  *max = c->recv_max;
  return c->recv;
}

/* ---- attribution overlay ------------------------------------------------------- */

static gint
float_cmp (gconstpointer a, gconstpointer b)
{
  float x = *(const float *) a, y = *(const float *) b;
  return (x > y) - (x < y);
}

void
vita_paint_cache_set_attribution (VitaPaintCache *cache, const float *map, int n_frames,
                                  int n_mels, const char *label)
{
  g_return_if_fail (cache != NULL && map != NULL && n_frames > 0 && n_mels > 0);
  gsize n = (gsize) n_frames * n_mels;
  if (cache->attr == NULL || cache->attr_frames != n_frames || cache->attr_mels != n_mels)
    {
      g_free (cache->attr);
      cache->attr = g_new (float, n);
    }
  if (cache->attr != map)
    memcpy (cache->attr, map, n * sizeof (float));
  cache->attr_frames = n_frames;
  cache->attr_mels = n_mels;
  /* the colour scale: the 99.5th percentile of |map| over the computed cells (a few
   * extreme cells would wash the rest out); larger values saturate */
  g_autoptr(GArray) mags = g_array_new (FALSE, FALSE, sizeof (float));
  for (gsize i = 0; i < n; i++)
    if (isfinite (map[i]) && map[i] != 0)
      {
        float m = fabsf (map[i]);
        g_array_append_val (mags, m);
      }
  double vabs = 0;
  if (mags->len > 0)
    {
      g_array_sort (mags, float_cmp);
      vabs = g_array_index (mags, float, MIN (mags->len - 1, (guint) (0.995 * mags->len)));
    }
  cache->attr_vabs = vabs > 0 ? vabs : 1;
  if (g_strcmp0 (label, cache->attr_label) != 0)
    {
      g_free (cache->attr_label);
      cache->attr_label = g_strdup (label);
    }
  cache->attr_serial++;
  cache->attr_map_gen++;
}

void
vita_paint_cache_clear_attribution (VitaPaintCache *cache)
{
  g_return_if_fail (cache != NULL);
  g_clear_pointer (&cache->attr, g_free);
  g_clear_pointer (&cache->attr_label, g_free);
  cache->attr_frames = cache->attr_mels = 0;
  cache->attr_serial++;
  cache->attr_map_gen++;
  vita_surface_slot_clear (&cache->attr_slot);
}

void
vita_paint_cache_set_attribution_opacity (VitaPaintCache *cache, double opacity)
{
  g_return_if_fail (cache != NULL);
  opacity = CLAMP (opacity, 0.0, 1.0);
  if (opacity != cache->attr_opacity)
    {
      cache->attr_opacity = opacity;
      cache->attr_serial++;
    }
}

const float *
vita_paint_cache_get_attribution (VitaPaintCache *cache, int *n_frames, int *n_mels,
                                  double *opacity, double *vabs, const char **label)
{
  if (cache == NULL || cache->attr == NULL)
    return NULL;
  if (n_frames)
    *n_frames = cache->attr_frames;
  if (n_mels)
    *n_mels = cache->attr_mels;
  if (opacity)
    *opacity = cache->attr_opacity;
  if (vabs)
    *vabs = cache->attr_vabs;
  if (label)
    *label = cache->attr_label;
  return cache->attr;
}

guint
vita_paint_cache_get_attribution_serial (VitaPaintCache *cache)
{
  return cache ? cache->attr_serial : 0;
}
