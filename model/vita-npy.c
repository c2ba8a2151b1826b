/* vita-npy.c — NumPy .npy reader/writer.
 * Format: https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html
 * magic "\x93NUMPY", major, minor, header length (u16 for 1.0, u32 for 2.0), a Python
 * dict literal padded with spaces and '\n' so data starts on a 64-byte boundary. */
#include "vita-npy.h"
#include "vita-file.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct _VitaNpyWriter {
  char  *path;
  VitaAtomicFile *file;   /* NULL once committed */
  gsize  expected;
  gsize  written;
};

static gboolean
checked_count (int ndim, const gsize *shape, gsize *count)
{
  gsize n = 1;
  for (int i = 0; i < ndim; i++)
    if (!g_size_checked_mul (&n, n, shape[i]))
      return FALSE;
  *count = n;
  return TRUE;
}

static GString *
make_header (int ndim, const gsize *shape)
{
  GString *dict = g_string_new ("{'descr': '<f4', 'fortran_order': False, 'shape': (");
  for (int i = 0; i < ndim; i++)
    g_string_append_printf (dict, "%" G_GSIZE_FORMAT "%s", shape[i],
                            (ndim == 1 || i < ndim - 1) ? ", " : "");
  if (ndim == 1)
    g_string_truncate (dict, dict->len - 1);  /* "(5,)" */
  g_string_append (dict, "), }");

  /* version 1.0 when the header fits in a u16 */
  gsize prefix = 10;
  gsize total = prefix + dict->len + 1;
  gsize padded = (total + 63) / 64 * 64;
  gboolean v2 = padded - prefix > 65535;
  if (v2)
    {
      prefix = 12;
      total = prefix + dict->len + 1;
      padded = (total + 63) / 64 * 64;
    }
  while (prefix + dict->len + 1 < padded)
    g_string_append_c (dict, ' ');
  g_string_append_c (dict, '\n');

  GString *out = g_string_new_len ("\x93NUMPY", 6);
  g_string_append_c (out, v2 ? 2 : 1);
  g_string_append_c (out, 0);
  guint32 hl = (guint32) dict->len;
  if (v2)
    {
      guint32 le = GUINT32_TO_LE (hl);
      g_string_append_len (out, (const char *) &le, 4);
    }
  else
    {
      guint16 le = GUINT16_TO_LE ((guint16) hl);
      g_string_append_len (out, (const char *) &le, 2);
    }
  g_string_append_len (out, dict->str, dict->len);
  g_string_free (dict, TRUE);
  return out;
}

VitaNpyWriter *
vita_npy_writer_new (const char *path, int ndim, const gsize *shape, GError **error)
{
  gsize count;
  if (ndim < 0 || ndim > VITA_NPY_MAX_DIMS || !checked_count (ndim, shape, &count))
    {
      g_set_error (error, VITA_MODEL_ERROR, VITA_MODEL_ERROR_IO,
                   "%s: invalid array shape", path);
      return NULL;
    }
  VitaNpyWriter *w = g_new0 (VitaNpyWriter, 1);
  w->path = g_strdup (path);
  w->file = vita_atomic_file_new (path, error);
  if (w->file == NULL)
    {
      vita_npy_writer_free (w);
      return NULL;
    }
  w->expected = count;
  g_autoptr(GString) header = make_header (ndim, shape);
  if (!vita_atomic_file_write (w->file, header->str, header->len))
    {
      g_set_error (error, VITA_MODEL_ERROR, VITA_MODEL_ERROR_IO,
                   "Cannot write %s: %s", path, g_strerror (vita_atomic_file_get_errno (w->file)));
      vita_npy_writer_free (w);
      return NULL;
    }
  return w;
}

gboolean
vita_npy_writer_append (VitaNpyWriter *w, const float *data, gsize n, GError **error)
{
  if (n > w->expected - w->written)
    {
      g_set_error (error, VITA_MODEL_ERROR, VITA_MODEL_ERROR_IO,
                   "%s: more values written than the array holds", w->path);
      return FALSE;
    }
#if G_BYTE_ORDER != G_LITTLE_ENDIAN
#error "big-endian hosts are not supported"
#endif
  if (n > 0 && !vita_atomic_file_write (w->file, data, n * sizeof (float)))
    {
      g_set_error (error, VITA_MODEL_ERROR, VITA_MODEL_ERROR_IO,
                   "Cannot write %s: %s", w->path, g_strerror (vita_atomic_file_get_errno (w->file)));
      return FALSE;
    }
  w->written += n;
  return TRUE;
}

gboolean
vita_npy_writer_commit (VitaNpyWriter *w, GError **error)
{
  if (w->written != w->expected)
    {
      g_set_error (error, VITA_MODEL_ERROR, VITA_MODEL_ERROR_IO,
                   "%s: %" G_GSIZE_FORMAT " of %" G_GSIZE_FORMAT " values written",
                   w->path, w->written, w->expected);
      return FALSE;
    }
  g_return_val_if_fail (w->file != NULL, FALSE);   /* committed once */
  return vita_atomic_file_commit (g_steal_pointer (&w->file), error);
}

