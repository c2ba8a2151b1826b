/* vita-panel.c — panel names, dispatch, playhead geometry, hit testing, the arrays
 * behind each panel (.npy export), and helpers shared by the painters. */
#include "vita-paint-private.h"
#include "vita-probe-ogram.h"

#include <math.h>
#include <string.h>

static const char *panel_names[VITA_N_PANELS] = {
  "waveform", "mel", "attention", "attention-grid", "attention-row", "received",
  "ssm", "overview", "probes", "probeogram", "layout",
};

const char *
vita_panel_to_string (VitaPanel panel)
{
  g_return_val_if_fail (panel < VITA_N_PANELS, "layout");
  return panel_names[panel];
}

gboolean
vita_panel_from_string (const char *name, VitaPanel *out)
{
  for (int i = 0; name && i < VITA_N_PANELS; i++)
    if (g_ascii_strcasecmp (name, panel_names[i]) == 0)
      {
        *out = i;
        return TRUE;
      }
  return FALSE;
}

gboolean
vita_panel_is_time_aligned (VitaPanel panel)
{
  return panel == VITA_PANEL_WAVEFORM || panel == VITA_PANEL_MEL ||
         panel == VITA_PANEL_RECEIVED || panel == VITA_PANEL_PROBES ||
         panel == VITA_PANEL_PROBEOGRAM;
}

int
vita_paint_block_for_layer (const VitaAnalysis *an, int layer)
{
  int depth = an ? an->cfg.depth : 1;
  return CLAMP (MAX (layer, 1) - 1, 0, MAX (depth - 1, 0));
}

double
vita_paint_x_for_sample (const VitaRect *plot, const VitaTimelineSnapshot *snap, gint64 s)
{
  double span = (double) MAX (snap->visible_end - snap->visible_start, 1);
  return plot->x + (double) (s - snap->visible_start) / span * plot->width;
}

void
vita_paint_selection (cairo_t *cr, const VitaStyle *style, const VitaRect *plot,
                      const VitaTimelineSnapshot *snap)
{
  if (snap->selection_end <= snap->selection_start)
    return;
  double x0 = vita_paint_x_for_sample (plot, snap, snap->selection_start);
  double x1 = vita_paint_x_for_sample (plot, snap, snap->selection_end);
  x0 = CLAMP (x0, plot->x, plot->x + plot->width);
  x1 = CLAMP (x1, plot->x, plot->x + plot->width);
  if (x1 <= x0)
    return;
  cairo_save (cr);
  cairo_set_source_rgba (cr, style->accent[0], style->accent[1], style->accent[2], 0.18);
  cairo_rectangle (cr, x0, plot->y, x1 - x0, plot->height);
  cairo_fill (cr);
  cairo_restore (cr);
}

void
vita_set_rgb (cairo_t *cr, const double rgb[3])
{
  cairo_set_source_rgb (cr, rgb[0], rgb[1], rgb[2]);
}

void
vita_paint_time_panel_begin (cairo_t *cr, const VitaRect *area, const VitaPaintContext *ctx,
                             VitaPanel panel, VitaRect *plot, VitaRect *cbar)
{
  vita_panel_begin (cr, ctx->style, area->x, area->y, area->width, area->height);
  vita_panel_layout (ctx->style, area->x, area->y, area->width, area->height,
                     vita_panel_flags (panel), plot, cbar);
}

void
vita_paint_time_panel_end (cairo_t *cr, const VitaPaintContext *ctx, const VitaRect *plot,
                           const char *title)
{
  const VitaTimelineSnapshot *snap = ctx->snap;
  vita_paint_selection (cr, ctx->style, plot, snap);
  vita_panel_frame (cr, ctx->style, plot);
  vita_axis_time (cr, ctx->style, plot, vita_snapshot_seconds (snap, snap->visible_start),
                  vita_snapshot_seconds (snap, snap->visible_end));
  vita_panel_title (cr, ctx->style, plot, title);
  if (snap->show_playhead)
    vita_draw_playhead_x (cr, ctx->style, plot,
                          vita_paint_x_for_sample (plot, snap, snap->position));
}

