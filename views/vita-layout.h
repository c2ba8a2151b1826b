/* vita-layout.h — the figure layout engine and the figure options.
 *
 * Every text item a painter draws (titles, tick labels, axis titles, colorbar
 * labels, legends, messages) is measured with Pango before it is placed: margins
 * are computed from measured text, axes shrink to make room, titles wrap to two
 * lines before they are ever cut, tick labels thin out rather than collide.  The
 * same code lays out the screen and the exported figures.
 *
 * The engine can record what it placed (vita_layout_record_begin/end): each text
 * box in device units, whether it was shrunk or ellipsized, whether it left the
 * clip (the panel) it was drawn in; tests assert from these records that no two
 * boxes intersect and nothing is cut, and export uses them for a tight bounding box.
 *
 * VitaFigureOptions is plain C: the export dialog, the sidecar JSON and
 * `vitascope-cli render` share it.  Sizes are in points (1/72 in).
 */
#pragma once

#include "vita-paint.h"

G_BEGIN_DECLS

/* ---- figure options ----------------------------------------------------------- */

typedef enum {
  VITA_SIZE_CUSTOM,          /* width_pt × height_pt (height 0 = natural height) */
  VITA_SIZE_SINGLE_COLUMN,   /* 3.5 in (8.9 cm) wide, natural height */
  VITA_SIZE_DOUBLE_COLUMN,   /* 7.16 in wide, natural height */
  VITA_SIZE_SLIDE,           /* 13.33 × 7.5 in (16:9) */
  VITA_SIZE_SQUARE,          /* 3.5 × 3.5 in */
  VITA_N_SIZES
} VitaSizePreset;

typedef enum {
  VITA_RANGE_VISIBLE,        /* what the timeline shows */
  VITA_RANGE_SELECTION,      /* the selection (the visible range when none) */
  VITA_RANGE_WHOLE,          /* the whole track */
  VITA_RANGE_SECONDS,        /* range_start_s .. range_end_s (--range 10:20) */
  VITA_N_RANGES
} VitaRangeMode;

#define VITA_FIGURE_MAX_INDEX 64   /* layers / heads a grid can name */

typedef struct {
  VitaSizePreset size;
  double   width_pt, height_pt;    /* custom size; height 0 = natural */
  double   font_size;              /* pt; 8 for papers */
  char     font_family[64];        /* one family across the figure */
  double   line_width;             /* pt, curves (axes use 0.6 of it) */
  gboolean playhead;               /* draw the playhead / visible-range marks */
  gboolean title;                  /* panel titles */
  gboolean colorbar;               /* colorbars of heatmaps */
  VitaRangeMode range;
  double   range_start_s, range_end_s;   /* VITA_RANGE_SECONDS */
  /* Attention grid: layers (1-based, as labelled) × heads (1-based); an empty list
   * = every layer / head. */
  int      n_layers, layers[VITA_FIGURE_MAX_INDEX];
  int      n_heads, heads[VITA_FIGURE_MAX_INDEX];
  gboolean transparent;            /* PNG: no background */
  double   dpi;                    /* PNG pixels per inch */
  gboolean tight;                  /* canvas = drawn content + margin_pt */
  double   margin_pt;
} VitaFigureOptions;

/* Paper defaults: single column, 8 pt Sans, lines 1 pt, playhead, titles and
 * colorbars on, visible range, every layer and head, 300 dpi, tight with 2 pt. */
void        vita_figure_options_init (VitaFigureOptions *opts);

const char *vita_size_preset_to_string (VitaSizePreset size);   /* "single-column" … */
gboolean    vita_size_preset_from_string (const char *name, VitaSizePreset *out);
/* Width and height in pt of a preset (height 0 = natural for the content). */
void        vita_size_preset_dimensions (VitaSizePreset size, double *width_pt,
                                         double *height_pt);
const char *vita_range_mode_to_string (VitaRangeMode range);   /* "visible" … */
gboolean    vita_range_mode_from_string (const char *name, VitaRangeMode *out);

/* "89mm", "3.5in", "252pt", "252" (pt) → pt; FALSE for anything else or ≤ 0. */
gboolean    vita_figure_parse_length (const char *text, double *pt);
/* --size: a preset name, or "WxH" with a unit ("89x60mm", "3.5x2in", "300x200pt";
 * H may be 0 for natural height).  Sets size, width_pt, height_pt. */
