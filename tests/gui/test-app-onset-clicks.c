/* test-app-onset-clicks.c — "win.onset-clicks" in the window: off by default (the
 * player's click track is disabled and empty), on after an analysis it fills the
 * track with onsets peak-picked from the received attention, playing with clicks
 * works, and off empties it again. */
#include "test-app-harness.h"

#include <glib/gstdio.h>

#include "model/vita-vit.h"
#include "vita-click-track.h"

static gboolean
has_model (gpointer data)
{
  return vita_window_get_model_path (data) != NULL && !vita_window_is_busy (data);
}

static gboolean
not_busy (gpointer data)
{
  return !vita_window_is_busy (data);
}

static gboolean
track_filled (gpointer data)
{
  VitaClickTrack *track = vita_player_get_click_track (vita_window_get_player (data));
  return vita_click_track_get_enabled (track) && vita_click_track_get_n_times (track) > 0;
}

static gboolean
played_a_bit (gpointer data)
{
  return vita_gui_test_timeline_seconds (data) > 0.3;
}

static void
test_toggle (void)
{
  VitaVitConfig cfg;
  g_autoptr(VitaVit) vit = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = vita_gui_test_tmpdir ();
  g_autofree char *wav = vita_gui_test_write_wav (dir, "clicks.wav", 6.0, 16000);
  g_autofree char *model_path = g_build_filename (dir, "tiny.safetensors", NULL);
  VitaWindow *window = vita_gui_test_window ();
  VitaClickTrack *track = vita_player_get_click_track (vita_window_get_player (window));
  VitaTimeline *tl = vita_window_get_timeline (window);

  g_assert_true (vita_vit_config_init_preset (&cfg, "test", &error));
  vit = vita_vit_new_random (&cfg, 7);
  g_assert_true (vita_vit_save (vit, model_path, &error));
  g_assert_no_error (error);
  g_assert_nonnull (track);

  g_autoptr(GFile) model = g_file_new_for_path (model_path);
  g_autoptr(GFile) audio = g_file_new_for_path (wav);
  vita_window_open_model (window, model);
  g_assert_true (vita_gui_test_wait (has_model, window, 10000));
  vita_window_open_audio (window, audio);
  g_assert_true (vita_gui_test_wait (not_busy, window, 60000));
  g_assert_cmpuint (vita_window_get_n_errors (window), ==, 0);

  /* Off by default: nothing is mixed. */
  g_assert_false (vita_click_track_get_enabled (track));
  g_assert_cmpuint (vita_click_track_get_n_times (track), ==, 0);

  gtk_widget_activate_action (GTK_WIDGET (window), "win.onset-clicks", NULL);
  g_assert_true (vita_gui_test_wait (track_filled, window, 15000));
  /* Onsets are at least 3 frames apart (the peak picker's wait). */
  gsize n_frames = (gsize) (vita_timeline_get_n_samples (tl) / vita_timeline_get_hop (tl)) + 1;
  g_assert_cmpuint (vita_click_track_get_n_times (track), <=, n_frames / 3 + 1);

  /* Another head still gives a filled track; playing with clicks raises no error. */
  gtk_widget_activate_action (GTK_WIDGET (window), "win.head-next", NULL);
  g_assert_true (track_filled (window));
  gtk_widget_activate_action (GTK_WIDGET (window), "win.play-pause", NULL);
  g_assert_true (vita_gui_test_wait (played_a_bit, window, 20000));
  g_assert_cmpuint (vita_window_get_n_errors (window), ==, 0);

  /* Off again: disabled and emptied. */
  gtk_widget_activate_action (GTK_WIDGET (window), "win.onset-clicks", NULL);
  g_assert_false (vita_click_track_get_enabled (track));
  g_assert_cmpuint (vita_click_track_get_n_times (track), ==, 0);

  vita_gui_test_close (window);
  g_unlink (wav);
  g_unlink (model_path);
  g_rmdir (dir);
}

/* Every shortcut is in the shortcuts window and beside its menu item (issue 9,
 * item 12): `c` toggles the onset clicks, so the shortcuts window lists it and the
 * menu item shows it; every accelerator a menu item shows is in the shortcuts
 * window. */
