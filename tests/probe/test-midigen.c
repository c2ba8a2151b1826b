/* test-midigen.c — the labelled MIDI set: valid SMF, exact and self-consistent
 * annotations that the project's own parsers read back without a warning. */
#include "vita-test.h"
#include "model/probe/vita-midigen.h"
#include "model/probe/vita-annotations.h"

#include <math.h>
#include <string.h>

static guint32
be32 (const guint8 *p)
{
  return (guint32) p[0] << 24 | (guint32) p[1] << 16 | (guint32) p[2] << 8 | p[3];
}

/* Walks the single track: every event well-formed, note-ons balanced by note-offs. */
static void
check_smf (const GByteArray *smf, int *n_note_on)
{
  const guint8 *d = smf->data;
  g_assert_cmpuint (smf->len, >, 22);
  g_assert_cmpmem (d, 4, "MThd", 4);
  g_assert_cmpuint (be32 (d + 4), ==, 6);
  g_assert_cmpmem (d + 14, 4, "MTrk", 4);
  guint32 len = be32 (d + 18);
  g_assert_cmpuint (22 + len, ==, smf->len);
  const guint8 *p = d + 22, *end = d + smf->len;
  int on = 0, off = 0;
  gboolean eot = FALSE;
  while (p < end)
    {
      guint32 delta = 0;
      int k = 0;
      do
        {
          g_assert_true (p < end && k < 4);
          delta = (delta << 7) | (*p & 0x7f);
          k++;
        }
      while (*p++ & 0x80);
      g_assert_false (eot);
      guint8 st = *p++;
      if (st == 0xff)
        {
          guint8 type = *p++, l = *p++;
          if (type == 0x2f)
            eot = TRUE;
          p += l;
        }
      else if ((st & 0xf0) == 0x90)
        {
          g_assert_cmpuint (p[1], >, 0);
          on++;
          p += 2;
        }
      else if ((st & 0xf0) == 0x80)
        off++, p += 2;
      else if ((st & 0xf0) == 0xC0)
        p += 1;
      else if ((st & 0xf0) == 0xB0)
        p += 2;
      else
        g_error ("unexpected status byte 0x%02x", st);
    }
  g_assert_true (p == end && eot);
  g_assert_cmpint (on, ==, off);
  *n_note_on = on;
}

