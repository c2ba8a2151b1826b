/* vita-safetensors.c — safetensors reader/writer for untrusted files.
 *
 * Layout (https://github.com/huggingface/safetensors, "Format" in its README):
 *   u64 little-endian N | N bytes of UTF-8 JSON | data section
 * The JSON is an object: "__metadata__" → {string: string}, every other key a tensor
 * {"dtype": "F32", "shape": [..], "data_offsets": [begin, end]} with offsets relative
 * to the start of the data section.  The Rust crate (the reference) requires the
 * tensors to cover the data section exactly, contiguous, without gaps or overlaps,
 * and caps the header at 100 MB; we check the same (shared/design/reliability.md 1–8).
 *
 * The header is parsed by a small strict JSON reader of our own rather than
 * json-glib: json-glib (1.6) silently keeps one of duplicate keys, wraps integers
 * beyond 64 bits (99999999999999999999 reads as -1), accepts single quotes, hex
 * numbers and trailing garbage after the root value, and truncates strings at an
 * escaped NUL.  Each of those would let a malformed file through.
 *
 * The whole file is read into memory once (so truncating or replacing it while in
 * use cannot hurt), and every tensor is copied element by element into its own
 * float32 buffer: the data section is at an arbitrary offset, so no pointer into
 * it is ever cast to float * (reliability.md item 7).
 */
#include "vita-safetensors.h"
#include "vita-json.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>

#if G_BYTE_ORDER != G_LITTLE_ENDIAN
#error "big-endian hosts are not supported"
#endif

/* The Rust crate's MAX_HEADER_SIZE. */
#define HEADER_MAX        100000000u
/* A paper-size model has ~150 tensors, a checkpoint three times that; a depth-256
 * model with AdamW moments ~10,000.  Bounding the count bounds the memory a
 * hostile header can make us allocate per byte. */
#define MAX_TENSORS       200000u
/* One read(2) at a time, so a huge file is refused before it is all in memory. */
#define FILE_MAX          ((guint64) 16 << 30)

struct _VitaSafetensors {
  char       *path;      /* display name, or NULL */
  GPtrArray  *tensors;   /* VitaTensor *, owned */
  GHashTable *index;     /* name → VitaTensor * (borrowed from tensors) */
  GHashTable *metadata;  /* string → string, owned */
  char        sha256[65];
  gboolean    store_f16; /* serialize as F16 (checkpoint series: half the size) */
};

/* ------------------------------------------------------------------------ */
/* Basic object                                                              */

static void
tensor_free (gpointer p)
{
  VitaTensor *t = p;
  g_free (t->name);
  g_free (t->data);
  g_free (t);
}

VitaSafetensors *
vita_safetensors_new (void)
{
  VitaSafetensors *st = g_new0 (VitaSafetensors, 1);
  st->tensors = g_ptr_array_new_with_free_func (tensor_free);
  st->index = g_hash_table_new (g_str_hash, g_str_equal);
  st->metadata = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  return st;
}

void
vita_safetensors_free (VitaSafetensors *st)
{
  if (st == NULL)
    return;
  g_clear_pointer (&st->index, g_hash_table_unref);
  g_clear_pointer (&st->tensors, g_ptr_array_unref);
  g_clear_pointer (&st->metadata, g_hash_table_unref);
  g_free (st->path);
  g_free (st);
}

guint
vita_safetensors_n_tensors (const VitaSafetensors *st)
{
  return st->tensors->len;
}

const VitaTensor *
vita_safetensors_tensor_at (const VitaSafetensors *st, guint i)
{
  g_return_val_if_fail (i < st->tensors->len, NULL);
  return g_ptr_array_index (st->tensors, i);
}

const VitaTensor *
vita_safetensors_lookup (const VitaSafetensors *st, const char *name)
{
  return g_hash_table_lookup (st->index, name);
}

const char *
vita_safetensors_get_path (const VitaSafetensors *st)
{
  return st->path;
}

const char *
vita_safetensors_get_sha256 (const VitaSafetensors *st)
{
  return st->sha256[0] ? st->sha256 : NULL;
}

const char *
vita_safetensors_get_metadata (const VitaSafetensors *st, const char *key)
{
  return g_hash_table_lookup (st->metadata, key);
}

GHashTable *
vita_safetensors_metadata (const VitaSafetensors *st)
{
  return st->metadata;
}

void
vita_safetensors_set_metadata (VitaSafetensors *st, const char *key, const char *value)
{
  g_return_if_fail (key != NULL && value != NULL);
  g_return_if_fail (g_utf8_validate (key, -1, NULL) && g_utf8_validate (value, -1, NULL));
  g_hash_table_replace (st->metadata, g_strdup (key), g_strdup (value));
}

static gboolean
checked_elements (int ndim, const gint64 *shape, gsize *out)
{
  gsize n = 1;
  for (int i = 0; i < ndim; i++)
    if (shape[i] < 0 || !g_size_checked_mul (&n, n, (gsize) shape[i]))
      return FALSE;
  *out = n;
  return TRUE;
}

/* Takes ownership of t; replaces a tensor of the same name. */
static void
insert_tensor (VitaSafetensors *st, VitaTensor *t)
{
  VitaTensor *old = g_hash_table_lookup (st->index, t->name);
  if (old != NULL)
    {
      g_hash_table_remove (st->index, old->name);
      g_ptr_array_remove (st->tensors, old);
    }
  g_ptr_array_add (st->tensors, t);
  g_hash_table_insert (st->index, t->name, t);
}

