/* test-cli-hostile.c — issue 15 (reliability, round two): the attacks that did not
 * hold in 0.1, each kept as a test through the CLI as a user runs it.
 *   1  render --npy with a sidecar naming a head/layer the model lacks
 *   2  models whose buffers would need absurd memory; hop 1 × long audio
 *   3  analyze killed at random moments over an existing result (≥ 20 during the run)
 *   5  music folders with symlink loops and links to the same file
 *   6  models that compute garbage (input_std 1e-45, LayerNorm 3e38)
 *   9  a 2 GB sparse "model" is refused from its first bytes
 *  10  extra blocks.N tensor, 250-byte output names, train --resume settings */
#include "vita-test.h"
#include "model/vita-vit-io.h"
#include "model/vita-safetensors.h"

#include <errno.h>
#include <fcntl.h>
#include <json-glib/json-glib.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib/gstdio.h>

#define WESNOTH "/usr/share/games/wesnoth/1.16/data/core/music/loyalists.ogg"

typedef struct {
  int    status;     /* exit status, or 128 + signal */
  char  *out;
  char  *err;
  double seconds;
} Result;

static void
result_clear (Result *r)
{
  g_free (r->out);
  g_free (r->err);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Result, result_clear)

static char *
cli_path (void)
{
  const char *build = g_getenv ("VITA_BUILD_ROOT");
  g_assert_nonnull (build);
  return g_build_filename (build, "app", "vitascope-cli", NULL);
}

static Result
run_argv (GPtrArray *args)
{
  g_ptr_array_add (args, NULL);
  Result r = { 0 };
  int wait_status;
  g_autoptr(GError) error = NULL;
  gint64 t0 = g_get_monotonic_time ();
  g_assert_true (g_spawn_sync (NULL, (char **) args->pdata, NULL, G_SPAWN_DEFAULT, NULL, NULL,
                               &r.out, &r.err, &wait_status, &error));
  r.seconds = (g_get_monotonic_time () - t0) / 1e6;
  g_assert_no_error (error);
  r.status = WIFEXITED (wait_status) ? WEXITSTATUS (wait_status) : 128 + WTERMSIG (wait_status);
  g_test_message ("exit %d (%.2f s)\nstdout: %s\nstderr: %s", r.status, r.seconds, r.out, r.err);
  return r;
}

/* Runs vitascope-cli with the given arguments (NULL-terminated). */
static Result
run_cli (const char *first, ...)
{
  g_autofree char *cli = cli_path ();
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  g_ptr_array_add (args, cli);
  va_list ap;
  va_start (ap, first);
  for (const char *a = first; a; a = va_arg (ap, const char *))
    g_ptr_array_add (args, (gpointer) a);
  va_end (ap);
  return run_argv (args);
}

static void
rm_rf (const char *path)
{
  struct stat sb;
  if (g_lstat (path, &sb) != 0)
    return;
  if (S_ISDIR (sb.st_mode))
    {
      g_autoptr(GDir) d = g_dir_open (path, 0, NULL);
      if (d != NULL)
        for (const char *n; (n = g_dir_read_name (d)) != NULL;)
          {
            g_autofree char *p = g_build_filename (path, n, NULL);
            rm_rf (p);
          }
      g_rmdir (path);
    }
  else
    g_unlink (path);
}

static char *
make_tmp (void)
{
  g_autoptr(GError) error = NULL;
  char *dir = g_dir_make_tmp ("vita-hostile-XXXXXX", &error);
  g_assert_no_error (error);
  return dir;
}

static gboolean
exists (const char *path)
{
  struct stat sb;
  return g_lstat (path, &sb) == 0;
}

static void
assert_err (const Result *r, int status, const char *a, const char *b)
{
  if (r->status != status || (a && !strstr (r->err, a)) || (b && !strstr (r->err, b)))
    g_error ("wanted exit %d with “%s” and “%s”; got exit %d: %s", status, a ? a : "",
             b ? b : "", r->status, r->err);
}

/* ---- 1: indices from a sidecar are checked against the model ----------------- */