static void
test_pieces (void)
{
  gboolean keys[24] = { FALSE };
  for (int i = 0; i < 24; i++)
    {
      g_autoptr(VitaPiece) p = vita_piece_generate (5, i, 20.0);
      keys[p->key] = TRUE;
      int n_on;
      check_smf (p->smf, &n_on);
      g_assert_cmpuint (p->notes->len, ==, (guint) n_on);
      g_assert_cmpfloat (p->bpm, >=, 70);
      g_assert_cmpfloat (p->bpm, <=, 150);

      /* chords: contiguous from 0 to the end, diatonic to the key (or N) */
      const VitaChordSegment *c = (const VitaChordSegment *) p->chords->data;
      g_assert_cmpfloat (c[0].start, ==, 0.0);
      g_assert_cmpfloat (fabs (c[p->chords->len - 1].end - p->duration), <, 1e-9);
      int tonic = p->key % 12;
      gboolean minor = p->key >= 12;
      static const int major_scale[7] = { 0, 2, 4, 5, 7, 9, 11 };
      static const int minor_scale[8] = { 0, 2, 3, 5, 7, 8, 10, 11 };  /* + leading tone */
      for (guint k = 0; k < p->chords->len; k++)
        {
          if (k)
            g_assert_cmpfloat (fabs (c[k].start - c[k - 1].end), <, 1e-9);
          if (c[k].chord == VITA_CHORD_N)
            continue;
          int rel = ((c[k].chord % 12) - tonic + 12) % 12;
          gboolean ok = FALSE;
          for (int s = 0; s < (minor ? 8 : 7); s++)
            ok |= rel == (minor ? minor_scale[s] : major_scale[s]);
          g_assert_true (ok);
          /* every sounding non-drum note at the segment's middle belongs to the chord */
          double mid = 0.5 * (c[k].start + c[k].end);
          int third = c[k].chord >= 12 ? 3 : 4, root = c[k].chord % 12;
          for (guint n = 0; n < p->notes->len; n++)
            {
              const VitaNote *nt = &g_array_index (p->notes, VitaNote, n);
              if (nt->channel == 9 || nt->on > mid || nt->off <= mid)
                continue;
              int pc = ((nt->pitch % 12) - root + 12) % 12;
              g_assert_true (pc == 0 || pc == third || pc == 7);
            }
        }
      /* the last bar is the tonic chord */
      g_assert_cmpint (c[p->chords->len - 2].chord, ==, tonic + (minor ? 12 : 0));

      /* beats: evenly spaced at the tempo; every beat is an onset (bass or drums) */
      double period = 60.0 / p->bpm;
      for (guint k = 1; k < p->beats->len; k++)
        g_assert_cmpfloat (fabs (g_array_index (p->beats, double, k) -
                                 g_array_index (p->beats, double, k - 1) - period), <, 1e-3);
      g_assert_cmpuint (p->downbeats->len * p->beats_per_bar, ==, p->beats->len);
      guint j = 0;
      for (guint k = 0; k < p->beats->len; k++)
        {
          double b = g_array_index (p->beats, double, k);
          while (j < p->onsets->len && g_array_index (p->onsets, double, j) < b - 1e-9)
            j++;
          if (p->drums || k % p->beats_per_bar == 0 || p->pattern != 0)
            g_assert_true (j < p->onsets->len &&
                           fabs (g_array_index (p->onsets, double, j) - b) < 1e-9);
        }

      /* the text files read back with the project's parsers, without a warning */
      g_autoptr(GPtrArray) w = g_ptr_array_new_with_free_func (g_free);
      g_autoptr(GError) error = NULL;
      g_autofree char *lab = vita_piece_chords_lab (p, 0.005);
      g_autoptr(VitaChordTrack) t = vita_chord_track_parse (lab, strlen (lab), "gen.lab", w, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (t->segments->len, ==, p->chords->len);
      for (guint k = 0; k < t->segments->len; k++)
        g_assert_cmpint (g_array_index (t->segments, VitaChordSegment, k).chord, ==, c[k].chord);
      g_autofree char *on = vita_piece_events_text (p->onsets, 0.005);
      g_autoptr(VitaEventList) ev = vita_event_list_parse (on, strlen (on), "gen.txt", w, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (ev->times->len, ==, p->onsets->len);
      g_assert_cmpfloat (fabs (g_array_index (ev->times, double, 0) -
                               g_array_index (p->onsets, double, 0) - 0.005), <, 1e-6);
      g_autofree char *key = vita_piece_key_text (p);
      int k2;
      g_assert_true (vita_key_file_parse (key, strlen (key), "gen.key", &k2, w, &error));
      g_assert_cmpint (k2, ==, p->key);
      g_autofree char *tags = vita_piece_tags_csv (p);
      g_autoptr(VitaTags) tg = vita_tags_parse (tags, strlen (tags), "gen.csv", w, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (w->len, ==, 0);
    }
  for (int k = 0; k < 24; k++)
    g_assert_true (keys[k]);  /* 24 pieces: every key */
}

static void
test_deterministic (void)
{
  g_autoptr(VitaPiece) a = vita_piece_generate (9, 3, 15.0);
  g_autoptr(VitaPiece) b = vita_piece_generate (9, 3, 15.0);
  g_autoptr(VitaPiece) c = vita_piece_generate (10, 3, 15.0);
  g_assert_cmpmem (a->smf->data, a->smf->len, b->smf->data, b->smf->len);
  g_assert_false (a->smf->len == c->smf->len &&
                  memcmp (a->smf->data, c->smf->data, a->smf->len) == 0);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/midigen/pieces", test_pieces);
  g_test_add_func ("/midigen/deterministic", test_deterministic);
  return g_test_run ();
}
