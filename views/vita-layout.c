/* vita-layout.c — the figure layout engine: text measured with Pango before it is
 * placed, margins from measured text, wrapped titles, fitted messages, legends,
 * records of what was placed; and the figure options shared by export, sidecar
 * and CLI. */
#include "vita-layout.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <pango/pangocairo.h>

/* ---- figure options ------------------------------------------------------------- */

static const char *size_names[VITA_N_SIZES] = {
  "custom", "single-column", "double-column", "slide", "square",
};

static const char *range_names[VITA_N_RANGES] = {
  "visible", "selection", "whole", "seconds",
};

void
vita_figure_options_init (VitaFigureOptions *opts)
{
  memset (opts, 0, sizeof *opts);
  opts->size = VITA_SIZE_SINGLE_COLUMN;
  vita_size_preset_dimensions (opts->size, &opts->width_pt, &opts->height_pt);
  opts->font_size = 8.0;
  g_strlcpy (opts->font_family, "Sans", sizeof opts->font_family);
  opts->line_width = 1.0;
  opts->playhead = TRUE;
  opts->title = TRUE;
  opts->colorbar = TRUE;
  opts->range = VITA_RANGE_VISIBLE;
  opts->dpi = 300.0;
  opts->tight = TRUE;
  opts->margin_pt = 2.0;
}

const char *
vita_size_preset_to_string (VitaSizePreset size)
{
  return size < VITA_N_SIZES ? size_names[size] : "custom";
}

gboolean
vita_size_preset_from_string (const char *name, VitaSizePreset *out)
{
  for (int i = 0; name && i < VITA_N_SIZES; i++)
    if (g_ascii_strcasecmp (name, size_names[i]) == 0)
      {
        *out = i;
        return TRUE;
      }
  return FALSE;
}

void
vita_size_preset_dimensions (VitaSizePreset size, double *width_pt, double *height_pt)
{
  double w = 0, h = 0;
  switch (size)
    {
    case VITA_SIZE_SINGLE_COLUMN: w = 3.5 * 72; h = 0; break;
    case VITA_SIZE_DOUBLE_COLUMN: w = 7.16 * 72; h = 0; break;
    case VITA_SIZE_SLIDE:         w = 13.33 * 72; h = 7.5 * 72; break;
    case VITA_SIZE_SQUARE:        w = 3.5 * 72; h = 3.5 * 72; break;
    default: break;
    }
  *width_pt = w;
  *height_pt = h;
}

const char *
vita_range_mode_to_string (VitaRangeMode range)
{
  return range < VITA_N_RANGES ? range_names[range] : "visible";
}

gboolean
vita_range_mode_from_string (const char *name, VitaRangeMode *out)
{
  for (int i = 0; name && i < VITA_N_RANGES; i++)
    if (g_ascii_strcasecmp (name, range_names[i]) == 0)
      {
        *out = i;
        return TRUE;
      }
  return FALSE;
}

/* A number and an optional unit; the number parsed with g_ascii_strtod (locale-free). */
static gboolean
parse_number_unit (const char *text, double *value, const char **unit)
{
  if (text == NULL)
    return FALSE;
  char *end = NULL;
  double v = g_ascii_strtod (text, &end);
  if (end == text || !isfinite (v))
    return FALSE;
  *value = v;
  *unit = end;
  return TRUE;
}

static gboolean
unit_factor (const char *unit, double *factor)
{
  while (*unit == ' ')
    unit++;
  if (*unit == '\0' || g_ascii_strcasecmp (unit, "pt") == 0)
    *factor = 1.0;
  else if (g_ascii_strcasecmp (unit, "in") == 0)
    *factor = 72.0;
  else if (g_ascii_strcasecmp (unit, "mm") == 0)
    *factor = 72.0 / 25.4;
  else if (g_ascii_strcasecmp (unit, "cm") == 0)
    *factor = 72.0 / 2.54;
  else
    return FALSE;
  return TRUE;
}

