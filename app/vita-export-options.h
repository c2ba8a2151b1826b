/* vita-export-options.h — the export dialog's figure options.
 *
 * The file chooser (GtkFileChooserNative, so portals work) gets a filter per format
 * and choices for the paper options: size preset, font size, playhead, title,
 * colorbar, time range, layers × heads of the grid, transparent PNG, PNG dpi.
 * What the user chose is read back into a VitaFigureOptions (views/vita-layout.h —
 * the struct the sidecar and `vitascope-cli render` share) and remembered as text
 * (GSettings "export-options").  The format follows the chosen filter and the file
 * name's extension is corrected to match; .npy goes through the same dialog.
 */
#pragma once

#include <gtk/gtk.h>

#include "views/vita-layout.h"

G_BEGIN_DECLS

typedef enum {
  VITA_EXPORT_KIND_PDF,
  VITA_EXPORT_KIND_SVG,
  VITA_EXPORT_KIND_PNG,
  VITA_EXPORT_KIND_NPY,
  VITA_N_EXPORT_KINDS
} VitaExportKind;

/* What the dialog remembers between exports. */
typedef struct {
  VitaFigureOptions figure;
  VitaExportKind    kind;
  char              grid[16];   /* "all", "layer" (current layer), "head" (current head) */
} VitaExportChoices;

void     vita_export_choices_init (VitaExportChoices *c);
/* Text form for GSettings (a GKeyFile group); parse keeps defaults for anything
 * missing or invalid and returns FALSE then. */
char    *vita_export_choices_to_string (const VitaExportChoices *c);
gboolean vita_export_choices_from_string (const char *text, VitaExportChoices *c);

const char *vita_export_kind_extension (VitaExportKind kind);   /* ".pdf" … */
/* path with its extension replaced (or added) to match kind: "fig.png" → "fig.pdf",
 * "fig" → "fig.pdf", "my.data/fig.svg" keeps its folder. */
char    *vita_export_path_for_kind (const char *path, VitaExportKind kind);

/* Adds the format filters (the remembered one selected) and the option choices. */
void     vita_export_options_setup (GtkFileChooser *chooser, const VitaExportChoices *c);
/* Reads the chosen filter and choices back.  current_layer (1-based block) and
 * current_head (1-based, 0 = mean) resolve the grid choice. */
void     vita_export_options_read (GtkFileChooser *chooser, VitaExportChoices *c,
                                   int current_layer, int current_head);

G_END_DECLS
