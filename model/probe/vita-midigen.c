/* vita-midigen.c — MIDI pieces with exact annotations (see vita-midigen.h). */
#include "vita-midigen.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define TPQ 480  /* ticks per quarter note */

/* splitmix64: tiny, portable, fixed output for a seed. */
static guint64
mix_next (guint64 *s)
{
  guint64 z = (*s += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

static int
mix_int (guint64 *s, int n)
{
  return (int) (mix_next (s) % (guint64) n);
}

static double
mix_uniform (guint64 *s)
{
  return (mix_next (s) >> 11) * (1.0 / 9007199254740992.0);
}

typedef struct {
  guint32 tick;
  guint8  order;    /* at equal ticks: meta 0, program 1, note-off 2, note-on 3 */
  guint8  len;
  guint8  bytes[8];
} Event;

static int
cmp_event (const void *a, const void *b)
{
  const Event *x = a, *y = b;
  if (x->tick != y->tick)
    return x->tick < y->tick ? -1 : 1;
  return (int) x->order - (int) y->order;
}

static void
add_event (GArray *ev, guint32 tick, guint8 order, int len, const guint8 *bytes)
{
  Event e = { tick, order, (guint8) len, { 0 } };
  memcpy (e.bytes, bytes, len);
  g_array_append_val (ev, e);
}

typedef struct {
  guint32 on, off;
  int pitch, ch, vel;
} TickNote;

typedef struct {
  GArray *ev;           /* Event */
  GArray *onset_ticks;  /* guint32 */
  GArray *notes;        /* TickNote */
} Song;

static void
add_note (Song *song, int ch, int pitch, int vel, guint32 on, guint32 off)
{
  if (pitch < 0 || pitch > 127 || off <= on)
    return;
  GArray *ev = song->ev, *onset_ticks = song->onset_ticks;
  TickNote tn = { on, off, pitch, ch, CLAMP (vel, 1, 127) };
  g_array_append_val (song->notes, tn);
  guint8 non[3] = { (guint8) (0x90 | ch), (guint8) pitch, (guint8) CLAMP (vel, 1, 127) };
  guint8 noff[3] = { (guint8) (0x80 | ch), (guint8) pitch, 0 };
  add_event (ev, on, 3, 3, non);
  add_event (ev, off, 2, 3, noff);
  g_array_append_val (onset_ticks, on);
}

static void
put_vlq (GByteArray *b, guint32 v)
{
  guint8 tmp[5];
  int n = 0;
  tmp[n++] = v & 0x7f;
  while ((v >>= 7))
    tmp[n++] = 0x80 | (v & 0x7f);
  while (n--)
    g_byte_array_append (b, &tmp[n], 1);
}

static void
put_be (GByteArray *b, guint32 v, int bytes)
{
  for (int i = bytes - 1; i >= 0; i--)
    {
      guint8 c = (v >> (8 * i)) & 0xff;
      g_byte_array_append (b, &c, 1);
    }
}

static GByteArray *
write_smf (GArray *ev, guint32 end_tick)
{
  qsort (ev->data, ev->len, sizeof (Event), cmp_event);
  GByteArray *trk = g_byte_array_new ();
  guint32 last = 0;
  for (guint i = 0; i < ev->len; i++)
    {
      Event *e = &g_array_index (ev, Event, i);
      put_vlq (trk, e->tick - last);
      last = e->tick;
      g_byte_array_append (trk, e->bytes, e->len);
    }
  put_vlq (trk, end_tick > last ? end_tick - last : 0);
  static const guint8 eot[3] = { 0xff, 0x2f, 0x00 };
  g_byte_array_append (trk, eot, 3);

  GByteArray *smf = g_byte_array_new ();
  g_byte_array_append (smf, (const guint8 *) "MThd", 4);
  put_be (smf, 6, 4);
  put_be (smf, 0, 2);   /* format 0 */
  put_be (smf, 1, 2);   /* one track */
  put_be (smf, TPQ, 2);
  g_byte_array_append (smf, (const guint8 *) "MTrk", 4);
  put_be (smf, trk->len, 4);
  g_byte_array_append (smf, trk->data, trk->len);
  g_byte_array_unref (trk);
  return smf;
}

/* Diatonic progressions as (scale-degree semitone above the tonic, minor?) pairs. */
typedef struct { int semi; int minor; } Deg;
static const Deg major_prog[][4] = {
  { { 0, 0 }, { 7, 0 }, { 9, 1 }, { 5, 0 } },   /* I V vi IV */
  { { 0, 0 }, { 5, 0 }, { 7, 0 }, { 0, 0 } },   /* I IV V I */
  { { 9, 1 }, { 5, 0 }, { 0, 0 }, { 7, 0 } },   /* vi IV I V */
  { { 0, 0 }, { 9, 1 }, { 2, 1 }, { 7, 0 } },   /* I vi ii V */
  { { 0, 0 }, { 4, 1 }, { 5, 0 }, { 7, 0 } },   /* I iii IV V */
};
static const Deg minor_prog[][4] = {
  { { 0, 1 }, { 8, 0 }, { 3, 0 }, { 10, 0 } },  /* i VI III VII */
  { { 0, 1 }, { 5, 1 }, { 7, 0 }, { 0, 1 } },   /* i iv V i */
  { { 0, 1 }, { 10, 0 }, { 8, 0 }, { 7, 0 } },  /* i VII VI V */
  { { 0, 1 }, { 5, 1 }, { 8, 0 }, { 7, 0 } },   /* i iv VI V */
  { { 0, 1 }, { 7, 1 }, { 5, 1 }, { 0, 1 } },   /* i v iv i */
};

static const struct { const char *family; int programs[3]; int n; } instruments[] = {
  { "piano", { 0, 1, 4 }, 3 },
  { "organ", { 16, 19, 0 }, 2 },
  { "guitar", { 24, 25, 0 }, 2 },
  { "strings", { 48, 49, 0 }, 2 },
  { "brass", { 61, 56, 0 }, 2 },
  { "pad", { 88, 89, 0 }, 2 },
};
static const int bass_programs[] = { 32, 33, 38 };

static const char *const tag_names[] = {
  "piano", "organ", "guitar", "strings", "brass", "pad", "drums", "triple-meter", "fast",
  "minor", NULL,
};

const char *const *
vita_piece_tag_names (void)
{
  return tag_names;
}

void
vita_piece_free (VitaPiece *p)
{
  if (!p)
    return;
  if (p->smf)
    g_byte_array_unref (p->smf);
  if (p->chords)
    g_array_unref (p->chords);
  if (p->beats)
    g_array_unref (p->beats);
  if (p->downbeats)
    g_array_unref (p->downbeats);
  if (p->onsets)
    g_array_unref (p->onsets);
  if (p->notes)
    g_array_unref (p->notes);
  if (p->tags)
    g_ptr_array_unref (p->tags);
  g_free (p);
}

static int
cmp_u32 (const void *a, const void *b)
{
  guint32 x = *(const guint32 *) a, y = *(const guint32 *) b;
  return (x > y) - (x < y);
}

VitaPiece *
vita_piece_generate (guint64 seed, int index, double seconds)
{
  guint64 s = seed * 0x100000001B3ull ^ (guint64) (index + 1) * 0x9E3779B97F4A7C15ull;
  mix_next (&s);
  VitaPiece *p = g_new0 (VitaPiece, 1);
  p->index = index;
  /* Keys cycle so that a set of 24k pieces holds every key k times, shifted by 5 in
   * each block of 24 so that a split by index (every 4th piece held out) still sees
   * every held-out key in training; the rest is random. */
  p->key = (index % 24 + 5 * (index / 24)) % 24;
  p->bpm = 70 + mix_int (&s, 81);                  /* 70..150 BPM */
  static const int meters[] = { 4, 4, 3, 2 };
  p->beats_per_bar = meters[mix_int (&s, 4)];
  int fam = mix_int (&s, G_N_ELEMENTS (instruments));
  p->program = instruments[fam].programs[mix_int (&s, instruments[fam].n)];
  p->bass_program = bass_programs[mix_int (&s, G_N_ELEMENTS (bass_programs))];
  p->pattern = mix_int (&s, 3);
  p->drums = mix_uniform (&s) < 0.75;

  int tonic = p->key % 12;
  gboolean minor = p->key >= 12;
  const Deg (*prog)[4] = minor ? minor_prog : major_prog;
  int n_prog = minor ? G_N_ELEMENTS (minor_prog) : G_N_ELEMENTS (major_prog);

  double sec_per_beat = 60.0 / p->bpm;
  guint32 bar_ticks = (guint32) p->beats_per_bar * TPQ;
  int n_bars = MAX (4, (int) lround (seconds / (sec_per_beat * p->beats_per_bar)));
  guint32 lead = TPQ;                               /* one beat of silence */
  guint32 music_end = lead + (guint32) n_bars * bar_ticks;
  guint32 tail = (guint32) lround (1.0 / sec_per_beat * TPQ);  /* ≈ 1 s of release */
  double tick_sec = sec_per_beat / TPQ;

  g_autoptr(GArray) ev = g_array_new (FALSE, FALSE, sizeof (Event));
  g_autoptr(GArray) onset_ticks = g_array_new (FALSE, FALSE, sizeof (guint32));
  g_autoptr(GArray) notes = g_array_new (FALSE, FALSE, sizeof (TickNote));
  Song song = { ev, onset_ticks, notes };
  /* tempo, time signature, programs */
  guint32 usec = (guint32) lround (sec_per_beat * 1e6);
  guint8 tempo[6] = { 0xff, 0x51, 0x03, (guint8) (usec >> 16), (guint8) (usec >> 8), (guint8) usec };
  add_event (ev, 0, 0, 6, tempo);
  guint8 ts[7] = { 0xff, 0x58, 0x04, (guint8) p->beats_per_bar, 2, 24, 8 };
  add_event (ev, 0, 0, 7, ts);
  guint8 pc0[2] = { 0xC0, (guint8) p->program };
  guint8 pc1[2] = { 0xC1, (guint8) p->bass_program };
  add_event (ev, 0, 1, 2, pc0);
  add_event (ev, 0, 1, 2, pc1);
  /* a little reverb/chorus off for crisper onsets: CC91, CC93 = 20 */
  for (int ch = 0; ch < 2; ch++)
    {
      guint8 rv[3] = { (guint8) (0xB0 | ch), 91, 20 };
      guint8 chr[3] = { (guint8) (0xB0 | ch), 93, 0 };
      add_event (ev, 0, 1, 3, rv);
      add_event (ev, 0, 1, 3, chr);
    }

  p->chords = g_array_new (FALSE, FALSE, sizeof (VitaChordSegment));
  VitaChordSegment n0 = { 0.0, lead * tick_sec, VITA_CHORD_N };
  g_array_append_val (p->chords, n0);

  int which = mix_int (&s, n_prog);
  for (int bar = 0; bar < n_bars; bar++)
    {
      if (bar > 0 && bar % 4 == 0 && mix_uniform (&s) < 0.5)
        which = mix_int (&s, n_prog);
      Deg d = prog[which][bar % 4];
      /* the last bar returns home */
      if (bar == n_bars - 1)
        d = (Deg) { 0, minor };
      int root = (tonic + d.semi) % 12;
      int third = d.minor ? 3 : 4;
      guint32 t0 = lead + (guint32) bar * bar_ticks, t1 = t0 + bar_ticks;
      VitaChordSegment seg = { t0 * tick_sec, t1 * tick_sec, root + (d.minor ? 12 : 0) };
      g_array_append_val (p->chords, seg);

      /* voicing: close position around middle C, random inversion */
      int base = 48 + root + (root < 5 ? 12 : 0);
      int voice[3] = { base, base + third, base + 7 };
      int inv = mix_int (&s, 3);
      for (int k = 0; k < inv; k++)
        voice[k] += 12;
      int vel = 70 + mix_int (&s, 25);
      if (p->pattern == 0)           /* block chord held for the bar */
        for (int k = 0; k < 3; k++)
          add_note (&song, 0, voice[k], vel, t0, t1 - 10);
      else if (p->pattern == 1)      /* arpeggio in eighths */
        for (guint32 t = t0, k = 0; t < t1; t += TPQ / 2, k++)
          {
            static const int order[4] = { 0, 1, 2, 1 };
            add_note (&song, 0, voice[order[k % 4]], vel - 10 + mix_int (&s, 10), t,
                      t + TPQ / 2 - 10);
          }
      else                           /* comping: chord on every beat, short */
        for (int b = 0; b < p->beats_per_bar; b++)
          {
            guint32 t = t0 + (guint32) b * TPQ;
            for (int k = 0; k < 3; k++)
              add_note (&song, 0, voice[k], vel - (b ? 10 : 0), t, t + TPQ * 3 / 4);
          }
      /* bass: root on beat 1, fifth or root on the middle beat */
      int bass = 36 + root;
      add_note (&song, 1, bass, 90, t0, t0 + TPQ * (p->beats_per_bar >= 3 ? 2 : 1) - 10);
      if (p->beats_per_bar >= 3)
        add_note (&song, 1, bass + (mix_uniform (&s) < 0.5 ? 7 : 0) - (root > 6 ? 12 : 0),
                  80, t0 + 2 * TPQ, t1 - 10);
      if (p->drums)
        for (int b = 0; b < p->beats_per_bar; b++)
          {
            guint32 t = t0 + (guint32) b * TPQ;
            gboolean kick = b == 0 || (p->beats_per_bar == 4 && b == 2);
            add_note (&song, 9, kick ? 36 : 38, kick ? 100 : 90, t, t + TPQ / 4);
            add_note (&song, 9, 42, 60 + mix_int (&s, 20), t, t + TPQ / 8);
            add_note (&song, 9, 42, 50 + mix_int (&s, 20), t + TPQ / 2, t + TPQ / 2 + TPQ / 8);
          }
    }
  VitaChordSegment nt = { music_end * tick_sec, (music_end + tail) * tick_sec, VITA_CHORD_N };
  g_array_append_val (p->chords, nt);
  p->duration = (music_end + tail) * tick_sec;
  p->smf = write_smf (ev, music_end + tail);

  p->beats = g_array_new (FALSE, FALSE, sizeof (double));
  p->downbeats = g_array_new (FALSE, FALSE, sizeof (double));
  for (guint32 t = lead; t < music_end; t += TPQ)
    {
      double sec = t * tick_sec;
      g_array_append_val (p->beats, sec);
      if ((t - lead) % bar_ticks == 0)
        g_array_append_val (p->downbeats, sec);
    }
  qsort (onset_ticks->data, onset_ticks->len, sizeof (guint32), cmp_u32);
  p->onsets = g_array_new (FALSE, FALSE, sizeof (double));
  for (guint i = 0; i < onset_ticks->len; i++)
    {
      guint32 t = g_array_index (onset_ticks, guint32, i);
      if (i > 0 && t == g_array_index (onset_ticks, guint32, i - 1))
        continue;
      double sec = t * tick_sec;
      g_array_append_val (p->onsets, sec);
    }

  p->notes = g_array_sized_new (FALSE, FALSE, sizeof (VitaNote), notes->len);
  for (guint i = 0; i < notes->len; i++)
    {
      TickNote *tn = &g_array_index (notes, TickNote, i);
      VitaNote n = { tn->on * tick_sec, tn->off * tick_sec, tn->pitch, tn->ch, tn->vel };
      g_array_append_val (p->notes, n);
    }

  p->tags = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (p->tags, g_strdup (instruments[fam].family));
  if (p->drums)
    g_ptr_array_add (p->tags, g_strdup ("drums"));
  if (p->beats_per_bar == 3)
    g_ptr_array_add (p->tags, g_strdup ("triple-meter"));
  if (p->bpm >= 115)
    g_ptr_array_add (p->tags, g_strdup ("fast"));
  if (minor)
    g_ptr_array_add (p->tags, g_strdup ("minor"));
  return p;
}

char *
vita_piece_chords_lab (const VitaPiece *p, double offset)
{
  GString *s = g_string_new (NULL);
  char a[G_ASCII_DTOSTR_BUF_SIZE], b[G_ASCII_DTOSTR_BUF_SIZE];
  for (guint i = 0; i < p->chords->len; i++)
    {
      const VitaChordSegment *c = &g_array_index (p->chords, VitaChordSegment, i);
      double st = i == 0 ? 0.0 : c->start + offset;  /* the first segment starts at 0 */
      g_string_append_printf (s, "%s\t%s\t%s\n", g_ascii_formatd (a, sizeof a, "%.6f", st),
                              g_ascii_formatd (b, sizeof b, "%.6f", c->end + offset),
                              vita_chord_class_name (c->chord));
    }
  return g_string_free (s, FALSE);
}

char *
vita_piece_events_text (const GArray *times, double offset)
{
  GString *s = g_string_new (NULL);
  char a[G_ASCII_DTOSTR_BUF_SIZE];
  for (guint i = 0; i < times->len; i++)
    g_string_append_printf (s, "%s\n",
                            g_ascii_formatd (a, sizeof a, "%.6f",
                                             g_array_index (times, double, i) + offset));
  return g_string_free (s, FALSE);
}

char *
vita_piece_key_text (const VitaPiece *p)
{
  return g_strdup_printf ("%s\n", vita_key_class_name (p->key));
}

char *
vita_piece_tags_csv (const VitaPiece *p)
{
  GString *s = g_string_new ("tag,value\n");
  for (const char *const *t = tag_names; *t; t++)
    {
      gboolean on = FALSE;
      for (guint i = 0; i < p->tags->len; i++)
        if (strcmp (g_ptr_array_index (p->tags, i), *t) == 0)
          on = TRUE;
      g_string_append_printf (s, "%s,%d\n", *t, on ? 1 : 0);
    }
  return g_string_free (s, FALSE);
}
