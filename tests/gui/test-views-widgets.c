/* test-views-widgets.c — the GTK panel views under a display (xvfb-run): property
 * plumbing, click-to-seek through "win.seek", wheel scrolling of the shared range,
 * and redrawing only what changed (cached content vs playhead overlay). */
#include "views-synth.h"
#include "views/vita-views.h"
#include "views/vita-views-private.h"

#include <math.h>

static gint64 last_seek = -1;
static int n_seeks;

static void
on_seek (GSimpleAction *action, GVariant *param, gpointer data)
{
  last_seek = g_variant_get_int64 (param);
  n_seeks++;
}

static void
pump (int ms)
{
  gint64 end = g_get_monotonic_time () + ms * 1000;
  while (g_get_monotonic_time () < end)
    {
      while (g_main_context_pending (NULL))
        g_main_context_iteration (NULL, FALSE);
      g_usleep (2000);
    }
}

typedef struct {
  GtkWidget *window;
  VitaTimeline *tl;
  VitaAnalysis *an;
  VitaPeaks *peaks;
  GtkWidget *views[9];
} Fx;

/* complete: every window analysed; else the first half only */
static void
fx_init_analysis (Fx *fx, gboolean complete)
{
  vita_views_set_attention_func (views_synth_attention);
  fx->an = views_synth_analysis (30.0, complete);
  gsize n;
  g_autofree float *pcm = views_synth_pcm (30.0, &n);
  fx->peaks = vita_peaks_new (pcm, n, 16000);
  fx->tl = vita_timeline_new ();
  vita_timeline_configure (fx->tl, 16000, 512, n, fx->an->n_layers, 3);
  vita_timeline_set_follow (fx->tl, VITA_FOLLOW_OFF);
  vita_timeline_set_visible (fx->tl, 16000 * 2, 16000 * 12);
  vita_timeline_set_position (fx->tl, 16000 * 5);

  fx->window = gtk_window_new ();
  gtk_window_set_default_size (GTK_WINDOW (fx->window), 1000, 1400);
  GSimpleActionGroup *group = g_simple_action_group_new ();
  g_autoptr(GSimpleAction) seek = g_simple_action_new ("seek", G_VARIANT_TYPE_INT64);
  g_signal_connect (seek, "activate", G_CALLBACK (on_seek), NULL);
  g_action_map_add_action (G_ACTION_MAP (group), G_ACTION (seek));
  gtk_widget_insert_action_group (fx->window, "win", G_ACTION_GROUP (group));
  g_object_unref (group);

  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *(*ctors[9]) (VitaTimeline *) = {
    vita_overview_view_new, vita_waveform_view_new, vita_mel_view_new, vita_received_view_new,
    vita_probe_view_new, vita_attention_view_new, vita_attention_row_view_new,
    vita_attention_grid_view_new, vita_ssm_view_new,
  };
  for (int i = 0; i < 9; i++)
    {
      fx->views[i] = ctors[i] (fx->tl);
      gtk_widget_set_size_request (fx->views[i], 1000, 150);
      g_object_set (fx->views[i], "analysis", fx->an, "peaks", fx->peaks, NULL);
      gtk_box_append (GTK_BOX (box), fx->views[i]);
    }
  gtk_window_set_child (GTK_WINDOW (fx->window), box);
  gtk_window_present (GTK_WINDOW (fx->window));
  pump (400);
}

static void
fx_init (Fx *fx)
{
  fx_init_analysis (fx, TRUE);
}

static void
fx_clear (Fx *fx)
{
  gtk_window_destroy (GTK_WINDOW (fx->window));
  pump (50);
  g_object_unref (fx->tl);
  vita_peaks_unref (fx->peaks);
  views_synth_free (fx->an);   /* asserts every view dropped its reference */
}

static guint
renders (Fx *fx, int i)
{
  return vita_panel_view_get_render_count (VITA_PANEL_VIEW (fx->views[i]));
}

enum { OVERVIEW, WAVEFORM, MEL, RECEIVED, PROBES, ATTENTION, ROW, GRID, SSM };

