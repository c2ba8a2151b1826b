/* test-app-pointer.c — the panels under real pointer and key events (xdotool, XTest
 * through the X server, so GTK sees exactly what a person's mouse and keyboard
 * produce): a drag on any time panel selects, Shift+click extends, Escape clears,
 * `l` loops, `z` zooms to the selection; hover read-outs on every panel; a click on
 * a cell of the layers × heads grid selects that layer and head; the wheel scrolls
 * the page, Ctrl+wheel zooms, Shift+wheel scrolls time; a drag on the overview
 * moves the visible range.  Run under Xvfb (setup.sh); skipped without xdotool. */
#include "test-app-harness.h"
#include "model/vita-vit.h"
#include "views/vita-panel-view.h"
#include "views/vita-analysis-source.h"

#include <gdk/x11/gdkx.h>
#include <glib/gstdio.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
  char       *dir;
  char       *wav;
  char       *model;
  char       *lab, *beats;
  VitaWindow *window;
  gulong      xid;
} Fixture;

static gboolean
not_busy (gpointer data)
{
  return !vita_window_is_busy (data);
}

static gboolean
has_track_cka (gpointer source)
{
  return vita_analysis_source_get_track_cka (source);
}

static gboolean
has_model (gpointer data)
{
  return vita_window_get_model_path (data) != NULL && !vita_window_is_busy (data);
}

static gboolean
window_settled (gpointer data)
{
  static int last_w, last_h;
  static gint64 since;
  int w = gtk_widget_get_width (data), h = gtk_widget_get_height (data);
  gint64 now = g_get_monotonic_time ();
  if (w != last_w || h != last_h || since == 0)
    {
      last_w = w;
      last_h = h;
      since = now;
    }
  return w >= 1200 && h >= 800 && now - since > 300000;   /* unchanged for 0.3 s */
}

static void
fixture_setup (Fixture *fx, gconstpointer data)
{
  VitaVitConfig cfg;
  g_autoptr(VitaVit) vit = NULL;
  g_autoptr(GError) error = NULL;

  fx->dir = vita_gui_test_tmpdir ();
  fx->wav = vita_gui_test_write_wav (fx->dir, "clicks.wav", 6.0, 16000);
  /* Annotations beside the audio (loaded with it): chords and beats. */
  fx->lab = g_build_filename (fx->dir, "clicks.lab", NULL);
  fx->beats = g_build_filename (fx->dir, "clicks.beats.txt", NULL);
  g_assert_true (g_file_set_contents (fx->lab, "0.0 2.0 C:maj\n2.0 4.0 A:min\n4.0 6.0 G:maj\n", -1, NULL));
  g_assert_true (g_file_set_contents (fx->beats, "0.5\n1.0\n1.5\n2.0\n2.5\n3.0\n3.5\n4.0\n4.5\n5.0\n5.5\n", -1, NULL));
  g_assert_true (vita_vit_config_init_preset (&cfg, "test", &error));
  vit = vita_vit_new_random (&cfg, 7);
  fx->model = g_build_filename (fx->dir, "tiny.safetensors", NULL);
  g_assert_true (vita_vit_save (vit, fx->model, &error));
  g_assert_no_error (error);
  fx->window = vita_gui_test_window ();
  gtk_window_set_default_size (GTK_WINDOW (fx->window), 1500, 980);
  vita_gui_test_run_for (200);

  g_autoptr(GFile) model = g_file_new_for_path (fx->model);
  g_autoptr(GFile) audio = g_file_new_for_path (fx->wav);
  vita_window_open_model (fx->window, model);
  g_assert_true (vita_gui_test_wait (has_model, fx->window, 10000));
  vita_window_open_audio (fx->window, audio);
  g_assert_true (vita_gui_test_wait (not_busy, fx->window, 60000));
  g_assert_cmpuint (vita_window_get_n_errors (fx->window), ==, 0);
  vita_gui_test_run_for (300);
  /* The window at its size, the panels laid out (positions below are computed from
   * the widgets as they are now). */
  if (!vita_gui_test_wait (window_settled, fx->window, 20000))
    g_error ("the window did not settle: %d×%d", gtk_widget_get_width (GTK_WIDGET (fx->window)),
             gtk_widget_get_height (GTK_WIDGET (fx->window)));

  GdkSurface *surface = gtk_native_get_surface (GTK_NATIVE (fx->window));
  fx->xid = GDK_IS_X11_SURFACE (surface) ? gdk_x11_surface_get_xid (surface) : 0;
}

