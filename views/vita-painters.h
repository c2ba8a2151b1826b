/* vita-painters.h — one Cairo painter per panel (no GTK).
 *
 * Every painter draws one panel into a rectangle of any cairo_t (screen widget,
 * PNG, SVG, PDF) from a VitaPaintContext: the analysis (through a VitaPaintCache
 * that keeps heatmap surfaces and recomputed attention), the PCM peaks, a timeline
 * snapshot and a style.  Axes are in seconds, units are in every axis title, and
 * heatmaps carry a colorbar.
 *
 * Index conventions (vita-timeline.h): token layer k = snap->layer (0 = embedded
 * input, k = after block k); attention panels show block max(k, 1) - 1; head -1 =
 * the average over heads.  Frame i is centred at sample i * hop.
 */
#pragma once

#include "vita-paint.h"
#include "vita-timeline.h"
#include "model/vita-analysis.h"

G_BEGIN_DECLS

/* ---- waveform peaks ---------------------------------------------------------- */

/* Min/max envelope of float PCM at several resolutions (64, 256, 1024, ... samples
 * per bucket) so a column of any zoom is drawn from a handful of buckets; the PCM is
 * copied so sample-level zoom can draw the samples themselves (beyond 64 MiB, 35
 * minutes at 16 kHz, into a mapped cache file: model/vita-store.h).  Ref-counted. */
typedef struct _VitaPeaks VitaPeaks;

VitaPeaks *vita_peaks_new    (const float *pcm, gsize n_samples, int sample_rate);
/* The same, calling release (release_data) after each stretch of pcm it has read: a
 * PCM mapped from its cache file drops those pages (vita_pcm_release), so a long
 * track's samples never become resident all at once. */
typedef void (*VitaPeaksReleaseFunc) (gpointer data);
VitaPeaks *vita_peaks_new_full (const float *pcm, gsize n_samples, int sample_rate,
                                VitaPeaksReleaseFunc release, gpointer release_data);
VitaPeaks *vita_peaks_ref    (VitaPeaks *peaks);
void       vita_peaks_unref  (VitaPeaks *peaks);
gsize      vita_peaks_get_n_samples (const VitaPeaks *peaks);
const float *vita_peaks_get_samples (const VitaPeaks *peaks);
/* Min and max of samples [start, end) (clamped); FALSE if the range is empty. */
gboolean   vita_peaks_range  (const VitaPeaks *peaks, gint64 start, gint64 end,
                              float *min, float *max);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (VitaPeaks, vita_peaks_unref)

/* ---- the analysis as painters see it ---------------------------------------- */

/* Computes one window's attention (L, NH, N, N); default: vita_analysis_window_attention. */
typedef gboolean (*VitaWindowAttentionFunc) (const VitaAnalysis *an, int window, float *out,
                                             GError **error);

/* Per-analysis cache: heatmap surfaces (built once per analysis, layer, head,
 * colormap), the last window's recomputed attention maps and rollout, the
 * received-attention curve shown.  Main thread only.  Ref-counted; holds a ref on the analysis. */
typedef struct _VitaPaintCache VitaPaintCache;

VitaPaintCache *vita_paint_cache_new   (VitaAnalysis *an);
VitaPaintCache *vita_paint_cache_ref   (VitaPaintCache *cache);
void            vita_paint_cache_unref (VitaPaintCache *cache);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (VitaPaintCache, vita_paint_cache_unref)
VitaAnalysis   *vita_paint_cache_get_analysis (VitaPaintCache *cache);
void            vita_paint_cache_set_attention_func (VitaPaintCache *cache,
                                                     VitaWindowAttentionFunc func);
/* The analysis progressed (more windows ready, SSMs complete): drop surfaces built
 * from partial data.  Cheap; surfaces are rebuilt lazily. */
void            vita_paint_cache_invalidate (VitaPaintCache *cache);
/* More windows became ready: drops only what spans windows (the SSM surface, the
 * received-attention curve); a ready window's attention, rollout and heatmaps are
 * final and stay. */
