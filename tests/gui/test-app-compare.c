/* test-app-compare.c — comparisons in the app (issue 11; issue 17's counterfactual):
 * Compare With Random-Init Twin and Difference (A − B) chosen from the main menu (its
 * items clicked), side-by-side and difference PDFs exported with a sidecar naming both
 * models, the twin's weights equal init-model's for its seed and its differences are
 * not zero; a model compared with itself gives exact zeros in the app's difference
 * data; a side B that fails to load, or whose front-end differs, leaves side A as it
 * was; the comparison survives a session round trip; Compare With Edited Audio…
 * analyses the edited track as side B, and the A/B header button (clicked with real
 * X pointer events) plays that edited track at the same position until the
 * comparison stops.  A side B of another depth and head count gets its own layer / head
 * selectors (the B bar, its actions, saved in the session) and every side label says
 * which layer / head it shows; probes of side B (routed by their recorded model hash)
 * are drawn beside A's over one ground-truth row with both scores, B has its own
 * probe-o-gram (A − B in difference mode when the shapes match), and the comparison
 * table carries per-layer probe scores; all of it survives a session round trip. */
#include "test-app-harness.h"

#include <cairo.h>
#include <gdk/x11/gdkx.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <math.h>
#include <string.h>

#include "dsp/vita-audio.h"
#include "model/vita-compare.h"
#include "model/vita-npy.h"
#include "vita-panel-card.h"
#include "model/vita-vit.h"
#include "model/probe/vita-probe.h"
#include "vita-player.h"
#include "vita-session.h"
#include "vita-test.h"
#include "vita-panel-card.h"

#define RATE 16000

typedef struct {
  char       *dir;
  char       *wav;
  char       *model;
  VitaWindow *window;
} Fixture;

static VitaVitConfig
test_config (void)
{
  VitaVitConfig cfg;
  g_autoptr(GError) error = NULL;
  g_assert_true (vita_vit_config_init_preset (&cfg, "test", &error));
  return cfg;
}

static void
fixture_setup (Fixture *fx, gconstpointer data)
{
  VitaVitConfig cfg = test_config ();
  g_autoptr(VitaVit) vit = vita_vit_new_random (&cfg, 11);
  g_autoptr(GError) error = NULL;

  fx->dir = vita_gui_test_tmpdir ();
  fx->wav = vita_gui_test_write_wav (fx->dir, "song.wav", 12.0, RATE);
  fx->model = g_build_filename (fx->dir, "trained.safetensors", NULL);
  g_assert_true (vita_vit_save (vit, fx->model, &error));
  g_assert_no_error (error);
}

static void
fixture_teardown (Fixture *fx, gconstpointer data)
{
  g_autofree char *last = vita_window_get_last_session_path ();
  if (fx->window != NULL)
    vita_gui_test_close (fx->window);
  g_unlink (last);
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

static gboolean
has_model (gpointer data)
{
  return vita_window_get_model_path (data) != NULL;
}

static gboolean
settled (gpointer data)
{
  VitaWindow *w = data;
  return !vita_window_is_busy (w) && !vita_window_is_loading_annotations (w) &&
         vita_window_get_audio_path (w) != NULL;
}

static gboolean
side_b_complete (gpointer data)
{
  VitaSessionSide *b = vita_session_get_side_b (vita_window_get_session (data));
  return b != NULL && vita_session_side_get_complete (b);
}

static gboolean
side_b_model_complete (gpointer data)
{
  VitaSessionSide *b = vita_session_get_side_b (vita_window_get_session (data));
  return side_b_complete (data) && vita_session_side_get_kind (b) == VITA_SIDE_MODEL;
}

static VitaWindow *
open_window (Fixture *fx)
{
  VitaWindow *w = vita_gui_test_window ();
  g_autoptr(GFile) model = g_file_new_for_path (fx->model);
  g_autoptr(GFile) audio = g_file_new_for_path (fx->wav);

  vita_window_open_model (w, model);
  g_assert_true (vita_gui_test_wait (has_model, w, 20000));
  vita_window_open_audio (w, audio);
  g_assert_true (vita_gui_test_wait (settled, w, 120000));
  return w;
}

/* ---- clicking a menu item ------------------------------------------------------- */

static void
find_menu_buttons (GtkWidget *w, GPtrArray *out)
{
  if (GTK_IS_MENU_BUTTON (w) && gtk_menu_button_get_menu_model (GTK_MENU_BUTTON (w)) != NULL)
    g_ptr_array_add (out, w);
  for (GtkWidget *c = gtk_widget_get_first_child (w); c; c = gtk_widget_get_next_sibling (c))
    find_menu_buttons (c, out);
}

/* The menu item (a GtkModelButton) whose label reads `label`. */
static GtkWidget *
find_item (GtkWidget *w, const char *label)
{
  if (GTK_IS_LABEL (w) && g_strcmp0 (gtk_label_get_text (GTK_LABEL (w)), label) == 0)
    {
      for (GtkWidget *p = w; p; p = gtk_widget_get_parent (p))
        if (g_strcmp0 (G_OBJECT_TYPE_NAME (p), "GtkModelButton") == 0)
          return p;
    }
  for (GtkWidget *c = gtk_widget_get_first_child (w); c; c = gtk_widget_get_next_sibling (c))
    {
      GtkWidget *found = find_item (c, label);
      if (found)
        return found;
    }
  return NULL;
}

/* Opens the main menu and clicks the item as a person would (the menu's own button:
 * its action runs only when enabled). */
static void
click_menu (VitaWindow *w, const char *label)
{
  g_autoptr(GPtrArray) buttons = g_ptr_array_new ();
  find_menu_buttons (GTK_WIDGET (w), buttons);
  for (guint i = 0; i < buttons->len; i++)
    {
      GtkMenuButton *button = g_ptr_array_index (buttons, i);
      gtk_menu_button_popup (button);
      vita_gui_test_run_for (200);
      GtkPopover *popover = gtk_menu_button_get_popover (button);
      GtkWidget *item = popover ? find_item (GTK_WIDGET (popover), label) : NULL;
      if (item != NULL)
        {
          g_assert_true (gtk_widget_is_sensitive (item));
          g_signal_emit_by_name (item, "clicked");
          vita_gui_test_run_for (200);
          gtk_menu_button_popdown (button);
          return;
        }
      gtk_menu_button_popdown (button);
    }
  g_error ("no menu item “%s”", label);
}

/* ---- the app's difference data ---------------------------------------------------- */

static float *
export_npy (Fixture *fx, VitaWindow *w, VitaPanel panel, gsize *n)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_strdup_printf ("%s/%s.npy", fx->dir, vita_panel_to_string (panel));
  int ndim;
  gsize shape[8];
  g_assert_true (vita_window_export (w, panel, path, &error));
  g_assert_no_error (error);
  float *data = vita_npy_load (path, &ndim, shape, &error);
  g_assert_no_error (error);
  *n = 1;
  for (int i = 0; i < ndim; i++)
    *n *= shape[i];
  return data;
}

static float
max_abs_difference (Fixture *fx, VitaWindow *w, VitaPanel panel)
{
  gsize n;
  g_autofree float *d = export_npy (fx, w, panel, &n);
  g_assert_cmpuint (n, >, 0);
  float m = 0;
  for (gsize i = 0; i < n; i++)
    {
      g_assert_true (isfinite (d[i]));
      m = MAX (m, fabsf (d[i]));
    }
  return m;
}

static JsonObject *
read_json (const char *path, JsonParser **parser)
{
  g_autoptr(GError) error = NULL;
  *parser = json_parser_new ();
  g_assert_true (json_parser_load_from_file (*parser, path, &error));
  return json_node_get_object (json_parser_get_root (*parser));
}

