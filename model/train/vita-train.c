/* vita-train.c — contrastive training: one step, the data (folder → cached log-mel
 * → positive pairs), checkpoints, and the trainer the CLI and the GUI drive.
 * shared/design/vit1d-format.md ("Contrastive training", "Training checkpoints"),
 * shared/design/reliability.md items 16–20, shared/design/training-notes.md. */
#include "vita-train.h"
#include "model/vita-blas.h"
#include "model/vita-npy.h"
#include "model/vita-safetensors.h"
#include "dsp/vita-audio.h"
#include "dsp/vita-mel.h"

#include <cblas.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include <glib/gstdio.h>

/* ------------------------------------------------------------------------------ */
/* data */

typedef struct {
  char   *path;       /* absolute */
  char   *rel;        /* relative to the data folder: names, hashing */
  float  *mel;        /* (frames, M) raw log-mel, owned */
  gsize   frames;
  gboolean validation;
} Track;

struct _VitaTrainData {
  GPtrArray *tracks;      /* Track*, sorted by rel */
  guint     *train_idx;   /* indices of training tracks */
  guint      n_train;
  guint     *val_idx;
  guint      n_val;
  int        M;
  double     frames_per_s;
  float      mean, std;
  char      *fingerprint;
};

static void
track_free (gpointer p)
{
  Track *t = p;
  g_free (t->path);
  g_free (t->rel);
  g_free (t->mel);
  g_free (t);
}

static int
compare_strings_early (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char **) a, *(const char **) b);
}

static const char *audio_exts[] = {
  ".wav", ".flac", ".ogg", ".oga", ".opus", ".mp3", ".aif", ".aiff", ".au", ".w64", ".caf",
};

static gboolean
is_audio_name (const char *name)
{
  g_autofree char *lower = g_ascii_strdown (name, -1);
  for (gsize i = 0; i < G_N_ELEMENTS (audio_exts); i++)
    if (g_str_has_suffix (lower, audio_exts[i]))
      return TRUE;
  return FALSE;
}

/* The folder walk (issue 15.5): every directory is entered once and every file
 * counted once, by identity (device, inode), so symlink loops end and a track
 * reached through two links lands once, in one split.  Entries are visited in name
 * order so that which path names a file reached twice does not depend on readdir. */
typedef struct {
  GHashTable *seen_dirs;    /* "dev:ino" */
  GHashTable *seen_files;   /* "dev:ino" */
  GPtrArray  *out;
  guint       skipped;      /* links to folders or files already included */
  char       *first_skipped;
} Walk;

static char *
identity_key (const GStatBuf *st)
{
  return g_strdup_printf ("%" G_GUINT64_FORMAT ":%" G_GUINT64_FORMAT, (guint64) st->st_dev,
                          (guint64) st->st_ino);
}

static void
walk_skip (Walk *w, const char *path)
{
  if (w->skipped++ == 0)
    w->first_skipped = g_strdup (path);
}

static void
scan_dir (Walk *w, const char *dir, int depth)
{
  if (depth > 256)
    return;   /* a chain of 256 distinct nested folders: deeper is not music */
  g_autoptr(GError) error = NULL;
  g_autoptr(GDir) d = g_dir_open (dir, 0, &error);
  if (d == NULL)
    {
      g_warning ("training data: cannot read folder %s: %s", dir, error->message);
      return;
    }
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  for (const char *name; (name = g_dir_read_name (d));)
    if (name[0] != '.')
      g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort (names, compare_strings_early);
  for (guint i = 0; i < names->len; i++)
    {
      const char *name = names->pdata[i];
      g_autofree char *path = g_build_filename (dir, name, NULL);
      GStatBuf st;
      if (g_stat (path, &st) != 0)
        continue;   /* a dangling link */
      g_autofree char *key = identity_key (&st);
      if (S_ISDIR (st.st_mode))
        {
          if (!g_hash_table_add (w->seen_dirs, g_steal_pointer (&key)))
            {
              walk_skip (w, path);
              continue;
            }
          scan_dir (w, path, depth + 1);
        }
      else if (S_ISREG (st.st_mode) && is_audio_name (name))
        {
          if (!g_hash_table_add (w->seen_files, g_steal_pointer (&key)))
            {
              walk_skip (w, path);
              continue;
            }
          g_ptr_array_add (w->out, g_steal_pointer (&path));
        }
    }
}

GPtrArray *
vita_train_scan_folder (const char *dir, guint *n_skipped, char **first_skipped)
{
  Walk w = {
    g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL),
    g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL),
    g_ptr_array_new_with_free_func (g_free), 0, NULL,
  };
  GStatBuf st;
  if (g_stat (dir, &st) == 0)
    g_hash_table_add (w.seen_dirs, identity_key (&st));
  scan_dir (&w, dir, 0);
  g_hash_table_unref (w.seen_dirs);
  g_hash_table_unref (w.seen_files);
  if (n_skipped)
    *n_skipped = w.skipped;
  if (first_skipped)
    *first_skipped = g_steal_pointer (&w.first_skipped);
  g_free (w.first_skipped);
  return w.out;
}

static int
compare_strings (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char **) a, *(const char **) b);
}

/* FNV-1a 64 followed by splitmix64's finaliser: a stable hash for the hold-out rule
 * (independent of GLib versions).  FNV alone leaves the high bits of short, similar
 * names poorly mixed, and the rule compares the whole 64-bit value. */
static guint64
fnv1a (const char *s)
{
  guint64 h = 0xcbf29ce484222325ULL;
  for (; *s; s++)
    {
      h ^= (guchar) *s;
      h *= 0x100000001b3ULL;
    }
  h = (h ^ (h >> 30)) * 0xbf58476d1ce4e5b9ULL;
  h = (h ^ (h >> 27)) * 0x94d049bb133111ebULL;
  return h ^ (h >> 31);
}

static char *
frontend_key (const VitaFrontend *fe)
{
  char buf[6][G_ASCII_DTOSTR_BUF_SIZE];
  return g_strdup_printf ("sr=%d n_fft=%d win=%d hop=%d center=%d power=%s n_mels=%d fmin=%s fmax=%s log_offset=%s",
                          fe->sample_rate, fe->n_fft, fe->win_length, fe->hop_length, fe->center,
                          g_ascii_dtostr (buf[0], sizeof buf[0], fe->power), fe->n_mels,
                          g_ascii_dtostr (buf[1], sizeof buf[1], fe->f_min),
                          g_ascii_dtostr (buf[2], sizeof buf[2], fe->f_max),
                          g_ascii_dtostr (buf[3], sizeof buf[3], fe->log_offset));
}

/* Raw log-mel of one file, from the cache when its key matches. */
static float *
track_log_mel (const char *path, const char *cache_dir, const VitaFrontend *fe,
               VitaMel *mel, gsize *frames, GCancellable *cancellable, GError **error)
{
  GStatBuf st;
  if (g_stat (path, &st) != 0)
    {
      int saved = errno;
      g_set_error (error, VITA_MODEL_ERROR, VITA_MODEL_ERROR_IO, "%s: %s", path, g_strerror (saved));
      return NULL;
    }
  g_autofree char *fekey = frontend_key (fe);
  g_autofree char *key = g_strdup_printf ("%s\n%" G_GINT64_FORMAT "\n%" G_GINT64_FORMAT ".%09ld\n%s",
                                          path, (gint64) st.st_size, (gint64) st.st_mtim.tv_sec,
                                          (long) st.st_mtim.tv_nsec, fekey);
  g_autofree char *hash = g_compute_checksum_for_string (G_CHECKSUM_SHA256, key, -1);
  g_autofree char *cache_name = g_strdup_printf ("%.40s.npy", hash);
  g_autofree char *cache_path = cache_dir ? g_build_filename (cache_dir, cache_name, NULL) : NULL;

  if (cache_path && g_file_test (cache_path, G_FILE_TEST_EXISTS))
    {
      int ndim;
      gsize shape[VITA_NPY_MAX_DIMS];
      g_autoptr(GError) cache_error = NULL;
      float *data = vita_npy_load (cache_path, &ndim, shape, &cache_error);
      if (data && ndim == 2 && shape[1] == (gsize) fe->n_mels && shape[0] > 0)
        {
          gboolean finite = TRUE;
          for (gsize i = 0; i < shape[0] * shape[1] && finite; i++)
            finite = isfinite (data[i]);
          if (finite)
            {
              *frames = shape[0];
              return data;
            }
        }
      g_free (data);
      g_warning ("training data: ignoring a bad cache file %s (%s)", cache_path,
                 cache_error ? cache_error->message : "wrong shape or values");
    }

  g_autoptr(VitaPcm) pcm = vita_audio_load (path, fe->sample_rate, cancellable, error);
  if (pcm == NULL)
    return NULL;
  gsize n = 0;
  g_autoptr(GError) fe_error = NULL;
  float *out = vita_mel_features (mel, pcm->samples, pcm->n_samples, NULL, &n, &fe_error);
  if (out == NULL)
    {
      g_set_error (error, VITA_MODEL_ERROR, VITA_MODEL_ERROR_IO, "%s: %s", path, fe_error->message);
      return NULL;
    }
  *frames = n;
  if (cache_path)
    {
      gsize shape[2] = { n, fe->n_mels };
      g_autoptr(GError) save_error = NULL;
      if (!vita_npy_save (cache_path, out, 2, shape, &save_error))
        g_warning ("training data: cannot write the log-mel cache %s: %s", cache_path, save_error->message);
    }
  return out;
}