void
vita_safetensors_add (VitaSafetensors *st, const char *name,
                      int ndim, const gint64 *shape, const float *data)
{
  g_return_if_fail (name != NULL && g_utf8_validate (name, -1, NULL));
  g_return_if_fail (strcmp (name, "__metadata__") != 0);
  g_return_if_fail (ndim >= 0 && ndim <= VITA_TENSOR_MAX_DIMS);
  gsize n;
  g_return_if_fail (checked_elements (ndim, shape, &n));
  gsize bytes;
  g_return_if_fail (g_size_checked_mul (&bytes, n, sizeof (float)));

  VitaTensor *t = g_new0 (VitaTensor, 1);
  t->name = g_strdup (name);
  t->ndim = ndim;
  for (int i = 0; i < ndim; i++)
    t->shape[i] = shape[i];
  t->n_elements = n;
  /* never NULL, so that memcpy (dst, t->data, 0) is defined */
  t->data = g_malloc (MAX (bytes, sizeof (float)));
  if (n > 0)
    memcpy (t->data, data, bytes);
  insert_tensor (st, t);
}

/* ------------------------------------------------------------------------ */
/* Errors                                                                    */

static const char *
shown (const char *display_name)
{
  return display_name ? display_name : "(buffer)";
}

G_GNUC_PRINTF (4, 5) static void
fail (GError **error, VitaModelError code, const char *file, const char *fmt, ...)
{
  va_list ap;
  va_start (ap, fmt);
  g_autofree char *msg = g_strdup_vprintf (fmt, ap);
  va_end (ap);
  g_set_error (error, VITA_MODEL_ERROR, code, "%s: %s", shown (file), msg);
}

/* A name as it may appear in a message: control characters escaped, long names
 * shortened, so that a hostile name cannot flood or garble a terminal. */
static char *
printable (const char *s)
{
  GString *out = g_string_new (NULL);
  gsize chars = 0;
  for (const char *p = s; *p; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);
      if (++chars > 120)
        {
          g_string_append (out, "...");
          break;
        }
      if (c < 0x20 || c == 0x7f)
        g_string_append_printf (out, "\\x%02x", c);
      else
        g_string_append_unichar (out, c);
    }
  return g_string_free (out, FALSE);
}

/* ------------------------------------------------------------------------ */
/* Strict JSON reader for the header (RFC 8259), driven by the expected shape */

typedef struct {
  const char *s;
  gsize       len;
  gsize       pos;
  const char *file;
  GError    **error;
} Cursor;

G_GNUC_PRINTF (2, 3) static gboolean
syntax (Cursor *c, const char *fmt, ...)
{
  va_list ap;
  va_start (ap, fmt);
  g_autofree char *msg = g_strdup_vprintf (fmt, ap);
  va_end (ap);
  fail (c->error, VITA_MODEL_ERROR_CORRUPT, c->file,
        "header is not valid JSON (byte %" G_GSIZE_FORMAT " of the header: %s)",
        c->pos, msg);
  return FALSE;
}

static void
skip_ws (Cursor *c)
{
  while (c->pos < c->len &&
         (c->s[c->pos] == ' ' || c->s[c->pos] == '\t' ||
          c->s[c->pos] == '\n' || c->s[c->pos] == '\r'))
    c->pos++;
}

static int
peek (Cursor *c)
{
  skip_ws (c);
  return c->pos < c->len ? (guchar) c->s[c->pos] : -1;
}

static gboolean
expect (Cursor *c, char ch)
{
  if (peek (c) != (guchar) ch)
    return syntax (c, c->pos < c->len ? "expected '%c'" : "expected '%c', found the end",
                   ch);
  c->pos++;
  return TRUE;
}

/* A JSON string: the lexer shared with the general strict reader (vita-json.c).
 * The header was checked to be valid UTF-8 beforehand.  Escaped NULs and lone
 * surrogates are refused (names and values are C strings). */
static gboolean
parse_string (Cursor *c, char **out)
{
  if (peek (c) != '"')
    return syntax (c, "expected a string");
  const char *why = NULL;
  if (!vita_json_scan_string (c->s, c->len, &c->pos, out, &why, NULL))
    return syntax (c, "%s", why);
  return TRUE;
}

typedef enum { NUM_OK, NUM_NEGATIVE, NUM_NOT_INTEGER, NUM_TOO_LARGE } NumKind;

/* A JSON number.  *kind says whether it is a non-negative integer that fits in
 * 63 bits (the only numbers the header may hold); text is kept for messages. */
static gboolean
parse_number (Cursor *c, gint64 *value, NumKind *kind, char text[32])
{
  skip_ws (c);
  gsize start = c->pos;
  VitaJsonNumber num;
  const char *why = NULL;
  if (!vita_json_scan_number (c->s, c->len, &c->pos, &num, &why))
    return syntax (c, "%s", why);
  gsize n = MIN (c->pos - start, 31);
  memcpy (text, c->s + start, n);
  text[n] = '\0';
  if (c->pos - start > 31)
    memcpy (text + 27, "...", 4);
  if (!num.integer)
    *kind = NUM_NOT_INTEGER;
  else if (num.negative && (num.magnitude != 0 || num.overflow))
    *kind = NUM_NEGATIVE;
  else if (num.overflow)
    *kind = NUM_TOO_LARGE;
  else
    *kind = NUM_OK;
  *value = (gint64) num.magnitude;
  return TRUE;
}

/* Which JSON value starts here, for "expected ..., found ..." messages. */
static const char *
value_kind (Cursor *c)
{
  switch (peek (c))
    {
    case '{': return "an object";
    case '[': return "an array";
    case '"': return "a string";
    case 't': case 'f': return "a boolean";
    case 'n': return "null";
    case -1:  return "the end of the header";
    default:  return (peek (c) == '-' || g_ascii_isdigit (peek (c))) ? "a number" : "an invalid token";
    }
}

/* ------------------------------------------------------------------------ */
/* Header → tensor descriptions                                              */

typedef struct {
  const char *name;
  guint       size;
  gboolean    supported;
} Dtype;

