/* vita-panel.c — the panel registry's front: names, dispatch through each panel's
 * class record (vita-painters.h), and helpers shared by the painters.  Nothing here
 * knows one panel from another. */
#include "vita-paint-private.h"

#include <glib/gi18n.h>

#include <math.h>
#include <string.h>

static int
cmp_order (gconstpointer a, gconstpointer b, gpointer unused)
{
  double x = vita_panel_get_class (*(const VitaPanel *) a)->order;
  double y = vita_panel_get_class (*(const VitaPanel *) b)->order;
  return (x > y) - (x < y);
}

VitaPanel *
vita_panel_arrangement (int *n)
{
  int count = vita_panel_count (), k = 0;
  VitaPanel *out = g_new (VitaPanel, MAX (count, 1));
  for (int p = 0; p < count; p++)
    if (!(vita_panel_get_class (p)->traits & VITA_PANEL_FIGURE_ONLY))
      out[k++] = p;
  g_qsort_with_data (out, k, sizeof (VitaPanel), cmp_order, NULL);
  *n = k;
  return out;
}

const char *
vita_panel_to_string (VitaPanel panel)
{
  const VitaPanelClass *klass = vita_panel_get_class (panel);
  g_return_val_if_fail (klass != NULL, "layout");
  return klass->name;
}

gboolean
vita_panel_from_string (const char *name, VitaPanel *out)
{
  for (int i = 0; name && i < vita_panel_count (); i++)
    if (g_ascii_strcasecmp (name, vita_panel_get_class (i)->name) == 0)
      {
        *out = i;
        return TRUE;
      }
  return FALSE;
}

gboolean
vita_panel_is_time_aligned (VitaPanel panel)
{
  const VitaPanelClass *klass = vita_panel_get_class (panel);
  return klass != NULL && (klass->traits & VITA_PANEL_TIME_ALIGNED) != 0;
}

VitaPanelFlags
vita_panel_flags (VitaPanel panel)
{
  const VitaPanelClass *klass = vita_panel_get_class (panel);
  return klass ? klass->flags : 0;
}

void
vita_panel_paint (VitaPanel panel, cairo_t *cr, const VitaRect *area, const VitaPaintContext *ctx)
{
  const VitaPanelClass *klass = vita_panel_get_class (panel);
  g_return_if_fail (klass != NULL);
  cairo_save (cr);
  if (ctx->compare != NULL && !(klass->traits & VITA_PANEL_FIGURE_ONLY))
    vita_compare_panel_paint (panel, cr, area, ctx);
  else
    klass->paint (cr, area, ctx);
  cairo_restore (cr);
}

gboolean
vita_panel_playhead (VitaPanel panel, const VitaRect *area, const VitaPaintContext *ctx,
                     VitaRect *plot, double *x, double *y)
{
  const VitaPanelClass *klass = vita_panel_get_class (panel);
  *x = *y = NAN;
  VitaCompareSides sd;
  if (ctx->compare != NULL && vita_compare_sides (panel, area, ctx, &sd) > 0)
    return klass && klass->playhead && klass->playhead (klass, &sd.areas[0], &sd.ctxs[0], plot, x, y);
  return klass && klass->playhead && klass->playhead (klass, area, ctx, plot, x, y);
}

gboolean
vita_panel_visible_mark (VitaPanel panel, const VitaRect *area, const VitaPaintContext *ctx,
                         VitaRect *mark)
{
  const VitaPanelClass *klass = vita_panel_get_class (panel);
  return klass && klass->visible_mark && klass->visible_mark (klass, area, ctx, mark);
}

gint64
vita_panel_position_key (VitaPanel panel, const VitaPaintContext *ctx)
{
  const VitaPanelClass *klass = vita_panel_get_class (panel);
  return klass && klass->position_key ? klass->position_key (klass, ctx) : 0;
}