void            vita_paint_cache_progressed (VitaPaintCache *cache);
/* Attention of one window, (L, NH, N, N); the last window is kept.  NULL + error when
 * the window is not analysed yet or the computation failed. */
const float    *vita_paint_cache_window_attention (VitaPaintCache *cache, int window,
                                                   GError **error);
/* Whether window's attention is cached now (nothing computed or started, no LRU
 * stamp moved): what a panel painted now would show. */
gboolean        vita_paint_cache_has_window_attention (VitaPaintCache *cache, int window);
/* Hands the cache window's attention computed elsewhere (data: g_new'd, of
 * vita_analysis_window_attention_size floats, as vita_analysis_window_attention gives;
 * taken over, freed when not kept): a panel painted now shows it without a worker's
 * round trip.  Ignored when the cache computes its attention with another function
 * (vita_paint_cache_set_attention_func) or has that window already. */
void            vita_paint_cache_put_window_attention (VitaPaintCache *cache, int window,
                                                       float *data);
/* Asynchronous mode (what the widgets use; export and the CLI stay synchronous):
 * a window not cached yet is computed on a worker thread, window_attention returns
 * NULL with VITA_MODEL_ERROR_BUSY meanwhile, and ready(cache, data) runs on the main
 * context once it is there; the next window is then prefetched.  The UI never waits
 * for a forward pass. */
void            vita_paint_cache_set_async (VitaPaintCache *cache, gboolean async,
                                            GFunc ready, gpointer data);
gboolean        vita_paint_cache_get_async (VitaPaintCache *cache);
/* Attention rollout (model/vita-derived.h's vita_attention_rollout) of one window up
 * to and including block, (N, N); the last one is kept. */
const float    *vita_paint_cache_rollout (VitaPaintCache *cache, int window, int block,
                                          GError **error);
/* Owning window of a frame (clamped), -1 without an analysis. */
int             vita_paint_cache_window_for_frame (VitaPaintCache *cache, int frame);

/* Attribution overlay (issue 17; model/explain/vita-attribution.h): a map over the
 * track's (n_frames, n_mels) mel input drawn over the mel panel in the diverging
 * colormap centred on zero, with its own colorbar and per-frame / per-band marginals.
 * Cells not computed yet are NaN (transparent: the overlay fills as windows finish).
 * The cache keeps a copy; serial changes with every set (cached textures key on it). */
void            vita_paint_cache_set_attribution (VitaPaintCache *cache, const float *map,
                                                  int n_frames, int n_mels, const char *label);
void            vita_paint_cache_clear_attribution (VitaPaintCache *cache);
/* Opacity of the overlay, 0..1 (default 0.7). */
void            vita_paint_cache_set_attribution_opacity (VitaPaintCache *cache, double opacity);
/* The map (NULL: none) with its size, opacity, colour scale ±vabs (the 99.5th
 * percentile of |map|: larger values saturate) and label.  Drawn with coverage
 * sqrt(|v| / vabs) × opacity: cells near zero leave the mel visible. */
const float    *vita_paint_cache_get_attribution (VitaPaintCache *cache, int *n_frames,
                                                  int *n_mels, double *opacity, double *vabs,
                                                  const char **label);
guint           vita_paint_cache_get_attribution_serial (VitaPaintCache *cache);

/* ---- probe lanes (filled by the probes code later) --------------------------- */

typedef struct {
  char   *name;          /* lane title, e.g. "chords · layer 6" */
  int     n_frames;      /* frames of the track (frame i centred at i * hop) */
  int     n_classes;
  char  **class_names;   /* (n_classes) */
  float  *probs;         /* (n_frames, n_classes) probabilities, or NULL */
  int    *labels;        /* (n_frames) predicted class (-1 none), or NULL = argmax probs */
  int    *truth;         /* (n_frames) ground truth class (-1 none), or NULL */
  gboolean binary;       /* onsets/beats: draw P(class 1) as a curve */
  /* The score so far (with truth): run_num[k] / run_den[k] over the annotated part
   * before frame k (prefix sums, vita-metrics.h's _running), or NULL; score_what
   * ("majmin", "F", static) and score (the whole track's) for the label. */
  double *run_num, *run_den;
  const char *score_what;
  double  score;
} VitaProbeLane;

