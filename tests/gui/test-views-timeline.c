/* test-views-timeline.c — VitaTimeline: clamping, notify only on real change,
 * conversions (token i centred at sample i*hop), zoom/scroll, follow modes. */
#include "views/vita-timeline.h"

typedef struct {
  GHashTable *counts;   /* property name → notify count */
} Notes;

static void
on_notify (GObject *obj, GParamSpec *pspec, gpointer data)
{
  Notes *n = data;
  int c = GPOINTER_TO_INT (g_hash_table_lookup (n->counts, pspec->name));
  g_hash_table_insert (n->counts, (gpointer) pspec->name, GINT_TO_POINTER (c + 1));
}

static int
count (Notes *n, const char *name)
{
  return GPOINTER_TO_INT (g_hash_table_lookup (n->counts, name));
}

static VitaTimeline *
make (Notes *n)
{
  VitaTimeline *tl = vita_timeline_new ();
  /* 10 s at 16 kHz, hop 512 → 1 + 160000/512 = 313 frames. */
  vita_timeline_configure (tl, 16000, 512, 160000, 13, 3);
  n->counts = g_hash_table_new (g_str_hash, g_str_equal);
  g_signal_connect (tl, "notify", G_CALLBACK (on_notify), n);
  return tl;
}

static void
test_configure (void)
{
  Notes n;
  g_autoptr(VitaTimeline) tl = make (&n);
  g_assert_cmpint (vita_timeline_get_n_frames (tl), ==, 313);
  g_assert_cmpint (vita_timeline_get_n_samples (tl), ==, 160000);
  gint64 s, e;
  vita_timeline_get_visible (tl, &s, &e);
  g_assert_cmpint (s, ==, 0);
  g_assert_cmpint (e, ==, 160000);
  /* same configuration again: nothing notifies */
  vita_timeline_configure (tl, 16000, 512, 160000, 13, 3);
  g_assert_cmpuint (g_hash_table_size (n.counts), ==, 0);
  g_hash_table_unref (n.counts);
}

static void
test_position_notify_and_clamp (void)
{
  Notes n;
  g_autoptr(VitaTimeline) tl = make (&n);
  vita_timeline_set_follow (tl, VITA_FOLLOW_OFF);
  g_hash_table_remove_all (n.counts);

  vita_timeline_set_position (tl, 1000);
  g_assert_cmpint (count (&n, "position"), ==, 1);
  vita_timeline_set_position (tl, 1000);
  g_assert_cmpint (count (&n, "position"), ==, 1);   /* no real change, no notify */
  /* 1000 / 512 = 1.95 → nearest centre is frame 2 (sample 1024) */
  g_assert_cmpint (vita_timeline_get_current_frame (tl), ==, 2);
  g_assert_cmpint (count (&n, "current-frame"), ==, 1);
  vita_timeline_set_position (tl, 1030);    /* same frame: current-frame silent */
  g_assert_cmpint (count (&n, "current-frame"), ==, 1);
  g_assert_cmpint (count (&n, "position"), ==, 2);

  vita_timeline_set_position (tl, -50);
  g_assert_cmpint (vita_timeline_get_position (tl), ==, 0);
  vita_timeline_set_position (tl, 10000000);
  g_assert_cmpint (vita_timeline_get_position (tl), ==, 160000);
  g_assert_cmpint (vita_timeline_get_current_frame (tl), ==, 312);

  /* property path goes through the same clamp */
  g_object_set (tl, "position", (gint64) 512 * 7, NULL);
  g_assert_cmpint (vita_timeline_get_current_frame (tl), ==, 7);
  g_hash_table_unref (n.counts);
}

