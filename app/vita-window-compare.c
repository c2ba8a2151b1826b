/* vita-window-compare.c — the window's comparison actions (issue 11; issue 17's
 * counterfactual edits): Compare With… (a model file or checkpoint), Compare With
 * Random-Init Twin, Compare With Edited Audio…, Difference (A − B), Per-Side Colour
 * Scales, Stop Comparing.  The state lives in the session (vita-session.h, side B);
 * the panels follow it (vita-window-panels.c).  While side B is an edit of the track,
 * its PCM is the player's alternate audio: the A/B header button (attr.ab,
 * vita-window-attribution.c) plays it at the same position; it goes with the edit. */
#include "vita-config.h"
#include "vita-window-private.h"

#include <glib/gi18n.h>
#include <math.h>

#include "views/vita-compare-table-painter.h"
#include "vita-window-attribution.h"

/* The seed of a twin made from the menu: init-model's default, so that
 * `vitascope-cli init-model --seed 0` writes the same weights. */
#define VITA_TWIN_DEFAULT_SEED 0

static void
on_compare_response (GtkNativeDialog *dialog, int response, gpointer user_data)
{
  VitaWindow *self = VITA_WINDOW (user_data);

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      g_autofree char *path = file ? g_file_get_path (file) : NULL;
      if (path != NULL)
        vita_session_compare_with_model (self->session, path);
    }
  g_object_unref (dialog);
}

static void
action_compare_with (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  VitaWindow *self = VITA_WINDOW (user_data);
  GtkFileChooserNative *native =
    gtk_file_chooser_native_new (_("Compare With a Model"), GTK_WINDOW (self),
                                 GTK_FILE_CHOOSER_ACTION_OPEN, _("_Compare"), _("_Cancel"));
  GtkFileFilter *filter = gtk_file_filter_new ();
  gtk_file_filter_set_name (filter, _("ViT-1D models and checkpoints (*.safetensors)"));
  gtk_file_filter_add_pattern (filter, "*.safetensors");
  _vita_window_show_chooser (self, native, filter, "vita-compare", TRUE,
                             G_CALLBACK (on_compare_response));
}

static void
action_compare_twin (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  VitaWindow *self = VITA_WINDOW (user_data);
  g_autoptr(GError) error = NULL;
  if (!vita_session_compare_with_twin (self->session, VITA_TWIN_DEFAULT_SEED, &error))
    _vita_window_toast (self, error->message);
}

static void
on_edit_response (AdwMessageDialog *dialog, const char *response, gpointer user_data)
{
  VitaWindow *self = VITA_WINDOW (user_data);
  GtkEditable *entry = g_object_get_data (G_OBJECT (dialog), "vita-edit-entry");
  g_autoptr(GError) error = NULL;

  if (g_strcmp0 (response, "apply") != 0)
    return;
  /* edits separated by spaces or semicolons: "transpose:+2 mute:0-300Hz@10-20" */
  g_auto(GStrv) parts = g_regex_split_simple ("[;\\s]+", gtk_editable_get_text (entry), 0, 0);
  g_autoptr(GPtrArray) edits = g_ptr_array_new ();
  for (int i = 0; parts[i]; i++)
    if (*parts[i])
      g_ptr_array_add (edits, parts[i]);
  g_ptr_array_add (edits, NULL);
  if (!vita_session_compare_with_edits (self->session, (const char *const *) edits->pdata, &error))
    _vita_window_toast (self, error->message);
}