static void
fixture_teardown (Fixture *fx, gconstpointer data)
{
  vita_gui_test_close (fx->window);
  g_unlink (fx->wav);
  g_unlink (fx->model);
  g_unlink (fx->lab);
  g_unlink (fx->beats);
  g_rmdir (fx->dir);
  g_free (fx->lab);
  g_free (fx->beats);
  g_free (fx->wav);
  g_free (fx->model);
  g_free (fx->dir);
}

/* Runs `xdotool ARGS…` and lets GTK handle what it produced. */
static void
xdo (const char *args)
{
  g_autofree char *cmd = g_strdup_printf ("xdotool %s", args);
  g_autoptr(GError) error = NULL;
  int status = 0;
  g_assert_true (g_spawn_command_line_sync (cmd, NULL, NULL, &status, &error));
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  vita_gui_test_run_for (120);
}

static gboolean
skip_without_xdotool (Fixture *fx)
{
  g_autofree char *path = g_find_program_in_path ("xdotool");
  if (path == NULL || fx->xid == 0)
    {
      g_test_skip ("needs xdotool and an X11 display");
      return TRUE;
    }
  return FALSE;
}

static GtkWidget *
find_view (GtkWidget *root, VitaPanel panel)
{
  if (VITA_IS_PANEL_VIEW (root) && vita_panel_view_get_panel (VITA_PANEL_VIEW (root)) == panel)
    return root;
  for (GtkWidget *c = gtk_widget_get_first_child (root); c; c = gtk_widget_get_next_sibling (c))
    {
      GtkWidget *found = find_view (c, panel);
      if (found)
        return found;
    }
  return NULL;
}

/* The view of a panel, scrolled into sight. */
static GtkWidget *
view_of (Fixture *fx, VitaPanel panel)
{
  GtkWidget *view = find_view (GTK_WIDGET (fx->window), panel);
  g_assert_nonnull (view);
  g_assert_true (gtk_widget_get_mapped (view));
  GtkWidget *sw = gtk_widget_get_ancestor (view, GTK_TYPE_SCROLLED_WINDOW);
  if (sw != NULL)
    {
      GtkAdjustment *adj = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (sw));
      graphene_point_t p;
      g_assert_true (gtk_widget_compute_point (view, gtk_scrolled_window_get_child (GTK_SCROLLED_WINDOW (sw)),
                                               &GRAPHENE_POINT_INIT (0, 0), &p));
      double top = gtk_adjustment_get_value (adj), page = gtk_adjustment_get_page_size (adj);
      if (p.y < top || p.y + gtk_widget_get_height (view) > top + page)
        gtk_adjustment_set_value (adj, p.y - 20);
      vita_gui_test_run_for (150);
    }
  return view;
}

/* Where (fx, fy) of a view's size lands in the window's X coordinates. */
static void
window_point (Fixture *fx, GtkWidget *view, double fxr, double fyr, int *x, int *y)
{
  graphene_point_t p;
  double sx, sy;
  g_assert_true (gtk_widget_compute_point (view, GTK_WIDGET (fx->window),
                                           &GRAPHENE_POINT_INIT (fxr * gtk_widget_get_width (view),
                                                                 fyr * gtk_widget_get_height (view)),
                                           &p));
  gtk_native_get_surface_transform (GTK_NATIVE (fx->window), &sx, &sy);
  *x = (int) lround (p.x + sx);
  *y = (int) lround (p.y + sy);
}

typedef struct { GtkWidget *window, *view; graphene_point_t p; } Reach;

/* Whether the pointer at a point reaches the view (and not a toast, say, over it). */
static gboolean
reaches (gpointer data)
{
  Reach *r = data;
  GtkWidget *picked = gtk_widget_pick (r->window, r->p.x, r->p.y, GTK_PICK_DEFAULT);
  return picked != NULL && (picked == r->view || gtk_widget_is_ancestor (picked, r->view));
}

