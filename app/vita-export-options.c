/* vita-export-options.c — the export dialog's figure options (see the header). */
#include "vita-export-options.h"

#include <glib/gi18n.h>
#include <string.h>

static const char *kind_ext[VITA_N_EXPORT_KINDS] = { ".pdf", ".svg", ".png", ".npy" };
static const char *kind_names[VITA_N_EXPORT_KINDS] = {
  N_("PDF (vector)"), N_("SVG (vector)"), N_("PNG (image)"), N_("NumPy array (.npy)"),
};

void
vita_export_choices_init (VitaExportChoices *c)
{
  memset (c, 0, sizeof *c);
  vita_figure_options_init (&c->figure);
  c->kind = VITA_EXPORT_KIND_PDF;
  g_strlcpy (c->grid, "all", sizeof c->grid);
}

const char *
vita_export_kind_extension (VitaExportKind kind)
{
  return kind < VITA_N_EXPORT_KINDS ? kind_ext[kind] : ".pdf";
}

char *
vita_export_path_for_kind (const char *path, VitaExportKind kind)
{
  const char *ext = vita_export_kind_extension (kind);
  const char *base = strrchr (path, G_DIR_SEPARATOR);
  base = base ? base + 1 : path;
  const char *dot = strrchr (base, '.');
  if (dot && g_ascii_strcasecmp (dot, ext) == 0)
    return g_strdup (path);
  /* Replace a known figure/array extension; otherwise append ("fig.v2" → "fig.v2.pdf"). */
  if (dot && dot != base)
    for (int k = 0; k < VITA_N_EXPORT_KINDS; k++)
      if (g_ascii_strcasecmp (dot, kind_ext[k]) == 0)
        {
          g_autofree char *stem = g_strndup (path, dot - path);
          return g_strconcat (stem, ext, NULL);
        }
  return g_strconcat (path, ext, NULL);
}

char *
vita_export_choices_to_string (const VitaExportChoices *c)
{
  g_autoptr(GKeyFile) kf = g_key_file_new ();
  const VitaFigureOptions *o = &c->figure;
  const char *g = "figure";
  g_key_file_set_string (kf, g, "format", kind_ext[c->kind] + 1);
  g_key_file_set_string (kf, g, "size", vita_size_preset_to_string (o->size));
  g_key_file_set_double (kf, g, "width_pt", o->width_pt);
  g_key_file_set_double (kf, g, "height_pt", o->height_pt);
  g_key_file_set_double (kf, g, "font_size", o->font_size);
  g_key_file_set_boolean (kf, g, "playhead", o->playhead);
  g_key_file_set_boolean (kf, g, "title", o->title);
  g_key_file_set_boolean (kf, g, "colorbar", o->colorbar);
  g_key_file_set_string (kf, g, "range", vita_range_mode_to_string (o->range));
  g_key_file_set_string (kf, g, "grid", c->grid);
  g_key_file_set_boolean (kf, g, "transparent", o->transparent);
  g_key_file_set_double (kf, g, "dpi", o->dpi);
  return g_key_file_to_data (kf, NULL, NULL);
}

