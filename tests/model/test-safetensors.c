/* test-safetensors.c — the safetensors container: round trip, dtype widening, and
 * one test per malformed-file class of shared/design/reliability.md items 1–8.
 * Every bad file is built here byte by byte in a temporary folder and loaded from
 * disk, and each rejection is checked for its error code AND for a message that
 * names the file and the offending tensor or field. */
#include "vita-test.h"
#include "model/vita-safetensors.h"

#include <math.h>
#include <string.h>

#include <glib/gstdio.h>
#include <sys/stat.h>
#include <unistd.h>

static char *tmp_dir;

static char *
tmp_path (const char *name)
{
  return g_build_filename (tmp_dir, name, NULL);
}

/* An 8-byte little-endian length, then the header, then the data. */
static GBytes *
build (guint64 n_header, const char *header, gsize header_len, const void *data, gsize data_len)
{
  GByteArray *a = g_byte_array_new ();
  guint64 le = GUINT64_TO_LE (n_header);
  g_byte_array_append (a, (const guint8 *) &le, 8);
  g_byte_array_append (a, (const guint8 *) header, (guint) header_len);
  if (data_len)
    g_byte_array_append (a, data, (guint) data_len);
  return g_byte_array_free_to_bytes (a);
}

static GBytes *
build_json (const char *header, const void *data, gsize data_len)
{
  return build (strlen (header), header, strlen (header), data, data_len);
}

static char *
write_file (const char *name, const void *bytes, gsize len)
{
  char *path = tmp_path (name);
  g_autoptr(GError) error = NULL;
  g_assert_true (g_file_set_contents (path, bytes, (gssize) len, &error));
  g_assert_no_error (error);
  return path;
}

/* Loads name (written from bytes) and asserts a rejection with code whose message
 * names the file and contains each of the given fragments (NULL-terminated). */
static void
expect_reject_bytes (const char *name, const void *bytes, gsize len, VitaModelError code, ...)
{
  g_autofree char *path = write_file (name, bytes, len);
  g_autoptr(GError) error = NULL;
  g_autoptr(VitaSafetensors) st = vita_safetensors_load (path, &error);
  g_assert_null (st);
  g_assert_nonnull (error);
  if (!g_error_matches (error, VITA_MODEL_ERROR, code))
    g_error ("%s: expected code %d, got %s %d: %s", name, code,
             g_quark_to_string (error->domain), error->code, error->message);
  g_test_message ("%s: %s", name, error->message);
  if (strstr (error->message, path) == NULL)
    g_error ("%s: message does not name the file: %s", name, error->message);
  va_list ap;
  va_start (ap, code);
  for (const char *frag; (frag = va_arg (ap, const char *)) != NULL;)
    if (strstr (error->message, frag) == NULL)
      g_error ("%s: message lacks '%s': %s", name, frag, error->message);
  va_end (ap);

  /* the same bytes through the buffer API give the same verdict */
  g_autoptr(GError) error2 = NULL;
  g_autoptr(VitaSafetensors) st2 = vita_safetensors_parse (bytes, len, "buf.safetensors", &error2);
  g_assert_null (st2);
  g_assert_error (error2, VITA_MODEL_ERROR, (gint) code);
  g_assert_nonnull (strstr (error2->message, "buf.safetensors"));
  g_unlink (path);
}

#define REJECT_JSON(name, header, data, data_len, code, ...) G_STMT_START {          \
    g_autoptr(GBytes) b_ = build_json (header, data, data_len);                       \
    expect_reject_bytes (name, g_bytes_get_data (b_, NULL), g_bytes_get_size (b_),   \
                         code, __VA_ARGS__, NULL); } G_STMT_END

static const float four[4] = { 1, 2, 3, 4 };

/* ------------------------------------------------------------------------ */

