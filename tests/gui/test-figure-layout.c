/* test-figure-layout.c — the figure layout engine's promise, checked two ways:
 *
 * 1. Every panel type at the four size presets × font sizes 6, 8, 10 pt is drawn to
 *    a recording surface; from the engine's own records: no two text boxes
 *    intersect, no text box leaves the canvas or its panel, nothing is ellipsized.
 * 2. PDFs at single- and double-column size, 8 pt: `pdftotext -bbox` on the file
 *    finds the words inside the page, none overlapping, no "…".
 *
 * Also: presets and option parsing, square panels keep their aspect and the canvas
 * fits them, panels without data are left out of the whole view, the sidecar
 * round-trips every figure option, the tight box.  Set VITA_VIEWS_PNG_DIR to keep the
 * PDFs for looking at. */
#include "views-synth.h"
#include "views/vita-export.h"
#include "views/vita-probeogram.h"
#include "model/probe/vita-emergence.h"
#include "vita-test.h"

#include <math.h>
#include <string.h>
#include <sys/wait.h>

#include <glib/gstdio.h>

typedef struct {
  VitaAnalysis   *an;
  VitaPaintCache *cache;
  VitaPeaks      *peaks;
  VitaProbeLane  *lanes[2];
  VitaProbeogram *pg;
  VitaEmergence  *em;
  VitaPaintContext ctx;
  VitaExportSpec  spec;
  char           *dir;
} Fixture;

static void
setup (Fixture *fx, gconstpointer data)
{
  fx->an = views_synth_analysis (30.0, TRUE);
  fx->cache = vita_paint_cache_new (fx->an);
  vita_paint_cache_set_attention_func (fx->cache, views_synth_attention);
  gsize n;
  g_autofree float *pcm = views_synth_pcm (30.0, &n);
  fx->peaks = vita_peaks_new (pcm, n, 16000);
  int F = fx->an->n_frames;
  /* A chord lane with ground truth and a beat lane: long names on purpose. */
  const char *names[] = { "C:maj", "G:maj", "A:min", "F:maj" };
  fx->lanes[0] = vita_probe_lane_new ("chords · layer 6 · majmin 0.71", F, 4, names);
  fx->lanes[0]->probs = g_new0 (float, (gsize) F * 4);
  fx->lanes[0]->truth = g_new (int, F);
  for (int f = 0; f < F; f++)
    {
      fx->lanes[0]->probs[(gsize) f * 4 + (f / 31) % 4] = 0.8f;
      fx->lanes[0]->truth[f] = ((f + 5) / 31) % 4;
    }
  const char *beat[] = { "beat" };
  fx->lanes[1] = vita_probe_lane_new ("beats · layer 4 · F 0.66", F, 1, beat);
  fx->lanes[1]->binary = TRUE;
  fx->lanes[1]->probs = g_new (float, F);
  for (int f = 0; f < F; f++)
    fx->lanes[1]->probs[f] = (f % 16) == 0 ? 0.9f : 0.05f;
  fx->pg = vita_probeogram_new ("chords: P(annotated chord)", fx->an->n_layers, F);
  for (gsize i = 0; i < (gsize) fx->an->n_layers * F; i++)
    fx->pg->values[i] = (float) ((i * 7919) % 100) / 100.0f;
  for (int l = 0; l < fx->an->n_layers; l++)
    fx->pg->probed[l] = TRUE;
  fx->pg->has_truth = TRUE;
  /* A series of five checkpoints (the emergence panel) */
  static const gint64 steps[] = { 0, 10, 100, 1000, 5000 };
  fx->em = vita_emergence_new (G_N_ELEMENTS (steps), fx->an->n_layers, TRUE);
  for (int c = 0; c < fx->em->n_checkpoints; c++)
    {
      fx->em->step[c] = steps[c];
      fx->em->loss[c] = c == 0 ? NAN : 4.0 / (c + 1);
      for (int m = 0; m < VITA_EMERGENCE_N_MEASURES; m++)
        for (int l = vita_emergence_first_layer (m); l < fx->em->n_layers; l++)
          fx->em->values[((gsize) c * VITA_EMERGENCE_N_MEASURES + m) * fx->em->n_layers + l] =
            0.1 + 0.15 * c + 0.02 * l;
    }
  fx->ctx = (VitaPaintContext) { .cache = fx->cache, .peaks = fx->peaks, .lanes = fx->lanes,
                                 .n_lanes = 2, .probeogram = fx->pg, .emergence = fx->em,
                                 .emergence_current = 2 };
  vita_export_spec_init (&fx->spec);
  vita_timeline_snapshot_init (&fx->spec.snap, 16000, 512, n, fx->an->n_layers, 3);
  fx->spec.snap.position = 16000 * 6;
  fx->spec.snap.visible_start = 16000 * 3;
  fx->spec.snap.visible_end = 16000 * 13;
  fx->spec.snap.selection_start = 16000 * 5;
  fx->spec.snap.selection_end = 16000 * 7;
  fx->spec.snap.layer = 4;
  fx->spec.snap.head = 1;
  fx->spec.audio_path = g_strdup ("/music/song.ogg");
  fx->spec.model_path = g_strdup ("/models/tiny.safetensors");
  fx->spec.model_sha256 = g_strdup ("00ff");
  fx->dir = g_dir_make_tmp ("vita-figure-XXXXXX", NULL);
}