gboolean
vita_export_choices_from_string (const char *text, VitaExportChoices *c)
{
  vita_export_choices_init (c);
  g_autoptr(GKeyFile) kf = g_key_file_new ();
  if (text == NULL || *text == '\0' ||
      !g_key_file_load_from_data (kf, text, -1, G_KEY_FILE_NONE, NULL))
    return FALSE;
  const char *g = "figure";
  gboolean ok = TRUE;
  VitaFigureOptions *o = &c->figure;
  g_autofree char *format = g_key_file_get_string (kf, g, "format", NULL);
  for (int k = 0; format && k < VITA_N_EXPORT_KINDS; k++)
    if (g_strcmp0 (format, kind_ext[k] + 1) == 0)
      c->kind = k;
  g_autofree char *size = g_key_file_get_string (kf, g, "size", NULL);
  ok &= size == NULL || vita_size_preset_from_string (size, &o->size);
  g_autoptr(GError) e = NULL;
  double v;
#define GET_DOUBLE(key, field, lo, hi)                                          \
  v = g_key_file_get_double (kf, g, key, &e);                                   \
  if (e == NULL && v >= (lo) && v <= (hi))                                      \
    field = v;                                                                  \
  else                                                                          \
    ok = FALSE;                                                                 \
  g_clear_error (&e);
  GET_DOUBLE ("width_pt", o->width_pt, 0, 20000);
  GET_DOUBLE ("height_pt", o->height_pt, 0, 20000);
  GET_DOUBLE ("font_size", o->font_size, 2, 100);
  GET_DOUBLE ("dpi", o->dpi, 18, 600);
#undef GET_DOUBLE
  gboolean b;
#define GET_BOOL(key, field)                                                    \
  b = g_key_file_get_boolean (kf, g, key, &e);                                  \
  if (e == NULL)                                                                \
    field = b;                                                                  \
  else                                                                          \
    ok = FALSE;                                                                 \
  g_clear_error (&e);
  GET_BOOL ("playhead", o->playhead);
  GET_BOOL ("title", o->title);
  GET_BOOL ("colorbar", o->colorbar);
  GET_BOOL ("transparent", o->transparent);
#undef GET_BOOL
  g_autofree char *range = g_key_file_get_string (kf, g, "range", NULL);
  if (range == NULL || !vita_range_mode_from_string (range, &o->range) ||
      o->range == VITA_RANGE_SECONDS)
    {
      o->range = VITA_RANGE_VISIBLE;
      ok = FALSE;
    }
  g_autofree char *grid = g_key_file_get_string (kf, g, "grid", NULL);
  if (g_strcmp0 (grid, "layer") == 0 || g_strcmp0 (grid, "head") == 0 ||
      g_strcmp0 (grid, "all") == 0)
    g_strlcpy (c->grid, grid, sizeof c->grid);
  else
    ok = FALSE;
  return ok;
}

/* ---- the chooser ------------------------------------------------------------------ */

static void
add_choice (GtkFileChooser *chooser, const char *id, const char *label,
            const char *const *ids, const char *const *labels, const char *selected)
{
  /* GTK 4.8's built-in chooser (GtkFileChooserNative without a portal) opens its
   * drop-downs at their first option whatever set_choice asked for: the selected
   * (remembered or default) option goes first, the others keep their order. */
  const char *oids[16], *olabels[16];
  int n = 0, k = 0;
  while (ids[n] != NULL && n < 15)
    n++;
  for (int i = 0; i < n; i++)
    if (g_strcmp0 (ids[i], selected) == 0)
      oids[k] = ids[i], olabels[k] = labels[i], k++;
  for (int i = 0; i < n; i++)
    if (g_strcmp0 (ids[i], selected) != 0)
      oids[k] = ids[i], olabels[k] = labels[i], k++;
  oids[k] = olabels[k] = NULL;
  gtk_file_chooser_add_choice (chooser, id, label, oids, olabels);
  gtk_file_chooser_set_choice (chooser, id, selected);
}

