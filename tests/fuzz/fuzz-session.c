/* fuzz-session.c — libFuzzer target for the `.vitascope` session reader
 * (app/vita-session-file.c), and, built with -DVITA_FUZZ_REPLAY, a GTest executable
 * that replays the committed corpus (tests/fuzz/corpus-session/) in every build.
 *
 * Fuzzer (clang only, meson -Dfuzz=true):
 *   CC=clang meson setup build-fuzz -Dfuzz=true -Db_sanitize=address,undefined -Db_lundef=false
 *   ninja -C build-fuzz tests/fuzz/fuzz-session
 *   build-fuzz/tests/fuzz/fuzz-session /tmp/corpus tests/fuzz/corpus-session -max_len=8192
 *
 * Beyond "no crash, no sanitizer report", each input checks invariants:
 *   - a refusal is a VITA_SESSION_FILE_ERROR whose message names the file;
 *   - what parses writes back to a document that parses again to the same view. */
#include <stdint.h>
#include <string.h>

#include "vita-session-file.h"

#define FUZZ_PATH "/nonexistent/fuzz.vitascope"

static gboolean
fuzz_one (const guint8 *data, gsize size)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(VitaSessionState) state = vita_session_file_parse ((const char *) data, size, FUZZ_PATH, &error);

  if (state == NULL)
    {
      g_assert_nonnull (error);
      g_assert_true (error->domain == VITA_SESSION_FILE_ERROR);
      g_assert_nonnull (strstr (error->message, FUZZ_PATH));
      return FALSE;
    }
  g_assert_no_error (error);
  g_autofree char *text = vita_session_file_to_data (FUZZ_PATH, state);
  g_autoptr(VitaSessionState) again = vita_session_file_parse (text, strlen (text), FUZZ_PATH, &error);
  g_assert_no_error (error);
  g_assert_nonnull (again);
  g_assert_cmpint (again->view.position, ==, state->view.position);
  g_assert_cmpint (again->view.visible_start, ==, state->view.visible_start);
  g_assert_cmpint (again->view.visible_end, ==, state->view.visible_end);
  g_assert_cmpint (again->view.layer, ==, state->view.layer);
  g_assert_cmpint (again->view.head, ==, state->view.head);
  g_assert_cmpint (again->view.attention_mode, ==, state->view.attention_mode);
  g_assert_cmpuint (again->models->len, ==, state->models->len);
  g_assert_cmpuint (again->annotations->len, ==, state->annotations->len);
  g_assert_cmpuint (again->probes->len, ==, state->probes->len);
  g_assert_true ((again->audio == NULL) == (state->audio == NULL));
  return TRUE;
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
 *   valid-*   parses
 *   bad-*     is refused with a message naming the file
 *   other     (crashers found by the fuzzer): only no crash */
static void
replay_one (gconstpointer user_data)
{
  const char *path = user_data;
  g_autofree char *contents = NULL;
  gsize len = 0;
  g_autoptr(GError) error = NULL;

  g_assert_true (g_file_get_contents (path, &contents, &len, &error));
  /* exactly len bytes on the heap, so that ASan sees a read past the end */
  g_autofree guint8 *copy = g_memdup2 (contents, MAX (len, 1));
  gboolean ok = fuzz_one (copy, len);
  g_autofree char *base = g_path_get_basename (path);
  if (g_str_has_prefix (base, "valid-"))
    g_assert_true (ok);
  else if (g_str_has_prefix (base, "bad-"))
    g_assert_false (ok);
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
  g_autofree char *dir = argc > 1 ? g_strdup (argv[1])
    : g_build_filename (g_getenv ("VITA_SOURCE_ROOT") ? g_getenv ("VITA_SOURCE_ROOT") : ".",
                        "tests", "fuzz", "corpus-session", NULL);
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
      char *path = g_build_filename (dir, names->pdata[i], NULL);
      g_ptr_array_add (paths, path);
      g_autofree char *name = g_strdup_printf ("/fuzz-session/replay/%s", (char *) names->pdata[i]);
      g_test_add_data_func (name, path, replay_one);
    }
  return g_test_run ();
}

#endif
