/* vita-probe-painter.c — probe lanes: predicted labels / probabilities per frame,
 * the ground truth under them.  An empty area until probes exist. */
#include "vita-paint-private.h"
#include "vita-layout.h"

#include <glib/gi18n.h>

#include <math.h>
#include <string.h>

VitaProbeLane *
vita_probe_lane_new (const char *name, int n_frames, int n_classes,
                     const char *const *class_names)
{
  g_return_val_if_fail (n_frames >= 0 && n_classes > 0, NULL);
  VitaProbeLane *lane = g_new0 (VitaProbeLane, 1);
  lane->name = g_strdup (name);
  lane->n_frames = n_frames;
  lane->n_classes = n_classes;
  lane->class_names = g_new0 (char *, n_classes + 1);
  for (int c = 0; c < n_classes; c++)
    lane->class_names[c] = class_names ? g_strdup (class_names[c]) : g_strdup_printf ("%d", c);
  return lane;
}

void
vita_probe_lane_free (VitaProbeLane *lane)
{
  if (lane == NULL)
    return;
  g_free (lane->name);
  g_strfreev (lane->class_names);
  g_free (lane->probs);
  g_free (lane->labels);
  g_free (lane->truth);
  g_free (lane);
}

/* Tableau 10: distinct, colour-blind-aware class colours. */
static const double palette[10][3] = {
  { 0.306, 0.475, 0.655 }, { 0.949, 0.557, 0.169 }, { 0.882, 0.341, 0.349 },
  { 0.463, 0.718, 0.698 }, { 0.349, 0.631, 0.310 }, { 0.929, 0.788, 0.282 },
  { 0.690, 0.478, 0.631 }, { 1.000, 0.616, 0.655 }, { 0.612, 0.459, 0.373 },
  { 0.729, 0.690, 0.675 },
};

static int
lane_label (const VitaProbeLane *lane, int f, float *p)
{
  if (lane->labels)
    {
      int l = lane->labels[f];
      *p = lane->probs && l >= 0 ? lane->probs[(gsize) f * lane->n_classes + l] : 1.0f;
      return l;
    }
  if (!lane->probs)
    return -1;
  const float *row = lane->probs + (gsize) f * lane->n_classes;
  int best = 0;
  for (int c = 1; c < lane->n_classes; c++)
    if (row[c] > row[best])
      best = c;
  *p = row[best];
  return best;
}

/* Runs of equal labels as coloured segments, labelled when wide enough. */
static void
segments (cairo_t *cr, const VitaStyle *style, const VitaRect *row,
          const VitaTimelineSnapshot *snap, const VitaProbeLane *lane, const int *labels,
          double name_right, double name_bottom)
{
  double lh = vita_text_line_height (style, 0.8);
  int f0 = vita_snapshot_sample_to_frame (snap, snap->visible_start);
  int f1 = MIN (vita_snapshot_sample_to_frame (snap, snap->visible_end), lane->n_frames - 1);
  int f = f0;
  while (f <= f1)
    {
      float p = 1;
      int l = labels ? labels[f] : lane_label (lane, f, &p);
      int g = f + 1;
      while (g <= f1 && (labels ? labels[g] : lane_label (lane, g, &p)) == l)
        g++;
      if (l >= 0)
        {
          double x0 = vita_paint_x_for_sample (row, snap, (gint64) f * snap->hop - snap->hop / 2);
          double x1 = vita_paint_x_for_sample (row, snap, (gint64) g * snap->hop - snap->hop / 2);
          x0 = MAX (x0, row->x);
          x1 = MIN (x1, row->x + row->width);
          const double *c = palette[l % 10];
          cairo_set_source_rgb (cr, c[0], c[1], c[2]);
          cairo_rectangle (cr, x0, row->y, x1 - x0, row->height);
          cairo_fill (cr);
          const char *name = l < lane->n_classes ? lane->class_names[l] : "?";
          /* Labelled only when the measured label fits the segment, the lane's
           * height, and stays clear of the lane name. */
          double nw;
          vita_text_size (style, name, 0.8, &nw, NULL);
          double cy = row->y + row->height / 2;
          gboolean clear = (x0 + x1) / 2 - nw / 2 > name_right + 0.2 * style->font_size ||
                           cy - lh / 2 > name_bottom;
          if (x1 - x0 > nw + 0.6 * style->font_size && row->height >= lh && clear)
            {
              vita_set_rgb (cr, style->fg);
              vita_draw_text (cr, style, name, (x0 + x1) / 2, row->y + row->height / 2,
                              VITA_ANCHOR_CENTER, 0.8, 0.0);
            }
        }
      f = g;
    }
}

/* Lane names sit inside the lane, top left, on a light box sized from the measured
 * text (names can be long: shrunk to the lane's width).  Returns the box's right
 * and bottom edges through *right, *bottom. */
static void
lane_name_box (const VitaStyle *style, const VitaRect *row, const char *name, double *right,
               double *bottom)
{
  double fs = style->font_size, w, h;
  vita_text_size (style, name, 0.75, &w, &h);
  *right = row->x + MIN (w, row->width - 0.4 * fs) + 0.4 * fs;
  *bottom = row->y + 0.05 * fs + h;
}