static void
test_properties (void)
{
  Fx fx;
  fx_init (&fx);
  VitaPanelView *mel = VITA_PANEL_VIEW (fx.views[MEL]);
  g_assert_true (vita_panel_view_get_timeline (mel) == fx.tl);
  g_assert_true (vita_panel_view_get_analysis (mel) == fx.an);
  g_assert_cmpint (vita_panel_view_get_panel (mel), ==, VITA_PANEL_MEL);
  /* One cache shared by every view of the analysis. */
  g_assert_true (vita_panel_view_get_cache (mel) ==
                 vita_panel_view_get_cache (VITA_PANEL_VIEW (fx.views[SSM])));
  VitaColormap cm;
  g_object_set (mel, "colormap", VITA_COLORMAP_MAGMA, "font-size", 12.0, NULL);
  g_object_get (mel, "colormap", &cm, NULL);
  g_assert_cmpint (cm, ==, VITA_COLORMAP_MAGMA);
  /* Rendering through the widget is the painter's output. */
  cairo_surface_t *s = vita_panel_view_render (mel, 600, 200);
  g_assert_cmpint (cairo_surface_status (s), ==, CAIRO_STATUS_SUCCESS);
  cairo_surface_destroy (s);
  for (int i = 0; i < 9; i++)
    g_assert_cmpuint (renders (&fx, i), >=, 1);   /* every panel drew */

  /* What is on screen: the cached content plus the playhead node at the position's x. */
  GtkWidget *w = fx.views[WAVEFORM];
  int ww = gtk_widget_get_width (w), wh = gtk_widget_get_height (w);
  GdkPaintable *paintable = gtk_widget_paintable_new (w);
  GtkSnapshot *snap = gtk_snapshot_new ();
  gdk_paintable_snapshot (paintable, snap, ww, wh);
  GskRenderNode *node = gtk_snapshot_free_to_node (snap);
  g_assert_nonnull (node);
  cairo_surface_t *shot = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, ww, wh);
  cairo_t *cr = cairo_create (shot);
  gsk_render_node_draw (node, cr);
  cairo_destroy (cr);
  cairo_surface_flush (shot);
  VitaStyle style;
  vita_style_init (&style);
  VitaRect plot;
  vita_panel_layout (&style, 0, 0, ww, wh, VITA_PANEL_XAXIS | VITA_PANEL_YAXIS | VITA_PANEL_TITLE,
                     &plot, NULL);
  /* 5 s in a 2–12 s view. */
  int px = (int) floor (plot.x + plot.width * 0.3);
  int red = 0;
  for (int y = (int) plot.y + 2; y < plot.y + plot.height - 2; y++)
    for (int dx = -1; dx <= 1; dx++)
      {
        guint32 p = ((guint32 *) (cairo_image_surface_get_data (shot) +
                                  y * cairo_image_surface_get_stride (shot)))[px + dx];
        red += ((p >> 16) & 0xff) > 180 && ((p >> 8) & 0xff) < 90;
      }
  g_assert_cmpint (red, >, (int) (plot.height * 0.8));
  const char *dir = g_getenv ("VITA_VIEWS_PNG_DIR");
  if (dir)
    {
      g_autofree char *path = g_build_filename (dir, "widget-waveform.png", NULL);
      cairo_surface_write_to_png (shot, path);
    }
  cairo_surface_destroy (shot);
  gsk_render_node_unref (node);
  g_object_unref (paintable);

  /* On a heatmap the playhead has a light outline each side (legible on every
   * colormap): white columns beside the red line, which the mel never has. */
  GtkWidget *m = fx.views[MEL];
  int mw = gtk_widget_get_width (m), mh = gtk_widget_get_height (m);
  snap = gtk_snapshot_new ();
  GTK_WIDGET_GET_CLASS (m)->snapshot (m, snap);   /* the view's own nodes */
  node = gtk_snapshot_free_to_node (snap);
  g_assert_nonnull (node);
  shot = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, mw, mh);
  cr = cairo_create (shot);
  gsk_render_node_draw (node, cr);
  cairo_destroy (cr);
  cairo_surface_flush (shot);
  vita_panel_layout (&style, 0, 0, mw, mh, VITA_PANEL_XAXIS | VITA_PANEL_YAXIS |
                     VITA_PANEL_COLORBAR | VITA_PANEL_TITLE, &plot, NULL);
  px = (int) floor (plot.x + plot.width * 0.3);
  int white = 0, rows = 0;
  for (int y = (int) plot.y + 2; y < plot.y + plot.height - 2; y++, rows++)
    for (int dx = -3; dx <= 3; dx++)
      {
        guint32 p = ((guint32 *) (cairo_image_surface_get_data (shot) +
                                  y * cairo_image_surface_get_stride (shot)))[px + dx];
        white += ((p >> 16) & 0xff) > 220 && ((p >> 8) & 0xff) > 220 && (p & 0xff) > 220;
      }
  g_assert_cmpint (white, >, rows);   /* at least a column each side, most rows */
  cairo_surface_destroy (shot);
  gsk_render_node_unref (node);

  /* The export helper describes exactly this view. */
  VitaExportSpec spec;
  VitaPaintContext sources;
  vita_export_spec_init (&spec);
  vita_panel_view_fill_export (mel, &spec, &sources);
  g_assert_cmpint (spec.panel, ==, VITA_PANEL_MEL);
  g_assert_cmpint (spec.style.colormap, ==, VITA_COLORMAP_MAGMA);
  g_assert_cmpint (spec.snap.position, ==, 16000 * 5);
  g_assert_true (sources.cache == vita_panel_view_get_cache (mel));
  g_assert_true (sources.peaks == fx.peaks);
  vita_export_spec_clear (&spec);
  fx_clear (&fx);
}

