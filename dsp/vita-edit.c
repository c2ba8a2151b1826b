/* vita-edit.c — counterfactual edits on PCM (vita-edit.h). */
#include "vita-edit.h"
#include "vita-mel.h"

#include <fftw3.h>
#include <math.h>
#include <rubberband/rubberband-c.h>
#include <sndfile.h>
#include <string.h>
#include <glib/gstdio.h>
#include <unistd.h>

static const char *kind_names[] = {
  "mute", "gain", "swap", "reverse", "transpose", "stretch", "mix",
};

const char *
vita_edit_kind_name (VitaEditKind kind)
{
  g_return_val_if_fail ((guint) kind < G_N_ELEMENTS (kind_names), "?");
  return kind_names[kind];
}

void
vita_edit_free (VitaEdit *edit)
{
  if (edit == NULL)
    return;
  g_free (edit->spec);
  g_free (edit->path);
  g_free (edit);
}

/* ---- parsing ------------------------------------------------------------------- */

static gboolean
bad (GError **error, const char *spec, const char *fmt, ...) G_GNUC_PRINTF (3, 4);

static gboolean
bad (GError **error, const char *spec, const char *fmt, ...)
{
  va_list ap;
  va_start (ap, fmt);
  g_autofree char *what = g_strdup_vprintf (fmt, ap);
  va_end (ap);
  g_set_error (error, VITA_DSP_ERROR, VITA_DSP_ERROR_INVALID, "edit “%s”: %s", spec, what);
  return FALSE;
}

/* A whole string as a finite number, with an optional suffix (case-insensitive). */
static gboolean
parse_number (const char *s, const char *suffix, double *out)
{
  g_autofree char *t = g_strstrip (g_strdup (s));
  gsize n = strlen (t);
  if (suffix && n >= strlen (suffix) && g_ascii_strcasecmp (t + n - strlen (suffix), suffix) == 0)
    t[n - strlen (suffix)] = '\0';
  if (*t == '\0')
    return FALSE;
  char *end = NULL;
  double v = g_ascii_strtod (t, &end);
  if (end == t || *end != '\0' || !isfinite (v))
    return FALSE;
  *out = v;
  return TRUE;
}

/* "A-B" (numbers ≥ 0, A < B); the dash after a leading sign is not a separator. */
static gboolean
parse_pair (const char *s, const char *suffix, double *a, double *b)
{
  const char *dash = strchr (s + (s[0] == '-' || s[0] == '+'), '-');
  if (dash == NULL)
    return FALSE;
  g_autofree char *left = g_strndup (s, dash - s);
  if (!parse_number (left, NULL, a))
    return FALSE;
  return parse_number (dash + 1, suffix, b);
}

static gboolean
parse_range (const char *spec, const char *s, double *t0, double *t1, GError **error)
{
  if (!parse_pair (s, "s", t0, t1))
    return bad (error, spec, "“%s” is not a time range in seconds (like 10-20)", s);
  if (*t0 < 0 || *t1 <= *t0)
    return bad (error, spec, "the time range %g–%g s is empty or negative", *t0, *t1);
  return TRUE;
}

