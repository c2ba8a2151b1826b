/* vita-analysis.h — long audio: windows → forward passes → per-frame results.
 *
 * Windows.  A track of n_frames mel frames is cut into windows of T frames with 50 %
 * overlap: window w starts at frame w * window_hop (window_hop = T / 2, at least 1),
 * and the last window is aligned to the end of the track (starts at n_frames - T), so
 * n_windows = 1 + ceil((n_frames - T) / window_hop) when n_frames > T.  A track
 * shorter than T (n_frames < T) gets one window whose frames n_frames .. T-1 are
 * padding: the normalised log-mel value of digital silence,
 *   pad_value = (log(log_offset) - input_mean) / input_std
 * (what the front-end produces for mel power 0).  n_pad says how many padded frames
 * window 0 has (0 for every track of at least T frames); no per-frame output ever
 * comes from a padded frame, but padded frames do take part in the window's
 * attention (they are keys and queries like any other token).
 *
 * Ownership.  Each frame's per-frame outputs come from the window in which it sits
 * most centrally: the window w containing f that minimises |2 (f - start_w) - (T - 1)|,
 * the earlier window on a tie.  Ownership is monotone: window w owns the contiguous
 * frames window_owned[w] .. window_owned[w+1] - 1 (possibly none).  Each window keeps
 * its own class token of every layer.
 *
 * Received attention.  For block l (0..L-1), head h, frame f owned by window w
 * starting at s:  received[l, h, f] = sum over q = 0..N-1 of A_w[l, h, q, 1 + f - s],
 * i.e. the column sum of the window's softmax attention matrix (row = query,
 * column = key, token 0 = class token) over ALL of the window's N query rows: the
 * class token and padded frames included.  Its sum over all N keys of a window is N.
 *
 * SSM.  ssm[l] is the cosine self-similarity of layer l's sequence tokens over the
 * whole track, mean-pooled to cells of ssm_pool × ssm_pool frames:
 *   u_f = x_f / max(|x_f|, 1e-8),  P_i = mean of u_f over group i = frames
 *   [i*pool, min((i+1)*pool, n_frames)),  ssm[l, i, j] = P_i · P_j,
 * which is exactly the mean of the full-resolution cosine matrix over the block
 * (group i × group j) — not the cosine of pooled tokens (the diagonal is < 1 where
 * a group's tokens differ).  With pool = 1 it is the plain cosine SSM.  It is
 * accumulated as windows finish (no full-resolution matrix and no kept tokens are
 * needed) and computed with cblas_ssyrk at the end.
 *
 * Token cache.  The tokens of every layer of a long track are large (n_layers·n_frames·D
 * floats: 3.4 GB for 3 hours at paper size), and so are its mel input (173 MB for 3
 * hours) and the SSM partial sums.  Each array beyond opt->tokens_in_memory_max is a
 * VitaStore (model/vita-store.h): a file in the user's cache folder
 * ($XDG_CACHE_HOME/vitascope/store-XXXXXX), unlinked as soon as it is created (it is
 * gone when the analysis is freed or the process ends, however it ends), written by
 * the workers with pwrite(2) and mapped read-only at an->tokens / an->mel: readers
 * index them as before, the process's resident set holds only the pages read through
 * the pointers lately (vita_analysis_release_tokens drops them; bulk readers use
 * vita_analysis_read_tokens, which makes nothing resident), and the kernel may evict
 * them.  A full disk fails the run (VITA_MODEL_ERROR_IO, naming the folder), leaving
 * the windows done so far valid.
 *
 * Attention maps are large (L·NH·N² per window) and are NOT kept for the whole track:
 * they are streamed to a sink while running, or recomputed on demand per window
 * (vita_analysis_window_attention).
 *
 * Threading.  vita_analysis_run() is meant for a worker thread (one run at a time per
 * analysis; a second concurrent call fails).  Fields set by vita_analysis_new() (sizes,
 * window_start, window_owned, frame_window, mel) never change afterwards.  Readers on
 * other threads may read a window's results (its cls rows, and tokens / received of
 * the frames it owns) once vita_analysis_window_ready() returns TRUE for it (the flag
 * is set with a full barrier after the data is written, and the data never changes
 * again); for one frame use vita_analysis_frame_ready().  ssm and the timing fields
 * are valid once vita_analysis_is_complete() is TRUE.
 *
 * Whole track's CKA.  The linear CKA of every pair of token layers over the whole track
 * (35 GFLOP for 3 minutes at paper size, more than the SSMs by far) is not part of the
 * analysis: it is the stage after it, vita_analysis_run_track_cka(), run by whoever
 * shows or writes it once the analysis is complete (the app: in the background after
 * the panels are complete; the CLI: when its output needs it), and read through
 * vita_analysis_track_cka() (NULL until there).  A cancelled run leaves the
 * finished windows valid; calling vita_analysis_run() again resumes with the
 * windows not done yet.  The analysis holds a ref on the model: the weights must
 * not change while it lives (the trainer hands out snapshots).
 */
