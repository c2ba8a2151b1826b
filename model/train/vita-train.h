/* vita-train.h — contrastive training of the ViT-1D (shared/design/vit1d-format.md,
 * "Contrastive training"), in the llm.c manner: one contiguous buffer each for the
 * parameters (VitaVit.memory), their gradients, the AdamW moments m and v, and the
 * activation gradients; backward kernels accumulate with +=; cblas_sgemm for every
 * matrix product.
 *
 * Sizes as in vita-vit.h; here B = 2 × pairs: rows 0..pairs-1 are views a,
 * rows pairs..2·pairs-1 are views b, and row i's positive is row (i + pairs) mod B.
 */
#pragma once

#include "model/vita-vit.h"
#include "model/vita-rng.h"
#include <gio/gio.h>

G_BEGIN_DECLS

/* ------------------------------------------------------------------------------ */
/* NT-Xent (SimCLR, Chen et al. 2020): z → L2-normalised zn; s = zn zn^T / τ with the
 * diagonal excluded; loss = mean over the B rows of the cross-entropy of each row
 * against its positive among the other B−1.  Normalisation as torch.nn.functional.
 * normalize (divides by max(||z||, 1e-12)). */

typedef struct {
  int    B;        /* rows (2 × pairs), capacity */
  int    P;        /* projection size */
  float *zn;       /* (B, P)  normalised projections */
  float *norm;     /* (B)     max(||z||, 1e-12) */
  float *prob;     /* (B, B)  softmax over each row (diagonal 0) */
  float *scratch;  /* (B, B)  dlogits */
  float *dzn;      /* (B, P) */
} VitaNtxent;

VitaNtxent *vita_ntxent_new  (int B, int P);
void        vita_ntxent_free (VitaNtxent *nt);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (VitaNtxent, vita_ntxent_free)

/* z: (B, P), B even, B <= nt->B.  Returns the mean loss; *accuracy (may be NULL) is
 * the fraction of rows whose most similar other row is their positive. */
float vita_ntxent_forward  (VitaNtxent *nt, const float *z, int B, float tau, float *accuracy);
/* dz (B, P) += dloss/dz for the last forward (loss scaled by dloss, usually 1). */
void  vita_ntxent_backward (VitaNtxent *nt, float *dz, int B, float tau, float dloss);
/* Naive double-precision reference (tests, finite differences). */
double vita_ntxent_loss_ref (const float *z, int B, int P, float tau, double *accuracy);

/* ------------------------------------------------------------------------------ */
/* AdamW (Loshchilov & Hutter 2019) exactly as torch.optim.AdamW (PyTorch 1.13,
 * foreach=False): p ← p − lr·wd·p; m ← β1 m + (1−β1) g; v ← β2 v + (1−β2) g²;
 * p ← p − (lr / (1−β1^t)) · m / (sqrt(v) / sqrt(1−β2^t) + eps). */

typedef struct {
  float  lr;            /* peak learning rate after warm-up */
  float  lr_min;        /* end of the cosine */
  gint64 warmup_steps;  /* linear warm-up from lr/warmup to lr */
  gint64 total_steps;   /* end of the cosine schedules */
  float  wd_start;      /* cosine weight decay 0.04 → 0.01 (DINO's cosine_scheduler) */
  float  wd_end;
  float  beta1;         /* 0.9 */
  float  beta2;         /* 0.98 */
  float  eps;           /* 1e-8 (torch default) */
  float  clip_norm;     /* global gradient-norm clip; 0 = off */
} VitaSchedule;

void  vita_schedule_init_default (VitaSchedule *s, gint64 total_steps);
/* Learning rate and weight decay used by step `step` (0-based). */
float vita_schedule_lr (const VitaSchedule *s, gint64 step);
float vita_schedule_wd (const VitaSchedule *s, gint64 step);

/* One tensor: t is the 1-based step count (bias correction). */
void vita_adamw_update (float *param, const float *grad, float *m, float *v, gsize n,
                        float lr, float beta1, float beta2, float eps, float wd, gint64 t);
/* The whole model: tensors with vita_vit_param_no_decay() get wd = 0.  grads, m, v
 * are laid out as vit->memory.  Returns the global gradient norm (before clipping;
 * clipping scales the gradient by clip_norm/norm when norm > clip_norm > 0). */
float vita_adamw_step_vit (VitaVit *vit, float *grads, float *m, float *v,
                           const VitaSchedule *s, gint64 step);

