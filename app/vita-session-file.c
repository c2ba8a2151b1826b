/* vita-session-file.c — `.vitascope` session files (see vita-session-file.h). */
#include "vita-session-file.h"
#include "model/vita-json.h"

#include "model/vita-file.h"

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

G_DEFINE_QUARK (vita-session-file-error-quark, vita_session_file_error)

VitaSessionState *
vita_session_state_new (void)
{
  VitaSessionState *state = g_new0 (VitaSessionState, 1);

  state->models = g_ptr_array_new_with_free_func ((GDestroyNotify) vita_session_ref_free);
  state->annotations = g_ptr_array_new_with_free_func ((GDestroyNotify) vita_session_ref_free);
  state->probes = g_ptr_array_new_with_free_func ((GDestroyNotify) vita_session_ref_free);
  state->panels = g_ptr_array_new_with_free_func ((GDestroyNotify) vita_session_panel_free);
  state->view.head = -1;
  state->view.query_token = -1;
  state->view.attention_mode = VITA_ATTENTION_HEAD;
  state->view.speed = 1.0;
  state->views = g_ptr_array_new_with_free_func ((GDestroyNotify) vita_session_named_view_free);
  return state;
}

VitaSessionNamedView *
vita_session_named_view_new (const char *name)
{
  VitaSessionNamedView *nv = g_new0 (VitaSessionNamedView, 1);

  nv->name = g_strdup (name);
  nv->view.head = -1;
  nv->view.query_token = -1;
  nv->view.speed = 1.0;
  return nv;
}

void
vita_session_named_view_free (VitaSessionNamedView *nv)
{
  if (nv == NULL)
    return;
  g_free (nv->name);
  g_strfreev (nv->panels);
  g_free (nv->view.colormap);
  g_free (nv->view.follow);
  g_free (nv);
}

VitaSessionNamedView *
vita_session_named_view_copy (const VitaSessionNamedView *nv)
{
  VitaSessionNamedView *c = g_new0 (VitaSessionNamedView, 1);

  *c = *nv;
  c->name = g_strdup (nv->name);
  c->panels = g_strdupv (nv->panels);
  c->view.colormap = g_strdup (nv->view.colormap);
  c->view.follow = g_strdup (nv->view.follow);
  return c;
}

void
vita_session_state_free (VitaSessionState *state)
{
  if (state == NULL)
    return;
  vita_session_ref_free (state->audio);
  g_ptr_array_unref (state->models);
  g_ptr_array_unref (state->annotations);
  g_ptr_array_unref (state->probes);
  g_ptr_array_unref (state->panels);
  g_free (state->maximised);
  g_free (state->probeogram_task);
  g_strfreev (state->annotation_layers);
  g_free (state->view.colormap);
  g_free (state->view.follow);
  vita_session_compare_free (state->compare);
  vita_attr_settings_clear (&state->attribution);
  g_free (state->series);
  g_ptr_array_unref (state->views);
  g_free (state->active_view);
  g_free (state);
}

void
vita_session_compare_free (VitaSessionCompare *compare)
{
  if (compare == NULL)
    return;
  vita_session_ref_free (compare->model);
  g_strfreev (compare->edits);
  if (compare->probes_b != NULL)
    g_ptr_array_unref (compare->probes_b);
  g_free (compare);
}

VitaSessionRef *
vita_session_ref_new (const char *path, const char *sha256)
{
  VitaSessionRef *ref = g_new0 (VitaSessionRef, 1);
  GStatBuf st;

  ref->path = g_strdup (path);
  ref->sha256 = sha256 && *sha256 ? g_ascii_strdown (sha256, -1) : NULL;
  ref->size = ref->mtime = -1;
  if (path != NULL && g_stat (path, &st) == 0)
    {
      ref->size = (gint64) st.st_size;
      ref->mtime = (gint64) st.st_mtime;
      ref->found = TRUE;
    }
  return ref;
}

void
vita_session_ref_free (VitaSessionRef *ref)
{
  if (ref == NULL)
    return;
  g_free (ref->path);
  g_free (ref->relative);
  g_free (ref->sha256);
  g_free (ref);
}

void
vita_session_panel_free (VitaSessionPanel *panel)
{
  if (panel == NULL)
    return;
  g_free (panel->name);
  g_free (panel);
}

/* ------------------------------------------------------------------ reading */

typedef struct {
  const char *path;     /* the session file, for messages */
  char       *dir;      /* its folder, for relative paths */
  GError    **error;
} Reader;

static gboolean
fail (Reader *r, const char *field, const char *problem)
{
  g_set_error (r->error, VITA_SESSION_FILE_ERROR, VITA_SESSION_FILE_ERROR_MALFORMED,
               "Session file “%s” is not valid: %s%s%s", r->path, field ? field : "",
               field ? " " : "", problem);
  return FALSE;
}