VitaEdit *
vita_edit_parse (const char *spec, GError **error)
{
  g_return_val_if_fail (spec != NULL, NULL);
  g_autoptr(VitaEdit) e = g_new0 (VitaEdit, 1);
  e->spec = g_strdup (spec);
  e->band_lo = e->band_hi = -1;
  const char *colon = strchr (spec, ':');
  g_autofree char *name = g_strstrip (g_strndup (spec, colon ? (gsize) (colon - spec) : strlen (spec)));
  guint k;
  for (k = 0; k < G_N_ELEMENTS (kind_names); k++)
    if (g_ascii_strcasecmp (name, kind_names[k]) == 0)
      break;
  if (k == G_N_ELEMENTS (kind_names))
    {
      bad (error, spec, "unknown edit “%s” (known: mute, gain, swap, reverse, transpose, stretch, mix)",
           name);
      return NULL;
    }
  e->kind = (VitaEditKind) k;
  if (colon == NULL || colon[1] == '\0')
    {
      bad (error, spec, "%s needs an argument, e.g. %s", name,
           (const char *[]) { "mute:0-300Hz@10-20", "gain:-6dB@5-8", "swap:10-12,20-22",
                              "reverse:3-5", "transpose:+2", "stretch:1.1",
                              "mix:other.wav@-12dB" }[k]);
      return NULL;
    }
  const char *arg = colon + 1;
  /* the time range after the last '@' (not for mix, whose '@' is its gain) */
  g_autofree char *body = NULL;
  const char *at = strrchr (arg, '@');
  if (e->kind == VITA_EDIT_MUTE || e->kind == VITA_EDIT_GAIN)
    {
      body = g_strndup (arg, at ? (gsize) (at - arg) : strlen (arg));
      if (at)
        {
          if (!parse_range (spec, at + 1, &e->t0, &e->t1, error))
            return NULL;
          e->has_range = TRUE;
        }
    }
  else
    body = g_strdup (arg);

  switch (e->kind)
    {
    case VITA_EDIT_MUTE:
      {
        double a, b;
        g_autofree char *lower = g_ascii_strdown (g_strstrip (body), -1);
        const char *unit = g_str_has_suffix (lower, "khz") ? "khz"
                         : g_str_has_suffix (lower, "hz") ? "hz"
                         : g_str_has_suffix (lower, "mel") ? "mel" : NULL;
        if (unit == NULL || !parse_pair (lower, unit, &a, &b))
          {
            bad (error, spec, "“%s” is not a band (like 0-300Hz, 2-5kHz or 3-8mel)", body);
            return NULL;
          }
        if (strcmp (unit, "mel") == 0)
          {
            if (a != floor (a) || b != floor (b) || a < 0 || b < a)
              {
                bad (error, spec, "mel bands %g-%g are not a band range (whole numbers, first ≤ last)",
                     a, b);
                return NULL;
              }
            e->band_lo = (int) a, e->band_hi = (int) b;
            break;
          }
        double scale = strcmp (unit, "khz") == 0 ? 1000 : 1;
        e->lo_hz = a * scale, e->hi_hz = b * scale;
        if (e->lo_hz < 0 || e->hi_hz <= e->lo_hz)
          {
            bad (error, spec, "the band %g–%g Hz is empty", e->lo_hz, e->hi_hz);
            return NULL;
          }
        break;
      }
    case VITA_EDIT_GAIN:
      if (!parse_number (body, "db", &e->value))
        {
          bad (error, spec, "“%s” is not a gain in dB (like -6dB)", body);
          return NULL;
        }
      if (fabs (e->value) > 120)
        {
          bad (error, spec, "a gain of %g dB is outside ±120 dB", e->value);
          return NULL;
        }
      break;
    case VITA_EDIT_SWAP:
      {
        g_auto(GStrv) parts = g_strsplit (body, ",", -1);
        if (g_strv_length (parts) != 2)
          {
            bad (error, spec, "swap needs two time ranges separated by a comma (like 10-12,20-22)");
            return NULL;
          }
        if (!parse_range (spec, parts[0], &e->t0, &e->t1, error)
            || !parse_range (spec, parts[1], &e->t2, &e->t3, error))
          return NULL;
        if (e->t2 < e->t0)
          {
            double a = e->t0, b = e->t1;
            e->t0 = e->t2, e->t1 = e->t3, e->t2 = a, e->t3 = b;
          }
        if (e->t2 < e->t1)
          {
            bad (error, spec, "the segments %g–%g s and %g–%g s overlap", e->t0, e->t1, e->t2, e->t3);
            return NULL;
          }
        e->has_range = TRUE;
        break;
      }
    case VITA_EDIT_REVERSE:
      if (!parse_range (spec, body, &e->t0, &e->t1, error))
        return NULL;
      e->has_range = TRUE;
      break;
    case VITA_EDIT_TRANSPOSE:
      if (!parse_number (body, "st", &e->value))
        {
          bad (error, spec, "“%s” is not a number of semitones (like +2 or -1.5)", body);
          return NULL;
        }
      if (fabs (e->value) > 36)
        {
          bad (error, spec, "transposing by %g semitones is outside ±36", e->value);
          return NULL;
        }
      break;
    case VITA_EDIT_STRETCH:
      if (!parse_number (body, "x", &e->value))
        {
          bad (error, spec, "“%s” is not a duration ratio (like 1.1)", body);
          return NULL;
        }
      if (e->value < 0.25 || e->value > 4)
        {
          bad (error, spec, "a stretch ratio of %g is outside 0.25–4", e->value);
          return NULL;
        }
      break;
    case VITA_EDIT_MIX:
      {
        double db;
        if (at && parse_number (at + 1, "db", &db))
          {
            e->path = g_strndup (body, at - arg);
            e->value = db;
          }
        else
          e->path = g_strdup (body);
        if (e->path[0] == '\0')
          {
            bad (error, spec, "mix needs a file name (like mix:other.wav@-12dB)");
            return NULL;
          }
        break;
      }
    }
  return g_steal_pointer (&e);
}

