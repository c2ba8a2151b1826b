/* vita-window-panels.c — the panels of the main window: the one place where they
 * are created and connected to the session (one loop over the registry of panel
 * classes, views/vita-panel-registry.c).  Each panel draws from the session's
 * analysis source (views/vita-analysis-source.h: the analysis, its progress, the
 * shared cache); peaks, colormap, attention mode and probe lanes reach them through
 * one GSignalGroup on the session. */
#include "vita-config.h"
#include "vita-window-private.h"

#include <glib/gi18n.h>
#include <math.h>

#include "vita-views.h"


/* ------------------------------------------------------------------ panels
 *
 * Each panel is a views/ widget in a card with a title.  The views handle the
 * pointer themselves (views/vita-panel-view.h): a click seeks (the view activates
 * "win.seek"), a drag across a time-aligned panel selects a region (for the loop):
 * the loop follows the timeline's selection. */

/* Without a model the model's panels give way to an explanation. */
static GtkWidget *
build_no_model_page (VitaWindow *self)
{
  GtkWidget *button = gtk_button_new_with_mnemonic (_("Open _Model…"));

  self->no_model_page = adw_status_page_new ();
  adw_status_page_set_icon_name (ADW_STATUS_PAGE (self->no_model_page), "dialog-information-symbolic");
  adw_status_page_set_title (ADW_STATUS_PAGE (self->no_model_page), _("No Model"));
  adw_status_page_set_description (ADW_STATUS_PAGE (self->no_model_page),
      _("The mel spectrogram, attention and self-similarity panels show what a model "
        "does with this music. Open a ViT-1D model file (.safetensors) exported from "
        "PyTorch, or train one on a folder of music with "
        "<tt>vitascope-cli train FOLDER --out RUN</tt> and open the model that "
        "<tt>vitascope-cli export-model</tt> writes from its last checkpoint."));
  gtk_actionable_set_action_name (GTK_ACTIONABLE (button), "win.open-model");
  gtk_widget_set_halign (button, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (button, "pill");
  gtk_widget_add_css_class (button, "suggested-action");
  adw_status_page_set_child (ADW_STATUS_PAGE (self->no_model_page), button);
  gtk_widget_add_css_class (self->no_model_page, "compact");
  return self->no_model_page;
}

/* One card: the panel's title and subtitle from its class record, its view drawing
 * from the session's analysis source. */
static GtkWidget *
add_panel (VitaWindow *self, GtkBox *box, VitaPanel panel)
{
  const VitaPanelClass *klass = vita_panel_get_class (panel);
  const char *title = _(klass->title);
  int width = klass->width, height = klass->height;
  GtkWidget *card = gtk_box_new (GTK_ORIENTATION_VERTICAL, 4);
  GtkWidget *header = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 8);
  GtkWidget *label = gtk_label_new (title);
  GtkWidget *sub = gtk_label_new (_(klass->subtitle));
  GtkWidget *view = vita_panel_view_new (panel, vita_session_get_timeline (self->session));

  gtk_widget_add_css_class (card, "card");
  gtk_widget_add_css_class (card, "vita-panel");
  gtk_widget_add_css_class (label, "vita-panel-title");
  gtk_widget_add_css_class (sub, "vita-panel-subtitle");
  gtk_widget_add_css_class (sub, "dim-label");
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_xalign (GTK_LABEL (sub), 0);
  gtk_label_set_ellipsize (GTK_LABEL (sub), PANGO_ELLIPSIZE_END);
  gtk_box_append (GTK_BOX (header), label);
  gtk_box_append (GTK_BOX (header), sub);
  gtk_box_append (GTK_BOX (card), header);

  gtk_widget_set_size_request (view, width, height);
  gtk_widget_set_hexpand (card, width < 0);
  gtk_accessible_update_property (GTK_ACCESSIBLE (view), GTK_ACCESSIBLE_PROPERTY_LABEL, title, -1);
  vita_panel_view_set_source (VITA_PANEL_VIEW (view),
                              vita_session_get_analysis_source (self->session));
  gtk_box_append (GTK_BOX (card), view);
  gtk_box_append (box, card);
  self->panels[panel] = view;
  if (klass->traits & VITA_PANEL_ON_DEMAND)   /* shown only with probes: on_lanes_changed */
    gtk_widget_set_visible (card, FALSE);
  else if (klass->traits & VITA_PANEL_NEEDS_MODEL)
    g_ptr_array_add (self->model_cards, card);
  return card;
}