gboolean
vita_figure_parse_length (const char *text, double *pt)
{
  double v, f;
  const char *unit;
  if (!parse_number_unit (text, &v, &unit) || !unit_factor (unit, &f) || !(v > 0))
    return FALSE;
  *pt = v * f;
  return TRUE;
}

gboolean
vita_figure_parse_size (const char *text, VitaFigureOptions *opts, GError **error)
{
  VitaSizePreset p;
  if (text && vita_size_preset_from_string (text, &p) && p != VITA_SIZE_CUSTOM)
    {
      opts->size = p;
      vita_size_preset_dimensions (p, &opts->width_pt, &opts->height_pt);
      return TRUE;
    }
  /* "WxH[unit]": the unit after H applies to both. */
  double w, h, f;
  const char *rest, *unit;
  if (text && parse_number_unit (text, &w, &rest) && (*rest == 'x' || *rest == 'X') &&
      parse_number_unit (rest + 1, &h, &unit) && unit_factor (unit, &f) && w > 0 && h >= 0 &&
      w * f <= 20000 && h * f <= 20000)
    {
      opts->size = VITA_SIZE_CUSTOM;
      opts->width_pt = w * f;
      opts->height_pt = h * f;
      return TRUE;
    }
  g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
               "unknown figure size “%s”: use single-column, double-column, slide, square "
               "or WIDTHxHEIGHT with a unit (89x60mm, 3.5x2in, 252x180pt; height 0 = natural)",
               text ? text : "");
  return FALSE;
}

gboolean
vita_figure_parse_index_list (const char *text, int *out, int *n, GError **error)
{
  *n = 0;
  if (text == NULL || g_ascii_strcasecmp (text, "all") == 0)
    return TRUE;
  g_auto(GStrv) parts = g_strsplit (text, ",", -1);
  for (int i = 0; parts[i]; i++)
    {
      char *end = NULL;
      gint64 a = g_ascii_strtoll (parts[i], &end, 10), b = a;
      if (end != parts[i] && *end == '-')
        {
          char *e2 = NULL;
          b = g_ascii_strtoll (end + 1, &e2, 10);
          end = e2 == end + 1 ? end : e2;
        }
      if (end == parts[i] || *end != '\0' || a < 1 || b < a || b > VITA_FIGURE_MAX_INDEX)
        {
          g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                       "“%s” is not a list of numbers from 1 to %d (e.g. 1,4,8 or 2-5 or all)",
                       text, VITA_FIGURE_MAX_INDEX);
          *n = 0;
          return FALSE;
        }
      for (gint64 k = a; k <= b; k++)
        {
          gboolean dup = FALSE;
          for (int j = 0; j < *n; j++)
            dup |= out[j] == k;
          if (!dup && *n < VITA_FIGURE_MAX_INDEX)
            out[(*n)++] = (int) k;
        }
    }
  return TRUE;
}

gboolean
vita_figure_parse_range (const char *text, VitaFigureOptions *opts, GError **error)
{
  VitaRangeMode mode;
  if (text && vita_range_mode_from_string (text, &mode) && mode != VITA_RANGE_SECONDS)
    {
      opts->range = mode;
      return TRUE;
    }
  const char *colon = text ? strchr (text, ':') : NULL;
  if (colon)
    {
      char *e1 = NULL, *e2 = NULL;
      double a = g_ascii_strtod (text, &e1), b = g_ascii_strtod (colon + 1, &e2);
      if (e1 == colon && e2 != colon + 1 && *e2 == '\0' && isfinite (a) && isfinite (b) &&
          a >= 0 && b > a)
        {
          opts->range = VITA_RANGE_SECONDS;
          opts->range_start_s = a;
          opts->range_end_s = b;
          return TRUE;
        }
    }
  g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
               "unknown time range “%s”: use START:END in seconds (10:20), visible, "
               "selection or whole", text ? text : "");
  return FALSE;
}

