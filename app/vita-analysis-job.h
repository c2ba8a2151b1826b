/* vita-analysis-job.h — one track's analysis on a worker thread.
 *
 * decode → mel → (with a model) vita_analysis_new + vita_analysis_run, the windows
 * nearest priority_frame first.  Signals are emitted on the main thread (the
 * context that called vita_analysis_job_start):
 *   decoded            — the PCM is ready (get_pcm, get_peaks, get_n_samples)
 *   analysis-started   — get_analysis() is valid (a new one, or NULL); its windows fill
 *                        in progressively.  With set_preview, it may come first with a
 *                        preview: an analysis of the whole track's size (get_n_samples,
 *                        from the file's header) in which only the window under the
 *                        playhead is ready, bit for bit the track's own; later again
 *                        with the track's analysis once that has the same window
 *                        (or NULL first, if the header's length was not the track's)
 *   progress (int done, int total)   — coalesced, at most one pending at a time
 *   finished (GError* or NULL)       — the worker thread is about to leave
 * Nothing is emitted after vita_analysis_job_cancel().  vita_analysis_job_join()
 * blocks until the worker thread has left (window close, application shutdown).
 */
#pragma once

#include <gio/gio.h>
#include "dsp/vita-audio.h"
#include "model/vita-analysis.h"

G_BEGIN_DECLS

#define VITA_TYPE_ANALYSIS_JOB (vita_analysis_job_get_type ())
G_DECLARE_FINAL_TYPE (VitaAnalysisJob, vita_analysis_job, VITA, ANALYSIS_JOB, GObject)

/* vit may be NULL: decode and mel only. */
VitaAnalysisJob *vita_analysis_job_new    (const char *audio_path, VitaVit *vit, int priority_frame);
/* The same job on PCM already decoded (pcm taken; its sample rate must be the model's):
 * no decoding.  `name` stands for the path in messages (e.g. "song.ogg, transposed +2").
 * A comparison's side B analyses side A's PCM — or an edit of it — through this. */
VitaAnalysisJob *vita_analysis_job_new_for_pcm (const char *name, VitaPcm *pcm, VitaVit *vit,
                                                int priority_frame);
/* Edits (dsp/vita-edit.h's VitaEdit*, array ref taken) applied to the PCM on the worker
 * before the mel: the job then analyses the edited audio (get_pcm returns it).  Before
 * start. */
void             vita_analysis_job_set_edits (VitaAnalysisJob *self, GPtrArray *edits);
/* Worker threads of the analysis (0: one per core but one, the default); before start.
 * The two sides of a comparison take half each (vita_analysis_job_half_workers), so
 * both fill together, nearest the playhead first, without oversubscribing the cores. */
void             vita_analysis_job_set_workers (VitaAnalysisJob *self, int workers);
int              vita_analysis_job_half_workers (void);
void             vita_analysis_job_start  (VitaAnalysisJob *self);
void             vita_analysis_job_cancel (VitaAnalysisJob *self);
void             vita_analysis_job_join   (VitaAnalysisJob *self);
gboolean         vita_analysis_job_is_running (VitaAnalysisJob *self);
/* The windows nearest frame are analysed next (a seek); any time, main thread. */
void             vita_analysis_job_set_priority_frame (VitaAnalysisJob *self, int frame);
const char      *vita_analysis_job_get_path (VitaAnalysisJob *self);

/* The progressive open: the window under the playhead (priority_frame) is decoded,
 * turned into mel and analysed alone first, for a file that can be read a stretch at
 * a time (FLAC, OGG/Vorbis, MP3, uncompressed WAV/AIFF…; vita_audio_load_stretch) — see
 * "analysis-started".  Off by default; before start. */
void             vita_analysis_job_set_preview (VitaAnalysisJob *self, gboolean preview);

/* Valid after "decoded" (main thread). */
const VitaPcm   *vita_analysis_job_get_pcm (VitaAnalysisJob *self);
/* The PCM's min/max envelope for the waveform and overview panels; borrowed. */
struct _VitaPeaks *vita_analysis_job_get_peaks (VitaAnalysisJob *self);
/* The track's length in samples at the model's rate: after "decoded", or after an
 * "analysis-started" with a preview (then from the file's header); else 0. */
gint64           vita_analysis_job_get_n_samples (VitaAnalysisJob *self);
/* How far the decode is, in [0, 1] (the file's frames read of its header's; the
 * decoder's threads update it), or -1 while not known; any time, main thread. */
double           vita_analysis_job_get_decode_progress (VitaAnalysisJob *self);
/* What the last "analysis-started" handed over; borrowed.  The track's mel (the model
 * input) is the analysis' (an->mel): the job keeps no copy. */
VitaAnalysis    *vita_analysis_job_get_analysis (VitaAnalysisJob *self);
/* In an "analysis-started" handler of a preview: its window's attention maps
 * (vita_analysis_window_attention, computed with the preview on the job's thread),
 * transfer full, and that window in *window; NULL otherwise (or once taken). */
float           *vita_analysis_job_take_window_attention (VitaAnalysisJob *self, int *window);
/* Whether the analysis "analysis-started" handed over last is a preview (one window,
 * before the track's analysis; also a seek's just after the decode). */
gboolean         vita_analysis_job_is_preview (VitaAnalysisJob *self);

G_END_DECLS
