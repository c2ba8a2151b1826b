/* vita-midigen.h — the labelled set the project makes itself: MIDI pieces with exact
 * chord, beat, onset and key annotations (plain C; rendering with fluidsynth is the
 * app's job: app/vita-cli-probe.c).
 *
 * A piece: a diatonic chord progression in one of the 24 keys (one chord per bar),
 * a General MIDI chord instrument (block, arpeggio or comping pattern), a bass line on
 * the chord roots, drums or not, a tempo and a time signature (2/4, 3/4, 4/4), one
 * beat of silence before the music and a silent tail labelled N.  Everything is drawn
 * from a VitaRng-free xorshift seeded by (seed, index): the same seed gives the same
 * set on every machine.  Annotation times are exact (ticks → seconds at the tempo).
 */
#pragma once

#include "vita-annotations.h"

G_BEGIN_DECLS

typedef struct {
  double on, off;           /* seconds */
  int    pitch, channel, velocity;
} VitaNote;

typedef struct {
  int     index;
  int     key;              /* 0..23 (tonic + 12 * minor) */
  double  bpm;
  int     beats_per_bar;    /* 2, 3 or 4 (quarter-note beats) */
  int     program;          /* GM program of the chord instrument (0-based) */
  int     bass_program;
  int     pattern;          /* 0 block, 1 arpeggio, 2 comping */
  gboolean drums;

  GByteArray *smf;          /* Standard MIDI File, format 0 */
  GArray *chords;           /* VitaChordSegment, contiguous from 0 to duration */
  GArray *beats;            /* double seconds */
  GArray *downbeats;        /* double seconds (first beat of each bar) */
  GArray *onsets;           /* double seconds: every distinct note-on time */
  GArray *notes;            /* VitaNote, every note (channel 9 = drums) */
  GPtrArray *tags;          /* char *: instrument family, "drums"/"no-drums", meter, tempo, mode */
  double  duration;         /* seconds, tail included */
} VitaPiece;

/* seconds: approximate length of the music (whole bars, >= 4 bars). */
VitaPiece *vita_piece_generate (guint64 seed, int index, double seconds);
void       vita_piece_free     (VitaPiece *piece);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (VitaPiece, vita_piece_free)

/* Annotation files as text: .lab chords (Harte), one time per line, key, tags CSV.
 * offset is added to every time (a measured constant render latency, seconds). */
char *vita_piece_chords_lab  (const VitaPiece *piece, double offset);
char *vita_piece_events_text (const GArray *times, double offset);
char *vita_piece_key_text    (const VitaPiece *piece);
char *vita_piece_tags_csv    (const VitaPiece *piece);

/* Tag vocabulary of the generator (clip-level tag probes), NULL-terminated. */
const char *const *vita_piece_tag_names (void);

G_END_DECLS