guint64
vita_figure_index_mask (const int *list, int n)
{
  if (n <= 0)
    return G_MAXUINT64;
  guint64 m = 0;
  for (int i = 0; i < n; i++)
    if (list[i] >= 1 && list[i] <= 64)
      m |= G_GUINT64_CONSTANT (1) << (list[i] - 1);
  return m;
}

void
vita_figure_apply_style (const VitaFigureOptions *opts, VitaStyle *style)
{
  style->font_size = opts->font_size;
  /* The family string must outlive the style: opts is kept by the caller. */
  style->font_family = opts->font_family[0] ? opts->font_family : "Sans";
  style->line_width = opts->line_width;
  style->draw_title = opts->title;
  style->draw_colorbar = opts->colorbar;
  style->transparent = opts->transparent;
}

/* ---- Pango -------------------------------------------------------------------- */

/* One PangoContext + layout per thread and role, reused: creating them per label
 * cost more than shaping the label.  The drawing one follows each cairo_t's
 * transformation (pango_cairo_update_context); the measuring one stays at the
 * identity, so measurements are in user units whatever is being drawn. */
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

static GPrivate draw_cache_key = G_PRIVATE_INIT (text_cache_free);
static GPrivate measure_cache_key = G_PRIVATE_INIT (text_cache_free);

static TextCache *
text_cache (GPrivate *key)
{
  TextCache *tc = g_private_get (key);
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
      g_private_set (key, tc);
    }
  return tc;
}

static PangoLayout *
cache_layout (TextCache *tc, const char *family, double size)
{
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
  pango_layout_set_width (tc->layout, -1);
  pango_layout_set_height (tc->layout, -1);
  pango_layout_set_ellipsize (tc->layout, PANGO_ELLIPSIZE_NONE);
  pango_layout_set_wrap (tc->layout, PANGO_WRAP_WORD);
  return tc->layout;
}

static PangoLayout *
draw_layout (cairo_t *cr, const char *family, double size)
{
  TextCache *tc = text_cache (&draw_cache_key);
  pango_cairo_update_context (cr, tc->context);
  return cache_layout (tc, family, size);
}

static PangoLayout *
measure_layout (const char *family, double size)
{
  return cache_layout (text_cache (&measure_cache_key), family, size);
}

static const char *
family_of (const VitaStyle *style)
{
  return style->font_family ? style->font_family : "Sans";
}

/* Measurements are memoised per thread (family, size, text → extents): painters
 * measure the same labels on every redraw.  Bounded: cleared past 4096 entries. */
static void
memo_free (gpointer data)
{
  g_hash_table_unref (data);
}

static GPrivate memo_key = G_PRIVATE_INIT (memo_free);

void
vita_text_size (const VitaStyle *style, const char *text, double scale, double *width,
                double *height)
{
  GHashTable *memo = g_private_get (&memo_key);
  if (memo == NULL)
    {
      memo = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
      g_private_set (&memo_key, memo);
    }
  const char *family = family_of (style);
  double size = style->font_size * scale;
  g_autofree char *key = g_strdup_printf ("%s\x1f%.6g\x1f%s", family, size, text);
  double *wh = g_hash_table_lookup (memo, key);
  if (wh == NULL)
    {
      PangoLayout *layout = measure_layout (family, size);
      pango_layout_set_text (layout, text, -1);
      PangoRectangle lr;
      pango_layout_get_extents (layout, NULL, &lr);
      if (g_hash_table_size (memo) > 4096)
        g_hash_table_remove_all (memo);
      wh = g_new (double, 2);
      wh[0] = (double) lr.width / PANGO_SCALE;
      wh[1] = (double) lr.height / PANGO_SCALE;
      g_hash_table_insert (memo, g_steal_pointer (&key), wh);
    }
  if (width)
    *width = wh[0];
  if (height)
    *height = wh[1];
}

double
vita_text_line_height (const VitaStyle *style, double scale)
{
  double h;
  vita_text_size (style, "Mg", scale, NULL, &h);
  return h;
}

