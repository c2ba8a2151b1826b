/* vita-paint.c — style, panel geometry, axes, colorbars, heatmap surfaces.  Text is
 * measured and placed by the layout engine (vita-layout.c). */
#include "vita-paint.h"
#include "vita-layout.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static void axis_title_left (cairo_t *cr, const VitaStyle *style, const VitaRect *plot,
                             const char *title);

void
vita_style_init (VitaStyle *style)
{
  *style = (VitaStyle) {
    .colormap = VITA_COLORMAP_VIRIDIS,
    .diverging = VITA_COLORMAP_DIVERGING,
    .font_size = 10.0,
    .font_family = "Sans",
    .fg = { 0.12, 0.12, 0.14 },
    .bg = { 1.0, 1.0, 1.0 },
    .playhead = { 0.90, 0.10, 0.10 },
    .accent = { 0.11, 0.37, 0.76 },
    .accent2 = { 0.90, 0.50, 0.05 },
    .line_width = 1.2,
    .draw_title = TRUE,
    .draw_colorbar = TRUE,
    .transparent = FALSE,
  };
}

void
vita_style_set_dark (VitaStyle *style)
{
  static const double fg[3] = { 0.90, 0.90, 0.92 }, bg[3] = { 0.14, 0.14, 0.16 },
    playhead[3] = { 1.00, 0.33, 0.30 }, accent[3] = { 0.45, 0.70, 1.00 },
    accent2[3] = { 1.00, 0.65, 0.25 };
  memcpy (style->fg, fg, sizeof fg);
  memcpy (style->bg, bg, sizeof bg);
  memcpy (style->playhead, playhead, sizeof playhead);
  memcpy (style->accent, accent, sizeof accent);
  memcpy (style->accent2, accent2, sizeof accent2);
}

void
vita_style_set_scale (VitaStyle *style, double scale)
{
  VitaStyle def;
  vita_style_init (&def);
  scale = CLAMP (scale, 1.0, 3.0);
  style->font_size = def.font_size * scale;
  style->line_width = def.line_width * scale;
}

/* ---- layout ----------------------------------------------------------------- */

void
vita_panel_layout (const VitaStyle *style, double x, double y, double width, double height,
                   VitaPanelFlags flags, VitaRect *plot, VitaRect *colorbar)
{
  double fs = style->font_size;
  VitaMargins m;
  vita_layout_margins (style, width, height, flags, &m);
  double sx = m.scale_x;
  plot->x = x + m.left;
  plot->y = y + m.top;
  plot->width = MAX (1.0, width - m.left - m.right);
  plot->height = MAX (1.0, height - m.top - m.bottom);
  if (colorbar)
    {
      colorbar->x = plot->x + plot->width + 0.8 * fs * sx;
      colorbar->y = plot->y;
      colorbar->width = 1.0 * fs * sx;
      colorbar->height = plot->height;
    }
}

void
vita_panel_begin (cairo_t *cr, const VitaStyle *style, double x, double y, double width,
                  double height)
{
  cairo_rectangle (cr, x, y, width, height);
  cairo_clip (cr);
  if (style->transparent)
    return;
  cairo_set_source_rgb (cr, style->bg[0], style->bg[1], style->bg[2]);
  cairo_paint (cr);
}

void
vita_panel_frame (cairo_t *cr, const VitaStyle *style, const VitaRect *plot)
{
  cairo_save (cr);
  cairo_set_line_width (cr, MAX (0.5, style->line_width * 0.6));
  cairo_set_source_rgb (cr, style->fg[0], style->fg[1], style->fg[2]);
  cairo_rectangle (cr, plot->x, plot->y, plot->width, plot->height);
  cairo_stroke (cr);
  cairo_restore (cr);
  vita_layout_record_box (cr, plot->x, plot->y, plot->width, plot->height);
}

/* The panel's outer rectangle: the clip vita_panel_begin set. */
static void
panel_area (cairo_t *cr, double *x0, double *y0, double *x1, double *y1)
{
  cairo_clip_extents (cr, x0, y0, x1, y1);
}