static void
lane_name (cairo_t *cr, const VitaStyle *style, const VitaRect *row, const char *name)
{
  double fs = style->font_size, right, bottom;
  lane_name_box (style, row, name, &right, &bottom);
  if (bottom > row->y + row->height + 0.1)
    return;   /* a lane too thin for its name: left out, never overlapping the next */
  cairo_save (cr);
  cairo_set_source_rgba (cr, style->bg[0], style->bg[1], style->bg[2], 0.8);
  cairo_rectangle (cr, row->x, row->y, right - row->x, bottom - row->y);
  cairo_fill (cr);
  vita_set_rgb (cr, style->fg);
  vita_draw_text_fit (cr, style, name, row->x + 0.2 * fs, row->y + 0.05 * fs, VITA_ANCHOR_NW,
                      0.75, 0.0, row->width - 0.4 * fs);
  cairo_restore (cr);
}

void
vita_probe_lanes_paint (cairo_t *cr, const VitaRect *area, const VitaPaintContext *ctx)
{
  const VitaTimelineSnapshot *snap = ctx->snap;
  const VitaStyle *style = ctx->style;
  VitaRect plot;
  vita_paint_time_panel_begin (cr, area, ctx, VITA_PANEL_PROBES, &plot, NULL);
  if (ctx->n_lanes <= 0)
    vita_panel_message (cr, style, &plot, "No probes loaded — probe lanes appear here");
  else
    {
      int rows = 0;
      for (int i = 0; i < ctx->n_lanes; i++)
        rows += ctx->lanes[i]->truth ? 2 : 1;
      double rh = plot.height / rows, y = plot.y;
      cairo_save (cr);
      cairo_rectangle (cr, area->x, plot.y, area->width, plot.height);
      cairo_clip (cr);
      for (int i = 0; i < ctx->n_lanes; i++)
        {
          const VitaProbeLane *lane = ctx->lanes[i];
          VitaRect row = { plot.x, y + 1, plot.width, rh - 2 };
          if (lane->binary && lane->probs)
            {
              cairo_set_line_width (cr, style->line_width);
              vita_set_rgb (cr, style->accent);
              int f0 = vita_snapshot_sample_to_frame (snap, snap->visible_start);
              int f1 = MIN (vita_snapshot_sample_to_frame (snap, snap->visible_end),
                            lane->n_frames - 1);
              for (int f = f0; f <= f1; f++)
                cairo_line_to (cr, vita_paint_x_for_sample (&row, snap, (gint64) f * snap->hop),
                               row.y + row.height * (1 - lane->probs[(gsize) f * lane->n_classes +
                                                                     MIN (1, lane->n_classes - 1)]));
              cairo_stroke (cr);
            }
          else
            {
              double nr, nb;
              lane_name_box (style, &row, lane->name ? lane->name : "probe", &nr, &nb);
              segments (cr, style, &row, snap, lane, NULL, nr, nb);
            }
          lane_name (cr, style, &row, lane->name ? lane->name : "probe");
          y += rh;
          if (lane->truth)
            {
              VitaRect trow = { plot.x, y + 1, plot.width, rh - 2 };
              double nr, nb;
              lane_name_box (style, &trow, "ground truth", &nr, &nb);
              segments (cr, style, &trow, snap, lane, lane->truth, nr, nb);
              lane_name (cr, style, &trow, "ground truth");
              y += rh;
            }
        }
      cairo_restore (cr);
    }
  vita_paint_time_panel_end (cr, ctx, &plot, "Probe lanes");
}

/* ---- the class record -------------------------------------------------------- */

/* The first lane's probabilities, (n_frames, n_classes). */
static float *
probes_array (const VitaPanelClass *klass, const VitaPaintContext *ctx, int *ndim, gsize shape[4], GError **error)
{
  if (ctx->n_lanes <= 0 || ctx->lanes[0]->probs == NULL)
    return NULL;
  const VitaProbeLane *lane = ctx->lanes[0];
  *ndim = 2;
  shape[0] = lane->n_frames;
  shape[1] = lane->n_classes;
  return g_memdup2 (lane->probs, shape[0] * shape[1] * sizeof (float));
}

const VitaPanelClass vita_probes_panel_class = {
  .name = "probes",
  .title = N_("Probes"),
  .subtitle = N_("chords, onsets and beats read off the tokens, once probes are trained"),
  .flags = VITA_PANEL_XAXIS | VITA_PANEL_TITLE,
  .traits = VITA_PANEL_TIME_ALIGNED | VITA_PANEL_NEEDS_MODEL,
  .depends = VITA_DEPENDS_VISIBLE | VITA_DEPENDS_SELECTION,
  .order = 90, .row = 0, .width = -1, .height = 80,
  .paint = vita_probe_lanes_paint,
  .playhead = vita_time_panel_playhead,
  .hit_sample = vita_time_panel_hit_sample,
  .array = probes_array,
};