static void
test_conversions (void)
{
  Notes n;
  g_autoptr(VitaTimeline) tl = make (&n);
  g_assert_cmpint (vita_timeline_frame_to_sample (tl, 0), ==, 0);
  g_assert_cmpint (vita_timeline_frame_to_sample (tl, 10), ==, 5120);
  for (int i = 0; i < 313; i++)
    g_assert_cmpint (vita_timeline_sample_to_frame (tl, vita_timeline_frame_to_sample (tl, i)), ==, i);
  g_assert_cmpint (vita_timeline_sample_to_frame (tl, 255), ==, 0);
  g_assert_cmpint (vita_timeline_sample_to_frame (tl, 256), ==, 1);
  g_assert_cmpint (vita_timeline_sample_to_frame (tl, -9), ==, 0);
  g_assert_cmpfloat_with_epsilon (vita_timeline_sample_to_seconds (tl, 8000), 0.5, 1e-12);

  VitaTimelineSnapshot snap;
  vita_timeline_set_position (tl, 5120);
  vita_timeline_snapshot (tl, &snap);
  g_assert_cmpint (vita_snapshot_current_frame (&snap), ==, 10);
  g_assert_cmpint (vita_snapshot_sample_to_frame (&snap, 5400), ==, 11);
  g_assert_cmpint (snap.n_frames, ==, 313);
  g_hash_table_unref (n.counts);
}

static void
test_visible_zoom_scroll (void)
{
  Notes n;
  g_autoptr(VitaTimeline) tl = make (&n);
  gint64 s, e;
  vita_timeline_set_visible (tl, 20000, 10000);    /* swapped */
  vita_timeline_get_visible (tl, &s, &e);
  g_assert_cmpint (s, ==, 10000);
  g_assert_cmpint (e, ==, 20000);
  int vs = count (&n, "visible-start");
  vita_timeline_set_visible (tl, 10000, 20000);
  g_assert_cmpint (count (&n, "visible-start"), ==, vs);

  vita_timeline_set_visible (tl, 150000, 190000);  /* past the end: shifted, span kept */
  vita_timeline_get_visible (tl, &s, &e);
  g_assert_cmpint (e, ==, 160000);
  g_assert_cmpint (s, ==, 120000);

  vita_timeline_set_visible (tl, -100, 900000);    /* too wide: the whole track */
  vita_timeline_get_visible (tl, &s, &e);
  g_assert_cmpint (s, ==, 0);
  g_assert_cmpint (e, ==, 160000);

  /* zoom in ×4 around 80000 (the centre) keeps the anchor at the centre */
  vita_timeline_zoom (tl, 4.0, 80000);
  vita_timeline_get_visible (tl, &s, &e);
  g_assert_cmpint (e - s, ==, 40000);
  g_assert_cmpint (s, ==, 60000);
  /* anchor at a quarter stays at a quarter */
  vita_timeline_zoom (tl, 2.0, 70000);
  vita_timeline_get_visible (tl, &s, &e);
  g_assert_cmpint (e - s, ==, 20000);
  g_assert_cmpint (s, ==, 65000);
  /* zooming in forever stops at the minimum span */
  for (int i = 0; i < 40; i++)
    vita_timeline_zoom (tl, 10.0, 70000);
  vita_timeline_get_visible (tl, &s, &e);
  g_assert_cmpint (e - s, ==, 16);
  /* zoom out forever: whole track */
  for (int i = 0; i < 40; i++)
    vita_timeline_zoom (tl, 0.1, 70000);
  vita_timeline_get_visible (tl, &s, &e);
  g_assert_cmpint (s, ==, 0);
  g_assert_cmpint (e, ==, 160000);

  vita_timeline_set_visible (tl, 0, 10000);
  vita_timeline_scroll (tl, 5000);
  vita_timeline_get_visible (tl, &s, &e);
  g_assert_cmpint (s, ==, 5000);
  g_assert_cmpint (e, ==, 15000);
  vita_timeline_scroll (tl, 1000000);
  vita_timeline_get_visible (tl, &s, &e);
  g_assert_cmpint (e, ==, 160000);
  g_assert_cmpint (s, ==, 150000);
  vita_timeline_scroll (tl, -1000000);
  vita_timeline_get_visible (tl, &s, &e);
  g_assert_cmpint (s, ==, 0);
  g_hash_table_unref (n.counts);
}

