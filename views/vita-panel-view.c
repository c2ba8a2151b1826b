/* vita-panel-view.c — base widget of every panel (see vita-panel-view.h).
 *
 * Like sysprof's charts: a "timeline" property observed through a GSignalGroup,
 * redraw only on notifications that change what this panel shows, never write the
 * position (seeks go through "win.seek").
 */
#include "vita-panel-view.h"
#include "vita-paint-private.h"
#include "vita-attention-grid-view.h"
#include "vita-attention-row-view.h"
#include "vita-attention-view.h"
#include "vita-mel-view.h"
#include "vita-overview-view.h"
#include "vita-probe-view.h"
#include "vita-probeogram-view.h"
#include "vita-received-view.h"
#include "vita-ssm-view.h"
#include "vita-waveform-view.h"

#include <math.h>
#include <string.h>
#include <time.h>

static gint64
thread_cpu_us (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts);
  return (gint64) ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

G_DEFINE_BOXED_TYPE (VitaPeaks, vita_peaks, vita_peaks_ref, vita_peaks_unref)
G_DEFINE_ENUM_TYPE (VitaColormap, vita_colormap,
                    G_DEFINE_ENUM_VALUE (VITA_COLORMAP_VIRIDIS, "viridis"),
                    G_DEFINE_ENUM_VALUE (VITA_COLORMAP_MAGMA, "magma"),
                    G_DEFINE_ENUM_VALUE (VITA_COLORMAP_INFERNO, "inferno"),
                    G_DEFINE_ENUM_VALUE (VITA_COLORMAP_GRAY, "gray"),
                    G_DEFINE_ENUM_VALUE (VITA_COLORMAP_DIVERGING, "diverging"))
G_DEFINE_ENUM_TYPE (VitaAttentionMode, vita_attention_mode,
                    G_DEFINE_ENUM_VALUE (VITA_ATTENTION_HEAD, "head"),
                    G_DEFINE_ENUM_VALUE (VITA_ATTENTION_ROLLOUT, "rollout"))

/* Content nodes kept per view: the current one and a few recent ones (≈ w·h·4 bytes
 * each). */
#define VITA_PANEL_VIEW_N_CACHED 3

typedef struct
{
  /* borrowed */
  VitaTimeline   *timeline;
  VitaProbeLane *const *lanes;
  int             n_lanes;
  const VitaProbeogram *probeogram;
  const VitaEmergence *emergence;
  int             emergence_current;
  guint           emergence_serial;
  const VitaAnnotationLayers *annotations;
  guint           annotations_serial;
  /* owned */
  VitaPanel       panel;          /* the class's, unless given at construction */
  GSignalGroup   *timeline_signals;
  VitaAnalysisSource *source;
  GSignalGroup   *source_signals;
  VitaAnalysisSource *source_b;   /* a comparison's side B, or NULL */
  GSignalGroup   *source_b_signals;
  VitaPaintCompare compare;       /* cache_b filled in make_context */
  char           *label_a, *label_b;
  VitaPeaks      *peaks;
  gboolean        decoding, preview;   /* vita_panel_view_set_decoding */
  double          decode_progress;
  VitaStyle       style;
  gboolean        dark;
  double          type_scale;     /* presentation: 1 … 3 */
  VitaAttentionMode mode;
  /* The panel without the playhead, as render nodes keyed by content_key: the
   * current one first, then the most recently used others (a zoom level or window
   * visited before comes back without a re-render). */
  struct { GskRenderNode *node; guint64 key, base; } content[VITA_PANEL_VIEW_N_CACHED];
  guint           deferred_tick;  /* redraw on the next frame: a stale render deferred */
  double          pointer_x, pointer_y;
  gboolean        pointer_inside;
  /* a press: where, the visible range then, and whether it became a drag */
  double          press_x, press_y;
  gint64          press_vs, press_ve;
  gboolean        dragging;
  VitaReadout     readout;        /* under the pointer ("" outside the plot) */
  guint           render_count;
  guint           snapshot_count;
  gint64          snapshot_us;
  gint64          drawn_position_key;   /* position_key at the last snapshot */
} VitaPanelViewPrivate;

G_DEFINE_TYPE_WITH_PRIVATE (VitaPanelView, vita_panel_view, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_TIMELINE,
  PROP_ANALYSIS,
  PROP_PEAKS,
  PROP_COLORMAP,
  PROP_FONT_SIZE,
  PROP_ATTENTION_MODE,
  PROP_SOURCE,
  PROP_PANEL,
  N_PROPS
};
static GParamSpec *properties[N_PROPS];

static void
invalidate (VitaPanelView *self)
{
  VitaPanelViewPrivate *priv = vita_panel_view_get_instance_private (self);
  for (int i = 0; i < VITA_PANEL_VIEW_N_CACHED; i++)
    {
      g_clear_pointer (&priv->content[i].node, gsk_render_node_unref);
      priv->content[i].key = 0;
    }
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static const VitaPanelClass *
klass_of (VitaPanelView *self)
{
  VitaPanelViewPrivate *priv = vita_panel_view_get_instance_private (self);
  return vita_panel_get_class (priv->panel);
}

static VitaPaintCache *
cache_of (VitaPanelView *self)
{
  VitaPanelViewPrivate *priv = vita_panel_view_get_instance_private (self);
  return priv->source ? vita_analysis_source_get_cache (priv->source) : NULL;
}

/* The source's analysis was replaced: the panels that draw it re-render (the
 * waveform and overview keep their content: a preview replaced by the track's
 * analysis, or one seek's preview by the next, costs them nothing). */
static void
on_source_analysis (VitaAnalysisSource *source, GParamSpec *pspec, VitaPanelView *self)
{
  if (!(klass_of (self)->depends & VITA_DEPENDS_AUDIO_ONLY))
    invalidate (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ANALYSIS]);
}

/* The analysis progressed: the content key (progress_key) says whether this panel
 * re-renders. */
static void
on_source_progress (VitaPanelView *self)
{
  if (klass_of (self)->depends & VITA_DEPENDS_ANALYSIS)
    gtk_widget_queue_draw (GTK_WIDGET (self));
}

/* Windows finished, or a window's attention arrived: only panels that show one
 * window (those with a position key) may change. */
static void
on_source_window (VitaPanelView *self)
{
  const VitaPanelClass *klass = klass_of (self);
  if ((klass->depends & VITA_DEPENDS_ANALYSIS) && klass->position_key != NULL)
    gtk_widget_queue_draw (GTK_WIDGET (self));
}

/* ---- what each panel cares about ------------------------------------------------ */

static VitaPanel
panel_of (VitaPanelView *self)
{
  VitaPanelViewPrivate *priv = vita_panel_view_get_instance_private (self);
  return priv->panel;
}

static void
take_snapshot (VitaPanelView *self, VitaTimelineSnapshot *snap)
{
  VitaPanelViewPrivate *priv = vita_panel_view_get_instance_private (self);
  if (priv->timeline)
    vita_timeline_snapshot (priv->timeline, snap);
  else
    vita_timeline_snapshot_init (snap, 16000, 512, 0, 1, 1);
  snap->show_playhead = FALSE;   /* overlaid as a node, see snapshot */
}

