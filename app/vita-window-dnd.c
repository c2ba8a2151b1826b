/* vita-window-dnd.c — opening files in the main window: drag and drop, the command
 * line and recent files dispatch on the name (.vitascope sessions, .safetensors
 * models, audio); session files (Open, Save, Save As, the last session saved on
 * quit and restored on start); the missing-file and SHA-256 banners' buttons. */
#include "vita-config.h"
#include "vita-window-private.h"

#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <errno.h>
#include <string.h>

#define SESSION_SUFFIX ".vitascope"

/* ------------------------------------------------------------------ opening */

/* Content types that are certainly not audio (text, images, documents, archives):
 * refused before the window changes.  Unknown or binary types go to the decoder,
 * which names the file if it cannot read it. */
static gboolean
certainly_not_audio (const char *content_type)
{
  static const char *const media[] = { "application/ogg", "application/octet-stream",
                                       "application/x-matroska", "application/mxf",
                                       "application/x-riff", "application/x-flac", NULL };
  if (content_type == NULL || g_content_type_is_unknown (content_type))
    return FALSE;
  if (g_str_has_prefix (content_type, "text/") || g_str_has_prefix (content_type, "image/") ||
      g_str_has_prefix (content_type, "font/") || g_str_has_prefix (content_type, "inode/"))
    return TRUE;
  return g_str_has_prefix (content_type, "application/") &&
         !g_strv_contains (media, content_type);
}

void
vita_window_open_audio (VitaWindow *self, GFile *file)
{
  g_autofree char *path = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GFileInfo) info = NULL;

  g_return_if_fail (VITA_IS_WINDOW (self));
  g_return_if_fail (G_IS_FILE (file));

  path = g_file_get_path (file);
  info = g_file_query_info (file, G_FILE_ATTRIBUTE_STANDARD_TYPE "," G_FILE_ATTRIBUTE_STANDARD_CONTENT_TYPE,
                            G_FILE_QUERY_INFO_NONE, NULL, &error);
  if (path == NULL || info == NULL || g_file_info_get_file_type (info) != G_FILE_TYPE_REGULAR)
    {
      g_autofree char *name = g_file_get_parse_name (file);
      g_autofree char *message = g_strdup_printf (_("Cannot open “%s”: %s"), name,
                                                  error ? error->message : _("not a local file"));
      vita_window_show_error (self, message);
      return;
    }
  /* A file that is not audio leaves the window as it was: the start page, or the
   * track already open. */
  if (certainly_not_audio (g_file_info_get_content_type (info)))
    {
      g_autofree char *name = g_file_get_parse_name (file);
      g_autofree char *description = g_content_type_get_description (g_file_info_get_content_type (info));
      /* Translators: the first %s is a file name, the second a file type ("plain text document"). */
      g_autofree char *message = g_strdup_printf (_("Cannot open “%s”: it is not an audio file (%s)"),
                                                  name, description);
      vita_window_show_error (self, message);
      return;
    }
  vita_session_open_audio (self->session, path);
}

static gboolean
has_suffix (GFile *file, const char *suffix)
{
  g_autofree char *name = g_file_get_basename (file);
  g_autofree char *lower = name ? g_ascii_strdown (name, -1) : NULL;
  return lower != NULL && g_str_has_suffix (lower, suffix);
}

void
vita_window_open_file (VitaWindow *self, GFile *file)
{
  g_return_if_fail (VITA_IS_WINDOW (self));

  if (has_suffix (file, SESSION_SUFFIX))
    vita_window_open_session (self, file);
  else if (has_suffix (file, ".safetensors"))
    vita_window_open_model (self, file);
  else
    vita_window_open_audio (self, file);
}

static gboolean
on_drop (GtkDropTarget *target, const GValue *value, double x, double y, gpointer user_data)
{
  VitaWindow *self = VITA_WINDOW (user_data);
  GSList *files;

  if (!G_VALUE_HOLDS (value, GDK_TYPE_FILE_LIST))
    return FALSE;
  files = gdk_file_list_get_files (g_value_get_boxed (value));
  for (GSList *l = files; l != NULL; l = l->next)
    vita_window_open_file (self, l->data);
  g_slist_free (files);
  return files != NULL;
}

/* ------------------------------------------------------------------ recent files */

static int
compare_recent (gconstpointer a, gconstpointer b)
{
  /* Most recently used first. */
  return g_date_time_compare (gtk_recent_info_get_modified ((GtkRecentInfo *) b),
                              gtk_recent_info_get_modified ((GtkRecentInfo *) a));
}

