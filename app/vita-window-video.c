/* vita-window-video.c — Export Video… (issue 12): a range of the track, a view of the
 * session, a size and a frame rate, rendered by the existing `vitascope-cli
 * render-video` code in a child process (the session written to a temporary file),
 * its progress lines (VITASCOPE_CLI_PROGRESS) on a progress bar, Cancel ending the
 * child — which writes under a temporary name and renames only when complete, so a
 * cancelled export leaves nothing behind. */
#include "vita-config.h"
#include "vita-window-private.h"

#include <glib/gi18n.h>
#include <errno.h>
#include <glib/gstdio.h>
#include <gst/gst.h>
#include <math.h>
#include <string.h>
#include <unistd.h>

typedef struct {
  VitaWindow   *win;          /* borrowed: the dialog is transient for it and closes with it */
  GtkWidget    *dialog;
  GtkWidget    *from, *to;    /* GtkSpinButton, seconds */
  AdwComboRow  *view_row, *size_row, *fps_row, *format_row;
  GtkWidget    *dark_switch;
  GtkWidget    *progress;
  GtkWidget    *status;
  GtkWidget    *export_button;
  GtkWidget    *cancel_button;
  GSubprocess  *child;
  GCancellable *cancel;
  char         *session_path; /* the temporary session file */
  char         *out;
  GString      *errors;       /* what the child said besides progress */
  gboolean      mp4_ok;
  gboolean      cancelled;    /* Cancel pressed: the child's end is expected */
} VideoDialog;

static const struct { int w, h; const char *label; } sizes[] = {
  { 1920, 1080, N_("1920 × 1080 (Full HD)") },
  { 1280, 720, N_("1280 × 720 (HD)") },
  { 3840, 2160, N_("3840 × 2160 (4K)") },
  { 640, 360, N_("640 × 360 (preview)") },
};
static const int rates[] = { 30, 25, 24, 60 };

/* $VITASCOPE_CLI, else beside the running program, else on the PATH. */
static char *
cli_path (void)
{
  if (g_getenv ("VITASCOPE_CLI") != NULL && *g_getenv ("VITASCOPE_CLI"))
    return g_strdup (g_getenv ("VITASCOPE_CLI"));
  g_autofree char *exe = g_file_read_link ("/proc/self/exe", NULL);
  g_autofree char *dir = exe ? g_path_get_dirname (exe) : NULL;
  char *beside = dir ? g_build_filename (dir, "vitascope-cli", NULL) : NULL;

  if (beside != NULL && g_file_test (beside, G_FILE_TEST_IS_EXECUTABLE))
    return beside;
  g_free (beside);
  return g_find_program_in_path ("vitascope-cli");
}

static void
set_running (VideoDialog *d, gboolean running)
{
  gtk_widget_set_sensitive (d->export_button, !running);
  gtk_button_set_label (GTK_BUTTON (d->cancel_button), running ? _("_Cancel") : _("_Close"));
}

static void
cleanup_child (VideoDialog *d)
{
  g_clear_object (&d->child);
  g_clear_object (&d->cancel);
  if (d->session_path != NULL)
    g_unlink (d->session_path);
  g_clear_pointer (&d->session_path, g_free);
}

static void
video_dialog_free (VideoDialog *d)
{
  if (d->child != NULL)
    g_subprocess_force_exit (d->child);
  if (d->cancel != NULL)
    g_cancellable_cancel (d->cancel);
  cleanup_child (d);
  g_free (d->out);
  g_string_free (d->errors, TRUE);
  g_free (d);
}

/* One line of the child's stderr: "progress F detail" or a message. */
static void
on_line (GObject *source, GAsyncResult *result, gpointer data)
{
  VideoDialog *d = data;
  g_autoptr(GError) error = NULL;
  g_autofree char *line = g_data_input_stream_read_line_finish_utf8 (G_DATA_INPUT_STREAM (source),
                                                                     result, NULL, &error);
  double f;
  char *end;

  if (line == NULL)
    return;   /* end of stream, or cancelled (d may be gone then) */
  if (g_str_has_prefix (line, "progress ") && (f = g_ascii_strtod (line + 9, &end), end != line + 9))
    {
      gtk_progress_bar_set_fraction (GTK_PROGRESS_BAR (d->progress), CLAMP (f, 0, 1));
      gtk_label_set_text (GTK_LABEL (d->status), g_strstrip (end));
    }
  else if (*line)
    g_string_append_printf (d->errors, "%s%s", d->errors->len ? "\n" : "", line);
  g_data_input_stream_read_line_async (G_DATA_INPUT_STREAM (source), G_PRIORITY_DEFAULT,
                                       d->cancel, on_line, d);
}

