/* test-views-painters.c — every painter into an image surface, on synthetic
 * analyses: playhead, colorbar gradient, axis text, caches, partial analyses.
 * Set VITA_VIEWS_PNG_DIR to also write each panel as a PNG for looking at. */
#include "views-synth.h"
#include "model/vita-derived.h"
#include "vita-test.h"
#include "views/vita-paint-private.h"
#include "views/vita-layout.h"

#include <cairo-pdf.h>
#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

typedef struct {
  VitaAnalysis   *an;
  VitaPaintCache *cache;
  VitaPeaks      *peaks;
  VitaTimelineSnapshot snap;
  VitaStyle       style;
  VitaPaintContext ctx;
} Fixture;

static void
fixture_setup (Fixture *fx, gconstpointer data)
{
  double seconds = data ? *(const double *) data : 30.0;
  fx->an = views_synth_analysis (seconds, TRUE);
  fx->cache = vita_paint_cache_new (fx->an);
  vita_paint_cache_set_attention_func (fx->cache, views_synth_attention);
  gsize n;
  g_autofree float *pcm = views_synth_pcm (seconds, &n);
  fx->peaks = vita_peaks_new (pcm, n, 16000);
  vita_timeline_snapshot_init (&fx->snap, 16000, 512, n, fx->an->n_layers, 3);
  fx->snap.position = 16000 * 5 + 300;     /* 5.02 s */
  fx->snap.visible_start = 16000 * 2;
  fx->snap.visible_end = 16000 * 12;
  fx->snap.layer = 4;
  fx->snap.head = 0;
  vita_style_init (&fx->style);
  fx->ctx = (VitaPaintContext) { .cache = fx->cache, .peaks = fx->peaks, .snap = &fx->snap,
                                 .style = &fx->style };
}

static void
fixture_teardown (Fixture *fx, gconstpointer data)
{
  vita_paint_cache_unref (fx->cache);
  vita_peaks_unref (fx->peaks);
  views_synth_free (fx->an);
}

static cairo_surface_t *
render (VitaPanel panel, const VitaPaintContext *ctx, int w, int h)
{
  cairo_surface_t *s = cairo_image_surface_create (CAIRO_FORMAT_RGB24, w, h);
  cairo_t *cr = cairo_create (s);
  VitaRect area = { 0, 0, w, h };
  vita_panel_paint (panel, cr, &area, ctx);
  g_assert_cmpint (cairo_status (cr), ==, CAIRO_STATUS_SUCCESS);
  cairo_destroy (cr);
  cairo_surface_flush (s);
  const char *dir = g_getenv ("VITA_VIEWS_PNG_DIR");
  if (dir)
    {
      g_autofree char *name = g_strdup_printf ("%s/%s.png", dir, vita_panel_to_string (panel));
      cairo_surface_write_to_png (s, name);
    }
  return s;
}

static guint32
pixel (cairo_surface_t *s, int x, int y)
{
  guint8 *d = cairo_image_surface_get_data (s);
  return ((guint32 *) (d + (gsize) y * cairo_image_surface_get_stride (s)))[x] & 0xffffff;
}

static gboolean
is_reddish (guint32 p)
{
  int r = (p >> 16) & 0xff, g = (p >> 8) & 0xff, b = p & 0xff;
  return r > 180 && g < 90 && b < 90;
}

/* Non-background pixels in a rectangle (text / ticks present). */
static int
ink (cairo_surface_t *s, int x0, int y0, int x1, int y1)
{
  int count = 0;
  for (int y = y0; y < y1; y++)
    for (int x = x0; x < x1; x++)
      if (pixel (s, x, y) != 0xffffff)
        count++;
  return count;
}

static void
check_playhead_x (Fixture *fx, VitaPanel panel, int w, int h)
{
  cairo_surface_t *s = render (panel, &fx->ctx, w, h);
  VitaRect area = { 0, 0, w, h }, plot;
  double x, y;
  g_assert_true (vita_panel_playhead (panel, &area, &fx->ctx, &plot, &x, &y));
  int px = (int) floor (x), mid = (int) (plot.y + plot.height / 2);
  /* The playhead column is red through the plot, a column away from it is not. */
  int red = 0;
  for (int yy = (int) plot.y + 2; yy < (int) (plot.y + plot.height) - 2; yy++)
    red += is_reddish (pixel (s, px, yy)) || is_reddish (pixel (s, px + 1, yy));
  g_assert_cmpint (red, >, (int) (plot.height * 0.8));
  int far = px + 40 < plot.x + plot.width ? px + 40 : px - 40;
  g_assert_false (is_reddish (pixel (s, far, mid)));
  /* Moving the playhead changes that column. */
  gint64 old = fx->snap.position;
  fx->snap.position += (gint64) (fx->snap.visible_end - fx->snap.visible_start) / 4;
  cairo_surface_t *s2 = render (panel, &fx->ctx, w, h);
  int diff = 0;
  for (int yy = (int) plot.y + 2; yy < (int) (plot.y + plot.height) - 2; yy++)
    diff += pixel (s, px, yy) != pixel (s2, px, yy);
  g_assert_cmpint (diff, >, (int) (plot.height * 0.5));
  fx->snap.position = old;
  /* Axis text under the plot and at the left. */
  g_assert_cmpint (ink (s, (int) plot.x, (int) (plot.y + plot.height + 3), (int) (plot.x + plot.width),
                        h - 1), >, 100);
  if (vita_panel_flags (panel) & VITA_PANEL_YAXIS)
    g_assert_cmpint (ink (s, 1, (int) plot.y, (int) plot.x - 3, (int) (plot.y + plot.height)), >, 100);
  cairo_surface_destroy (s);
  cairo_surface_destroy (s2);
}

static void
test_waveform (Fixture *fx, gconstpointer data)
{
  check_playhead_x (fx, VITA_PANEL_WAVEFORM, 800, 200);
  /* The envelope is drawn: the accent colour occurs inside the plot. */
  cairo_surface_t *s = render (VITA_PANEL_WAVEFORM, &fx->ctx, 800, 200);
  VitaRect plot;
  vita_panel_layout (&fx->style, 0, 0, 800, 200, vita_panel_flags (VITA_PANEL_WAVEFORM), &plot, NULL);
  int blue = 0;
  for (int x = (int) plot.x; x < plot.x + plot.width; x++)
    {
      guint32 p = pixel (s, x, (int) (plot.y + plot.height / 2) - 3);
      blue += (p & 0xff) > 150 && ((p >> 16) & 0xff) < 80;
    }
  g_assert_cmpint (blue, >, 100);
  cairo_surface_destroy (s);

  /* Sample-level zoom: 40 samples across 800 px still draws (dots and lines). */
  fx->snap.visible_start = 16000 * 3;
  fx->snap.visible_end = fx->snap.visible_start + 40;
  fx->snap.position = fx->snap.visible_start + 20;
  check_playhead_x (fx, VITA_PANEL_WAVEFORM, 800, 200);
}

/* A waveform plot two million pixels wide (a 10-minute track at 4.8 samples a pixel,
 * far past Cairo's 32767-pixel images), drawn 1200 pixels of it at a time from its
 * middle, as a tiled export or a scrolled full-resolution timeline does: the columns
 * drawn are that part's, each one the min/max of its own samples. */
static void
test_waveform_wide (Fixture *fx, gconstpointer data)
{
  const double AW = 2e6, OFF = 1e6;
  const int W = 1200, H = 200;
  fx->snap.visible_start = 0;
  fx->snap.visible_end = fx->snap.n_samples;
  fx->snap.position = 0;
  VitaRect area = { 0, 0, AW, H }, plot;
  vita_panel_layout (&fx->style, 0, 0, AW, H, vita_panel_flags (VITA_PANEL_WAVEFORM), &plot, NULL);
  const double spp = (double) fx->snap.n_samples / plot.width;
  g_assert_cmpfloat (spp, >=, 1.0);
  cairo_surface_t *s = cairo_image_surface_create (CAIRO_FORMAT_RGB24, W, H);
  cairo_t *cr = cairo_create (s);
  cairo_translate (cr, -OFF, 0);
  vita_panel_paint (VITA_PANEL_WAVEFORM, cr, &area, &fx->ctx);
  g_assert_cmpint (cairo_status (cr), ==, CAIRO_STATUS_SUCCESS);
  cairo_destroy (cr);
  cairo_surface_flush (s);
  /* The painter shows the track's peak at full height (dBFS scale): the same gain. */
  float tmn, tmx;
  g_assert_true (vita_peaks_range (fx->peaks, 0, fx->snap.n_samples, &tmn, &tmx));
  const double peak = MAX (fabs (tmn), fabs (tmx));
  g_assert_cmpfloat (peak, >, 1e-3);
  const double mid = plot.y + plot.height / 2, half = plot.height / 2 / peak;
  int checked = 0;
  for (int x = 0; x < W; x++)
    {
      int c = (int) (OFF + x - floor (plot.x));   /* the plot's column at this pixel */
      gint64 a = (gint64) floor (c * spp), b = (gint64) floor ((c + 1) * spp);
      float mn, mx;
      g_assert_true (vita_peaks_range (fx->peaks, a, MAX (b, a + 1), &mn, &mx));
      int top = (int) floor (mid - CLAMP (mx, -1.f, 1.f) * half);
      if (top > mid - 4 || top - 2 < plot.y)
        continue;
      g_assert_cmpuint (pixel (s, x, top), !=, 0xffffff);     /* the envelope's top */
      g_assert_cmpuint (pixel (s, x, top - 2), ==, 0xffffff); /* nothing above it */
      checked++;
    }
  g_assert_cmpint (checked, >, W / 4);
  cairo_surface_destroy (s);
}

