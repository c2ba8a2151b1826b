/* test-app-harness.c — see test-app-harness.h. */
#include "test-app-harness.h"

#include <gst/gst.h>
#include <math.h>
#include <stdio.h>

static VitaApplication *app;

gboolean
vita_gui_test_init (int *argc, char ***argv)
{
  g_test_init (argc, argv, NULL);
  gst_init (NULL, NULL);
  if (!gtk_init_check ())
    {
      /* No display (run under xvfb-run, as setup.sh does): TAP skip of the whole file. */
      printf ("1..0 # SKIP no display\n");
      return FALSE;
    }
  g_assert_cmpstr (g_getenv ("VITASCOPE_AUDIO_SINK"), ==, "fakesink");
  g_set_application_name ("Vitascope");
  return TRUE;
}

VitaApplication *
vita_gui_test_app (void)
{
  if (app == NULL)
    {
      g_autoptr(GError) error = NULL;
      app = vita_application_new (G_APPLICATION_NON_UNIQUE);
      g_assert_true (g_application_register (G_APPLICATION (app), NULL, &error));
      g_assert_no_error (error);
      /* Keep the app running between windows. */
      g_application_hold (G_APPLICATION (app));
    }
  return app;
}

VitaWindow *
vita_gui_test_window (void)
{
  VitaWindow *window = vita_window_new (ADW_APPLICATION (vita_gui_test_app ()));

  gtk_window_present (GTK_WINDOW (window));
  vita_gui_test_run_for (100);
  return window;
}

static gboolean
window_gone (gpointer data)
{
  return *(gpointer *) data == NULL;
}

void
vita_gui_test_close (VitaWindow *window)
{
  gpointer weak = window;

  g_object_add_weak_pointer (G_OBJECT (window), &weak);
  gtk_window_destroy (GTK_WINDOW (window));
  g_assert_true (vita_gui_test_wait (window_gone, &weak, 5000));
}

gboolean
vita_gui_test_wait (gboolean (*cond) (gpointer), gpointer data, guint timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;

  while (!cond (data))
    {
      if (g_get_monotonic_time () > deadline)
        return cond (data);
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
  return TRUE;
}

void
vita_gui_test_run_for (guint ms)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) ms * 1000;

  while (g_get_monotonic_time () < deadline)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
}

static void
put_u32 (FILE *f, guint32 v)
{
  guint8 b[4] = { v & 0xff, (v >> 8) & 0xff, (v >> 16) & 0xff, v >> 24 };
  fwrite (b, 1, 4, f);
}

static void
put_u16 (FILE *f, guint16 v)
{
  guint8 b[2] = { v & 0xff, v >> 8 };
  fwrite (b, 1, 2, f);
}

char *
vita_gui_test_write_wav (const char *dir, const char *name, double seconds, int rate)
{
  char *path = g_build_filename (dir, name, NULL);
  guint32 n = (guint32) (seconds * rate);
  FILE *f = fopen (path, "wb");

  g_assert_nonnull (f);
  fwrite ("RIFF", 1, 4, f);
  put_u32 (f, 36 + n * 2);
  fwrite ("WAVEfmt ", 1, 8, f);
  put_u32 (f, 16);
  put_u16 (f, 1);          /* PCM */
  put_u16 (f, 1);          /* mono */
  put_u32 (f, rate);
  put_u32 (f, rate * 2);
  put_u16 (f, 2);
  put_u16 (f, 16);
  fwrite ("data", 1, 4, f);
  put_u32 (f, n * 2);
  for (guint32 i = 0; i < n; i++)
    {
      double t = (double) i / rate;
      double v = 0.3 * sin (2 * G_PI * 440 * t);
      if (fmod (t, 0.5) < 0.005)
        v += 0.6;
      put_u16 (f, (guint16) (gint16) lround (CLAMP (v, -1, 1) * 32000));
    }
  g_assert_cmpint (fclose (f), ==, 0);
  return path;
}

char *
vita_gui_test_tmpdir (void)
{
  g_autoptr(GError) error = NULL;
  char *dir = g_dir_make_tmp ("vitascope-gui-XXXXXX", &error);

  g_assert_no_error (error);
  return dir;
}

double
vita_gui_test_player_seconds (VitaWindow *window)
{
  gint64 ns;

  if (!vita_player_get_position (vita_window_get_player (window), &ns))
    return -1;
  return ns / (double) GST_SECOND;
}

double
vita_gui_test_timeline_seconds (VitaWindow *window)
{
  VitaTimeline *tl = vita_window_get_timeline (window);
  return vita_timeline_sample_to_seconds (tl, vita_timeline_get_position (tl));
}

/* Decoded pixels, not bytes: the same picture whatever the PNG encoder writes. */
void
vita_gui_test_assert_same_pixels (const char *a, const char *b)
{
  cairo_surface_t *sa = cairo_image_surface_create_from_png (a);
  cairo_surface_t *sb = cairo_image_surface_create_from_png (b);
  int h, stride;
  gsize differ = 0;

  g_assert_cmpint (cairo_surface_status (sa), ==, CAIRO_STATUS_SUCCESS);
  g_assert_cmpint (cairo_surface_status (sb), ==, CAIRO_STATUS_SUCCESS);
  g_assert_cmpint (cairo_image_surface_get_width (sa), ==, cairo_image_surface_get_width (sb));
  g_assert_cmpint (cairo_image_surface_get_height (sa), ==, cairo_image_surface_get_height (sb));
  h = cairo_image_surface_get_height (sa);
  stride = cairo_image_surface_get_stride (sa);
  g_assert_cmpint (stride, ==, cairo_image_surface_get_stride (sb));
  const guint8 *pa = cairo_image_surface_get_data (sa), *pb = cairo_image_surface_get_data (sb);
  for (gsize i = 0; i < (gsize) h * stride; i++)
    differ += pa[i] != pb[i];
  if (differ != 0)
    g_test_message ("%s and %s differ in %" G_GSIZE_FORMAT " bytes", a, b, differ);
  g_assert_cmpuint (differ, ==, 0);
  cairo_surface_destroy (sa);
  cairo_surface_destroy (sb);
}
