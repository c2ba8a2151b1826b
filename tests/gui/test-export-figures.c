/* test-export-figures.c — PNG / SVG / PDF export through the painters, decoded back
 * (cairo, rsvg-convert, pdftotext), sidecar round trip and re-render, .npy, atomic
 * writes that leave nothing behind on failure, and the CLI's error paths. */
#include "views-synth.h"
#include "views/vita-export.h"
#include "vita-test.h"
#include "views/vita-views-private.h"

#include <errno.h>
#include <math.h>
#include <fcntl.h>
#include <sys/wait.h>
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>

typedef struct {
  VitaAnalysis   *an;
  VitaPaintCache *cache;
  VitaPeaks      *peaks;
  VitaPaintContext ctx;
  VitaExportSpec  spec;
  char           *dir;
} Fixture;

static void
setup (Fixture *fx, gconstpointer data)
{
  fx->an = views_synth_analysis (20.0, TRUE);
  fx->cache = vita_paint_cache_new (fx->an);
  vita_paint_cache_set_attention_func (fx->cache, views_synth_attention);
  gsize n;
  g_autofree float *pcm = views_synth_pcm (20.0, &n);
  fx->peaks = vita_peaks_new (pcm, n, 16000);
  fx->ctx = (VitaPaintContext) { .cache = fx->cache, .peaks = fx->peaks };
  vita_export_spec_init (&fx->spec);
  vita_timeline_snapshot_init (&fx->spec.snap, 16000, 512, n, fx->an->n_layers, 3);
  fx->spec.snap.position = 16000 * 6;
  fx->spec.snap.visible_start = 16000 * 3;
  fx->spec.snap.visible_end = 16000 * 9;
  fx->spec.snap.layer = 3;
  fx->spec.snap.head = 0;
  fx->spec.audio_path = g_strdup ("/music/song.ogg");
  fx->spec.model_path = g_strdup ("/models/tiny.safetensors");
  fx->spec.model_sha256 = g_strdup ("00ff");
  fx->dir = g_dir_make_tmp ("vita-export-XXXXXX", NULL);
}

static void
teardown (Fixture *fx, gconstpointer data)
{
  vita_export_spec_clear (&fx->spec);
  vita_paint_cache_unref (fx->cache);
  vita_peaks_unref (fx->peaks);
  views_synth_free (fx->an);
  /* Remove what a test left (it must only be what it wrote on purpose). */
  GDir *d = g_dir_open (fx->dir, 0, NULL);
  const char *name;
  while (d && (name = g_dir_read_name (d)))
    {
      g_autofree char *p = g_build_filename (fx->dir, name, NULL);
      g_unlink (p);
    }
  if (d)
    g_dir_close (d);
  g_rmdir (fx->dir);
  g_free (fx->dir);
}

static int
count_files (const char *dir)
{
  int n = 0;
  GDir *d = g_dir_open (dir, 0, NULL);
  while (d && g_dir_read_name (d))
    n++;
  if (d)
    g_dir_close (d);
  return n;
}

static gboolean
run (const char *cmdline, char **out, int *status)
{
  g_autoptr(GError) error = NULL;
  gboolean ok = g_spawn_command_line_sync (cmdline, out, NULL, status, &error);
  if (!ok)
    g_test_message ("cannot run %s: %s", cmdline, error->message);
  return ok;
}

