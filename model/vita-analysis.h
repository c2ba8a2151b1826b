/* vita-analysis.h — long audio: windows → forward passes → per-frame results.
 *
 * A track of n_frames mel frames is cut into windows of T frames with 50 % overlap
 * (window w starts at frame w * hop_w, hop_w = T / 2; the last window is aligned to
 * the end; tracks shorter than T are zero-padded... see vita-analysis.c).  Each frame's
 * per-frame outputs come from the window in which it sits most centrally; each window
 * keeps its own class token.  Attention maps are large (L·NH·N² per window) and are
 * NOT kept for the whole track: they are recomputed on demand per window
 * (vita_analysis_window_attention) or streamed to a callback while running.
 *
 * Threading: vita_analysis_run() is meant for a worker thread.  Readers on other
 * threads may read any window's results once vita_analysis_window_ready() says so
 * (acquire/release on a per-window flag); SSMs are complete once
 * vita_analysis_is_complete() is TRUE.
 */
#pragma once

#include "vita-vit.h"
#include <gio/gio.h>

G_BEGIN_DECLS

typedef struct {
  int      ssm_max;          /* SSM resolution bound (default 1024): frames are
                                mean-pooled in groups of ceil(n_frames / ssm_max) */
  int      batch;            /* windows per forward pass (default 8) */
  int      priority_frame;   /* -1, or compute windows nearest this frame first */
  gboolean keep_tokens;      /* default TRUE: per-frame tokens of every layer */
} VitaAnalysisOptions;

void vita_analysis_options_init (VitaAnalysisOptions *opt);

typedef struct {
  VitaVit *vit;            /* ref held */
  VitaVitConfig cfg;       /* copy of vit->cfg */
  int     n_frames;        /* frames of the track */
  int     n_layers;        /* token layers: depth + 1 */
  int     n_windows;
  int     window_hop;      /* T / 2 */
  int    *window_start;    /* (n_windows) first frame of each window */
  int    *frame_window;    /* (n_frames) window that owns each frame (most central) */

  float  *mel;             /* (n_frames, M) normalised log-mel, the model's exact input (owned copy) */
  float  *tokens;          /* (n_layers, n_frames, D) or NULL when !keep_tokens */
  float  *cls;             /* (n_windows, n_layers, D) class token of each window per layer */
  float  *received;        /* (L, NH, n_frames) attention each frame receives: column sum over
                              the owning window's query tokens (class token included), per head */
  int     ssm_size;        /* S = ceil(n_frames / pool) */
  int     ssm_pool;        /* frames per SSM cell */
  float  *ssm;             /* (n_layers, S, S) cosine similarity of pooled sequence tokens */

  gint   *window_ready;    /* (n_windows) atomic flags */
  gint    n_ready;         /* atomic */
  gint    complete;        /* atomic: all windows and SSMs done */
  gint    ref_count;
} VitaAnalysis;

typedef void (*VitaAnalysisProgress) (VitaAnalysis *an, int windows_done, int n_windows,
                                      gpointer user_data);
/* Called from the running thread with one window's attention (L, NH, N, N). */
typedef gboolean (*VitaAnalysisAttentionSink) (VitaAnalysis *an, int window,
                                               const float *attention, gpointer user_data,
                                               GError **error);

VitaAnalysis *vita_analysis_new   (VitaVit *vit, const float *mel, int n_frames,
                                   const VitaAnalysisOptions *opt, GError **error);
VitaAnalysis *vita_analysis_ref   (VitaAnalysis *an);
void          vita_analysis_unref (VitaAnalysis *an);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (VitaAnalysis, vita_analysis_unref)

gboolean vita_analysis_run (VitaAnalysis *an,
                            VitaAnalysisProgress progress, gpointer progress_data,
                            VitaAnalysisAttentionSink sink, gpointer sink_data,
                            GCancellable *cancellable, GError **error);

gboolean vita_analysis_window_ready (const VitaAnalysis *an, int window);
gboolean vita_analysis_is_complete  (const VitaAnalysis *an);
/* Window containing frame most centrally. */
int      vita_analysis_window_for_frame (const VitaAnalysis *an, int frame);
/* Recompute one window's attention maps: out (L, NH, N, N). Thread-safe. */
gboolean vita_analysis_window_attention (const VitaAnalysis *an, int window, float *out,
                                         GError **error);

G_END_DECLS