/* A member of `obj` of the given JSON type; absent → *node NULL (fine when optional). */
static gboolean
member (Reader *r, JsonObject *obj, const char *parent, const char *name, JsonNodeType type,
        gboolean required, JsonNode **node)
{
  g_autofree char *field = g_strdup_printf ("“%s%s%s”", parent ? parent : "", parent ? "." : "", name);

  *node = json_object_has_member (obj, name) ? json_object_get_member (obj, name) : NULL;
  if (*node == NULL || (JSON_NODE_HOLDS_NULL (*node) && !required))
    {
      *node = NULL;
      return required ? fail (r, field, "is missing") : TRUE;
    }
  if (JSON_NODE_TYPE (*node) != type)
    {
      const char *want = type == JSON_NODE_OBJECT ? "an object" : type == JSON_NODE_ARRAY ? "an array"
                                                                                          : "a value";
      g_autofree char *problem = g_strdup_printf ("must be %s", want);
      return fail (r, field, problem);
    }
  return TRUE;
}

static gboolean
get_int (Reader *r, JsonObject *obj, const char *parent, const char *name, gint64 min, gint64 max,
         gint64 *out)
{
  g_autofree char *field = g_strdup_printf ("“%s.%s”", parent, name);
  JsonNode *node;

  if (!member (r, obj, parent, name, JSON_NODE_VALUE, FALSE, &node))
    return FALSE;
  if (node == NULL)
    return TRUE;
  if (json_node_get_value_type (node) != G_TYPE_INT64)
    return fail (r, field, "must be an integer");
  gint64 v = json_node_get_int (node);
  if (v < min || v > max)
    {
      g_autofree char *problem = g_strdup_printf ("is %" G_GINT64_FORMAT ", outside %" G_GINT64_FORMAT
                                                  "…%" G_GINT64_FORMAT, v, min, max);
      return fail (r, field, problem);
    }
  *out = v;
  return TRUE;
}

static gboolean
get_string (Reader *r, JsonObject *obj, const char *parent, const char *name, gboolean required,
            char **out)
{
  g_autofree char *field = g_strdup_printf ("“%s%s%s”", parent ? parent : "", parent ? "." : "", name);
  JsonNode *node;

  if (!member (r, obj, parent, name, JSON_NODE_VALUE, required, &node))
    return FALSE;
  if (node == NULL)
    return TRUE;
  if (json_node_get_value_type (node) != G_TYPE_STRING)
    return fail (r, field, "must be a string");
  const char *s = json_node_get_string (node);
  if (!g_utf8_validate (s, -1, NULL) || (required && *s == '\0'))
    return fail (r, field, *s ? "is not UTF-8" : "is empty");
  g_free (*out);
  *out = g_strdup (s);
  return TRUE;
}

static gboolean
get_bool (Reader *r, JsonObject *obj, const char *parent, const char *name, gboolean *out)
{
  g_autofree char *field = g_strdup_printf ("“%s.%s”", parent, name);
  JsonNode *node;

  if (!member (r, obj, parent, name, JSON_NODE_VALUE, FALSE, &node))
    return FALSE;
  if (node == NULL)
    return TRUE;
  if (json_node_get_value_type (node) != G_TYPE_BOOLEAN)
    return fail (r, field, "must be true or false");
  *out = json_node_get_boolean (node);
  return TRUE;
}

static gboolean
is_sha256 (const char *s)
{
  if (strlen (s) != 64)
    return FALSE;
  for (const char *p = s; *p; p++)
    if (!g_ascii_isxdigit (*p))
      return FALSE;
  return TRUE;
}

/* {"path": relative, "absolute": path, "size", "mtime", "sha256"}: relative first. */
static VitaSessionRef *
read_ref (Reader *r, JsonNode *node, const char *field)
{
  g_autofree char *relative = NULL, *absolute = NULL, *sha = NULL;
  gint64 size = -1, mtime = -1;
  JsonObject *obj;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      fail (r, field, "must be an object");
      return NULL;
    }
  obj = json_node_get_object (node);
  if (!get_string (r, obj, field, "path", FALSE, &relative) ||
      !get_string (r, obj, field, "absolute", FALSE, &absolute) ||
      !get_string (r, obj, field, "sha256", FALSE, &sha) ||
      !get_int (r, obj, field, "size", -1, G_MAXINT64, &size) ||
      !get_int (r, obj, field, "mtime", -1, G_MAXINT64, &mtime))
    return NULL;
  if ((relative == NULL || *relative == '\0') && (absolute == NULL || !g_path_is_absolute (absolute)))
    {
      fail (r, field, "names no file (needs “path” or an absolute “absolute”)");
      return NULL;
    }
  if (sha != NULL && !is_sha256 (sha))
    {
      g_autofree char *f = g_strdup_printf ("%s.sha256", field);
      fail (r, f, "is not a SHA-256 (64 hex digits)");
      return NULL;
    }

  VitaSessionRef *ref = g_new0 (VitaSessionRef, 1);
  g_autofree char *from_relative = NULL;
  if (relative != NULL && *relative)
    from_relative = g_path_is_absolute (relative) ? g_strdup (relative)
                                                  : g_build_filename (r->dir, relative, NULL);
  if (from_relative != NULL)
    {
      g_autoptr(GFile) f = g_file_new_for_path (from_relative);   /* canonical: no "a/../" */
      g_free (from_relative);
      from_relative = g_file_get_path (f);
    }
  /* The relative path first: a session moved with its files keeps working. */
  if (from_relative != NULL && g_file_test (from_relative, G_FILE_TEST_IS_REGULAR))
    ref->path = g_steal_pointer (&from_relative), ref->found = TRUE;
  else if (absolute != NULL && g_path_is_absolute (absolute) && g_file_test (absolute, G_FILE_TEST_IS_REGULAR))
    ref->path = g_steal_pointer (&absolute), ref->found = TRUE;
  else
    ref->path = absolute && g_path_is_absolute (absolute) ? g_steal_pointer (&absolute)
                                                          : g_steal_pointer (&from_relative);
  ref->relative = g_steal_pointer (&relative);
  ref->sha256 = sha ? g_ascii_strdown (sha, -1) : NULL;
  ref->size = size;
  ref->mtime = mtime;
  return ref;
}