/* ---- the edits ------------------------------------------------------------------- */

static gboolean
range_samples (const VitaEdit *e, double t0, double t1, const VitaPcm *pcm, gsize *i0, gsize *i1,
               GError **error)
{
  if (t1 > pcm->duration + 1e-9)
    return bad (error, e->spec, "the range %g–%g s ends after the track (%.3f s)", t0, t1,
                pcm->duration);
  *i0 = (gsize) llround (t0 * pcm->sample_rate);
  *i1 = MIN ((gsize) llround (t1 * pcm->sample_rate), pcm->n_samples);
  if (*i1 <= *i0)
    return bad (error, e->spec, "the range %g–%g s holds no sample", t0, t1);
  return TRUE;
}

static void
apply_mute (float *x, gsize n_total, gsize i0, gsize i1, double lo, double hi, int rate)
{
  const gsize n = i1 - i0;
  double *buf = fftw_alloc_real (n);
  fftw_complex *spec = fftw_alloc_complex (n / 2 + 1);
  vita_fftw_planner_lock ();
  fftw_plan fwd = fftw_plan_dft_r2c_1d ((int) n, buf, spec, FFTW_ESTIMATE);
  fftw_plan inv = fftw_plan_dft_c2r_1d ((int) n, spec, buf, FFTW_ESTIMATE);
  vita_fftw_planner_unlock ();
  for (gsize i = 0; i < n; i++)
    buf[i] = x[i0 + i];
  fftw_execute (fwd);
  for (gsize k = 0; k <= n / 2; k++)
    {
      double f = (double) k * rate / n;
      if (f >= lo && f <= hi)
        spec[k][0] = spec[k][1] = 0;
    }
  fftw_execute (inv);   /* unnormalised: ×n */
  /* 10 ms raised-cosine cross-fades at edges inside the track */
  const gsize ramp = MIN ((gsize) (0.010 * rate), n / 2);
  for (gsize i = 0; i < n; i++)
    {
      double y = buf[i] / n, w = 1;
      if (i0 > 0 && i < ramp)
        w = 0.5 - 0.5 * cos (G_PI * (i + 0.5) / ramp);
      if (i1 < n_total && n - 1 - i < ramp)
        w = MIN (w, 0.5 - 0.5 * cos (G_PI * (n - 1 - i + 0.5) / ramp));
      x[i0 + i] = (float) (w * y + (1 - w) * x[i0 + i]);
    }
  vita_fftw_planner_lock ();
  fftw_destroy_plan (fwd);
  fftw_destroy_plan (inv);
  vita_fftw_planner_unlock ();
  fftw_free (buf);
  fftw_free (spec);
}