static void
action_compare_edit (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  VitaWindow *self = VITA_WINDOW (user_data);
  GtkWidget *dialog = adw_message_dialog_new (
    GTK_WINDOW (self), _("Compare With Edited Audio"),
    _("Side B: the same model on an edited copy of the track (the file is never written). "
      "Edits, applied in order: transpose:+2, stretch:1.1, gain:-6dB@5-8, "
      "mute:0-300Hz@10-20, mute:3-8mel, swap:10-12,20-22, reverse:3-5, mix:other.wav@-12dB"));
  GtkWidget *entry = gtk_entry_new ();
  gtk_editable_set_text (GTK_EDITABLE (entry), "transpose:+2");
  gtk_entry_set_activates_default (GTK_ENTRY (entry), TRUE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (entry), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Edits"), -1);
  adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (dialog), entry);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog), "cancel", _("_Cancel"),
                                    "apply", _("_Compare"), NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "apply",
                                              ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "apply");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_object_set_data (G_OBJECT (dialog), "vita-edit-entry", entry);
  g_signal_connect (dialog, "response", G_CALLBACK (on_edit_response), self);
  gtk_window_present (GTK_WINDOW (dialog));
  gtk_widget_grab_focus (entry);
}

static void
action_compare_stop (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  vita_session_stop_comparing (VITA_WINDOW (user_data)->session);
}

static void
on_difference_changed (GSimpleAction *action, GVariant *state, gpointer user_data)
{
  vita_session_set_compare_view (VITA_WINDOW (user_data)->session,
                                 g_variant_get_boolean (state) ? VITA_COMPARE_DIFFERENCE
                                                               : VITA_COMPARE_SIDE_BY_SIDE);
}

static void
on_per_side_changed (GSimpleAction *action, GVariant *state, gpointer user_data)
{
  vita_session_set_compare_per_side_scale (VITA_WINDOW (user_data)->session,
                                           g_variant_get_boolean (state));
}

/* ---- probes for side B ---- */

gboolean
vita_window_load_probes_b (VitaWindow *self, const char *const *paths)
{
  g_autoptr(GError) error = NULL;
  g_return_val_if_fail (VITA_IS_WINDOW (self), FALSE);
  if (!vita_session_load_probes_b (self->session, paths, &error))
    {
      _vita_window_toast (self, error->message);
      return FALSE;
    }
  return TRUE;
}

static void
on_probes_b_response (GtkNativeDialog *dialog, int response, gpointer user_data)
{
  VitaWindow *self = VITA_WINDOW (user_data);
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GListModel) list = gtk_file_chooser_get_files (GTK_FILE_CHOOSER (dialog));
      g_autoptr(GPtrArray) paths = g_ptr_array_new_with_free_func (g_free);
      for (guint i = 0; i < g_list_model_get_n_items (list); i++)
        {
          g_autoptr(GFile) file = g_list_model_get_item (list, i);
          char *path = g_file_get_path (file);
          if (path != NULL)
            g_ptr_array_add (paths, path);
        }
      g_ptr_array_add (paths, NULL);
      vita_window_load_probes_b (self, (const char *const *) paths->pdata);
    }
  g_object_unref (dialog);
}

static void
action_compare_probes_b (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  VitaWindow *self = VITA_WINDOW (user_data);
  VitaSessionSide *b = vita_session_get_side_b (self->session);
  g_autofree char *title = g_strdup_printf (_("Load Probes for Side B (%s)"),
                                            b ? vita_session_side_get_label (b) : "");
  GtkFileChooserNative *native =
    gtk_file_chooser_native_new (title, GTK_WINDOW (self), GTK_FILE_CHOOSER_ACTION_OPEN,
                                 _("_Open"), _("_Cancel"));
  gtk_file_chooser_set_select_multiple (GTK_FILE_CHOOSER (native), TRUE);
  GtkFileFilter *filter = gtk_file_filter_new ();
  gtk_file_filter_set_name (filter, _("Probe files (*.safetensors)"));
  gtk_file_filter_add_pattern (filter, "*.safetensors");
  _vita_window_show_chooser (self, native, filter, "vita-probes-b", TRUE,
                             G_CALLBACK (on_probes_b_response));
}

/* ---- side B's own layer and head (configurations that differ) ---- */