static gboolean
read_refs (Reader *r, JsonObject *root, const char *name, GPtrArray *out)
{
  JsonNode *node;

  if (!member (r, root, NULL, name, JSON_NODE_ARRAY, FALSE, &node))
    return FALSE;
  if (node == NULL)
    return TRUE;
  JsonArray *array = json_node_get_array (node);
  guint n = json_array_get_length (array);
  if (n > 4096)
    return fail (r, name, "lists more than 4096 files");
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *field = g_strdup_printf ("%s[%u]", name, i);
      VitaSessionRef *ref = read_ref (r, json_array_get_element (array, i), field);
      if (ref == NULL)
        return FALSE;
      g_ptr_array_add (out, ref);
    }
  return TRUE;
}

static gboolean
read_view (Reader *r, JsonObject *root, VitaSessionView *view)
{
  JsonNode *node;
  JsonObject *obj;
  gint64 v;
  g_autofree char *mode = NULL;

  if (!member (r, root, NULL, "view", JSON_NODE_OBJECT, FALSE, &node))
    return FALSE;
  if (node == NULL)
    return TRUE;
  obj = json_node_get_object (node);
#define INT_FIELD(name, min, max, dest) \
  v = (dest); \
  if (!get_int (r, obj, "view", name, min, max, &v)) return FALSE; \
  (dest) = v;
  INT_FIELD ("sample_rate", 0, 1000000, view->sample_rate);
  INT_FIELD ("position", 0, G_MAXINT64 / 4, view->position);
  INT_FIELD ("visible_start", 0, G_MAXINT64 / 4, view->visible_start);
  INT_FIELD ("visible_end", 0, G_MAXINT64 / 4, view->visible_end);
  INT_FIELD ("selection_start", 0, G_MAXINT64 / 4, view->selection_start);
  INT_FIELD ("selection_end", 0, G_MAXINT64 / 4, view->selection_end);
  INT_FIELD ("layer", 0, 4096, view->layer);
  INT_FIELD ("head", -1, 4096, view->head);
  INT_FIELD ("query_token", -1, G_MAXINT32, view->query_token);
#undef INT_FIELD
  if (view->visible_end < view->visible_start)
    return fail (r, "“view.visible_end”", "is before “view.visible_start”");
  if (view->selection_end < view->selection_start)
    return fail (r, "“view.selection_end”", "is before “view.selection_start”");
  if (!get_string (r, obj, "view", "attention_mode", FALSE, &mode) ||
      !get_string (r, obj, "view", "colormap", FALSE, &view->colormap) ||
      !get_string (r, obj, "view", "follow", FALSE, &view->follow) ||
      !get_bool (r, obj, "view", "loop", &view->loop) ||
      !get_bool (r, obj, "view", "onset_clicks", &view->onset_clicks))
    return FALSE;
  if (mode != NULL)
    {
      if (g_str_equal (mode, "rollout"))
        view->attention_mode = VITA_ATTENTION_ROLLOUT;
      else if (g_str_equal (mode, "average"))
        view->attention_mode = VITA_ATTENTION_HEAD, view->head = -1;
      else if (g_str_equal (mode, "head"))
        view->attention_mode = VITA_ATTENTION_HEAD;
      else
        return fail (r, "“view.attention_mode”", "must be “head”, “average” or “rollout”");
    }
  VitaColormap cmap;
  if (view->colormap != NULL && !vita_colormap_from_string (view->colormap, &cmap))
    return fail (r, "“view.colormap”", "is not a colormap (viridis, magma, inferno, gray)");
  if (view->follow != NULL && !g_str_equal (view->follow, "page") &&
      !g_str_equal (view->follow, "continuous") && !g_str_equal (view->follow, "off"))
    return fail (r, "“view.follow”", "must be “page”, “continuous” or “off”");
  if (!member (r, obj, "view", "speed", JSON_NODE_VALUE, FALSE, &node))
    return FALSE;
  if (node != NULL)
    {
      GType t = json_node_get_value_type (node);
      double speed = t == G_TYPE_DOUBLE ? json_node_get_double (node)
                   : t == G_TYPE_INT64 ? (double) json_node_get_int (node) : NAN;
      if (!(speed >= 0.25 && speed <= 4.0))
        return fail (r, "“view.speed”", "must be a number from 0.25 to 4");
      view->speed = speed;
    }
  return TRUE;
}

