/* TEMPORARY: link-time stand-ins for the forward pass until branch model-vit lands in
 * main (test-analysis only uses its fake backend; these are never called). */
#include "model/vita-vit.h"
VitaVitState *vita_vit_state_new (const VitaVitConfig *cfg, int B, gboolean training) { g_assert_not_reached (); }
void vita_vit_state_free (VitaVitState *state) { g_assert_not_reached (); }
void vita_vit_forward (const VitaVit *vit, VitaVitState *state, const float *input, int B) { g_assert_not_reached (); }
const float *vita_vit_state_tokens (const VitaVitState *state, int layer) { g_assert_not_reached (); }
const float *vita_vit_state_attention (const VitaVitState *state, int block) { g_assert_not_reached (); }