static void
test_peaks_long (void)
{
  const gsize n = 18u << 20;
  g_autofree float *pcm = g_new (float, n);
  for (gsize i = 0; i < n; i++)
    pcm[i] = (float) ((i * 2654435761u) % 20001) / 10000.0f - 1.0f;
  g_assert_cmpint (vita_test_cache_open_files (), ==, 0);
  VitaPeaks *peaks = vita_peaks_new (pcm, n, 16000);
  g_assert_cmpint (vita_test_cache_open_files (), ==, 1);
  g_assert_cmpint (vita_test_cache_files (), ==, 0);
  g_assert_cmpuint (vita_peaks_get_n_samples (peaks), ==, n);
  g_assert_cmpmem (vita_peaks_get_samples (peaks), n * sizeof (float), pcm, n * sizeof (float));
  const gint64 ranges[][2] = { { 0, 100 }, { 12345, 999999 }, { 0, (gint64) n } };
  for (gsize r = 0; r < G_N_ELEMENTS (ranges); r++)
    {
      float mn, mx, bmn = G_MAXFLOAT, bmx = -G_MAXFLOAT;
      g_assert_true (vita_peaks_range (peaks, ranges[r][0], ranges[r][1], &mn, &mx));
      for (gint64 i = ranges[r][0]; i < ranges[r][1]; i++)
        bmn = MIN (bmn, pcm[i]), bmx = MAX (bmx, pcm[i]);
      g_assert_cmpfloat (mn, <=, bmn);   /* partial buckets may widen, never narrow */
      g_assert_cmpfloat (mx, >=, bmx);
      if (r == 0)   /* a short range: the samples themselves, from the file */
        g_assert_true (mn == bmn && mx == bmx);
    }
  vita_peaks_unref (peaks);
  g_assert_cmpint (vita_test_cache_open_files (), ==, 0);
}

static void
test_peaks (Fixture *fx, gconstpointer data)
{
  /* Envelope from the multi-level structure equals the brute-force min/max. */
  const float *pcm = vita_peaks_get_samples (fx->peaks);
  gint64 ranges[][2] = { { 0, 10 }, { 5, 700 }, { 1000, 90000 }, { 123, 400000 }, { 0, 480000 } };
  for (gsize r = 0; r < G_N_ELEMENTS (ranges); r++)
    {
      float mn, mx, bmn = G_MAXFLOAT, bmx = -G_MAXFLOAT;
      g_assert_true (vita_peaks_range (fx->peaks, ranges[r][0], ranges[r][1], &mn, &mx));
      for (gint64 i = ranges[r][0]; i < ranges[r][1]; i++)
        {
          bmn = MIN (bmn, pcm[i]);
          bmx = MAX (bmx, pcm[i]);
        }
      /* Partial buckets may widen the envelope slightly, never narrow it. */
      g_assert_cmpfloat (mn, <=, bmn);
      g_assert_cmpfloat (mx, >=, bmx);
      g_assert_cmpfloat (bmx - mx, <=, 0.0);
      g_assert_cmpfloat (mx - bmx, <, 0.25);
    }
  float mn, mx;
  g_assert_false (vita_peaks_range (fx->peaks, 500, 500, &mn, &mx));
}

static void
check_colorbar (cairo_surface_t *s, const VitaRect *cbar, VitaColormap cmap)
{
  const guint32 *lut = vita_colormap_lut (cmap);
  int x = (int) (cbar->x + cbar->width / 2);
  guint32 top = pixel (s, x, (int) cbar->y + 2);
  guint32 bottom = pixel (s, x, (int) (cbar->y + cbar->height) - 2);
  /* Ends are the LUT's ends (within a few steps). */
  int near_top = 0, near_bottom = 0;
  for (int i = 0; i < 8; i++)
    {
      near_top |= top == (lut[255 - i] & 0xffffff);
      near_bottom |= bottom == (lut[i] & 0xffffff);
    }
  g_assert_true (near_top);
  g_assert_true (near_bottom);
  /* A gradient: many distinct colours down the bar. */
  GHashTable *seen = g_hash_table_new (NULL, NULL);
  for (int y = (int) cbar->y + 1; y < cbar->y + cbar->height - 1; y++)
    g_hash_table_add (seen, GUINT_TO_POINTER (pixel (s, x, y)));
  g_assert_cmpuint (g_hash_table_size (seen), >, 50);
  g_hash_table_unref (seen);
}

static void
test_mel (Fixture *fx, gconstpointer data)
{
  check_playhead_x (fx, VITA_PANEL_MEL, 900, 300);
  cairo_surface_t *s = render (VITA_PANEL_MEL, &fx->ctx, 900, 300);
  VitaRect plot, cbar;
  vita_panel_layout (&fx->style, 0, 0, 900, 300, vita_panel_flags (VITA_PANEL_MEL), &plot, &cbar);
  check_colorbar (s, &cbar, VITA_COLORMAP_VIRIDIS);
  /* The surface is built once and reused. */
  cairo_surface_t *first = fx->cache->mel.surface;
  g_assert_nonnull (first);
  fx->snap.position += 1000;
  fx->snap.visible_start += 16000;
  fx->snap.visible_end += 16000;
  cairo_surface_t *s2 = render (VITA_PANEL_MEL, &fx->ctx, 900, 300);
  g_assert_true (fx->cache->mel.surface == first);
  /* A colormap change rebuilds it, and the colorbar follows. */
  fx->style.colormap = VITA_COLORMAP_MAGMA;
  cairo_surface_t *s3 = render (VITA_PANEL_MEL, &fx->ctx, 900, 300);
  check_colorbar (s3, &cbar, VITA_COLORMAP_MAGMA);
  cairo_surface_destroy (s);
  cairo_surface_destroy (s2);
  cairo_surface_destroy (s3);
}

static void
test_received (Fixture *fx, gconstpointer data)
{
  check_playhead_x (fx, VITA_PANEL_RECEIVED, 900, 220);
  fx->snap.head = -1;
  check_playhead_x (fx, VITA_PANEL_RECEIVED, 900, 220);
  /* The onset curve is the analysis's (dsp/'s spectral flux, the one definition):
   * spectral flux peaks at note onsets. */
  const float *onset = fx->an->onset;
  int f_on = (int) ceil (1.0 * 16000 / 512);    /* first frame of the note at 1.0 s */
  g_assert_cmpfloat (onset[f_on], >, 3 * onset[f_on + 8]);
  g_assert_cmpfloat (onset[f_on], >, 3 * onset[f_on - 4]);
}

static void
test_ssm (Fixture *fx, gconstpointer data)
{
  cairo_surface_t *s = render (VITA_PANEL_SSM, &fx->ctx, 500, 460);
  VitaRect area = { 0, 0, 500, 460 }, plot, cbar;
  vita_square_plot (&fx->style, &area, VITA_PANEL_SSM, &plot, &cbar);
  check_colorbar (s, &cbar, VITA_COLORMAP_DIVERGING);
  double x, y;
  g_assert_true (vita_panel_playhead (VITA_PANEL_SSM, &area, &fx->ctx, &plot, &x, &y));
  g_assert_true (isfinite (x) && isfinite (y));
  /* A cross: red along row y and column x. */
  int red_col = 0, red_row = 0;
  for (int i = 2; i < plot.height - 2; i++)
    {
      red_col += is_reddish (pixel (s, (int) x, (int) plot.y + i)) ||
                 is_reddish (pixel (s, (int) x + 1, (int) plot.y + i));
      red_row += is_reddish (pixel (s, (int) plot.x + i, (int) y)) ||
                 is_reddish (pixel (s, (int) plot.x + i, (int) y + 1));
    }
  g_assert_cmpint (red_col, >, plot.height * 0.8);
  g_assert_cmpint (red_row, >, plot.width * 0.8);
  /* Clicking the cross's column seeks near the playhead. */
  gint64 sample;
  g_assert_true (vita_panel_hit_sample (VITA_PANEL_SSM, &area, &fx->ctx, x, plot.y + 5, &sample));
  g_assert_cmpint (llabs (sample - fx->snap.position), <, 16000 * 30 / 500 + 512);
  cairo_surface_destroy (s);
}