static void
action_layer_head_b (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  VitaWindow *self = VITA_WINDOW (user_data);
  const char *name = g_action_get_name (G_ACTION (action));
  VitaSession *s = self->session;

  if (!vita_session_get_compare_own_layers (s))
    return;
  if (g_str_equal (name, "layer-b-next"))
    vita_session_set_layer_b (s, vita_session_get_layer_b (s) + 1);
  else if (g_str_equal (name, "layer-b-previous"))
    vita_session_set_layer_b (s, vita_session_get_layer_b (s) - 1);
  else if (g_str_equal (name, "head-b-next"))
    vita_session_set_head_b (s, vita_session_get_head_b (s) + 1);
  else
    vita_session_set_head_b (s, vita_session_get_head_b (s) - 1);
}

static void
on_layer_b_selected (VitaWindow *self)
{
  guint selected = gtk_drop_down_get_selected (self->layer_b_dropdown);
  if (!self->syncing_b && selected != GTK_INVALID_LIST_POSITION)
    vita_session_set_layer_b (self->session, (int) selected);
}

static void
on_head_b_selected (VitaWindow *self)
{
  guint selected = gtk_drop_down_get_selected (self->head_b_dropdown);
  if (!self->syncing_b && selected != GTK_INVALID_LIST_POSITION)
    vita_session_set_head_b (self->session, (int) selected - 1);
}

/* The B bar under the header: shown while A and B differ in depth or heads; its lists
 * are side B's model's layers and heads. */
static void
sync_b_bar (VitaWindow *self)
{
  VitaSession *s = self->session;
  gboolean own = vita_session_get_compare_own_layers (s);
  VitaSessionSide *b = vita_session_get_side_b (s);
  VitaVit *vb = b ? vita_session_side_get_model (b) : NULL;

  gtk_widget_set_visible (self->b_bar, own);
  for (const char *const *a = (const char *const[]) { "layer-b-next", "layer-b-previous",
                                                      "head-b-next", "head-b-previous", NULL }; *a; a++)
    g_simple_action_set_enabled (G_SIMPLE_ACTION (g_action_map_lookup_action (G_ACTION_MAP (self), *a)),
                                 own);
  if (!own || vb == NULL)
    return;
  self->syncing_b = TRUE;
  int depth = vb->cfg.depth, heads = vb->cfg.heads;
  if ((int) g_list_model_get_n_items (G_LIST_MODEL (self->layer_b_names)) != depth + 1 ||
      (int) g_list_model_get_n_items (G_LIST_MODEL (self->head_b_names)) != heads + 1)
    {
      g_autoptr(GStrvBuilder) lb = g_strv_builder_new (), hb = g_strv_builder_new ();
      for (int l = 0; l <= depth; l++)
        {
          g_autofree char *t = l == 0 ? g_strdup (_("Layer 0 (Input)")) : g_strdup_printf (_("Layer %d"), l);
          g_strv_builder_add (lb, t);
        }
      g_strv_builder_add (hb, _("Mean of Heads"));
      for (int h = 0; h < heads; h++)
        {
          g_autofree char *t = g_strdup_printf (_("Head %d"), h + 1);
          g_strv_builder_add (hb, t);
        }
      g_auto(GStrv) ls = g_strv_builder_end (lb), hs = g_strv_builder_end (hb);
      gtk_string_list_splice (self->layer_b_names, 0,
                              g_list_model_get_n_items (G_LIST_MODEL (self->layer_b_names)),
                              (const char *const *) ls);
      gtk_string_list_splice (self->head_b_names, 0,
                              g_list_model_get_n_items (G_LIST_MODEL (self->head_b_names)),
                              (const char *const *) hs);
    }
  g_autofree char *text = g_strdup_printf (_("Side B, %s (%d layers, %d heads):"),
                                           vita_session_side_get_label (b), depth, heads);
  gtk_label_set_text (self->b_bar_label, text);
  gtk_drop_down_set_selected (self->layer_b_dropdown, vita_session_get_layer_b (s));
  gtk_drop_down_set_selected (self->head_b_dropdown, vita_session_get_head_b (s) + 1);
  self->syncing_b = FALSE;
}

