/* vita-export.c — atomic PNG / SVG / PDF figures, sidecar JSON, .npy arrays. */
#include "vita-export.h"
#include "vita-views-private.h"

#include "model/vita-json.h"
#include "model/vita-npy.h"
#include "vita-paint-private.h"

#include <cairo-pdf.h>
#include <cairo-svg.h>
#include <errno.h>
#include <fcntl.h>
#include <json-glib/json-glib.h>
#include <math.h>
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "model/vita-file-private.h"

G_DEFINE_QUARK (vita-export-error-quark, vita_export_error)

void
vita_export_set_fail_after (gssize n_bytes)
{
  vita_atomic_file_set_fail_after (n_bytes);
}

/* The widgets' caches (side A's and, in a comparison, side B's) made synchronous for
 * the duration of an export, and back. */
typedef struct {
  VitaPaintCache *cache[2];
  GFunc           ready[2];
  gpointer        data[2];
} SyncCaches;

static void
sync_caches_begin (SyncCaches *sync, const VitaPaintContext *ctx)
{
  VitaPaintCache *caches[2] = { ctx->cache, ctx->compare ? ctx->compare->cache_b : NULL };
  for (int i = 0; i < 2; i++)
    {
      VitaPaintCache *c = caches[i];
      gboolean async = c && vita_paint_cache_get_async (c);
      sync->cache[i] = async ? c : NULL;
      sync->ready[i] = async ? c->ready_cb : NULL;
      sync->data[i] = async ? c->ready_data : NULL;
      if (async)
        vita_paint_cache_set_async (c, FALSE, NULL, NULL);
    }
}

static void
sync_caches_end (SyncCaches *sync)
{
  for (int i = 0; i < 2; i++)
    if (sync->cache[i] != NULL)
      vita_paint_cache_set_async (sync->cache[i], TRUE, sync->ready[i], sync->data[i]);
}

void
vita_export_spec_init (VitaExportSpec *spec)
{
  memset (spec, 0, sizeof *spec);
  spec->panel = VITA_PANEL_LAYOUT;
  spec->width = 720;
  spec->height = 480;
  spec->png_scale = 2.0;
  vita_style_init (&spec->style);
  spec->style.font_size = 9.0;
  spec->attention_mode = VITA_ATTENTION_HEAD;
  spec->snap.query_token = -1;
  spec->snap.show_playhead = TRUE;
}

void
vita_export_spec_clear (VitaExportSpec *spec)
{
  g_clear_pointer (&spec->audio_path, g_free);
  g_clear_pointer (&spec->model_path, g_free);
  g_clear_pointer (&spec->model_sha256, g_free);
  g_clear_pointer (&spec->compare_kind, g_free);
  g_clear_pointer (&spec->model_b_path, g_free);
  g_clear_pointer (&spec->model_b_sha256, g_free);
  g_clear_pointer (&spec->edits, g_strfreev);
  g_clear_pointer (&spec->label_a, g_free);
  g_clear_pointer (&spec->label_b, g_free);
  spec->has_compare = FALSE;
  spec->own_layers = FALSE;
  vita_attr_settings_clear (&spec->attribution);
}

gboolean
vita_export_format_from_path (const char *path, VitaExportFormat *format, GError **error)
{
  const char *dot = strrchr (path, '.');
  if (dot && g_ascii_strcasecmp (dot, ".png") == 0)
    *format = VITA_EXPORT_PNG;
  else if (dot && g_ascii_strcasecmp (dot, ".svg") == 0)
    *format = VITA_EXPORT_SVG;
  else if (dot && g_ascii_strcasecmp (dot, ".pdf") == 0)
    *format = VITA_EXPORT_PDF;
  else
    {
      g_autofree char *disp = g_filename_display_name (path);
      g_set_error (error, VITA_EXPORT_ERROR, VITA_EXPORT_ERROR_FORMAT,
                   "Cannot export to “%s”: the file name must end in .png, .svg or .pdf", disp);
      return FALSE;
    }
  return TRUE;
}

/* ---- atomic files (model/vita-file.h) ---------------------------------------- */

static cairo_status_t
atomic_write (void *closure, const unsigned char *data, unsigned int length)
{
  return vita_atomic_file_write (closure, data, length) ? CAIRO_STATUS_SUCCESS
                                                        : CAIRO_STATUS_WRITE_ERROR;
}

/* The writer's errors, in the export's domain. */
static gboolean
export_write_error (GError **error, GError *local)
{
  g_set_error_literal (error, VITA_EXPORT_ERROR, VITA_EXPORT_ERROR_WRITE, local->message);
  g_error_free (local);
  return FALSE;
}

/* ---- figures ------------------------------------------------------------------- */

static void
paint_spec (cairo_t *cr, const VitaExportSpec *spec, const VitaPaintContext *sources)
{
  VitaPaintContext ctx = *sources;
  VitaStyle style = spec->style;
  ctx.snap = &spec->snap;
  ctx.style = &style;
  ctx.attention_mode = spec->attention_mode;
  if (spec->has_figure)
    {
      /* The family lives in the options (a spec may have been copied since). */
      style.font_family = spec->figure.font_family[0] ? spec->figure.font_family : "Sans";
      /* Grid of chosen layers × heads (labels are 1-based, bits 0-based). */
      ctx.grid_layers = spec->figure.n_layers ? vita_figure_index_mask (spec->figure.layers,
                                                                        spec->figure.n_layers) : 0;
      ctx.grid_heads = spec->figure.n_heads ? vita_figure_index_mask (spec->figure.heads,
                                                                      spec->figure.n_heads) : 0;
    }
  VitaRect area = { 0, 0, spec->width, spec->height };
  /* A figure never says "computing": attention is recomputed synchronously here even
   * when the cache is the widgets' asynchronous one. */
  SyncCaches sync;
  sync_caches_begin (&sync, &ctx);
  vita_panel_paint (spec->panel, cr, &area, &ctx);
  sync_caches_end (&sync);
}