VitaTrainData *
vita_train_data_new (const char *dir, const char *cache_dir, const VitaFrontend *fe_in,
                     int frames, double val_fraction,
                     VitaTrainDataProgressFunc progress, gpointer user_data,
                     GCancellable *cancellable, GError **error)
{
  if (!g_file_test (dir, G_FILE_TEST_IS_DIR))
    {
      g_set_error (error, VITA_MODEL_ERROR, VITA_MODEL_ERROR_IO,
                   "Training data folder %s does not exist or is not a folder", dir);
      return NULL;
    }
  /* the cache holds raw log-mel: normalisation is applied when batches are built */
  VitaFrontend fe = *fe_in;
  fe.input_mean = 0.0f;
  fe.input_std = 1.0f;
  g_autoptr(VitaMel) mel = vita_mel_new (&fe, error);
  if (mel == NULL)
    return NULL;
  if (cache_dir && g_mkdir_with_parents (cache_dir, 0755) != 0)
    {
      g_warning ("training data: cannot create the cache folder %s: %s (no cache)",
                 cache_dir, g_strerror (errno));
      cache_dir = NULL;
    }

  g_autofree char *abs_dir = g_canonicalize_filename (dir, NULL);
  guint n_links = 0;
  g_autofree char *first_link = NULL;
  g_autoptr(GPtrArray) paths = vita_train_scan_folder (abs_dir, &n_links, &first_link);
  g_ptr_array_sort (paths, compare_strings);
  if (n_links > 0)
    g_warning ("training data: skipped %u link%s to folders or files already included "
               "(symlink loops or duplicates), e.g. %s", n_links, n_links == 1 ? "" : "s",
               first_link);

  g_autoptr(VitaTrainData) d = g_new0 (VitaTrainData, 1);
  d->tracks = g_ptr_array_new_with_free_func (track_free);
  d->M = fe.n_mels;
  d->frames_per_s = (double) fe.sample_rate / fe.hop_length;
  gsize prefix = strlen (abs_dir);
  guint n_short = 0, n_bad = 0;
  for (guint i = 0; i < paths->len; i++)
    {
      const char *path = paths->pdata[i];
      if (progress)
        {
          VitaTrainDataProgress p = { i, paths->len, path };
          progress (&p, user_data);
        }
      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return NULL;
      g_autoptr(GError) track_error = NULL;
      gsize n = 0;
      float *m = track_log_mel (path, cache_dir, &fe, mel, &n, cancellable, &track_error);
      if (m == NULL)
        {
          if (g_error_matches (track_error, VITA_DSP_ERROR, VITA_DSP_ERROR_CANCELLED) ||
              g_cancellable_is_cancelled (cancellable))
            {
              g_set_error (error, VITA_MODEL_ERROR, VITA_MODEL_ERROR_CANCELLED, "Cancelled");
              return NULL;
            }
          if (n_bad++ < 3)
            g_warning ("training data: skipping %s: %s", path, track_error->message);
          continue;
        }
      if (n < (gsize) frames)
        {
          /* the first few by name, then one summary (10,000 short files must not
           * print 10,000 lines: issue 15.10) */
          if (n_short++ < 3)
            g_warning ("training data: skipping %s: %" G_GSIZE_FORMAT " frames, shorter than one %d-frame window",
                       path, n, frames);
          g_free (m);
          continue;
        }
      Track *t = g_new0 (Track, 1);
      t->path = g_strdup (path);
      t->rel = g_strdup (path[prefix] == '/' ? path + prefix + 1 : path + prefix);
      t->mel = m;
      t->frames = n;
      g_ptr_array_add (d->tracks, t);
    }
  if (n_short > 3 || n_bad > 3)
    g_warning ("training data: skipped %u file%s shorter than one %d-frame window and %u "
               "unreadable file%s in all (the first few are named above)", n_short,
               n_short == 1 ? "" : "s", frames, n_bad, n_bad == 1 ? "" : "s");
  if (progress)
    {
      VitaTrainDataProgress p = { paths->len, paths->len, NULL };
      progress (&p, user_data);
    }

  /* hold-out rule: hash(relative path) in the lowest val_fraction of the 64-bit range */
  guint n = d->tracks->len;
  d->train_idx = g_new0 (guint, n + 1);
  d->val_idx = g_new0 (guint, n + 1);
  guint64 threshold = (guint64) (CLAMP (val_fraction, 0.0, 0.5) * 18446744073709551615.0);
  guint n_val = 0, lowest = 0;
  for (guint i = 0; i < n; i++)
    {
      Track *t = d->tracks->pdata[i];
      guint64 h = fnv1a (t->rel);
      t->validation = val_fraction > 0 && h < threshold;
      n_val += t->validation;
      if (fnv1a (((Track *) d->tracks->pdata[lowest])->rel) > h)
        lowest = i;
    }
  if (n_val == 0 && val_fraction > 0 && n >= 4)
    ((Track *) d->tracks->pdata[lowest])->validation = TRUE;
  g_autoptr(GString) fp = g_string_new (NULL);
  for (guint i = 0; i < n; i++)
    {
      Track *t = d->tracks->pdata[i];
      if (t->validation)
        d->val_idx[d->n_val++] = i;
      else
        d->train_idx[d->n_train++] = i;
      g_string_append_printf (fp, "%s\t%" G_GSIZE_FORMAT "\t%d\n", t->rel, t->frames, t->validation);
    }
  d->fingerprint = g_compute_checksum_for_string (G_CHECKSUM_SHA256, fp->str, -1);
  if (d->n_train == 0)
    {
      g_set_error (error, VITA_MODEL_ERROR, VITA_MODEL_ERROR_IO,
                   "No usable audio in %s (need at least one readable track longer than %d frames)",
                   dir, frames);
      return NULL;
    }

  /* statistics of the training tracks, for input_mean / input_std */
  double sum = 0, sum2 = 0, count = 0;
  for (guint k = 0; k < d->n_train; k++)
    {
      Track *t = d->tracks->pdata[d->train_idx[k]];
      gsize len = t->frames * d->M;
      for (gsize i = 0; i < len; i++)
        {
          sum += t->mel[i];
          sum2 += (double) t->mel[i] * t->mel[i];
        }
      count += len;
    }
  d->mean = (float) (sum / count);
  double var = sum2 / count - (sum / count) * (sum / count);
  d->std = (float) sqrt (MAX (var, 1e-12));
  return g_steal_pointer (&d);
}

void
vita_train_data_free (VitaTrainData *d)
{
  if (d == NULL)
    return;
  if (d->tracks)
    g_ptr_array_unref (d->tracks);
  g_free (d->train_idx);
  g_free (d->val_idx);
  g_free (d->fingerprint);
  g_free (d);
}

guint
vita_train_data_n_tracks (const VitaTrainData *d, gboolean validation)
{
  return validation ? d->n_val : d->n_train;
}

void
vita_train_data_stats (const VitaTrainData *d, float *mean, float *std)
{
  *mean = d->mean;
  *std = d->std;
}

const char *
vita_train_data_fingerprint (const VitaTrainData *d)
{
  return d->fingerprint;
}

void
vita_pair_options_init (VitaPairOptions *o)
{
  *o = (VitaPairOptions) {
    .gap_min_s = 4.2,
    .gap_max_s = 8.0,
    .augment = FALSE,
    .gain_db = 6.0f,
    .noise_std = 0.1f,
  };
}

static void
shuffle (VitaRng *rng, guint *a, guint n)
{
  for (guint i = n; i > 1; i--)
    {
      guint j = (guint) vita_rng_below (rng, i);
      guint tmp = a[i - 1];
      a[i - 1] = a[j];
      a[j] = tmp;
    }
}

void
vita_pair_cursor_init (VitaPairCursor *c, const VitaTrainData *d, guint64 seed)
{
  memset (c, 0, sizeof *c);
  vita_rng_seed (&c->rng, seed ^ 0x5eed0da7a5eedULL);
  c->n_order = d->n_train;
  c->order = g_new (guint, MAX (1, c->n_order));
  for (guint i = 0; i < c->n_order; i++)
    c->order[i] = i;
  shuffle (&c->rng, c->order, c->n_order);
}

void
vita_pair_cursor_clear (VitaPairCursor *c)
{
  g_clear_pointer (&c->order, g_free);
}

char *
vita_pair_cursor_to_string (const VitaPairCursor *c)
{
  char rng[65];
  vita_rng_to_string (&c->rng, rng);
  GString *s = g_string_new (NULL);
  g_string_append_printf (s, "%s:%u:%" G_GUINT64_FORMAT ":", rng, c->pos, c->pairs_drawn);
  for (guint i = 0; i < c->n_order; i++)
    g_string_append_printf (s, "%s%u", i ? "," : "", c->order[i]);
  return g_string_free (s, FALSE);
}

