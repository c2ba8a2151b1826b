/* test-export-options.c — the export dialog's options without a display: the text
 * form remembered in GSettings round-trips, bad text falls back to defaults, and the
 * file name's extension follows the chosen format. */
#include "vita-export-options.h"

#include <string.h>

static void
test_roundtrip (void)
{
  VitaExportChoices c, back;
  vita_export_choices_init (&c);
  g_assert_cmpint (c.kind, ==, VITA_EXPORT_KIND_PDF);
  g_assert_cmpfloat (c.figure.font_size, ==, 8);
  c.kind = VITA_EXPORT_KIND_PNG;
  c.figure.size = VITA_SIZE_DOUBLE_COLUMN;
  vita_size_preset_dimensions (c.figure.size, &c.figure.width_pt, &c.figure.height_pt);
  c.figure.font_size = 10;
  c.figure.playhead = FALSE;
  c.figure.title = FALSE;
  c.figure.colorbar = FALSE;
  c.figure.range = VITA_RANGE_SELECTION;
  c.figure.transparent = TRUE;
  c.figure.dpi = 600;
  g_strlcpy (c.grid, "head", sizeof c.grid);
  g_autofree char *text = vita_export_choices_to_string (&c);
  g_assert_true (vita_export_choices_from_string (text, &back));
  g_assert_cmpint (back.kind, ==, VITA_EXPORT_KIND_PNG);
  g_assert_cmpint (back.figure.size, ==, VITA_SIZE_DOUBLE_COLUMN);
  g_assert_cmpfloat (back.figure.font_size, ==, 10);
  g_assert_false (back.figure.playhead);
  g_assert_false (back.figure.title);
  g_assert_false (back.figure.colorbar);
  g_assert_cmpint (back.figure.range, ==, VITA_RANGE_SELECTION);
  g_assert_true (back.figure.transparent);
  g_assert_cmpfloat (back.figure.dpi, ==, 600);
  g_assert_cmpstr (back.grid, ==, "head");
  /* Garbage or nothing: the defaults, and FALSE. */
  g_assert_false (vita_export_choices_from_string ("", &back));
  g_assert_cmpint (back.kind, ==, VITA_EXPORT_KIND_PDF);
  g_assert_false (vita_export_choices_from_string ("[figure]\nfont_size=-4\n", &back));
  g_assert_cmpfloat (back.figure.font_size, ==, 8);
}

static void
test_extension_follows_format (void)
{
  struct { const char *in; VitaExportKind kind; const char *out; } cases[] = {
    { "/tmp/fig.png", VITA_EXPORT_KIND_PDF, "/tmp/fig.pdf" },
    { "/tmp/fig.PDF", VITA_EXPORT_KIND_PDF, "/tmp/fig.PDF" },
    { "/tmp/fig", VITA_EXPORT_KIND_SVG, "/tmp/fig.svg" },
    { "/tmp/fig.v2", VITA_EXPORT_KIND_PNG, "/tmp/fig.v2.png" },
    { "/tmp/my.data/fig", VITA_EXPORT_KIND_NPY, "/tmp/my.data/fig.npy" },
    { "/tmp/attention.npy", VITA_EXPORT_KIND_SVG, "/tmp/attention.svg" },
    { "/tmp/attention.pdf", VITA_EXPORT_KIND_NPY, "/tmp/attention.npy" },
  };
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *got = vita_export_path_for_kind (cases[i].in, cases[i].kind);
      g_assert_cmpstr (got, ==, cases[i].out);
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/export-options/roundtrip", test_roundtrip);
  g_test_add_func ("/export-options/extension", test_extension_follows_format);
  return g_test_run ();
}