void
vita_export_spec_apply_figure (VitaExportSpec *spec, const VitaFigureOptions *opts,
                               const VitaPaintContext *sources)
{
  if (&spec->figure != opts)
    spec->figure = *opts;
  spec->has_figure = TRUE;
  const VitaFigureOptions *o = &spec->figure;
  vita_figure_apply_style (o, &spec->style);
  spec->snap.show_playhead = o->playhead;
  VitaTimelineSnapshot *s = &spec->snap;
  gint64 n = MAX (s->n_samples, 1);
  switch (o->range)
    {
    case VITA_RANGE_SELECTION:
      if (s->selection_end > s->selection_start)
        {
          s->visible_start = s->selection_start;
          s->visible_end = s->selection_end;
        }
      break;
    case VITA_RANGE_WHOLE:
      s->visible_start = 0;
      s->visible_end = n;
      break;
    case VITA_RANGE_SECONDS:
      if (s->sample_rate > 0)
        {
          gint64 a = (gint64) llround (o->range_start_s * s->sample_rate);
          gint64 b = (gint64) llround (o->range_end_s * s->sample_rate);
          a = CLAMP (a, 0, n - 1);
          b = CLAMP (b, a + 1, n);
          s->visible_start = a;
          s->visible_end = b;
        }
      break;
    default:
      break;
    }
  spec->png_scale = CLAMP (o->dpi / 72.0, 0.25, 600.0 / 72.0);
  double w = o->width_pt, h = o->height_pt;
  if (o->size != VITA_SIZE_CUSTOM)
    vita_size_preset_dimensions (o->size, &w, &h);
  if (!(w > 0))
    w = 3.5 * 72;
  if (!(h > 0))
    {
      VitaPaintContext ctx = *sources;
      ctx.snap = &spec->snap;
      ctx.style = &spec->style;
      ctx.attention_mode = spec->attention_mode;
      ctx.grid_layers = o->n_layers ? vita_figure_index_mask (o->layers, o->n_layers) : 0;
      ctx.grid_heads = o->n_heads ? vita_figure_index_mask (o->heads, o->n_heads) : 0;
      h = vita_figure_natural_height (spec->panel, &ctx, w);
    }
  spec->width = CLAMP (w, 16, 20000);
  spec->height = CLAMP (h, 16, 20000);
}

VitaLayoutRecord *
vita_export_layout_record (const VitaExportSpec *spec, const VitaPaintContext *sources)
{
  cairo_surface_t *rec = cairo_recording_surface_create (CAIRO_CONTENT_COLOR_ALPHA, NULL);
  cairo_t *cr = cairo_create (rec);
  cairo_rectangle (cr, 0, 0, spec->width, spec->height);
  cairo_clip (cr);
  vita_layout_record_begin ();
  paint_spec (cr, spec, sources);
  VitaLayoutRecord *r = vita_layout_record_end ();
  cairo_destroy (cr);
  cairo_surface_destroy (rec);
  return r;
}

static double
natural_height (const VitaExportSpec *spec, const VitaPaintContext *sources, double width)
{
  VitaPaintContext ctx = *sources;
  VitaStyle style = spec->style;
  if (spec->figure.font_family[0])
    style.font_family = spec->figure.font_family;
  ctx.snap = &spec->snap;
  ctx.style = &style;
  ctx.attention_mode = spec->attention_mode;
  ctx.grid_layers = spec->figure.n_layers ? vita_figure_index_mask (spec->figure.layers,
                                                                    spec->figure.n_layers) : 0;
  ctx.grid_heads = spec->figure.n_heads ? vita_figure_index_mask (spec->figure.heads,
                                                                  spec->figure.n_heads) : 0;
  return CLAMP (vita_figure_natural_height (spec->panel, &ctx, width), 16, 20000);
}

/* One figure file, written atomically: a PNG/SVG/PDF surface of width × height (pt),
 * drawn by paint.  Every export (panels, the comparison table, …) goes through it. */
static gboolean
write_surface (const char *path, VitaExportFormat format, double fw, double fh, double png_scale,
               gboolean transparent, const char *title, VitaExportPaintFunc paint, gpointer data,
               GError **error)
{
  GError *local = NULL;
  VitaAtomicFile *af = vita_atomic_file_new (path, &local);
  if (af == NULL)
    return export_write_error (error, local);

  cairo_surface_t *surface;
  if (format == VITA_EXPORT_PNG)
    surface = cairo_image_surface_create (transparent ? CAIRO_FORMAT_ARGB32 : CAIRO_FORMAT_RGB24,
                                          (int) ceil (fw * png_scale),
                                          (int) ceil (fh * png_scale));
  else if (format == VITA_EXPORT_SVG)
    surface = cairo_svg_surface_create_for_stream (atomic_write, af, fw, fh);
  else
    {
      surface = cairo_pdf_surface_create_for_stream (atomic_write, af, fw, fh);
      cairo_pdf_surface_set_metadata (surface, CAIRO_PDF_METADATA_CREATOR,
                                      "Vitascope " VITA_VERSION);
      cairo_pdf_surface_set_metadata (surface, CAIRO_PDF_METADATA_TITLE, title);
    }
  cairo_t *cr = cairo_create (surface);
  if (format == VITA_EXPORT_PNG)
    cairo_scale (cr, png_scale, png_scale);
  paint (cr, fw, fh, data);
  cairo_status_t st = cairo_status (cr);
  cairo_destroy (cr);
  if (format == VITA_EXPORT_PNG && st == CAIRO_STATUS_SUCCESS)
    st = cairo_surface_write_to_png_stream (surface, atomic_write, af);
  cairo_surface_finish (surface);
  if (st == CAIRO_STATUS_SUCCESS)
    st = cairo_surface_status (surface);
  cairo_surface_destroy (surface);
  if (st != CAIRO_STATUS_SUCCESS && !vita_atomic_file_get_errno (af))
    {
      g_autofree char *disp = g_filename_display_name (path);
      g_set_error (error, VITA_EXPORT_ERROR, VITA_EXPORT_ERROR_WRITE,
                   "Cannot write “%s”: drawing failed: %s", disp, cairo_status_to_string (st));
      vita_atomic_file_abort (af);
      return FALSE;
    }
  if (!vita_atomic_file_commit (af, &local))
    return export_write_error (error, local);
  return TRUE;
}

typedef struct {
  const VitaExportSpec   *spec;
  const VitaExportSpec   *fit;      /* the natural-height spec when cropped */
  const VitaPaintContext *sources;
  gboolean natural;
  double   ox, oy;                  /* the crop's origin */
  gboolean background;
} FigureDraw;

static void
figure_draw_cb (cairo_t *cr, double width, double height, gpointer data)
{
  FigureDraw *d = data;
  if (d->natural)
    {
      if (d->background)
        {
          cairo_set_source_rgb (cr, d->spec->style.bg[0], d->spec->style.bg[1], d->spec->style.bg[2]);
          cairo_paint (cr);
        }
      cairo_translate (cr, -d->ox, -d->oy);
      paint_spec (cr, d->fit, d->sources);
    }
  else
    paint_spec (cr, d->spec, d->sources);
}

