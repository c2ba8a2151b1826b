/* fuzz-json.c — libFuzzer target for the strict JSON reader that sidecars and
 * sessions go through (model/vita-json.c, issue 15.4).  Whatever it accepts must be
 * a tree json-glib can walk, with valid UTF-8 strings, finite numbers and no more
 * than VITA_JSON_MAX_DEPTH levels.
 * Linked with replay-annotations-main.c as an ordinary test that replays
 * corpus/json.  libFuzzer:
 *   CC=clang meson setup build-fuzz -Dfuzz=true -Db_sanitize=address,undefined -Db_lundef=false
 *   build-fuzz/tests/fuzz/fuzz-json tests/fuzz/corpus/json */
#include "model/vita-json.h"

#include <stdint.h>
#include <math.h>
#include <string.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static int
depth_of (JsonNode *n)
{
  int d = 0;
  if (JSON_NODE_HOLDS_ARRAY (n))
    {
      JsonArray *a = json_node_get_array (n);
      for (guint i = 0; i < json_array_get_length (a); i++)
        {
          int c = depth_of (json_array_get_element (a, i));   /* once: MAX evaluates twice */
          d = MAX (d, c);
        }
      return d + 1;
    }
  if (JSON_NODE_HOLDS_OBJECT (n))
    {
      JsonObjectIter it;
      const char *k;
      JsonNode *v;
      json_object_iter_init (&it, json_node_get_object (n));
      while (json_object_iter_next (&it, &k, &v))
        {
          g_assert (k != NULL);
          int c = depth_of (v);
          d = MAX (d, c);
        }
      return d + 1;
    }
  if (JSON_NODE_HOLDS_VALUE (n) && json_node_get_value_type (n) == G_TYPE_STRING)
    g_assert (g_utf8_validate (json_node_get_string (n), -1, NULL));
  if (JSON_NODE_HOLDS_VALUE (n) && json_node_get_value_type (n) == G_TYPE_DOUBLE)
    g_assert (isfinite (json_node_get_double (n)));
  return 0;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) root = vita_json_parse_strict ((const char *) data, size, "fuzz.json", &error);
  if (root == NULL)
    {
      g_assert (error != NULL && g_str_has_prefix (error->message, "fuzz.json: "));
      return 0;
    }
  g_assert (error == NULL);
  g_assert (depth_of (root) <= VITA_JSON_MAX_DEPTH);
  /* the same bytes give the same tree.  (No round trip through json-glib's writer:
   * json-glib 1.6 appends ".0" to any double printed without a '.', so 1e300 comes
   * out as "1e+300.0", which is not JSON and which this reader rightly refuses.) */
  g_autoptr(JsonNode) again = vita_json_parse_strict ((const char *) data, size, "again.json", &error);
  g_assert (again != NULL && json_node_equal (root, again));
  return 0;
}