static void
test_follow (void)
{
  Notes n;
  g_autoptr(VitaTimeline) tl = make (&n);
  gint64 s, e;
  vita_timeline_set_visible (tl, 0, 10000);
  vita_timeline_set_follow (tl, VITA_FOLLOW_PAGE);
  vita_timeline_set_position (tl, 9000);
  vita_timeline_get_visible (tl, &s, &e);
  g_assert_cmpint (s, ==, 0);
  vita_timeline_set_position (tl, 10500);          /* leaves the view: next page */
  vita_timeline_get_visible (tl, &s, &e);
  g_assert_cmpint (s, ==, 10000);
  g_assert_cmpint (e, ==, 20000);

  vita_timeline_set_follow (tl, VITA_FOLLOW_CONTINUOUS);
  vita_timeline_set_position (tl, 50000);
  vita_timeline_get_visible (tl, &s, &e);
  g_assert_cmpint (s, ==, 45000);
  g_assert_cmpint (e, ==, 55000);

  vita_timeline_set_follow (tl, VITA_FOLLOW_OFF);
  vita_timeline_set_position (tl, 100000);
  vita_timeline_get_visible (tl, &s, &e);
  g_assert_cmpint (s, ==, 45000);
  g_hash_table_unref (n.counts);
}

static void
test_layer_head_selection (void)
{
  Notes n;
  g_autoptr(VitaTimeline) tl = make (&n);
  vita_timeline_set_layer (tl, 99);
  g_assert_cmpint (vita_timeline_get_layer (tl), ==, 12);
  vita_timeline_set_layer (tl, -3);
  g_assert_cmpint (vita_timeline_get_layer (tl), ==, 0);
  g_assert_cmpint (count (&n, "layer"), ==, 2);
  vita_timeline_set_layer (tl, 0);
  g_assert_cmpint (count (&n, "layer"), ==, 2);

  vita_timeline_set_head (tl, -1);                 /* average */
  g_assert_cmpint (vita_timeline_get_head (tl), ==, -1);
  vita_timeline_set_head (tl, -7);
  g_assert_cmpint (vita_timeline_get_head (tl), ==, -1);
  vita_timeline_set_head (tl, 5);
  g_assert_cmpint (vita_timeline_get_head (tl), ==, 2);

  vita_timeline_set_query_token (tl, 1000);
  g_assert_cmpint (vita_timeline_get_query_token (tl), ==, 312);
  vita_timeline_set_query_token (tl, -5);
  g_assert_cmpint (vita_timeline_get_query_token (tl), ==, -1);

  gint64 s, e;
  vita_timeline_set_selection (tl, 9000, -4);
  vita_timeline_get_selection (tl, &s, &e);
  g_assert_cmpint (s, ==, 0);
  g_assert_cmpint (e, ==, 9000);

  vita_timeline_set_probe (tl, "chords");
  vita_timeline_set_probe (tl, "chords");
  g_assert_cmpint (count (&n, "probe"), ==, 1);
  g_assert_cmpstr (vita_timeline_get_probe (tl), ==, "chords");
  vita_timeline_set_probe (tl, NULL);
  g_assert_null (vita_timeline_get_probe (tl));

  vita_timeline_set_playing (tl, 7);
  vita_timeline_set_playing (tl, TRUE);
  g_assert_cmpint (count (&n, "playing"), ==, 1);

  /* reconfiguring to a shorter model re-clamps layer and head */
  vita_timeline_set_layer (tl, 12);
  vita_timeline_set_head (tl, 2);
  vita_timeline_configure (tl, 16000, 512, 160000, 3, 2);
  g_assert_cmpint (vita_timeline_get_layer (tl), ==, 2);
  g_assert_cmpint (vita_timeline_get_head (tl), ==, 1);
  /* a shorter track clamps position and selection */
  vita_timeline_set_position (tl, 150000);
  vita_timeline_configure (tl, 16000, 512, 8000, 3, 2);
  g_assert_cmpint (vita_timeline_get_position (tl), ==, 8000);
  vita_timeline_get_selection (tl, &s, &e);
  g_assert_cmpint (e, <=, 8000);
  g_hash_table_unref (n.counts);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/views/timeline/configure", test_configure);
  g_test_add_func ("/views/timeline/position", test_position_notify_and_clamp);
  g_test_add_func ("/views/timeline/conversions", test_conversions);
  g_test_add_func ("/views/timeline/visible-zoom-scroll", test_visible_zoom_scroll);
  g_test_add_func ("/views/timeline/follow", test_follow);
  g_test_add_func ("/views/timeline/layer-head-selection", test_layer_head_selection);
  return g_test_run ();
}