gboolean
vita_export_figure (const VitaExportSpec *spec, const VitaPaintContext *sources,
                    const char *path, GError **error)
{
  VitaExportFormat format;
  if (!vita_export_format_from_path (path, &format, error))
    return FALSE;
  if (!(spec->width >= 16 && spec->height >= 16 && spec->width <= 20000 && spec->height <= 20000) ||
      !(spec->png_scale > 0 && spec->png_scale <= 600.0 / 72.0 + 1e-9) ||
      !(spec->style.font_size > 1 && spec->style.font_size < 200))
    {
      g_autofree char *disp = g_filename_display_name (path);
      g_set_error (error, VITA_EXPORT_ERROR, VITA_EXPORT_ERROR_FORMAT,
                   "Cannot export “%s”: size %g × %g, scale %g or font size %g out of range",
                   disp, spec->width, spec->height, spec->png_scale, spec->style.font_size);
      return FALSE;
    }
  /* Tight bounding box (natural-height figures): lay the figure out on a recording
   * surface, take the extents of what the layout engine placed (text boxes, plots,
   * colorbars) plus the margin, and draw it into the file shifted to that box.  The canvas is widened until the cropped page is the width asked for
   * (searched: widths move text between lines): a column figure is exactly the
   * column's width.  Fixed sizes (slide, square, W×H) keep their canvas. */
  VitaExportSpec fit = *spec;   /* shallow: only sizes change */
  double fw = spec->width, fh = spec->height, ox = 0, oy = 0;
  gboolean transparent = spec->style.transparent && format == VITA_EXPORT_PNG;
  gboolean natural = spec->has_figure && spec->figure.tight && spec->figure.height_pt <= 0 &&
                     (spec->figure.size == VITA_SIZE_CUSTOM ||
                      spec->figure.size == VITA_SIZE_SINGLE_COLUMN ||
                      spec->figure.size == VITA_SIZE_DOUBLE_COLUMN);
  if (natural)
    {
      double want = spec->width, m = CLAMP (spec->figure.margin_pt, 0, 72);
      double lo = spec->width, hi = 0, w = spec->width;
      VitaRect best = { 0 };
      double best_w = spec->width, best_h = spec->height;
      gboolean have = FALSE;
      for (int iter = 0; iter < 8; iter++)
        {
          fit.width = w;
          fit.height = natural_height (&fit, sources, w);
          g_autoptr(VitaLayoutRecord) rec = vita_export_layout_record (&fit, sources);
          VitaRect ext;
          if (!vita_layout_record_extents (rec, &ext))
            break;
          double ew = ext.width + 2 * m;
          if (ew <= want + 0.01 || iter == 0)
            {
              /* Fits (the first, at the asked width, always counts). */
              best = ext;
              best_w = fit.width;
              best_h = fit.height;
              have = TRUE;
              lo = w;
              if (want - ew < 0.25)
                break;
              w = hi > 0 ? (lo + hi) / 2 : w + (want - ew);
            }
          else
            {
              hi = w;
              w = (lo + hi) / 2;
            }
          if (hi > 0 && hi - lo < 0.1)
            break;
        }
      fit.width = best_w;
      fit.height = best_h;
      if (have)
        {
          double ew = best.width + 2 * m, eh = best.height + 2 * m;
          /* Exactly the asked width: the content centred in it (it came out a hair
           * narrower, or touched the canvas' edges and the margin is trimmed). */
          fw = want;
          fh = ceil (eh);
          ox = best.x - m - (fw - ew) / 2;
          oy = best.y - m - (fh - eh) / 2;
        }
    }

  FigureDraw d = { spec, &fit, sources, natural, ox, oy,
                   !spec->style.transparent || format != VITA_EXPORT_PNG };
  return write_surface (path, format, fw, fh, spec->png_scale, transparent,
                        vita_panel_to_string (spec->panel), figure_draw_cb, &d, error);
}

gboolean
vita_export_paint (const char *path, double width, double height, double png_scale,
                   const char *title, VitaExportPaintFunc paint, gpointer data, GError **error)
{
  VitaExportFormat format;
  if (!vita_export_format_from_path (path, &format, error))
    return FALSE;
  if (!(width >= 16 && height >= 16 && width <= 20000 && height <= 20000) ||
      !(png_scale > 0 && png_scale <= 600.0 / 72.0 + 1e-9))
    {
      g_autofree char *disp = g_filename_display_name (path);
      g_set_error (error, VITA_EXPORT_ERROR, VITA_EXPORT_ERROR_FORMAT,
                   "Cannot export “%s”: size %g × %g or scale %g out of range",
                   disp, width, height, png_scale);
      return FALSE;
    }
  return write_surface (path, format, width, height, png_scale, FALSE,
                        title ? title : "Vitascope figure", paint, data, error);
}

/* ---- sidecar ------------------------------------------------------------------- */

char *
vita_export_sidecar_path (const char *figure_path)
{
  return g_strconcat (figure_path, ".json", NULL);
}

char *
vita_export_file_sha256 (const char *path, GError **error)
{
  g_autoptr(GChecksum) sum = g_checksum_new (G_CHECKSUM_SHA256);
  FILE *f = g_fopen (path, "rb");
  if (f == NULL)
    {
      int e = errno;
      g_autofree char *disp = g_filename_display_name (path);
      g_set_error (error, VITA_EXPORT_ERROR, VITA_EXPORT_ERROR_SIDECAR,
                   "Cannot read “%s” to hash it: %s", disp, g_strerror (e));
      return NULL;
    }
  guchar buf[65536];
  size_t n;
  while ((n = fread (buf, 1, sizeof buf, f)) > 0)
    g_checksum_update (sum, buf, n);
  gboolean bad = ferror (f);
  fclose (f);
  if (bad)
    {
      g_autofree char *disp = g_filename_display_name (path);
      g_set_error (error, VITA_EXPORT_ERROR, VITA_EXPORT_ERROR_SIDECAR,
                   "Cannot read “%s” to hash it", disp);
      return NULL;
    }
  return g_strdup (g_checksum_get_string (sum));
}

static const char *
format_name (const char *path)
{
  VitaExportFormat f;
  if (!vita_export_format_from_path (path, &f, NULL))
    return "unknown";
  return f == VITA_EXPORT_PNG ? "png" : f == VITA_EXPORT_SVG ? "svg" : "pdf";
}