static void
test_png_matches_screen (Fixture *fx, gconstpointer data)
{
  /* PNG at scale 1 is pixel-identical to painting the panel on an image surface:
   * the figure is what the screen shows. */
  fx->spec.panel = VITA_PANEL_MEL;
  fx->spec.png_scale = 1.0;
  fx->spec.width = 640;
  fx->spec.height = 260;
  g_autofree char *path = g_build_filename (fx->dir, "mel.png", NULL);
  g_autoptr(GError) error = NULL;
  g_assert_true (vita_export_figure (&fx->spec, &fx->ctx, path, &error));
  g_assert_no_error (error);
  cairo_surface_t *png = cairo_image_surface_create_from_png (path);
  g_assert_cmpint (cairo_surface_status (png), ==, CAIRO_STATUS_SUCCESS);
  g_assert_cmpint (cairo_image_surface_get_width (png), ==, 640);
  g_assert_cmpint (cairo_image_surface_get_height (png), ==, 260);

  cairo_surface_t *screen = cairo_image_surface_create (CAIRO_FORMAT_RGB24, 640, 260);
  cairo_t *cr = cairo_create (screen);
  VitaPaintContext ctx = fx->ctx;
  ctx.snap = &fx->spec.snap;
  ctx.style = &fx->spec.style;
  VitaRect area = { 0, 0, 640, 260 };
  vita_panel_paint (VITA_PANEL_MEL, cr, &area, &ctx);
  cairo_destroy (cr);
  cairo_surface_flush (screen);
  int differ = 0;
  for (int y = 0; y < 260; y++)
    {
      guint32 *a = (guint32 *) (cairo_image_surface_get_data (png) + y * cairo_image_surface_get_stride (png));
      guint32 *b = (guint32 *) (cairo_image_surface_get_data (screen) + y * cairo_image_surface_get_stride (screen));
      for (int x = 0; x < 640; x++)
        differ += (a[x] & 0xffffff) != (b[x] & 0xffffff);
    }
  g_assert_cmpint (differ, ==, 0);
  cairo_surface_destroy (png);
  cairo_surface_destroy (screen);

  /* Scale 2 doubles the pixels. */
  fx->spec.png_scale = 2.0;
  g_assert_true (vita_export_figure (&fx->spec, &fx->ctx, path, &error));
  png = cairo_image_surface_create_from_png (path);
  g_assert_cmpint (cairo_image_surface_get_width (png), ==, 1280);
  cairo_surface_destroy (png);
}