VitaProbeLane *vita_probe_lane_new  (const char *name, int n_frames, int n_classes,
                                     const char *const *class_names);
void           vita_probe_lane_free (VitaProbeLane *lane);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (VitaProbeLane, vita_probe_lane_free)

/* ---- panels: a registry of class records ------------------------------------
 *
 * Every panel is one painter file that defines one VitaPanelClass (what it is
 * called, how it is laid out, what it draws, where its playhead goes, what a click
 * on it means, what it exports, what it depends on) and one line in
 * vita-panel-registry.c that lists it.  Everything else — the widgets, the window's
 * cards, export, the CLI's `render --panel`, the whole-view figure — goes through
 * the registry; nothing switches on a panel.  VitaPanel is a panel's index in the
 * registry; the built-in ones have names below for the code that means one of them,
 * a new panel needs none (vita_panel_from_string finds it by name). */

typedef enum {
  VITA_PANEL_WAVEFORM,
  VITA_PANEL_MEL,
  VITA_PANEL_ATTENTION,        /* one window's map: layer/head, average or rollout */
  VITA_PANEL_ATTENTION_GRID,   /* all blocks × heads of the window */
  VITA_PANEL_ATTENTION_ROW,    /* the row of the query token */
  VITA_PANEL_RECEIVED,         /* attention received per frame vs spectral flux */
  VITA_PANEL_SSM,              /* per-layer self-similarity, playhead cross */
  VITA_PANEL_OVERVIEW,         /* the whole track, visible range */
  VITA_PANEL_PROBES,           /* probe lanes */
  VITA_PANEL_PROBEOGRAM,       /* layer × time probe-o-gram (vita-probeogram.h) */
  VITA_PANEL_LAYOUT,           /* the whole view: every panel as on screen */
} VitaPanel;

/* How many panels are registered (valid VitaPanel values are 0 .. count - 1). */
int vita_panel_count (void);
#define VITA_N_PANELS (vita_panel_count ())
/* At most this many (for fixed arrays of panels). */
#define VITA_MAX_PANELS 32

typedef enum {
  VITA_ATTENTION_HEAD,         /* snap->head, or the head average when head == -1 */
  VITA_ATTENTION_ROLLOUT,
} VitaAttentionMode;

/* ---- training curves (the training window) ---------------------------------- */

/* One logged training step. */
typedef struct {
  gint64 step;
  float  loss, loss_avg, accuracy, accuracy_avg, lr;
} VitaTrainingPoint;

typedef struct {
  const VitaTrainingPoint *points;     /* (n_points), in step order; borrowed */
  int                      n_points;
  double                   chance;     /* accuracy by chance (1 / (2·pairs − 1)), 0: unknown */
} VitaTrainingCurves;

/* ---- two sides: a comparison (model A beside model B, or the audio beside an edit) --
 *
 * With ctx->compare set, every model panel (VITA_PANEL_NEEDS_MODEL) draws both sides
 * (views/vita-compare-painter.c): side by side — left A, right B; time-aligned panels
 * A above B so their time axes stay aligned with the others — each under a label
 * naming its side, on one colour scale unless per_side_scale; or, in difference mode,
 * A − B for the attention map, the layers × heads grid and the SSM with the diverging
 * colormap centred on zero and its own colorbar (other panels stay side by side).
 * The received-attention panel overlays both sides' curves on one axis with the
 * spectral flux; probe lanes show A and B when B has lanes (lanes_b), else side A;
 * the probe-o-gram shows A beside B when B has one (A − B in difference mode when the
 * shapes match), else side A. */
typedef enum {
  VITA_COMPARE_SIDE_BY_SIDE,
  VITA_COMPARE_DIFFERENCE,
} VitaCompareView;