/* Flags of the time-aligned panels and the overview, so geometry is shared. */
VitaPanelFlags
vita_panel_flags (VitaPanel panel)
{
  switch (panel)
    {
    case VITA_PANEL_OVERVIEW:
      return VITA_PANEL_XAXIS;
    case VITA_PANEL_PROBES:
      return VITA_PANEL_XAXIS | VITA_PANEL_TITLE;
    case VITA_PANEL_MEL:
    case VITA_PANEL_PROBEOGRAM:
    case VITA_PANEL_ATTENTION:
    case VITA_PANEL_SSM:
      return VITA_PANEL_XAXIS | VITA_PANEL_YAXIS | VITA_PANEL_COLORBAR | VITA_PANEL_TITLE;
    case VITA_PANEL_ATTENTION_GRID:
      return VITA_PANEL_YAXIS | VITA_PANEL_COLORBAR | VITA_PANEL_TITLE;
    case VITA_PANEL_RECEIVED:
    case VITA_PANEL_ATTENTION_ROW:
      /* a legend / read-out row above the data, never on it */
      return VITA_PANEL_XAXIS | VITA_PANEL_YAXIS | VITA_PANEL_TITLE | VITA_PANEL_LEGEND;
    default:
      return VITA_PANEL_XAXIS | VITA_PANEL_YAXIS | VITA_PANEL_TITLE;
    }
}


void
vita_square_plot (const VitaStyle *style, const VitaRect *area, VitaPanel panel,
                  VitaRect *plot, VitaRect *cbar)
{
  vita_panel_layout (style, area->x, area->y, area->width, area->height,
                     vita_panel_flags (panel), plot, cbar);
  double side = MIN (plot->width, plot->height);
  plot->width = plot->height = side;
  if (cbar)
    {
      cbar->x = plot->x + side + 0.8 * style->font_size;
      cbar->height = side;
    }
}

void
vita_panel_paint (VitaPanel panel, cairo_t *cr, const VitaRect *area, const VitaPaintContext *ctx)
{
  static void (*const painters[VITA_N_PANELS]) (cairo_t *, const VitaRect *, const VitaPaintContext *) = {
    vita_waveform_paint, vita_mel_paint, vita_attention_paint, vita_attention_grid_paint,
    vita_attention_row_paint, vita_received_paint, vita_ssm_paint, vita_overview_paint,
    vita_probe_lanes_paint, vita_probeogram_panel_paint, vita_layout_paint,
  };
  g_return_if_fail (panel < VITA_N_PANELS);
  cairo_save (cr);
  painters[panel] (cr, area, ctx);
  cairo_restore (cr);
}


int
vita_paint_query_frame (const VitaPaintContext *ctx)
{
  if (ctx->snap->query_token >= 0)
    return MIN (ctx->snap->query_token, MAX (ctx->snap->n_frames - 1, 0));
  return vita_snapshot_current_frame (ctx->snap);
}

/* Geometry of the attention map panel: plot, and the token grid (T×T). */
static void
attention_geometry (const VitaRect *area, const VitaPaintContext *ctx, VitaRect *plot,
                    int *ws, int *T)
{
  vita_square_plot (ctx->style, area, VITA_PANEL_ATTENTION, plot, NULL);
  VitaAnalysis *an = vita_paint_cache_get_analysis (ctx->cache);
  int w = vita_paint_cache_window_for_frame (ctx->cache, vita_paint_query_frame (ctx));
  *ws = an && w >= 0 ? an->window_start[w] : 0;
  *T = an ? an->cfg.frames : 1;
}

gboolean
vita_panel_playhead (VitaPanel panel, const VitaRect *area, const VitaPaintContext *ctx,
                     VitaRect *plot, double *x, double *y)
{
  const VitaTimelineSnapshot *snap = ctx->snap;
  *x = *y = NAN;
  switch (panel)
    {
    case VITA_PANEL_WAVEFORM:
    case VITA_PANEL_MEL:
    case VITA_PANEL_RECEIVED:
    case VITA_PANEL_PROBES:
    case VITA_PANEL_PROBEOGRAM:
      vita_panel_layout (ctx->style, area->x, area->y, area->width, area->height,
                         vita_panel_flags (panel), plot, NULL);
      *x = vita_paint_x_for_sample (plot, snap, snap->position);
      return *x >= plot->x && *x <= plot->x + plot->width;
    case VITA_PANEL_OVERVIEW:
      vita_panel_layout (ctx->style, area->x, area->y, area->width, area->height,
                         vita_panel_flags (panel), plot, NULL);
      *x = plot->x + (double) snap->position / MAX (snap->n_samples, 1) * plot->width;
      return TRUE;
    case VITA_PANEL_SSM:
      {
        VitaAnalysis *an = vita_paint_cache_get_analysis (ctx->cache);
        if (an == NULL || an->ssm_size <= 0)
          return FALSE;
        vita_square_plot (ctx->style, area, panel, plot, NULL);
        double cell = ((double) vita_snapshot_current_frame (snap) + 0.5) / an->ssm_pool;
        *x = plot->x + cell / an->ssm_size * plot->width;
        *y = plot->y + cell / an->ssm_size * plot->height;
        return TRUE;
      }
    case VITA_PANEL_ATTENTION:
      {
        if (ctx->cache == NULL)
          return FALSE;
        int ws, T;
        attention_geometry (area, ctx, plot, &ws, &T);
        double j = vita_paint_query_frame (ctx) - ws + 0.5;
        *x = plot->x + j / T * plot->width;
        *y = plot->y + j / T * plot->height;
        return TRUE;
      }
    default:
      return FALSE;
    }
}

