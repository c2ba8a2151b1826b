/* vita-session-side.h — side B of a comparison (issue 11; issue 17's counterfactual):
 * a second model on the session's audio, or the session's model on an edited copy of
 * that audio — one timeline, one decode, two analyses.
 *
 * A VitaSessionSide is made and owned by a VitaSession (vita_session_compare_with_*);
 * others only read it (vita_session_get_side_b) and observe its properties:
 *
 *   kind          VitaSideKind                                      read-only
 *   label         "other.safetensors, step 200", "random-init twin, seed 7",
 *                 "song.ogg — transpose:+2" (what labels call side B)  read-only
 *   pcm-ready     bool: the PCM side B analyses is there (get_pcm)   read-only
 *   complete      bool: side B's analysis is complete                read-only
 *
 * Its analysis runs in its own VitaAnalysisJob on side A's decoded PCM (or an edit of
 * it, applied on the job's worker thread), nearest the playhead first, started once A
 * has decoded; panels draw it through get_analysis_source.
 */
#pragma once

#include <gio/gio.h>
#include "vita-analysis-job.h"
#include "vita-analysis-source.h"

G_BEGIN_DECLS

typedef enum {
  VITA_SIDE_MODEL,   /* another model file (or a training run's checkpoint), same audio */
  VITA_SIDE_TWIN,    /* the open model's random-init twin (same config, a seed), same audio */
  VITA_SIDE_EDIT,    /* the open model on an edited copy of the audio (dsp/vita-edit.h) */
} VitaSideKind;

#define VITA_TYPE_SESSION_SIDE (vita_session_side_get_type ())
G_DECLARE_FINAL_TYPE (VitaSessionSide, vita_session_side, VITA, SESSION_SIDE, GObject)

VitaSideKind vita_session_side_get_kind  (VitaSessionSide *self);
const char  *vita_session_side_get_label (VitaSessionSide *self);
/* The model side B runs (a twin: in memory; an edit: side A's model). */
VitaVit     *vita_session_side_get_model (VitaSessionSide *self);
/* VITA_SIDE_MODEL: the model file; else NULL. */
const char  *vita_session_side_get_model_path (VitaSessionSide *self);
/* VITA_SIDE_TWIN: the twin's seed. */
guint64      vita_session_side_get_seed  (VitaSessionSide *self);
/* VITA_SIDE_EDIT: the edits as written ("transpose:+2"), NULL-terminated; else NULL. */
const char *const *vita_session_side_get_edits (VitaSessionSide *self);
VitaAnalysisSource *vita_session_side_get_analysis_source (VitaSessionSide *self);
VitaAnalysis *vita_session_side_get_analysis (VitaSessionSide *self);
/* The PCM side B analyses, at the model's rate: for an edit the edited audio (what an
 * A/B playback toggle plays), else side A's.  NULL until pcm-ready. */
const VitaPcm *vita_session_side_get_pcm (VitaSessionSide *self);
gboolean     vita_session_side_get_complete (VitaSessionSide *self);

/* ---- for VitaSession only */
VitaSessionSide *vita_session_side_new (VitaSideKind kind, VitaVit *vit, const char *model_path,
                                        guint64 seed, const char *const *edits);
/* (Re)starts the analysis on a copy of pcm (side A's; audio_name names it in
 * messages); an edit side applies its edits first.  Errors come as "failed". */
void         vita_session_side_start (VitaSessionSide *self, const VitaPcm *pcm,
                                      const char *audio_name, int priority_frame);
void         vita_session_side_stop  (VitaSessionSide *self, gboolean join);
/* Started (and not stopped since): its analysis runs or ran on the current audio. */
gboolean     vita_session_side_is_started (VitaSessionSide *self);
void         vita_session_side_set_priority_frame (VitaSessionSide *self, int frame);
/* An edit side follows side A's model. */
void         vita_session_side_set_model (VitaSessionSide *self, VitaVit *vit);

G_END_DECLS
