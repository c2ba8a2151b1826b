/* test-app-arrange.c — the panels a person arranges (issue 9, item 10), driven by
 * real pointer events (xdotool, through the X server) on a window with a model:
 * the header's hide button hides a panel and the Panels submenu's check item shows
 * it again; a title dragged onto another card moves the panel there, and the card
 * menu's Move Up moves it back; a drag on a card's bottom edge resizes it; a
 * double-click on a title maximises the panel and another restores the others;
 * the arrangement is saved in the session and comes back when it is opened; at
 * 1024 px wide the model's square panels wrap instead of widening the window, and
 * at 1920 px they share the width on one line.  Six probes: every lane at least its
 * readable height (the panel grows), the probe-o-gram's task chosen from the loaded
 * tasks with its unprobed layers marked, a lane removed from its lane menu (right
 * click) and all cleared. */
#include "test-app-harness.h"

#include <gdk/x11/gdkx.h>
#include <glib/gstdio.h>
#include <string.h>

#include "model/vita-vit.h"
#include "model/probe/vita-annotations.h"
#include "model/probe/vita-probe.h"
#include "views/vita-probeogram.h"
#include "vita-session-file.h"

#define RATE 16000

typedef struct {
  char       *dir;
  char       *wav;
  char       *model;
  VitaWindow *window;
} Fixture;

static void wait_shown (GtkWidget *c);

static gboolean
has_model (gpointer data)
{
  return vita_window_get_model_path (data) != NULL;
}

static gboolean
settled (gpointer data)
{
  return !vita_window_is_busy (data) && vita_window_get_audio_path (data) != NULL;
}

static VitaWindow *
new_window (Fixture *fx, int width, int height)
{
  VitaWindow *w = vita_window_new (ADW_APPLICATION (vita_gui_test_app ()));
  g_autoptr(GFile) model = g_file_new_for_path (fx->model);
  g_autoptr(GFile) audio = g_file_new_for_path (fx->wav);

  gtk_window_set_default_size (GTK_WINDOW (w), width, height);
  gtk_window_present (GTK_WINDOW (w));
  vita_window_open_model (w, model);
  g_assert_true (vita_gui_test_wait (has_model, w, 20000));
  vita_window_open_audio (w, audio);
  g_assert_true (vita_gui_test_wait (settled, w, 60000));
  wait_shown (GTK_WIDGET (w));
  vita_gui_test_run_for (500);
  return w;
}

static void
fixture_setup (Fixture *fx, gconstpointer data)
{
  VitaVitConfig cfg;
  g_autoptr(VitaVit) vit = NULL;
  g_autoptr(GError) error = NULL;

  fx->dir = vita_gui_test_tmpdir ();
  fx->wav = vita_gui_test_write_wav (fx->dir, "song.wav", 12.0, RATE);
  fx->model = g_build_filename (fx->dir, "m.safetensors", NULL);
  /* the "test" preset 4 blocks deep: token layers 0…4 */
  g_assert_true (vita_vit_config_init_preset (&cfg, "test", &error));
  cfg.depth = 4;
  vit = vita_vit_new_random (&cfg, 3);
  g_assert_true (vita_vit_save (vit, fx->model, &error));
  g_assert_no_error (error);
}

static void
fixture_teardown (Fixture *fx, gconstpointer data)
{
  if (fx->window != NULL)
    vita_gui_test_close (fx->window);
  if (g_getenv ("VITA_TEST_KEEP") == NULL)
    {
      g_autoptr(GDir) d = g_dir_open (fx->dir, 0, NULL);
      const char *name;
      while (d != NULL && (name = g_dir_read_name (d)) != NULL)
        {
          g_autofree char *path = g_build_filename (fx->dir, name, NULL);
          g_unlink (path);
        }
      g_rmdir (fx->dir);
    }
  g_free (fx->wav);
  g_free (fx->model);
  g_free (fx->dir);
}

/* ------------------------------------------------------------------ pointer */

/* Runs xdotool with `format`'s arguments (X events through the server). */
static void
xdotool (VitaWindow *w, const char *format, ...)
{
  g_autofree char *args = NULL;
  g_autofree char *command = NULL;
  g_autoptr(GError) error = NULL;
  int status = -1;
  va_list ap;

  va_start (ap, format);
  args = g_strdup_vprintf (format, ap);
  va_end (ap);
  command = g_strdup_printf ("xdotool %s", args);
  g_assert_true (g_spawn_command_line_sync (command, NULL, NULL, &status, &error));
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
}

/* A point of `widget` (its own coordinates) in the window's X surface. */
static void
surface_point (VitaWindow *w, GtkWidget *widget, double x, double y, int *sx, int *sy)
{
  graphene_point_t p;
  double tx = 0, ty = 0;

  g_assert_true (gtk_widget_compute_point (widget, GTK_WIDGET (w), &GRAPHENE_POINT_INIT (x, y), &p));
  gtk_native_get_surface_transform (GTK_NATIVE (w), &tx, &ty);
  *sx = (int) (p.x + tx);
  *sy = (int) (p.y + ty);
}

static unsigned long
xid (VitaWindow *w)
{
  return (unsigned long) gdk_x11_surface_get_xid (gtk_native_get_surface (GTK_NATIVE (w)));
}

/* Moves the pointer to (x, y) of `widget`, in the surface of its own native (a
 * popover has its own X window). */