gboolean
vita_pair_cursor_from_string (VitaPairCursor *c, const VitaTrainData *d, const char *str)
{
  g_auto(GStrv) parts = g_strsplit (str ? str : "", ":", 4);
  if (g_strv_length (parts) != 4)
    return FALSE;
  VitaPairCursor tmp = { 0 };
  if (!vita_rng_from_string (&tmp.rng, parts[0]))
    return FALSE;
  char *end;
  guint64 pos = g_ascii_strtoull (parts[1], &end, 10);
  if (*end || end == parts[1])
    return FALSE;
  tmp.pairs_drawn = g_ascii_strtoull (parts[2], &end, 10);
  if (*end || end == parts[2])
    return FALSE;
  g_auto(GStrv) items = g_strsplit (parts[3], ",", -1);
  guint n = g_strv_length (items);
  if (n != d->n_train || pos > n)
    return FALSE;
  tmp.order = g_new (guint, MAX (1, n));
  tmp.n_order = n;
  tmp.pos = (guint) pos;
  for (guint i = 0; i < n; i++)
    {
      guint64 v = g_ascii_strtoull (items[i], &end, 10);
      if (*end || end == items[i] || v >= n)
        {
          g_free (tmp.order);
          return FALSE;
        }
      tmp.order[i] = (guint) v;
    }
  vita_pair_cursor_clear (c);
  *c = tmp;
  return TRUE;
}

/* Copies one normalised, optionally augmented view. */
static void
copy_view (float *out, const Track *t, gsize start, int frames, int M, const VitaFrontend *fe,
           const VitaPairOptions *po, VitaRng *rng)
{
  const float *src = t->mel + start * M;
  const float inv_std = 1.0f / fe->input_std;
  float shift = 0;
  if (po->augment && po->gain_db > 0)
    {
      /* gain g on the waveform scales the power mel by g²: log-mel += 2 ln g */
      float db = (2 * vita_rng_uniform (rng) - 1) * po->gain_db;
      shift = db * (float) (G_LN10 / 10.0);
    }
  gsize n = (gsize) frames * M;
  for (gsize i = 0; i < n; i++)
    out[i] = (src[i] + shift - fe->input_mean) * inv_std;
  if (po->augment && po->noise_std > 0)
    for (gsize i = 0; i < n; i++)
      out[i] += po->noise_std * (float) vita_rng_normal (rng);
}

/* Draws the two start frames of a pair in a track of F frames. */
static void
draw_pair (VitaRng *rng, gsize F, int frames, double fps, const VitaPairOptions *po,
           gsize *a, gsize *b)
{
  gsize span = F - frames;  /* last valid start */
  gsize gmin = (gsize) llround (po->gap_min_s * fps);
  gsize gmax = (gsize) llround (po->gap_max_s * fps);
  if (gmax < gmin)
    gmax = gmin;
  gsize gap;
  if (span >= gmin)
    gap = gmin + vita_rng_below (rng, MIN (gmax, span) - gmin + 1);
  else
    gap = span;  /* a track too short for non-overlapping views: the widest gap it allows */
  gsize s0 = vita_rng_below (rng, span - gap + 1);
  gboolean swap = vita_rng_next (rng) & 1;
  *a = swap ? s0 + gap : s0;
  *b = swap ? s0 : s0 + gap;
}

void
vita_train_data_batch (const VitaTrainData *d, VitaPairCursor *c, const VitaPairOptions *po,
                       const VitaFrontend *fe, int frames, int pairs, gboolean validation,
                       float *out)
{
  const int M = d->M;
  g_assert (M == fe->n_mels);
  const gsize view = (gsize) frames * M;
  for (int p = 0; p < pairs; p++)
    {
      guint track;
      if (validation)
        {
          g_assert (d->n_val > 0);
          track = d->val_idx[vita_rng_below (&c->rng, d->n_val)];
        }
      else
        {
          if (c->pos >= c->n_order)
            {
              shuffle (&c->rng, c->order, c->n_order);
              c->pos = 0;
            }
          track = d->train_idx[c->order[c->pos++]];
        }
      const Track *t = d->tracks->pdata[track];
      gsize a, b;
      draw_pair (&c->rng, t->frames, frames, d->frames_per_s, po, &a, &b);
      copy_view (out + (gsize) p * view, t, a, frames, M, fe, po, &c->rng);
      copy_view (out + (gsize) (pairs + p) * view, t, b, frames, M, fe, po, &c->rng);
      c->pairs_drawn++;
    }
}

gboolean
vita_train_evaluate (VitaVit *vit, const VitaTrainData *d, gboolean validation,
                     const VitaPairOptions *po, int pairs, int n_batches, guint64 seed,
                     float *loss, float *accuracy)
{
  if (validation ? d->n_val == 0 : d->n_train == 0)
    return FALSE;
  const VitaVitConfig *cfg = &vit->cfg;
  const int B = 2 * pairs;
  VitaPairOptions plain = *po;
  plain.augment = FALSE;  /* evaluation sees the music as it is */
  VitaPairCursor c;
  vita_pair_cursor_init (&c, d, seed);
  g_autoptr(VitaVitState) state = vita_vit_state_new (cfg, B, FALSE);
  g_autoptr(VitaNtxent) nt = vita_ntxent_new (B, cfg->proj_dim);
  g_autofree float *input = g_new (float, (gsize) B * cfg->frames * cfg->fe.n_mels);
  double lsum = 0, asum = 0;
  for (int k = 0; k < n_batches; k++)
    {
      vita_train_data_batch (d, &c, &plain, &cfg->fe, cfg->frames, pairs, validation, input);
      vita_vit_forward (vit, state, input, B);
      float acc;
      lsum += vita_ntxent_forward (nt, state->acts.z, B, cfg->temperature, &acc);
      asum += acc;
    }
  vita_pair_cursor_clear (&c);
  *loss = (float) (lsum / n_batches);
  *accuracy = (float) (asum / n_batches);
  return TRUE;
}

/* ------------------------------------------------------------------------------ */
/* checkpoints */

#define CKPT_PREFIX "checkpoint-"
#define CKPT_SUFFIX ".safetensors"

void
vita_checkpoint_clear (VitaCheckpoint *ck)
{
  g_clear_pointer (&ck->vit, vita_vit_unref);
  g_clear_pointer (&ck->m, g_free);
  g_clear_pointer (&ck->v, g_free);
  g_clear_pointer (&ck->metadata, g_hash_table_unref);
  ck->step = 0;
}

static int
compare_cstr (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char **) a, *(const char **) b);
}

/* SHA-256 over every tensor (sorted by name: name, shape, float32 data) and every
 * metadata key/value except "checksum" — detects truncation and flipped bits. */
static char *
checkpoint_checksum (const VitaSafetensors *st)
{
  g_autoptr(GChecksum) sum = g_checksum_new (G_CHECKSUM_SHA256);
  guint n = vita_safetensors_n_tensors (st);
  g_autoptr(GPtrArray) names = g_ptr_array_new ();
  for (guint i = 0; i < n; i++)
    g_ptr_array_add (names, vita_safetensors_tensor_at (st, i)->name);
  g_ptr_array_sort (names, compare_cstr);
  for (guint i = 0; i < names->len; i++)
    {
      const VitaTensor *t = vita_safetensors_lookup (st, names->pdata[i]);
      g_checksum_update (sum, (const guchar *) t->name, strlen (t->name) + 1);
      g_checksum_update (sum, (const guchar *) t->shape, sizeof (gint64) * t->ndim);
      /* float32 little-endian as stored; this platform is little-endian (x86/arm) */
      g_checksum_update (sum, (const guchar *) t->data, t->n_elements * sizeof (float));
    }
  GHashTable *md = vita_safetensors_metadata (st);
  if (md)
    {
      g_autoptr(GList) keys = g_hash_table_get_keys (md);
      keys = g_list_sort (keys, (GCompareFunc) strcmp);
      for (GList *l = keys; l; l = l->next)
        {
          if (strcmp (l->data, "checksum") == 0)
            continue;
          const char *val = g_hash_table_lookup (md, l->data);
          g_checksum_update (sum, l->data, strlen (l->data) + 1);
          g_checksum_update (sum, (const guchar *) val, strlen (val) + 1);
        }
    }
  return g_strdup (g_checksum_get_string (sum));
}

/* Adds the tensors of a model-shaped buffer under prefix (adam.m. / adam.v.). */
static void
add_moments (VitaSafetensors *st, const VitaVit *like, const float *buf, const char *prefix)
{
  g_autoptr(VitaVit) tmp = vita_vit_new (&like->cfg);
  memcpy (tmp->memory, buf, like->num_params * sizeof (float));
  g_autoptr(VitaSafetensors) tst = vita_safetensors_new ();
  vita_vit_to_safetensors (tmp, tst);
  for (guint i = 0; i < vita_safetensors_n_tensors (tst); i++)
    {
      const VitaTensor *t = vita_safetensors_tensor_at (tst, i);
      g_autofree char *name = g_strconcat (prefix, t->name, NULL);
      vita_safetensors_add (st, name, t->ndim, t->shape, t->data);
    }
}

