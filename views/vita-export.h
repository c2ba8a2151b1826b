/* vita-export.h — figures (PNG, SVG, PDF) through the same painters as the screen,
 * a sidecar JSON to re-render them (`vitascope-cli render`), raw arrays as .npy.
 *
 * Every file is written atomically: a temporary file in the same folder, fsync,
 * rename over the final name, fsync of the folder.  On any failure the temporary
 * file is removed and a file already under the final name is left untouched.
 * Errors are VITA_EXPORT_ERROR and name the path.
 */
#pragma once

#include "vita-painters.h"
#include "vita-layout.h"
#include "vita-attr-settings.h"

G_BEGIN_DECLS

#define VITA_EXPORT_ERROR (vita_export_error_quark ())
GQuark vita_export_error_quark (void);

typedef enum {
  VITA_EXPORT_ERROR_WRITE,     /* cannot create / write / rename (read-only folder, disk full) */
  VITA_EXPORT_ERROR_FORMAT,    /* unknown extension, bad sizes */
  VITA_EXPORT_ERROR_SIDECAR,   /* sidecar JSON unreadable or missing a field (named) */
  VITA_EXPORT_ERROR_DATA,      /* nothing to draw / export (analysis missing) */
} VitaExportError;

typedef enum {
  VITA_EXPORT_PNG,
  VITA_EXPORT_SVG,
  VITA_EXPORT_PDF,
} VitaExportFormat;

typedef struct {
  VitaPanel           panel;
  double              width, height;   /* user units: pt in SVG/PDF, px in PNG at scale 1 */
  double              png_scale;       /* PNG pixels per unit (2 = 144 dpi for pt sizes) */
  VitaStyle           style;           /* colormap, font size (font_family must be static) */
  VitaAttentionMode   attention_mode;
  VitaTimelineSnapshot snap;           /* position, visible range, layer, head, query */
  char               *audio_path;      /* provenance, recorded in the sidecar */
  char               *model_path;
  char               *model_sha256;    /* hex; computed from model_path when NULL */
  /* Paper figure options (size preset, font, playhead, title, colorbar, range,
   * layers × heads, transparency, dpi, tight box): used when has_figure, recorded
   * in the sidecar's "figure" object and applied again on re-render. */
  gboolean            has_figure;
  VitaFigureOptions   figure;
  /* A comparison (vita-painters.h, "two sides"), recorded in the sidecar's "compare"
   * object: what side B is (kind "model": model_b_path + model_b_sha256; "twin": the
   * random-init twin of the model with twin_seed; "edit": the model on the audio
   * edited by `edits`), the labels, the view (side by side / difference) and scale. */
  gboolean            has_compare;
  char               *compare_kind;    /* "model", "twin", "edit" */
  char               *model_b_path;
  char               *model_b_sha256;
  guint64             twin_seed;
  char              **edits;           /* NULL-terminated, kind "edit" */
  char               *label_a, *label_b;
  VitaCompareView     compare_view;
  gboolean            per_side_scale;
  /* Side B's own layer / head when the configurations differ (the sidecar's
   * compare.layer_b / head_b, token layer; head -1 = mean); FALSE: A's drive both. */
  gboolean            own_layers;
  int                 layer_b, head_b;
  /* The attribution overlay on the mel panel (target NULL: none; zeroed by init):
   * recorded in the sidecar's "attribution" object; the caller computes it again. */
  VitaAttrSettings    attribution;
} VitaExportSpec;

/* Defaults: layout panel, 720 × 480 pt, PNG scale 2, light style at 9 pt. */
void     vita_export_spec_init  (VitaExportSpec *spec);
void     vita_export_spec_clear (VitaExportSpec *spec);

/* Applies figure options to spec: stores them (has_figure), sets the style (font,
 * lines, title, colorbar, transparency), the playhead, the time range (visible,
 * selection, whole, seconds — clamped to the track), the PNG scale (dpi / 72) and
 * the size: the preset's width and, where the preset leaves it open, the natural
 * height of the panel at that width (square panels stay square, the canvas fits
 * them).  sources gives what the panel shows (for the natural height). */
