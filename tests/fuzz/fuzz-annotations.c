/* fuzz-annotations.c — libFuzzer target for one annotation parser, chosen at compile
 * time with -DVITA_FUZZ_PARSER=1 (.lab), 2 (beat/onset list), 3 (CSV tags), 4 (key),
 * 5 (JAMS, then written back and read again), 6 (Sonic Visualiser CSV chords),
 * 7 (content sniffing and the any-format key reader).
 * The same file is linked with replay-annotations-main.c as an ordinary test. */
#include "model/probe/vita-annotations.h"
#include "model/probe/vita-metrics.h"
#include "model/probe/vita-annotation-set.h"
#include "model/probe/vita-jams.h"

#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autoptr(GPtrArray) warnings = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;
#if VITA_FUZZ_PARSER == 1
  g_autoptr(VitaChordTrack) t = vita_chord_track_parse ((const char *) data, size, "fuzz.lab",
                                                        warnings, &error);
  if (t)
    {
      const VitaChordSegment *s = (const VitaChordSegment *) t->segments->data;
      for (guint i = 0; i < t->segments->len; i++)
        {
          g_assert (s[i].end > s[i].start && s[i].start >= 0);
          if (i)
            g_assert (s[i].start >= s[i - 1].end);
        }
      int frames[64];
      vita_chord_track_to_frames (t, 0.032, 64, frames);
      (void) vita_chord_overlap_majmin (s, t->segments->len, s, t->segments->len, NULL);
      vita_chord_track_clip (t, 1.0, warnings);
    }
#elif VITA_FUZZ_PARSER == 2
  g_autoptr(VitaEventList) ev = vita_event_list_parse ((const char *) data, size, "fuzz.txt",
                                                       warnings, &error);
  if (ev)
    {
      const double *t = (const double *) ev->times->data;
      for (guint i = 1; i < ev->times->len; i++)
        g_assert (t[i] > t[i - 1]);
      (void) vita_onset_f_measure (t, ev->times->len, t, ev->times->len, 0.05);
      vita_event_list_clip (ev, 2.0, warnings);
    }
#elif VITA_FUZZ_PARSER == 3
  g_autoptr(VitaTags) tags = vita_tags_parse ((const char *) data, size, "fuzz.csv", warnings,
                                              &error);
  if (tags)
    g_assert (tags->names->len == tags->values->len);
#elif VITA_FUZZ_PARSER == 4
  int key = 0;
  if (vita_key_file_parse ((const char *) data, size, "fuzz.key", &key, warnings, &error))
    g_assert (key >= VITA_KEY_X && key < VITA_KEY_N_CLASSES);
#elif VITA_FUZZ_PARSER == 5
  g_autoptr(VitaJams) j = vita_jams_parse ((const char *) data, size, "fuzz.jams", warnings,
                                           &error);
  if (j)
    {
      g_assert (j->chords || j->beats || j->onsets || j->has_key || j->tags);
      g_assert (!j->has_key || (j->key >= 0 && j->key < VITA_KEY_N_CLASSES));
      /* what was read is written and read again without loss of any kind */
      g_autofree char *text = vita_jams_to_string (j, "fuzz", "fuzz");
      g_autoptr(GError) e2 = NULL;
      g_autoptr(VitaJams) k = vita_jams_parse (text, strlen (text), "fuzz-again.jams", NULL, &e2);
      g_assert (k != NULL);
      g_assert ((j->chords != NULL) == (k->chords != NULL));
      g_assert ((j->beats != NULL) == (k->beats != NULL));
      g_assert ((j->onsets != NULL) == (k->onsets != NULL));
      g_assert (j->has_key == k->has_key && j->key == k->key);
      if (j->chords)
        g_assert (j->chords->segments->len == k->chords->segments->len);
    }
#elif VITA_FUZZ_PARSER == 6
  g_autoptr(VitaChordTrack) t = vita_chord_track_parse_csv ((const char *) data, size,
                                                            "fuzz.csv", 30.0, warnings, &error);
  if (t)
    {
      const VitaChordSegment *s = (const VitaChordSegment *) t->segments->data;
      for (guint i = 0; i < t->segments->len; i++)
        {
          g_assert (s[i].end > s[i].start && s[i].start >= 0);
          if (i)
            g_assert (s[i].start >= s[i - 1].end);
        }
    }
#elif VITA_FUZZ_PARSER == 7
  VitaAnnKind kind = vita_ann_sniff ((const char *) data, size);
  g_assert (kind <= VITA_ANN_UNKNOWN);
  int key = 0;
  if (vita_key_file_parse_any ((const char *) data, size, "fuzz.key.csv", &key, warnings, &error))
    g_assert (key >= VITA_KEY_X && key < VITA_KEY_N_CLASSES);
#else
#error "define VITA_FUZZ_PARSER"
#endif
  for (guint i = 0; i < warnings->len; i++)
    g_assert (g_utf8_validate (g_ptr_array_index (warnings, i), -1, NULL));
  if (error)
    g_assert (g_utf8_validate (error->message, -1, NULL));
  return 0;
}
