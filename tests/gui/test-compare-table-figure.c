/* test-compare-table-figure.c — the comparison table as a figure
 * (views/vita-compare-table-painter.h) and the difference colour scale: A − B cells
 * shaded red where A > B, blue where A < B, white where equal (the diverging map is
 * centred on zero); PNG / SVG / PDF files; a bad extension refused naming the file. */
#include "vita-test.h"

#include "views/vita-compare-table-painter.h"
#include "views/vita-export.h"

#include <math.h>
#include <string.h>

#include <glib/gstdio.h>

static VitaCompareTable *
make_table (double sign)
{
  VitaCompareTable *t = vita_compare_table_new ("trained.safetensors", "random-init twin, seed 0");
  for (int l = 0; l < 4; l++)
    {
      vita_compare_table_add (t, "ssm_r_chroma", l, -1, 0.5, 0.5 + sign * 0.1 * l);
      vita_compare_table_add (t, "ssm_r_MFCC", l, -1, 0.3, 0.3 - sign * 0.1 * l);
      if (l > 0)
        {
          vita_compare_table_add (t, "onset_f", l, 0, 0.9, 0.5);
          vita_compare_table_add (t, "onset_f_mean", l, -1, 0.9, sign ? 0.4 : 0.9);
        }
    }
  t->note = g_strdup ("a note. a second line");
  return t;
}

/* Counts clearly red (r ≫ b) and clearly blue (b ≫ r) pixels of the painted table. */
static void
count_colours (const VitaCompareTable *t, int *red, int *blue)
{
  double w, h;
  vita_compare_table_size (t, NULL, &w, &h);
  g_assert_cmpfloat (w, >, 100);
  g_assert_cmpfloat (h, >, 50);
  cairo_surface_t *s = cairo_image_surface_create (CAIRO_FORMAT_RGB24, (int) ceil (w), (int) ceil (h));
  cairo_t *cr = cairo_create (s);
  VitaRect area = { 0, 0, w, h };
  vita_compare_table_paint (cr, &area, NULL, t);
  g_assert_cmpint (cairo_status (cr), ==, CAIRO_STATUS_SUCCESS);
  cairo_destroy (cr);
  cairo_surface_flush (s);
  const guint8 *data = cairo_image_surface_get_data (s);
  int stride = cairo_image_surface_get_stride (s);
  /* leave out the colorbar (the right margin): only the cells count */
  int cols = (int) (w - 6 * 10);
  *red = *blue = 0;
  for (int y = 0; y < (int) h; y++)
    for (int x = 0; x < cols; x++)
      {
        guint32 p = *(const guint32 *) (data + y * stride + x * 4);
        int r = (p >> 16) & 0xff, b = p & 0xff;
        if (r - b > 60)
          (*red)++;
        else if (b - r > 60)
          (*blue)++;
      }
  cairo_surface_destroy (s);
}

static void
test_colours (void)
{
  g_autoptr(VitaCompareTable) mixed = make_table (1);
  int red, blue;
  count_colours (mixed, &red, &blue);
  g_assert_cmpint (red, >, 100);    /* A > B: MFCC, onset F */
  g_assert_cmpint (blue, >, 100);   /* A < B: chroma */
  g_autoptr(VitaCompareTable) same = make_table (0);
  count_colours (same, &red, &blue);
  g_assert_cmpint (red, ==, 0);     /* all A − B = 0: white cells, no colour */
  g_assert_cmpint (blue, ==, 0);
}

static void
test_difference_scale (void)
{
  VitaStyle style;
  vita_style_init (&style);
  const float d[3] = { -2.0f, 0.0f, 2.0f };
  cairo_surface_t *s = vita_difference_surface (d, 1, 3, 3, vita_compare_max_abs (d, 3), &style);
  cairo_surface_flush (s);
  const guint32 *px = (const guint32 *) cairo_image_surface_get_data (s);
  int r0 = (px[0] >> 16) & 0xff, b0 = px[0] & 0xff;
  int r1 = (px[1] >> 16) & 0xff, g1 = (px[1] >> 8) & 0xff, b1 = px[1] & 0xff;
  int r2 = (px[2] >> 16) & 0xff, b2 = px[2] & 0xff;
  g_assert_cmpint (b0, >, r0 + 60);               /* −max: blue */
  g_assert_cmpint (r2, >, b2 + 60);               /* +max: red */
  g_assert_cmpint (MIN (r1, MIN (g1, b1)), >, 230); /* 0: (near) white */
  cairo_surface_destroy (s);
  /* all zeros: white everywhere, not a division by zero */
  const float z[2] = { 0, 0 };
  s = vita_difference_surface (z, 1, 2, 2, vita_compare_max_abs (z, 2), &style);
  cairo_surface_flush (s);
  px = (const guint32 *) cairo_image_surface_get_data (s);
  g_assert_cmpint (MIN ((px[0] >> 16) & 0xff, px[0] & 0xff), >, 230);
  cairo_surface_destroy (s);
}

static void
test_export (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("vita-cmp-fig-XXXXXX", &error);
  g_autoptr(VitaCompareTable) t = make_table (1);
  const char *names[] = { "t.png", "t.svg", "t.pdf" };
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *p = g_build_filename (dir, names[i], NULL);
      g_assert_true (vita_compare_table_export (t, p, NULL, &error));
      g_assert_no_error (error);
      g_autofree char *data = NULL;
      gsize len;
      g_assert_true (g_file_get_contents (p, &data, &len, NULL));
      g_assert_cmpuint (len, >, 500);
      static const char *const magic[] = { "\x89PNG", "<?xml", "%PDF" };
      g_assert_true (memcmp (data, magic[i], strlen (magic[i])) == 0);
      g_unlink (p);
    }
  g_autofree char *bad = g_build_filename (dir, "t.jpeg", NULL);
  g_assert_false (vita_compare_table_export (t, bad, NULL, &error));
  g_assert_error (error, VITA_EXPORT_ERROR, VITA_EXPORT_ERROR_FORMAT);
  g_assert_nonnull (strstr (error->message, "t.jpeg"));
  g_rmdir (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/compare-table-figure/colours", test_colours);
  g_test_add_func ("/compare-table-figure/difference-scale", test_difference_scale);
  g_test_add_func ("/compare-table-figure/export", test_export);
  return g_test_run ();
}
