/* vita-analysis-private.h — the forward-pass backend of an analysis, replaceable by
 * tests (a fake model whose outputs encode window and position, to check windowing
 * and ownership exactly) and by nothing else. */
#pragma once

#include "vita-analysis.h"

G_BEGIN_DECLS

typedef struct {
  /* A state able to run B windows at once; NULL with error on failure. */
  gpointer     (*state_new)  (const VitaVit *vit, int B, GError **error);
  void         (*state_free) (gpointer state);
  /* input (B, T, M) → the state's outputs for B windows. */
  void         (*forward)    (const VitaVit *vit, gpointer state, const float *input, int B);
  /* Token layer 0..L of the last forward: (B, N, D). */
  const float *(*tokens)     (gpointer state, int layer);
  /* Attention of block 0..L-1 of the last forward: (B, NH, N, N). */
  const float *(*attention)  (gpointer state, int block);
} VitaAnalysisBackend;

/* The real one: vita_vit_state_new (inference) + vita_vit_forward. */
const VitaAnalysisBackend *vita_analysis_default_backend (void);
/* Before vita_analysis_run(); backend must outlive the analysis. */
void vita_analysis_set_backend (VitaAnalysis *an, const VitaAnalysisBackend *backend);

G_END_DECLS
