/* test-analysis-job.c — the app's analysis job (app/vita-analysis-job.h), no display:
 *   - the progressive open: every preview it hands over (the window under the playhead,
 *     and a seek's while the track decodes) has exactly one window ready, and that
 *     window's model input, class tokens, tokens and received attention are bit for bit
 *     those of the whole-file analysis (decode all, mel all, vita_analysis_run); the
 *     track's analysis that replaces it equals the whole-file analysis entirely; each
 *     preview comes with its window's attention maps (those of the whole-file analysis,
 *     bit for bit), the track's analysis with none;
 *   - a long track (PCM and analysis arrays in cache files) holds neither its PCM nor
 *     its mel in the heap: the job's analysis keeps its mel in a mapped store and the
 *     peak heap growth stays far below the mel's size. */
#include <malloc.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sndfile.h>

#include "vita-analysis-job.h"
#include "vita-main-post.h"
#include "dsp/vita-mel.h"
#include "model/vita-vit.h"
#include "vita-test.h"

static char *tmpdir;

/* A FLAC file of `seconds` at 44.1 kHz stereo: tones, a chirp and noise bursts. */
static char *
write_track (const char *name, double seconds)
{
  const int rate = 44100;
  const gsize frames = (gsize) (seconds * rate);
  g_autofree float *x = g_new (float, frames * 2);
  guint32 seed = 12345;
  for (gsize i = 0; i < frames; i++)
    {
      double t = (double) i / rate;
      seed = seed * 1664525u + 1013904223u;
      double noise = fmod (t, 1.7) < 0.05 ? (seed / 4294967296.0 - 0.5) : 0;
      x[2 * i] = (float) (0.3 * sin (2 * G_PI * 440 * t) + 0.2 * sin (2 * G_PI * (200 + 40 * t) * t) + noise);
      x[2 * i + 1] = (float) (0.25 * sin (2 * G_PI * 660 * t + 0.3) + 0.5 * noise);
    }
  char *path = g_build_filename (tmpdir, name, NULL);
  SF_INFO info = { .samplerate = rate, .channels = 2, .format = SF_FORMAT_FLAC | SF_FORMAT_PCM_16 };
  SNDFILE *sf = sf_open (path, SFM_WRITE, &info);
  g_assert_nonnull (sf);
  g_assert_cmpint (sf_writef_float (sf, x, (sf_count_t) frames), ==, (sf_count_t) frames);
  sf_close (sf);
  return path;
}

static VitaVit *
load_model (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = vita_test_data_path ("ana.safetensors");
  VitaVit *vit = vita_vit_load (path, &error);
  g_assert_no_error (error);
  return vit;
}

typedef struct {
  GPtrArray *analyses;   /* every analysis "analysis-started" handed over (NULL kept) */
  GArray    *n_samples;  /* gint64: the job's track length at each */
  GPtrArray *attention;  /* float*: the attention handed with each (NULL kept) */
  GArray    *att_window; /* int: its window */
  gboolean   finished;
  GError    *error;
  int        seek_to;    /* >= 0: set the priority there right after the first signal */
} Run;

static void
on_started (VitaAnalysisJob *job, Run *run)
{
  VitaAnalysis *an = vita_analysis_job_get_analysis (job);
  gint64 n = vita_analysis_job_get_n_samples (job);
  int window = -1;
  float *att = vita_analysis_job_take_window_attention (job, &window);
  g_ptr_array_add (run->analyses, an ? vita_analysis_ref (an) : NULL);
  g_array_append_val (run->n_samples, n);
  g_ptr_array_add (run->attention, att);
  g_array_append_val (run->att_window, window);
  /* taken: handed over once */
  g_assert_null (vita_analysis_job_take_window_attention (job, &window));
}

static void
on_finished (VitaAnalysisJob *job, GError *error, Run *run)
{
  run->finished = TRUE;
  run->error = error ? g_error_copy (error) : NULL;
}

static void
analysis_unref0 (gpointer an)
{
  if (an)
    vita_analysis_unref (an);
}

