/* vita-analysis-glue.c — how views/ reaches the analysis functions.
 *
 * The views library links before model/vita-analysis.c exists on every branch, and
 * its tests build VitaAnalysis instances by hand (synthetic data, g_new0 + fields).
 * So the three functions views/ calls are weak references: when the real analysis
 * is linked (the app and the CLI call vita_analysis_run, which pulls it in) they
 * resolve to it; otherwise views/ falls back to plain reference counting on the
 * public ref_count field and to "attention not available".  Nothing else in views/
 * calls vita_analysis_* directly.
 */
#include "vita-painters.h"

#pragma weak vita_analysis_ref
#pragma weak vita_analysis_unref
#pragma weak vita_analysis_window_attention

static void
free_synthetic (VitaAnalysis *an)
{
  /* Mirrors the field ownership documented in vita-analysis.h. */
  g_free (an->window_start);
  g_free (an->frame_window);
  g_free (an->mel);
  g_free (an->tokens);
  g_free (an->cls);
  g_free (an->received);
  g_free (an->ssm);
  g_free (an->window_ready);
  g_free (an);
}

VitaAnalysis *
vita_views_analysis_ref (VitaAnalysis *an)
{
  g_return_val_if_fail (an != NULL, NULL);
  if (vita_analysis_ref != NULL)
    return vita_analysis_ref (an);
  g_atomic_int_inc (&an->ref_count);
  return an;
}

void
vita_views_analysis_unref (VitaAnalysis *an)
{
  if (an == NULL)
    return;
  if (vita_analysis_unref != NULL)
    {
      vita_analysis_unref (an);
      return;
    }
  if (g_atomic_int_dec_and_test (&an->ref_count))
    free_synthetic (an);
}

gboolean vita_views_default_window_attention (const VitaAnalysis *an, int window, float *out,
                                              GError **error);

gboolean
vita_views_default_window_attention (const VitaAnalysis *an, int window, float *out,
                                     GError **error)
{
  if (vita_analysis_window_attention != NULL)
    return vita_analysis_window_attention (an, window, out, error);
  g_set_error (error, VITA_MODEL_ERROR, VITA_MODEL_ERROR_UNSUPPORTED,
               "attention maps cannot be recomputed: the analysis engine is not linked");
  return FALSE;
}