void
vita_panel_title (cairo_t *cr, const VitaStyle *style, const VitaRect *plot, const char *title)
{
  if (!style->draw_title || title == NULL)
    return;
  double x0, y0, x1, y1;
  panel_area (cr, &x0, &y0, &x1, &y1);
  VitaMargins m;
  vita_layout_margins (style, x1 - x0, y1 - y0, VITA_PANEL_TITLE, &m);
  /* Titles may use the colorbar's margin, not more (title_in_plot: not even that, the
   * room of a plot without a colorbar). */
  double room = x1 - plot->x - 0.3 * style->font_size;
  if (style->title_in_plot)
    room = MIN (room, plot->width + 1.5 * style->font_size);
  vita_layout_title (cr, style, plot, title, m.title_lines, room);
}

void
vita_panel_message (cairo_t *cr, const VitaStyle *style, const VitaRect *plot,
                    const char *message)
{
  cairo_new_path (cr);
  vita_layout_message (cr, style, plot, message);
}

/* ---- ticks ------------------------------------------------------------------ */

int
vita_nice_ticks (double lo, double hi, int max_ticks, double *ticks, double *step_out)
{
  if (!(hi > lo) || !isfinite (lo) || !isfinite (hi) || max_ticks < 1)
    {
      if (step_out)
        *step_out = 1.0;
      if (max_ticks >= 1 && isfinite (lo))
        {
          ticks[0] = lo;
          return 1;
        }
      return 0;
    }
  double range = hi - lo;
  double raw = range / MAX (1, max_ticks - 1);
  double mag = pow (10.0, floor (log10 (raw)));
  static const double mult[] = { 1, 2, 5, 10, 20 };
  double step = mag * 10;
  for (gsize i = 0; i < G_N_ELEMENTS (mult); i++)
    {
      double s = mult[i] * mag;
      double first = ceil (lo / s - 1e-9) * s;
      int count = (int) floor ((hi - first) / s + 1e-9) + 1;
      if (count <= max_ticks)
        {
          step = s;
          break;
        }
    }
  double first = ceil (lo / step - 1e-9) * step;
  int n = 0;
  for (double t = first; t <= hi + step * 1e-9 && n < max_ticks; t = first + n * step)
    {
      /* Snap tiny values to zero so labels do not read "-0" or "1e-17". */
      ticks[n++] = fabs (t) < step * 1e-9 ? 0.0 : t;
    }
  if (step_out)
    *step_out = step;
  return n;
}

static int
decimals_for_step (double step)
{
  int d = 0;
  while (d < 6)
    {
      double s = step * pow (10.0, d);
      if (fabs (s - round (s)) < 1e-6 * MAX (1.0, s))
        break;
      d++;
    }
  return d;
}

void
vita_format_time (double t, double step, gboolean use_minutes, char *buf, gsize size)
{
  int d = decimals_for_step (step);
  if (!use_minutes)
    {
      g_snprintf (buf, size, "%.*f", d, t);
      /* g_snprintf uses the C locale's separator only when set; force '.' */
      for (char *p = buf; *p; p++)
        if (*p == ',')
          *p = '.';
      return;
    }
  const char *sign = t < 0 ? "-" : "";
  t = fabs (t);
  double scale = pow (10.0, d);
  double r = round (t * scale) / scale;
  int minutes = (int) floor (r / 60.0);
  double secs = r - minutes * 60.0;
  /* an hour or more: h:mm:ss (as the time axes of long tracks), not 115:17 */
  char hours[24] = "";
  if (minutes >= 60)
    {
      g_snprintf (hours, sizeof hours, "%d:", minutes / 60);
      minutes %= 60;
    }
  if (d == 0)
    g_snprintf (buf, size, "%s%s%0*d:%02d", sign, hours, *hours ? 2 : 1, minutes, (int) round (secs));
  else
    g_snprintf (buf, size, "%s%s%0*d:%0*.*f", sign, hours, *hours ? 2 : 1, minutes, d + 3, d, secs);
  for (char *p = buf; *p; p++)
    if (*p == ',')
      *p = '.';
}

/* A rotated label along [lo, hi]: centred on `centre` when it fits there, else
 * moved along (never past lo or hi); *room is what it may take (shrunk beyond). */
static void
place_along (const VitaStyle *style, const char *text, double scale, double centre, double lo,
             double hi, double *at, double *room)
{
  double len;
  vita_text_size (style, text, scale, &len, NULL);
  double span = MAX (hi - lo, 1.0);
  if (len >= span)
    {
      *at = (lo + hi) / 2;
      *room = span;
      return;
    }
  *at = CLAMP (centre, lo + len / 2, hi - len / 2);
  *room = span;
}