gboolean
vita_panel_visible_mark (VitaPanel panel, const VitaRect *area, const VitaPaintContext *ctx,
                         VitaRect *mark)
{
  const VitaTimelineSnapshot *snap = ctx->snap;
  VitaRect plot;
  if (panel == VITA_PANEL_OVERVIEW)
    {
      vita_panel_layout (ctx->style, area->x, area->y, area->width, area->height,
                         vita_panel_flags (panel), &plot, NULL);
      double n = (double) MAX (snap->n_samples, 1);
      double x0 = plot.x + snap->visible_start / n * plot.width;
      double x1 = plot.x + snap->visible_end / n * plot.width;
      *mark = (VitaRect) { x0, plot.y, MAX (x1 - x0, 2.0), plot.height };
      return TRUE;
    }
  if (panel == VITA_PANEL_SSM)
    {
      VitaAnalysis *an = vita_paint_cache_get_analysis (ctx->cache);
      if (!vita_analysis_is_complete_views (an))
        return FALSE;
      vita_square_plot (ctx->style, area, panel, &plot, NULL);
      int S = an->ssm_size;
      double a = ((double) snap->visible_start / snap->hop + 0.5) / an->ssm_pool / S;
      double b = ((double) snap->visible_end / snap->hop + 0.5) / an->ssm_pool / S;
      if (b - a >= 0.999)
        return FALSE;
      *mark = (VitaRect) { plot.x + a * plot.width, plot.y + a * plot.height,
                           (b - a) * plot.width, (b - a) * plot.height };
      return TRUE;
    }
  return FALSE;
}

gint64
vita_panel_position_key (VitaPanel panel, const VitaPaintContext *ctx)
{
  int frame = vita_paint_query_frame (ctx);
  switch (panel)
    {
    case VITA_PANEL_ATTENTION:
    case VITA_PANEL_ATTENTION_GRID:
      return 1 + vita_paint_cache_window_for_frame (ctx->cache, frame);
    case VITA_PANEL_ATTENTION_ROW:
      return 1 + frame;
    case VITA_PANEL_LAYOUT:
      return 1 + ctx->snap->position;
    default:
      return 0;
    }
}