/* Every dtype of the Rust crate's Dtype enum. */
static const Dtype dtypes[] = {
  { "F32", 4, TRUE }, { "F16", 2, TRUE }, { "BF16", 2, TRUE },
  { "F64", 8, FALSE }, { "BOOL", 1, FALSE }, { "U8", 1, FALSE }, { "I8", 1, FALSE },
  { "F8_E5M2", 1, FALSE }, { "F8_E4M3", 1, FALSE }, { "I16", 2, FALSE },
  { "U16", 2, FALSE }, { "I32", 4, FALSE }, { "U32", 4, FALSE }, { "I64", 8, FALSE },
  { "U64", 8, FALSE },
};

typedef struct {
  char        *name;
  const Dtype *dtype;
  int          ndim;
  gint64       shape[VITA_TENSOR_MAX_DIMS];
  gint64       begin, end;
  gsize        n_elements;
} Entry;

static void
entry_free (gpointer p)
{
  Entry *e = p;
  g_free (e->name);
  g_free (e);
}

/* An array of up to max non-negative integers (field of tensor `name`). */
static gboolean
parse_int_array (Cursor *c, const char *name, const char *field, int max,
                 gint64 *out, int *count)
{
  g_autofree char *pname = printable (name);
  if (peek (c) != '[')
    {
      fail (c->error, VITA_MODEL_ERROR_CORRUPT, c->file,
            "tensor '%s': %s must be an array of integers, found %s",
            pname, field, value_kind (c));
      return FALSE;
    }
  c->pos++;
  int n = 0;
  if (peek (c) == ']')
    c->pos++;
  else
    while (TRUE)
      {
        if (peek (c) != '-' && !g_ascii_isdigit (peek (c)))
          {
            fail (c->error, VITA_MODEL_ERROR_CORRUPT, c->file,
                  "tensor '%s': %s must hold integers, found %s", pname, field, value_kind (c));
            return FALSE;
          }
        gint64 v = 0;
        NumKind kind = NUM_OK;
        char text[32];
        if (!parse_number (c, &v, &kind, text))
          return FALSE;
        if (kind != NUM_OK)
          {
            fail (c->error, VITA_MODEL_ERROR_CORRUPT, c->file,
                  "tensor '%s': %s holds %s, not a non-negative integer%s", pname, field, text,
                  kind == NUM_TOO_LARGE ? " that fits in 63 bits" : "");
            return FALSE;
          }
        if (n == max)
          {
            if (max == 2)
              fail (c->error, VITA_MODEL_ERROR_CORRUPT, c->file,
                    "tensor '%s': %s must be two integers [begin, end]", pname, field);
            else
              fail (c->error, VITA_MODEL_ERROR_CORRUPT, c->file,
                    "tensor '%s': %s has more than %d dimensions", pname, field, max);
            return FALSE;
          }
        out[n++] = v;
        int ch = peek (c);
        if (ch == ',')
          {
            c->pos++;
            continue;
          }
        if (ch == ']')
          {
            c->pos++;
            break;
          }
        return syntax (c, "expected ',' or ']' in the %s of tensor '%s'", field, pname);
      }
  *count = n;
  return TRUE;
}

static gboolean
parse_tensor_entry (Cursor *c, Entry *e)
{
  g_autofree char *pname = printable (e->name);
  if (peek (c) != '{')
    {
      fail (c->error, VITA_MODEL_ERROR_CORRUPT, c->file,
            "tensor '%s': expected an object {dtype, shape, data_offsets}, found %s",
            pname, value_kind (c));
      return FALSE;
    }
  c->pos++;
  gboolean have_dtype = FALSE, have_shape = FALSE, have_offsets = FALSE;
  if (peek (c) == '}')
    c->pos++;
  else
    while (TRUE)
      {
        g_autofree char *key = NULL;
        if (!parse_string (c, &key) || !expect (c, ':'))
          return FALSE;
        g_autofree char *pkey = printable (key);
        gboolean *seen = g_str_equal (key, "dtype") ? &have_dtype :
                         g_str_equal (key, "shape") ? &have_shape :
                         g_str_equal (key, "data_offsets") ? &have_offsets : NULL;
        if (seen == NULL)
          {
            fail (c->error, VITA_MODEL_ERROR_CORRUPT, c->file,
                  "tensor '%s': unknown field '%s' (expected dtype, shape, data_offsets)",
                  pname, pkey);
            return FALSE;
          }
        if (*seen)
          {
            fail (c->error, VITA_MODEL_ERROR_CORRUPT, c->file,
                  "tensor '%s': duplicate field '%s'", pname, pkey);
            return FALSE;
          }
        *seen = TRUE;
        if (seen == &have_dtype)
          {
            if (peek (c) != '"')
              {
                fail (c->error, VITA_MODEL_ERROR_CORRUPT, c->file,
                      "tensor '%s': dtype must be a string, found %s", pname, value_kind (c));
                return FALSE;
              }
            g_autofree char *dt = NULL;
            if (!parse_string (c, &dt))
              return FALSE;
            for (gsize i = 0; i < G_N_ELEMENTS (dtypes); i++)
              if (g_str_equal (dt, dtypes[i].name))
                e->dtype = &dtypes[i];
            g_autofree char *pdt = printable (dt);
            if (e->dtype == NULL)
              {
                fail (c->error, VITA_MODEL_ERROR_CORRUPT, c->file,
                      "tensor '%s': unknown dtype '%s'", pname, pdt);
                return FALSE;
              }
            if (!e->dtype->supported)
              {
                fail (c->error, VITA_MODEL_ERROR_UNSUPPORTED, c->file,
                      "tensor '%s' has dtype %s; Vitascope reads F32, F16 and BF16 tensors",
                      pname, pdt);
                return FALSE;
              }
          }
        else if (seen == &have_shape)
          {
            if (!parse_int_array (c, e->name, "shape", VITA_TENSOR_MAX_DIMS, e->shape, &e->ndim))
              return FALSE;
          }
        else
          {
            gint64 off[2];
            int n;
            if (!parse_int_array (c, e->name, "data_offsets", 2, off, &n))
              return FALSE;
            if (n != 2)
              {
                fail (c->error, VITA_MODEL_ERROR_CORRUPT, c->file,
                      "tensor '%s': data_offsets must be two integers [begin, end]", pname);
                return FALSE;
              }
            e->begin = off[0];
            e->end = off[1];
          }
        int ch = peek (c);
        if (ch == ',')
          {
            c->pos++;
            continue;
          }
        if (ch == '}')
          {
            c->pos++;
            break;
          }
        return syntax (c, "expected ',' or '}' in the entry of tensor '%s'", pname);
      }
  const char *missing = !have_dtype ? "dtype" : !have_shape ? "shape" :
                        !have_offsets ? "data_offsets" : NULL;
  if (missing)
    {
      fail (c->error, VITA_MODEL_ERROR_CORRUPT, c->file,
            "tensor '%s': the field '%s' is missing", pname, missing);
      return FALSE;
    }
  return TRUE;
}