static void
set_fg (cairo_t *cr, const VitaStyle *style)
{
  cairo_set_source_rgb (cr, style->fg[0], style->fg[1], style->fg[2]);
}

/* Minute labels once the shown range is two minutes or more: the one rule of axes,
 * titles and read-outs (vita_time_use_minutes). */
gboolean
vita_time_use_minutes (double span)
{
  return span >= 120.0;
}

static gboolean
want_minutes (double t0, double t1)
{
  return vita_time_use_minutes (t1 - t0);
}

/* A typographic minus (U+2212) for negative numbers, as in typeset mathematics. */
static void
math_minus (char *buf, gsize size)
{
  for (char *p = buf; *p; p++)
    if (*p == ',')
      *p = '.';
  if (buf[0] == '-' && strlen (buf) + 3 < size)
    {
      memmove (buf + 3, buf + 1, strlen (buf));
      memcpy (buf, "\xe2\x88\x92", 3);
    }
}

static void
format_value (double v, double step, char *buf, gsize size)
{
  int d = decimals_for_step (step);
  if (fabs (v) >= 1e5 || (fabs (v) > 0 && fabs (v) < 1e-4 && d > 5))
    g_snprintf (buf, size, "%.2g", v);
  else
    g_snprintf (buf, size, "%.*f", d, v);
  math_minus (buf, size);
}

typedef enum { LABEL_TIME, LABEL_TIME_MINUTES, LABEL_VALUE, LABEL_INDEX } LabelKind;

#define MAX_TICKS 16

typedef struct {
  int    n;
  double ticks[MAX_TICKS];
  char   labels[MAX_TICKS][32];
  double size[MAX_TICKS];    /* label extent along the axis */
  double step;
} Ticks;

/* Whether time ticks of this step up to hi read h:mm:ss (whole seconds, an hour reached). */
static gboolean
time_in_hours (LabelKind kind, double hi, double step)
{
  return kind == LABEL_TIME_MINUTES && hi >= 3600 && step >= 1 && fabs (step - round (step)) < 1e-9;
}

static void
make_ticks (double lo, double hi, int max_ticks, LabelKind kind, Ticks *t)
{
  t->n = vita_nice_ticks (lo, hi, MIN (max_ticks, MAX_TICKS), t->ticks, &t->step);
  if (kind == LABEL_TIME_MINUTES && t->step > 10)
    {
      /* Time steps that read as times: 15 s, 30 s, 1, 2, 5, 10, 15, 30 min, 1, 2, 3,
       * 6, 12 h (not 20 s, 50 s, 100 s, 1000 s = 16:40) — the smallest at least the
       * nice step whose ticks all fit (a 10-minute track's 30 s ticks stopped at 7:00
       * once the cap cut them). */
      static const double steps[] = { 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200,
                                      10800, 21600, 43200, 86400 };
      const int cap = MIN (max_ticks, MAX_TICKS);
      for (guint k = 0; k < G_N_ELEMENTS (steps); k++)
        {
          double s = steps[k], first = ceil (lo / s - 1e-9) * s;
          if (s < t->step || (hi - first) / s + 1 > cap + 1e-9)
            continue;
          t->n = 0;
          for (double x = first; x <= hi + 1e-9 && t->n < cap; x += s)
            t->ticks[t->n++] = x;
          t->step = s;
          break;
        }
    }
  if (kind == LABEL_INDEX && t->step < 1)
    {
      /* whole numbers only (layers): every one, as many as fit */
      t->n = 0;
      for (double x = ceil (lo - 1e-9); x <= hi + 1e-9 && t->n < MIN (max_ticks, MAX_TICKS); x += 1)
        t->ticks[t->n++] = x + 0.0;   /* −0 → 0 */
      t->step = 1;
    }
  for (int i = 0; i < t->n; i++)
    {
      if (kind == LABEL_VALUE || kind == LABEL_INDEX)
        format_value (t->ticks[i], t->step, t->labels[i], sizeof t->labels[i]);
      else if (time_in_hours (kind, hi, t->step))
        {
          /* h:mm:ss on an axis that reaches an hour (not 166:40) */
          long v = lround (fabs (t->ticks[i]));
          g_snprintf (t->labels[i], sizeof t->labels[i], "%s%ld:%02ld:%02ld",
                      t->ticks[i] < 0 ? "\u2212" : "", v / 3600, v / 60 % 60, v % 60);
        }
      else
        {
          vita_format_time (t->ticks[i], t->step, kind == LABEL_TIME_MINUTES, t->labels[i],
                            sizeof t->labels[i]);
          math_minus (t->labels[i], sizeof t->labels[i]);
        }
    }
}

