/* vita-probe-set.c — the window's probes and annotations (see the header). */
#include "vita-config.h"
#include "vita-probe-set.h"
#include "views/vita-probe-lanes.h"
#include "views/vita-probeogram.h"

#include <glib/gi18n.h>
#include <math.h>
#include <string.h>

struct _VitaProbeSet
{
  VitaAnnotations *ann;      /* merged */
  GPtrArray       *probes;   /* VitaProbe * */
  GPtrArray       *paths;    /* char *, per probe */
  GPtrArray       *lanes;    /* VitaProbeLane * */
  GArray          *scores;   /* double per lane */
  GPtrArray       *clip_probes; /* VitaProbe *: clip-level (key, tags): no lane */
};

VitaProbeSet *
vita_probe_set_new (void)
{
  VitaProbeSet *set = g_new0 (VitaProbeSet, 1);

  set->probes = g_ptr_array_new_with_free_func ((GDestroyNotify) vita_probe_free);
  set->clip_probes = g_ptr_array_new_with_free_func ((GDestroyNotify) vita_probe_free);
  set->paths = g_ptr_array_new_with_free_func (g_free);
  set->lanes = g_ptr_array_new_with_free_func ((GDestroyNotify) vita_probe_lane_free);
  set->scores = g_array_new (FALSE, FALSE, sizeof (double));
  return set;
}

void
vita_probe_set_free (VitaProbeSet *set)
{
  if (set == NULL)
    return;
  vita_annotations_free (set->ann);
  g_ptr_array_unref (set->probes);
  g_ptr_array_unref (set->clip_probes);
  g_ptr_array_unref (set->paths);
  g_ptr_array_unref (set->lanes);
  g_array_unref (set->scores);
  g_free (set);
}

#define TAKE(field) if (ann->field != NULL) { \
    g_clear_pointer (&dst->field, G_PASTE (free_, field)); dst->field = g_steal_pointer (&ann->field); }
#define free_chords vita_chord_track_free
#define free_beats  vita_event_list_free
#define free_onsets vita_event_list_free

void
vita_probe_set_merge_annotations (VitaProbeSet *set, VitaAnnotations *ann)
{
  VitaAnnotations *dst;

  if (set->ann == NULL)
    {
      set->ann = g_new0 (VitaAnnotations, 1);
      set->ann->key = VITA_KEY_X;
    }
  dst = set->ann;
  TAKE (chords);
  TAKE (beats);
  TAKE (onsets);
  if (ann->has_key)
    {
      dst->key = ann->key;
      dst->has_key = TRUE;
    }
  dst->n_loaded += ann->n_loaded;
}

void
vita_probe_set_clear_annotations (VitaProbeSet *set)
{
  g_clear_pointer (&set->ann, vita_annotations_free);
}

const VitaAnnotations *
vita_probe_set_get_annotations (VitaProbeSet *set)
{
  return set->ann;
}

gboolean
vita_probe_set_has_annotations (VitaProbeSet *set)
{
  return set->ann != NULL && set->ann->n_loaded > 0;
}

void
vita_probe_set_add_probe (VitaProbeSet *set, VitaProbe *probe, const char *path)
{
  /* A clip-level key probe has no lane; the window shows its prediction. */
  if (!probe->frame_level && probe->task != NULL && g_str_has_prefix (probe->task, "key"))
    {
      g_ptr_array_add (set->clip_probes, probe);
      return;
    }
  g_ptr_array_add (set->probes, probe);
  g_ptr_array_add (set->paths, g_strdup (path));
}

char *
vita_probe_set_remove_probe (VitaProbeSet *set, int i)
{
  char *path;

  if (i < 0 || (guint) i >= set->probes->len)
    return NULL;
  path = g_strdup (g_ptr_array_index (set->paths, i));
  g_ptr_array_remove_index (set->probes, i);
  g_ptr_array_remove_index (set->paths, i);
  return path;
}

void
vita_probe_set_clear_probes (VitaProbeSet *set)
{
  g_ptr_array_set_size (set->probes, 0);
  g_ptr_array_set_size (set->paths, 0);
  g_ptr_array_set_size (set->clip_probes, 0);
}

int
vita_probe_set_get_n_probes (VitaProbeSet *set)
{
  return (int) (set->probes->len + set->clip_probes->len);
}

VitaProbe *
vita_probe_set_get_probe (VitaProbeSet *set, int i)
{
  if (i < 0 || (guint) i >= set->probes->len)
    return NULL;
  return g_ptr_array_index (set->probes, i);
}

const char *
vita_probe_set_get_path (VitaProbeSet *set, int i)
{
  if (i < 0 || (guint) i >= set->paths->len)
    return NULL;
  return g_ptr_array_index (set->paths, i);
}

gboolean
vita_probe_set_get_key (VitaProbeSet *set, int *key)
{
  if (set->ann == NULL || !set->ann->has_key)
    return FALSE;
  *key = set->ann->key;
  return TRUE;
}