gboolean
vita_panel_hit_sample (VitaPanel panel, const VitaRect *area, const VitaPaintContext *ctx,
                       double px, double py, gint64 *sample)
{
  const VitaPanelClass *klass = vita_panel_get_class (panel);
  VitaCompareSides sd;
  VitaRect *areas = sd.areas;
  VitaPaintContext *ctxs = sd.ctxs;
  if (ctx->compare != NULL)
    {
      /* the side under the pointer */
      int n = vita_compare_sides (panel, area, ctx, &sd);
      for (int i = 0; i < n; i++)
        if (px >= areas[i].x && px < areas[i].x + areas[i].width && py >= areas[i].y &&
            py < areas[i].y + areas[i].height)
          {
            area = &areas[i];
            ctx = &ctxs[i];
            break;
          }
    }
  if (klass == NULL || klass->hit_sample == NULL ||
      !klass->hit_sample (klass, area, ctx, px, py, sample))
    return FALSE;
  *sample = CLAMP (*sample, 0, ctx->snap->n_samples);
  return TRUE;
}

void
vita_format_readout_time (double seconds, double span, char *buf, gsize size)
{
  /* The axes' rule: the read-out matches the tick labels under it. */
  if (!vita_time_use_minutes (span))
    {
      vita_format_time (seconds, span < 10.0 ? 0.01 : 0.1, FALSE, buf, size);
      g_strlcat (buf, " s", size);
    }
  else
    vita_format_time (seconds, 0.1, TRUE, buf, size);
}

void
vita_note_name (double hz, char *buf, gsize size)
{
  static const char *const names[] = { "C", "C♯", "D", "D♯", "E", "F", "F♯", "G", "G♯", "A",
                                       "A♯", "B" };
  if (!(hz >= 1.0) || !isfinite (hz))
    {
      g_strlcpy (buf, "", size);
      return;
    }
  int midi = (int) lround (69.0 + 12.0 * log2 (hz / 440.0));
  int pc = ((midi % 12) + 12) % 12;
  g_snprintf (buf, size, "%s%d", names[pc], (int) floor (midi / 12.0) - 1);
}

gboolean
vita_panel_readout (VitaPanel panel, const VitaRect *area, const VitaPaintContext *ctx,
                    double px, double py, VitaReadout *out)
{
  const VitaPanelClass *klass = vita_panel_get_class (panel);
  out->text[0] = '\0';
  out->layer = out->head = -2;
  if (klass == NULL)
    return FALSE;
  if (klass->readout != NULL)
    return klass->readout (klass, area, ctx, px, py, out) && out->text[0] != '\0';
  gint64 sample;
  if (!vita_panel_hit_sample (panel, area, ctx, px, py, &sample))
    return FALSE;
  const VitaTimelineSnapshot *snap = ctx->snap;
  double span = (klass->traits & VITA_PANEL_WHOLE_TRACK)
                  ? vita_snapshot_seconds (snap, snap->n_samples)
                  : vita_snapshot_seconds (snap, snap->visible_end - snap->visible_start);
  vita_format_readout_time (vita_snapshot_seconds (snap, sample), span, out->text,
                            sizeof out->text);
  return TRUE;
}

float *
vita_panel_array (VitaPanel panel, const VitaPaintContext *ctx, int *ndim, gsize shape[4],
                  GError **error)
{
  const VitaPanelClass *klass = vita_panel_get_class (panel);
  if (ctx->compare != NULL && vita_compare_shows_difference (panel, ctx))
    return vita_compare_difference_array (panel, ctx, ndim, shape, error);
  float *out = klass && klass->array ? klass->array (klass, ctx, ndim, shape, error) : NULL;
  if (out == NULL && error != NULL && *error == NULL)
    g_set_error (error, VITA_MODEL_ERROR, VITA_MODEL_ERROR_UNSUPPORTED,
                 "the %s panel has no single array to export", vita_panel_to_string (panel));
  return out;
}

VitaAnalysis *
vita_panel_require_analysis (const VitaPanelClass *klass, const VitaPaintContext *ctx,
                             GError **error)
{
  VitaAnalysis *an = vita_paint_cache_get_analysis (ctx->cache);
  if (an == NULL)
    g_set_error (error, VITA_MODEL_ERROR, VITA_MODEL_ERROR_BUSY,
                 "the %s panel has no analysis to export", klass->name);
  return an;
}

/* ---- shared by the time-aligned panels ----------------------------------------- */