/* The pointer moved to (fx, fy) of a view's size.  An info toast ("found chords …"
 * when the audio's annotations load) lies over the bottom of the page for a few
 * seconds and takes the pointer, as it would a person's: the move waits for it to go. */
static void
move_to (Fixture *fx, GtkWidget *view, double fxr, double fyr)
{
  int x, y;
  Reach r = { GTK_WIDGET (fx->window), view };
  g_assert_true (gtk_widget_compute_point (view, r.window,
                                           &GRAPHENE_POINT_INIT (fxr * gtk_widget_get_width (view),
                                                                 fyr * gtk_widget_get_height (view)),
                                           &r.p));
  if (!vita_gui_test_wait (reaches, &r, 10000))
    {
      GtkWidget *picked = gtk_widget_pick (r.window, r.p.x, r.p.y, GTK_PICK_DEFAULT);
      g_error ("%s at (%.0f, %.0f) is under %s", G_OBJECT_TYPE_NAME (view), r.p.x, r.p.y,
               picked ? G_OBJECT_TYPE_NAME (picked) : "nothing");
    }
  window_point (fx, view, fxr, fyr, &x, &y);
  g_autofree char *args = g_strdup_printf ("mousemove --window %lu %d %d", fx->xid, x, y);
  xdo (args);
}

/* A press at fx0, moves in steps, a release at fx1 (fractions of the view's width). */
static void
drag (Fixture *fx, GtkWidget *view, double fx0, double fx1, double fy)
{
  move_to (fx, view, fx0, fy);
  xdo ("mousedown 1");
  for (int i = 1; i <= 4; i++)
    move_to (fx, view, fx0 + (fx1 - fx0) * i / 4.0, fy);
  xdo ("mouseup 1");
}

static void
click (Fixture *fx, GtkWidget *view, double fxr, double fyr, const char *mods)
{
  move_to (fx, view, fxr, fyr);
  if (mods)
    {
      g_autofree char *down = g_strdup_printf ("keydown %s", mods);
      xdo (down);
    }
  xdo ("click 1");
  if (mods)
    {
      g_autofree char *up = g_strdup_printf ("keyup %s", mods);
      xdo (up);
    }
}

static void
key (Fixture *fx, const char *name)
{
  g_autofree char *focus = g_strdup_printf ("windowfocus %lu", fx->xid);
  g_autofree char *args = g_strdup_printf ("key %s", name);
  xdo (focus);
  xdo (args);
}

static double
seconds (VitaTimeline *tl, gint64 s)
{
  return (double) s / vita_timeline_get_sample_rate (tl);
}

/* The time a fraction of a time panel's width shows (through the painter's plot). */
static double
time_at (GtkWidget *view, double fxr)
{
  VitaTimeline *tl = vita_panel_view_get_timeline (VITA_PANEL_VIEW (view));
  VitaTimelineSnapshot snap;
  VitaStyle style;
  vita_timeline_snapshot (tl, &snap);
  vita_style_init (&style);
  VitaPaintContext ctx = { .cache = vita_panel_view_get_cache (VITA_PANEL_VIEW (view)),
                           .snap = &snap, .style = &style };
  VitaRect area = { 0, 0, gtk_widget_get_width (view), gtk_widget_get_height (view) };
  gint64 s;
  g_assert_true (vita_panel_hit_sample (vita_panel_view_get_panel (VITA_PANEL_VIEW (view)), &area,
                                        &ctx, fxr * area.width, area.height / 2, &s));
  return seconds (tl, s);
}

