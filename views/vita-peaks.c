/* vita-peaks.c — multi-resolution min/max envelope of PCM for waveform drawing. */
#include "vita-painters.h"
#include "model/vita-store.h"

#include <string.h>

#define BASE_BUCKET 64
#define LEVEL_FACTOR 4
#define MAX_LEVELS 12
#define IN_MEMORY_MAX (64u << 20)   /* a longer track's samples go to a cache file */

struct _VitaPeaks {
  gint    ref_count;
  VitaStore *store;   /* the copy: in memory, or mapped from a cache file when long */
  const float *samples;   /* (n) its data */
  gsize   n;
  int     sample_rate;
  int     n_levels;
  gsize   bucket[MAX_LEVELS];     /* samples per bucket */
  gsize   count[MAX_LEVELS];      /* buckets */
  float  *min[MAX_LEVELS];        /* (count) */
  float  *max[MAX_LEVELS];
};

VitaPeaks *
vita_peaks_new (const float *pcm, gsize n_samples, int sample_rate)
{
  g_return_val_if_fail (pcm != NULL || n_samples == 0, NULL);
  VitaPeaks *p = g_new0 (VitaPeaks, 1);
  p->ref_count = 1;
  p->n = n_samples;
  p->sample_rate = sample_rate;
  /* the copy sample-level zoom draws from: only what is shown becomes resident */
  g_autoptr(GError) error = NULL;
  if (!(p->store = vita_store_new (n_samples, IN_MEMORY_MAX, "the waveform", &error)) ||
      !vita_store_write (p->store, 0, pcm, n_samples, &error))
    {
      g_warning ("%s; keeping the waveform in memory", error->message);
      g_clear_pointer (&p->store, vita_store_free);
      p->store = vita_store_new (n_samples, G_MAXSIZE, "the waveform", NULL);
      g_assert (p->store != NULL);   /* out of memory: as g_new would */
      vita_store_write (p->store, 0, pcm, n_samples, NULL);
    }
  p->samples = vita_store_data (p->store);

  gsize bucket = BASE_BUCKET;
  const float *src_min = pcm, *src_max = pcm;   /* level 0 from the caller's PCM */
  gsize src_n = n_samples, src_group = BASE_BUCKET;
  while (p->n_levels < MAX_LEVELS)
    {
      int l = p->n_levels;
      gsize count = (n_samples + bucket - 1) / bucket;
      p->bucket[l] = bucket;
      p->count[l] = count;
      p->min[l] = g_new (float, MAX (count, 1));
      p->max[l] = g_new (float, MAX (count, 1));
      /* Level 0 from the samples, each next level from the previous one. */
      for (gsize i = 0; i < count; i++)
        {
          gsize a = i * src_group, b = MIN (a + src_group, src_n);
          float mn = src_min[a], mx = src_max[a];
          for (gsize j = a + 1; j < b; j++)
            {
              mn = MIN (mn, src_min[j]);
              mx = MAX (mx, src_max[j]);
            }
          p->min[l][i] = mn;
          p->max[l][i] = mx;
        }
      p->n_levels++;
      if (count <= 1)
        break;
      src_min = p->min[l];
      src_max = p->max[l];
      src_n = count;
      src_group = LEVEL_FACTOR;
      bucket *= LEVEL_FACTOR;
    }
  return p;
}

VitaPeaks *
vita_peaks_ref (VitaPeaks *peaks)
{
  g_atomic_int_inc (&peaks->ref_count);
  return peaks;
}

void
vita_peaks_unref (VitaPeaks *peaks)
{
  if (peaks == NULL || !g_atomic_int_dec_and_test (&peaks->ref_count))
    return;
  for (int l = 0; l < peaks->n_levels; l++)
    {
      g_free (peaks->min[l]);
      g_free (peaks->max[l]);
    }
  vita_store_free (peaks->store);
  g_free (peaks);
}

gsize vita_peaks_get_n_samples (const VitaPeaks *peaks) { return peaks->n; }
const float *vita_peaks_get_samples (const VitaPeaks *peaks) { return peaks->samples; }

gboolean
vita_peaks_range (const VitaPeaks *p, gint64 start, gint64 end, float *min, float *max)
{
  start = CLAMP (start, 0, (gint64) p->n);
  end = CLAMP (end, 0, (gint64) p->n);
  if (end <= start)
    return FALSE;
  gsize len = (gsize) (end - start);
  float mn = G_MAXFLOAT, mx = -G_MAXFLOAT;
  if (len < 2 * BASE_BUCKET)
    {
      for (gint64 i = start; i < end; i++)
        {
          mn = MIN (mn, p->samples[i]);
          mx = MAX (mx, p->samples[i]);
        }
    }
  else
    {
      /* Coarsest level whose buckets are at most half the range; partial buckets
       * at both ends are included (an envelope may only grow, never hide a peak). */
      int l = 0;
      while (l + 1 < p->n_levels && p->bucket[l + 1] * 2 <= len)
        l++;
      gsize bs = p->bucket[l];
      gsize a = (gsize) start / bs, b = ((gsize) end + bs - 1) / bs;
      b = MIN (b, p->count[l]);
      for (gsize i = a; i < b; i++)
        {
          mn = MIN (mn, p->min[l][i]);
          mx = MAX (mx, p->max[l][i]);
        }
    }
  *min = mn;
  *max = mx;
  return TRUE;
}
