/* vita-peaks.c — multi-resolution min/max envelope of PCM for waveform drawing. */
#include "vita-painters.h"
#include "model/vita-store.h"

#include <string.h>

#define BASE_BUCKET 64
#define LEVEL_FACTOR 4
#define MAX_LEVELS 12
#define IN_MEMORY_MAX (16u << 20)   /* a longer track's samples (4.4 min at 16 kHz) go to a
                                       cache file: the app's resident set (issue 14.5) */

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
  return vita_peaks_new_full (pcm, n_samples, sample_rate, NULL, NULL);
}

/* Samples read per stretch before release is called (a multiple of BASE_BUCKET). */
#define STRETCH ((gsize) BASE_BUCKET << 14)

VitaPeaks *
vita_peaks_new_full (const float *pcm, gsize n_samples, int sample_rate,
                     VitaPeaksReleaseFunc release, gpointer release_data)
{
  g_return_val_if_fail (pcm != NULL || n_samples == 0, NULL);
  VitaPeaks *p = g_new0 (VitaPeaks, 1);
  p->ref_count = 1;
  p->n = n_samples;
  p->sample_rate = sample_rate;
  /* the copy sample-level zoom draws from: only what is shown becomes resident */
  g_autoptr(GError) error = NULL;
  if (!(p->store = vita_store_new (n_samples, IN_MEMORY_MAX, "the waveform", &error)))
    {
      g_warning ("%s; keeping the waveform in memory", error->message);
      p->store = vita_store_new (n_samples, G_MAXSIZE, "the waveform", NULL);
      g_assert (p->store != NULL);   /* out of memory: as g_new would */
    }
  p->samples = vita_store_data (p->store);

  /* Level 0 and the copy from the caller's PCM a stretch at a time, each next level
   * from the previous one. */
  gsize bucket = BASE_BUCKET;
  gsize count = (n_samples + bucket - 1) / bucket;
  p->bucket[0] = bucket;
  p->count[0] = count;
  p->min[0] = g_new (float, MAX (count, 1));
  p->max[0] = g_new (float, MAX (count, 1));
  for (gsize s = 0; s < n_samples; s += STRETCH)
    {
      gsize n = MIN (STRETCH, n_samples - s);
      if (!vita_store_write (p->store, s, pcm + s, n, &error))
        {
          /* a full disk: this copy only (sample-level zoom) goes without */
          g_warning ("%s; the waveform's samples are not kept", error->message);
          g_clear_error (&error);
        }
      for (gsize i = s / bucket; i < (s + n + bucket - 1) / bucket; i++)
        {
          gsize a = i * bucket, b = MIN (a + bucket, n_samples);
          float mn = pcm[a], mx = pcm[a];
          for (gsize j = a + 1; j < b; j++)
            {
              mn = MIN (mn, pcm[j]);
              mx = MAX (mx, pcm[j]);
            }
          p->min[0][i] = mn;
          p->max[0][i] = mx;
        }
      if (release)
        release (release_data);
    }
  p->n_levels = 1;
  while (count > 1 && p->n_levels < MAX_LEVELS)
    {
      int l = p->n_levels;
      const float *src_min = p->min[l - 1], *src_max = p->max[l - 1];
      gsize src_n = count;
      bucket *= LEVEL_FACTOR;
      count = (n_samples + bucket - 1) / bucket;
      p->bucket[l] = bucket;
      p->count[l] = count;
      p->min[l] = g_new (float, MAX (count, 1));
      p->max[l] = g_new (float, MAX (count, 1));
      for (gsize i = 0; i < count; i++)
        {
          gsize a = i * LEVEL_FACTOR, b = MIN (a + LEVEL_FACTOR, src_n);
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