static void
on_child_done (GObject *source, GAsyncResult *result, gpointer data)
{
  VideoDialog *d = data;
  g_autoptr(GError) error = NULL;
  gboolean waited = g_subprocess_wait_finish (G_SUBPROCESS (source), result, &error);

  if (!waited && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;   /* the dialog went away */
  if (g_subprocess_get_if_exited (G_SUBPROCESS (source)) &&
      g_subprocess_get_exit_status (G_SUBPROCESS (source)) == 0)
    {
      g_autofree char *name = g_filename_display_basename (d->out);
      /* Translators: %s is a video file name. */
      g_autofree char *text = g_strdup_printf (_("Wrote %s"), name);
      g_autofree char *escaped = g_markup_escape_text (text, -1);
      gtk_progress_bar_set_fraction (GTK_PROGRESS_BAR (d->progress), 1.0);
      gtk_label_set_text (GTK_LABEL (d->status), text);
      _vita_window_toast (d->win, escaped);
      g_object_set_data (G_OBJECT (d->dialog), "vita-test-done", GINT_TO_POINTER (1));
    }
  else if (d->cancelled && g_subprocess_get_if_signaled (G_SUBPROCESS (source)))
    {
      gtk_label_set_text (GTK_LABEL (d->status), _("Cancelled: no file was written"));
      g_object_set_data (G_OBJECT (d->dialog), "vita-test-done", GINT_TO_POINTER (2));
    }
  else
    {
      gtk_label_set_text (GTK_LABEL (d->status), d->errors->len ? d->errors->str
                                                                : _("The video could not be written"));
      g_object_set_data (G_OBJECT (d->dialog), "vita-test-done", GINT_TO_POINTER (3));
    }
  set_running (d, FALSE);
  cleanup_child (d);
}

static void
start_export (VideoDialog *d, const char *out)
{
  VitaWindow *self = d->win;
  g_autoptr(VitaSessionState) state = vita_session_to_state (self->session);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autofree char *cli = cli_path ();
  g_autofree char *dir = g_build_filename (g_get_user_cache_dir (), "vitascope", NULL);
  guint size = adw_combo_row_get_selected (d->size_row);
  guint rate = adw_combo_row_get_selected (d->fps_row);
  guint view = adw_combo_row_get_selected (d->view_row);
  double t0 = gtk_spin_button_get_value (GTK_SPIN_BUTTON (d->from));
  double t1 = gtk_spin_button_get_value (GTK_SPIN_BUTTON (d->to));
  char buf[G_ASCII_DTOSTR_BUF_SIZE];
  int fd;

  g_string_truncate (d->errors, 0);
  d->cancelled = FALSE;
  if (cli == NULL)
    {
      gtk_label_set_text (GTK_LABEL (d->status), _("vitascope-cli is not installed beside the app"));
      return;
    }
  if (!(t1 > t0))
    {
      gtk_label_set_text (GTK_LABEL (d->status), _("The end must come after the start"));
      return;
    }
  g_free (d->out);
  d->out = g_strdup (out);
  g_mkdir_with_parents (dir, 0700);
  d->session_path = g_build_filename (dir, "video-XXXXXX.vitascope", NULL);
  fd = g_mkstemp (d->session_path);
  if (fd >= 0)
    close (fd);
  if (fd < 0 || !vita_session_file_write (d->session_path, state, &error))
    {
      gtk_label_set_text (GTK_LABEL (d->status), error ? error->message : g_strerror (errno));
      g_clear_pointer (&d->session_path, g_free);
      return;
    }
  g_ptr_array_add (argv, g_strdup (cli));
  g_ptr_array_add (argv, g_strdup ("render-video"));
  g_ptr_array_add (argv, g_strdup (d->session_path));
  g_ptr_array_add (argv, g_strdup ("--from"));
  g_ptr_array_add (argv, g_strdup (g_ascii_dtostr (buf, sizeof buf, t0)));
  g_ptr_array_add (argv, g_strdup ("--to"));
  g_ptr_array_add (argv, g_strdup (g_ascii_dtostr (buf, sizeof buf, t1)));
  g_ptr_array_add (argv, g_strdup ("--fps"));
  g_ptr_array_add (argv, g_strdup_printf ("%d", rates[MIN (rate, G_N_ELEMENTS (rates) - 1)]));
  g_ptr_array_add (argv, g_strdup ("--size"));
  size = MIN (size, G_N_ELEMENTS (sizes) - 1);
  g_ptr_array_add (argv, g_strdup_printf ("%dx%d", sizes[size].w, sizes[size].h));
  if (view > 0 && view <= state->views->len)
    {
      g_ptr_array_add (argv, g_strdup ("--view"));
      g_ptr_array_add (argv, g_strdup (((VitaSessionNamedView *) g_ptr_array_index (state->views, view - 1))->name));
    }
  if (gtk_switch_get_active (GTK_SWITCH (d->dark_switch)))
    g_ptr_array_add (argv, g_strdup ("--dark"));
  g_ptr_array_add (argv, g_strdup ("--out"));
  g_ptr_array_add (argv, g_strdup (out));
  g_ptr_array_add (argv, NULL);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_subprocess_launcher_setenv (launcher, "VITASCOPE_CLI_PROGRESS", "1", TRUE);
  d->child = g_subprocess_launcher_spawnv (launcher, (const char *const *) argv->pdata, &error);
  if (d->child == NULL)
    {
      gtk_label_set_text (GTK_LABEL (d->status), error->message);
      cleanup_child (d);
      return;
    }
  d->cancel = g_cancellable_new ();
  {
    g_autoptr(GDataInputStream) lines = g_data_input_stream_new (g_subprocess_get_stderr_pipe (d->child));
    g_data_input_stream_read_line_async (lines, G_PRIORITY_DEFAULT, d->cancel, on_line, d);
  }
  g_subprocess_wait_async (d->child, d->cancel, on_child_done, d);
  gtk_progress_bar_set_fraction (GTK_PROGRESS_BAR (d->progress), 0);
  gtk_label_set_text (GTK_LABEL (d->status), _("Analysing and rendering…"));
  set_running (d, TRUE);
}

static void
on_out_chosen (GtkNativeDialog *native, int response, gpointer data)
{
  VideoDialog *d = data;

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (native));
      g_autofree char *path = file ? g_file_get_path (file) : NULL;
      gboolean mp4 = adw_combo_row_get_selected (d->format_row) == 1;
      if (path != NULL && !g_str_has_suffix (path, mp4 ? ".mp4" : ".webm"))
        {
          char *with = g_strconcat (path, mp4 ? ".mp4" : ".webm", NULL);
          g_free (path);
          path = with;
        }
      if (path != NULL)
        start_export (d, path);
    }
  g_object_unref (native);
}

