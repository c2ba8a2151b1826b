/* vita-preferences.c — colormap, follow mode, BLAS threads, default model. */
#include "vita-config.h"
#include "vita-preferences.h"

#include <glib/gi18n.h>

#include "vita-engine.h"

struct _VitaPreferences
{
  AdwPreferencesWindow parent_instance;

  /* template widgets */
  AdwComboRow   *colormap_row;
  AdwComboRow   *follow_row;
  AdwComboRow   *style_row;
  GtkSwitch     *restore_switch;
  GtkAdjustment *threads_adjustment;
  AdwActionRow  *model_row;
  GtkButton     *model_button;
  GtkButton     *model_reset_button;

  /* owned */
  GSettings     *settings;
};

G_DEFINE_FINAL_TYPE (VitaPreferences, vita_preferences, ADW_TYPE_PREFERENCES_WINDOW)

/* Enum keys shown in combo rows: nick list in schema order. */
/* The sequential colormaps of views/vita-paint.h. */
static const char *colormap_nicks[] = { "viridis", "magma", "inferno", "gray", NULL };
static const char *follow_nicks[] = { "page", "continuous", "off", NULL };
static const char *style_nicks[] = { "system", "light", "dark", NULL };

static gboolean
nick_to_index (GValue *value, GVariant *variant, gpointer user_data)
{
  const char **nicks = user_data;
  const char *nick = g_variant_get_string (variant, NULL);

  for (guint i = 0; nicks[i] != NULL; i++)
    if (g_str_equal (nicks[i], nick))
      {
        g_value_set_uint (value, i);
        return TRUE;
      }
  return FALSE;
}

static GVariant *
index_to_nick (const GValue *value, const GVariantType *type, gpointer user_data)
{
  const char **nicks = user_data;
  guint index = g_value_get_uint (value);

  if (index >= g_strv_length ((char **) nicks))
    return NULL;
  return g_variant_new_string (nicks[index]);
}

static void
update_model_row (VitaPreferences *self)
{
  g_autofree char *path = g_settings_get_string (self->settings, "default-model");
  g_autofree char *bundled = NULL;

  if (*path != '\0')
    adw_action_row_set_subtitle (self->model_row, path);
  else if ((bundled = vita_engine_find_default_model ()) != NULL)
    adw_action_row_set_subtitle (self->model_row, _("The model bundled with Vitascope"));
  else
    adw_action_row_set_subtitle (self->model_row,
                                 _("None: no model is bundled with this build; choose a model file"));
  gtk_widget_set_sensitive (GTK_WIDGET (self->model_reset_button), *path != '\0');
}

static void
on_model_chosen (GtkNativeDialog *dialog, int response, gpointer user_data)
{
  VitaPreferences *self = VITA_PREFERENCES (user_data);

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      g_autofree char *path = file ? g_file_get_path (file) : NULL;
      if (path != NULL)
        g_settings_set_string (self->settings, "default-model", path);
    }
  g_object_unref (dialog);
  g_object_unref (self);
}

static void
on_model_button (VitaPreferences *self)
{
  GtkFileChooserNative *native;
  GtkFileFilter *filter = gtk_file_filter_new ();

  native = gtk_file_chooser_native_new (_("Choose the Default Model"), GTK_WINDOW (self),
                                        GTK_FILE_CHOOSER_ACTION_OPEN, _("_Choose"), _("_Cancel"));
  gtk_file_filter_set_name (filter, _("ViT-1D models (*.safetensors)"));
  gtk_file_filter_add_pattern (filter, "*.safetensors");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (native), filter);
  g_object_unref (filter);
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (native), TRUE);
  g_signal_connect (native, "response", G_CALLBACK (on_model_chosen), g_object_ref (self));
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (native));
}

static void
on_model_reset (VitaPreferences *self)
{
  g_settings_reset (self->settings, "default-model");
}