/* The most ticks on an axis of `length` whose labels (measured at scale) keep at
 * least `gap` apart: tick labels thin out rather than collide.  Along a horizontal
 * axis the labels' widths count, along a vertical one their heights. */
static void
fit_ticks (const VitaStyle *style, double lo, double hi, double length, gboolean horizontal,
           LabelKind kind, double scale, double gap, Ticks *t)
{
  double h = vita_text_line_height (style, scale);
  int start = CLAMP ((int) (length / (horizontal ? 1.6 * style->font_size : h + gap)) + 1, 2,
                     MAX_TICKS - 1);
  for (int max_ticks = start; max_ticks >= 1; max_ticks--)
    {
      make_ticks (lo, hi, max_ticks, kind, t);
      gboolean ok = TRUE;
      for (int i = 0; i < t->n; i++)
        {
          if (horizontal)
            vita_text_size (style, t->labels[i], scale, &t->size[i], NULL);
          else
            t->size[i] = h;
          if (i > 0)
            {
              double d = fabs (t->ticks[i] - t->ticks[i - 1]) / fabs (hi - lo) * length;
              if (d < (t->size[i] + t->size[i - 1]) / 2 + gap)
                ok = FALSE;
            }
        }
      if (ok)
        return;
    }
}

static gboolean
inside (double a0, double a1, double lo, double hi)
{
  return a0 >= lo - 0.25 && a1 <= hi + 0.25;
}

void
vita_axis_time (cairo_t *cr, const VitaStyle *style, const VitaRect *plot, double t0, double t1)
{
  vita_axis_time_titled (cr, style, plot, t0, t1, "Time");
}

void
vita_axis_time_titled (cairo_t *cr, const VitaStyle *style, const VitaRect *plot, double t0,
                       double t1, const char *title)
{
  double fs = style->font_size;
  gboolean minutes = want_minutes (t0, t1);
  double ax0, ay0, ax1, ay1;
  panel_area (cr, &ax0, &ay0, &ax1, &ay1);
  Ticks t;
  fit_ticks (style, t0, t1, plot->width, TRUE, minutes ? LABEL_TIME_MINUTES : LABEL_TIME, 0.9,
             0.6 * fs, &t);
  cairo_save (cr);
  set_fg (cr, style);
  cairo_set_line_width (cr, MAX (0.5, style->line_width * 0.6));
  double y0 = plot->y + plot->height, xoff = vita_layout_xtick_offset (style);
  for (int i = 0; i < t.n && t1 > t0; i++)
    {
      double x = plot->x + (t.ticks[i] - t0) / (t1 - t0) * plot->width;
      cairo_move_to (cr, x, y0);
      cairo_line_to (cr, x, y0 + 0.35 * fs);
      cairo_stroke (cr);
      /* A label that would leave the panel is left out, never cut. */
      if (inside (x - t.size[i] / 2, x + t.size[i] / 2, ax0, ax1))
        vita_draw_text (cr, style, t.labels[i], x, y0 + xoff, VITA_ANCHOR_N, 0.9, 0.0);
    }
  g_autofree char *full = g_strdup_printf ("%s (%s)", title,
                                           !minutes ? "s" : time_in_hours (LABEL_TIME_MINUTES, t1, t.step) ? "h:mm:ss" : "m:ss");
  double yt = y0 + xoff + vita_text_line_height (style, 0.9) + 0.15 * fs;
  vita_draw_text_fit (cr, style, full, plot->x + plot->width / 2, yt, VITA_ANCHOR_N, 1.0, 0.0,
                      MIN (ax1 - ax0, 2 * MIN (plot->x + plot->width / 2 - ax0,
                                               ax1 - plot->x - plot->width / 2)));
  cairo_restore (cr);
}

