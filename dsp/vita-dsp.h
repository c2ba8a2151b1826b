/* vita-dsp.h — shared definitions of the DSP library (no GTK, no GStreamer).
 *
 * Conventions used everywhere in dsp/:
 *   - PCM is mono float32 in [-1, 1] (not clipped), at the model's sample rate.
 *   - Spectrogram-like arrays are time-major: (n_frames, n_bins) row-major, so
 *     one frame is contiguous — exactly what the ViT-1D patch embedding consumes.
 *   - Frame i is centred at sample i * hop (torch.stft(center=True)), so a track of
 *     n samples has 1 + n / hop frames (integer division).
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define VITA_DSP_ERROR (vita_dsp_error_quark ())
GQuark vita_dsp_error_quark (void);

typedef enum {
  VITA_DSP_ERROR_OPEN,        /* file cannot be opened / read */
  VITA_DSP_ERROR_FORMAT,      /* not an audio file, unsupported codec, corrupt */
  VITA_DSP_ERROR_INVALID,     /* absurd parameters: 0 channels, rate 0, ... */
  VITA_DSP_ERROR_TOO_LONG,    /* longer than the configured limit */
  VITA_DSP_ERROR_CANCELLED,
} VitaDspError;

/* The model's audio front-end, exactly as in shared/design/vit1d-format.md.
 * Filled from a model file's metadata (model/) or with vita_frontend_init_default(). */
typedef struct {
  int    sample_rate;   /* 16000 */
  int    n_fft;         /* 1024 */
  int    win_length;    /* 1024, periodic Hann, centred in n_fft */
  int    hop_length;    /* 512 */
  gboolean center;      /* TRUE: reflect-pad n_fft/2 on both sides */
  float  power;         /* 2: power spectrogram */
  int    n_mels;        /* 128 */
  float  f_min;         /* 0 */
  float  f_max;         /* 8000 */
  float  log_offset;    /* 1e-6: log(mel + log_offset) */
  float  input_mean;    /* (x - mean) / std after the log */
  float  input_std;
} VitaFrontend;

void     vita_frontend_init_default (VitaFrontend *fe);
/* Checks every field for sanity (rate, n_fft power of two or not, hop > 0,
 * f_max <= rate/2, n_mels > 0, std > 0, ...); sets a VITA_DSP_ERROR_INVALID. */
gboolean vita_frontend_validate     (const VitaFrontend *fe, GError **error);
/* Number of frames for n samples: 1 + n / hop when centred. */
gsize    vita_frontend_n_frames     (const VitaFrontend *fe, gsize n_samples);

G_END_DECLS
