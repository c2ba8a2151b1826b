/* vita-annotations.h — annotation files read alongside audio (untrusted input).
 *
 * MIREX .lab chord files (Harte syntax, mapped to 24 major/minor + no-chord as
 * mir_eval.chord.majmin does), beat and onset lists, CSV tags and a global key.
 * Validation follows shared/design/reliability.md items 13–15: numbers are read with
 * g_ascii_strtod (locale-independent); NaN/Inf, negative times, end < start, unsorted or
 * overlapping intervals are repaired or dropped WITH a warning naming the file and the
 * line; a BOM, CRLF, empty lines, '#' comments and a missing final newline are
 * accepted; invalid UTF-8, an embedded NUL or a line longer than
 * VITA_ANNOTATION_MAX_LINE bytes make that line a warning, never a crash.  A file with
 * no usable line at all is an error (VITA_MODEL_ERROR_PARSE).
 *
 * Warnings are appended (as UTF-8 strings) to an optional GPtrArray (g_free element
 * function); pass NULL to drop them.
 */
#pragma once

#include <gio/gio.h>

#include "model/vita-model.h"

G_BEGIN_DECLS

#define VITA_ANNOTATION_MAX_LINE  4096         /* longer lines are skipped with a warning */
#define VITA_ANNOTATION_MAX_FILE  (64u << 20)  /* bigger files are refused */

/* Chord classes: root + 12 * minor (0..11 = C..B major, 12..23 = C..B minor),
 * 24 = no chord (N).  VITA_CHORD_OTHER: a valid chord outside the major/minor gamut
 * (dim, sus4, X, C:maj/2, ...): excluded from the reference in the majmin score, and
 * always wrong as an estimate.  VITA_CHORD_UNKNOWN: a label that did not parse. */
#define VITA_CHORD_N_CLASSES 25
#define VITA_CHORD_N         24
#define VITA_CHORD_OTHER     (-1)
#define VITA_CHORD_UNKNOWN   (-2)

/* Key classes: tonic + 12 * minor (0..23); VITA_KEY_X (-1) = uncategorised. */
#define VITA_KEY_N_CLASSES 24
#define VITA_KEY_X         (-1)

typedef struct {
  double start;   /* seconds */
  double end;     /* seconds, > start */
  int    chord;   /* class as above */
} VitaChordSegment;

typedef struct {
  GArray *segments;   /* VitaChordSegment, sorted, non-overlapping */
  char   *path;       /* for messages, may be NULL */
} VitaChordTrack;

typedef struct {
  GArray *times;      /* double seconds, sorted, unique, >= 0 */
  char   *path;
} VitaEventList;

typedef struct {
  GPtrArray *names;   /* char *, tag names in file order */
  GArray    *values;  /* float per tag, in [0, 1] (1 when the file gives no value) */
  char      *path;
} VitaTags;

/* "C:maj", "C#:maj", ..., "B:min", "N" (static strings). */
const char *vita_chord_class_name (int chord);
/* "C major", ..., "B minor" (mir_eval.key spelling); "X" for VITA_KEY_X. */
const char *vita_key_class_name (int key);

/* Harte label → class, following mir_eval.chord.encode (quality bitmap + scale degrees
 * with '*' omissions + bass) and majmin (first 8 semitones equal to maj or min).
 * Returns FALSE with a message (no line number: callers add it) if the label does
 * not parse. */
gboolean vita_chord_parse_harte (const char *label, int *chord, char **message);

/* Key spellings: "C major", "c# minor", "Ab:min", "A:minor", "Bb", "f#m", "X". */
gboolean vita_key_parse (const char *text, int *key, char **message);

VitaChordTrack *vita_chord_track_parse (const char *data, gsize len, const char *display_name,
                                        GPtrArray *warnings, GError **error);
VitaChordTrack *vita_chord_track_load  (const char *path, GPtrArray *warnings, GError **error);
void            vita_chord_track_free  (VitaChordTrack *track);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (VitaChordTrack, vita_chord_track_free)
/* Drops segments starting at or after duration and clips the rest (warns once). */
void            vita_chord_track_clip  (VitaChordTrack *track, double duration, GPtrArray *warnings);
/* Class of every frame centred at i * hop_seconds (VITA_CHORD_N where no segment). */
void            vita_chord_track_to_frames (const VitaChordTrack *track, double hop_seconds,
                                            int n_frames, int *out);

/* One event per line: the first column (whitespace or comma separated) is the time;
 * further columns (beat numbers, labels) are ignored. */
VitaEventList  *vita_event_list_parse (const char *data, gsize len, const char *display_name,
                                       GPtrArray *warnings, GError **error);
VitaEventList  *vita_event_list_load  (const char *path, GPtrArray *warnings, GError **error);
void            vita_event_list_free  (VitaEventList *events);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (VitaEventList, vita_event_list_free)
void            vita_event_list_clip  (VitaEventList *events, double duration, GPtrArray *warnings);

/* CSV: one record per line, `tag` or `tag,value` (value in [0,1]); fields may be
 * double-quoted ("a, b" with "" for a quote).  A first line `tag,value` is a header. */
VitaTags       *vita_tags_parse (const char *data, gsize len, const char *display_name,
                                 GPtrArray *warnings, GError **error);
VitaTags       *vita_tags_load  (const char *path, GPtrArray *warnings, GError **error);
void            vita_tags_free  (VitaTags *tags);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (VitaTags, vita_tags_free)

/* A key file: the first usable line holds a key ("C major"), or a .lab-style line
 * "start end key". */
gboolean        vita_key_file_parse (const char *data, gsize len, const char *display_name,
                                     int *key, GPtrArray *warnings, GError **error);
gboolean        vita_key_file_load  (const char *path, int *key, GPtrArray *warnings,
                                     GError **error);

/* An annotation file's text (NUL-terminated, *len bytes), read with a size cap; a FIFO,
 * folder or device is refused by name without blocking. */
char *vita_annotations_read_text (const char *path, gsize *len, GError **error);
/* ---- VitaAnnotations: what one load of annotation files produced --------------
 *
 * Annotation files (.lab chords, beat/onset lists, key) are untrusted and may be
 * large: the app parses them on a worker thread (GTask). */

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

G_END_DECLS
