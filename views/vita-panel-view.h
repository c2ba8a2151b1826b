/* vita-panel-view.h — the GTK side of a panel: a thin widget that owns nothing but
 * a painter choice, observes the shared timeline (GSignalGroup on "notify") and the
 * analysis, and only draws in snapshot.
 *
 * Each panel has its own final type (vita-*-view.h); they all derive from
 * VitaPanelView and share its properties:
 *   timeline        VitaTimeline*     the shared time axis (required to show anything)
 *   source          VitaAnalysisSource* what it draws from: the analysis and its
 *                   progress, observed through a GSignalGroup (vita-analysis-source.h)
 *   analysis        VitaAnalysis*     (boxed) the source's; setting it uses the source
 *                   every view of that analysis shares
 *   panel           int (construct)   which registered panel (vita-painters.h)
 *   peaks           VitaPeaks*        (boxed) PCM envelope: waveform and overview
 *   colormap        VitaColormap      sequential colormap (int), default viridis
 *   font-size       double            axis text size in px, default 10
 *   attention-mode  VitaAttentionMode head/average (timeline head -1) or rollout
 *
 * Interaction: a click seeks by activating "win.seek" with an int64 sample target
 * (gtk_widget_activate_action; the player owns the position); a click on a cell of
 * the layers × heads grid selects that layer and head instead.  A drag across a
 * time-aligned panel selects (Shift+click extends the selection); a drag across the
 * overview moves the visible range.  Ctrl+wheel zooms the shared visible range
 * around the pointer, Shift+wheel or a horizontal wheel scrolls it; the plain wheel
 * is left to the page.  Moving the pointer shows a read-out of what is under it
 * (vita_panel_readout) above the plot.
 *
 * Drawing: the panel (without the playhead) is rendered once into a Cairo node that
 * is kept until something it shows changes (the last few, keyed by what they show,
 * so a zoom level or window seen before returns without a re-render); the playhead
 * is appended as a 2-px colour node, so playback costs one cached node + one colour
 * node per frame, and the renderer repaints only the damaged strips.
 */
#pragma once

#include <gtk/gtk.h>

#include "vita-analysis-source.h"
#include "vita-export.h"
#include "vita-painters.h"
#include "vita-probeogram.h"
#include "vita-timeline.h"
#include "model/probe/vita-emergence.h"

G_BEGIN_DECLS

#define VITA_TYPE_PEAKS (vita_peaks_get_type ())
GType vita_peaks_get_type (void);
#define VITA_TYPE_COLORMAP (vita_colormap_get_type ())
GType vita_colormap_get_type (void);
#define VITA_TYPE_ATTENTION_MODE (vita_attention_mode_get_type ())
GType vita_attention_mode_get_type (void);

#define VITA_TYPE_PANEL_VIEW (vita_panel_view_get_type ())
G_DECLARE_DERIVABLE_TYPE (VitaPanelView, vita_panel_view, VITA, PANEL_VIEW, GtkWidget)

struct _VitaPanelViewClass
{
  GtkWidgetClass parent_class;
  VitaPanel      panel;            /* set by each subclass's class_init */
  gpointer       padding[4];
};

VitaPanel     vita_panel_view_get_panel    (VitaPanelView *self);
VitaTimeline *vita_panel_view_get_timeline (VitaPanelView *self);
void          vita_panel_view_set_timeline (VitaPanelView *self, VitaTimeline *timeline);
VitaAnalysis *vita_panel_view_get_analysis (VitaPanelView *self);
void          vita_panel_view_set_analysis (VitaPanelView *self, VitaAnalysis *analysis);
void          vita_panel_view_set_peaks    (VitaPanelView *self, VitaPeaks *peaks);
/* What is not known yet (VitaPaintContext's decoding, decode_progress, preview): the
 * progressive open's undecoded ranges drawn as unknown. */
void          vita_panel_view_set_decoding (VitaPanelView *self, gboolean decoding,
                                            double progress, gboolean preview);
void          vita_panel_view_set_colormap (VitaPanelView *self, VitaColormap colormap);
void          vita_panel_view_set_font_size (VitaPanelView *self, double font_size);
void          vita_panel_view_set_attention_mode (VitaPanelView *self, VitaAttentionMode mode);
/* Probe lanes (VitaProbeView; others ignore them): borrowed array of lanes that must
 * stay alive until the next call; NULL/0 clears. */
void          vita_panel_view_set_probe_lanes (VitaPanelView *self, VitaProbeLane *const *lanes,
                                               int n_lanes);