/* `vitascope-cli render SIDECAR --out PNG`: its exit status; stderr into *err. */
static gboolean
cli_render (const char *sidecar, const char *out, char **err)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *exe = g_build_filename (g_getenv ("VITA_BUILD_ROOT"), "app", "vitascope-cli", NULL);
  const char *argv[] = { exe, "render", sidecar, "--out", out, "--no-sidecar", NULL };
  int status = -1;
  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL,
                               NULL, err, &status, &error));
  g_assert_no_error (error);
  return g_spawn_check_wait_status (status, NULL);
}

/* ---- tests --------------------------------------------------------------------- */

static void
test_twin_difference_export (Fixture *fx, gconstpointer data)
{
  VitaWindow *w = fx->window = open_window (fx);
  VitaSession *session = vita_window_get_session (w);
  g_autoptr(GError) error = NULL;

  /* the twin, from the menu */
  click_menu (w, "Compare With Random-Init Twin");
  g_assert_true (vita_gui_test_wait (side_b_complete, w, 120000));
  VitaSessionSide *b = vita_session_get_side_b (session);
  g_assert_cmpint (vita_session_side_get_kind (b), ==, VITA_SIDE_TWIN);
  g_assert_cmpstr (vita_session_side_get_label (b), ==, "random-init twin, seed 0");
  /* its weights are init-model's for seed 0, byte for byte */
  VitaVitConfig cfg = test_config ();
  g_autoptr(VitaVit) init = vita_vit_new_random (&cfg, 0);
  g_assert_true (vita_compare_same_weights (vita_session_side_get_model (b), init));
  g_assert_false (vita_compare_same_weights (vita_session_side_get_model (b),
                                             vita_session_get_model (session)));
  vita_gui_test_run_for (300);

  /* side by side: a PDF whose sidecar names both models */
  g_autofree char *sbs = g_build_filename (fx->dir, "attention-ab.pdf", NULL);
  g_assert_true (vita_window_export (w, VITA_PANEL_ATTENTION, sbs, &error));
  g_assert_no_error (error);
  g_autofree char *sbs_json = g_strconcat (sbs, ".json", NULL);
  g_autoptr(JsonParser) p1 = NULL;
  JsonObject *side = read_json (sbs_json, &p1);
  JsonObject *cmp = json_object_get_object_member (side, "compare");
  g_assert_nonnull (cmp);
  g_assert_cmpstr (json_object_get_string_member (cmp, "kind"), ==, "twin");
  g_assert_cmpint (json_object_get_int_member (cmp, "twin_seed"), ==, 0);
  g_assert_cmpstr (json_object_get_string_member (cmp, "view"), ==, "side-by-side");
  g_assert_cmpstr (json_object_get_string_member (cmp, "label_b"), ==, "random-init twin, seed 0");
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (side, "model"), "path"),
                   ==, fx->model);

  /* the square cards that draw A beside B are wide enough for two maps (at the
   * fixture's 1280 px two a line, not three 290-px cards of ~60-px maps) */
  for (int i = 0; i < 2; i++)
    {
      VitaPanelCard *card = VITA_PANEL_CARD (vita_window_get_panel_card (w, i ? "cka" : "attention"));
      g_assert_true (vita_panel_card_get_two_sided (card));
      g_assert_cmpint (gtk_widget_get_width (GTK_WIDGET (card)), >=, 440);
    }
  g_assert_false (vita_panel_card_get_two_sided (VITA_PANEL_CARD (vita_window_get_panel_card (w, "received"))));

  /* Difference (A − B), from the menu */
  click_menu (w, "Difference (A − B)");
  g_assert_cmpint (vita_session_get_compare_view (session), ==, VITA_COMPARE_DIFFERENCE);
  vita_gui_test_run_for (300);
  /* one map again in the panels with an A − B view; CKA has none: still A beside B */
  g_assert_false (vita_panel_card_get_two_sided (VITA_PANEL_CARD (vita_window_get_panel_card (w, "attention"))));
  g_assert_true (vita_panel_card_get_two_sided (VITA_PANEL_CARD (vita_window_get_panel_card (w, "cka"))));
  g_assert_cmpfloat (max_abs_difference (fx, w, VITA_PANEL_ATTENTION), >, 0.0f);
  g_assert_cmpfloat (max_abs_difference (fx, w, VITA_PANEL_ATTENTION_GRID), >, 0.0f);
  g_assert_cmpfloat (max_abs_difference (fx, w, VITA_PANEL_SSM), >, 0.0f);
  for (int i = 0; i < 3; i++)
    {
      VitaPanel panels[] = { VITA_PANEL_ATTENTION, VITA_PANEL_ATTENTION_GRID, VITA_PANEL_SSM };
      g_autofree char *pdf = g_strdup_printf ("%s/diff-%s.pdf", fx->dir, vita_panel_to_string (panels[i]));
      g_assert_true (vita_window_export (w, panels[i], pdf, &error));
      g_assert_no_error (error);
      g_autofree char *json = g_strconcat (pdf, ".json", NULL);
      g_autoptr(JsonParser) p2 = NULL;
      JsonObject *o = read_json (json, &p2);
      g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (o, "compare"), "view"),
                       ==, "difference");
      g_test_message ("exported %s", pdf);
    }
  /* the CLI re-renders the difference from its sidecar (the twin remade from its seed) */
  {
    g_autofree char *json = g_build_filename (fx->dir, "diff-attention.pdf.json", NULL);
    g_autofree char *cli = g_build_filename (fx->dir, "diff-attention-cli.png", NULL);
    g_autofree char *err = NULL;
    gboolean ok = cli_render (json, cli, &err);
    if (!ok)
      g_test_message ("vitascope-cli: %s", err);
    g_assert_true (ok);
    g_assert_true (g_file_test (cli, G_FILE_TEST_IS_REGULAR));
  }
  /* the whole view as a figure, both sides */
  g_autofree char *whole = g_build_filename (fx->dir, "view-diff.pdf", NULL);
  g_assert_true (vita_window_export (w, VITA_PANEL_LAYOUT, whole, &error));
  g_assert_no_error (error);

  /* the comparison table, from the menu; exported as figure, CSV and .npy */
  click_menu (w, "Comparison Table…");
  g_assert_true (vita_gui_test_wait ((gboolean (*) (gpointer)) vita_window_has_compare_table, w, 120000));
  {
    const char *names[] = { "table.pdf", "table.csv", "table.npy" };
    for (int i = 0; i < 3; i++)
      {
        g_autofree char *path = g_build_filename (fx->dir, names[i], NULL);
        g_assert_true (vita_window_export_compare_table (w, path, &error));
        g_assert_no_error (error);
        g_assert_true (g_file_test (path, G_FILE_TEST_IS_REGULAR));
      }
    g_autofree char *csv_path = g_build_filename (fx->dir, "table.csv", NULL);
    g_autofree char *csv = NULL;
    g_assert_true (g_file_get_contents (csv_path, &csv, NULL, NULL));
    g_assert_true (g_str_has_prefix (csv, "measure,layer,head,A,B,A-B"));
    g_assert_nonnull (strstr (csv, "ssm_r_chroma,0,"));
    g_assert_nonnull (strstr (csv, "flux_r"));
  }
  /* with onsets annotated (the clicks every 0.5 s), onset F per head */
  {
    g_autofree char *onsets = g_build_filename (fx->dir, "clicks.onsets.txt", NULL);
    g_autoptr(GString) text = g_string_new (NULL);
    for (int i = 1; i < 24; i++)
      g_string_append_printf (text, "%.1f\n", 0.5 * i);
    g_assert_true (g_file_set_contents (onsets, text->str, -1, NULL));
    g_autoptr(GFile) of = g_file_new_for_path (onsets);
    vita_window_load_annotations (w, &of, 1);
    g_assert_true (vita_gui_test_wait (settled, w, 20000));
    vita_gui_test_run_for (300);
    click_menu (w, "Comparison Table…");
    g_assert_true (vita_gui_test_wait ((gboolean (*) (gpointer)) vita_window_has_compare_table, w, 120000));
    g_autofree char *csv_path = g_build_filename (fx->dir, "table-onsets.csv", NULL);
    g_autofree char *csv = NULL;
    g_assert_true (vita_window_export_compare_table (w, csv_path, &error));
    g_assert_true (g_file_get_contents (csv_path, &csv, NULL, NULL));
    g_assert_nonnull (strstr (csv, "onset_f,1,0,"));
  }

  /* back to side by side, then Stop Comparing */
  click_menu (w, "Difference (A − B)");
  g_assert_cmpint (vita_session_get_compare_view (session), ==, VITA_COMPARE_SIDE_BY_SIDE);
  click_menu (w, "Stop Comparing");
  g_assert_null (vita_session_get_side_b (session));
}

