/* test-session-file.c — `.vitascope` files (app/vita-session-file.c) without a
 * display: a folder moved with its session keeps working (relative paths first),
 * the absolute path is the fallback, a missing file is reported as such, a newer
 * version and a truncated file are refused with the file and the problem named,
 * and a failed write leaves the old file as it was. */
#include <glib.h>
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "vita-session-file.h"

static char *
tmpdir (void)
{
  g_autoptr(GError) error = NULL;
  char *dir = g_dir_make_tmp ("vitascope-session-XXXXXX", &error);
  g_assert_no_error (error);
  return dir;
}

static void
touch (const char *path)
{
  g_assert_true (g_file_set_contents (path, "x", 1, NULL));
}

static VitaSessionState *
sample_state (const char *audio, const char *model)
{
  VitaSessionState *state = vita_session_state_new ();

  state->audio = vita_session_ref_new (audio, NULL);
  g_ptr_array_add (state->models, vita_session_ref_new (model,
      "0abef3e13b16f24c19391d4dbc060918328e01407be97684e076870a7650b1b6"));
  state->view.sample_rate = 16000;
  state->view.position = 83 * 16000;
  state->view.visible_start = 78 * 16000;
  state->view.visible_end = 88 * 16000;
  state->view.layer = 3;
  state->view.head = 1;
  state->view.attention_mode = VITA_ATTENTION_ROLLOUT;
  state->view.colormap = g_strdup ("magma");
  state->view.speed = 1.25;
  state->window_width = 1280;
  state->window_height = 820;
  return state;
}