static void
pointer_to (VitaWindow *w, GtkWidget *widget, double x, double y)
{
  GtkNative *native = gtk_widget_get_native (widget);
  graphene_point_t p;
  double tx = 0, ty = 0;

  g_assert_true (gtk_widget_compute_point (widget, GTK_WIDGET (native), &GRAPHENE_POINT_INIT (x, y), &p));
  gtk_native_get_surface_transform (native, &tx, &ty);
  xdotool (w, "mousemove --window %lu %d %d",
           (unsigned long) gdk_x11_surface_get_xid (gtk_native_get_surface (native)),
           (int) (p.x + tx), (int) (p.y + ty));
  vita_gui_test_run_for (60);
}

/* Scrolls the page so that `widget` is on screen (the pointer can only reach what
 * is shown). */
static void
scroll_to (GtkWidget *widget)
{
  GtkWidget *scroller = gtk_widget_get_ancestor (widget, GTK_TYPE_SCROLLED_WINDOW);
  GtkAdjustment *adj;
  graphene_point_t p;

  if (scroller == NULL)
    return;
  adj = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (scroller));
  g_assert_true (gtk_widget_compute_point (widget, scroller, &GRAPHENE_POINT_INIT (0, 0), &p));
  gtk_adjustment_set_value (adj, gtk_adjustment_get_value (adj) + p.y - 12);
  vita_gui_test_run_for (200);
}

static gboolean
placed (gpointer widget)
{
  static graphene_point_t last = { -1, -1 };
  graphene_point_t p;
  gboolean same;

  if (!gtk_widget_get_mapped (widget) ||
      !gtk_widget_compute_point (widget, GTK_WIDGET (gtk_widget_get_native (widget)),
                                 &GRAPHENE_POINT_INIT (0, 0), &p))
    return FALSE;
  same = graphene_point_equal (&p, &last);
  last = p;
  g_usleep (50000);
  return same;
}

static void
click (VitaWindow *w, GtkWidget *widget, int n_clicks)
{
  /* shown, and where it stays (a slow machine may still be laying it out) */
  vita_gui_test_wait (placed, widget, 3000);
  pointer_to (w, widget, gtk_widget_get_width (widget) / 2.0, gtk_widget_get_height (widget) / 2.0);
  xdotool (w, "click --repeat %d --delay 60 1", n_clicks);
  vita_gui_test_run_for (300);
}

/* A press at (x0, y0) of `from`, moved in steps to (x1, y1) of `to`, released. */
static void
drag (VitaWindow *w, GtkWidget *from, double x0, double y0, GtkWidget *to, double x1, double y1)
{
  int ax, ay, bx, by;

  surface_point (w, from, x0, y0, &ax, &ay);
  surface_point (w, to, x1, y1, &bx, &by);
  xdotool (w, "mousemove --window %lu %d %d", xid (w), ax, ay);
  vita_gui_test_run_for (80);
  xdotool (w, "mousedown 1");
  vita_gui_test_run_for (80);
  for (int i = 1; i <= 12; i++)
    {
      xdotool (w, "mousemove --window %lu %d %d", xid (w), ax + (bx - ax) * i / 12, ay + (by - ay) * i / 12);
      vita_gui_test_run_for (80);
    }
  /* a drag and drop is a conversation between source and target (XDND): the target
   * has answered the last position before the button goes up */
  xdotool (w, "mousemove --window %lu %d %d", xid (w), bx + 1, by);
  vita_gui_test_run_for (800);
  xdotool (w, "mouseup 1");
  vita_gui_test_run_for (500);
}

/* ------------------------------------------------------------------ reading */

static GtkWidget *
card (VitaWindow *w, const char *name)
{
  GtkWidget *c = vita_window_get_panel_card (w, name);
  g_assert_nonnull (c);
  return c;
}

static GtkWidget *
header_of (GtkWidget *c)
{
  return gtk_widget_get_first_child (gtk_widget_get_first_child (c));
}

static GtkWidget *
title_of (GtkWidget *c)
{
  return gtk_widget_get_first_child (header_of (c));
}

static GtkWidget *
view_of (GtkWidget *c)
{
  return gtk_widget_get_next_sibling (header_of (c));
}

/* The header's buttons: the menu button, then the hide button. */
static GtkWidget *
hide_button_of (GtkWidget *c)
{
  return gtk_widget_get_last_child (header_of (c));
}

static GtkWidget *
menu_button_of (GtkWidget *c)
{
  return gtk_widget_get_prev_sibling (hide_button_of (c));
}

static gboolean
shown (GtkWidget *c)
{
  return gtk_widget_get_mapped (c);
}

static gboolean
not_shown (gpointer c)
{
  return !shown (c);
}

static gboolean
is_shown (gpointer c)
{
  return shown (c);
}

/* Events go through the X server: what they change is waited for (a loaded machine
 * may take longer than the fixed pauses). */
static void
wait_hidden (GtkWidget *c)
{
  g_assert_true (vita_gui_test_wait (not_shown, c, 5000));
}

static void
wait_shown (GtkWidget *c)
{
  g_assert_true (vita_gui_test_wait (is_shown, c, 5000));
}

typedef struct { const char *name; float x, y; } Placed;

static int
cmp_placed (gconstpointer a, gconstpointer b)
{
  const Placed *p = a, *q = b;
  if (p->y != q->y)
    return p->y < q->y ? -1 : 1;
  return (p->x > q->x) - (p->x < q->x);
}

