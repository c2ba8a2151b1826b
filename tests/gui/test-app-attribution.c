/* test-app-attribution.c — attribution in the app (issue 17): a probe target chosen in
 * the Attribution popover, integrated gradients computed on a worker, the overlay on
 * the mel panel (pixels change where the map is non-zero), its export (PNG + .npy +
 * sidecar that `vitascope-cli render` draws again), cancel, the session round trip,
 * and the A/B switch of the player. */
#include "test-app-harness.h"

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <math.h>
#include <string.h>

#include "model/vita-npy.h"
#include "model/vita-vit.h"
#include "model/probe/vita-probe.h"
#include "vita-player.h"
#include "vita-session.h"
#include "vita-window-attribution.h"
#include "views/vita-panel-view.h"

typedef struct {
  char       *dir;
  char       *wav;
  char       *model;
  char       *probe;
  VitaWindow *window;
} Fixture;

static void
fixture_setup (Fixture *fx, gconstpointer data)
{
  VitaVitConfig cfg;
  g_autoptr(GError) error = NULL;
  fx->dir = vita_gui_test_tmpdir ();
  fx->wav = vita_gui_test_write_wav (fx->dir, "song.wav", 6.0, 16000);
  g_assert_true (vita_vit_config_init_preset (&cfg, "test", &error));
  g_autoptr(VitaVit) vit = vita_vit_new_random (&cfg, 7);
  fx->model = g_build_filename (fx->dir, "tiny.safetensors", NULL);
  g_assert_true (vita_vit_save (vit, fx->model, &error));
  g_autoptr(VitaVit) loaded = vita_vit_load (fx->model, &error);
  g_assert_no_error (error);

  /* a frame-level chord probe of layer 2 with random weights (non-zero gradients) */
  g_autoptr(VitaProbe) probe = vita_probe_new (cfg.dim, 3, VITA_PROBE_SOFTMAX);
  g_free (probe->task);
  probe->task = g_strdup ("chord");
  probe->frame_level = TRUE;
  probe->layer = 2;
  probe->pool = VITA_POOL_TOKEN;
  g_ptr_array_set_size (probe->labels, 0);
  g_ptr_array_add (probe->labels, g_strdup ("C:maj"));
  g_ptr_array_add (probe->labels, g_strdup ("A:min"));
  g_ptr_array_add (probe->labels, g_strdup ("N"));
  GRand *rand = g_rand_new_with_seed (3);
  for (int i = 0; i < 3 * cfg.dim; i++)
    probe->weight[i] = (float) g_rand_double_range (rand, -1, 1);
  g_rand_free (rand);
  g_strlcpy (probe->model_sha256, loaded->sha256, sizeof probe->model_sha256);
  fx->probe = g_build_filename (fx->dir, "chord.safetensors", NULL);
  g_assert_true (vita_probe_save (probe, fx->probe, &error));
  fx->window = vita_gui_test_window ();
}

static void
remove_all (const char *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;
  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);
      g_unlink (path);
    }
  g_rmdir (dir);
}

static void
fixture_teardown (Fixture *fx, gconstpointer data)
{
  if (fx->window != NULL)
    vita_gui_test_close (fx->window);
  if (g_getenv ("VITA_TEST_KEEP") == NULL)
    remove_all (fx->dir);
  g_free (fx->wav);
  g_free (fx->model);
  g_free (fx->probe);
  g_free (fx->dir);
}

static gboolean
ready (gpointer data)
{
  return vita_window_get_model_path (data) != NULL && !vita_window_is_busy (data) &&
         !vita_window_is_loading_annotations (data);
}

static void
open_all (Fixture *fx)
{
  g_autoptr(GFile) model = g_file_new_for_path (fx->model);
  g_autoptr(GFile) audio = g_file_new_for_path (fx->wav);
  g_autoptr(GFile) probe = g_file_new_for_path (fx->probe);
  vita_window_open_model (fx->window, model);
  g_assert_true (vita_gui_test_wait (ready, fx->window, 10000));
  vita_window_open_audio (fx->window, audio);
  g_assert_true (vita_gui_test_wait (ready, fx->window, 60000));
  vita_window_load_probes (fx->window, &probe, 1);
  g_assert_cmpint (vita_window_get_n_probe_lanes (fx->window), ==, 1);
}