static GtkWidget *
b_dropdown (VitaWindow *self, GtkStringList *names, const char *a11y, const char *tooltip,
            GCallback on_selected)
{
  GtkWidget *dd = gtk_drop_down_new (G_LIST_MODEL (g_object_ref (names)), NULL);
  gtk_widget_set_tooltip_text (dd, tooltip);
  gtk_widget_set_valign (dd, GTK_ALIGN_CENTER);
  gtk_accessible_update_property (GTK_ACCESSIBLE (dd), GTK_ACCESSIBLE_PROPERTY_LABEL, a11y, -1);
  g_signal_connect_swapped (dd, "notify::selected", on_selected, self);
  return dd;
}

static void
build_b_bar (VitaWindow *self)
{
  GtkWidget *bar = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 8);
  GtkWidget *label = gtk_label_new (NULL);
  gtk_widget_add_css_class (bar, "toolbar");
  gtk_widget_add_css_class (label, "caption-heading");
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_MIDDLE);
  self->layer_b_names = gtk_string_list_new (NULL);
  self->head_b_names = gtk_string_list_new (NULL);
  self->layer_b_dropdown = GTK_DROP_DOWN (
    b_dropdown (self, self->layer_b_names, _("Side B layer"), _("Side B's layer (Alt+Up/Down)"),
                G_CALLBACK (on_layer_b_selected)));
  self->head_b_dropdown = GTK_DROP_DOWN (
    b_dropdown (self, self->head_b_names, _("Side B attention head"),
                _("Side B's attention head (Alt+Left/Right)"), G_CALLBACK (on_head_b_selected)));
  GtkWidget *hint = gtk_label_new (_("A and B differ in depth or heads: the header's layer and "
                                     "head are side A's"));
  gtk_widget_add_css_class (hint, "dim-label");
  gtk_widget_add_css_class (hint, "caption");
  gtk_label_set_ellipsize (GTK_LABEL (hint), PANGO_ELLIPSIZE_END);
  gtk_widget_set_hexpand (hint, TRUE);
  gtk_label_set_xalign (GTK_LABEL (hint), 0);
  gtk_box_append (GTK_BOX (bar), label);
  gtk_box_append (GTK_BOX (bar), GTK_WIDGET (self->layer_b_dropdown));
  gtk_box_append (GTK_BOX (bar), GTK_WIDGET (self->head_b_dropdown));
  gtk_box_append (GTK_BOX (bar), hint);
  gtk_widget_set_visible (bar, FALSE);
  self->b_bar = bar;
  self->b_bar_label = GTK_LABEL (label);
  /* under the header bar */
  gtk_box_insert_child_after (GTK_BOX (self->content_box), bar,
                              gtk_widget_get_first_child (self->content_box));
  g_object_set_data (G_OBJECT (self), "vita-test-layer-b-dropdown", self->layer_b_dropdown);
  g_object_set_data (G_OBJECT (self), "vita-test-head-b-dropdown", self->head_b_dropdown);
  g_object_set_data (G_OBJECT (self), "vita-test-b-bar", bar);
}

/* ---- the comparison table window ---- */

/* The table's natural size is in pt (a paper figure): drawn larger on screen. */
#define TABLE_SCREEN_SCALE 1.5

static void
draw_table (GtkDrawingArea *area, cairo_t *cr, int width, int height, gpointer data)
{
  VitaWindow *self = VITA_WINDOW (data);
  VitaRect rect = { 0, 0, width / TABLE_SCREEN_SCALE, height / TABLE_SCREEN_SCALE };
  cairo_scale (cr, TABLE_SCREEN_SCALE, TABLE_SCREEN_SCALE);
  if (self->compare_table != NULL)
    vita_compare_table_paint (cr, &rect, NULL, self->compare_table);
}