static void
test_attention (Fixture *fx, gconstpointer data)
{
  cairo_surface_t *s = render (VITA_PANEL_ATTENTION, &fx->ctx, 520, 480);
  VitaRect area = { 0, 0, 520, 480 }, plot, cbar;
  vita_square_plot (&fx->style, &area, VITA_PANEL_ATTENTION, &plot, &cbar);
  check_colorbar (s, &cbar, VITA_COLORMAP_VIRIDIS);
  /* Head 0 of the synthetic model attends to onset tokens: vertical stripes, i.e.
   * columns differ a lot from their neighbours while rows repeat. */
  int changes_x = 0, changes_y = 0;
  int yy = (int) (plot.y + plot.height * 0.3), xx = (int) (plot.x + plot.width * 0.3);
  for (int i = 1; i < plot.width - 1; i++)
    changes_x += pixel (s, (int) plot.x + i, yy) != pixel (s, (int) plot.x + i - 1, yy);
  for (int i = 1; i < plot.height - 1; i++)
    if (!is_reddish (pixel (s, xx, (int) plot.y + i)) && !is_reddish (pixel (s, xx, (int) plot.y + i - 1)))
      changes_y += pixel (s, xx, (int) plot.y + i) != pixel (s, xx, (int) plot.y + i - 1);
  g_assert_cmpint (changes_x, >, 10);
  g_assert_cmpint (changes_y, <, 4);
  cairo_surface_destroy (s);

  /* The window's maps are recomputed once and kept while the playhead stays in it
   * (5.02 s = frame 157, the last frame owned by window 1). */
  int w1 = vita_paint_cache_window_for_frame (fx->cache, vita_snapshot_current_frame (&fx->snap));
  g_assert_cmpint (w1, ==, 1);
  g_assert_cmpint (fx->cache->att_window, ==, w1);
  const float *att = vita_paint_cache_window_attention (fx->cache, w1, NULL);
  fx->snap.position -= 3000;
  s = render (VITA_PANEL_ATTENTION, &fx->ctx, 520, 480);
  g_assert_true (vita_paint_cache_window_attention (fx->cache, w1, NULL) == att);
  cairo_surface_destroy (s);
  /* One frame later the playhead is in window 2: recomputed, and window 1 is still
   * cached (two windows are kept). */
  fx->snap.position += 3000 + 512;
  s = render (VITA_PANEL_ATTENTION, &fx->ctx, 520, 480);
  g_assert_cmpint (fx->cache->att_window, ==, 2);
  g_assert_true (vita_paint_cache_window_attention (fx->cache, w1, NULL) == att);
  cairo_surface_destroy (s);
  fx->snap.position -= 512;

  /* Head average and rollout draw too; rollout rows are distributions. */
  fx->snap.head = -1;
  cairo_surface_destroy (render (VITA_PANEL_ATTENTION, &fx->ctx, 520, 480));
  fx->ctx.attention_mode = VITA_ATTENTION_ROLLOUT;
  int w = vita_paint_cache_window_for_frame (fx->cache, vita_snapshot_current_frame (&fx->snap));
  const float *r = vita_paint_cache_rollout (fx->cache, w, 5, NULL);
  g_assert_nonnull (r);
  int N = fx->an->cfg.frames + 1;
  for (int i = 0; i < N; i++)
    {
      double sum = 0;
      for (int j = 0; j < N; j++)
        {
          g_assert_cmpfloat (r[(gsize) i * N + j], >=, 0.0f);
          sum += r[(gsize) i * N + j];
        }
      g_assert_cmpfloat (fabs (sum - 1.0), <, 1e-4);
    }
  /* Rollout of block 0 alone is 0.5 A + 0.5 I. */
  const float *r0 = vita_paint_cache_rollout (fx->cache, w, 0, NULL);
  g_autofree float *avg = g_new (float, (gsize) N * N);
  vita_attention_head_map (avg, vita_paint_cache_window_attention (fx->cache, w, NULL), 0, -1,
                           fx->an->cfg.heads, N);
  for (int i = 0; i < N; i++)
    for (int j = 0; j < N; j++)
      g_assert_cmpfloat (fabs (r0[(gsize) i * N + j] - (0.5f * avg[(gsize) i * N + j] + (i == j ? 0.5f : 0.f))),
                         <, 1e-5);
  s = render (VITA_PANEL_ATTENTION, &fx->ctx, 520, 480);
  cairo_surface_destroy (s);
}

static int ready_calls;

static void
on_ready (gpointer cache, gpointer data)
{
  ready_calls++;
}

static void
test_attention_async (Fixture *fx, gconstpointer data)
{
  /* The widgets' mode: a miss returns "busy" at once and computes on a worker; the
   * ready callback fires once for the awaited window, then the next one is
   * prefetched without a callback. */
  vita_paint_cache_set_async (fx->cache, TRUE, on_ready, NULL);
  ready_calls = 0;
  fx->snap.position = 251 * 512;   /* frame 251: the centre of window 3 */
  g_autoptr(GError) error = NULL;
  g_assert_null (vita_paint_cache_window_attention (fx->cache, 3, &error));
  g_assert_error (error, VITA_MODEL_ERROR, VITA_MODEL_ERROR_BUSY);
  /* Painting meanwhile says so instead of blocking. */
  cairo_surface_destroy (render (VITA_PANEL_ATTENTION, &fx->ctx, 400, 400));
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  while (ready_calls == 0 && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, FALSE);
  g_assert_cmpint (ready_calls, ==, 1);
  const float *a3 = vita_paint_cache_window_attention (fx->cache, 3, NULL);
  g_assert_nonnull (a3);
  /* The prefetch of window 4 completes without calling back. */
  while ((fx->cache->pending >= 0) && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, FALSE);
  g_assert_cmpint (ready_calls, ==, 1);
  g_assert_cmpint (fx->cache->pending, ==, -1);   /* one window ahead, not a chain */
  g_assert_nonnull (vita_paint_cache_window_attention (fx->cache, 4, NULL));
  g_assert_true (vita_paint_cache_window_attention (fx->cache, 3, NULL) == a3);
  /* Same maps as the synchronous computation. */
  int N = fx->an->cfg.frames + 1;
  gsize size = (gsize) fx->an->cfg.depth * fx->an->cfg.heads * N * N;
  g_autofree float *want = g_new (float, size);
  views_synth_attention (fx->an, 3, want, NULL);
  for (gsize i = 0; i < size; i += 97)
    g_assert_cmpfloat (a3[i], ==, want[i]);
  vita_paint_cache_set_async (fx->cache, FALSE, NULL, NULL);
}

static void
test_grid_row_overview_probes (Fixture *fx, gconstpointer data)
{
  cairo_surface_t *s = render (VITA_PANEL_ATTENTION_GRID, &fx->ctx, 420, 900);
  g_assert_cmpint (ink (s, 0, 0, 420, 900), >, 100000);
  cairo_surface_destroy (s);
  s = render (VITA_PANEL_ATTENTION_ROW, &fx->ctx, 700, 200);
  VitaRect plot;
  vita_panel_layout (&fx->style, 0, 0, 700, 200, vita_panel_flags (VITA_PANEL_ATTENTION_ROW), &plot, NULL);
  g_assert_cmpint (ink (s, (int) plot.x + 2, (int) plot.y + 2, (int) (plot.x + plot.width) - 2,
                        (int) (plot.y + plot.height) - 2), >, 500);
  cairo_surface_destroy (s);
  check_playhead_x (fx, VITA_PANEL_OVERVIEW, 900, 90);
  /* The visible band: drawn for export (show_playhead), left to the widget's overlay
   * otherwise. */
  VitaRect oarea = { 0, 0, 900, 90 }, mark;
  g_assert_true (vita_panel_visible_mark (VITA_PANEL_OVERVIEW, &oarea, &fx->ctx, &mark));
  int bx = (int) (mark.x + 1), by = (int) (mark.y + 2);   /* the band's top-left edge */
  cairo_surface_t *with = render (VITA_PANEL_OVERVIEW, &fx->ctx, 900, 90);
  fx->snap.show_playhead = FALSE;
  cairo_surface_t *without = render (VITA_PANEL_OVERVIEW, &fx->ctx, 900, 90);
  fx->snap.show_playhead = TRUE;
  g_assert_cmpuint (pixel (with, bx, by), !=, pixel (without, bx, by));
  cairo_surface_destroy (with);
  cairo_surface_destroy (without);

  /* Empty probe area says so; a lane draws coloured segments and ground truth. */
  check_playhead_x (fx, VITA_PANEL_PROBES, 900, 160);
  const char *names[] = { "C", "G", "Am", "F" };
  g_autoptr(VitaProbeLane) lane = vita_probe_lane_new ("chords · layer 6", fx->an->n_frames, 4, names);
  lane->probs = g_new0 (float, (gsize) fx->an->n_frames * 4);
  lane->truth = g_new (int, fx->an->n_frames);
  for (int f = 0; f < fx->an->n_frames; f++)
    {
      int c = (f / 31) % 4;
      lane->probs[(gsize) f * 4 + c] = 0.7f;
      lane->probs[(gsize) f * 4 + (c + 1) % 4] = 0.3f;
      lane->truth[f] = ((f + 5) / 31) % 4;
    }
  VitaProbeLane *lanes[] = { lane };
  fx->ctx.lanes = lanes;
  fx->ctx.n_lanes = 1;
  check_playhead_x (fx, VITA_PANEL_PROBES, 900, 160);
  fx->ctx.lanes = NULL;
  fx->ctx.n_lanes = 0;
}

static void
test_layout (Fixture *fx, gconstpointer data)
{
  cairo_surface_t *s = render (VITA_PANEL_LAYOUT, &fx->ctx, 1600, 1000);
  g_assert_cmpint (ink (s, 0, 0, 1600, 1000), >, 400000);
  cairo_surface_destroy (s);
}

/* The layer × layer similarity panel, added through the registry: found by name,
 * drawn with a colorbar and layer axes, the window's CKA above the diagonal and the
 * whole track's below, exported as (2, L, L). */