/* The rotated title left of a plot: at the panel's left edge, centred on the plot,
 * no longer than the panel allows. */
double
vita_axis_tick_width (const VitaStyle *style)
{
  VitaMargins m;
  vita_layout_margins (style, 1e6, 1e6, 0, &m);
  return m.tick_width;
}

void
vita_axis_title_left (cairo_t *cr, const VitaStyle *style, const VitaRect *plot,
                      const char *title)
{
  axis_title_left (cr, style, plot, title);
}

static void
axis_title_left (cairo_t *cr, const VitaStyle *style, const VitaRect *plot, const char *title)
{
  double ax0, ay0, ax1, ay1;
  panel_area (cr, &ax0, &ay0, &ax1, &ay1);
  VitaMargins m;
  vita_layout_margins (style, 1e6, 1e6, 0, &m);
  double x = MAX (ax0, plot->x - m.left) + 0.3 * style->font_size;
  double cy, room;
  place_along (style, title, 1.0, plot->y + plot->height / 2, ay0 + 0.2 * style->font_size,
               ay1 - 0.2 * style->font_size, &cy, &room);
  vita_draw_text_fit (cr, style, title, x, cy, VITA_ANCHOR_N, 1.0, -G_PI / 2, room);
}

/* Value tick labels right-aligned left of the plot, fitted to the reserved width. */
static void
ticks_left (cairo_t *cr, const VitaStyle *style, const VitaRect *plot, const Ticks *t,
            double v0, double v1, gboolean top_is_v0)
{
  double fs = style->font_size;
  double ax0, ay0, ax1, ay1;
  panel_area (cr, &ax0, &ay0, &ax1, &ay1);
  VitaMargins m;
  vita_layout_margins (style, 1e6, 1e6, 0, &m);
  double h = vita_text_line_height (style, 0.9);
  for (int i = 0; i < t->n && v1 != v0; i++)
    {
      double f = (t->ticks[i] - v0) / (v1 - v0);
      double y = top_is_v0 ? plot->y + f * plot->height : plot->y + (1 - f) * plot->height;
      cairo_move_to (cr, plot->x, y);
      cairo_line_to (cr, plot->x - 0.35 * fs, y);
      cairo_stroke (cr);
      if (inside (y - h / 2, y + h / 2, ay0, ay1))
        vita_draw_text_fit (cr, style, t->labels[i], plot->x - 0.5 * fs, y, VITA_ANCHOR_E, 0.9,
                            0.0, m.tick_width);
    }
}

void
vita_axis_time_vertical (cairo_t *cr, const VitaStyle *style, const VitaRect *plot,
                         double t0, double t1, gboolean top_is_t0, const char *title)
{
  double fs = style->font_size;
  gboolean minutes = want_minutes (t0, t1);
  Ticks t;
  fit_ticks (style, t0, t1, plot->height, FALSE, minutes ? LABEL_TIME_MINUTES : LABEL_TIME, 0.9,
             0.3 * fs, &t);
  cairo_save (cr);
  set_fg (cr, style);
  cairo_set_line_width (cr, MAX (0.5, style->line_width * 0.6));
  ticks_left (cr, style, plot, &t, t0, t1, top_is_t0);
  g_autofree char *full = g_strdup_printf ("%s (%s)", title ? title : "Time",
                                           !minutes ? "s" : time_in_hours (LABEL_TIME_MINUTES, t1, t.step) ? "h:mm:ss" : "m:ss");
  axis_title_left (cr, style, plot, full);
  cairo_restore (cr);
}

static void
axis_left (cairo_t *cr, const VitaStyle *style, const VitaRect *plot, double v0, double v1,
           LabelKind kind, const char *title)
{
  double fs = style->font_size;
  Ticks t;
  fit_ticks (style, MIN (v0, v1), MAX (v0, v1), plot->height, FALSE, kind, 0.9, 0.3 * fs, &t);
  cairo_save (cr);
  set_fg (cr, style);
  cairo_set_line_width (cr, MAX (0.5, style->line_width * 0.6));
  ticks_left (cr, style, plot, &t, v0, v1, FALSE);
  if (title)
    axis_title_left (cr, style, plot, title);
  cairo_restore (cr);
}