/* The shown panels, top to bottom and left to right: "overview,waveform,…". */
static char *
shown_order (VitaWindow *w)
{
  static const char *names[] = { "overview", "waveform", "mel", "received", "attention", "ssm",
                                 "cka", "attention-grid", "attention-row", "probes", "probeogram" };
  Placed placed[G_N_ELEMENTS (names)];
  int n = 0;
  GString *out = g_string_new (NULL);

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      GtkWidget *c = vita_window_get_panel_card (w, names[i]);
      graphene_point_t p;
      if (c == NULL || !shown (c))
        continue;
      g_assert_true (gtk_widget_compute_point (c, GTK_WIDGET (w), &GRAPHENE_POINT_INIT (0, 0), &p));
      placed[n++] = (Placed) { names[i], p.x, p.y };
    }
  qsort (placed, n, sizeof (Placed), cmp_placed);
  for (int i = 0; i < n; i++)
    g_string_append_printf (out, "%s%s", i ? "," : "", placed[i].name);
  return g_string_free (out, FALSE);
}

typedef struct { VitaWindow *w; const char *prefix; } OrderWait;

static gboolean
order_has_prefix (gpointer data)
{
  OrderWait *ow = data;
  g_autofree char *order = shown_order (ow->w);
  return g_str_has_prefix (order, ow->prefix);
}

/* Waits for the shown panels to begin with `prefix`; returns the order. */
static char *
wait_order (VitaWindow *w, const char *prefix)
{
  OrderWait ow = { w, prefix };
  char *order;

  vita_gui_test_wait (order_has_prefix, &ow, 5000);
  order = shown_order (w);
  g_test_message ("shown: %s", order);
  g_assert_true (g_str_has_prefix (order, prefix));
  return order;
}

/* The title of `name` dragged onto the card of `onto`, until the shown panels begin
 * with `prefix`: on a slow, loaded machine the drag-and-drop conversation (XDND) can
 * miss its moment, so it is tried up to three times; a drop that never moves the
 * panel fails. */
static char *
drag_title_onto (VitaWindow *w, const char *name, const char *onto, const char *prefix)
{
  OrderWait ow = { w, prefix };

  for (int attempt = 0; attempt < 3; attempt++)
    {
      if (attempt > 0)
        {
          g_test_message ("the drop did not move %s; again", name);
          xdotool (w, "key Escape");
          vita_gui_test_run_for (500);
        }
      drag (w, title_of (card (w, name)), 10, 6, card (w, onto), 200, 20);
      if (vita_gui_test_wait (order_has_prefix, &ow, 3000))
        break;
    }
  return wait_order (w, prefix);
}

static gboolean
action_state (VitaWindow *w, const char *name)
{
  GActionGroup *group = vita_window_get_panel_actions (w);
  g_autoptr(GVariant) state = g_action_group_get_action_state (group, name);
  return g_variant_get_boolean (state);
}

/* The first widget under `root` (depth first) that `match` accepts. */
static GtkWidget *
find_widget (GtkWidget *root, gboolean (*match) (GtkWidget *, gconstpointer), gconstpointer data)
{
  for (GtkWidget *c = gtk_widget_get_first_child (root); c != NULL; c = gtk_widget_get_next_sibling (c))
    {
      GtkWidget *found;
      if (match (c, data))
        return c;
      if ((found = find_widget (c, match, data)) != NULL)
        return found;
    }
  return NULL;
}

static gboolean
is_shown_label (GtkWidget *w, gconstpointer text)
{
  return GTK_IS_LABEL (w) && gtk_widget_get_mapped (w) && g_str_equal (gtk_label_get_text (GTK_LABEL (w)), text);
}

static gboolean
is_primary_menu_button (GtkWidget *w, gconstpointer unused)
{
  return GTK_IS_MENU_BUTTON (w) && gtk_menu_button_get_primary (GTK_MENU_BUTTON (w));
}

/* A label shown under `root` (popovers included) whose text, without mnemonics, is
 * `text`. */
static GtkWidget *
find_label (GtkWidget *root, const char *text)
{
  return find_widget (root, is_shown_label, text);
}

typedef struct { GtkWidget *root; const char *text; GtkWidget *found; } LabelWait;

static gboolean
label_appeared (gpointer data)
{
  LabelWait *lw = data;
  return (lw->found = find_label (lw->root, lw->text)) != NULL;
}

/* find_label, waiting for it (a menu opens after the click that asks for it). */
static GtkWidget *
wait_label (GtkWidget *root, const char *text)
{
  LabelWait lw = { root, text, NULL };

  vita_gui_test_wait (label_appeared, &lw, 5000);
  return lw.found;
}

static void
dump (GtkWidget *root, int depth)
{
  for (GtkWidget *c = gtk_widget_get_first_child (root); c != NULL; c = gtk_widget_get_next_sibling (c))
    {
      g_test_message ("%*s%s mapped %d %s", depth * 2, "", G_OBJECT_TYPE_NAME (c), gtk_widget_get_mapped (c),
                      GTK_IS_LABEL (c) ? gtk_label_get_text (GTK_LABEL (c)) : "");
      dump (c, depth + 1);
    }
}

static gboolean
xdotool_usable (void)
{
  g_autofree char *path = g_find_program_in_path ("xdotool");

  if (path == NULL || !GDK_IS_X11_DISPLAY (gdk_display_get_default ()))
    {
      g_test_skip ("needs xdotool and an X11 display (Xvfb) for real pointer events");
      return FALSE;
    }
  return TRUE;
}

