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
#include "vita-panel-card.h"


/* ------------------------------------------------------------------ panels
 *
 * Each panel is a views/ widget in a card with a title.  A click seeks (the view
 * activates "win.seek"); a drag across a time-aligned panel selects a region
 * (for the loop), mapped through the painter's own plot geometry. */

static gboolean
panel_x_to_sample (VitaWindow *self, VitaPanelView *view, double x, gint64 *sample)
{
  VitaTimelineSnapshot snap;
  VitaStyle style;
  VitaPaintContext ctx = { 0 };
  VitaRect area = { 0, 0, gtk_widget_get_width (GTK_WIDGET (view)),
                    gtk_widget_get_height (GTK_WIDGET (view)) };

  vita_timeline_snapshot (vita_session_get_timeline (self->session), &snap);
  vita_style_init (&style);
  ctx.cache = vita_panel_view_get_cache (view);
  ctx.peaks = vita_session_get_peaks (self->session);
  ctx.snap = &snap;
  ctx.style = &style;
  return vita_panel_hit_sample (vita_panel_view_get_panel (view), &area, &ctx, x,
                                area.height / 2, sample);
}

static void
on_panel_drag_begin (GtkGestureDrag *gesture, double x, double y, gpointer user_data)
{
  VITA_WINDOW (user_data)->drag_start_x = x;
}

static void
on_panel_drag_update (GtkGestureDrag *gesture, double dx, double dy, gpointer user_data)
{
  VitaWindow *self = VITA_WINDOW (user_data);
  VitaPanelView *view = VITA_PANEL_VIEW (gtk_event_controller_get_widget (GTK_EVENT_CONTROLLER (gesture)));
  gint64 a, b;

  if (fabs (dx) < 4)
    return;
  if (panel_x_to_sample (self, view, self->drag_start_x, &a) &&
      panel_x_to_sample (self, view, self->drag_start_x + dx, &b))
    vita_timeline_set_selection (vita_session_get_timeline (self->session), MIN (a, b), MAX (a, b));
}

static void
on_panel_drag_end (GtkGestureDrag *gesture, double dx, double dy, gpointer user_data)
{
  VitaWindow *self = VITA_WINDOW (user_data);

  if (fabs (dx) < 4)
    vita_timeline_set_selection (vita_session_get_timeline (self->session), 0, 0);   /* a click: the view seeks */
  _vita_window_update_loop (self);
}

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

/* One card (app/vita-panel-card.c): the panel's title and subtitle from its class
 * record, its view drawing from the session's analysis source.  The card is kept
 * (owned) in self->cards; vita-window-arrange.c shows it. */
static void
add_panel (VitaWindow *self, VitaPanel panel)
{
  const VitaPanelClass *klass = vita_panel_get_class (panel);
  GtkWidget *view = vita_panel_view_new (panel, vita_session_get_timeline (self->session));

  gtk_accessible_update_property (GTK_ACCESSIBLE (view), GTK_ACCESSIBLE_PROPERTY_LABEL, _(klass->title), -1);
  vita_panel_view_set_source (VITA_PANEL_VIEW (view),
                              vita_session_get_analysis_source (self->session));
  if (vita_panel_is_time_aligned (panel))
    {
      GtkGesture *drag = gtk_gesture_drag_new ();
      g_signal_connect (drag, "drag-begin", G_CALLBACK (on_panel_drag_begin), self);
      g_signal_connect (drag, "drag-update", G_CALLBACK (on_panel_drag_update), self);
      g_signal_connect (drag, "drag-end", G_CALLBACK (on_panel_drag_end), self);
      gtk_widget_add_controller (view, GTK_EVENT_CONTROLLER (drag));
    }
  self->cards[panel] = g_object_ref_sink (vita_panel_card_new (panel, view));
  self->panels[panel] = view;
}

/* The panels of the registry (views/vita-painters.h), and the no-model page that
 * stands in for the model's panels without a model. */
static void
build_panels (VitaWindow *self)
{
  int n;
  g_autofree VitaPanel *panels = vita_panel_arrangement (&n);

  g_object_ref_sink (build_no_model_page (self));
  for (int i = 0; i < n; i++)
    add_panel (self, panels[i]);
  self->probes_subtitle = GTK_WIDGET (vita_panel_card_get_subtitle (VITA_PANEL_CARD (self->cards[VITA_PANEL_PROBES])));
  _vita_window_arrange_init (self);
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

static void
on_lanes_changed (VitaWindow *self)
{
  int n_lanes = 0;
  VitaProbeLane *const *lanes = vita_session_get_probe_lanes (self->session, &n_lanes);
  const VitaProbeogram *pg = vita_session_get_probeogram (self->session);

  if (self->panels[VITA_PANEL_PROBES] != NULL)
    {
      VitaStyle style;
      vita_style_init (&style);
      vita_panel_view_set_probe_lanes (VITA_PANEL_VIEW (self->panels[VITA_PANEL_PROBES]), lanes, n_lanes);
      /* each lane readable: the panel grows with its lanes (the page scrolls) */
      vita_panel_card_set_min_content_height (VITA_PANEL_CARD (self->cards[VITA_PANEL_PROBES]),
          (int) ceil (vita_probe_lanes_min_height (&style, lanes, n_lanes)));
    }
  if (self->panels[VITA_PANEL_PROBEOGRAM] != NULL)
    vita_panel_view_set_probeogram (VITA_PANEL_VIEW (self->panels[VITA_PANEL_PROBEOGRAM]), pg);
  _vita_window_arrange_update (self);
  update_key_label (self);
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
  _vita_window_arrange_update (self);
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