static void
test_cka (Fixture *fx, gconstpointer data)
{
  VitaAnalysis *an = fx->an;
  VitaPanel cka;
  g_assert_true (vita_panel_from_string ("cka", &cka));
  g_assert_true (vita_panel_get_class (cka)->depends & VITA_DEPENDS_TOKENS);
  int L = an->n_layers, n = an->n_frames, D = an->cfg.dim;
  /* Without tokens the panel says why and exports nothing. */
  cairo_surface_destroy (render (cka, &fx->ctx, 420, 400));
  g_autoptr(GError) error = NULL;
  int ndim;
  gsize shape[4];
  g_assert_null (vita_panel_array (cka, &fx->ctx, &ndim, shape, &error));
  g_assert_error (error, VITA_MODEL_ERROR, VITA_MODEL_ERROR_UNSUPPORTED);
  g_clear_error (&error);

  /* Tokens that drift with depth: layer l mixes a slow and a fast pattern. */
  an->tokens = g_new (float, (gsize) L * n * D);
  for (int l = 0; l < L; l++)
    for (int f = 0; f < n; f++)
      for (int d = 0; d < D; d++)
        an->tokens[((gsize) l * n + f) * D + d] =
          (float) ((1.0 - l / (double) L) * sin (0.05 * f * (d % 7 + 1)) +
                   (l / (double) L) * cos (0.31 * f * (d % 5 + 1) + d));
  an->cka = g_new (float, (gsize) L * L);
  g_assert_true (vita_analysis_cka (an->cka, an, 0, n, NULL));
  vita_paint_cache_invalidate (fx->cache);

  cairo_surface_t *s = render (cka, &fx->ctx, 420, 400);
  VitaRect area = { 0, 0, 420, 400 }, plot, cbar;
  vita_square_plot (&fx->style, &area, cka, &plot, &cbar);
  check_colorbar (s, &cbar, fx->style.colormap);
  g_assert_cmpint (ink (s, 0, (int) (plot.y + plot.height), 420, 400), >, 200);  /* layer axis */

  float *arr = vita_panel_array (cka, &fx->ctx, &ndim, shape, &error);
  g_assert_no_error (error);
  g_assert_cmpint (ndim, ==, 3);
  g_assert_cmpuint (shape[0], ==, 2);
  g_assert_cmpuint (shape[1], ==, (gsize) L);
  int w = vita_paint_cache_window_for_frame (fx->cache, vita_snapshot_current_frame (&fx->snap));
  g_autofree float *want = g_new (float, (gsize) L * L);
  g_assert_true (vita_analysis_cka (want, an, an->window_start[w], an->cfg.frames, NULL));
  vita_test_assert_close ("cka of the window", arr, want, (gsize) L * L, 0.0);
  vita_test_assert_close ("cka of the track", arr + L * L, an->cka, (gsize) L * L, 0.0);
  /* The window's and the track's matrices differ, and each triangle shows its own:
   * the cell (a = L-1, b = 0) is the window's, (a = 0, b = L-1) the track's. */
  g_assert_cmpfloat (fabs (want[(L - 1) * L] - an->cka[(L - 1) * L]), >, 0.02);
  const guint32 *lut = vita_colormap_lut (fx->style.colormap);
  double cell = plot.width / L;
  guint32 top_left = pixel (s, (int) (plot.x + 0.5 * cell), (int) (plot.y + 0.5 * cell));
  guint32 bottom_right = pixel (s, (int) (plot.x + (L - 0.5) * cell), (int) (plot.y + (L - 0.5) * cell));
  g_assert_cmphex (top_left, ==, lut[(int) CLAMP (want[(L - 1) * L] * 255.0 + 0.5, 0, 255)] & 0xffffff);
  g_assert_cmphex (bottom_right, ==, lut[(int) CLAMP (an->cka[L - 1] * 255.0 + 0.5, 0, 255)] & 0xffffff);
  g_free (arr);
  cairo_surface_destroy (s);
}

/* The training curves are a panel like any other: drawn by their painter (three
 * plots over steps) and exported as the array drawn. */
static void
test_training (Fixture *fx, gconstpointer data)
{
  VitaPanel panel;
  g_assert_true (vita_panel_from_string ("training", &panel));
  VitaTrainingPoint pts[50];
  for (int i = 0; i < 50; i++)
    pts[i] = (VitaTrainingPoint) { 10 * i, 4.0f - 0.05f * i, 4.0f - 0.04f * i, 0.01f * i,
                                   0.009f * i, 5e-4f * MIN (1.0f, i / 10.0f) };
  VitaTrainingCurves curves = { pts, 50 };
  VitaPaintContext ctx = fx->ctx;
  /* Without a run: a message, nothing to export. */
  cairo_surface_destroy (render (panel, &ctx, 600, 450));
  int ndim;
  gsize shape[4];
  g_assert_null (vita_panel_array (panel, &ctx, &ndim, shape, NULL));
  ctx.training = &curves;
  cairo_surface_t *s = render (panel, &ctx, 600, 450);
  for (int k = 0; k < 3; k++)   /* a curve in each third */
    g_assert_cmpint (ink (s, 80, k * 150 + 30, 580, k * 150 + 120), >, 300);
  /* The chance level of the accuracy: a dashed line across the middle plot (a row
   * with ink over much of the width that the run alone does not have). */
  VitaRect acc;
  vita_panel_layout (&fx->style, 0, 150, 600, 150, VITA_PANEL_YAXIS | VITA_PANEL_TITLE, &acc, NULL);
  curves.chance = 0.25;
  cairo_surface_t *c = render (panel, &ctx, 600, 450);
  int y = (int) (acc.y + acc.height * (1.0 - 0.25));
  int with = 0, without = 0;
  for (int dy = -1; dy <= 1; dy++)
    {
      with = MAX (with, ink (c, (int) acc.x + 2, y + dy, (int) (acc.x + acc.width) - 2, y + dy + 1));
      without = MAX (without, ink (s, (int) acc.x + 2, y + dy, (int) (acc.x + acc.width) - 2, y + dy + 1));
    }
  g_assert_cmpint (with, >, acc.width / 3);
  g_assert_cmpint (with, >, 3 * without);
  cairo_surface_destroy (c);
  curves.chance = 0;
  cairo_surface_destroy (s);
  g_autoptr(GError) error = NULL;
  g_autofree float *a = vita_panel_array (panel, &ctx, &ndim, shape, &error);
  g_assert_no_error (error);
  g_assert_cmpint (ndim, ==, 2);
  g_assert_cmpuint (shape[0], ==, 50);
  g_assert_cmpuint (shape[1], ==, 6);
  g_assert_cmpfloat (a[6 * 49 + 0], ==, 490.0f);
  g_assert_cmpfloat (a[6 * 49 + 1], ==, pts[49].loss);
  g_assert_cmpfloat (a[6 * 20 + 5], ==, pts[20].lr);
}

/* Read-outs: one time format with the axes (seconds, m:ss.s over long spans), note
 * names, and nothing outside a panel's plot. */
static void
test_readout_format (Fixture *fx, gconstpointer data)
{
  char buf[64];
  vita_format_readout_time (3.254, 6.0, buf, sizeof buf);
  g_assert_cmpstr (buf, ==, "3.25 s");
  vita_format_readout_time (42.34, 30.0, buf, sizeof buf);
  g_assert_cmpstr (buf, ==, "42.3 s");
  vita_format_readout_time (75.34, 200.0, buf, sizeof buf);
  g_assert_cmpstr (buf, ==, "1:15.3");
  g_assert_false (vita_time_use_minutes (60.0));
  g_assert_true (vita_time_use_minutes (180.0));
  vita_note_name (440.0, buf, sizeof buf);
  g_assert_cmpstr (buf, ==, "A4");
  vita_note_name (261.63, buf, sizeof buf);
  g_assert_cmpstr (buf, ==, "C4");
  vita_note_name (27.5, buf, sizeof buf);
  g_assert_cmpstr (buf, ==, "A0");
  vita_note_name (0.5, buf, sizeof buf);
  g_assert_cmpstr (buf, ==, "");

  VitaRect area = { 0, 0, 800, 200 };
  VitaReadout r;
  g_assert_false (vita_panel_readout (VITA_PANEL_WAVEFORM, &area, &fx->ctx, 1, 1, &r));
  g_assert_cmpstr (r.text, ==, "");
  VitaRect plot;
  vita_panel_layout (&fx->style, 0, 0, 800, 200, vita_panel_flags (VITA_PANEL_WAVEFORM), &plot, NULL);
  g_assert_true (vita_panel_readout (VITA_PANEL_WAVEFORM, &area, &fx->ctx, plot.x + plot.width / 2,
                                     plot.y + plot.height / 2, &r));
  g_assert_nonnull (strstr (r.text, "dBFS"));
  g_assert_cmpint (r.layer, ==, -2);
}

static void
test_registry (void)
{
  /* Every panel has a unique name that finds it again, a painter, and the built-in
   * names are in the registry's order. */
  g_assert_cmpint (VITA_N_PANELS, >=, VITA_PANEL_LAYOUT + 2);
  for (int p = 0; p < VITA_N_PANELS; p++)
    {
      const VitaPanelClass *k = vita_panel_get_class (p);
      VitaPanel back;
      g_assert_nonnull (k);
      g_assert_nonnull (k->paint);
      g_assert_true (vita_panel_from_string (k->name, &back));
      g_assert_cmpint (back, ==, p);
      g_assert_cmpint (vita_panel_of_class (k), ==, p);
    }
  g_assert_cmpstr (vita_panel_to_string (VITA_PANEL_MEL), ==, "mel");
  g_assert_cmpstr (vita_panel_to_string (VITA_PANEL_PROBEOGRAM), ==, "probeogram");
  g_assert_null (vita_panel_get_class (VITA_N_PANELS));
  /* The arrangement holds every on-screen panel once; figure-only ones (the whole
   * view, the training curves) not. */
  int n, on_screen = 0;
  g_autofree VitaPanel *order = vita_panel_arrangement (&n);
  for (int p = 0; p < VITA_N_PANELS; p++)
    on_screen += !(vita_panel_get_class (p)->traits & VITA_PANEL_FIGURE_ONLY);
  g_assert_cmpint (n, ==, on_screen);
  g_assert_cmpint (n, <=, VITA_N_PANELS - 2);
  for (int i = 0; i < n; i++)
    g_assert_false (vita_panel_get_class (order[i])->traits & VITA_PANEL_FIGURE_ONLY);
  g_assert_cmpint (order[0], ==, VITA_PANEL_OVERVIEW);
}

/* A mel longer than Cairo's 32767-pixel surfaces (43751 frames), zoomed to 100 frames
 * over about 1000 pixels at its start, across a tile boundary, in the middle and at its
 * end: every frame drawn in its own colour, the exact frame's (not a mean of
 * neighbouring frames, as one decimated surface gave); zoomed out to the whole track,
 * it is drawn too (tiles of averaged columns) with the same colour range. */
