/* fuzz-safetensors.c — libFuzzer target for the model-file reader
 * (model/vita-safetensors.c, model/vita-vit-io.c), and, built with
 * -DVITA_FUZZ_REPLAY, a GTest executable that replays the committed corpus
 * (tests/fuzz/corpus-safetensors/) in every build as an ordinary `meson test`.
 *
 * Fuzzer (clang only, meson -Dfuzz=true):
 *   CC=clang meson setup build-fuzz -Dfuzz=true -Db_sanitize=address,undefined -Db_lundef=false
 *   ninja -C build-fuzz tests/fuzz/fuzz-safetensors
 *   mkdir -p /tmp/corpus && build-fuzz/tests/fuzz/fuzz-safetensors /tmp/corpus \
 *       tests/fuzz/corpus-safetensors -max_len=65536 -rss_limit_mb=1024
 *
 * Beyond "no crash, no sanitizer report", each input checks invariants:
 *   - a refusal is a VITA_MODEL_ERROR whose message names the file;
 *   - what parses re-serialises to a file that parses again to the same tensors;
 *   - a model that loads saves to a file that loads to identical parameters.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "model/vita-safetensors.h"
#include "model/vita-vit.h"

#define FUZZ_NAME "fuzz.safetensors"

typedef enum {
  VERDICT_CONTAINER_REJECTED,
  VERDICT_MODEL_REJECTED,   /* a valid container, not a model we run */
  VERDICT_MODEL_LOADED,
} Verdict;

static void
check_error (GError *error)
{
  g_assert_nonnull (error);
  g_assert_true (error->domain == VITA_MODEL_ERROR);
  g_assert_nonnull (strstr (error->message, FUZZ_NAME));
}

static void
check_same_container (const VitaSafetensors *a, const VitaSafetensors *b)
{
  g_assert_cmpuint (vita_safetensors_n_tensors (a), ==, vita_safetensors_n_tensors (b));
  for (guint i = 0; i < vita_safetensors_n_tensors (a); i++)
    {
      const VitaTensor *ta = vita_safetensors_tensor_at (a, i);
      const VitaTensor *tb = vita_safetensors_lookup (b, ta->name);
      g_assert_nonnull (tb);
      g_assert_cmpint (ta->ndim, ==, tb->ndim);
      g_assert_cmpuint (ta->n_elements, ==, tb->n_elements);
      /* bitwise: NaN payloads survive the F32 round trip */
      g_assert_true (memcmp (ta->data, tb->data, ta->n_elements * sizeof (float)) == 0);
    }
  g_assert_cmpuint (g_hash_table_size (vita_safetensors_metadata (a)), ==,
                    g_hash_table_size (vita_safetensors_metadata (b)));
}

static Verdict
fuzz_one (const guint8 *data, gsize size)
{
  GError *error = NULL;
  VitaSafetensors *st = vita_safetensors_parse (data, size, FUZZ_NAME, &error);
  if (st == NULL)
    {
      check_error (error);
      g_error_free (error);
      return VERDICT_CONTAINER_REJECTED;
    }
  g_assert_no_error (error);

  /* container round trip */
  GBytes *bytes = vita_safetensors_serialize (st);
  gsize len;
  const guint8 *p = g_bytes_get_data (bytes, &len);
  VitaSafetensors *again = vita_safetensors_parse (p, len, FUZZ_NAME, &error);
  g_assert_no_error (error);
  check_same_container (st, again);
  vita_safetensors_free (again);
  g_bytes_unref (bytes);

  /* as a checkpoint (extra tensors allowed), then as a model */
  VitaVit *lenient = vita_vit_from_safetensors (st, TRUE, &error);
  if (lenient == NULL)
    {
      check_error (error);
      g_clear_error (&error);
    }
  VitaVit *vit = vita_vit_from_safetensors (st, FALSE, &error);
  Verdict verdict;
  if (vit == NULL)
    {
      check_error (error);
      g_clear_error (&error);
      verdict = VERDICT_MODEL_REJECTED;
    }
  else
    {
      /* a strict load implies a lenient one */
      g_assert_nonnull (lenient);
      VitaSafetensors *out = vita_safetensors_new ();
      vita_vit_to_safetensors (vit, out);
      GBytes *ob = vita_safetensors_serialize (out);
      const guint8 *op = g_bytes_get_data (ob, &len);
      VitaSafetensors *back = vita_safetensors_parse (op, len, FUZZ_NAME, &error);
      g_assert_no_error (error);
      VitaVit *vit2 = vita_vit_from_safetensors (back, FALSE, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (vit2->num_params, ==, vit->num_params);
      g_assert_true (memcmp (vit2->memory, vit->memory, vit->num_params * sizeof (float)) == 0);
      vita_vit_unref (vit2);
      vita_safetensors_free (back);
      g_bytes_unref (ob);
      vita_safetensors_free (out);
      vita_vit_unref (vit);
      verdict = VERDICT_MODEL_LOADED;
    }
  vita_vit_unref (lenient);
  vita_safetensors_free (st);
  return verdict;
}

#ifndef VITA_FUZZ_REPLAY

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  fuzz_one (data, size);
  return 0;
}