static void
on_export_clicked (GtkButton *button, VideoDialog *d)
{
  const char *preset = g_object_get_data (G_OBJECT (d->dialog), "vita-test-out");
  GtkFileChooserNative *native;
  gboolean mp4 = adw_combo_row_get_selected (d->format_row) == 1;
  g_autofree char *base = NULL;

  if (preset != NULL)   /* tests: no file chooser */
    {
      start_export (d, preset);
      return;
    }
  native = gtk_file_chooser_native_new (_("Export Video"), GTK_WINDOW (d->dialog),
                                        GTK_FILE_CHOOSER_ACTION_SAVE, _("_Export"), _("_Cancel"));
  base = vita_session_get_audio_path (d->win->session)
         ? g_path_get_basename (vita_session_get_audio_path (d->win->session)) : g_strdup ("clip");
  if (strrchr (base, '.'))
    *strrchr (base, '.') = '\0';
  {
    g_autofree char *name = g_strconcat (base, mp4 ? ".mp4" : ".webm", NULL);
    gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (native), name);
  }
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (native), TRUE);
  g_signal_connect (native, "response", G_CALLBACK (on_out_chosen), d);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (native));
}

static void
on_cancel_clicked (GtkButton *button, VideoDialog *d)
{
  if (d->child != NULL)
    {
      d->cancelled = TRUE;
      g_subprocess_force_exit (d->child);   /* on_child_done reports it */
    }
  else
    gtk_window_close (GTK_WINDOW (d->dialog));
}

static GtkWidget *
spin_row (AdwPreferencesGroup *group, const char *title, double value, double upper, GtkWidget **spin)
{
  GtkWidget *row = adw_action_row_new ();

  *spin = gtk_spin_button_new_with_range (0, MAX (upper, 0.1), 0.1);
  gtk_spin_button_set_digits (GTK_SPIN_BUTTON (*spin), 2);
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (*spin), value);
  gtk_widget_set_valign (*spin, GTK_ALIGN_CENTER);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_preferences_row_set_use_underline (ADW_PREFERENCES_ROW (row), TRUE);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), *spin);
  adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), *spin);
  adw_preferences_group_add (group, row);
  return row;
}