static void
test_redraw_only_relevant (void)
{
  Fx fx;
  fx_init (&fx);
  /* 4 s = frame 125, the centre of window 1 (frames 63..188): moves of a few frames
   * stay in that window. */
  vita_timeline_set_position (fx.tl, 16000 * 4);
  pump (150);
  guint r[9];
  for (int i = 0; i < 9; i++)
    r[i] = renders (&fx, i);

  /* Playback inside the same frame region: cached content everywhere, only the
   * playhead node moves. */
  vita_timeline_set_position (fx.tl, 16000 * 4 + 100);
  pump (150);
  for (int i = 0; i < 9; i++)
    if (i != ROW)
      g_assert_cmpuint (renders (&fx, i), ==, r[i]);

  /* Next frame: only the attention row (keyed on the query frame) re-renders. */
  vita_timeline_set_position (fx.tl, 16000 * 4 + 2048);
  pump (150);
  g_assert_cmpuint (renders (&fx, ROW), >, r[ROW]);
  g_assert_cmpuint (renders (&fx, MEL), ==, r[MEL]);
  g_assert_cmpuint (renders (&fx, ATTENTION), ==, r[ATTENTION]);
  g_assert_cmpuint (renders (&fx, SSM), ==, r[SSM]);

  /* Layer change: attention / SSM / received redraw, mel and waveform do not. */
  for (int i = 0; i < 9; i++)
    r[i] = renders (&fx, i);
  vita_timeline_set_layer (fx.tl, 7);
  pump (150);
  g_assert_cmpuint (renders (&fx, MEL), ==, r[MEL]);
  g_assert_cmpuint (renders (&fx, WAVEFORM), ==, r[WAVEFORM]);
  g_assert_cmpuint (renders (&fx, SSM), >, r[SSM]);
  g_assert_cmpuint (renders (&fx, ATTENTION), >, r[ATTENTION]);
  g_assert_cmpuint (renders (&fx, RECEIVED), >, r[RECEIVED]);

  /* Zoom: time-aligned panels redraw; the attention map does not, nor do the
   * overview and SSM (their visible-range marks are overlay nodes). */
  for (int i = 0; i < 9; i++)
    r[i] = renders (&fx, i);
  vita_timeline_zoom (fx.tl, 2.0, 16000 * 5);
  pump (150);
  g_assert_cmpuint (renders (&fx, MEL), >, r[MEL]);
  g_assert_cmpuint (renders (&fx, OVERVIEW), ==, r[OVERVIEW]);
  g_assert_cmpuint (renders (&fx, SSM), ==, r[SSM]);
  g_assert_cmpuint (renders (&fx, ATTENTION), ==, r[ATTENTION]);
  g_assert_cmpuint (renders (&fx, GRID), ==, r[GRID]);
  fx_clear (&fx);
}

