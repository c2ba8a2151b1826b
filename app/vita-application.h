/* vita-application.h — the Vitascope GtkApplication (libadwaita). */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define VITA_TYPE_APPLICATION (vita_application_get_type ())
G_DECLARE_FINAL_TYPE (VitaApplication, vita_application, VITA, APPLICATION, AdwApplication)

/* flags: G_APPLICATION_DEFAULT_FLAGS for the desktop; tests add G_APPLICATION_NON_UNIQUE.
 * G_APPLICATION_HANDLES_COMMAND_LINE is always added: `vitascope [FILE] [--model M]`. */
VitaApplication *vita_application_new (GApplicationFlags flags);

/* The app's GResource and settings schema id. */
#define VITA_RESOURCE_PATH "/io/github/vitascope/Vitascope"

G_END_DECLS