static void
size_table_area (VitaWindow *self)
{
  double w = 400, h = 200;
  if (self->compare_table_area == NULL || self->compare_table == NULL)
    return;
  vita_compare_table_size (self->compare_table, NULL, &w, &h);
  gtk_widget_set_size_request (self->compare_table_area, (int) ceil (w * TABLE_SCREEN_SCALE),
                               (int) ceil (h * TABLE_SCREEN_SCALE));
  gtk_widget_queue_draw (self->compare_table_area);
}

static void
on_table_computed (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(VitaWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  VitaCompareTable *table = vita_session_compare_table_finish (VITA_SESSION (source), result, &error);

  if (table == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        vita_window_show_error (self, error->message);
      return;
    }
  g_clear_pointer (&self->compare_table, vita_compare_table_free);
  self->compare_table = table;
  size_table_area (self);
}

static void
on_table_export_response (GtkNativeDialog *dialog, int response, gpointer user_data)
{
  VitaWindow *self = VITA_WINDOW (user_data);
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      g_autofree char *path = file ? g_file_get_path (file) : NULL;
      g_autoptr(GError) error = NULL;
      if (path != NULL && !vita_window_export_compare_table (self, path, &error))
        vita_window_show_error (self, error->message);
    }
  g_object_unref (dialog);
}

static void
on_table_export_clicked (GtkButton *button, VitaWindow *self)
{
  GtkFileChooserNative *native =
    gtk_file_chooser_native_new (_("Export the Comparison Table"), GTK_WINDOW (self),
                                 GTK_FILE_CHOOSER_ACTION_SAVE, _("_Export"), _("_Cancel"));
  GtkFileFilter *filter = gtk_file_filter_new ();
  gtk_file_filter_set_name (filter, _("Figure (PNG, SVG, PDF), CSV or NumPy (.npy)"));
  for (const char *const *p = (const char *const[]) { "*.png", "*.svg", "*.pdf", "*.csv", "*.npy", NULL }; *p; p++)
    gtk_file_filter_add_pattern (filter, *p);
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (native), "comparison.csv");
  _vita_window_show_chooser (self, native, filter, "vita-compare-table", TRUE,
                             G_CALLBACK (on_table_export_response));
}

static void
on_table_window_destroy (GtkWidget *window, VitaWindow *self)
{
  self->compare_table_area = NULL;
}

static void
action_compare_table (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  VitaWindow *self = VITA_WINDOW (user_data);
  GtkWidget *win = adw_window_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *header = adw_header_bar_new ();
  GtkWidget *export = gtk_button_new_with_mnemonic (_("_Export…"));
  GtkWidget *scroll = gtk_scrolled_window_new ();
  GtkWidget *area = gtk_drawing_area_new ();

  gtk_window_set_title (GTK_WINDOW (win), _("Comparison Table"));
  gtk_window_set_transient_for (GTK_WINDOW (win), GTK_WINDOW (self));
  gtk_window_set_default_size (GTK_WINDOW (win), 1100, 500);
  adw_header_bar_pack_start (ADW_HEADER_BAR (header), export);
  g_signal_connect (export, "clicked", G_CALLBACK (on_table_export_clicked), self);
  gtk_box_append (GTK_BOX (box), header);
  gtk_drawing_area_set_draw_func (GTK_DRAWING_AREA (area), draw_table, self, NULL);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroll), area);
  gtk_widget_set_vexpand (scroll, TRUE);
  gtk_box_append (GTK_BOX (box), scroll);
  adw_window_set_content (ADW_WINDOW (win), box);
  self->compare_table_area = area;
  g_signal_connect (win, "destroy", G_CALLBACK (on_table_window_destroy), self);
  g_clear_pointer (&self->compare_table, vita_compare_table_free);
  vita_session_compare_table_async (self->session, NULL, on_table_computed, g_object_ref (self));
  gtk_window_present (GTK_WINDOW (win));
}