static void
test_render_bad_index (void)
{
  if (!g_file_test (WESNOTH, G_FILE_TEST_EXISTS))
    {
      g_test_skip ("needs the Wesnoth music");
      return;
    }
  g_autofree char *dir = make_tmp ();
  g_autofree char *model = vita_test_data_path ("ana.safetensors");
  g_autoptr(GError) error = NULL;
  g_autoptr(VitaVit) vit = vita_vit_load (model, &error);
  g_assert_no_error (error);
  struct { const char *panel; const char *field; const char *value; } cases[] = {
    { "attention", "head", "1000" },
    { "attention-row", "head", "1000" },
    { "attention", "layer", "1000" },
    { "ssm", "layer", "77" },
    { "attention-row", "query_token", "100000" },
  };
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *side = g_build_filename (dir, "in.json", NULL);
      g_autofree char *json = g_strdup_printf (
        "{\"vitascope_sidecar\": 1, \"panel\": \"%s\", \"audio\": {\"path\": \"%s\"},"
        " \"model\": {\"path\": \"%s\"}, \"layer\": %s, \"head\": %s, \"query_token\": %s,"
        " \"sample_rate\": %d, \"hop\": %d, \"time_range\": {\"start_sample\": 0,"
        " \"end_sample\": 48000}, \"position_sample\": 16000, \"colormap\": \"viridis\","
        " \"width\": 300, \"height\": 200, \"font_size\": 9}",
        cases[i].panel, WESNOTH, model,
        g_str_equal (cases[i].field, "layer") ? cases[i].value : "1",
        g_str_equal (cases[i].field, "head") ? cases[i].value : "0",
        g_str_equal (cases[i].field, "query_token") ? cases[i].value : "3",
        vit->cfg.fe.sample_rate, vit->cfg.fe.hop_length);
      g_assert_true (g_file_set_contents (side, json, -1, NULL));
      g_autofree char *out = g_build_filename (dir, "fig.png", NULL);
      g_autofree char *npy = g_build_filename (dir, "fig.npy", NULL);
      g_autofree char *want = g_strdup_printf ("“%s”", cases[i].field);
      g_auto(Result) r = run_cli ("render", side, "--out", out, "--npy", npy, NULL);
      assert_err (&r, 1, want, "in.json");
      g_autofree char *out_side = g_strconcat (out, ".json", NULL);
      g_assert_false (exists (out));
      g_assert_false (exists (out_side));
      g_assert_false (exists (npy));
    }
  rm_rf (dir);
}

/* ---- 3: an analysis folder is the old set, the new set, or absent ------------- */

static const char *const set_names[] = {
  "attention.npy", "cls.npy", "mel.npy", "onset.npy", "received.npy", "ssm.npy",
  "summary.json", "tokens.npy", "windows.npy",
};

static gint64
summary_frames (const char *path)
{
  g_autoptr(JsonParser) p = json_parser_new ();
  if (!json_parser_load_from_file (p, path, NULL))
    return -1;
  JsonObject *o = json_node_get_object (json_parser_get_root (p));
  return json_object_get_int_member_with_default (o, "n_frames", -1);
}