static gboolean
parse_metadata (Cursor *c, GHashTable *metadata)
{
  if (peek (c) != '{')
    {
      fail (c->error, VITA_MODEL_ERROR_CORRUPT, c->file,
            "__metadata__ must be an object of strings, found %s", value_kind (c));
      return FALSE;
    }
  c->pos++;
  if (peek (c) == '}')
    {
      c->pos++;
      return TRUE;
    }
  while (TRUE)
    {
      g_autofree char *key = NULL;
      if (!parse_string (c, &key) || !expect (c, ':'))
        return FALSE;
      g_autofree char *pkey = printable (key);
      if (g_hash_table_contains (metadata, key))
        {
          fail (c->error, VITA_MODEL_ERROR_CORRUPT, c->file,
                "__metadata__: duplicate key '%s'", pkey);
          return FALSE;
        }
      if (peek (c) != '"')
        {
          fail (c->error, VITA_MODEL_ERROR_CORRUPT, c->file,
                "__metadata__: the value of '%s' must be a string, found %s",
                pkey, value_kind (c));
          return FALSE;
        }
      char *value = NULL;
      if (!parse_string (c, &value))
        return FALSE;
      g_hash_table_insert (metadata, g_steal_pointer (&key), value);
      int ch = peek (c);
      if (ch == ',')
        {
          c->pos++;
          continue;
        }
      if (ch == '}')
        {
          c->pos++;
          return TRUE;
        }
      return syntax (c, "expected ',' or '}' in __metadata__");
    }
}

/* Parses the whole header into entries (in file order) and metadata. */
static gboolean
parse_header (Cursor *c, GPtrArray *entries, GHashTable *metadata)
{
  if (peek (c) != '{')
    {
      if (peek (c) == -1)
        fail (c->error, VITA_MODEL_ERROR_CORRUPT, c->file,
              "header is empty (only whitespace)");
      else if (peek (c) == '[' || peek (c) == '"' || peek (c) == '-' ||
               g_ascii_isdigit (peek (c)) || peek (c) == 't' || peek (c) == 'f' ||
               peek (c) == 'n')
        fail (c->error, VITA_MODEL_ERROR_CORRUPT, c->file,
              "header is %s, not a JSON object", value_kind (c));
      else
        syntax (c, "expected '{'");
      return FALSE;
    }
  c->pos++;
  g_autoptr(GHashTable) names = g_hash_table_new (g_str_hash, g_str_equal);
  gboolean have_metadata = FALSE;
  if (peek (c) == '}')
    c->pos++;
  else
    while (TRUE)
      {
        char *key = NULL;
        if (!parse_string (c, &key))
          return FALSE;
        if (!expect (c, ':'))
          {
            g_free (key);
            return FALSE;
          }
        if (g_str_equal (key, "__metadata__"))
          {
            g_free (key);
            if (have_metadata)
              {
                fail (c->error, VITA_MODEL_ERROR_CORRUPT, c->file,
                      "header holds __metadata__ twice");
                return FALSE;
              }
            have_metadata = TRUE;
            if (!parse_metadata (c, metadata))
              return FALSE;
          }
        else
          {
            if (g_hash_table_contains (names, key))
              {
                g_autofree char *pkey = printable (key);
                g_free (key);
                fail (c->error, VITA_MODEL_ERROR_CORRUPT, c->file,
                      "duplicate tensor name '%s' in the header", pkey);
                return FALSE;
              }
            if (entries->len >= MAX_TENSORS)
              {
                g_free (key);
                fail (c->error, VITA_MODEL_ERROR_CORRUPT, c->file,
                      "header lists more than %u tensors", MAX_TENSORS);
                return FALSE;
              }
            Entry *e = g_new0 (Entry, 1);
            e->name = key;
            g_ptr_array_add (entries, e);
            g_hash_table_add (names, e->name);
            if (!parse_tensor_entry (c, e))
              return FALSE;
          }
        int ch = peek (c);
        if (ch == ',')
          {
            c->pos++;
            continue;
          }
        if (ch == '}')
          {
            c->pos++;
            break;
          }
        return syntax (c, "expected ',' or '}' between tensors");
      }
  skip_ws (c);
  if (c->pos != c->len)
    return syntax (c, "characters after the end of the JSON object");
  return TRUE;
}

/* ------------------------------------------------------------------------ */
/* Conversions                                                               */

