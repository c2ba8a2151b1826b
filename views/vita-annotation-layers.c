/* vita-annotation-layers.c — annotation layers over the waveform and mel panels
 * (vita-painters.h): chords as labelled segments along the plot's top, beats as
 * ticks from the top, onsets as ticks from the bottom, the key in the legend. */
#include "vita-paint-private.h"
#include "vita-layout.h"

#include <math.h>

/* Colours that stand apart from the accent (waveform, selection) and on every
 * colormap (a dark halo under each). */
static const double chord_rgb[3] = { 1.0, 0.85, 0.25 };
static const double beat_rgb[3] = { 1.0, 0.45, 0.1 };
static const double onset_rgb[3] = { 0.95, 0.3, 0.85 };

static gboolean
shows (const VitaAnnotationLayers *l, VitaAnnotationKind kind)
{
  return l != NULL && (l->shown & kind) != 0;
}

const char *
vita_annotation_chord_at (const VitaAnnotationLayers *layers, double t)
{
  if (!shows (layers, VITA_ANNOTATION_CHORDS))
    return NULL;
  for (int i = 0; i < layers->n_chords; i++)
    if (t >= layers->chord_start[i] && t < layers->chord_end[i])
      return layers->chord_label[i];
  return NULL;
}

static double
x_of (const VitaRect *plot, const VitaTimelineSnapshot *snap, double t)
{
  return vita_paint_x_for_sample (plot, snap, (gint64) llround (t * snap->sample_rate));
}

static void
ticks (cairo_t *cr, const VitaRect *plot, const VitaTimelineSnapshot *snap, const double *times,
       int n, double y0, double y1, const double rgb[3], double lw)
{
  double t0 = vita_snapshot_seconds (snap, snap->visible_start);
  double t1 = vita_snapshot_seconds (snap, snap->visible_end);
  for (int pass = 0; pass < 2; pass++)
    {
      for (int i = 0; i < n; i++)
        if (times[i] >= t0 && times[i] <= t1)
          {
            double x = x_of (plot, snap, times[i]);
            cairo_move_to (cr, x, y0);
            cairo_line_to (cr, x, y1);
          }
      if (pass == 0)
        cairo_set_source_rgba (cr, 0, 0, 0, 0.55);
      else
        cairo_set_source_rgb (cr, rgb[0], rgb[1], rgb[2]);
      cairo_set_line_width (cr, pass == 0 ? lw + 1.5 : lw);
      cairo_stroke (cr);
    }
}

