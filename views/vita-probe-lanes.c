/* vita-probe-lanes.c — probe lanes from probe files (see vita-probe-lanes.h). */
#include "vita-probe-lanes.h"
#include "model/probe/vita-metrics.h"

#include <math.h>
#include <string.h>

VitaProbeLane *
vita_probe_lane_from_probe (const VitaAnalysis *an, const VitaProbe *probe,
                            const VitaProbeTruth *truth, double *score, GError **error)
{
  if (score)
    *score = NAN;
  if (an == NULL || an->tokens == NULL)
    {
      g_set_error (error, VITA_MODEL_ERROR, VITA_MODEL_ERROR_MISMATCH,
                   "probe lane: the analysis kept no per-frame tokens");
      return NULL;
    }
  if (!probe->frame_level || probe->dim != an->cfg.dim || probe->layer < 0 ||
      probe->layer >= an->n_layers)
    {
      g_set_error (error, VITA_MODEL_ERROR, VITA_MODEL_ERROR_MISMATCH,
                   "probe '%s' (%s, layer %d, %d dimensions) does not fit this model "
                   "(%d token layers of %d dimensions)",
                   probe->task, probe->frame_level ? "frame-level" : "clip-level", probe->layer,
                   probe->dim, an->n_layers, an->cfg.dim);
      return NULL;
    }
  int F = an->n_frames, C = probe->n_classes;
  double hop_s = (double) an->cfg.fe.hop_length / an->cfg.fe.sample_rate;
  g_autofree char **names = g_new0 (char *, C + 1);
  for (int c = 0; c < C; c++)
    names[c] = c < (int) probe->labels->len ? g_ptr_array_index (probe->labels, c) : NULL;
  VitaProbeLane *lane = vita_probe_lane_new (probe->task, F, C, (const char *const *) names);
  lane->probs = g_new (float, (gsize) F * C);
  vita_probe_predict_analysis (probe, an, probe->layer, lane->probs);
  lane->binary = probe->activation == VITA_PROBE_SIGMOID && C == 1;
  double s = NAN;
  const char *what = NULL;
  if (!lane->binary)
    {
      lane->labels = g_new (int, F);
      vita_probe_argmax (lane->probs, F, C, lane->labels);
      if (truth && truth->chords && C == VITA_CHORD_N_CLASSES)
        {
          lane->truth = g_new (int, F);
          vita_chord_track_to_frames (truth->chords, hop_s, F, lane->truth);
          g_autoptr(GArray) est = vita_chord_frames_to_segments (lane->labels, F, hop_s);
          lane->run_num = g_new (double, MAX (F, 1));
          lane->run_den = g_new (double, MAX (F, 1));
          s = vita_chord_overlap_majmin_running ((VitaChordSegment *) truth->chords->segments->data,
                                                 truth->chords->segments->len,
                                                 (VitaChordSegment *) est->data, est->len,
                                                 hop_s, F, lane->run_num, lane->run_den);
          what = "majmin";
        }
    }
  else if (truth && truth->events)
    {
      /* truth lane: 1 at the frame nearest each event; estimate: local maxima of the
       * probability above 0.5 (±2 frames), as the report decodes it */
      lane->truth = g_new (int, F);
      for (int f = 0; f < F; f++)
        lane->truth[f] = -1;
      const GArray *t = truth->events->times;
      for (guint i = 0; i < t->len; i++)
        {
          long f = lround (g_array_index (t, double, i) / hop_s);
          if (f >= 0 && f < F)
            lane->truth[f] = 0;
        }
      g_autoptr(GArray) est = g_array_new (FALSE, FALSE, sizeof (double));
      for (int f = 0; f < F; f++)
        {
          float p = lane->probs[f];
          if (p < 0.5f)
            continue;
          gboolean is_max = TRUE;
          for (int g = MAX (0, f - 2); g <= MIN (F - 1, f + 2); g++)
            if (lane->probs[g] > p || (lane->probs[g] == p && g < f))
              is_max = FALSE;
          if (is_max)
            {
              double sec = f * hop_s;
              g_array_append_val (est, sec);
            }
        }
      double tol = truth->tolerance > 0 ? truth->tolerance : VITA_EVENT_TOLERANCE;
      VitaEventScore es = vita_onset_f_measure ((const double *) t->data, t->len,
                                                (const double *) est->data, est->len, tol);
      s = es.f_measure;
      what = "F";
      lane->run_num = g_new (double, MAX (F, 1));
      lane->run_den = g_new (double, MAX (F, 1));
      vita_onset_f_measure_running ((const double *) t->data, t->len, (const double *) est->data,
                                    est->len, tol, hop_s, F, lane->run_num, lane->run_den);
    }
  g_free (lane->name);
  if (what)
    lane->name = g_strdup_printf ("%s · layer %d · %s %.2f", probe->task, probe->layer, what, s);
  else
    lane->name = g_strdup_printf ("%s · layer %d", probe->task, probe->layer);
  lane->score_what = what;
  lane->score = s;
  if (score)
    *score = s;
  return lane;
}