/* The panels of the registry in its arrangement (views/vita-painters.h): the same
 * order and rows as the whole-view figure.  Without a model, the no-model page
 * stands where the first row of the model's panels begins. */
static void
build_panels (VitaWindow *self)
{
  int n;
  g_autofree VitaPanel *panels = vita_panel_arrangement (&n);
  GtkWidget *row = NULL;
  int row_id = 0;

  for (int i = 0; i < n; i++)
    {
      const VitaPanelClass *klass = vita_panel_get_class (panels[i]);
      GtkWidget *card;

      if (klass->row != 0 && klass->row == row_id)
        {
          add_panel (self, GTK_BOX (row), panels[i]);
          continue;
        }
      row_id = klass->row;
      if (klass->row == 0)
        card = add_panel (self, self->panels_box, panels[i]);
      else
        {
          if (self->no_model_page == NULL)
            gtk_box_append (self->panels_box, build_no_model_page (self));
          row = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
          g_ptr_array_add (self->model_cards, row);
          gtk_box_append (self->panels_box, row);
          add_panel (self, GTK_BOX (row), panels[i]);
          continue;
        }
      if (panels[i] == VITA_PANEL_PROBES)   /* header box, then title and subtitle labels */
        self->probes_subtitle = gtk_widget_get_last_child (gtk_widget_get_first_child (card));
      if (panels[i] == VITA_PANEL_PROBEOGRAM)
        self->probeogram_card = card;
    }
}


/* The panels observe the session's analysis source (its "analysis", progress and
 * cache); the session keeps it in step with its analysis. */
static void
on_analysis (VitaWindow *self)
{
  _vita_window_panels_queue_draw (self);
}

static void
on_peaks (VitaWindow *self)
{
  VitaPeaks *peaks = vita_session_get_peaks (self->session);

  for (int i = 0; i < VITA_N_PANELS; i++)
    if (self->panels[i] != NULL)
      vita_panel_view_set_peaks (VITA_PANEL_VIEW (self->panels[i]), peaks);
  _vita_window_panels_queue_draw (self);
}

static void
on_colormap (VitaWindow *self)
{
  VitaColormap cmap = vita_session_get_colormap (self->session);

  for (int i = 0; i < VITA_N_PANELS; i++)
    if (self->panels[i] != NULL)
      vita_panel_view_set_colormap (VITA_PANEL_VIEW (self->panels[i]), cmap);
}

static void
on_attention_mode (VitaWindow *self)
{
  VitaAttentionMode mode = vita_session_get_attention_mode (self->session);

  for (int i = 0; i < VITA_N_PANELS; i++)
    if (self->panels[i] != NULL)
      vita_panel_view_set_attention_mode (VITA_PANEL_VIEW (self->panels[i]), mode);
}

/* The key annotation, and a clip-level key probe's prediction, in the probe panel's
 * subtitle. */
static void
update_key_label (VitaWindow *self)
{
  g_autoptr(GString) text = g_string_new (NULL);
  VitaProbeSet *set = vita_session_get_probe_set (self->session);
  const VitaAnalysis *an = vita_session_get_analysis_complete (self->session)
                           ? vita_session_get_analysis (self->session) : NULL;
  int key, predicted;
  double prob = NAN;
  gboolean has_key = vita_probe_set_get_key (set, &key);
  gboolean has_pred = vita_probe_set_predict_key (set, an, &predicted, &prob);

  if (self->probes_subtitle == NULL)
    return;
  if (!has_key && !has_pred)
    {
      gtk_label_set_text (GTK_LABEL (self->probes_subtitle),
                          _(vita_panel_get_class (VITA_PANEL_PROBES)->subtitle));
      return;
    }
  if (has_key)
    /* Translators: %s is a key, e.g. "C major". */
    g_string_append_printf (text, _("key: %s"), vita_key_class_name (key));
  if (has_pred)
    {
      if (text->len > 0)
        g_string_append (text, " · ");
      /* Translators: %s is a key, %.0f%% the probe's probability. */
      g_string_append_printf (text, _("key probe: %s (%.0f%%)"), vita_key_class_name (predicted),
                              100.0 * prob);
    }
  gtk_label_set_text (GTK_LABEL (self->probes_subtitle), text->str);
}