gboolean
vita_time_panel_playhead (const VitaPanelClass *klass, const VitaRect *area,
                          const VitaPaintContext *ctx, VitaRect *plot, double *x, double *y)
{
  vita_panel_layout (ctx->style, area->x, area->y, area->width, area->height, klass->flags,
                     plot, NULL);
  *x = vita_paint_x_for_sample (plot, ctx->snap, ctx->snap->position);
  return *x >= plot->x && *x <= plot->x + plot->width;
}

gboolean
vita_time_panel_hit_sample (const VitaPanelClass *klass, const VitaRect *area,
                            const VitaPaintContext *ctx, double px, double py, gint64 *sample)
{
  const VitaTimelineSnapshot *snap = ctx->snap;
  VitaRect plot;
  vita_panel_layout (ctx->style, area->x, area->y, area->width, area->height, klass->flags,
                     &plot, NULL);
  if (px < plot.x || px > plot.x + plot.width || py < plot.y || py > plot.y + plot.height)
    return FALSE;
  *sample = snap->visible_start +
            (gint64) llround ((px - plot.x) / plot.width *
                              (double) (snap->visible_end - snap->visible_start));
  return TRUE;
}

void
vita_paint_visible_frames (const VitaPaintContext *ctx, int n_frames, int *f0, int *f1)
{
  *f0 = vita_snapshot_sample_to_frame (ctx->snap, ctx->snap->visible_start);
  *f1 = MIN (vita_snapshot_sample_to_frame (ctx->snap, ctx->snap->visible_end), n_frames - 1);
}

/* ---- helpers for painters -------------------------------------------------------- */

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
  /* A band that shows on every colormap: a tint, solid bars along the plot's top and
   * bottom, and edges (a light halo under an accent line) where the selection begins
   * and ends (an edge outside the visible range is not drawn). */
  const double *a = style->accent;
  double bar = MAX (3.0, 0.3 * style->font_size);
  cairo_save (cr);
  cairo_set_source_rgba (cr, a[0], a[1], a[2], 0.28);
  cairo_rectangle (cr, x0, plot->y, x1 - x0, plot->height);
  cairo_fill (cr);
  cairo_set_source_rgba (cr, a[0], a[1], a[2], 0.95);
  cairo_rectangle (cr, x0, plot->y, x1 - x0, MIN (bar, plot->height / 4));
  cairo_rectangle (cr, x0, plot->y + plot->height - MIN (bar, plot->height / 4), x1 - x0,
                   MIN (bar, plot->height / 4));
  cairo_fill (cr);
  double e[2] = { vita_paint_x_for_sample (plot, snap, snap->selection_start),
                  vita_paint_x_for_sample (plot, snap, snap->selection_end) };
  double lw = MAX (1.5, style->line_width);
  for (int pass = 0; pass < 2; pass++)
    {
      for (int k = 0; k < 2; k++)
        if (e[k] >= plot->x && e[k] <= plot->x + plot->width)
          {
            cairo_move_to (cr, e[k], plot->y);
            cairo_line_to (cr, e[k], plot->y + plot->height);
          }
      if (pass == 0)
        cairo_set_source_rgba (cr, 1, 1, 1, 0.85);
      else
        cairo_set_source_rgba (cr, a[0], a[1], a[2], 1.0);
      cairo_set_line_width (cr, pass == 0 ? lw + 2.0 : lw);
      cairo_stroke (cr);
    }
  cairo_restore (cr);
}

void
vita_set_rgb (cairo_t *cr, const double rgb[3])
{
  cairo_set_source_rgb (cr, rgb[0], rgb[1], rgb[2]);
}

/* ---- what is not known yet (the progressive open) -------------------------------- */

