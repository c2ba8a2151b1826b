/* vita-emergence.c — measures per checkpoint of a series (vita-emergence.h). */
#include "vita-emergence.h"
#include "vita-compare-table.h"
#include "vita-report.h"
#include "vita-metrics.h"
#include "model/vita-npy.h"
#include "dsp/vita-mel.h"

#include <math.h>

VitaEmergence *
vita_emergence_new (int n_checkpoints, int n_layers, gboolean onsets)
{
  g_return_val_if_fail (n_checkpoints > 0 && n_layers > 0, NULL);
  VitaEmergence *em = g_new0 (VitaEmergence, 1);
  em->n_checkpoints = n_checkpoints;
  em->n_layers = n_layers;
  em->onsets = onsets;
  em->step = g_new0 (gint64, n_checkpoints);
  em->loss = g_new (double, n_checkpoints);
  gsize n = (gsize) n_checkpoints * VITA_EMERGENCE_N_MEASURES * n_layers;
  em->values = g_new (double, n);
  for (gsize i = 0; i < n; i++)
    em->values[i] = NAN;
  for (int c = 0; c < n_checkpoints; c++)
    em->loss[c] = NAN;
  return em;
}

void
vita_emergence_free (VitaEmergence *em)
{
  if (em == NULL)
    return;
  g_free (em->step);
  g_free (em->loss);
  g_free (em->values);
  g_free (em->note);
  g_free (em);
}

const char *
vita_emergence_measure_name (const VitaEmergence *em, int m)
{
  static const char *names[2][VITA_EMERGENCE_N_MEASURES] = {
    { "flux_r_mean", "flux_r_best", "ssm_r_chroma", "ssm_r_MFCC", "ssm_r_rhythm" },
    { "onset_f_mean", "onset_f_best", "ssm_r_chroma", "ssm_r_MFCC", "ssm_r_rhythm" },
  };
  g_return_val_if_fail (m >= 0 && m < VITA_EMERGENCE_N_MEASURES, NULL);
  return names[em->onsets ? 1 : 0][m];
}

int
vita_emergence_first_layer (int m)
{
  return m < 2 ? 1 : 0;
}

double
vita_emergence_get (const VitaEmergence *em, int c, int m, int layer)
{
  g_return_val_if_fail (c >= 0 && c < em->n_checkpoints && m >= 0 &&
                        m < VITA_EMERGENCE_N_MEASURES && layer >= 0 && layer < em->n_layers, NAN);
  return em->values[((gsize) c * VITA_EMERGENCE_N_MEASURES + m) * em->n_layers + layer];
}

VitaCompareTable *
vita_emergence_checkpoint_table (VitaVit *vit, const float *pcm, gsize n_samples,
                                 const VitaEventList *onsets, const VitaAnalysisOptions *opt,
                                 GError **error)
{
  g_autoptr(VitaMel) mp = vita_mel_new (&vit->cfg.fe, error);
  if (mp == NULL)
    return NULL;
  gsize n_frames = 0;
  /* the one front-end call (dsp/vita-mel.h); the flux comes with the table's references */
  g_autofree float *mel = vita_mel_features (mp, pcm, n_samples, NULL, &n_frames, error);
  if (mel == NULL)
    return NULL;
  /* the model against itself: vita-compare.c shares one analysis (a == b) */
  g_autoptr(VitaCompare) cmp = vita_compare_new_for_mel (vit, mel, vit, mel, (int) n_frames, opt, error);
  if (cmp == NULL)
    return NULL;
  g_clear_pointer (&mel, g_free);
  if (!vita_compare_run (cmp, NULL, NULL, NULL, NULL, NULL, NULL, NULL, error))
    return NULL;
  return vita_compare_table_compute (cmp, pcm, n_samples, onsets, VITA_ONSET_WINDOW_MIREVAL, error);
}

void
vita_emergence_set (VitaEmergence *em, int c, gint64 step, double loss,
                    const VitaCompareTable *table)
{
  g_return_if_fail (c >= 0 && c < em->n_checkpoints && table != NULL);
  em->step[c] = step;
  em->loss[c] = loss;
  if (em->note == NULL && table->note)
    em->note = g_strdup (table->note);
  for (int m = 0; m < VITA_EMERGENCE_N_MEASURES; m++)
    for (int l = 0; l < em->n_layers; l++)
      {
        const VitaCompareRow *r = vita_compare_table_find (table, vita_emergence_measure_name (em, m), l, -1);
        em->values[((gsize) c * VITA_EMERGENCE_N_MEASURES + m) * em->n_layers + l] = r ? r->a : NAN;
      }
}

static int
n_columns (const VitaEmergence *em)
{
  int n = 2;
  for (int m = 0; m < VITA_EMERGENCE_N_MEASURES; m++)
    n += em->n_layers - vita_emergence_first_layer (m);
  return n;
}

/* Row c as the CSV's columns. */
static void
row_values (const VitaEmergence *em, int c, double *out)
{
  int k = 0;
  out[k++] = (double) em->step[c];
  out[k++] = em->loss[c];
  for (int m = 0; m < VITA_EMERGENCE_N_MEASURES; m++)
    for (int l = vita_emergence_first_layer (m); l < em->n_layers; l++)
      out[k++] = vita_emergence_get (em, c, m, l);
}

char *
vita_emergence_to_csv (const VitaEmergence *em)
{
  GString *s = g_string_new ("step,loss");
  for (int m = 0; m < VITA_EMERGENCE_N_MEASURES; m++)
    for (int l = vita_emergence_first_layer (m); l < em->n_layers; l++)
      g_string_append_printf (s, ",%s_L%d", vita_emergence_measure_name (em, m), l);
  g_string_append_c (s, '\n');
  int nc = n_columns (em);
  g_autofree double *v = g_new (double, nc);
  for (int c = 0; c < em->n_checkpoints; c++)
    {
      row_values (em, c, v);
      g_string_append_printf (s, "%" G_GINT64_FORMAT, em->step[c]);
      for (int k = 1; k < nc; k++)
        {
          char buf[G_ASCII_DTOSTR_BUF_SIZE] = "";
          if (!isnan (v[k]))
            g_ascii_formatd (buf, sizeof buf, "%.6g", v[k]);
          g_string_append_printf (s, ",%s", buf);
        }
      g_string_append_c (s, '\n');
    }
  return g_string_free (s, FALSE);
}

gboolean
vita_emergence_save_csv (const VitaEmergence *em, const char *path, GError **error)
{
  g_autofree char *text = vita_emergence_to_csv (em);
  g_autoptr(GError) local = NULL;
  if (!g_file_set_contents_full (path, text, -1,
                                 G_FILE_SET_CONTENTS_CONSISTENT | G_FILE_SET_CONTENTS_DURABLE,
                                 0644, &local))
    {
      g_set_error (error, VITA_MODEL_ERROR, VITA_MODEL_ERROR_IO, "%s", local->message);
      return FALSE;
    }
  return TRUE;
}

gboolean
vita_emergence_save_npy (const VitaEmergence *em, const char *path, GError **error)
{
  int nc = n_columns (em);
  g_autofree double *v = g_new (double, nc);
  g_autofree float *data = g_new (float, (gsize) em->n_checkpoints * nc);
  for (int c = 0; c < em->n_checkpoints; c++)
    {
      row_values (em, c, v);
      for (int k = 0; k < nc; k++)
        data[(gsize) c * nc + k] = (float) v[k];
    }
  gsize shape[2] = { em->n_checkpoints, nc };
  return vita_npy_save (path, data, 2, shape, error);
}