/* ------------------------------------------------------------------ annotation layers
 *
 * The loaded annotations as layers over the waveform and mel panels (views/
 * vita-painters.h), each shown or hidden by a stateful action (Annotation Layers
 * menu); they show with or without probes. */

/* The layers the views borrow, with copies of what they point to (the probe set's
 * annotations may be replaced at any merge). */
typedef struct {
  VitaAnnotationLayers layers;
  GArray   *chord_start, *chord_end;   /* double */
  GPtrArray *chord_label;              /* static strings */
  double   *beats, *onsets;
  char     *key;
} AnnotationLayers;

static void
annotation_layers_free (AnnotationLayers *a)
{
  g_array_unref (a->chord_start);
  g_array_unref (a->chord_end);
  g_ptr_array_unref (a->chord_label);
  g_free (a->beats);
  g_free (a->onsets);
  g_free (a->key);
  g_free (a);
}

static const struct { const char *action; VitaAnnotationKind kind; } annotation_actions[] = {
  { "show-chords", VITA_ANNOTATION_CHORDS },
  { "show-beats", VITA_ANNOTATION_BEATS },
  { "show-onsets", VITA_ANNOTATION_ONSETS },
  { "show-key", VITA_ANNOTATION_KEY },
};

static guint
annotations_shown (VitaWindow *self)
{
  guint shown = 0;

  for (gsize i = 0; i < G_N_ELEMENTS (annotation_actions); i++)
    {
      GAction *action = g_action_map_lookup_action (G_ACTION_MAP (self), annotation_actions[i].action);
      g_autoptr(GVariant) state = action ? g_action_get_state (action) : NULL;
      if (state == NULL || g_variant_get_boolean (state))
        shown |= annotation_actions[i].kind;
    }
  return shown;
}

static void
update_annotation_layers (VitaWindow *self)
{
  const VitaAnnotations *ann = vita_probe_set_get_annotations (vita_session_get_probe_set (self->session));
  AnnotationLayers *a = g_new0 (AnnotationLayers, 1);
  VitaAnnotationLayers *l = &a->layers;

  a->chord_start = g_array_new (FALSE, FALSE, sizeof (double));
  a->chord_end = g_array_new (FALSE, FALSE, sizeof (double));
  a->chord_label = g_ptr_array_new ();
  if (ann != NULL && ann->chords != NULL)
    for (guint i = 0; i < ann->chords->segments->len; i++)
      {
        const VitaChordSegment *seg = &g_array_index (ann->chords->segments, VitaChordSegment, i);
        g_array_append_val (a->chord_start, seg->start);
        g_array_append_val (a->chord_end, seg->end);
        g_ptr_array_add (a->chord_label,
                         (gpointer) (seg->chord >= 0 ? vita_chord_class_name (seg->chord)
                                                     : seg->chord == VITA_CHORD_OTHER ? "other" : "?"));
      }
  l->chord_start = (const double *) a->chord_start->data;
  l->chord_end = (const double *) a->chord_end->data;
  l->chord_label = (const char *const *) a->chord_label->pdata;
  l->n_chords = a->chord_start->len;
  if (ann != NULL && ann->beats != NULL && ann->beats->times->len > 0)
    {
      l->beats = a->beats = g_memdup2 (ann->beats->times->data, ann->beats->times->len * sizeof (double));
      l->n_beats = ann->beats->times->len;
    }
  if (ann != NULL && ann->onsets != NULL && ann->onsets->times->len > 0)
    {
      l->onsets = a->onsets = g_memdup2 (ann->onsets->times->data, ann->onsets->times->len * sizeof (double));
      l->n_onsets = ann->onsets->times->len;
    }
  if (ann != NULL && ann->has_key && ann->key != VITA_KEY_X)
    l->key = a->key = g_strdup (vita_key_class_name (ann->key));
  l->shown = annotations_shown (self);
  /* The views borrow the new layers before the old ones are freed. */
  for (int i = 0; i < VITA_N_PANELS; i++)
    if (self->panels[i] != NULL)
      vita_panel_view_set_annotations (VITA_PANEL_VIEW (self->panels[i]), l);
  g_object_set_data_full (G_OBJECT (self), "vita-annotation-layers", a,
                          (GDestroyNotify) annotation_layers_free);
}

