/* vita-results-export.c — see the header. */
#include "vita-results-export.h"
#include "model/probe/vita-metrics.h"
#include "model/vita-derived.h"

#include <math.h>
#include <string.h>

static VitaEventList *
event_list_take (GArray *times, const char *name)
{
  VitaEventList *e = g_new0 (VitaEventList, 1);
  e->times = times;
  e->path = g_strdup (name);
  return e;
}

VitaAnnotationSet *
vita_results_lane_to_set (const VitaProbeLane *lane, double hop, VitaAnnKind kind,
                          VitaAnnKind *kind_out, GError **error)
{
  const char *name = lane->name ? lane->name : "lane";
  int F = lane->n_frames;
  if (F <= 0 || !(hop > 0))
    {
      g_set_error (error, VITA_MODEL_ERROR, VITA_MODEL_ERROR_UNSUPPORTED,
                   "lane “%s” has no frames to export", name);
      return NULL;
    }
  g_autoptr(VitaAnnotationSet) set = vita_annotation_set_new ();
  set->duration = F * hop;
  if (lane->binary)
    {
      if (kind != VITA_ANN_BEATS && kind != VITA_ANN_ONSETS)
        {
          g_autofree char *low = g_ascii_strdown (name, -1);
          kind = strstr (low, "beat") ? VITA_ANN_BEATS : VITA_ANN_ONSETS;
        }
      if (!lane->probs || lane->n_classes < 1)
        {
          g_set_error (error, VITA_MODEL_ERROR, VITA_MODEL_ERROR_UNSUPPORTED,
                       "lane “%s” has no probabilities to export", name);
          return NULL;
        }
      /* P(event): the last class (1 of a single-output sigmoid, "yes" of two classes) */
      int C = lane->n_classes;
      g_autofree float *p = g_new (float, F);
      for (int i = 0; i < F; i++)
        p[i] = lane->probs[(gsize) i * C + (C - 1)];
      GArray *t = g_array_new (FALSE, FALSE, sizeof (double));
      for (int f = 0; f < F; f++)
        {
          if (!(p[f] >= 0.5f))
            continue;
          gboolean is_max = TRUE;
          for (int g = MAX (0, f - 2); g <= MIN (F - 1, f + 2) && is_max; g++)
            if (p[g] > p[f] || (p[g] == p[f] && g < f))
              is_max = FALSE;
          if (is_max)
            {
              double s = f * hop;
              g_array_append_val (t, s);
            }
        }
      VitaEventList *e = event_list_take (t, name);
      if (kind == VITA_ANN_BEATS)
        set->beats = e;
      else
        set->onsets = e;
      set->from[kind] = g_strdup (name);
    }
  else
    {
      /* a label lane: class names must be chords */
      g_autofree int *map = g_new (int, MAX (lane->n_classes, 1));
      for (int c = 0; c < lane->n_classes; c++)
        {
          g_autofree char *msg = NULL;
          const char *cn = lane->class_names ? lane->class_names[c] : NULL;
          if (!cn || !vita_chord_parse_any (cn, &map[c], &msg))
            {
              g_set_error (error, VITA_MODEL_ERROR, VITA_MODEL_ERROR_UNSUPPORTED,
                           "lane “%s”: class “%s” is not a chord label; only chord, beat and "
                           "onset lanes export as annotations", name, cn ? cn : "?");
              return NULL;
            }
        }
      g_autofree int *cls = g_new (int, F);
      for (int i = 0; i < F; i++)
        {
          int c = -1;
          if (lane->labels)
            c = lane->labels[i];
          else if (lane->probs)
            {
              float best = -INFINITY;
              for (int k = 0; k < lane->n_classes; k++)
                if (lane->probs[(gsize) i * lane->n_classes + k] > best)
                  best = lane->probs[(gsize) i * lane->n_classes + k], c = k;
            }
          cls[i] = (c >= 0 && c < lane->n_classes) ? map[c] : VITA_CHORD_N;
        }
      VitaChordTrack *t = g_new0 (VitaChordTrack, 1);
      t->segments = vita_chord_frames_to_segments (cls, F, hop);
      t->path = g_strdup (name);
      set->chords = t;
      set->from[VITA_ANN_CHORDS] = g_strdup (name);
      kind = VITA_ANN_CHORDS;
    }
  if (kind_out)
    *kind_out = kind;
  return g_steal_pointer (&set);
}

gboolean
vita_results_export_lane (const VitaProbeLane *lane, double hop, VitaAnnKind kind,
                          VitaAnnExportFormat format, const char *path, GError **error)
{
  VitaAnnKind k;
  g_autoptr(VitaAnnotationSet) set = vita_results_lane_to_set (lane, hop, kind, &k, error);
  if (!set)
    return FALSE;
  g_autofree char *tool = g_strdup_printf ("vitascope %s: probe lane %s", VITA_VERSION,
                                           lane->name ? lane->name : "");
  return vita_annotation_export (set, k, format, path, tool, error);
}

gboolean
vita_results_export_curve (const float *curve, int n_frames, double hop,
                           VitaAnnExportFormat format, const char *path, GError **error)
{
  return vita_curve_export (curve, (gsize) MAX (n_frames, 0), hop, format, path, error);
}

GArray *
vita_results_curve_peaks (const float *curve, int F, double hop, double delta)
{
  /* the one onset peak picking (model/vita-derived.h) */
  g_autoptr(GArray) idx = vita_onset_peaks (curve, (gsize) MAX (F, 0), (float) delta, 1);
  GArray *out = g_array_new (FALSE, FALSE, sizeof (double));
  for (guint i = 0; i < idx->len; i++)
    {
      double t = g_array_index (idx, guint, i) * hop;
      g_array_append_val (out, t);
    }
  return out;
}

gboolean
vita_results_export_peaks (const float *curve, int n_frames, double hop, double delta,
                           double duration, VitaAnnExportFormat format, const char *path,
                           GError **error)
{
  g_autoptr(VitaAnnotationSet) set = vita_annotation_set_new ();
  set->duration = duration;
  set->onsets = event_list_take (vita_results_curve_peaks (curve, n_frames, hop, delta), path);
  if (set->onsets->times->len == 0)
    {
      g_set_error (error, VITA_MODEL_ERROR, VITA_MODEL_ERROR_UNSUPPORTED,
                   "%s: the curve has no peak to export (flat curve?)", path);
      return FALSE;
    }
  set->from[VITA_ANN_ONSETS] = g_strdup ("peaks");
  return vita_annotation_export (set, VITA_ANN_ONSETS, format, path,
                                 "vitascope " VITA_VERSION ": curve peaks", error);
}
