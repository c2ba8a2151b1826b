/* test-cli-model.c — `vitascope-cli init-model` and `vitascope-cli info`, run as a
 * user would: exit statuses, what they print, and a one-line error naming the file
 * on malformed input.  argv[1] (after the GTest options) is the CLI. */
#include "vita-test.h"
#include "model/vita-vit-io.h"

#include <string.h>

#include <glib/gstdio.h>

static const char *cli;
static char *tmp_dir;

typedef struct {
  int   status;
  char *out;
  char *err;
} Run;

static void
run_clear (Run *r)
{
  g_free (r->out);
  g_free (r->err);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Run, run_clear)

/* Runs the CLI with NULL-terminated arguments. */
static void
run (Run *r, ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_ptr_array_add (argv, (char *) cli);
  va_list ap;
  va_start (ap, r);
  for (const char *a; (a = va_arg (ap, const char *)) != NULL;)
    g_ptr_array_add (argv, (char *) a);
  va_end (ap);
  g_ptr_array_add (argv, NULL);
  g_autoptr(GError) error = NULL;
  int wait_status = 0;
  g_assert_true (g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_DEFAULT, NULL, NULL,
                               &r->out, &r->err, &wait_status, &error));
  g_assert_no_error (error);
  g_assert_true (WIFEXITED (wait_status));
  r->status = WEXITSTATUS (wait_status);
  g_test_message ("exit %d\nstdout: %s\nstderr: %s", r->status, r->out, r->err);
}

static char *
sha256_of (const char *path)
{
  char sha[65];
  g_autoptr(GError) error = NULL;
  g_assert_true (vita_file_sha256 (path, sha, &error));
  return g_strdup (sha);
}