static void
test_selection (Fixture *fx, gconstpointer data)
{
  if (skip_without_xdotool (fx))
    return;
  VitaTimeline *tl = vita_window_get_timeline (fx->window);
  VitaSession *session = vita_window_get_session (fx->window);
  const VitaPanel panels[] = { VITA_PANEL_WAVEFORM, VITA_PANEL_MEL, VITA_PANEL_RECEIVED,
                               VITA_PANEL_PROBES };
  gint64 a, b;

  for (gsize i = 0; i < G_N_ELEMENTS (panels); i++)
    {
      GtkWidget *view = view_of (fx, panels[i]);
      double t0 = time_at (view, 0.3), t1 = time_at (view, 0.6);
      int px0, py0;
      window_point (fx, view, 0.3, 0.5, &px0, &py0);
      g_test_message ("drag on %s: %.2f–%.2f s (from %d,%d in a %d×%d window)", vita_panel_to_string (panels[i]),
                      t0, t1, px0, py0, gtk_widget_get_width (GTK_WIDGET (fx->window)),
                      gtk_widget_get_height (GTK_WIDGET (fx->window)));
      drag (fx, view, 0.3, 0.6, 0.5);
      vita_timeline_get_selection (tl, &a, &b);
      g_assert_cmpfloat (fabs (seconds (tl, a) - t0), <, 0.05);
      g_assert_cmpfloat (fabs (seconds (tl, b) - t1), <, 0.05);
      /* Escape clears. */
      key (fx, "Escape");
      vita_timeline_get_selection (tl, &a, &b);
      g_assert_cmpint (b, <=, a);
    }

  /* A drag from right to left selects the same way; Shift+click extends it. */
  GtkWidget *mel = view_of (fx, VITA_PANEL_MEL);
  drag (fx, mel, 0.5, 0.4, 0.5);
  double t04 = time_at (mel, 0.4), t05 = time_at (mel, 0.5), t08 = time_at (mel, 0.8);
  vita_timeline_get_selection (tl, &a, &b);
  g_assert_cmpfloat (fabs (seconds (tl, a) - t04), <, 0.05);
  g_assert_cmpfloat (fabs (seconds (tl, b) - t05), <, 0.05);
  click (fx, mel, 0.8, 0.5, "shift");
  vita_timeline_get_selection (tl, &a, &b);
  g_assert_cmpfloat (fabs (seconds (tl, a) - t04), <, 0.05);
  g_assert_cmpfloat (fabs (seconds (tl, b) - t08), <, 0.05);

  /* `l` loops it, `z` zooms to it. */
  g_assert_false (vita_session_get_loop (session));
  key (fx, "l");
  g_assert_true (vita_session_get_loop (session));
  key (fx, "z");
  gint64 vs, ve;
  vita_timeline_get_visible (tl, &vs, &ve);
  g_assert_cmpint (vs, ==, a);
  g_assert_cmpint (ve, ==, b);
  key (fx, "0");
  key (fx, "l");
  g_assert_false (vita_session_get_loop (session));

  /* A plain click seeks and keeps the selection. */
  GtkWidget *wave = view_of (fx, VITA_PANEL_WAVEFORM);
  double tc = time_at (wave, 0.25);
  click (fx, wave, 0.25, 0.5, NULL);
  for (int i = 0; i < 30 && fabs (vita_gui_test_timeline_seconds (fx->window) - tc) >= 0.05; i++)
    vita_gui_test_run_for (100);   /* the player seeks, then the playhead follows */
  g_test_message ("click at %.3f s: playhead at %.3f s", tc, vita_gui_test_timeline_seconds (fx->window));
  g_assert_cmpfloat (fabs (vita_gui_test_timeline_seconds (fx->window) - tc), <, 0.05);
  gint64 a2, b2;
  vita_timeline_get_selection (tl, &a2, &b2);
  g_assert_cmpint (a2, ==, a);
  g_assert_cmpint (b2, ==, b);
  g_assert_cmpuint (vita_window_get_n_errors (fx->window), ==, 0);
}