/* Reads the adam.m. / adam.v. tensors back into a model-shaped buffer. */
static float *
read_moments (const VitaSafetensors *st, const char *prefix, const char *display, GError **error)
{
  g_autoptr(VitaSafetensors) tst = vita_safetensors_new ();
  GHashTable *md = vita_safetensors_metadata (st);
  if (md)
    {
      GHashTableIter it;
      gpointer k, v;
      g_hash_table_iter_init (&it, md);
      while (g_hash_table_iter_next (&it, &k, &v))
        vita_safetensors_set_metadata (tst, k, v);
    }
  gsize plen = strlen (prefix);
  for (guint i = 0; i < vita_safetensors_n_tensors (st); i++)
    {
      const VitaTensor *t = vita_safetensors_tensor_at (st, i);
      if (g_str_has_prefix (t->name, prefix))
        vita_safetensors_add (tst, t->name + plen, t->ndim, t->shape, t->data);
    }
  g_autoptr(GError) inner = NULL;
  g_autoptr(VitaVit) vit = vita_vit_from_safetensors (tst, FALSE, &inner);
  if (vit == NULL)
    {
      g_set_error (error, VITA_MODEL_ERROR, VITA_MODEL_ERROR_CORRUPT,
                   "%s: optimizer state %s*: %s", display, prefix, inner->message);
      return NULL;
    }
  return g_memdup2 (vit->memory, vit->num_params * sizeof (float));
}

gboolean
vita_checkpoint_load (const char *path, VitaCheckpoint *ck, GError **error)
{
  memset (ck, 0, sizeof *ck);
  g_autoptr(VitaSafetensors) st = vita_safetensors_load (path, error);
  if (st == NULL)
    return FALSE;
  const char *want = vita_safetensors_get_metadata (st, "checksum");
  const char *step_s = vita_safetensors_get_metadata (st, "checkpoint_step");
  if (want == NULL || step_s == NULL)
    {
      g_set_error (error, VITA_MODEL_ERROR, VITA_MODEL_ERROR_METADATA,
                   "%s: not a Vitascope training checkpoint (no %s)", path,
                   want == NULL ? "checksum" : "checkpoint_step");
      return FALSE;
    }
  g_autofree char *got = checkpoint_checksum (st);
  if (strcmp (got, want) != 0)
    {
      g_set_error (error, VITA_MODEL_ERROR, VITA_MODEL_ERROR_CORRUPT,
                   "%s: checksum mismatch (the file is damaged)", path);
      return FALSE;
    }
  char *end;
  gint64 step = g_ascii_strtoll (step_s, &end, 10);
  if (*end || step < 0)
    {
      g_set_error (error, VITA_MODEL_ERROR, VITA_MODEL_ERROR_METADATA,
                   "%s: checkpoint_step '%s' is not a step count", path, step_s);
      return FALSE;
    }
  g_autoptr(VitaVit) vit = vita_vit_from_safetensors (st, TRUE, error);
  if (vit == NULL)
    return FALSE;
  if (vit->cfg.proj_dim <= 0)
    {
      g_set_error (error, VITA_MODEL_ERROR, VITA_MODEL_ERROR_MISMATCH,
                   "%s: a training checkpoint needs the projection head", path);
      return FALSE;
    }
  g_autofree float *m = read_moments (st, "adam.m.", path, error);
  if (m == NULL)
    return FALSE;
  g_autofree float *v = read_moments (st, "adam.v.", path, error);
  if (v == NULL)
    return FALSE;
  ck->vit = g_steal_pointer (&vit);
  ck->m = g_steal_pointer (&m);
  ck->v = g_steal_pointer (&v);
  ck->step = step;
  ck->metadata = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  GHashTable *md = vita_safetensors_metadata (st);
  GHashTableIter it;
  gpointer k, val;
  g_hash_table_iter_init (&it, md);
  while (g_hash_table_iter_next (&it, &k, &val))
    g_hash_table_insert (ck->metadata, g_strdup (k), g_strdup (val));
  return TRUE;
}

gint64
vita_checkpoint_step_of (const char *path)
{
  g_autofree char *name = g_path_get_basename (path);
  if (!g_str_has_prefix (name, CKPT_PREFIX) || !g_str_has_suffix (name, CKPT_SUFFIX))
    return -1;
  gsize len = strlen (name) - strlen (CKPT_PREFIX) - strlen (CKPT_SUFFIX);
  if (len == 0 || len > 18)
    return -1;
  for (gsize i = 0; i < len; i++)
    if (!g_ascii_isdigit (name[strlen (CKPT_PREFIX) + i]))
      return -1;
  return g_ascii_strtoll (name + strlen (CKPT_PREFIX), NULL, 10);
}

static int
compare_step_desc (gconstpointer a, gconstpointer b)
{
  gint64 x = vita_checkpoint_step_of (*(const char **) a);
  gint64 y = vita_checkpoint_step_of (*(const char **) b);
  return (x < y) - (x > y);
}

GPtrArray *
vita_checkpoint_list (const char *dir)
{
  GPtrArray *out = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GDir) d = dir ? g_dir_open (dir, 0, NULL) : NULL;
  const char *name;
  while (d != NULL && (name = g_dir_read_name (d)))
    if (vita_checkpoint_step_of (name) >= 0)
      g_ptr_array_add (out, g_build_filename (dir, name, NULL));
  /* by the step's value: a hand-made checkpoint-7 sorts below checkpoint-000000012 */
  g_ptr_array_sort (out, compare_step_desc);
  return out;
}

gboolean
vita_checkpoint_load_newest (const char *dir, VitaCheckpoint *ck, char **path_out, GError **error)
{
  g_autoptr(GPtrArray) files = vita_checkpoint_list (dir);
  for (guint i = 0; i < files->len; i++)
    {
      g_autoptr(GError) e = NULL;
      if (vita_checkpoint_load (files->pdata[i], ck, &e))
        {
          if (path_out)
            *path_out = g_strdup (files->pdata[i]);
          return TRUE;
        }
      g_warning ("Skipping checkpoint %s: %s", (const char *) files->pdata[i], e->message);
    }
  g_set_error (error, VITA_MODEL_ERROR, VITA_MODEL_ERROR_IO,
               "No usable checkpoint in %s", dir);
  return FALSE;
}

gboolean
vita_checkpoint_save (const char *dir, const VitaVit *vit, const float *m, const float *v,
                      gint64 step, GHashTable *extra, char **path_out, GError **error)
{
  g_autoptr(VitaSafetensors) st = vita_safetensors_new ();
  vita_vit_to_safetensors (vit, st);
  add_moments (st, vit, m, "adam.m.");
  add_moments (st, vit, v, "adam.v.");
  char buf[32];
  g_snprintf (buf, sizeof buf, "%" G_GINT64_FORMAT, step);
  vita_safetensors_set_metadata (st, "checkpoint_step", buf);
  if (extra)
    {
      GHashTableIter it;
      gpointer k, val;
      g_hash_table_iter_init (&it, extra);
      while (g_hash_table_iter_next (&it, &k, &val))
        vita_safetensors_set_metadata (st, k, val);
    }
  g_autofree char *sum = checkpoint_checksum (st);
  vita_safetensors_set_metadata (st, "checksum", sum);
  g_autofree char *name = g_strdup_printf (CKPT_PREFIX "%09" G_GINT64_FORMAT CKPT_SUFFIX, step);
  g_autofree char *path = g_build_filename (dir, name, NULL);
  if (!vita_safetensors_save (st, path, error))
    return FALSE;
  if (path_out)
    *path_out = g_steal_pointer (&path);
  return TRUE;
}

static const char *optimizer_keys[] = {
  "checkpoint_step", "checksum", "schedule", "data_cursor", "data_fingerprint",
  "train_options", "rng", "config_name",
};

void
vita_model_strip_training_state (VitaVit *vit)
{
  for (gsize i = 0; i < G_N_ELEMENTS (optimizer_keys); i++)
    g_hash_table_remove (vit->metadata, optimizer_keys[i]);
}

VitaVit *
vita_checkpoint_export (const VitaCheckpoint *ck)
{
  VitaVit *out = vita_vit_new (&ck->vit->cfg);
  memcpy (out->memory, ck->vit->memory, ck->vit->num_params * sizeof (float));
  GHashTableIter it;
  gpointer k, v;
  g_hash_table_iter_init (&it, ck->vit->metadata);
  while (g_hash_table_iter_next (&it, &k, &v))
    {
      gboolean skip = FALSE;
      for (gsize i = 0; i < G_N_ELEMENTS (optimizer_keys); i++)
        skip |= strcmp (k, optimizer_keys[i]) == 0;
      if (!skip)
        g_hash_table_insert (out->metadata, g_strdup (k), g_strdup (v));
    }
  g_hash_table_insert (out->metadata, g_strdup ("trained_steps"),
                       g_strdup_printf ("%" G_GINT64_FORMAT, ck->step));
  return out;
}