/* ---- records -------------------------------------------------------------------- */

static GPrivate record_key = G_PRIVATE_INIT (NULL);

void
vita_layout_record_begin (void)
{
  VitaLayoutRecord *rec = g_new0 (VitaLayoutRecord, 1);
  rec->texts = g_array_new (FALSE, TRUE, sizeof (VitaTextRecord));
  rec->boxes = g_array_new (FALSE, TRUE, sizeof (VitaRect));
  VitaLayoutRecord *old = g_private_get (&record_key);
  if (old)
    vita_layout_record_free (old);
  g_private_set (&record_key, rec);
}

VitaLayoutRecord *
vita_layout_record_end (void)
{
  VitaLayoutRecord *rec = g_private_get (&record_key);
  g_private_set (&record_key, NULL);
  return rec;
}

gboolean
vita_layout_recording (void)
{
  return g_private_get (&record_key) != NULL;
}

void
vita_layout_record_free (VitaLayoutRecord *rec)
{
  if (rec == NULL)
    return;
  for (guint i = 0; i < rec->texts->len; i++)
    g_free (g_array_index (rec->texts, VitaTextRecord, i).text);
  g_array_unref (rec->texts);
  g_array_unref (rec->boxes);
  g_free (rec);
}

/* Axis-aligned device box of a user rectangle under cr's transformation. */
static void
device_box (cairo_t *cr, double x, double y, double w, double h, VitaRect *out)
{
  double xs[4] = { x, x + w, x, x + w }, ys[4] = { y, y, y + h, y + h };
  double x0 = G_MAXDOUBLE, y0 = G_MAXDOUBLE, x1 = -G_MAXDOUBLE, y1 = -G_MAXDOUBLE;
  for (int i = 0; i < 4; i++)
    {
      cairo_user_to_device (cr, &xs[i], &ys[i]);
      x0 = MIN (x0, xs[i]);
      y0 = MIN (y0, ys[i]);
      x1 = MAX (x1, xs[i]);
      y1 = MAX (y1, ys[i]);
    }
  *out = (VitaRect) { x0, y0, x1 - x0, y1 - y0 };
}

void
vita_layout_record_text (cairo_t *cr, const char *text, double x, double y, double width,
                         double height, gboolean ellipsized, gboolean shrunk)
{
  VitaLayoutRecord *rec = g_private_get (&record_key);
  if (rec == NULL || text == NULL || *text == '\0')
    return;
  VitaRect box, clip;
  device_box (cr, x, y, width, height, &box);
  double cx0, cy0, cx1, cy1;
  cairo_clip_extents (cr, &cx0, &cy0, &cx1, &cy1);
  device_box (cr, cx0, cy0, cx1 - cx0, cy1 - cy0, &clip);
  const double slack = 0.5;
  VitaTextRecord r = {
    box.x, box.y, box.width, box.height, g_strdup (text), ellipsized, shrunk,
    box.x < clip.x - slack || box.y < clip.y - slack ||
      box.x + box.width > clip.x + clip.width + slack ||
      box.y + box.height > clip.y + clip.height + slack,
  };
  g_array_append_val (rec->texts, r);
}

void
vita_layout_record_box (cairo_t *cr, double x, double y, double width, double height)
{
  VitaLayoutRecord *rec = g_private_get (&record_key);
  if (rec == NULL)
    return;
  VitaRect box;
  device_box (cr, x, y, width, height, &box);
  g_array_append_val (rec->boxes, box);
}

