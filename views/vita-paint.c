/* vita-paint.c — style, layout, text, axes, colorbars, heatmap surfaces. */
#include "vita-paint.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include <pango/pangocairo.h>

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
  };
}

/* ---- layout ----------------------------------------------------------------- */

void
vita_panel_layout (const VitaStyle *style, double x, double y, double width, double height,
                   VitaPanelFlags flags, VitaRect *plot, VitaRect *colorbar)
{
  double fs = style->font_size;
  /* Left and right margins are the same for every panel, with or without a y axis
   * or colorbar, so that stacked time-aligned panels share their x mapping. */
  double left = 5.6 * fs;
  double right = 7.0 * fs;
  double top = (flags & VITA_PANEL_TITLE) && style->draw_title ? 1.8 * fs : 0.6 * fs;
  double bottom = (flags & VITA_PANEL_XAXIS) ? 3.0 * fs : 0.6 * fs;

  /* Tiny panels: shrink margins rather than produce negative sizes. */
  double sx = MIN (1.0, width / (2.0 * (left + right)));
  double sy = MIN (1.0, height / (2.0 * (top + bottom)));
  left *= sx; right *= sx; top *= sy; bottom *= sy;

  plot->x = x + left;
  plot->y = y + top;
  plot->width = MAX (1.0, width - left - right);
  plot->height = MAX (1.0, height - top - bottom);
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
}

void
vita_panel_title (cairo_t *cr, const VitaStyle *style, const VitaRect *plot, const char *title)
{
  if (!style->draw_title || title == NULL)
    return;
  cairo_save (cr);
  cairo_set_source_rgb (cr, style->fg[0], style->fg[1], style->fg[2]);
  /* Titles may use the colorbar's margin, not more. */
  vita_draw_text_fit (cr, style, title, plot->x, plot->y - 0.35 * style->font_size,
                      VITA_ANCHOR_SW, 1.0, 0.0, plot->width + 5.5 * style->font_size);
  cairo_restore (cr);
}

void
vita_panel_message (cairo_t *cr, const VitaStyle *style, const VitaRect *plot,
                    const char *message)
{
  cairo_save (cr);
  cairo_set_source_rgb (cr, style->fg[0], style->fg[1], style->fg[2]);
  cairo_new_path (cr);
  vita_draw_text (cr, style, message, plot->x + plot->width / 2, plot->y + plot->height / 2,
                  VITA_ANCHOR_CENTER, 1.1, 0.0);
  cairo_restore (cr);
}

/* ---- text ------------------------------------------------------------------- */

/* One PangoContext + layout per thread, reused: creating them per label cost more
 * than shaping the label.  pango_cairo_update_context() picks up each cairo_t's
 * transformation and target. */
typedef struct {
  PangoContext *context;
  PangoLayout  *layout;
  char         *family;
  double        size;
} TextCache;

static void
text_cache_free (gpointer data)
{
  TextCache *tc = data;
  g_clear_object (&tc->layout);
  g_clear_object (&tc->context);
  g_free (tc->family);
  g_free (tc);
}

static GPrivate text_cache_key = G_PRIVATE_INIT (text_cache_free);

static PangoLayout *
text_layout (cairo_t *cr, const char *family, double size)
{
  TextCache *tc = g_private_get (&text_cache_key);
  if (tc == NULL)
    {
      tc = g_new0 (TextCache, 1);
      tc->context = pango_font_map_create_context (pango_cairo_font_map_get_default ());
      /* Unhinted metrics: the same layout on screen and in PDF/SVG. */
      cairo_font_options_t *fo = cairo_font_options_create ();
      cairo_font_options_set_hint_metrics (fo, CAIRO_HINT_METRICS_OFF);
      pango_cairo_context_set_font_options (tc->context, fo);
      cairo_font_options_destroy (fo);
      tc->layout = pango_layout_new (tc->context);
      g_private_set (&text_cache_key, tc);
    }
  pango_cairo_update_context (cr, tc->context);
  if (tc->size != size || g_strcmp0 (tc->family, family) != 0)
    {
      PangoFontDescription *desc = pango_font_description_from_string (family);
      pango_font_description_set_absolute_size (desc, size * PANGO_SCALE);
      pango_layout_set_font_description (tc->layout, desc);
      pango_font_description_free (desc);
      g_free (tc->family);
      tc->family = g_strdup (family);
      tc->size = size;
    }
  pango_layout_context_changed (tc->layout);
  return tc->layout;
}