/* The item `item` of the main menu's submenu `submenu`, opened with real clicks. */
static GtkWidget *
main_menu_item (VitaWindow *w, const char *submenu, const char *item)
{
  GtkWidget *menu_button = find_widget (GTK_WIDGET (w), is_primary_menu_button, NULL);
  GtkWidget *sub_item, *found = NULL;

  g_assert_nonnull (menu_button);
  /* on a slow, loaded machine a click can reach a menu before its window is where
   * it is drawn, which closes it: the menu is opened again, up to three times */
  for (int attempt = 0; attempt < 3 && found == NULL; attempt++)
    {
      if (attempt > 0)
        {
          g_test_message ("the %s submenu did not open; again", submenu);
          xdotool (w, "key Escape");
          vita_gui_test_run_for (500);
        }
      if (find_label (menu_button, submenu) == NULL)
        click (w, menu_button, 1);
      sub_item = wait_label (menu_button, submenu);
      if (sub_item == NULL)
        continue;
      vita_gui_test_run_for (300);
      click (w, sub_item, 1);
      found = wait_label (menu_button, item);
    }
  if (found == NULL)
    dump (menu_button, 0);
  g_assert_nonnull (found);
  return found;
}

/* ------------------------------------------------------------------ tests */

static void
test_hide_show (Fixture *fx, gconstpointer data)
{
  VitaWindow *w;

  if (!xdotool_usable ())
    return;
  w = fx->window = new_window (fx, 1280, 900);
  g_assert_true (shown (card (w, "waveform")));
  /* no training series: no emergence card (not an empty one under the overview) */
  g_assert_false (shown (card (w, "emergence")));
  g_assert_true (action_state (w, "show-waveform"));

  /* the header's hide button */
  click (w, hide_button_of (card (w, "waveform")), 1);
  wait_hidden (card (w, "waveform"));
  g_assert_false (action_state (w, "show-waveform"));
  g_assert_true (shown (card (w, "mel")));

  /* the main menu: Panels ▸ Waveform (a check item) */
  click (w, main_menu_item (w, "Panels", "Waveform"), 1);
  wait_shown (card (w, "waveform"));
  g_assert_true (action_state (w, "show-waveform"));
}

static void
test_reorder (Fixture *fx, gconstpointer data)
{
  VitaWindow *w;
  g_autofree char *before = NULL, *after = NULL, *back = NULL;

  if (!xdotool_usable ())
    return;
  w = fx->window = new_window (fx, 1280, 900);
  before = shown_order (w);
  g_assert_true (g_str_has_prefix (before, "overview,waveform,mel,"));
  g_free (before);
  before = wait_order (w, "overview,waveform,mel,");

  /* the mel title dragged onto the overview's card: mel goes first */
  after = drag_title_onto (w, "mel", "overview", "mel,overview,waveform,");

  /* the overview's menu: Move Up puts it first again */
  click (w, menu_button_of (card (w, "overview")), 1);
  {
    GtkWidget *item = wait_label (menu_button_of (card (w, "overview")), "Move Up");
    g_assert_nonnull (item);
    click (w, item, 1);
  }
  back = wait_order (w, "overview,mel,waveform,");
}

static void
test_resize_and_maximise (Fixture *fx, gconstpointer data)
{
  VitaWindow *w;
  GtkWidget *mel, *view;
  int h0, h1;

  if (!xdotool_usable ())
    return;
  w = fx->window = new_window (fx, 1280, 900);
  mel = card (w, "mel");
  view = view_of (mel);
  h0 = gtk_widget_get_height (view);

  /* the bottom edge dragged 90 px down */
  drag (w, mel, 300, gtk_widget_get_height (mel) - 3, mel, 300, gtk_widget_get_height (mel) - 3 + 90);
  h1 = gtk_widget_get_height (view);
  g_test_message ("mel view %d px, then %d px", h0, h1);
  g_assert_cmpint (h1, >=, h0 + 80);
  g_assert_cmpint (h1, <=, h0 + 100);

  /* double-click the title: only mel, filling the page */
  click (w, title_of (mel), 2);
  g_assert_true (shown (mel));
  wait_hidden (card (w, "waveform"));
  g_assert_false (shown (card (w, "attention")));
  g_assert_cmpint (gtk_widget_get_height (mel), >, 600);
  /* again: everything back, mel at the height it was given */
  click (w, title_of (mel), 2);
  wait_shown (card (w, "waveform"));
  g_assert_true (shown (card (w, "attention")));
  g_assert_cmpint (gtk_widget_get_height (view), ==, h1);
}