/* "compare": see vita-session-file.h. */
static gboolean
read_compare (Reader *r, JsonNode *node, VitaSessionCompare **out)
{
  g_autoptr(VitaSessionCompare) c = g_new0 (VitaSessionCompare, 1);
  g_autofree char *kind = NULL, *view = NULL;
  JsonObject *obj = json_node_get_object (node);
  JsonNode *sub;
  gint64 seed = 0, layer_b = -100, head_b = -1;
  c->probes_b = g_ptr_array_new_with_free_func ((GDestroyNotify) vita_session_ref_free);
  if (!get_int (r, obj, "compare", "layer_b", 0, 4096, &layer_b) ||
      !get_int (r, obj, "compare", "head_b", -1, 4096, &head_b) ||
      !read_refs (r, obj, "probes_b", c->probes_b))
    return FALSE;
  c->has_layer_b = layer_b >= 0;
  c->layer_b = c->has_layer_b ? (int) layer_b : 0;
  c->head_b = (int) head_b;
  if (!get_string (r, obj, "compare", "kind", TRUE, &kind) ||
      !get_string (r, obj, "compare", "view", FALSE, &view) ||
      !get_bool (r, obj, "compare", "per_side_scale", &c->per_side_scale) ||
      !get_int (r, obj, "compare", "seed", 0, G_MAXINT64, &seed))
    return FALSE;
  c->seed = (guint64) seed;
  if (g_str_equal (kind, "model"))
    {
      c->kind = 0;
      if (!member (r, obj, "compare", "model", JSON_NODE_OBJECT, TRUE, &sub) ||
          (c->model = read_ref (r, sub, "“compare.model”")) == NULL)
        return FALSE;
    }
  else if (g_str_equal (kind, "twin"))
    c->kind = 1;
  else if (g_str_equal (kind, "edit"))
    {
      c->kind = 2;
      if (!member (r, obj, "compare", "edits", JSON_NODE_ARRAY, TRUE, &sub))
        return FALSE;
      JsonArray *arr = json_node_get_array (sub);
      guint n = json_array_get_length (arr);
      if (n == 0)
        return fail (r, "“compare.edits”", "is empty");
      c->edits = g_new0 (char *, n + 1);
      for (guint i = 0; i < n; i++)
        {
          JsonNode *e = json_array_get_element (arr, i);
          if (!JSON_NODE_HOLDS_VALUE (e) || json_node_get_value_type (e) != G_TYPE_STRING)
            return fail (r, "“compare.edits”", "must hold strings (edits such as “transpose:+2”)");
          c->edits[i] = g_strdup (json_node_get_string (e));
        }
    }
  else
    return fail (r, "“compare.kind”", "must be “model”, “twin” or “edit”");
  if (view != NULL && !g_str_equal (view, "side-by-side") && !g_str_equal (view, "difference"))
    return fail (r, "“compare.view”", "must be “side-by-side” or “difference”");
  c->difference = view != NULL && g_str_equal (view, "difference");
  *out = g_steal_pointer (&c);
  return TRUE;
}

/* "series": {"path", "step"} and "views": [{"name", "panels": [...], "view": {...}}]. */
static gboolean
read_series_and_views (Reader *r, JsonObject *root, VitaSessionState *state)
{
  JsonNode *node;

  if (!member (r, root, NULL, "series", JSON_NODE_OBJECT, FALSE, &node))
    return FALSE;
  if (node != NULL)
    {
      JsonObject *obj = json_node_get_object (node);
      g_autofree char *path = NULL;
      if (!get_string (r, obj, "series", "path", TRUE, &path) ||
          !get_int (r, obj, "series", "step", 0, G_MAXINT64 / 4, &state->series_step))
        return FALSE;
      state->series = g_path_is_absolute (path) ? g_steal_pointer (&path)
                                                : g_build_filename (r->dir, path, NULL);
    }
  if (!get_string (r, root, NULL, "active_view", FALSE, &state->active_view) ||
      !member (r, root, NULL, "views", JSON_NODE_ARRAY, FALSE, &node))
    return FALSE;
  if (node == NULL)
    return TRUE;
  JsonArray *array = json_node_get_array (node);
  guint n = json_array_get_length (array);
  if (n > 256)
    return fail (r, "“views”", "lists more than 256 views");
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *field = g_strdup_printf ("views[%u]", i);
      JsonNode *e = json_array_get_element (array, i);
      if (!JSON_NODE_HOLDS_OBJECT (e))
        return fail (r, field, "must be an object");
      JsonObject *obj = json_node_get_object (e);
      g_autoptr(GStrvBuilder) panels = g_strv_builder_new ();
      g_autofree char *name = NULL;
      VitaSessionNamedView *nv;
      if (!get_string (r, obj, field, "name", TRUE, &name))
        return FALSE;
      nv = vita_session_named_view_new (name);
      g_ptr_array_add (state->views, nv);
      if (!member (r, obj, field, "panels", JSON_NODE_ARRAY, FALSE, &node))
        return FALSE;
      if (node != NULL)
        {
          JsonArray *pa = json_node_get_array (node);
          for (guint k = 0; k < json_array_get_length (pa) && k < 64; k++)
            {
              JsonNode *pn = json_array_get_element (pa, k);
              VitaPanel panel;
              if (!JSON_NODE_HOLDS_VALUE (pn) || json_node_get_value_type (pn) != G_TYPE_STRING ||
                  !vita_panel_from_string (json_node_get_string (pn), &panel))
                {
                  g_autofree char *f = g_strdup_printf ("“%s.panels[%u]”", field, k);
                  return fail (r, f, "is not a panel name");
                }
              g_strv_builder_add (panels, json_node_get_string (pn));
            }
          nv->panels = g_strv_builder_end (panels);
        }
      if (!read_view (r, obj, &nv->view))
        return FALSE;
    }
  return TRUE;
}