/* Recent audio files, then recent sessions, eight of each at most. */
static void
rebuild_recent_menu (VitaWindow *self)
{
  GList *items = gtk_recent_manager_get_items (self->recent);
  const char *app_name = g_get_application_name ();
  g_autoptr(GMenu) files = g_menu_new ();
  g_autoptr(GMenu) sessions = g_menu_new ();
  int n_files = 0, n_sessions = 0;

  items = g_list_sort (items, compare_recent);
  g_menu_remove_all (self->recent_menu);
  for (GList *l = items; l != NULL; l = l->next)
    {
      GtkRecentInfo *info = l->data;
      g_autoptr(GMenuItem) item = NULL;
      const char *uri = gtk_recent_info_get_uri (info);
      gboolean session = g_str_has_suffix (uri, SESSION_SUFFIX);

      if (!gtk_recent_info_has_application (info, app_name) || !gtk_recent_info_is_local (info) ||
          !gtk_recent_info_exists (info) || (session ? n_sessions : n_files) >= 8)
        continue;
      item = g_menu_item_new (gtk_recent_info_get_display_name (info), NULL);
      g_menu_item_set_action_and_target (item, "win.open-recent", "s", uri);
      g_menu_append_item (session ? sessions : files, item);
      *(session ? &n_sessions : &n_files) += 1;
    }
  if (n_files + n_sessions == 0)
    {
      g_autoptr(GMenuItem) item = g_menu_item_new (_("No Recent Files"), "win.none");
      g_menu_append_item (files, item);
    }
  g_menu_append_section (self->recent_menu, NULL, G_MENU_MODEL (files));
  if (n_sessions > 0)
    g_menu_append_section (self->recent_menu, _("Sessions"), G_MENU_MODEL (sessions));
  g_list_free_full (items, (GDestroyNotify) gtk_recent_info_unref);
}

static void
action_open_recent (GtkWidget *widget, const char *name, GVariant *param)
{
  g_autoptr(GFile) file = g_file_new_for_uri (g_variant_get_string (param, NULL));
  vita_window_open_file (VITA_WINDOW (widget), file);
}

/* ------------------------------------------------------------------ session files */

gboolean
vita_window_open_session (VitaWindow *self, GFile *file)
{
  g_autofree char *path = NULL;
  g_autofree char *uri = NULL;
  g_autoptr(GError) error = NULL;
  VitaSessionState *state;
  gboolean has_audio;

  g_return_val_if_fail (VITA_IS_WINDOW (self), FALSE);

  path = g_file_get_path (file);
  if (path == NULL)
    {
      g_autofree char *name = g_file_get_parse_name (file);
      g_autofree char *message = g_strdup_printf (_("Cannot open “%s”: %s"), name, _("not a local file"));
      vita_window_show_error (self, message);
      return FALSE;
    }
  /* Read and checked first: a file that does not read changes nothing. */
  state = vita_session_file_read (path, &error);
  if (state == NULL)
    {
      vita_window_show_error (self, error->message);
      return FALSE;
    }
  if (state->window_width > 0 && state->window_height > 0 &&
      !gtk_window_is_maximized (GTK_WINDOW (self)))
    gtk_window_set_default_size (GTK_WINDOW (self), state->window_width, state->window_height);
  _vita_window_arrange_from_state (self, state);
  _vita_window_panels_annotations_from_state (self, state);
  _vita_window_teach_from_state (self, state);
  vita_session_set_file (self->session, path);
  has_audio = state->audio != NULL && state->audio->found;
  vita_session_restore (self->session, state);   /* takes the state */
  if (!has_audio)   /* no view state to wait for: the saved view shows now */
    _vita_window_teach_show_pending_view (self);
  uri = g_file_get_uri (file);
  gtk_recent_manager_add_item (self->recent, uri);
  return TRUE;
}

static VitaSessionState *
window_state (VitaWindow *self)
{
  VitaSessionState *state = vita_session_to_state (self->session);

  gtk_window_get_default_size (GTK_WINDOW (self), &state->window_width, &state->window_height);
  _vita_window_arrange_to_state (self, state);
  _vita_window_teach_to_state (self, state);
  _vita_window_panels_annotations_to_state (self, state);
  return state;
}

