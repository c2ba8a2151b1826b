/* test-json.c — the strict JSON reader (model/vita-json.c, issue 15.4): what
 * json-glib lets through (deep nesting that overflows its stack, duplicate keys,
 * \u0000, integers beyond 64 bits, trailing garbage) is refused with a message
 * naming the file; valid JSON gives the same json-glib tree. */
#include "vita-test.h"
#include "model/vita-json.h"

#include <string.h>
#include <glib/gstdio.h>

static void
refused (const char *text, gsize len, int code, const char *want)
{
  g_autoptr(GError) error = NULL;
  JsonNode *n = vita_json_parse_strict (text, len, "side.json", &error);
  if (n != NULL)
    g_error ("accepted: %.60s", text);
  g_assert_error (error, VITA_JSON_ERROR, code);
  if (!strstr (error->message, "side.json") || !strstr (error->message, want))
    g_error ("message “%s” lacks “%s” or the file name", error->message, want);
}

static void
test_valid (void)
{
  const char *text = "\xEF\xBB\xBF { \"a\": [1, -2, 3.5, 1e2, true, false, null, \"x\\u00e9\\ud83c\\udfb5\"],"
                     " \"b\": {\"c\": {}}, \"d\": [], \"e\": 9223372036854775807, \"f\": -0 }\n";
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) n = vita_json_parse_strict (text, strlen (text), "ok.json", &error);
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (n));
  JsonObject *o = json_node_get_object (n);
  JsonArray *a = json_object_get_array_member (o, "a");
  g_assert_cmpuint (json_array_get_length (a), ==, 8);
  g_assert_cmpint (json_array_get_int_element (a, 1), ==, -2);
  g_assert_cmpfloat (json_array_get_double_element (a, 2), ==, 3.5);
  g_assert_cmpfloat (json_array_get_double_element (a, 3), ==, 100.0);
  g_assert_true (json_array_get_boolean_element (a, 4));
  g_assert_true (json_array_get_null_element (a, 6));
  g_assert_cmpstr (json_array_get_string_element (a, 7), ==, "x\xC3\xA9\xF0\x9F\x8E\xB5");
  g_assert_cmpint (json_object_get_int_member (o, "e"), ==, G_MAXINT64);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (json_object_get_member (json_object_get_object_member (o, "b"), "c")));
  /* exactly the depth limit is accepted */
  GString *deep = g_string_new (NULL);
  for (int i = 0; i < VITA_JSON_MAX_DEPTH; i++)
    g_string_append_c (deep, '[');
  for (int i = 0; i < VITA_JSON_MAX_DEPTH; i++)
    g_string_append_c (deep, ']');
  g_autoptr(JsonNode) d = vita_json_parse_strict (deep->str, deep->len, "deep.json", &error);
  g_assert_no_error (error);
  g_string_free (deep, TRUE);
}

static void
test_deep (void)
{
  /* 100,000 nested arrays (200 KB): json-glib overflows the stack on this */
  gsize n = 100000;
  char *text = g_malloc (2 * n);
  memset (text, '[', n);
  memset (text + n, ']', n);
  refused (text, 2 * n, VITA_JSON_ERROR_TOO_DEEP, "nested more than");
  memset (text, '{', 1);
  GString *obj = g_string_new (NULL);
  for (int i = 0; i <= VITA_JSON_MAX_DEPTH; i++)
    g_string_append (obj, "{\"a\":");
  g_string_append (obj, "1");
  for (int i = 0; i <= VITA_JSON_MAX_DEPTH; i++)
    g_string_append_c (obj, '}');
  refused (obj->str, obj->len, VITA_JSON_ERROR_TOO_DEEP, "nested more than");
  g_string_free (obj, TRUE);
  g_free (text);
}

