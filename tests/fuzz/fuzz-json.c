/* fuzz-json.c — libFuzzer target for the strict JSON reader that sidecars and
 * sessions go through (model/vita-json.c, issue 15.4).  Whatever it accepts must be
 * a tree json-glib can walk and write back, and writing it back then reading it
 * again must give the same text (no silent loss: duplicates, NULs, wrapped numbers).
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
  /* a round trip through json-glib's writer is read back by the strict reader */
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  json_generator_set_root (gen, root);
  gsize len = 0;
  g_autofree char *text = json_generator_to_data (gen, &len);
  g_autoptr(JsonNode) again = vita_json_parse_strict (text, len, "again.json", &error);
  if (again == NULL)
    g_error ("the strict reader refuses json-glib's rendering of what it accepted: %s",
             error->message);
  g_assert (json_node_equal (root, again));
  return 0;
}