#pragma once

#include "vita-vit.h"
#include <gio/gio.h>

G_BEGIN_DECLS

typedef struct {
  int      ssm_max;          /* SSM resolution bound (default 1024): frames are
                                pooled in groups of ceil(n_frames / ssm_max) */
  int      batch;            /* windows per forward pass (default 8) */
  int      priority_frame;   /* -1, or compute windows nearest this frame first */
  gboolean keep_tokens;      /* default TRUE: per-frame tokens of every layer */
  int      workers;          /* threads computing batches (default 0: one per core);
                                at most one per batch still to do, and as many
                                as keep the workers' forward states (batch windows
                                each, ~6 MB a window at paper size) within 96 MB.  Results do not
                                depend on it (bit for bit; the batch size and the
                                priority, which decide which windows share a forward
                                pass, may change the last bits).  With more than one,
                                OpenBLAS is set to 1 thread while the run lasts
                                (a process-wide setting, restored afterwards). */
  gsize    tokens_in_memory_max; /* default 64 MiB (a 3.4-minute track's tokens at paper
                                    size): larger arrays (tokens, mel, SSM partial sums)
                                    live in cache files (see "Token cache" above);
                                    0: always files */
} VitaAnalysisOptions;

void vita_analysis_options_init (VitaAnalysisOptions *opt);

/* The app's batch (app/vita-analysis-job.c): windows per forward pass of a track's
 * analysis in the window.  The batch decides which windows share a forward pass, and
 * with some BLAS kernels (OpenBLAS's Prescott ones, measured: the deeper test model's
 * layer-3 tokens) a row's last bits depend on it; what must draw as the window does
 * (`vitascope-cli render`, a session's lanes and probe-o-grams the same pixels as the
 * window's export) analyses with the same batch. */
#define VITA_ANALYSIS_APP_BATCH 2

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
  float  *ssm;             /* (n_layers, S, S) block means of the cosine SSM (see above) */

  gint   *window_ready;    /* (n_windows) atomic flags */
  gint    n_ready;         /* atomic */
  gint    complete;        /* atomic: all windows and SSMs done */
  gint    ref_count;

  /* Added by the analysis branch (after the fields above, which stay as they were). */
  int    *window_owned;    /* (n_windows + 1) window w owns frames [window_owned[w], window_owned[w+1]) */
  int     n_pad;           /* padded frames at the end of window 0 (n_frames < T), else 0 */
  float   pad_value;       /* normalised log-mel of silence used for padding */
  double  seconds_forward; /* wall time in forward passes + per-frame gathering (valid when complete) */
  double  seconds_ssm;     /* wall time of the final SSM products (after the windows) */
  double  cpu_seconds_ssm; /* process CPU time (all threads) of the same: the work, under load */
  float  *cka;             /* (n_layers, n_layers) linear CKA of the token layers over the whole
                              track (vita-derived.h): NULL until vita_analysis_run_track_cka()
                              has computed it (atomic pointer: read it with
                              vita_analysis_track_cka()); stays NULL without tokens */
  float  *onset;           /* (n_frames) spectral flux of the audio (dsp/vita-features.h's
                              vita_onset_flux, from the front-end), or NULL: vita_analysis_set_onset */
  double  seconds_cka;     /* wall time of vita_analysis_run_track_cka (valid with cka) */
  double  cpu_seconds_cka; /* process CPU time (all threads) of the same */
  struct _VitaAnalysisPrivate *priv;  /* run state; NULL in instances built by hand
                                         (views/ tests): every function copes */
} VitaAnalysis;

/* Called after a batch, from whichever worker thread finished it (the thread that
 * called vita_analysis_run() or one it started), never by two threads at once;
 * windows_done increases from one call to the next (a batch already counted in
 * another worker's report gets no call of its own).  vita_analysis_run_track_cka
 * calls it once more with n_windows when the whole track's CKA is there. */
typedef void (*VitaAnalysisProgress) (VitaAnalysis *an, int windows_done, int n_windows,
                                      gpointer user_data);
/* Called with one window's attention (L, NH, N, N), in the order the windows were
 * handed to the workers (window index order when priority_frame is -1), never by two
 * threads at once, from any worker thread (with several workers, one that finished a
 * later batch waits for the earlier batches to be sent; a window is flagged ready just
 * before it is sent).
 * Returning FALSE (with error set) stops the run with that error; the windows
 * computed so far stay valid and a later run does not send them again. */
typedef gboolean (*VitaAnalysisAttentionSink) (VitaAnalysis *an, int window,
                                               const float *attention, gpointer user_data,
                                               GError **error);

/* Copies mel (n_frames, M); n_frames >= 1.  mel may be NULL: the caller then fills
 * it with vita_analysis_set_mel before the run (a long track's mel computed in parts,
 * never whole in memory).  Fails (VITA_MODEL_ERROR_METADATA) on bad
 * options or sizes, (VITA_MODEL_ERROR_IO) when the result arrays cannot be allocated. */