static void
test_refused (void)
{
#define R(s, code, want) refused (s, sizeof (s) - 1, code, want)
  R ("{\"head\": 1, \"head\": 2}", VITA_JSON_ERROR_DUPLICATE, "\"head\" appears twice");
  R ("{\"a\": {\"x\": 1, \"y\": 2, \"x\": 3}}", VITA_JSON_ERROR_DUPLICATE, "appears twice");
  R ("{\"path\": \"a\\u0000b\"}", VITA_JSON_ERROR_NUL, "NUL");
  R ("{\"pa\\u0000th\": 1}", VITA_JSON_ERROR_NUL, "NUL");
  R ("{\"path\": \"a\0b\"}", VITA_JSON_ERROR_NUL, "NUL");
  R ("{\"n\": 99999999999999999999}", VITA_JSON_ERROR_NUMBER, "64 bits");
  R ("{\"n\": -99999999999999999999}", VITA_JSON_ERROR_NUMBER, "64 bits");
  R ("{\"n\": 1e400}", VITA_JSON_ERROR_NUMBER, "out of range");
  R ("{\"n\": -1e999}", VITA_JSON_ERROR_NUMBER, "out of range");
  R ("{\"n\": 1} x", VITA_JSON_ERROR_SYNTAX, "after the end");
  R ("{'n': 1}", VITA_JSON_ERROR_SYNTAX, "expected a key");
  R ("{\"n\": 0x10}", VITA_JSON_ERROR_SYNTAX, "expected ',' or '}'");
  R ("{\"n\": 01}", VITA_JSON_ERROR_SYNTAX, "leading zero");
  R ("{\"n\": 1,}", VITA_JSON_ERROR_SYNTAX, "expected a key");
  R ("[1,]", VITA_JSON_ERROR_SYNTAX, "unexpected character");
  R ("[1 2]", VITA_JSON_ERROR_SYNTAX, "expected ',' or ']'");
  R ("{\"n\": \"\\ud800\"}", VITA_JSON_ERROR_SYNTAX, "surrogate");
  R ("{\"n\": \"\xff\"}", VITA_JSON_ERROR_SYNTAX, "UTF-8");
  R ("{\"n\": tru}", VITA_JSON_ERROR_SYNTAX, "unexpected character");
  R ("/* c */ {}", VITA_JSON_ERROR_SYNTAX, "unexpected character");
  R ("", VITA_JSON_ERROR_SYNTAX, "empty");
  R ("[[[", VITA_JSON_ERROR_SYNTAX, "found the end");
  R ("{\"a\"", VITA_JSON_ERROR_SYNTAX, "expected ':'");
  R ("\"abc", VITA_JSON_ERROR_SYNTAX, "unterminated string");
#undef R
  /* line and column are given */
  g_autoptr(GError) error = NULL;
  g_assert_null (vita_json_parse_strict ("{\n  \"a\": 1,\n  \"a\": 2}", 21, "f.json", &error));
  g_assert_nonnull (strstr (error->message, "line 3, column 3"));
}

static void
test_load (void)
{
  g_autoptr(GError) error = NULL;
  g_assert_null (vita_json_load_strict ("/nonexistent/x.json", &error));
  g_assert_error (error, VITA_JSON_ERROR, VITA_JSON_ERROR_IO);
  g_clear_error (&error);
  /* a folder, a device: refused without blocking */
  g_assert_null (vita_json_load_strict ("/tmp", &error));
  g_assert_nonnull (strstr (error->message, "not a regular file"));
  g_clear_error (&error);
  g_assert_null (vita_json_load_strict ("/dev/zero", &error));
  g_assert_nonnull (strstr (error->message, "not a regular file"));
  g_clear_error (&error);
  g_autofree char *dir = g_dir_make_tmp ("vita-json-XXXXXX", NULL);
  g_autofree char *p = g_build_filename (dir, "a.json", NULL);
  g_assert_true (g_file_set_contents (p, "{\"x\": [1]}", -1, NULL));
  g_autoptr(JsonNode) n = vita_json_load_strict (p, &error);
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (n));
  g_unlink (p);
  g_rmdir (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/json/valid", test_valid);
  g_test_add_func ("/json/deep", test_deep);
  g_test_add_func ("/json/refused", test_refused);
  g_test_add_func ("/json/load", test_load);
  return g_test_run ();
}
