/* test-npy.c — .npy round trip and a golden file written by numpy. */
#include "vita-test.h"

#include <string.h>

#include <glib/gstdio.h>

static void
test_roundtrip (void)
{
  g_autofree char *dir = g_dir_make_tmp ("vita-npy-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "x.npy", NULL);
  float data[24];
  for (int i = 0; i < 24; i++)
    data[i] = i * 0.5f - 3.0f;
  gsize shape[3] = { 2, 3, 4 };
  g_autoptr(GError) error = NULL;
  g_assert_true (vita_npy_save (path, data, 3, shape, &error));
  g_assert_no_error (error);

  int nd;
  gsize got_shape[VITA_NPY_MAX_DIMS];
  g_autofree float *back = vita_npy_load (path, &nd, got_shape, &error);
  g_assert_no_error (error);
  g_assert_cmpint (nd, ==, 3);
  g_assert_cmpuint (got_shape[0], ==, 2);
  g_assert_cmpuint (got_shape[2], ==, 4);
  vita_test_assert_close ("roundtrip", back, data, 24, 0.0);
  g_unlink (path);
  g_rmdir (dir);
}

static void
test_stream_incomplete_leaves_nothing (void)
{
  g_autofree char *dir = g_dir_make_tmp ("vita-npy-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "y.npy", NULL);
  gsize shape[1] = { 10 };
  float v[4] = { 1, 2, 3, 4 };
  g_autoptr(GError) error = NULL;
  VitaNpyWriter *w = vita_npy_writer_new (path, 1, shape, &error);
  g_assert_nonnull (w);
  g_assert_true (vita_npy_writer_append (w, v, 4, &error));
  g_assert_false (vita_npy_writer_commit (w, &error));
  g_assert_error (error, VITA_MODEL_ERROR, VITA_MODEL_ERROR_IO);
  vita_npy_writer_free (w);
  /* no file under the final name, no temp file left behind */
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
  g_assert_true (g_rmdir (dir) == 0);
}

static void
test_bad_file (void)
{
  g_autofree char *dir = g_dir_make_tmp ("vita-npy-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "bad.npy", NULL);
  g_assert_true (g_file_set_contents (path, "\x93NUMPY\x01\x00\xff\xff{", 11, NULL));
  g_autoptr(GError) error = NULL;
  int nd;
  gsize shape[VITA_NPY_MAX_DIMS];
  float *data = vita_npy_load (path, &nd, shape, &error);
  g_assert_null (data);
  g_assert_error (error, VITA_MODEL_ERROR, VITA_MODEL_ERROR_CORRUPT);
  g_assert_nonnull (strstr (error->message, "bad.npy"));
  g_unlink (path);
  g_rmdir (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/npy/roundtrip", test_roundtrip);
  g_test_add_func ("/npy/stream-incomplete", test_stream_incomplete_leaves_nothing);
  g_test_add_func ("/npy/bad-file", test_bad_file);
  return g_test_run ();
}