static void
write_index_list (JsonBuilder *b, const char *name, const int *list, int n)
{
  json_builder_set_member_name (b, name);
  if (n == 0)
    {
      json_builder_add_string_value (b, "all");
      return;
    }
  json_builder_begin_array (b);
  for (int i = 0; i < n; i++)
    json_builder_add_int_value (b, list[i]);
  json_builder_end_array (b);
}

/* The "figure" object: every option of the paper figure (vita-layout.h). */
static void
write_figure (JsonBuilder *b, const VitaFigureOptions *o)
{
  json_builder_set_member_name (b, "figure_options");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "size");
  json_builder_add_string_value (b, vita_size_preset_to_string (o->size));
  json_builder_set_member_name (b, "width_pt");
  json_builder_add_double_value (b, o->width_pt);
  json_builder_set_member_name (b, "height_pt");
  json_builder_add_double_value (b, o->height_pt);
  json_builder_set_member_name (b, "font_size");
  json_builder_add_double_value (b, o->font_size);
  json_builder_set_member_name (b, "font_family");
  json_builder_add_string_value (b, o->font_family);
  json_builder_set_member_name (b, "line_width_pt");
  json_builder_add_double_value (b, o->line_width);
  json_builder_set_member_name (b, "playhead");
  json_builder_add_boolean_value (b, o->playhead);
  json_builder_set_member_name (b, "title");
  json_builder_add_boolean_value (b, o->title);
  json_builder_set_member_name (b, "colorbar");
  json_builder_add_boolean_value (b, o->colorbar);
  json_builder_set_member_name (b, "range");
  json_builder_add_string_value (b, vita_range_mode_to_string (o->range));
  if (o->range == VITA_RANGE_SECONDS)
    {
      json_builder_set_member_name (b, "range_s");
      json_builder_begin_array (b);
      json_builder_add_double_value (b, o->range_start_s);
      json_builder_add_double_value (b, o->range_end_s);
      json_builder_end_array (b);
    }
  write_index_list (b, "layers", o->layers, o->n_layers);
  write_index_list (b, "heads", o->heads, o->n_heads);
  json_builder_set_member_name (b, "transparent");
  json_builder_add_boolean_value (b, o->transparent);
  json_builder_set_member_name (b, "dpi");
  json_builder_add_double_value (b, o->dpi);
  json_builder_set_member_name (b, "tight");
  json_builder_add_boolean_value (b, o->tight);
  json_builder_set_member_name (b, "margin_pt");
  json_builder_add_double_value (b, o->margin_pt);
  json_builder_end_object (b);
}

/* "name": the string, or null where there is none. */
static void
add_string_or_null (JsonBuilder *b, const char *name, const char *value)
{
  json_builder_set_member_name (b, name);
  if (value)
    json_builder_add_string_value (b, value);
  else
    json_builder_add_null_value (b);
}

/* The "compare" object (see VitaExportSpec). */
static void
write_compare (JsonBuilder *b, const VitaExportSpec *spec)
{
  g_autofree char *sha = spec->model_b_sha256 ? g_strdup (spec->model_b_sha256) : NULL;
  if (sha == NULL && spec->model_b_path)
    sha = vita_export_file_sha256 (spec->model_b_path, NULL);
  json_builder_set_member_name (b, "compare");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "kind");
  json_builder_add_string_value (b, spec->compare_kind ? spec->compare_kind : "model");
  json_builder_set_member_name (b, "model_b");
  json_builder_begin_object (b);
  add_string_or_null (b, "path", spec->model_b_path);
  add_string_or_null (b, "sha256", sha);
  json_builder_end_object (b);
  json_builder_set_member_name (b, "twin_seed");
  if (g_strcmp0 (spec->compare_kind, "twin") == 0)
    json_builder_add_int_value (b, (gint64) MIN (spec->twin_seed, (guint64) G_MAXINT64));
  else
    json_builder_add_null_value (b);
  json_builder_set_member_name (b, "edits");
  json_builder_begin_array (b);
  for (int i = 0; spec->edits && spec->edits[i]; i++)
    json_builder_add_string_value (b, spec->edits[i]);
  json_builder_end_array (b);
  json_builder_set_member_name (b, "label_a");
  json_builder_add_string_value (b, spec->label_a ? spec->label_a : "");
  json_builder_set_member_name (b, "label_b");
  json_builder_add_string_value (b, spec->label_b ? spec->label_b : "");
  json_builder_set_member_name (b, "view");
  json_builder_add_string_value (b, spec->compare_view == VITA_COMPARE_DIFFERENCE ? "difference"
                                                                                   : "side-by-side");
  json_builder_set_member_name (b, "per_side_scale");
  json_builder_add_boolean_value (b, spec->per_side_scale);
  if (spec->own_layers)
    {
      /* numbered as the top-level layer / head / head_number */
      json_builder_set_member_name (b, "layer_b");
      json_builder_add_int_value (b, spec->layer_b);
      json_builder_set_member_name (b, "head_b");
      json_builder_add_int_value (b, spec->head_b);
      json_builder_set_member_name (b, "head_b_number");
      if (spec->head_b >= 0)
        json_builder_add_int_value (b, spec->head_b + 1);
      else
        json_builder_add_null_value (b);
    }
  json_builder_end_object (b);
}