/* Which reference set the folder equals: 0 absent, 1 old, 2 new, -1 a mix or extra. */
static int
classify (const char *dir, const char *ref_old, const char *ref_new, GString *why)
{
  if (!exists (dir))
    return 0;
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  g_assert_nonnull (d);
  int n = 0;
  for (const char *name; (name = g_dir_read_name (d)) != NULL; n++)
    {
      gboolean known = FALSE;
      for (gsize i = 0; i < G_N_ELEMENTS (set_names); i++)
        known |= g_str_equal (name, set_names[i]);
      if (!known)
        {
          g_string_append_printf (why, "extra file %s; ", name);
          return -1;
        }
    }
  if (n != (int) G_N_ELEMENTS (set_names))
    {
      g_string_append_printf (why, "%d files of %zu; ", n, G_N_ELEMENTS (set_names));
      return -1;
    }
  int verdict = 0;
  const char *refs[2] = { ref_old, ref_new };
  for (gsize i = 0; i < G_N_ELEMENTS (set_names); i++)
    {
      g_autofree char *p = g_build_filename (dir, set_names[i], NULL);
      int which = 0;
      for (int k = 0; k < 2; k++)
        {
          g_autofree char *q = g_build_filename (refs[k], set_names[i], NULL);
          gboolean same;
          if (g_str_equal (set_names[i], "summary.json"))
            same = summary_frames (p) == summary_frames (q) && summary_frames (p) > 0;
          else
            {
              g_autofree char *a = NULL, *b = NULL;
              gsize la = 0, lb = 0;
              same = g_file_get_contents (p, &a, &la, NULL) && g_file_get_contents (q, &b, &lb, NULL) &&
                     la == lb && memcmp (a, b, la) == 0;
            }
          if (same)
            which = k + 1;
        }
      if (which == 0 || (verdict != 0 && which != verdict))
        {
          g_string_append_printf (why, "%s is from %s; ", set_names[i],
                                  which == 0 ? "neither set" : which == 1 ? "the old set" : "the new set");
          return -1;
        }
      verdict = which;
    }
  return verdict;
}

static void
copy_set (const char *from, const char *to)
{
  g_assert_cmpint (g_mkdir (to, 0755), ==, 0);
  for (gsize i = 0; i < G_N_ELEMENTS (set_names); i++)
    {
      g_autofree char *a = g_build_filename (from, set_names[i], NULL);
      g_autofree char *b = g_build_filename (to, set_names[i], NULL);
      g_autofree char *data = NULL;
      gsize len;
      g_assert_true (g_file_get_contents (a, &data, &len, NULL));
      g_assert_true (g_file_set_contents (b, data, len, NULL));
    }
}