float *
vita_rubberband_process (const float *in, gsize n, int sample_rate, double time_ratio,
                         double pitch_scale, gsize *n_out)
{
  RubberBandState rb = rubberband_new (sample_rate, 1,
                                       RubberBandOptionProcessOffline | RubberBandOptionEngineFiner,
                                       time_ratio, pitch_scale);
  /* blocks of 1024 with setMaxProcessSize, study then process: what the rubberband
   * command-line tool (rubberband-cli) does, so its output can be compared */
  const gsize block = 1024;
  rubberband_set_expected_input_duration (rb, n);
  rubberband_set_max_process_size (rb, block);
  for (gsize i = 0; i < n; i += block)
    {
      const float *p = in + i;
      gsize len = MIN (block, n - i);
      rubberband_study (rb, &p, len, i + len >= n);
    }
  gsize cap = (gsize) (n * time_ratio) + block + 16, got = 0;
  float *out = g_new0 (float, cap);
  for (gsize i = 0; i < n; i += block)
    {
      const float *p = in + i;
      gsize len = MIN (block, n - i);
      rubberband_process (rb, &p, len, i + len >= n);
      int avail;
      while ((avail = rubberband_available (rb)) > 0)
        {
          if (got + avail > cap)
            {
              cap = MAX (cap * 2, got + avail);
              out = g_renew (float, out, cap);
            }
          float *q = out + got;
          got += rubberband_retrieve (rb, &q, avail);
        }
    }
  int avail;
  while ((avail = rubberband_available (rb)) > 0)   /* -1: finished */
    {
      if (got + avail > cap)
        {
          cap = MAX (cap * 2, got + avail);
          out = g_renew (float, out, cap);
        }
      float *q = out + got;
      got += rubberband_retrieve (rb, &q, avail);
    }
  rubberband_delete (rb);
  /* offline mode delivers round(n · ratio) samples; pad or cut to exactly that */
  gsize want = (gsize) llround (n * time_ratio);
  if (want > cap)
    out = g_renew (float, out, want);
  for (gsize i = got; i < want; i++)
    out[i] = 0;
  *n_out = want;
  return out;
}

static void
pcm_replace (VitaPcm *pcm, float *samples, gsize n)
{
  vita_pcm_take_samples (pcm, samples, n);
  pcm->duration = (double) n / pcm->sample_rate;
}

static gboolean
apply_one (VitaPcm *pcm, const VitaEdit *e, const VitaFrontend *fe, GCancellable *cancellable,
           GError **error)
{
  float *x = pcm->samples;
  const gsize n = pcm->n_samples;
  gsize i0 = 0, i1 = n;
  if (e->has_range && !range_samples (e, e->t0, e->t1, pcm, &i0, &i1, error))
    return FALSE;
  if (n == 0)
    return bad (error, e->spec, "the track is empty");
  switch (e->kind)
    {
    case VITA_EDIT_MUTE:
      {
        double lo = e->lo_hz, hi = e->hi_hz;
        if (e->band_lo >= 0)
          {
            if (fe == NULL || e->band_hi >= fe->n_mels)
              return bad (error, e->spec, "mel band %d does not exist (the model has %d bands, 0..%d)",
                          e->band_hi, fe ? fe->n_mels : 0, fe ? fe->n_mels - 1 : 0);
            double dummy;
            vita_mel_band_range_hz (fe, e->band_lo, &lo, &dummy);
            vita_mel_band_range_hz (fe, e->band_hi, &dummy, &hi);
          }
        const double nyquist = pcm->sample_rate / 2.0;
        if (lo >= nyquist)
          return bad (error, e->spec, "the band starts at %g Hz, at or above the Nyquist frequency "
                      "(%g Hz): nothing to mute", lo, nyquist);
        apply_mute (x, n, i0, i1, lo, hi, pcm->sample_rate);
        break;
      }
    case VITA_EDIT_GAIN:
      {
        const float g = (float) pow (10.0, e->value / 20.0);
        for (gsize i = i0; i < i1; i++)
          x[i] *= g;
        break;
      }
    case VITA_EDIT_REVERSE:
      for (gsize a = i0, b = i1 - 1; a < b; a++, b--)
        {
          float t = x[a];
          x[a] = x[b];
          x[b] = t;
        }
      break;
    case VITA_EDIT_SWAP:
      {
        gsize j0, j1;
        if (!range_samples (e, e->t2, e->t3, pcm, &j0, &j1, error))
          return FALSE;
        j0 = MAX (j0, i1);
        /* [0, i0) B [i1, j0) A [j1, n) */
        float *y = g_new (float, n);
        gsize o = 0;
        memcpy (y + o, x, i0 * sizeof (float)), o += i0;
        memcpy (y + o, x + j0, (j1 - j0) * sizeof (float)), o += j1 - j0;
        memcpy (y + o, x + i1, (j0 - i1) * sizeof (float)), o += j0 - i1;
        memcpy (y + o, x + i0, (i1 - i0) * sizeof (float)), o += i1 - i0;
        memcpy (y + o, x + j1, (n - j1) * sizeof (float)), o += n - j1;
        g_assert (o == n);
        pcm_replace (pcm, y, n);
        break;
      }
    case VITA_EDIT_TRANSPOSE:
    case VITA_EDIT_STRETCH:
      {
        gsize n_out;
        double ratio = e->kind == VITA_EDIT_STRETCH ? e->value : 1.0;
        double pitch = e->kind == VITA_EDIT_TRANSPOSE ? pow (2.0, e->value / 12.0) : 1.0;
        float *y = vita_rubberband_process (x, n, pcm->sample_rate, ratio, pitch, &n_out);
        if (n_out == 0)
          {
            g_free (y);
            return bad (error, e->spec, "the track would become empty");
          }
        pcm_replace (pcm, y, n_out);
        break;
      }
    case VITA_EDIT_MIX:
      {
        g_autoptr(GError) local = NULL;
        g_autoptr(VitaPcm) other = vita_audio_load (e->path, pcm->sample_rate, cancellable, &local);
        if (other == NULL)
          {
            if (g_error_matches (local, VITA_DSP_ERROR, VITA_DSP_ERROR_CANCELLED))
              {
                g_propagate_error (error, g_steal_pointer (&local));
                return FALSE;
              }
            return bad (error, e->spec, "cannot mix in “%s”: %s", e->path, local->message);
          }
        const float g = (float) pow (10.0, e->value / 20.0);
        for (gsize i = 0; i < MIN (n, other->n_samples); i++)
          x[i] += g * other->samples[i];
        break;
      }
    }
  return TRUE;
}