/* ---- annotation layers ------------------------------------------------------ */

typedef struct {
  VitaAnnotationLayers layers;         /* first: the pointer handed out */
  GArray    *chord_start, *chord_end;  /* double */
  GPtrArray *chord_label;              /* static strings */
  double    *beats, *onsets;
  char      *key;
} OwnedLayers;

VitaAnnotationLayers *
vita_annotation_layers_new (const VitaAnnotations *ann, guint shown)
{
  OwnedLayers *a = g_new0 (OwnedLayers, 1);
  VitaAnnotationLayers *l = &a->layers;

  a->chord_start = g_array_new (FALSE, FALSE, sizeof (double));
  a->chord_end = g_array_new (FALSE, FALSE, sizeof (double));
  a->chord_label = g_ptr_array_new ();
  if (ann != NULL && ann->chords != NULL)
    for (guint i = 0; i < ann->chords->segments->len; i++)
      {
        const VitaChordSegment *seg = &g_array_index (ann->chords->segments, VitaChordSegment, i);
        g_array_append_val (a->chord_start, seg->start);
        g_array_append_val (a->chord_end, seg->end);
        g_ptr_array_add (a->chord_label,
                         (gpointer) (seg->chord >= 0 ? vita_chord_class_name (seg->chord)
                                                     : seg->chord == VITA_CHORD_OTHER ? "other" : "?"));
      }
  l->chord_start = (const double *) a->chord_start->data;
  l->chord_end = (const double *) a->chord_end->data;
  l->chord_label = (const char *const *) a->chord_label->pdata;
  l->n_chords = a->chord_start->len;
  if (ann != NULL && ann->beats != NULL && ann->beats->times->len > 0)
    {
      l->beats = a->beats = g_memdup2 (ann->beats->times->data, ann->beats->times->len * sizeof (double));
      l->n_beats = ann->beats->times->len;
    }
  if (ann != NULL && ann->onsets != NULL && ann->onsets->times->len > 0)
    {
      l->onsets = a->onsets = g_memdup2 (ann->onsets->times->data, ann->onsets->times->len * sizeof (double));
      l->n_onsets = ann->onsets->times->len;
    }
  if (ann != NULL && ann->has_key && ann->key != VITA_KEY_X)
    l->key = a->key = g_strdup (vita_key_class_name (ann->key));
  l->shown = shown;
  return l;
}

void
vita_annotation_layers_free (VitaAnnotationLayers *layers)
{
  OwnedLayers *a = (OwnedLayers *) layers;

  if (a == NULL)
    return;
  g_array_unref (a->chord_start);
  g_array_unref (a->chord_end);
  g_ptr_array_unref (a->chord_label);
  g_free (a->beats);
  g_free (a->onsets);
  g_free (a->key);
  g_free (a);
}

guint
vita_annotation_kind_from_name (const char *name)
{
  static const struct { const char *name; VitaAnnotationKind kind; } kinds[] = {
    { "chords", VITA_ANNOTATION_CHORDS }, { "beats", VITA_ANNOTATION_BEATS },
    { "onsets", VITA_ANNOTATION_ONSETS }, { "key", VITA_ANNOTATION_KEY },
  };
  for (gsize i = 0; name != NULL && i < G_N_ELEMENTS (kinds); i++)
    if (g_str_equal (name, kinds[i].name))
      return kinds[i].kind;
  return 0;
}

guint
vita_annotation_kind_from_names (const char *const *names)
{
  guint shown = 0;

  if (names == NULL)
    return VITA_ANNOTATION_ALL;
  for (; *names != NULL; names++)
    shown |= vita_annotation_kind_from_name (*names);
  return shown;
}