/* The first Cairo node in a node tree (the panel's cached content), or NULL. */
static GskRenderNode *
find_cairo_node (GskRenderNode *node)
{
  switch (gsk_render_node_get_node_type (node))
    {
    case GSK_CAIRO_NODE:
      return node;
    case GSK_CONTAINER_NODE:
      for (guint i = 0; i < gsk_container_node_get_n_children (node); i++)
        {
          GskRenderNode *found = find_cairo_node (gsk_container_node_get_child (node, i));
          if (found)
            return found;
        }
      return NULL;
    case GSK_TRANSFORM_NODE:
      return find_cairo_node (gsk_transform_node_get_child (node));
    case GSK_CLIP_NODE:
      return find_cairo_node (gsk_clip_node_get_child (node));
    case GSK_DEBUG_NODE:
      return find_cairo_node (gsk_debug_node_get_child (node));
    default:
      return NULL;
    }
}

static GskRenderNode *
widget_node (GtkWidget *w)
{
  GdkPaintable *paintable = gtk_widget_paintable_new (w);
  GtkSnapshot *snap = gtk_snapshot_new ();
  gdk_paintable_snapshot (paintable, snap, gtk_widget_get_width (w), gtk_widget_get_height (w));
  g_object_unref (paintable);
  return gtk_snapshot_free_to_node (snap);
}

/* Playback frame by frame (issue 14): the attention row re-renders at most once per
 * token the playhead enters, the window panels at most once per window, the time
 * panels never (follow off); each frame reuses the cached content node and adds
 * only the playhead; a zoom level seen before comes back without a re-render. */
static void
test_renders_per_token (void)
{
  Fx fx;
  fx_init (&fx);
  const int hop = 512, steps = 60;
  gint64 pos = 16000 * 4;
  vita_timeline_set_position (fx.tl, pos);
  pump (150);
  guint r[9];
  for (int i = 0; i < 9; i++)
    r[i] = renders (&fx, i);

  GskRenderNode *before = widget_node (fx.views[WAVEFORM]);
  int tokens = 0, windows = 0;
  int frame = vita_timeline_get_current_frame (fx.tl), window = fx.an->frame_window[frame];
  for (int k = 0; k < steps; k++)
    {
      pos += hop / 2 + 37;        /* a little over half a token per frame */
      vita_timeline_set_position (fx.tl, pos);
      pump (25);
      int f = vita_timeline_get_current_frame (fx.tl);
      tokens += f != frame;
      windows += fx.an->frame_window[f] != window;
      frame = f;
      window = fx.an->frame_window[f];
    }
  g_test_message ("%d steps: %d tokens, %d windows; row renders %u, attention %u", steps,
                  tokens, windows, renders (&fx, ROW) - r[ROW], renders (&fx, ATTENTION) - r[ATTENTION]);
  g_assert_cmpint (tokens, >=, steps / 2);
  g_assert_cmpuint (renders (&fx, ROW) - r[ROW], <=, (guint) tokens);
  g_assert_cmpuint (renders (&fx, ROW) - r[ROW], >, 0);
  g_assert_cmpuint (renders (&fx, ATTENTION) - r[ATTENTION], <=, (guint) windows);
  g_assert_cmpuint (renders (&fx, GRID) - r[GRID], <=, (guint) windows);
  for (int i = 0; i < 9; i++)
    if (i != ROW && i != ATTENTION && i != GRID)
      g_assert_cmpuint (renders (&fx, i), ==, r[i]);

  /* Steps inside one token: the row and the grid (no playhead of their own) are not
   * even snapshot; the waveform is (its playhead node moves). */
  pos = (gint64) vita_timeline_get_current_frame (fx.tl) * hop - 200;   /* frames are centred at f·hop */
  vita_timeline_set_position (fx.tl, pos);
  pump (60);
  guint snaps_row = vita_panel_view_get_snapshot_count (VITA_PANEL_VIEW (fx.views[ROW]));
  guint snaps_grid = vita_panel_view_get_snapshot_count (VITA_PANEL_VIEW (fx.views[GRID]));
  guint snaps_wave = vita_panel_view_get_snapshot_count (VITA_PANEL_VIEW (fx.views[WAVEFORM]));
  for (int k = 1; k <= 4; k++)
    {
      vita_timeline_set_position (fx.tl, pos + k * 100);
      pump (25);
    }
  g_assert_cmpuint (vita_panel_view_get_snapshot_count (VITA_PANEL_VIEW (fx.views[ROW])), ==, snaps_row);
  g_assert_cmpuint (vita_panel_view_get_snapshot_count (VITA_PANEL_VIEW (fx.views[GRID])), ==, snaps_grid);
  g_assert_cmpuint (vita_panel_view_get_snapshot_count (VITA_PANEL_VIEW (fx.views[WAVEFORM])), >, snaps_wave);

  /* The same content node on both frames: only the playhead node is new. */
  GskRenderNode *after = widget_node (fx.views[WAVEFORM]);
  g_assert_nonnull (find_cairo_node (before));
  g_assert_true (find_cairo_node (before) == find_cairo_node (after));
  gsk_render_node_unref (before);
  gsk_render_node_unref (after);

  /* Zoom in and back out: the earlier level's content is still cached. */
  vita_timeline_zoom (fx.tl, 2.0, pos);
  pump (100);
  guint zoomed = renders (&fx, MEL);
  g_assert_cmpuint (zoomed, >, r[MEL]);
  vita_timeline_zoom (fx.tl, 0.5, pos);
  pump (100);
  gint64 vs, ve;
  vita_timeline_get_visible (fx.tl, &vs, &ve);
  g_assert_cmpint (vs, ==, 16000 * 2);
  g_assert_cmpint (ve, ==, 16000 * 12);
  g_assert_cmpuint (renders (&fx, MEL), ==, zoomed);
  fx_clear (&fx);
}