void
vita_axis_value (cairo_t *cr, const VitaStyle *style, const VitaRect *plot, double v0,
                 double v1, const char *title)
{
  axis_left (cr, style, plot, v0, v1, LABEL_VALUE, title);
}

void
vita_axis_index (cairo_t *cr, const VitaStyle *style, const VitaRect *plot, double v0,
                 double v1, const char *title)
{
  axis_left (cr, style, plot, v0, v1, LABEL_INDEX, title);
}

void
vita_colorbar (cairo_t *cr, const VitaStyle *style, const VitaRect *rect, VitaColormap cmap,
               double vmin, double vmax, const char *label)
{
  if (!style->draw_colorbar)
    return;
  double fs = style->font_size;
  /* The bar is the LUT itself as a 1 × 256 image, top = vmax. */
  cairo_surface_t *bar = cairo_image_surface_create (CAIRO_FORMAT_RGB24, 1, 256);
  cairo_surface_flush (bar);
  guint8 *data = cairo_image_surface_get_data (bar);
  int stride = cairo_image_surface_get_stride (bar);
  const guint32 *lut = vita_colormap_lut (cmap);
  for (int i = 0; i < 256; i++)
    *(guint32 *) (data + (gsize) i * stride) = lut[255 - i];
  cairo_surface_mark_dirty (bar);
  vita_heatmap_paint (cr, bar, 0, 0, 1, 256, rect);
  cairo_surface_destroy (bar);

  double ax0, ay0, ax1, ay1;
  panel_area (cr, &ax0, &ay0, &ax1, &ay1);
  cairo_save (cr);
  set_fg (cr, style);
  cairo_set_line_width (cr, MAX (0.5, style->line_width * 0.6));
  cairo_rectangle (cr, rect->x, rect->y, rect->width, rect->height);
  cairo_stroke (cr);
  vita_layout_record_box (cr, rect->x, rect->y, rect->width, rect->height);
  /* The label column sits after the widest tick label the margin reserves. */
  double cbw = 0;
  static const char *refs[] = { "\xe2\x88\x92" "0.00", "22.05", "10:00" };
  for (gsize i = 0; i < G_N_ELEMENTS (refs); i++)
    {
      double w;
      vita_text_size (style, refs[i], 0.85, &w, NULL);
      cbw = MAX (cbw, w);
    }
  Ticks t;
  fit_ticks (style, MIN (vmin, vmax), MAX (vmin, vmax), rect->height, FALSE, LABEL_VALUE, 0.85,
             0.3 * fs, &t);
  double h = vita_text_line_height (style, 0.85);
  double xr = rect->x + rect->width;
  for (int i = 0; i < t.n && vmax > vmin; i++)
    {
      double f = (t.ticks[i] - vmin) / (vmax - vmin);
      double y = rect->y + (1 - f) * rect->height;
      cairo_move_to (cr, xr, y);
      cairo_line_to (cr, xr + 0.3 * fs, y);
      cairo_stroke (cr);
      if (inside (y - h / 2, y + h / 2, ay0, ay1))
        vita_draw_text_fit (cr, style, t.labels[i], xr + 0.45 * fs, y, VITA_ANCHOR_W, 0.85, 0.0,
                            cbw);
    }
  if (label)
    {
      /* Up to where the top tick label reaches (a title may run above the bar), down
       * to the panel's edge. */
      double top = MAX (ay0, rect->y - 0.5 * vita_text_line_height (style, 0.9));
      double cy, room;
      place_along (style, label, 0.9, rect->y + rect->height / 2, top, ay1 - 0.2 * fs, &cy, &room);
      vita_draw_text_fit (cr, style, label, xr + 0.45 * fs + cbw + 0.35 * fs, cy, VITA_ANCHOR_S,
                          0.9, G_PI / 2, room);
    }
  cairo_restore (cr);
}

/* ---- heatmaps ---------------------------------------------------------------- */

static inline guint32
lut_pixel (const guint32 *lut, float v, float vmin, float scale)
{
  if (isnan (v))
    return 0xff808080u;
  float t = (v - vmin) * scale;
  int i = (int) (t * 255.0f + 0.5f);
  return lut[CLAMP (i, 0, 255)];
}