/* IEEE 754 binary16 → binary32, exact (every half is a float). */
/* IEEE 754 binary16, round to nearest even (as torch.Tensor.half()); overflow → ±Inf. */
static guint16
float_to_half (float f)
{
  guint32 x;
  memcpy (&x, &f, sizeof x);
  guint32 sign = (x >> 16) & 0x8000u;
  guint32 absx = x & 0x7fffffffu;
  if (absx >= 0x7f800000u)                         /* Inf or NaN */
    return sign | 0x7c00u | (absx > 0x7f800000u ? 0x200u : 0);
  if (absx >= 0x477ff000u)                         /* rounds past 65504 */
    return sign | 0x7c00u;
  if (absx < 0x38800000u)                          /* subnormal half (or zero) */
    {
      if (absx < 0x33000000u)
        return sign;                               /* below half the smallest subnormal */
      guint32 e = absx >> 23;
      guint32 m = (absx & 0x7fffffu) | 0x800000u;
      guint32 shift = 126 - e;                     /* value = m·2^(e−150) = r·2^−24 */
      guint32 r = m >> shift;
      guint32 rem = m & ((1u << shift) - 1), half = 1u << (shift - 1);
      if (rem > half || (rem == half && (r & 1)))
        r++;
      return sign | r;
    }
  guint32 r = ((absx >> 13) - ((127 - 15) << 10));
  guint32 rem = absx & 0x1fffu;
  if (rem > 0x1000u || (rem == 0x1000u && (r & 1)))
    r++;
  return sign | r;
}

static float
half_to_float (guint16 h)
{
  guint32 sign = (guint32) (h & 0x8000u) << 16;
  guint32 exp = (h >> 10) & 0x1fu;
  guint32 mant = h & 0x3ffu;
  guint32 bits;
  if (exp == 0)
    {
      /* zero or subnormal: mant × 2^-24, exact in float */
      float f = ldexpf ((float) mant, -24);
      return sign ? -f : f;
    }
  else if (exp == 31)
    bits = sign | 0x7f800000u | (mant << 13);   /* Inf, NaN (payload kept) */
  else
    bits = sign | ((exp - 15 + 127) << 23) | (mant << 13);
  float f;
  memcpy (&f, &bits, sizeof f);
  return f;
}

/* bfloat16 is the top half of a binary32. */
static float
bf16_to_float (guint16 h)
{
  guint32 bits = (guint32) h << 16;
  float f;
  memcpy (&f, &bits, sizeof f);
  return f;
}

static void
copy_widen (float *dst, const guint8 *src, gsize n, const Dtype *dtype)
{
  if (dtype->size == 4)
    {
      memcpy (dst, src, n * sizeof (float));  /* F32, little-endian host */
      return;
    }
  gboolean bf16 = dtype->name[0] == 'B';
  for (gsize i = 0; i < n; i++)
    {
      guint16 h;
      memcpy (&h, src + 2 * i, 2);
      dst[i] = bf16 ? bf16_to_float (h) : half_to_float (h);
    }
}

/* ------------------------------------------------------------------------ */
/* Parse                                                                     */

static char *
shape_string (int ndim, const gint64 *shape)
{
  GString *s = g_string_new ("[");
  for (int i = 0; i < ndim; i++)
    g_string_append_printf (s, "%s%" G_GINT64_FORMAT, i ? ", " : "", shape[i]);
  g_string_append_c (s, ']');
  return g_string_free (s, FALSE);
}

static gint
entry_by_offset (gconstpointer a, gconstpointer b)
{
  const Entry *x = *(Entry * const *) a, *y = *(Entry * const *) b;
  if (x->begin != y->begin)
    return x->begin < y->begin ? -1 : 1;
  if (x->end != y->end)
    return x->end < y->end ? -1 : 1;
  return 0;
}

/* The whole check and copy.  data holds avail bytes of a file of len bytes; with
 * header_only, avail need only cover the 8-byte length and the header, and the
 * parse stops once the header and the data layout it describes are checked
 * (issue 15.9: a file is judged by its first bytes before the rest is read). */
