/* vita-preferences.h — the preferences window (GSettings-backed). */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define VITA_TYPE_PREFERENCES (vita_preferences_get_type ())
G_DECLARE_FINAL_TYPE (VitaPreferences, vita_preferences, VITA, PREFERENCES, AdwPreferencesWindow)

VitaPreferences *vita_preferences_new (GtkWindow *parent);

G_END_DECLS