/* "annotation_layers": the names of the layers shown (optional). */
static gboolean
read_annotation_layers (Reader *r, JsonObject *root, VitaSessionState *state)
{
  static const char *const known[] = { "chords", "beats", "onsets", "key", NULL };
  g_autoptr(GStrvBuilder) names = g_strv_builder_new ();
  JsonNode *node;

  if (!member (r, root, NULL, "annotation_layers", JSON_NODE_ARRAY, FALSE, &node))
    return FALSE;
  if (node == NULL)
    return TRUE;
  JsonArray *array = json_node_get_array (node);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *el = json_array_get_element (array, i);
      if (!JSON_NODE_HOLDS_VALUE (el) || json_node_get_value_type (el) != G_TYPE_STRING ||
          !g_strv_contains (known, json_node_get_string (el)))
        {
          g_autofree char *f = g_strdup_printf ("“annotation_layers[%u]”", i);
          return fail (r, f, "is not an annotation layer (chords, beats, onsets, key)");
        }
      if (i < 16)
        g_strv_builder_add (names, json_node_get_string (el));
    }
  state->annotation_layers = g_strv_builder_end (names);
  return TRUE;
}

/* "panels": { "order": [ { "name", "visible", "height" } ], "maximised": NAME }
 * (optional; see vita-session-file.h). */
static gboolean
read_panels (Reader *r, JsonObject *root, VitaSessionState *state)
{
  JsonNode *node;
  JsonObject *obj;

  if (!member (r, root, NULL, "panels", JSON_NODE_OBJECT, FALSE, &node))
    return FALSE;
  if (node == NULL)
    return TRUE;
  obj = json_node_get_object (node);
  if (!get_string (r, obj, "panels", "maximised", FALSE, &state->maximised) ||
      !get_string (r, obj, "panels", "probeogram_task", FALSE, &state->probeogram_task) ||
      !member (r, obj, "panels", "order", JSON_NODE_ARRAY, FALSE, &node))
    return FALSE;
  if (node == NULL)
    return TRUE;
  JsonArray *array = json_node_get_array (node);
  guint n = json_array_get_length (array);
  if (n > 256)
    return fail (r, "“panels.order”", "lists more than 256 panels");
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *field = g_strdup_printf ("panels.order[%u]", i);
      g_autofree char *name = NULL;
      JsonNode *el = json_array_get_element (array, i);
      gboolean visible = TRUE;
      gint64 height = 0;

      if (!JSON_NODE_HOLDS_OBJECT (el))
        {
          g_autofree char *quoted = g_strdup_printf ("“%s”", field);
          return fail (r, quoted, "must be an object");
        }
      obj = json_node_get_object (el);
      if (!get_string (r, obj, field, "name", TRUE, &name) ||
          !get_bool (r, obj, field, "visible", &visible) ||
          !get_int (r, obj, field, "height", 0, 100000, &height))
        return FALSE;
      VitaSessionPanel *panel = g_new0 (VitaSessionPanel, 1);
      panel->name = g_steal_pointer (&name);
      panel->visible = visible;
      panel->height = (int) height;
      g_ptr_array_add (state->panels, panel);
    }
  return TRUE;
}