static VitaSafetensors *
parse_impl (const guint8 *data, gsize avail, gsize len, gboolean header_only,
            const char *display_name, GError **error)
{
  const char *file = shown (display_name);

  /* reliability.md 1 */
  if (len == 0)
    {
      fail (error, VITA_MODEL_ERROR_CORRUPT, file, "the file is empty, not a safetensors model");
      return NULL;
    }
  if (len < 8)
    {
      fail (error, VITA_MODEL_ERROR_CORRUPT, file,
            "the file has only %" G_GSIZE_FORMAT " bytes, shorter than the 8-byte header length "
            "of a safetensors file", len);
      return NULL;
    }

  /* reliability.md 2: compare N against what is there without ever forming 8 + N */
  guint64 n_header;
  memcpy (&n_header, data, 8);
  n_header = GUINT64_FROM_LE (n_header);
  if (n_header > HEADER_MAX)
    {
      fail (error, VITA_MODEL_ERROR_CORRUPT, file,
            "header length %" G_GUINT64_FORMAT " bytes is larger than the 100 MB limit "
            "(not a safetensors file, or a corrupt one)", n_header);
      return NULL;
    }
  if (n_header > len - 8)
    {
      fail (error, VITA_MODEL_ERROR_CORRUPT, file,
            "header length %" G_GUINT64_FORMAT " bytes is larger than the %" G_GSIZE_FORMAT
            " bytes that follow it: the file is truncated or not a safetensors file",
            n_header, len - 8);
      return NULL;
    }
  if (n_header == 0)
    {
      fail (error, VITA_MODEL_ERROR_CORRUPT, file, "header is empty (length 0)");
      return NULL;
    }
  g_return_val_if_fail (avail >= 8 + n_header && (header_only || avail == len), NULL);

  /* reliability.md 3 */
  const char *header = (const char *) data + 8;
  const char *bad_utf8 = NULL;
  if (!g_utf8_validate_len (header, (gsize) n_header, &bad_utf8))
    {
      fail (error, VITA_MODEL_ERROR_CORRUPT, file,
            "header is not valid UTF-8 text (byte %" G_GSIZE_FORMAT " of the header)",
            (gsize) (bad_utf8 - header));
      return NULL;
    }

  g_autoptr(GPtrArray) entries = g_ptr_array_new_with_free_func (entry_free);
  g_autoptr(VitaSafetensors) st = vita_safetensors_new ();
  st->path = g_strdup (display_name);
  Cursor c = { header, (gsize) n_header, 0, file, error };
  if (!parse_header (&c, entries, st->metadata))
    return NULL;

  /* reliability.md 4, 5 */
  const guint8 *section = data + 8 + n_header;
  guint64 section_len = len - 8 - n_header;
  for (guint i = 0; i < entries->len; i++)
    {
      Entry *e = g_ptr_array_index (entries, i);
      g_autofree char *pname = printable (e->name);
      g_autofree char *shape = shape_string (e->ndim, e->shape);
      gsize bytes;
      if (!checked_elements (e->ndim, e->shape, &e->n_elements) ||
          !g_size_checked_mul (&bytes, e->n_elements, e->dtype->size))
        {
          fail (error, VITA_MODEL_ERROR_CORRUPT, file,
                "tensor '%s': shape %s has more elements than can be addressed", pname, shape);
          return NULL;
        }
      if (e->end < e->begin)
        {
          fail (error, VITA_MODEL_ERROR_CORRUPT, file,
                "tensor '%s': data_offsets [%" G_GINT64_FORMAT ", %" G_GINT64_FORMAT
                "] end before they begin", pname, e->begin, e->end);
          return NULL;
        }
      if ((guint64) (e->end - e->begin) != (guint64) bytes)
        {
          fail (error, VITA_MODEL_ERROR_CORRUPT, file,
                "tensor '%s': data_offsets [%" G_GINT64_FORMAT ", %" G_GINT64_FORMAT
                "] span %" G_GINT64_FORMAT " bytes, but shape %s of %s needs %" G_GSIZE_FORMAT,
                pname, e->begin, e->end, e->end - e->begin, shape, e->dtype->name, bytes);
          return NULL;
        }
      if ((guint64) e->end > section_len)
        {
          fail (error, VITA_MODEL_ERROR_CORRUPT, file,
                "tensor '%s' ends at byte %" G_GINT64_FORMAT " of the data, but the file holds "
                "only %" G_GUINT64_FORMAT " data bytes: the file is truncated",
                pname, e->end, section_len);
          return NULL;
        }
    }

  /* The tensors must tile the data section exactly (the Rust crate's rule). */
  g_autoptr(GPtrArray) sorted = g_ptr_array_sized_new (entries->len);
  for (guint i = 0; i < entries->len; i++)
    g_ptr_array_add (sorted, g_ptr_array_index (entries, i));
  g_ptr_array_sort (sorted, entry_by_offset);
  gint64 at = 0;
  const Entry *prev = NULL;
  for (guint i = 0; i < sorted->len; i++)
    {
      const Entry *e = g_ptr_array_index (sorted, i);
      g_autofree char *pname = printable (e->name);
      if (e->begin < at)
        {
          g_autofree char *pprev = printable (prev->name);
          fail (error, VITA_MODEL_ERROR_CORRUPT, file,
                "tensor '%s' (bytes %" G_GINT64_FORMAT " to %" G_GINT64_FORMAT ") overlaps tensor '%s' "
                "(bytes %" G_GINT64_FORMAT " to %" G_GINT64_FORMAT ")",
                pname, e->begin, e->end, pprev, prev->begin, prev->end);
          return NULL;
        }
      if (e->begin > at)
        {
          g_autofree char *pprev = prev ? printable (prev->name) : NULL;
          if (prev)
            fail (error, VITA_MODEL_ERROR_CORRUPT, file,
                  "gap of %" G_GINT64_FORMAT " unused bytes between tensor '%s' and tensor '%s'",
                  e->begin - at, pprev, pname);
          else
            fail (error, VITA_MODEL_ERROR_CORRUPT, file,
                  "gap of %" G_GINT64_FORMAT " unused bytes before tensor '%s' (the first "
                  "tensor must start at data offset 0)", e->begin, pname);
          return NULL;
        }
      at = e->end;
      prev = e;
    }
  if ((guint64) at != section_len)
    {
      g_autofree char *pprev = prev ? printable (prev->name) : NULL;
      if (prev)
        fail (error, VITA_MODEL_ERROR_CORRUPT, file,
              "%" G_GUINT64_FORMAT " trailing bytes after the last tensor ('%s')",
              section_len - (guint64) at, pprev);
      else
        fail (error, VITA_MODEL_ERROR_CORRUPT, file,
              "%" G_GUINT64_FORMAT " trailing bytes after a header that lists no tensors",
              section_len);
      return NULL;
    }

  if (header_only)
    return g_steal_pointer (&st);   /* no tensors: the caller reads the file next */

  /* Copy (reliability.md 7), in file order. */
  for (guint i = 0; i < entries->len; i++)
    {
      Entry *e = g_ptr_array_index (entries, i);
      gsize out_bytes;
      if (!g_size_checked_mul (&out_bytes, MAX (e->n_elements, 1), sizeof (float)))
        out_bytes = G_MAXSIZE;
      float *buf = out_bytes == G_MAXSIZE ? NULL : g_try_malloc (out_bytes);
      if (buf == NULL)
        {
          g_autofree char *pname = printable (e->name);
          fail (error, VITA_MODEL_ERROR_IO, file,
                "not enough memory for tensor '%s' (%" G_GSIZE_FORMAT " values)",
                pname, e->n_elements);
          return NULL;
        }
      copy_widen (buf, section + e->begin, e->n_elements, e->dtype);
      VitaTensor *t = g_new0 (VitaTensor, 1);
      t->name = g_steal_pointer (&e->name);
      t->ndim = e->ndim;
      memcpy (t->shape, e->shape, sizeof t->shape);
      t->n_elements = e->n_elements;
      t->data = buf;
      insert_tensor (st, t);
    }
  return g_steal_pointer (&st);
}