/* Hide, move, resize and maximise by hand, save, open in a new window: the same. */
static void
test_session (Fixture *fx, gconstpointer data)
{
  g_autofree char *path = g_build_filename (fx->dir, "arranged.vitascope", NULL);
  g_autofree char *order = NULL, *reopened_order = NULL;
  g_autoptr(GError) error = NULL;
  VitaWindow *w;
  int h;

  if (!xdotool_usable ())
    return;
  w = fx->window = new_window (fx, 1280, 900);
  click (w, hide_button_of (card (w, "received")), 1);
  wait_hidden (card (w, "received"));
  g_free (drag_title_onto (w, "waveform", "overview", "waveform,overview,mel,"));
  drag (w, card (w, "waveform"), 300, gtk_widget_get_height (card (w, "waveform")) - 3,
        card (w, "waveform"), 300, gtk_widget_get_height (card (w, "waveform")) + 57);
  h = gtk_widget_get_height (view_of (card (w, "waveform")));
  g_assert_cmpint (h, >=, vita_panel_get_class (VITA_PANEL_WAVEFORM)->height + 50);
  order = shown_order (w);
  g_assert_true (g_str_has_prefix (order, "waveform,overview,mel,"));
  g_assert_null (strstr (order, "received"));
  g_assert_true (vita_window_save_session (w, path, &error));
  g_assert_no_error (error);
  vita_gui_test_close (w);
  fx->window = NULL;

  w = fx->window = vita_gui_test_window ();
  {
    g_autoptr(GFile) file = g_file_new_for_path (path);
    g_assert_true (vita_window_open_session (w, file));
  }
  g_assert_true (vita_gui_test_wait (settled, w, 60000));
  vita_gui_test_run_for (400);
  reopened_order = shown_order (w);
  g_assert_cmpstr (reopened_order, ==, order);
  g_assert_cmpint (gtk_widget_get_height (view_of (card (w, "waveform"))), ==, h);
  g_assert_false (action_state (w, "show-received"));

  /* maximised is saved too */
  click (w, title_of (card (w, "ssm")), 2);
  wait_hidden (card (w, "mel"));
  g_assert_true (vita_window_save_session (w, path, &error));
  vita_gui_test_close (w);
  w = fx->window = vita_gui_test_window ();
  {
    g_autoptr(GFile) file = g_file_new_for_path (path);
    g_assert_true (vita_window_open_session (w, file));
  }
  g_assert_true (vita_gui_test_wait (settled, w, 60000));
  vita_gui_test_run_for (400);
  g_assert_true (shown (card (w, "ssm")));
  wait_hidden (card (w, "mel"));
}

/* The model's square panels: four on one line at 1920 px; at 1024 px the window
 * stays 1024 wide and they wrap. */
static void
test_widths (Fixture *fx, gconstpointer data)
{
  VitaWindow *w = fx->window = new_window (fx, 1920, 1040);
  GtkWidget *att = card (w, "attention"), *grid = card (w, "attention-grid");
  graphene_point_t a, g;

  g_assert_true (gtk_widget_compute_point (att, GTK_WIDGET (w), &GRAPHENE_POINT_INIT (0, 0), &a));
  g_assert_true (gtk_widget_compute_point (grid, GTK_WIDGET (w), &GRAPHENE_POINT_INIT (0, 0), &g));
  /* (the window is as wide as the screen allows: 1600 px under CI's Xvfb) */
  g_test_message ("window %d px wide, attention card %d × %d px", gtk_widget_get_width (GTK_WIDGET (w)),
                  gtk_widget_get_width (att), gtk_widget_get_height (att));
  g_assert_cmpfloat (a.y, ==, g.y);                       /* one line */
  /* the row takes the window's width, the four share it (gaps 3 × 12) */
  {
    int row = gtk_widget_get_width (gtk_widget_get_ancestor (att, GTK_TYPE_FLOW_BOX));
    g_assert_cmpint (row, >=, 0.9 * gtk_widget_get_width (GTK_WIDGET (w)));
    g_assert_cmpint (gtk_widget_get_width (att), >=, 0.9 * (row - 36) / 4);
  }
  /* square: as tall as its width allows */
  g_assert_cmpint (gtk_widget_get_height (att), >, 0.8 * gtk_widget_get_width (att));
  vita_gui_test_close (w);

  w = fx->window = new_window (fx, 1024, 740);
  g_assert_cmpint (gtk_widget_get_width (GTK_WIDGET (w)), <=, 1024);
  {
    /* and it can be that narrow: without a window manager (Xvfb) a window may be
     * given less than its minimum, so ask the minimum itself (header bar included) */
    int min_width = 0;
    gtk_widget_measure (GTK_WIDGET (w), GTK_ORIENTATION_HORIZONTAL, -1, &min_width, NULL, NULL, NULL);
    g_test_message ("window minimum width %d px", min_width);
    g_assert_cmpint (min_width, <=, 1024);
  }
  att = card (w, "attention");
  grid = card (w, "attention-grid");
  g_assert_true (gtk_widget_compute_point (att, GTK_WIDGET (w), &GRAPHENE_POINT_INIT (0, 0), &a));
  g_assert_true (gtk_widget_compute_point (grid, GTK_WIDGET (w), &GRAPHENE_POINT_INIT (0, 0), &g));
  g_assert_cmpfloat (g.y, >, a.y);                        /* wrapped */
}

/* ------------------------------------------------------------------ probes */

static char *
write_probe (Fixture *fx, const char *task, int n_classes, int layer)
{
  g_autoptr(VitaProbe) probe = vita_probe_new (16, n_classes, n_classes == 1 ? VITA_PROBE_SIGMOID
                                                                             : VITA_PROBE_SOFTMAX);
  g_autoptr(GError) error = NULL;
  g_autofree char *name = g_strdup_printf ("%s-token-layer%02d.safetensors", task, layer);
  char *path = g_build_filename (fx->dir, name, NULL);

  g_free (probe->task);
  probe->task = g_strdup (task);
  probe->frame_level = TRUE;
  probe->layer = layer;
  probe->pool = VITA_POOL_TOKEN;
  g_ptr_array_set_size (probe->labels, 0);
  for (int c = 0; c < n_classes; c++)
    {
      g_ptr_array_add (probe->labels, g_strdup (n_classes == 1 ? task : vita_chord_class_name (c)));
      probe->bias[c] = c == 1 + layer ? 4.0f : 0.0f;
    }
  for (int i = 0; i < 16 * n_classes; i++)
    probe->weight[i] = 0.05f * (float) ((i * 7) % 11 - 5);
  g_assert_true (vita_probe_save (probe, path, &error));
  g_assert_no_error (error);
  return path;
}

