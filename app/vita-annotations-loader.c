/* vita-annotations-loader.c — annotations and probes for the window (see the header). */
#include "vita-annotations-loader.h"
#include "views/vita-probe-lanes.h"

#include <glib/gi18n.h>
#include <math.h>
#include <string.h>

void
vita_annotations_free (VitaAnnotations *ann)
{
  if (ann == NULL)
    return;
  g_clear_pointer (&ann->chords, vita_chord_track_free);
  g_clear_pointer (&ann->beats, vita_event_list_free);
  g_clear_pointer (&ann->onsets, vita_event_list_free);
  g_clear_pointer (&ann->messages, g_ptr_array_unref);
  g_free (ann);
}

static gboolean
has_suffix_ci (const char *name, const char *suffix)
{
  gsize n = strlen (name), s = strlen (suffix);
  return n > s && g_ascii_strcasecmp (name + n - s, suffix) == 0;
}

const char *
vita_annotation_kind_for_path (const char *path)
{
  g_autofree char *name = g_path_get_basename (path);

  if (has_suffix_ci (name, ".lab") || has_suffix_ci (name, ".chords") ||
      has_suffix_ci (name, ".chords.txt"))
    return "chords";
  if (has_suffix_ci (name, ".beats") || has_suffix_ci (name, ".beats.txt") ||
      has_suffix_ci (name, ".beat"))
    return "beats";
  if (has_suffix_ci (name, ".onsets") || has_suffix_ci (name, ".onsets.txt") ||
      has_suffix_ci (name, ".onset"))
    return "onsets";
  if (has_suffix_ci (name, ".key") || has_suffix_ci (name, ".key.txt"))
    return "key";
  return NULL;
}

VitaAnnotations *
vita_annotations_load (const char *const *paths)
{
  VitaAnnotations *ann = g_new0 (VitaAnnotations, 1);

  ann->key = VITA_KEY_X;
  ann->messages = g_ptr_array_new_with_free_func (g_free);
  for (int i = 0; paths != NULL && paths[i] != NULL; i++)
    {
      const char *path = paths[i];
      const char *kind = vita_annotation_kind_for_path (path);
      g_autoptr(GError) error = NULL;
      g_autofree char *name = g_path_get_basename (path);
      gboolean ok = FALSE;

      if (kind == NULL)
        {
          /* Translators: %s is a file name. */
          g_ptr_array_add (ann->messages,
                           g_strdup_printf (_("“%s”: not an annotation file (expected .lab, "
                                              ".beats, .onsets or .key)"), name));
          continue;
        }
      if (g_str_equal (kind, "chords"))
        {
          VitaChordTrack *t = vita_chord_track_load (path, ann->messages, &error);
          if ((ok = t != NULL))
            {
              g_clear_pointer (&ann->chords, vita_chord_track_free);
              ann->chords = t;
            }
        }
      else if (g_str_equal (kind, "beats") || g_str_equal (kind, "onsets"))
        {
          VitaEventList *e = vita_event_list_load (path, ann->messages, &error);
          VitaEventList **slot = g_str_equal (kind, "beats") ? &ann->beats : &ann->onsets;
          if ((ok = e != NULL))
            {
              g_clear_pointer (slot, vita_event_list_free);
              *slot = e;
            }
        }
      else
        {
          int key = VITA_KEY_X;
          if ((ok = vita_key_file_load (path, &key, ann->messages, &error)))
            {
              ann->key = key;
              ann->has_key = TRUE;
            }
        }
      if (ok)
        ann->n_loaded++;
      else
        g_ptr_array_add (ann->messages, g_strdup (error->message));
    }
  return ann;
}

char **
vita_annotations_find_beside (const char *audio_path)
{
  static const char *const suffixes[] = {
    ".lab", ".beats", ".beats.txt", ".onsets", ".onsets.txt", ".key", ".key.txt",
  };
  g_autoptr(GPtrArray) out = g_ptr_array_new ();
  g_autofree char *stem = NULL;
  const char *dot;
  g_autofree char *base = g_path_get_basename (audio_path);

  dot = strrchr (base, '.');
  if (dot != NULL && dot != base)
    {
      g_autofree char *dir = g_path_get_dirname (audio_path);
      g_autofree char *name = g_strndup (base, dot - base);
      stem = g_build_filename (dir, name, NULL);
    }
  else
    stem = g_strdup (audio_path);
  for (gsize i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      char *p = g_strconcat (stem, suffixes[i], NULL);
      /* anything there (a FIFO, a folder, a link to a device) is listed, so that
       * loading it says what is wrong instead of treating it as absent */
      if (g_file_test (p, G_FILE_TEST_EXISTS))
        g_ptr_array_add (out, p);
      else
        g_free (p);
    }
  g_ptr_array_add (out, NULL);
  return (char **) g_ptr_array_free (g_steal_pointer (&out), FALSE);
}

static void
load_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  const char *const *paths = task_data;
  g_task_return_pointer (task, vita_annotations_load (paths),
                         (GDestroyNotify) vita_annotations_free);
}

void
vita_annotations_load_async (const char *const *paths, GCancellable *cancellable,
                             GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);

  g_task_set_source_tag (task, vita_annotations_load_async);
  g_task_set_task_data (task, g_strdupv ((char **) paths), (GDestroyNotify) g_strfreev);
  g_task_run_in_thread (task, load_thread);
}

VitaAnnotations *
vita_annotations_load_finish (GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ------------------------------------------------------------------ probe set */

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
      const float *tok = an->tokens + (gsize) p->layer * F * D;
      for (int w = 0; w < an->n_windows; w++)
        {
          float *row = x + (gsize) w * D;
          const float *cls = an->cls + ((gsize) w * L + p->layer) * D;
          int f0 = an->window_start[w], f1 = MIN (f0 + T, F), n = MAX (f1 - f0, 1);
          for (int d = 0; d < D; d++)
            {
              double s = 0;
              for (int f = f0; f < f1; f++)
                s += tok[(gsize) f * D + d];
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

      if (set->ann != NULL)
        {
          truth.chords = set->ann->chords;
          if (probe->task != NULL && g_str_has_prefix (probe->task, "beat"))
            truth.events = set->ann->beats;
          else if (probe->task != NULL && g_str_has_prefix (probe->task, "onset"))
            truth.events = set->ann->onsets;
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