static void
teardown (Fixture *fx, gconstpointer data)
{
  vita_export_spec_clear (&fx->spec);
  vita_probe_lane_free (fx->lanes[0]);
  vita_probe_lane_free (fx->lanes[1]);
  vita_probeogram_free (fx->pg);
  vita_emergence_free (fx->em);
  vita_paint_cache_unref (fx->cache);
  vita_peaks_unref (fx->peaks);
  views_synth_free (fx->an);
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

static const VitaSizePreset presets[] = {
  VITA_SIZE_SINGLE_COLUMN, VITA_SIZE_DOUBLE_COLUMN, VITA_SIZE_SLIDE, VITA_SIZE_SQUARE,
};
static const double font_sizes[] = { 6, 8, 10 };

/* A fresh spec for a panel with figure options applied (the fixture's spec is the
 * template: snapshot and provenance). */
static void
figure_spec (Fixture *fx, VitaPanel panel, VitaSizePreset size, double font, VitaExportSpec *spec)
{
  *spec = fx->spec;
  spec->audio_path = spec->model_path = spec->model_sha256 = NULL;
  spec->panel = panel;
  VitaFigureOptions o;
  vita_figure_options_init (&o);
  o.size = size;
  vita_size_preset_dimensions (size, &o.width_pt, &o.height_pt);
  o.font_size = font;
  vita_export_spec_apply_figure (spec, &o, &fx->ctx);
}

static void
test_records_every_panel (Fixture *fx, gconstpointer data)
{
  int checked = 0;
  for (int p = 0; p < VITA_N_PANELS; p++)
    for (gsize s = 0; s < G_N_ELEMENTS (presets); s++)
      for (gsize f = 0; f < G_N_ELEMENTS (font_sizes); f++)
        {
          VitaExportSpec spec;
          figure_spec (fx, p, presets[s], font_sizes[f], &spec);
          g_autoptr(VitaLayoutRecord) rec = vita_export_layout_record (&spec, &fx->ctx);
          VitaRect canvas = { 0, 0, spec.width, spec.height };
          g_autofree char *why = NULL;
          /* Every panel has text to check (titles, axes or labels). */
          if (rec->texts->len < 3)
            g_error ("%s at %s, %g pt: only %u text items recorded", vita_panel_to_string (p),
                     vita_size_preset_to_string (presets[s]), font_sizes[f], rec->texts->len);
          if (!vita_layout_record_check (rec, &canvas, TRUE, 0.01, &why))
            g_error ("%s at %s (%g × %g pt), %g pt: %s", vita_panel_to_string (p),
                     vita_size_preset_to_string (presets[s]), spec.width, spec.height,
                     font_sizes[f], why);
          /* Text is never shrunk below 75 % either: shrinking is a fitting step, not
           * a way to hide a collision (ticks thin out, titles wrap). */
          for (guint i = 0; i < rec->texts->len; i++)
            {
              const VitaTextRecord *t = &g_array_index (rec->texts, VitaTextRecord, i);
              if (t->height < 0.6 * font_sizes[f])
                g_error ("%s at %s, %g pt: “%s” is %.1f pt tall", vita_panel_to_string (p),
                         vita_size_preset_to_string (presets[s]), font_sizes[f], t->text,
                         t->height);
            }
          checked++;
        }
  g_assert_cmpint (checked, ==, VITA_N_PANELS * 4 * 3);

  /* Option variants at a column width: no titles / colorbars / playhead and a short
   * range (decimal tick labels such as "1.0" next to "−1"), the whole track, a
   * layers × heads subset. */
  struct { gboolean title, colorbar; const char *range; const char *layers; } variants[] = {
    { FALSE, FALSE, "1:3", NULL }, { TRUE, TRUE, "whole", NULL }, { TRUE, FALSE, "0.5:1.25", "2,5" },
  };
  for (int p = 0; p < VITA_N_PANELS; p++)
    for (gsize v = 0; v < G_N_ELEMENTS (variants); v++)
      for (gsize s = 0; s < 2; s++)
        {
          VitaExportSpec spec;
          figure_spec (fx, p, s ? VITA_SIZE_DOUBLE_COLUMN : VITA_SIZE_SINGLE_COLUMN, 8, &spec);
          spec.figure.title = variants[v].title;
          spec.figure.colorbar = variants[v].colorbar;
          spec.figure.playhead = FALSE;
          g_assert_true (vita_figure_parse_range (variants[v].range, &spec.figure, NULL));
          if (variants[v].layers)
            g_assert_true (vita_figure_parse_index_list (variants[v].layers, spec.figure.layers,
                                                         &spec.figure.n_layers, NULL));
          vita_export_spec_apply_figure (&spec, &spec.figure, &fx->ctx);
          g_autoptr(VitaLayoutRecord) rec = vita_export_layout_record (&spec, &fx->ctx);
          VitaRect canvas = { 0, 0, spec.width, spec.height };
          g_autofree char *why = NULL;
          if (!vita_layout_record_check (rec, &canvas, TRUE, 0.01, &why))
            g_error ("%s, variant %zu, %s: %s", vita_panel_to_string (p), v,
                     s ? "double" : "single", why);
        }
}

static void
test_check_detects_faults (void)
{
  /* The checker itself: an overlap, a box off the canvas and an ellipsis are found. */
  VitaLayoutRecord rec = { g_array_new (FALSE, TRUE, sizeof (VitaTextRecord)),
                           g_array_new (FALSE, TRUE, sizeof (VitaRect)) };
  VitaTextRecord a = { 10, 10, 40, 10, (char *) "Time (s)", FALSE, FALSE, FALSE };
  VitaTextRecord b = { 45, 15, 20, 10, (char *) "Probe lanes", FALSE, FALSE, FALSE };
  g_array_append_val (rec.texts, a);
  VitaRect canvas = { 0, 0, 100, 100 };
  g_autofree char *why = NULL;
  g_assert_true (vita_layout_record_check (&rec, &canvas, TRUE, 0.01, &why));
  g_array_append_val (rec.texts, b);
  g_clear_pointer (&why, g_free);
  g_assert_false (vita_layout_record_check (&rec, &canvas, TRUE, 0.01, &why));
  g_assert_nonnull (strstr (why, "overlaps"));
  g_array_index (rec.texts, VitaTextRecord, 1).y = 30;
  g_array_index (rec.texts, VitaTextRecord, 1).x = 90;
  g_clear_pointer (&why, g_free);
  g_assert_false (vita_layout_record_check (&rec, &canvas, TRUE, 0.01, &why));
  g_assert_nonnull (strstr (why, "leaves the canvas"));
  g_array_index (rec.texts, VitaTextRecord, 1).x = 50;
  g_array_index (rec.texts, VitaTextRecord, 1).ellipsized = TRUE;
  g_clear_pointer (&why, g_free);
  g_assert_false (vita_layout_record_check (&rec, &canvas, TRUE, 0.01, &why));
  g_assert_nonnull (strstr (why, "ellipsized"));
  g_array_unref (rec.texts);
  g_array_unref (rec.boxes);
}

static void
test_old_layout_would_fail (Fixture *fx, gconstpointer data)
{
  /* What the issue reported, kept as a regression check on the checker: a long
   * title squeezed into a narrow panel is cut by vita_draw_text_fit, and the
   * records say so. */
  VitaStyle style;
  vita_style_init (&style);
  style.font_size = 8;
  cairo_surface_t *s = cairo_recording_surface_create (CAIRO_CONTENT_COLOR_ALPHA, NULL);
  cairo_t *cr = cairo_create (s);
  vita_layout_record_begin ();
  vita_draw_text_fit (cr, &style, "relative (max = 0.95)", 10, 10, VITA_ANCHOR_NW, 1.0, 0, 40);
  g_autoptr(VitaLayoutRecord) rec = vita_layout_record_end ();
  cairo_destroy (cr);
  cairo_surface_destroy (s);
  g_assert_cmpuint (rec->texts->len, ==, 1);
  g_assert_true (g_array_index (rec->texts, VitaTextRecord, 0).ellipsized);
  g_assert_false (vita_layout_record_check (rec, NULL, TRUE, 0.01, NULL));
}

/* Words of `pdftotext -bbox` output: page size and word boxes. */
typedef struct {
  double x0, y0, x1, y1;
  char  *word;
} Word;

static GArray *
pdf_words (const char *pdf, double *page_w, double *page_h)
{
  g_autofree char *cmd = g_strdup_printf ("pdftotext -bbox %s -", pdf);
  g_autofree char *out = NULL;
  int status;
  g_assert_true (g_spawn_command_line_sync (cmd, &out, NULL, &status, NULL));
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  GArray *words = g_array_new (FALSE, TRUE, sizeof (Word));
  const char *p = strstr (out, "<page width=\"");
  g_assert_nonnull (p);
  *page_w = g_ascii_strtod (p + strlen ("<page width=\""), NULL);
  p = strstr (p, "height=\"");
  *page_h = g_ascii_strtod (p + strlen ("height=\""), NULL);
  while ((p = strstr (p, "<word xMin=\"")))
    {
      Word w;
      char *end;
      w.x0 = g_ascii_strtod (p + strlen ("<word xMin=\""), &end);
      w.y0 = g_ascii_strtod (strstr (end, "yMin=\"") + 6, &end);
      w.x1 = g_ascii_strtod (strstr (end, "xMax=\"") + 6, &end);
      w.y1 = g_ascii_strtod (strstr (end, "yMax=\"") + 6, &end);
      const char *t0 = strchr (end, '>') + 1, *t1 = strstr (t0, "</word>");
      w.word = g_strndup (t0, t1 - t0);
      g_array_append_val (words, w);
      p = t1;
    }
  return words;
}

/* pdftotext -bbox on a PDF: words inside the page, none overlapping another, none
 * ellipsized; the page no wider than max_width.  Returns the word count. */
static int
check_pdf (const char *pdf, const char *name, double max_width)
{
  int n_words = 0;
  double pw, ph;
  GArray *words = pdf_words (pdf, &pw, &ph);
  /* The tight box: the content plus 2 pt, widened to exactly the column's width. */
  g_assert_cmpfloat (fabs (pw - max_width), <, 0.01);
        g_assert_cmpuint (words->len, >, 5);
        for (guint a = 0; a < words->len; a++)
          {
            Word *wa = &g_array_index (words, Word, a);
            if (strstr (wa->word, "\xe2\x80\xa6"))
              g_error ("%s: “%s” is ellipsized in the PDF", name, wa->word);
            if (wa->x0 < -0.01 || wa->y0 < -0.01 || wa->x1 > pw + 0.01 || wa->y1 > ph + 0.01)
              g_error ("%s: “%s” (%.1f,%.1f–%.1f,%.1f) leaves the %.1f × %.1f page", name,
                       wa->word, wa->x0, wa->y0, wa->x1, wa->y1, pw, ph);
            for (guint b = a + 1; b < words->len; b++)
              {
                Word *wb = &g_array_index (words, Word, b);
                double ox = MIN (wa->x1, wb->x1) - MAX (wa->x0, wb->x0);
                double oy = MIN (wa->y1, wb->y1) - MAX (wa->y0, wb->y0);
                if (ox > 0.3 && oy > 0.3)
                  g_error ("%s: “%s” (%.1f,%.1f–%.1f,%.1f) overlaps “%s” (%.1f,%.1f–%.1f,%.1f)",
                           name, wa->word, wa->x0, wa->y0, wa->x1, wa->y1, wb->word, wb->x0,
                           wb->y0, wb->x1, wb->y1);
              }
          }
        n_words += words->len;
        for (guint a = 0; a < words->len; a++)
          g_free (g_array_index (words, Word, a).word);
        g_array_unref (words);
  return n_words;
}

static void
test_pdftotext_bbox (Fixture *fx, gconstpointer data)
{
  g_autofree char *pdftotext = g_find_program_in_path ("pdftotext");
  if (pdftotext == NULL)
    {
      g_test_skip ("pdftotext not installed");
      return;
    }
  const char *keep = g_getenv ("VITA_VIEWS_PNG_DIR");
  const VitaPanel panels[] = { VITA_PANEL_LAYOUT, VITA_PANEL_MEL, VITA_PANEL_RECEIVED,
                               VITA_PANEL_ATTENTION, VITA_PANEL_SSM, VITA_PANEL_ATTENTION_GRID,
                               VITA_PANEL_PROBES, VITA_PANEL_ATTENTION_ROW, VITA_PANEL_WAVEFORM,
                               VITA_PANEL_PROBEOGRAM };
  const VitaSizePreset sizes[] = { VITA_SIZE_SINGLE_COLUMN, VITA_SIZE_DOUBLE_COLUMN };
  int n_words = 0;
  for (gsize i = 0; i < G_N_ELEMENTS (panels); i++)
    for (gsize s = 0; s < G_N_ELEMENTS (sizes); s++)
      {
        VitaExportSpec spec;
        figure_spec (fx, panels[i], sizes[s], 8, &spec);
        g_autofree char *name = g_strdup_printf ("%s-%s.pdf", vita_panel_to_string (panels[i]),
                                                 vita_size_preset_to_string (sizes[s]));
        g_autofree char *pdf = g_build_filename (keep ? keep : fx->dir, name, NULL);
        g_autoptr(GError) error = NULL;
        g_assert_true (vita_export_figure (&spec, &fx->ctx, pdf, &error));
        g_assert_no_error (error);
        n_words += check_pdf (pdf, name, spec.width);
        if (!keep)
          g_unlink (pdf);
      }
  g_assert_cmpint (n_words, >, 200);
}

static void
test_square_fits (Fixture *fx, gconstpointer data)
{
  /* A square panel at a column width: the canvas is as tall as the square needs —
   * no blank quarter: the plot fills the width between the margins and the content
   * extents reach the canvas' edges (within the tight margin). */
  const VitaPanel squares[] = { VITA_PANEL_ATTENTION, VITA_PANEL_SSM };
  for (gsize i = 0; i < G_N_ELEMENTS (squares); i++)
    for (gsize s = 0; s < 2; s++)
      {
        VitaExportSpec spec;
        figure_spec (fx, squares[i], s ? VITA_SIZE_DOUBLE_COLUMN : VITA_SIZE_SINGLE_COLUMN, 8,
                     &spec);
        g_autoptr(VitaLayoutRecord) rec = vita_export_layout_record (&spec, &fx->ctx);
        /* The largest box is the square plot. */
        VitaRect plot = { 0 };
        for (guint k = 0; k < rec->boxes->len; k++)
          {
            VitaRect *b = &g_array_index (rec->boxes, VitaRect, k);
            if (b->width * b->height > plot.width * plot.height)
              plot = *b;
          }
        g_assert_cmpfloat (fabs (plot.width - plot.height), <, 0.5);
        VitaRect ext;
        g_assert_true (vita_layout_record_extents (rec, &ext));
        /* Content covers the canvas (a reserved second title line at most is left),
         * and the square takes most of the page. */
        g_assert_cmpfloat (ext.width, >, 0.95 * spec.width);
        g_assert_cmpfloat (ext.height, >, 0.9 * spec.height);
        g_assert_cmpfloat (plot.width, >, 0.55 * spec.width);
        /* The tight file: exactly the column's width, the square most of the page. */
        g_autofree char *pdftotext = g_find_program_in_path ("pdftotext");
        if (pdftotext)
          {
            g_autofree char *pdf = g_build_filename (fx->dir, "square.pdf", NULL);
            g_autoptr(GError) error = NULL;
            g_assert_true (vita_export_figure (&spec, &fx->ctx, pdf, &error));
            double pw, ph;
            GArray *words = pdf_words (pdf, &pw, &ph);
            g_assert_cmpfloat (fabs (pw - spec.width), <, 0.01);
            g_assert_cmpfloat (ph, <, spec.height + 2);
            g_assert_cmpfloat (plot.width * plot.height, >, 0.45 * pw * ph);
            for (guint a = 0; a < words->len; a++)
              g_free (g_array_index (words, Word, a).word);
            g_array_unref (words);
          }
      }
}

static gboolean
record_has (const VitaLayoutRecord *rec, const char *needle)
{
  for (guint i = 0; i < rec->texts->len; i++)
    if (strstr (g_array_index (rec->texts, VitaTextRecord, i).text, needle))
      return TRUE;
  return FALSE;
}

static void
test_whole_view_contents (Fixture *fx, gconstpointer data)
{
  /* With probes: the whole view shows lanes, the probe-o-gram and the grid. */
  VitaExportSpec spec;
  figure_spec (fx, VITA_PANEL_LAYOUT, VITA_SIZE_DOUBLE_COLUMN, 8, &spec);
  g_autoptr(VitaLayoutRecord) rec = vita_export_layout_record (&spec, &fx->ctx);
  g_assert_true (record_has (rec, "ground truth"));
  g_assert_true (record_has (rec, "Probe-o-gram"));
  g_assert_true (record_has (rec, "Attention of every layer"));
  g_assert_true (record_has (rec, "Self-similarity"));
  /* Without probes: no placeholder, and the other panels get the room. */
  VitaPaintContext bare = fx->ctx;
  bare.lanes = NULL;
  bare.n_lanes = 0;
  bare.probeogram = NULL;
  VitaExportSpec spec2;
  figure_spec (fx, VITA_PANEL_LAYOUT, VITA_SIZE_DOUBLE_COLUMN, 8, &spec2);
  vita_export_spec_apply_figure (&spec2, &spec2.figure, &bare);
  g_autoptr(VitaLayoutRecord) rec2 = vita_export_layout_record (&spec2, &bare);
  g_assert_false (record_has (rec2, "No probes"));
  g_assert_false (record_has (rec2, "Probe"));
  g_assert_true (record_has (rec2, "Mel spectrogram"));
  /* A layers × heads subset: the grid names what it shows, one shared colorbar. */
  VitaExportSpec spec3;
  figure_spec (fx, VITA_PANEL_ATTENTION_GRID, VITA_SIZE_SINGLE_COLUMN, 8, &spec3);
  spec3.figure.n_layers = 3;
  spec3.figure.layers[0] = 1;
  spec3.figure.layers[1] = 4;
  spec3.figure.layers[2] = 8;
  vita_export_spec_apply_figure (&spec3, &spec3.figure, &fx->ctx);
  g_autoptr(VitaLayoutRecord) rec3 = vita_export_layout_record (&spec3, &fx->ctx);
  g_assert_true (record_has (rec3, "3 layers × 3 heads"));
  g_assert_true (record_has (rec3, "layer 8"));
  g_assert_false (record_has (rec3, "layer 2"));
  g_assert_true (record_has (rec3, "attention weight"));
  g_autofree char *why = NULL;
  VitaRect canvas = { 0, 0, spec3.width, spec3.height };
  if (!vita_layout_record_check (rec3, &canvas, TRUE, 0.01, &why))
    g_error ("grid subset: %s", why);
  /* Options: no title, no colorbar, no playhead. */
  VitaExportSpec spec4;
  figure_spec (fx, VITA_PANEL_MEL, VITA_SIZE_SINGLE_COLUMN, 8, &spec4);
  spec4.figure.title = FALSE;
  spec4.figure.colorbar = FALSE;
  vita_export_spec_apply_figure (&spec4, &spec4.figure, &fx->ctx);
  g_autoptr(VitaLayoutRecord) rec4 = vita_export_layout_record (&spec4, &fx->ctx);
  g_assert_false (record_has (rec4, "Mel spectrogram"));
  g_assert_false (record_has (rec4, "normalised log-mel"));
  g_assert_true (record_has (rec4, "Frequency (kHz)"));
}

/* A video frame (ctx->fill_frame): one square beside the strips, centred in the
 * height, the strips the full height; squares alone in a centred row; several squares
 * under the strips.  Nothing overlaps or leaves the frame, and the frame is used. */
static void
assert_inside_apart (const VitaRect *r, int n, const VitaRect *area)
{
  for (int i = 0; i < n; i++)
    {
      g_assert_cmpfloat (r[i].x, >=, area->x - 0.01);
      g_assert_cmpfloat (r[i].y, >=, area->y - 0.01);
      g_assert_cmpfloat (r[i].x + r[i].width, <=, area->x + area->width + 0.01);
      g_assert_cmpfloat (r[i].y + r[i].height, <=, area->y + area->height + 0.01);
      for (int j = 0; j < i; j++)
        g_assert_false (r[i].x < r[j].x + r[j].width - 0.01 && r[j].x < r[i].x + r[i].width - 0.01 &&
                        r[i].y < r[j].y + r[j].height - 0.01 && r[j].y < r[i].y + r[i].height - 0.01);
    }
}

#define BIT(p) (G_GUINT64_CONSTANT (1) << (p))

static void
test_fill_frame (Fixture *fx, gconstpointer data)
{
  VitaStyle style;
  VitaPaintContext ctx = fx->ctx;
  VitaRect area = { 0, 0, 1920, 1080 }, r[VITA_LAYOUT_MAX_PLACED];
  VitaPanel p[VITA_LAYOUT_MAX_PLACED];
  int n;

  vita_style_init (&style);
  style.font_size = area.height / VITA_VIDEO_FONT_DIVISOR;
  ctx.snap = &fx->spec.snap;
  ctx.style = &style;
  ctx.fill_frame = TRUE;

  /* mel + attention: the square on the right, as large as half the width allows */
  ctx.layout_panels = BIT (VITA_PANEL_MEL) | BIT (VITA_PANEL_ATTENTION);
  n = vita_layout_place (&area, &ctx, p, r, VITA_LAYOUT_MAX_PLACED);
  g_assert_cmpint (n, ==, 2);
  g_assert_cmpint (p[0], ==, VITA_PANEL_MEL);
  g_assert_cmpint (p[1], ==, VITA_PANEL_ATTENTION);
  assert_inside_apart (r, n, &area);
  g_assert_cmpfloat (r[0].height, ==, area.height);
  g_assert_cmpfloat (r[1].x, >=, r[0].x + r[0].width - 0.01);
  g_assert_cmpfloat (r[1].width, >, 0.45 * area.width);
  g_assert_cmpfloat (fabs (r[1].y - (area.height - r[1].y - r[1].height)), <=, 1);
  g_assert_cmpfloat (r[0].width * r[0].height + r[1].width * r[1].height, >, 0.85 * area.width * area.height);
  {
    /* drawn: no text collides or leaves the frame */
    VitaExportSpec spec = fx->spec;
    spec.audio_path = spec.model_path = spec.model_sha256 = NULL;
    spec.panel = VITA_PANEL_LAYOUT;
    spec.width = area.width;
    spec.height = area.height;
    spec.style = style;
    g_autoptr(VitaLayoutRecord) rec = vita_export_layout_record (&spec, &ctx);
    g_autofree char *why = NULL;
    g_assert_true (record_has (rec, "Mel spectrogram"));
    g_assert_true (record_has (rec, "Attention"));
    if (!vita_layout_record_check (rec, &area, TRUE, 0.01, &why))
      g_error ("video frame: %s", why);
  }

  /* attention + SSM alone: side by side, the pair centred */
  ctx.layout_panels = BIT (VITA_PANEL_ATTENTION) | BIT (VITA_PANEL_SSM);
  n = vita_layout_place (&area, &ctx, p, r, VITA_LAYOUT_MAX_PLACED);
  g_assert_cmpint (n, ==, 2);
  assert_inside_apart (r, n, &area);
  g_assert_cmpfloat (fabs (r[0].y - r[1].y), <=, 1);
  g_assert_cmpfloat (r[1].x, >=, r[0].x + r[0].width);
  g_assert_cmpfloat (fabs (r[0].x - (area.width - r[1].x - r[1].width)), <=, 1);
  g_assert_cmpfloat (fabs (r[0].y - (area.height - r[0].y - r[0].height)), <=, 1);
  g_assert_cmpfloat (r[0].height, >, 0.6 * area.height);

  /* two strips and two squares: the strips across the top, the squares under them */
  ctx.layout_panels = BIT (VITA_PANEL_MEL) | BIT (VITA_PANEL_RECEIVED) | BIT (VITA_PANEL_ATTENTION) |
                      BIT (VITA_PANEL_SSM);
  n = vita_layout_place (&area, &ctx, p, r, VITA_LAYOUT_MAX_PLACED);
  g_assert_cmpint (n, ==, 4);
  assert_inside_apart (r, n, &area);
  g_assert_cmpfloat (r[0].width, ==, area.width);
  g_assert_cmpfloat (r[1].width, ==, area.width);
  g_assert_cmpfloat (r[2].y, >=, r[1].y + r[1].height - 0.01);
  g_assert_cmpfloat (fabs (r[2].x - (area.width - r[3].x - r[3].width)), <=, 1);
  g_assert_cmpfloat (r[2].y + r[2].height, >, area.height - 2);

  /* strips alone: the usual stack, filling the frame */
  ctx.layout_panels = BIT (VITA_PANEL_MEL) | BIT (VITA_PANEL_RECEIVED);
  n = vita_layout_place (&area, &ctx, p, r, VITA_LAYOUT_MAX_PLACED);
  g_assert_cmpint (n, ==, 2);
  assert_inside_apart (r, n, &area);
  g_assert_cmpfloat (r[1].y + r[1].height, >, area.height - 1);
}

static void
test_options_parse (void)
{
  VitaFigureOptions o;
  vita_figure_options_init (&o);
  g_assert_cmpint (o.size, ==, VITA_SIZE_SINGLE_COLUMN);
  g_assert_cmpfloat (o.width_pt, ==, 252);
  g_assert_cmpfloat (o.font_size, ==, 8);
  g_autoptr(GError) error = NULL;
  g_assert_true (vita_figure_parse_size ("double-column", &o, &error));
  g_assert_cmpfloat_with_epsilon (o.width_pt, 7.16 * 72, 1e-9);
  g_assert_true (vita_figure_parse_size ("slide", &o, &error));
  g_assert_cmpfloat_with_epsilon (o.height_pt, 540, 1e-9);
  g_assert_true (vita_figure_parse_size ("89x60mm", &o, &error));
  g_assert_cmpint (o.size, ==, VITA_SIZE_CUSTOM);
  g_assert_cmpfloat_with_epsilon (o.width_pt, 89 / 25.4 * 72, 1e-9);
  g_assert_cmpfloat_with_epsilon (o.height_pt, 60 / 25.4 * 72, 1e-9);
  g_assert_true (vita_figure_parse_size ("3.5x0in", &o, &error));
  g_assert_cmpfloat (o.height_pt, ==, 0);
  g_assert_false (vita_figure_parse_size ("a4", &o, &error));
  g_assert_nonnull (strstr (error->message, "a4"));
  g_clear_error (&error);
  g_assert_false (vita_figure_parse_size ("10x10furlong", &o, &error));
  g_clear_error (&error);
  double pt;
  g_assert_true (vita_figure_parse_length ("8.9cm", &pt));
  g_assert_cmpfloat_with_epsilon (pt, 8.9 / 2.54 * 72, 1e-9);
  g_assert_false (vita_figure_parse_length ("-3in", &pt));
  int list[VITA_FIGURE_MAX_INDEX], n;
  g_assert_true (vita_figure_parse_index_list ("1,4,8", list, &n, &error));
  g_assert_cmpint (n, ==, 3);
  g_assert_cmpint (list[2], ==, 8);
  g_assert_true (vita_figure_parse_index_list ("2-4,3", list, &n, &error));
  g_assert_cmpint (n, ==, 3);
  g_assert_true (vita_figure_parse_index_list ("all", list, &n, &error));
  g_assert_cmpint (n, ==, 0);
  g_assert_false (vita_figure_parse_index_list ("0,2", list, &n, &error));
  g_clear_error (&error);
  g_assert_false (vita_figure_parse_index_list ("1,x", list, &n, &error));
  g_clear_error (&error);
  g_assert_cmphex (vita_figure_index_mask ((int[]) { 1, 3 }, 2), ==, 0x5);
  g_assert_true (vita_figure_parse_range ("10:20", &o, &error));
  g_assert_cmpint (o.range, ==, VITA_RANGE_SECONDS);
  g_assert_cmpfloat (o.range_end_s, ==, 20);
  g_assert_true (vita_figure_parse_range ("whole", &o, &error));
  g_assert_cmpint (o.range, ==, VITA_RANGE_WHOLE);
  g_assert_false (vita_figure_parse_range ("20:10", &o, &error));
  g_clear_error (&error);
  /* Math minus in value labels. */
}

static void
test_sidecar_roundtrip (Fixture *fx, gconstpointer data)
{
  VitaFigureOptions o;
  vita_figure_options_init (&o);
  g_autoptr(GError) error = NULL;
  g_assert_true (vita_figure_parse_size ("120x0mm", &o, &error));
  o.font_size = 7;
  g_strlcpy (o.font_family, "DejaVu Serif", sizeof o.font_family);
  o.line_width = 0.75;
  o.playhead = FALSE;
  o.title = FALSE;
  o.colorbar = FALSE;
  g_assert_true (vita_figure_parse_range ("4.5:9.25", &o, &error));
  g_assert_true (vita_figure_parse_index_list ("1,4,8", o.layers, &o.n_layers, &error));
  g_assert_true (vita_figure_parse_index_list ("2", o.heads, &o.n_heads, &error));
  o.transparent = TRUE;
  o.dpi = 450;
  o.tight = FALSE;
  o.margin_pt = 3;
  fx->spec.panel = VITA_PANEL_ATTENTION_GRID;
  vita_export_spec_apply_figure (&fx->spec, &o, &fx->ctx);
  g_assert_cmpint (fx->spec.snap.visible_start, ==, 72000);
  g_assert_cmpint (fx->spec.snap.visible_end, ==, 148000);
  g_assert_false (fx->spec.snap.show_playhead);
  g_assert_cmpfloat_with_epsilon (fx->spec.png_scale, 450 / 72.0, 1e-9);
  g_autofree char *path = g_build_filename (fx->dir, "grid.png", NULL);
  g_assert_true (vita_export_figure_with_sidecar (&fx->spec, &fx->ctx, path, &error));
  g_assert_no_error (error);
  /* Transparent PNG: a corner pixel has alpha 0. */
  cairo_surface_t *png = cairo_image_surface_create_from_png (path);
  g_assert_cmpint (cairo_image_surface_get_format (png), ==, CAIRO_FORMAT_ARGB32);
  g_assert_cmpuint (((guint32 *) cairo_image_surface_get_data (png))[0] >> 24, ==, 0);
  cairo_surface_destroy (png);
  g_autofree char *side = vita_export_sidecar_path (path);
  VitaExportSpec back;
  g_assert_true (vita_export_sidecar_read (side, &back, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (back.has_figure);
  VitaFigureOptions *b = &back.figure;
  g_assert_cmpint (b->size, ==, VITA_SIZE_CUSTOM);
  g_assert_cmpfloat_with_epsilon (b->width_pt, o.width_pt, 1e-9);
  g_assert_cmpfloat (b->height_pt, ==, 0);
  g_assert_cmpfloat (b->font_size, ==, 7);
  g_assert_cmpstr (b->font_family, ==, "DejaVu Serif");
  g_assert_cmpfloat (b->line_width, ==, 0.75);
  g_assert_false (b->playhead);
  g_assert_false (b->title);
  g_assert_false (b->colorbar);
  g_assert_cmpint (b->range, ==, VITA_RANGE_SECONDS);
  g_assert_cmpfloat (b->range_start_s, ==, 4.5);
  g_assert_cmpfloat (b->range_end_s, ==, 9.25);
  g_assert_cmpint (b->n_layers, ==, 3);
  g_assert_cmpint (b->layers[1], ==, 4);
  g_assert_cmpint (b->n_heads, ==, 1);
  g_assert_cmpint (b->heads[0], ==, 2);
  g_assert_true (b->transparent);
  g_assert_cmpfloat (b->dpi, ==, 450);
  g_assert_false (b->tight);
  g_assert_cmpfloat (b->margin_pt, ==, 3);
  /* Applying the read options again gives the same figure, byte for byte. */
  vita_export_spec_apply_figure (&back, &back.figure, &fx->ctx);
  g_assert_cmpfloat (back.width, ==, fx->spec.width);
  g_assert_cmpfloat (back.height, ==, fx->spec.height);
  g_autofree char *again = g_build_filename (fx->dir, "again.png", NULL);
  g_assert_true (vita_export_figure (&back, &fx->ctx, again, &error));
  g_autofree char *b1 = NULL, *b2 = NULL;
  gsize l1, l2;
  g_assert_true (g_file_get_contents (path, &b1, &l1, NULL));
  g_assert_true (g_file_get_contents (again, &b2, &l2, NULL));
  g_assert_cmpmem (b1, l1, b2, l2);
  vita_export_spec_clear (&back);

  /* Bad figure options are refused with the file and the field named. */
  g_autofree char *bad = g_build_filename (fx->dir, "bad.json", NULL);
  g_autofree char *text = NULL;
  g_assert_true (g_file_get_contents (side, &text, NULL, NULL));
  char *at = strstr (text, "\"dpi\"");
  g_assert_nonnull (at);
  g_autofree char *broken = g_strdup_printf ("%.*s\"dpi\" : \"high\",%s", (int) (at - text), text,
                                             strchr (at, ',') + 1);
  g_assert_true (g_file_set_contents (bad, broken, -1, NULL));
  g_assert_false (vita_export_sidecar_read (bad, &back, NULL, &error));
  g_assert_nonnull (strstr (error->message, "dpi"));
  g_assert_nonnull (strstr (error->message, "bad.json"));
}

static void
test_cli_render_options (Fixture *fx, gconstpointer data)
{
  /* vitascope-cli render with the paper options, end to end with the engine: a
   * random model, a real OGG, a hand-written sidecar → a single-column PDF whose
   * words do not overlap, and a sidecar recording every option. */
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
  g_autofree char *quiet = NULL;
  g_assert_true (g_spawn_command_line_sync (cmd, &quiet, NULL, &status, &error));
  if (!g_spawn_check_wait_status (status, NULL))
    {
      g_test_skip ("init-model failed (engine not built?)");
      return;
    }
  g_autofree char *side = g_build_filename (fx->dir, "in.json", NULL);
  g_autofree char *json = g_strdup_printf (
    "{\"vitascope_sidecar\": 1, \"panel\": \"layout\", \"audio\": {\"path\": \"%s\"},"
    " \"model\": {\"path\": \"%s\"}, \"layer\": 1, \"head\": 0,"
    " \"sample_rate\": 16000, \"hop\": 512, \"time_range\": {\"start_sample\": 0,"
    " \"end_sample\": 64000}, \"position_sample\": 32000, \"colormap\": \"viridis\","
    " \"width\": 720, \"height\": 480, \"font_size\": 10}", ogg, model);
  g_assert_true (g_file_set_contents (side, json, -1, NULL));
  struct { const char *args; const char *panel; } runs[] = {
    { "--size single-column --font-size 8 --no-playhead --no-title --range 1:3", "layout" },
    { "--size double-column --font-size 8 --panel attention-grid --layers 1,2 --heads all", "attention-grid" },
    { "--size single-column --font-size 8 --panel attention-grid --layers 2 --heads 1", "attention-grid" },
  };
  for (gsize i = 0; i < G_N_ELEMENTS (runs); i++)
    {
      g_autofree char *out = g_strdup_printf ("%s/fig%zu.pdf", fx->dir, i);
      g_autofree char *render = g_strdup_printf ("%s render %s %s --out %s", cli, side,
                                                 runs[i].args, out);
      g_autofree char *err = NULL;
      g_assert_true (g_spawn_command_line_sync (render, NULL, &err, &status, &error));
      if (!g_spawn_check_wait_status (status, NULL))
        g_error ("render %s failed: %s", runs[i].args, err);
      check_pdf (out, runs[i].args, i == 1 ? 7.16 * 72 : 3.5 * 72);
      g_autofree char *out_side = vita_export_sidecar_path (out);
      VitaExportSpec back;
      g_assert_true (vita_export_sidecar_read (out_side, &back, NULL, &error));
      g_assert_true (back.has_figure);
      g_assert_cmpstr (vita_panel_to_string (back.panel), ==, runs[i].panel);
      g_assert_cmpfloat (back.figure.font_size, ==, 8);
      if (i == 0)
        {
          g_assert_cmpint (back.figure.size, ==, VITA_SIZE_SINGLE_COLUMN);
          g_assert_false (back.figure.playhead);
          g_assert_false (back.figure.title);
          g_assert_false (back.snap.show_playhead);
          g_assert_cmpint (back.figure.range, ==, VITA_RANGE_SECONDS);
          g_assert_cmpint (back.snap.visible_start, ==, 16000);
          g_assert_cmpint (back.snap.visible_end, ==, 48000);
        }
      if (i == 2)
        {
          g_assert_cmpint (back.figure.n_layers, ==, 1);
          g_assert_cmpint (back.figure.layers[0], ==, 2);
          g_assert_cmpint (back.figure.heads[0], ==, 1);
        }
      vita_export_spec_clear (&back);
    }
  /* Layers the model does not have, an unknown size: refused, nothing written. */
  struct { const char *args; const char *want; int code; } bad[] = {
    { "--layers 1,9", "layers 1 to 2", 1 },
    { "--size a4", "unknown figure size", 2 },
    { "--range 5:1", "unknown time range", 2 },
    { "--heads x", "not a list", 2 },
  };
  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autofree char *out = g_build_filename (fx->dir, "bad.pdf", NULL);
      g_autofree char *render = g_strdup_printf ("%s render %s %s --out %s", cli, side,
                                                 bad[i].args, out);
      g_autofree char *err = NULL;
      g_assert_true (g_spawn_command_line_sync (render, NULL, &err, &status, &error));
      g_assert_true (WIFEXITED (status));
      g_assert_cmpint (WEXITSTATUS (status), ==, bad[i].code);
      if (!strstr (err, bad[i].want))
        g_error ("%s: “%s” lacks “%s”", bad[i].args, err, bad[i].want);
      g_assert_false (g_file_test (out, G_FILE_TEST_EXISTS));
    }
  /* --help documents the options. */
  g_autofree char *help_cmd = g_strdup_printf ("%s render --help", cli);
  g_autofree char *help = NULL;
  g_assert_true (g_spawn_command_line_sync (help_cmd, &help, NULL, &status, &error));
  const char *opts[] = { "--size", "--font-size", "--no-playhead", "--no-title", "--layers",
                         "--heads", "--range", "single-column", "--transparent", "--dpi" };
  for (gsize i = 0; i < G_N_ELEMENTS (opts); i++)
    if (!strstr (help, opts[i]))
      g_error ("render --help lacks %s", opts[i]);
}

/* The probe-o-gram's layer axis: whole layers only, however tall (two layers in 400 pt
 * gave ticks 0.2, 0.4, ... on a continuous value axis). */
static void
test_probeogram_whole_layers (Fixture *fx, gconstpointer data)
{
  int F = fx->an->n_frames;
  g_autoptr(VitaProbeogram) pg = vita_probeogram_new ("onset: P(onset)", 2, F);
  for (gsize i = 0; i < (gsize) 2 * F; i++)
    pg->values[i] = (float) (i % 10) / 10.0f;
  pg->probed[0] = pg->probed[1] = TRUE;
  VitaPaintContext ctx = fx->ctx;
  ctx.probeogram = pg;
  for (int k = 0; k < 2; k++)
    {
      VitaExportSpec spec = fx->spec;
      spec.panel = VITA_PANEL_PROBEOGRAM;
      spec.width = 500;
      spec.height = k == 0 ? 400 : 120;
      g_autoptr(VitaLayoutRecord) rec = vita_export_layout_record (&spec, &ctx);
      g_assert_cmpuint (rec->boxes->len, >, 0);
      const VitaRect *plot = NULL;   /* the widest box: the plot, not the colorbar */
      for (guint i = 0; i < rec->boxes->len; i++)
        if (plot == NULL || g_array_index (rec->boxes, VitaRect, i).width > plot->width)
          plot = &g_array_index (rec->boxes, VitaRect, i);
      int labels = 0;
      for (guint i = 0; i < rec->texts->len; i++)
        {
          const VitaTextRecord *t = &g_array_index (rec->texts, VitaTextRecord, i);
          char *end = NULL;
          double v = g_ascii_strtod (t->text, &end);
          if (t->x + t->width > plot->x + 0.5 || t->y > plot->y + plot->height ||
              end == t->text || *end != '\0')
            continue;   /* not a tick label of the layer axis (left of the plot) */
          g_test_message ("%g pt: layer tick “%s”", spec.height, t->text);
          g_assert_cmpfloat (v, ==, floor (v));
          g_assert_cmpfloat (v, >=, 0);
          g_assert_cmpfloat (v, <=, 1);
          labels++;
        }
      g_assert_cmpint (labels, ==, 2);
    }
}

/* Side B's own layer / head in the sidecar's compare object: written, read back, and
 * refused (naming the field and the file) when negative or not a number. */
static void
test_sidecar_layer_b (Fixture *fx, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  VitaExportSpec spec = fx->spec;
  spec.has_compare = TRUE;
  spec.compare_kind = (char *) "twin";
  spec.twin_seed = 7;
  spec.own_layers = TRUE;
  spec.layer_b = 3;
  spec.head_b = -1;
  g_autofree char *side = g_build_filename (fx->dir, "b.json", NULL);
  g_assert_true (vita_export_sidecar_write (&spec, NULL, side, &error));
  g_assert_no_error (error);
  VitaExportSpec back;
  g_assert_true (vita_export_sidecar_read (side, &back, NULL, &error));
  g_assert_true (back.has_compare && back.own_layers);
  g_assert_cmpint (back.layer_b, ==, 3);
  g_assert_cmpint (back.head_b, ==, -1);
  vita_export_spec_clear (&back);
  /* without them: B follows A */
  spec.own_layers = FALSE;
  g_assert_true (vita_export_sidecar_write (&spec, NULL, side, &error));
  g_assert_true (vita_export_sidecar_read (side, &back, NULL, &error));
  g_assert_false (back.own_layers);
  vita_export_spec_clear (&back);

  static const struct { const char *from, *to, *field; } bad[] = {
    { "\"layer_b\" : 3", "\"layer_b\" : -2", "compare.layer_b" },
    { "\"head_b\" : -1", "\"head_b\" : -3", "compare.head_b" },
    { "\"head_b\" : -1", "\"head_b\" : \"mean\"", "head_b" },
  };
  spec.own_layers = TRUE;
  g_assert_true (vita_export_sidecar_write (&spec, NULL, side, &error));
  g_autofree char *text = NULL;
  g_assert_true (g_file_get_contents (side, &text, NULL, NULL));
  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GString) broken = g_string_new (text);
      g_assert_cmpint (g_string_replace (broken, bad[i].from, bad[i].to, 1), ==, 1);
      g_autofree char *path = g_build_filename (fx->dir, "bad-b.json", NULL);
      g_assert_true (g_file_set_contents (path, broken->str, -1, NULL));
      g_clear_error (&error);
      g_assert_false (vita_export_sidecar_read (path, &back, NULL, &error));
      g_test_message ("%s", error->message);
      g_assert_nonnull (strstr (error->message, bad[i].field));
      g_assert_nonnull (strstr (error->message, "bad-b.json"));
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/figure/check-detects-faults", test_check_detects_faults);
  g_test_add_func ("/figure/options-parse", test_options_parse);
#define ADD(path, fn) g_test_add (path, Fixture, NULL, setup, fn, teardown)
  ADD ("/figure/fill-frame", test_fill_frame);
  ADD ("/figure/ellipsis-recorded", test_old_layout_would_fail);
  ADD ("/figure/records-every-panel", test_records_every_panel);
  ADD ("/figure/pdftotext-bbox", test_pdftotext_bbox);
  ADD ("/figure/square-fits", test_square_fits);
  ADD ("/figure/probeogram-whole-layers", test_probeogram_whole_layers);
  ADD ("/figure/sidecar-layer-b", test_sidecar_layer_b);
  ADD ("/figure/whole-view", test_whole_view_contents);
  ADD ("/figure/sidecar-roundtrip", test_sidecar_roundtrip);
  ADD ("/figure/cli-render-options", test_cli_render_options);
  return g_test_run ();
}
