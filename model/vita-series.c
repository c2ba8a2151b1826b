/* vita-series.c — a checkpoint series (vita-series.h). */
#include "vita-series.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <glib/gstdio.h>

void
vita_series_free (VitaSeries *s)
{
  if (s == NULL)
    return;
  for (int i = 0; i < s->n; i++)
    g_free (s->entries[i].path);
  g_free (s->entries);
  g_free (s->dir);
  g_free (s->log_path);
  g_free (s->log_step);
  g_free (s->log_loss);
  g_free (s);
}

static void
clear_entry (gpointer p)
{
  g_free (((VitaSeriesEntry *) p)->path);
}

static int
name_cmp (gconstpointer a, gconstpointer b)
{
  return strcmp (*(char *const *) a, *(char *const *) b);
}

static int
entry_cmp (gconstpointer a, gconstpointer b)
{
  const VitaSeriesEntry *x = a, *y = b;
  return x->step < y->step ? -1 : x->step > y->step;
}

/* The first field in which b's configuration differs from a's, or NULL; va / vb its values. */
static const char *
config_diff (const VitaVitConfig *a, const VitaVitConfig *b, char *va, char *vb, gsize len)
{
#define CHECK_INT(f, name) \
  if (a->f != b->f) { g_snprintf (va, len, "%d", (int) a->f); g_snprintf (vb, len, "%d", (int) b->f); return name; }
#define CHECK_FLOAT(f, name) \
  if (a->f != b->f) { g_snprintf (va, len, "%g", (double) a->f); g_snprintf (vb, len, "%g", (double) b->f); return name; }
  CHECK_INT (frames, "frames");
  CHECK_INT (dim, "dim");
  CHECK_INT (depth, "depth");
  CHECK_INT (heads, "heads");
  CHECK_INT (mlp_dim, "mlp_dim");
  CHECK_INT (proj_dim, "proj_dim");
  CHECK_INT (fe.sample_rate, "sample_rate");
  CHECK_INT (fe.n_fft, "n_fft");
  CHECK_INT (fe.win_length, "win_length");
  CHECK_INT (fe.hop_length, "hop_length");
  CHECK_INT (fe.center, "center");
  CHECK_FLOAT (fe.power, "power");
  CHECK_INT (fe.n_mels, "n_mels");
  CHECK_FLOAT (fe.f_min, "f_min");
  CHECK_FLOAT (fe.f_max, "f_max");
  CHECK_FLOAT (fe.log_offset, "log_offset");
  CHECK_FLOAT (fe.input_mean, "input_mean");
  CHECK_FLOAT (fe.input_std, "input_std");
  CHECK_FLOAT (norm_eps, "norm_eps");
#undef CHECK_INT
#undef CHECK_FLOAT
  return NULL;
}

static gboolean
check_config (const VitaSeries *s, const VitaVitConfig *cfg, const char *first,
              const char *path, GError **error)
{
  char va[64], vb[64];
  const char *field = config_diff (&s->cfg, cfg, va, vb, sizeof va);
  if (field == NULL)
    return TRUE;
  g_autofree char *d1 = g_filename_display_name (first);
  g_autofree char *d2 = g_filename_display_name (path);
  g_set_error (error, VITA_MODEL_ERROR, VITA_MODEL_ERROR_MISMATCH,
               "%s and %s are not one series: %s differs (%s vs %s); every checkpoint of a "
               "series must have the same architecture and front-end", d1, d2, field, va, vb);
  return FALSE;
}

gboolean
vita_series_read_log (VitaSeries *s, const char *path, GError **error)
{
  g_autofree char *text = NULL;
  gsize len = 0;
  g_autofree char *disp = g_filename_display_name (path);
  if (!g_file_get_contents (path, &text, &len, error))
    return FALSE;
  if (memchr (text, '\0', len) != NULL)
    {
      g_set_error (error, VITA_MODEL_ERROR, VITA_MODEL_ERROR_PARSE,
                   "%s: not a text file (a NUL byte)", disp);
      return FALSE;
    }
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);
  guint n_lines = g_strv_length (lines);
  g_autofree gint64 *step = g_new (gint64, MAX (n_lines, 1));
  g_autofree float *loss = g_new (float, MAX (n_lines, 1));
  int n = 0;
  for (guint i = 0; i < n_lines; i++)
    {
      char *line = g_strstrip (lines[i]);
      if (line[0] == '\0' || (i == 0 && g_str_has_prefix (line, "step")))
        continue;
      char *end = NULL;
      gint64 st = g_ascii_strtoll (line, &end, 10);
      double l = NAN;
      gboolean ok = end != line && (*end == '\t' || *end == ' ') && st >= 0;
      if (ok)
        {
          char *p = end, *end2 = NULL;
          l = g_ascii_strtod (p, &end2);
          ok = end2 != p && (*end2 == '\0' || *end2 == '\t' || *end2 == ' ');
        }
      if (!ok || (n > 0 && st <= step[n - 1]))
        {
          g_set_error (error, VITA_MODEL_ERROR, VITA_MODEL_ERROR_PARSE,
                       "%s, line %u: %s (expected: step, loss, … with steps increasing)", disp,
                       i + 1, ok ? "the step does not increase" : "not a step and a loss");
          return FALSE;
        }
      step[n] = st;
      loss[n] = (float) l;
      n++;
    }
  g_free (s->log_step);
  g_free (s->log_loss);
  g_free (s->log_path);
  s->log_step = g_steal_pointer (&step);
  s->log_loss = g_steal_pointer (&loss);
  s->n_log = n;
  s->log_path = g_strdup (path);
  return TRUE;
}

