/* vita-paint.h — what every painter shares: style, colormaps, axes, colorbars,
 * panel layout and heatmap surfaces.  Cairo + Pango only (no GTK): the same code
 * draws on screen and into PNG / SVG / PDF.
 *
 * Units: painters draw in Cairo user units.  On screen 1 unit = 1 logical pixel; in
 * SVG/PDF 1 unit = 1 pt, so VitaStyle.font_size is in points there (8–10 pt suits a
 * paper column).  Heatmaps are image surfaces (the data is an image); axes, labels,
 * ticks, playhead and curves are vector paths and text, so they stay vector and
 * selectable in SVG/PDF.
 */
#pragma once

#include <cairo.h>
#include <glib.h>

G_BEGIN_DECLS

/* ---- colormaps ------------------------------------------------------------- */

typedef enum {
  VITA_COLORMAP_VIRIDIS,
  VITA_COLORMAP_MAGMA,
  VITA_COLORMAP_INFERNO,
  VITA_COLORMAP_GRAY,
  VITA_COLORMAP_DIVERGING,   /* RdBu reversed: blue -1, white 0, red +1 (similarities) */
  VITA_N_COLORMAPS
} VitaColormap;

/* 256 opaque CAIRO_FORMAT_RGB24/ARGB32 pixels (0xffRRGGBB), index 0 = low end. */
const guint32 *vita_colormap_lut (VitaColormap cmap);
/* Colour of t in [0, 1] (clamped; NaN gives mid-gray) as doubles. */
void        vita_colormap_rgb (VitaColormap cmap, double t, double *r, double *g, double *b);
const char *vita_colormap_to_string (VitaColormap cmap);
/* Accepts the names above ("viridis", "magma", "inferno", "gray", "diverging"). */
gboolean    vita_colormap_from_string (const char *name, VitaColormap *out);

/* ---- style ----------------------------------------------------------------- */

typedef struct {
  VitaColormap colormap;       /* sequential data (mel, attention) */
  VitaColormap diverging;      /* signed data in [-1, 1] (SSM) */
  double font_size;            /* user units (pt in vector output); 10 default */
  const char *font_family;     /* "Sans" default */
  double fg[3];                /* text, axes */
  double bg[3];                /* panel background */
  double playhead[3];          /* playhead colour */
  double accent[3];            /* curves, selection */
  double accent2[3];           /* second curve (onset flux) */
  double line_width;           /* curves; axes use half of it */
  gboolean draw_title;         /* a title (wrapped to two lines) at the top of each panel */
  gboolean draw_colorbar;      /* colorbars of heatmaps (their margin stays for alignment) */
  gboolean transparent;        /* no background paint (transparent PNG) */
  gboolean title_in_plot;      /* titles keep to their plot's width (+ a colorbar-less
                                  margin), not over the colorbar's: both sides of a
                                  comparison with one colorbar wrap alike */
} VitaStyle;

/* Light style, viridis, RdBu for SSMs, 10 pt Sans, titles and colorbars on. */
void vita_style_init (VitaStyle *style);
/* Dark backgrounds and light text (presentation on a dark desktop); colormaps are left
 * as they are, playhead and accents brightened to stay legible on the dark background.
 * Exports keep the light style unless asked. */
void vita_style_set_dark (VitaStyle *style);
/* The presentation type scale (1–3): text, line widths (and the widgets' playhead)
 * grow together from the light style's sizes. */
void vita_style_set_scale (VitaStyle *style, double scale);

/* ---- geometry -------------------------------------------------------------- */

typedef struct {
  double x, y, width, height;
} VitaRect;

typedef enum {
  VITA_PANEL_XAXIS    = 1 << 0,   /* a time axis under the plot */
  VITA_PANEL_YAXIS    = 1 << 1,   /* a value axis left of the plot */
  VITA_PANEL_COLORBAR = 1 << 2,   /* a colorbar right of the plot */
  VITA_PANEL_TITLE    = 1 << 3,   /* a title above the plot (if style->draw_title) */
  VITA_PANEL_LEGEND   = 1 << 4,   /* a legend row between the title and the plot */
} VitaPanelFlags;

/* Splits an outer rectangle into the plot area and its margins, computed by the
 * layout engine (vita-layout.h) from measured text; every painter of a time-aligned
 * panel gets the same left/right margins so that their time axes line up when
 * stacked. */
void vita_panel_layout (const VitaStyle *style, double x, double y, double width,
                        double height, VitaPanelFlags flags, VitaRect *plot,
                        VitaRect *colorbar);

/* Background, then a clip to the outer rectangle (caller saves/restores). */
void vita_panel_begin (cairo_t *cr, const VitaStyle *style, double x, double y,
                       double width, double height);
/* A frame around the plot area. */
void vita_panel_frame (cairo_t *cr, const VitaStyle *style, const VitaRect *plot);
void vita_panel_title (cairo_t *cr, const VitaStyle *style, const VitaRect *plot,
                       const char *title);
/* Centred message inside the plot ("Analysing…"), wrapped and shrunk to fit it. */
void vita_panel_message (cairo_t *cr, const VitaStyle *style, const VitaRect *plot,
                         const char *message);

/* ---- text ------------------------------------------------------------------ */

typedef enum {
  VITA_ANCHOR_N, VITA_ANCHOR_S, VITA_ANCHOR_E, VITA_ANCHOR_W, VITA_ANCHOR_CENTER,
  VITA_ANCHOR_NW, VITA_ANCHOR_NE, VITA_ANCHOR_SW, VITA_ANCHOR_SE,
} VitaAnchor;