static gpointer
test_widget (VitaWindow *w, const char *name)
{
  gpointer p = g_object_get_data (G_OBJECT (w), name);
  g_assert_nonnull (p);
  return p;
}

static VitaPanelView *
find_mel_view (GtkWidget *w)
{
  if (VITA_IS_PANEL_VIEW (w) && vita_panel_view_get_panel (VITA_PANEL_VIEW (w)) == VITA_PANEL_MEL)
    return VITA_PANEL_VIEW (w);
  for (GtkWidget *c = gtk_widget_get_first_child (w); c; c = gtk_widget_get_next_sibling (c))
    {
      VitaPanelView *v = find_mel_view (c);
      if (v)
        return v;
    }
  return NULL;
}

static gboolean
not_running (gpointer data)
{
  return !_vita_window_attribution_is_running (data);
}

static const float *
overlay (VitaWindow *w, int *n_frames, int *n_mels)
{
  VitaSession *session = vita_window_get_session (w);
  VitaPaintCache *cache = vita_analysis_source_get_cache (vita_session_get_analysis_source (session));
  return cache ? vita_paint_cache_get_attribution (cache, n_frames, n_mels, NULL, NULL, NULL) : NULL;
}

static gboolean
popover_shown (gpointer data)
{
  return gtk_widget_get_visible (test_widget (data, "vita-test-attr-popover"));
}

typedef struct {
  VitaWindow *w;
  char       *before;
} StatusWait;

static gboolean
status_changed (gpointer data)
{
  StatusWait *sw = data;
  return g_strcmp0 (gtk_label_get_text (test_widget (sw->w, "vita-test-attr-status")), sw->before) != 0;
}

/* Opens the popover as a click on the header button does, picks the target, class
 * A:min, the method with `steps`, and presses Compute (GtkButton's keyboard activation
 * clicks after 250 ms: waits until the status says something new). */
static void
choose_and_compute_with (Fixture *fx, guint target, guint method, int steps)
{
  VitaWindow *w = fx->window;
  GtkMenuButton *button = test_widget (w, "vita-test-attr-button");
  /* the menu button's own toggle, activated as Enter / a click on it does */
  GtkWidget *toggle = gtk_widget_get_first_child (GTK_WIDGET (button));
  g_assert_true (GTK_IS_TOGGLE_BUTTON (toggle));
  if (!popover_shown (w))
    {
      gtk_widget_activate (toggle);
      g_assert_true (vita_gui_test_wait (popover_shown, w, 5000));
    }
  gtk_drop_down_set_selected (test_widget (w, "vita-test-attr-target"), target);
  gtk_drop_down_set_selected (test_widget (w, "vita-test-attr-method"), method);
  gtk_drop_down_set_selected (test_widget (w, "vita-test-attr-class"), 1);
  gtk_spin_button_set_value (test_widget (w, "vita-test-attr-steps"), steps);
  GtkWidget *compute = test_widget (w, "vita-test-attr-compute");
  g_assert_true (gtk_widget_is_sensitive (compute));
  StatusWait sw = { w, g_strdup (gtk_label_get_text (test_widget (w, "vita-test-attr-status"))) };
  gtk_widget_activate (compute);
  g_assert_true (vita_gui_test_wait (status_changed, &sw, 5000));
  g_free (sw.before);
}

static void
choose_and_compute (Fixture *fx, guint target, int steps)
{
  choose_and_compute_with (fx, target, 0, steps);
}

