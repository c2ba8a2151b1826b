/* vita-window-export.c — figure export from the main window: the whole view or one
 * panel as PNG/SVG/PDF (with a sidecar JSON), or the panel's array as .npy, drawn by
 * the same painters from the same sources as the screen.  And results back to the
 * field's tools (issue 16 item 2, "Export Results…"): the received-attention curve of
 * the shown layer and head, the onset curve, their peaks, each probe lane's
 * predictions and the loaded annotations as Sonic Visualiser CSV, .lab, JAMS or .npy
 * (app/vita-results-export.h, shared with `vitascope-cli export`). */
#include "vita-config.h"
#include "vita-window-private.h"

#include <glib/gi18n.h>
#include <string.h>

#include "vita-export.h"
#include "vita-export-options.h"
#include "vita-results-export.h"
#include "vita-session-file.h"
#include "model/vita-derived.h"
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
  ctx.annotations = g_object_get_data (G_OBJECT (self), "vita-annotation-layers");
  /* a figure made while the track decodes shows the undecoded ranges as the screen does */
  ctx.decoding = vita_session_get_decoding (self->session, &ctx.decode_progress, &ctx.preview);
  /* the whole view as arranged on screen: its order, the panels shown */
  ctx.layout_order = self->order;
  ctx.n_layout_order = self->n_order;
  for (int i = 0; i < self->n_order; i++)
    if (self->maximised >= 0 ? self->order[i] == (VitaPanel) self->maximised
                             : !self->panel_hidden[self->order[i]])
      ctx.layout_panels |= G_GUINT64_CONSTANT (1) << self->order[i];
  if (ctx.layout_panels == 0)
    ctx.layout_panels = G_GUINT64_CONSTANT (1) << VITA_PANEL_LAYOUT;   /* none shown: nothing */
  /* a comparison: side B as on screen, recorded in the sidecar */
  VitaPaintCompare compare = { 0 };
  VitaSessionSide *b = vita_session_get_side_b (self->session);
  if (b != NULL)
    {
      static const char *const kinds[] = { "model", "twin", "edit" };
      VitaVit *vb = vita_session_side_get_model (b);
      VitaSideKind kind = vita_session_side_get_kind (b);
      spec.has_compare = TRUE;
      spec.compare_kind = g_strdup (kinds[kind]);
      spec.model_b_path = g_strdup (vita_session_side_get_model_path (b));
      if (kind == VITA_SIDE_MODEL && vb != NULL && vb->sha256[0] != '\0')
        spec.model_b_sha256 = g_strdup (vb->sha256);
      spec.twin_seed = vita_session_side_get_seed (b);
      spec.edits = g_strdupv ((char **) vita_session_side_get_edits (b));
      spec.label_a = vita_session_describe_side_a (self->session);
      spec.label_b = g_strdup (vita_session_side_get_label (b));
      spec.compare_view = vita_session_get_compare_view (self->session);
      spec.per_side_scale = vita_session_get_compare_per_side_scale (self->session);
      compare = (VitaPaintCompare) {
        .cache_b = vita_analysis_source_get_cache (vita_session_side_get_analysis_source (b)),
        .label_a = spec.label_a,
        .label_b = spec.label_b,
        .view = spec.compare_view,
        .per_side_scale = spec.per_side_scale,
        .same_input = kind != VITA_SIDE_EDIT,
      };
      compare.lanes_b = vita_session_get_probe_lanes_b (self->session, &compare.n_lanes_b);
      compare.probeogram_b = vita_session_get_probeogram_b (self->session);
      compare.own_layers = spec.own_layers = vita_session_get_compare_own_layers (self->session);
      compare.layer_b = spec.layer_b = vita_session_get_layer_b (self->session);
      compare.head_b = spec.head_b = vita_session_get_head_b (self->session);
      ctx.compare = &compare;
    }
  /* the mel panel's attribution overlay, recorded so that render computes it again */
  if (vita_paint_cache_get_attribution (ctx.cache, NULL, NULL, NULL, NULL, NULL) != NULL)
    vita_attr_settings_copy (&spec.attribution, vita_session_get_attribution (self->session));
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