static gboolean
has_side_b (gpointer data)
{
  return vita_session_get_side_b (vita_window_get_session (data)) != NULL;
}

/* The model beside itself: every difference the app shows is exactly zero. */
static void
test_self_zero (Fixture *fx, gconstpointer data)
{
  VitaWindow *w = fx->window = open_window (fx);
  VitaSession *session = vita_window_get_session (w);

  vita_session_compare_with_model (session, fx->model);
  g_assert_true (vita_gui_test_wait (side_b_complete, w, 120000));
  g_assert_cmpint (vita_session_side_get_kind (vita_session_get_side_b (session)), ==, VITA_SIDE_MODEL);
  vita_session_set_compare_view (session, VITA_COMPARE_DIFFERENCE);
  vita_gui_test_run_for (300);
  /* a window away from the start, and every layer of the SSM */
  VitaTimeline *tl = vita_window_get_timeline (w);
  vita_timeline_set_position (tl, 7 * RATE);
  for (int layer = 0; layer < vita_timeline_get_n_layers (tl); layer++)
    {
      vita_timeline_set_layer (tl, layer);
      g_assert_cmpfloat (max_abs_difference (fx, w, VITA_PANEL_ATTENTION), ==, 0.0f);
      g_assert_cmpfloat (max_abs_difference (fx, w, VITA_PANEL_SSM), ==, 0.0f);
    }
  g_assert_cmpfloat (max_abs_difference (fx, w, VITA_PANEL_ATTENTION_GRID), ==, 0.0f);

  /* the figure's sidecar records model B's SHA-256: render refuses when it differs */
  g_autoptr(GError) error = NULL;
  g_autofree char *pdf = g_build_filename (fx->dir, "self.pdf", NULL);
  g_autofree char *json = g_build_filename (fx->dir, "self.pdf.json", NULL);
  g_autofree char *cli = g_build_filename (fx->dir, "self-cli.png", NULL);
  g_autofree char *err = NULL, *err2 = NULL, *text = NULL;
  g_assert_true (vita_window_export (w, VITA_PANEL_SSM, pdf, &error));
  g_assert_no_error (error);
  g_assert_true (cli_render (json, cli, &err));
  g_assert_true (g_file_get_contents (json, &text, NULL, NULL));
  VitaVit *vit = vita_session_get_model (session);
  g_autoptr(GString) tampered = g_string_new (text);
  /* the second occurrence of the SHA-256 is model B's */
  const char *first = strstr (tampered->str, vit->sha256);
  g_assert_nonnull (first);
  char *second = strstr (first + 1, vit->sha256);
  g_assert_nonnull (second);
  memset (second, '0', 8);
  g_assert_true (g_file_set_contents (json, tampered->str, -1, NULL));
  g_assert_false (cli_render (json, cli, &err2));
  g_test_message ("%s", err2);
  g_assert_nonnull (strstr (err2, "model B"));
}

/* A B that does not load, or reads other mel frames, is refused; A stays. */
static void
test_bad_b (Fixture *fx, gconstpointer data)
{
  VitaWindow *w = fx->window = open_window (fx);
  VitaSession *session = vita_window_get_session (w);
  VitaAnalysis *an = vita_session_get_analysis (session);
  VitaVit *vit = vita_session_get_model (session);
  guint errors = vita_window_get_n_errors (w);
  g_autoptr(GError) error = NULL;

  g_autofree char *broken = g_build_filename (fx->dir, "broken.safetensors", NULL);
  g_assert_true (g_file_set_contents (broken, "not a model", -1, NULL));
  vita_session_compare_with_model (session, broken);
  vita_gui_test_run_for (1500);
  g_assert_cmpuint (vita_window_get_n_errors (w), >, errors);
  g_assert_nonnull (strstr (vita_window_get_last_error (w), "broken.safetensors"));
  g_assert_null (vita_session_get_side_b (session));
  g_assert_true (vita_session_get_model (session) == vit);
  g_assert_true (vita_session_get_analysis (session) == an);
  g_assert_cmpstr (vita_window_get_model_path (w), ==, fx->model);

  /* another front-end: 64 mel bands */
  VitaVitConfig cfg = test_config ();
  cfg.fe.n_mels = cfg.fe.n_mels == 64 ? 32 : 64;
  g_autoptr(VitaVit) other = vita_vit_new_random (&cfg, 3);
  g_autofree char *other_path = g_build_filename (fx->dir, "other-mels.safetensors", NULL);
  g_assert_true (vita_vit_save (other, other_path, &error));
  g_assert_no_error (error);
  errors = vita_window_get_n_errors (w);
  vita_session_compare_with_model (session, other_path);
  vita_gui_test_run_for (1500);
  g_assert_cmpuint (vita_window_get_n_errors (w), >, errors);
  const char *msg = vita_window_get_last_error (w);
  g_test_message ("%s", msg);
  g_assert_nonnull (strstr (msg, "trained.safetensors"));
  g_assert_nonnull (strstr (msg, "other-mels.safetensors"));
  g_assert_nonnull (strstr (msg, "mel"));
  g_assert_null (vita_session_get_side_b (session));
  g_assert_true (vita_session_get_analysis (session) == an);

  /* side A's model swapped while B (a model file) is shown: B is not analysed again */
  vita_session_compare_with_model (session, fx->model);
  g_assert_true (vita_gui_test_wait (side_b_model_complete, w, 120000));
  VitaAnalysis *an_b = vita_session_side_get_analysis (vita_session_get_side_b (session));
  VitaVitConfig cfg2 = test_config ();
  g_autoptr(VitaVit) swapped = vita_vit_new_random (&cfg2, 12);
  g_autofree char *swapped_path = g_build_filename (fx->dir, "swapped.safetensors", NULL);
  g_assert_true (vita_vit_save (swapped, swapped_path, &error));
  g_autoptr(GFile) swapped_file = g_file_new_for_path (swapped_path);
  vita_window_open_model (w, swapped_file);
  g_assert_true (vita_gui_test_wait (settled, w, 120000));
  g_assert_cmpstr (vita_window_get_model_path (w), ==, swapped_path);
  g_assert_true (vita_session_side_get_analysis (vita_session_get_side_b (session)) == an_b);
  g_assert_true (vita_session_side_get_complete (vita_session_get_side_b (session)));

  /* a twin is fine; then an edit that does not parse leaves it */
  g_assert_true (vita_session_compare_with_twin (session, 5, &error));
  g_assert_true (has_side_b (w));
  const char *bad[] = { "wobble:3", NULL };
  g_assert_false (vita_session_compare_with_edits (session, bad, &error));
  g_assert_nonnull (strstr (error->message, "wobble"));
  g_assert_cmpint (vita_session_side_get_kind (vita_session_get_side_b (session)), ==, VITA_SIDE_TWIN);
}