static void
on_annotation_toggled (GSimpleAction *action, GVariant *state, VitaWindow *self)
{
  AnnotationLayers *a = g_object_get_data (G_OBJECT (self), "vita-annotation-layers");

  g_simple_action_set_state (action, state);
  if (a == NULL)
    return;
  a->layers.shown = annotations_shown (self);
  for (int i = 0; i < VITA_N_PANELS; i++)
    if (self->panels[i] != NULL)
      vita_panel_view_set_annotations (VITA_PANEL_VIEW (self->panels[i]), &a->layers);
}

static void
on_lanes_changed (VitaWindow *self)
{
  int n_lanes = 0;
  VitaProbeLane *const *lanes = vita_session_get_probe_lanes (self->session, &n_lanes);
  const VitaProbeogram *pg = vita_session_get_probeogram (self->session);

  if (self->panels[VITA_PANEL_PROBES] != NULL)
    vita_panel_view_set_probe_lanes (VITA_PANEL_VIEW (self->panels[VITA_PANEL_PROBES]), lanes, n_lanes);
  if (self->panels[VITA_PANEL_PROBEOGRAM] != NULL)
    vita_panel_view_set_probeogram (VITA_PANEL_VIEW (self->panels[VITA_PANEL_PROBEOGRAM]), pg);
  if (self->probeogram_card != NULL)
    gtk_widget_set_visible (self->probeogram_card, pg != NULL);
  update_key_label (self);
  update_annotation_layers (self);
  _vita_window_panels_queue_draw (self);
}

const char *
vita_window_get_probes_subtitle (VitaWindow *self)
{
  g_return_val_if_fail (VITA_IS_WINDOW (self), NULL);
  return self->probes_subtitle ? gtk_label_get_text (GTK_LABEL (self->probes_subtitle)) : NULL;
}

void
_vita_window_panels_update_model_cards (VitaWindow *self)
{
  gboolean has_model = vita_session_get_model (self->session) != NULL;

  for (guint i = 0; self->model_cards != NULL && i < self->model_cards->len; i++)
    gtk_widget_set_visible (g_ptr_array_index (self->model_cards, i), has_model);
  if (self->no_model_page != NULL)
    gtk_widget_set_visible (self->no_model_page,
                            !has_model && !vita_session_get_model_loading (self->session));
}

void
_vita_window_panels_queue_draw (VitaWindow *self)
{
  for (int i = 0; i < VITA_N_PANELS; i++)
    if (self->panels[i] != NULL)
      gtk_widget_queue_draw (self->panels[i]);
}

/* The panels' shared cache: what the screen draws from, and so what export uses. */
VitaPaintCache *
_vita_window_panels_get_cache (VitaWindow *self)
{
  return vita_analysis_source_get_cache (vita_session_get_analysis_source (self->session));
}

void
_vita_window_panels_build (VitaWindow *self)
{
  GSignalGroup *g;

  build_panels (self);
  for (gsize i = 0; i < G_N_ELEMENTS (annotation_actions); i++)
    {
      g_autoptr(GSimpleAction) action = g_simple_action_new_stateful (annotation_actions[i].action, NULL,
                                                                      g_variant_new_boolean (TRUE));
      g_signal_connect (action, "change-state", G_CALLBACK (on_annotation_toggled), self);
      g_action_map_add_action (G_ACTION_MAP (self), G_ACTION (action));
    }
  g_signal_connect_object (vita_session_get_timeline (self->session), "notify::selection-end",
                           G_CALLBACK (_vita_window_update_loop), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (vita_session_get_timeline (self->session), "notify::selection-start",
                           G_CALLBACK (_vita_window_update_loop), self, G_CONNECT_SWAPPED);
  self->panel_signals = g = g_signal_group_new (VITA_TYPE_SESSION);
  g_signal_group_connect_swapped (g, "notify::analysis", G_CALLBACK (on_analysis), self);
  g_signal_group_connect_swapped (g, "notify::peaks", G_CALLBACK (on_peaks), self);
  g_signal_group_connect_swapped (g, "notify::colormap", G_CALLBACK (on_colormap), self);
  g_signal_group_connect_swapped (g, "notify::attention-mode", G_CALLBACK (on_attention_mode), self);
  g_signal_group_connect_swapped (g, "lanes-changed", G_CALLBACK (on_lanes_changed), self);
  g_signal_group_set_target (g, self->session);
  on_analysis (self);
  on_peaks (self);
  on_colormap (self);
  on_attention_mode (self);
}