typedef struct _VitaPaintCompare {
  VitaPaintCache *cache_b;             /* side B's analysis (ctx->cache is A's) */
  const char     *label_a, *label_b;   /* what each side is ("default.safetensors",
                                          "random-init twin, seed 7") */
  VitaCompareView view;
  gboolean        per_side_scale;      /* attention maps: each side its own scale */
  gboolean        same_input;          /* B reads A's audio (another model): the mel
                                          panel is drawn once */
  VitaProbeLane *const *lanes_b;       /* B's probe lanes, or NULL: an edited track's */
  int             n_lanes_b;           /* (same_input FALSE) A above B; another model's
                                          A's and B's lane of a task over one
                                          ground-truth row, each labelled by side */
  /* Side B's own layer / head (token layer; -1 = head mean) when the configurations
   * differ (depth or heads): B's panels show these, A's the snapshot's, and every
   * side label says which layer / head it shows.  FALSE: the snapshot drives both. */
  gboolean        own_layers;
  int             layer_b, head_b;
  const struct _VitaProbeogram *probeogram_b;  /* B's probe-o-gram, or NULL */
} VitaPaintCompare;
/* ---- annotation layers (drawn over the waveform and mel panels) -------------- */

typedef enum {
  VITA_ANNOTATION_CHORDS = 1 << 0,     /* labelled segments along the plot's top */
  VITA_ANNOTATION_BEATS  = 1 << 1,     /* ticks from the top */
  VITA_ANNOTATION_ONSETS = 1 << 2,     /* ticks from the bottom */
  VITA_ANNOTATION_KEY    = 1 << 3,     /* a label in the legend */
  VITA_ANNOTATION_ALL    = 0xf,
} VitaAnnotationKind;

/* What the annotation files gave, in seconds (borrowed arrays; any may be empty). */
typedef struct {
  const double *chord_start, *chord_end;
  const char *const *chord_label;      /* "C:maj", "N" (no chord: not drawn) */
  int           n_chords;
  const double *beats;
  int           n_beats;
  const double *onsets;
  int           n_onsets;
  const char   *key;                   /* "C major", or NULL */
  guint         shown;                 /* VitaAnnotationKind bits shown */
} VitaAnnotationLayers;

/* Draws the shown layers over a time-aligned plot, with a legend of what is drawn
 * (beside the panel's title above the plot where it fits). */
void vita_paint_annotations (cairo_t *cr, const VitaStyle *style, const VitaRect *plot,
                             const VitaTimelineSnapshot *snap,
                             const VitaAnnotationLayers *layers, const char *title);
/* Whether the probe panel draws `layers` (shown ones with data) as its ground-truth
 * lane when no probes are loaded. */
gboolean vita_probe_lanes_has_ground_truth (const VitaAnnotationLayers *layers);
/* The chord label at t seconds (shown layers only), or NULL. */
const char *vita_annotation_chord_at (const VitaAnnotationLayers *layers, double t);

typedef struct {
  VitaPaintCache *cache;               /* NULL: panels needing the analysis say so */
  VitaPeaks      *peaks;               /* waveform / overview; may be NULL */
  const VitaTimelineSnapshot *snap;
  const VitaStyle *style;
  VitaAttentionMode attention_mode;
  VitaProbeLane *const *lanes;         /* probe lanes, may be NULL */
  int             n_lanes;
  const struct _VitaProbeogram *probeogram;  /* probe-o-gram panel, may be NULL */
  const VitaTrainingCurves *training;  /* training-curves panel, may be NULL */
  const struct _VitaEmergence *emergence;  /* emergence panel (a series), may be NULL */
  int             emergence_current;   /* its checkpoint to mark, -1 none */
  const VitaAnnotationLayers *annotations;  /* waveform / mel overlay, may be NULL */
  /* Attention grid of a figure: bit b = block / head b shown (0 = all).  A chosen
   * subset shares one absolute colour scale. */
  guint64         grid_layers, grid_heads;
  const VitaPaintCompare *compare;     /* two sides (see above), or NULL */
  float           shared_vmax;         /* > 0: the attention map's colour scale is
                                          [0, shared_vmax] (both sides of a comparison) */
  /* The whole view (layout panel): bit p = panel p shown (0 = every panel with data);
   * a presentation view's panel set. */
  guint64         layout_panels;
  /* The whole view's panels in the window's on-screen order (its arrangement), or
   * NULL: the default order (vita_panel_arrangement). */
  const VitaPanel *layout_order;
  int             n_layout_order;
  /* The whole view fills a fixed frame (a video's): one square beside the
   * time-aligned panels, several in a centred row under them, each panel of the
   * shape it draws (vita_layout_place). */
  gboolean        fill_frame;
  /* The progressive open (app/vita-analysis-job.h): TRUE while the track decodes (no
   * PCM yet: the waveform and overview draw the unknown pattern), with decode_progress
   * in [0, 1] (< 0: not known); preview: the analysis is a preview whose mel (the
   * model input) exists only in its ready windows, the rest unknown.  Both FALSE (a
   * zeroed context): everything drawn is known. */
  gboolean        decoding;
  double          decode_progress;
  gboolean        preview;
} VitaPaintContext;