/* ------------------------------------------------------------------------------ */
/* options */

void
vita_train_options_init (VitaTrainOptions *o)
{
  memset (o, 0, sizeof *o);
  o->config = g_strdup ("small-4l");
  o->pairs = 64;
  o->steps = 0;
  o->threads = 0;
  o->seed = 1;
  vita_schedule_init_default (&o->schedule, VITA_TRAIN_DEFAULT_STEPS);
  vita_pair_options_init (&o->pair);
  o->val_fraction = 0.1;
  o->checkpoint_every = 50;
  o->checkpoint_seconds = 120;
  o->keep_checkpoints = 2;
  o->snapshot_every = 0;
  o->series_steps = NULL;
  o->n_series_steps = 0;
}

void
vita_train_options_clear (VitaTrainOptions *o)
{
  g_clear_pointer (&o->series_steps, g_free);
  o->n_series_steps = 0;
  g_clear_pointer (&o->data_dir, g_free);
  g_clear_pointer (&o->out_dir, g_free);
  g_clear_pointer (&o->cache_dir, g_free);
  g_clear_pointer (&o->config, g_free);
}

static char *
schedule_to_string (const VitaSchedule *s)
{
  char b[8][G_ASCII_DTOSTR_BUF_SIZE];
  return g_strdup_printf ("lr=%s lr_min=%s warmup=%" G_GINT64_FORMAT " total=%" G_GINT64_FORMAT
                          " wd_start=%s wd_end=%s beta1=%s beta2=%s eps=%s clip=%s",
                          g_ascii_dtostr (b[0], sizeof b[0], s->lr),
                          g_ascii_dtostr (b[1], sizeof b[1], s->lr_min),
                          s->warmup_steps, s->total_steps,
                          g_ascii_dtostr (b[2], sizeof b[2], s->wd_start),
                          g_ascii_dtostr (b[3], sizeof b[3], s->wd_end),
                          g_ascii_dtostr (b[4], sizeof b[4], s->beta1),
                          g_ascii_dtostr (b[5], sizeof b[5], s->beta2),
                          g_ascii_dtostr (b[6], sizeof b[6], s->eps),
                          g_ascii_dtostr (b[7], sizeof b[7], s->clip_norm));
}

/* "key=value key=value" → values; unknown keys are an error. */
static gboolean
parse_kv (const char *str, const char *const *keys, double *values, int n)
{
  g_auto(GStrv) items = g_strsplit (str ? str : "", " ", -1);
  int found = 0;
  for (char **it = items; *it; it++)
    {
      if (**it == 0)
        continue;
      char *eq = strchr (*it, '=');
      if (!eq)
        return FALSE;
      *eq = 0;
      int k;
      for (k = 0; k < n && strcmp (keys[k], *it) != 0; k++)
        ;
      if (k == n)
        return FALSE;
      char *end;
      values[k] = g_ascii_strtod (eq + 1, &end);
      if (*end || end == eq + 1 || !isfinite (values[k]))
        return FALSE;
      found++;
    }
  return found == n;
}

static gboolean
schedule_from_string (VitaSchedule *s, const char *str)
{
  static const char *const keys[] = { "lr", "lr_min", "warmup", "total", "wd_start", "wd_end",
                                      "beta1", "beta2", "eps", "clip" };
  double v[10];
  if (!parse_kv (str, keys, v, 10) || v[3] < 1 || v[2] < 0)
    return FALSE;
  *s = (VitaSchedule) { v[0], v[1], (gint64) v[2], (gint64) v[3], v[4], v[5], v[6], v[7], v[8], v[9] };
  return TRUE;
}

static char *
pair_options_to_string (const VitaPairOptions *po, int pairs, guint64 seed)
{
  char b[4][G_ASCII_DTOSTR_BUF_SIZE];
  return g_strdup_printf ("pairs=%d gap_min_s=%s gap_max_s=%s augment=%d gain_db=%s noise_std=%s seed=%" G_GUINT64_FORMAT,
                          pairs, g_ascii_dtostr (b[0], sizeof b[0], po->gap_min_s),
                          g_ascii_dtostr (b[1], sizeof b[1], po->gap_max_s), po->augment,
                          g_ascii_dtostr (b[2], sizeof b[2], po->gain_db),
                          g_ascii_dtostr (b[3], sizeof b[3], po->noise_std), seed);
}

static gboolean
pair_options_from_string (VitaPairOptions *po, int *pairs, guint64 *seed, const char *str)
{
  static const char *const keys[] = { "pairs", "gap_min_s", "gap_max_s", "augment", "gain_db", "noise_std", "seed" };
  double v[7];
  if (!parse_kv (str, keys, v, 7) || v[0] < 1 || v[0] > 100000)
    return FALSE;
  *pairs = (int) v[0];
  po->gap_min_s = v[1];
  po->gap_max_s = v[2];
  po->augment = v[3] != 0;
  po->gain_db = v[4];
  po->noise_std = v[5];
  *seed = (guint64) v[6];
  return TRUE;
}

/* ------------------------------------------------------------------------------ */
/* the trainer */

struct _VitaTrainer {
  VitaTrainOptions opt;
  int     lock_fd;
  char   *lock_path;

  GMutex  mutex;        /* guards the flags below and the weights against dup_model */
  GCond   cond;
  gboolean paused;
  gboolean stop;
  gint64   step;
  GThread *thread;
  gint     running;     /* atomic: the thread has not finished yet */
  gboolean thread_ok;
  GError  *thread_error;
  GCancellable *cancellable;

  VitaTrainProgressFunc progress;
  gpointer progress_data;
  VitaTrainSnapshotFunc snapshot;
  gpointer snapshot_data;

  /* the run's state */
  VitaTrainData *data;
  VitaVit       *vit;
  float         *m, *v;
  VitaSchedule   sched;
  VitaPairOptions pair;
  int            pairs;
  guint64        seed;
  VitaPairCursor cursor;
  gboolean       cursor_ready;
  char          *config_name;
};

VitaTrainer *
vita_trainer_new (const VitaTrainOptions *opt, GError **error)
{
  if (opt->data_dir == NULL || opt->out_dir == NULL)
    {
      g_set_error (error, VITA_MODEL_ERROR, VITA_MODEL_ERROR_METADATA,
                   "Training needs a data folder and an output folder");
      return NULL;
    }
  VitaVitConfig cfg;
  if (!vita_vit_config_init_preset (&cfg, opt->config, error))
    return NULL;
  if (opt->pairs < 2 || opt->pairs > 4096)
    {
      g_set_error (error, VITA_MODEL_ERROR, VITA_MODEL_ERROR_METADATA,
                   "Batch of %d pairs is out of range (2–4096: NT-Xent needs negatives)", opt->pairs);
      return NULL;
    }
  if (opt->steps < 0)
    {
      g_set_error (error, VITA_MODEL_ERROR, VITA_MODEL_ERROR_METADATA,
                   "Number of steps must be positive (got %" G_GINT64_FORMAT ")", opt->steps);
      return NULL;
    }
  if (g_mkdir_with_parents (opt->out_dir, 0755) != 0)
    {
      int saved = errno;
      g_set_error (error, VITA_MODEL_ERROR, VITA_MODEL_ERROR_IO,
                   "Cannot create the output folder %s: %s", opt->out_dir, g_strerror (saved));
      return NULL;
    }
  if (!opt->resume)
    {
      g_autoptr(GPtrArray) existing = vita_checkpoint_list (opt->out_dir);
      if (existing->len > 0)
        {
          g_set_error (error, VITA_MODEL_ERROR, VITA_MODEL_ERROR_BUSY,
                       "%s already holds training checkpoints: resume them (--resume) or choose another folder",
                       opt->out_dir);
          return NULL;
        }
    }
  g_autofree char *lock_path = g_build_filename (opt->out_dir, ".vitascope-train.lock", NULL);
  int fd = g_open (lock_path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0)
    {
      int saved = errno;
      g_set_error (error, VITA_MODEL_ERROR, VITA_MODEL_ERROR_IO,
                   "Cannot open the lock file %s: %s", lock_path, g_strerror (saved));
      return NULL;
    }
  if (flock (fd, LOCK_EX | LOCK_NB) != 0)
    {
      int saved = errno;
      close (fd);
      g_set_error (error, VITA_MODEL_ERROR, VITA_MODEL_ERROR_BUSY,
                   saved == EWOULDBLOCK ? "Another trainer is already training into %s"
                                        : "Cannot lock %s", opt->out_dir);
      return NULL;
    }
  /* we hold the lock: temporary files left by a killed trainer are stale */
  {
    g_autoptr(GDir) d = g_dir_open (opt->out_dir, 0, NULL);
    const char *name;
    while (d && (name = g_dir_read_name (d)))
      if (g_str_has_prefix (name, CKPT_PREFIX) && strstr (name, CKPT_SUFFIX ".tmp-"))
        {
          g_autofree char *stale = g_build_filename (opt->out_dir, name, NULL);
          g_unlink (stale);
        }
  }
  VitaTrainer *t = g_new0 (VitaTrainer, 1);
  t->opt = *opt;
  t->opt.data_dir = g_strdup (opt->data_dir);
  t->opt.out_dir = g_strdup (opt->out_dir);
  t->opt.cache_dir = opt->cache_dir ? g_strdup (opt->cache_dir)
                                    : g_build_filename (opt->out_dir, "mel-cache", NULL);
  t->opt.config = g_strdup (opt->config);
  if (opt->series_steps != NULL)
    t->opt.series_steps = g_memdup2 (opt->series_steps, MAX (1, opt->n_series_steps) * sizeof (gint64));
  else
    {
      t->opt.series_steps = g_new (gint64, 64);
      t->opt.n_series_steps = vita_train_series_default (t->opt.series_steps, 64, G_MAXINT64 / 16);
    }
  t->lock_fd = fd;
  t->lock_path = g_steal_pointer (&lock_path);
  g_mutex_init (&t->mutex);
  g_cond_init (&t->cond);
  t->cancellable = g_cancellable_new ();
  return t;
}