VitaSessionState *
vita_session_file_parse (const char *data, gsize length, const char *path, GError **error)
{
  g_autoptr(JsonNode) parsed = NULL;
  g_autoptr(GError) json_error = NULL;
  g_autoptr(VitaSessionState) state = NULL;
  g_autofree char *format = NULL;
  Reader r = { path ? path : "(session)", NULL, error };
  JsonObject *root;
  JsonNode *node;
  gint64 version = 0;

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (data == NULL || length == 0)
    {
      fail (&r, NULL, "the file is empty");
      return NULL;
    }
  if (!g_utf8_validate (data, length, NULL))
    {
      fail (&r, NULL, "the file is not UTF-8 text");
      return NULL;
    }
  /* the strict reader (issue 15.4): depth limit, duplicate keys, NUL in strings and
   * numbers past their range refused, with the line and column */
  parsed = vita_json_parse_strict (data, length, "", &json_error);
  if (parsed == NULL)
    {
      const char *m = json_error->message;
      if (g_str_has_prefix (m, ": "))   /* the file is named by fail() */
        m += 2;
      fail (&r, NULL, m);
      return NULL;
    }
  node = parsed;
  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    {
      fail (&r, NULL, "the document is not a JSON object");
      return NULL;
    }
  root = json_node_get_object (node);
  r.dir = path ? g_path_get_dirname (path) : g_get_current_dir ();
  if (!g_path_is_absolute (r.dir))
    {
      g_autofree char *cwd = g_get_current_dir ();
      g_autofree char *rel = r.dir;
      r.dir = g_build_filename (cwd, rel, NULL);
    }
  state = vita_session_state_new ();
  if (!get_string (&r, root, NULL, "format", TRUE, &format))
    goto fault;
  if (!g_str_equal (format, VITA_SESSION_FILE_FORMAT))
    {
      g_autofree char *problem = g_strdup_printf ("is “%s”, not “" VITA_SESSION_FILE_FORMAT "”", format);
      fail (&r, "“format”", problem);
      goto fault;
    }
  if (!member (&r, root, NULL, "version", JSON_NODE_VALUE, TRUE, &node))
    goto fault;
  if (json_node_get_value_type (node) != G_TYPE_INT64 || (version = json_node_get_int (node)) < 1)
    {
      fail (&r, "“version”", "must be a positive integer");
      goto fault;
    }
  if (version > VITA_SESSION_FILE_VERSION)
    {
      g_set_error (error, VITA_SESSION_FILE_ERROR, VITA_SESSION_FILE_ERROR_VERSION,
                   "Session file “%s” has version %" G_GINT64_FORMAT ", written by a newer "
                   "Vitascope; this one reads version %d", r.path, version, VITA_SESSION_FILE_VERSION);
      goto fault;
    }
  if (!member (&r, root, NULL, "audio", JSON_NODE_OBJECT, FALSE, &node))
    goto fault;
  if (node != NULL && (state->audio = read_ref (&r, node, "“audio”")) == NULL)
    goto fault;
  if (!read_refs (&r, root, "models", state->models) ||
      !read_refs (&r, root, "annotations", state->annotations) ||
      !read_refs (&r, root, "probes", state->probes) ||
      !read_view (&r, root, &state->view) ||
      !read_annotation_layers (&r, root, state) ||
      !vita_attr_settings_read (&state->attribution, root, r.path, error))
    goto fault;
  if (!member (&r, root, NULL, "compare", JSON_NODE_OBJECT, FALSE, &node))
    goto fault;
  if (node != NULL && !read_compare (&r, node, &state->compare))
    goto fault;
  if (!member (&r, root, NULL, "window", JSON_NODE_OBJECT, FALSE, &node))
    goto fault;
  if (node != NULL)
    {
      gint64 w = 0, h = 0;
      JsonObject *obj = json_node_get_object (node);
      if (!get_int (&r, obj, "window", "width", 0, 100000, &w) ||
          !get_int (&r, obj, "window", "height", 0, 100000, &h))
        goto fault;
      state->window_width = (int) w;
      state->window_height = (int) h;
    }
  if (!read_series_and_views (&r, root, state))
    goto fault;
  if (!read_panels (&r, root, state))
    goto fault;
  g_free (r.dir);
  return g_steal_pointer (&state);

fault:
  g_free (r.dir);
  return NULL;
}

VitaSessionState *
vita_session_file_read (const char *path, GError **error)
{
  g_autofree char *data = NULL;
  g_autofree char *absolute = NULL;
  g_autoptr(GError) local = NULL;
  gsize length = 0;

  g_return_val_if_fail (path != NULL, NULL);

  if (!g_file_get_contents (path, &data, &length, &local))
    {
      g_set_error (error, VITA_SESSION_FILE_ERROR, VITA_SESSION_FILE_ERROR_READ,
                   "Cannot read session file “%s”: %s", path, local->message);
      return NULL;
    }
  if (length > 16 * 1024 * 1024)
    {
      g_set_error (error, VITA_SESSION_FILE_ERROR, VITA_SESSION_FILE_ERROR_MALFORMED,
                   "Session file “%s” is not valid: larger than 16 MiB", path);
      return NULL;
    }
  if (g_path_is_absolute (path))
    absolute = g_strdup (path);
  else
    {
      g_autofree char *cwd = g_get_current_dir ();
      absolute = g_build_filename (cwd, path, NULL);
    }
  return vita_session_file_parse (data, length, absolute, error);
}

/* ------------------------------------------------------------------ writing */