/* Draws text (Pango markup not interpreted) with the anchor at (x, y); scale
 * multiplies style->font_size; angle in radians (rotated labels: -G_PI/2).
 * Returns the text width in user units. */
double vita_draw_text (cairo_t *cr, const VitaStyle *style, const char *text, double x,
                       double y, VitaAnchor anchor, double scale, double angle);

/* Same, shrunk (down to 75 %) and then ellipsized to fit max_width (≤ 0: no limit).
 * Both measure with Pango and report the box to the layout records (vita-layout.h). */
double vita_draw_text_fit (cairo_t *cr, const VitaStyle *style, const char *text, double x,
                           double y, VitaAnchor anchor, double scale, double angle,
                           double max_width);

/* ---- axes ------------------------------------------------------------------ */

/* "Nice" ticks (1, 2, 5 × 10^k) covering [lo, hi] with at most max_ticks ticks.
 * Returns the count written to ticks (≤ max_ticks), the step in *step. */
int  vita_nice_ticks (double lo, double hi, int max_ticks, double *ticks, double *step);
/* Time label for t seconds given the tick step: "12 s"-style numbers with just
 * enough decimals for the step ("1.25"), or m:ss(.d) once the range passes a
 * minute (use_minutes).  Writes into buf. */
void vita_format_time (double t, double step, gboolean use_minutes, char *buf, gsize size);
/* Whether times over a range of span seconds read m:ss (axes, titles, read-outs);
 * seconds below it. */
gboolean vita_time_use_minutes (double span);

/* A time axis under plot: ticks at nice times in [t0, t1] seconds, labels, and the
 * title "Time (s)" or "Time (m:ss)" — the unit is always in the label. */
void vita_axis_time (cairo_t *cr, const VitaStyle *style, const VitaRect *plot,
                     double t0, double t1);
/* Same with another title ("Key time"); the unit is appended. */
void vita_axis_time_titled (cairo_t *cr, const VitaStyle *style, const VitaRect *plot,
                            double t0, double t1, const char *title);
/* A time axis left of plot, going down (t0 at top) — for SSM / attention maps. */
void vita_axis_time_vertical (cairo_t *cr, const VitaStyle *style, const VitaRect *plot,
                              double t0, double t1, gboolean top_is_t0, const char *title);
/* A value axis left of plot: v0 at the bottom, v1 at the top; title carries the unit. */
void vita_axis_value (cairo_t *cr, const VitaStyle *style, const VitaRect *plot,
                      double v0, double v1, const char *title);
/* As vita_axis_value, ticks at whole numbers only (layers, indices). */
void vita_axis_index (cairo_t *cr, const VitaStyle *style, const VitaRect *plot,
                      double v0, double v1, const char *title);
/* The rotated title of a value axis at the panel's left edge, centred on plot. */
void vita_axis_title_left (cairo_t *cr, const VitaStyle *style, const VitaRect *plot,
                           const char *title);
/* Width reserved left of a plot for value tick labels (fit labels to it). */
double vita_axis_tick_width (const VitaStyle *style);
/* A vertical colorbar in rect with ticks from vmin to vmax and a rotated label. */
void vita_colorbar (cairo_t *cr, const VitaStyle *style, const VitaRect *rect,
                    VitaColormap cmap, double vmin, double vmax, const char *label);

/* ---- heatmaps --------------------------------------------------------------- */

/* An RGB24 image surface of a (rows, cols) row-major array through a colormap,
 * values mapped linearly from [vmin, vmax].  row_stride in floats.  When
 * flip_rows, row 0 of the data is drawn at the bottom (spectrograms). */
cairo_surface_t *vita_heatmap_surface (const float *data, int rows, int cols, gsize row_stride,
                                       float vmin, float vmax, VitaColormap cmap,
                                       gboolean flip_rows);
/* Same, transposed: data is (cols, rows) — e.g. (n_frames, n_mels) drawn with time
 * along x and mel bins along y (bin 0 at the bottom). */
cairo_surface_t *vita_heatmap_surface_transposed (const float *data, int n_time, int n_bins,
                                                  float vmin, float vmax, VitaColormap cmap);
/* Paints the source rectangle (sx, sy, sw, sh) of surface (in surface pixels, may be
 * fractional) into dest, nearest-neighbour (each data cell stays a crisp block).
 * Only the needed part is resampled, so cost follows the destination size. */
void vita_heatmap_paint (cairo_t *cr, cairo_surface_t *surface, double sx, double sy,
                         double sw, double sh, const VitaRect *dest);

/* Envelope columns per unit of the target: its device pixels per unit on a raster
 * (1 on screen at scale 1, 2 on HiDPI, ~4 in a 300 dpi PNG), 4 on a vector target (a
 * PDF's columns 1/288 in wide): a long track's waveform in a figure shows no blocks of
 * several pixels. */
int  vita_envelope_columns_per_unit (cairo_t *cr);

/* A min/max envelope, n_columns columns of width 1/per_unit from x0: on raster targets
 * as pixel-aligned column boxes (no tessellation: ~10× cheaper than a polygon), on
 * vector targets as one closed polygon.  Values in [-1, 1] map to [mid + half, mid - half]. */
void vita_draw_envelope (cairo_t *cr, double x0, int per_unit, double mid, double half,
                         const float *mn, const float *mx, int n_columns);

/* Playhead line at x across rect. */
void vita_draw_playhead_x (cairo_t *cr, const VitaStyle *style, const VitaRect *rect, double x);
void vita_draw_playhead_y (cairo_t *cr, const VitaStyle *style, const VitaRect *rect, double y);

G_END_DECLS