static void
test_mel_tiles (void)
{
  VitaAnalysis *an = views_synth_analysis (1400.0, TRUE);
  g_assert_cmpint (an->n_frames, >, 32767);
  VitaPaintCache *cache = vita_paint_cache_new (an);
  VitaTimelineSnapshot snap;
  const gint64 hop = 512;
  vita_timeline_snapshot_init (&snap, 16000, (int) hop, (gint64) 1400 * 16000, an->n_layers, 3);
  VitaStyle style;
  vita_style_init (&style);
  VitaPaintContext ctx = { .cache = cache, .snap = &snap, .style = &style };
  const int W = 1100, H = 300, M = an->cfg.fe.n_mels, SPAN = 100;
  VitaRect plot, cbar;
  vita_panel_layout (&style, 0, 0, W, H, vita_panel_flags (VITA_PANEL_MEL), &plot, &cbar);
  const int starts[] = { 1, VITA_MEL_TILE - SPAN / 2, 30000, an->n_frames - SPAN };
  int changes = 0;
  for (gsize k = 0; k < G_N_ELEMENTS (starts); k++)
    {
      /* frame s's column starts at sample s·hop − hop/2 */
      snap.visible_start = starts[k] * hop - hop / 2;
      snap.visible_end = snap.visible_start + SPAN * hop;
      snap.position = 0;
      cairo_surface_t *s = render (VITA_PANEL_MEL, &ctx, W, H);
      for (int band = 10; band < M; band += 50)
        {
          int y = (int) (plot.y + plot.height * (1.0 - (band + 0.5) / M));
          guint32 last = 0;
          for (int j = 0; j < SPAN; j++)
            {
              int f = starts[k] + j;
              int x = (int) (plot.x + (j + 0.5) * plot.width / SPAN);
              cairo_surface_t *one = vita_heatmap_surface_transposed (an->mel + (gsize) f * M, 1, M,
                                                                      cache->mel.vmin, cache->mel.vmax,
                                                                      style.colormap);
              guint32 want = pixel (one, 0, M - 1 - band);
              cairo_surface_destroy (one);
              if (pixel (s, x, y) != want)
                g_error ("frames %d..%d: frame %d, band %d drawn %06x, its colour is %06x",
                         starts[k], starts[k] + SPAN - 1, f, band, pixel (s, x, y), want);
              changes += j > 0 && want != last;
              last = want;
            }
        }
      cairo_surface_destroy (s);
    }
  g_assert_cmpint (changes, >, 100);   /* neighbouring frames differ: a mean would show */
  snap.visible_start = 0;
  snap.visible_end = snap.n_samples;
  cairo_surface_t *all = render (VITA_PANEL_MEL, &ctx, W, H);
  g_assert_cmpint (ink (all, (int) plot.x + 2, (int) plot.y + 2, (int) (plot.x + plot.width) - 2,
                        (int) (plot.y + plot.height) - 2), >, 0);
  cairo_surface_destroy (all);
  vita_paint_cache_unref (cache);
  views_synth_free (an);
}

