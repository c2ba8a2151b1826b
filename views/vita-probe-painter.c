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
  g_free (lane->run_num);
  g_free (lane->run_den);
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

/* ---- lanes: a label column and a readable minimum height ------------------ */

#define LABEL_SCALE 0.72
/* Lines of a lane's label in the column left of the plot: its name's " · " parts
 * ("chord", "layer 3", "majmin 0.71": task, layer, score). */
#define LABEL_LINES 3
/* A lane with a running score has a fourth: "chord majmin", "layer 3", ".77 to 1:23",
 * ".74 whole". */
#define LABEL_LINES_RUNNING 4

/* Rows of the lanes: each lane, and its ground truth under it when loaded. */
static int
lane_rows (VitaProbeLane *const *lanes, int n_lanes)
{
  int rows = 0;
  for (int i = 0; i < n_lanes; i++)
    rows += lanes[i]->truth ? 2 : 1;
  return rows;
}

double
vita_probe_lanes_min_row_height (const VitaStyle *style)
{
  return LABEL_LINES * vita_text_line_height (style, LABEL_SCALE) + 0.4 * style->font_size;
}

double
vita_probe_lanes_min_height (const VitaStyle *style, VitaProbeLane *const *lanes, int n_lanes)
{
  VitaRect plot;
  double tall = 1000, row = vita_probe_lanes_min_row_height (style);

  if (n_lanes <= 0)
    return 0;
  for (int i = 0; i < n_lanes; i++)
    if (lanes[i]->run_num != NULL)
      {
        /* room for the running score's fourth line */
        row += (LABEL_LINES_RUNNING - LABEL_LINES) * vita_text_line_height (style, LABEL_SCALE);
        break;
      }
  vita_panel_layout (style, 0, 0, 800, tall, vita_panel_flags (VITA_PANEL_PROBES), &plot, NULL);
  return lane_rows (lanes, n_lanes) * row + (tall - plot.height);
}

/* The label column: the lines of `name` right-aligned against the plot, each shrunk
 * or ellipsized to the column; lines that do not fit the row's height are left out
 * (never drawn over the next row). */
static void
lane_label_column (cairo_t *cr, const VitaStyle *style, const VitaRect *area, const VitaRect *row,
                   const char *name)
{
  double fs = style->font_size, lh = vita_text_line_height (style, LABEL_SCALE);
  double right = row->x - 0.35 * fs, width = right - (area->x + 0.15 * fs);
  g_auto(GStrv) parts = g_strsplit (name, " · ", LABEL_LINES_RUNNING);
  int n = (int) g_strv_length (parts);
  int fit = MIN (n, (int) floor ((row->height + 0.1) / lh));
  double y = row->y + (row->height - fit * lh) / 2;

  if (width < fs)
    return;
  vita_set_rgb (cr, style->fg);
  for (int i = 0; i < fit; i++, y += lh)
    vita_draw_text_fit (cr, style, parts[i], right, y, VITA_ANCHOR_NE, LABEL_SCALE, 0.0, width);
}

/* ".77", "1.00", "–" for NAN: a score in a narrow label. */
static void
format_score (double v, char *buf, gsize size)
{
  if (!isfinite (v))
    g_strlcpy (buf, "–", size);
  else if (v >= 0 && v < 0.995)
    g_snprintf (buf, size, ".%02d", (int) lround (v * 100));
  else
    g_snprintf (buf, size, "%.2f", v);
}

/* The playhead's whole second: the running score is shown up to it (so the panel's
 * content changes once a second, not every frame). */
static double
running_seconds (const VitaTimelineSnapshot *snap)
{
  return snap->sample_rate > 0 ? floor ((double) snap->position / snap->sample_rate) : 0;
}

char *
vita_probe_lane_label (const VitaProbeLane *lane, const VitaTimelineSnapshot *snap)
{
  const char *name = lane->name ? lane->name : "probe";
  double t = running_seconds (snap), hop_s = snap->sample_rate > 0 && snap->hop > 0
                                              ? (double) snap->hop / snap->sample_rate : 0;
  if (lane->run_num == NULL || lane->score_what == NULL || !(hop_s > 0) || lane->n_frames <= 0)
    return g_strdup (name);
  int k = (int) MIN (floor (t / hop_s + 1e-9), (double) lane->n_frames - 1);
  if (k <= 0 || !(lane->run_den[k] > 0))
    return g_strdup (name);   /* nothing annotated passed yet: the whole track's score */
  /* the task and the measure ("chord majmin", narrow enough for the label column),
   * the name's middle (the layer), then so far and whole: its last part (the whole
   * score) replaced */
  const char *first = strstr (name, " · ");
  const char *cut = g_strrstr (name, " · ");
  int task_len = first ? (int) (first - name) : (int) strlen (name);
  g_autofree char *middle = first && cut > first ? g_strndup (first, cut - first) : g_strdup ("");
  char run[16], whole[16];
  format_score (lane->run_num[k] / lane->run_den[k], run, sizeof run);
  format_score (lane->score, whole, sizeof whole);
  int ti = (int) t;
  return g_strdup_printf ("%.*s %s%s · %s to %d:%02d · %s whole", task_len, name,
                          lane->score_what, middle, run, ti / 60, ti % 60, whole);
}