void
vita_trainer_free (VitaTrainer *t)
{
  if (t == NULL)
    return;
  if (t->thread)
    {
      vita_trainer_stop (t);
      vita_trainer_join (t, NULL);
    }
  g_clear_error (&t->thread_error);
  vita_train_data_free (t->data);
  g_clear_pointer (&t->vit, vita_vit_unref);
  g_free (t->m);
  g_free (t->v);
  if (t->cursor_ready)
    vita_pair_cursor_clear (&t->cursor);
  g_free (t->config_name);
  g_clear_object (&t->cancellable);
  if (t->lock_fd >= 0)
    {
      flock (t->lock_fd, LOCK_UN);
      close (t->lock_fd);
    }
  g_free (t->lock_path);
  vita_train_options_clear (&t->opt);
  g_mutex_clear (&t->mutex);
  g_cond_clear (&t->cond);
  g_free (t);
}

void
vita_trainer_set_progress_func (VitaTrainer *t, VitaTrainProgressFunc func, gpointer user_data)
{
  t->progress = func;
  t->progress_data = user_data;
}

void
vita_trainer_set_snapshot_func (VitaTrainer *t, VitaTrainSnapshotFunc func, gpointer user_data)
{
  t->snapshot = func;
  t->snapshot_data = user_data;
}

void
vita_trainer_pause (VitaTrainer *t)
{
  g_mutex_lock (&t->mutex);
  t->paused = TRUE;
  g_mutex_unlock (&t->mutex);
}

void
vita_trainer_resume (VitaTrainer *t)
{
  g_mutex_lock (&t->mutex);
  t->paused = FALSE;
  g_cond_broadcast (&t->cond);
  g_mutex_unlock (&t->mutex);
}

void
vita_trainer_stop (VitaTrainer *t)
{
  g_mutex_lock (&t->mutex);
  t->stop = TRUE;
  g_cond_broadcast (&t->cond);
  g_mutex_unlock (&t->mutex);
  g_cancellable_cancel (t->cancellable);
}

gint64
vita_trainer_get_step (VitaTrainer *t)
{
  g_mutex_lock (&t->mutex);
  gint64 s = t->step;
  g_mutex_unlock (&t->mutex);
  return s;
}

static VitaVit *
copy_model (const VitaVit *vit)
{
  VitaVit *out = vita_vit_new (&vit->cfg);
  memcpy (out->memory, vit->memory, vit->num_params * sizeof (float));
  GHashTableIter it;
  gpointer k, v;
  g_hash_table_iter_init (&it, vit->metadata);
  while (g_hash_table_iter_next (&it, &k, &v))
    g_hash_table_insert (out->metadata, g_strdup (k), g_strdup (v));
  return out;
}

VitaVit *
vita_trainer_dup_model (VitaTrainer *t)
{
  g_mutex_lock (&t->mutex);
  VitaVit *out = t->vit ? copy_model (t->vit) : NULL;
  g_mutex_unlock (&t->mutex);
  return out;
}

static void
emit (VitaTrainer *t, VitaTrainProgress *p)
{
  if (t->progress)
    t->progress (p, t->progress_data);
}

static void
data_progress (const VitaTrainDataProgress *dp, gpointer user_data)
{
  VitaTrainer *t = user_data;
  VitaTrainProgress p = { .phase = VITA_TRAIN_PREPARING, .files_done = dp->files_done,
                          .files_total = dp->files_total, .message = dp->path };
  emit (t, &p);
}

static void
set_provenance (VitaTrainer *t, gint64 step)
{
  GHashTable *md = t->vit->metadata;
  g_hash_table_insert (md, g_strdup ("trained_steps"), g_strdup_printf ("%" G_GINT64_FORMAT, step));
  g_hash_table_insert (md, g_strdup ("trained_pairs"),
                       g_strdup_printf ("%" G_GINT64_FORMAT, step * (gint64) t->pairs));
  g_autofree char *base = g_path_get_basename (t->opt.data_dir);
  g_hash_table_insert (md, g_strdup ("train_data"),
                       g_strdup_printf ("%s (%u training tracks, %u held out; NT-Xent, %d pairs/step, views %.1f–%.1f s apart%s)",
                                        base, vita_train_data_n_tracks (t->data, FALSE),
                                        vita_train_data_n_tracks (t->data, TRUE), t->pairs,
                                        t->pair.gap_min_s, t->pair.gap_max_s,
                                        t->pair.augment ? ", gain/noise augmentation" : ""));
  g_hash_table_insert (md, g_strdup ("created_by"),
                       g_strdup_printf ("vitascope %s trainer (config %s, seed %" G_GUINT64_FORMAT ")",
                                        VITA_VERSION, t->config_name, t->seed));
}

int
vita_train_series_default (gint64 *out, int cap, gint64 limit)
{
  int n = 0;
  if (n < cap)
    out[n++] = 0;
  for (gint64 decade = 1; decade <= limit / 10 + 1 && n < cap; decade *= 10)
    for (int k = 0; k < 3 && n < cap; k++)
      {
        gint64 v = decade * (k == 0 ? 1 : k == 1 ? 2 : 5);
        if (v > limit)
          return n;
        out[n++] = v;
      }
  return n;
}

static int
compare_i64 (gconstpointer a, gconstpointer b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;
  return x < y ? -1 : x > y;
}

gboolean
vita_train_series_parse (const char *text, gint64 **steps, int *n, GError **error)
{
  *steps = NULL;
  *n = 0;
  if (g_strcmp0 (text, "none") == 0)
    {
      *steps = g_new0 (gint64, 1);
      return TRUE;
    }
  g_auto(GStrv) parts = g_strsplit (text, ",", -1);
  guint len = g_strv_length (parts);
  g_autofree gint64 *v = g_new0 (gint64, MAX (1, len));
  int k = 0;
  for (guint i = 0; i < len; i++)
    {
      const char *p = g_strstrip (parts[i]);
      if (*p == '\0')
        continue;
      char *end = NULL;
      gint64 x = g_ascii_strtoll (p, &end, 10);
      if (end == p || *end != '\0' || x < 0)
        {
          g_set_error (error, VITA_MODEL_ERROR, VITA_MODEL_ERROR_METADATA,
                       "Checkpoint series: '%s' is not a step count (expected e.g. 0,1,2,5,10 or none)", p);
          return FALSE;
        }
      v[k++] = x;
    }
  qsort (v, k, sizeof (gint64), compare_i64);
  int u = 0;
  for (int i = 0; i < k; i++)
    if (u == 0 || v[u - 1] != v[i])
      v[u++] = v[i];
  *steps = g_steal_pointer (&v);
  *n = u;
  return TRUE;
}

static gboolean
series_wants (const VitaTrainer *t, gint64 step)
{
  for (int i = 0; i < t->opt.n_series_steps; i++)
    if (t->opt.series_steps[i] == step)
      return TRUE;
  return FALSE;
}

/* A complete model file for the checkpoint series (no optimiser state). A failure is
 * a warning: the series is a by-product and never stops a run. */
static void
save_series (VitaTrainer *t, gint64 step)
{
  if (!series_wants (t, step))
    return;
  g_autofree char *dir = g_build_filename (t->opt.out_dir, "series", NULL);
  g_autofree char *name = g_strdup_printf ("step-%08" G_GINT64_FORMAT ".safetensors", step);
  g_autofree char *path = g_build_filename (dir, name, NULL);
  if (g_file_test (path, G_FILE_TEST_EXISTS))
    return;  /* a resumed run keeps the one it wrote */
  g_autoptr(GError) e = NULL;
  set_provenance (t, step);
  /* a resumed run's weights carry the checkpoint's bookkeeping: not a model's */
  g_autoptr(VitaVit) model = copy_model (t->vit);
  vita_model_strip_training_state (model);
  if (g_mkdir_with_parents (dir, 0755) != 0 || !vita_vit_save (model, path, &e))
    g_warning ("training: could not write the series checkpoint %s: %s", path,
               e ? e->message : g_strerror (errno));
}