static void
test_readouts (Fixture *fx, gconstpointer data)
{
  if (skip_without_xdotool (fx))
    return;
  const struct { VitaPanel panel; double x, y; const char *expect; } cases[] = {
    { VITA_PANEL_WAVEFORM, 0.5, 0.5, " s" },
    { VITA_PANEL_MEL, 0.5, 0.5, " Hz (" },
    { VITA_PANEL_RECEIVED, 0.5, 0.5, "received " },
    { VITA_PANEL_ATTENTION_ROW, 0.5, 0.5, "weight " },
    { VITA_PANEL_OVERVIEW, 0.5, 0.5, " s" },
    { VITA_PANEL_ATTENTION, 0.4, 0.5, "query " },
    { VITA_PANEL_SSM, 0.4, 0.5, "cosine " },
  };
  VitaPanel cka;
  g_assert_true (vita_panel_from_string ("cka", &cka));
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      GtkWidget *view = view_of (fx, cases[i].panel);
      move_to (fx, view, cases[i].x, cases[i].y);
      const char *text = vita_panel_view_get_readout (VITA_PANEL_VIEW (view));
      g_test_message ("%s: %s", vita_panel_to_string (cases[i].panel), text);
      g_assert_nonnull (strstr (text, cases[i].expect));
    }
  /* Layer similarity: the two layers of the cell. */
  GtkWidget *cka_view = view_of (fx, cka);
  move_to (fx, cka_view, 0.3, 0.5);
  g_test_message ("cka: %s", vita_panel_view_get_readout (VITA_PANEL_VIEW (cka_view)));
  g_assert_true (g_str_has_prefix (vita_panel_view_get_readout (VITA_PANEL_VIEW (cka_view)), "layer "));
  /* Below the diagonal the whole track's CKA, the stage after the analysis: once it is
   * there the panel's source says so (its content is redrawn) and a cell there reads
   * it, the same number as the analysis holds. */
  VitaAnalysisSource *source = vita_panel_view_get_source (VITA_PANEL_VIEW (cka_view));
  g_assert_true (vita_gui_test_wait (has_track_cka, source, 10000));
  VitaAnalysis *an = vita_analysis_source_get_analysis (source);
  const float *track = vita_analysis_track_cka (an);
  g_assert_nonnull (track);
  gboolean found = FALSE;
  for (double fy = 0.85; fy > 0.4 && !found; fy -= 0.1)
    for (double fxr = 0.7; fxr > 0.3 && !found; fxr -= 0.1)
      {
        move_to (fx, cka_view, fxr, fy);
        vita_gui_test_run_for (50);
        const char *text = vita_panel_view_get_readout (VITA_PANEL_VIEW (cka_view));
        if (strstr (text, "(whole track)") == NULL)
          continue;
        g_test_message ("cka: %s", text);
        /* one of the cells below the diagonal, with its value */
        for (int a = 0; a < an->n_layers && !found; a++)
          for (int b = a + 1; b < an->n_layers && !found; b++)
            {
              g_autofree char *want = g_strdup_printf ("layer %d × layer %d · CKA %.3f (whole track)",
                                                       a, b, track[a * an->n_layers + b]);
              found = strcmp (text, want) == 0;
            }
        g_assert_true (found);
      }
  g_assert_true (found);
  /* The attention map says the weight under the pointer, the mel a note name. */
  GtkWidget *att = view_of (fx, VITA_PANEL_ATTENTION);
  move_to (fx, att, 0.4, 0.5);
  g_assert_nonnull (strstr (vita_panel_view_get_readout (VITA_PANEL_VIEW (att)), "weight "));
  /* Leaving a panel clears its read-out. */
  GtkWidget *wave = view_of (fx, VITA_PANEL_WAVEFORM);
  move_to (fx, wave, 0.5, 0.5);
  move_to (fx, att, 0.4, 0.5);
  g_assert_cmpstr (vita_panel_view_get_readout (VITA_PANEL_VIEW (wave)), ==, "");
}