gboolean
vita_export_sidecar_write (const VitaExportSpec *spec, const char *figure_path,
                           const char *sidecar_path, GError **error)
{
  const VitaTimelineSnapshot *s = &spec->snap;
  g_autofree char *sha = spec->model_sha256 ? g_strdup (spec->model_sha256) : NULL;
  if (sha == NULL && spec->model_path)
    sha = vita_export_file_sha256 (spec->model_path, NULL);
  g_autoptr(JsonBuilder) b = json_builder_new ();
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "vitascope_sidecar");
  json_builder_add_int_value (b, 1);
  json_builder_set_member_name (b, "generator");
  json_builder_add_string_value (b, "Vitascope " VITA_VERSION);
  if (figure_path)
    {
      g_autofree char *base = g_path_get_basename (figure_path);
      json_builder_set_member_name (b, "figure");
      json_builder_add_string_value (b, base);
      json_builder_set_member_name (b, "format");
      json_builder_add_string_value (b, format_name (figure_path));
    }
  json_builder_set_member_name (b, "panel");
  json_builder_add_string_value (b, vita_panel_to_string (spec->panel));
  json_builder_set_member_name (b, "audio");
  json_builder_begin_object (b);
  add_string_or_null (b, "path", spec->audio_path);
  json_builder_end_object (b);
  json_builder_set_member_name (b, "model");
  json_builder_begin_object (b);
  add_string_or_null (b, "path", spec->model_path);
  add_string_or_null (b, "sha256", sha);
  json_builder_end_object (b);
  json_builder_set_member_name (b, "layer");
  json_builder_add_int_value (b, s->layer);
  json_builder_set_member_name (b, "head");
  json_builder_add_int_value (b, s->head);
  /* What a person reads: heads 1…H (null = the mean of heads), and the one
   * numbering of layers and heads spelled out. */
  json_builder_set_member_name (b, "head_number");
  if (s->head >= 0)
    json_builder_add_int_value (b, s->head + 1);
  else
    json_builder_add_null_value (b);
  json_builder_set_member_name (b, "indexing");
  json_builder_add_string_value (b, VITA_SIDECAR_INDEXING);
  json_builder_set_member_name (b, "attention_mode");
  json_builder_add_string_value (b, spec->attention_mode == VITA_ATTENTION_ROLLOUT ? "rollout" : "head");
  json_builder_set_member_name (b, "query_token");
  json_builder_add_int_value (b, s->query_token);
  json_builder_set_member_name (b, "sample_rate");
  json_builder_add_int_value (b, s->sample_rate);
  json_builder_set_member_name (b, "hop");
  json_builder_add_int_value (b, s->hop);
  json_builder_set_member_name (b, "n_samples");
  json_builder_add_int_value (b, s->n_samples);
  json_builder_set_member_name (b, "time_range");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "start_sample");
  json_builder_add_int_value (b, s->visible_start);
  json_builder_set_member_name (b, "end_sample");
  json_builder_add_int_value (b, s->visible_end);
  json_builder_set_member_name (b, "start_s");
  json_builder_add_double_value (b, vita_snapshot_seconds (s, s->visible_start));
  json_builder_set_member_name (b, "end_s");
  json_builder_add_double_value (b, vita_snapshot_seconds (s, s->visible_end));
  json_builder_end_object (b);
  json_builder_set_member_name (b, "position_sample");
  json_builder_add_int_value (b, s->position);
  json_builder_set_member_name (b, "position_s");
  json_builder_add_double_value (b, vita_snapshot_seconds (s, s->position));
  json_builder_set_member_name (b, "selection");
  json_builder_begin_array (b);
  json_builder_add_int_value (b, s->selection_start);
  json_builder_add_int_value (b, s->selection_end);
  json_builder_end_array (b);
  json_builder_set_member_name (b, "show_playhead");
  json_builder_add_boolean_value (b, s->show_playhead);
  json_builder_set_member_name (b, "colormap");
  json_builder_add_string_value (b, vita_colormap_to_string (spec->style.colormap));
  json_builder_set_member_name (b, "diverging_colormap");
  json_builder_add_string_value (b, vita_colormap_to_string (spec->style.diverging));
  json_builder_set_member_name (b, "width");
  json_builder_add_double_value (b, spec->width);
  json_builder_set_member_name (b, "height");
  json_builder_add_double_value (b, spec->height);
  json_builder_set_member_name (b, "units");
  json_builder_add_string_value (b, "pt in SVG/PDF, px × png_scale in PNG");
  json_builder_set_member_name (b, "png_scale");
  json_builder_add_double_value (b, spec->png_scale);
  json_builder_set_member_name (b, "font_size");
  json_builder_add_double_value (b, spec->style.font_size);
  json_builder_set_member_name (b, "draw_title");
  json_builder_add_boolean_value (b, spec->style.draw_title);
  if (spec->has_figure)
    write_figure (b, &spec->figure);
  if (spec->has_compare)
    write_compare (b, spec);
  vita_attr_settings_write (&spec->attribution, b);
  json_builder_end_object (b);

  g_autoptr(JsonGenerator) gen = json_generator_new ();
  g_autoptr(JsonNode) root = json_builder_get_root (b);
  json_generator_set_root (gen, root);
  json_generator_set_pretty (gen, TRUE);
  gsize len;
  g_autofree char *text = json_generator_to_data (gen, &len);
  GError *local = NULL;
  if (!vita_file_write_atomic (sidecar_path, text, len, &local))
    return export_write_error (error, local);
  return TRUE;
}

/* Sidecar field access: errors name the file and the field. */
typedef struct {
  JsonObject *obj;
  const char *path;
  GError    **error;
  gboolean    ok;
} Reader;

/* The first error of a read: "Sidecar “FILE”: field “NAME” WHAT"; later ones are
 * dropped (the first names what to fix). */
static void reader_fail (Reader *r, const char *name, const char *format, ...) G_GNUC_PRINTF (3, 4);

static void
reader_fail (Reader *r, const char *name, const char *format, ...)
{
  g_autofree char *disp = NULL;
  g_autofree char *what = NULL;
  va_list args;

  if (!r->ok)
    return;
  va_start (args, format);
  what = g_strdup_vprintf (format, args);
  va_end (args);
  disp = g_filename_display_name (r->path);
  g_set_error (r->error, VITA_EXPORT_ERROR, VITA_EXPORT_ERROR_SIDECAR,
               "Sidecar “%s”: field “%s” %s", disp, name, what);
  r->ok = FALSE;
}

static JsonNode *
field (Reader *r, JsonObject *obj, const char *name, JsonNodeType type, gboolean required)
{
  JsonNode *n = obj ? json_object_get_member (obj, name) : NULL;
  if (n == NULL || JSON_NODE_TYPE (n) == JSON_NODE_NULL)
    {
      if (required)
        reader_fail (r, name, "is missing");
      return NULL;
    }
  if (JSON_NODE_TYPE (n) != type)
    {
      reader_fail (r, name, "has the wrong type");
      return NULL;
    }
  return n;
}

static gint64
get_int (Reader *r, JsonObject *obj, const char *name, gint64 def, gboolean required)
{
  JsonNode *n = field (r, obj, name, JSON_NODE_VALUE, required);
  if (n == NULL)
    return def;
  GType t = json_node_get_value_type (n);
  if (t == G_TYPE_INT64)
    return json_node_get_int (n);
  if (t == G_TYPE_DOUBLE && fabs (json_node_get_double (n)) < 9e15)
    return (gint64) llround (json_node_get_double (n));
  reader_fail (r, name, "is not a number");
  return def;
}

/* An integer that must fit in an int (indices, rates): anything else is refused
 * rather than truncated (4294967297 must not read as layer 1). */