static int
n_lanes (VitaWindow *w)
{
  return vita_window_get_n_probe_lanes (w);
}

static gboolean
has_six (gpointer data)
{
  return n_lanes (data) == 6;
}

/* A y of the probe view inside lane `lane`'s row. */
static double
lane_y (VitaWindow *w, GtkWidget *view, int lane)
{
  VitaRect area = { 0, 0, gtk_widget_get_width (view), gtk_widget_get_height (view) };
  VitaStyle style;
  VitaPaintContext ctx = { 0 };
  VitaProbeLane *lanes[8];
  int n = n_lanes (w);

  vita_style_init (&style);
  for (int i = 0; i < n; i++)
    lanes[i] = (VitaProbeLane *) vita_window_get_probe_lane (w, i, NULL);
  ctx.style = &style;
  ctx.lanes = lanes;
  ctx.n_lanes = n;
  for (double y = 0; y < area.height; y += 1)
    if (vita_probe_lanes_hit (&area, &ctx, y) == lane && vita_probe_lanes_hit (&area, &ctx, y + 8) == lane)
      return y + 4;
  g_assert_not_reached ();
}

static void
test_six_probes (Fixture *fx, gconstpointer data)
{
  static const struct { const char *task; int n_classes, layer; } spec[] = {
    { "chord", VITA_CHORD_N_CLASSES, 1 }, { "chord", VITA_CHORD_N_CLASSES, 3 },
    { "onset", 1, 1 }, { "onset", 1, 3 }, { "beat", 1, 1 }, { "beat", 1, 3 },
  };
  g_autofree char *lab = g_build_filename (fx->dir, "song.lab", NULL);
  g_autofree char *onsets = g_build_filename (fx->dir, "song.onsets.txt", NULL);
  g_autofree char *beats = g_build_filename (fx->dir, "song.beats.txt", NULL);
  GFile *files[G_N_ELEMENTS (spec)];
  VitaWindow *w;
  GtkWidget *probes, *view;
  VitaStyle style;
  VitaRect plot;
  const VitaProbeogram *pg;
  int rows = 0;

  if (!xdotool_usable ())
    return;
  w = fx->window = new_window (fx, 1280, 900);
  g_assert_true (g_file_set_contents (lab, "0.0 6.0 C:maj\n6.0 12.0 A:min\n", -1, NULL));
  g_assert_true (g_file_set_contents (onsets, "0.5\n1.0\n1.5\n2.0\n2.5\n3.0\n", -1, NULL));
  g_assert_true (g_file_set_contents (beats, "0.5\n1.5\n2.5\n3.5\n", -1, NULL));
  {
    g_autoptr(GFile) a = g_file_new_for_path (lab);
    g_autoptr(GFile) b = g_file_new_for_path (onsets);
    g_autoptr(GFile) c = g_file_new_for_path (beats);
    GFile *ann[] = { a, b, c };
    vita_window_load_annotations (w, ann, 3);
    g_assert_true (vita_gui_test_wait (settled, w, 20000));
  }
  for (guint i = 0; i < G_N_ELEMENTS (spec); i++)
    {
      g_autofree char *path = write_probe (fx, spec[i].task, spec[i].n_classes, spec[i].layer);
      files[i] = g_file_new_for_path (path);
    }
  vita_window_load_probes (w, files, G_N_ELEMENTS (spec));
  for (guint i = 0; i < G_N_ELEMENTS (spec); i++)
    g_object_unref (files[i]);
  if (!vita_gui_test_wait (has_six, w, 20000))
    g_test_message ("%d lanes; last error: %s", n_lanes (w), vita_window_get_last_error (w));
  g_assert_cmpint (n_lanes (w), ==, 6);
  vita_gui_test_run_for (500);

  /* every row (lane or ground truth) at least three label lines tall */
  probes = card (w, "probes");
  view = view_of (probes);
  g_assert_true (shown (probes));
  for (int i = 0; i < 6; i++)
    rows += vita_window_get_probe_lane (w, i, NULL)->truth ? 2 : 1;
  g_assert_cmpint (rows, >, 6);
  vita_style_init (&style);
  vita_panel_layout (&style, 0, 0, gtk_widget_get_width (view), gtk_widget_get_height (view),
                     vita_panel_get_class (VITA_PANEL_PROBES)->flags, &plot, NULL);
  g_test_message ("%d rows in %.0f px: %.1f px each (least %.1f)", rows, plot.height,
                  plot.height / rows, vita_probe_lanes_min_row_height (&style));
  g_assert_cmpfloat (plot.height / rows, >=, vita_probe_lanes_min_row_height (&style) - 0.5);

  /* the probe-o-gram: the chord task first, layers 1 and 3 probed, the rest not */
  pg = vita_window_get_probeogram (w);
  g_assert_nonnull (pg);
  g_assert_true (g_str_has_prefix (pg->name, "chord "));
  for (int l = 0; l < pg->n_layers; l++)
    g_assert_cmpint (pg->probed[l], ==, l == 1 || l == 3);
  /* its task chosen in its header: onset */
  {
    GtkWidget *header = gtk_widget_get_first_child (gtk_widget_get_first_child (card (w, "probeogram")));
    GtkWidget *dropdown = NULL, *item;
    for (GtkWidget *c = gtk_widget_get_first_child (header); c != NULL; c = gtk_widget_get_next_sibling (c))
      if (GTK_IS_DROP_DOWN (c))
        dropdown = c;
    g_assert_nonnull (dropdown);
    g_assert_true (gtk_widget_get_mapped (dropdown));
    scroll_to (dropdown);
    g_assert_cmpuint (g_list_model_get_n_items (gtk_drop_down_get_model (GTK_DROP_DOWN (dropdown))), ==, 3);
    click (w, dropdown, 1);
    item = wait_label (dropdown, "onset");
    if (item == NULL)
      dump (dropdown, 0);
    g_assert_nonnull (item);
    click (w, item, 1);
    pg = vita_window_get_probeogram (w);
    g_assert_true (g_str_has_prefix (pg->name, "onset "));
  }
  /* the choice is saved in the session */
  {
    g_autofree char *path = g_build_filename (fx->dir, "probes.vitascope", NULL);
    g_autoptr(GError) error = NULL;
    g_autoptr(GFile) file = g_file_new_for_path (path);
    VitaWindow *again;

    g_assert_true (vita_window_save_session (w, path, &error));
    g_assert_no_error (error);
    again = vita_gui_test_window ();
    g_assert_true (vita_window_open_session (again, file));
    g_assert_true (vita_gui_test_wait (has_six, again, 60000));
    g_assert_true (g_str_has_prefix (vita_window_get_probeogram (again)->name, "onset "));
    vita_gui_test_close (again);
  }

  /* the lane menu (right click on the first onset lane): Remove */
  {
    int sx, sy;
    GtkWidget *remove;
    scroll_to (view);
    surface_point (w, view, gtk_widget_get_width (view) / 2.0, lane_y (w, view, 2), &sx, &sy);
    xdotool (w, "mousemove --window %lu %d %d click 3", xid (w), sx, sy);
    vita_gui_test_run_for (400);
    {
      g_autofree char *text = g_strdup_printf ("Remove “%s”", vita_window_get_probe_lane (w, 2, NULL)->name);
      g_assert_true (g_str_has_prefix (vita_window_get_probe_lane (w, 2, NULL)->name, "onset · layer 1"));
      remove = wait_label (view, text);   /* in the lane menu, a popover of the view */
    }
    g_assert_nonnull (remove);
    click (w, remove, 1);
  }
  g_assert_cmpint (n_lanes (w), ==, 5);
  g_assert_true (g_str_has_prefix (vita_window_get_probe_lane (w, 2, NULL)->name, "onset · layer 3"));

  /* and Clear All Probes */
  {
    int sx, sy;
    GtkWidget *clear = NULL;
    scroll_to (view);
    surface_point (w, view, gtk_widget_get_width (view) / 2.0, lane_y (w, view, 0), &sx, &sy);
    xdotool (w, "mousemove --window %lu %d %d click 3", xid (w), sx, sy);
    vita_gui_test_run_for (400);
    clear = wait_label (view, "Clear All Probes");
    g_assert_nonnull (clear);
    click (w, clear, 1);
  }
  g_assert_cmpint (n_lanes (w), ==, 0);
  g_assert_null (vita_window_get_probeogram (w));
  vita_gui_test_run_for (300);
  wait_hidden (card (w, "probeogram"));
}