static VitaAnalysisJob *
run_job (const char *path, VitaVit *vit, int frame, int seek_to, Run *run)
{
  VitaAnalysisJob *job = vita_analysis_job_new (path, vit, frame);
  *run = (Run) { .analyses = g_ptr_array_new_with_free_func (analysis_unref0),
                 .n_samples = g_array_new (FALSE, FALSE, sizeof (gint64)), .seek_to = seek_to,
                 .attention = g_ptr_array_new_with_free_func (g_free),
                 .att_window = g_array_new (FALSE, FALSE, sizeof (int)) };
  vita_analysis_job_set_preview (job, TRUE);
  vita_analysis_job_set_workers (job, 1);
  g_signal_connect (job, "analysis-started", G_CALLBACK (on_started), run);
  g_signal_connect (job, "finished", G_CALLBACK (on_finished), run);
  vita_analysis_job_start (job);
  if (seek_to >= 0)
    vita_analysis_job_set_priority_frame (job, seek_to);   /* while it decodes */
  gint64 end = g_get_monotonic_time () + 120 * G_USEC_PER_SEC;
  while (!run->finished && g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (run->finished);
  g_assert_no_error (run->error);
  vita_analysis_job_join (job);
  return job;
}

static void
run_clear (Run *run)
{
  g_ptr_array_unref (run->analyses);
  g_array_unref (run->n_samples);
  g_ptr_array_unref (run->attention);
  g_array_unref (run->att_window);
}

/* The analysis as the CLI makes it: whole decode, whole mel, one run; the job's options. */
static VitaAnalysis *
whole_file_analysis (const char *path, VitaVit *vit, int priority_frame)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(VitaPcm) pcm = vita_audio_load (path, vit->cfg.fe.sample_rate, NULL, &error);
  g_assert_no_error (error);
  g_autoptr(VitaMel) mel = vita_mel_new (&vit->cfg.fe, &error);
  g_assert_no_error (error);
  g_autofree float *onset = NULL;
  gsize n_frames = 0;
  g_autofree float *m = vita_mel_features (mel, pcm->samples, pcm->n_samples, &onset, &n_frames, &error);
  g_assert_no_error (error);
  VitaAnalysisOptions opt;
  vita_analysis_options_init (&opt);
  opt.priority_frame = priority_frame;
  opt.workers = 1;
  opt.batch = 2;
  VitaAnalysis *an = vita_analysis_new (vit, m, (int) n_frames, &opt, &error);
  g_assert_no_error (error);
  vita_analysis_set_onset (an, onset);
  g_assert_true (vita_analysis_run (an, NULL, NULL, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  return an;
}

/* Window w's results in a (mel rows, class tokens, owned frames' tokens and received
 * attention) equal b's, bit for bit. */
static void
assert_window_equal (const VitaAnalysis *a, const VitaAnalysis *b, int w)
{
  const gsize M = a->cfg.fe.n_mels, D = a->cfg.dim, T = a->cfg.frames;
  const int s = a->window_start[w], lo = a->window_owned[w], hi = a->window_owned[w + 1];
  const gsize nf = MIN (T, (gsize) (a->n_frames - s));
  g_assert_cmpint (a->window_start[w], ==, b->window_start[w]);
  g_assert_cmpmem (a->mel + s * M, nf * M * sizeof (float), b->mel + s * M, nf * M * sizeof (float));
  g_assert_cmpmem (a->cls + (gsize) w * a->n_layers * D, a->n_layers * D * sizeof (float),
                   b->cls + (gsize) w * b->n_layers * D, b->n_layers * D * sizeof (float));
  g_assert_cmpint (hi, >, lo);
  for (int l = 0; l < a->n_layers; l++)
    {
      g_autofree float *ta = g_new (float, (hi - lo) * D);
      g_autofree float *tb = g_new (float, (hi - lo) * D);
      vita_analysis_read_tokens (a, l, lo, hi - lo, ta);
      vita_analysis_read_tokens (b, l, lo, hi - lo, tb);
      g_assert_cmpmem (ta, (hi - lo) * D * sizeof (float), tb, (hi - lo) * D * sizeof (float));
    }
  for (int lh = 0; lh < a->cfg.depth * a->cfg.heads; lh++)
    g_assert_cmpmem (a->received + (gsize) lh * a->n_frames + lo, (hi - lo) * sizeof (float),
                     b->received + (gsize) lh * b->n_frames + lo, (hi - lo) * sizeof (float));
}

static void
assert_analysis_equal (const VitaAnalysis *a, const VitaAnalysis *b)
{
  g_assert_cmpint (a->n_frames, ==, b->n_frames);
  g_assert_cmpint (a->n_windows, ==, b->n_windows);
  const gsize n = a->n_frames, M = a->cfg.fe.n_mels, D = a->cfg.dim, S = a->ssm_size;
  g_assert_cmpmem (a->mel, n * M * sizeof (float), b->mel, n * M * sizeof (float));
  g_assert_nonnull (a->onset);
  g_assert_cmpmem (a->onset, n * sizeof (float), b->onset, n * sizeof (float));
  g_assert_cmpmem (a->tokens, a->n_layers * n * D * sizeof (float),
                   b->tokens, b->n_layers * n * D * sizeof (float));
  g_assert_cmpmem (a->cls, (gsize) a->n_windows * a->n_layers * D * sizeof (float),
                   b->cls, (gsize) b->n_windows * b->n_layers * D * sizeof (float));
  g_assert_cmpmem (a->received, (gsize) a->cfg.depth * a->cfg.heads * n * sizeof (float),
                   b->received, (gsize) b->cfg.depth * b->cfg.heads * n * sizeof (float));
  g_assert_cmpmem (a->ssm, a->n_layers * S * S * sizeof (float), b->ssm, b->n_layers * S * S * sizeof (float));
}

/* Checks a run: previews (one window each, exact), then the track's analysis (exact). */
static void
check_run (Run *run, VitaAnalysisJob *job, const VitaAnalysis *whole)
{
  const VitaPcm *pcm = vita_analysis_job_get_pcm (job);
  guint n = run->analyses->len, previews = 0;
  g_assert_cmpuint (n, >=, 1);
  VitaAnalysis *final = g_ptr_array_index (run->analyses, n - 1);
  g_assert_true (final == vita_analysis_job_get_analysis (job));
  g_assert_true (vita_analysis_is_complete (final));
  assert_analysis_equal (final, whole);
  g_assert_null (g_ptr_array_index (run->attention, n - 1));
  for (guint i = 0; i + 1 < n; i++)
    {
      VitaAnalysis *p = g_ptr_array_index (run->analyses, i);
      g_assert_nonnull (p);
      g_assert_true (p != final);
      /* the header's length is the track's */
      g_assert_cmpint (g_array_index (run->n_samples, gint64, i), ==, (gint64) pcm->n_samples);
      g_assert_cmpint (p->n_frames, ==, whole->n_frames);
      g_assert_cmpint (g_atomic_int_get (&p->n_ready), ==, 1);
      int ready = -1;
      for (int w = 0; w < p->n_windows; w++)
        if (vita_analysis_window_ready (p, w))
          ready = w;
      g_test_message ("preview %u: window %d of %d", i, ready, p->n_windows);
      assert_window_equal (p, whole, ready);
      /* its window's attention, as the panels' cache would compute it from the track's */
      const float *att = g_ptr_array_index (run->attention, i);
      g_assert_nonnull (att);
      g_assert_cmpint (g_array_index (run->att_window, int, i), ==, ready);
      const gsize n_att = vita_analysis_window_attention_size (whole);
      g_autofree float *expect = g_new (float, n_att);
      g_assert_true (vita_analysis_window_attention (whole, ready, expect, NULL));
      g_assert_cmpmem (att, n_att * sizeof (float), expect, n_att * sizeof (float));
      previews++;
    }
  g_assert_cmpuint (previews, >=, 1);
}

static void
test_preview_exact (void)
{
  g_autoptr(VitaVit) vit = load_model ();
  g_autofree char *path = write_track ("progressive.flac", 14.0);
  /* the playhead at the start (a new track), then a restored position mid-track */
  const int frames[] = { 0, 250 };
  for (guint k = 0; k < G_N_ELEMENTS (frames); k++)
    {
      Run run;
      g_autoptr(VitaAnalysisJob) job = run_job (path, vit, frames[k], -1, &run);
      g_autoptr(VitaAnalysis) whole = whole_file_analysis (path, vit, frames[k]);
      check_run (&run, job, whole);
      /* the first preview shows the window under the playhead */
      VitaAnalysis *first = g_ptr_array_index (run.analyses, 0);
      g_assert_true (vita_analysis_window_ready (first, vita_analysis_window_for_frame (first, frames[k])));
      run_clear (&run);
    }
}

/* A seek right after the start, while the track decodes: any preview of the new place
 * is exact too, and the track's analysis computes the new place first. */
static void
test_preview_seek (void)
{
  g_autoptr(VitaVit) vit = load_model ();
  g_autofree char *path = write_track ("seek.flac", 14.0);
  Run run;
  g_autoptr(VitaAnalysisJob) job = run_job (path, vit, 0, 300, &run);
  g_autoptr(VitaAnalysis) whole = whole_file_analysis (path, vit, 300);
  check_run (&run, job, whole);
  run_clear (&run);
}

/* a 6 s FLAC's samples written in this format (libsndfile's major | sub) */
static char *
write_as (const char *name, int format)
{
  g_autofree char *flac = write_track ("plain.flac", 6.0);
  g_autoptr(GError) error = NULL;
  g_autoptr(VitaPcm) pcm = vita_audio_load (flac, 44100, NULL, &error);
  g_assert_no_error (error);
  char *wav = g_build_filename (tmpdir, name, NULL);
  SF_INFO info = { .samplerate = 44100, .channels = 1, .format = format };
  SNDFILE *sf = sf_open (wav, SFM_WRITE, &info);
  g_assert_nonnull (sf);
  sf_writef_float (sf, pcm->samples, (sf_count_t) pcm->n_samples);
  sf_close (sf);
  return wav;
}

/* An uncompressed WAV and an MP3 are read a stretch at a time too: previews, each
 * exact, the playhead's window first. */
static void
test_preview_format (gconstpointer data)
{
  const int format = GPOINTER_TO_INT (data);
  g_autoptr(VitaVit) vit = load_model ();
  g_autofree char *wav = write_as ((format & SF_FORMAT_TYPEMASK) == SF_FORMAT_MPEG ? "plain.mp3"
                                                                                  : "plain.wav",
                                   format);
  Run run;
  g_autoptr(VitaAnalysisJob) job = run_job (wav, vit, 40, -1, &run);
  g_autoptr(VitaAnalysis) whole = whole_file_analysis (wav, vit, 40);
  check_run (&run, job, whole);
  g_assert_cmpuint (run.analyses->len, >=, 2);   /* a preview, then the track's */
  VitaAnalysis *first = g_ptr_array_index (run.analyses, 0);
  g_assert_true (vita_analysis_window_ready (first, vita_analysis_window_for_frame (first, 40)));
  g_assert_false (vita_analysis_is_complete (first));
  run_clear (&run);
}

/* A compressed WAV (IMA ADPCM) cannot be read a stretch at a time: no preview, the
 * analysis as before. */
static void
test_no_preview (void)
{
  g_autoptr(VitaVit) vit = load_model ();
  g_autofree char *wav = write_as ("adpcm.wav", SF_FORMAT_WAV | SF_FORMAT_IMA_ADPCM);
  Run run;
  g_autoptr(VitaAnalysisJob) job = run_job (wav, vit, 40, -1, &run);
  g_assert_cmpuint (run.analyses->len, ==, 1);
  g_autoptr(VitaAnalysis) whole = whole_file_analysis (wav, vit, 40);
  assert_analysis_equal (g_ptr_array_index (run.analyses, 0), whole);
  run_clear (&run);
}

/* The file mapped at addr in this process (/proc/self/maps), or NULL. */
static char *
mapping_of (const void *addr)
{
  g_autofree char *maps = NULL;
  g_assert_true (g_file_get_contents ("/proc/self/maps", &maps, NULL, NULL));
  g_auto(GStrv) lines = g_strsplit (maps, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      guint64 lo, hi;
      int off = 0;
      if (sscanf (lines[i], "%" G_GINT64_MODIFIER "x-%" G_GINT64_MODIFIER "x %*s %*s %*s %*s %n",
                  &lo, &hi, &off) < 2 || off == 0)
        continue;
      if ((guint64) (guintptr) addr >= lo && (guint64) (guintptr) addr < hi)
        return g_strdup (lines[i] + off);
    }
  return NULL;
}

/* A long track: the decoded PCM is a mapped cache file and the analysis' arrays (its
 * mel and tokens) are mapped stores; the job keeps no heap copy of the mel: the heap
 * grows by less than the mel's size plus what the analysis and the waveform keep in
 * memory by design (SSMs, received attention, class tokens; the waveform's copy of
 * the samples below its own threshold, and its envelope). */
static void
test_long_not_in_heap (void)
{
  g_autoptr(VitaVit) vit = load_model ();
  g_autofree char *path = write_track ("long.flac", 120.0);
  /* 120 s at 16 kHz: 7.7 MB of PCM, 3750 frames × 128 mels = 1.9 MB of mel: both over
   * these thresholds, so both go to cache files */
  vita_audio_set_map_threshold (1 << 20);
  struct mallinfo2 m = mallinfo2 ();
  const gsize before = m.uordblks + m.hblkhd;   /* the heap and malloc's own mappings */
  Run run;
  g_autoptr(VitaAnalysisJob) job = run_job (path, vit, 0, -1, &run);
  run_clear (&run);   /* the previews (the session drops them as the track's comes) */
  m = mallinfo2 ();
  const gsize after = m.uordblks + m.hblkhd;
  const VitaPcm *pcm = vita_analysis_job_get_pcm (job);
  g_assert_cmpuint (pcm->mapped_bytes, >, 0);
  VitaAnalysis *an = vita_analysis_job_get_analysis (job);
  g_autofree char *mel_file = mapping_of (an->mel);
  g_autofree char *tokens_file = mapping_of (an->tokens);
  g_test_message ("mel in “%s”, tokens in “%s”", mel_file, tokens_file);
  g_assert_nonnull (strstr (mel_file, "vitascope/store-"));
  g_assert_nonnull (strstr (tokens_file, "vitascope/store-"));
  const gsize mel_bytes = (gsize) an->n_frames * an->cfg.fe.n_mels * sizeof (float);
  const gsize kept = sizeof (float) *
    ((gsize) an->n_layers * an->ssm_size * an->ssm_size +
     (gsize) an->cfg.depth * an->cfg.heads * an->n_frames + an->n_frames +
     (gsize) an->n_windows * an->n_layers * an->cfg.dim + pcm->n_samples * 9 / 8);
  g_test_message ("heap %zu → %zu bytes (kept by design %zu, mel %zu)", before, after, kept,
                  mel_bytes);
  g_assert_cmpuint (after, <, before + kept + mel_bytes / 2);
  vita_audio_set_map_threshold (G_MAXSIZE);
}

/* ------------------------------------------------------------------ vita_main_post */

typedef struct {
  GThread *ran_on;
  int      runs, freed;
} PostProbe;

static gboolean
post_record (gpointer data)
{
  PostProbe *p = data;
  p->ran_on = g_thread_self ();
  p->runs++;
  return G_SOURCE_REMOVE;
}

static void
post_freed (gpointer data)
{
  ((PostProbe *) data)->freed++;
}

static gpointer
post_from_worker (gpointer data)
{
  vita_main_post (NULL, G_PRIORITY_DEFAULT, post_record, data, post_freed);
  return NULL;
}

/* A worker's post runs on the thread that iterates the main context, and only there:
 * here nobody iterates it while the worker posts (the main thread waits in
 * g_thread_join), the moment g_main_context_invoke would have run it on the worker
 * (app-attribution's use-after-free in a GtkLabel, CI of stop 21). */
static void
test_main_post (void)
{
  PostProbe p = { 0 };
  GThread *worker = g_thread_new ("post", post_from_worker, &p);
  g_thread_join (worker);
  g_assert_cmpint (p.runs, ==, 0);
  g_assert_cmpint (p.freed, ==, 0);
  while (p.freed == 0)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpint (p.runs, ==, 1);
  g_assert_true (p.ran_on == g_thread_self ());
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  /* the job's analysis arrays over 1 MB in cache files (the whole-file analyses the
   * previews are compared with keep theirs in memory): both kinds of store are seen */
  g_setenv ("VITASCOPE_STORE_MAP_BYTES", "1048576", TRUE);
  tmpdir = g_dir_make_tmp ("vita-job-XXXXXX", NULL);
  g_test_add_func ("/analysis-job/preview/exact", test_preview_exact);
  g_test_add_func ("/analysis-job/preview/seek", test_preview_seek);
  g_test_add_data_func ("/analysis-job/preview/wav",
                        GINT_TO_POINTER (SF_FORMAT_WAV | SF_FORMAT_FLOAT), test_preview_format);
  g_test_add_data_func ("/analysis-job/preview/mp3",
                        GINT_TO_POINTER (SF_FORMAT_MPEG | SF_FORMAT_MPEG_LAYER_III),
                        test_preview_format);
  g_test_add_func ("/analysis-job/preview/none", test_no_preview);
  g_test_add_func ("/analysis-job/long/not-in-heap", test_long_not_in_heap);
  g_test_add_func ("/analysis-job/main-post", test_main_post);
  int status = g_test_run ();
  vita_test_cache_remove (tmpdir, 0);
  return status;
}
