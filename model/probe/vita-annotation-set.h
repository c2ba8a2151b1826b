/* vita-annotation-set.h — the annotations of one piece as the field writes them, with
 * where each came from; and the way back (export in the formats the tools read).
 *
 * Files beside the audio (STEM = the audio's name without its extension) are found
 * by name, then by content where the name does not say what they hold:
 *   chords  STEM.lab  STEM.chords  STEM.chords.lab  STEM.chords.txt  STEM.chords.csv
 *   beats   STEM.beats  STEM.beats.txt  STEM.beats.csv
 *   onsets  STEM.onsets  STEM.onsets.txt  STEM.onsets.csv
 *   key     STEM.key  STEM.key.txt  STEM.key.lab  STEM.key.csv
 *   tags    STEM.tags.csv
 *   any     STEM.jams (JAMS: chord, beat, onset, key_mode, tag_* namespaces)
 *   sniffed STEM.txt  STEM.csv  (and STEM_x / STEM-x names): by content — JSON →
 *           JAMS; "start end label" / "time,duration,label" rows whose labels are
 *           chords → chords, keys → key; "time,N" rows with small integer N (beat
 *           positions) → beats; a bare time list is named in a message (the name
 *           must say beats or onsets).
 * A file written for a kind by name wins over the same kind inside a JAMS file.
 *
 * Sonic Visualiser CSV layers are read as exported by SV: time instants
 * `time[,label]`, regions `time,value,duration,label` or `time,duration,label`; a
 * chord layer of instants (Chordino's output, labels like "Am7", "F#m/A") runs each
 * chord to the next instant; the last one ends at the audio's end when known.
 *
 * Errors and warnings name the file, the line (or JAMS observation) and the problem.
 */
#pragma once

#include "vita-annotations.h"
#include "vita-jams.h"

G_BEGIN_DECLS

typedef enum {
  VITA_ANN_CHORDS,
  VITA_ANN_BEATS,
  VITA_ANN_ONSETS,
  VITA_ANN_KEY,
  VITA_ANN_TAGS,
  VITA_ANN_N_KINDS,
  VITA_ANN_ANY = VITA_ANN_N_KINDS,  /* JAMS: whatever it holds */
  VITA_ANN_UNKNOWN,                 /* decide by content */
} VitaAnnKind;

/* "chords", "beats", "onsets", "key", "tags" (also the task names in messages). */
const char *vita_ann_kind_name (VitaAnnKind kind);

/* The kind a file name says (".beats.txt" → BEATS, ".jams" → ANY, ".txt" → UNKNOWN);
 * -1 when the name is not an annotation file's at all (audio, .mid, .downbeats). */
int vita_ann_kind_for_name (const char *path);

/* The kind the text holds (JSON → ANY); UNKNOWN when it cannot tell. */
VitaAnnKind vita_ann_sniff (const char *data, gsize len);

/* Reads a whole annotation file (at most VITA_ANNOTATION_MAX_FILE bytes), NUL-ended. */
char *vita_annotation_read_file (const char *path, gsize *len, GError **error);

/* Chords from a Sonic Visualiser CSV layer (see above).  duration: the audio's
 * length, NAN when unknown. */
VitaChordTrack *vita_chord_track_parse_csv (const char *data, gsize len, const char *display_name,
                                            double duration, GPtrArray *warnings, GError **error);
/* A key from "time,label" CSV rows (Queen Mary key detector: "Eb / D# minor"), or a
 * key file (vita_key_file_parse). */
gboolean vita_key_file_parse_any (const char *data, gsize len, const char *display_name,
                                  int *key, GPtrArray *warnings, GError **error);

/* Shorthand chord labels (C, Am, Bb7, F#m7b5, Cmaj7, Asus4, Ddim, G/B, N, X) or Harte
 * labels → class. */
gboolean vita_chord_parse_any (const char *label, int *chord, char **message);