/* ------------------------------------------------------------------------------ */
/* Backward pass.  Gradients of the parameters in one buffer laid out as
 * vit->memory; activation gradients in one more buffer, reused layer by layer. */

typedef struct {
  VitaVitConfig cfg;
  int           B;           /* capacity in windows */
  VitaVitParams grads;       /* pointers into memory */
  float        *memory;      /* (num_params) parameter gradients, owned */
  gsize         num_params;
  /* activation gradients (one layer at a time; llm.c reuses them the same way) */
  float *act_memory;         /* owned */
  float *dres;       /* (B, N, D)   gradient of the residual stream */
  float *dln;        /* (B, N, D)   gradient of a LayerNorm output */
  float *datty;      /* (B, N, D) */
  float *dqkv;       /* (B, N, 3D) */
  float *dfch;       /* (B, N, H4)  gradient of the GELU output, then of its input */
  float *datt;       /* (NH, N, N)  per (b, h), reused */
  float *dpatch;     /* (B, T, D) */
  float *dhead;      /* (B, D)      head hidden */
  float *dz;         /* (B, P)      gradient of the projection (NT-Xent writes it) */
  float *ones;       /* (B, N)      ones: bias gradients are one sgemv each */
} VitaVitGrads;

VitaVitGrads *vita_vit_grads_new  (const VitaVitConfig *cfg, int B);
void          vita_vit_grads_free (VitaVitGrads *g);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (VitaVitGrads, vita_vit_grads_free)
/* Zeroes the parameter gradients (one memset) and dz. */
void          vita_vit_grads_zero (VitaVitGrads *g);

/* After vita_vit_forward (state->training == TRUE) on input (B, T, M) and with
 * g->dz holding dloss/dz: accumulates every parameter gradient into g->grads. */
void vita_vit_backward (const VitaVit *vit, VitaVitState *state, VitaVitGrads *g,
                        const float *input, int B);

/* Gradient of a scalar target with respect to the normalised input, for attribution
 * (model/explain/vita-attribution.h).  After vita_vit_forward on a training state
 * (state->training == TRUE) on input (B, T, M), with the target's gradient given on
 * token layer `layer` (0..L; dtokens (B, N, D), NULL = none) and/or on the softmax
 * probabilities of block `att_block` (0..L-1; datt (B, NH, N, N), NULL = none):
 * writes dinput (B, T, M).  Blocks above the highest one the target reads are skipped;
 * every token row of the blocks below takes part.  No parameter gradient is computed
 * (g's LayerNorm gradients are used as scratch; g->dz is ignored). */
void vita_vit_backward_input (const VitaVit *vit, VitaVitState *state, VitaVitGrads *g,
                              int layer, const float *dtokens, int att_block, const float *datt,
                              float *dinput, int B);

/* The forward a training step needs: like vita_vit_forward, but the last block is
 * computed for the class-token rows only (the rest does not reach the loss).  The
 * state must be a training state; it is for vita_vit_backward, not for analysis. */
void vita_vit_forward_train (const VitaVit *vit, VitaVitState *state, const float *input, int B);

/* Single kernels (llm.c names; outputs first, += into gradients). */
void vita_layernorm_backward (float *dinp, float *dweight, float *dbias,
                              const float *dout, const float *inp, const float *weight,
                              const float *mean, const float *rstd, int rows, int C);
void vita_gelu_backward      (float *dinp, const float *inp, const float *dout, gsize n);
void vita_gelu_backward_ref  (float *dinp, const float *inp, const float *dout, gsize n);


/* One optimisation step on a batch: forward, NT-Xent, backward, AdamW (with the
 * schedule's clipping) at 0-based step `step`.  Returns the loss; *accuracy and
 * *grad_norm (may be NULL) are filled.  When the loss or the gradient is not finite
 * the weights are NOT updated (the caller stops; the last good weights stay). */
float vita_vit_train_step (VitaVit *vit, VitaVitState *state, VitaVitGrads *g,
                           VitaNtxent *nt, float *m, float *v, const VitaSchedule *s,
                           gint64 step, const float *input, int B,
                           float *accuracy, float *grad_norm);

/* A training step split over `workers` threads by windows (data parallel inside the
 * step): each worker runs forward and backward on its share of the B windows with
 * single-threaded BLAS, NT-Xent couples them once, the gradients are summed in a fixed
 * order (deterministic for a given number of workers), then one AdamW update.  Scales
 * better than multi-threaded BLAS on small matrices, and every element-wise kernel
 * runs in parallel too.  All buffers are allocated here, none in the step. */