gboolean
vita_window_save_session (VitaWindow *self, const char *path, GError **error)
{
  g_autoptr(VitaSessionState) state = NULL;
  g_autofree char *uri = NULL;

  g_return_val_if_fail (VITA_IS_WINDOW (self), FALSE);

  state = window_state (self);
  if (!vita_session_file_write (path, state, error))
    return FALSE;
  vita_session_set_file (self->session, path);
  uri = g_filename_to_uri (path, NULL, NULL);
  if (uri != NULL)
    gtk_recent_manager_add_item (self->recent, uri);
  return TRUE;
}

static void
save_to (VitaWindow *self, const char *path)
{
  g_autoptr(GError) error = NULL;

  if (!vita_window_save_session (self, path, &error))
    vita_window_show_error (self, error->message);
  else
    {
      g_autofree char *name = g_path_get_basename (path);
      g_autofree char *text = g_strdup_printf (_("Saved “%s”"), name);
      _vita_window_toast (self, text);
    }
}

static void
on_save_response (GtkNativeDialog *dialog, int response, gpointer user_data)
{
  VitaWindow *self = VITA_WINDOW (user_data);

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      g_autofree char *path = file ? g_file_get_path (file) : NULL;

      if (path == NULL)
        vita_window_show_error (self, _("Sessions can only be saved to local files"));
      else if (!g_str_has_suffix (path, SESSION_SUFFIX))
        {
          g_autofree char *with_suffix = g_strconcat (path, SESSION_SUFFIX, NULL);
          save_to (self, with_suffix);
        }
      else
        save_to (self, path);
    }
  g_object_unref (dialog);
}

static void
action_save_session_as (GtkWidget *widget, const char *name, GVariant *param)
{
  VitaWindow *self = VITA_WINDOW (widget);
  const char *audio = vita_session_get_audio_path (self->session);
  g_autofree char *base = audio ? g_path_get_basename (audio) : g_strdup (_("Untitled"));
  g_autofree char *suggested = NULL;
  GtkFileChooserNative *native;
  GtkFileFilter *filter = gtk_file_filter_new ();
  char *dot = strrchr (base, '.');

  if (dot != NULL)
    *dot = '\0';
  suggested = g_strconcat (base, SESSION_SUFFIX, NULL);
  /* a save chooser asks before overwriting */
  native = gtk_file_chooser_native_new (_("Save Session"), GTK_WINDOW (self),
                                        GTK_FILE_CHOOSER_ACTION_SAVE, _("_Save"), _("_Cancel"));
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (native), suggested);
  gtk_file_filter_set_name (filter, _("Vitascope sessions (*.vitascope)"));
  gtk_file_filter_add_pattern (filter, "*" SESSION_SUFFIX);
  _vita_window_show_chooser (self, native, filter, "vita-session", TRUE, G_CALLBACK (on_save_response));
}

static void
action_save_session (GtkWidget *widget, const char *name, GVariant *param)
{
  VitaWindow *self = VITA_WINDOW (widget);
  const char *file = vita_session_get_file (self->session);

  if (file == NULL)
    action_save_session_as (widget, name, param);
  else
    save_to (self, file);
}

static void
on_open_session_response (GtkNativeDialog *dialog, int response, gpointer user_data)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      if (file != NULL)
        vita_window_open_session (VITA_WINDOW (user_data), file);
    }
  g_object_unref (dialog);
}

static void
action_open_session (GtkWidget *widget, const char *name, GVariant *param)
{
  VitaWindow *self = VITA_WINDOW (widget);
  GtkFileChooserNative *native;
  GtkFileFilter *filter = gtk_file_filter_new ();

  native = gtk_file_chooser_native_new (_("Open Session"), GTK_WINDOW (self),
                                        GTK_FILE_CHOOSER_ACTION_OPEN, _("_Open"), _("_Cancel"));
  gtk_file_filter_set_name (filter, _("Vitascope sessions (*.vitascope)"));
  gtk_file_filter_add_pattern (filter, "*" SESSION_SUFFIX);
  _vita_window_show_chooser (self, native, filter, "vita-session", TRUE,
                             G_CALLBACK (on_open_session_response));
}

/* ------------------------------------------------------------------ banners */

static void
on_locate_response (GtkNativeDialog *dialog, int response, gpointer user_data)
{
  VitaWindow *self = VITA_WINDOW (user_data);

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      g_autofree char *path = file ? g_file_get_path (file) : NULL;
      if (path != NULL)
        vita_session_locate (self->session, path);
    }
  g_object_unref (dialog);
}