double
vita_draw_text (cairo_t *cr, const VitaStyle *style, const char *text, double x, double y,
                VitaAnchor anchor, double scale, double angle)
{
  return vita_draw_text_fit (cr, style, text, x, y, anchor, scale, angle, -1);
}

double
vita_draw_text_fit (cairo_t *cr, const VitaStyle *style, const char *text, double x, double y,
                    VitaAnchor anchor, double scale, double angle, double max_width)
{
  const char *family = style->font_family ? style->font_family : "Sans";
  PangoLayout *layout = text_layout (cr, family, style->font_size * scale);
  pango_layout_set_text (layout, text, -1);
  pango_layout_set_width (layout, -1);
  pango_layout_set_ellipsize (layout, PANGO_ELLIPSIZE_NONE);
  if (max_width > 0)
    {
      PangoRectangle lr;
      pango_layout_get_extents (layout, NULL, &lr);
      double w0 = (double) lr.width / PANGO_SCALE;
      if (w0 > max_width)
        {
          double shrink = MAX (0.75, max_width / w0);
          layout = text_layout (cr, family, style->font_size * scale * shrink);
          pango_layout_set_text (layout, text, -1);
          pango_layout_set_width (layout, (int) (max_width * PANGO_SCALE));
          pango_layout_set_ellipsize (layout, PANGO_ELLIPSIZE_END);
        }
    }

  PangoRectangle ink, logical;
  pango_layout_get_extents (layout, &ink, &logical);
  double w = (double) logical.width / PANGO_SCALE;
  double h = (double) logical.height / PANGO_SCALE;
  double dx = 0, dy = 0;
  switch (anchor)
    {
    case VITA_ANCHOR_N:      dx = -w / 2; dy = 0; break;
    case VITA_ANCHOR_S:      dx = -w / 2; dy = -h; break;
    case VITA_ANCHOR_E:      dx = -w; dy = -h / 2; break;
    case VITA_ANCHOR_W:      dx = 0; dy = -h / 2; break;
    case VITA_ANCHOR_CENTER: dx = -w / 2; dy = -h / 2; break;
    case VITA_ANCHOR_NW:     dx = 0; dy = 0; break;
    case VITA_ANCHOR_NE:     dx = -w; dy = 0; break;
    case VITA_ANCHOR_SW:     dx = 0; dy = -h; break;
    case VITA_ANCHOR_SE:     dx = -w; dy = -h; break;
    }
  cairo_save (cr);
  cairo_translate (cr, x, y);
  if (angle != 0.0)
    cairo_rotate (cr, angle);
  cairo_move_to (cr, dx, dy);
  pango_cairo_show_layout (cr, layout);
  cairo_restore (cr);
  cairo_new_path (cr);
  return w;
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
  if (d == 0)
    g_snprintf (buf, size, "%s%d:%02d", sign, minutes, (int) round (secs));
  else
    g_snprintf (buf, size, "%s%d:%0*.*f", sign, minutes, d + 3, d, secs);
  for (char *p = buf; *p; p++)
    if (*p == ',')
      *p = '.';
}

static void
set_fg (cairo_t *cr, const VitaStyle *style)
{
  cairo_set_source_rgb (cr, style->fg[0], style->fg[1], style->fg[2]);
}

/* Minute labels once the shown range is two minutes or more. */
static gboolean
want_minutes (double t0, double t1)
{
  return (t1 - t0) >= 120.0;
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
  /* Room for a label of ~7 characters per tick. */
  int max_ticks = CLAMP ((int) (plot->width / (fs * 5.5)), 2, 15);
  double ticks[16], step;
  int n = vita_nice_ticks (t0, t1, max_ticks, ticks, &step);
  if (minutes && step < 60 && step > 10)
    {
      /* Align to 15 / 30 s in m:ss mode, which reads better than 20 s. */
      double s = step <= 15 ? 15 : 30;
      double first = ceil (t0 / s) * s;
      n = 0;
      for (double t = first; t <= t1 + 1e-9 && n < 16; t += s)
        ticks[n++] = t;
      step = s;
    }
  cairo_save (cr);
  set_fg (cr, style);
  cairo_set_line_width (cr, MAX (0.5, style->line_width * 0.6));
  double y0 = plot->y + plot->height;
  for (int i = 0; i < n; i++)
    {
      double x = plot->x + (ticks[i] - t0) / (t1 - t0) * plot->width;
      cairo_move_to (cr, x, y0);
      cairo_line_to (cr, x, y0 + 0.35 * fs);
      cairo_stroke (cr);
      char buf[32];
      vita_format_time (ticks[i], step, minutes, buf, sizeof buf);
      vita_draw_text (cr, style, buf, x, y0 + 0.45 * fs, VITA_ANCHOR_N, 0.9, 0.0);
    }
  g_autofree char *full = g_strdup_printf ("%s (%s)", title, minutes ? "m:ss" : "s");
  vita_draw_text (cr, style, full, plot->x + plot->width / 2, y0 + 1.65 * fs, VITA_ANCHOR_N,
                  1.0, 0.0);
  cairo_restore (cr);
}