static void
make_context (VitaPanelView *self, const VitaTimelineSnapshot *snap, VitaPaintContext *ctx)
{
  VitaPanelViewPrivate *priv = vita_panel_view_get_instance_private (self);
  *ctx = (VitaPaintContext) {
    .cache = cache_of (self),
    .peaks = priv->peaks,
    .snap = snap,
    .style = &priv->style,
    .attention_mode = priv->mode,
    .lanes = priv->lanes,
    .n_lanes = priv->n_lanes,
    .probeogram = priv->probeogram,
    .emergence = priv->emergence,
    .emergence_current = priv->emergence_current,
    .annotations = priv->annotations,
    .decoding = priv->decoding,
    .decode_progress = priv->decode_progress,
    .preview = priv->preview,
  };
  if (priv->source_b != NULL)
    {
      priv->compare.cache_b = vita_analysis_source_get_cache (priv->source_b);
      priv->compare.label_a = priv->label_a;
      priv->compare.label_b = priv->label_b;
      ctx->compare = &priv->compare;
    }
}

/* What of the analysis's progress the content shows. A panel of the window under
 * the playhead (it has a position key): whether that window is analysed and whether
 * its recomputed attention is there (returned: shown at once), and completion
 * (*later: track-wide parts such as the CKA's lower triangle); one over every
 * window: the windows ready as last published, and completion (*later). Windows
 * finishing elsewhere leave a window's panels as they are. What goes to *later may
 * wait a frame or two (see content_node). */
static guint64
source_progress_key (VitaPanelView *self, VitaAnalysisSource *source, VitaPaintCache *cache,
                     const VitaPaintContext *ctx, guint64 *later)
{
  *later = 0;
  if (source == NULL || cache == NULL)
    return 0;
  *later = (vita_analysis_source_get_complete (source) ? 1 : 0) |
           (vita_analysis_source_get_track_cka (source) ? 2 : 0);
  if (klass_of (self)->position_key == NULL)
    {
      *later |= (guint64) vita_analysis_source_get_n_ready (source) << 2;
      return 0;
    }
  int w = vita_paint_cache_window_for_frame (cache, vita_paint_query_frame (ctx));
  VitaAnalysis *an = vita_paint_cache_get_analysis (cache);
  gboolean ready = w >= 0 && vita_analysis_window_ready (an, w);
  return 1 | (guint64) ready << 1 | (guint64) vita_paint_cache_has_window_attention (cache, w) << 2;
}

/* The same for both sides of a comparison (side B's progress shows as A's does). */
static guint64
progress_key (VitaPanelView *self, const VitaPaintContext *ctx, guint64 *later)
{
  VitaPanelViewPrivate *priv = vita_panel_view_get_instance_private (self);
  guint64 key = source_progress_key (self, priv->source, ctx->cache, ctx, later);
  if (priv->source_b != NULL && ctx->compare != NULL)
    {
      guint64 later_b = 0;
      key ^= source_progress_key (self, priv->source_b, ctx->compare->cache_b, ctx, &later_b) << 8;
      *later ^= later_b * 1099511628211ull;
    }
  return key;
}

/* A key of everything the cached content depends on (except the playhead line);
 * *base: the same without the progress that may be shown a little later. */
static guint64
content_key (VitaPanelView *self, const VitaPaintContext *ctx, int w, int h, int scale,
             guint64 *base)
{
  VitaPanelViewPrivate *priv = vita_panel_view_get_instance_private (self);
  const VitaTimelineSnapshot *s = ctx->snap;
  VitaPanelDepends depends = klass_of (self)->depends;
  guint64 k = 1469598103934665603ull;   /* FNV-1a over the fields */
#define MIX(v) G_STMT_START { guint64 _v = (guint64) (v); for (int _i = 0; _i < 8; _i++) { k ^= (_v >> (8 * _i)) & 0xff; k *= 1099511628211ull; } } G_STMT_END
  MIX (w); MIX (h); MIX (scale);
  MIX (priv->style.colormap); MIX ((gint64) (priv->style.font_size * 100)); MIX (priv->mode);
  if (!(depends & VITA_DEPENDS_AUDIO_ONLY))
    MIX ((guintptr) ctx->cache);
  MIX ((guintptr) priv->peaks); MIX ((guintptr) priv->lanes);
  MIX (priv->n_lanes); MIX ((guintptr) priv->probeogram);
  MIX ((guintptr) priv->emergence); MIX (priv->emergence_current); MIX (priv->emergence_serial);
  MIX ((guintptr) priv->annotations); MIX (priv->annotations_serial);
  MIX (priv->annotations ? priv->annotations->shown : 0);
  MIX (priv->dark); MIX ((gint64) (priv->style.line_width * 100)); MIX (s->n_samples); MIX (s->n_frames);
  if (!(depends & VITA_DEPENDS_AUDIO_ONLY))
    MIX (vita_paint_cache_get_attribution_serial (ctx->cache));
  /* The overview's band and the SSM's square are overlay nodes: not in the key. */
  if (depends & VITA_DEPENDS_VISIBLE)
    {
      MIX (s->visible_start);
      MIX (s->visible_end);
    }
  if (depends & VITA_DEPENDS_DECODING)
    {
      MIX (priv->decoding);
      MIX (priv->preview);
      MIX ((gint64) (priv->decode_progress * 1000));
    }
  if (depends & VITA_DEPENDS_LAYER)
    {
      MIX (s->layer);
      MIX (s->head);
      MIX (s->query_token);
    }
  MIX (s->selection_start);
  MIX (s->selection_end);
  if (ctx->compare != NULL)
    {
      MIX ((guintptr) ctx->compare->cache_b);
      MIX (ctx->compare->view);
      MIX (ctx->compare->per_side_scale);
      MIX (ctx->compare->same_input);
      MIX ((guintptr) ctx->compare->lanes_b);
      MIX (ctx->compare->n_lanes_b);
      MIX (ctx->compare->own_layers);
      MIX (ctx->compare->layer_b);
      MIX (ctx->compare->head_b);
      MIX ((guintptr) ctx->compare->probeogram_b);
      MIX (g_str_hash (priv->label_a ? priv->label_a : ""));
      MIX (g_str_hash (priv->label_b ? priv->label_b : ""));
    }
  MIX (vita_panel_position_key (panel_of (self), ctx));
  guint64 later = 0;
  if (depends & VITA_DEPENDS_ANALYSIS)
    MIX (progress_key (self, ctx, &later));
  *base = k ? k : 1;
  MIX (later);
#undef MIX
  return k ? k : 1;
}

static gint64
current_position_key (VitaPanelView *self)
{
  VitaTimelineSnapshot snap;
  VitaPaintContext ctx;
  take_snapshot (self, &snap);
  make_context (self, &snap, &ctx);
  return vita_panel_position_key (panel_of (self), &ctx);
}

static gint64
drawn_position_key (VitaPanelView *self)
{
  VitaPanelViewPrivate *priv = vita_panel_view_get_instance_private (self);
  return priv->drawn_position_key;
}

static void
on_timeline_notify (VitaTimeline *timeline, GParamSpec *pspec, VitaPanelView *self)
{
  const VitaPanelClass *klass = klass_of (self);
  VitaPanelDepends depends = klass->depends;
  const char *name = pspec->name;
  gboolean relevant;
  if (g_str_equal (name, "position"))
    {
      /* The playhead node moves; a panel without one (attention row, grid, CKA)
       * is redrawn only when what it shows of the position (the token, the
       * window) changed: no snapshot at all on the other frames. */
      relevant = klass->playhead != NULL || klass->visible_mark != NULL ||
                 (klass->position_key != NULL && current_position_key (self) != drawn_position_key (self));
    }
  else if (g_str_equal (name, "visible-start") || g_str_equal (name, "visible-end"))
    relevant = (depends & VITA_DEPENDS_VISIBLE) || klass->visible_mark != NULL;
  else if (g_str_equal (name, "layer") || g_str_equal (name, "head") ||
           g_str_equal (name, "query-token"))
    relevant = (depends & VITA_DEPENDS_LAYER) != 0;
  else if (g_str_equal (name, "selection-start") || g_str_equal (name, "selection-end"))
    relevant = (depends & VITA_DEPENDS_SELECTION) != 0;
  else if (g_str_equal (name, "playing") || g_str_equal (name, "follow") ||
           g_str_equal (name, "probe") || g_str_equal (name, "current-frame"))
    relevant = FALSE;   /* nothing drawn depends on these directly */
  else
    relevant = TRUE;    /* sizes: everything */
  if (relevant)
    gtk_widget_queue_draw (GTK_WIDGET (self));
}