/* The grid cell under the pointer reads "layer L, head H"; a click selects it. */
static void
test_grid_click (Fixture *fx, gconstpointer data)
{
  if (skip_without_xdotool (fx))
    return;
  VitaTimeline *tl = vita_window_get_timeline (fx->window);
  GtkWidget *grid = view_of (fx, VITA_PANEL_ATTENTION_GRID);
  int w = gtk_widget_get_width (grid), h = gtk_widget_get_height (grid);
  VitaTimelineSnapshot snap;
  VitaStyle style;
  VitaReadout r;
  int cx = -1, cy = -1;

  g_assert_cmpint (vita_timeline_get_layer (tl), !=, 2);
  /* The header bar's drop-downs keep their width whatever they show. */
  GtkWidget *layers = g_object_get_data (G_OBJECT (fx->window), "vita-test-layer-dropdown");
  GtkWidget *heads = g_object_get_data (G_OBJECT (fx->window), "vita-test-head-dropdown");
  int layers_w = gtk_widget_get_width (layers), heads_w = gtk_widget_get_width (heads);
  /* Where the painter put the map of layer 2, head 2 (the grid's own geometry). */
  vita_timeline_snapshot (tl, &snap);
  vita_style_init (&style);
  VitaPaintContext ctx = { .cache = vita_panel_view_get_cache (VITA_PANEL_VIEW (grid)),
                           .snap = &snap, .style = &style };
  VitaRect area = { 0, 0, w, h };
  for (int yy = 0; yy < h && cx < 0; yy += 2)
    for (int xx = 0; xx < w && cx < 0; xx += 2)
      if (vita_panel_readout (VITA_PANEL_ATTENTION_GRID, &area, &ctx, xx, yy, &r) &&
          g_str_has_prefix (r.text, "layer 2, head 2 ·"))
        {
          cx = xx + 3;   /* inside the map, not on its edge */
          cy = yy + 3;
        }
  g_assert_cmpint (cx, >=, 0);
  /* The real pointer there reads it out, a click selects it. */
  move_to (fx, grid, (double) cx / w, (double) cy / h);
  g_test_message ("grid: %s", vita_panel_view_get_readout (VITA_PANEL_VIEW (grid)));
  g_assert_true (g_str_has_prefix (vita_panel_view_get_readout (VITA_PANEL_VIEW (grid)),
                                   "layer 2, head 2 · query "));
  click (fx, grid, (double) cx / w, (double) cy / h, NULL);
  g_assert_cmpint (vita_timeline_get_layer (tl), ==, 2);
  g_assert_cmpint (vita_timeline_get_head (tl), ==, 1);
  vita_gui_test_run_for (200);
  g_test_message ("drop-downs: layer %d → %d px, head %d → %d px", layers_w,
                  gtk_widget_get_width (layers), heads_w, gtk_widget_get_width (heads));
  g_assert_cmpint (gtk_widget_get_width (layers), ==, layers_w);
  g_assert_cmpint (gtk_widget_get_width (heads), ==, heads_w);
}

static void
test_wheel (Fixture *fx, gconstpointer data)
{
  if (skip_without_xdotool (fx))
    return;
  VitaTimeline *tl = vita_window_get_timeline (fx->window);
  GtkWidget *wave = view_of (fx, VITA_PANEL_WAVEFORM);
  gint64 vs, ve, vs2, ve2;

  vita_timeline_get_visible (tl, &vs, &ve);
  /* The plain wheel is the page's: time stays. */
  move_to (fx, wave, 0.5, 0.5);
  xdo ("click 5");
  vita_timeline_get_visible (tl, &vs2, &ve2);
  g_assert_cmpint (vs2, ==, vs);
  g_assert_cmpint (ve2, ==, ve);
  /* Ctrl+wheel up zooms in around the pointer. */
  wave = view_of (fx, VITA_PANEL_WAVEFORM);
  move_to (fx, wave, 0.5, 0.5);
  double t_mid = time_at (wave, 0.5);
  xdo ("keydown ctrl");
  xdo ("click 4");
  xdo ("click 4");
  xdo ("keyup ctrl");
  vita_timeline_get_visible (tl, &vs2, &ve2);
  g_assert_cmpint (ve2 - vs2, <, ve - vs);
  g_assert_cmpfloat (fabs (time_at (wave, 0.5) - t_mid), <, 0.1);
  /* Shift+wheel down scrolls time forwards, span kept. */
  gint64 vs3, ve3;
  xdo ("keydown shift");
  xdo ("click 5");
  xdo ("keyup shift");
  vita_timeline_get_visible (tl, &vs3, &ve3);
  g_assert_cmpint (vs3, >, vs2);
  g_assert_cmpint (ve3 - vs3, ==, ve2 - vs2);
  /* A drag on the overview moves the visible range the same way. */
  GtkWidget *overview = view_of (fx, VITA_PANEL_OVERVIEW);
  gint64 vs4, ve4;
  drag (fx, overview, 0.5, 0.3, 0.5);
  vita_timeline_get_visible (tl, &vs4, &ve4);
  g_assert_cmpint (vs4, <, vs3);
  g_assert_cmpint (ve4 - vs4, ==, ve3 - vs3);
}