/* ------------------------------------------------------------------ results */

/* Peak picking of "Export Results…": as `vitascope-cli export --delta` (default). */
#define RESULTS_PEAK_DELTA 0.05

/* The loaded annotation files read again into one set (later files replace earlier
 * kinds, as the session merged them). */
static VitaAnnotationSet *
session_annotations (VitaWindow *self, const char *path, GError **error)
{
  g_autoptr(VitaSessionState) state = vita_session_to_state (self->session);
  g_autoptr(VitaAnnotationSet) set = vita_annotation_set_new ();
  g_autoptr(GPtrArray) warnings = g_ptr_array_new_with_free_func (g_free);
  VitaTimeline *tl = vita_session_get_timeline (self->session);
  int rate = vita_timeline_get_sample_rate (tl);
  guint n_read = 0;

  for (guint i = 0; state != NULL && i < state->annotations->len; i++)
    {
      VitaSessionRef *ref = g_ptr_array_index (state->annotations, i);
      if (ref->path == NULL)
        continue;
      if (!vita_annotation_set_add_file (set, ref->path, VITA_ANN_UNKNOWN, TRUE, warnings, error))
        return NULL;
      n_read++;
    }
  if (n_read == 0)
    {
      g_set_error (error, VITA_MODEL_ERROR, VITA_MODEL_ERROR_UNSUPPORTED,
                   _("Cannot export “%s”: no annotations are loaded"), path);
      return NULL;
    }
  if (rate > 0)
    set->duration = (double) vita_timeline_get_n_samples (tl) / rate;
  return g_steal_pointer (&set);
}