static void
test_ig_overlay_export (Fixture *fx, gconstpointer data)
{
  VitaWindow *w = fx->window;
  g_autoptr(GError) error = NULL;
  open_all (fx);
  VitaTimeline *tl = vita_window_get_timeline (w);
  vita_timeline_set_position (tl, vita_timeline_frame_to_sample (tl, 60));
  VitaPanelView *mel = find_mel_view (GTK_WIDGET (w));
  g_assert_nonnull (mel);
  const int W = 800, H = 200;
  cairo_surface_t *before = vita_panel_view_render (mel, W, H);

  choose_and_compute (fx, 0, 64);
  /* the popover says what it explains, as a person reads it */
  const char *summary = gtk_label_get_text (test_widget (w, "vita-test-attr-summary"));
  g_test_message ("summary: %s", summary);
  g_assert_cmpstr (summary, ==, "Explains: A:min at 0:01.9");
  g_assert_true (vita_gui_test_wait (not_running, w, 60000));
  const char *status = gtk_label_get_text (test_widget (w, "vita-test-attr-status"));
  g_test_message ("status: %s", status);
  g_assert_nonnull (strstr (status, "completeness error"));
  /* the completeness check of 64 Gauss–Legendre steps: within 1 % */
  const char *pct = strstr (status, "completeness error ");
  g_assert_nonnull (pct);
  double err = g_ascii_strtod (pct + strlen ("completeness error "), NULL);
  g_assert_cmpfloat (err, <, 1.0);

  int n_frames = 0, n_mels = 0;
  const float *map = overlay (w, &n_frames, &n_mels);
  g_assert_nonnull (map);
  /* the session records what the overlay shows */
  const VitaAttrSettings *rec = vita_session_get_attribution (vita_window_get_session (w));
  g_assert_nonnull (rec->target);
  g_assert_true (g_str_has_prefix (rec->target, "class:A:min@"));
  g_assert_cmpstr (rec->method, ==, "ig");
  g_assert_cmpint (rec->steps, ==, 64);

  /* pixels: the mel panel changed in the columns where the map is non-zero, and not
   * in those where it is NaN (outside the windows the target reads) */
  cairo_surface_t *after = vita_panel_view_render (mel, W, H);
  cairo_surface_flush (before);
  cairo_surface_flush (after);
  const guint8 *a = cairo_image_surface_get_data (before), *b = cairo_image_surface_get_data (after);
  int stride = cairo_image_surface_get_stride (after);
  gsize changed = 0;
  for (int y = 0; y < H; y++)
    for (int x = 0; x < W; x++)
      if (memcmp (a + y * stride + 4 * x, b + y * stride + 4 * x, 4) != 0)
        changed++;
  g_test_message ("%" G_GSIZE_FORMAT " of %d pixels changed", changed, W * H);
  g_assert_cmpuint (changed, >, (gsize) (W * H / 20));
  gsize nonzero = 0;
  for (gsize i = 0; i < (gsize) n_frames * n_mels; i++)
    nonzero += isfinite (map[i]) && map[i] != 0;
  g_assert_cmpuint (nonzero, >, 0);

  /* the opacity slider: at 0 the cells are gone (the marginals and colorbar stay) */
  gtk_range_set_value (test_widget (w, "vita-test-attr-opacity"), 0.0);
  cairo_surface_t *clear = vita_panel_view_render (mel, W, H);
  cairo_surface_flush (clear);
  const guint8 *c = cairo_image_surface_get_data (clear);
  gsize cells = 0;
  for (int y = 0; y < H; y++)
    for (int x = 0; x < W; x++)
      cells += memcmp (c + y * stride + 4 * x, b + y * stride + 4 * x, 4) != 0;
  g_test_message ("%" G_GSIZE_FORMAT " pixels are the overlay's cells", cells);
  g_assert_cmpuint (cells, >, 0);
  g_assert_cmpuint (cells, <, changed);
  cairo_surface_destroy (clear);
  cairo_surface_destroy (before);
  cairo_surface_destroy (after);
  gtk_range_set_value (test_widget (w, "vita-test-attr-opacity"), 0.3);
  g_assert_cmpfloat (fabs (vita_session_get_attribution (vita_window_get_session (w))->opacity - 0.3), <, 1e-9);

  /* export: figure + sidecar + .npy; the sidecar renders again with the overlay */
  g_autofree char *png = g_build_filename (fx->dir, "attr.png", NULL);
  g_autofree char *npy = g_build_filename (fx->dir, "attr.npy", NULL);
  g_autofree char *sidecar = g_strconcat (png, ".json", NULL);
  gtk_widget_activate_action (GTK_WIDGET (w), "attr.export", "s", png);
  g_assert_true (g_file_test (png, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_test (npy, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_test (sidecar, G_FILE_TEST_EXISTS));
  int ndim = 0;
  gsize shape[VITA_NPY_MAX_DIMS] = { 0 };
  g_autofree float *arr = vita_npy_load (npy, &ndim, shape, &error);
  g_assert_no_error (error);
  g_assert_cmpint (ndim, ==, 2);
  g_assert_cmpuint (shape[1], ==, (gsize) n_mels);
  double asum = 0;
  for (gsize i = 0; i < shape[0] * shape[1]; i++)
    asum += fabs (arr[i]);
  g_assert_cmpfloat (asum, >, 0);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_assert_true (json_parser_load_from_file (parser, sidecar, &error));
  JsonObject *root = json_node_get_object (json_parser_get_root (parser));
  g_assert_true (json_object_has_member (root, "attribution"));
  JsonObject *ao = json_object_get_object_member (root, "attribution");
  g_assert_cmpstr (json_object_get_string_member (ao, "target"), ==, rec->target);
  g_assert_cmpstr (json_object_get_string_member (root, "panel"), ==, "attribution");

  g_autofree char *cli = g_build_filename (g_getenv ("VITA_BUILD_ROOT"), "app", "vitascope-cli", NULL);
  g_autofree char *again = g_build_filename (fx->dir, "again.png", NULL);
  g_autofree char *no_attr_json = g_build_filename (fx->dir, "plain.png.json", NULL);
  g_autofree char *plain = g_build_filename (fx->dir, "plain.png", NULL);
  const char *argv[] = { cli, "render", sidecar, "--out", again, NULL };
  g_autofree char *out = NULL, *err_text = NULL;
  int status_code = -1;
  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out,
                               &err_text, &status_code, &error));
  g_test_message ("render: %s%s", out, err_text);
  g_assert_true (g_spawn_check_wait_status (status_code, NULL));
  /* the same sidecar without its attribution renders a different figure */
  json_object_remove_member (root, "attribution");
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  json_generator_set_root (gen, json_parser_get_root (parser));
  g_assert_true (json_generator_to_file (gen, no_attr_json, &error));
  const char *argv2[] = { cli, "render", no_attr_json, "--out", plain, NULL };
  g_assert_true (g_spawn_sync (NULL, (char **) argv2, NULL, G_SPAWN_DEFAULT, NULL, NULL, NULL,
                               NULL, &status_code, &error));
  g_assert_true (g_spawn_check_wait_status (status_code, NULL));
  cairo_surface_t *ra = cairo_image_surface_create_from_png (again);
  cairo_surface_t *rp = cairo_image_surface_create_from_png (plain);
  cairo_surface_t *ro = cairo_image_surface_create_from_png (png);
  g_assert_cmpint (cairo_surface_status (ra), ==, CAIRO_STATUS_SUCCESS);
  g_assert_cmpint (cairo_image_surface_get_width (ra), ==, cairo_image_surface_get_width (ro));
  g_assert_cmpint (cairo_image_surface_get_height (ra), ==, cairo_image_surface_get_height (ro));
  /* re-render ≈ the app's export (same computation, same painter), ≠ without overlay */
  gsize diff_again = 0, diff_plain = 0, n = 0;
  int h = cairo_image_surface_get_height (ra), wd = cairo_image_surface_get_width (ra);
  int sa = cairo_image_surface_get_stride (ra);
  const guint8 *pa = cairo_image_surface_get_data (ra), *po = cairo_image_surface_get_data (ro),
               *pp = cairo_image_surface_get_data (rp);
  for (int y = 0; y < h; y++)
    for (int x = 0; x < wd; x++, n++)
      {
        diff_again += memcmp (pa + y * sa + 4 * x, po + y * sa + 4 * x, 4) != 0;
        diff_plain += memcmp (pp + y * sa + 4 * x, po + y * sa + 4 * x, 4) != 0;
      }
  g_test_message ("re-render differs in %" G_GSIZE_FORMAT ", without overlay in %" G_GSIZE_FORMAT
                  " of %" G_GSIZE_FORMAT " pixels", diff_again, diff_plain, n);
  g_assert_cmpuint (diff_again, <, n / 200);
  g_assert_cmpuint (diff_plain, >, n / 20);
  cairo_surface_destroy (ra);
  cairo_surface_destroy (rp);
  cairo_surface_destroy (ro);
}