gboolean
vita_layout_record_extents (const VitaLayoutRecord *rec, VitaRect *out)
{
  double x0 = G_MAXDOUBLE, y0 = G_MAXDOUBLE, x1 = -G_MAXDOUBLE, y1 = -G_MAXDOUBLE;
  for (guint i = 0; i < rec->texts->len; i++)
    {
      const VitaTextRecord *t = &g_array_index (rec->texts, VitaTextRecord, i);
      x0 = MIN (x0, t->x);
      y0 = MIN (y0, t->y);
      x1 = MAX (x1, t->x + t->width);
      y1 = MAX (y1, t->y + t->height);
    }
  for (guint i = 0; i < rec->boxes->len; i++)
    {
      const VitaRect *b = &g_array_index (rec->boxes, VitaRect, i);
      x0 = MIN (x0, b->x);
      y0 = MIN (y0, b->y);
      x1 = MAX (x1, b->x + b->width);
      y1 = MAX (y1, b->y + b->height);
    }
  if (x1 < x0)
    return FALSE;
  *out = (VitaRect) { x0, y0, x1 - x0, y1 - y0 };
  return TRUE;
}

gboolean
vita_layout_record_check (const VitaLayoutRecord *rec, const VitaRect *canvas,
                          gboolean no_ellipsis, double tol, char **why)
{
  GString *msg = g_string_new (NULL);
  const guint n = rec->texts->len;
  for (guint i = 0; i < n; i++)
    {
      const VitaTextRecord *a = &g_array_index (rec->texts, VitaTextRecord, i);
      if (no_ellipsis && a->ellipsized)
        g_string_append_printf (msg, "“%s” is ellipsized; ", a->text);
      if (a->clipped)
        g_string_append_printf (msg, "“%s” leaves its panel (%.1f,%.1f %.1f×%.1f); ", a->text,
                                a->x, a->y, a->width, a->height);
      if (canvas && (a->x < canvas->x - tol || a->y < canvas->y - tol ||
                     a->x + a->width > canvas->x + canvas->width + tol ||
                     a->y + a->height > canvas->y + canvas->height + tol))
        g_string_append_printf (msg, "“%s” leaves the canvas (%.1f,%.1f %.1f×%.1f); ", a->text,
                                a->x, a->y, a->width, a->height);
      for (guint j = i + 1; j < n; j++)
        {
          const VitaTextRecord *b = &g_array_index (rec->texts, VitaTextRecord, j);
          double ox = MIN (a->x + a->width, b->x + b->width) - MAX (a->x, b->x);
          double oy = MIN (a->y + a->height, b->y + b->height) - MAX (a->y, b->y);
          if (ox > tol && oy > tol)
            g_string_append_printf (msg, "“%s” (%.1f,%.1f %.1f×%.1f) overlaps “%s” "
                                    "(%.1f,%.1f %.1f×%.1f); ", a->text, a->x, a->y, a->width,
                                    a->height, b->text, b->x, b->y, b->width, b->height);
        }
    }
  gboolean ok = msg->len == 0;
  if (why)
    *why = g_string_free (msg, FALSE);
  else
    g_string_free (msg, TRUE);
  return ok;
}

/* ---- drawing text ---------------------------------------------------------------- */

static void
anchor_offset (VitaAnchor anchor, double w, double h, double *dx, double *dy)
{
  switch (anchor)
    {
    case VITA_ANCHOR_N:      *dx = -w / 2; *dy = 0; break;
    case VITA_ANCHOR_S:      *dx = -w / 2; *dy = -h; break;
    case VITA_ANCHOR_E:      *dx = -w; *dy = -h / 2; break;
    case VITA_ANCHOR_W:      *dx = 0; *dy = -h / 2; break;
    case VITA_ANCHOR_CENTER: *dx = -w / 2; *dy = -h / 2; break;
    case VITA_ANCHOR_NW:     *dx = 0; *dy = 0; break;
    case VITA_ANCHOR_NE:     *dx = -w; *dy = 0; break;
    case VITA_ANCHOR_SW:     *dx = 0; *dy = -h; break;
    case VITA_ANCHOR_SE:     *dx = -w; *dy = -h; break;
    default:                 *dx = *dy = 0; break;
    }
}