/* The comparison is saved and restored with the session. */
static void
test_session_round_trip (Fixture *fx, gconstpointer data)
{
  VitaWindow *w = fx->window = open_window (fx);
  VitaSession *session = vita_window_get_session (w);
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_build_filename (fx->dir, "compare.vitascope", NULL);

  g_assert_true (vita_session_compare_with_twin (session, 42, &error));
  vita_session_set_compare_view (session, VITA_COMPARE_DIFFERENCE);
  vita_session_set_compare_per_side_scale (session, TRUE);
  g_assert_true (vita_gui_test_wait (side_b_complete, w, 120000));
  g_assert_true (vita_window_save_session (w, path, &error));
  g_assert_no_error (error);
  vita_gui_test_close (w);
  fx->window = NULL;

  VitaWindow *w2 = fx->window = vita_gui_test_window ();
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_assert_true (vita_window_open_session (w2, file));
  g_assert_true (vita_gui_test_wait (side_b_complete, w2, 120000));
  VitaSession *s2 = vita_window_get_session (w2);
  VitaSessionSide *b = vita_session_get_side_b (s2);
  g_assert_cmpint (vita_session_side_get_kind (b), ==, VITA_SIDE_TWIN);
  g_assert_cmpuint (vita_session_side_get_seed (b), ==, 42);
  g_assert_cmpint (vita_session_get_compare_view (s2), ==, VITA_COMPARE_DIFFERENCE);
  g_assert_true (vita_session_get_compare_per_side_scale (s2));
  g_assert_cmpstr (vita_window_get_model_path (w2), ==, fx->model);

  /* a model file as B round-trips with its path */
  vita_session_compare_with_model (s2, fx->model);
  g_assert_true (vita_gui_test_wait (side_b_model_complete, w2, 120000));
  g_assert_cmpint (vita_session_side_get_kind (vita_session_get_side_b (s2)), ==, VITA_SIDE_MODEL);
  g_autoptr(VitaSessionState) state = vita_session_to_state (s2);
  g_assert_nonnull (state->compare);
  g_assert_cmpstr (state->compare->model->path, ==, fx->model);
  g_assert_nonnull (state->compare->model->sha256);
}

/* Compare With Edited Audio…: the dialog's entry, then Enter. */
static void
test_edit (Fixture *fx, gconstpointer data)
{
  VitaWindow *w = fx->window = open_window (fx);
  VitaSession *session = vita_window_get_session (w);

  /* an onset probe on layer 1: side B (the edited track) gets its own lane */
  {
    VitaVitConfig cfg = test_config ();
    g_autoptr(VitaProbe) probe = vita_probe_new (cfg.dim, 1, VITA_PROBE_SIGMOID);
    g_autoptr(GError) perr = NULL;
    g_free (probe->task);
    probe->task = g_strdup ("onset");
    probe->frame_level = TRUE;
    probe->layer = 1;
    probe->pool = VITA_POOL_TOKEN;
    g_ptr_array_set_size (probe->labels, 0);
    g_ptr_array_add (probe->labels, g_strdup ("onset"));
    for (int i = 0; i < cfg.dim; i++)
      probe->weight[i] = 0.25f * (float) (i % 5) - 0.5f;
    g_autofree char *probe_path = g_build_filename (fx->dir, "onset.safetensors", NULL);
    g_assert_true (vita_probe_save (probe, probe_path, &perr));
    g_autoptr(GFile) pf = g_file_new_for_path (probe_path);
    vita_window_load_probes (w, &pf, 1);
    g_assert_cmpint (vita_window_get_n_probe_lanes (w), ==, 1);
  }

  click_menu (w, "Compare With Edited Audio…");
  /* the dialog is the newest toplevel */
  GtkWidget *entry = NULL;
  AdwMessageDialog *dialog = NULL;
  GListModel *tops = gtk_window_get_toplevels ();
  for (guint i = 0; entry == NULL && i < g_list_model_get_n_items (tops); i++)
    {
      g_autoptr(GObject) top = g_list_model_get_item (tops, i);
      if (ADW_IS_MESSAGE_DIALOG (top))
        {
          dialog = ADW_MESSAGE_DIALOG (top);
          entry = adw_message_dialog_get_extra_child (dialog);
        }
    }
  g_assert_nonnull (entry);
  gtk_editable_set_text (GTK_EDITABLE (entry), "gain:-6dB");
  /* the dialog's Compare button */
  adw_message_dialog_response (dialog, "apply");
  vita_gui_test_run_for (200);
  if (vita_window_get_n_errors (w) > 0)
    g_test_message ("%s", vita_window_get_last_error (w));
  g_assert_true (has_side_b (w));
  g_assert_true (vita_gui_test_wait (side_b_complete, w, 120000));
  VitaSessionSide *b = vita_session_get_side_b (session);
  g_assert_cmpint (vita_session_side_get_kind (b), ==, VITA_SIDE_EDIT);
  g_assert_cmpstr (vita_session_side_get_edits (b)[0], ==, "gain:-6dB");
  g_assert_nonnull (strstr (vita_session_side_get_label (b), "gain:-6dB"));
  /* B analysed the edited PCM: A's samples × 10^(-6/20) */
  const VitaPcm *pb = vita_session_side_get_pcm (b);
  VitaPeaks *pa = vita_session_get_peaks (session);
  g_assert_nonnull (pb);
  g_assert_cmpuint (pb->n_samples, ==, vita_peaks_get_n_samples (pa));
  const float *sa = vita_peaks_get_samples (pa);
  double g = pow (10.0, -6.0 / 20.0);
  for (gsize i = 0; i < pb->n_samples; i += 997)
    g_assert_cmpfloat_with_epsilon (pb->samples[i], sa[i] * g, 1e-5);
  /* B's probe lane, from B's analysis */
  int n_b = 0;
  VitaProbeLane *const *lanes_b = vita_session_get_probe_lanes_b (session, &n_b);
  g_assert_cmpint (n_b, ==, 1);
  g_assert_nonnull (lanes_b[0]->probs);
  {
    g_autoptr(GError) perr = NULL;
    g_autofree char *probes = g_build_filename (fx->dir, "probes-edit.png", NULL);
    g_assert_true (vita_window_export (w, VITA_PANEL_PROBES, probes, &perr));
    g_assert_no_error (perr);
  }
  /* side by side draws both mel spectrograms (the inputs differ) */
  g_autoptr(GError) error = NULL;
  g_autofree char *mel = g_build_filename (fx->dir, "mel-edit.png", NULL);
  g_assert_true (vita_window_export (w, VITA_PANEL_MEL, mel, &error));
  g_assert_no_error (error);
  /* the CLI applies the sidecar's edits again and draws the same pixels */
  g_autofree char *json = g_strconcat (mel, ".json", NULL);
  g_autofree char *cli = g_build_filename (fx->dir, "mel-edit-cli.png", NULL);
  g_autofree char *err = NULL;
  g_assert_true (cli_render (json, cli, &err));
  cairo_surface_t *fa = cairo_image_surface_create_from_png (mel);
  cairo_surface_t *fb = cairo_image_surface_create_from_png (cli);
  g_assert_cmpint (cairo_image_surface_get_height (fa), ==, cairo_image_surface_get_height (fb));
  g_assert_cmpint (cairo_image_surface_get_stride (fa), ==, cairo_image_surface_get_stride (fb));
  g_assert_true (memcmp (cairo_image_surface_get_data (fa), cairo_image_surface_get_data (fb),
                         (gsize) cairo_image_surface_get_stride (fa) *
                           cairo_image_surface_get_height (fa)) == 0);
  cairo_surface_destroy (fa);
  cairo_surface_destroy (fb);
}

/* ---- A/B playback of an edit side ------------------------------------------------- */