static gboolean
partial_overlay (gpointer data)
{
  return overlay (data, NULL, NULL) != NULL && _vita_window_attribution_is_running (data);
}

static void
test_cancel (Fixture *fx, gconstpointer data)
{
  VitaWindow *w = fx->window;
  open_all (fx);
  VitaTimeline *tl = vita_window_get_timeline (w);
  /* the class over the whole track (many pieces) with many steps: slow enough */
  vita_timeline_set_selection (tl, 0, vita_timeline_get_n_samples (tl) - 1);
  choose_and_compute (fx, 1, 512);
  g_assert_true (_vita_window_attribution_is_running (w));
  /* progressive: the overlay shows the first pieces (the playhead's first) while the
   * rest compute */
  g_assert_true (vita_gui_test_wait (partial_overlay, w, 30000));
  const char *partial = gtk_label_get_text (test_widget (w, "vita-test-attr-status"));
  g_test_message ("while computing: %s", partial);
  g_assert_nonnull (strstr (partial, "pieces done"));
  int n_frames = 0, n_mels = 0;
  const float *map = overlay (w, &n_frames, &n_mels);
  gsize finite = 0, missing = 0;
  for (gsize i = 0; i < (gsize) n_frames * n_mels; i++)
    finite += isfinite (map[i]), missing += isnan (map[i]);
  g_test_message ("%" G_GSIZE_FORMAT " cells computed, %" G_GSIZE_FORMAT " to come", finite, missing);
  g_assert_cmpuint (finite, >, 0);
  g_assert_cmpuint (missing, >, 0);
  GtkWidget *cancel = test_widget (w, "vita-test-attr-cancel");
  g_assert_true (gtk_widget_is_sensitive (cancel));
  gtk_widget_activate (cancel);
  g_assert_true (vita_gui_test_wait (not_running, w, 20000));
  g_assert_cmpstr (gtk_label_get_text (test_widget (w, "vita-test-attr-status")), ==, "Cancelled.");
  g_assert_null (overlay (w, NULL, NULL));
  g_assert_null (vita_session_get_attribution (vita_window_get_session (w))->target);
  /* the app stays usable: a new computation completes */
  choose_and_compute (fx, 0, 8);
  g_assert_true (vita_gui_test_wait (not_running, w, 60000));
  g_assert_nonnull (overlay (w, NULL, NULL));

  /* another track: the overlay went with its analysis, the session no longer records it */
  g_autofree char *other = vita_gui_test_write_wav (fx->dir, "other.wav", 4.0, 16000);
  g_autoptr(GFile) file = g_file_new_for_path (other);
  vita_window_open_audio (w, file);
  g_assert_true (vita_gui_test_wait (ready, w, 60000));
  g_assert_null (overlay (w, NULL, NULL));
  g_assert_null (vita_session_get_attribution (vita_window_get_session (w))->target);
}