gboolean
vita_window_has_compare_table (VitaWindow *self)
{
  return self->compare_table != NULL;
}

gboolean
vita_window_export_compare_table (VitaWindow *self, const char *path, GError **error)
{
  g_return_val_if_fail (VITA_IS_WINDOW (self), FALSE);
  if (self->compare_table == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   _("Cannot export “%s”: the comparison table is not computed yet"), path);
      return FALSE;
    }
  g_autofree char *lower = g_ascii_strdown (path, -1);
  if (g_str_has_suffix (lower, ".csv"))
    return vita_compare_table_save_csv (self->compare_table, path, error);
  if (g_str_has_suffix (lower, ".npy"))
    return vita_compare_table_save_npy (self->compare_table, path, error);
  return vita_compare_table_export (self->compare_table, path, NULL, error);
}

void
_vita_window_compare_dispose (VitaWindow *self)
{
  g_clear_pointer (&self->compare_table, vita_compare_table_free);
  if (self->ab_side_signals != NULL)
    g_signal_group_set_target (self->ab_side_signals, NULL);
  g_clear_object (&self->ab_side_signals);
  g_clear_object (&self->layer_b_names);
  g_clear_object (&self->head_b_names);
}

/* ---- A/B playback of an edit side ---- */

/* Side B's edited PCM becomes the player's alternate audio as soon as it is there
 * (pcm-ready); when B stops being an edit (or its PCM goes, e.g. for new audio) the
 * alternate it gave goes too — one loaded by hand (attr.load-alternate) is left. */
static void
sync_ab_audio (VitaWindow *self)
{
  VitaSessionSide *b = vita_session_get_side_b (self->session);
  gboolean edit = b != NULL && vita_session_side_get_kind (b) == VITA_SIDE_EDIT;
  const VitaPcm *pcm = edit ? vita_session_side_get_pcm (b) : NULL;
  g_autoptr(GError) error = NULL;

  g_signal_group_set_target (self->ab_side_signals, edit ? b : NULL);
  if (pcm != NULL && pcm->n_samples > 0)
    {
      if (!_vita_window_set_alternate_audio (self, pcm->samples, pcm->n_samples,
                                             pcm->sample_rate, &error))
        {
          g_autofree char *text = g_strdup_printf (_("Cannot play side B (%s): %s"),
                                                   vita_session_side_get_label (b), error->message);
          _vita_window_toast (self, text);
          return;
        }
      self->ab_from_side = TRUE;
    }
  else if (self->ab_from_side)
    {
      _vita_window_set_alternate_audio (self, NULL, 0, 0, NULL);
      self->ab_from_side = FALSE;
    }
}

static void
on_ab_pcm_ready (GSignalGroup *group)
{
  sync_ab_audio (g_object_get_data (G_OBJECT (group), "vita-window"));
}