VitaPcm *
vita_edits_apply (const VitaPcm *pcm, GPtrArray *edits, const VitaFrontend *fe,
                  GCancellable *cancellable, GError **error)
{
  g_return_val_if_fail (pcm != NULL && edits != NULL, NULL);
  g_autoptr(VitaPcm) out = vita_pcm_copy (pcm);
  for (guint i = 0; i < edits->len; i++)
    {
      if (g_cancellable_is_cancelled (cancellable))
        {
          g_set_error (error, VITA_DSP_ERROR, VITA_DSP_ERROR_CANCELLED, "editing cancelled");
          return NULL;
        }
      if (!apply_one (out, g_ptr_array_index (edits, i), fe, cancellable, error))
        return NULL;
    }
  return g_steal_pointer (&out);
}

gboolean
vita_pcm_save_wav (const VitaPcm *pcm, const char *path, GError **error)
{
  g_autofree char *tmp = g_strdup_printf ("%s.tmp-%d", path, (int) getpid ());
  SF_INFO info = { 0 };
  info.samplerate = pcm->sample_rate;
  info.channels = 1;
  info.format = SF_FORMAT_WAV | SF_FORMAT_FLOAT;
  SNDFILE *sf = sf_open (tmp, SFM_WRITE, &info);
  if (sf == NULL)
    {
      g_set_error (error, VITA_DSP_ERROR, VITA_DSP_ERROR_OPEN, "%s: cannot write: %s", path,
                   sf_strerror (NULL));
      return FALSE;
    }
  sf_count_t w = sf_writef_float (sf, pcm->samples, (sf_count_t) pcm->n_samples);
  int rc = sf_close (sf);
  if (w != (sf_count_t) pcm->n_samples || rc != 0 || g_rename (tmp, path) != 0)
    {
      g_unlink (tmp);
      g_set_error (error, VITA_DSP_ERROR, VITA_DSP_ERROR_OPEN, "%s: cannot write the audio (disk full?)",
                   path);
      return FALSE;
    }
  return TRUE;
}