static void
collect_accels (GtkBuilder *builder, GHashTable *set)
{
  g_autoptr(GSList) objects = gtk_builder_get_objects (builder);
  for (GSList *l = objects; l; l = l->next)
    if (GTK_IS_SHORTCUTS_SHORTCUT (l->data))
      {
        g_autofree char *accel = NULL;
        g_object_get (l->data, "accelerator", &accel, NULL);
        if (accel == NULL)
          continue;
        g_auto(GStrv) keys = g_strsplit (accel, " ", -1);
        for (int k = 0; keys[k]; k++)
          if (keys[k][0])
            g_hash_table_add (set, g_strdup (keys[k]));
      }
}

/* The accelerator a menu item shows: its "accel" attribute, else the application's. */
static void
check_menu (GMenuModel *menu, GtkApplication *app, GHashTable *overlay, int *found_c)
{
  for (int i = 0; i < g_menu_model_get_n_items (menu); i++)
    {
      g_autofree char *action = NULL, *accel = NULL;
      g_menu_model_get_item_attribute (menu, i, G_MENU_ATTRIBUTE_ACTION, "s", &action);
      g_menu_model_get_item_attribute (menu, i, "accel", "s", &accel);
      if (action && accel == NULL)
        {
          g_auto(GStrv) keys = gtk_application_get_accels_for_action (app, action);
          if (keys && keys[0])
            accel = g_strdup (keys[0]);
        }
      if (accel)
        {
          guint key;
          GdkModifierType mods;
          g_assert_true (gtk_accelerator_parse (accel, &key, &mods));
          g_autofree char *canon = gtk_accelerator_name (key, mods);
          gboolean listed = g_hash_table_contains (overlay, accel);
          GHashTableIter it;
          gpointer k;
          g_hash_table_iter_init (&it, overlay);
          while (!listed && g_hash_table_iter_next (&it, &k, NULL))
            {
              guint k2;
              GdkModifierType m2;
              listed = gtk_accelerator_parse (k, &k2, &m2) && k2 == key && m2 == mods;
            }
          if (!listed)
            g_error ("menu item %s shows %s (%s), the shortcuts window lacks it", action, accel, canon);
        }
      if (g_strcmp0 (action, "win.onset-clicks") == 0)
        {
          g_assert_cmpstr (accel, ==, "c");
          (*found_c)++;
        }
      g_autoptr(GMenuLinkIter) links = g_menu_model_iterate_item_links (menu, i);
      GMenuModel *sub;
      while (g_menu_link_iter_get_next (links, NULL, &sub))
        {
          check_menu (sub, app, overlay, found_c);
          g_object_unref (sub);
        }
    }
}

static GMenuModel *
find_primary_menu (GtkWidget *w)
{
  if (GTK_IS_MENU_BUTTON (w) &&
      g_strcmp0 (gtk_menu_button_get_icon_name (GTK_MENU_BUTTON (w)), "open-menu-symbolic") == 0)
    return gtk_menu_button_get_menu_model (GTK_MENU_BUTTON (w));
  for (GtkWidget *c = gtk_widget_get_first_child (w); c; c = gtk_widget_get_next_sibling (c))
    {
      GMenuModel *m = find_primary_menu (c);
      if (m)
        return m;
    }
  return NULL;
}

static void
test_shortcuts (void)
{
  VitaWindow *window = vita_gui_test_window ();
  g_autoptr(GtkBuilder) builder =
    gtk_builder_new_from_resource ("/io/github/vitascope/Vitascope/gtk/help-overlay.ui");
  g_autoptr(GHashTable) overlay = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  collect_accels (builder, overlay);
  static const char *const must[] = { "c", "<Control>s", "<Control><Shift>s", "<Control>o", "l", "a",
                                      "z", "Escape" };
  for (gsize i = 0; i < G_N_ELEMENTS (must); i++)
    if (!g_hash_table_contains (overlay, must[i]))
      g_error ("the shortcuts window lacks %s", must[i]);
  GMenuModel *menu = find_primary_menu (GTK_WIDGET (window));
  g_assert_nonnull (menu);
  int found_c = 0;
  check_menu (menu, gtk_window_get_application (GTK_WINDOW (window)), overlay, &found_c);
  g_assert_cmpint (found_c, ==, 1);
  vita_gui_test_close (window);
}

int
main (int argc, char **argv)
{
  if (!vita_gui_test_init (&argc, &argv))
    return 0;
  g_test_add_func ("/app/onset-clicks/toggle", test_toggle);
  g_test_add_func ("/app/onset-clicks/shortcuts", test_shortcuts);
  return g_test_run ();
}