/* Every target of the popover, with gradient × input and occlusion: the target text
 * the popover builds is accepted and the overlay appears. */
static void
test_targets (Fixture *fx, gconstpointer data)
{
  VitaWindow *w = fx->window;
  open_all (fx);
  VitaTimeline *tl = vita_window_get_timeline (w);
  vita_timeline_set_position (tl, vita_timeline_frame_to_sample (tl, 70));
  vita_timeline_set_selection (tl, vita_timeline_frame_to_sample (tl, 10),
                               vita_timeline_frame_to_sample (tl, 30));
  vita_timeline_set_layer (tl, 2);
  vita_timeline_set_head (tl, -1);   /* the mean of the heads */
  static const struct { guint target, method; const char *prefix; } cases[] = {
    { 0, 1, "grad×input · class:A:min@" },
    { 1, 1, "grad×input · class:A:min@" },
    { 2, 1, "grad×input · cosine:2@" },
    /* layer 2 (0: the input) is block 2 of 1…L, the one numbering (wb-layout) */
    { 3, 1, "grad×input · received:2:mean@" },
    { 3, 2, "occlusion · received:2:mean@" },
  };
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      choose_and_compute_with (fx, cases[i].target, cases[i].method, 8);
      g_assert_true (vita_gui_test_wait (not_running, w, 60000));
      const char *status = gtk_label_get_text (test_widget (w, "vita-test-attr-status"));
      g_test_message ("%s", status);
      g_assert_true (g_str_has_prefix (status, cases[i].prefix));
      g_assert_nonnull (overlay (w, NULL, NULL));
    }
}

/* Closing the window while a computation runs: cancelled, nothing reported to the
 * dead window (ASan builds check the memory). */