/* One line per step: the run's loss log (out_dir/train-log.tsv), read by emergence views. */
static void
append_log (VitaTrainer *t, gint64 step, float loss, float acc, float lr, float gnorm)
{
  g_autofree char *path = g_build_filename (t->opt.out_dir, "train-log.tsv", NULL);
  gboolean fresh = !g_file_test (path, G_FILE_TEST_EXISTS);
  FILE *f = fopen (path, "a");
  if (f == NULL)
    return;
  if (fresh)
    fputs ("step\tloss\taccuracy\tlr\tgrad_norm\n", f);
  fprintf (f, "%" G_GINT64_FORMAT "\t%.6f\t%.5f\t%.6g\t%.5g\n", step, loss, acc, lr, gnorm);
  fclose (f);
}

static gboolean
save_checkpoint (VitaTrainer *t, gint64 step, GError **error)
{
  set_provenance (t, step);
  g_autoptr(GHashTable) extra = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);
  g_hash_table_insert (extra, "schedule", schedule_to_string (&t->sched));
  g_hash_table_insert (extra, "data_cursor", vita_pair_cursor_to_string (&t->cursor));
  g_hash_table_insert (extra, "data_fingerprint", g_strdup (vita_train_data_fingerprint (t->data)));
  g_hash_table_insert (extra, "train_options", pair_options_to_string (&t->pair, t->pairs, t->seed));
  g_hash_table_insert (extra, "config_name", g_strdup (t->config_name));
  g_autofree char *path = NULL;
  if (!vita_checkpoint_save (t->opt.out_dir, t->vit, t->m, t->v, step, extra, &path, error))
    return FALSE;
  /* keep the newest keep_checkpoints; older ones go only after the new one is safe */
  g_autoptr(GPtrArray) files = vita_checkpoint_list (t->opt.out_dir);
  int keep = MAX (2, t->opt.keep_checkpoints);
  for (guint i = keep; i < files->len; i++)
    g_unlink (files->pdata[i]);
  return TRUE;
}

/* Resume from out_dir or start afresh. */
static gboolean
init_model (VitaTrainer *t, GError **error)
{
  VitaCheckpoint ck = { 0 };
  g_autofree char *ck_path = NULL;
  g_autoptr(GPtrArray) existing = vita_checkpoint_list (t->opt.out_dir);
  if (existing->len > 0 && !t->opt.resume)
    {
      g_set_error (error, VITA_MODEL_ERROR, VITA_MODEL_ERROR_BUSY,
                   "%s already holds training checkpoints: resume them (--resume) or choose another folder",
                   t->opt.out_dir);
      return FALSE;
    }
  if (existing->len > 0 && vita_checkpoint_load_newest (t->opt.out_dir, &ck, &ck_path, NULL))
    {
      VitaSchedule s;
      int pairs;
      guint64 seed;
      VitaPairOptions po;
      const char *cname = g_hash_table_lookup (ck.metadata, "config_name");
      if (!schedule_from_string (&s, g_hash_table_lookup (ck.metadata, "schedule")) ||
          !pair_options_from_string (&po, &pairs, &seed, g_hash_table_lookup (ck.metadata, "train_options")))
        {
          g_set_error (error, VITA_MODEL_ERROR, VITA_MODEL_ERROR_METADATA,
                       "%s: schedule or training options unreadable", ck_path);
          vita_checkpoint_clear (&ck);
          return FALSE;
        }
      /* settings that would change the run are refused, not silently ignored
       * (issue 15.10) */
      const char *refused = NULL;
      g_autofree char *why = NULL;
      if (t->opt.config_given && g_strcmp0 (t->opt.config, cname) != 0)
        {
          refused = "--config";
          why = g_strdup_printf ("it was trained with --config %s, not %s",
                                 cname ? cname : "(custom)", t->opt.config);
        }
      else if (t->opt.pairs_given && t->opt.pairs != pairs)
        {
          refused = "--batch";
          why = g_strdup_printf ("it was trained with --batch %d, not %d", pairs, t->opt.pairs);
        }
      else if (t->opt.steps > 0 && t->opt.steps <= ck.step)
        {
          refused = "--steps";
          why = g_strdup_printf ("it is already at step %" G_GINT64_FORMAT ", so --steps %"
                                 G_GINT64_FORMAT " would not train further", ck.step,
                                 t->opt.steps);
        }
      if (refused)
        {
          g_set_error (error, VITA_MODEL_ERROR, VITA_MODEL_ERROR_MISMATCH,
                       "Cannot resume %s with %s: %s (omit %s to continue the run as it was, "
                       "or train into a new folder)", ck_path, refused, why, refused);
          vita_checkpoint_clear (&ck);
          return FALSE;
        }
      if (t->opt.steps > 0 && t->opt.steps != s.total_steps && t->opt.steps > ck.step)
        {
          g_message ("Resuming %s at step %" G_GINT64_FORMAT ": schedule length changed from %"
                     G_GINT64_FORMAT " to %" G_GINT64_FORMAT " steps", ck_path, ck.step,
                     s.total_steps, t->opt.steps);
          s.total_steps = t->opt.steps;
        }
      t->sched = s;
      t->pair = po;
      t->pairs = pairs;
      t->seed = seed;
      t->config_name = g_strdup (cname ? cname : "custom");
      g_mutex_lock (&t->mutex);   /* read by vita_trainer_get_step/_dup_model */
      t->vit = g_steal_pointer (&ck.vit);
      t->step = ck.step;
      g_mutex_unlock (&t->mutex);
      t->m = g_steal_pointer (&ck.m);
      t->v = g_steal_pointer (&ck.v);
      const char *cur = g_hash_table_lookup (ck.metadata, "data_cursor");
      const char *fp = g_hash_table_lookup (ck.metadata, "data_fingerprint");
      t->cursor_ready = TRUE;
      memset (&t->cursor, 0, sizeof t->cursor);
      if (g_strcmp0 (fp, vita_train_data_fingerprint (t->data)) != 0 ||
          !vita_pair_cursor_from_string (&t->cursor, t->data, cur))
        {
          g_warning ("The training data in %s changed since %s: pairs are drawn afresh "
                     "(training continues, but not exactly as an uninterrupted run)",
                     t->opt.data_dir, ck_path);
          vita_pair_cursor_init (&t->cursor, t->data, t->seed + (guint64) ck.step);
        }
      vita_checkpoint_clear (&ck);
      return TRUE;
    }
  if (existing->len > 0)
    {
      g_set_error (error, VITA_MODEL_ERROR, VITA_MODEL_ERROR_CORRUPT,
                   "None of the checkpoints in %s can be read (see the warnings)", t->opt.out_dir);
      return FALSE;
    }
  VitaVitConfig cfg;
  if (!vita_vit_config_init_preset (&cfg, t->opt.config, error))
    return FALSE;
  vita_train_data_stats (t->data, &cfg.fe.input_mean, &cfg.fe.input_std);
  t->config_name = g_strdup (t->opt.config);
  t->sched = t->opt.schedule;
  t->sched.total_steps = t->opt.steps > 0 ? t->opt.steps : VITA_TRAIN_DEFAULT_STEPS;
  t->pair = t->opt.pair;
  t->pairs = t->opt.pairs;
  t->seed = t->opt.seed;
  VitaVit *fresh = vita_vit_new_random (&cfg, t->seed);
  /* under the mutex: vita_trainer_get_step and _dup_model read these from other
   * threads (ThreadSanitizer) */
  g_mutex_lock (&t->mutex);
  t->vit = fresh;
  t->step = 0;
  g_mutex_unlock (&t->mutex);
  t->m = g_new0 (float, t->vit->num_params);
  t->v = g_new0 (float, t->vit->num_params);
  vita_pair_cursor_init (&t->cursor, t->data, t->seed);
  t->cursor_ready = TRUE;
  return TRUE;
}