gboolean
vita_probe_set_predict_key (VitaProbeSet *set, const VitaAnalysis *an, int *key, double *prob)
{
  if (an == NULL || an->tokens == NULL || an->cls == NULL || an->n_windows <= 0)
    return FALSE;
  for (guint i = set->clip_probes->len; i-- > 0;)   /* the last one loaded wins */
    {
      const VitaProbe *p = g_ptr_array_index (set->clip_probes, i);
      int D = an->cfg.dim, L = an->n_layers, F = an->n_frames, T = an->cfg.frames;
      if (p->dim != D || p->layer < 0 || p->layer >= L || p->n_classes != VITA_KEY_N_CLASSES ||
          p->activation != VITA_PROBE_SOFTMAX)
        continue;
      /* One clip vector per analysis window, pooled as the probe was trained
       * (vita_probe_pool's conventions: class token, mean of the window's sequence
       * tokens, or their average), then the windows' probabilities are averaged. */
      g_autofree float *x = g_new (float, (gsize) an->n_windows * D);
      g_autofree float *out = g_new (float, (gsize) an->n_windows * p->n_classes);
      g_autofree double *mean = g_new0 (double, p->n_classes);
      /* each window's tokens read from the analysis (a long track's stay in their
       * cache file), not through the mapping */
      g_autofree float *tok = g_new (float, (gsize) MIN (T, F) * D);   /* (f1 - f0, D) */
      for (int w = 0; w < an->n_windows; w++)
        {
          float *row = x + (gsize) w * D;
          const float *cls = an->cls + ((gsize) w * L + p->layer) * D;
          int f0 = an->window_start[w], f1 = MIN (f0 + T, F), n = MAX (f1 - f0, 1);
          vita_analysis_read_tokens (an, p->layer, f0, f1 - f0, tok);
          for (int d = 0; d < D; d++)
            {
              double s = 0;
              for (int f = f0; f < f1; f++)
                s += tok[(gsize) (f - f0) * D + d];
              float m = (float) (s / n);
              row[d] = p->pool == VITA_POOL_CLS ? cls[d]
                     : p->pool == VITA_POOL_MEAN ? m
                     : 0.5f * (cls[d] + m);
            }
        }
      vita_probe_predict (p, x, an->n_windows, out);
      for (int w = 0; w < an->n_windows; w++)
        for (int c = 0; c < p->n_classes; c++)
          mean[c] += out[(gsize) w * p->n_classes + c] / an->n_windows;
      int best = 0;
      for (int c = 1; c < p->n_classes; c++)
        if (mean[c] > mean[best])
          best = c;
      *key = best;
      if (prob)
        *prob = mean[best];
      return TRUE;
    }
  return FALSE;
}

void
vita_probe_set_update_lanes (VitaProbeSet *set, const VitaAnalysis *an, GPtrArray *messages)
{
  vita_probe_set_update_lanes_with_truth (set, an, set->ann, messages);
}

void
vita_probe_set_update_lanes_with_truth (VitaProbeSet *set, const VitaAnalysis *an,
                                        const VitaAnnotations *ann, GPtrArray *messages)
{
  g_ptr_array_set_size (set->lanes, 0);
  g_array_set_size (set->scores, 0);
  if (an == NULL || an->tokens == NULL)
    return;
  for (guint i = 0; i < set->probes->len;)
    {
      const VitaProbe *probe = g_ptr_array_index (set->probes, i);
      VitaProbeTruth truth = { 0 };
      g_autoptr(GError) error = NULL;
      double score = NAN;
      VitaProbeLane *lane;

      if (ann != NULL)
        {
          truth.chords = ann->chords;
          if (probe->task != NULL && g_str_has_prefix (probe->task, "beat"))
            truth.events = ann->beats;
          else if (probe->task != NULL && g_str_has_prefix (probe->task, "onset"))
            truth.events = ann->onsets;
        }
      lane = vita_probe_lane_from_probe (an, probe, &truth, &score, &error);
      if (lane == NULL)
        {
          g_autofree char *name = g_path_get_basename (g_ptr_array_index (set->paths, i));
          if (messages != NULL)
            /* Translators: %s: probe file name, %s: why. */
            g_ptr_array_add (messages, g_strdup_printf (_("Probe “%s” removed: %s"), name,
                                                        error->message));
          g_ptr_array_remove_index (set->probes, i);
          g_ptr_array_remove_index (set->paths, i);
          continue;
        }
      g_ptr_array_add (set->lanes, lane);
      g_array_append_val (set->scores, score);
      i++;
    }
}

VitaProbeLane *const *
vita_probe_set_get_lanes (VitaProbeSet *set, int *n_lanes)
{
  *n_lanes = (int) set->lanes->len;
  return set->lanes->len ? (VitaProbeLane *const *) set->lanes->pdata : NULL;
}

double
vita_probe_set_get_score (VitaProbeSet *set, int i)
{
  if (i < 0 || (guint) i >= set->scores->len)
    return NAN;
  return g_array_index (set->scores, double, i);
}

