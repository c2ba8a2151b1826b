/* vita-cli.h — vitascope-cli subcommands, one file each (vita-cli-*.c).
 * Each returns a process exit status: 0 success, 1 failure (message printed
 * on stderr naming the file and the problem), 2 usage error. */
#pragma once

#include "model/probe/vita-annotations.h"

#include <glib.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

typedef int (*VitaCliCommandFunc) (int argc, char **argv);

typedef struct {
  const char        *name;
  const char        *summary;
  VitaCliCommandFunc func;
} VitaCliCommand;

/* vita-cli-model.c */
int vita_cli_info          (int argc, char **argv);
int vita_cli_init_model    (int argc, char **argv);
/* vita-cli-analyze.c */
int vita_cli_analyze       (int argc, char **argv);
/* vita-cli-compare.c */
int vita_cli_compare       (int argc, char **argv);
/* vita-cli-attribute.c */
int vita_cli_attribute     (int argc, char **argv);
/* vita-cli-counterfactual.c */
int vita_cli_counterfactual (int argc, char **argv);
/* vita-cli-emergence.c */
int vita_cli_emergence     (int argc, char **argv);
/* vita-cli-render.c */
int vita_cli_render        (int argc, char **argv);
/* vita-cli-video.c */
int vita_cli_render_video  (int argc, char **argv);
/* vita-cli-train.c */
int vita_cli_train         (int argc, char **argv);
int vita_cli_export_model  (int argc, char **argv);
/* vita-cli-probe.c */
int vita_cli_report        (int argc, char **argv);
int vita_cli_make_dataset  (int argc, char **argv);
/* vita-cli-export.c */
int vita_cli_export        (int argc, char **argv);

/* Shared helpers (vita-cli-common.c). */
/* A one-line progress bar on stderr when it is a terminal; silent otherwise. */
void vita_cli_progress (const char *label, double fraction, const char *detail);
void vita_cli_progress_end (void);
/* DIR/summary.json from b (its root, pretty-printed), written atomically
 * (model/vita-file.h). */
gboolean vita_cli_write_summary (JsonBuilder *b, const char *dir, GError **error);
/* The onset list among the annotation files of a command line (NULL-terminated; the
 * comparison table and emergence read onsets only: other files are named and skipped).
 * Returns 0 with *onsets set (or NULL when none was given), else the exit status after
 * printing a message that starts with prefix. */
/* `--annotations A B C`: the files after the n_positional arguments are annotations
 * too (GOption takes one value per option); *argc becomes n_positional. */
void     vita_cli_take_trailing_annotations (char ***annotations, int *argc, char **argv,
                                             int n_positional);
int      vita_cli_load_onsets (const char *prefix, char **annotations, VitaEventList **onsets);
/* Registers the GStreamer fallback decoder etc.; call once at start. */
void vita_cli_init (void);

G_END_DECLS