void
vita_paint_annotations (cairo_t *cr, const VitaStyle *style, const VitaRect *plot,
                        const VitaTimelineSnapshot *snap, const VitaAnnotationLayers *layers,
                        const char *title)
{
  if (layers == NULL || layers->shown == 0)
    return;
  double fs = style->font_size, lw = MAX (1.0, style->line_width);
  double strip = MIN (vita_text_line_height (style, 0.85) + 2, plot->height / 3);
  gboolean chords = shows (layers, VITA_ANNOTATION_CHORDS) && layers->n_chords > 0;
  double top = plot->y + (chords ? strip : 0);
  cairo_save (cr);
  cairo_rectangle (cr, plot->x, plot->y, plot->width, plot->height);
  cairo_clip (cr);
  if (shows (layers, VITA_ANNOTATION_BEATS))
    ticks (cr, plot, snap, layers->beats, layers->n_beats, top, top + 0.35 * (plot->height - (top - plot->y)),
           beat_rgb, lw);
  if (shows (layers, VITA_ANNOTATION_ONSETS))
    ticks (cr, plot, snap, layers->onsets, layers->n_onsets, plot->y + plot->height,
           plot->y + plot->height - 0.25 * plot->height, onset_rgb, lw);
  if (chords)
    {
      double t0 = vita_snapshot_seconds (snap, snap->visible_start);
      double t1 = vita_snapshot_seconds (snap, snap->visible_end);
      for (int i = 0; i < layers->n_chords; i++)
        {
          const char *label = layers->chord_label[i];
          if (layers->chord_end[i] < t0 || layers->chord_start[i] > t1 || label == NULL ||
              g_str_equal (label, "N"))
            continue;
          double x0 = MAX (x_of (plot, snap, layers->chord_start[i]), plot->x);
          double x1 = MIN (x_of (plot, snap, layers->chord_end[i]), plot->x + plot->width);
          if (x1 - x0 < 1)
            continue;
          cairo_set_source_rgba (cr, 0, 0, 0, 0.6);
          cairo_rectangle (cr, x0 + 0.5, plot->y, x1 - x0 - 1, strip);
          cairo_fill (cr);
          cairo_set_source_rgb (cr, chord_rgb[0], chord_rgb[1], chord_rgb[2]);
          cairo_rectangle (cr, x0 + 0.5, plot->y + strip - 2, x1 - x0 - 1, 2);
          cairo_fill (cr);
          /* The label where it fits, never cut or overlapping its neighbour. */
          double tw;
          vita_text_size (style, label, 0.8, &tw, NULL);
          if (tw + 0.4 * fs <= x1 - x0)
            vita_draw_text (cr, style, label, x0 + 0.2 * fs, plot->y + (strip - 2) / 2,
                            VITA_ANCHOR_W, 0.8, 0.0);
        }
    }
  cairo_restore (cr);

  /* The legend: what is drawn, right-aligned under the chord strip. */
  struct { VitaAnnotationKind kind; const char *name; const double *rgb; gboolean has; } items[] = {
    { VITA_ANNOTATION_CHORDS, "chords", chord_rgb, layers->n_chords > 0 },
    { VITA_ANNOTATION_BEATS, "beats", beat_rgb, layers->n_beats > 0 },
    { VITA_ANNOTATION_ONSETS, "onsets", onset_rgb, layers->n_onsets > 0 },
  };
  g_autoptr(GString) key = g_string_new (NULL);
  if (shows (layers, VITA_ANNOTATION_KEY) && layers->key != NULL)
    g_string_printf (key, "key: %s", layers->key);
  double widths[3] = { 0 }, total = 0, sw = 0.9 * fs, gap = 0.6 * fs, kw = 0;
  for (gsize i = 0; i < G_N_ELEMENTS (items); i++)
    if (shows (layers, items[i].kind) && items[i].has)
      {
        vita_text_size (style, items[i].name, 0.75, &widths[i], NULL);
        total += sw + 0.3 * fs + widths[i] + gap;
      }
  if (key->len > 0)
    {
      vita_text_size (style, key->str, 0.75, &kw, NULL);
      total += kw + gap;
    }
  if (total <= 0 || total > plot->width * 0.8)
    return;
  double h = vita_text_line_height (style, 0.75) + 2;
  /* Beside the title above the plot where it fits (off the data), else inside the
   * plot's top right under the chord strip. */
  double x = plot->x + plot->width - total, y = plot->y - h - 0.1 * fs;
  double title_w = 0;
  if (title != NULL)
    vita_text_size (style, title, 1.0, &title_w, NULL);
  if (!style->draw_title || title == NULL || title_w + fs + total > plot->width)
    {
      x = plot->x + plot->width - total - 0.2 * fs;
      y = top + 2;
      if (y + h > plot->y + plot->height)
        return;
    }
  cairo_save (cr);
  cairo_set_source_rgba (cr, style->bg[0], style->bg[1], style->bg[2], 0.85);
  cairo_rectangle (cr, x - 0.3 * fs, y, total + 0.3 * fs, h);
  cairo_fill (cr);
  for (gsize i = 0; i < G_N_ELEMENTS (items); i++)
    {
      if (!(shows (layers, items[i].kind) && items[i].has))
        continue;
      const double *c = items[i].rgb;
      cairo_set_source_rgb (cr, c[0], c[1], c[2]);
      cairo_rectangle (cr, x, y + h / 2 - 0.2 * fs, sw, 0.4 * fs);
      cairo_fill (cr);
      x += sw + 0.3 * fs;
      vita_set_rgb (cr, style->fg);
      vita_draw_text (cr, style, items[i].name, x, y + h / 2, VITA_ANCHOR_W, 0.75, 0.0);
      x += widths[i] + gap;
    }
  if (key->len > 0)
    {
      vita_set_rgb (cr, style->fg);
      vita_draw_text (cr, style, key->str, x, y + h / 2, VITA_ANCHOR_W, 0.75, 0.0);
    }
  cairo_restore (cr);
}