cairo_surface_t *
vita_heatmap_surface (const float *data, int rows, int cols, gsize row_stride, float vmin,
                      float vmax, VitaColormap cmap, gboolean flip_rows)
{
  g_return_val_if_fail (rows > 0 && cols > 0, NULL);
  cairo_surface_t *s = cairo_image_surface_create (CAIRO_FORMAT_RGB24, cols, rows);
  if (cairo_surface_status (s) != CAIRO_STATUS_SUCCESS)
    return s;
  cairo_surface_flush (s);
  guint8 *pix = cairo_image_surface_get_data (s);
  int stride = cairo_image_surface_get_stride (s);
  const guint32 *lut = vita_colormap_lut (cmap);
  float scale = vmax > vmin ? 1.0f / (vmax - vmin) : 0.0f;
  for (int r = 0; r < rows; r++)
    {
      const float *src = data + (gsize) r * row_stride;
      guint32 *dst = (guint32 *) (pix + (gsize) (flip_rows ? rows - 1 - r : r) * stride);
      for (int c = 0; c < cols; c++)
        dst[c] = lut_pixel (lut, src[c], vmin, scale);
    }
  cairo_surface_mark_dirty (s);
  return s;
}

cairo_surface_t *
vita_heatmap_surface_transposed (const float *data, int n_time, int n_bins, float vmin,
                                 float vmax, VitaColormap cmap)
{
  g_return_val_if_fail (n_time > 0 && n_bins > 0, NULL);
  cairo_surface_t *s = cairo_image_surface_create (CAIRO_FORMAT_RGB24, n_time, n_bins);
  if (cairo_surface_status (s) != CAIRO_STATUS_SUCCESS)
    return s;
  cairo_surface_flush (s);
  guint8 *pix = cairo_image_surface_get_data (s);
  int stride = cairo_image_surface_get_stride (s);
  const guint32 *lut = vita_colormap_lut (cmap);
  float scale = vmax > vmin ? 1.0f / (vmax - vmin) : 0.0f;
  for (int t = 0; t < n_time; t++)
    {
      const float *frame = data + (gsize) t * n_bins;
      for (int b = 0; b < n_bins; b++)
        {
          guint32 *dst = (guint32 *) (pix + (gsize) (n_bins - 1 - b) * stride);
          dst[t] = lut_pixel (lut, frame[b], vmin, scale);
        }
    }
  cairo_surface_mark_dirty (s);
  return s;
}

void
vita_heatmap_paint (cairo_t *cr, cairo_surface_t *surface, double sx, double sy, double sw,
                    double sh, const VitaRect *dest)
{
  if (surface == NULL || cairo_surface_status (surface) != CAIRO_STATUS_SUCCESS || sw <= 0 || sh <= 0 || dest->width <= 0 || dest->height <= 0)
    return;
  cairo_save (cr);
  cairo_rectangle (cr, dest->x, dest->y, dest->width, dest->height);
  cairo_clip (cr);
  cairo_translate (cr, dest->x, dest->y);
  cairo_scale (cr, dest->width / sw, dest->height / sh);

  cairo_surface_t *src = surface;
  double ox = sx, oy = sy;
  gboolean sub = FALSE;
  if (cairo_surface_get_type (cairo_get_target (cr)) != CAIRO_SURFACE_TYPE_IMAGE)
    {
      /* Vector output: embed only the shown cells, not the whole track. */
      int w = cairo_image_surface_get_width (surface);
      int h = cairo_image_surface_get_height (surface);
      int x0 = CLAMP ((int) floor (sx), 0, w - 1);
      int y0 = CLAMP ((int) floor (sy), 0, h - 1);
      int x1 = CLAMP ((int) ceil (sx + sw), x0 + 1, w);
      int y1 = CLAMP ((int) ceil (sy + sh), y0 + 1, h);
      src = cairo_surface_create_for_rectangle (surface, x0, y0, x1 - x0, y1 - y0);
      ox = sx - x0;
      oy = sy - y0;
      sub = TRUE;
    }
  cairo_set_source_surface (cr, src, -ox, -oy);
  cairo_pattern_set_filter (cairo_get_source (cr), CAIRO_FILTER_NEAREST);
  cairo_pattern_set_extend (cairo_get_source (cr), CAIRO_EXTEND_PAD);
  cairo_paint (cr);
  cairo_restore (cr);
  if (sub)
    cairo_surface_destroy (src);
}