static void
action_locate_missing (GtkWidget *widget, const char *name, GVariant *param)
{
  VitaWindow *self = VITA_WINDOW (widget);
  const char *path = NULL;
  g_autofree char *base = NULL;
  g_autofree char *title = NULL;
  GtkFileChooserNative *native;
  GtkFileFilter *filter = gtk_file_filter_new ();

  if (!vita_session_get_missing (self->session, NULL, &path))
    return;
  base = g_path_get_basename (path);
  /* Translators: file chooser title, %s is the missing file's name. */
  title = g_strdup_printf (_("Locate “%s”"), base);
  native = gtk_file_chooser_native_new (title, GTK_WINDOW (self), GTK_FILE_CHOOSER_ACTION_OPEN,
                                        _("_Open"), _("_Cancel"));
  {
    /* files like the missing one: its extension (a moved file may be renamed) */
    const char *dot = strrchr (base, '.');
    g_autofree char *pattern = g_strconcat ("*", dot ? dot : "", NULL);
    g_autofree char *label = g_strdup_printf (_("Files like “%s”"), base);
    gtk_file_filter_set_name (filter, label);
    gtk_file_filter_add_pattern (filter, pattern);
  }
  _vita_window_show_chooser (self, native, filter, "vita-locate", TRUE, G_CALLBACK (on_locate_response));
}

static void
action_dismiss_warning (GtkWidget *widget, const char *name, GVariant *param)
{
  gtk_revealer_set_reveal_child (VITA_WINDOW (widget)->warning_banner, FALSE);
}

/* ------------------------------------------------------------------ last session */

char *
vita_window_get_last_session_path (void)
{
  return g_build_filename (g_get_user_data_dir (), "vitascope", "last-session" SESSION_SUFFIX, NULL);
}

void
_vita_window_save_last_session (VitaWindow *self)
{
  g_autofree char *path = vita_window_get_last_session_path ();
  g_autofree char *dir = g_path_get_dirname (path);
  g_autoptr(VitaSessionState) state = NULL;
  g_autoptr(GError) error = NULL;

  /* Nothing to restore, a restore under way (its view is not applied yet), or a
   * last-session file that did not read (never overwritten): keep what is there. */
  if (!g_settings_get_boolean (self->settings, "restore-session") || self->keep_last_session ||
      vita_session_get_audio_path (self->session) == NULL || vita_session_is_restoring (self->session))
    return;
  state = window_state (self);
  if (g_mkdir_with_parents (dir, 0755) != 0 || !vita_session_file_write (path, state, &error))
    g_warning ("Cannot save the last session to “%s”: %s", path,
               error ? error->message : g_strerror (errno));
}

gboolean
vita_window_restore_last_session (VitaWindow *self)
{
  g_autofree char *path = vita_window_get_last_session_path ();
  g_autoptr(GFile) file = NULL;

  g_return_val_if_fail (VITA_IS_WINDOW (self), FALSE);

  if (!g_settings_get_boolean (self->settings, "restore-session") ||
      !g_file_test (path, G_FILE_TEST_EXISTS))
    return FALSE;
  file = g_file_new_for_path (path);
  if (!vita_window_open_session (self, file))
    {
      self->keep_last_session = TRUE;
      return FALSE;
    }
  /* the last session is not a file the user chose: Save asks for a name */
  vita_session_set_file (self->session, NULL);
  return TRUE;
}

/* ------------------------------------------------------------------ set-up */

void
_vita_window_dnd_class_init (GtkWidgetClass *widget_class)
{
  gtk_widget_class_install_action (widget_class, "win.open-recent", "s", action_open_recent);
  gtk_widget_class_install_action (widget_class, "win.open-session", NULL, action_open_session);
  gtk_widget_class_install_action (widget_class, "win.save-session", NULL, action_save_session);
  gtk_widget_class_install_action (widget_class, "win.save-session-as", NULL, action_save_session_as);
  gtk_widget_class_install_action (widget_class, "win.locate-missing", NULL, action_locate_missing);
  gtk_widget_class_install_action (widget_class, "win.dismiss-warning", NULL, action_dismiss_warning);
}

void
_vita_window_dnd_init (VitaWindow *self)
{
  GtkDropTarget *drop = gtk_drop_target_new (GDK_TYPE_FILE_LIST, GDK_ACTION_COPY);

  g_signal_connect (drop, "drop", G_CALLBACK (on_drop), self);
  gtk_widget_add_controller (GTK_WIDGET (self->content_box), GTK_EVENT_CONTROLLER (drop));
  g_signal_connect_swapped (self->recent, "changed", G_CALLBACK (rebuild_recent_menu), self);
  rebuild_recent_menu (self);
}