/* Shows a prepared layout with its logical box anchored at (x, y), records it. */
static double
show_layout (cairo_t *cr, PangoLayout *layout, const char *text, double x, double y,
             VitaAnchor anchor, double angle, gboolean shrunk)
{
  PangoRectangle logical;
  pango_layout_get_extents (layout, NULL, &logical);
  double lx = (double) logical.x / PANGO_SCALE, ly = (double) logical.y / PANGO_SCALE;
  double w = (double) logical.width / PANGO_SCALE;
  double h = (double) logical.height / PANGO_SCALE;
  double dx, dy;
  anchor_offset (anchor, w, h, &dx, &dy);
  cairo_save (cr);
  cairo_translate (cr, x, y);
  if (angle != 0.0)
    cairo_rotate (cr, angle);
  cairo_move_to (cr, dx - lx, dy - ly);
  pango_cairo_show_layout (cr, layout);
  vita_layout_record_text (cr, text, dx, dy, w, h, pango_layout_is_ellipsized (layout), shrunk);
  cairo_restore (cr);
  cairo_new_path (cr);
  return w;
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
  const char *family = family_of (style);
  gboolean shrunk = FALSE;
  PangoLayout *layout = draw_layout (cr, family, style->font_size * scale);
  pango_layout_set_text (layout, text, -1);
  if (max_width > 0)
    {
      double w0;
      vita_text_size (style, text, scale, &w0, NULL);
      if (w0 > max_width)
        {
          /* Shrink (down to 75 %), and cut only when that is not enough. */
          double shrink = MAX (0.75, max_width / w0 * 0.995);
          shrunk = TRUE;
          layout = draw_layout (cr, family, style->font_size * scale * shrink);
          pango_layout_set_text (layout, text, -1);
          if (w0 * shrink > max_width)
            {
              pango_layout_set_width (layout, (int) (max_width * PANGO_SCALE));
              pango_layout_set_ellipsize (layout, PANGO_ELLIPSIZE_END);
            }
        }
    }
  return show_layout (cr, layout, text, x, y, anchor, angle, shrunk);
}

/* ---- geometry -------------------------------------------------------------------- */

/* Between a title and its plot: room for half a tick label at the plot's top edge
 * (colorbar and value axes put their top label there). */
static double
title_gap (const VitaStyle *style)
{
  return 0.5 * vita_text_line_height (style, 0.9) + 0.15 * style->font_size;
}

double
vita_layout_xtick_offset (const VitaStyle *style)
{
  return MAX (0.45 * style->font_size,
              0.5 * vita_text_line_height (style, 0.9) + 0.1 * style->font_size);
}

/* A long title of the kind painters write: the width that decides whether titles
 * get one line or two. */
#define REFERENCE_TITLE "Attention received per frame (layer 12, mean of 12 heads) vs spectral flux"