static void
test_init_and_info (void)
{
  g_autofree char *path = g_build_filename (tmp_dir, "test-model.safetensors", NULL);
  g_auto(Run) r = { 0 };
  run (&r, "init-model", path, "--config", "test", "--seed", "3", NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_nonnull (strstr (r.out, "Wrote"));
  g_assert_nonnull (strstr (r.out, path));

  /* the file is the model vita_vit_new_random makes for that seed */
  g_autoptr(GError) error = NULL;
  g_autoptr(VitaVit) vit = vita_vit_load (path, &error);
  g_assert_no_error (error);
  VitaVitConfig cfg;
  g_assert_true (vita_vit_config_init_preset (&cfg, "test", NULL));
  g_autoptr(VitaVit) want = vita_vit_new_random (&cfg, 3);
  g_assert_cmpuint (vit->num_params, ==, 5320);
  g_assert_cmpmem (vit->memory, vit->num_params * 4, want->memory, want->num_params * 4);

  g_auto(Run) info = { 0 };
  run (&info, "info", path, NULL);
  g_assert_cmpint (info.status, ==, 0);
  g_autofree char *sha = sha256_of (path);
  g_assert_nonnull (strstr (info.out, path));
  g_assert_nonnull (strstr (info.out, sha));
  g_assert_nonnull (strstr (info.out, "dim 16, depth 2, heads 2"));
  g_assert_nonnull (strstr (info.out, "MLP 32"));
  g_assert_nonnull (strstr (info.out, "8 frames of 16 mel bands"));
  g_assert_nonnull (strstr (info.out, "16000 Hz"));
  g_assert_nonnull (strstr (info.out, "hop 512"));
  g_assert_nonnull (strstr (info.out, "blocks (2 x 2,224)"));
  g_assert_nonnull (strstr (info.out, "total"));
  g_assert_nonnull (strstr (info.out, "5,320"));
  g_assert_nonnull (strstr (info.out, "random init, seed 3"));
  g_assert_cmpstr (info.err, ==, "");

  /* an existing file is not overwritten without --force */
  g_auto(Run) again = { 0 };
  run (&again, "init-model", path, "--config", "test", "--seed", "4", NULL);
  g_assert_cmpint (again.status, ==, 1);
  g_assert_nonnull (strstr (again.err, path));
  g_autofree char *sha_after = sha256_of (path);
  g_assert_cmpstr (sha_after, ==, sha);
  g_auto(Run) forced = { 0 };
  run (&forced, "init-model", path, "--config", "test", "--seed", "4", "--force", NULL);
  g_assert_cmpint (forced.status, ==, 0);
  g_autofree char *sha_forced = sha256_of (path);
  g_assert_cmpstr (sha_forced, !=, sha);
  g_unlink (path);
}

static void
test_usage_errors (void)
{
  g_autofree char *path = g_build_filename (tmp_dir, "never.safetensors", NULL);
  g_auto(Run) a = { 0 };
  run (&a, "init-model", path, "--config", "huge", NULL);
  g_assert_cmpint (a.status, ==, 2);
  g_assert_nonnull (strstr (a.err, "huge"));
  g_assert_nonnull (strstr (a.err, "small-4l"));
  g_auto(Run) b = { 0 };
  run (&b, "init-model", path, "--seed", "12abc", NULL);
  g_assert_cmpint (b.status, ==, 2);
  g_assert_nonnull (strstr (b.err, "12abc"));
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
  g_auto(Run) c = { 0 };
  run (&c, "info", NULL);
  g_assert_cmpint (c.status, ==, 2);
  g_auto(Run) d = { 0 };
  g_autofree char *nowhere = g_build_filename (tmp_dir, "no", "dir", "m.safetensors", NULL);
  run (&d, "init-model", nowhere, "--config", "test", NULL);
  g_assert_cmpint (d.status, ==, 1);
  g_assert_nonnull (strstr (d.err, nowhere));
}

/* A one-line message on stderr naming the file, nothing on stdout, exit 1. */
static void
expect_info_error (const char *path, const char *fragment)
{
  g_auto(Run) r = { 0 };
  run (&r, "info", path, NULL);
  g_assert_cmpint (r.status, ==, 1);
  g_assert_cmpstr (r.out, ==, "");
  g_assert_nonnull (strstr (r.err, path));
  g_assert_nonnull (strstr (r.err, fragment));
  const char *nl = strchr (r.err, '\n');
  g_assert_nonnull (nl);
  g_assert_cmpstr (nl + 1, ==, "");   /* one line */
}

static void
test_info_malformed (void)
{
  /* a model cut short */
  g_autofree char *good = g_build_filename (tmp_dir, "good.safetensors", NULL);
  g_auto(Run) r = { 0 };
  run (&r, "init-model", good, "--config", "test", NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_autofree char *bytes = NULL;
  gsize len;
  g_assert_true (g_file_get_contents (good, &bytes, &len, NULL));
  g_autofree char *cut = g_build_filename (tmp_dir, "cut.safetensors", NULL);
  g_assert_true (g_file_set_contents (cut, bytes, (gssize) (len - 100), NULL));
  expect_info_error (cut, "truncated");

  /* a text file */
  g_autofree char *text = g_build_filename (tmp_dir, "notes.safetensors", NULL);
  g_assert_true (g_file_set_contents (text, "these are not weights\n", -1, NULL));
  expect_info_error (text, "header length");

  /* missing */
  g_autofree char *missing = g_build_filename (tmp_dir, "missing.safetensors", NULL);
  expect_info_error (missing, "cannot open");

  /* a later generation */
  g_autoptr(GError) error = NULL;
  g_autoptr(VitaSafetensors) st = vita_safetensors_load (good, &error);
  g_assert_no_error (error);
  vita_safetensors_set_metadata (st, "pos", "rope");
  g_autofree char *rope = g_build_filename (tmp_dir, "rope.safetensors", NULL);
  g_assert_true (vita_safetensors_save (st, rope, &error));
  expect_info_error (rope, "rotary positions (pos=rope)");

  g_unlink (good);
  g_unlink (cut);
  g_unlink (text);
  g_unlink (rope);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  if (argc < 2)
    g_error ("usage: %s [GTest options] PATH-TO-vitascope-cli", argv[0]);
  cli = argv[1];
  tmp_dir = g_dir_make_tmp ("vita-cli-model-XXXXXX", NULL);
  g_assert_nonnull (tmp_dir);
  g_test_add_func ("/cli/model/init-and-info", test_init_and_info);
  g_test_add_func ("/cli/model/usage-errors", test_usage_errors);
  g_test_add_func ("/cli/model/info-malformed", test_info_malformed);
  int ret = g_test_run ();
  g_rmdir (tmp_dir);
  g_free (tmp_dir);
  return ret;
}