static void
test_svg_pdf_decode (Fixture *fx, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  const char *look = g_getenv ("VITA_VIEWS_PNG_DIR");
  if (look)
    {
      /* Figures for a human to look at (with their sidecars). */
      const char *names[] = { "layout.pdf", "layout.svg", "layout.png" };
      for (gsize i = 0; i < G_N_ELEMENTS (names); i++)
        {
          g_autofree char *p = g_build_filename (look, names[i], NULL);
          g_assert_true (vita_export_figure_with_sidecar (&fx->spec, &fx->ctx, p, &error));
        }
    }
  const VitaPanel panels[] = { VITA_PANEL_LAYOUT, VITA_PANEL_ATTENTION, VITA_PANEL_SSM, VITA_PANEL_MEL };
  for (gsize i = 0; i < G_N_ELEMENTS (panels); i++)
    {
      fx->spec.panel = panels[i];
      g_autofree char *svg = g_build_filename (fx->dir, "fig.svg", NULL);
      g_autofree char *pdf = g_build_filename (fx->dir, "fig.pdf", NULL);
      g_autofree char *png = g_build_filename (fx->dir, "fig-svg.png", NULL);
      g_assert_true (vita_export_figure (&fx->spec, &fx->ctx, svg, &error));
      g_assert_true (vita_export_figure (&fx->spec, &fx->ctx, pdf, &error));
      g_assert_no_error (error);

      /* SVG: a real SVG that librsvg renders at the requested size. */
      g_autofree char *head = NULL;
      g_assert_true (g_file_get_contents (svg, &head, NULL, NULL));
      g_assert_nonnull (strstr (head, "<svg"));
      g_autofree char *cmd = g_strdup_printf ("rsvg-convert -o %s %s", png, svg);
      int status;
      g_autofree char *rsvg = g_find_program_in_path ("rsvg-convert");
      g_autofree char *pdftotext = g_find_program_in_path ("pdftotext");
      if (rsvg == NULL)
        g_test_incomplete ("rsvg-convert not installed");
      else
        {
          g_assert_true (run (cmd, NULL, &status));
          g_assert_cmpint (status, ==, 0);
          cairo_surface_t *s = cairo_image_surface_create_from_png (png);
          g_assert_cmpint (cairo_surface_status (s), ==, CAIRO_STATUS_SUCCESS);
          /* 720 × 480 pt at rsvg-convert's 96 dpi. */
          g_assert_cmpint (cairo_image_surface_get_width (s), ==, 960);
          g_assert_cmpint (cairo_image_surface_get_height (s), ==, 640);
          cairo_surface_destroy (s);
        }

      /* PDF: the axis text is real, selectable text. */
      g_autofree char *pcmd = g_strdup_printf ("pdftotext %s -", pdf);
      g_autofree char *text = NULL;
      if (pdftotext == NULL)
        g_test_incomplete ("pdftotext not installed");
      else
        {
          g_assert_true (run (pcmd, &text, &status));
          g_assert_cmpint (status, ==, 0);
          if (panels[i] == VITA_PANEL_ATTENTION)
            {
              g_assert_nonnull (strstr (text, "Key time (s)"));
              g_assert_nonnull (strstr (text, "Query time (s)"));
              g_assert_nonnull (strstr (text, "attention weight"));
            }
          else
            g_assert_nonnull (strstr (text, "Time (s)"));
          if (panels[i] == VITA_PANEL_SSM)
            g_assert_nonnull (strstr (text, "cosine similarity"));
          if (panels[i] == VITA_PANEL_MEL || panels[i] == VITA_PANEL_LAYOUT)
            g_assert_nonnull (strstr (text, "Frequency (kHz"));
        }
      g_unlink (png);
    }
  /* PDF heatmaps embed only the shown part of the mel, not the whole track. */
  fx->spec.panel = VITA_PANEL_MEL;
  g_autofree char *pdf_zoom = g_build_filename (fx->dir, "zoom.pdf", NULL);
  g_autofree char *pdf_all = g_build_filename (fx->dir, "all.pdf", NULL);
  g_assert_true (vita_export_figure (&fx->spec, &fx->ctx, pdf_zoom, &error));
  fx->spec.snap.visible_start = 0;
  fx->spec.snap.visible_end = fx->spec.snap.n_samples;
  g_assert_true (vita_export_figure (&fx->spec, &fx->ctx, pdf_all, &error));
  GStatBuf a, b;
  g_assert_cmpint (g_stat (pdf_zoom, &a), ==, 0);
  g_assert_cmpint (g_stat (pdf_all, &b), ==, 0);
  g_assert_cmpint (a.st_size, <, b.st_size);
}