/* Probe-o-gram (VitaProbeogramView; others ignore it): borrowed, must stay alive until
 * the next call; NULL clears. */
void          vita_panel_view_set_probeogram (VitaPanelView *self,
                                              const VitaProbeogram *probeogram);
/* Dark style (light text on a dark background; colormaps unchanged), following
 * AdwStyleManager in the app. */
void          vita_panel_view_set_dark (VitaPanelView *self, gboolean dark);
gboolean      vita_panel_view_get_dark (VitaPanelView *self);
/* Presentation type scale 1–3: text, line widths and the playhead grow together. */
void          vita_panel_view_set_type_scale (VitaPanelView *self, double scale);
/* Emergence table (the emergence panel; others ignore it): borrowed, must stay alive
 * until the next call; filled in place is fine — each call redraws.  current: the
 * checkpoint to mark, -1 none. */
void          vita_panel_view_set_emergence (VitaPanelView *self, const VitaEmergence *em,
                                             int current);
/* Annotation layers (waveform and mel draw them; others ignore them): borrowed, must
 * stay alive until the next call; NULL clears.  Call again after changing them. */
void          vita_panel_view_set_annotations (VitaPanelView *self,
                                               const VitaAnnotationLayers *layers);
/* The cache this view draws from (shared by every view of the same analysis). */
VitaPaintCache *vita_panel_view_get_cache  (VitaPanelView *self);

/* Any registered panel (vita_panel_from_string finds one by name): a new panel needs
 * no widget type of its own. */
GtkWidget    *vita_panel_view_new          (VitaPanel panel, VitaTimeline *timeline);
/* What the view draws from (shared by every panel of a window); setting a bare
 * analysis instead uses the source all views of that analysis share. */
VitaAnalysisSource *vita_panel_view_get_source (VitaPanelView *self);
void          vita_panel_view_set_source   (VitaPanelView *self, VitaAnalysisSource *source);
/* A comparison: side B's source beside the view's own (A), the labels naming both
 * sides, side by side or A − B, a shared or per-side colour scale (vita-painters.h,
 * "two sides").  source_b NULL: one side again. */
void          vita_panel_view_set_compare  (VitaPanelView *self, VitaAnalysisSource *source_b,
                                            const char *label_a, const char *label_b,
                                            VitaCompareView view, gboolean per_side_scale,
                             gboolean same_input);
VitaAnalysisSource *vita_panel_view_get_source_b (VitaPanelView *self);
/* Side B's own layer and head (configurations that differ), or the timeline's for both. */
void          vita_panel_view_set_compare_layers (VitaPanelView *self, gboolean own_layers,
                                                  int layer_b, int head_b);
/* Side B's probe-o-gram (borrowed; NULL: none): the probe-o-gram shows A beside B. */
void          vita_panel_view_set_probeogram_b (VitaPanelView *self,
                                                const struct _VitaProbeogram *pg);
/* Side B's probe lanes (borrowed; NULL: none): the probe panel shows A above B. */
void          vita_panel_view_set_probe_lanes_b (VitaPanelView *self, VitaProbeLane *const *lanes,
                                                 int n_lanes);

/* Renders the view's panel content exactly as snapshot would (without the playhead
 * overlay) into a new image surface: for tests and benchmarks. */
cairo_surface_t *vita_panel_view_render (VitaPanelView *self, int width, int height);

/* Prepares an export of what this view shows: spec->panel, the timeline snapshot
 * (playhead drawn), colormap and attention mode (spec's size, font size and
 * provenance paths are left as they are), and sources (cache, peaks, probe lanes,
 * borrowed from the view).  Then: vita_export_figure_with_sidecar (spec, sources, …). */
void vita_panel_view_fill_export (VitaPanelView *self, VitaExportSpec *spec,
                                  VitaPaintContext *sources);

/* The hover read-out under the pointer ("" when the pointer is outside the plot). */
const char *vita_panel_view_get_readout (VitaPanelView *self);

/* How many times snapshot re-rendered the cached content (tests: redraw only on
 * relevant changes). */
guint vita_panel_view_get_render_count (VitaPanelView *self);
/* How many times GTK asked for a snapshot (a frame that redrew this panel at all). */
guint vita_panel_view_get_snapshot_count (VitaPanelView *self);
/* CPU time spent in this view's snapshot (content re-render included), in µs, since
 * creation: for frame-time benchmarks. */
gint64 vita_panel_view_get_snapshot_time (VitaPanelView *self);

G_END_DECLS