/* A left click in the middle of `widget`, through the X server (xdotool). */
static void
x_click (GtkWidget *widget)
{
  GtkNative *native = gtk_widget_get_native (widget);
  graphene_point_t p;
  double tx = 0, ty = 0;
  int status = -1;
  g_autoptr(GError) error = NULL;

  g_assert_true (gtk_widget_compute_point (widget, GTK_WIDGET (native),
                                           &GRAPHENE_POINT_INIT (gtk_widget_get_width (widget) / 2.0,
                                                                 gtk_widget_get_height (widget) / 2.0),
                                           &p));
  gtk_native_get_surface_transform (native, &tx, &ty);
  g_autofree char *cmd = g_strdup_printf (
    "xdotool mousemove --window %lu %d %d sleep 0.1 click 1",
    (unsigned long) gdk_x11_surface_get_xid (gtk_native_get_surface (native)),
    (int) (p.x + tx), (int) (p.y + ty));
  g_assert_true (g_spawn_command_line_sync (cmd, NULL, NULL, &status, &error));
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
}

static gboolean
has_alternate (gpointer data)
{
  return vita_player_has_alternate (data);
}

static gboolean
on_b (gpointer data)
{
  return vita_player_get_ab (data);
}

static gboolean
on_a (gpointer data)
{
  return !vita_player_get_ab (data);
}

static gboolean
player_settled (gpointer data)
{
  return vita_gui_test_player_seconds (data) >= 0;
}

/* Side B an edit: the A/B button appears and a click plays the edited PCM at the
 * same position, a second click goes back to A; a twin as B or Stop Comparing takes
 * the edited audio and the button away; another edit as B, then closing the window
 * with it, go cleanly. */
static void
test_edit_ab (Fixture *fx, gconstpointer data)
{
  VitaWindow *w = fx->window = open_window (fx);
  VitaSession *session = vita_window_get_session (w);
  VitaPlayer *player = vita_window_get_player (w);
  GtkWidget *ab = g_object_get_data (G_OBJECT (w), "vita-test-ab-button");
  g_autoptr(GError) error = NULL;

  g_assert_nonnull (ab);
  g_assert_false (gtk_widget_get_visible (ab));
  g_autofree char *uri_a = g_strdup (vita_player_get_uri (player));

  /* a twin is not another audio: no A/B */
  g_assert_true (vita_session_compare_with_twin (session, 5, &error));
  g_assert_true (vita_gui_test_wait (side_b_complete, w, 120000));
  vita_gui_test_run_for (100);
  g_assert_false (gtk_widget_get_visible (ab));
  g_assert_false (vita_player_has_alternate (player));

  /* an edit is */
  const char *const edits[] = { "gain:-12dB@1-3", NULL };
  g_assert_true (vita_session_compare_with_edits (session, edits, &error));
  g_assert_no_error (error);
  g_assert_true (vita_gui_test_wait (has_alternate, player, 60000));
  g_assert_true (gtk_widget_get_visible (ab));
  VitaSessionSide *b = vita_session_get_side_b (session);
  const VitaPcm *pb = vita_session_side_get_pcm (b);
  g_assert_nonnull (pb);

  vita_player_seek (player, 2 * GST_SECOND);
  g_assert_true (vita_gui_test_wait (player_settled, w, 5000));
  vita_gui_test_run_for (300);
  x_click (ab);
  g_assert_true (vita_gui_test_wait (on_b, player, 5000));
  vita_gui_test_run_for (300);
  g_assert_true (gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (ab)));
  /* what plays is side B's edited PCM (A's × 10^(-12/20) over 1–3 s) */
  const char *uri_b = vita_player_get_uri (player);
  g_assert_cmpstr (uri_b, !=, uri_a);
  g_autofree char *path_b = g_filename_from_uri (uri_b, NULL, NULL);
  g_assert_nonnull (path_b);
  g_autoptr(VitaPcm) played = vita_audio_load (path_b, pb->sample_rate, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (played->n_samples, ==, pb->n_samples);
  VitaPeaks *pa = vita_session_get_peaks (session);
  const float *sa = vita_peaks_get_samples (pa);
  for (gsize i = 0; i < pb->n_samples; i += 499)
    {
      g_assert_cmpfloat_with_epsilon (played->samples[i], pb->samples[i], 1e-6);
      double t = (double) i / pb->sample_rate;
      if (t > 1.05 && t < 2.95)
        g_assert_cmpfloat_with_epsilon (played->samples[i], sa[i] * pow (10.0, -12.0 / 20.0), 1e-5);
      else if (t < 0.95 || t > 3.05)
        g_assert_cmpfloat_with_epsilon (played->samples[i], sa[i], 1e-6);
    }
  double t = vita_gui_test_player_seconds (w);
  g_test_message ("B at %.3f s", t);
  g_assert_cmpfloat (fabs (t - 2.0), <, 0.1);

  /* back to A at the same position */
  x_click (ab);
  g_assert_true (vita_gui_test_wait (on_a, player, 5000));
  vita_gui_test_run_for (300);
  g_assert_cmpstr (vita_player_get_uri (player), ==, uri_a);
  g_assert_cmpfloat (fabs (vita_gui_test_player_seconds (w) - 2.0), <, 0.1);

  /* on B again, then Stop Comparing: A plays, the button goes */
  x_click (ab);
  g_assert_true (vita_gui_test_wait (on_b, player, 5000));
  click_menu (w, "Stop Comparing");
  g_assert_null (vita_session_get_side_b (session));
  g_assert_true (vita_gui_test_wait (on_a, player, 5000));
  vita_gui_test_run_for (300);
  g_assert_false (gtk_widget_get_visible (ab));
  g_assert_false (vita_player_has_alternate (player));
  g_assert_cmpstr (vita_player_get_uri (player), ==, uri_a);

  /* one edit after another: B follows; the window closes with an edit as B */
  const char *const edits2[] = { "reverse:1-2", NULL };
  g_assert_true (vita_session_compare_with_edits (session, edits, &error));
  g_assert_true (vita_gui_test_wait (has_alternate, player, 60000));
  g_assert_true (vita_session_compare_with_edits (session, edits2, &error));
  g_assert_no_error (error);
  g_assert_true (vita_gui_test_wait (side_b_complete, w, 120000));
  g_assert_true (vita_gui_test_wait (has_alternate, player, 10000));
  g_assert_true (gtk_widget_get_visible (ab));
}

/* Closing the window while side B is being analysed (or its model loaded) stops it
 * cleanly. */
static void
test_close_while_running (Fixture *fx, gconstpointer data)
{
  VitaWindow *w = open_window (fx);
  VitaSession *session = vita_window_get_session (w);
  g_autoptr(GError) error = NULL;

  g_assert_true (vita_session_compare_with_twin (session, 3, &error));
  vita_gui_test_run_for (20);
  vita_session_compare_with_model (session, fx->model);
  vita_gui_test_close (w);
  vita_gui_test_run_for (200);
}

/* The session file's "compare" object: written, read back, and refused when wrong. */
static void
test_session_file (void)
{
  g_autoptr(VitaSessionState) state = vita_session_state_new ();
  g_autoptr(GError) error = NULL;
  state->compare = g_new0 (VitaSessionCompare, 1);
  state->compare->kind = VITA_SIDE_EDIT;
  state->compare->edits = g_strsplit ("transpose:+2 mute:0-300Hz@1-2", " ", -1);
  state->compare->difference = TRUE;
  g_autofree char *data = vita_session_file_to_data ("/tmp/x.vitascope", state);
  g_autoptr(VitaSessionState) back = vita_session_file_parse (data, strlen (data), "/tmp/x.vitascope", &error);
  g_assert_no_error (error);
  g_assert_nonnull (back->compare);
  g_assert_cmpint (back->compare->kind, ==, VITA_SIDE_EDIT);
  g_assert_cmpstr (back->compare->edits[1], ==, "mute:0-300Hz@1-2");
  g_assert_null (back->compare->edits[2]);
  g_assert_true (back->compare->difference);
  g_assert_false (back->compare->per_side_scale);

  const char *bad = "{ \"format\": \"vitascope-session\", \"version\": 1, "
                    "\"compare\": { \"kind\": \"wobble\" } }";
  g_autoptr(VitaSessionState) none = vita_session_file_parse (bad, strlen (bad), "/tmp/bad.vitascope", &error);
  g_assert_null (none);
  g_assert_nonnull (strstr (error->message, "compare.kind"));
  g_assert_nonnull (strstr (error->message, "bad.vitascope"));
}