gboolean
vita_window_export_results (VitaWindow *self, const char *what, const char *path, GError **error)
{
  VitaAnnExportFormat format;
  VitaTimeline *tl;
  VitaAnalysis *an;
  int rate, hop;
  double hop_s;

  g_return_val_if_fail (VITA_IS_WINDOW (self), FALSE);
  g_return_val_if_fail (what != NULL && path != NULL, FALSE);

  if (!vita_ann_export_format_from_string (path, &format))
    {
      g_set_error (error, VITA_MODEL_ERROR, VITA_MODEL_ERROR_UNSUPPORTED,
                   _("Cannot export “%s”: name it .csv (Sonic Visualiser), .lab, .jams or .npy"),
                   path);
      return FALSE;
    }
  if (vita_session_get_audio_path (self->session) == NULL)
    {
      g_set_error (error, VITA_MODEL_ERROR, VITA_MODEL_ERROR_UNSUPPORTED,
                   _("Cannot export “%s”: open an audio file first"), path);
      return FALSE;
    }

  if (strcmp (what, "annotations") == 0)
    {
      g_autoptr(VitaAnnotationSet) set = session_annotations (self, path, error);
      VitaAnnKind kind = VITA_ANN_ANY;   /* JAMS: everything */
      if (set == NULL)
        return FALSE;
      if (format != VITA_ANN_EXPORT_JAMS)
        {
          /* One kind per CSV / .lab / .npy: the first there, chords first. */
          static const VitaAnnKind order[] = { VITA_ANN_CHORDS, VITA_ANN_BEATS, VITA_ANN_ONSETS,
                                               VITA_ANN_KEY, VITA_ANN_TAGS };
          kind = VITA_ANN_UNKNOWN;
          for (gsize i = 0; i < G_N_ELEMENTS (order) && kind == VITA_ANN_UNKNOWN; i++)
            if (vita_annotation_set_has (set, order[i]))
              kind = order[i];
          if (kind == VITA_ANN_UNKNOWN)
            kind = VITA_ANN_CHORDS;   /* absent: vita_annotation_export says so */
        }
      return vita_annotation_export (set, kind, format, path,
                                     "vitascope " VITA_VERSION ": annotations", error);
    }

  tl = vita_session_get_timeline (self->session);
  rate = vita_timeline_get_sample_rate (tl);
  hop = vita_timeline_get_hop (tl);
  an = vita_session_get_analysis (self->session);
  if (an == NULL || rate <= 0 || hop <= 0 || an->n_frames < 1)
    {
      g_set_error (error, VITA_MODEL_ERROR, VITA_MODEL_ERROR_UNSUPPORTED,
                   _("Cannot export “%s”: open a model and wait for its analysis"), path);
      return FALSE;
    }
  hop_s = (double) hop / rate;

  if (g_str_has_prefix (what, "lane-"))
    {
      int n_lanes = 0;
      VitaProbeLane *const *lanes = vita_session_get_probe_lanes (self->session, &n_lanes);
      char *end = NULL;
      gint64 i = g_ascii_strtoll (what + 5, &end, 10);
      if (end == what + 5 || *end != '\0' || i < 0 || i >= n_lanes || lanes[i] == NULL)
        {
          g_set_error (error, VITA_MODEL_ERROR, VITA_MODEL_ERROR_UNSUPPORTED,
                       _("Cannot export “%s”: there is no probe lane %s"), path, what + 5);
          return FALSE;
        }
      return vita_results_export_lane (lanes[i], hop_s, VITA_ANN_UNKNOWN, format, path, error);
    }

  if (!vita_session_get_analysis_complete (self->session))
    {
      g_set_error (error, VITA_MODEL_ERROR, VITA_MODEL_ERROR_UNSUPPORTED,
                   _("Cannot export “%s”: the analysis is still running"), path);
      return FALSE;
    }
  if (strcmp (what, "received") == 0 || strcmp (what, "received-peaks") == 0)
    {
      int n = an->n_frames;
      int head = vita_timeline_get_head (tl);
      g_autofree float *curve = g_new (float, n);
      if (an->received == NULL)
        {
          g_set_error (error, VITA_MODEL_ERROR, VITA_MODEL_ERROR_UNSUPPORTED,
                       _("Cannot export “%s”: the analysis has no received attention"), path);
          return FALSE;
        }
      /* The curve the received panel draws (and "Hear Attention Onsets" clicks). */
      vita_received_curve (curve, an, vita_paint_block_for_layer (an, vita_timeline_get_layer (tl)),
                           head < an->cfg.heads ? head : -1, 0, n);
      return strcmp (what, "received") == 0
               ? vita_results_export_curve (curve, n, hop_s, format, path, error)
               : vita_results_export_peaks (curve, n, hop_s, RESULTS_PEAK_DELTA, n * hop_s, format,
                                            path, error);
    }
  if (strcmp (what, "onset") == 0 || strcmp (what, "onset-peaks") == 0)
    {
      if (an->onset == NULL)
        {
          g_set_error (error, VITA_MODEL_ERROR, VITA_MODEL_ERROR_UNSUPPORTED,
                       _("Cannot export “%s”: the analysis has no onset curve"), path);
          return FALSE;
        }
      return strcmp (what, "onset") == 0
               ? vita_results_export_curve (an->onset, an->n_frames, hop_s, format, path, error)
               : vita_results_export_peaks (an->onset, an->n_frames, hop_s, RESULTS_PEAK_DELTA,
                                            an->n_frames * hop_s, format, path, error);
    }
  g_set_error (error, VITA_MODEL_ERROR, VITA_MODEL_ERROR_UNSUPPORTED,
               "Cannot export “%s”: unknown result “%s”", path, what);
  return FALSE;
}

