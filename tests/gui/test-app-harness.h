/* test-app-harness.h — shared set-up of the GUI tests (run under Xvfb). */
#pragma once

#include "vita-application.h"
#include "vita-window.h"

G_BEGIN_DECLS

/* gtk/gst init; returns FALSE (and prints a TAP skip plan) without a display. */
gboolean    vita_gui_test_init (int *argc, char ***argv);
/* The application (registered, started) shared by the tests of one executable. */
VitaApplication *vita_gui_test_app (void);
/* A new window, presented; destroy it with vita_gui_test_close(). */
VitaWindow *vita_gui_test_window (void);
void        vita_gui_test_close (VitaWindow *window);
/* Iterates the main loop until cond(data) or timeout_ms; returns cond's last value. */
gboolean    vita_gui_test_wait (gboolean (*cond) (gpointer), gpointer data, guint timeout_ms);
/* Iterates the main loop for ms milliseconds. */
void        vita_gui_test_run_for (guint ms);
/* A mono 16-bit WAV of `seconds` at `rate`: a 440 Hz tone with clicks every 0.5 s. */
char       *vita_gui_test_write_wav (const char *dir, const char *name, double seconds, int rate);
/* A temporary directory, removed by the caller (or left in /tmp on failure). */
char       *vita_gui_test_tmpdir (void);
/* Player position in seconds, or -1. */
double      vita_gui_test_player_seconds (VitaWindow *window);
double      vita_gui_test_timeline_seconds (VitaWindow *window);
/* Asserts that two PNG files decode to the same pixels (the encoders' bytes may differ). */
void        vita_gui_test_assert_same_pixels (const char *a, const char *b);

G_END_DECLS