VitaSafetensors *
vita_safetensors_parse (const guint8 *data, gsize len,
                        const char *display_name, GError **error)
{
  return parse_impl (data, len, len, FALSE, display_name, error);
}

/* ------------------------------------------------------------------------ */
/* Files                                                                     */

/* Reads a regular file completely (one snapshot; reliability.md 8). */
/* Opens a regular file for reading.  O_NONBLOCK so that a FIFO or a device named
 * like a model cannot block us in open(2); it is refused right after. */
static int
open_regular (const char *path, struct stat *sb, GError **error)
{
  int fd = g_open (path, O_RDONLY | O_CLOEXEC | O_NONBLOCK, 0);
  if (fd < 0)
    {
      int e = errno;
      fail (error, VITA_MODEL_ERROR_IO, path, "cannot open: %s", g_strerror (e));
      return -1;
    }
  if (fstat (fd, sb) != 0 || !S_ISREG (sb->st_mode))
    {
      fail (error, VITA_MODEL_ERROR_IO, path, "not a regular file");
      close (fd);
      return -1;
    }
  int flags = fcntl (fd, F_GETFL);
  if (flags >= 0)
    (void) fcntl (fd, F_SETFL, flags & ~O_NONBLOCK);
  return fd;
}

static guint8 *
read_file (const char *path, gsize *len_out, GError **error)
{
  struct stat sb;
  int fd = open_regular (path, &sb, error);
  if (fd < 0)
    return NULL;
  if ((guint64) sb.st_size > FILE_MAX)
    {
      fail (error, VITA_MODEL_ERROR_IO, path, "the file is too large (%" G_GUINT64_FORMAT
            " bytes; the limit is 16 GiB)", (guint64) sb.st_size);
      close (fd);
      return NULL;
    }
  /* The size is a hint: the file may shrink or grow while we read it.  We read
   * until end of file (one extra byte beyond st_size), never past our buffer. */
  gsize cap = (gsize) sb.st_size + 1;
  guint8 *buf = g_try_malloc (cap);
  if (buf == NULL)
    {
      fail (error, VITA_MODEL_ERROR_IO, path, "not enough memory to read %" G_GSIZE_FORMAT
            " bytes", cap - 1);
      close (fd);
      return NULL;
    }
  gsize len = 0;
  while (TRUE)
    {
      if (len == cap)
        {
          /* grew while we read: keep reading, in bounded steps */
          if (cap >= FILE_MAX)
            {
              fail (error, VITA_MODEL_ERROR_IO, path, "the file keeps growing while read");
              g_free (buf);
              close (fd);
              return NULL;
            }
          gsize ncap = MIN (cap * 2, (gsize) FILE_MAX);
          guint8 *nbuf = g_try_realloc (buf, ncap);
          if (nbuf == NULL)
            {
              fail (error, VITA_MODEL_ERROR_IO, path, "not enough memory");
              g_free (buf);
              close (fd);
              return NULL;
            }
          buf = nbuf;
          cap = ncap;
        }
      gssize r = read (fd, buf + len, MIN (cap - len, (gsize) 1 << 30));
      if (r < 0 && errno == EINTR)
        continue;
      if (r < 0)
        {
          int e = errno;
          fail (error, VITA_MODEL_ERROR_IO, path, "read error: %s", g_strerror (e));
          g_free (buf);
          close (fd);
          return NULL;
        }
      if (r == 0)
        break;
      len += (gsize) r;
    }
  close (fd);
  *len_out = len;
  return buf;
}

/* Judges a file by its first bytes: the 8-byte length and the header it announces,
 * and the data layout the header describes against the file's size.  A 2 GB file
 * whose first 8 bytes say "empty header" is refused without reading the rest. */
static gboolean
check_head (const char *path, GError **error)
{
  struct stat sb;
  int fd = open_regular (path, &sb, error);
  if (fd < 0)
    return FALSE;
  gsize size = (gsize) MIN ((guint64) sb.st_size, (guint64) G_MAXSIZE);
  guint8 len8[8] = { 0 };
  gssize r;
  do
    r = pread (fd, len8, MIN (size, (gsize) 8), 0);
  while (r < 0 && errno == EINTR);
  if (r < 0 || (gsize) r != MIN (size, (gsize) 8))
    {
      close (fd);
      return TRUE;   /* let the full read report it */
    }
  if (size < 8)
    {
      close (fd);
      g_autoptr(VitaSafetensors) st = parse_impl (len8, size, size, TRUE, path, error);
      return st != NULL;
    }
  guint64 n;
  memcpy (&n, len8, 8);
  n = GUINT64_FROM_LE (n);
  if (n == 0 || n > HEADER_MAX || n > size - 8)
    {
      close (fd);
      g_autoptr(VitaSafetensors) st = parse_impl (len8, 8, size, TRUE, path, error);
      return st != NULL;
    }
  guint8 *head = g_try_malloc (8 + (gsize) n);
  if (head == NULL)
    {
      close (fd);
      return TRUE;
    }
  memcpy (head, len8, 8);
  gsize got = 0;
  while (got < n)
    {
      r = pread (fd, head + 8 + got, (gsize) n - got, 8 + (off_t) got);
      if (r < 0 && errno == EINTR)
        continue;
      if (r <= 0)
        break;
      got += (gsize) r;
    }
  close (fd);
  gboolean ok = TRUE;
  if (got == n)
    {
      VitaSafetensors *st = parse_impl (head, 8 + (gsize) n, size, TRUE, path, error);
      ok = st != NULL;
      vita_safetensors_free (st);
    }
  g_free (head);
  return ok;
}