/* Pixels of an annotation colour inside a rendered view's plot rows y0..y1. */
static int
count_colour (cairo_surface_t *s, int r, int g, int b)
{
  int n = 0, w = cairo_image_surface_get_width (s), h = cairo_image_surface_get_height (s);
  int stride = cairo_image_surface_get_stride (s);
  const guint8 *data = cairo_image_surface_get_data (s);
  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++)
      {
        guint32 p = *(const guint32 *) (data + (gsize) y * stride + 4 * x);
        int pr = (p >> 16) & 0xff, pg = (p >> 8) & 0xff, pb = p & 0xff;
        n += abs (pr - r) < 12 && abs (pg - g) < 12 && abs (pb - b) < 12;
      }
  return n;
}

/* Annotations show as layers over the waveform and mel without any probe: beats as
 * ticks, chords as labelled segments (the pointer reads the chord out); each layer
 * is toggled on its own. */
static void
test_annotations (Fixture *fx, gconstpointer data)
{
  if (skip_without_xdotool (fx))
    return;
  g_assert_cmpint (vita_window_get_n_probe_lanes (fx->window), ==, 0);
  const VitaPanel panels[] = { VITA_PANEL_WAVEFORM, VITA_PANEL_MEL };
  for (gsize i = 0; i < G_N_ELEMENTS (panels); i++)
    {
      GtkWidget *view = view_of (fx, panels[i]);
      double t = 0;
      double fxr = 0.2;
      for (; fxr < 0.9 && !(t > 2.2 && t < 3.8); fxr += 0.02)
        t = time_at (view, fxr);
      move_to (fx, view, fxr - 0.02, 0.6);
      const char *text = vita_panel_view_get_readout (VITA_PANEL_VIEW (view));
      g_test_message ("%s at %.2f s: %s", vita_panel_to_string (panels[i]), t, text);
      g_assert_nonnull (strstr (text, "chord A:min"));

      /* Beat ticks (orange) and the chord strip's yellow are drawn… */
      int w = gtk_widget_get_width (view), h = gtk_widget_get_height (view);
      cairo_surface_t *s = vita_panel_view_render (VITA_PANEL_VIEW (view), w, h);
      int beats = count_colour (s, 255, 115, 25), chords = count_colour (s, 255, 217, 64);
      cairo_surface_destroy (s);
      g_assert_cmpint (beats, >, 20);
      g_assert_cmpint (chords, >, 20);
      /* …and each layer goes away on its own. */
      gtk_widget_activate_action (GTK_WIDGET (fx->window), "win.show-beats", NULL);
      s = vita_panel_view_render (VITA_PANEL_VIEW (view), w, h);
      g_assert_cmpint (count_colour (s, 255, 115, 25), <, beats / 10);
      g_assert_cmpint (count_colour (s, 255, 217, 64), >=, chords * 9 / 10);
      cairo_surface_destroy (s);
      gtk_widget_activate_action (GTK_WIDGET (fx->window), "win.show-chords", NULL);
      move_to (fx, view, fxr - 0.04, 0.6);
      g_assert_null (strstr (vita_panel_view_get_readout (VITA_PANEL_VIEW (view)), "chord"));
      s = vita_panel_view_render (VITA_PANEL_VIEW (view), w, h);
      g_assert_cmpint (count_colour (s, 255, 217, 64), <, chords / 10);
      cairo_surface_destroy (s);
      gtk_widget_activate_action (GTK_WIDGET (fx->window), "win.show-beats", NULL);
      gtk_widget_activate_action (GTK_WIDGET (fx->window), "win.show-chords", NULL);
    }
}

int
main (int argc, char **argv)
{
  if (!vita_gui_test_init (&argc, &argv))
    return 0;
  g_test_add ("/app/pointer/selection", Fixture, NULL, fixture_setup, test_selection, fixture_teardown);
  g_test_add ("/app/pointer/readouts", Fixture, NULL, fixture_setup, test_readouts, fixture_teardown);
  g_test_add ("/app/pointer/grid-click", Fixture, NULL, fixture_setup, test_grid_click, fixture_teardown);
  g_test_add ("/app/pointer/annotations", Fixture, NULL, fixture_setup, test_annotations, fixture_teardown);
  g_test_add ("/app/pointer/wheel", Fixture, NULL, fixture_setup, test_wheel, fixture_teardown);
  return g_test_run ();
}