typedef struct _VitaTrainStep VitaTrainStep;
VitaTrainStep *vita_train_step_new  (const VitaVitConfig *cfg, int B, int workers);
void           vita_train_step_free (VitaTrainStep *ts);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (VitaTrainStep, vita_train_step_free)
/* As vita_vit_train_step on B = the capacity given to _new. */
float vita_train_step_run (VitaTrainStep *ts, VitaVit *vit, float *m, float *v,
                           const VitaSchedule *s, gint64 step, const float *input,
                           float *accuracy, float *grad_norm);

/* ------------------------------------------------------------------------------ */
/* Training data: a folder of audio → cached log-mel per track → positive pairs. */

typedef struct _VitaTrainData VitaTrainData;

typedef struct {
  guint files_done;
  guint files_total;
  const char *path;        /* file being prepared */
} VitaTrainDataProgress;
typedef void (*VitaTrainDataProgressFunc) (const VitaTrainDataProgress *p, gpointer user_data);

/* Scans dir recursively for files vita_audio_load reads (by extension: wav, flac,
 * ogg, oga, opus, mp3, aif, aiff, au, w64, caf), computes the log-mel of each with fe
 * (input_mean/std ignored: the cache holds raw log-mel) or reads it from cache_dir
 * (key: path, size, mtime, every front-end setting).  Unreadable files and files
 * shorter than `frames` are skipped with a g_warning naming them.  Tracks whose
 * relative path hashes into the first val_fraction of the hash space are held out
 * for validation (at least one when there are 4 or more tracks).  Fails only when no
 * training track remains, or on cancellation. */
VitaTrainData *vita_train_data_new (const char *dir, const char *cache_dir,
                                    const VitaFrontend *fe, int frames, double val_fraction,
                                    VitaTrainDataProgressFunc progress, gpointer user_data,
                                    GCancellable *cancellable, GError **error);
void           vita_train_data_free (VitaTrainData *d);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (VitaTrainData, vita_train_data_free)
guint          vita_train_data_n_tracks (const VitaTrainData *d, gboolean validation);
/* Mean and standard deviation of the raw log-mel over the training tracks. */
void           vita_train_data_stats (const VitaTrainData *d, float *mean, float *std);
/* Stable fingerprint of the track list (relative paths, frame counts). */
const char    *vita_train_data_fingerprint (const VitaTrainData *d);

/* How pairs are drawn: the two views start gap_min..gap_max seconds apart (views of
 * 4 s never overlap for gap_min > 4.03 s; training-notes.md: 4.2–8 s). */
typedef struct {
  double gap_min_s;     /* 4.2 */
  double gap_max_s;     /* 8.0 */
  gboolean augment;     /* per-view gain and light noise (pitch untouched) */
  float  gain_db;       /* ± uniform gain, dB (a constant shift of the log-mel) */
  float  noise_std;     /* Gaussian noise on the normalised log-mel */
} VitaPairOptions;
void vita_pair_options_init (VitaPairOptions *o);

/* The data cursor (checkpointed): a shuffled order of the training tracks, drawn
 * with rng; each pair takes the next track of it; a new order when it runs out. */
typedef struct {
  VitaRng rng;
  guint   *order;       /* (n_train) owned */
  guint    n_order;
  guint    pos;
  guint64  pairs_drawn;
} VitaPairCursor;

void vita_pair_cursor_init  (VitaPairCursor *c, const VitaTrainData *d, guint64 seed);
void vita_pair_cursor_clear (VitaPairCursor *c);
/* "rng:pos:pairs:i,j,k,..." and back (FALSE when it does not fit this data). */
char    *vita_pair_cursor_to_string   (const VitaPairCursor *c);
gboolean vita_pair_cursor_from_string (VitaPairCursor *c, const VitaTrainData *d, const char *str);

/* Fills out (2·pairs, T, M) with normalised views (rows 0..pairs-1 view a, then b). */
void vita_train_data_batch (const VitaTrainData *d, VitaPairCursor *c, const VitaPairOptions *po,
                            const VitaFrontend *fe, int frames, int pairs, gboolean validation,
                            float *out);

/* Positive-pair retrieval over `n_pairs` pairs drawn deterministically from `seed`
 * (validation tracks when validation, else training tracks), in batches of `pairs`:
 * mean NT-Xent loss and mean accuracy. */