static AdwComboRow *
combo_row (AdwPreferencesGroup *group, const char *title, GtkStringList *list)
{
  GtkWidget *row = adw_combo_row_new ();

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_preferences_row_set_use_underline (ADW_PREFERENCES_ROW (row), TRUE);
  adw_combo_row_set_model (ADW_COMBO_ROW (row), G_LIST_MODEL (list));
  adw_preferences_group_add (group, row);
  g_object_unref (list);
  return ADW_COMBO_ROW (row);
}

static void
action_export_video (GtkWidget *widget, const char *name, GVariant *param)
{
  VitaWindow *self = VITA_WINDOW (widget);
  VitaTimeline *tl = vita_session_get_timeline (self->session);
  VideoDialog *d = g_new0 (VideoDialog, 1);
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  GtkWidget *buttons = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  AdwPreferencesGroup *group = ADW_PREFERENCES_GROUP (adw_preferences_group_new ());
  GtkStringList *views = gtk_string_list_new ((const char *[]) { _("Whole view"), NULL });
  GtkStringList *size_list = gtk_string_list_new (NULL);
  GtkStringList *fps_list = gtk_string_list_new (NULL);
  GtkStringList *formats = gtk_string_list_new ((const char *[]) { _("WebM (VP8 + Vorbis)"), NULL });
  GPtrArray *named = vita_session_get_views (self->session);
  int rate = MAX (vita_timeline_get_sample_rate (tl), 1);
  double duration = (double) vita_timeline_get_n_samples (tl) / rate;
  gint64 a, b;
  double t0, t1;

  d->win = self;
  d->errors = g_string_new (NULL);
  if (gst_is_initialized ())
    {
      /* MP4 where an H.264 encoder is installed */
      GstElementFactory *f = gst_element_factory_find ("x264enc");
      d->mp4_ok = f != NULL;
      if (f != NULL)
        gst_object_unref (f);
    }
  if (d->mp4_ok)
    gtk_string_list_append (formats, _("MP4 (H.264 + AAC)"));
  for (guint i = 0; i < named->len; i++)
    gtk_string_list_append (views, ((VitaSessionNamedView *) g_ptr_array_index (named, i))->name);
  for (guint i = 0; i < G_N_ELEMENTS (sizes); i++)
    gtk_string_list_append (size_list, _(sizes[i].label));
  for (guint i = 0; i < G_N_ELEMENTS (rates); i++)
    {
      g_autofree char *s = g_strdup_printf (_("%d fps"), rates[i]);
      gtk_string_list_append (fps_list, s);
    }
  /* the selection, else the visible range */
  vita_timeline_get_selection (tl, &a, &b);
  if (b <= a)
    vita_timeline_get_visible (tl, &a, &b);
  t0 = (double) a / rate;
  t1 = MIN ((double) b / rate, duration);
  if (t1 - t0 > 60)   /* a clip, not the whole track, unless asked */
    t1 = t0 + 30;

  d->dialog = adw_window_new ();
  gtk_window_set_title (GTK_WINDOW (d->dialog), _("Export Video"));
  gtk_window_set_transient_for (GTK_WINDOW (d->dialog), GTK_WINDOW (self));
  gtk_window_set_modal (GTK_WINDOW (d->dialog), TRUE);
  gtk_window_set_default_size (GTK_WINDOW (d->dialog), 520, -1);
  gtk_window_set_destroy_with_parent (GTK_WINDOW (d->dialog), TRUE);
  g_object_set_data_full (G_OBJECT (d->dialog), "vita-video-dialog", d, (GDestroyNotify) video_dialog_free);

  adw_preferences_group_set_title (group, _("Video with Sound"));
  adw_preferences_group_set_description (group, _("The panels drawn frame by frame with the playhead "
                                                  "moving, and the audio of that range"));
  spin_row (group, _("_From (s)"), t0, duration, &d->from);
  spin_row (group, _("_To (s)"), t1, duration, &d->to);
  d->view_row = combo_row (group, _("_View"), views);
  d->size_row = combo_row (group, _("_Size"), size_list);
  d->fps_row = combo_row (group, _("_Frame Rate"), fps_list);
  d->format_row = combo_row (group, _("F_ormat"), formats);
  {
    /* exports stay light unless asked */
    GtkWidget *row = adw_action_row_new ();
    d->dark_switch = gtk_switch_new ();
    gtk_widget_set_valign (d->dark_switch, GTK_ALIGN_CENTER);
    adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _("_Dark Style"));
    adw_preferences_row_set_use_underline (ADW_PREFERENCES_ROW (row), TRUE);
    adw_action_row_add_suffix (ADW_ACTION_ROW (row), d->dark_switch);
    adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), d->dark_switch);
    adw_preferences_group_add (group, row);
  }

  d->progress = gtk_progress_bar_new ();
  d->status = gtk_label_new (_("Choose a range and press Export"));
  gtk_label_set_wrap (GTK_LABEL (d->status), TRUE);
  gtk_label_set_xalign (GTK_LABEL (d->status), 0);
  gtk_label_set_selectable (GTK_LABEL (d->status), TRUE);
  gtk_widget_add_css_class (d->status, "dim-label");
  d->cancel_button = gtk_button_new_with_mnemonic (_("_Close"));
  d->export_button = gtk_button_new_with_mnemonic (_("_Export…"));
  gtk_widget_add_css_class (d->export_button, "suggested-action");
  gtk_widget_set_halign (buttons, GTK_ALIGN_END);
  gtk_box_append (GTK_BOX (buttons), d->cancel_button);
  gtk_box_append (GTK_BOX (buttons), d->export_button);
  g_signal_connect (d->export_button, "clicked", G_CALLBACK (on_export_clicked), d);
  g_signal_connect (d->cancel_button, "clicked", G_CALLBACK (on_cancel_clicked), d);

  gtk_widget_set_margin_start (box, 18);
  gtk_widget_set_margin_end (box, 18);
  gtk_widget_set_margin_top (box, 18);
  gtk_widget_set_margin_bottom (box, 18);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (group));
  gtk_box_append (GTK_BOX (box), d->progress);
  gtk_box_append (GTK_BOX (box), d->status);
  gtk_box_append (GTK_BOX (box), buttons);
  {
    GtkWidget *outer = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
    gtk_box_append (GTK_BOX (outer), adw_header_bar_new ());
    gtk_box_append (GTK_BOX (outer), box);
    adw_window_set_content (ADW_WINDOW (d->dialog), outer);
  }
  gtk_window_set_default_widget (GTK_WINDOW (d->dialog), d->export_button);
  {
    /* Escape closes (a running export goes with the dialog) */
    GtkEventController *shortcuts = gtk_shortcut_controller_new ();
    gtk_shortcut_controller_add_shortcut (GTK_SHORTCUT_CONTROLLER (shortcuts),
        gtk_shortcut_new (gtk_keyval_trigger_new (GDK_KEY_Escape, 0),
                          gtk_named_action_new ("window.close")));
    gtk_widget_add_controller (d->dialog, shortcuts);
  }
  if (self->video_dialog != NULL)
    g_object_remove_weak_pointer (G_OBJECT (self->video_dialog), (gpointer *) &self->video_dialog);
  self->video_dialog = d->dialog;
  g_object_add_weak_pointer (G_OBJECT (d->dialog), (gpointer *) &self->video_dialog);
  gtk_window_present (GTK_WINDOW (d->dialog));
}