void     vita_export_spec_apply_figure (VitaExportSpec *spec, const VitaFigureOptions *opts,
                                        const VitaPaintContext *sources);
/* Natural height (pt) of a panel — or the whole view's arrangement — at width. */
double   vita_figure_natural_height (VitaPanel panel, const VitaPaintContext *ctx, double width);

/* Renders spec to a recording surface and returns what the layout engine placed
 * (text boxes, plots) — for tests and the tight bounding box. */
VitaLayoutRecord *vita_export_layout_record (const VitaExportSpec *spec,
                                             const VitaPaintContext *sources);

/* From the file name's extension (.png, .svg, .pdf; case-insensitive). */
gboolean vita_export_format_from_path (const char *path, VitaExportFormat *format,
                                       GError **error);

/* Draws spec->panel with ctx's sources (cache, peaks, lanes, onset; ctx->snap and
 * ctx->style are replaced by the spec's) into path, format from the extension. */
gboolean vita_export_figure (const VitaExportSpec *spec, const VitaPaintContext *sources,
                             const char *path, GError **error);

/* Any drawing as a figure file (PNG, SVG or PDF from the extension), atomically as
 * every export: paint (cr, width, height, data) draws in user units (pt in SVG/PDF,
 * PNG pixels = units × png_scale); title goes in the PDF's metadata. */
typedef void (*VitaExportPaintFunc) (cairo_t *cr, double width, double height, gpointer data);
gboolean vita_export_paint (const char *path, double width, double height, double png_scale,
                            const char *title, VitaExportPaintFunc paint, gpointer data,
                            GError **error);

/* FIGURE.json beside the figure ("fig.pdf" → "fig.pdf.json"). */
char    *vita_export_sidecar_path (const char *figure_path);
/* The one numbering, as the sidecar's "indexing" field states it. */
#define VITA_SIDECAR_INDEXING \
  "layer: token layer 0…L (0 = the input embedding, no attention: attention panels " \
  "show layer 1); attention layers 1…L; head: 0-based index, head_number = head + 1 " \
  "(heads 1…H as labelled), -1 = the mean of heads; figure.layers and figure.heads: " \
  "1-based, as labelled"
/* Writes the sidecar of a figure: audio path, model path + SHA-256, panel, layer
 * (token layer 0…L), head (0-based; -1 = mean) and head_number (1…H, null = mean),
 * indexing (the sentence above), mode, time range, position, colormap, size, font size. */
gboolean vita_export_sidecar_write (const VitaExportSpec *spec, const char *figure_path,
                                    const char *sidecar_path, GError **error);
/* Reads a sidecar into spec (initialised here); figure_path may be NULL. */
gboolean vita_export_sidecar_read (const char *sidecar_path, VitaExportSpec *spec,
                                   char **figure_path, GError **error);

/* Figure + sidecar in one call (what the app's Export action uses). */
gboolean vita_export_figure_with_sidecar (const VitaExportSpec *spec,
                                          const VitaPaintContext *sources,
                                          const char *path, GError **error);

/* The array the panel draws (vita_panel_array) as .npy. */
/* Checks the indices a sidecar (or session) names against the analysed model: layer
 * in [0, n_layers), head in [-1, heads), query_token in [-1, n_frames).  The error
 * names the file and the field (issue 15.1). */
gboolean vita_export_spec_check (const VitaExportSpec *spec, int n_layers, int n_heads,
                                 int n_frames, const char *source_path, GError **error);

gboolean vita_export_npy (const VitaExportSpec *spec, const VitaPaintContext *sources,
                          const char *path, GError **error);

/* SHA-256 (hex) of a file, streamed. */
char    *vita_export_file_sha256 (const char *path, GError **error);


G_END_DECLS
