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
          s = vita_chord_overlap_majmin ((VitaChordSegment *) truth->chords->segments->data,
                                         truth->chords->segments->len,
                                         (VitaChordSegment *) est->data, est->len, NULL);
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
    }
  g_free (lane->name);
  if (what)
    lane->name = g_strdup_printf ("%s · layer %d · %s %.2f", probe->task, probe->layer, what, s);
  else
    lane->name = g_strdup_printf ("%s · layer %d", probe->task, probe->layer);
  if (score)
    *score = s;
  return lane;
}