static gboolean
trainer_run_inner (VitaTrainer *t, GError **error)
{
  if (t->data == NULL)
    {
      VitaVitConfig cfg;
      if (!vita_vit_config_init_preset (&cfg, t->opt.config, error))
        return FALSE;
      /* on resume the checkpoint's front-end must match: it is checked below */
      t->data = vita_train_data_new (t->opt.data_dir, t->opt.cache_dir, &cfg.fe, cfg.frames,
                                     t->opt.val_fraction, data_progress, t, t->cancellable, error);
      if (t->data == NULL)
        return FALSE;
    }
  if (t->vit == NULL && !init_model (t, error))
    return FALSE;

  VitaVitConfig *cfg = &t->vit->cfg;
  {
    VitaVitConfig pc;
    if (vita_vit_config_init_preset (&pc, t->opt.config, NULL) &&
        (pc.fe.n_mels != cfg->fe.n_mels || pc.fe.sample_rate != cfg->fe.sample_rate ||
         pc.fe.hop_length != cfg->fe.hop_length || pc.frames != cfg->frames))
      {
        /* the data was prepared for the requested preset; the checkpoint differs */
        vita_train_data_free (t->data);
        t->data = vita_train_data_new (t->opt.data_dir, t->opt.cache_dir, &cfg->fe, cfg->frames,
                                       t->opt.val_fraction, data_progress, t, t->cancellable, error);
        if (t->data == NULL)
          return FALSE;
      }
  }
  const int pairs = t->pairs, B = 2 * pairs;
  /* threads > 1: worker threads split each step's windows, BLAS single-threaded */
  const int workers = MAX (1, t->opt.threads);
  /* the step's activations, computed before allocating them (issue 15.2) */
  guint64 act_bytes;
  if (!vita_vit_state_bytes (cfg, B, TRUE, &act_bytes) || act_bytes > VITA_VIT_TRAIN_MEMORY_MAX)
    {
      g_autofree char *need = vita_format_bytes (act_bytes);
      g_autofree char *lim = vita_format_bytes (VITA_VIT_TRAIN_MEMORY_MAX);
      g_set_error (error, VITA_MODEL_ERROR, VITA_MODEL_ERROR_METADATA,
                   "Training this model with --batch %d needs %s of activations per step, "
                   "more than the %s limit: use a smaller --batch", pairs, need, lim);
      return FALSE;
    }
  g_autoptr(VitaBlasSingle) single = workers > 1 ? vita_blas_single_begin () : NULL;
  g_autoptr(VitaTrainStep) ts = vita_train_step_new (cfg, B, workers);
  if (ts == NULL)
    {
      g_autofree char *need = vita_format_bytes (act_bytes);
      g_set_error (error, VITA_MODEL_ERROR, VITA_MODEL_ERROR_IO,
                   "Not enough memory for the training activations (%s)", need);
      return FALSE;
    }
  g_autofree float *input = g_new (float, (gsize) B * cfg->frames * cfg->fe.n_mels);

  const gint64 total = t->sched.total_steps;
  const gint64 start_step = t->step;
  gint64 last_saved = start_step;
  gint64 run_steps = 0;
  gint64 t_start = g_get_monotonic_time ();
  gint64 t_last_save = t_start;
  double rate = 0;  /* steps per second, moving average */
  gint64 t_prev = t_start;
  VitaTrainProgress p = { .phase = VITA_TRAIN_RUNNING, .step = t->step, .total_steps = total };
  gboolean first = TRUE;
  save_series (t, t->step);

  for (;;)
    {
      g_mutex_lock (&t->mutex);
      while (t->paused && !t->stop)
        {
          p.phase = VITA_TRAIN_PAUSED;
          g_mutex_unlock (&t->mutex);
          emit (t, &p);
          g_mutex_lock (&t->mutex);
          if (t->paused && !t->stop)
            g_cond_wait (&t->cond, &t->mutex);
          t_prev = g_get_monotonic_time ();
        }
      gboolean stop = t->stop;
      g_mutex_unlock (&t->mutex);
      p.phase = VITA_TRAIN_RUNNING;
      if (stop || t->step >= total || (t->opt.stop_after > 0 && run_steps >= t->opt.stop_after))
        break;

      vita_train_data_batch (t->data, &t->cursor, &t->pair, &cfg->fe, cfg->frames, pairs, FALSE, input);
      float acc, gnorm;
      g_mutex_lock (&t->mutex);
      float loss = vita_train_step_run (ts, t->vit, t->m, t->v, &t->sched, t->step, input, &acc, &gnorm);
      gboolean ok = isfinite (loss);
      if (ok)
        t->step++;
      g_mutex_unlock (&t->mutex);
      if (!ok)
        {
          /* the weights were not touched: keep them (reliability.md item 19) */
          g_autoptr(GError) save_error = NULL;
          if (t->step > last_saved)
            save_checkpoint (t, t->step, &save_error);
          g_set_error (error, VITA_MODEL_ERROR, VITA_MODEL_ERROR_NONFINITE,
                       "Training stopped at step %" G_GINT64_FORMAT ": the loss or its gradient is not finite "
                       "(the last good weights are in %s%s%s)", t->step, t->opt.out_dir,
                       save_error ? "; saving them failed: " : "", save_error ? save_error->message : "");
          return FALSE;
        }
      run_steps++;
      append_log (t, t->step, loss, acc, vita_schedule_lr (&t->sched, t->step - 1), gnorm);
      save_series (t, t->step);
      gint64 now = g_get_monotonic_time ();
      double dt = (now - t_prev) / 1e6;
      t_prev = now;
      double inst = dt > 0 ? 1.0 / dt : 0;
      rate = first ? inst : 0.9 * rate + 0.1 * inst;
      p.step = t->step;
      p.total_steps = total;
      p.loss = loss;
      p.accuracy = acc;
      p.loss_avg = first ? loss : 0.95f * p.loss_avg + 0.05f * loss;
      p.accuracy_avg = first ? acc : 0.95f * p.accuracy_avg + 0.05f * acc;
      p.lr = vita_schedule_lr (&t->sched, t->step - 1);
      p.grad_norm = gnorm;
      p.pairs_per_s = rate * pairs;
      p.eta_s = rate > 0 ? (total - t->step) / rate : 0;
      p.message = NULL;
      first = FALSE;
      emit (t, &p);

      gboolean due = (t->opt.checkpoint_every > 0 && t->step % t->opt.checkpoint_every == 0) ||
                     (t->opt.checkpoint_seconds > 0 && (now - t_last_save) / 1e6 >= t->opt.checkpoint_seconds);
      while (due)
        {
          g_autoptr(GError) save_error = NULL;
          p.phase = VITA_TRAIN_SAVING;
          emit (t, &p);
          if (save_checkpoint (t, t->step, &save_error))
            {
              last_saved = t->step;
              t_last_save = g_get_monotonic_time ();
              break;
            }
          /* the previous checkpoint is intact (atomic writes; reliability.md item 17) */
          g_autofree char *msg = g_strdup_printf ("Could not save a checkpoint: %s (the previous one is intact)",
                                                  save_error->message);
          if (!t->opt.pause_on_save_error)
            {
              g_set_error_literal (error, VITA_MODEL_ERROR, VITA_MODEL_ERROR_IO, msg);
              return FALSE;
            }
          p.phase = VITA_TRAIN_PAUSED;
          p.message = msg;
          emit (t, &p);
          g_mutex_lock (&t->mutex);
          t->paused = TRUE;
          while (t->paused && !t->stop)
            g_cond_wait (&t->cond, &t->mutex);
          gboolean stopping = t->stop;
          g_mutex_unlock (&t->mutex);
          if (stopping)
            break;  /* the final save below tries once more */
        }
      p.phase = VITA_TRAIN_RUNNING;

      if (t->snapshot && t->opt.snapshot_every > 0 && t->step % t->opt.snapshot_every == 0)
        {
          g_mutex_lock (&t->mutex);
          set_provenance (t, t->step);
          VitaVit *snap = copy_model (t->vit);
          g_mutex_unlock (&t->mutex);
          t->snapshot (snap, t->step, t->snapshot_data);
        }
    }

  if (t->step > last_saved || t->step == 0)
    {
      p.phase = VITA_TRAIN_SAVING;
      emit (t, &p);
      if (!save_checkpoint (t, t->step, error))
        {
          g_prefix_error (error, "Could not save the final checkpoint (the previous one is intact): ");
          return FALSE;
        }
    }
  return TRUE;
}

gboolean
vita_trainer_run (VitaTrainer *t, GError **error)
{
  GError *local = NULL;
  gboolean ok = trainer_run_inner (t, &local);
  VitaTrainProgress p = { .phase = ok ? VITA_TRAIN_FINISHED : VITA_TRAIN_FAILED,
                          .step = vita_trainer_get_step (t),
                          .total_steps = t->sched.total_steps,
                          .message = local ? local->message : NULL };
  emit (t, &p);
  if (local)
    g_propagate_error (error, local);
  return ok;
}

static gpointer
trainer_thread (gpointer data)
{
  VitaTrainer *t = data;
  t->thread_ok = vita_trainer_run (t, &t->thread_error);
  g_atomic_int_set (&t->running, 0);
  return NULL;
}

gboolean
vita_trainer_start (VitaTrainer *t, GError **error)
{
  g_return_val_if_fail (t->thread == NULL, FALSE);
  g_atomic_int_set (&t->running, 1);
  t->thread = g_thread_try_new ("vita-trainer", trainer_thread, t, error);
  if (t->thread == NULL)
    g_atomic_int_set (&t->running, 0);
  return t->thread != NULL;
}

gboolean
vita_trainer_is_running (VitaTrainer *t)
{
  return g_atomic_int_get (&t->running) != 0;
}

gboolean
vita_trainer_join (VitaTrainer *t, GError **error)
{
  if (t->thread == NULL)
    return TRUE;
  g_thread_join (t->thread);
  t->thread = NULL;
  if (!t->thread_ok)
    {
      if (t->thread_error)
        g_propagate_error (error, g_steal_pointer (&t->thread_error));
      return FALSE;
    }
  return TRUE;
}
