/* vita-attr-settings.c — see vita-attr-settings.h. */
#include "vita-attr-settings.h"

#include <gio/gio.h>
#include <math.h>

void
vita_attr_settings_init (VitaAttrSettings *s)
{
  *s = (VitaAttrSettings) {
    .method = g_strdup ("ig"), .steps = 64, .patch_frames = 8, .patch_bands = 8, .opacity = 0.7,
  };
}

void
vita_attr_settings_clear (VitaAttrSettings *s)
{
  g_clear_pointer (&s->target, g_free);
  g_clear_pointer (&s->method, g_free);
  g_clear_pointer (&s->probe, g_free);
}

void
vita_attr_settings_copy (VitaAttrSettings *dst, const VitaAttrSettings *src)
{
  if (dst == src)
    return;
  vita_attr_settings_clear (dst);
  *dst = *src;
  dst->target = g_strdup (src->target);
  dst->method = g_strdup (src->method);
  dst->probe = g_strdup (src->probe);
}

void
vita_attr_settings_write (const VitaAttrSettings *s, JsonBuilder *b)
{
  if (s->target == NULL)
    return;
  json_builder_set_member_name (b, "attribution");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "target");
  json_builder_add_string_value (b, s->target);
  json_builder_set_member_name (b, "method");
  json_builder_add_string_value (b, s->method ? s->method : "ig");
  json_builder_set_member_name (b, "steps");
  json_builder_add_int_value (b, s->steps);
  json_builder_set_member_name (b, "patch_frames");
  json_builder_add_int_value (b, s->patch_frames);
  json_builder_set_member_name (b, "patch_bands");
  json_builder_add_int_value (b, s->patch_bands);
  json_builder_set_member_name (b, "probe");
  if (s->probe)
    json_builder_add_string_value (b, s->probe);
  else
    json_builder_add_null_value (b);
  json_builder_set_member_name (b, "opacity");
  json_builder_add_double_value (b, s->opacity);
  json_builder_end_object (b);
}

static gboolean
bad (GError **error, const char *file, const char *field, const char *what)
{
  g_autofree char *disp = g_filename_display_name (file ? file : "");
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "“%s”: attribution.%s %s", disp,
               field, what);
  return FALSE;
}

static gboolean
read_int (JsonObject *o, const char *name, int lo, int hi, int *out, const char *file,
          GError **error)
{
  JsonNode *n = json_object_get_member (o, name);
  if (n == NULL)
    return TRUE;
  if (!JSON_NODE_HOLDS_VALUE (n) || json_node_get_value_type (n) != G_TYPE_INT64)
    return bad (error, file, name, "must be a whole number");
  gint64 v = json_node_get_int (n);
  if (v < lo || v > hi)
    {
      g_autofree char *range = g_strdup_printf ("must be %d–%d", lo, hi);
      return bad (error, file, name, range);
    }
  *out = (int) v;
  return TRUE;
}

static gboolean
read_string (JsonObject *o, const char *name, gboolean required, char **out, const char *file,
             GError **error)
{
  JsonNode *n = json_object_get_member (o, name);
  if (n == NULL || JSON_NODE_HOLDS_NULL (n))
    return required ? bad (error, file, name, "is missing") : TRUE;
  if (!JSON_NODE_HOLDS_VALUE (n) || json_node_get_value_type (n) != G_TYPE_STRING)
    return bad (error, file, name, "must be a string");
  g_free (*out);
  *out = g_strdup (json_node_get_string (n));
  return TRUE;
}

gboolean
vita_attr_settings_read (VitaAttrSettings *s, JsonObject *obj, const char *file, GError **error)
{
  JsonNode *node = obj ? json_object_get_member (obj, "attribution") : NULL;
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;
  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      g_autofree char *disp = g_filename_display_name (file ? file : "");
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   "“%s”: attribution must be an object", disp);
      return FALSE;
    }
  JsonObject *o = json_node_get_object (node);
  g_auto(VitaAttrSettings) r;
  vita_attr_settings_init (&r);
  if (!read_string (o, "target", TRUE, &r.target, file, error)
      || !read_string (o, "method", FALSE, &r.method, file, error)
      || !read_string (o, "probe", FALSE, &r.probe, file, error)
      || !read_int (o, "steps", 1, 4096, &r.steps, file, error)
      || !read_int (o, "patch_frames", 1, 4096, &r.patch_frames, file, error)
      || !read_int (o, "patch_bands", 1, 4096, &r.patch_bands, file, error))
    return FALSE;
  if (g_strcmp0 (r.method, "ig") != 0 && g_strcmp0 (r.method, "grad-input") != 0
      && g_strcmp0 (r.method, "occlusion") != 0)
    return bad (error, file, "method", "must be ig, grad-input or occlusion");
  JsonNode *op = json_object_get_member (o, "opacity");
  if (op)
    {
      if (!JSON_NODE_HOLDS_VALUE (op) || (json_node_get_value_type (op) != G_TYPE_DOUBLE &&
                                          json_node_get_value_type (op) != G_TYPE_INT64))
        return bad (error, file, "opacity", "must be a number");
      double v = json_node_get_double (op);
      if (!(v >= 0 && v <= 1))
        return bad (error, file, "opacity", "must be 0–1");
      r.opacity = v;
    }
  vita_attr_settings_copy (s, &r);
  return TRUE;
}