static void
test_partial_analysis (void)
{
  /* Half of the windows ready, no SSM: panels say what is missing, nothing crashes,
   * received attention has gaps. */
  VitaAnalysis *an = views_synth_analysis (60.0, FALSE);
  VitaPaintCache *cache = vita_paint_cache_new (an);
  vita_paint_cache_set_attention_func (cache, views_synth_attention);
  VitaTimelineSnapshot snap;
  vita_timeline_snapshot_init (&snap, 16000, 512, 60 * 16000, an->n_layers, 3);
  snap.position = 16000 * 55;    /* in a window not ready yet */
  VitaStyle style;
  vita_style_init (&style);
  VitaPaintContext ctx = { .cache = cache, .snap = &snap, .style = &style };
  for (int p = 0; p < VITA_N_PANELS; p++)
    cairo_surface_destroy (render (p, &ctx, 600, 300));
  g_autoptr(GError) error = NULL;
  int ndim;
  gsize shape[4];
  g_assert_null (vita_panel_array (VITA_PANEL_SSM, &ctx, &ndim, shape, &error));
  g_assert_error (error, VITA_MODEL_ERROR, VITA_MODEL_ERROR_BUSY);
  g_clear_error (&error);
  g_assert_null (vita_panel_array (VITA_PANEL_ATTENTION, &ctx, &ndim, shape, &error));
  g_assert_error (error, VITA_MODEL_ERROR, VITA_MODEL_ERROR_BUSY);
  g_clear_error (&error);
  /* The received-attention export honours readiness exactly as the painter does:
   * the curve the panel draws (gaps = NaN), frame for frame. */
  snap.visible_start = 0;
  snap.visible_end = snap.n_samples;
  g_autofree float *recv = vita_panel_array (VITA_PANEL_RECEIVED, &ctx, &ndim, shape, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (shape[0], ==, 2);
  float max;
  const float *drawn = vita_paint_cache_received (cache, vita_paint_block_for_layer (an, snap.layer),
                                                  snap.head < an->cfg.heads ? snap.head : -1, &max);
  int gaps = 0;
  for (gsize f = 0; f < shape[1]; f++)
    {
      g_assert_cmpint (isnan (recv[f]), ==, isnan (drawn[f]));
      g_assert_cmpint (isnan (recv[f]), ==, !vita_analysis_frame_ready (an, (int) f));
      if (!isnan (recv[f]))
        g_assert_cmpfloat (recv[f], ==, drawn[f]);
      gaps += isnan (recv[f]);
    }
  g_assert_cmpint (gaps, >, 0);
  vita_paint_cache_unref (cache);
  views_synth_free (an);
}

/* Whether p is one of the colormap's 256 colours. */
static gboolean
is_colormap_colour (guint32 p, VitaColormap cmap)
{
  const guint32 *lut = vita_colormap_lut (cmap);
  for (int i = 0; i < 256; i++)
    if ((lut[i] & 0xffffff) == p)
      return TRUE;
  return FALSE;
}

/* Columns of the plot's middle rows drawn in colormap colours, over x in [x0, x1). */
static int
colormap_columns (cairo_surface_t *s, const VitaRect *plot, int x0, int x1, VitaColormap cmap)
{
  int n = 0;
  for (int x = x0; x < x1; x++)
    {
      gboolean any = FALSE;
      for (int y = (int) plot->y + 3; y < (int) (plot->y + plot->height) - 3 && !any; y += 3)
        any = is_colormap_colour (pixel (s, x, y), cmap);
      n += any;
    }
  return n;
}

static void
test_preview_unknown (void)
{
  /* The progressive open's preview: one window analysed (its mel computed), the rest
   * of the track not decoded yet.  The mel panel draws colormap colours only over that
   * window's frames; the undecoded frames are the unknown pattern with the "Decoding…"
   * label (the synthetic analysis has mel values there: drawn as data without
   * ctx.preview, so the check can tell).  The waveform and overview, without PCM, say
   * so instead of "No audio". */
  VitaAnalysis *an = views_synth_analysis (60.0, TRUE);
  const int w = an->n_windows / 2, T = an->cfg.frames;
  for (int k = 0; k < an->n_windows; k++)
    an->window_ready[k] = k == w;
  an->n_ready = 1;
  an->complete = 0;
  VitaPaintCache *cache = vita_paint_cache_new (an);
  VitaTimelineSnapshot snap;
  const int hop = 512, W = 1000, H = 300;
  vita_timeline_snapshot_init (&snap, 16000, hop, 60 * 16000, an->n_layers, 3);
  snap.position = (gint64) (an->window_start[w] + T / 2) * hop;
  snap.show_playhead = FALSE;   /* a red column is no colormap colour */
  VitaStyle style;
  vita_style_init (&style);
  VitaPaintContext ctx = { .cache = cache, .snap = &snap, .style = &style, .decoding = TRUE,
                           .decode_progress = 0.37, .preview = TRUE };
  VitaRect plot, cbar;
  vita_panel_layout (&style, 0, 0, W, H, vita_panel_flags (VITA_PANEL_MEL), &plot, &cbar);
  /* x of frame f's column edges: samples f·hop − hop/2 */
  double a = vita_paint_x_for_sample (&plot, &snap, (gint64) an->window_start[w] * hop - hop / 2);
  double b = vita_paint_x_for_sample (&plot, &snap, (gint64) (an->window_start[w] + T) * hop - hop / 2);
  g_assert_cmpfloat (a, >, plot.x + 100);
  g_assert_cmpfloat (b, <, plot.x + plot.width - 100);
  cairo_surface_t *s = render (VITA_PANEL_MEL, &ctx, W, H);
  int left = (int) plot.x + 1, right = (int) (plot.x + plot.width) - 1;
  g_assert_cmpint (colormap_columns (s, &plot, left, (int) floor (a) - 1, style.colormap), ==, 0);
  g_assert_cmpint (colormap_columns (s, &plot, (int) ceil (b) + 1, right, style.colormap), ==, 0);
  /* the window's frames are data: every column */
  int inside = (int) floor (b) - (int) ceil (a);
  g_assert_cmpint (colormap_columns (s, &plot, (int) ceil (a), (int) floor (b), style.colormap), ==, inside);
  /* the label: text in the larger unknown stretch, not in the other one's middle rows */
  double big0 = a - plot.x > plot.x + plot.width - b ? plot.x : b;
  double big1 = big0 == plot.x ? a : plot.x + plot.width;
  int mid = (int) (plot.y + plot.height / 2);
  int dark = 0;
  for (int y = mid - 8; y < mid + 8; y++)
    for (int x = (int) big0 + 2; x < (int) big1 - 2; x++)
      {
        guint32 p = pixel (s, x, y);
        dark += ((p >> 16) & 0xff) < 120 && ((p >> 8) & 0xff) < 120 && (p & 0xff) < 120;
      }
  g_assert_cmpint (dark, >, 30);
  cairo_surface_destroy (s);
  /* not a preview: the same frames are drawn as data (the check above can fail) */
  ctx.preview = FALSE;
  s = render (VITA_PANEL_MEL, &ctx, W, H);
  g_assert_cmpint (colormap_columns (s, &plot, left, (int) floor (a) - 1, style.colormap), >,
                   (int) (a - left) / 2);
  cairo_surface_destroy (s);

  /* waveform and overview without PCM while decoding: the unknown pattern and a label,
   * not the accent colour of an envelope and not "No audio"'s plain plot */
  ctx.preview = TRUE;
  for (int k = 0; k < 2; k++)
    {
      VitaPanel panel = k == 0 ? VITA_PANEL_WAVEFORM : VITA_PANEL_OVERVIEW;
      vita_panel_layout (&style, 0, 0, W, 120, vita_panel_flags (panel), &plot, NULL);
      cairo_surface_t *dec = render (panel, &ctx, W, 120);
      ctx.decoding = FALSE;
      cairo_surface_t *none = render (panel, &ctx, W, 120);
      ctx.decoding = TRUE;
      /* the hatch: plot pixels neither background nor text away from the label */
      int hatch = 0, plain = 0;
      for (int y = (int) plot.y + 2; y < (int) (plot.y + plot.height) - 2; y++)
        for (int x = (int) plot.x + 2; x < (int) plot.x + 150; x++)
          {
            hatch += pixel (dec, x, y) != 0xffffff;
            plain += pixel (none, x, y) != 0xffffff;
          }
      g_assert_cmpint (hatch, >, 50);
      g_assert_cmpint (plain, <, hatch / 4);
      cairo_surface_destroy (dec);
      cairo_surface_destroy (none);
    }
  vita_paint_cache_unref (cache);
  views_synth_free (an);
}

static void
test_preview_tiles (void)
{
  /* A long track's preview, zoomed out (tiles of 2^level frames per column): a column
   * over the edge of the ready window is the mean of the frames the preview has mel
   * for, not of frames it has not decoded (whose mel it never read); outside the
   * window nothing is drawn in colormap colours. */
  VitaAnalysis *an = views_synth_analysis (1400.0, TRUE);
  g_assert_cmpint (an->n_frames, >, VITA_MEL_TILE);
  const int w = an->n_windows / 2, T = an->cfg.frames, M = an->cfg.fe.n_mels;
  for (int k = 0; k < an->n_windows; k++)
    an->window_ready[k] = k == w;
  an->n_ready = 1;
  an->complete = 0;
  VitaPaintCache *cache = vita_paint_cache_new (an);
  VitaTimelineSnapshot snap;
  const int hop = 512, W = 1100, H = 300;
  vita_timeline_snapshot_init (&snap, 16000, hop, (gint64) 1400 * 16000, an->n_layers, 3);
  snap.show_playhead = FALSE;
  VitaStyle style;
  vita_style_init (&style);
  VitaPaintContext ctx = { .cache = cache, .snap = &snap, .style = &style, .decoding = TRUE,
                           .decode_progress = 0.5, .preview = TRUE };
  VitaRect plot, cbar;
  vita_panel_layout (&style, 0, 0, W, H, vita_panel_flags (VITA_PANEL_MEL), &plot, &cbar);
  cairo_surface_t *s = render (VITA_PANEL_MEL, &ctx, W, H);
  double a = vita_paint_x_for_sample (&plot, &snap, (gint64) an->window_start[w] * hop - hop / 2);
  double b = vita_paint_x_for_sample (&plot, &snap, (gint64) (an->window_start[w] + T) * hop - hop / 2);
  g_assert_cmpint (colormap_columns (s, &plot, (int) plot.x + 1, (int) floor (a) - 1, style.colormap), ==, 0);
  g_assert_cmpint (colormap_columns (s, &plot, (int) ceil (b) + 1, (int) (plot.x + plot.width) - 1,
                                     style.colormap), ==, 0);
  cairo_surface_destroy (s);
  /* the tile drawn: one, zoomed out */
  VitaSurfaceSlot *slot = NULL;
  for (int i = 0; i < VITA_MEL_TILES; i++)
    if (cache->mel_tiles[i].surface != NULL)
      slot = &cache->mel_tiles[i];
  g_assert_nonnull (slot);
  const int decim = slot->decim, first = an->window_start[w];
  g_assert_cmpint (decim, >, 1);
  g_assert_cmpint (first % decim, !=, 0);   /* the window begins inside a column */
  const int c = first / decim;
  g_autofree float *known = g_new0 (float, M);
  g_autofree float *all = g_new0 (float, M);
  for (int f = c * decim; f < (c + 1) * decim; f++)
    for (int m = 0; m < M; m++)
      {
        all[m] += an->mel[(gsize) f * M + m] / decim;
        if (f >= first)
          known[m] += an->mel[(gsize) f * M + m] / ((c + 1) * decim - first);
      }
  int same = 0, differ = 0;
  for (int m = 0; m < M; m++)
    {
      float one[2][1] = { { known[m] }, { all[m] } };
      guint32 want[2];
      for (int k = 0; k < 2; k++)
        {
          cairo_surface_t *px = vita_heatmap_surface_transposed (one[k], 1, 1, cache->mel.vmin,
                                                                 cache->mel.vmax, style.colormap);
          want[k] = pixel (px, 0, 0);
          cairo_surface_destroy (px);
        }
      guint32 got = pixel (slot->surface, c, M - 1 - m);
      same += got == want[0];
      differ += want[0] != want[1];
    }
  g_assert_cmpint (same, >=, M - 2);   /* (float sums in another order: a step at most) */
  g_assert_cmpint (differ, >, M / 4);  /* the mean of every frame would have shown */
  vita_paint_cache_unref (cache);
  views_synth_free (an);
}

static void
test_colormaps (void)
{
  /* The polynomial fits stay close to matplotlib's tables (values from
   * matplotlib._cm_listed: index 0, 128, 255). */
  struct { VitaColormap m; int i; double rgb[3]; } ref[] = {
    { VITA_COLORMAP_VIRIDIS, 0, { 0.267004, 0.004874, 0.329415 } },
    { VITA_COLORMAP_VIRIDIS, 128, { 0.128729, 0.563265, 0.551229 } },
    { VITA_COLORMAP_VIRIDIS, 255, { 0.993248, 0.906157, 0.143936 } },
    { VITA_COLORMAP_MAGMA, 0, { 0.001462, 0.000466, 0.013866 } },
    { VITA_COLORMAP_MAGMA, 255, { 0.987053, 0.991438, 0.749504 } },
    { VITA_COLORMAP_INFERNO, 0, { 0.001462, 0.000466, 0.013866 } },
    { VITA_COLORMAP_INFERNO, 255, { 0.988362, 0.998364, 0.644924 } },
  };
  for (gsize k = 0; k < G_N_ELEMENTS (ref); k++)
    {
      guint32 p = vita_colormap_lut (ref[k].m)[ref[k].i];
      double got[3] = { ((p >> 16) & 0xff) / 255.0, ((p >> 8) & 0xff) / 255.0, (p & 0xff) / 255.0 };
      for (int c = 0; c < 3; c++)
        if (fabs (got[c] - ref[k].rgb[c]) > 0.03)
          g_error ("%s[%d] channel %d: %.3f, matplotlib %.3f", vita_colormap_to_string (ref[k].m),
                   ref[k].i, c, got[c], ref[k].rgb[c]);
    }
  /* Diverging: blue, white-ish centre, red. */
  const guint32 *d = vita_colormap_lut (VITA_COLORMAP_DIVERGING);
  g_assert_cmpuint (d[0] & 0xff, >, (d[0] >> 16) & 0xff);
  g_assert_cmpuint ((d[255] >> 16) & 0xff, >, d[255] & 0xff);
  g_assert_cmpuint ((d[128] >> 8) & 0xff, >, 230);
  /* Gray is linear; sequential maps get lighter. */
  g_assert_cmpuint (vita_colormap_lut (VITA_COLORMAP_GRAY)[100] & 0xff, ==, 100);
  for (int m = 0; m < VITA_N_COLORMAPS; m++)
    {
      VitaColormap back;
      g_assert_true (vita_colormap_from_string (vita_colormap_to_string (m), &back));
      g_assert_cmpint (back, ==, m);
    }
  VitaColormap dummy;
  g_assert_false (vita_colormap_from_string ("jet", &dummy));
}

static void
test_ticks_and_labels (void)
{
  double t[16], step;
  int n = vita_nice_ticks (0.0, 10.0, 6, t, &step);
  g_assert_cmpfloat (step, ==, 2.0);
  g_assert_cmpint (n, ==, 6);
  g_assert_cmpfloat (t[5], ==, 10.0);
  n = vita_nice_ticks (12.3456, 12.3472, 5, t, &step);
  g_assert_cmpfloat_with_epsilon (step, 0.0005, 1e-12);
  g_assert_cmpint (n, >=, 3);
  g_assert_cmpint (n, <=, 5);
  n = vita_nice_ticks (-1.0, 1.0, 5, t, &step);
  g_assert_cmpfloat (t[2], ==, 0.0);     /* exactly zero, not -1e-17 */
  char buf[32];
  vita_format_time (12.5, 0.5, FALSE, buf, sizeof buf);
  g_assert_cmpstr (buf, ==, "12.5");
  vita_format_time (12.0, 2.0, FALSE, buf, sizeof buf);
  g_assert_cmpstr (buf, ==, "12");
  vita_format_time (3.125, 0.025, FALSE, buf, sizeof buf);
  g_assert_cmpstr (buf, ==, "3.125");
  vita_format_time (125.0, 30.0, TRUE, buf, sizeof buf);
  g_assert_cmpstr (buf, ==, "2:05");
  vita_format_time (61.5, 0.5, TRUE, buf, sizeof buf);
  g_assert_cmpstr (buf, ==, "1:01.5");
  vita_format_time (6917.4, 0.1, TRUE, buf, sizeof buf);   /* an hour or more: h:mm:ss */
  g_assert_cmpstr (buf, ==, "1:55:17.4");
  vita_format_time (3600.0, 60.0, TRUE, buf, sizeof buf);
  g_assert_cmpstr (buf, ==, "1:00:00");
  /* Degenerate ranges give one tick, never a loop or NaN. */
  g_assert_cmpint (vita_nice_ticks (3.0, 3.0, 5, t, &step), ==, 1);
  g_assert_cmpint (vita_nice_ticks (NAN, 3.0, 5, t, &step), ==, 0);
}

/* The text a panel draws, through a PDF and pdftotext (one of the test set-up's packages). */
static char *
panel_text (VitaPanel panel, const VitaPaintContext *ctx, int w, int h)
{
  g_autofree char *exe = g_find_program_in_path ("pdftotext");
  g_assert_nonnull (exe);
  g_autofree char *dir = g_dir_make_tmp ("vita-axis-XXXXXX", NULL);
  g_autofree char *pdf = g_build_filename (dir, "panel.pdf", NULL);
  cairo_surface_t *s = cairo_pdf_surface_create (pdf, w, h);
  cairo_t *cr = cairo_create (s);
  VitaRect area = { 0, 0, w, h };
  vita_panel_paint (panel, cr, &area, ctx);
  cairo_destroy (cr);
  cairo_surface_destroy (s);
  const char *argv[] = { exe, "-layout", pdf, "-", NULL };
  char *out = NULL;
  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL,
                               &out, NULL, NULL, NULL));
  g_remove (pdf);
  g_rmdir (dir);
  return out;
}