/* `path` relative to `dir` ("../music/a.ogg"), both absolute. */
static char *
relative_path (const char *dir, const char *path)
{
  g_auto(GStrv) a = g_strsplit (dir, G_DIR_SEPARATOR_S, -1);
  g_auto(GStrv) b = g_strsplit (path, G_DIR_SEPARATOR_S, -1);
  g_autoptr(GString) out = g_string_new (NULL);
  guint na = g_strv_length (a), nb = g_strv_length (b), common = 0;

  while (common < na && common + 1 < nb && g_str_equal (a[common], b[common]))
    common++;
  for (guint i = common; i < na; i++)
    if (*a[i])
      g_string_append (out, ".." G_DIR_SEPARATOR_S);
  for (guint i = common; i < nb; i++)
    {
      g_string_append (out, b[i]);
      if (i + 1 < nb)
        g_string_append (out, G_DIR_SEPARATOR_S);
    }
  return g_string_free (g_steal_pointer (&out), FALSE);
}

static void
write_ref (JsonBuilder *b, const char *dir, const VitaSessionRef *ref)
{
  g_autofree char *relative = ref->path ? relative_path (dir, ref->path) : NULL;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "path");
  json_builder_add_string_value (b, relative ? relative : ref->relative);
  json_builder_set_member_name (b, "absolute");
  json_builder_add_string_value (b, ref->path);
  json_builder_set_member_name (b, "size");
  json_builder_add_int_value (b, ref->size);
  json_builder_set_member_name (b, "mtime");
  json_builder_add_int_value (b, ref->mtime);
  if (ref->sha256 != NULL)
    {
      json_builder_set_member_name (b, "sha256");
      json_builder_add_string_value (b, ref->sha256);
    }
  json_builder_end_object (b);
}

static void
write_refs (JsonBuilder *b, const char *dir, const char *name, GPtrArray *refs)
{
  json_builder_set_member_name (b, name);
  json_builder_begin_array (b);
  for (guint i = 0; refs != NULL && i < refs->len; i++)
    write_ref (b, dir, g_ptr_array_index (refs, i));
  json_builder_end_array (b);
}

static void
write_view (JsonBuilder *b, const VitaSessionView *v)
{
  json_builder_set_member_name (b, "view");
  json_builder_begin_object (b);
#define INT_MEMBER(name, value) json_builder_set_member_name (b, name); json_builder_add_int_value (b, value)
  INT_MEMBER ("sample_rate", v->sample_rate);
  INT_MEMBER ("position", v->position);
  INT_MEMBER ("visible_start", v->visible_start);
  INT_MEMBER ("visible_end", v->visible_end);
  INT_MEMBER ("selection_start", v->selection_start);
  INT_MEMBER ("selection_end", v->selection_end);
  INT_MEMBER ("layer", v->layer);
  INT_MEMBER ("head", v->head);
  INT_MEMBER ("query_token", v->query_token);
#undef INT_MEMBER
  json_builder_set_member_name (b, "attention_mode");
  json_builder_add_string_value (b, v->attention_mode == VITA_ATTENTION_ROLLOUT ? "rollout"
                                    : v->head < 0 ? "average" : "head");
  json_builder_set_member_name (b, "colormap");
  json_builder_add_string_value (b, v->colormap ? v->colormap : "viridis");
  json_builder_set_member_name (b, "follow");
  json_builder_add_string_value (b, v->follow ? v->follow : "page");
  json_builder_set_member_name (b, "speed");
  json_builder_add_double_value (b, v->speed);
  json_builder_set_member_name (b, "loop");
  json_builder_add_boolean_value (b, v->loop);
  json_builder_set_member_name (b, "onset_clicks");
  json_builder_add_boolean_value (b, v->onset_clicks);
  json_builder_end_object (b);
}