double
vita_series_loss_at (const VitaSeries *s, gint64 st)
{
  int lo = 0, hi = s->n_log - 1;
  while (lo <= hi)
    {
      int mid = (lo + hi) / 2;
      if (s->log_step[mid] == st)
        return s->log_loss[mid];
      if (s->log_step[mid] < st)
        lo = mid + 1;
      else
        hi = mid - 1;
    }
  return NAN;
}

VitaSeries *
vita_series_open (const char *path, GError **error)
{
  g_return_val_if_fail (path != NULL, NULL);
  g_autofree char *disp = g_filename_display_name (path);
  if (!g_file_test (path, G_FILE_TEST_IS_DIR))
    {
      g_set_error (error, VITA_MODEL_ERROR, VITA_MODEL_ERROR_IO,
                   "%s: not a folder (a checkpoint series is a run folder with series/, or "
                   "a folder of model files with trained_steps)", disp);
      return NULL;
    }
  g_autofree char *sub = g_build_filename (path, "series", NULL);
  gboolean run = g_file_test (sub, G_FILE_TEST_IS_DIR);
  g_autoptr(VitaSeries) s = g_new0 (VitaSeries, 1);
  s->dir = g_strdup (run ? sub : path);
  g_autoptr(GDir) d = g_dir_open (s->dir, 0, error);
  if (d == NULL)
    return NULL;
  g_autoptr(GArray) entries = g_array_new (FALSE, TRUE, sizeof (VitaSeriesEntry));
  g_array_set_clear_func (entries, clear_entry);
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  const char *name;
  while ((name = g_dir_read_name (d)))
    if (g_str_has_suffix (name, ".safetensors"))
      g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort (names, name_cmp);
  g_autofree char *first = NULL;
  for (guint i = 0; i < names->len; i++)
    {
      g_autofree char *file = g_build_filename (s->dir, names->pdata[i], NULL);
      g_autofree char *fdisp = g_filename_display_name (file);
      g_autoptr(VitaVit) vit = vita_vit_load (file, error);
      if (vit == NULL)
        return NULL;
      const char *ts = g_hash_table_lookup (vit->metadata, "trained_steps");
      guint64 st = 0;
      if (ts == NULL || !g_ascii_string_to_unsigned (ts, 10, 0, G_MAXINT64 / 4, &st, NULL))
        {
          g_set_error (error, VITA_MODEL_ERROR, VITA_MODEL_ERROR_METADATA,
                       "%s: %s trained_steps in its metadata; a series is made of checkpoints "
                       "that say their step", fdisp, ts ? "a bad" : "no");
          return NULL;
        }
      if (first == NULL)
        {
          first = g_strdup (file);
          s->cfg = vit->cfg;
        }
      else if (!check_config (s, &vit->cfg, first, file, error))
        return NULL;
      VitaSeriesEntry e = { (gint64) st, g_steal_pointer (&file) };
      g_array_append_val (entries, e);
    }
  if (entries->len == 0)
    {
      g_autofree char *dd = g_filename_display_name (s->dir);
      g_set_error (error, VITA_MODEL_ERROR, VITA_MODEL_ERROR_IO,
                   "%s holds no model files (*.safetensors)", dd);
      return NULL;
    }
  g_array_sort (entries, entry_cmp);
  for (guint i = 1; i < entries->len; i++)
    {
      VitaSeriesEntry *a = &g_array_index (entries, VitaSeriesEntry, i - 1);
      VitaSeriesEntry *b = &g_array_index (entries, VitaSeriesEntry, i);
      if (a->step == b->step)
        {
          g_autofree char *d1 = g_filename_display_name (a->path);
          g_autofree char *d2 = g_filename_display_name (b->path);
          g_set_error (error, VITA_MODEL_ERROR, VITA_MODEL_ERROR_METADATA,
                       "%s and %s are both step %" G_GINT64_FORMAT " (one checkpoint per step)",
                       d1, d2, a->step);
          return NULL;
        }
    }
  s->n = entries->len;
  s->entries = (VitaSeriesEntry *) g_array_free (g_steal_pointer (&entries), FALSE);

  /* the loss log: beside the files, or in the run folder */
  g_autofree char *log1 = g_build_filename (s->dir, "train-log.tsv", NULL);
  g_autofree char *log2 = g_build_filename (path, "train-log.tsv", NULL);
  const char *log = g_file_test (log1, G_FILE_TEST_EXISTS) ? log1
                  : g_file_test (log2, G_FILE_TEST_EXISTS) ? log2 : NULL;
  if (log && !vita_series_read_log (s, log, error))
    return NULL;
  return g_steal_pointer (&s);
}

VitaVit *
vita_series_load (const VitaSeries *s, int i, GError **error)
{
  g_return_val_if_fail (s != NULL && i >= 0 && i < s->n, NULL);
  VitaVit *vit = vita_vit_load (s->entries[i].path, error);
  if (vit && !check_config (s, &vit->cfg, s->entries[0].path, s->entries[i].path, error))
    g_clear_pointer (&vit, vita_vit_unref);
  return vit;
}