static void
test_round_trip_and_move (void)
{
  g_autofree char *root = tmpdir ();
  g_autofree char *dir = g_build_filename (root, "project", NULL);
  g_autofree char *music = g_build_filename (dir, "music", NULL);
  g_autofree char *audio = g_build_filename (music, "a.wav", NULL);
  g_autofree char *model = g_build_filename (root, "m.safetensors", NULL);   /* outside the folder */
  g_autofree char *path = g_build_filename (dir, "s.vitascope", NULL);
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (g_mkdir_with_parents (music, 0755), ==, 0);
  touch (audio);
  touch (model);
  g_autoptr(VitaSessionState) state = sample_state (audio, model);
  g_assert_true (vita_session_file_write (path, state, &error));
  g_assert_no_error (error);

  g_autoptr(VitaSessionState) back = vita_session_file_read (path, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (back->audio->path, ==, audio);
  g_assert_cmpstr (back->audio->relative, ==, "music/a.wav");
  g_assert_true (back->audio->found);
  g_assert_cmpint (back->audio->size, ==, 1);
  VitaSessionRef *m = g_ptr_array_index (back->models, 0);
  g_assert_cmpstr (m->relative, ==, "../m.safetensors");
  g_assert_cmpstr (m->sha256, ==, "0abef3e13b16f24c19391d4dbc060918328e01407be97684e076870a7650b1b6");
  g_assert_cmpint (back->view.position, ==, 83 * 16000);
  g_assert_cmpint (back->view.visible_end, ==, 88 * 16000);
  g_assert_cmpint (back->view.layer, ==, 3);
  g_assert_cmpint (back->view.head, ==, 1);
  g_assert_cmpint (back->view.attention_mode, ==, VITA_ATTENTION_ROLLOUT);
  g_assert_cmpstr (back->view.colormap, ==, "magma");
  g_assert_cmpfloat (back->view.speed, ==, 1.25);
  g_assert_cmpint (back->window_width, ==, 1280);

  /* the folder moves: the audio is found through its relative path; the model
   * (outside the folder, now unreachable relatively) through its absolute path */
  g_autofree char *moved = g_build_filename (root, "elsewhere", NULL);
  g_assert_cmpint (g_rename (dir, moved), ==, 0);
  g_autofree char *moved_path = g_build_filename (moved, "s.vitascope", NULL);
  g_autofree char *moved_audio = g_build_filename (moved, "music", "a.wav", NULL);
  g_autoptr(VitaSessionState) after = vita_session_file_read (moved_path, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (after->audio->path, ==, moved_audio);
  g_assert_true (after->audio->found);
  m = g_ptr_array_index (after->models, 0);
  g_assert_cmpstr (m->path, ==, model);
  g_assert_true (m->found);

  /* the model goes: still read, reported missing at its recorded path */
  g_assert_cmpint (g_unlink (model), ==, 0);
  g_autoptr(VitaSessionState) gone = vita_session_file_read (moved_path, &error);
  g_assert_no_error (error);
  m = g_ptr_array_index (gone->models, 0);
  g_assert_false (m->found);
  g_assert_cmpstr (m->path, ==, model);

  g_unlink (moved_audio);
  g_unlink (moved_path);
  g_autofree char *moved_music = g_build_filename (moved, "music", NULL);
  g_rmdir (moved_music);
  g_rmdir (moved);
  g_rmdir (root);
}

static void
test_refusals (void)
{
  g_autofree char *dir = tmpdir ();
  g_autofree char *path = g_build_filename (dir, "new.vitascope", NULL);
  g_autoptr(GError) error = NULL;

  g_assert_true (g_file_set_contents (path, "{\"format\":\"vitascope-session\",\"version\":7}", -1, NULL));
  g_assert_null (vita_session_file_read (path, &error));
  g_assert_error (error, VITA_SESSION_FILE_ERROR, VITA_SESSION_FILE_ERROR_VERSION);
  g_assert_nonnull (strstr (error->message, path));
  g_assert_nonnull (strstr (error->message, "version 7"));
  g_clear_error (&error);

  g_assert_true (g_file_set_contents (path, "{\"format\":\"vitascope-session\",\"vers", -1, NULL));
  g_assert_null (vita_session_file_read (path, &error));
  g_assert_error (error, VITA_SESSION_FILE_ERROR, VITA_SESSION_FILE_ERROR_MALFORMED);
  g_assert_nonnull (strstr (error->message, path));
  g_clear_error (&error);

  g_assert_true (g_file_set_contents (path, "{\"format\":\"vitascope-session\",\"version\":1,"
                                            "\"view\":{\"head\":\"two\"}}", -1, NULL));
  g_assert_null (vita_session_file_read (path, &error));
  g_assert_nonnull (strstr (error->message, "view.head"));
  g_clear_error (&error);

  g_autofree char *none = g_build_filename (dir, "none.vitascope", NULL);
  g_assert_null (vita_session_file_read (none, &error));
  g_assert_error (error, VITA_SESSION_FILE_ERROR, VITA_SESSION_FILE_ERROR_READ);
  g_assert_nonnull (strstr (error->message, none));
  g_clear_error (&error);
  g_unlink (path);
  g_rmdir (dir);
}

static void
test_failed_write_keeps_old (void)
{
  g_autofree char *dir = tmpdir ();
  g_autofree char *path = g_build_filename (dir, "s.vitascope", NULL);
  g_autofree char *old = NULL, *now = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(VitaSessionState) state = sample_state ("/a.wav", "/m.safetensors");

  g_assert_true (vita_session_file_write (path, state, &error));
  g_assert_true (g_file_get_contents (path, &old, NULL, NULL));
  if (getuid () == 0)
    {
      /* root writes into read-only folders: a path under a regular file fails instead */
      g_autofree char *bad = g_build_filename (path, "x.vitascope", NULL);
      g_assert_false (vita_session_file_write (bad, state, &error));
    }
  else
    {
      g_assert_cmpint (g_chmod (dir, 0555), ==, 0);
      state->view.layer = 1;
      g_assert_false (vita_session_file_write (path, state, &error));
      g_chmod (dir, 0755);
    }
  g_assert_error (error, VITA_SESSION_FILE_ERROR, VITA_SESSION_FILE_ERROR_WRITE);
  g_assert_true (g_file_get_contents (path, &now, NULL, NULL));
  g_assert_cmpstr (now, ==, old);
  g_unlink (path);
  g_rmdir (dir);
}

/* The panel arrangement: written and read back in order; a file without it (as
 * written before it existed) reads with none; a malformed one is refused by name. */
static void
test_panels (void)
{
  g_autofree char *dir = tmpdir ();
  g_autofree char *path = g_build_filename (dir, "p.vitascope", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(VitaSessionState) state = vita_session_state_new ();
  static const struct { const char *name; gboolean visible; int height; } order[] = {
    { "mel", TRUE, 260 }, { "waveform", FALSE, 0 }, { "ssm", TRUE, 400 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (order); i++)
    {
      VitaSessionPanel *p = g_new0 (VitaSessionPanel, 1);
      p->name = g_strdup (order[i].name);
      p->visible = order[i].visible;
      p->height = order[i].height;
      g_ptr_array_add (state->panels, p);
    }
  state->maximised = g_strdup ("ssm");
  state->probeogram_task = g_strdup ("onset");
  g_assert_true (vita_session_file_write (path, state, &error));
  g_autoptr(VitaSessionState) back = vita_session_file_read (path, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (back->panels->len, ==, G_N_ELEMENTS (order));
  for (guint i = 0; i < G_N_ELEMENTS (order); i++)
    {
      VitaSessionPanel *p = g_ptr_array_index (back->panels, i);
      g_assert_cmpstr (p->name, ==, order[i].name);
      g_assert_cmpint (p->visible, ==, order[i].visible);
      g_assert_cmpint (p->height, ==, order[i].height);
    }
  g_assert_cmpstr (back->maximised, ==, "ssm");
  g_assert_cmpstr (back->probeogram_task, ==, "onset");

  g_assert_true (g_file_set_contents (path, "{\"format\":\"vitascope-session\",\"version\":1}", -1, NULL));
  g_autoptr(VitaSessionState) old = vita_session_file_read (path, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (old->panels->len, ==, 0);
  g_assert_null (old->maximised);

  g_assert_true (g_file_set_contents (path, "{\"format\":\"vitascope-session\",\"version\":1,"
                                            "\"panels\":{\"order\":[{\"name\":\"mel\",\"height\":-5}]}}",
                                      -1, NULL));
  g_assert_null (vita_session_file_read (path, &error));
  g_assert_error (error, VITA_SESSION_FILE_ERROR, VITA_SESSION_FILE_ERROR_MALFORMED);
  g_assert_nonnull (strstr (error->message, path));
  g_assert_nonnull (strstr (error->message, "panels.order[0].height"));
  g_clear_error (&error);
  g_unlink (path);
  g_rmdir (dir);
}

/* The annotation layers shown: written, read back, absent in older files (all shown),
 * an unknown layer refused with the file and the field named. */
static void
test_annotation_layers (void)
{
  g_autofree char *dir = tmpdir ();
  g_autofree char *path = g_build_filename (dir, "a.vitascope", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(VitaSessionState) state = vita_session_state_new ();
  const char *shown[] = { "chords", "onsets", NULL };

  state->annotation_layers = g_strdupv ((char **) shown);
  g_assert_true (vita_session_file_write (path, state, &error));
  g_autoptr(VitaSessionState) back = vita_session_file_read (path, &error);
  g_assert_no_error (error);
  g_assert_nonnull (back->annotation_layers);
  g_assert_true (g_strv_equal ((const char *const *) back->annotation_layers, shown));

  /* none shown is recorded as such (not as "all") */
  g_clear_pointer (&state->annotation_layers, g_strfreev);
  state->annotation_layers = g_new0 (char *, 1);
  g_assert_true (vita_session_file_write (path, state, &error));
  g_autoptr(VitaSessionState) none = vita_session_file_read (path, &error);
  g_assert_no_error (error);
  g_assert_nonnull (none->annotation_layers);
  g_assert_cmpuint (g_strv_length (none->annotation_layers), ==, 0);

  g_assert_true (g_file_set_contents (path, "{\"format\":\"vitascope-session\",\"version\":1}", -1, NULL));
  g_autoptr(VitaSessionState) old = vita_session_file_read (path, &error);
  g_assert_no_error (error);
  g_assert_null (old->annotation_layers);

  g_assert_true (g_file_set_contents (path, "{\"format\":\"vitascope-session\",\"version\":1,"
                                            "\"annotation_layers\":[\"beats\",\"tempo\"]}", -1, NULL));
  g_assert_null (vita_session_file_read (path, &error));
  g_assert_error (error, VITA_SESSION_FILE_ERROR, VITA_SESSION_FILE_ERROR_MALFORMED);
  g_assert_nonnull (strstr (error->message, path));
  g_assert_nonnull (strstr (error->message, "annotation_layers[1]"));
  g_clear_error (&error);
  g_unlink (path);
  g_rmdir (dir);
}

/* "active_view": the view shown when saved, by name; absent in older files; a name that
 * is not a string is refused with the field named. */
static void
test_active_view (void)
{
  g_autofree char *dir = tmpdir ();
  g_autofree char *path = g_build_filename (dir, "v.vitascope", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(VitaSessionState) state = vita_session_state_new ();

  g_ptr_array_add (state->views, vita_session_named_view_new ("Learning"));
  g_ptr_array_add (state->views, vita_session_named_view_new ("Structure"));
  state->active_view = g_strdup ("Structure");
  g_assert_true (vita_session_file_write (path, state, &error));
  g_autoptr(VitaSessionState) back = vita_session_file_read (path, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (back->views->len, ==, 2);
  g_assert_cmpstr (back->active_view, ==, "Structure");

  g_clear_pointer (&state->active_view, g_free);
  g_assert_true (vita_session_file_write (path, state, &error));
  g_autoptr(VitaSessionState) none = vita_session_file_read (path, &error);
  g_assert_no_error (error);
  g_assert_null (none->active_view);

  g_assert_true (g_file_set_contents (path, "{\"format\":\"vitascope-session\",\"version\":1,"
                                            "\"active_view\":2}", -1, NULL));
  g_assert_null (vita_session_file_read (path, &error));
  g_assert_error (error, VITA_SESSION_FILE_ERROR, VITA_SESSION_FILE_ERROR_MALFORMED);
  g_assert_nonnull (strstr (error->message, path));
  g_assert_nonnull (strstr (error->message, "active_view"));
  g_clear_error (&error);
  g_unlink (path);
  g_rmdir (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/session-file/round-trip-and-move", test_round_trip_and_move);
  g_test_add_func ("/session-file/refusals", test_refusals);
  g_test_add_func ("/session-file/failed-write-keeps-old", test_failed_write_keeps_old);
  g_test_add_func ("/session-file/panels", test_panels);
  g_test_add_func ("/session-file/annotation-layers", test_annotation_layers);
  g_test_add_func ("/session-file/active-view", test_active_view);
  return g_test_run ();
}
