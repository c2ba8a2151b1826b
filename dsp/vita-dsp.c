/* vita-dsp.c — error domain and front-end defaults. */
#include "vita-dsp.h"

#include <math.h>

G_DEFINE_QUARK (vita-dsp-error-quark, vita_dsp_error)

void
vita_frontend_init_default (VitaFrontend *fe)
{
  *fe = (VitaFrontend) {
    .sample_rate = 16000,
    .n_fft = 1024,
    .win_length = 1024,
    .hop_length = 512,
    .center = TRUE,
    .power = 2.0f,
    .n_mels = 128,
    .f_min = 0.0f,
    .f_max = 8000.0f,
    .log_offset = 1e-6f,
    .input_mean = 0.0f,
    .input_std = 1.0f,
  };
}

gsize
vita_frontend_n_frames (const VitaFrontend *fe, gsize n_samples)
{
  if (fe->center)
    return 1 + n_samples / (gsize) fe->hop_length;
  if (n_samples < (gsize) fe->n_fft)
    return 0;
  return 1 + (n_samples - (gsize) fe->n_fft) / (gsize) fe->hop_length;
}

gboolean
vita_frontend_validate (const VitaFrontend *fe, GError **error)
{
#define BAD(...) G_STMT_START { \
    g_set_error (error, VITA_DSP_ERROR, VITA_DSP_ERROR_INVALID, __VA_ARGS__); \
    return FALSE; } G_STMT_END
  if (fe->sample_rate < 1000 || fe->sample_rate > 384000)
    BAD ("sample rate %d Hz is out of range (1000–384000)", fe->sample_rate);
  if (fe->n_fft < 16 || fe->n_fft > 65536)
    BAD ("n_fft %d is out of range (16–65536)", fe->n_fft);
  if (fe->win_length < 1 || fe->win_length > fe->n_fft)
    BAD ("win_length %d must be between 1 and n_fft (%d)", fe->win_length, fe->n_fft);
  if (fe->hop_length < 1 || fe->hop_length > fe->n_fft)
    BAD ("hop_length %d must be between 1 and n_fft (%d)", fe->hop_length, fe->n_fft);
  if (fe->n_mels < 1 || fe->n_mels > 1024)
    BAD ("n_mels %d is out of range (1–1024)", fe->n_mels);
  if (!(isfinite (fe->f_min) && isfinite (fe->f_max)) || fe->f_min < 0 ||
      fe->f_max <= fe->f_min || fe->f_max > fe->sample_rate / 2.0f + 1e-3f)
    BAD ("mel range %g–%g Hz is invalid for a sample rate of %d Hz",
         fe->f_min, fe->f_max, fe->sample_rate);
  if (fe->power != 1.0f && fe->power != 2.0f)
    BAD ("power %g is not supported (1 or 2)", fe->power);
  if (!isfinite (fe->log_offset) || fe->log_offset <= 0)
    BAD ("log_offset %g must be a positive number", fe->log_offset);
  if (!isfinite (fe->input_mean))
    BAD ("input_mean is not a finite number");
  if (!isfinite (fe->input_std) || fe->input_std <= 0)
    BAD ("input_std %g must be a positive number", fe->input_std);
  /* Sane ranges (issue 15.6): the log-mel of audio in [-1, 1] lies between
   * log(log_offset) and about +25, so a normalisation outside these ranges cannot
   * come from real statistics and drives the first layer to Inf/NaN (1e-45 is a
   * float denormal: every input becomes Inf). */
  if (fe->log_offset < 1e-12f || fe->log_offset > 1.0f)
    BAD ("log_offset %g is outside the sane range 1e-12 to 1", fe->log_offset);
  if (fe->input_mean < -1000.0f || fe->input_mean > 1000.0f)
    BAD ("input_mean %g is outside the sane range -1000 to 1000 (a log-mel mean)",
         fe->input_mean);
  if (fe->input_std < 1e-3f || fe->input_std > 1000.0f)
    BAD ("input_std %g is outside the sane range 0.001 to 1000 (a log-mel standard "
         "deviation)", fe->input_std);
#undef BAD
  return TRUE;
}