const VitaEventList *
vita_probe_set_get_onsets (VitaProbeSet *set)
{
  return set->ann ? set->ann->onsets : NULL;
}

/* The score of the probe of `task` at token layer `layer` (its first lane), NaN when
 * none. */
static double
layer_score (VitaProbeSet *set, const char *task, int layer)
{
  for (guint i = 0; set != NULL && i < set->lanes->len && i < set->probes->len; i++)
    {
      const VitaProbe *p = g_ptr_array_index (set->probes, i);
      if (p->layer == layer && g_strcmp0 (p->task, task) == 0)
        return g_array_index (set->scores, double, i);
    }
  return NAN;
}

void
vita_probe_set_add_table_rows (VitaProbeSet *a, VitaProbeSet *b, VitaCompareTable *table)
{
  g_autoptr(GPtrArray) tasks = g_ptr_array_new ();
  int max_layer = -1;
  VitaProbeSet *sets[2] = { a, b };

  for (int s = 0; s < 2; s++)
    for (guint i = 0; sets[s] != NULL && i < sets[s]->lanes->len && i < sets[s]->probes->len; i++)
      {
        const VitaProbe *p = g_ptr_array_index (sets[s]->probes, i);
        const char *task = p->task ? p->task : "probe";
        gboolean seen = FALSE;
        for (guint k = 0; k < tasks->len && !seen; k++)
          seen = g_str_equal (g_ptr_array_index (tasks, k), task);
        if (!seen)
          g_ptr_array_add (tasks, (gpointer) task);
        max_layer = MAX (max_layer, p->layer);
      }
  for (guint k = 0; k < tasks->len; k++)
    {
      const char *task = g_ptr_array_index (tasks, k);
      g_autofree char *measure = g_strdup_printf ("probe_%s", task);
      for (int l = 0; l <= max_layer; l++)
        {
          double sa = layer_score (a, task, l), sb = layer_score (b, task, l);
          if (isfinite (sa) || isfinite (sb))
            vita_compare_table_add (table, measure, l, -1, sa, sb);
        }
    }
  if (tasks->len > 0)
    {
      const char *line = "probe_TASK: per layer, the score on this track of the side's probe of "
                         "that layer (chords: majmin overlap; beats, onsets: F at ±70 ms).";
      char *note = table->note && *table->note ? g_strconcat (table->note, " ", line, NULL)
                                               : g_strdup (line);
      g_free (table->note);
      table->note = note;
    }
}

/* The probe-o-gram of the first lane's task: every loaded frame-level probe of that
 * task sits in the row of its layer (vita_probeogram_from_analysis takes one probe
 * per token layer; rows without a loaded probe stay empty).  The truth is the first
 * lane's annotation for softmax probes (P(annotated class)); event probes show
 * P(event). */
VitaProbeogram *
vita_probe_set_make_probeogram (VitaProbeSet *set, const char *task, const VitaAnalysis *an,
                                GPtrArray *messages)
{
  int n_lanes = 0;
  VitaProbeLane *const *lanes = vita_probe_set_get_lanes (set, &n_lanes);
  VitaProbe *first = n_lanes > 0 ? vita_probe_set_get_probe (set, 0) : NULL;
  int first_lane = 0;

  /* the chosen task's first lane, when one of the lanes has it */
  for (int i = 0; task != NULL && i < n_lanes; i++)
    {
      VitaProbe *p = vita_probe_set_get_probe (set, i);
      if (p != NULL && g_strcmp0 (p->task, task) == 0)
        {
          first = p, first_lane = i;
          break;
        }
    }
  if (an == NULL || first == NULL)
    return NULL;

  g_autofree VitaProbe **probes = g_new0 (VitaProbe *, an->n_layers);
  g_autoptr(GError) error = NULL;
  const int *truth = lanes[first_lane]->binary ? NULL : lanes[first_lane]->truth;
  int n_rows = 0;

  for (int i = 0; i < n_lanes; i++)
    {
      VitaProbe *p = vita_probe_set_get_probe (set, i);
      if (p != NULL && g_strcmp0 (p->task, first->task) == 0 && p->layer >= 0 &&
          p->layer < an->n_layers && probes[p->layer] == NULL)
        probes[p->layer] = p, n_rows++;
    }
  g_autofree char *name = g_strdup_printf (
      /* Translators: probe-o-gram title: task, then how many layers have a probe. */
      g_dngettext (GETTEXT_PACKAGE, "%s (%d layer probed of %d)",
                   "%s (%d layers probed of %d)", n_rows),
      first->task ? first->task : "probe", n_rows, an->n_layers);
  VitaProbeogram *pg = vita_probeogram_from_analysis (an, (VitaProbe *const *) probes,
                                                      an->n_layers, truth, name, &error);
  if (pg == NULL && messages != NULL)
    g_ptr_array_add (messages, g_strdup_printf (_("No probe-o-gram: %s"), error->message));
  return pg;
}