/* ---- drawing ------------------------------------------------------------------------ */

static cairo_surface_t *
render_surface (VitaPanelView *self, const VitaPaintContext *ctx, int w, int h, int scale)
{
  cairo_surface_t *s = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, w * scale, h * scale);
  cairo_surface_set_device_scale (s, scale, scale);
  cairo_t *cr = cairo_create (s);
  VitaRect area = { 0, 0, w, h };
  vita_panel_paint (panel_of (self), cr, &area, ctx);
  cairo_destroy (cr);
  cairo_surface_flush (s);
  return s;
}

cairo_surface_t *
vita_panel_view_render (VitaPanelView *self, int width, int height)
{
  g_return_val_if_fail (VITA_IS_PANEL_VIEW (self), NULL);
  VitaTimelineSnapshot snap;
  VitaPaintContext ctx;
  take_snapshot (self, &snap);
  make_context (self, &snap, &ctx);
  return render_surface (self, &ctx, width, height, 1);
}

/* A node that paints the rendered surface. Not a GdkTexture node: GSK's Cairo
 * renderer (GTK 4.8) downloads a texture into a fresh surface on every frame it is
 * drawn, converting each pixel through floats; a Cairo node keeps the surface and
 * paints it clipped to the damaged region (the GL renderer caches either). */
static GskRenderNode *
node_for_surface (cairo_surface_t *surface, int w, int h)
{
  GskRenderNode *node = gsk_cairo_node_new (&GRAPHENE_RECT_INIT (0, 0, w, h));
  cairo_t *cr = gsk_cairo_node_get_draw_context (node);
  cairo_set_source_surface (cr, surface, 0, 0);
  cairo_paint (cr);
  cairo_destroy (cr);
  return node;
}

static gboolean
deferred_redraw (GtkWidget *widget, GdkFrameClock *clock, gpointer data)
{
  VitaPanelViewPrivate *priv = vita_panel_view_get_instance_private (VITA_PANEL_VIEW (widget));
  priv->deferred_tick = 0;
  gtk_widget_queue_draw (widget);
  return G_SOURCE_REMOVE;
}

/* Whether this frame may still re-render a panel whose content is only behind the
 * analysis's progress: one such render per frame, so an update (or the end of the
 * analysis) that touches several panels spreads over a few frames instead of one
 * long one. */
static gboolean
stale_render_allowed (GtkWidget *widget)
{
  static gint64 frame = -1;
  static gboolean used;
  GdkFrameClock *clock = gtk_widget_get_frame_clock (widget);
  if (clock == NULL)
    return TRUE;
  gint64 now = gdk_frame_clock_get_frame_counter (clock);
  if (now != frame)
    {
      frame = now;
      used = FALSE;
    }
  gboolean allowed = !used;
  used = TRUE;
  return allowed;
}

/* The content node for key: the current one, a recent one moved to the front, or
 * a new render in place of the least recently used.  Content that differs from the
 * current only by progress (same base) may keep the current for a frame. */
static GskRenderNode *
content_node (VitaPanelView *self, const VitaPaintContext *ctx, guint64 key, guint64 base,
              int w, int h, int scale)
{
  VitaPanelViewPrivate *priv = vita_panel_view_get_instance_private (self);
  int found = VITA_PANEL_VIEW_N_CACHED - 1;
  for (int i = 0; i < VITA_PANEL_VIEW_N_CACHED; i++)
    if (priv->content[i].node != NULL && priv->content[i].key == key)
      {
        found = i;
        break;
      }
  GskRenderNode *node = priv->content[found].node;
  if ((node == NULL || priv->content[found].key != key) && priv->content[0].node != NULL &&
      priv->content[0].base == base && !stale_render_allowed (GTK_WIDGET (self)))
    {
      if (priv->deferred_tick == 0)
        priv->deferred_tick = gtk_widget_add_tick_callback (GTK_WIDGET (self), deferred_redraw,
                                                            NULL, NULL);
      return priv->content[0].node;
    }
  if (node == NULL || priv->content[found].key != key)
    {
      cairo_surface_t *s = render_surface (self, ctx, w, h, scale);
      priv->render_count++;
      g_clear_pointer (&node, gsk_render_node_unref);
      node = node_for_surface (s, w, h);
      cairo_surface_destroy (s);
    }
  memmove (&priv->content[1], &priv->content[0], found * sizeof priv->content[0]);
  priv->content[0].node = node;
  priv->content[0].key = key;
  priv->content[0].base = base;
  return node;
}

/* The hover read-out: a line of text just above the plot, in place of the title and
 * legend (hidden while the pointer is in the panel, so no text overlaps another), or,
 * for a panel without a title, at the bottom right beside the time axis.  Never over
 * the data. */
static void
draw_readout (VitaPanelView *self, GtkSnapshot *snapshot, int w, int h)
{
  VitaPanelViewPrivate *priv = vita_panel_view_get_instance_private (self);
  PangoLayout *layout = gtk_widget_create_pango_layout (GTK_WIDGET (self), priv->readout.text);
  PangoFontDescription *font = pango_font_description_new ();
  pango_font_description_set_absolute_size (font, priv->style.font_size * PANGO_SCALE);
  pango_layout_set_font_description (layout, font);
  pango_font_description_free (font);
  pango_layout_set_ellipsize (layout, PANGO_ELLIPSIZE_END);
  VitaRect plot;
  vita_panel_layout (&priv->style, 0, 0, w, h, klass_of (self)->flags, &plot, NULL);
  gboolean titled = (klass_of (self)->flags & VITA_PANEL_TITLE) != 0;
  pango_layout_set_width (layout, MAX (w - 12 - (titled ? (int) plot.x : 0), 1) * PANGO_SCALE);
  int tw, th;
  pango_layout_get_pixel_size (layout, &tw, &th);
  /* Titled panels: the band covers what is above the plot (title lines, a legend
   * row), the read-out stands in its last line, next to the data. */
  double top = titled ? MAX (plot.y - 1, th + 2) : 0;
  double x = MAX (w - tw - 6, titled ? plot.x : 6), y = titled ? top - th - 1 : MAX (h - th - 1, 0);
  const double *bg = priv->style.bg, *fg = priv->style.fg;
  /* (from the plot's left edge: the rotated axis title left of it stays) */
  graphene_rect_t band = titled ? GRAPHENE_RECT_INIT (MAX (plot.x - 2, 0), 0, w - MAX (plot.x - 2, 0), top)
                                : GRAPHENE_RECT_INIT (x - 6, y, tw + 12, th + 1);
  gtk_snapshot_append_color (snapshot, &(GdkRGBA) { bg[0], bg[1], bg[2], 1.0 }, &band);
  gtk_snapshot_save (snapshot);
  gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (x, y));
  gtk_snapshot_append_layout (snapshot, layout, &(GdkRGBA) { fg[0], fg[1], fg[2], 1.0 });
  gtk_snapshot_restore (snapshot);
  g_object_unref (layout);
}