gboolean    vita_figure_parse_size (const char *text, VitaFigureOptions *opts, GError **error);
/* "1,4,8", "2-5", "all" → 1-based indices (n = 0 for "all"). */
gboolean    vita_figure_parse_index_list (const char *text, int *out, int *n, GError **error);
/* "10:20" seconds → VITA_RANGE_SECONDS; "visible", "selection", "whole" → modes. */
gboolean    vita_figure_parse_range (const char *text, VitaFigureOptions *opts, GError **error);
/* Bit b set = block / head b (0-based) shown; every bit when the list is empty. */
guint64     vita_figure_index_mask (const int *list, int n);

/* Style from the options (font, lines, title, colorbar, transparent background). */
void        vita_figure_apply_style (const VitaFigureOptions *opts, VitaStyle *style);

/* ---- measuring text ------------------------------------------------------------ */

/* Logical width and height of one line of text at style->font_size × scale. */
void   vita_text_size (const VitaStyle *style, const char *text, double scale, double *width,
                       double *height);
/* Height of a line of text at the style's size × scale. */
double vita_text_line_height (const VitaStyle *style, double scale);

/* ---- the engine's geometry ----------------------------------------------------- */

typedef struct {
  double left, right, top, bottom;   /* margins around the plot */
  double tick_width;                 /* room reserved for value tick labels */
  int    title_lines;                /* lines reserved for the title (0 = none) */
  double scale_x;                    /* < 1 when a tiny panel squeezed its margins */
} VitaMargins;

/* Margins of a panel of width × height with flags (vita-paint.h's VitaPanelFlags).
 * Left/right margins do not depend on the flags so that stacked time-aligned panels
 * share their x mapping. */
void vita_layout_margins (const VitaStyle *style, double width, double height, guint flags,
                          VitaMargins *m);

/* From a plot's bottom edge to the top of its time tick labels: clear of the value
 * axis' bottom tick label, which sits centred on that edge. */
double vita_layout_xtick_offset (const VitaStyle *style);

/* Title in the reserved lines above plot, wrapped to at most two lines within
 * max_width; shrunk, and ellipsized only as a last resort (recorded). */
void vita_layout_title (cairo_t *cr, const VitaStyle *style, const VitaRect *plot,
                        const char *title, int lines, double max_width);

/* Message inside a rectangle, wrapped and shrunk to fit (never overflowing it). */
void vita_layout_message (cairo_t *cr, const VitaStyle *style, const VitaRect *rect,
                          const char *message);

/* Horizontal legend: entries (a line sample in colour + text) left to right from
 * (x, y) (top-left), within max_width; returns the height used. */
double vita_layout_legend (cairo_t *cr, const VitaStyle *style, double x, double y,
                           double max_width, int n, const double (*colors)[3],
                           const char *const *labels);

/* ---- records ------------------------------------------------------------------- */

typedef struct {
  double   x, y, width, height;   /* device units, axis-aligned (rotations included) */
  char    *text;
  gboolean ellipsized;            /* Pango cut the text */
  gboolean shrunk;                /* drawn below its nominal size to fit */
  gboolean clipped;               /* part of the box lies outside the clip it was drawn in */
} VitaTextRecord;

typedef struct {
  GArray *texts;    /* VitaTextRecord */
  GArray *boxes;    /* VitaRect: plots, colorbars, legends (device units) */
} VitaLayoutRecord;

/* Starts recording on this thread (nesting not supported); end returns what was
 * placed since (free with vita_layout_record_free). */
void              vita_layout_record_begin (void);
VitaLayoutRecord *vita_layout_record_end (void);
void              vita_layout_record_free (VitaLayoutRecord *rec);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (VitaLayoutRecord, vita_layout_record_free)
gboolean          vita_layout_recording (void);
/* Painters report drawn non-text content (plot areas, colorbars). */
void              vita_layout_record_box (cairo_t *cr, double x, double y, double width,
                                          double height);
/* Internal: vita_draw_text_* report each text box. */
void              vita_layout_record_text (cairo_t *cr, const char *text, double x, double y,
                                           double width, double height, gboolean ellipsized,
                                           gboolean shrunk);

/* Union of every recorded text box and content box; FALSE when nothing was drawn. */
gboolean          vita_layout_record_extents (const VitaLayoutRecord *rec, VitaRect *out);
/* Checks the records: no two text boxes intersect (more than tolerance on both axes),
 * no box leaves canvas (when given) or its clip, nothing ellipsized (when
 * no_ellipsis).  FALSE with a message naming the offending texts. */
gboolean          vita_layout_record_check (const VitaLayoutRecord *rec, const VitaRect *canvas,
                                            gboolean no_ellipsis, double tolerance,
                                            char **why);

G_END_DECLS