/* ---- side B of another configuration; side B's probes ------------------------- */

/* A model of the test front-end with depth 3 and 4 heads (A: depth 2, 2 heads). */
static char *
write_deeper_model (Fixture *fx)
{
  VitaVitConfig cfg = test_config ();
  g_autoptr(GError) error = NULL;
  cfg.depth = 3;
  cfg.heads = 4;
  g_assert_true (vita_vit_config_validate (&cfg, &error));
  g_autoptr(VitaVit) vit = vita_vit_new_random (&cfg, 23);
  char *path = g_build_filename (fx->dir, "deeper.safetensors", NULL);
  g_assert_true (vita_vit_save (vit, path, &error));
  g_assert_no_error (error);
  return path;
}

/* An onset probe (sigmoid, one class) of `layer` for a model of width dim, trained on
 * the model with that SHA-256 ("" unknown). */
static char *
write_onset_probe (Fixture *fx, const char *name, int dim, int layer, const char *sha256,
                   float bias)
{
  g_autoptr(VitaProbe) probe = vita_probe_new (dim, 1, VITA_PROBE_SIGMOID);
  g_autoptr(GError) error = NULL;
  g_free (probe->task);
  probe->task = g_strdup ("onset");
  probe->frame_level = TRUE;
  probe->layer = layer;
  probe->pool = VITA_POOL_TOKEN;
  g_ptr_array_set_size (probe->labels, 0);
  g_ptr_array_add (probe->labels, g_strdup ("onset"));
  for (int i = 0; i < dim; i++)
    probe->weight[i] = 0.3f * (float) ((i * 7 + layer) % 5) - 0.6f;
  probe->bias[0] = bias;
  g_strlcpy (probe->model_sha256, sha256 ? sha256 : "", sizeof probe->model_sha256);
  char *path = g_build_filename (fx->dir, name, NULL);
  g_assert_true (vita_probe_save (probe, path, &error));
  g_assert_no_error (error);
  return path;
}

/* The text of a PDF (pdftotext), or NULL when pdftotext is not there. */
static char *
pdf_text (const char *pdf)
{
  g_autofree char *exe = g_find_program_in_path ("pdftotext");
  g_autoptr(GError) error = NULL;
  char *out = NULL;
  int status = -1;
  if (exe == NULL)
    return NULL;
  const char *argv[] = { exe, "-raw", pdf, "-", NULL };
  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL,
                               &out, NULL, &status, &error));
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  return out;
}

static char *
export_text (Fixture *fx, VitaWindow *w, VitaPanel panel, const char *name)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *pdf = g_build_filename (fx->dir, name, NULL);
  g_assert_true (vita_window_export (w, panel, pdf, &error));
  g_assert_no_error (error);
  g_test_message ("exported %s", pdf);
  return pdf_text (pdf);
}

static int
count_of (const char *text, const char *what)
{
  int n = 0;
  for (const char *p = text; (p = strstr (p, what)) != NULL; p += strlen (what))
    n++;
  return n;
}

static gboolean
has_probe_lane (gpointer data)
{
  int n = 0;
  vita_session_get_probe_lanes (vita_window_get_session (data), &n);
  return n > 0;
}

static gboolean
has_lanes_b (gpointer data)
{
  int n = 0;
  vita_session_get_probe_lanes_b (vita_window_get_session (data), &n);
  return n > 0;
}

static void
test_own_layers (Fixture *fx, gconstpointer data)
{
  VitaWindow *w = fx->window = open_window (fx);
  VitaSession *session = vita_window_get_session (w);
  GtkWidget *bar = g_object_get_data (G_OBJECT (w), "vita-test-b-bar");
  GtkDropDown *layer_b = g_object_get_data (G_OBJECT (w), "vita-test-layer-b-dropdown");
  GtkDropDown *head_b = g_object_get_data (G_OBJECT (w), "vita-test-head-b-dropdown");
  g_autoptr(GError) error = NULL;

  /* the same configuration (the twin): one selector drives both */
  g_assert_true (vita_session_compare_with_twin (session, 3, &error));
  g_assert_true (vita_gui_test_wait (side_b_complete, w, 120000));
  g_assert_false (vita_session_get_compare_own_layers (session));
  g_assert_false (gtk_widget_get_visible (bar));
  g_assert_false (g_action_group_get_action_enabled (G_ACTION_GROUP (w), "layer-b-next"));

  /* depth 3 and 4 heads beside depth 2 and 2 heads: side B's own selectors */
  g_autofree char *deeper = write_deeper_model (fx);
  vita_session_compare_with_model (session, deeper);
  g_assert_true (vita_gui_test_wait (side_b_model_complete, w, 120000));
  g_assert_true (vita_session_get_compare_own_layers (session));
  vita_gui_test_run_for (200);
  g_assert_true (gtk_widget_get_visible (bar));
  g_assert_cmpuint (g_list_model_get_n_items (gtk_drop_down_get_model (layer_b)), ==, 4);
  g_assert_cmpuint (g_list_model_get_n_items (gtk_drop_down_get_model (head_b)), ==, 5);

  VitaTimeline *tl = vita_session_get_timeline (session);
  vita_timeline_set_layer (tl, 2);
  vita_timeline_set_head (tl, 1);
  /* the keys' actions (Alt+Down, Alt+Right) and the drop-downs move B only */
  gtk_drop_down_set_selected (layer_b, 1);
  g_assert_cmpint (vita_session_get_layer_b (session), ==, 1);
  for (int i = 0; i < 5; i++)   /* clamped at B's last layer, 3 */
    g_assert_true (gtk_widget_activate_action (GTK_WIDGET (w), "win.layer-b-next", NULL));
  g_assert_cmpint (vita_session_get_layer_b (session), ==, 3);
  gtk_drop_down_set_selected (head_b, 0);   /* mean of heads */
  g_assert_cmpint (vita_session_get_head_b (session), ==, -1);
  for (int i = 0; i < 4; i++)
    g_assert_true (gtk_widget_activate_action (GTK_WIDGET (w), "win.head-b-next", NULL));
  g_assert_cmpint (vita_session_get_head_b (session), ==, 3);
  g_assert_cmpuint (gtk_drop_down_get_selected (head_b), ==, 4);
  g_assert_cmpint (vita_timeline_get_layer (tl), ==, 2);
  g_assert_cmpint (vita_timeline_get_head (tl), ==, 1);
  vita_gui_test_run_for (300);

  /* each side's label says which layer / head it shows */
  g_autofree char *text = export_text (fx, w, VITA_PANEL_ATTENTION, "own-layers-attention.pdf");
  if (text != NULL)
    {
      g_test_message ("%s", text);
      g_assert_nonnull (strstr (text, "A: trained.safetensors — layer 2, head 2"));
      g_assert_nonnull (strstr (text, "B: deeper.safetensors — layer 3, head 4"));
    }
  g_autofree char *rtext = export_text (fx, w, VITA_PANEL_RECEIVED, "own-layers-received.pdf");
  if (rtext != NULL)
    g_assert_nonnull (strstr (rtext, "B: deeper.safetensors — layer 3, head 4"));

  /* the sidecar records B's own layer / head, and `render SIDECAR` draws the figure
   * again with B there, not following A: the same pixels, the same labels */
  {
    g_autofree char *png = g_build_filename (fx->dir, "own-layers.png", NULL);
    g_autofree char *side = g_strconcat (png, ".json", NULL);
    g_autofree char *again = g_build_filename (fx->dir, "own-layers-again.png", NULL);
    g_autofree char *pdf_side = g_build_filename (fx->dir, "own-layers-attention.pdf.json", NULL);
    g_autofree char *pdf_again = g_build_filename (fx->dir, "own-layers-again.pdf", NULL);
    g_assert_true (vita_window_export (w, VITA_PANEL_ATTENTION, png, &error));
    g_assert_no_error (error);
    g_autoptr(JsonParser) parser = json_parser_new ();
    g_assert_true (json_parser_load_from_file (parser, side, &error));
    JsonObject *cmp = json_object_get_object_member (json_node_get_object (json_parser_get_root (parser)),
                                                     "compare");
    g_assert_cmpint (json_object_get_int_member (cmp, "layer_b"), ==, 3);
    g_assert_cmpint (json_object_get_int_member (cmp, "head_b"), ==, 3);
    g_assert_cmpint (json_object_get_int_member (cmp, "head_b_number"), ==, 4);
    VitaCliResult r = vita_test_run_cli ("render", side, "--out", again, "--no-sidecar", NULL);
    if (r.status != 0)
      g_test_message ("render: %s", r.err);
    g_assert_cmpint (r.status, ==, 0);
    vita_test_cli_result_clear (&r);
    vita_gui_test_assert_same_pixels (png, again);
    r = vita_test_run_cli ("render", pdf_side, "--out", pdf_again, "--no-sidecar", NULL);
    g_assert_cmpint (r.status, ==, 0);
    vita_test_cli_result_clear (&r);
    g_autofree char *atext = pdf_text (pdf_again);
    if (text != NULL)
      g_assert_cmpstr (atext, ==, text);
  }

  /* saved and restored */
  g_autofree char *path = g_build_filename (fx->dir, "own.vitascope", NULL);
  g_assert_true (vita_window_save_session (w, path, &error));
  g_assert_no_error (error);
  vita_gui_test_close (w);
  VitaWindow *w2 = fx->window = vita_gui_test_window ();
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_assert_true (vita_window_open_session (w2, file));
  g_assert_true (vita_gui_test_wait (side_b_model_complete, w2, 120000));
  VitaSession *s2 = vita_window_get_session (w2);
  g_assert_true (vita_session_get_compare_own_layers (s2));
  g_assert_cmpint (vita_session_get_layer_b (s2), ==, 3);
  g_assert_cmpint (vita_session_get_head_b (s2), ==, 3);
  vita_gui_test_run_for (200);
  GtkDropDown *layer_b2 = g_object_get_data (G_OBJECT (w2), "vita-test-layer-b-dropdown");
  g_assert_cmpuint (gtk_drop_down_get_selected (layer_b2), ==, 3);
  g_assert_true (gtk_widget_get_visible (g_object_get_data (G_OBJECT (w2), "vita-test-b-bar")));

  /* stopping hides the B bar */
  vita_session_stop_comparing (s2);
  vita_gui_test_run_for (100);
  g_assert_false (gtk_widget_get_visible (g_object_get_data (G_OBJECT (w2), "vita-test-b-bar")));
}