static void
test_close_while_computing (Fixture *fx, gconstpointer data)
{
  open_all (fx);
  VitaTimeline *tl = vita_window_get_timeline (fx->window);
  vita_timeline_set_selection (tl, 0, vita_timeline_get_n_samples (tl) - 1);
  choose_and_compute (fx, 1, 512);
  g_assert_true (_vita_window_attribution_is_running (fx->window));
  vita_gui_test_close (g_steal_pointer (&fx->window));
  vita_gui_test_run_for (1500);
}

static gboolean
has_overlay (gpointer data)
{
  return overlay (data, NULL, NULL) != NULL && !_vita_window_attribution_is_running (data);
}

static void
test_session_round_trip (Fixture *fx, gconstpointer data)
{
  VitaWindow *w = fx->window;
  g_autoptr(GError) error = NULL;
  open_all (fx);
  VitaTimeline *tl = vita_window_get_timeline (w);
  vita_timeline_set_position (tl, vita_timeline_frame_to_sample (tl, 40));
  choose_and_compute (fx, 0, 16);
  g_assert_true (vita_gui_test_wait (not_running, w, 60000));
  gtk_range_set_value (test_widget (w, "vita-test-attr-opacity"), 0.45);
  int n_frames = 0, n_mels = 0;
  const float *shown = overlay (w, &n_frames, &n_mels);
  g_assert_nonnull (shown);
  gsize n_cells = (gsize) n_frames * n_mels;
  g_autofree float *first = g_new (float, n_cells);
  memcpy (first, shown, n_cells * sizeof (float));
  g_autofree char *saved = g_build_filename (fx->dir, "s.vitascope", NULL);
  g_assert_true (vita_window_save_session (w, saved, &error));
  g_assert_no_error (error);
  vita_gui_test_close (w);

  /* `vitascope-cli render SESSION --panel attribution` computes and draws it again,
   * its .npy the same map */
  g_autofree char *cli = g_build_filename (g_getenv ("VITA_BUILD_ROOT"), "app", "vitascope-cli", NULL);
  g_autofree char *fig = g_build_filename (fx->dir, "session-attr.png", NULL);
  g_autofree char *npy = g_build_filename (fx->dir, "session-attr.npy", NULL);
  const char *argv[] = { cli, "render", saved, "--panel", "attribution", "--out", fig, "--npy", npy, NULL };
  int status_code = -1;
  g_autofree char *err_text = NULL;
  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, NULL,
                               &err_text, &status_code, &error));
  g_test_message ("render: %s", err_text);
  g_assert_true (g_spawn_check_wait_status (status_code, NULL));
  int ndim = 0;
  gsize shape[VITA_NPY_MAX_DIMS] = { 0 };
  g_autofree float *arr = vita_npy_load (npy, &ndim, shape, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (shape[0], ==, (gsize) n_frames);
  g_assert_cmpuint (shape[1], ==, (gsize) n_mels);
  for (gsize i = 0; i < n_cells; i++)
    g_assert_true (fabsf ((isnan (first[i]) ? 0.0f : first[i]) - arr[i]) <= 1e-5f * (1 + fabsf (arr[i])));

  fx->window = w = vita_gui_test_window ();
  g_autoptr(GFile) file = g_file_new_for_path (saved);
  g_assert_true (vita_window_open_session (w, file));
  g_assert_true (vita_gui_test_wait (has_overlay, w, 60000));
  int nf = 0, nm = 0;
  const float *again = overlay (w, &nf, &nm);
  g_assert_cmpint (nf, ==, n_frames);
  g_assert_cmpint (nm, ==, n_mels);
  g_assert_nonnull (again);
  for (gsize i = 0; i < n_cells; i++)
    g_assert_true ((isnan (first[i]) && isnan (again[i])) || fabsf (first[i] - again[i]) <= 1e-6f * (1 + fabsf (first[i])));
  const VitaAttrSettings *rec = vita_session_get_attribution (vita_window_get_session (w));
  g_assert_true (g_str_has_prefix (rec->target, "class:A:min@"));
  g_assert_cmpfloat (fabs (rec->opacity - 0.45), <, 1e-9);
  g_assert_cmpfloat (fabs (gtk_range_get_value (test_widget (w, "vita-test-attr-opacity")) - 0.45), <, 1e-9);
}