static void
vita_panel_view_snapshot (GtkWidget *widget, GtkSnapshot *snapshot)
{
  VitaPanelView *self = VITA_PANEL_VIEW (widget);
  VitaPanelViewPrivate *priv = vita_panel_view_get_instance_private (self);
  int w = gtk_widget_get_width (widget), h = gtk_widget_get_height (widget);
  int scale = gtk_widget_get_scale_factor (widget);
  if (w <= 0 || h <= 0)
    return;
  gint64 t0 = thread_cpu_us ();
  priv->snapshot_count++;
  VitaTimelineSnapshot snap;
  VitaPaintContext ctx;
  take_snapshot (self, &snap);
  make_context (self, &snap, &ctx);

  guint64 base, key = content_key (self, &ctx, w, h, scale, &base);
  priv->drawn_position_key = vita_panel_position_key (panel_of (self), &ctx);
  gtk_snapshot_append_node (snapshot, content_node (self, &ctx, key, base, w, h, scale));

  /* A comparison draws the panel once per side: marks and playheads go on each
   * (sub-contexts without the comparison: their areas are the sides' already). */
  VitaRect area0 = { 0, 0, w, h }, mark;
  VitaCompareSides sd;
  int n_sides = vita_compare_sides (panel_of (self), &area0, &ctx, &sd);
  VitaRect *areas = sd.areas;
  VitaPaintContext *ctxs = sd.ctxs;
  for (int side = 0; side < n_sides; side++)
    ctxs[side].compare = NULL;

  /* Visible-range marks: overview band, SSM square (nodes: scrolling in continuous
   * follow mode does not re-render these panels). */
  for (int side = 0; side < n_sides; side++)
  if (priv->timeline && vita_panel_visible_mark (panel_of (self), &areas[side], &ctxs[side], &mark))
    {
      const double *a = priv->style.accent, *f = priv->style.fg;
      gboolean band = (klass_of (self)->traits & VITA_PANEL_WHOLE_TRACK) != 0;
      GdkRGBA edge = band ? (GdkRGBA) { a[0], a[1], a[2], 1.0 } : (GdkRGBA) { f[0], f[1], f[2], 0.9 };
      if (band)
        gtk_snapshot_append_color (snapshot, &(GdkRGBA) { a[0], a[1], a[2], 0.22 },
                                   &GRAPHENE_RECT_INIT (mark.x, mark.y, mark.width, mark.height));
      gtk_snapshot_append_color (snapshot, &edge, &GRAPHENE_RECT_INIT (mark.x, mark.y, mark.width, 1));
      gtk_snapshot_append_color (snapshot, &edge, &GRAPHENE_RECT_INIT (mark.x, mark.y + mark.height - 1, mark.width, 1));
      gtk_snapshot_append_color (snapshot, &edge, &GRAPHENE_RECT_INIT (mark.x, mark.y, 1, mark.height));
      gtk_snapshot_append_color (snapshot, &edge, &GRAPHENE_RECT_INIT (mark.x + mark.width - 1, mark.y, 1, mark.height));
    }

  /* The playhead: a colour node, so playback never re-renders the panel. */
  if (priv->timeline)
    {
      VitaRect plot;
      double x, y;
      for (int side = 0; side < n_sides; side++)
      if (vita_panel_playhead (panel_of (self), &areas[side], &ctxs[side], &plot, &x, &y))
        {
          /* A 2-px line on a 1-px outline each side in the colour that contrasts
           * most with it (as the painters' playhead_stroke), legible on every
           * colormap: the SSM's red cross on red included. */
          const double *c = priv->style.playhead;
          GdkRGBA red = { c[0], c[1], c[2], 1.0 };
          double pw = 2 * priv->type_scale;   /* the presentation scale widens it too */
          double luma = 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];
          float o = luma < 0.5 ? 1.0f : 0.0f;
          GdkRGBA outline = { o, o, o, 0.9f };
          gboolean vx = isfinite (x) && x >= plot.x - 1 && x <= plot.x + plot.width + 1;
          gboolean hy = isfinite (y) && y >= plot.y - 1 && y <= plot.y + plot.height + 1;
          /* On whole pixels: crisp line and outline, no blended columns. */
          x = vx ? round (x) : x;
          y = hy ? round (y) : y;
          if (vx)
            gtk_snapshot_append_color (snapshot, &outline,
                                       &GRAPHENE_RECT_INIT (x - pw / 2 - 1, plot.y, pw + 2, plot.height));
          if (hy)
            gtk_snapshot_append_color (snapshot, &outline,
                                       &GRAPHENE_RECT_INIT (plot.x, y - pw / 2 - 1, plot.width, pw + 2));
          if (vx)
            gtk_snapshot_append_color (snapshot, &red,
                                       &GRAPHENE_RECT_INIT (x - pw / 2, plot.y, pw, plot.height));
          if (hy)
            gtk_snapshot_append_color (snapshot, &red,
                                       &GRAPHENE_RECT_INIT (plot.x, y - pw / 2, plot.width, pw));
        }
    }
  if (priv->readout.text[0] != '\0')
    draw_readout (self, snapshot, w, h);
  priv->snapshot_us += thread_cpu_us () - t0;
}

gint64
vita_panel_view_get_snapshot_time (VitaPanelView *self)
{
  VitaPanelViewPrivate *priv = vita_panel_view_get_instance_private (self);
  return priv->snapshot_us;
}

/* ---- input -------------------------------------------------------------------------- */

static VitaRect
area_of (VitaPanelView *self)
{
  return (VitaRect) { 0, 0, gtk_widget_get_width (GTK_WIDGET (self)),
                      gtk_widget_get_height (GTK_WIDGET (self)) };
}

/* The sample under x (time-aligned panels and the overview), clamped to the plot: a
 * drag may leave it. */
static gboolean
sample_at (VitaPanelView *self, const VitaPaintContext *ctx, double x, gint64 *sample)
{
  VitaRect area = area_of (self);
  VitaPanel panel = panel_of (self);
  double y = area.height / 2;
  if (vita_panel_hit_sample (panel, &area, ctx, x, y, sample))
    return TRUE;
  /* Outside the plot: step inwards to its edge. */
  for (int i = 1; i <= 64; i++)
    {
      double xi = x < area.width / 2 ? x + i * 4.0 : x - i * 4.0;
      if (vita_panel_hit_sample (panel, &area, ctx, xi, y, sample))
        {
          const VitaTimelineSnapshot *snap = ctx->snap;
          gboolean whole = (klass_of (self)->traits & VITA_PANEL_WHOLE_TRACK) != 0;
          if (x < area.width / 2)
            *sample = whole ? 0 : snap->visible_start;
          else
            *sample = whole ? snap->n_samples : snap->visible_end;
          return TRUE;
        }
    }
  return FALSE;
}

static gboolean
selects (VitaPanelView *self)
{
  return vita_panel_is_time_aligned (panel_of (self));
}

static gboolean
whole_track (VitaPanelView *self)
{
  return (klass_of (self)->traits & VITA_PANEL_WHOLE_TRACK) != 0;
}

static void
on_press (GtkGestureDrag *gesture, double x, double y, VitaPanelView *self)
{
  VitaPanelViewPrivate *priv = vita_panel_view_get_instance_private (self);
  if (priv->timeline == NULL)
    {
      gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_DENIED);
      return;
    }
  priv->press_x = x;
  priv->press_y = y;
  priv->dragging = FALSE;
  vita_timeline_get_visible (priv->timeline, &priv->press_vs, &priv->press_ve);
}

/* A drag across a time-aligned panel selects; across the overview it moves the
 * visible range. */