VitaAnalysis *vita_analysis_new   (VitaVit *vit, const float *mel, int n_frames,
                                   const VitaAnalysisOptions *opt, GError **error);
VitaAnalysis *vita_analysis_ref   (VitaAnalysis *an);
void          vita_analysis_unref (VitaAnalysis *an);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (VitaAnalysis, vita_analysis_unref)

/* Computes every window not done yet, then the SSMs (not the whole track's CKA: see
 * vita_analysis_run_track_cka), with opt->workers threads (the calling one included) that take batches from one shared
 * queue, nearest the current priority frame first (the last windows in batches of at
 * most half of what is left).  Each worker checks cancellation before it takes a batch
 * (G_IO_ERROR_CANCELLED); the run returns once every worker has stopped.  Each worker
 * holds its own forward state (batch windows of activations).  The SSMs' layers then
 * run on as many threads; every result is the same for any number of workers.
 * progress is called after the batches (see VitaAnalysisProgress). */
gboolean vita_analysis_run (VitaAnalysis *an,
                            VitaAnalysisProgress progress, gpointer progress_data,
                            VitaAnalysisAttentionSink sink, gpointer sink_data,
                            GCancellable *cancellable, GError **error);

/* The stage after a complete run: the whole track's CKA into an->cka, on as many
 * threads as the run's workers (vita_analysis_cka_threads: the same bits for any
 * number), cancellable (G_IO_ERROR_CANCELLED, nothing kept: a later call starts
 * over).  TRUE at once when it is there already, or when there is nothing to compute
 * (no tokens kept, fewer than 2 frames: an->cka stays NULL).  Fails
 * (VITA_MODEL_ERROR_BUSY) before the analysis is complete or while another run or
 * stage of it is in progress.  When it has computed the CKA, progress (may be NULL) is
 * called once more with (n_windows, n_windows), from this thread. */
gboolean vita_analysis_run_track_cka (VitaAnalysis *an,
                                      VitaAnalysisProgress progress, gpointer progress_data,
                                      GCancellable *cancellable, GError **error);
/* an->cka once vita_analysis_run_track_cka() has computed it, else NULL.  Any thread. */
const float *vita_analysis_track_cka (const VitaAnalysis *an);

gboolean vita_analysis_window_ready (const VitaAnalysis *an, int window);
/* TRUE when frame's per-frame results (tokens, received) are written. */
gboolean vita_analysis_frame_ready  (const VitaAnalysis *an, int frame);
gboolean vita_analysis_is_complete  (const VitaAnalysis *an);
/* Changes which windows a running (or the next) run computes first: those nearest
 * frame (-1: in index order).  Any thread; takes effect at the next batch any worker
 * takes (batches already taken are finished). */
void     vita_analysis_set_priority_frame (VitaAnalysis *an, int frame);
/* Window containing frame most centrally. */
int      vita_analysis_window_for_frame (const VitaAnalysis *an, int frame);
/* The model input of one window: out (T, M), padding included. */
void     vita_analysis_window_input (const VitaAnalysis *an, int window, float *out);
/* TRUE when an->tokens is the token cache file's mapping (see "Token cache"). */
gboolean vita_analysis_tokens_cached (const VitaAnalysis *an);
/* mel (n, M) into frames first .. first + n - 1 of the model input, for an analysis
 * made with mel NULL; before vita_analysis_run() and before the analysis is shared. */
gboolean vita_analysis_set_mel (VitaAnalysis *an, int first, const float *mel, int n,
                                GError **error);
/* The smallest and largest finite values of the model input (what the mel panel's
 * colours span), kept as it was written: nothing is read back.  FALSE when none. */
gboolean vita_analysis_mel_range (const VitaAnalysis *an, float *lo, float *hi);
/* The tokens of layer 0..n_layers-1, frames first .. first + n - 1, into out (n, D),
 * without making the cache file's pages resident (the analysis must keep tokens). */
void     vita_analysis_read_tokens (const VitaAnalysis *an, int layer, int first, int n,
                                    float *out);
/* Drops the pages of the token cache (and of the mel's cache) that this process has read from its resident set
 * (the data stays in the file: a later read, from any thread, faults them back in).
 * Any thread, any time; a no-op when the tokens are in memory. */
void     vita_analysis_release_tokens (VitaAnalysis *an);
/* Keeps a copy of the track's spectral flux, onset (n_frames), from the same
 * front-end call as the mel (dsp/vita-mel.h's vita_frontend_compute).  Before the
 * analysis is shared with other threads. */
void     vita_analysis_set_onset (VitaAnalysis *an, const float *onset);
/* Recompute one window's attention maps: out (L, NH, N, N). Thread-safe (own state). */
gboolean vita_analysis_window_attention (const VitaAnalysis *an, int window, float *out,
                                         GError **error);
/* The floats of one window's attention maps: L · NH · N · N (N = frames + 1). */
gsize    vita_analysis_window_attention_size (const VitaAnalysis *an);

G_END_DECLS