gboolean vita_train_evaluate (VitaVit *vit, const VitaTrainData *d, gboolean validation,
                              const VitaPairOptions *po, int pairs, int n_batches, guint64 seed,
                              float *loss, float *accuracy);

/* ------------------------------------------------------------------------------ */
/* The trainer: what the CLI and the GUI drive.  It runs on one thread (the caller's
 * with vita_trainer_run(), or its own with vita_trainer_start()); callbacks are
 * invoked ON THE TRAINING THREAD — a GUI forwards them with an idle source
 * (vita_main_post; not g_main_context_invoke, which may run them right there).
 * The trainer never touches GTK. */

#define VITA_TRAIN_DEFAULT_STEPS 2000

typedef struct {
  char         *data_dir;      /* folder of audio */
  char         *out_dir;       /* checkpoints, lock file; created if missing */
  char         *cache_dir;     /* NULL: out_dir/mel-cache */
  char         *config;        /* preset name ("small-4l", "tiny", "test") */
  int           pairs;         /* batch size in positive pairs (64) */
  gint64        steps;         /* length of the schedule; 0: VITA_TRAIN_DEFAULT_STEPS for a
                                  new run, the checkpoint's own when resuming */
  gint64        stop_after;    /* 0, or stop (with a checkpoint) after this many steps in this run */
  int           threads;       /* BLAS threads, 0 = leave as is */
  guint64       seed;
  gboolean      resume;        /* continue from the newest good checkpoint in out_dir */
  gboolean      config_given;  /* resuming: config was chosen by the user, not a default, so a
                                  checkpoint of another configuration is refused (not ignored) */
  gboolean      pairs_given;   /* likewise for pairs (--batch) */
  VitaSchedule  schedule;      /* total_steps follows `steps` */
  VitaPairOptions pair;
  double        val_fraction;  /* 0.1 */
  int           checkpoint_every;     /* steps (0: time only) */
  double        checkpoint_seconds;   /* also save when this much time has passed */
  int           keep_checkpoints;     /* 2: the newest and the one before */
  int           snapshot_every;       /* steps between snapshots (0: none) */
  gboolean      pause_on_save_error;  /* GUI: pause and retry on resume; CLI: fail */
  /* the checkpoint series (a thinned history for emergence views): a complete model file
   * out_dir/series/step-NNNNNNNN.safetensors at each of these steps; NULL: the default
   * 0, 1, 2, 5, 10, 20, 50, … (1-2-5 per decade); an empty array (n_series_steps 0 with
   * series_steps non-NULL) keeps none. */
  gint64       *series_steps;
  int           n_series_steps;
} VitaTrainOptions;

/* The default series: 0 and 1, 2, 5 × 10^k up to `limit`. Returns the count written
 * into out (at most `cap`). */
/* Removes a checkpoint's optimiser and data-cursor bookkeeping from a model's metadata
 * (what vita_checkpoint_export leaves out). */
void     vita_model_strip_training_state (VitaVit *vit);
int      vita_train_series_default (gint64 *out, int cap, gint64 limit);
/* "0,1,2,5,10" → steps (sorted, unique); "none" → 0 steps. FALSE on a malformed list. */
gboolean vita_train_series_parse   (const char *text, gint64 **steps, int *n, GError **error);

void vita_train_options_init  (VitaTrainOptions *o);
void vita_train_options_clear (VitaTrainOptions *o);

typedef enum {
  VITA_TRAIN_PREPARING,   /* scanning / computing log-mel: files_done / files_total */
  VITA_TRAIN_RUNNING,
  VITA_TRAIN_PAUSED,
  VITA_TRAIN_SAVING,
  VITA_TRAIN_FINISHED,    /* schedule complete or stopped; a checkpoint was written */
  VITA_TRAIN_FAILED,      /* message says why */
} VitaTrainPhase;

typedef struct {
  VitaTrainPhase phase;
  gint64  step;            /* steps done */
  gint64  total_steps;
  float   loss;            /* of the last step */
  float   accuracy;        /* positive-pair accuracy of the last step */
  float   loss_avg;        /* moving average (about 20 steps) */
  float   accuracy_avg;
  float   lr;
  float   grad_norm;
  double  pairs_per_s;
  double  eta_s;
  guint   files_done, files_total;
  const char *message;     /* warnings / errors, or NULL */
} VitaTrainProgress;