/* Time axes of long tracks: every tick to the end at a step that reads as time (a
 * 10-minute track's 30 s ticks stopped at 7:00 once the tick cap cut them), and
 * h:mm:ss once an hour is reached (a 3-hour track read 16:40, 33:20 … 166:40). */
static void
test_time_axis_long (void)
{
  VitaStyle style;
  vita_style_init (&style);
  const struct { double seconds; const char *want[4]; const char *unit; const char *not; } cases[] = {
    { 600, { "0:00", "5:00", "10:00", NULL }, "Time (m:ss)", "7:30" },
    { 10800, { "0:00:00", "1:30:00", "3:00:00", NULL }, "Time (h:mm:ss)", "16:40" },
    { 179.5, { "0:00", "1:30", "2:30", NULL }, "Time (m:ss)", NULL },
  };
  for (guint c = 0; c < G_N_ELEMENTS (cases); c++)
    {
      VitaTimelineSnapshot snap;
      vita_timeline_snapshot_init (&snap, 16000, 512, (gint64) (cases[c].seconds * 16000), 13, 3);
      snap.show_playhead = FALSE;
      VitaPaintContext ctx = { .snap = &snap, .style = &style };
      g_autofree char *text = panel_text (VITA_PANEL_OVERVIEW, &ctx, 1200, 160);
      g_test_message ("%.0f s: %s", cases[c].seconds, text);
      for (int i = 0; cases[c].want[i]; i++)
        g_assert_nonnull (strstr (text, cases[c].want[i]));
      g_assert_nonnull (strstr (text, cases[c].unit));
      if (cases[c].not)
        g_assert_null (strstr (text, cases[c].not));
    }
}

/* Where the overview of silence then a full-scale tone starting at `onset` has its
 * first column of envelope ink, drawn at device scale `scale` (device x; -1: none). */
static int
envelope_ink_start (gsize n, gsize onset, int scale, double *want)
{
  g_autofree float *pcm = g_new0 (float, n);
  for (gsize i = onset; i < n; i++)
    pcm[i] = (i % 2) ? 0.9f : -0.9f;
  VitaPeaks *peaks = vita_peaks_new (pcm, n, 16000);
  VitaTimelineSnapshot snap;
  vita_timeline_snapshot_init (&snap, 16000, 512, (gint64) n, 13, 3);
  snap.show_playhead = FALSE;
  VitaStyle style;
  vita_style_init (&style);
  VitaPaintContext ctx = { .snap = &snap, .style = &style, .peaks = peaks };
  const int W = 500, H = 80;
  VitaRect plot;
  vita_panel_layout (&style, 0, 0, W, H, vita_panel_flags (VITA_PANEL_OVERVIEW), &plot, NULL);
  cairo_surface_t *s = cairo_image_surface_create (CAIRO_FORMAT_RGB24, W * scale, H * scale);
  cairo_surface_set_device_scale (s, scale, scale);
  cairo_t *cr = cairo_create (s);
  vita_panel_paint (VITA_PANEL_OVERVIEW, cr, &(VitaRect) { 0, 0, W, H }, &ctx);
  cairo_destroy (cr);
  cairo_surface_flush (s);
  /* a row between the middle (where silence draws its thin line) and the tone's peak */
  const int y = (int) ((plot.y + plot.height * 0.3) * scale);
  const guint8 *row = cairo_image_surface_get_data (s) + (gsize) y * cairo_image_surface_get_stride (s);
  const int x0 = (int) ceil (plot.x * scale) + 2, x1 = (int) floor ((plot.x + plot.width) * scale) - 2;
  const guint8 *ref = row + 4 * (x1 - 1);   /* inside the tone */
  int first = -1;
  for (int x = x0; x < x1 && first < 0; x++)
    if (abs (row[4 * x] - ref[0]) + abs (row[4 * x + 1] - ref[1]) + abs (row[4 * x + 2] - ref[2]) < 30)
      first = x;
  *want = (plot.x + plot.width * (double) onset / n) * scale;
  cairo_surface_destroy (s);
  vita_peaks_unref (peaks);
  return first;
}

/* A long track's envelope in a 300 dpi figure resolves the target's pixels, not one
 * block per point (~4 pixels at scale 4): tone onsets a device pixel apart start
 * their ink a pixel apart (one column per point gave two places for six onsets). */
static void
test_envelope_resolution (void)
{
  const gsize n = 16000 * 600;   /* 10 minutes */
  const int scale = 4;
  VitaStyle style;
  vita_style_init (&style);
  VitaRect plot;
  vita_panel_layout (&style, 0, 0, 500, 80, vita_panel_flags (VITA_PANEL_OVERVIEW), &plot, NULL);
  const double per_px = n / (plot.width * scale);   /* samples per device pixel */
  int firsts[6], distinct = 0;
  for (int i = 0; i < 6; i++)
    {
      /* onsets 1.25 device pixels apart */
      gsize onset = (gsize) (n * 0.377 + i * 1.25 * per_px);
      double want;
      firsts[i] = envelope_ink_start (n, onset, scale, &want);
      g_test_message ("onset %d at device x %.1f: ink from %d", i, want, firsts[i]);
      g_assert_cmpint (firsts[i], >=, 0);
      g_assert_cmpfloat (fabs (firsts[i] - want), <=, 4.0);
      if (i > 0)
        g_assert_cmpint (firsts[i], >=, firsts[i - 1]);
      distinct += i == 0 || firsts[i] != firsts[i - 1];
    }
  g_assert_cmpint (distinct, >=, 5);
}

/* Rows of a region that contain any ink. */
static int
ink_rows (cairo_surface_t *s, int x0, int y0, int x1, int y1)
{
  int rows = 0;
  for (int y = y0; y < y1; y++)
    rows += ink (s, x0, y, x1, y + 1) > 0;
  return rows;
}

static void
test_font_size_scales_text (Fixture *fx, gconstpointer data)
{
  /* A larger font makes the text under the plot (tick labels + axis title) taller:
   * labels really use the style's size. */
  VitaRect pa, pb;
  cairo_surface_t *a = render (VITA_PANEL_WAVEFORM, &fx->ctx, 800, 300);
  vita_panel_layout (&fx->style, 0, 0, 800, 300, vita_panel_flags (VITA_PANEL_WAVEFORM), &pa, NULL);
  fx->style.font_size = 16;
  cairo_surface_t *b = render (VITA_PANEL_WAVEFORM, &fx->ctx, 800, 300);
  vita_panel_layout (&fx->style, 0, 0, 800, 300, vita_panel_flags (VITA_PANEL_WAVEFORM), &pb, NULL);
  int ra = ink_rows (a, 0, (int) (pa.y + pa.height) + 6, 800, 300);
  int rb = ink_rows (b, 0, (int) (pb.y + pb.height) + 6, 800, 300);
  g_assert_cmpint (ra, >, 10);
  g_assert_cmpint (rb, >, ra * 13 / 10);
  cairo_surface_destroy (a);
  cairo_surface_destroy (b);
}

/* One numbering (issue 9, item 2): token layers 0…L with 0 = the input embedding,
 * attention layers 1…L, heads 1…H.  With layer 0 chosen the SSM says layer 0 and
 * every attention panel says it has none at the input and which layer it shows. */
static char *
panel_texts (VitaPanel panel, const VitaPaintContext *ctx, int w, int h)
{
  vita_layout_record_begin ();
  cairo_surface_destroy (render (panel, ctx, w, h));
  g_autoptr(VitaLayoutRecord) rec = vita_layout_record_end ();
  GString *all = g_string_new (NULL);
  for (guint i = 0; i < rec->texts->len; i++)
    g_string_append_printf (all, "%s\n", g_array_index (rec->texts, VitaTextRecord, i).text);
  return g_string_free (all, FALSE);
}