static void
test_probes_b (Fixture *fx, gconstpointer data)
{
  VitaWindow *w = fx->window = open_window (fx);
  VitaSession *session = vita_window_get_session (w);
  g_autoptr(GError) error = NULL;

  /* onsets of the track: the probes' ground truth */
  g_autofree char *onsets = g_build_filename (fx->dir, "song.onsets.txt", NULL);
  {
    g_autoptr(GString) text = g_string_new (NULL);
    for (double t = 0.25; t < 11.5; t += 0.5)
      g_string_append_printf (text, "%.3f\n", t);
    g_assert_true (g_file_set_contents (onsets, text->str, -1, &error));
    g_autoptr(GFile) f = g_file_new_for_path (onsets);
    vita_window_load_annotations (w, &f, 1);
    g_assert_true (vita_gui_test_wait (settled, w, 20000));
  }

  g_autofree char *deeper = write_deeper_model (fx);
  vita_session_compare_with_model (session, deeper);
  g_assert_true (vita_gui_test_wait (side_b_model_complete, w, 120000));
  VitaVit *vb = vita_session_side_get_model (vita_session_get_side_b (session));
  VitaVitConfig cfg = test_config ();

  /* Load Probes: A's stays with A; B's (its recorded model hash is B's) goes to B */
  g_autofree char *pa = write_onset_probe (fx, "onset-a.safetensors", cfg.dim, 1,
                                           vita_session_get_model (session)->sha256, 0.0f);
  g_autofree char *pb = write_onset_probe (fx, "onset-b.safetensors", cfg.dim, 3, vb->sha256, 0.2f);
  g_autoptr(GFile) fa = g_file_new_for_path (pa);
  g_autoptr(GFile) fb = g_file_new_for_path (pb);
  GFile *files[] = { fa, fb };
  vita_window_load_probes (w, files, 2);
  g_assert_true (vita_gui_test_wait (has_lanes_b, w, 20000));
  int n_a = 0, n_b = 0;
  vita_session_get_probe_lanes (session, &n_a);
  vita_session_get_probe_lanes_b (session, &n_b);
  g_assert_cmpint (n_a, ==, 1);
  g_assert_cmpint (n_b, ==, 1);
  g_assert_true (isfinite (vita_probe_set_get_score (vita_session_get_probe_set (session), 0)));
  g_assert_true (isfinite (vita_probe_set_get_score (vita_session_get_probe_set_b (session), 0)));
  /* a probe that does not fit B is refused, B keeps its one */
  g_autofree char *wide = write_onset_probe (fx, "wide.safetensors", cfg.dim + 4, 1, NULL, 0.0f);
  const char *bad[] = { wide, NULL };
  g_assert_true (vita_window_load_probes_b (w, bad));
  vita_session_get_probe_paths_b (session, &n_b);
  g_assert_cmpint (n_b, ==, 1);
  g_assert_nonnull (vita_session_get_probeogram_b (session));
  vita_gui_test_run_for (300);

  /* both lanes, labelled by side with their scores, over ONE ground-truth row */
  g_autofree char *text = export_text (fx, w, VITA_PANEL_PROBES, "probes-ab.pdf");
  if (text != NULL)
    {
      g_test_message ("%s", text);
      g_assert_nonnull (strstr (text, "A: onset"));
      g_assert_nonnull (strstr (text, "B: onset"));
      g_assert_cmpint (count_of (text, "layer 1"), >=, 1);
      g_assert_cmpint (count_of (text, "layer 3"), >=, 1);
      g_assert_cmpint (count_of (text, "F "), >=, 2);
      g_assert_cmpint (count_of (text, "ground truth"), ==, 1);
      g_assert_null (strstr (text, " whole"));   /* at 0:00 only the whole track's score */
    }
  /* the playhead at 5.6 s: each lane's score so far (to 0:05) beside its whole score,
   * the so-far one the prefix sums' at 5 s, and at the track's end the whole score */
  {
    VitaTimeline *tl = vita_session_get_timeline (session);
    vita_timeline_set_position (tl, (gint64) (5.6 * vita_timeline_get_sample_rate (tl)));
    vita_gui_test_run_for (100);
    VitaProbeLane *const *la = vita_session_get_probe_lanes (session, &n_a);
    VitaProbeLane *const *lb = vita_session_get_probe_lanes_b (session, &n_b);
    double hop_s = (double) cfg.fe.hop_length / cfg.fe.sample_rate;
    int k = (int) floor (5.0 / hop_s + 1e-9);
    g_autofree char *run_text = export_text (fx, w, VITA_PANEL_PROBES, "probes-ab-running.pdf");
    for (int side = 0; side < 2; side++)
      {
        const VitaProbeLane *lane = side == 0 ? la[0] : lb[0];
        g_assert_nonnull (lane->run_num);
        g_assert_cmpfloat (lane->run_den[k], >, 0);
        g_assert_cmpfloat (fabs (lane->run_num[lane->n_frames - 1] / lane->run_den[lane->n_frames - 1]
                                 - lane->score), <, 1e-12);
        double so_far = lane->run_num[k] / lane->run_den[k];
        g_autofree char *want = so_far < 0.995 ? g_strdup_printf (".%02d to 0:05", (int) lround (so_far * 100))
                                               : g_strdup_printf ("%.2f to 0:05", so_far);
        if (run_text != NULL)
          g_assert_nonnull (strstr (run_text, want));
      }
    if (run_text != NULL)
      {
        g_test_message ("%s", run_text);
        g_assert_cmpint (count_of (run_text, " whole"), ==, 2);
        g_assert_cmpint (count_of (run_text, "onset F\n"), ==, 2);   /* the task and measure */
      }
    vita_timeline_set_position (tl, 0);
  }
  /* B's probe-o-gram beside A's (A: 3 token layers, B: 4: no difference) */
  g_autofree char *pg_text = export_text (fx, w, VITA_PANEL_PROBEOGRAM, "probeogram-ab.pdf");
  if (pg_text != NULL)
    {
      g_assert_nonnull (strstr (pg_text, "A: trained.safetensors"));
      g_assert_nonnull (strstr (pg_text, "B: deeper.safetensors"));
    }

  /* the comparison table: per layer A's and B's probe scores */
  click_menu (w, "Comparison Table…");
  g_assert_true (vita_gui_test_wait ((gboolean (*) (gpointer)) vita_window_has_compare_table, w, 120000));
  g_autofree char *csv_path = g_build_filename (fx->dir, "table.csv", NULL);
  g_assert_true (vita_window_export_compare_table (w, csv_path, &error));
  g_assert_no_error (error);
  g_autofree char *csv = NULL;
  g_assert_true (g_file_get_contents (csv_path, &csv, NULL, &error));
  g_test_message ("%s", csv);
  g_assert_nonnull (strstr (csv, "\nprobe_onset,1,,"));
  g_assert_nonnull (strstr (csv, "\nprobe_onset,3,,,"));   /* A has no layer 3: empty A */
  g_autofree char *fig = g_build_filename (fx->dir, "table.pdf", NULL);
  g_assert_true (vita_window_export_compare_table (w, fig, &error));
  g_autofree char *ftext = pdf_text (fig);
  if (ftext != NULL)
    g_assert_nonnull (strstr (ftext, "probe_onset"));

  /* saved and restored: B's probe comes back as B's */
  g_autofree char *path = g_build_filename (fx->dir, "probes-b.vitascope", NULL);
  g_assert_true (vita_window_save_session (w, path, &error));
  g_assert_no_error (error);
  /* `render SESSION` draws both sides' lanes and probe-o-grams as the window exports
   * them: the same pixels */
  for (int i = 0; i < 2; i++)
    {
      VitaPanel panel = i == 0 ? VITA_PANEL_PROBES : VITA_PANEL_PROBEOGRAM;
      g_autofree char *gui = g_strdup_printf ("%s/%s-gui.png", fx->dir, vita_panel_to_string (panel));
      g_autofree char *cli = g_strdup_printf ("%s/%s-cli.png", fx->dir, vita_panel_to_string (panel));
      g_assert_true (vita_window_export (w, panel, gui, &error));
      g_assert_no_error (error);
      VitaCliResult r = vita_test_run_cli ("render", path, "--panel", vita_panel_to_string (panel),
                                           "--out", cli, "--no-sidecar", NULL);
      if (r.status != 0)
        g_test_message ("render: %s", r.err);
      g_assert_cmpint (r.status, ==, 0);
      vita_test_cli_result_clear (&r);
      vita_gui_test_assert_same_pixels (gui, cli);
    }
  vita_gui_test_close (w);
  VitaWindow *w2 = fx->window = vita_gui_test_window ();
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_assert_true (vita_window_open_session (w2, file));
  g_assert_true (vita_gui_test_wait (side_b_model_complete, w2, 120000));
  g_assert_true (vita_gui_test_wait (has_lanes_b, w2, 20000));
  VitaSession *s2 = vita_window_get_session (w2);
  const char *const *paths_b = vita_session_get_probe_paths_b (s2, &n_b);
  g_assert_cmpint (n_b, ==, 1);
  g_assert_cmpstr (paths_b[0], ==, pb);
  g_assert_true (vita_gui_test_wait (has_probe_lane, w2, 20000));
  vita_session_get_probe_lanes (s2, &n_a);
  g_assert_cmpint (n_a, ==, 1);

  /* a twin B with a probe of A's shape: the probe-o-gram's A − B */
  g_assert_true (vita_session_compare_with_twin (s2, 5, &error));
  g_assert_true (vita_gui_test_wait (side_b_complete, w2, 120000));
  vita_session_get_probe_paths_b (s2, &n_b);
  g_assert_cmpint (n_b, ==, 0);   /* B's probes belonged to the other model */
  g_autofree char *pt = write_onset_probe (fx, "onset-twin.safetensors", cfg.dim, 1, NULL, -0.3f);
  const char *twin_probe[] = { pt, NULL };
  g_assert_true (vita_window_load_probes_b (w2, twin_probe));
  g_assert_true (vita_gui_test_wait (has_lanes_b, w2, 20000));
  vita_session_set_compare_view (s2, VITA_COMPARE_DIFFERENCE);
  vita_gui_test_run_for (300);
  const VitaProbeogram *pga = vita_session_get_probeogram (s2);
  const VitaProbeogram *pgb = vita_session_get_probeogram_b (s2);
  g_assert_nonnull (pga);
  g_assert_nonnull (pgb);
  gsize n = 0;
  g_autofree float *d = export_npy (fx, w2, VITA_PANEL_PROBEOGRAM, &n);
  g_assert_cmpuint (n, ==, (gsize) pga->n_layers * pga->n_frames);
  float m = 0;
  for (gsize i = 0; i < n; i++)
    {
      float want = pga->values[i] - pgb->values[i];
      if (isnan (want))
        g_assert_true (isnan (d[i]));
      else
        {
          g_assert_cmpfloat (d[i], ==, want);
          m = MAX (m, fabsf (d[i]));
        }
    }
  g_assert_cmpfloat (m, >, 0.0f);
  g_autofree char *dtext = export_text (fx, w2, VITA_PANEL_PROBEOGRAM, "probeogram-diff.pdf");
  if (dtext != NULL)
    g_assert_nonnull (strstr (dtext, "Probe-o-gram A − B"));
}