void
vita_npy_writer_free (VitaNpyWriter *w)
{
  if (w == NULL)
    return;
  vita_atomic_file_abort (w->file);
  g_free (w->path);
  g_free (w);
}

gboolean
vita_npy_save (const char *path, const float *data, int ndim, const gsize *shape, GError **error)
{
  g_autoptr(VitaNpyWriter) w = vita_npy_writer_new (path, ndim, shape, error);
  if (!w)
    return FALSE;
  return vita_npy_writer_append (w, data, w->expected, error) &&
         vita_npy_writer_commit (w, error);
}

/* Minimal parser of the header dict written by numpy.save. */
float *
vita_npy_load (const char *path, int *ndim, gsize shape[VITA_NPY_MAX_DIMS], GError **error)
{
  g_autofree char *buf = NULL;
  gsize len = 0;
  if (!g_file_get_contents (path, &buf, &len, error))
    return NULL;
#define BAD(msg) G_STMT_START { g_set_error (error, VITA_MODEL_ERROR, VITA_MODEL_ERROR_CORRUPT, \
      "%s: not a supported .npy file (%s)", path, msg); return NULL; } G_STMT_END
  if (len < 10 || memcmp (buf, "\x93NUMPY", 6) != 0)
    BAD ("bad magic");
  guint8 major = (guint8) buf[6];
  gsize hl, off;
  if (major == 1)
    {
      hl = (guint8) buf[8] | ((gsize) (guint8) buf[9] << 8);
      off = 10;
    }
  else if (major == 2 || major == 3)
    {
      if (len < 12)
        BAD ("truncated header");
      hl = (guint8) buf[8] | ((gsize) (guint8) buf[9] << 8) |
           ((gsize) (guint8) buf[10] << 16) | ((gsize) (guint8) buf[11] << 24);
      off = 12;
    }
  else
    BAD ("unknown version");
  if (hl > len - off)
    BAD ("truncated header");
  g_autofree char *dict = g_strndup (buf + off, hl);
  gsize data_off = off + hl;

  const char *d = strstr (dict, "'descr':");
  if (!d)
    BAD ("no descr");
  d = strchr (d + 8, '\'');
  if (!d)
    BAD ("bad descr");
  d++;
  int kind;  /* 0 f4, 1 f8, 2 i4, 3 i8, 4 u1/b1 */
  gsize isz;
  if (g_str_has_prefix (d, "<f4'")) { kind = 0; isz = 4; }
  else if (g_str_has_prefix (d, "<f8'")) { kind = 1; isz = 8; }
  else if (g_str_has_prefix (d, "<i4'")) { kind = 2; isz = 4; }
  else if (g_str_has_prefix (d, "<i8'")) { kind = 3; isz = 8; }
  else if (g_str_has_prefix (d, "|u1'") || g_str_has_prefix (d, "|b1'")) { kind = 4; isz = 1; }
  else
    BAD ("dtype must be <f4, <f8, <i4, <i8, |u1 or |b1");
  if (strstr (dict, "'fortran_order': True"))
    BAD ("Fortran order");
  const char *s = strstr (dict, "'shape':");
  if (!s || !(s = strchr (s, '(')))
    BAD ("no shape");
  s++;
  int nd = 0;
  while (*s && *s != ')')
    {
      while (*s == ' ' || *s == ',')
        s++;
      if (*s == ')')
        break;
      char *end;
      guint64 v = g_ascii_strtoull (s, &end, 10);
      if (end == s || nd >= VITA_NPY_MAX_DIMS)
        BAD ("bad shape");
      shape[nd++] = (gsize) v;
      s = end;
    }
  gsize count;
  if (!checked_count (nd, shape, &count))
    BAD ("shape overflows");
  gsize bytes;
  if (!g_size_checked_mul (&bytes, count, isz) || bytes > len - data_off)
    BAD ("truncated data");
  float *out = g_new (float, MAX (count, 1));
  const guint8 *p = (const guint8 *) buf + data_off;
  for (gsize i = 0; i < count; i++)
    {
      switch (kind)
        {
        case 0: { float v; memcpy (&v, p + 4 * i, 4); out[i] = v; break; }
        case 1: { double v; memcpy (&v, p + 8 * i, 8); out[i] = (float) v; break; }
        case 2: { gint32 v; memcpy (&v, p + 4 * i, 4); out[i] = (float) v; break; }
        case 3: { gint64 v; memcpy (&v, p + 8 * i, 8); out[i] = (float) v; break; }
        default: out[i] = p[i]; break;
        }
    }
  *ndim = nd;
  return out;
#undef BAD
}