static void
test_layer_numbering (Fixture *fx, gconstpointer data)
{
  fx->snap.layer = 0;
  fx->snap.head = 1;
  static const char input[] = "no attention at the input — showing layer 1";
  g_autofree char *att = panel_texts (VITA_PANEL_ATTENTION, &fx->ctx, 900, 800);
  g_autofree char *rec = panel_texts (VITA_PANEL_RECEIVED, &fx->ctx, 1400, 260);
  g_autofree char *row = panel_texts (VITA_PANEL_ATTENTION_ROW, &fx->ctx, 1400, 260);
  g_autofree char *ssm = panel_texts (VITA_PANEL_SSM, &fx->ctx, 700, 600);
  g_autofree char *grid = panel_texts (VITA_PANEL_ATTENTION_GRID, &fx->ctx, 1200, 1400);
  g_test_message ("attention:\n%s\nreceived:\n%s\nrow:\n%s\nssm:\n%s\ngrid:\n%s",
                  att, rec, row, ssm, grid);
  g_assert_nonnull (strstr (att, input));
  g_assert_nonnull (strstr (att, "head 2"));
  g_assert_nonnull (strstr (rec, input));
  g_assert_nonnull (strstr (row, input));
  g_assert_nonnull (strstr (ssm, "layer 0"));
  g_assert_nonnull (strstr (grid, "layer 1"));
  g_assert_nonnull (strstr (grid, "head 1"));
  const char *const texts[] = { att, rec, row, ssm, grid };
  for (gsize i = 0; i < G_N_ELEMENTS (texts); i++)
    {
      g_assert_null (strstr (texts[i], "block"));
      g_assert_null (strstr (texts[i], "head 0"));
      g_assert_null (strstr (texts[i], "embeddings"));
    }
  g_assert_null (strstr (grid, "layer 0"));
  /* Layer 1 chosen: the same layer, without the note. */
  fx->snap.layer = 1;
  g_autofree char *att1 = panel_texts (VITA_PANEL_ATTENTION, &fx->ctx, 900, 800);
  g_autofree char *ssm1 = panel_texts (VITA_PANEL_SSM, &fx->ctx, 700, 600);
  g_assert_null (strstr (att1, "no attention at the input"));
  g_assert_nonnull (strstr (att1, "layer 1, head 2"));
  g_assert_nonnull (strstr (ssm1, "layer 1"));
}

/* The playhead is legible on every colormap (issue 9, item 6): the SSM's red cross
 * on the red end of its diverging map gets a light halo beside the red line, so
 * where the map under the halo was red, it is no longer red but light. */
static gboolean
is_light (guint32 p)
{
  return ((p >> 16) & 0xff) > 200 && ((p >> 8) & 0xff) > 200 && (p & 0xff) > 200;
}

static void
test_playhead_halo (Fixture *fx, gconstpointer data)
{
  VitaRect area = { 0, 0, 500, 460 }, plot;
  double x, y;
  fx->snap.show_playhead = FALSE;
  cairo_surface_t *bare = render (VITA_PANEL_SSM, &fx->ctx, 500, 460);
  fx->snap.show_playhead = TRUE;
  cairo_surface_t *s = render (VITA_PANEL_SSM, &fx->ctx, 500, 460);
  g_assert_true (vita_panel_playhead (VITA_PANEL_SSM, &area, &fx->ctx, &plot, &x, &y));
  int X = (int) round (x), Y = (int) round (y);
  /* Pixels X-1, X are the 2-px line; X-2 and X+1 its halo (rows likewise). */
  int red_under = 0, outlined = 0, light = 0, n = 0;
  for (int i = 3; i < plot.height - 3; i++)
    {
      int yy = (int) plot.y + i;
      if (abs (yy - Y) < 4)
        continue;
      n++;
      g_assert_true (is_reddish (pixel (s, X - 1, yy)) || is_reddish (pixel (s, X, yy)));
      light += is_light (pixel (s, X - 2, yy)) && is_light (pixel (s, X + 1, yy));
      for (int dx = -2; dx <= 1; dx += 3)
        if (is_reddish (pixel (bare, X + dx, yy)))
          {
            red_under++;
            outlined += !is_reddish (pixel (s, X + dx, yy));
          }
    }
  g_test_message ("halo: %d of %d rows light; %d red map pixels under the halo, %d outlined",
                  light, n, red_under, outlined);
  g_assert_cmpint (light, >, n * 9 / 10);
  g_assert_cmpint (red_under, >, 0);
  g_assert_cmpint (outlined, ==, red_under);
  /* The horizontal line too. */
  int light_row = 0, m = 0;
  for (int i = 3; i < plot.width - 3; i++)
    {
      int xx = (int) plot.x + i;
      if (abs (xx - X) < 4)
        continue;
      m++;
      light_row += is_light (pixel (s, xx, Y - 2)) && is_light (pixel (s, xx, Y + 1));
    }
  g_assert_cmpint (light_row, >, m * 9 / 10);
  cairo_surface_destroy (bare);
  cairo_surface_destroy (s);
}

/* A comparison's two maps side by side in a square card: one colour scale, one
 * colorbar (B's), and both plots the same size, larger than with a colorbar each; a
 * per-side scale keeps both; a tall, narrow card stacks A above B, which leaves the
 * maps more room there. */
static void
test_compare_split (void)
{
  VitaAnalysis *an = views_synth_analysis (30.0, TRUE);
  VitaPaintCache *cache = vita_paint_cache_new (an);
  VitaTimelineSnapshot snap;
  vita_timeline_snapshot_init (&snap, 16000, 512, 30 * 16000, an->n_layers, 3);
  VitaStyle style;
  vita_style_init (&style);
  VitaPaintCompare cmp = { .cache_b = cache, .label_a = "a", .label_b = "b",
                           .view = VITA_COMPARE_SIDE_BY_SIDE };
  VitaPaintContext ctx = { .cache = cache, .snap = &snap, .style = &style, .compare = &cmp };
  const VitaRect card = { 0, 0, 320, 280 };
  const VitaPanel panels[] = { VITA_PANEL_SSM, VITA_PANEL_ATTENTION };
  for (guint k = 0; k < G_N_ELEMENTS (panels); k++)
    for (int per_side = 0; per_side < 2; per_side++)
      {
        cmp.per_side_scale = per_side;
        VitaCompareSides sd;
        g_assert_cmpint (vita_compare_sides (panels[k], &card, &ctx, &sd), ==, 2);
        const gboolean shared = panels[k] == VITA_PANEL_SSM || !per_side;
        if (shared)
          {
            g_assert_cmpfloat (sd.areas[0].y, ==, sd.areas[1].y);   /* beside */
            g_assert_cmpfloat_with_epsilon (sd.areas[0].width + sd.areas[1].width, card.width, 1e-9);
          }
        VitaRect plot[2], cbar[2];
        for (int i = 0; i < 2; i++)
          vita_square_plot (sd.ctxs[i].style, &sd.areas[i], panels[k], &plot[i], &cbar[i]);
        g_test_message ("%s, %s scale: plots %.1f and %.1f px", vita_panel_to_string (panels[k]),
                        per_side ? "per-side" : "one", plot[0].width, plot[1].width);
        g_assert_cmpfloat (fabs (plot[0].width - plot[1].width), <, 1.0);
        g_assert_true (sd.ctxs[1].style->draw_colorbar);
        /* each its own colorbar: the halves as before */
        VitaRect half = { 0, card.y + 13, card.width / 2, card.height - 13 }, own;
        vita_square_plot (&style, &half, panels[k], &own, NULL);
        g_assert_cmpint (sd.ctxs[0].style->draw_colorbar, ==, !shared);
        if (shared)
          g_assert_cmpfloat (plot[0].width, >, own.width * 1.3);
        else   /* beside or (here) above: never smaller than beside */
          g_assert_cmpfloat (plot[0].width, >=, own.width - 1.0);
      }
  /* a tall, narrow area: A above B */
  VitaCompareSides sd;
  const VitaRect tall = { 0, 0, 300, 800 };
  g_assert_cmpint (vita_compare_sides (VITA_PANEL_SSM, &tall, &ctx, &sd), ==, 2);
  g_assert_cmpfloat (sd.areas[0].x, ==, sd.areas[1].x);
  g_assert_cmpfloat (sd.areas[1].y, >, sd.areas[0].y + sd.areas[0].height - 1e-9);
  vita_paint_cache_unref (cache);
  views_synth_free (an);
}

int
main (int argc, char **argv)
{
  char *cache = vita_test_cache_new ();   /* before g_test_init */
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/views/paint/peaks-long", test_peaks_long);
  g_test_add_func ("/views/paint/colormaps", test_colormaps);
  g_test_add_func ("/views/paint/ticks", test_ticks_and_labels);
  g_test_add_func ("/views/paint/time-axis-long", test_time_axis_long);
  g_test_add_func ("/views/paint/envelope-resolution", test_envelope_resolution);
  g_test_add_func ("/views/paint/partial-analysis", test_partial_analysis);
  g_test_add_func ("/views/paint/compare-split", test_compare_split);
  g_test_add_func ("/views/paint/preview-unknown", test_preview_unknown);
  g_test_add_func ("/views/paint/preview-tiles", test_preview_tiles);
  g_test_add_func ("/views/paint/registry", test_registry);
#define ADD(path, fn) g_test_add (path, Fixture, NULL, fixture_setup, fn, fixture_teardown)
  ADD ("/views/paint/peaks", test_peaks);
  ADD ("/views/paint/waveform", test_waveform);
  static const double ten_minutes = 600.0;
  g_test_add ("/views/paint/waveform-wide", Fixture, &ten_minutes, fixture_setup,
              test_waveform_wide, fixture_teardown);
  ADD ("/views/paint/mel", test_mel);
  g_test_add_func ("/views/paint/mel-tiles", test_mel_tiles);
  ADD ("/views/paint/received", test_received);
  ADD ("/views/paint/ssm", test_ssm);
  ADD ("/views/paint/attention", test_attention);
  ADD ("/views/paint/attention-async", test_attention_async);
  ADD ("/views/paint/grid-row-overview-probes", test_grid_row_overview_probes);
  ADD ("/views/paint/layout", test_layout);
  ADD ("/views/paint/cka", test_cka);
  ADD ("/views/paint/training", test_training);
  ADD ("/views/paint/font-size", test_font_size_scales_text);
  ADD ("/views/paint/layer-numbering", test_layer_numbering);
  ADD ("/views/paint/playhead-halo", test_playhead_halo);
  ADD ("/views/paint/readout-format", test_readout_format);
  return vita_test_cache_remove (cache, g_test_run ());
}