int
main (int argc, char **argv)
{
  if (!vita_gui_test_init (&argc, &argv))
    return 0;
  g_test_add ("/app/compare/twin-difference-export", Fixture, NULL, fixture_setup,
              test_twin_difference_export, fixture_teardown);
  g_test_add ("/app/compare/self-zero", Fixture, NULL, fixture_setup, test_self_zero, fixture_teardown);
  g_test_add ("/app/compare/bad-b", Fixture, NULL, fixture_setup, test_bad_b, fixture_teardown);
  g_test_add ("/app/compare/session", Fixture, NULL, fixture_setup, test_session_round_trip,
              fixture_teardown);
  g_test_add ("/app/compare/edit", Fixture, NULL, fixture_setup, test_edit, fixture_teardown);
  g_test_add ("/app/compare/edit-ab", Fixture, NULL, fixture_setup, test_edit_ab, fixture_teardown);
  g_test_add_func ("/app/compare/session-file", test_session_file);
  g_test_add ("/app/compare/own-layers", Fixture, NULL, fixture_setup, test_own_layers,
              fixture_teardown);
  g_test_add ("/app/compare/probes-b", Fixture, NULL, fixture_setup, test_probes_b,
              fixture_teardown);
  g_test_add ("/app/compare/close-while-running", Fixture, NULL, fixture_setup,
              test_close_while_running, fixture_teardown);
  return g_test_run ();
}