static void
test_sidecar_roundtrip_and_rerender (Fixture *fx, gconstpointer data)
{
  fx->spec.panel = VITA_PANEL_ATTENTION;
  fx->spec.attention_mode = VITA_ATTENTION_ROLLOUT;
  fx->spec.style.colormap = VITA_COLORMAP_INFERNO;
  fx->spec.style.font_size = 11;
  fx->spec.snap.selection_start = 16000 * 4;
  fx->spec.snap.selection_end = 16000 * 5;
  g_autofree char *path = g_build_filename (fx->dir, "att.png", NULL);
  g_autoptr(GError) error = NULL;
  g_assert_true (vita_export_figure_with_sidecar (&fx->spec, &fx->ctx, path, &error));
  g_assert_no_error (error);
  g_autofree char *side = vita_export_sidecar_path (path);
  g_assert_true (g_str_has_suffix (side, "att.png.json"));

  VitaExportSpec back;
  g_autofree char *fig = NULL;
  g_assert_true (vita_export_sidecar_read (side, &back, &fig, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (fig, ==, path);
  g_assert_cmpint (back.panel, ==, VITA_PANEL_ATTENTION);
  g_assert_cmpint (back.attention_mode, ==, VITA_ATTENTION_ROLLOUT);
  g_assert_cmpint (back.style.colormap, ==, VITA_COLORMAP_INFERNO);
  g_assert_cmpfloat (back.style.font_size, ==, 11);
  g_assert_cmpint (back.snap.layer, ==, 3);
  g_assert_cmpint (back.snap.head, ==, 0);
  g_assert_cmpint (back.snap.visible_start, ==, 16000 * 3);
  g_assert_cmpint (back.snap.visible_end, ==, 16000 * 9);
  g_assert_cmpint (back.snap.position, ==, 16000 * 6);
  g_assert_cmpint (back.snap.selection_end, ==, 16000 * 5);
  g_assert_cmpstr (back.audio_path, ==, "/music/song.ogg");
  g_assert_cmpstr (back.model_path, ==, "/models/tiny.safetensors");
  g_assert_cmpstr (back.model_sha256, ==, "00ff");
  g_assert_cmpfloat (back.width, ==, 720);

  /* Re-rendering from the sidecar's settings gives the same bytes. */
  g_autofree char *again = g_build_filename (fx->dir, "again.png", NULL);
  g_assert_true (vita_export_figure (&back, &fx->ctx, again, &error));
  g_autofree char *b1 = NULL, *b2 = NULL;
  gsize l1, l2;
  g_assert_true (g_file_get_contents (path, &b1, &l1, NULL));
  g_assert_true (g_file_get_contents (again, &b2, &l2, NULL));
  g_assert_cmpmem (b1, l1, b2, l2);
  vita_export_spec_clear (&back);

  /* The model hash is computed from the file when not given. */
  g_autofree char *model = g_build_filename (fx->dir, "m.safetensors", NULL);
  g_assert_true (g_file_set_contents (model, "abc", 3, NULL));
  g_free (fx->spec.model_sha256);
  fx->spec.model_sha256 = NULL;
  g_free (fx->spec.model_path);
  fx->spec.model_path = g_strdup (model);
  g_assert_true (vita_export_sidecar_write (&fx->spec, path, side, &error));
  g_assert_true (vita_export_sidecar_read (side, &back, NULL, &error));
  g_assert_cmpstr (back.model_sha256, ==,
                   "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  vita_export_spec_clear (&back);
}

static void
test_sidecar_errors (Fixture *fx, gconstpointer data)
{
  struct { const char *json; const char *want; } cases[] = {
    { "not json", "Cannot read sidecar" },
    { "[1]", "not a JSON object" },
    { "{\"vitascope_sidecar\": 1}", "“panel” is missing" },
    { "{\"vitascope_sidecar\": 1, \"panel\": \"spectrum\"}", "unknown value “spectrum”" },
    { "{\"vitascope_sidecar\": 1, \"panel\": \"mel\", \"audio\": {}, \"model\": {}, \"layer\": \"x\"}",
      "“layer” is not a number" },
    /* issue 15.4: the strict reader (json-glib kept one duplicate, cut the path at \u0000) */
    { "{\"vitascope_sidecar\": 1, \"head\": 0, \"head\": 1000}", "appears twice" },
    { "{\"vitascope_sidecar\": 1, \"audio\": {\"path\": \"/tmp/a.ogg\\u0000.txt\"}}", "NUL" },
    { "{\"vitascope_sidecar\": 1, \"layer\": 99999999999999999999}", "64 bits" },
    /* issue 15.10: sample positions whose difference overflows are refused */
    { "{\"vitascope_sidecar\": 1, \"panel\": \"mel\", \"audio\": {}, \"model\": {}, \"layer\": 0,"
      " \"head\": 0, \"sample_rate\": 16000, \"hop\": 160, \"time_range\": {\"start_sample\":"
      " -9000000000000000000, \"end_sample\": 9000000000000000000}, \"colormap\": \"viridis\","
      " \"width\": 10, \"height\": 10, \"font_size\": 9}", "out of range" },
    { "{\"vitascope_sidecar\": 1, \"panel\": \"mel\", \"audio\": {}, \"model\": {}, \"layer\": 4294967297}",
      "out of range" },
  };
  g_autofree char *side = g_build_filename (fx->dir, "bad.json", NULL);
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_assert_true (g_file_set_contents (side, cases[i].json, -1, NULL));
      VitaExportSpec spec;
      g_autoptr(GError) error = NULL;
      g_assert_false (vita_export_sidecar_read (side, &spec, NULL, &error));
      g_assert_error (error, VITA_EXPORT_ERROR, VITA_EXPORT_ERROR_SIDECAR);
      if (!strstr (error->message, cases[i].want) || !strstr (error->message, "bad.json"))
        g_error ("case %zu: message “%s” lacks “%s” or the file name", i, error->message, cases[i].want);
    }
  /* 100,000 nested arrays (200 KB): json-glib overflowed the stack (issue 15.4) */
  gsize n = 100000;
  g_autofree char *deep = g_malloc (2 * n);
  memset (deep, '[', n);
  memset (deep + n, ']', n);
  g_assert_true (g_file_set_contents (side, deep, 2 * n, NULL));
  VitaExportSpec spec;
  g_autoptr(GError) error = NULL;
  g_assert_false (vita_export_sidecar_read (side, &spec, NULL, &error));
  g_assert_nonnull (strstr (error->message, "nested more than"));
}

static void
test_npy (Fixture *fx, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_build_filename (fx->dir, "mel.npy", NULL);
  fx->spec.panel = VITA_PANEL_MEL;
  g_assert_true (vita_export_npy (&fx->spec, &fx->ctx, path, &error));
  g_assert_no_error (error);
  int nd;
  gsize shape[VITA_NPY_MAX_DIMS];
  g_autofree float *m = vita_npy_load (path, &nd, shape, &error);
  g_assert_nonnull (m);
  g_assert_cmpint (nd, ==, 2);
  int f0 = vita_snapshot_sample_to_frame (&fx->spec.snap, fx->spec.snap.visible_start);
  int f1 = vita_snapshot_sample_to_frame (&fx->spec.snap, fx->spec.snap.visible_end);
  g_assert_cmpuint (shape[0], ==, (gsize) (f1 - f0 + 1));
  g_assert_cmpuint (shape[1], ==, 128);
  vita_test_assert_close ("mel slice", m, fx->an->mel + (gsize) f0 * 128, shape[0] * 128, 0.0);

  fx->spec.panel = VITA_PANEL_ATTENTION_GRID;
  g_assert_true (vita_export_npy (&fx->spec, &fx->ctx, path, &error));
  g_free (vita_npy_load (path, &nd, shape, &error));
  g_assert_cmpint (nd, ==, 4);
  g_assert_cmpuint (shape[0], ==, 12);
  g_assert_cmpuint (shape[3], ==, 126);

  fx->spec.panel = VITA_PANEL_SSM;
  g_assert_true (vita_export_npy (&fx->spec, &fx->ctx, path, &error));
  g_autofree float *ssm = vita_npy_load (path, &nd, shape, &error);
  g_assert_cmpuint (shape[0], ==, (gsize) fx->an->ssm_size);
  gsize S = fx->an->ssm_size;
  vita_test_assert_close ("ssm layer 3", ssm, fx->an->ssm + 3 * S * S, S * S, 0.0);

  fx->spec.panel = VITA_PANEL_LAYOUT;
  g_assert_false (vita_export_npy (&fx->spec, &fx->ctx, path, &error));
  g_assert_error (error, VITA_EXPORT_ERROR, VITA_EXPORT_ERROR_DATA);
}

static void
test_atomic_failures (Fixture *fx, gconstpointer data)
{
  const char *names[] = { "f.png", "f.svg", "f.pdf" };
  for (gsize i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *path = g_build_filename (fx->dir, names[i], NULL);
      g_autoptr(GError) error = NULL;
      /* Disk full half-way: an error naming the file, nothing under the final name,
       * no temporary left behind. */
      vita_export_set_fail_after (200);
      g_assert_false (vita_export_figure (&fx->spec, &fx->ctx, path, &error));
      vita_export_set_fail_after (-1);
      g_assert_error (error, VITA_EXPORT_ERROR, VITA_EXPORT_ERROR_WRITE);
      g_assert_nonnull (strstr (error->message, path));
      g_assert_nonnull (strstr (error->message, g_strerror (ENOSPC)));
      g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
      g_assert_cmpint (count_files (fx->dir), ==, 0);
      g_clear_error (&error);

      /* An existing file is left intact by a failed export. */
      g_assert_true (g_file_set_contents (path, "previous", -1, NULL));
      vita_export_set_fail_after (1000);
      g_assert_false (vita_export_figure (&fx->spec, &fx->ctx, path, &error));
      vita_export_set_fail_after (-1);
      g_autofree char *kept = NULL;
      g_assert_true (g_file_get_contents (path, &kept, NULL, NULL));
      g_assert_cmpstr (kept, ==, "previous");
      g_assert_cmpint (count_files (fx->dir), ==, 1);
      g_unlink (path);
    }

  /* A folder that does not exist, and a read-only folder. */
  g_autoptr(GError) error = NULL;
  g_autofree char *missing = g_build_filename (fx->dir, "no-such-dir", "f.pdf", NULL);
  g_assert_false (vita_export_figure (&fx->spec, &fx->ctx, missing, &error));
  g_assert_error (error, VITA_EXPORT_ERROR, VITA_EXPORT_ERROR_WRITE);
  g_assert_nonnull (strstr (error->message, missing));
  g_clear_error (&error);

  g_autofree char *ro = g_build_filename (fx->dir, "ro", NULL);
  g_assert_cmpint (g_mkdir (ro, 0555), ==, 0);
  g_autofree char *probe = g_build_filename (ro, "probe", NULL);
  int fd = open (probe, O_WRONLY | O_CREAT, 0644);
  if (fd >= 0)
    {
      /* root ignores permissions: the disk-full case above covers the rest. */
      close (fd);
      g_unlink (probe);
      g_test_message ("running as root: read-only folder not enforceable, checked via ENOSPC");
    }
  else
    {
      g_autofree char *ropath = g_build_filename (ro, "fig.png", NULL);
      g_assert_false (vita_export_figure (&fx->spec, &fx->ctx, ropath, &error));
      g_assert_error (error, VITA_EXPORT_ERROR, VITA_EXPORT_ERROR_WRITE);
      g_assert_nonnull (strstr (error->message, ropath));
      g_assert_cmpint (count_files (ro), ==, 0);
      g_clear_error (&error);
      g_autofree char *side = g_build_filename (ro, "fig.png.json", NULL);
      g_assert_false (vita_export_sidecar_write (&fx->spec, ropath, side, &error));
      g_assert_cmpint (count_files (ro), ==, 0);
    }
  g_rmdir (ro);

  /* Bad extension and sizes are refused before anything is written. */
  g_clear_error (&error);
  g_autofree char *bad = g_build_filename (fx->dir, "f.jpg", NULL);
  g_assert_false (vita_export_figure (&fx->spec, &fx->ctx, bad, &error));
  g_assert_error (error, VITA_EXPORT_ERROR, VITA_EXPORT_ERROR_FORMAT);
  g_clear_error (&error);
  fx->spec.width = 0;
  g_autofree char *ok = g_build_filename (fx->dir, "f.png", NULL);
  g_assert_false (vita_export_figure (&fx->spec, &fx->ctx, ok, &error));
  g_assert_error (error, VITA_EXPORT_ERROR, VITA_EXPORT_ERROR_FORMAT);
  g_assert_cmpint (count_files (fx->dir), ==, 0);
}

static void
test_cli_render_errors (Fixture *fx, gconstpointer data)
{
  const char *root = g_getenv ("VITA_BUILD_ROOT");
  g_autofree char *cli = g_build_filename (root ? root : "build", "app", "vitascope-cli", NULL);
  if (!g_file_test (cli, G_FILE_TEST_IS_EXECUTABLE))
    {
      g_test_skip ("vitascope-cli not built");
      return;
    }
  g_autofree char *side = g_build_filename (fx->dir, "fig.png.json", NULL);
  g_autofree char *audio = g_build_filename (fx->dir, "missing.ogg", NULL);
  g_free (fx->spec.audio_path);
  fx->spec.audio_path = g_strdup (audio);
  g_assert_true (vita_export_sidecar_write (&fx->spec, "fig.png", side, NULL));
  g_autofree char *out = g_build_filename (fx->dir, "out.pdf", NULL);
  g_autofree char *cmd = g_strdup_printf ("%s render %s --out %s", cli, side, out);
  g_autofree char *err = NULL;
  int status;
  g_autoptr(GError) error = NULL;
  g_assert_true (g_spawn_command_line_sync (cmd, NULL, &err, &status, &error));
  /* The model or audio cannot be loaded (or the engine is absent): exit 1, a message,
   * and no figure. */
  g_assert_true (g_spawn_check_wait_status (status, NULL) == FALSE);
  g_assert_cmpstr (err, !=, "");
  g_assert_false (g_file_test (out, G_FILE_TEST_EXISTS));
  g_clear_pointer (&err, g_free);
  /* Usage errors: exit 2. */
  g_autofree char *cmd2 = g_strdup_printf ("%s render %s --out %s/x.gif", cli, side, fx->dir);
  g_assert_true (g_spawn_command_line_sync (cmd2, NULL, &err, &status, &error));
  g_assert_cmpint (WEXITSTATUS (status), ==, 2);
  g_assert_nonnull (strstr (err, ".png, .svg or .pdf"));
  g_unlink (side);
}

static void
test_cli_render_real (Fixture *fx, gconstpointer data)
{
  /* End to end with the engine: a random model, a real OGG, a sidecar written by
   * hand → a PDF whose axis text is selectable, and a sidecar that records the
   * model's hash; a different model is refused. */
  const char *root = g_getenv ("VITA_BUILD_ROOT");
  g_autofree char *cli = g_build_filename (root ? root : "build", "app", "vitascope-cli", NULL);
  const char *ogg = "/usr/share/games/wesnoth/1.16/data/core/music/defeat.ogg";
  g_autofree char *pdftotext = g_find_program_in_path ("pdftotext");
  if (!g_file_test (cli, G_FILE_TEST_IS_EXECUTABLE) || !g_file_test (ogg, G_FILE_TEST_EXISTS) ||
      pdftotext == NULL)
    {
      g_test_skip ("needs vitascope-cli, the Wesnoth music and pdftotext");
      return;
    }
  g_autofree char *model = g_build_filename (fx->dir, "m.safetensors", NULL);
  g_autofree char *cmd = g_strdup_printf ("%s init-model --config test --seed 3 %s", cli, model);
  int status;
  g_autoptr(GError) error = NULL;
  g_autofree char *quiet0 = NULL;
  g_assert_true (g_spawn_command_line_sync (cmd, &quiet0, NULL, &status, &error));
  if (!g_spawn_check_wait_status (status, NULL))
    {
      g_test_skip ("init-model failed (engine not built?)");
      g_unlink (model);
      return;
    }
  g_autofree char *sha = vita_export_file_sha256 (model, &error);
  g_assert_nonnull (sha);
  g_autofree char *side = g_build_filename (fx->dir, "in.json", NULL);
  g_autofree char *json = g_strdup_printf (
    "{\"vitascope_sidecar\": 1, \"panel\": \"ssm\", \"audio\": {\"path\": \"%s\"},"
    " \"model\": {\"path\": \"%s\", \"sha256\": \"%s\"}, \"layer\": 1, \"head\": 0,"
    " \"sample_rate\": 16000, \"hop\": 512, \"time_range\": {\"start_sample\": 0,"
    " \"end_sample\": 64000}, \"position_sample\": 32000, \"colormap\": \"viridis\","
    " \"width\": 400, \"height\": 360, \"font_size\": 9}", ogg, model, sha);
  g_assert_true (g_file_set_contents (side, json, -1, NULL));
  g_autofree char *out = g_build_filename (fx->dir, "ssm.pdf", NULL);
  g_autofree char *npy = g_build_filename (fx->dir, "ssm.npy", NULL);
  g_autofree char *render = g_strdup_printf ("%s render %s --out %s --npy %s", cli, side, out, npy);
  g_autofree char *err = NULL;
  g_assert_true (g_spawn_command_line_sync (render, NULL, &err, &status, &error));
  if (!g_spawn_check_wait_status (status, NULL))
    g_error ("render failed: %s", err);
  g_autofree char *pcmd = g_strdup_printf ("pdftotext %s -", out);
  g_autofree char *text = NULL;
  g_assert_true (g_spawn_command_line_sync (pcmd, &text, NULL, &status, &error));
  g_assert_nonnull (strstr (text, "Time (s)"));
  g_assert_nonnull (strstr (text, "cosine similarity"));
  /* The sidecar beside the new figure re-renders it and names the model's hash. */
  g_autofree char *out_side = vita_export_sidecar_path (out);
  VitaExportSpec back;
  g_assert_true (vita_export_sidecar_read (out_side, &back, NULL, &error));
  g_assert_cmpstr (back.model_sha256, ==, sha);
  g_assert_cmpint (back.panel, ==, VITA_PANEL_SSM);
  vita_export_spec_clear (&back);
  int nd;
  gsize shape[VITA_NPY_MAX_DIMS];
  g_autofree float *ssm = vita_npy_load (npy, &nd, shape, &error);
  g_assert_nonnull (ssm);
  g_assert_cmpint (nd, ==, 2);
  g_assert_cmpuint (shape[0], ==, shape[1]);
  g_assert_cmpfloat (fabsf (ssm[0] - 1.0f), <, 1e-3);   /* cosine of a cell with itself */

  /* Another model file: refused, nothing written. */
  g_autofree char *other = g_build_filename (fx->dir, "other.safetensors", NULL);
  g_autofree char *cmd2 = g_strdup_printf ("%s init-model --config test --seed 4 %s", cli, other);
  g_autofree char *quiet = NULL;
  g_assert_true (g_spawn_command_line_sync (cmd2, &quiet, NULL, &status, &error));
  g_autofree char *out2 = g_build_filename (fx->dir, "other.pdf", NULL);
  g_autofree char *render2 = g_strdup_printf ("%s render %s --model %s --out %s", cli, side, other, out2);
  g_clear_pointer (&err, g_free);
  g_assert_true (g_spawn_command_line_sync (render2, NULL, &err, &status, &error));
  g_assert_false (g_spawn_check_wait_status (status, NULL));
  g_assert_nonnull (strstr (err, "SHA-256"));
  g_assert_false (g_file_test (out2, G_FILE_TEST_EXISTS));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
#define ADD(path, fn) g_test_add (path, Fixture, NULL, setup, fn, teardown)
  ADD ("/views/export/png-matches-screen", test_png_matches_screen);
  ADD ("/views/export/svg-pdf-decode", test_svg_pdf_decode);
  ADD ("/views/export/sidecar", test_sidecar_roundtrip_and_rerender);
  ADD ("/views/export/sidecar-errors", test_sidecar_errors);
  ADD ("/views/export/npy", test_npy);
  ADD ("/views/export/atomic", test_atomic_failures);
  ADD ("/views/export/cli-render-errors", test_cli_render_errors);
  ADD ("/views/export/cli-render-real", test_cli_render_real);
  return g_test_run ();
}