static gboolean
player_settled (gpointer data)
{
  return vita_gui_test_player_seconds (data) >= 0;
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
has_alternate (gpointer data)
{
  return vita_player_has_alternate (data);
}

static void
test_ab_playback (Fixture *fx, gconstpointer data)
{
  VitaWindow *w = fx->window;
  g_autoptr(GError) error = NULL;
  open_all (fx);
  VitaPlayer *player = vita_window_get_player (w);
  GtkWidget *ab = test_widget (w, "vita-test-ab-button");
  g_assert_false (gtk_widget_get_visible (ab));
  g_autofree char *uri_a = g_strdup (vita_player_get_uri (player));
  /* B: the tone an octave down, as an edit would give it */
  gsize n = 6 * 16000;
  g_autofree float *pcm = g_new (float, n);
  for (gsize i = 0; i < n; i++)
    pcm[i] = 0.3f * sinf (2 * G_PI * 220 * i / 16000.0f);
  /* a file that does not decode: no B */
  g_autofree char *junk = g_build_filename (fx->dir, "junk.wav", NULL);
  g_assert_true (g_file_set_contents (junk, "not audio", -1, NULL));
  gtk_widget_activate_action (GTK_WIDGET (w), "attr.load-alternate", "s", junk);
  vita_gui_test_run_for (1000);
  g_assert_false (gtk_widget_get_visible (ab));
  g_assert_false (vita_player_has_alternate (player));
  /* a file (as `vitascope-cli counterfactual` writes edited.wav) becomes B */
  g_autofree char *edited = vita_gui_test_write_wav (fx->dir, "edited.wav", 5.0, 22050);
  gtk_widget_activate_action (GTK_WIDGET (w), "attr.load-alternate", "s", edited);
  g_assert_true (vita_gui_test_wait (has_alternate, player, 10000));
  g_assert_true (gtk_widget_get_visible (ab));
  /* and a PCM buffer (what the counterfactual side hands over) replaces it */
  g_assert_true (_vita_window_set_alternate_audio (w, pcm, n, 16000, &error));
  g_assert_true (gtk_widget_get_visible (ab));
  vita_player_seek (player, 2 * GST_SECOND);
  g_assert_true (vita_gui_test_wait (player_settled, w, 5000));
  vita_gui_test_run_for (300);
  gtk_widget_activate (ab);   /* a click on A/B (lands after 250 ms) */
  g_assert_true (vita_gui_test_wait (on_b, player, 5000));
  vita_gui_test_run_for (300);
  g_assert_cmpstr (vita_player_get_uri (player), !=, uri_a);
  g_assert_true (g_str_has_suffix (vita_player_get_uri (player), ".wav"));
  double t = vita_gui_test_player_seconds (w);
  g_test_message ("B at %.3f s", t);
  g_assert_cmpfloat (fabs (t - 2.0), <, 0.1);
  gtk_widget_activate (ab);
  g_assert_true (vita_gui_test_wait (on_a, player, 5000));
  vita_gui_test_run_for (300);
  g_assert_cmpstr (vita_player_get_uri (player), ==, uri_a);
  g_assert_cmpfloat (fabs (vita_gui_test_player_seconds (w) - 2.0), <, 0.1);
  /* removing B returns to A and hides the switch */
  g_assert_true (_vita_window_set_alternate_audio (w, NULL, 0, 16000, &error));
  g_assert_false (gtk_widget_get_visible (ab));
}

int
main (int argc, char **argv)
{
  if (!vita_gui_test_init (&argc, &argv))
    return 0;
  g_test_add ("/app/attribution/ig-overlay-export", Fixture, NULL, fixture_setup,
              test_ig_overlay_export, fixture_teardown);
  g_test_add ("/app/attribution/targets", Fixture, NULL, fixture_setup, test_targets,
              fixture_teardown);
  g_test_add ("/app/attribution/cancel", Fixture, NULL, fixture_setup, test_cancel,
              fixture_teardown);
  g_test_add ("/app/attribution/close-while-computing", Fixture, NULL, fixture_setup,
              test_close_while_computing, fixture_teardown);
  g_test_add ("/app/attribution/session", Fixture, NULL, fixture_setup,
              test_session_round_trip, fixture_teardown);
  g_test_add ("/app/attribution/ab-playback", Fixture, NULL, fixture_setup, test_ab_playback,
              fixture_teardown);
  return g_test_run ();
}