static int
get_int32 (Reader *r, JsonObject *obj, const char *name, int def, gboolean required)
{
  gint64 v = get_int (r, obj, name, def, required);
  if (v >= G_MININT && v <= G_MAXINT)
    return (int) v;
  reader_fail (r, name, "is out of range (%" G_GINT64_FORMAT ")", v);
  return def;
}

static double
get_double (Reader *r, JsonObject *obj, const char *name, double def, gboolean required)
{
  JsonNode *n = field (r, obj, name, JSON_NODE_VALUE, required);
  if (n == NULL)
    return def;
  GType t = json_node_get_value_type (n);
  if (t == G_TYPE_DOUBLE || t == G_TYPE_INT64)
    return json_node_get_double (n);
  reader_fail (r, name, "is not a number");
  return def;
}

static const char *
get_string (Reader *r, JsonObject *obj, const char *name, gboolean required)
{
  JsonNode *n = field (r, obj, name, JSON_NODE_VALUE, required);
  if (n == NULL)
    return NULL;
  if (json_node_get_value_type (n) != G_TYPE_STRING)
    {
      reader_fail (r, name, "is not a string");
      return NULL;
    }
  return json_node_get_string (n);
}

static gboolean
bad_value (Reader *r, const char *name, const char *value)
{
  reader_fail (r, name, "has an unknown value “%s”", value ? value : "");
  return FALSE;
}

static gboolean
get_bool (Reader *r, JsonObject *obj, const char *name, gboolean def)
{
  JsonNode *n = field (r, obj, name, JSON_NODE_VALUE, FALSE);
  if (n == NULL)
    return def;
  if (json_node_get_value_type (n) != G_TYPE_BOOLEAN)
    {
      reader_fail (r, name, "is not true or false");
      return def;
    }
  return json_node_get_boolean (n);
}

static void
read_index_list (Reader *r, JsonObject *obj, const char *name, int *list, int *n)
{
  *n = 0;
  JsonNode *node = obj ? json_object_get_member (obj, name) : NULL;
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return;
  if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING &&
      g_strcmp0 (json_node_get_string (node), "all") == 0)
    return;
  if (JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *a = json_node_get_array (node);
      guint len = json_array_get_length (a);
      gboolean good = len <= VITA_FIGURE_MAX_INDEX;
      for (guint i = 0; good && i < len; i++)
        {
          JsonNode *e = json_array_get_element (a, i);
          good = JSON_NODE_HOLDS_VALUE (e) && json_node_get_value_type (e) == G_TYPE_INT64 &&
                 json_node_get_int (e) >= 1 && json_node_get_int (e) <= VITA_FIGURE_MAX_INDEX;
          if (good)
            list[(*n)++] = (int) json_node_get_int (e);
        }
      if (good)
        return;
    }
  *n = 0;
  bad_value (r, name, "not \"all\" or a list of numbers from 1 to 64");
}

static void
read_figure (Reader *r, JsonObject *o, VitaFigureOptions *f)
{
  vita_figure_options_init (f);
  const char *size = get_string (r, o, "size", FALSE);
  if (size && !vita_size_preset_from_string (size, &f->size))
    bad_value (r, "size", size);
  f->width_pt = get_double (r, o, "width_pt", f->width_pt, FALSE);
  f->height_pt = get_double (r, o, "height_pt", f->height_pt, FALSE);
  f->font_size = get_double (r, o, "font_size", f->font_size, FALSE);
  const char *family = get_string (r, o, "font_family", FALSE);
  if (family)
    g_strlcpy (f->font_family, family, sizeof f->font_family);
  f->line_width = get_double (r, o, "line_width_pt", f->line_width, FALSE);
  f->playhead = get_bool (r, o, "playhead", f->playhead);
  f->title = get_bool (r, o, "title", f->title);
  f->colorbar = get_bool (r, o, "colorbar", f->colorbar);
  const char *range = get_string (r, o, "range", FALSE);
  if (range && !vita_range_mode_from_string (range, &f->range))
    bad_value (r, "range", range);
  JsonNode *rs = field (r, o, "range_s", JSON_NODE_ARRAY, f->range == VITA_RANGE_SECONDS);
  if (rs)
    {
      JsonArray *a = json_node_get_array (rs);
      if (json_array_get_length (a) == 2)
        {
          f->range_start_s = json_array_get_double_element (a, 0);
          f->range_end_s = json_array_get_double_element (a, 1);
        }
      if (!(json_array_get_length (a) == 2 && isfinite (f->range_start_s) &&
            f->range_end_s > f->range_start_s && f->range_start_s >= 0))
        bad_value (r, "range_s", "not [start, end] seconds");
    }
  read_index_list (r, o, "layers", f->layers, &f->n_layers);
  read_index_list (r, o, "heads", f->heads, &f->n_heads);
  f->transparent = get_bool (r, o, "transparent", f->transparent);
  f->dpi = get_double (r, o, "dpi", f->dpi, FALSE);
  f->tight = get_bool (r, o, "tight", f->tight);
  f->margin_pt = get_double (r, o, "margin_pt", f->margin_pt, FALSE);
  if (r->ok && !(f->font_size > 1 && f->font_size < 200 && f->line_width > 0 &&
                 f->line_width < 50 && f->dpi >= 18 && f->dpi <= 600 &&
                 f->width_pt >= 0 && f->width_pt <= 20000 && f->height_pt >= 0 &&
                 f->height_pt <= 20000 && f->margin_pt >= 0 && f->margin_pt <= 72))
    bad_value (r, "figure_options", "a size, font size, line width, dpi or margin out of range");
}