static void
test_analyze_killed (void)
{
  if (!g_file_test (WESNOTH, G_FILE_TEST_EXISTS))
    {
      g_test_skip ("needs the Wesnoth music");
      return;
    }
  g_autofree char *dir = make_tmp ();
  g_autofree char *model = vita_test_data_path ("ana.safetensors");
  g_autofree char *ref_old = g_build_filename (dir, "ref-old", NULL);
  g_autofree char *ref_new = g_build_filename (dir, "ref-new", NULL);
  g_autofree char *target = g_build_filename (dir, "result", NULL);
  const char *old_args[] = { "--duration", "8", NULL }, *new_args[] = { "--duration", "10", NULL };
  {
    g_auto(Result) r1 = run_cli ("analyze", WESNOTH, "--model", model, "--out", ref_old,
                                 old_args[0], old_args[1], "--threads", "1", NULL);
    g_assert_cmpint (r1.status, ==, 0);
  }
  double t_new;
  {
    g_auto(Result) r2 = run_cli ("analyze", WESNOTH, "--model", model, "--out", ref_new,
                                 new_args[0], new_args[1], "--threads", "1", NULL);
    g_assert_cmpint (r2.status, ==, 0);
    t_new = r2.seconds;
  }
  g_autofree char *cli = cli_path ();
  GRand *rand = g_rand_new_with_seed (15);
  int counts[3] = { 0 }, killed = 0, finished = 0, trial;
  g_autoptr(GString) why = g_string_new (NULL);
  /* Kill at 30 random moments, and more until 20 kills have landed during a run (at
   * most 60 trials).  On a loaded machine one run's time varies, so a moment drawn
   * from the measured t_new may come after that run ended: the child is reaped
   * without blocking up to the moment, and such a trial counts not as a kill but as a
   * run that must have succeeded and left the wholly new set; the estimate of the run
   * time follows the runs seen to end. */
  double t_est = t_new;
  for (trial = 0; (trial < 30 || killed < 20) && trial < 60; trial++)
    {
      rm_rf (target);
      copy_set (ref_old, target);
      const char *argv[] = { cli, "analyze", WESNOTH, "--model", model, "--out", target,
                             new_args[0], new_args[1], "--threads", "1", NULL };
      GPid pid;
      g_autoptr(GError) error = NULL;
      g_assert_true (g_spawn_async (NULL, (char **) argv, NULL,
                                    G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_STDOUT_TO_DEV_NULL |
                                    G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, &pid, &error));
      /* a random moment within the run (a few drawn after it ends) */
      gint64 t0 = g_get_monotonic_time ();
      gint64 at = t0 + (gint64) (g_rand_double_range (rand, 0.0, 1.1) * t_est * 1e6);
      int st;
      pid_t done;
      while ((done = waitpid (pid, &st, WNOHANG)) == 0 && g_get_monotonic_time () < at)
        g_usleep (2000);
      g_assert_cmpint (done, !=, -1);
      if (done == 0)
        {
          kill (pid, SIGKILL);
          g_assert_cmpint (waitpid (pid, &st, 0), ==, pid);
        }
      else
        t_est = (t_est + (g_get_monotonic_time () - t0) / 1e6) / 2;
      g_spawn_close_pid (pid);
      g_string_truncate (why, 0);
      int c = classify (target, ref_old, ref_new, why);
      if (c < 0)
        g_error ("trial %d: the folder is a mix: %s", trial, why->str);
      counts[c]++;
      if (WIFSIGNALED (st))
        killed++;
      else
        {
          /* it ended before the kill: it succeeded and left the new set */
          g_assert_true (WIFEXITED (st));
          g_assert_cmpint (WEXITSTATUS (st), ==, 0);
          g_assert_cmpint (c, ==, 2);
          finished++;
        }
    }
  g_rand_free (rand);
  g_test_message ("%d trials, %d kills during the run, %d runs ended first: %d old set, "
                  "%d new set, %d absent", trial, killed, finished, counts[1], counts[2], counts[0]);
  g_assert_cmpint (killed, >=, 20);
  /* the next run completes and leaves no staging folder or temporary behind */
  {
    g_auto(Result) r = run_cli ("analyze", WESNOTH, "--model", model, "--out", target,
                                new_args[0], new_args[1], NULL);
    g_assert_cmpint (r.status, ==, 0);
  }
  g_string_truncate (why, 0);
  g_assert_cmpint (classify (target, ref_old, ref_new, why), ==, 2);
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  for (const char *n; (n = g_dir_read_name (d)) != NULL;)
    if (!g_str_equal (n, "ref-old") && !g_str_equal (n, "ref-new") && !g_str_equal (n, "result"))
      g_error ("left behind: %s", n);

  /* 0.1's in-place temporaries in an old result are removed; a folder holding
   * anything else is refused, not replaced */
  g_autofree char *stale = g_build_filename (target, "attention.npy.tmp-AbC123", NULL);
  g_assert_true (g_file_set_contents (stale, "x", 1, NULL));
  {
    g_auto(Result) r = run_cli ("analyze", WESNOTH, "--model", model, "--out", target,
                                old_args[0], old_args[1], NULL);
    g_assert_cmpint (r.status, ==, 0);
  }
  g_assert_false (exists (stale));
  g_autofree char *mine = g_build_filename (target, "notes.txt", NULL);
  g_assert_true (g_file_set_contents (mine, "mine", -1, NULL));
  {
    g_auto(Result) r = run_cli ("analyze", WESNOTH, "--model", model, "--out", target,
                                new_args[0], new_args[1], NULL);
    assert_err (&r, 1, "notes.txt", "not part of an analysis");
  }
  g_assert_true (exists (mine));
  rm_rf (dir);
}


/* ---- 2 and 6: a model that loads must fit and compute ------------------------- */

/* The "test" preset model as a container, to be altered. */
static VitaSafetensors *
test_container (const char *preset)
{
  VitaVitConfig cfg;
  g_assert_true (vita_vit_config_init_preset (&cfg, preset, NULL));
  g_autoptr(VitaVit) vit = vita_vit_new_random (&cfg, 7);
  VitaSafetensors *st = vita_safetensors_new ();
  vita_vit_to_safetensors (vit, st);
  return st;
}

static void
save_container (VitaSafetensors *st, const char *path)
{
  g_autoptr(GError) error = NULL;
  g_assert_true (vita_safetensors_save (st, path, &error));
  g_assert_no_error (error);
}

