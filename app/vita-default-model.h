/* vita-default-model.h — where the bundled default model is, for the app and the CLI.
 *
 * In order: $VITASCOPE_DEFAULT_MODEL (empty: none); the installed copy next to the
 * running binary — BINDIR/../share/vitascope/models/default.safetensors computed from
 * the executable's own path, so a tree installed with DESTDIR or moved elsewhere finds
 * its own model, never the source tree's; the configured $prefix/share/vitascope; and
 * only for a binary running from the build tree, resources/models/ in the source tree.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The first existing file as above, or NULL. */
char *vita_default_model_find (void);

G_END_DECLS