void
_vita_window_video_class_init (GtkWidgetClass *widget_class)
{
  gtk_widget_class_install_action (widget_class, "win.export-video", NULL, action_export_video);
}

/* Tests: the dialog's widgets by role. */
GtkWidget *
vita_window_video_dialog_widget (GtkWidget *dialog, const char *what)
{
  VideoDialog *d = g_object_get_data (G_OBJECT (dialog), "vita-video-dialog");

  if (d == NULL)
    return NULL;
  if (g_str_equal (what, "from")) return d->from;
  if (g_str_equal (what, "to")) return d->to;
  if (g_str_equal (what, "view")) return GTK_WIDGET (d->view_row);
  if (g_str_equal (what, "size")) return GTK_WIDGET (d->size_row);
  if (g_str_equal (what, "fps")) return GTK_WIDGET (d->fps_row);
  if (g_str_equal (what, "progress")) return d->progress;
  if (g_str_equal (what, "dark")) return d->dark_switch;
  if (g_str_equal (what, "status")) return d->status;
  if (g_str_equal (what, "export")) return d->export_button;
  if (g_str_equal (what, "cancel")) return d->cancel_button;
  return NULL;
}

void
_vita_window_video_dispose (VitaWindow *self)
{
  if (self->video_dialog != NULL)
    {
      GtkWidget *dialog = self->video_dialog;
      g_object_remove_weak_pointer (G_OBJECT (dialog), (gpointer *) &self->video_dialog);
      self->video_dialog = NULL;
      gtk_window_destroy (GTK_WINDOW (dialog));   /* ends a running export */
    }
}

GtkWidget *
vita_window_get_video_dialog (VitaWindow *self)
{
  return self->video_dialog;
}