static void
test_model_memory (void)
{
  if (!g_file_test (WESNOTH, G_FILE_TEST_EXISTS))
    {
      g_test_skip ("needs the Wesnoth music");
      return;
    }
  g_autofree char *dir = make_tmp ();
  g_autofree char *out = g_build_filename (dir, "out", NULL);
  /* frames 100000 with a tiny dim: 40 GB of attention per window; aborted in 0.1 */
  {
    g_autoptr(VitaSafetensors) st = test_container ("test");
    vita_safetensors_set_metadata (st, "frames", "100000");
    const VitaTensor *pe = vita_safetensors_lookup (st, "pos_embed");
    gint64 shape[3] = { 1, 100001, pe->shape[pe->ndim - 1] };
    float *z = g_new0 (float, (gsize) shape[1] * shape[2]);
    vita_safetensors_add (st, "pos_embed", 3, shape, z);
    g_free (z);
    g_autofree char *model = g_build_filename (dir, "huge.safetensors", NULL);
    save_container (st, model);
    g_auto(Result) r = run_cli ("info", model, NULL);
    assert_err (&r, 1, "huge.safetensors", "GiB of memory");
    g_auto(Result) r2 = run_cli ("analyze", WESNOTH, "--model", model, "--out", out,
                                 "--duration", "5", NULL);
    assert_err (&r2, 1, "huge.safetensors", "GiB of memory");
    g_assert_false (exists (out));
  }
  /* info states the memory a model needs */
  {
    g_autofree char *model = vita_test_data_path ("ana.safetensors");
    g_auto(Result) r = run_cli ("info", model, NULL);
    g_assert_cmpint (r.status, ==, 0);
    g_assert_nonnull (strstr (r.out, "Memory:"));
  }
  /* hop_length 1 on a 3-minute track: refused before the front-end runs (0.1: 92 s,
   * 5.8 GB, then a failure) */
  g_autofree char *def = g_build_filename (g_getenv ("VITA_SOURCE_ROOT"), "resources", "models",
                                           "default.safetensors", NULL);
  if (g_file_test (def, G_FILE_TEST_EXISTS))
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(VitaSafetensors) st = vita_safetensors_load (def, &error);
      g_assert_no_error (error);
      vita_safetensors_set_metadata (st, "hop_length", "1");
      g_autofree char *model = g_build_filename (dir, "hop1.safetensors", NULL);
      save_container (st, model);
      g_auto(Result) r = run_cli ("analyze", WESNOTH, "--model", model, "--out", out, NULL);
      assert_err (&r, 1, "hop_length 1", "of memory");
      g_assert_cmpfloat (r.seconds, <, 30.0);
      g_assert_false (exists (out));
    }
  rm_rf (dir);
}

static void
test_model_garbage (void)
{
  if (!g_file_test (WESNOTH, G_FILE_TEST_EXISTS))
    {
      g_test_skip ("needs the Wesnoth music");
      return;
    }
  g_autofree char *dir = make_tmp ();
  g_autofree char *out = g_build_filename (dir, "out", NULL);
  /* init-model refuses what the loader would */
  {
    g_autofree char *m = g_build_filename (dir, "std.safetensors", NULL);
    g_auto(Result) r = run_cli ("init-model", m, "--config", "test", "--input-std", "1e-45", NULL);
    g_assert_cmpint (r.status, !=, 0);
    g_assert_nonnull (strstr (r.err, "input_std"));
    g_assert_false (exists (m));
  }
  /* LayerNorm weights of 3e38: every output Inf/NaN, exit 0 in 0.1 */
  {
    g_autoptr(VitaSafetensors) st = test_container ("test");
    const VitaTensor *t = vita_safetensors_lookup (st, "blocks.0.norm1.weight");
    g_autofree float *w = g_new (float, t->n_elements);
    for (gsize i = 0; i < t->n_elements; i++)
      w[i] = 3e38f;
    vita_safetensors_add (st, "blocks.0.norm1.weight", t->ndim, t->shape, w);
    g_autofree char *model = g_build_filename (dir, "ln.safetensors", NULL);
    save_container (st, model);
    g_auto(Result) r = run_cli ("analyze", WESNOTH, "--model", model, "--out", out,
                                "--duration", "5", NULL);
    assert_err (&r, 1, "ln.safetensors", "blocks.0");
    g_assert_false (exists (out));
  }
  rm_rf (dir);
}