static void
test_roundtrip (void)
{
  g_autoptr(VitaSafetensors) st = vita_safetensors_new ();
  float a[6] = { 1, -2, 3.5f, 1e-30f, -0.0f, 65504 };
  gint64 sa[2] = { 2, 3 };
  float s = 7;
  gint64 sz[2] = { 0, 3 };
  vita_safetensors_add (st, "b.weight", 2, sa, a);
  vita_safetensors_add (st, "a.scalar", 0, NULL, &s);
  vita_safetensors_add (st, "c.empty", 2, sz, NULL);
  vita_safetensors_set_metadata (st, "format", "vit1d");
  vita_safetensors_set_metadata (st, "quote\"and\\slash\n", "tab\there \xc3\xa9");

  g_autoptr(GBytes) bytes = vita_safetensors_serialize (st);
  gsize len;
  const guint8 *p = g_bytes_get_data (bytes, &len);
  guint64 n;
  memcpy (&n, p, 8);
  n = GUINT64_FROM_LE (n);
  /* header padded with spaces so the data starts at a multiple of 8 */
  g_assert_cmpuint ((8 + n) % 8, ==, 0);
  g_assert_cmpuint (p[8], ==, '{');
  /* tensors sorted by name, F32 */
  g_autofree char *header = g_strndup ((const char *) p + 8, n);
  const char *ia = strstr (header, "\"a.scalar\""), *ib = strstr (header, "\"b.weight\""),
             *ic = strstr (header, "\"c.empty\"");
  g_assert_true (ia && ib && ic && ia < ib && ib < ic);
  g_assert_nonnull (strstr (header, "{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[4,28]}"));

  g_autoptr(GError) error = NULL;
  g_autofree char *path = tmp_path ("roundtrip.safetensors");
  g_assert_true (vita_safetensors_save (st, path, &error));
  g_assert_no_error (error);
  g_autoptr(VitaSafetensors) back = vita_safetensors_load (path, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (vita_safetensors_n_tensors (back), ==, 3);
  const VitaTensor *t = vita_safetensors_lookup (back, "b.weight");
  g_assert_nonnull (t);
  g_assert_cmpint (t->ndim, ==, 2);
  g_assert_cmpint (t->shape[0], ==, 2);
  g_assert_cmpint (t->shape[1], ==, 3);
  g_assert_cmpmem (t->data, sizeof a, a, sizeof a);
  t = vita_safetensors_lookup (back, "a.scalar");
  g_assert_cmpint (t->ndim, ==, 0);
  g_assert_cmpuint (t->n_elements, ==, 1);
  g_assert_cmpfloat (t->data[0], ==, 7);
  t = vita_safetensors_lookup (back, "c.empty");
  g_assert_cmpuint (t->n_elements, ==, 0);
  g_assert_cmpstr (vita_safetensors_get_metadata (back, "format"), ==, "vit1d");
  g_assert_cmpstr (vita_safetensors_get_metadata (back, "quote\"and\\slash\n"), ==,
                   "tab\there \xc3\xa9");
  g_assert_cmpstr (vita_safetensors_get_path (back), ==, path);

  /* the SHA-256 of what was parsed equals the file's */
  char sha[65];
  g_assert_true (vita_file_sha256 (path, sha, &error));
  g_assert_cmpstr (vita_safetensors_get_sha256 (back), ==, sha);

  /* serialising twice gives the same bytes (deterministic: sorted keys) */
  g_autoptr(GBytes) again = vita_safetensors_serialize (back);
  g_assert_true (g_bytes_equal (bytes, again));

  /* no temporary file left beside it */
  g_autoptr(GDir) dir = g_dir_open (tmp_dir, 0, NULL);
  for (const char *f; (f = g_dir_read_name (dir)) != NULL;)
    g_assert_null (strstr (f, ".tmp-"));
  g_unlink (path);
}

static void
test_empty_container (void)
{
  /* "{}" is a valid file with no tensors (as in the Rust crate) */
  g_autoptr(GBytes) b = build_json ("{}      ", NULL, 0);
  g_autoptr(GError) error = NULL;
  g_autoptr(VitaSafetensors) st = vita_safetensors_parse (g_bytes_get_data (b, NULL),
                                                          g_bytes_get_size (b), "e", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (vita_safetensors_n_tensors (st), ==, 0);
}

static void
test_valid_json_forms (void)
{
  /* What other writers emit must parse: Python's json.dumps escapes non-ASCII as
   * \uXXXX (astral characters as surrogate pairs), pretty printers add newlines
   * and tabs, "/" may be escaped. */
  const char *json =
    "{\n\t\"__metadata__\" : {\"train_data\" : \"Wesnoth \\u00e9 \\ud83c\\udfb5 \\/ \\\"q\\\"\"},\r\n"
    "  \"a\\u002eb\" : { \"shape\" : [ 2 ] , \"data_offsets\" : [ 0 , 8 ], \"dtype\" : \"F32\" }\n}\n";
  g_autoptr(GBytes) b = build_json (json, four, 8);
  g_autoptr(GError) error = NULL;
  g_autoptr(VitaSafetensors) st = vita_safetensors_parse (g_bytes_get_data (b, NULL),
                                                          g_bytes_get_size (b), "j", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (vita_safetensors_get_metadata (st, "train_data"), ==,
                   "Wesnoth \xc3\xa9 \xf0\x9f\x8e\xb5 / \"q\"");
  const VitaTensor *t = vita_safetensors_lookup (st, "a.b");
  g_assert_nonnull (t);
  g_assert_cmpmem (t->data, 8, four, 8);
}

static void
test_f16_bf16_widening (void)
{
  /* F16: 1, -2, 65504 (max), 2^-24 (smallest subnormal), -0, +inf, 0.333251953125
   * BF16: 1, -3.140625, 1e38-ish, 2^-133 (subnormal) */
  guint16 h[7] = { 0x3c00, 0xc000, 0x7bff, 0x0001, 0x8000, 0x7c00, 0x3555 };
  float hw[7] = { 1, -2, 65504, ldexpf (1, -24), -0.0f, INFINITY, 0.333251953125f };
  guint16 b[4] = { 0x3f80, 0xc049, 0x7e96, 0x0001 };
  float bw[4];
  for (int i = 0; i < 4; i++)
    {
      guint32 bits = (guint32) b[i] << 16;
      memcpy (&bw[i], &bits, 4);
    }
  g_assert_cmpfloat (bw[1], ==, -3.140625f);
  guint8 data[22];
  memcpy (data, h, 14);
  memcpy (data + 14, b, 8);
  /* header length 111: the data starts at byte 119, an odd address (item 7) */
  const char *json = "{\"h\":{\"dtype\":\"F16\",\"shape\":[7],\"data_offsets\":[0,14]},"
                     "\"b\":{\"dtype\":\"BF16\",\"shape\":[2,2],\"data_offsets\":[14,22]}}";
  g_assert_cmpuint (strlen (json) % 2, ==, 1);
  g_autoptr(GBytes) bytes = build_json (json, data, sizeof data);
  g_autoptr(GError) error = NULL;
  g_autofree char *path = write_file ("widen.safetensors", g_bytes_get_data (bytes, NULL),
                                      g_bytes_get_size (bytes));
  g_autoptr(VitaSafetensors) st = vita_safetensors_load (path, &error);
  g_assert_no_error (error);
  const VitaTensor *t = vita_safetensors_lookup (st, "h");
  for (int i = 0; i < 7; i++)
    {
      g_assert_cmpfloat (t->data[i], ==, hw[i]);
      g_assert_cmpint (signbit (t->data[i]), ==, signbit (hw[i]));
    }
  t = vita_safetensors_lookup (st, "b");
  g_assert_cmpint (t->ndim, ==, 2);
  g_assert_cmpmem (t->data, 16, bw, 16);
  g_unlink (path);

  /* every F16 bit pattern widens like the reference formula (one tensor) */
  g_autofree guint16 *all = g_new (guint16, 65536);
  for (guint32 v = 0; v < 65536; v++)
    all[v] = (guint16) v;
  const char *j = "{\"x\":{\"dtype\":\"F16\",\"shape\":[256,256],\"data_offsets\":[0,131072]}}";
  g_autoptr(GBytes) one = build_json (j, all, 131072);
  g_autoptr(VitaSafetensors) s1 = vita_safetensors_parse (g_bytes_get_data (one, NULL),
                                                          g_bytes_get_size (one), "x", &error);
  g_assert_no_error (error);
  const float *got = vita_safetensors_lookup (s1, "x")->data;
  for (guint32 v = 0; v < 65536; v++)
    {
      int e = (v >> 10) & 31, m = v & 1023;
      double want = e == 0 ? ldexp (m, -24) : e == 31 ? (m ? NAN : INFINITY)
                                                     : ldexp (1024 + m, e - 25);
      if (v & 0x8000)
        want = -want;
      if (isnan (want))
        g_assert_true (isnan (got[v]));
      else
        {
          g_assert_cmpfloat (got[v], ==, (float) want);
          g_assert_cmpint (!!signbit (got[v]), ==, !!signbit (want));
        }
    }
}

/* Writing F16 (the checkpoint series): every half value survives a widen → store round
 * trip bit for bit, and floats between two halves round to nearest, ties to even (as
 * torch.Tensor.half()); past 65504 + half an ulp → Inf; below 2^-25 → ±0. */
static guint16
store_one_f16 (float x)
{
  g_autoptr(VitaSafetensors) st = vita_safetensors_new ();
  gint64 shape[1] = { 1 };
  vita_safetensors_add (st, "x", 1, shape, &x);
  vita_safetensors_set_store_f16 (st, TRUE);
  g_autoptr(GBytes) bytes = vita_safetensors_serialize (st);
  gsize len;
  const guint8 *d = g_bytes_get_data (bytes, &len);
  guint64 hl;
  memcpy (&hl, d, 8);
  hl = GUINT64_FROM_LE (hl);
  g_assert_cmpuint (len, ==, 8 + hl + 2);
  g_assert_nonnull (g_strstr_len ((const char *) d + 8, hl, "\"F16\""));
  guint16 h;
  memcpy (&h, d + 8 + hl, 2);
  return GUINT16_FROM_LE (h);
}

static float
half_value (guint32 v)
{
  int e = (v >> 10) & 31, m = v & 1023;
  double w = e == 0 ? ldexp (m, -24) : ldexp (1024 + m, e - 25);
  return (float) ((v & 0x8000) ? -w : w);
}

static void
test_f16_store (void)
{
  for (guint32 v = 0; v < 65536; v++)
    {
      if (((v >> 10) & 31) == 31)
        continue;
      g_assert_cmpuint (store_one_f16 (half_value (v)), ==, v);
      guint32 up = v + 1;
      if ((v & 0x7fff) == 0x7bff || (v & 0x8000) != (up & 0x8000))
        continue;
      /* the midpoint (exact in float) goes to the even neighbour; a hair above goes up */
      float lo = half_value (v), hi = half_value (up);
      float mid = (float) (((double) lo + hi) / 2);
      g_assert_cmpuint (store_one_f16 (mid), ==, (v & 1) ? up : v);
      g_assert_cmpuint (store_one_f16 (nextafterf (mid, 2 * hi)), ==, up);
      g_assert_cmpuint (store_one_f16 (nextafterf (mid, 0)), ==, v);
    }
  g_assert_cmpuint (store_one_f16 (65520.0f), ==, 0x7c00);      /* ties away from max → Inf */
  g_assert_cmpuint (store_one_f16 (65519.0f), ==, 0x7bff);
  g_assert_cmpuint (store_one_f16 (-1e9f), ==, 0xfc00);
  g_assert_cmpuint (store_one_f16 (INFINITY), ==, 0x7c00);
  g_assert_cmpuint (store_one_f16 (NAN) & 0x7c00, ==, 0x7c00);
  g_assert_cmpuint (store_one_f16 (NAN) & 0x3ff, !=, 0);
  g_assert_cmpuint (store_one_f16 (ldexpf (1, -26)), ==, 0);
  g_assert_cmpuint (store_one_f16 (-ldexpf (1, -26)), ==, 0x8000);
  g_assert_cmpuint (store_one_f16 (ldexpf (1.5f, -25)), ==, 1);   /* above half the least subnormal */
}

static void
test_golden_python (void)
{
  /* Written by tests/make_golden_safetensors.py exactly as
   * safetensors.torch.save_file lays files out: F16 and BF16 tensors beside F32
   * copies of their values. */
  g_autofree char *path = vita_test_data_path ("safetensors/mixed-dtypes.safetensors");
  g_autoptr(GError) error = NULL;
  g_autoptr(VitaSafetensors) st = vita_safetensors_load (path, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (vita_safetensors_get_metadata (st, "written_by"), ==,
                   "tests/make_golden_safetensors.py");
  const char *pairs[][2] = { { "x_f16", "x_f16_as_f32" }, { "x_bf16", "x_bf16_as_f32" },
                             { "y_f32", "y_f32" } };
  for (gsize i = 0; i < G_N_ELEMENTS (pairs); i++)
    {
      const VitaTensor *a = vita_safetensors_lookup (st, pairs[i][0]);
      const VitaTensor *b = vita_safetensors_lookup (st, pairs[i][1]);
      g_assert_nonnull (a);
      g_assert_nonnull (b);
      g_assert_cmpuint (a->n_elements, ==, b->n_elements);
      g_assert_cmpuint (a->n_elements, >, 10);
      g_assert_cmpmem (a->data, a->n_elements * 4, b->data, b->n_elements * 4);
    }
  const VitaTensor *x = vita_safetensors_lookup (st, "x_f16");
  g_assert_cmpint (x->ndim, ==, 3);
  g_assert_cmpint (x->shape[0], ==, 2);
  g_assert_cmpint (x->shape[1], ==, 3);
  g_assert_cmpint (x->shape[2], ==, 5);
}

/* ---- reliability.md 1 --------------------------------------------------- */

static void
test_reject_short (void)
{
  expect_reject_bytes ("empty.safetensors", "", 0, VITA_MODEL_ERROR_CORRUPT, "empty", NULL);
  expect_reject_bytes ("five.safetensors", "\x02\0\0\0\0", 5, VITA_MODEL_ERROR_CORRUPT,
                       "only 5 bytes", NULL);
}

/* ---- reliability.md 2 --------------------------------------------------- */

static void
test_reject_header_length (void)
{
  const char *json = "{}";
  g_autoptr(GBytes) b1 = build (1000, json, 2, NULL, 0);
  expect_reject_bytes ("hlen-past-end.safetensors", g_bytes_get_data (b1, NULL),
                       g_bytes_get_size (b1), VITA_MODEL_ERROR_CORRUPT,
                       "header length 1000", "truncated", NULL);
  g_autoptr(GBytes) b2 = build (200000000, json, 2, NULL, 0);
  expect_reject_bytes ("hlen-200mb.safetensors", g_bytes_get_data (b2, NULL),
                       g_bytes_get_size (b2), VITA_MODEL_ERROR_CORRUPT,
                       "header length 200000000", "100 MB", NULL);
  /* 8 + N wraps around to 0 and to 7 */
  g_autoptr(GBytes) b3 = build (G_MAXUINT64 - 7, json, 2, NULL, 0);
  expect_reject_bytes ("hlen-wrap0.safetensors", g_bytes_get_data (b3, NULL),
                       g_bytes_get_size (b3), VITA_MODEL_ERROR_CORRUPT,
                       "header length 18446744073709551608", NULL);
  g_autoptr(GBytes) b4 = build (G_MAXUINT64, json, 2, NULL, 0);
  expect_reject_bytes ("hlen-wrap7.safetensors", g_bytes_get_data (b4, NULL),
                       g_bytes_get_size (b4), VITA_MODEL_ERROR_CORRUPT,
                       "header length 18446744073709551615", NULL);
  g_autoptr(GBytes) b5 = build (0, "", 0, NULL, 0);
  expect_reject_bytes ("hlen-zero.safetensors", g_bytes_get_data (b5, NULL),
                       g_bytes_get_size (b5), VITA_MODEL_ERROR_CORRUPT, "header is empty", NULL);
}

/* ---- reliability.md 3 --------------------------------------------------- */

static void
test_reject_not_utf8 (void)
{
  const char h[] = "{\"\xff\xfe\":{\"dtype\":\"F32\",\"shape\":[],\"data_offsets\":[0,4]}}";
  g_autoptr(GBytes) b = build (sizeof h - 1, h, sizeof h - 1, four, 4);
  expect_reject_bytes ("latin1.safetensors", g_bytes_get_data (b, NULL), g_bytes_get_size (b),
                       VITA_MODEL_ERROR_CORRUPT, "not valid UTF-8", "byte 2", NULL);
  const char z[] = "{}\0     ";
  g_autoptr(GBytes) b2 = build (8, z, 8, NULL, 0);
  expect_reject_bytes ("nul-in-header.safetensors", g_bytes_get_data (b2, NULL),
                       g_bytes_get_size (b2), VITA_MODEL_ERROR_CORRUPT, "not valid UTF-8", NULL);
}

static void
test_reject_not_json (void)
{
  REJECT_JSON ("not-json.safetensors", "{\"a\" 1}", NULL, 0,
               VITA_MODEL_ERROR_CORRUPT, "not valid JSON", "expected ':'");
  REJECT_JSON ("truncated-json.safetensors", "{\"a\":{\"dtype\":\"F3", NULL, 0,
               VITA_MODEL_ERROR_CORRUPT, "not valid JSON", "unterminated string");
  /* what a lax parser (json-glib) would accept */
  REJECT_JSON ("single-quotes.safetensors", "{'a':{}}", NULL, 0,
               VITA_MODEL_ERROR_CORRUPT, "not valid JSON", "byte 1");
  REJECT_JSON ("two-roots.safetensors", "{}{}", NULL, 0,
               VITA_MODEL_ERROR_CORRUPT, "not valid JSON", "after the end");
  REJECT_JSON ("trailing-comma.safetensors",
               "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},}", four, 4,
               VITA_MODEL_ERROR_CORRUPT, "not valid JSON");
  REJECT_JSON ("hex-number.safetensors",
               "{\"a\":{\"dtype\":\"F32\",\"shape\":[0x1],\"data_offsets\":[0,4]}}", four, 4,
               VITA_MODEL_ERROR_CORRUPT, "not valid JSON", "'a'");
  REJECT_JSON ("leading-zero.safetensors",
               "{\"a\":{\"dtype\":\"F32\",\"shape\":[01],\"data_offsets\":[0,4]}}", four, 4,
               VITA_MODEL_ERROR_CORRUPT, "leading zero");
  REJECT_JSON ("escaped-nul.safetensors",
               "{\"a\\u0000b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", four, 4,
               VITA_MODEL_ERROR_CORRUPT, "NUL");
  REJECT_JSON ("lone-surrogate.safetensors",
               "{\"a\\ud800\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", four, 4,
               VITA_MODEL_ERROR_CORRUPT, "surrogate");
  REJECT_JSON ("raw-newline.safetensors", "{\"a\nb\":{}}", NULL, 0,
               VITA_MODEL_ERROR_CORRUPT, "control character");
}

static void
test_reject_not_object (void)
{
  REJECT_JSON ("array.safetensors", "[1, 2]", NULL, 0, VITA_MODEL_ERROR_CORRUPT,
               "header is an array, not a JSON object");
  REJECT_JSON ("string.safetensors", "\"tensors\"", NULL, 0, VITA_MODEL_ERROR_CORRUPT,
               "header is a string, not a JSON object");
  REJECT_JSON ("blank.safetensors", "        ", NULL, 0, VITA_MODEL_ERROR_CORRUPT,
               "header is empty");
  REJECT_JSON ("entry-array.safetensors", "{\"w\":[1,2]}", NULL, 0, VITA_MODEL_ERROR_CORRUPT,
               "tensor 'w'", "found an array");
  REJECT_JSON ("metadata-array.safetensors", "{\"__metadata__\":[\"a\"]}", NULL, 0,
               VITA_MODEL_ERROR_CORRUPT, "__metadata__ must be an object");
}

static void
test_reject_duplicates (void)
{
  REJECT_JSON ("dup-tensor.safetensors",
               "{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
               "\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", four, 8,
               VITA_MODEL_ERROR_CORRUPT, "duplicate tensor name 'w'");
  REJECT_JSON ("dup-metadata-key.safetensors",
               "{\"__metadata__\":{\"dim\":\"16\",\"dim\":\"32\"}}", NULL, 0,
               VITA_MODEL_ERROR_CORRUPT, "duplicate key 'dim'");
  REJECT_JSON ("dup-metadata.safetensors",
               "{\"__metadata__\":{},\"__metadata__\":{}}", NULL, 0,
               VITA_MODEL_ERROR_CORRUPT, "__metadata__ twice");
  REJECT_JSON ("dup-field.safetensors",
               "{\"w\":{\"dtype\":\"F32\",\"dtype\":\"F16\",\"shape\":[1],\"data_offsets\":[0,4]}}",
               four, 4, VITA_MODEL_ERROR_CORRUPT, "tensor 'w'", "duplicate field 'dtype'");
  /* names that differ only after an escaped character are different names */
  g_autoptr(GBytes) b = build_json (
      "{\"w\\n\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
      "\"w\\t\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", four, 8);
  g_autoptr(GError) error = NULL;
  g_autoptr(VitaSafetensors) st = vita_safetensors_parse (g_bytes_get_data (b, NULL),
                                                          g_bytes_get_size (b), "ok", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (vita_safetensors_n_tensors (st), ==, 2);
}

static void
test_reject_metadata_values (void)
{
  REJECT_JSON ("meta-number.safetensors", "{\"__metadata__\":{\"dim\":192}}", NULL, 0,
               VITA_MODEL_ERROR_CORRUPT, "value of 'dim' must be a string", "a number");
  REJECT_JSON ("meta-null.safetensors", "{\"__metadata__\":{\"format\":null}}", NULL, 0,
               VITA_MODEL_ERROR_CORRUPT, "value of 'format' must be a string", "null");
  REJECT_JSON ("meta-object.safetensors", "{\"__metadata__\":{\"train\":{\"a\":\"b\"}}}", NULL, 0,
               VITA_MODEL_ERROR_CORRUPT, "value of 'train' must be a string", "an object");
}

/* ---- reliability.md 4 --------------------------------------------------- */

static void
test_reject_dtype (void)
{
  REJECT_JSON ("dtype-unknown.safetensors",
               "{\"w\":{\"dtype\":\"F33\",\"shape\":[1],\"data_offsets\":[0,4]}}", four, 4,
               VITA_MODEL_ERROR_CORRUPT, "tensor 'w'", "unknown dtype 'F33'");
  REJECT_JSON ("dtype-lowercase.safetensors",
               "{\"w\":{\"dtype\":\"f32\",\"shape\":[1],\"data_offsets\":[0,4]}}", four, 4,
               VITA_MODEL_ERROR_CORRUPT, "tensor 'w'", "unknown dtype 'f32'");
  REJECT_JSON ("dtype-number.safetensors",
               "{\"w\":{\"dtype\":4,\"shape\":[1],\"data_offsets\":[0,4]}}", four, 4,
               VITA_MODEL_ERROR_CORRUPT, "tensor 'w'", "dtype must be a string");
  REJECT_JSON ("dtype-i64.safetensors",
               "{\"step\":{\"dtype\":\"I64\",\"shape\":[],\"data_offsets\":[0,8]}}", four, 8,
               VITA_MODEL_ERROR_UNSUPPORTED, "tensor 'step'", "I64");
  REJECT_JSON ("dtype-missing.safetensors",
               "{\"w\":{\"shape\":[1],\"data_offsets\":[0,4]}}", four, 4,
               VITA_MODEL_ERROR_CORRUPT, "tensor 'w'", "'dtype' is missing");
  REJECT_JSON ("unknown-field.safetensors",
               "{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4],\"strides\":[1]}}",
               four, 4, VITA_MODEL_ERROR_CORRUPT, "tensor 'w'", "unknown field 'strides'");
}

static void
test_reject_shape (void)
{
  REJECT_JSON ("shape-negative.safetensors",
               "{\"w\":{\"dtype\":\"F32\",\"shape\":[-1,4],\"data_offsets\":[0,16]}}", four, 16,
               VITA_MODEL_ERROR_CORRUPT, "tensor 'w'", "shape holds -1");
  REJECT_JSON ("shape-float.safetensors",
               "{\"w\":{\"dtype\":\"F32\",\"shape\":[4.0],\"data_offsets\":[0,16]}}", four, 16,
               VITA_MODEL_ERROR_CORRUPT, "tensor 'w'", "shape holds 4.0", "not a non-negative integer");
  REJECT_JSON ("shape-exp.safetensors",
               "{\"w\":{\"dtype\":\"F32\",\"shape\":[4e0],\"data_offsets\":[0,16]}}", four, 16,
               VITA_MODEL_ERROR_CORRUPT, "tensor 'w'", "shape holds 4e0");
  REJECT_JSON ("shape-string.safetensors",
               "{\"w\":{\"dtype\":\"F32\",\"shape\":[\"4\"],\"data_offsets\":[0,16]}}", four, 16,
               VITA_MODEL_ERROR_CORRUPT, "tensor 'w'", "shape must hold integers");
  REJECT_JSON ("shape-not-array.safetensors",
               "{\"w\":{\"dtype\":\"F32\",\"shape\":4,\"data_offsets\":[0,16]}}", four, 16,
               VITA_MODEL_ERROR_CORRUPT, "tensor 'w'", "shape must be an array");
  REJECT_JSON ("shape-9-dims.safetensors",
               "{\"w\":{\"dtype\":\"F32\",\"shape\":[1,1,1,1,1,1,1,1,1],\"data_offsets\":[0,4]}}",
               four, 4, VITA_MODEL_ERROR_CORRUPT, "tensor 'w'", "more than 8 dimensions");
  REJECT_JSON ("shape-too-large.safetensors",
               "{\"w\":{\"dtype\":\"F32\",\"shape\":[99999999999999999999],\"data_offsets\":[0,4]}}",
               four, 4, VITA_MODEL_ERROR_CORRUPT, "tensor 'w'", "99999999999999999999", "63 bits");
  /* 2^32 × 2^32 × 4 bytes wraps to 0 in 64-bit arithmetic: with offsets [0, 0]
   * an unchecked product would pass */
  REJECT_JSON ("shape-wraps-to-zero.safetensors",
               "{\"w\":{\"dtype\":\"F32\",\"shape\":[4294967296,4294967296],\"data_offsets\":[0,0]}}",
               NULL, 0, VITA_MODEL_ERROR_CORRUPT, "tensor 'w'",
               "shape [4294967296, 4294967296]", "more elements than can be addressed");
  /* elements fit, elements × 4 bytes wraps to 0 */
  REJECT_JSON ("bytes-wrap-to-zero.safetensors",
               "{\"w\":{\"dtype\":\"F32\",\"shape\":[4611686018427387904],\"data_offsets\":[0,0]}}",
               NULL, 0, VITA_MODEL_ERROR_CORRUPT, "tensor 'w'", "more elements than can be addressed");
  /* 2^32 × (2^31 + 2) elements fit in 64 bits, × 2 bytes of F16 wraps to 2^34 */
  REJECT_JSON ("f16-bytes-wrap.safetensors",
               "{\"w\":{\"dtype\":\"F16\",\"shape\":[4294967296,2147483650],"
               "\"data_offsets\":[0,17179869184]}}", four, 8, VITA_MODEL_ERROR_CORRUPT, "tensor 'w'", "more elements than can be addressed");
}

/* ---- reliability.md 5 --------------------------------------------------- */

static void
test_reject_offsets (void)
{
  REJECT_JSON ("offsets-one.safetensors",
               "{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4]}}", four, 4,
               VITA_MODEL_ERROR_CORRUPT, "tensor 'w'", "data_offsets must be two integers");
  REJECT_JSON ("offsets-three.safetensors",
               "{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4,8]}}", four, 8,
               VITA_MODEL_ERROR_CORRUPT, "tensor 'w'", "data_offsets must be two integers");
  REJECT_JSON ("offsets-strings.safetensors",
               "{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[\"0\",\"4\"]}}", four, 4,
               VITA_MODEL_ERROR_CORRUPT, "tensor 'w'", "data_offsets must hold integers");
  REJECT_JSON ("offsets-float.safetensors",
               "{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4.5]}}", four, 4,
               VITA_MODEL_ERROR_CORRUPT, "tensor 'w'", "data_offsets holds 4.5");
  REJECT_JSON ("offsets-negative.safetensors",
               "{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[-4,0]}}", four, 4,
               VITA_MODEL_ERROR_CORRUPT, "tensor 'w'", "data_offsets holds -4");
  REJECT_JSON ("offsets-missing.safetensors",
               "{\"w\":{\"dtype\":\"F32\",\"shape\":[1]}}", four, 4,
               VITA_MODEL_ERROR_CORRUPT, "tensor 'w'", "'data_offsets' is missing");
  REJECT_JSON ("offsets-reversed.safetensors",
               "{\"w\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[4,0]}}", four, 4,
               VITA_MODEL_ERROR_CORRUPT, "tensor 'w'", "[4, 0] end before they begin");
  REJECT_JSON ("offsets-length.safetensors",
               "{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,12]}}", four, 12,
               VITA_MODEL_ERROR_CORRUPT, "tensor 'w'", "span 12 bytes", "needs 8");
  REJECT_JSON ("offsets-overlap.safetensors",
               "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
               "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", four, 12,
               VITA_MODEL_ERROR_CORRUPT, "tensor 'b'", "overlaps tensor 'a'");
  REJECT_JSON ("offsets-same.safetensors",
               "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
               "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", four, 8,
               VITA_MODEL_ERROR_CORRUPT, "overlaps tensor");
  REJECT_JSON ("offsets-gap.safetensors",
               "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
               "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,12]}}", four, 12,
               VITA_MODEL_ERROR_CORRUPT, "gap of 4 unused bytes between tensor 'a' and tensor 'b'");
  REJECT_JSON ("offsets-gap-start.safetensors",
               "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", four, 8,
               VITA_MODEL_ERROR_CORRUPT, "gap of 4 unused bytes before tensor 'a'");
  REJECT_JSON ("trailing-bytes.safetensors",
               "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", four, 12,
               VITA_MODEL_ERROR_CORRUPT, "4 trailing bytes after the last tensor ('a')");
  REJECT_JSON ("trailing-no-tensors.safetensors", "{}", four, 3,
               VITA_MODEL_ERROR_CORRUPT, "3 trailing bytes");
  REJECT_JSON ("truncated-data.safetensors",
               "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
               "\"b\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[4,16]}}", four, 10,
               VITA_MODEL_ERROR_CORRUPT, "tensor 'b' ends at byte 16", "only 10 data bytes",
               "truncated");
}

/* A valid file cut at every length is rejected, never crashes (items 1, 2, 5, 8). */
static void
test_reject_every_truncation (void)
{
  g_autoptr(VitaSafetensors) st = vita_safetensors_new ();
  gint64 shape[1] = { 4 };
  vita_safetensors_add (st, "a", 1, shape, four);
  vita_safetensors_add (st, "b", 1, shape, four);
  vita_safetensors_set_metadata (st, "k", "v");
  g_autoptr(GBytes) b = vita_safetensors_serialize (st);
  gsize len;
  const guint8 *p = g_bytes_get_data (b, &len);
  for (gsize cut = 0; cut < len; cut++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree guint8 *copy = g_memdup2 (p, MAX (cut, 1));
      g_autoptr(VitaSafetensors) bad = vita_safetensors_parse (copy, cut, "cut.safetensors", &error);
      g_assert_null (bad);
      g_assert_error (error, VITA_MODEL_ERROR, VITA_MODEL_ERROR_CORRUPT);
      g_assert_nonnull (strstr (error->message, "cut.safetensors"));
    }
}

/* ---- reliability.md 7 --------------------------------------------------- */

static void
test_unaligned (void)
{
  /* Data at every offset modulo 8: never a pointer cast into the buffer (UBSan's
   * alignment check would catch one), values exact. */
  for (int pad = 0; pad < 8; pad++)
    {
      g_autofree char *json = g_strdup_printf (
          "{\"w\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}%*s", pad, "");
      g_autoptr(GBytes) b = build_json (json, four, 16);
      /* copy to a buffer at an odd address too */
      gsize len = g_bytes_get_size (b);
      g_autofree guint8 *raw = g_malloc (len + 1);
      memcpy (raw + 1, g_bytes_get_data (b, NULL), len);
      g_autoptr(GError) error = NULL;
      g_autoptr(VitaSafetensors) st = vita_safetensors_parse (raw + 1, len, "u", &error);
      g_assert_no_error (error);
      const VitaTensor *t = vita_safetensors_lookup (st, "w");
      g_assert_cmpmem (t->data, 16, four, 16);
      g_assert_cmpuint ((guintptr) t->data % sizeof (float), ==, 0);
    }
}

/* ---- reliability.md 8 --------------------------------------------------- */

static void
test_file_changed_while_in_use (void)
{
  g_autoptr(VitaSafetensors) st = vita_safetensors_new ();
  gint64 shape[1] = { 4 };
  vita_safetensors_add (st, "w", 1, shape, four);
  g_autofree char *path = tmp_path ("changing.safetensors");
  g_autoptr(GError) error = NULL;
  g_assert_true (vita_safetensors_save (st, path, &error));
  g_autoptr(VitaSafetensors) loaded = vita_safetensors_load (path, &error);
  g_assert_no_error (error);
  char sha_before[65];
  g_assert_true (vita_file_sha256 (path, sha_before, &error));

  /* truncate it under our feet, then replace it with other content */
  g_assert_cmpint (truncate (path, 12), ==, 0);
  const VitaTensor *t = vita_safetensors_lookup (loaded, "w");
  g_assert_cmpmem (t->data, 16, four, 16);
  g_assert_true (g_file_set_contents (path, "garbage", 7, NULL));
  g_assert_cmpmem (t->data, 16, four, 16);
  /* the recorded hash is of the bytes that were parsed, not of the file now */
  g_assert_cmpstr (vita_safetensors_get_sha256 (loaded), ==, sha_before);
  char sha_now[65];
  g_assert_true (vita_file_sha256 (path, sha_now, &error));
  g_assert_cmpstr (sha_now, !=, sha_before);

  /* and loading the replaced file fails cleanly */
  g_autoptr(VitaSafetensors) again = vita_safetensors_load (path, &error);
  g_assert_null (again);
  g_assert_error (error, VITA_MODEL_ERROR, VITA_MODEL_ERROR_CORRUPT);
  g_unlink (path);
}

/* ---- files ---------------------------------------------------------------- */

static void
test_io_errors (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *missing = tmp_path ("does-not-exist.safetensors");
  g_assert_null (vita_safetensors_load (missing, &error));
  g_assert_error (error, VITA_MODEL_ERROR, VITA_MODEL_ERROR_IO);
  g_assert_nonnull (strstr (error->message, missing));
  g_clear_error (&error);

  /* a folder is not a model */
  g_assert_null (vita_safetensors_load (tmp_dir, &error));
  g_assert_error (error, VITA_MODEL_ERROR, VITA_MODEL_ERROR_IO);
  g_assert_nonnull (strstr (error->message, tmp_dir));
  g_clear_error (&error);

  /* a FIFO named like a model is refused without blocking */
  g_autofree char *fifo = tmp_path ("fifo.safetensors");
  g_assert_cmpint (mkfifo (fifo, 0600), ==, 0);
  g_assert_null (vita_safetensors_load (fifo, &error));
  g_assert_error (error, VITA_MODEL_ERROR, VITA_MODEL_ERROR_IO);
  g_assert_nonnull (strstr (error->message, "not a regular file"));
  g_clear_error (&error);
  char sha[65];
  g_assert_false (vita_file_sha256 (fifo, sha, &error));
  g_assert_error (error, VITA_MODEL_ERROR, VITA_MODEL_ERROR_IO);
  g_clear_error (&error);
  g_unlink (fifo);

  /* saving into a missing folder fails and names the file */
  g_autoptr(VitaSafetensors) st = vita_safetensors_new ();
  g_autofree char *nowhere = g_build_filename (tmp_dir, "no", "such", "m.safetensors", NULL);
  g_assert_false (vita_safetensors_save (st, nowhere, &error));
  g_assert_error (error, VITA_MODEL_ERROR, VITA_MODEL_ERROR_IO);
  g_assert_nonnull (strstr (error->message, nowhere));
  g_clear_error (&error);

  /* a failed rename (target is a folder) leaves the target and no temp file */
  g_autofree char *sub = tmp_path ("occupied");
  g_assert_cmpint (g_mkdir (sub, 0755), ==, 0);
  g_autofree char *inner = g_build_filename (sub, "keep", NULL);
  g_assert_true (g_file_set_contents (inner, "x", 1, NULL));
  g_assert_false (vita_safetensors_save (st, sub, &error));
  g_assert_error (error, VITA_MODEL_ERROR, VITA_MODEL_ERROR_IO);
  g_assert_nonnull (strstr (error->message, sub));
  g_clear_error (&error);
  g_assert_true (g_file_test (inner, G_FILE_TEST_IS_REGULAR));
  g_autoptr(GDir) dir = g_dir_open (tmp_dir, 0, NULL);
  for (const char *f; (f = g_dir_read_name (dir)) != NULL;)
    g_assert_null (strstr (f, ".tmp-"));
  g_unlink (inner);
  g_rmdir (sub);

  /* overwriting an existing model replaces it completely */
  g_autofree char *path = tmp_path ("over.safetensors");
  g_assert_true (g_file_set_contents (path, "old content that is longer than the new one", -1, NULL));
  g_assert_true (vita_safetensors_save (st, path, &error));
  g_autoptr(VitaSafetensors) back = vita_safetensors_load (path, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (vita_safetensors_n_tensors (back), ==, 0);
  g_unlink (path);
}

static void
test_sha256 (void)
{
  g_autofree char *path = write_file ("abc", "abc", 3);
  char sha[65];
  g_autoptr(GError) error = NULL;
  g_assert_true (vita_file_sha256 (path, sha, &error));
  /* FIPS 180-2 test vector */
  g_assert_cmpstr (sha, ==, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  g_unlink (path);
  g_assert_false (vita_file_sha256 (path, sha, &error));
  g_assert_error (error, VITA_MODEL_ERROR, VITA_MODEL_ERROR_IO);
  g_assert_nonnull (strstr (error->message, path));
}

static void
test_hostile_names_in_messages (void)
{
  /* control characters in a name are escaped in the message, long names cut */
  g_autofree char *longname = g_strnfill (5000, 'x');
  g_autofree char *json = g_strdup_printf (
      "{\"\\u001b[2J%s\":{\"dtype\":\"Q\",\"shape\":[1],\"data_offsets\":[0,4]}}", longname);
  g_autoptr(GBytes) b = build_json (json, four, 4);
  g_autoptr(GError) error = NULL;
  g_autoptr(VitaSafetensors) st = vita_safetensors_parse (g_bytes_get_data (b, NULL),
                                                          g_bytes_get_size (b), "h", &error);
  g_assert_null (st);
  g_assert_error (error, VITA_MODEL_ERROR, VITA_MODEL_ERROR_CORRUPT);
  g_assert_null (strchr (error->message, '\033'));
  g_assert_nonnull (strstr (error->message, "\\x1b[2J"));
  g_assert_cmpuint (strlen (error->message), <, 400);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  tmp_dir = g_dir_make_tmp ("vita-st-XXXXXX", NULL);
  g_assert_nonnull (tmp_dir);

  g_test_add_func ("/safetensors/roundtrip", test_roundtrip);
  g_test_add_func ("/safetensors/empty-container", test_empty_container);
  g_test_add_func ("/safetensors/valid-json-forms", test_valid_json_forms);
  g_test_add_func ("/safetensors/f16-bf16-widening", test_f16_bf16_widening);
  g_test_add_func ("/safetensors/f16-store", test_f16_store);
  g_test_add_func ("/safetensors/golden-python", test_golden_python);
  g_test_add_func ("/safetensors/reject/1-short", test_reject_short);
  g_test_add_func ("/safetensors/reject/2-header-length", test_reject_header_length);
  g_test_add_func ("/safetensors/reject/3-not-utf8", test_reject_not_utf8);
  g_test_add_func ("/safetensors/reject/3-not-json", test_reject_not_json);
  g_test_add_func ("/safetensors/reject/3-not-object", test_reject_not_object);
  g_test_add_func ("/safetensors/reject/3-duplicates", test_reject_duplicates);
  g_test_add_func ("/safetensors/reject/3-metadata-values", test_reject_metadata_values);
  g_test_add_func ("/safetensors/reject/4-dtype", test_reject_dtype);
  g_test_add_func ("/safetensors/reject/4-shape", test_reject_shape);
  g_test_add_func ("/safetensors/reject/5-offsets", test_reject_offsets);
  g_test_add_func ("/safetensors/reject/5-every-truncation", test_reject_every_truncation);
  g_test_add_func ("/safetensors/7-unaligned", test_unaligned);
  g_test_add_func ("/safetensors/8-changed-while-in-use", test_file_changed_while_in_use);
  g_test_add_func ("/safetensors/io-errors", test_io_errors);
  g_test_add_func ("/safetensors/sha256", test_sha256);
  g_test_add_func ("/safetensors/hostile-names", test_hostile_names_in_messages);

  int ret = g_test_run ();
  g_rmdir (tmp_dir);
  g_free (tmp_dir);
  return ret;
}
