/* views-synth.h — synthetic analyses for views tests (no model needed). */
#pragma once

#include "views/vita-painters.h"

G_BEGIN_DECLS

/* A hand-built VitaAnalysis of `seconds` of audio, Tiny-shaped (L 12, NH 3, T 126,
 * M 128, hop 512 at 16 kHz): mel with notes and onsets every 0.5 s, received
 * attention peaking at the onsets for head 1, block-structured SSMs.  When
 * !complete only the first half of the windows is ready and the SSMs are absent. */
VitaAnalysis *views_synth_analysis (double seconds, gboolean complete);
/* Frees a synthetic analysis; asserts the views dropped every reference. */
void          views_synth_free (VitaAnalysis *an);
/* Synthetic attention (L, NH, N, N) for a window: head 0 attends to onset tokens
 * (vertical stripes), head 1 to neighbours (diagonal), head 2 to the class token. */
gboolean      views_synth_attention (const VitaAnalysis *an, int window, float *out,
                                     GError **error);
/* Decaying tones with onsets every 0.5 s. */
float        *views_synth_pcm (double seconds, gsize *n_samples);

G_END_DECLS