void
vita_export_options_setup (GtkFileChooser *chooser, const VitaExportChoices *c)
{
  const VitaFigureOptions *o = &c->figure;
  for (int k = 0; k < VITA_N_EXPORT_KINDS; k++)
    {
      GtkFileFilter *filter = gtk_file_filter_new ();
      g_autofree char *pattern = g_strconcat ("*", kind_ext[k], NULL);
      gtk_file_filter_set_name (filter, _(kind_names[k]));
      gtk_file_filter_add_pattern (filter, pattern);
      g_object_set_data (G_OBJECT (filter), "vita-export-kind", GINT_TO_POINTER (k + 1));
      gtk_file_chooser_add_filter (chooser, filter);
      if (k == (int) c->kind)
        gtk_file_chooser_set_filter (chooser, filter);
      g_object_unref (filter);
    }

  const char *size_ids[] = { "single-column", "double-column", "slide", "square", "screen", NULL };
  const char *size_labels[] = { _("Single column (3.5 in)"), _("Double column (7.16 in)"),
                                _("Slide 16:9"), _("Square (3.5 in)"), _("As on screen"), NULL };
  add_choice (chooser, "size", _("Size"), size_ids, size_labels,
              o->size == VITA_SIZE_CUSTOM ? "screen" : vita_size_preset_to_string (o->size));

  const char *font_ids[] = { "6", "7", "8", "9", "10", "12", NULL };
  const char *font_labels[] = { "6 pt", "7 pt", "8 pt", "9 pt", "10 pt", "12 pt", NULL };
  char font[8];
  g_snprintf (font, sizeof font, "%d", (int) (o->font_size + 0.5));
  add_choice (chooser, "font-size", _("Font"), font_ids, font_labels, font);

  const char *range_ids[] = { "visible", "selection", "whole", NULL };
  const char *range_labels[] = { _("Visible range"), _("Selection"), _("Whole track"), NULL };
  add_choice (chooser, "range", _("Time"), range_ids, range_labels,
              vita_range_mode_to_string (o->range == VITA_RANGE_SECONDS ? VITA_RANGE_VISIBLE
                                                                        : o->range));

  const char *grid_ids[] = { "all", "layer", "head", NULL };
  const char *grid_labels[] = { _("Every layer × head"), _("Current layer, all heads"),
                                _("All layers, current head"), NULL };
  add_choice (chooser, "grid", _("Grid"), grid_ids, grid_labels, c->grid);

  const char *dpi_ids[] = { "150", "300", "600", NULL };
  const char *dpi_labels[] = { "150 dpi", "300 dpi", "600 dpi", NULL };
  char dpi[8];
  g_snprintf (dpi, sizeof dpi, "%d", o->dpi >= 450 ? 600 : o->dpi >= 225 ? 300 : 150);
  add_choice (chooser, "dpi", _("PNG"), dpi_ids, dpi_labels, dpi);

  /* Booleans: a choice without options is a check box. */
  struct { const char *id, *label; gboolean on; } checks[] = {
    { "playhead", _("Playhead"), o->playhead },
    { "title", _("Titles"), o->title },
    { "colorbar", _("Colorbars"), o->colorbar },
    { "transparent", _("Transparent PNG"), o->transparent },
  };
  for (gsize i = 0; i < G_N_ELEMENTS (checks); i++)
    {
      gtk_file_chooser_add_choice (chooser, checks[i].id, checks[i].label, NULL, NULL);
      gtk_file_chooser_set_choice (chooser, checks[i].id, checks[i].on ? "true" : "false");
    }
}

void
vita_export_options_read (GtkFileChooser *chooser, VitaExportChoices *c, int current_layer,
                          int current_head)
{
  VitaFigureOptions *o = &c->figure;
  GtkFileFilter *filter = gtk_file_chooser_get_filter (chooser);
  int k = filter ? GPOINTER_TO_INT (g_object_get_data (G_OBJECT (filter), "vita-export-kind")) : 0;
  if (k > 0)
    c->kind = k - 1;
  const char *size = gtk_file_chooser_get_choice (chooser, "size");
  if (g_strcmp0 (size, "screen") == 0)
    {
      o->size = VITA_SIZE_CUSTOM;
      o->width_pt = 720;
      o->height_pt = 480;
    }
  else if (size && vita_size_preset_from_string (size, &o->size))
    vita_size_preset_dimensions (o->size, &o->width_pt, &o->height_pt);
  const char *font = gtk_file_chooser_get_choice (chooser, "font-size");
  if (font)
    o->font_size = CLAMP (g_ascii_strtod (font, NULL), 6, 12);
  const char *range = gtk_file_chooser_get_choice (chooser, "range");
  if (range)
    vita_range_mode_from_string (range, &o->range);
  const char *dpi = gtk_file_chooser_get_choice (chooser, "dpi");
  if (dpi)
    o->dpi = CLAMP (g_ascii_strtod (dpi, NULL), 72, 600);
  const char *grid = gtk_file_chooser_get_choice (chooser, "grid");
  if (grid)
    g_strlcpy (c->grid, grid, sizeof c->grid);
  o->n_layers = o->n_heads = 0;
  if (g_strcmp0 (c->grid, "layer") == 0 && current_layer >= 1)
    {
      o->layers[0] = current_layer;
      o->n_layers = 1;
    }
  else if (g_strcmp0 (c->grid, "head") == 0 && current_head >= 1)
    {
      o->heads[0] = current_head;
      o->n_heads = 1;
    }
  const char *v;
  if ((v = gtk_file_chooser_get_choice (chooser, "playhead")))
    o->playhead = g_strcmp0 (v, "true") == 0;
  if ((v = gtk_file_chooser_get_choice (chooser, "title")))
    o->title = g_strcmp0 (v, "true") == 0;
  if ((v = gtk_file_chooser_get_choice (chooser, "colorbar")))
    o->colorbar = g_strcmp0 (v, "true") == 0;
  if ((v = gtk_file_chooser_get_choice (chooser, "transparent")))
    o->transparent = g_strcmp0 (v, "true") == 0;
}