void
vita_paint_unknown_x (cairo_t *cr, const VitaStyle *style, const VitaRect *plot, double x0,
                      double x1)
{
  x0 = MAX (x0, plot->x);
  x1 = MIN (x1, plot->x + plot->width);
  if (!(x1 > x0))
    return;
  const double step = MAX (6.0, 0.7 * style->font_size);
  cairo_save (cr);
  cairo_new_path (cr);
  cairo_rectangle (cr, x0, plot->y, x1 - x0, plot->height);
  cairo_clip (cr);
  vita_set_rgb (cr, style->bg);
  cairo_paint (cr);
  /* a light hatch, anchored to the plot so that it does not crawl as ranges fill in */
  cairo_set_source_rgba (cr, style->fg[0], style->fg[1], style->fg[2], 0.14);
  cairo_set_line_width (cr, MAX (0.75, 0.5 * style->line_width));
  double k0 = floor ((x0 - plot->x - plot->height) / step), k1 = ceil ((x1 - plot->x) / step);
  for (double k = k0; k <= k1; k++)
    {
      double x = plot->x + k * step;
      cairo_move_to (cr, x, plot->y + plot->height);
      cairo_line_to (cr, x + plot->height, plot->y);
    }
  cairo_stroke (cr);
  cairo_restore (cr);
}

void
vita_paint_unknown_range (cairo_t *cr, const VitaPaintContext *ctx, const VitaRect *plot,
                          gint64 start, gint64 end)
{
  const VitaTimelineSnapshot *snap = ctx->snap;
  start = MAX (start, snap->visible_start);
  end = MIN (end, snap->visible_end);
  if (end > start)
    vita_paint_unknown_x (cr, ctx->style, plot, vita_paint_x_for_sample (plot, snap, start),
                          vita_paint_x_for_sample (plot, snap, end));
}

void
vita_paint_decoding_label (cairo_t *cr, const VitaPaintContext *ctx, const VitaRect *plot)
{
  char text[64];
  if (ctx->decoding && ctx->decode_progress >= 0)
    /* Translators: the track is being decoded; a percentage follows. */
    g_snprintf (text, sizeof text, _("Decoding… %d %%"),
                (int) floor (100 * CLAMP (ctx->decode_progress, 0.0, 1.0)));
  else if (ctx->decoding)
    g_strlcpy (text, _("Decoding…"), sizeof text);
  else
    g_strlcpy (text, _("Analysing…"), sizeof text);   /* decoded: the track's mel is coming */
  vita_panel_message (cr, ctx->style, plot, text);
}

void
vita_paint_preview_unknown (cairo_t *cr, const VitaPaintContext *ctx, const VitaRect *plot,
                            const VitaAnalysis *an)
{
  if (!ctx->preview || an == NULL || an->n_windows <= 0)
    return;
  const VitaTimelineSnapshot *snap = ctx->snap;
  const int T = an->cfg.frames, hop = snap->hop;
  /* frame i covers samples [i·hop − hop/2, i·hop + hop/2): the gaps between the ready
   * windows' frames (in order of their first frames) */
  gint64 known_end = -(gint64) hop / 2, best_a = 0, best_b = 0;
  for (int w = 0; w <= an->n_windows; w++)
    {
      gint64 a, b;
      if (w == an->n_windows)
        a = b = snap->n_samples + hop;   /* past the end */
      else if (vita_analysis_window_ready (an, w))
        {
          a = (gint64) an->window_start[w] * hop - hop / 2;
          b = (gint64) MIN (an->window_start[w] + T, an->n_frames) * hop - hop / 2;
        }
      else
        continue;
      if (a > known_end)
        {
          vita_paint_unknown_range (cr, ctx, plot, known_end, a);
          gint64 va = MAX (known_end, snap->visible_start), vb = MIN (a, snap->visible_end);
          if (vb - va > best_b - best_a)
            best_a = va, best_b = vb;
        }
      known_end = MAX (known_end, b);
    }
  if (best_b > best_a)
    {
      double x0 = vita_paint_x_for_sample (plot, snap, best_a);
      double x1 = vita_paint_x_for_sample (plot, snap, best_b);
      VitaRect r = { x0, plot->y, x1 - x0, plot->height };
      vita_paint_decoding_label (cr, ctx, &r);
    }
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

int
vita_paint_query_frame (const VitaPaintContext *ctx)
{
  if (ctx->snap->query_token >= 0)
    return MIN (ctx->snap->query_token, MAX (ctx->snap->n_frames - 1, 0));
  return vita_snapshot_current_frame (ctx->snap);
}