gboolean
vita_panel_hit_sample (VitaPanel panel, const VitaRect *area, const VitaPaintContext *ctx,
                       double px, double py, gint64 *sample)
{
  const VitaTimelineSnapshot *snap = ctx->snap;
  VitaRect plot;
  double dummy_x, dummy_y;
  if (!vita_panel_playhead (panel, area, ctx, &plot, &dummy_x, &dummy_y))
    {
      if (panel != VITA_PANEL_SSM && panel != VITA_PANEL_ATTENTION &&
          panel != VITA_PANEL_ATTENTION_ROW)
        return FALSE;
    }
  switch (panel)
    {
    case VITA_PANEL_WAVEFORM:
    case VITA_PANEL_MEL:
    case VITA_PANEL_RECEIVED:
    case VITA_PANEL_PROBES:
    case VITA_PANEL_PROBEOGRAM:
      if (px < plot.x || px > plot.x + plot.width || py < plot.y || py > plot.y + plot.height)
        return FALSE;
      *sample = snap->visible_start +
                (gint64) llround ((px - plot.x) / plot.width *
                                  (double) (snap->visible_end - snap->visible_start));
      break;
    case VITA_PANEL_OVERVIEW:
      if (px < plot.x || px > plot.x + plot.width)
        return FALSE;
      *sample = (gint64) llround ((px - plot.x) / plot.width * (double) snap->n_samples);
      break;
    case VITA_PANEL_SSM:
      {
        VitaAnalysis *an = vita_paint_cache_get_analysis (ctx->cache);
        if (an == NULL || an->ssm_size <= 0)
          return FALSE;
        vita_square_plot (ctx->style, area, panel, &plot, NULL);
        if (px < plot.x || px > plot.x + plot.width || py < plot.y || py > plot.y + plot.height)
          return FALSE;
        /* A click on a cell seeks to the column's time (the x axis). */
        double cell = (px - plot.x) / plot.width * an->ssm_size;
        *sample = (gint64) llround ((cell * an->ssm_pool - 0.5) * snap->hop);
        break;
      }
    case VITA_PANEL_ATTENTION:
    case VITA_PANEL_ATTENTION_ROW:
      {
        if (ctx->cache == NULL)
          return FALSE;
        int ws, T;
        attention_geometry (area, ctx, &plot, &ws, &T);
        if (panel == VITA_PANEL_ATTENTION_ROW)
          vita_panel_layout (ctx->style, area->x, area->y, area->width, area->height,
                             vita_panel_flags (panel), &plot, NULL);
        if (px < plot.x || px > plot.x + plot.width || py < plot.y || py > plot.y + plot.height)
          return FALSE;
        /* Seek to the key token's frame centre. */
        int j = (int) floor ((px - plot.x) / plot.width * T);
        *sample = (gint64) (ws + CLAMP (j, 0, T - 1)) * snap->hop;
        break;
      }
    default:
      return FALSE;
    }
  *sample = CLAMP (*sample, 0, snap->n_samples);
  return TRUE;
}