gboolean
vita_export_sidecar_read (const char *sidecar_path, VitaExportSpec *spec, char **figure_path,
                          GError **error)
{
  vita_export_spec_init (spec);
  g_autoptr(GError) local = NULL;
  g_autofree char *disp = g_filename_display_name (sidecar_path);
  /* the strict reader: depth limit, duplicate keys and NUL refused (issue 15.4) */
  g_autoptr(JsonNode) root = vita_json_load_strict (sidecar_path, &local);
  if (root == NULL)
    {
      g_set_error (error, VITA_EXPORT_ERROR, VITA_EXPORT_ERROR_SIDECAR,
                   "Cannot read sidecar “%s”: %s", disp, local->message);
      return FALSE;
    }
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error (error, VITA_EXPORT_ERROR, VITA_EXPORT_ERROR_SIDECAR,
                   "Sidecar “%s”: not a JSON object", disp);
      return FALSE;
    }
  Reader r = { json_node_get_object (root), sidecar_path, error, TRUE };
  JsonObject *o = r.obj;
  if (get_int (&r, o, "vitascope_sidecar", 0, TRUE) != 1 && r.ok)
    bad_value (&r, "vitascope_sidecar", "version");
  const char *panel = get_string (&r, o, "panel", TRUE);
  if (panel && !vita_panel_from_string (panel, &spec->panel))
    bad_value (&r, "panel", panel);
  JsonNode *audio = field (&r, o, "audio", JSON_NODE_OBJECT, TRUE);
  JsonNode *model = field (&r, o, "model", JSON_NODE_OBJECT, TRUE);
  if (audio)
    spec->audio_path = g_strdup (get_string (&r, json_node_get_object (audio), "path", FALSE));
  if (model)
    {
      spec->model_path = g_strdup (get_string (&r, json_node_get_object (model), "path", FALSE));
      spec->model_sha256 = g_strdup (get_string (&r, json_node_get_object (model), "sha256", FALSE));
    }
  VitaTimelineSnapshot *s = &spec->snap;
  s->layer = get_int32 (&r, o, "layer", 0, TRUE);
  s->head = get_int32 (&r, o, "head", 0, TRUE);
  const char *mode = get_string (&r, o, "attention_mode", FALSE);
  if (mode && g_strcmp0 (mode, "rollout") == 0)
    spec->attention_mode = VITA_ATTENTION_ROLLOUT;
  else if (mode && g_strcmp0 (mode, "head") != 0)
    bad_value (&r, "attention_mode", mode);
  s->query_token = get_int32 (&r, o, "query_token", -1, FALSE);
  s->sample_rate = get_int32 (&r, o, "sample_rate", 0, TRUE);
  s->hop = get_int32 (&r, o, "hop", 0, TRUE);
  s->n_samples = get_int (&r, o, "n_samples", 0, FALSE);
  JsonNode *range = field (&r, o, "time_range", JSON_NODE_OBJECT, TRUE);
  if (range)
    {
      s->visible_start = get_int (&r, json_node_get_object (range), "start_sample", 0, TRUE);
      s->visible_end = get_int (&r, json_node_get_object (range), "end_sample", 0, TRUE);
    }
  s->position = get_int (&r, o, "position_sample", 0, FALSE);
  JsonNode *sel = field (&r, o, "selection", JSON_NODE_ARRAY, FALSE);
  if (sel && json_array_get_length (json_node_get_array (sel)) == 2 &&
      JSON_NODE_HOLDS_VALUE (json_array_get_element (json_node_get_array (sel), 0)) &&
      JSON_NODE_HOLDS_VALUE (json_array_get_element (json_node_get_array (sel), 1)))
    {
      s->selection_start = json_array_get_int_element (json_node_get_array (sel), 0);
      s->selection_end = json_array_get_int_element (json_node_get_array (sel), 1);
    }
  JsonNode *ph = field (&r, o, "show_playhead", JSON_NODE_VALUE, FALSE);
  s->show_playhead = ph ? json_node_get_boolean (ph) : TRUE;
  const char *cmap = get_string (&r, o, "colormap", TRUE);
  if (cmap && !vita_colormap_from_string (cmap, &spec->style.colormap))
    bad_value (&r, "colormap", cmap);
  const char *div = get_string (&r, o, "diverging_colormap", FALSE);
  if (div && !vita_colormap_from_string (div, &spec->style.diverging))
    bad_value (&r, "diverging_colormap", div);
  spec->width = get_double (&r, o, "width", 0, TRUE);
  spec->height = get_double (&r, o, "height", 0, TRUE);
  spec->png_scale = get_double (&r, o, "png_scale", 2.0, FALSE);
  spec->style.font_size = get_double (&r, o, "font_size", 9.0, TRUE);
  JsonNode *dt = field (&r, o, "draw_title", JSON_NODE_VALUE, FALSE);
  spec->style.draw_title = dt ? json_node_get_boolean (dt) : TRUE;
  const char *fig = get_string (&r, o, "figure", FALSE);
  JsonNode *fo = field (&r, o, "figure_options", JSON_NODE_OBJECT, FALSE);
  if (fo && r.ok)
    read_figure (&r, json_node_get_object (fo), &spec->figure);
  spec->has_figure = fo != NULL;
  JsonNode *cmp = field (&r, o, "compare", JSON_NODE_OBJECT, FALSE);
  if (cmp && r.ok)
    {
      JsonObject *co = json_node_get_object (cmp);
      spec->has_compare = TRUE;
      spec->compare_kind = g_strdup (get_string (&r, co, "kind", TRUE));
      if (spec->compare_kind && !g_str_equal (spec->compare_kind, "model") &&
          !g_str_equal (spec->compare_kind, "twin") && !g_str_equal (spec->compare_kind, "edit"))
        bad_value (&r, "compare.kind", spec->compare_kind);
      JsonNode *mb = field (&r, co, "model_b", JSON_NODE_OBJECT, FALSE);
      if (mb)
        {
          spec->model_b_path = g_strdup (get_string (&r, json_node_get_object (mb), "path", FALSE));
          spec->model_b_sha256 = g_strdup (get_string (&r, json_node_get_object (mb), "sha256", FALSE));
        }
      JsonNode *seed = field (&r, co, "twin_seed", JSON_NODE_VALUE, FALSE);
      if (seed && json_node_get_value_type (seed) == G_TYPE_INT64 && json_node_get_int (seed) >= 0)
        spec->twin_seed = (guint64) json_node_get_int (seed);
      JsonNode *edits = field (&r, co, "edits", JSON_NODE_ARRAY, FALSE);
      if (edits)
        {
          JsonArray *arr = json_node_get_array (edits);
          guint n = json_array_get_length (arr);
          spec->edits = g_new0 (char *, n + 1);
          for (guint i = 0; i < n; i++)
            {
              JsonNode *e = json_array_get_element (arr, i);
              if (JSON_NODE_HOLDS_VALUE (e) && json_node_get_value_type (e) == G_TYPE_STRING)
                spec->edits[i] = g_strdup (json_node_get_string (e));
              else
                {
                  bad_value (&r, "compare.edits", "not a string");
                  break;
                }
            }
        }
      spec->label_a = g_strdup (get_string (&r, co, "label_a", FALSE));
      spec->label_b = g_strdup (get_string (&r, co, "label_b", FALSE));
      const char *view = get_string (&r, co, "view", FALSE);
      spec->compare_view = view && g_str_equal (view, "difference") ? VITA_COMPARE_DIFFERENCE
                                                                    : VITA_COMPARE_SIDE_BY_SIDE;
      JsonNode *ps = field (&r, co, "per_side_scale", JSON_NODE_VALUE, FALSE);
      spec->per_side_scale = ps ? json_node_get_boolean (ps) : FALSE;
      /* side B's own layer / head: both or neither */
      spec->own_layers = json_object_has_member (co, "layer_b") ||
                         json_object_has_member (co, "head_b");
      if (spec->own_layers)
        {
          spec->layer_b = get_int32 (&r, co, "layer_b", 0, TRUE);
          spec->head_b = get_int32 (&r, co, "head_b", -1, TRUE);
          if (r.ok && spec->layer_b < 0)
            reader_fail (&r, "compare.layer_b", "is negative (%d)", spec->layer_b);
          else if (r.ok && spec->head_b < -1)
            reader_fail (&r, "compare.head_b", "is below -1 (%d)", spec->head_b);
        }
    }
  if (!r.ok)
    {
      vita_export_spec_clear (spec);
      return FALSE;
    }
  GError *attr_error = NULL;
  if (!vita_attr_settings_read (&spec->attribution, o, sidecar_path, &attr_error))
    {
      g_set_error (error, VITA_EXPORT_ERROR, VITA_EXPORT_ERROR_SIDECAR, "Sidecar %s",
                   attr_error->message);
      g_error_free (attr_error);
      vita_export_spec_clear (spec);
      return FALSE;
    }
  /* Sample counts far beyond any audio (2^48 samples is 200 years at 44.1 kHz) are
   * refused here so that no later difference of two of them can overflow. */
  const gint64 max_samples = (gint64) 1 << 48;
  if (s->visible_start < 0 || s->visible_end > max_samples || s->n_samples < 0 ||
      s->n_samples > max_samples || s->position < 0 || s->position > max_samples ||
      s->selection_start < -max_samples || s->selection_start > max_samples ||
      s->selection_end < -max_samples || s->selection_end > max_samples)
    {
      g_set_error (error, VITA_EXPORT_ERROR, VITA_EXPORT_ERROR_SIDECAR,
                   "Sidecar “%s”: time_range, position_sample, selection or n_samples is out "
                   "of range (0 to 2^48 samples)", disp);
      vita_export_spec_clear (spec);
      return FALSE;
    }
  if (s->layer < 0 || s->head < -1 || s->query_token < -1)
    {
      g_set_error (error, VITA_EXPORT_ERROR, VITA_EXPORT_ERROR_SIDECAR,
                   "Sidecar “%s”: field “%s” is negative", disp,
                   s->layer < 0 ? "layer" : s->head < -1 ? "head" : "query_token");
      vita_export_spec_clear (spec);
      return FALSE;
    }
  if (s->sample_rate <= 0 || s->hop <= 0 || s->visible_end <= s->visible_start)
    {
      g_set_error (error, VITA_EXPORT_ERROR, VITA_EXPORT_ERROR_SIDECAR,
                   "Sidecar “%s”: sample_rate, hop or time_range is not valid", disp);
      vita_export_spec_clear (spec);
      return FALSE;
    }
  s->n_frames = (int) MIN (1 + s->n_samples / s->hop, (gint64) G_MAXINT);
  if (figure_path)
    {
      g_autofree char *dir = g_path_get_dirname (sidecar_path);
      *figure_path = fig ? g_build_filename (dir, fig, NULL) : NULL;
    }
  return TRUE;
}

