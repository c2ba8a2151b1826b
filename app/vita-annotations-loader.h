/* vita-annotations-loader.h — the window's annotations and probes (issue 5 item 7).
 *
 * Annotation files (.lab chords, beat/onset lists, key) are parsed on a worker thread
 * (GTask): they are untrusted and may be large.  Probe files are small and load on the
 * main thread.  VitaProbeSet holds what was loaded and turns it into probe lanes for
 * the probe panel once an analysis with tokens exists.  No widget code here: the
 * window shows the messages as toasts. */
#pragma once

#include <gio/gio.h>
#include "model/probe/vita-annotations.h"
#include "model/probe/vita-annotation-set.h"
#include "model/probe/vita-probe.h"
#include "model/vita-analysis.h"
#include "views/vita-painters.h"

G_BEGIN_DECLS

/* What one load of annotation files produced (any field may be NULL / VITA_KEY_X). */
typedef struct {
  VitaChordTrack *chords;
  VitaEventList  *beats;
  VitaEventList  *onsets;
  int             key;
  gboolean        has_key;
  GPtrArray      *messages;  /* char *: errors and warnings (file:line), for toasts */
  int             n_loaded;  /* files that gave something */
  char           *summary;   /* "found chords (12 segments) from x.lab, key (C major) from
                                x.jams; no beats, no onsets", or "No annotations in x.txt";
                                NULL when no file was given.  Information, not an error. */
} VitaAnnotations;

void vita_annotations_free (VitaAnnotations *ann);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (VitaAnnotations, vita_annotations_free)

/* Which kind a file is, by its name: "chords" (.lab), "beats", "onsets", "key", "tags",
 * "jams", "sniff" (.txt/.csv: decided by content), or NULL (not an annotation name). */
const char *vita_annotation_kind_for_path (const char *path);

/* Parses paths (NULL-terminated) synchronously; never fails as a whole: per-file
 * errors go to messages. */
VitaAnnotations *vita_annotations_load (const char *const *paths);
/* Paths of annotation files sitting beside audio_path with the same basename
 * (vita_annotation_files_beside: song.lab, song.beats[.txt], song.jams, song.csv, ...),
 * NULL-terminated. */
char **vita_annotations_find_beside (const char *audio_path);

void             vita_annotations_load_async  (const char *const *paths, GCancellable *cancellable,
                                               GAsyncReadyCallback callback, gpointer user_data);
VitaAnnotations *vita_annotations_load_finish (GAsyncResult *result, GError **error);

typedef struct _VitaProbeSet VitaProbeSet;

VitaProbeSet *vita_probe_set_new  (void);
void          vita_probe_set_free (VitaProbeSet *set);
/* Merges ann into the set (later files replace earlier ones of the same kind). */
void          vita_probe_set_merge_annotations (VitaProbeSet *set, VitaAnnotations *ann);
void          vita_probe_set_clear_annotations (VitaProbeSet *set);
gboolean      vita_probe_set_has_annotations (VitaProbeSet *set);
/* Takes probe.  Dimension checks happen in vita_probe_set_update_lanes. */
void          vita_probe_set_add_probe (VitaProbeSet *set, VitaProbe *probe, const char *path);
int           vita_probe_set_get_n_probes (VitaProbeSet *set);
/* Frame-level probe i (the probe of lane i once lanes are updated), borrowed, or NULL. */
VitaProbe    *vita_probe_set_get_probe (VitaProbeSet *set, int i);
/* The loaded key annotation (FALSE without one). */
gboolean      vita_probe_set_get_key (VitaProbeSet *set, int *key);
/* The prediction of the last clip-level key probe that fits the analysis: class
 * (vita_key_class_name) and its probability averaged over the analysis windows. */
gboolean      vita_probe_set_predict_key (VitaProbeSet *set, const VitaAnalysis *an,
                                          int *key, double *prob);
/* Rebuilds the lanes from an analysis (may be NULL: no lanes).  Probes that do not
 * fit the model are dropped, with a message in messages. */
void          vita_probe_set_update_lanes (VitaProbeSet *set, const VitaAnalysis *an,
                                           GPtrArray *messages);
VitaProbeLane *const *vita_probe_set_get_lanes (VitaProbeSet *set, int *n_lanes);
/* Score of lane i (chord majmin overlap or event F at ±70 ms), NAN without truth. */
double        vita_probe_set_get_score (VitaProbeSet *set, int i);

G_END_DECLS