VitaSafetensors *
vita_safetensors_load (const char *path, GError **error)
{
  if (!check_head (path, error))
    return NULL;
  gsize len = 0;
  g_autofree guint8 *data = read_file (path, &len, error);
  if (data == NULL)
    return NULL;
  VitaSafetensors *st = vita_safetensors_parse (data, len, path, error);
  if (st == NULL)
    return NULL;
  /* the hash of exactly the bytes we parsed, not of a second read */
  g_autoptr(GChecksum) sum = g_checksum_new (G_CHECKSUM_SHA256);
  g_checksum_update (sum, data, (gssize) len);
  g_strlcpy (st->sha256, g_checksum_get_string (sum), sizeof st->sha256);
  return st;
}

/* ------------------------------------------------------------------------ */
/* Writing                                                                   */

static void
append_json_string (GString *out, const char *s)
{
  g_string_append_c (out, '"');
  for (const guchar *p = (const guchar *) s; *p; p++)
    {
      if (*p == '"' || *p == '\\')
        {
          g_string_append_c (out, '\\');
          g_string_append_c (out, (char) *p);
        }
      else if (*p < 0x20)
        g_string_append_printf (out, "\\u%04x", *p);
      else
        g_string_append_c (out, (char) *p);
    }
  g_string_append_c (out, '"');
}

static gint
tensor_by_name (gconstpointer a, gconstpointer b)
{
  const VitaTensor *x = *(VitaTensor * const *) a, *y = *(VitaTensor * const *) b;
  return strcmp (x->name, y->name);
}

static gint
str_cmp (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

void
vita_safetensors_set_store_f16 (VitaSafetensors *st, gboolean f16)
{
  st->store_f16 = f16;
}

GBytes *
vita_safetensors_serialize (const VitaSafetensors *st)
{
  g_autoptr(GPtrArray) sorted = g_ptr_array_sized_new (st->tensors->len);
  for (guint i = 0; i < st->tensors->len; i++)
    g_ptr_array_add (sorted, g_ptr_array_index (st->tensors, i));
  /* The Rust crate orders by dtype alignment, then name; all ours are F32. */
  g_ptr_array_sort (sorted, tensor_by_name);

  GString *header = g_string_new ("{");
  if (g_hash_table_size (st->metadata) > 0)
    {
      guint n_keys;
      g_autofree const char **keys =
        (const char **) g_hash_table_get_keys_as_array (st->metadata, &n_keys);
      qsort (keys, n_keys, sizeof *keys, str_cmp);
      g_string_append (header, "\"__metadata__\":{");
      for (guint i = 0; i < n_keys; i++)
        {
          if (i)
            g_string_append_c (header, ',');
          append_json_string (header, keys[i]);
          g_string_append_c (header, ':');
          append_json_string (header, g_hash_table_lookup (st->metadata, keys[i]));
        }
      g_string_append_c (header, '}');
    }
  const gsize elem = st->store_f16 ? 2 : sizeof (float);
  guint64 offset = 0;
  for (guint i = 0; i < sorted->len; i++)
    {
      const VitaTensor *t = g_ptr_array_index (sorted, i);
      if (header->len > 1)
        g_string_append_c (header, ',');
      append_json_string (header, t->name);
      g_string_append (header, st->store_f16 ? ":{\"dtype\":\"F16\",\"shape\":["
                                             : ":{\"dtype\":\"F32\",\"shape\":[");
      for (int d = 0; d < t->ndim; d++)
        g_string_append_printf (header, "%s%" G_GINT64_FORMAT, d ? "," : "", t->shape[d]);
      guint64 end = offset + (guint64) t->n_elements * elem;
      g_string_append_printf (header, "],\"data_offsets\":[%" G_GUINT64_FORMAT ",%"
                              G_GUINT64_FORMAT "]}", offset, end);
      offset = end;
    }
  g_string_append_c (header, '}');
  /* Pad with spaces so the data starts at a multiple of 8, as the Rust crate does. */
  while (header->len % 8 != 0)
    g_string_append_c (header, ' ');

  gsize total = 8 + header->len + (gsize) offset;
  guint8 *buf = g_malloc (total);
  guint64 n_le = GUINT64_TO_LE ((guint64) header->len);
  memcpy (buf, &n_le, 8);
  memcpy (buf + 8, header->str, header->len);
  guint8 *p = buf + 8 + header->len;
  for (guint i = 0; i < sorted->len; i++)
    {
      const VitaTensor *t = g_ptr_array_index (sorted, i);
      gsize bytes = t->n_elements * elem;
      if (st->store_f16)
        for (gsize k = 0; k < t->n_elements; k++)
          {
            guint16 h = GUINT16_TO_LE (float_to_half (t->data[k]));
            memcpy (p + 2 * k, &h, 2);
          }
      else if (bytes)
        memcpy (p, t->data, bytes);
      p += bytes;
    }
  g_string_free (header, TRUE);
  return g_bytes_new_take (buf, total);
}

gboolean
vita_safetensors_save (const VitaSafetensors *st, const char *path, GError **error)
{
  g_autoptr(GBytes) bytes = vita_safetensors_serialize (st);
  return vita_file_write_atomic (path, g_bytes_get_data (bytes, NULL),
                                 g_bytes_get_size (bytes), error);
}

gboolean
vita_file_sha256 (const char *path, char out[65], GError **error)
{
  struct stat sb;
  int fd = open_regular (path, &sb, error);
  if (fd < 0)
    return FALSE;
  g_autoptr(GChecksum) sum = g_checksum_new (G_CHECKSUM_SHA256);
  g_autofree guint8 *buf = g_malloc (1 << 16);
  while (TRUE)
    {
      gssize r = read (fd, buf, 1 << 16);
      if (r < 0 && errno == EINTR)
        continue;
      if (r < 0)
        {
          int e = errno;
          close (fd);
          fail (error, VITA_MODEL_ERROR_IO, path, "read error: %s", g_strerror (e));
          return FALSE;
        }
      if (r == 0)
        break;
      g_checksum_update (sum, buf, r);
    }
  close (fd);
  g_strlcpy (out, g_checksum_get_string (sum), 65);
  return TRUE;
}
