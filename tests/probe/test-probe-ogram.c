/* test-probe-ogram.c — the layer × time probe-o-gram painter draws layer 0 at the
 * bottom, follows the visible range, and refuses an analysis without tokens. */
#include "vita-test.h"
#include "views/vita-probe-ogram.h"

#include <math.h>

static void
pixel (cairo_surface_t *s, int x, int y, double rgb[3])
{
  cairo_surface_flush (s);
  const guint8 *d = cairo_image_surface_get_data (s);
  guint32 v = *(const guint32 *) (d + y * cairo_image_surface_get_stride (s) + 4 * x);
  rgb[0] = ((v >> 16) & 0xff) / 255.0;
  rgb[1] = ((v >> 8) & 0xff) / 255.0;
  rgb[2] = (v & 0xff) / 255.0;
}

static double
dist (const double a[3], const double b[3])
{
  return fabs (a[0] - b[0]) + fabs (a[1] - b[1]) + fabs (a[2] - b[2]);
}

static void
test_paint (void)
{
  int L = 5, F = 313;  /* 10 s at 16 kHz, hop 512 */
  g_autoptr(VitaProbeogram) pg = vita_probeogram_new ("chords", L, F);
  for (int l = 0; l < L; l++)
    for (int f = 0; f < F; f++)
      pg->values[(gsize) l * F + f] = f < F / 2 ? (float) l / (L - 1) : 1.0f - (float) l / (L - 1);
  pg->has_truth = TRUE;
  VitaTimelineSnapshot snap;
  vita_timeline_snapshot_init (&snap, 16000, 512, (gint64) (F - 1) * 512, L, 3);
  snap.show_playhead = FALSE;
  VitaStyle style;
  vita_style_init (&style);
  VitaPaintContext ctx = { .snap = &snap, .style = &style };
  cairo_surface_t *s = cairo_image_surface_create (CAIRO_FORMAT_RGB24, 800, 300);
  cairo_t *cr = cairo_create (s);
  VitaRect area = { 0, 0, 800, 300 };
  vita_probeogram_paint (cr, &area, &ctx, pg);
  g_assert_cmpint (cairo_status (cr), ==, CAIRO_STATUS_SUCCESS);
  /* find the plot: the mel panel's layout for the same area */
  VitaRect plot, cbar;
  vita_panel_layout (&style, 0, 0, 800, 300, VITA_PANEL_XAXIS | VITA_PANEL_YAXIS |
                     VITA_PANEL_COLORBAR | VITA_PANEL_TITLE, &plot, &cbar);
  int x_left = (int) (plot.x + plot.width * 0.25), x_right = (int) (plot.x + plot.width * 0.75);
  int y_top = (int) (plot.y + plot.height * 0.1), y_bottom = (int) (plot.y + plot.height * 0.9);
  double tl[3], bl[3], tr[3], br[3], lo[3], hi[3];
  pixel (s, x_left, y_top, tl);
  pixel (s, x_left, y_bottom, bl);
  pixel (s, x_right, y_top, tr);
  pixel (s, x_right, y_bottom, br);
  vita_colormap_rgb (style.colormap, 0.0, &lo[0], &lo[1], &lo[2]);
  vita_colormap_rgb (style.colormap, 1.0, &hi[0], &hi[1], &hi[2]);
  /* first half: top layer = 1 (high colour), layer 0 at the bottom = 0; second half swapped */
  g_assert_cmpfloat (dist (tl, hi), <, 0.1);
  g_assert_cmpfloat (dist (bl, lo), <, 0.1);
  g_assert_cmpfloat (dist (tr, lo), <, 0.1);
  g_assert_cmpfloat (dist (br, hi), <, 0.1);
  /* zoomed into the second half only: the left of the plot now shows the second half */
  snap.visible_start = (gint64) (F / 2 + 20) * 512;
  vita_probeogram_paint (cr, &area, &ctx, pg);
  pixel (s, x_left, y_top, tl);
  g_assert_cmpfloat (dist (tl, lo), <, 0.1);
  /* no probes: a message, no crash */
  vita_probeogram_paint (cr, &area, &ctx, NULL);
  g_assert_cmpint (cairo_status (cr), ==, CAIRO_STATUS_SUCCESS);
  cairo_destroy (cr);
  cairo_surface_destroy (s);
}

static void
test_refusals (void)
{
  g_autoptr(GError) error = NULL;
  g_assert_null (vita_probeogram_from_analysis (NULL, NULL, 0, NULL, "x", &error));
  g_assert_error (error, VITA_MODEL_ERROR, VITA_MODEL_ERROR_MISMATCH);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/probe-ogram/paint", test_paint);
  g_test_add_func ("/probe-ogram/refusals", test_refusals);
  return g_test_run ();
}