static void
on_drag (GtkGestureDrag *gesture, double dx, double dy, VitaPanelView *self)
{
  VitaPanelViewPrivate *priv = vita_panel_view_get_instance_private (self);
  if (priv->timeline == NULL || (!priv->dragging && fabs (dx) < 4))
    return;
  if (!selects (self) && !whole_track (self))
    return;
  priv->dragging = TRUE;
  gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_CLAIMED);
  VitaTimelineSnapshot snap;
  VitaPaintContext ctx;
  take_snapshot (self, &snap);
  make_context (self, &snap, &ctx);
  gint64 a, b;
  if (!sample_at (self, &ctx, priv->press_x, &a) ||
      !sample_at (self, &ctx, priv->press_x + dx, &b))
    return;
  if (whole_track (self))
    {
      gint64 span = priv->press_ve - priv->press_vs;
      gint64 start = CLAMP (priv->press_vs + (b - a), 0, MAX (snap.n_samples - span, 0));
      vita_timeline_set_visible (priv->timeline, start, start + span);
    }
  else
    vita_timeline_set_selection (priv->timeline, MIN (a, b), MAX (a, b));
}

/* A click: selects the grid cell under it (layer and head), extends the selection
 * (Shift), or seeks. */
static void
on_release (GtkGestureDrag *gesture, double dx, double dy, VitaPanelView *self)
{
  VitaPanelViewPrivate *priv = vita_panel_view_get_instance_private (self);
  if (priv->timeline == NULL || priv->dragging)
    {
      priv->dragging = FALSE;
      return;
    }
  double x = priv->press_x, y = priv->press_y;
  VitaTimelineSnapshot snap;
  VitaPaintContext ctx;
  take_snapshot (self, &snap);
  make_context (self, &snap, &ctx);
  VitaRect area = area_of (self);
  VitaReadout cell;
  if (vita_panel_readout (panel_of (self), &area, &ctx, x, y, &cell) && cell.layer >= 0)
    {
      vita_timeline_set_layer (priv->timeline, cell.layer);
      vita_timeline_set_head (priv->timeline, cell.head);
      return;
    }
  gint64 sample;
  if (!vita_panel_hit_sample (panel_of (self), &area, &ctx, x, y, &sample))
    return;
  GdkModifierType mods = gtk_event_controller_get_current_event_state (GTK_EVENT_CONTROLLER (gesture));
  if ((mods & GDK_SHIFT_MASK) && selects (self))
    {
      /* Extends the selection (or makes one from the playhead) to the click. */
      gint64 s0 = snap.selection_start, s1 = snap.selection_end;
      if (s1 <= s0)
        s0 = s1 = snap.position;
      if (sample < s0)
        s0 = sample;
      else if (sample > s1)
        s1 = sample;
      else if (sample - s0 < s1 - sample)
        s0 = sample;
      else
        s1 = sample;
      vita_timeline_set_selection (priv->timeline, s0, s1);
      return;
    }
  /* The player owns the position: ask it to seek, never set it here. */
  gtk_widget_activate_action (GTK_WIDGET (self), "win.seek", "x", sample);
}

static void
set_readout (VitaPanelView *self, const VitaReadout *readout)
{
  VitaPanelViewPrivate *priv = vita_panel_view_get_instance_private (self);
  if (strcmp (priv->readout.text, readout->text) == 0)
    return;
  priv->readout = *readout;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
update_readout (VitaPanelView *self, double x, double y)
{
  VitaPanelViewPrivate *priv = vita_panel_view_get_instance_private (self);
  VitaReadout r = { .layer = -2, .head = -2 };
  if (priv->timeline != NULL)
    {
      VitaTimelineSnapshot snap;
      VitaPaintContext ctx;
      take_snapshot (self, &snap);
      make_context (self, &snap, &ctx);
      VitaRect area = area_of (self);
      vita_panel_readout (panel_of (self), &area, &ctx, x, y, &r);
    }
  set_readout (self, &r);
}

static void
on_motion (GtkEventControllerMotion *motion, double x, double y, VitaPanelView *self)
{
  VitaPanelViewPrivate *priv = vita_panel_view_get_instance_private (self);
  priv->pointer_x = x;
  priv->pointer_y = y;
  priv->pointer_inside = TRUE;
  update_readout (self, x, y);
}

static void
on_leave (GtkEventControllerMotion *motion, VitaPanelView *self)
{
  VitaPanelViewPrivate *priv = vita_panel_view_get_instance_private (self);
  priv->pointer_inside = FALSE;
  set_readout (self, &(VitaReadout) { .layer = -2, .head = -2 });
}

const char *
vita_panel_view_get_readout (VitaPanelView *self)
{
  g_return_val_if_fail (VITA_IS_PANEL_VIEW (self), NULL);
  VitaPanelViewPrivate *priv = vita_panel_view_get_instance_private (self);
  return priv->readout.text;
}

static gboolean
on_scroll (GtkEventControllerScroll *scroll, double dx, double dy, VitaPanelView *self)
{
  VitaPanelViewPrivate *priv = vita_panel_view_get_instance_private (self);
  VitaPanel panel = panel_of (self);
  gboolean whole = (klass_of (self)->traits & VITA_PANEL_WHOLE_TRACK) != 0;
  if (priv->timeline == NULL || !(vita_panel_is_time_aligned (panel) || whole))
    return FALSE;
  GdkModifierType mods = gtk_event_controller_get_current_event_state (GTK_EVENT_CONTROLLER (scroll));
  gint64 vs, ve;
  vita_timeline_get_visible (priv->timeline, &vs, &ve);
  if (mods & GDK_CONTROL_MASK)
    {
      if (dy == 0)
        return FALSE;
      /* Zoom around the sample under the pointer. */
      VitaTimelineSnapshot snap;
      VitaPaintContext ctx;
      take_snapshot (self, &snap);
      make_context (self, &snap, &ctx);
      VitaRect area = { 0, 0, gtk_widget_get_width (GTK_WIDGET (self)),
                        gtk_widget_get_height (GTK_WIDGET (self)) };
      gint64 anchor = (vs + ve) / 2;
      if (!whole)
        vita_panel_hit_sample (panel, &area, &ctx, priv->pointer_x, area.height / 2, &anchor);
      vita_timeline_zoom (priv->timeline, pow (1.25, -dy), anchor);
      return TRUE;
    }
  /* The wheel scrolls the page (GNOME); Shift+wheel or a horizontal wheel scrolls
   * time. */
  double d = dx != 0 ? dx : (mods & GDK_SHIFT_MASK) ? dy : 0;
  if (d == 0)
    return FALSE;
  gint64 step = whole ? (ve - vs) : (ve - vs) / 10;
  vita_timeline_scroll (priv->timeline, (gint64) llround (d * (double) MAX (step, 1)));
  return TRUE;
}

/* ---- properties ------------------------------------------------------------------- */

guint
vita_panel_view_get_render_count (VitaPanelView *self)
{
  VitaPanelViewPrivate *priv = vita_panel_view_get_instance_private (self);
  return priv->render_count;
}

guint
vita_panel_view_get_snapshot_count (VitaPanelView *self)
{
  VitaPanelViewPrivate *priv = vita_panel_view_get_instance_private (self);
  return priv->snapshot_count;
}

VitaPanel
vita_panel_view_get_panel (VitaPanelView *self)
{
  return panel_of (self);
}

VitaTimeline *
vita_panel_view_get_timeline (VitaPanelView *self)
{
  VitaPanelViewPrivate *priv = vita_panel_view_get_instance_private (self);
  return priv->timeline;
}

void
vita_panel_view_set_timeline (VitaPanelView *self, VitaTimeline *timeline)
{
  g_return_if_fail (VITA_IS_PANEL_VIEW (self));
  g_return_if_fail (timeline == NULL || VITA_IS_TIMELINE (timeline));
  VitaPanelViewPrivate *priv = vita_panel_view_get_instance_private (self);
  if (g_set_object (&priv->timeline, timeline))
    {
      g_signal_group_set_target (priv->timeline_signals, timeline);
      invalidate (self);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TIMELINE]);
    }
}

