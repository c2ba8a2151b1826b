/* test-probeogram.c — the layer × time probe-o-gram painter draws layer 0 at the
 * bottom, follows the visible range, and refuses an analysis without tokens. */
#include "vita-test.h"
#include "views/vita-probeogram.h"
#include "views/vita-probe-lanes.h"

#include <string.h>

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
  for (int l = 0; l < L; l++)
    pg->probed[l] = TRUE;
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
  /* a layer without a probe (the top one, NaN values) is hatched, never the colormap's
   * floor: background and rule pixels, no zero-colour ones */
  snap.visible_start = 0;
  pg->probed[L - 1] = FALSE;
  for (int f = 0; f < F; f++)
    pg->values[(gsize) (L - 1) * F + f] = NAN;
  vita_probeogram_paint (cr, &area, &ctx, pg);
  {
    int bg = 0, zero = 0, y = (int) (plot.y + plot.height * 0.1);
    for (int x = (int) plot.x + 2; x < (int) (plot.x + plot.width) - 2; x++)
      {
        double px[3];
        pixel (s, x, y, px);
        bg += dist (px, style.bg) < 0.05;
        zero += dist (px, lo) < 0.1;
      }
    g_assert_cmpint (zero, ==, 0);
    g_assert_cmpint (bg, >, plot.width / 3);
    g_assert_cmpint (bg, <, plot.width - 10);   /* hatch lines cross the row */
  }
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

/* A real analysis of a small random model on a synthetic mel input: a chord probe per
 * layer trained on its tokens feeds the probe-o-gram and a probe lane with a score. */
static void
test_from_analysis (void)
{
  VitaVitConfig cfg;
  g_autoptr(GError) error = NULL;
  g_assert_true (vita_vit_config_init_preset (&cfg, "test", &error));
  g_autoptr(VitaVit) vit = vita_vit_new_random (&cfg, 3);
  int F = 200, M = cfg.fe.n_mels;
  g_autofree float *mel = g_new (float, (gsize) F * M);
  g_autofree int *truth = g_new (int, F);
  /* 4 "chords" of 50 frames, each a different band pattern */
  for (int f = 0; f < F; f++)
    {
      truth[f] = (f / 50) * 5 % 25;
      for (int m = 0; m < M; m++)
        mel[(gsize) f * M + m] = (m % 4 == f / 50) ? 2.0f : -1.0f + 0.01f * (f % 7);
    }
  VitaAnalysisOptions aopt;
  vita_analysis_options_init (&aopt);
  g_autoptr(VitaAnalysis) an = vita_analysis_new (vit, mel, F, &aopt, &error);
  g_assert_no_error (error);
  g_assert_true (vita_analysis_run (an, NULL, NULL, NULL, NULL, NULL, &error));
  VitaProbe *probes[8] = { NULL };
  VitaProbeTrainOptions topt;
  vita_probe_train_options_init (&topt);
  topt.epochs = 100;
  topt.batch = 32;
  topt.lr = 1e-2f;
  g_assert_cmpint (an->n_layers, <=, 8);
  for (int l = 0; l < an->n_layers; l++)
    {
      probes[l] = vita_probe_new (cfg.dim, 25, VITA_PROBE_SOFTMAX);
      probes[l]->layer = l;
      g_free (probes[l]->task);
      probes[l]->task = g_strdup ("chord");
      g_assert_true (vita_probe_train (probes[l], an->tokens + (gsize) l * F * cfg.dim, F, truth,
                                       NULL, &topt, NULL, &error));
    }
  g_autoptr(VitaProbeogram) pg = vita_probeogram_from_analysis (an, probes, an->n_layers, truth,
                                                                "chords", &error);
  g_assert_no_error (error);
  for (int l = 0; l < an->n_layers; l++)
    g_assert_true (pg->probed[l]);
  double mean = 0;
  for (gsize i = 0; i < (gsize) an->n_layers * F; i++)
    {
      g_assert_true (pg->values[i] >= 0 && pg->values[i] <= 1);
      mean += pg->values[i];
    }
  mean /= an->n_layers * F;
  g_assert_cmpfloat (mean, >, 0.5);  /* separable: the truth class gets most mass */

  /* a lane with a score against a chord track covering the same frames */
  g_autoptr(VitaChordTrack) track = g_new0 (VitaChordTrack, 1);
  track->segments = g_array_new (FALSE, FALSE, sizeof (VitaChordSegment));
  double hop_s = (double) cfg.fe.hop_length / cfg.fe.sample_rate;
  for (int k = 0; k < 4; k++)
    {
      VitaChordSegment seg = { k == 0 ? 0.0 : (k * 50 - 0.5) * hop_s, (k * 50 + 49.5) * hop_s,
                               k * 5 % 25 };
      g_array_append_val (track->segments, seg);
    }
  VitaProbeTruth t = { .chords = track };
  double score;
  g_autoptr(VitaProbeLane) lane = vita_probe_lane_from_probe (an, probes[1], &t, &score, &error);
  g_assert_no_error (error);
  g_assert_cmpfloat (score, >, 0.9);
  g_assert_nonnull (strstr (lane->name, "majmin"));
  g_assert_nonnull (lane->truth);
  g_assert_cmpint (lane->truth[120], ==, 10);
  /* a probe of another width is refused with a message */
  g_autoptr(VitaProbe) wrong = vita_probe_new (cfg.dim + 1, 25, VITA_PROBE_SOFTMAX);
  g_assert_null (vita_probe_lane_from_probe (an, wrong, NULL, NULL, &error));
  g_assert_error (error, VITA_MODEL_ERROR, VITA_MODEL_ERROR_MISMATCH);
  for (int l = 0; l < an->n_layers; l++)
    vita_probe_free (probes[l]);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/probeogram/paint", test_paint);
  g_test_add_func ("/probeogram/refusals", test_refusals);
  g_test_add_func ("/probeogram/from-analysis-and-lane", test_from_analysis);
  return g_test_run ();
}