/* Stale (progress-only) re-renders of the received and SSM panels per frame. */
static Fx *paint_fx;
static guint paint_last, paint_max;

static void
on_after_paint (GdkFrameClock *clock, gpointer data)
{
  guint sum = renders (paint_fx, RECEIVED) + renders (paint_fx, SSM);
  paint_max = MAX (paint_max, sum - paint_last);
  paint_last = sum;
}

/* While the analysis runs: windows finishing elsewhere leave the panels of the
 * window under the playhead and the mel alone; the playhead's window finishing
 * shows at once (::windows-ready, no throttled update); the throttled update
 * re-renders only panels over every window. */
static void
test_progress_redraws_only_affected (void)
{
  Fx fx;
  fx_init_analysis (&fx, FALSE);   /* half of the windows ready */
  VitaAnalysisSource *src = vita_panel_view_get_source (VITA_PANEL_VIEW (fx.views[ATTENTION]));
  VitaAnalysis *an = fx.an;
  vita_timeline_set_position (fx.tl, 16000 * 4);
  pump (300);   /* the window's attention computed on a worker, then drawn */
  int shown = an->frame_window[16000 * 4 / 512];
  g_assert_true (vita_analysis_window_ready (an, shown));
  g_assert_true (vita_paint_cache_has_window_attention (vita_analysis_source_get_cache (src), shown));
  guint r[9];
  for (int i = 0; i < 9; i++)
    r[i] = renders (&fx, i);

  /* A far window finishes: nothing the playhead's panels show changed. */
  int far = an->n_ready;
  g_assert_false (vita_analysis_window_ready (an, far));
  g_atomic_int_set (&an->window_ready[far], 1);
  g_atomic_int_inc (&an->n_ready);
  vita_analysis_source_windows_ready (src);
  pump (150);
  for (int i = 0; i < 9; i++)
    g_assert_cmpuint (renders (&fx, i), ==, r[i]);

  /* The throttled update: panels over every window re-render (one per frame), the
   * rest do not. */
  paint_fx = &fx;
  paint_last = renders (&fx, RECEIVED) + renders (&fx, SSM);
  paint_max = 0;
  GdkFrameClock *clock = gtk_widget_get_frame_clock (fx.window);
  gulong id = g_signal_connect (clock, "after-paint", G_CALLBACK (on_after_paint), NULL);
  vita_analysis_source_update (src);
  pump (150);
  g_signal_handler_disconnect (clock, id);
  g_assert_cmpuint (renders (&fx, RECEIVED), >, r[RECEIVED]);
  g_assert_cmpuint (renders (&fx, SSM), >, r[SSM]);
  g_assert_cmpuint (paint_max, ==, 1);
  g_assert_cmpuint (renders (&fx, MEL), ==, r[MEL]);
  g_assert_cmpuint (renders (&fx, WAVEFORM), ==, r[WAVEFORM]);
  g_assert_cmpuint (renders (&fx, ATTENTION), ==, r[ATTENTION]);
  g_assert_cmpuint (renders (&fx, GRID), ==, r[GRID]);
  g_assert_cmpuint (renders (&fx, ROW), ==, r[ROW]);
  /* the window's attention survived the update */
  g_assert_true (vita_paint_cache_has_window_attention (vita_analysis_source_get_cache (src), shown));

  /* A seek to a window not analysed: its panels say so; when it finishes they show
   * it without waiting for the throttled update. */
  int target = an->n_windows - 1;
  g_assert_false (vita_analysis_window_ready (an, target));
  vita_timeline_set_follow (fx.tl, VITA_FOLLOW_PAGE);
  vita_timeline_set_position (fx.tl, (gint64) (an->window_start[target] + 100) * 512);
  g_assert_cmpint (an->frame_window[an->window_start[target] + 100], ==, target);
  pump (150);
  guint waiting = renders (&fx, ATTENTION);
  g_atomic_int_set (&an->window_ready[target], 1);
  g_atomic_int_inc (&an->n_ready);
  vita_analysis_source_windows_ready (src);
  pump (400);
  g_assert_true (vita_paint_cache_has_window_attention (vita_analysis_source_get_cache (src), target));
  g_assert_cmpuint (renders (&fx, ATTENTION), >, waiting);
  g_assert_cmpint (vita_analysis_source_get_n_ready (src), <, an->n_ready);   /* no update ran */
  fx_clear (&fx);
}

