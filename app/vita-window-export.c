/* vita-window-export.c — figure export from the main window: the whole view or one
 * panel as PNG/SVG/PDF (with a sidecar JSON), or the panel's array as .npy, drawn by
 * the same painters from the same sources as the screen. */
#include "vita-config.h"
#include "vita-window-private.h"

#include <glib/gi18n.h>
#include <string.h>

#include "vita-export.h"
#include "vita-export-options.h"
#include "vita-views.h"

/* ------------------------------------------------------------------ export */

gboolean
vita_window_export (VitaWindow *self, VitaPanel panel, const char *path, GError **error)
{
  return vita_window_export_figure (self, panel, path, NULL, error);
}

gboolean
vita_window_export_figure (VitaWindow *self, VitaPanel panel, const char *path,
                           const VitaFigureOptions *figure, GError **error)
{
  VitaExportSpec spec;
  VitaPaintContext ctx = { 0 };
  VitaVit *vit;
  gboolean ok;

  g_return_val_if_fail (VITA_IS_WINDOW (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  vit = vita_session_get_model (self->session);

  if (vita_session_get_audio_path (self->session) == NULL)
    {
      g_set_error (error, VITA_EXPORT_ERROR, VITA_EXPORT_ERROR_DATA,
                   _("Cannot export “%s”: open an audio file first"), path);
      return FALSE;
    }
  vita_export_spec_init (&spec);
  spec.panel = panel;
  vita_timeline_snapshot (vita_session_get_timeline (self->session), &spec.snap);
  spec.style.colormap = vita_session_get_colormap (self->session);
  spec.attention_mode = vita_session_get_attention_mode (self->session);
  spec.audio_path = g_strdup (vita_session_get_audio_path (self->session));
  spec.model_path = g_strdup (vita_session_get_model_path (self->session));
  if (vit != NULL && vit->sha256[0] != '\0')
    spec.model_sha256 = g_strdup (vit->sha256);

  /* The same sources the screen draws from: the panels' shared cache and peaks. */
  ctx.cache = _vita_window_panels_get_cache (self);
  ctx.peaks = vita_session_get_peaks (self->session);
  ctx.lanes = vita_session_get_probe_lanes (self->session, &ctx.n_lanes);
  ctx.probeogram = vita_session_get_probeogram (self->session);
  ctx.snap = &spec.snap;
  ctx.style = &spec.style;
  ctx.attention_mode = spec.attention_mode;
  if (figure != NULL)
    vita_export_spec_apply_figure (&spec, figure, &ctx);

  if (g_str_has_suffix (path, ".npy") || g_str_has_suffix (path, ".NPY"))
    ok = vita_export_npy (&spec, &ctx, path, error);
  else
    ok = vita_export_figure_with_sidecar (&spec, &ctx, path, error);
  vita_export_spec_clear (&spec);
  return ok;
}

static void
on_export_response (GtkNativeDialog *dialog, int response, gpointer user_data)
{
  VitaWindow *self = VITA_WINDOW (user_data);

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      g_autofree char *path = file ? g_file_get_path (file) : NULL;
      const char *choice = gtk_file_chooser_get_choice (GTK_FILE_CHOOSER (dialog), "panel");
      VitaPanel panel = VITA_PANEL_LAYOUT;
      g_autoptr(GError) error = NULL;
      VitaExportChoices options;
      g_autofree char *remembered = g_settings_get_string (self->settings, "export-options");
      VitaTimeline *tl = vita_session_get_timeline (self->session);

      /* The format follows the chosen filter; the name's extension is made to match. */
      vita_export_choices_from_string (remembered, &options);
      vita_export_options_read (GTK_FILE_CHOOSER (dialog), &options,
                                MAX (vita_timeline_get_layer (tl), 1),
                                vita_timeline_get_head (tl) + 1);
      g_autofree char *remember = vita_export_choices_to_string (&options);
      g_settings_set_string (self->settings, "export-options", remember);
      if (path != NULL)
        {
          char *fixed = vita_export_path_for_kind (path, options.kind);
          g_free (path);
          path = fixed;
        }

      vita_panel_from_string (choice, &panel);   /* the registry's names */
      if (path == NULL)
        vita_window_show_error (self, _("Figures can only be exported to local files"));
      else if (!vita_window_export_figure (self, panel, path, &options.figure, &error))
        vita_window_show_error (self, error->message);
      else
        {
          g_autofree char *name = g_path_get_basename (path);
          g_autofree char *text = g_strdup_printf (_("Exported “%s”"), name);
          _vita_window_toast (self, text);
        }
    }
  g_object_unref (dialog);
}

static void
action_export (GtkWidget *widget, const char *name, GVariant *param)
{
  VitaWindow *self = VITA_WINDOW (widget);
  GtkFileChooserNative *native;
  g_autofree char *base = g_path_get_basename (vita_session_get_audio_path (self->session));
  g_autofree char *suggested = NULL;
  int n_panels;
  g_autofree VitaPanel *panels = vita_panel_arrangement (&n_panels);
  const char *ids[VITA_MAX_PANELS + 2];
  const char *labels[VITA_MAX_PANELS + 2];
  VitaExportChoices options;
  g_autofree char *remembered = g_settings_get_string (self->settings, "export-options");
  char *dot = strrchr (base, '.');

  vita_export_choices_from_string (remembered, &options);
  if (dot != NULL)
    *dot = '\0';
  suggested = g_strdup_printf ("%s-vitascope%s", base, vita_export_kind_extension (options.kind));
  /* GtkFileChooserNative (GTK 4.8); a save chooser asks before overwriting. */
  native = gtk_file_chooser_native_new (_("Export Figure"), GTK_WINDOW (self),
                                        GTK_FILE_CHOOSER_ACTION_SAVE, _("_Export"), _("_Cancel"));
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (native), suggested);
  vita_export_options_setup (GTK_FILE_CHOOSER (native), &options);
  /* Every registered panel: the whole view first, then the on-screen order. */
  ids[0] = vita_panel_to_string (VITA_PANEL_LAYOUT);
  labels[0] = _(vita_panel_get_class (VITA_PANEL_LAYOUT)->title);
  for (int i = 0; i < n_panels; i++)
    {
      ids[i + 1] = vita_panel_to_string (panels[i]);
      labels[i + 1] = _(vita_panel_get_class (panels[i])->title);
    }
  ids[n_panels + 1] = labels[n_panels + 1] = NULL;
  gtk_file_chooser_add_choice (GTK_FILE_CHOOSER (native), "panel", _("Panel"), ids, labels);
  gtk_file_chooser_set_choice (GTK_FILE_CHOOSER (native), "panel", "layout");
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (native), TRUE);
  g_signal_connect (native, "response", G_CALLBACK (on_export_response), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (native));
}

void
_vita_window_export_class_init (GtkWidgetClass *widget_class)
{
  gtk_widget_class_install_action (widget_class, "win.export", NULL, action_export);
}