VitaAnalysis *
vita_panel_view_get_analysis (VitaPanelView *self)
{
  VitaPanelViewPrivate *priv = vita_panel_view_get_instance_private (self);
  return priv->source ? vita_analysis_source_get_analysis (priv->source) : NULL;
}

void
vita_panel_view_set_analysis (VitaPanelView *self, VitaAnalysis *analysis)
{
  g_return_if_fail (VITA_IS_PANEL_VIEW (self));
  if (vita_panel_view_get_analysis (self) == analysis)
    return;
  g_autoptr(VitaAnalysisSource) source = analysis ? vita_analysis_source_for_analysis (analysis)
                                                  : NULL;
  vita_panel_view_set_source (self, source);
}

VitaAnalysisSource *
vita_panel_view_get_source (VitaPanelView *self)
{
  VitaPanelViewPrivate *priv = vita_panel_view_get_instance_private (self);
  return priv->source;
}

void
vita_panel_view_set_source (VitaPanelView *self, VitaAnalysisSource *source)
{
  g_return_if_fail (VITA_IS_PANEL_VIEW (self));
  g_return_if_fail (source == NULL || VITA_IS_ANALYSIS_SOURCE (source));
  VitaPanelViewPrivate *priv = vita_panel_view_get_instance_private (self);
  VitaAnalysis *before = vita_panel_view_get_analysis (self);
  if (!g_set_object (&priv->source, source))
    return;
  g_signal_group_set_target (priv->source_signals, source);
  invalidate (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SOURCE]);
  if (vita_panel_view_get_analysis (self) != before)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ANALYSIS]);
}

VitaPaintCache *
vita_panel_view_get_cache (VitaPanelView *self)
{
  return cache_of (self);
}

void
vita_panel_view_set_peaks (VitaPanelView *self, VitaPeaks *peaks)
{
  g_return_if_fail (VITA_IS_PANEL_VIEW (self));
  VitaPanelViewPrivate *priv = vita_panel_view_get_instance_private (self);
  if (priv->peaks == peaks)
    return;
  g_clear_pointer (&priv->peaks, vita_peaks_unref);
  priv->peaks = peaks ? vita_peaks_ref (peaks) : NULL;
  invalidate (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PEAKS]);
}

void
vita_panel_view_set_decoding (VitaPanelView *self, gboolean decoding, double progress,
                              gboolean preview)
{
  g_return_if_fail (VITA_IS_PANEL_VIEW (self));
  VitaPanelViewPrivate *priv = vita_panel_view_get_instance_private (self);
  progress = progress < 0 ? -1 : floor (1000 * MIN (progress, 1.0)) / 1000;
  if (priv->decoding == !!decoding && priv->preview == !!preview &&
      priv->decode_progress == progress)
    return;
  priv->decoding = !!decoding;
  priv->preview = !!preview;
  priv->decode_progress = progress;
  /* only the panels that draw it (the others keep their content: the progress
   * changes a few times a second while a long track decodes) */
  if (klass_of (self)->depends & VITA_DEPENDS_DECODING)
    invalidate (self);
}

void
vita_panel_view_set_colormap (VitaPanelView *self, VitaColormap colormap)
{
  g_return_if_fail (VITA_IS_PANEL_VIEW (self));
  g_return_if_fail (colormap < VITA_N_COLORMAPS);
  VitaPanelViewPrivate *priv = vita_panel_view_get_instance_private (self);
  if (priv->style.colormap == colormap)
    return;
  priv->style.colormap = colormap;
  invalidate (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_COLORMAP]);
}

void
vita_panel_view_set_font_size (VitaPanelView *self, double font_size)
{
  g_return_if_fail (VITA_IS_PANEL_VIEW (self));
  VitaPanelViewPrivate *priv = vita_panel_view_get_instance_private (self);
  font_size = CLAMP (font_size, 4.0, 48.0);
  if (priv->style.font_size == font_size)
    return;
  priv->style.font_size = font_size;
  invalidate (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FONT_SIZE]);
}

void
vita_panel_view_set_attention_mode (VitaPanelView *self, VitaAttentionMode mode)
{
  g_return_if_fail (VITA_IS_PANEL_VIEW (self));
  VitaPanelViewPrivate *priv = vita_panel_view_get_instance_private (self);
  if (priv->mode == mode)
    return;
  priv->mode = mode;
  invalidate (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ATTENTION_MODE]);
}

void
vita_panel_view_set_probe_lanes (VitaPanelView *self, VitaProbeLane *const *lanes, int n_lanes)
{
  g_return_if_fail (VITA_IS_PANEL_VIEW (self));
  VitaPanelViewPrivate *priv = vita_panel_view_get_instance_private (self);
  priv->lanes = n_lanes > 0 ? lanes : NULL;
  priv->n_lanes = n_lanes > 0 ? n_lanes : 0;
  invalidate (self);
}

void
vita_panel_view_set_probeogram (VitaPanelView *self, const VitaProbeogram *probeogram)
{
  g_return_if_fail (VITA_IS_PANEL_VIEW (self));
  VitaPanelViewPrivate *priv = vita_panel_view_get_instance_private (self);
  priv->probeogram = probeogram;
  invalidate (self);
}

void
vita_panel_view_set_dark (VitaPanelView *self, gboolean dark)
{
  g_return_if_fail (VITA_IS_PANEL_VIEW (self));
  VitaPanelViewPrivate *priv = vita_panel_view_get_instance_private (self);
  VitaStyle light;
  dark = dark != FALSE;
  if (priv->dark == dark)
    return;
  priv->dark = dark;
  vita_style_init (&light);
  memcpy (priv->style.fg, light.fg, sizeof light.fg);
  memcpy (priv->style.bg, light.bg, sizeof light.bg);
  memcpy (priv->style.playhead, light.playhead, sizeof light.playhead);
  memcpy (priv->style.accent, light.accent, sizeof light.accent);
  memcpy (priv->style.accent2, light.accent2, sizeof light.accent2);
  if (dark)
    vita_style_set_dark (&priv->style);
  invalidate (self);
}

gboolean
vita_panel_view_get_dark (VitaPanelView *self)
{
  VitaPanelViewPrivate *priv = vita_panel_view_get_instance_private (self);
  return priv->dark;
}

void
vita_panel_view_set_type_scale (VitaPanelView *self, double scale)
{
  g_return_if_fail (VITA_IS_PANEL_VIEW (self));
  VitaPanelViewPrivate *priv = vita_panel_view_get_instance_private (self);
  scale = CLAMP (scale, 1.0, 3.0);
  if (priv->type_scale == scale)
    return;
  priv->type_scale = scale;
  vita_style_set_scale (&priv->style, scale);
  invalidate (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FONT_SIZE]);
}

void
vita_panel_view_set_emergence (VitaPanelView *self, const VitaEmergence *em, int current)
{
  g_return_if_fail (VITA_IS_PANEL_VIEW (self));
  VitaPanelViewPrivate *priv = vita_panel_view_get_instance_private (self);
  priv->emergence = em;
  priv->emergence_current = current;
  priv->emergence_serial++;   /* the table fills in place as checkpoints are measured */
  invalidate (self);
}