typedef enum {
  VITA_PANEL_TIME_ALIGNED = 1 << 0,    /* x is time in the visible range: zoom, scroll,
                                          drag to select, shared playhead x */
  VITA_PANEL_NEEDS_MODEL  = 1 << 1,    /* on screen only with a model */
  VITA_PANEL_ON_DEMAND    = 1 << 2,    /* on screen only while it has data (probe-o-gram) */
  VITA_PANEL_FIGURE_ONLY  = 1 << 3,    /* not a card on screen (the whole view) */
  VITA_PANEL_WHOLE_TRACK  = 1 << 4,    /* x is the whole track (the overview): the
                                          visible range is a band, scrolling pages */
} VitaPanelTraits;

/* What the drawn content (besides the playhead) depends on: widgets redraw on these
 * timeline notifications and key their cached texture on them. */
typedef enum {
  VITA_DEPENDS_VISIBLE   = 1 << 0,     /* visible-start / visible-end */
  VITA_DEPENDS_SELECTION = 1 << 1,     /* selection-start / selection-end */
  VITA_DEPENDS_LAYER     = 1 << 2,     /* layer, head, query-token */
  VITA_DEPENDS_ANALYSIS  = 1 << 3,     /* the analysis's progress (a new analysis redraws every panel) */
  VITA_DEPENDS_PEAKS     = 1 << 4,     /* the PCM envelope */
  VITA_DEPENDS_TOKENS    = 1 << 5,     /* the analysis's per-frame tokens (keep_tokens) */
  VITA_DEPENDS_DECODING  = 1 << 6,     /* the context's decoding, decode_progress, preview */
  VITA_DEPENDS_AUDIO_ONLY = 1 << 7,    /* nothing of the analysis at all (nor of what is
                                          derived from it, as probe lanes): a new analysis
                                          (a preview's replaced) leaves the content as is */
} VitaPanelDepends;

typedef struct _VitaPanelClass VitaPanelClass;

/* What is under the pointer (the hover read-out; painters compute, the widget shows
 * it as a small label above the plot). */
typedef struct {
  char text[192];      /* "1:02.3 · 440 Hz (A4) · 0.82", units included */
  int  layer, head;    /* a cell a click selects (attention grid): token layer
                          1…L and head 0-based (-1 average); -2: none */
} VitaReadout;

/* A panel's class record.  Callbacks get the record itself first, so that panels
 * of one kind share their callbacks (the time-aligned ones: vita_time_panel_*). */