typedef void (*VitaTrainProgressFunc) (const VitaTrainProgress *p, gpointer user_data);
/* snapshot: a new model (transfer full: unref it when done), a copy of the weights */
typedef void (*VitaTrainSnapshotFunc) (VitaVit *snapshot, gint64 step, gpointer user_data);

typedef struct _VitaTrainer VitaTrainer;

/* Checks the options, creates out_dir, takes the lock (VITA_MODEL_ERROR_BUSY when
 * another trainer holds it).  Data preparation happens in run. */
VitaTrainer *vita_trainer_new  (const VitaTrainOptions *opt, GError **error);
/* Stops, joins and releases the lock. */
void         vita_trainer_free (VitaTrainer *t);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (VitaTrainer, vita_trainer_free)

void vita_trainer_set_progress_func (VitaTrainer *t, VitaTrainProgressFunc func, gpointer user_data);
void vita_trainer_set_snapshot_func (VitaTrainer *t, VitaTrainSnapshotFunc func, gpointer user_data);

/* Blocking: prepares the data, resumes or initialises, trains until the schedule
 * ends, stop_after, vita_trainer_stop(), a NaN (VITA_MODEL_ERROR_NONFINITE; the last
 * good weights stay in the newest checkpoint) or a save error. */
gboolean vita_trainer_run   (VitaTrainer *t, GError **error);
/* The same on a new thread; join returns run's result. */
gboolean vita_trainer_start (VitaTrainer *t, GError **error);
gboolean vita_trainer_join  (VitaTrainer *t, GError **error);
/* TRUE between start and the end of the thread's run (then join does not block). */
gboolean vita_trainer_is_running (VitaTrainer *t);
void     vita_trainer_pause  (VitaTrainer *t);
void     vita_trainer_resume (VitaTrainer *t);
/* Asks the run to stop after the current step (it writes a checkpoint). Thread-safe. */
void     vita_trainer_stop   (VitaTrainer *t);
gint64   vita_trainer_get_step (VitaTrainer *t);
/* A copy of the current weights (thread-safe), or NULL before the model exists. */
VitaVit *vita_trainer_dup_model (VitaTrainer *t);

/* ------------------------------------------------------------------------------ */
/* Checkpoints: safetensors with the model tensors, adam.m.<name>, adam.v.<name>, and
 * metadata (checkpoint_step, schedule, data cursor, config, checksum of every tensor). */

typedef struct {
  VitaVit *vit;            /* owned */
  float   *m, *v;          /* (num_params) owned */
  gint64   step;
  GHashTable *metadata;    /* the file's metadata, owned */
} VitaCheckpoint;

void     vita_checkpoint_clear (VitaCheckpoint *ck);
/* Reads and verifies one checkpoint file (checksum, tensors, metadata). */
gboolean vita_checkpoint_load  (const char *path, VitaCheckpoint *ck, GError **error);
/* The checkpoint files of dir (checkpoint-<digits>.safetensors), newest (highest
 * step) first: the one listing the trainer and the training window use. */
GPtrArray *vita_checkpoint_list (const char *dir);
/* The step in a checkpoint file's name, -1 when the name is not a checkpoint's. */
gint64   vita_checkpoint_step_of (const char *path);
/* The newest checkpoint in dir that loads; corrupt newer ones are reported via
 * g_warning and skipped.  FALSE with VITA_MODEL_ERROR_IO "no checkpoint" when none. */
gboolean vita_checkpoint_load_newest (const char *dir, VitaCheckpoint *ck, char **path_out, GError **error);
/* Writes checkpoint-<step>.safetensors atomically; extra metadata is added as is. */
gboolean vita_checkpoint_save  (const char *dir, const VitaVit *vit, const float *m, const float *v,
                                gint64 step, GHashTable *extra_metadata, char **path_out, GError **error);
/* The model alone, optimizer state stripped, with provenance metadata. */
VitaVit *vita_checkpoint_export (const VitaCheckpoint *ck);

/* The audio files under dir (by extension, hidden entries skipped), each directory
 * entered once and each file listed once by identity (device, inode): symlink loops
 * end and a file linked twice is listed once.  *n_skipped counts the links skipped,
 * *first_skipped (may be NULL; free it) names the first.  Paths in walk order. */
GPtrArray *vita_train_scan_folder (const char *dir, guint *n_skipped, char **first_skipped);

G_END_DECLS