static void
vita_preferences_dispose (GObject *object)
{
  VitaPreferences *self = VITA_PREFERENCES (object);

  if (self->settings != NULL)
    g_signal_handlers_disconnect_by_data (self->settings, self);
  gtk_widget_dispose_template (GTK_WIDGET (self), VITA_TYPE_PREFERENCES);
  G_OBJECT_CLASS (vita_preferences_parent_class)->dispose (object);
}

static void
vita_preferences_finalize (GObject *object)
{
  g_clear_object (&VITA_PREFERENCES (object)->settings);
  G_OBJECT_CLASS (vita_preferences_parent_class)->finalize (object);
}

static void
vita_preferences_class_init (VitaPreferencesClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = vita_preferences_dispose;
  object_class->finalize = vita_preferences_finalize;

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/vitascope/Vitascope/vita-preferences.ui");
  gtk_widget_class_bind_template_child (widget_class, VitaPreferences, colormap_row);
  gtk_widget_class_bind_template_child (widget_class, VitaPreferences, restore_switch);
  gtk_widget_class_bind_template_child (widget_class, VitaPreferences, follow_row);
  gtk_widget_class_bind_template_child (widget_class, VitaPreferences, style_row);
  gtk_widget_class_bind_template_child (widget_class, VitaPreferences, threads_adjustment);
  gtk_widget_class_bind_template_child (widget_class, VitaPreferences, model_row);
  gtk_widget_class_bind_template_child (widget_class, VitaPreferences, model_button);
  gtk_widget_class_bind_template_child (widget_class, VitaPreferences, model_reset_button);
}

static void
vita_preferences_init (VitaPreferences *self)
{
  g_autoptr(GtkStringList) colormaps = NULL;
  g_autoptr(GtkStringList) follows = NULL;
  g_autoptr(GtkStringList) styles = NULL;

  gtk_widget_init_template (GTK_WIDGET (self));
  self->settings = g_settings_new (VITA_APP_ID);

  colormaps = gtk_string_list_new ((const char *[]) {
      _("Viridis"), _("Magma"), _("Inferno"), _("Gray"), NULL });
  adw_combo_row_set_model (self->colormap_row, G_LIST_MODEL (colormaps));
  g_settings_bind_with_mapping (self->settings, "colormap", self->colormap_row, "selected",
                                G_SETTINGS_BIND_DEFAULT, nick_to_index, index_to_nick,
                                (gpointer) colormap_nicks, NULL);

  follows = gtk_string_list_new ((const char *[]) {
      _("By Page"), _("Continuously"), _("Off"), NULL });
  adw_combo_row_set_model (self->follow_row, G_LIST_MODEL (follows));
  g_settings_bind_with_mapping (self->settings, "follow", self->follow_row, "selected",
                                G_SETTINGS_BIND_DEFAULT, nick_to_index, index_to_nick,
                                (gpointer) follow_nicks, NULL);

  styles = gtk_string_list_new ((const char *[]) {
      _("Follow System"), _("Light"), _("Dark"), NULL });
  adw_combo_row_set_model (self->style_row, G_LIST_MODEL (styles));
  g_settings_bind_with_mapping (self->settings, "style", self->style_row, "selected",
                                G_SETTINGS_BIND_DEFAULT, nick_to_index, index_to_nick,
                                (gpointer) style_nicks, NULL);

  gtk_adjustment_set_upper (self->threads_adjustment, MAX (1, g_get_num_processors ()));
  g_settings_bind (self->settings, "restore-session", self->restore_switch, "active",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "blas-threads", self->threads_adjustment, "value",
                   G_SETTINGS_BIND_DEFAULT);

  g_signal_connect_swapped (self->settings, "changed::default-model", G_CALLBACK (update_model_row), self);
  g_signal_connect_swapped (self->model_button, "clicked", G_CALLBACK (on_model_button), self);
  g_signal_connect_swapped (self->model_reset_button, "clicked", G_CALLBACK (on_model_reset), self);
  update_model_row (self);
}

VitaPreferences *
vita_preferences_new (GtkWindow *parent)
{
  return g_object_new (VITA_TYPE_PREFERENCES, "transient-for", parent, NULL);
}