float *
vita_panel_array (VitaPanel panel, const VitaPaintContext *ctx, int *ndim, gsize shape[4],
                  GError **error)
{
  const VitaTimelineSnapshot *snap = ctx->snap;
  VitaAnalysis *an = vita_paint_cache_get_analysis (ctx->cache);
  gboolean needs_an = panel != VITA_PANEL_WAVEFORM && panel != VITA_PANEL_OVERVIEW &&
                      panel != VITA_PANEL_PROBES && panel != VITA_PANEL_PROBEOGRAM &&
                      panel != VITA_PANEL_LAYOUT;
  if (needs_an && an == NULL)
    {
      g_set_error (error, VITA_MODEL_ERROR, VITA_MODEL_ERROR_BUSY,
                   "the %s panel has no analysis to export", vita_panel_to_string (panel));
      return NULL;
    }
  int f0 = vita_snapshot_sample_to_frame (snap, snap->visible_start);
  int f1 = vita_snapshot_sample_to_frame (snap, snap->visible_end);
  switch (panel)
    {
    case VITA_PANEL_WAVEFORM:
    case VITA_PANEL_OVERVIEW:
      {
        if (ctx->peaks == NULL)
          break;
        gint64 n = vita_peaks_get_n_samples (ctx->peaks);
        gint64 a = panel == VITA_PANEL_WAVEFORM ? CLAMP (snap->visible_start, 0, n) : 0;
        gint64 b = panel == VITA_PANEL_WAVEFORM ? CLAMP (snap->visible_end, a, n) : n;
        *ndim = 1;
        shape[0] = (gsize) (b - a);
        return g_memdup2 (vita_peaks_get_samples (ctx->peaks) + a,
                          MAX (shape[0], 1) * sizeof (float));
      }
    case VITA_PANEL_MEL:
      {
        int M = an->cfg.fe.n_mels;
        f1 = MIN (f1, an->n_frames - 1);
        *ndim = 2;
        shape[0] = (gsize) (f1 - f0 + 1);
        shape[1] = (gsize) M;
        return g_memdup2 (an->mel + (gsize) f0 * M, shape[0] * shape[1] * sizeof (float));
      }
    case VITA_PANEL_ATTENTION:
    case VITA_PANEL_ATTENTION_ROW:
    case VITA_PANEL_ATTENTION_GRID:
      {
        int q = vita_paint_query_frame (ctx);
        int w = vita_paint_cache_window_for_frame (ctx->cache, q);
        int T = an->cfg.frames, N = T + 1, L = an->cfg.depth, NH = an->cfg.heads;
        int block = vita_paint_block_for_layer (an, snap->layer);
        const float *att = vita_paint_cache_window_attention (ctx->cache, w, error);
        if (att == NULL)
          return NULL;
        if (panel == VITA_PANEL_ATTENTION_GRID)
          {
            /* (L, NH, T, T): frame tokens only, as drawn. */
            float *out = g_new (float, (gsize) L * NH * T * T);
            for (int l = 0; l < L; l++)
              for (int h = 0; h < NH; h++)
                for (int i = 0; i < T; i++)
                  memcpy (out + (((gsize) l * NH + h) * T + i) * T,
                          att + (((gsize) l * NH + h) * N + i + 1) * N + 1, T * sizeof (float));
            *ndim = 4;
            shape[0] = L; shape[1] = NH; shape[2] = T; shape[3] = T;
            return out;
          }
        g_autofree float *map = g_new (float, (gsize) N * N);
        if (ctx->attention_mode == VITA_ATTENTION_ROLLOUT)
          {
            const float *r = vita_paint_cache_rollout (ctx->cache, w, block, error);
            if (r == NULL)
              return NULL;
            memcpy (map, r, (gsize) N * N * sizeof (float));
          }
        else
          vita_attention_select (an, att, block, snap->head, map);
        if (panel == VITA_PANEL_ATTENTION_ROW)
          {
            int j = CLAMP (q - an->window_start[w] + 1, 1, T);
            *ndim = 1;
            shape[0] = T;
            return g_memdup2 (map + (gsize) j * N + 1, T * sizeof (float));
          }
        float *out = g_new (float, (gsize) T * T);
        for (int i = 0; i < T; i++)
          memcpy (out + (gsize) i * T, map + (gsize) (i + 1) * N + 1, T * sizeof (float));
        *ndim = 2;
        shape[0] = shape[1] = T;
        return out;
      }
    case VITA_PANEL_RECEIVED:
      {
        int block = vita_paint_block_for_layer (an, snap->layer);
        int NH = an->cfg.heads, n = an->n_frames;
        f1 = MIN (f1, n - 1);
        gsize len = (gsize) (f1 - f0 + 1);
        const float *onset = ctx->onset ? ctx->onset : vita_paint_cache_onset (ctx->cache);
        float *out = g_new (float, 2 * len);
        for (gsize i = 0; i < len; i++)
          {
            int f = f0 + (int) i;
            double s = 0;
            for (int h = 0; h < NH; h++)
              if (snap->head < 0 || h == snap->head)
                s += an->received[((gsize) block * NH + h) * n + f];
            out[i] = (float) (snap->head < 0 ? s / NH : s);
            out[len + i] = onset[f];
          }
        *ndim = 2;
        shape[0] = 2;
        shape[1] = len;
        return out;
      }
    case VITA_PANEL_SSM:
      {
        if (!vita_analysis_is_complete_views (an))
          {
            g_set_error (error, VITA_MODEL_ERROR, VITA_MODEL_ERROR_BUSY,
                         "the self-similarity matrices are not computed yet");
            return NULL;
          }
        gsize S = an->ssm_size;
        int layer = CLAMP (snap->layer, 0, an->n_layers - 1);
        *ndim = 2;
        shape[0] = shape[1] = S;
        return g_memdup2 (an->ssm + (gsize) layer * S * S, S * S * sizeof (float));
      }
    case VITA_PANEL_PROBEOGRAM:
      if (ctx->probeogram != NULL && ctx->probeogram->n_frames > 0)
        {
          const struct _VitaProbeogram *pg = ctx->probeogram;
          *ndim = 2;
          shape[0] = pg->n_layers;
          shape[1] = pg->n_frames;
          return g_memdup2 (pg->values, shape[0] * shape[1] * sizeof (float));
        }
      break;
    case VITA_PANEL_PROBES:
      if (ctx->n_lanes > 0 && ctx->lanes[0]->probs)
        {
          const VitaProbeLane *lane = ctx->lanes[0];
          *ndim = 2;
          shape[0] = lane->n_frames;
          shape[1] = lane->n_classes;
          return g_memdup2 (lane->probs, shape[0] * shape[1] * sizeof (float));
        }
      break;
    default:
      break;
    }
  g_set_error (error, VITA_MODEL_ERROR, VITA_MODEL_ERROR_UNSUPPORTED,
               "the %s panel has no single array to export", vita_panel_to_string (panel));
  return NULL;
}
