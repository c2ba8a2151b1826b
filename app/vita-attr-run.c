/* vita-attr-run.c — see vita-attr-run.h. */
#include "vita-attr-run.h"

#include <math.h>
#include <stdlib.h>

void
vita_attr_run_free (VitaAttrRun *run)
{
  if (run == NULL)
    return;
  g_free (run->map);
  g_free (run);
}

gboolean
vita_attr_settings_options (const VitaAttrSettings *s, VitaAttrOptions *opt, GError **error)
{
  vita_attr_options_init (opt);
  if (s->method && !vita_attr_method_from_name (s->method, &opt->method))
    {
      g_set_error (error, VITA_MODEL_ERROR, VITA_MODEL_ERROR_METADATA,
                   "attribution method “%s”: unknown (ig, grad-input, occlusion)", s->method);
      return FALSE;
    }
  if (s->steps > 0)
    opt->steps = s->steps;
  if (s->patch_frames > 0)
    opt->patch_frames = s->patch_frames;
  if (s->patch_bands > 0)
    opt->patch_bands = s->patch_bands;
  return TRUE;
}

char *
vita_attr_settings_label (const VitaAttrSettings *s)
{
  const char *m = g_strcmp0 (s->method, "grad-input") == 0 ? "grad×input"
                  : g_strcmp0 (s->method, "occlusion") == 0 ? "occlusion" : "IG";
  return g_strdup_printf ("%s · %s", m, s->target ? s->target : "");
}

typedef struct {
  int first, end;       /* frames [first, end) */
  int distance;
} Piece;

static int
piece_cmp (const void *a, const void *b)
{
  const Piece *x = a, *y = b;
  return x->distance != y->distance ? (x->distance > y->distance) - (x->distance < y->distance)
                                    : (x->first > y->first) - (x->first < y->first);
}

typedef struct {
  VitaAttrProgress progress;
  gpointer         data;
  int              piece, n_pieces;
} ProgressScale;

/* A piece's batches as a share of the whole: piece i of n covers [i, i + 1) / n. */
static void
piece_progress (int done, int total, gpointer data)
{
  ProgressScale *p = data;
  const int scale = 1000;
  p->progress ((int) ((p->piece + (double) done / MAX (total, 1)) * scale / p->n_pieces), scale,
               p->data);
}

VitaAttrRun *
vita_attr_run (const VitaAttrSettings *s, const VitaAnalysis *an, const VitaProbe *probe,
               int near_frame, VitaAttrProgress progress, VitaAttrRunChunk chunk,
               gpointer user_data, GCancellable *cancellable, GError **error)
{
  g_return_val_if_fail (s != NULL && an != NULL, NULL);
  VitaAttrOptions opt;
  VitaAttrTarget target;
  if (!vita_attr_settings_options (s, &opt, error)
      || !vita_attr_target_parse (s->target ? s->target : "", "attribution target", an->vit,
                                  probe, an->n_frames, &target, error))
    return NULL;
  const int M = an->cfg.fe.n_mels;
  /* the pieces: a probe range cut where the owning window changes */
  g_autoptr(GArray) pieces = g_array_new (FALSE, FALSE, sizeof (Piece));
  if (target.kind == VITA_ATTR_TARGET_PROBE && target.frame_end > target.frame + 1
      && an->window_owned != NULL)
    {
      for (int w = 0; w < an->n_windows; w++)
        {
          int a = MAX (target.frame, an->window_owned[w]);
          int b = MIN (target.frame_end, an->window_owned[w + 1]);
          if (b > a)
            g_array_append_val (pieces, ((Piece) { a, b, 0 }));
        }
    }
  if (pieces->len == 0)
    g_array_append_val (pieces, ((Piece) { target.frame, MAX (target.frame_end, target.frame + 1), 0 }));
  for (guint i = 0; i < pieces->len; i++)
    {
      Piece *p = &g_array_index (pieces, Piece, i);
      p->distance = near_frame < p->first ? p->first - near_frame
                    : near_frame >= p->end ? near_frame - p->end + 1 : 0;
    }
  qsort (pieces->data, pieces->len, sizeof (Piece), piece_cmp);

  g_autoptr(VitaAttrRun) run = g_new0 (VitaAttrRun, 1);
  run->n_frames = an->n_frames;
  run->n_mels = M;
  run->n_pieces = pieces->len;
  run->map = g_new (float, (gsize) an->n_frames * M);
  for (gsize i = 0; i < (gsize) an->n_frames * M; i++)
    run->map[i] = NAN;
  run->completeness = NAN;
  run->first_frame = an->n_frames;
  run->last_frame = 0;
  for (guint i = 0; i < pieces->len; i++)
    {
      const Piece *p = &g_array_index (pieces, Piece, i);
      VitaAttrTarget t = target;
      if (pieces->len > 1)
        {
          t.frame = p->first;
          t.frame_end = p->end;
        }
      ProgressScale ps = { progress, user_data, (int) i, (int) pieces->len };
      g_autoptr(VitaAttribution) a = vita_attribution_compute (an, &t, &opt,
                                                               progress ? piece_progress : NULL,
                                                               &ps, cancellable, error);
      if (a == NULL)
        return NULL;
      for (int f = a->first_frame; f < a->last_frame; f++)
        for (int m = 0; m < M; m++)
          {
            float *cell = &run->map[(gsize) f * M + m];
            *cell = (isnan (*cell) ? 0.0f : *cell) + a->map[(gsize) f * M + m];
          }
      run->first_frame = MIN (run->first_frame, a->first_frame);
      run->last_frame = MAX (run->last_frame, a->last_frame);
      run->f_input += a->f_input;
      run->f_baseline += a->f_baseline;
      run->sum += a->sum;
      run->pieces_done = i + 1;
      if (opt.method == VITA_ATTR_INTEGRATED_GRADIENTS)
        {
          double d = run->f_input - run->f_baseline;
          run->completeness = fabs (run->sum - d) / MAX (fabs (d), 1e-12);
        }
      if (chunk)
        chunk (run, user_data);
    }
  return g_steal_pointer (&run);
}