void
vita_layout_margins (const VitaStyle *style, double width, double height, guint flags,
                     VitaMargins *m)
{
  double fs = style->font_size, pad = 0.3 * fs;
  double h1 = vita_text_line_height (style, 1.0);
  double h09 = vita_text_line_height (style, 0.9);
  /* Value tick labels: the widest of the kinds drawn ("−0.00", "22.05", "0:00"). */
  static const char *refs[] = { "\xe2\x88\x92" "0.00", "22.05", "10:00" };
  double tickw = 0, cbw = 0;
  for (gsize i = 0; i < G_N_ELEMENTS (refs); i++)
    {
      double w;
      vita_text_size (style, refs[i], 0.9, &w, NULL);
      tickw = MAX (tickw, w);
      vita_text_size (style, refs[i], 0.85, &w, NULL);
      cbw = MAX (cbw, w);
    }
  m->tick_width = tickw;
  m->left = pad + h1 + 0.3 * fs + tickw + 0.5 * fs;
  if (style->draw_colorbar)
    m->right = 0.8 * fs + 1.0 * fs + 0.45 * fs + cbw + 0.35 * fs + h09 + pad;
  else
    m->right = 1.8 * fs;
  m->title_lines = 0;
  if ((flags & VITA_PANEL_TITLE) && style->draw_title)
    {
      double avail = width - m->left - pad, wref;
      if (style->title_in_plot)   /* the room vita_panel_title gives it */
        avail = MIN (avail, width - m->left - m->right + 1.5 * fs);
      vita_text_size (style, REFERENCE_TITLE, 1.0, &wref, NULL);
      m->title_lines = wref <= avail ? 1 : 2;
      m->top = pad + m->title_lines * h1 + title_gap (style);
    }
  else
    m->top = 0.5 * h09 + pad;
  if (flags & VITA_PANEL_LEGEND)
    m->top += vita_text_line_height (style, 0.85) + 0.3 * fs;
  if (flags & VITA_PANEL_XAXIS)
    m->bottom = vita_layout_xtick_offset (style) + h09 + 0.15 * fs + h1 + pad;
  else
    m->bottom = 0.5 * h09 + pad;

  /* Tiny panels (a thumbnail on screen): shrink margins rather than produce negative
   * sizes.  Figures are sized so that this never happens. */
  double fs2 = 2.0 * fs;
  double sx = CLAMP ((width - 2.0 * fs2) / (m->left + m->right), 0.2, 1.0);
  double sy = CLAMP ((height - fs2) / (m->top + m->bottom), 0.2, 1.0);
  m->scale_x = sx;
  m->left *= sx;
  m->right *= sx;
  m->top *= sy;
  m->bottom *= sy;
}

/* The title without its last parenthesised detail ("Attention, layer 4 (window 3,
 * 4.02–8.05 s)" → "Attention, layer 4"), or NULL when there is none. */
static char *
drop_detail (const char *title)
{
  const char *open = strrchr (title, '(');
  if (open == NULL || open == title || strchr (open, ')') == NULL)
    return NULL;
  char *s = g_strndup (title, open - title);
  g_strchomp (s);
  gsize n = strlen (s);
  if (n > 0 && (s[n - 1] == ',' || s[n - 1] == ':'))
    s[n - 1] = '\0';
  return *s ? s : (g_free (s), NULL);
}

void
vita_layout_title (cairo_t *cr, const VitaStyle *style, const VitaRect *plot, const char *title,
                   int lines, double max_width)
{
  if (title == NULL || lines <= 0 || max_width <= 0)
    return;
  const char *family = family_of (style);
  static const double scales[] = { 1.0, 0.92, 0.85 };
  /* Wrap first, then shrink a little, then drop the parenthesised detail (which the
   * sidecar keeps); cutting with an ellipsis is the last resort, and recorded. */
  g_autofree char *shorter = drop_detail (title);
  const char *texts[2] = { title, shorter };
  PangoLayout *layout = NULL;
  gboolean shrunk = FALSE, fits = FALSE;
  const char *shown = title;
  for (int t = 0; t < 2 && !fits && texts[t]; t++)
    for (gsize i = 0; i < G_N_ELEMENTS (scales) && !fits; i++)
      {
        layout = draw_layout (cr, family, style->font_size * scales[i]);
        pango_layout_set_text (layout, texts[t], -1);
        pango_layout_set_width (layout, (int) (max_width * PANGO_SCALE));
        pango_layout_set_wrap (layout, PANGO_WRAP_WORD);
        shrunk = i > 0 || t > 0;
        shown = texts[t];
        PangoRectangle lr;
        pango_layout_get_extents (layout, NULL, &lr);
        fits = pango_layout_get_line_count (layout) <= lines &&
               (double) lr.width / PANGO_SCALE <= max_width + 0.01;
      }
  if (!fits)
    {
      layout = draw_layout (cr, family, style->font_size * scales[G_N_ELEMENTS (scales) - 1]);
      shown = shorter ? shorter : title;
      pango_layout_set_text (layout, shown, -1);
      pango_layout_set_width (layout, (int) (max_width * PANGO_SCALE));
      pango_layout_set_wrap (layout, PANGO_WRAP_WORD);
      pango_layout_set_height (layout, -lines);
      pango_layout_set_ellipsize (layout, PANGO_ELLIPSIZE_END);
    }
  cairo_save (cr);
  cairo_set_source_rgb (cr, style->fg[0], style->fg[1], style->fg[2]);
  show_layout (cr, layout, shown, plot->x, plot->y - title_gap (style), VITA_ANCHOR_SW, 0.0,
               shrunk);
  cairo_restore (cr);
}

