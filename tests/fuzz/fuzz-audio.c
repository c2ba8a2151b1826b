/* fuzz-audio.c — libFuzzer target for audio ingestion (reliability.md 9–11):
 * arbitrary bytes through libsndfile's virtual I/O, the downmix, the NaN scrub and
 * the resampler (vita_audio_load_memory).  Built with -Dfuzz=true under clang;
 * the committed corpus (corpus-audio/) is replayed by replay-audio in every build.
 *
 *   build-fuzz/tests/fuzz/fuzz-audio -max_total_time=120 -rss_limit_mb=2048 \
 *       NEW_CORPUS_DIR tests/fuzz/corpus-audio
 */
#include "vita-audio.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

int LLVMFuzzerInitialize (int *argc, char ***argv);
int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  /* A tiny FLAC of silence can claim hours at 768 kHz: bound the work per input
   * (the limit itself is part of what is tested). */
  vita_audio_set_max_duration (30.0);
  return 0;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  static gboolean initialised;
  if (!initialised)
    {
      LLVMFuzzerInitialize (NULL, NULL);
      initialised = TRUE;
    }
  GError *error = NULL;
  VitaPcm *pcm = vita_audio_load_memory (data, size, "fuzz-input.bin", 16000, &error);
  if (pcm != NULL)
    {
      /* the contract: mono finite samples at the target rate, within the limit */
      g_assert (error == NULL);
      g_assert (pcm->sample_rate == 16000);
      g_assert (pcm->n_samples > 0 && pcm->samples != NULL);
      g_assert (pcm->duration <= 30.0 + 1.0);
      g_assert (pcm->source_channels >= 1);
      for (gsize i = 0; i < pcm->n_samples; i++)
        g_assert (isfinite (pcm->samples[i]));
      vita_pcm_free (pcm);
    }
  else
    {
      /* every refusal is a VITA_DSP_ERROR that names the input */
      g_assert (error != NULL);
      g_assert (error->domain == VITA_DSP_ERROR);
      g_assert (strstr (error->message, "fuzz-input.bin") != NULL);
      g_error_free (error);
    }
  return 0;
}