/* ---- 9: a model file is judged by its first bytes ------------------------------ */

static void
test_sparse_model (void)
{
  g_autofree char *dir = make_tmp ();
  g_autofree char *model = g_build_filename (dir, "sparse.safetensors", NULL);
  int fd = g_open (model, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  g_assert_cmpint (fd, >=, 0);
  /* 8 zero bytes (header length 0) then 2 GB of holes */
  if (ftruncate (fd, (off_t) 2 << 30) != 0)
    {
      close (fd);
      rm_rf (dir);
      g_test_skip ("cannot make a 2 GB sparse file here");
      return;
    }
  close (fd);
  g_autofree char *cli = cli_path ();
  const char *argv[] = { cli, "info", model, NULL };
  GPid pid;
  g_autoptr(GError) error = NULL;
  int err_fd;
  gint64 t0 = g_get_monotonic_time ();
  g_assert_true (g_spawn_async_with_pipes (NULL, (char **) argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD |
                                           G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL, &pid, NULL,
                                           NULL, &err_fd, &error));
  GString *err = g_string_new (NULL);
  char buf[512];
  for (gssize n; (n = read (err_fd, buf, sizeof buf)) > 0;)
    g_string_append_len (err, buf, n);
  close (err_fd);
  int st;
  struct rusage ru;
  g_assert_cmpint (wait4 (pid, &st, 0, &ru), ==, pid);
  double seconds = (g_get_monotonic_time () - t0) / 1e6;
  g_test_message ("info on a 2 GB sparse file: %.2f s, %ld KB peak: %s", seconds, ru.ru_maxrss,
                  err->str);
  g_assert_true (WIFEXITED (st) && WEXITSTATUS (st) == 1);
  g_assert_nonnull (strstr (err->str, "header is empty"));
  /* 0.1: 15 s and 2.1 GB before saying so */
  g_assert_cmpfloat (seconds, <, 3.0);
  g_assert_cmpint (ru.ru_maxrss, <, 400 * 1024);
  g_string_free (err, TRUE);
  rm_rf (dir);
}


/* ---- 10: 250-byte output names (0.1: "File name too long" from the temporary) ---- */

static void
test_long_names (void)
{
  if (!g_file_test (WESNOTH, G_FILE_TEST_EXISTS))
    {
      g_test_skip ("needs the Wesnoth music");
      return;
    }
  g_autofree char *dir = make_tmp ();
  g_autofree char *model = vita_test_data_path ("ana.safetensors");
  g_autoptr(GError) error = NULL;
  g_autoptr(VitaVit) vit = vita_vit_load (model, &error);
  g_assert_no_error (error);
  /* 250 bytes each: a figure (whose sidecar adds ".json": 255), an array, a model,
   * an analysis folder */
  g_autofree char *stem = g_strnfill (246, 'n');
  g_autofree char *fig_name = g_strconcat (stem, ".png", NULL);
  g_autofree char *npy_name = g_strconcat (stem, ".npy", NULL);
  g_autofree char *mstem = g_strnfill (238, 'm');
  g_autofree char *st_name = g_strconcat (mstem, ".safetensors", NULL);
  g_autofree char *out_name = g_strnfill (250, 'o');
  g_assert_cmpuint (strlen (fig_name), ==, 250);
  g_assert_cmpuint (strlen (st_name), ==, 250);
  g_autofree char *fig = g_build_filename (dir, fig_name, NULL);
  g_autofree char *npy = g_build_filename (dir, npy_name, NULL);
  g_autofree char *st = g_build_filename (dir, st_name, NULL);
  g_autofree char *out = g_build_filename (dir, out_name, NULL);
  {
    g_auto(Result) r = run_cli ("init-model", st, "--config", "test", NULL);
    g_assert_cmpint (r.status, ==, 0);
    g_assert_true (exists (st));
  }
  {
    g_auto(Result) r = run_cli ("analyze", WESNOTH, "--model", model, "--out", out,
                                "--duration", "3", NULL);
    g_assert_cmpint (r.status, ==, 0);
    g_autofree char *summary = g_build_filename (out, "summary.json", NULL);
    g_assert_true (exists (summary));
  }
  {
    g_autofree char *side = g_build_filename (dir, "in.json", NULL);
    g_autofree char *json = g_strdup_printf (
      "{\"vitascope_sidecar\": 1, \"panel\": \"mel\", \"audio\": {\"path\": \"%s\"},"
      " \"model\": {\"path\": \"%s\"}, \"layer\": 1, \"head\": 0, \"sample_rate\": %d,"
      " \"hop\": %d, \"time_range\": {\"start_sample\": 0, \"end_sample\": 32000},"
      " \"colormap\": \"viridis\", \"width\": 200, \"height\": 100, \"font_size\": 9}",
      WESNOTH, model, vit->cfg.fe.sample_rate, vit->cfg.fe.hop_length);
    g_assert_true (g_file_set_contents (side, json, -1, NULL));
    g_auto(Result) r = run_cli ("render", side, "--out", fig, "--npy", npy, NULL);
    g_assert_cmpint (r.status, ==, 0);
    g_autofree char *fig_side = g_strconcat (fig, ".json", NULL);
    g_assert_true (exists (fig));
    g_assert_true (exists (fig_side));
    g_assert_true (exists (npy));
  }
  /* no temporary left behind */
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  for (const char *n; (n = g_dir_read_name (d)) != NULL;)
    g_assert_false (g_str_has_prefix (n, ".vtmp-") || strstr (n, ".tmp-") || strstr (n, "vita-stage"));
  rm_rf (dir);
}


/* ---- 10: the duration limit can be raised, and --duration is not refused by it ---- */

static void
test_duration_limit (void)
{
  if (!g_file_test (WESNOTH, G_FILE_TEST_EXISTS))
    {
      g_test_skip ("needs the Wesnoth music");
      return;
    }
  g_autofree char *dir = make_tmp ();
  g_autofree char *model = vita_test_data_path ("ana.safetensors");
  g_autofree char *out = g_build_filename (dir, "out", NULL);
  /* loyalists.ogg is 180 s: over a 60 s limit it is refused, naming the limit */
  {
    g_auto(Result) r = run_cli ("analyze", WESNOTH, "--model", model, "--out", out,
                                "--max-duration", "60", NULL);
    assert_err (&r, 1, "loyalists.ogg", "60 s limit");
    g_assert_false (exists (out));
  }
  /* a part of it is not (0.1: the same check refused --duration) */
  {
    g_auto(Result) r = run_cli ("analyze", WESNOTH, "--model", model, "--out", out,
                                "--max-duration", "60", "--start", "5", "--duration", "10", NULL);
    g_assert_cmpint (r.status, ==, 0);
    g_autofree char *summary = g_build_filename (out, "summary.json", NULL);
    g_assert_true (exists (summary));
  }
  /* and the limit can be raised */
  {
    g_autofree char *out2 = g_build_filename (dir, "out2", NULL);
    g_auto(Result) r = run_cli ("analyze", WESNOTH, "--model", model, "--out", out2,
                                "--max-duration", "200", NULL);
    g_assert_cmpint (r.status, ==, 0);
  }
  rm_rf (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/hostile/render-bad-index", test_render_bad_index);
  g_test_add_func ("/hostile/analyze-killed", test_analyze_killed);
  g_test_add_func ("/hostile/model-memory", test_model_memory);
  g_test_add_func ("/hostile/model-garbage", test_model_garbage);
  g_test_add_func ("/hostile/sparse-model", test_sparse_model);
  g_test_add_func ("/hostile/long-names", test_long_names);
  g_test_add_func ("/hostile/duration-limit", test_duration_limit);
  return g_test_run ();
}