void
vita_axis_time_vertical (cairo_t *cr, const VitaStyle *style, const VitaRect *plot,
                         double t0, double t1, gboolean top_is_t0, const char *title)
{
  double fs = style->font_size;
  gboolean minutes = want_minutes (t0, t1);
  int max_ticks = CLAMP ((int) (plot->height / (fs * 2.2)), 2, 15);
  double ticks[16], step;
  int n = vita_nice_ticks (t0, t1, max_ticks, ticks, &step);
  cairo_save (cr);
  set_fg (cr, style);
  cairo_set_line_width (cr, MAX (0.5, style->line_width * 0.6));
  for (int i = 0; i < n; i++)
    {
      double f = (ticks[i] - t0) / (t1 - t0);
      double y = top_is_t0 ? plot->y + f * plot->height : plot->y + (1 - f) * plot->height;
      cairo_move_to (cr, plot->x, y);
      cairo_line_to (cr, plot->x - 0.35 * fs, y);
      cairo_stroke (cr);
      char buf[32];
      vita_format_time (ticks[i], step, minutes, buf, sizeof buf);
      vita_draw_text (cr, style, buf, plot->x - 0.5 * fs, y, VITA_ANCHOR_E, 0.9, 0.0);
    }
  g_autofree char *full = g_strdup_printf ("%s (%s)", title ? title : "Time",
                                           minutes ? "m:ss" : "s");
  vita_draw_text_fit (cr, style, full, plot->x - 5.0 * fs, plot->y + plot->height / 2,
                      VITA_ANCHOR_N, 1.0, -G_PI / 2, plot->height + 2 * fs);
  cairo_restore (cr);
}

static void
format_value (double v, double step, char *buf, gsize size)
{
  int d = decimals_for_step (step);
  if (fabs (v) >= 1e5 || (fabs (v) > 0 && fabs (v) < 1e-4 && d > 5))
    g_snprintf (buf, size, "%.2g", v);
  else
    g_snprintf (buf, size, "%.*f", d, v);
  for (char *p = buf; *p; p++)
    if (*p == ',')
      *p = '.';
}

void
vita_axis_value (cairo_t *cr, const VitaStyle *style, const VitaRect *plot, double v0,
                 double v1, const char *title)
{
  double fs = style->font_size;
  int max_ticks = CLAMP ((int) (plot->height / (fs * 2.0)), 2, 8);
  double ticks[16], step;
  int n = vita_nice_ticks (MIN (v0, v1), MAX (v0, v1), max_ticks, ticks, &step);
  cairo_save (cr);
  set_fg (cr, style);
  cairo_set_line_width (cr, MAX (0.5, style->line_width * 0.6));
  for (int i = 0; i < n; i++)
    {
      double f = (ticks[i] - v0) / (v1 - v0);
      double y = plot->y + (1 - f) * plot->height;
      cairo_move_to (cr, plot->x, y);
      cairo_line_to (cr, plot->x - 0.35 * fs, y);
      cairo_stroke (cr);
      char buf[32];
      format_value (ticks[i], step, buf, sizeof buf);
      vita_draw_text (cr, style, buf, plot->x - 0.5 * fs, y, VITA_ANCHOR_E, 0.9, 0.0);
    }
  if (title)
    vita_draw_text_fit (cr, style, title, plot->x - 5.0 * fs, plot->y + plot->height / 2,
                        VITA_ANCHOR_N, 1.0, -G_PI / 2, plot->height + 2 * fs);
  cairo_restore (cr);
}