static void
count_ready (gpointer cache, gpointer data)
{
  (*(int *) data)++;
}

/* Pumps until the cache has no job running (at most 5 s). */
static void
pump_jobs (VitaPaintCache *cache, int window)
{
  gint64 end = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;
  while (g_get_monotonic_time () < end &&
         !vita_paint_cache_has_window_attention (cache, window))
    pump (5);
  pump (200);   /* the prefetch of the next window, if any */
}

/* The paint cache keeps the window the painters asked for last: a prefetch that
 * finishes after it never evicts it, even when the window shown before is still
 * cached (a seek far away: the panels kept showing "Computing…" until something else
 * redrew them). */
static void
test_cache_keeps_asked_window (void)
{
  vita_views_set_attention_func (views_synth_attention);
  VitaAnalysis *an = views_synth_analysis (30.0, TRUE);
  VitaPaintCache *cache = vita_paint_cache_new (an);
  vita_paint_cache_set_attention_func (cache, views_synth_attention);
  int n_ready = 0;
  vita_paint_cache_set_async (cache, TRUE, count_ready, &n_ready);
  g_autoptr(GError) error = NULL;
  g_assert_null (vita_paint_cache_window_attention (cache, 0, &error));   /* busy */
  g_clear_error (&error);
  pump_jobs (cache, 0);
  g_assert_nonnull (vita_paint_cache_window_attention (cache, 0, &error));   /* shown */
  /* A seek: the painters ask for a far window; it arrives, then the prefetch of the
   * one after it. */
  int far = an->n_windows - 3;
  g_assert_null (vita_paint_cache_window_attention (cache, far, &error));
  g_clear_error (&error);
  int before = n_ready;
  pump_jobs (cache, far);
  g_assert_cmpint (n_ready, >, before);
  g_assert_true (vita_paint_cache_has_window_attention (cache, far));
  g_assert_true (vita_paint_cache_has_window_attention (cache, far + 1));   /* prefetched */
  g_assert_nonnull (vita_paint_cache_window_attention (cache, far, &error));
  g_assert_no_error (error);
  vita_paint_cache_set_async (cache, TRUE, NULL, NULL);
  vita_paint_cache_unref (cache);
  pump (50);
  views_synth_free (an);
}

static GtkEventController *
find_controller (GtkWidget *w, GType type)
{
  g_autoptr(GListModel) list = gtk_widget_observe_controllers (w);
  for (guint i = 0; i < g_list_model_get_n_items (list); i++)
    {
      g_autoptr(GObject) c = g_list_model_get_item (list, i);
      if (G_TYPE_CHECK_INSTANCE_TYPE (c, type))
        return GTK_EVENT_CONTROLLER (c);
    }
  return NULL;
}