/* The actions show the session's state, whoever changed it. */
static void
on_session_compare (VitaWindow *self)
{
  GActionMap *map = G_ACTION_MAP (self);
  gboolean comparing = vita_session_get_side_b (self->session) != NULL;
  gboolean has_model = vita_session_get_model (self->session) != NULL;
  GAction *diff = g_action_map_lookup_action (map, "compare-difference");
  GAction *scale = g_action_map_lookup_action (map, "compare-per-side-scale");

  g_simple_action_set_state (G_SIMPLE_ACTION (diff), g_variant_new_boolean (
      vita_session_get_compare_view (self->session) == VITA_COMPARE_DIFFERENCE));
  g_simple_action_set_state (G_SIMPLE_ACTION (scale), g_variant_new_boolean (
      vita_session_get_compare_per_side_scale (self->session)));
  g_simple_action_set_enabled (G_SIMPLE_ACTION (diff), comparing);
  g_simple_action_set_enabled (G_SIMPLE_ACTION (scale), comparing);
  g_simple_action_set_enabled (G_SIMPLE_ACTION (g_action_map_lookup_action (map, "compare-stop")),
                               comparing);
  g_simple_action_set_enabled (G_SIMPLE_ACTION (g_action_map_lookup_action (map, "compare-table")),
                               comparing);
  g_simple_action_set_enabled (G_SIMPLE_ACTION (g_action_map_lookup_action (map, "compare-twin")),
                               has_model);
  g_simple_action_set_enabled (G_SIMPLE_ACTION (g_action_map_lookup_action (map, "compare-edit")),
                               has_model);
  VitaSessionSide *b = vita_session_get_side_b (self->session);
  g_simple_action_set_enabled (G_SIMPLE_ACTION (g_action_map_lookup_action (map, "compare-probes-b")),
                               b != NULL && vita_session_side_get_kind (b) != VITA_SIDE_EDIT);
  sync_b_bar (self);
}

void
_vita_window_compare_init (VitaWindow *self)
{
  static const GActionEntry entries[] = {
    { "compare-with", action_compare_with, NULL, NULL, NULL, { 0 } },
    { "compare-twin", action_compare_twin, NULL, NULL, NULL, { 0 } },
    { "compare-edit", action_compare_edit, NULL, NULL, NULL, { 0 } },
    { "compare-stop", action_compare_stop, NULL, NULL, NULL, { 0 } },
    { "compare-table", action_compare_table, NULL, NULL, NULL, { 0 } },
    { "compare-difference", NULL, NULL, "false", on_difference_changed, { 0 } },
    { "compare-per-side-scale", NULL, NULL, "false", on_per_side_changed, { 0 } },
    { "compare-probes-b", action_compare_probes_b, NULL, NULL, NULL, { 0 } },
    { "layer-b-next", action_layer_head_b, NULL, NULL, NULL, { 0 } },
    { "layer-b-previous", action_layer_head_b, NULL, NULL, NULL, { 0 } },
    { "head-b-next", action_layer_head_b, NULL, NULL, NULL, { 0 } },
    { "head-b-previous", action_layer_head_b, NULL, NULL, NULL, { 0 } },
  };
  g_action_map_add_action_entries (G_ACTION_MAP (self), entries, G_N_ELEMENTS (entries), self);
  build_b_bar (self);
  g_signal_group_connect_swapped (self->session_signals, "notify::layer-b",
                                  G_CALLBACK (sync_b_bar), self);
  g_signal_group_connect_swapped (self->session_signals, "notify::head-b",
                                  G_CALLBACK (sync_b_bar), self);
  g_signal_group_connect_swapped (self->session_signals, "notify::side-b",
                                  G_CALLBACK (on_session_compare), self);
  g_signal_group_connect_swapped (self->session_signals, "notify::compare-view",
                                  G_CALLBACK (on_session_compare), self);
  g_signal_group_connect_swapped (self->session_signals, "notify::compare-per-side-scale",
                                  G_CALLBACK (on_session_compare), self);
  g_signal_group_connect_swapped (self->session_signals, "notify::model",
                                  G_CALLBACK (on_session_compare), self);
  self->ab_side_signals = g_signal_group_new (VITA_TYPE_SESSION_SIDE);
  /* the group, not the window, as the handlers' data: the panels disconnect their
   * handlers on side B by the window (vita-window-panels.c) */
  g_object_set_data (G_OBJECT (self->ab_side_signals), "vita-window", self);
  g_signal_group_connect_swapped (self->ab_side_signals, "notify::pcm-ready",
                                  G_CALLBACK (on_ab_pcm_ready), self->ab_side_signals);
  g_signal_group_connect_swapped (self->session_signals, "notify::side-b",
                                  G_CALLBACK (sync_ab_audio), self);
  on_session_compare (self);
}