/* Pixels of a PNG within 24 of (r, g, b) in every channel. */
static int
count_rgb (const char *png, int r, int g, int b)
{
  cairo_surface_t *img = cairo_image_surface_create_from_png (png);
  int n = 0, w, h, stride;
  const guint8 *data;

  g_assert_cmpint (cairo_surface_status (img), ==, CAIRO_STATUS_SUCCESS);
  cairo_surface_flush (img);
  w = cairo_image_surface_get_width (img);
  h = cairo_image_surface_get_height (img);
  stride = cairo_image_surface_get_stride (img);
  data = cairo_image_surface_get_data (img);
  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++)
      {
        guint32 px = *(const guint32 *) (data + (gsize) y * stride + 4 * x);
        int pr = (px >> 16) & 0xff, pg = (px >> 8) & 0xff, pb = px & 0xff;
        n += ABS (pr - r) <= 24 && ABS (pg - g) <= 24 && ABS (pb - b) <= 24;
      }
  cairo_surface_destroy (img);
  return n;
}

static int
png_height (const char *png)
{
  cairo_surface_t *img = cairo_image_surface_create_from_png (png);
  int h = cairo_image_surface_get_height (img);
  cairo_surface_destroy (img);
  return h;
}

/* The chord strip's and the beat ticks' colours (views/vita-annotation-layers.c). */
#define CHORD_RGB 255, 217, 64
#define BEAT_RGB 255, 115, 26

static gboolean
window_action_off (gpointer data)
{
  g_autoptr(GVariant) state = g_action_group_get_action_state (G_ACTION_GROUP (data), "show-chords");
  return !g_variant_get_boolean (state);
}

static gboolean
annotations_settled (gpointer data)
{
  return settled (data) && !vita_window_is_loading_annotations (data);
}

/* Annotations without probes: the probe panel draws them as its ground-truth lane;
 * Annotation Layers ▸ Chords (clicked) hides the chords there too, and the choice is
 * saved in the session and restored. */
