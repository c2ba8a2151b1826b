/* bench-views.c — per-frame draw time of every painter on a synthetic 5-minute
 * analysis (Tiny-shaped: L 12, NH 3, T 126, 9376 frames), into image surfaces of
 * on-screen sizes.  Three cases per panel:
 *   cold      first paint (builds the heatmap surface / recomputes attention)
 *   playback  the playhead advances one 60 Hz frame per paint, full repaint
 *   follow    continuous follow: the visible range moves every paint too
 * The widgets re-render only when their content key changes, so on screen playback
 * costs the "playback" time only for panels keyed on the position (attention row
 * per frame, attention map/grid per window) and a colour node for the others.
 * Usage: bench-views [seconds=300] [repeats=60] [panel] */
#include "views-synth.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

/* Thread CPU time in µs: the machine is shared, wall time would measure the load. */
static gint64
cpu_us (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts);
  return (gint64) ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static int
cmp (const void *a, const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return x < y ? -1 : x > y;
}

int
main (int argc, char **argv)
{
  double seconds = argc > 1 ? atof (argv[1]) : 300.0;
  int reps = argc > 2 ? atoi (argv[2]) : 60;
  VitaAnalysis *an = views_synth_analysis (seconds, TRUE);
  gsize n;
  float *pcm = views_synth_pcm (seconds, &n);
  VitaPeaks *peaks = vita_peaks_new (pcm, n, 16000);
  g_free (pcm);
  VitaStyle style;
  vita_style_init (&style);
  struct { VitaPanel p; int w, h; } panels[] = {
    { VITA_PANEL_OVERVIEW, 1200, 70 }, { VITA_PANEL_WAVEFORM, 1200, 160 },
    { VITA_PANEL_MEL, 1200, 260 }, { VITA_PANEL_RECEIVED, 1200, 200 },
    { VITA_PANEL_PROBES, 1200, 120 }, { VITA_PANEL_ATTENTION, 520, 480 },
    { VITA_PANEL_ATTENTION_ROW, 520, 200 }, { VITA_PANEL_ATTENTION_GRID, 420, 900 },
    { VITA_PANEL_SSM, 520, 480 },
  };
  printf ("synthetic analysis: %.0f s, %d frames, %d windows, SSM %d², %d layers × %d heads\n",
          seconds, an->n_frames, an->n_windows, an->ssm_size, an->cfg.depth, an->cfg.heads);
  printf ("%-16s %10s %12s %12s   (ms CPU, median of %d; max in brackets)\n", "panel", "cold",
          "playback", "follow", reps);
  double total_play = 0, total_follow = 0;
  const char *only = argc > 3 ? argv[3] : NULL;
  for (gsize k = 0; k < G_N_ELEMENTS (panels); k++)
    {
      if (only && g_strcmp0 (only, vita_panel_to_string (panels[k].p)) != 0)
        continue;
      VitaPaintCache *cache = vita_paint_cache_new (an);
      vita_paint_cache_set_attention_func (cache, views_synth_attention);
      VitaTimelineSnapshot snap;
      vita_timeline_snapshot_init (&snap, 16000, 512, n, an->n_layers, an->cfg.heads);
      snap.layer = 6;
      snap.head = 1;
      snap.position = 16000 * 60;
      snap.visible_start = 16000 * 55;
      snap.visible_end = 16000 * 65;
      VitaPaintContext ctx = { .cache = cache, .peaks = peaks, .snap = &snap, .style = &style };
      cairo_surface_t *s = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, panels[k].w, panels[k].h);
      cairo_t *cr = cairo_create (s);
      VitaRect area = { 0, 0, panels[k].w, panels[k].h };
      gint64 t0 = cpu_us ();
      vita_panel_paint (panels[k].p, cr, &area, &ctx);
      cairo_surface_flush (s);
      double cold = (cpu_us () - t0) / 1000.0;
      double play[reps], follow[reps];
      for (int mode = 0; mode < 2; mode++)
        for (int r = 0; r < reps; r++)
          {
            snap.position += 16000 / 60;
            if (mode == 1)
              {
                snap.visible_start += 16000 / 60;
                snap.visible_end += 16000 / 60;
              }
            t0 = cpu_us ();
            vita_panel_paint (panels[k].p, cr, &area, &ctx);
            cairo_surface_flush (s);
            (mode ? follow : play)[r] = (cpu_us () - t0) / 1000.0;
          }
      qsort (play, reps, sizeof (double), cmp);
      qsort (follow, reps, sizeof (double), cmp);
      printf ("%-16s %10.2f %7.2f [%5.1f] %6.2f [%5.1f]\n", vita_panel_to_string (panels[k].p), cold,
              play[reps / 2], play[reps - 1], follow[reps / 2], follow[reps - 1]);
      total_play += play[reps / 2];
      total_follow += follow[reps / 2];
      cairo_destroy (cr);
      cairo_surface_destroy (s);
      vita_paint_cache_unref (cache);
    }
  printf ("%-16s %10s %12.2f %12.2f   (sum of medians: every panel repainted)\n", "all panels", "",
          total_play, total_follow);
  vita_peaks_unref (peaks);
  views_synth_free (an);
  return 0;
}