gint64
vita_probe_lanes_position_key (const VitaPaintContext *ctx)
{
  gboolean running = FALSE;
  for (int i = 0; i < ctx->n_lanes && !running; i++)
    running = ctx->lanes[i]->run_num != NULL;
  for (int i = 0; ctx->compare && i < ctx->compare->n_lanes_b && !running; i++)
    running = ctx->compare->lanes_b[i]->run_num != NULL;
  return running ? 1 + (gint64) running_seconds (ctx->snap) : 0;
}

static gint64
probes_position_key (const VitaPanelClass *klass, const VitaPaintContext *ctx)
{
  return vita_probe_lanes_position_key (ctx);
}

gboolean
vita_probe_lanes_has_ground_truth (const VitaAnnotationLayers *a)
{
  return a != NULL &&
         (((a->shown & VITA_ANNOTATION_CHORDS) && a->n_chords > 0) ||
          ((a->shown & VITA_ANNOTATION_BEATS) && a->n_beats > 0) ||
          ((a->shown & VITA_ANNOTATION_ONSETS) && a->n_onsets > 0) ||
          ((a->shown & VITA_ANNOTATION_KEY) && a->key != NULL));
}

/* The lane under y (the row of a lane or of its ground truth), -1 outside. */
int
vita_probe_lanes_hit (const VitaRect *area, const VitaPaintContext *ctx, double y)
{
  VitaRect plot;
  int rows = lane_rows (ctx->lanes, ctx->n_lanes), row;

  if (rows <= 0)
    return -1;
  vita_panel_layout (ctx->style, area->x, area->y, area->width, area->height,
                     vita_panel_flags (VITA_PANEL_PROBES), &plot, NULL);
  if (y < plot.y || y >= plot.y + plot.height)
    return -1;
  row = (int) ((y - plot.y) / (plot.height / rows));
  for (int i = 0; i < ctx->n_lanes; i++)
    {
      int r = ctx->lanes[i]->truth ? 2 : 1;
      if (row < r)
        return i;
      row -= r;
    }
  return -1;
}

void
vita_probe_lanes_paint (cairo_t *cr, const VitaRect *area, const VitaPaintContext *ctx)
{
  const VitaTimelineSnapshot *snap = ctx->snap;
  const VitaStyle *style = ctx->style;
  VitaRect plot;
  vita_paint_time_panel_begin (cr, area, ctx, VITA_PANEL_PROBES, &plot, NULL);
  if (ctx->n_lanes <= 0 && vita_probe_lanes_has_ground_truth (ctx->annotations))
    {
      /* No probes: the loaded annotations alone, as the ground-truth lane. */
      VitaRect row = { plot.x, plot.y + 1, plot.width, plot.height - 2 };
      vita_paint_annotations (cr, style, &row, snap, ctx->annotations, NULL);
      lane_label_column (cr, style, area, &row, "ground truth · annotations");
    }
  else if (ctx->n_lanes <= 0)
    vita_panel_message (cr, style, &plot, "No probes loaded — probe lanes appear here");
  else
    {
      int rows = lane_rows (ctx->lanes, ctx->n_lanes);
      double rh = plot.height / rows, y = plot.y;
      cairo_save (cr);
      cairo_rectangle (cr, area->x, plot.y, area->width, plot.height);
      cairo_clip (cr);
      for (int i = 0; i < ctx->n_lanes; i++)
        {
          const VitaProbeLane *lane = ctx->lanes[i];
          VitaRect row = { plot.x, y + 1, plot.width, rh - 2 };
          if (i > 0)
            {
              /* a rule between lanes */
              cairo_set_source_rgba (cr, style->fg[0], style->fg[1], style->fg[2], 0.25);
              cairo_rectangle (cr, area->x, y - 0.5, area->width, 1);
              cairo_fill (cr);
            }
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
            segments (cr, style, &row, snap, lane, NULL, row.x - 1, row.y - 1);
          g_autofree char *label = vita_probe_lane_label (lane, snap);
          lane_label_column (cr, style, area, &row, label);
          y += rh;
          if (lane->truth)
            {
              VitaRect trow = { plot.x, y + 1, plot.width, rh - 2 };
              segments (cr, style, &trow, snap, lane, lane->truth, trow.x - 1, trow.y - 1);
              lane_label_column (cr, style, area, &trow, "ground truth");
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
  .position_key = probes_position_key,
};