static void
test_click_seeks_through_action (void)
{
  Fx fx;
  fx_init (&fx);
  /* Click in the middle of the mel plot: the seek target is the sample under the
   * pointer; the timeline position itself is not touched by the widget. */
  GtkWidget *mel = fx.views[MEL];
  VitaRect area = { 0, 0, gtk_widget_get_width (mel), gtk_widget_get_height (mel) }, plot;
  VitaStyle style;
  vita_style_init (&style);
  vita_panel_layout (&style, 0, 0, area.width, area.height, VITA_PANEL_XAXIS | VITA_PANEL_YAXIS |
                     VITA_PANEL_COLORBAR | VITA_PANEL_TITLE, &plot, NULL);
  /* A click is a press and a release without moving (the drag gesture that also
   * selects; real pointer events: tests/gui/test-app-pointer.c). */
  GtkEventController *click = find_controller (mel, GTK_TYPE_GESTURE_DRAG);
  g_assert_nonnull (click);
  gint64 before = vita_timeline_get_position (fx.tl);
  g_signal_emit_by_name (click, "drag-begin", plot.x + plot.width / 2, plot.y + plot.height / 2);
  g_signal_emit_by_name (click, "drag-end", 0.0, 0.0);
  g_assert_cmpint (n_seeks, ==, 1);
  gint64 want = (16000 * 2 + 16000 * 12) / 2;
  g_assert_cmpint (llabs (last_seek - want), <, 16000 * 10 / (gint64) plot.width + 2);
  g_assert_cmpint (vita_timeline_get_position (fx.tl), ==, before);
  /* Outside the plot (on the axis labels): no seek. */
  g_signal_emit_by_name (click, "drag-begin", 2.0, 2.0);
  g_signal_emit_by_name (click, "drag-end", 0.0, 0.0);
  g_assert_cmpint (n_seeks, ==, 1);

  /* The plain wheel is the page's (GNOME): not handled, the range stays. */
  GtkEventController *scroll = find_controller (mel, GTK_TYPE_EVENT_CONTROLLER_SCROLL);
  gboolean handled = TRUE;
  gint64 vs, ve;
  g_signal_emit_by_name (scroll, "scroll", 0.0, 1.0, &handled);
  g_assert_false (handled);
  vita_timeline_get_visible (fx.tl, &vs, &ve);
  g_assert_cmpint (vs, ==, 16000 * 2);
  g_assert_cmpint (ve, ==, 16000 * 12);
  /* A horizontal wheel (or Shift+wheel) scrolls the shared range, by a tenth of the
   * span per step. */
  handled = FALSE;
  g_signal_emit_by_name (scroll, "scroll", 1.0, 0.0, &handled);
  g_assert_true (handled);
  vita_timeline_get_visible (fx.tl, &vs, &ve);
  g_assert_cmpint (vs, ==, 16000 * 3);
  g_assert_cmpint (ve, ==, 16000 * 13);
  /* The SSM is not time-aligned: it leaves the wheel to its container. */
  scroll = find_controller (fx.views[SSM], GTK_TYPE_EVENT_CONTROLLER_SCROLL);
  handled = TRUE;
  g_signal_emit_by_name (scroll, "scroll", 0.0, 1.0, &handled);
  g_assert_false (handled);
  fx_clear (&fx);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  if (!gtk_init_check ())
    {
      g_test_message ("no display: skipping (run under xvfb-run)");
      g_test_add_func ("/views/widgets/no-display", (GTestFunc) g_test_skip);
      return g_test_run ();
    }
  g_test_add_func ("/views/widgets/properties", test_properties);
  g_test_add_func ("/views/widgets/redraw-only-relevant", test_redraw_only_relevant);
  g_test_add_func ("/views/widgets/click-seek-scroll", test_click_seeks_through_action);
  g_test_add_func ("/views/widgets/renders-per-token", test_renders_per_token);
  g_test_add_func ("/views/widgets/cache-keeps-asked-window", test_cache_keeps_asked_window);
  g_test_add_func ("/views/widgets/progress-redraws-only-affected", test_progress_redraws_only_affected);
  return g_test_run ();
}