gboolean
vita_export_figure_with_sidecar (const VitaExportSpec *spec, const VitaPaintContext *sources,
                                 const char *path, GError **error)
{
  if (!vita_export_figure (spec, sources, path, error))
    return FALSE;
  g_autofree char *side = vita_export_sidecar_path (path);
  if (vita_export_sidecar_write (spec, path, side, error))
    return TRUE;
  g_unlink (path);  /* a figure without its sidecar is half the result */
  return FALSE;
}

gboolean
vita_export_spec_check (const VitaExportSpec *spec, int n_layers, int n_heads, int n_frames,
                        const char *source_path, GError **error)
{
  const VitaTimelineSnapshot *s = &spec->snap;
  const char *field = NULL;
  int value = 0, limit = 0;
  if (s->layer < 0 || s->layer >= n_layers)
    field = "layer", value = s->layer, limit = n_layers;
  else if (s->head < -1 || s->head >= n_heads)
    field = "head", value = s->head, limit = n_heads;
  else if (s->query_token < -1 || s->query_token >= n_frames)
    field = "query_token", value = s->query_token, limit = n_frames;
  if (field == NULL)
    return TRUE;
  g_autofree char *disp = g_filename_display_name (source_path ? source_path : "(settings)");
  g_set_error (error, VITA_EXPORT_ERROR, VITA_EXPORT_ERROR_SIDECAR,
               "“%s”: field “%s” is %d, but the model has %d %s (0 to %d%s)", disp, field, value,
               limit, g_str_equal (field, "layer") ? "token layers"
               : g_str_equal (field, "head") ? "heads" : "frames",
               limit - 1, g_str_equal (field, "layer") ? "" : ", or -1");
  return FALSE;
}

gboolean
vita_export_npy (const VitaExportSpec *spec, const VitaPaintContext *sources, const char *path,
                 GError **error)
{
  VitaPaintContext ctx = *sources;
  ctx.snap = &spec->snap;
  ctx.style = &spec->style;
  ctx.attention_mode = spec->attention_mode;
  SyncCaches sync;
  sync_caches_begin (&sync, &ctx);
  int ndim = 0;
  gsize shape[4];
  g_autoptr(GError) local = NULL;
  g_autofree float *data = vita_panel_array (spec->panel, &ctx, &ndim, shape, &local);
  sync_caches_end (&sync);
  if (data == NULL)
    {
      g_autofree char *disp = g_filename_display_name (path);
      g_set_error (error, VITA_EXPORT_ERROR, VITA_EXPORT_ERROR_DATA, "Cannot export “%s”: %s",
                   disp, local->message);
      return FALSE;
    }
  if (!vita_npy_save (path, data, ndim, shape, &local))
    {
      g_set_error (error, VITA_EXPORT_ERROR, VITA_EXPORT_ERROR_WRITE, "%s", local->message);
      return FALSE;
    }
  return TRUE;
}