struct _VitaPanelClass {
  const char      *name;       /* "mel": CLI --panel, sidecar, export choice */
  const char      *title;      /* card title on screen (English; N_() for gettext) */
  const char      *subtitle;   /* card subtitle */
  VitaPanelFlags   flags;      /* axes, colorbar, title: the layout geometry */
  VitaPanelTraits  traits;
  VitaPanelDepends depends;
  /* Arrangement, on screen and in the whole-view figure: panels in `order`;
   * consecutive panels with the same non-zero row share a horizontal row; width -1
   * takes the rest of the row; height in px on screen (weights in the figure). */
  double           order;
  int              row, width, height;
  void     (*paint)        (cairo_t *cr, const VitaRect *area, const VitaPaintContext *ctx);
  /* Optional: where the playhead goes (see vita_panel_playhead). */
  gboolean (*playhead)     (const VitaPanelClass *klass, const VitaRect *area,
                            const VitaPaintContext *ctx, VitaRect *plot, double *x, double *y);
  /* Optional: the visible range as a mark (see vita_panel_visible_mark). */
  gboolean (*visible_mark) (const VitaPanelClass *klass, const VitaRect *area,
                            const VitaPaintContext *ctx, VitaRect *mark);
  /* Optional: click-to-seek (see vita_panel_hit_sample). */
  gboolean (*hit_sample)   (const VitaPanelClass *klass, const VitaRect *area,
                            const VitaPaintContext *ctx, double px, double py, gint64 *sample);
  /* Optional: what is under (px, py) (see vita_panel_readout); without it a panel
   * with hit_sample reads out the time. */
  gboolean (*readout)      (const VitaPanelClass *klass, const VitaRect *area,
                            const VitaPaintContext *ctx, double px, double py,
                            VitaReadout *out);
  /* Optional: what of the content depends on the position (see vita_panel_position_key). */
  gint64   (*position_key) (const VitaPanelClass *klass, const VitaPaintContext *ctx);
  /* Optional: the array drawn (see vita_panel_array). */
  float   *(*array)        (const VitaPanelClass *klass, const VitaPaintContext *ctx, int *ndim,
                            gsize shape[4], GError **error);
  /* Optional: a figure's natural height at a width (pt, at the style's font size);
   * without it a panel is as tall as the figures engine's default for its kind
   * (vita_figure_natural_height, views/vita-export.h). */
  double   (*natural_height) (const VitaPanelClass *klass, const VitaPaintContext *ctx,
                              double width);
};

/* The record of a registered panel (NULL outside 0 .. count - 1). */
const VitaPanelClass *vita_panel_get_class (VitaPanel panel);
/* The panel a record is registered as (painters that have no VITA_PANEL_ name). */
VitaPanel   vita_panel_of_class (const VitaPanelClass *klass);
/* Registered panels in arrangement order (screen and whole view), figure-only ones
 * left out: a new array of n VitaPanel. */
VitaPanel  *vita_panel_arrangement (int *n);

const char *vita_panel_to_string   (VitaPanel panel);
gboolean    vita_panel_from_string (const char *name, VitaPanel *out);
/* x is time in the visible range (shares zoom/scroll and the playhead line). */
gboolean    vita_panel_is_time_aligned (VitaPanel panel);

/* Draws a panel into area (user units). */
void     vita_panel_paint (VitaPanel panel, cairo_t *cr, const VitaRect *area,
                           const VitaPaintContext *ctx);
/* Where the playhead goes: the plot rectangle and a vertical line x and/or a
 * horizontal line y (NAN when absent).  FALSE when the panel has no playhead. */
gboolean vita_panel_playhead (VitaPanel panel, const VitaRect *area,
                              const VitaPaintContext *ctx, VitaRect *plot, double *x,
                              double *y);
/* The visible-range mark of the overview (a band) and the SSM (a square on the
 * diagonal), drawn by painters when snap->show_playhead; FALSE for other panels or
 * when the whole track is visible. */
gboolean vita_panel_visible_mark (VitaPanel panel, const VitaRect *area,
                                  const VitaPaintContext *ctx, VitaRect *mark);
/* What of the panel's content (besides the playhead line) depends on the position:
 * the window (attention map, grid) or the frame (attention row).  A widget re-renders
 * its cached content when this changes; 0 for panels whose content does not. */
gint64   vita_panel_position_key (VitaPanel panel, const VitaPaintContext *ctx);
/* Sample under point (px, py) for click-to-seek; FALSE outside the plot. */
gboolean vita_panel_hit_sample (VitaPanel panel, const VitaRect *area,
                                const VitaPaintContext *ctx, double px, double py,
                                gint64 *sample);