char *
vita_session_file_to_data (const char *path, const VitaSessionState *state)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *dir = g_path_get_dirname (path);
  const VitaSessionView *v = &state->view;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "format");
  json_builder_add_string_value (b, VITA_SESSION_FILE_FORMAT);
  json_builder_set_member_name (b, "version");
  json_builder_add_int_value (b, VITA_SESSION_FILE_VERSION);
  if (state->audio != NULL)
    {
      json_builder_set_member_name (b, "audio");
      write_ref (b, dir, state->audio);
    }
  write_refs (b, dir, "models", state->models);
  write_refs (b, dir, "annotations", state->annotations);
  write_refs (b, dir, "probes", state->probes);

  write_view (b, v);

  if (state->annotation_layers != NULL)
    {
      json_builder_set_member_name (b, "annotation_layers");
      json_builder_begin_array (b);
      for (char **l = state->annotation_layers; *l != NULL; l++)
        json_builder_add_string_value (b, *l);
      json_builder_end_array (b);
    }

  if (state->compare != NULL)
    {
      const VitaSessionCompare *c = state->compare;
      static const char *const kinds[] = { "model", "twin", "edit" };
      json_builder_set_member_name (b, "compare");
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "kind");
      json_builder_add_string_value (b, kinds[CLAMP (c->kind, 0, 2)]);
      if (c->model != NULL)
        {
          json_builder_set_member_name (b, "model");
          write_ref (b, dir, c->model);
        }
      json_builder_set_member_name (b, "seed");
      json_builder_add_int_value (b, (gint64) MIN (c->seed, (guint64) G_MAXINT64));
      if (c->edits != NULL)
        {
          json_builder_set_member_name (b, "edits");
          json_builder_begin_array (b);
          for (int i = 0; c->edits[i]; i++)
            json_builder_add_string_value (b, c->edits[i]);
          json_builder_end_array (b);
        }
      json_builder_set_member_name (b, "view");
      json_builder_add_string_value (b, c->difference ? "difference" : "side-by-side");
      json_builder_set_member_name (b, "per_side_scale");
      json_builder_add_boolean_value (b, c->per_side_scale);
      if (c->has_layer_b)
        {
          json_builder_set_member_name (b, "layer_b");
          json_builder_add_int_value (b, c->layer_b);
          json_builder_set_member_name (b, "head_b");
          json_builder_add_int_value (b, c->head_b);
        }
      if (c->probes_b != NULL && c->probes_b->len > 0)
        write_refs (b, dir, "probes_b", c->probes_b);
      json_builder_end_object (b);
    }

  if (state->window_width > 0 && state->window_height > 0)
    {
      json_builder_set_member_name (b, "window");
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "width");
      json_builder_add_int_value (b, state->window_width);
      json_builder_set_member_name (b, "height");
      json_builder_add_int_value (b, state->window_height);
      json_builder_end_object (b);
    }
  vita_attr_settings_write (&state->attribution, b);
  if (state->series != NULL)
    {
      json_builder_set_member_name (b, "series");
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "path");
      json_builder_add_string_value (b, state->series);
      json_builder_set_member_name (b, "step");
      json_builder_add_int_value (b, state->series_step);
      json_builder_end_object (b);
    }
  if (state->views != NULL && state->views->len > 0)
    {
      json_builder_set_member_name (b, "views");
      json_builder_begin_array (b);
      for (guint i = 0; i < state->views->len; i++)
        {
          const VitaSessionNamedView *nv = g_ptr_array_index (state->views, i);
          json_builder_begin_object (b);
          json_builder_set_member_name (b, "name");
          json_builder_add_string_value (b, nv->name);
          if (nv->panels != NULL)
            {
              json_builder_set_member_name (b, "panels");
              json_builder_begin_array (b);
              for (char **p = nv->panels; *p; p++)
                json_builder_add_string_value (b, *p);
              json_builder_end_array (b);
            }
          write_view (b, &nv->view);
          json_builder_end_object (b);
        }
      json_builder_end_array (b);
    }
  if (state->active_view != NULL)
    {
      json_builder_set_member_name (b, "active_view");
      json_builder_add_string_value (b, state->active_view);
    }
  if (state->panels->len > 0)
    {
      json_builder_set_member_name (b, "panels");
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "order");
      json_builder_begin_array (b);
      for (guint i = 0; i < state->panels->len; i++)
        {
          const VitaSessionPanel *panel = g_ptr_array_index (state->panels, i);
          json_builder_begin_object (b);
          json_builder_set_member_name (b, "name");
          json_builder_add_string_value (b, panel->name);
          json_builder_set_member_name (b, "visible");
          json_builder_add_boolean_value (b, panel->visible);
          json_builder_set_member_name (b, "height");
          json_builder_add_int_value (b, panel->height);
          json_builder_end_object (b);
        }
      json_builder_end_array (b);
      json_builder_set_member_name (b, "maximised");
      if (state->maximised != NULL)
        json_builder_add_string_value (b, state->maximised);
      else
        json_builder_add_null_value (b);
      json_builder_set_member_name (b, "probeogram_task");
      if (state->probeogram_task != NULL)
        json_builder_add_string_value (b, state->probeogram_task);
      else
        json_builder_add_null_value (b);
      json_builder_end_object (b);
    }
  json_builder_end_object (b);

  root = json_builder_get_root (b);
  json_generator_set_root (gen, root);
  json_generator_set_pretty (gen, TRUE);
  char *text = json_generator_to_data (gen, NULL);
  char *with_newline = g_strconcat (text, "\n", NULL);
  g_free (text);
  return with_newline;
}

/* The one place a session file is written: the one atomic writer (model/vita-file.h:
 * temporary file, fsync, rename over the name). */
static gboolean
write_atomic (const char *path, const char *data, GError **error)
{
  g_autoptr(GError) local = NULL;

  if (!vita_file_write_atomic (path, data, strlen (data), &local))
    {
      g_set_error (error, VITA_SESSION_FILE_ERROR, VITA_SESSION_FILE_ERROR_WRITE,
                   "Cannot save session file “%s”: %s", path, local->message);
      return FALSE;
    }
  return TRUE;
}

gboolean
vita_session_file_write (const char *path, const VitaSessionState *state, GError **error)
{
  g_autofree char *absolute = NULL;
  g_autofree char *data = NULL;

  g_return_val_if_fail (path != NULL && state != NULL, FALSE);

  if (g_path_is_absolute (path))
    absolute = g_strdup (path);
  else
    {
      g_autofree char *cwd = g_get_current_dir ();
      absolute = g_build_filename (cwd, path, NULL);
    }
  data = vita_session_file_to_data (absolute, state);
  return write_atomic (absolute, data, error);
}
