/* bench-views-widgets.c — per-frame cost of all nine panel widgets on a synthetic
 * 5-minute analysis, as the frame clock would see it: after each playhead step
 * (1/60 s) every view is snapshotted (our code: content key, re-render only when it
 * changed, texture + playhead nodes), then the node tree is drawn with Cairo (an
 * upper bound for GSK's composite; the GL renderer does it on the GPU).
 * Modes: playback with follow page / continuous (the range moves every frame) / off.
 * Run under a display: xvfb-run -a build/bench/bench-views-widgets */
#include "views-synth.h"
#include "views/vita-views.h"
#include "views/vita-views-private.h"

#include <stdio.h>
#include <stdlib.h>


static guint64 tick_count;

static gboolean
on_tick (GtkWidget *w, GdkFrameClock *clock, gpointer data)
{
  tick_count++;
  return G_SOURCE_CONTINUE;
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
  if (!gtk_init_check ())
    {
      fprintf (stderr, "bench-views-widgets: no display (use xvfb-run)\n");
      return 1;
    }
  int frames = argc > 1 ? atoi (argv[1]) : 120;
  vita_views_set_attention_func (views_synth_attention);
  VitaAnalysis *an = views_synth_analysis (300.0, TRUE);
  gsize n;
  float *pcm = views_synth_pcm (300.0, &n);
  VitaPeaks *peaks = vita_peaks_new (pcm, n, 16000);
  g_free (pcm);
  VitaTimeline *tl = vita_timeline_new ();
  vita_timeline_configure (tl, 16000, 512, n, an->n_layers, 3);
  GtkWidget *(*ctors[9]) (VitaTimeline *) = {
    vita_overview_view_new, vita_waveform_view_new, vita_mel_view_new, vita_received_view_new,
    vita_probe_view_new, vita_attention_view_new, vita_attention_row_view_new,
    vita_attention_grid_view_new, vita_ssm_view_new,
  };
  int sizes[9][2] = { { 1200, 70 }, { 1200, 160 }, { 1200, 260 }, { 1200, 200 }, { 1200, 120 },
                      { 520, 480 }, { 520, 200 }, { 420, 900 }, { 520, 480 } };
  GtkWidget *window = gtk_window_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *views[9];
  GdkPaintable *paint[9];
  for (int i = 0; i < 9; i++)
    {
      views[i] = ctors[i] (tl);
      gtk_widget_set_size_request (views[i], sizes[i][0], sizes[i][1]);
      g_object_set (views[i], "analysis", an, "peaks", peaks, NULL);
      gtk_box_append (GTK_BOX (box), views[i]);
      paint[i] = gtk_widget_paintable_new (views[i]);
    }
  GtkWidget *scroller = gtk_scrolled_window_new ();
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroller), box);
  gtk_window_set_child (GTK_WINDOW (window), scroller);
  gtk_window_set_default_size (GTK_WINDOW (window), 1300, 900);
  gtk_window_present (GTK_WINDOW (window));
  gtk_widget_add_tick_callback (window, on_tick, NULL, NULL);
  for (int k = 0; k < 50; k++)
    while (g_main_context_iteration (NULL, FALSE))
      ;
  vita_timeline_set_visible (tl, 16000 * 55, 16000 * 65);
  vita_timeline_set_position (tl, 16000 * 60);

  const char *names[3] = { "playback, follow page", "playback, follow continuous",
                           "playback, follow off" };
  VitaFollowMode modes[3] = { VITA_FOLLOW_PAGE, VITA_FOLLOW_CONTINUOUS, VITA_FOLLOW_OFF };
  printf ("9 panel widgets, synthetic 300 s analysis (%d frames), %d frames of 1/60 s;\n"
          "CPU time of all views' snapshot functions per drawn frame (content re-rendered\n"
          "only when its key changed; GSK compositing not included)\n", an->n_frames, frames);
  for (int m = 0; m < 3; m++)
    {
      vita_timeline_set_follow (tl, modes[m]);
      double *ours = g_new (double, frames);
      int drawn = 0;
      for (int f = 0; f < frames; f++)
        {
          gint64 before = 0, after = 0;
          for (int i = 0; i < 9; i++)
            before += vita_panel_view_get_snapshot_time (VITA_PANEL_VIEW (views[i]));
          vita_timeline_set_position (tl, vita_timeline_get_position (tl) + 16000 / 60);
          /* Let the frame clock draw the window once. */
          guint64 target = tick_count + 2;
          while (tick_count < target)
            g_main_context_iteration (NULL, TRUE);
          for (int i = 0; i < 9; i++)
            after += vita_panel_view_get_snapshot_time (VITA_PANEL_VIEW (views[i]));
          ours[drawn++] = (after - before) / 1000.0;
        }
      qsort (ours, drawn, sizeof (double), cmp);
      printf ("%-28s median %.2f ms, p95 %.2f, max %.2f\n", names[m], ours[drawn / 2],
              ours[drawn * 95 / 100], ours[drawn - 1]);
      g_free (ours);
    }
  for (int i = 0; i < 9; i++)
    g_object_unref (paint[i]);
  gtk_window_destroy (GTK_WINDOW (window));
  g_object_unref (tl);
  vita_peaks_unref (peaks);
  return 0;
}