/* The hover read-out at (px, py): FALSE outside the plot (out->text empty). */
gboolean vita_panel_readout (VitaPanel panel, const VitaRect *area,
                             const VitaPaintContext *ctx, double px, double py,
                             VitaReadout *out);
/* A time as read-outs show it, in the format of the time axis under it
 * (vita_time_use_minutes): seconds ("3.25 s", "42.3 s"), m:ss.s over long spans. */
void     vita_format_readout_time (double seconds, double span, char *buf, gsize size);
/* "A4" for 440 Hz (nearest equal-tempered note), "" below 1 Hz. */
void     vita_note_name (double hz, char *buf, gsize size);
/* The array a panel draws, for .npy export: newly allocated, ndim ≤ 4. */
float   *vita_panel_array (VitaPanel panel, const VitaPaintContext *ctx, int *ndim,
                           gsize shape[4], GError **error);

/* The individual painters (what vita_panel_paint dispatches to). */
void vita_waveform_paint       (cairo_t *cr, const VitaRect *area, const VitaPaintContext *ctx);
void vita_mel_paint            (cairo_t *cr, const VitaRect *area, const VitaPaintContext *ctx);
void vita_attention_paint      (cairo_t *cr, const VitaRect *area, const VitaPaintContext *ctx);
void vita_attention_grid_paint (cairo_t *cr, const VitaRect *area, const VitaPaintContext *ctx);
void vita_attention_row_paint  (cairo_t *cr, const VitaRect *area, const VitaPaintContext *ctx);
void vita_received_paint       (cairo_t *cr, const VitaRect *area, const VitaPaintContext *ctx);
void vita_ssm_paint            (cairo_t *cr, const VitaRect *area, const VitaPaintContext *ctx);
void vita_overview_paint       (cairo_t *cr, const VitaRect *area, const VitaPaintContext *ctx);
/* ctx->probeogram through vita_probeogram_paint (a "no probes" message when NULL). */
void vita_probeogram_panel_paint (cairo_t *cr, const VitaRect *area, const VitaPaintContext *ctx);
void vita_probe_lanes_paint    (cairo_t *cr, const VitaRect *area, const VitaPaintContext *ctx);
/* Probe lanes keep a readable height: a row (a lane, or its ground truth) is at least
 * three lines of its label column (task, layer, score); the panel's least height for
 * these lanes (0 without lanes), in the style's units. */
double vita_probe_lanes_min_row_height (const VitaStyle *style);
double vita_probe_lanes_min_height (const VitaStyle *style, VitaProbeLane *const *lanes,
                                    int n_lanes);
/* A lane's label at the snapshot's playhead: its name, and with a running score the
 * score so far up to the playhead's whole second beside the whole track's
 * ("onset F · layer 1 · .77 to 1:23 · .74 whole"); newly allocated. */
char  *vita_probe_lane_label (const VitaProbeLane *lane, const VitaTimelineSnapshot *snap);
/* What of the probe panel changes with the position: the playhead's whole second when
 * a lane (A's or B's) has a running score, else 0. */
gint64 vita_probe_lanes_position_key (const VitaPaintContext *ctx);
/* The lane (index into ctx->lanes) whose row or ground-truth row is at y; -1 outside. */
int    vita_probe_lanes_hit (const VitaRect *area, const VitaPaintContext *ctx, double y);
void vita_layout_paint         (cairo_t *cr, const VitaRect *area, const VitaPaintContext *ctx);
/* Where vita_layout_paint draws each panel of the whole view, in drawing order: up to
 * max panels and their areas; the count (0: nothing to show). */
#define VITA_LAYOUT_MAX_PLACED (3 * VITA_MAX_PANELS)
/* A video frame's font size by default: its height / this (24 px at 1080 lines, read
 * from the back of a room; `render-video --font-size` sets another). */