#else /* VITA_FUZZ_REPLAY: replay the corpus as GTest cases */

/* The corpus file name says what must happen to it:
 *   valid-model-*      loads as a model
 *   valid-container-*  parses (whether or not it is a model)
 *   bad-model-*        parses as a container, refused as a model
 *   bad-*              refused as a container
 *   anything else      (crashers found by the fuzzer, seeds): only no crash */
static void
replay_one (gconstpointer user_data)
{
  const char *path = user_data;
  g_autofree char *contents = NULL;
  gsize len = 0;
  g_autoptr(GError) error = NULL;
  g_assert_true (g_file_get_contents (path, &contents, &len, &error));
  /* libFuzzer hands over exactly len bytes: so does the replay (a heap copy, so
   * that ASan sees any read past the end) */
  g_autofree guint8 *copy = g_memdup2 (contents, MAX (len, 1));
  Verdict v = fuzz_one (copy, len);
  g_autofree char *base = g_path_get_basename (path);
  if (g_str_has_prefix (base, "valid-model-"))
    g_assert_cmpint (v, ==, VERDICT_MODEL_LOADED);
  else if (g_str_has_prefix (base, "valid-container-"))
    g_assert_cmpint (v, !=, VERDICT_CONTAINER_REJECTED);
  else if (g_str_has_prefix (base, "bad-model-"))
    g_assert_cmpint (v, ==, VERDICT_MODEL_REJECTED);
  else if (g_str_has_prefix (base, "bad-"))
    g_assert_cmpint (v, ==, VERDICT_CONTAINER_REJECTED);
}

static gint
cmp_str (gconstpointer a, gconstpointer b)
{
  return strcmp (*(char * const *) a, *(char * const *) b);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_autofree char *dir = NULL;
  if (argc > 1)
    dir = g_strdup (argv[1]);
  else
    dir = g_build_filename (g_getenv ("VITA_SOURCE_ROOT") ? g_getenv ("VITA_SOURCE_ROOT") : ".",
                            "tests", "fuzz", "corpus-safetensors", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GDir) d = g_dir_open (dir, 0, &error);
  if (d == NULL)
    g_error ("cannot open the corpus: %s", error->message);
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  for (const char *f; (f = g_dir_read_name (d)) != NULL;)
    if (f[0] != '.')
      g_ptr_array_add (names, g_strdup (f));
  g_ptr_array_sort (names, cmp_str);
  /* a corpus that vanished would make this test pass vacuously */
  if (names->len < 10)
    g_error ("corpus %s has only %u files", dir, names->len);
  g_autoptr(GPtrArray) paths = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; i < names->len; i++)
    {
      char *path = g_build_filename (dir, g_ptr_array_index (names, i), NULL);
      g_ptr_array_add (paths, path);
      g_autofree char *test = g_strdup_printf ("/fuzz-safetensors/replay/%s",
                                               (char *) g_ptr_array_index (names, i));
      g_test_add_data_func (test, path, replay_one);
    }
  return g_test_run ();
}

#endif