typedef struct {
  VitaChordTrack *chords;
  VitaEventList  *beats;
  VitaEventList  *onsets;
  gboolean        has_key;
  int             key;
  VitaTags       *tags;
  char           *from[VITA_ANN_N_KINDS];  /* the file each kind came from, or NULL */
  double          duration;                /* audio length for CSV instants, NAN unknown */
} VitaAnnotationSet;

VitaAnnotationSet *vita_annotation_set_new  (void);
void               vita_annotation_set_free (VitaAnnotationSet *set);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (VitaAnnotationSet, vita_annotation_set_free)
gboolean           vita_annotation_set_has (const VitaAnnotationSet *set, VitaAnnKind kind);

/* Reads one file into set.  kind: what the caller wants from it (UNKNOWN: decide by
 * its name, then by its content).  replace: a kind already in set is replaced
 * (otherwise kept, with a message).  FALSE + error when the file gave nothing. */
gboolean vita_annotation_set_add_file (VitaAnnotationSet *set, const char *path, VitaAnnKind kind,
                                       gboolean replace, GPtrArray *warnings, GError **error);

/* Annotation files beside audio_path, in the order they are read (dedicated names
 * first, JAMS and sniffed files last), NULL-terminated. */
char **vita_annotation_files_beside (const char *audio_path);

/* Finds and reads everything beside audio_path.  Problems with a file go to
 * warnings; never NULL. */
VitaAnnotationSet *vita_annotation_set_find (const char *audio_path, double duration,
                                             GPtrArray *warnings);

/* One line: "piece: found chords (12 segments) from piece.lab, beats (48) from
 * piece.jams, key (C major) from piece.key; no onsets, no tags". */
char *vita_annotation_set_describe (const VitaAnnotationSet *set, const char *piece);

/* Clips chords and events to the audio's length (warnings as the _clip functions). */
void vita_annotation_set_clip (VitaAnnotationSet *set, double duration, GPtrArray *warnings);

/* ------------------------------------------------------------------ export */

typedef enum {
  VITA_ANN_EXPORT_CSV,   /* Sonic Visualiser CSV (File → Import Annotation Layer) */
  VITA_ANN_EXPORT_LAB,   /* chords only: start end label */
  VITA_ANN_EXPORT_JAMS,
  VITA_ANN_EXPORT_NPY,
} VitaAnnExportFormat;

/* "csv", "lab", "jams", "npy" ↔ format; from_string also takes a file name's extension. */
gboolean    vita_ann_export_format_from_string (const char *s, VitaAnnExportFormat *format);
const char *vita_ann_export_format_to_string   (VitaAnnExportFormat format);

/* Text of one kind of set in format (CSV: chords `time,duration,label`, events
 * `time`, key `0,label`, tags `tag,value`; LAB: chords; JAMS: that kind alone).  NPY is
 * binary: use vita_annotation_export.  NULL + error when the kind is absent or the
 * format cannot hold it (.lab for beats). */
char *vita_annotation_to_text (const VitaAnnotationSet *set, VitaAnnKind kind,
                               VitaAnnExportFormat format, const char *tool, GError **error);
/* Writes kind (VITA_ANN_ANY: everything, JAMS only) to path, atomically.  NPY:
 * chords (n, 3) float64 start, end, class (-1 other); events (n,) float64 seconds;
 * key (1,) float64 class; tags (n,) float64 values. */
gboolean vita_annotation_export (const VitaAnnotationSet *set, VitaAnnKind kind,
                                 VitaAnnExportFormat format, const char *path, const char *tool,
                                 GError **error);

/* A curve sampled every hop seconds (received attention, onset strength, a probe's
 * probability): CSV `time,value` (an SV time-value layer) or NPY (n,) float64. */
gboolean vita_curve_export (const float *values, gsize n, double hop_seconds,
                            VitaAnnExportFormat format, const char *path, GError **error);

G_END_DECLS