static void
test_annotation_lane (Fixture *fx, gconstpointer data)
{
  g_autofree char *lab = g_build_filename (fx->dir, "song.lab", NULL);
  g_autofree char *beats = g_build_filename (fx->dir, "song.beats.txt", NULL);
  g_autofree char *png = g_build_filename (fx->dir, "probes.png", NULL);
  g_autofree char *session = g_build_filename (fx->dir, "layers.vitascope", NULL);
  g_autoptr(GError) error = NULL;
  VitaWindow *w;

  if (!xdotool_usable ())
    return;
  w = fx->window = new_window (fx, 1280, 900);
  g_assert_true (g_file_set_contents (lab, "0.0 6.0 C:maj\n6.0 12.0 A:min\n", -1, NULL));
  g_assert_true (g_file_set_contents (beats, "0.5\n1.5\n2.5\n3.5\n4.5\n5.5\n", -1, NULL));
  {
    g_autoptr(GFile) a = g_file_new_for_path (lab);
    g_autoptr(GFile) b = g_file_new_for_path (beats);
    GFile *ann[] = { a, b };
    vita_window_load_annotations (w, ann, 2);
    g_assert_true (vita_gui_test_wait (annotations_settled, w, 20000));
  }
  g_assert_cmpint (n_lanes (w), ==, 0);
  g_assert_true (shown (card (w, "probes")));

  /* no probes: the chords and beats as the probe panel's ground truth */
  g_assert_true (vita_window_export_figure (w, VITA_PANEL_PROBES, png, NULL, &error));
  g_assert_no_error (error);
  g_test_message ("probe panel: %d chord, %d beat pixels", count_rgb (png, CHORD_RGB),
                  count_rgb (png, BEAT_RGB));
  g_assert_cmpint (count_rgb (png, CHORD_RGB), >, 100);
  g_assert_cmpint (count_rgb (png, BEAT_RGB), >, 20);

  /* Annotation Layers ▸ Chords, clicked: the chords go, the beats stay */
  click (w, main_menu_item (w, "Annotation Layers", "Chords"), 1);
  g_assert_true (vita_gui_test_wait (window_action_off, w, 5000));
  g_assert_true (vita_window_export_figure (w, VITA_PANEL_PROBES, png, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (count_rgb (png, CHORD_RGB), ==, 0);
  g_assert_cmpint (count_rgb (png, BEAT_RGB), >, 20);

  /* saved in the session, and restored over a window showing every layer */
  g_assert_true (vita_window_save_session (w, session, &error));
  g_assert_no_error (error);
  {
    g_autoptr(VitaSessionState) state = vita_session_file_read (session, &error);
    const char *const expect[] = { "beats", "onsets", "key", NULL };
    g_assert_no_error (error);
    g_assert_nonnull (state->annotation_layers);
    g_assert_true (g_strv_equal ((const char *const *) state->annotation_layers, expect));
  }
  g_action_group_change_action_state (G_ACTION_GROUP (w), "show-chords", g_variant_new_boolean (TRUE));
  g_assert_false (window_action_off (w));
  {
    g_autoptr(GFile) file = g_file_new_for_path (session);
    g_assert_true (vita_window_open_session (w, file));
  }
  g_assert_true (vita_gui_test_wait (window_action_off, w, 5000));
  g_assert_true (vita_gui_test_wait (annotations_settled, w, 60000));
  g_assert_true (vita_window_export_figure (w, VITA_PANEL_PROBES, png, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (count_rgb (png, CHORD_RGB), ==, 0);
  g_assert_cmpint (count_rgb (png, BEAT_RGB), >, 20);
}

/* The whole view's figure shows the panels as arranged: a panel hidden with its
 * header's button is left out of it. */
static void
test_layout_export (Fixture *fx, gconstpointer data)
{
  g_autofree char *png = g_build_filename (fx->dir, "layout.png", NULL);
  g_autoptr(GError) error = NULL;
  VitaFigureOptions fo;
  VitaWindow *w;
  int all, without_mel;

  if (!xdotool_usable ())
    return;
  w = fx->window = new_window (fx, 1280, 900);
  vita_figure_options_init (&fo);
  g_assert_true (vita_window_export_figure (w, VITA_PANEL_LAYOUT, png, &fo, &error));
  g_assert_no_error (error);
  all = png_height (png);
  click (w, hide_button_of (card (w, "mel")), 1);
  wait_hidden (card (w, "mel"));
  g_assert_true (vita_window_export_figure (w, VITA_PANEL_LAYOUT, png, &fo, &error));
  g_assert_no_error (error);
  without_mel = png_height (png);
  g_test_message ("whole view: %d px tall, %d without the mel panel", all, without_mel);
  g_assert_cmpint (without_mel, <, all - 50);
}

int
main (int argc, char **argv)
{
  if (!vita_gui_test_init (&argc, &argv))
    return 0;
  /* no sliding menus: a pointer aimed at an item finds it where it is drawn */
  g_object_set (gtk_settings_get_default (), "gtk-enable-animations", FALSE, NULL);
  g_test_add ("/app-arrange/hide-show", Fixture, NULL, fixture_setup, test_hide_show, fixture_teardown);
  g_test_add ("/app-arrange/reorder", Fixture, NULL, fixture_setup, test_reorder, fixture_teardown);
  g_test_add ("/app-arrange/resize-maximise", Fixture, NULL, fixture_setup, test_resize_and_maximise,
              fixture_teardown);
  g_test_add ("/app-arrange/session", Fixture, NULL, fixture_setup, test_session, fixture_teardown);
  g_test_add ("/app-arrange/widths", Fixture, NULL, fixture_setup, test_widths, fixture_teardown);
  g_test_add ("/app-arrange/six-probes", Fixture, NULL, fixture_setup, test_six_probes, fixture_teardown);
  g_test_add ("/app-arrange/annotation-lane", Fixture, NULL, fixture_setup, test_annotation_lane,
              fixture_teardown);
  g_test_add ("/app-arrange/layout-export", Fixture, NULL, fixture_setup, test_layout_export,
              fixture_teardown);
  return g_test_run ();
}