void
vita_colorbar (cairo_t *cr, const VitaStyle *style, const VitaRect *rect, VitaColormap cmap,
               double vmin, double vmax, const char *label)
{
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

  cairo_save (cr);
  set_fg (cr, style);
  cairo_set_line_width (cr, MAX (0.5, style->line_width * 0.6));
  cairo_rectangle (cr, rect->x, rect->y, rect->width, rect->height);
  cairo_stroke (cr);
  int max_ticks = CLAMP ((int) (rect->height / (fs * 2.0)), 2, 8);
  double ticks[16], step;
  int n = vita_nice_ticks (MIN (vmin, vmax), MAX (vmin, vmax), max_ticks, ticks, &step);
  double max_w = 0;
  for (int i = 0; i < n && vmax > vmin; i++)
    {
      double f = (ticks[i] - vmin) / (vmax - vmin);
      double y = rect->y + (1 - f) * rect->height;
      double xr = rect->x + rect->width;
      cairo_move_to (cr, xr, y);
      cairo_line_to (cr, xr + 0.3 * fs, y);
      cairo_stroke (cr);
      char buf[32];
      format_value (ticks[i], step, buf, sizeof buf);
      double w = vita_draw_text (cr, style, buf, xr + 0.45 * fs, y, VITA_ANCHOR_W, 0.85, 0.0);
      max_w = MAX (max_w, w);
    }
  if (label)
    vita_draw_text_fit (cr, style, label, rect->x + rect->width + 0.7 * fs + max_w,
                        rect->y + rect->height / 2, VITA_ANCHOR_S, 0.9, G_PI / 2,
                        rect->height + 2 * fs);
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

void
vita_draw_playhead_x (cairo_t *cr, const VitaStyle *style, const VitaRect *rect, double x)
{
  if (x < rect->x - 0.5 || x > rect->x + rect->width + 0.5)
    return;
  cairo_save (cr);
  cairo_set_source_rgb (cr, style->playhead[0], style->playhead[1], style->playhead[2]);
  double lw = MAX (1.0, style->line_width);
  if (cairo_surface_get_type (cairo_get_target (cr)) == CAIRO_SURFACE_TYPE_IMAGE)
    {
      /* Pixel-aligned on raster targets: a crisp 2-unit line, not a blur. */
      x = round (x);
      lw = 2.0;
    }
  cairo_set_line_width (cr, lw);
  cairo_move_to (cr, x, rect->y);
  cairo_line_to (cr, x, rect->y + rect->height);
  cairo_stroke (cr);
  cairo_restore (cr);
}

void
vita_draw_playhead_y (cairo_t *cr, const VitaStyle *style, const VitaRect *rect, double y)
{
  if (y < rect->y - 0.5 || y > rect->y + rect->height + 0.5)
    return;
  cairo_save (cr);
  cairo_set_source_rgb (cr, style->playhead[0], style->playhead[1], style->playhead[2]);
  double lw = MAX (1.0, style->line_width);
  if (cairo_surface_get_type (cairo_get_target (cr)) == CAIRO_SURFACE_TYPE_IMAGE)
    {
      y = round (y);
      lw = 2.0;
    }
  cairo_set_line_width (cr, lw);
  cairo_move_to (cr, rect->x, y);
  cairo_line_to (cr, rect->x + rect->width, y);
  cairo_stroke (cr);
  cairo_restore (cr);
}

void
vita_draw_envelope (cairo_t *cr, double x0, double mid, double half, const float *mn,
                    const float *mx, int n)
{
  if (n <= 0)
    return;
  if (cairo_surface_get_type (cairo_get_target (cr)) == CAIRO_SURFACE_TYPE_IMAGE)
    {
      for (int c = 0; c < n; c++)
        {
          double top = floor (mid - CLAMP (mx[c], -1.f, 1.f) * half);
          double bottom = ceil (mid - CLAMP (mn[c], -1.f, 1.f) * half);
          cairo_rectangle (cr, floor (x0) + c, top, 1, MAX (bottom - top, 1));
        }
      cairo_fill (cr);
      return;
    }
  for (int c = 0; c < n; c++)
    cairo_line_to (cr, x0 + c, mid - CLAMP (mx[c], -1.f, 1.f) * half - 0.5);
  for (int c = n - 1; c >= 0; c--)
    cairo_line_to (cr, x0 + c + 1, mid - CLAMP (mn[c], -1.f, 1.f) * half + 0.5);
  cairo_close_path (cr);
  cairo_fill (cr);
}