static void
on_export_results_response (GtkNativeDialog *dialog, int response, gpointer user_data)
{
  VitaWindow *self = VITA_WINDOW (user_data);

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      g_autofree char *path = file ? g_file_get_path (file) : NULL;
      const char *what = gtk_file_chooser_get_choice (GTK_FILE_CHOOSER (dialog), "what");
      GtkFileFilter *filter = gtk_file_chooser_get_filter (GTK_FILE_CHOOSER (dialog));
      const char *ext = filter ? g_object_get_data (G_OBJECT (filter), "vita-extension") : NULL;
      VitaAnnExportFormat format;
      g_autoptr(GError) error = NULL;

      /* A name without a known extension takes the chosen filter's. */
      if (path != NULL && ext != NULL && !vita_ann_export_format_from_string (path, &format))
        {
          char *fixed = g_strconcat (path, ext, NULL);
          g_free (path);
          path = fixed;
        }
      if (path == NULL)
        vita_window_show_error (self, _("Results can only be exported to local files"));
      else if (!vita_window_export_results (self, what ? what : "received-peaks", path, &error))
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
action_export_results (GtkWidget *widget, const char *name, GVariant *param)
{
  VitaWindow *self = VITA_WINDOW (widget);
  static const struct { const char *title, *pattern, *extension; } filters[] = {
    { N_("Sonic Visualiser CSV"), "*.csv", ".csv" },
    { N_("Chord Labels (.lab)"), "*.lab", ".lab" },
    { N_("JAMS"), "*.jams", ".jams" },
    { N_("NumPy Array"), "*.npy", ".npy" },
  };
  const char *audio = vita_session_get_audio_path (self->session);
  g_autofree char *base = g_path_get_basename (audio ? audio : "results");
  g_autofree char *suggested = NULL;
  g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) labels = g_ptr_array_new_with_free_func (g_free);
  int n_lanes = 0;
  VitaProbeLane *const *lanes = vita_session_get_probe_lanes (self->session, &n_lanes);
  GtkFileChooserNative *native;
  char *dot = strrchr (base, '.');

  if (dot != NULL)
    *dot = '\0';
  suggested = g_strdup_printf ("%s-peaks.csv", base);
  native = gtk_file_chooser_native_new (_("Export Results"), GTK_WINDOW (self),
                                        GTK_FILE_CHOOSER_ACTION_SAVE, _("_Export"), _("_Cancel"));
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (native), suggested);
  for (gsize i = 0; i < G_N_ELEMENTS (filters); i++)
    {
      GtkFileFilter *filter = gtk_file_filter_new ();
      gtk_file_filter_set_name (filter, _(filters[i].title));
      gtk_file_filter_add_pattern (filter, filters[i].pattern);
      g_object_set_data (G_OBJECT (filter), "vita-extension", (gpointer) filters[i].extension);
      gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (native), filter);
      g_object_unref (filter);
    }

  /* What to export: the received-attention curve of the shown layer and head, the onset
   * curve, their peaks, each probe lane, the loaded annotations. */
  g_ptr_array_add (ids, g_strdup ("received-peaks"));
  g_ptr_array_add (labels, g_strdup (_("Peaks of Attention Received")));
  g_ptr_array_add (ids, g_strdup ("received"));
  g_ptr_array_add (labels, g_strdup (_("Attention Received")));
  g_ptr_array_add (ids, g_strdup ("onset-peaks"));
  g_ptr_array_add (labels, g_strdup (_("Onsets of the Spectral Flux")));
  g_ptr_array_add (ids, g_strdup ("onset"));
  g_ptr_array_add (labels, g_strdup (_("Spectral Flux")));
  for (int i = 0; i < n_lanes; i++)
    {
      g_ptr_array_add (ids, g_strdup_printf ("lane-%d", i));
      g_ptr_array_add (labels, g_strdup_printf (_("Probe Lane “%s”"),
                                                lanes[i]->name ? lanes[i]->name : "?"));
    }
  g_ptr_array_add (ids, g_strdup ("annotations"));
  g_ptr_array_add (labels, g_strdup (_("Loaded Annotations")));
  g_ptr_array_add (ids, NULL);
  g_ptr_array_add (labels, NULL);
  gtk_file_chooser_add_choice (GTK_FILE_CHOOSER (native), "what", _("Export"),
                               (const char **) ids->pdata, (const char **) labels->pdata);
  gtk_file_chooser_set_choice (GTK_FILE_CHOOSER (native), "what", "received-peaks");
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (native), TRUE);
  g_signal_connect (native, "response", G_CALLBACK (on_export_results_response), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (native));
}

void
_vita_window_export_class_init (GtkWidgetClass *widget_class)
{
  gtk_widget_class_install_action (widget_class, "win.export", NULL, action_export);
  gtk_widget_class_install_action (widget_class, "win.export-results", NULL,
                                   action_export_results);
}