/* Strokes the current path as the playhead: first a halo one unit wider on each
 * side in the colour that contrasts most with the playhead's (white for the red
 * one), then the line itself, so it stays legible on every colormap — the red
 * cross on the red end of a map included. */
static void
playhead_stroke (cairo_t *cr, const VitaStyle *style, double lw)
{
  const double *c = style->playhead;
  double luma = 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];
  double halo = luma < 0.5 ? 1.0 : 0.0;
  cairo_set_source_rgba (cr, halo, halo, halo, 0.9);
  cairo_set_line_width (cr, lw + 2.0);
  cairo_stroke_preserve (cr);
  cairo_set_source_rgb (cr, c[0], c[1], c[2]);
  cairo_set_line_width (cr, lw);
  cairo_stroke (cr);
}

void
vita_draw_playhead_x (cairo_t *cr, const VitaStyle *style, const VitaRect *rect, double x)
{
  if (x < rect->x - 0.5 || x > rect->x + rect->width + 0.5)
    return;
  cairo_save (cr);
  double lw = MAX (1.0, style->line_width);
  if (cairo_surface_get_type (cairo_get_target (cr)) == CAIRO_SURFACE_TYPE_IMAGE)
    {
      /* Pixel-aligned on raster targets: a crisp 2-unit line, not a blur. */
      x = round (x);
      lw = 2.0;
    }
  cairo_move_to (cr, x, rect->y);
  cairo_line_to (cr, x, rect->y + rect->height);
  playhead_stroke (cr, style, lw);
  cairo_restore (cr);
}

void
vita_draw_playhead_y (cairo_t *cr, const VitaStyle *style, const VitaRect *rect, double y)
{
  if (y < rect->y - 0.5 || y > rect->y + rect->height + 0.5)
    return;
  cairo_save (cr);
  double lw = MAX (1.0, style->line_width);
  if (cairo_surface_get_type (cairo_get_target (cr)) == CAIRO_SURFACE_TYPE_IMAGE)
    {
      y = round (y);
      lw = 2.0;
    }
  cairo_move_to (cr, rect->x, y);
  cairo_line_to (cr, rect->x + rect->width, y);
  playhead_stroke (cr, style, lw);
  cairo_restore (cr);
}

int
vita_envelope_columns_per_unit (cairo_t *cr)
{
  if (cairo_surface_get_type (cairo_get_target (cr)) != CAIRO_SURFACE_TYPE_IMAGE)
    return 4;
  double dx = 1, dy = 0, sx = 1, sy = 1;
  cairo_user_to_device_distance (cr, &dx, &dy);   /* the CTM (an export's dpi) ... */
  cairo_surface_get_device_scale (cairo_get_target (cr), &sx, &sy);   /* ... and HiDPI */
  return CLAMP ((int) lround (hypot (dx, dy) * sx), 1, 16);
}

void
vita_draw_envelope (cairo_t *cr, double x0, int per_unit, double mid, double half,
                    const float *mn, const float *mx, int n)
{
  if (n <= 0)
    return;
  const double k = MAX (per_unit, 1), cw = 1.0 / k;
  if (cairo_surface_get_type (cairo_get_target (cr)) == CAIRO_SURFACE_TYPE_IMAGE)
    {
      /* edges on the target's pixels (k per unit) */
      x0 = floor (x0 * k) / k;
      for (int c = 0; c < n; c++)
        {
          double top = floor ((mid - CLAMP (mx[c], -1.f, 1.f) * half) * k) / k;
          double bottom = ceil ((mid - CLAMP (mn[c], -1.f, 1.f) * half) * k) / k;
          cairo_rectangle (cr, x0 + c * cw, top, cw, MAX (bottom - top, cw));
        }
      cairo_fill (cr);
      return;
    }
  for (int c = 0; c < n; c++)
    cairo_line_to (cr, x0 + c * cw, mid - CLAMP (mx[c], -1.f, 1.f) * half - 0.5);
  for (int c = n - 1; c >= 0; c--)
    cairo_line_to (cr, x0 + (c + 1) * cw, mid - CLAMP (mn[c], -1.f, 1.f) * half + 0.5);
  cairo_close_path (cr);
  cairo_fill (cr);
}