void
vita_layout_message (cairo_t *cr, const VitaStyle *style, const VitaRect *rect,
                     const char *message)
{
  if (message == NULL || rect->width <= 2 || rect->height <= 2)
    return;
  const char *family = family_of (style);
  static const double scales[] = { 1.1, 1.0, 0.9, 0.8, 0.7 };
  PangoLayout *layout = NULL;
  for (gsize i = 0; i < G_N_ELEMENTS (scales); i++)
    {
      layout = draw_layout (cr, family, style->font_size * scales[i]);
      pango_layout_set_text (layout, message, -1);
      pango_layout_set_width (layout, (int) (rect->width * 0.95 * PANGO_SCALE));
      pango_layout_set_wrap (layout, PANGO_WRAP_WORD_CHAR);
      pango_layout_set_alignment (layout, PANGO_ALIGN_CENTER);
      PangoRectangle lr;
      pango_layout_get_extents (layout, NULL, &lr);
      if ((double) lr.height / PANGO_SCALE <= rect->height * 0.95)
        break;
      if (i + 1 == G_N_ELEMENTS (scales))
        {
          pango_layout_set_height (layout, (int) (rect->height * 0.95 * PANGO_SCALE));
          pango_layout_set_ellipsize (layout, PANGO_ELLIPSIZE_END);
        }
    }
  cairo_save (cr);
  cairo_set_source_rgb (cr, style->fg[0], style->fg[1], style->fg[2]);
  show_layout (cr, layout, message, rect->x + rect->width / 2, rect->y + rect->height / 2,
               VITA_ANCHOR_CENTER, 0.0, FALSE);
  pango_layout_set_alignment (layout, PANGO_ALIGN_LEFT);
  cairo_restore (cr);
}

double
vita_layout_legend (cairo_t *cr, const VitaStyle *style, double x, double y, double max_width,
                    int n, const double (*colors)[3], const char *const *labels)
{
  double fs = style->font_size, h = vita_text_line_height (style, 0.85);
  double sample = 1.6 * fs, gap = 0.35 * fs, sep = 1.0 * fs;
  /* Shrink the whole legend when the entries do not fit in one row. */
  double total = 0;
  for (int i = 0; i < n; i++)
    {
      double w;
      vita_text_size (style, labels[i], 0.85, &w, NULL);
      total += sample + gap + w + (i ? sep : 0);
    }
  double k = total > max_width ? MAX (0.7, max_width / total) : 1.0;
  VitaStyle s = *style;
  s.font_size *= k;
  double cx = x;
  cairo_save (cr);
  for (int i = 0; i < n; i++)
    {
      double w;
      vita_text_size (&s, labels[i], 0.85, &w, NULL);
      if (i)
        cx += sep * k;
      cairo_set_source_rgb (cr, colors[i][0], colors[i][1], colors[i][2]);
      cairo_set_line_width (cr, style->line_width * 1.5);
      cairo_move_to (cr, cx, y + h / 2);
      cairo_line_to (cr, cx + sample * k, y + h / 2);
      cairo_stroke (cr);
      cx += (sample + gap) * k;
      cairo_set_source_rgb (cr, style->fg[0], style->fg[1], style->fg[2]);
      vita_draw_text_fit (cr, &s, labels[i], cx, y + h / 2, VITA_ANCHOR_W, 0.85, 0.0,
                          MAX (1.0, x + max_width - cx));
      cx += w;
    }
  cairo_restore (cr);
  vita_layout_record_box (cr, x, y, cx - x, h);
  return h;
}