#define VITA_VIDEO_FONT_DIVISOR 45.0
int  vita_layout_place         (const VitaRect *area, const VitaPaintContext *ctx, VitaPanel *panels,
                                VitaRect *rects, int max);
void vita_training_paint       (cairo_t *cr, const VitaRect *area, const VitaPaintContext *ctx);

/* ---- comparison (vita-compare-painter.c) ---- */
/* The sub-areas and contexts a panel is drawn in under ctx->compare: n = 1 (one panel,
 * or the difference) or 2 (A, B); ctxs[i] have compare NULL (copies of ctx, B with
 * cache_b; with own_layers, B's snap is snap_b: ctx->snap with B's layer, head and
 * counts).  Side by side with one colour scale (SSM, CKA, attention with a shared
 * scale), A's colorbar is left out (ctxs[0].style is style_a) and B's serves both, the
 * two plots as large as each other, their titles wrapped to the same width (style_b).  Playheads and clicks use these.  ctxs point into
 * the struct: use it where vita_compare_sides filled it. */
typedef struct {
  int                  n;
  VitaRect             areas[2];
  VitaPaintContext     ctxs[2];
  VitaTimelineSnapshot snap_b;
  VitaStyle            style_a, style_b;
} VitaCompareSides;
int   vita_compare_sides (VitaPanel panel, const VitaRect *area, const VitaPaintContext *ctx,
                          VitaCompareSides *sides);
/* Whether panel has an A − B view (VITA_COMPARE_DIFFERENCE; else it stays A beside B). */
gboolean vita_compare_has_difference (VitaPanel panel);
/* The probe panel of two models (side B another model with lanes): A's and B's lane of
 * a task, then their one ground-truth row; lanes of a task only one side has, alone.
 * Views of the lanes (names "A: chord · layer 3 · …", data borrowed); side[] / index[]
 * (may be NULL; n_a + n_b long) say whose lane each row is.  Free with
 * vita_compare_merged_lanes_free. */
VitaProbeLane **vita_compare_merge_lanes (VitaProbeLane *const *lanes_a, int n_a,
                                          VitaProbeLane *const *lanes_b, int n_b,
                                          int *n_rows, int *side, int *index);
void  vita_compare_merged_lanes_free (VitaProbeLane **lanes, int n);
/* vita_probe_lanes_hit of the probe panel as drawn (two models or not): the lane's index
 * in its side's lanes and *side (0 = A, 1 = B); -1 outside. */
int   vita_compare_lanes_hit (const VitaRect *area, const VitaPaintContext *ctx, double y,
                              int *side);
/* "layer 3, head 2" / "layer 0 (input)" / "layer 3, mean of heads": what a side shows. */
void  vita_compare_describe_layer (int layer, int head, char *buf, gsize size);
/* TRUE when the panel shows A − B now (difference mode, a panel that has one, both sides
 * analysed with the same blocks / SSM size). */
gboolean vita_compare_shows_difference (VitaPanel panel, const VitaPaintContext *ctx);
void  vita_compare_panel_paint (VitaPanel panel, cairo_t *cr, const VitaRect *area,
                                const VitaPaintContext *ctx);
/* The array of the difference A − B the panel shows (attention (T, T), grid
 * (L, H, T, T), SSM (S, S)); NULL + error when it has none. */
float *vita_compare_difference_array (VitaPanel panel, const VitaPaintContext *ctx, int *ndim,
                                      gsize shape[4], GError **error);

/* Shared helpers for painters. */
/* Block shown for token layer k: max(k, 1) - 1, clamped to the model's depth. */
int    vita_paint_block_for_layer (const VitaAnalysis *an, int layer);
/* x of sample s in a plot showing the snapshot's visible range. */
double vita_paint_x_for_sample (const VitaRect *plot, const VitaTimelineSnapshot *snap,
                                gint64 s);
/* Selection shading over a time-aligned plot. */
void   vita_paint_selection (cairo_t *cr, const VitaStyle *style, const VitaRect *plot,
                             const VitaTimelineSnapshot *snap);

G_END_DECLS