void
vita_panel_view_set_annotations (VitaPanelView *self, const VitaAnnotationLayers *layers)
{
  g_return_if_fail (VITA_IS_PANEL_VIEW (self));
  VitaPanelViewPrivate *priv = vita_panel_view_get_instance_private (self);
  priv->annotations = layers;
  priv->annotations_serial++;
  invalidate (self);
  if (priv->pointer_inside)   /* what is under the pointer changed */
    update_readout (self, priv->pointer_x, priv->pointer_y);
}

static void
vita_panel_view_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  VitaPanelView *self = VITA_PANEL_VIEW (object);
  VitaPanelViewPrivate *priv = vita_panel_view_get_instance_private (self);
  switch (prop_id)
    {
    case PROP_TIMELINE: g_value_set_object (value, priv->timeline); break;
    case PROP_ANALYSIS: g_value_set_boxed (value, vita_panel_view_get_analysis (self)); break;
    case PROP_SOURCE: g_value_set_object (value, priv->source); break;
    case PROP_PANEL: g_value_set_int (value, priv->panel); break;
    case PROP_PEAKS: g_value_set_boxed (value, priv->peaks); break;
    case PROP_COLORMAP: g_value_set_enum (value, priv->style.colormap); break;
    case PROP_FONT_SIZE: g_value_set_double (value, priv->style.font_size); break;
    case PROP_ATTENTION_MODE: g_value_set_enum (value, priv->mode); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
vita_panel_view_set_property (GObject *object, guint prop_id, const GValue *value,
                              GParamSpec *pspec)
{
  VitaPanelView *self = VITA_PANEL_VIEW (object);
  switch (prop_id)
    {
    case PROP_TIMELINE: vita_panel_view_set_timeline (self, g_value_get_object (value)); break;
    case PROP_ANALYSIS: vita_panel_view_set_analysis (self, g_value_get_boxed (value)); break;
    case PROP_PEAKS: vita_panel_view_set_peaks (self, g_value_get_boxed (value)); break;
    case PROP_COLORMAP: vita_panel_view_set_colormap (self, g_value_get_enum (value)); break;
    case PROP_FONT_SIZE: vita_panel_view_set_font_size (self, g_value_get_double (value)); break;
    case PROP_ATTENTION_MODE: vita_panel_view_set_attention_mode (self, g_value_get_enum (value)); break;
    case PROP_SOURCE: vita_panel_view_set_source (self, g_value_get_object (value)); break;
    case PROP_PANEL:
      {
        VitaPanelViewPrivate *priv = vita_panel_view_get_instance_private (self);
        int panel = g_value_get_int (value);
        if (panel >= 0 && vita_panel_get_class (panel) != NULL)
          priv->panel = panel;
        break;
      }
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
vita_panel_view_dispose (GObject *object)
{
  VitaPanelView *self = VITA_PANEL_VIEW (object);
  VitaPanelViewPrivate *priv = vita_panel_view_get_instance_private (self);
  if (priv->deferred_tick != 0)
    gtk_widget_remove_tick_callback (GTK_WIDGET (self), priv->deferred_tick);
  priv->deferred_tick = 0;
  if (priv->timeline_signals)
    g_signal_group_set_target (priv->timeline_signals, NULL);
  g_clear_object (&priv->timeline);
  g_clear_object (&priv->timeline_signals);
  if (priv->source_signals)
    g_signal_group_set_target (priv->source_signals, NULL);
  g_clear_object (&priv->source);
  g_clear_object (&priv->source_signals);
  if (priv->source_b_signals)
    g_signal_group_set_target (priv->source_b_signals, NULL);
  g_clear_object (&priv->source_b);
  g_clear_object (&priv->source_b_signals);
  g_clear_pointer (&priv->label_a, g_free);
  g_clear_pointer (&priv->label_b, g_free);
  g_clear_pointer (&priv->peaks, vita_peaks_unref);
  for (int i = 0; i < VITA_PANEL_VIEW_N_CACHED; i++)
    g_clear_pointer (&priv->content[i].node, gsk_render_node_unref);
  G_OBJECT_CLASS (vita_panel_view_parent_class)->dispose (object);
}

static void
vita_panel_view_constructed (GObject *object)
{
  VitaPanelViewPrivate *priv = vita_panel_view_get_instance_private (VITA_PANEL_VIEW (object));
  /* Not in init: while a parent's instance init runs, the instance's class is the
   * parent's. */
  if ((int) priv->panel < 0)
    priv->panel = VITA_PANEL_VIEW_GET_CLASS (object)->panel;
  G_OBJECT_CLASS (vita_panel_view_parent_class)->constructed (object);
}

static void
vita_panel_view_size_allocate (GtkWidget *widget, int width, int height, int baseline)
{
  /* The key includes the size: the next snapshot re-renders. */
  GTK_WIDGET_CLASS (vita_panel_view_parent_class)->size_allocate (widget, width, height, baseline);
}

static void
vita_panel_view_class_init (VitaPanelViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = vita_panel_view_dispose;
  object_class->constructed = vita_panel_view_constructed;
  object_class->get_property = vita_panel_view_get_property;
  object_class->set_property = vita_panel_view_set_property;
  widget_class->snapshot = vita_panel_view_snapshot;
  widget_class->size_allocate = vita_panel_view_size_allocate;
  klass->panel = VITA_PANEL_LAYOUT;

  GParamFlags rw = G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;
  properties[PROP_TIMELINE] = g_param_spec_object ("timeline", NULL, NULL, VITA_TYPE_TIMELINE, rw);
  properties[PROP_ANALYSIS] = g_param_spec_boxed ("analysis", NULL, NULL, VITA_TYPE_ANALYSIS, rw);
  properties[PROP_PEAKS] = g_param_spec_boxed ("peaks", NULL, NULL, VITA_TYPE_PEAKS, rw);
  properties[PROP_COLORMAP] = g_param_spec_enum ("colormap", NULL, NULL, VITA_TYPE_COLORMAP,
                                                 VITA_COLORMAP_VIRIDIS, rw);
  properties[PROP_FONT_SIZE] = g_param_spec_double ("font-size", NULL, NULL, 4.0, 48.0, 10.0, rw);
  properties[PROP_ATTENTION_MODE] = g_param_spec_enum ("attention-mode", NULL, NULL,
                                                       VITA_TYPE_ATTENTION_MODE,
                                                       VITA_ATTENTION_HEAD, rw);
  properties[PROP_SOURCE] = g_param_spec_object ("source", NULL, NULL, VITA_TYPE_ANALYSIS_SOURCE, rw);
  /* Which registered panel (vita-painters.h); -1: the subclass's. */
  properties[PROP_PANEL] = g_param_spec_int ("panel", NULL, NULL, -1, G_MAXINT, -1,
                                             G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY |
                                             G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
vita_panel_view_init (VitaPanelView *self)
{
  VitaPanelViewPrivate *priv = vita_panel_view_get_instance_private (self);
  vita_style_init (&priv->style);
  priv->type_scale = 1.0;
  priv->emergence_current = -1;
  priv->timeline_signals = g_signal_group_new (VITA_TYPE_TIMELINE);
  g_signal_group_connect_object (priv->timeline_signals, "notify",
                                 G_CALLBACK (on_timeline_notify), self, 0);
  priv->panel = -1;   /* the "panel" property, or the subclass's: see constructed */
  priv->source_signals = g_signal_group_new (VITA_TYPE_ANALYSIS_SOURCE);
  g_signal_group_connect_object (priv->source_signals, "notify::analysis",
                                 G_CALLBACK (on_source_analysis), self, 0);
  g_signal_group_connect_object (priv->source_signals, "notify::n-ready",
                                 G_CALLBACK (on_source_progress), self, G_CONNECT_SWAPPED);
  g_signal_group_connect_object (priv->source_signals, "notify::complete",
                                 G_CALLBACK (on_source_progress), self, G_CONNECT_SWAPPED);
  g_signal_group_connect_object (priv->source_signals, "attention-ready",
                                 G_CALLBACK (on_source_window), self, G_CONNECT_SWAPPED);
  g_signal_group_connect_object (priv->source_signals, "windows-ready",
                                 G_CALLBACK (on_source_window), self, G_CONNECT_SWAPPED);
  priv->source_b_signals = g_signal_group_new (VITA_TYPE_ANALYSIS_SOURCE);
  g_signal_group_connect_object (priv->source_b_signals, "notify::analysis",
                                 G_CALLBACK (on_source_progress), self, G_CONNECT_SWAPPED);
  g_signal_group_connect_object (priv->source_b_signals, "notify::n-ready",
                                 G_CALLBACK (on_source_progress), self, G_CONNECT_SWAPPED);
  g_signal_group_connect_object (priv->source_b_signals, "notify::complete",
                                 G_CALLBACK (on_source_progress), self, G_CONNECT_SWAPPED);
  g_signal_group_connect_object (priv->source_b_signals, "attention-ready",
                                 G_CALLBACK (on_source_window), self, G_CONNECT_SWAPPED);
  g_signal_group_connect_object (priv->source_b_signals, "windows-ready",
                                 G_CALLBACK (on_source_window), self, G_CONNECT_SWAPPED);

  /* One gesture: a click seeks (or picks a grid cell, or with Shift extends the
   * selection), a drag selects (the overview: moves the visible range). */
  GtkGesture *drag = gtk_gesture_drag_new ();
  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (drag), GDK_BUTTON_PRIMARY);
  g_signal_connect (drag, "drag-begin", G_CALLBACK (on_press), self);
  g_signal_connect (drag, "drag-update", G_CALLBACK (on_drag), self);
  g_signal_connect (drag, "drag-end", G_CALLBACK (on_release), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (drag));
  GtkEventController *scroll = gtk_event_controller_scroll_new (GTK_EVENT_CONTROLLER_SCROLL_BOTH_AXES);
  g_signal_connect (scroll, "scroll", G_CALLBACK (on_scroll), self);
  gtk_widget_add_controller (GTK_WIDGET (self), scroll);
  GtkEventController *motion = gtk_event_controller_motion_new ();
  g_signal_connect (motion, "motion", G_CALLBACK (on_motion), self);
  g_signal_connect (motion, "leave", G_CALLBACK (on_leave), self);
  gtk_widget_add_controller (GTK_WIDGET (self), motion);
  gtk_widget_set_hexpand (GTK_WIDGET (self), TRUE);
}

void
vita_panel_view_set_compare (VitaPanelView *self, VitaAnalysisSource *source_b,
                             const char *label_a, const char *label_b, VitaCompareView view,
                             gboolean per_side_scale, gboolean same_input)
{
  g_return_if_fail (VITA_IS_PANEL_VIEW (self));
  VitaPanelViewPrivate *priv = vita_panel_view_get_instance_private (self);
  if (g_set_object (&priv->source_b, source_b))
    g_signal_group_set_target (priv->source_b_signals, source_b);
  g_free (priv->label_a);
  g_free (priv->label_b);
  priv->label_a = g_strdup (label_a);
  priv->label_b = g_strdup (label_b);
  priv->compare.view = view;
  priv->compare.per_side_scale = per_side_scale;
  priv->compare.same_input = same_input;
  invalidate (self);
}

void
vita_panel_view_set_probe_lanes_b (VitaPanelView *self, VitaProbeLane *const *lanes, int n_lanes)
{
  VitaPanelViewPrivate *priv = vita_panel_view_get_instance_private (self);
  priv->compare.lanes_b = lanes;
  priv->compare.n_lanes_b = lanes ? n_lanes : 0;
  invalidate (self);
}

void
vita_panel_view_set_compare_layers (VitaPanelView *self, gboolean own_layers, int layer_b,
                                    int head_b)
{
  g_return_if_fail (VITA_IS_PANEL_VIEW (self));
  VitaPanelViewPrivate *priv = vita_panel_view_get_instance_private (self);
  if (priv->compare.own_layers == own_layers && priv->compare.layer_b == layer_b &&
      priv->compare.head_b == head_b)
    return;
  priv->compare.own_layers = own_layers;
  priv->compare.layer_b = layer_b;
  priv->compare.head_b = head_b;
  invalidate (self);
}

void
vita_panel_view_set_probeogram_b (VitaPanelView *self, const VitaProbeogram *pg)
{
  g_return_if_fail (VITA_IS_PANEL_VIEW (self));
  VitaPanelViewPrivate *priv = vita_panel_view_get_instance_private (self);
  priv->compare.probeogram_b = pg;
  invalidate (self);
}

VitaAnalysisSource *
vita_panel_view_get_source_b (VitaPanelView *self)
{
  VitaPanelViewPrivate *priv = vita_panel_view_get_instance_private (self);
  return priv->source_b;
}

void
vita_panel_view_fill_export (VitaPanelView *self, VitaExportSpec *spec, VitaPaintContext *sources)
{
  g_return_if_fail (VITA_IS_PANEL_VIEW (self));
  VitaPanelViewPrivate *priv = vita_panel_view_get_instance_private (self);
  spec->panel = panel_of (self);
  take_snapshot (self, &spec->snap);
  spec->snap.show_playhead = TRUE;
  spec->style.colormap = priv->style.colormap;
  spec->attention_mode = priv->mode;
  VitaTimelineSnapshot *unused = &spec->snap;
  make_context (self, unused, sources);
  sources->snap = NULL;    /* the exporter uses the spec's */
  sources->style = NULL;
}

/* The built-in panels' own widget types (CSS names, accessible labels, type checks
 * in tests); a panel without one is a plain VitaPanelView. */
static GType
widget_type_for (VitaPanel panel)
{
  GType (*const types[]) (void) = {
    vita_waveform_view_get_type, vita_mel_view_get_type, vita_attention_view_get_type,
    vita_attention_grid_view_get_type, vita_attention_row_view_get_type,
    vita_received_view_get_type, vita_ssm_view_get_type, vita_overview_view_get_type,
    vita_probe_view_get_type, vita_probeogram_view_get_type,
  };
  for (gsize i = 0; i < G_N_ELEMENTS (types); i++)
    {
      GType t = types[i] ();
      VitaPanelViewClass *klass = g_type_class_ref (t);
      gboolean match = klass->panel == panel;
      g_type_class_unref (klass);
      if (match)
        return t;
    }
  return VITA_TYPE_PANEL_VIEW;
}

GtkWidget *
vita_panel_view_new (VitaPanel panel, VitaTimeline *timeline)
{
  const VitaPanelClass *klass = vita_panel_get_class (panel);
  g_return_val_if_fail (klass != NULL, NULL);
  GType type = widget_type_for (panel);
  if (type != VITA_TYPE_PANEL_VIEW)
    return g_object_new (type, "timeline", timeline, NULL);
  GtkWidget *view = g_object_new (type, "panel", (int) panel, "timeline", timeline, NULL);
  gtk_accessible_update_property (GTK_ACCESSIBLE (view), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  klass->title, -1);
  return view;
}
