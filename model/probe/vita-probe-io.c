/* vita-probe-io.c — probe files: safetensors with format=vit1d-probe (vit1d-format.md). */
#include "vita-probe.h"
#include "model/vita-json.h"
#include "model/vita-safetensors.h"

#include <json-glib/json-glib.h>
#include <math.h>
#include <string.h>

gboolean
vita_probe_save (const VitaProbe *p, const char *path, GError **error)
{
  g_autoptr(VitaSafetensors) st = vita_safetensors_new ();
  gint64 wshape[2] = { p->n_classes, p->dim };
  gint64 bshape[1] = { p->n_classes };
  vita_safetensors_add (st, "probe.weight", 2, wshape, p->weight);
  vita_safetensors_add (st, "probe.bias", 1, bshape, p->bias);
  vita_safetensors_set_metadata (st, "format", "vit1d-probe");
  vita_safetensors_set_metadata (st, "format_version", "1");
  vita_safetensors_set_metadata (st, "task", p->task);
  vita_safetensors_set_metadata (st, "kind", p->frame_level ? "frame" : "clip");
  g_autofree char *layer = g_strdup_printf ("%d", p->layer);
  vita_safetensors_set_metadata (st, "layer", layer);
  vita_safetensors_set_metadata (st, "pool", vita_pool_name (p->pool));
  vita_safetensors_set_metadata (st, "activation",
                                 p->activation == VITA_PROBE_SOFTMAX ? "softmax" : "sigmoid");
  vita_safetensors_set_metadata (st, "model_sha256", p->model_sha256);
  g_autoptr(JsonBuilder) jb = json_builder_new ();
  json_builder_begin_array (jb);
  for (guint i = 0; i < p->labels->len; i++)
    json_builder_add_string_value (jb, g_ptr_array_index (p->labels, i));
  json_builder_end_array (jb);
  g_autoptr(JsonNode) root = json_builder_get_root (jb);
  g_autofree char *labels = json_to_string (root, FALSE);
  vita_safetensors_set_metadata (st, "labels", labels);
  GHashTableIter it;
  gpointer k, v;
  g_hash_table_iter_init (&it, p->figures);
  while (g_hash_table_iter_next (&it, &k, &v))
    {
      g_autofree char *key = g_strconcat ("figure.", (char *) k, NULL);
      vita_safetensors_set_metadata (st, key, v);
    }
  return vita_safetensors_save (st, path, error);
}

static const char *
need (const VitaSafetensors *st, const char *path, const char *key, GError **error)
{
  const char *v = vita_safetensors_get_metadata (st, key);
  if (v == NULL)
    g_set_error (error, VITA_MODEL_ERROR, VITA_MODEL_ERROR_METADATA,
                 "%s: probe metadata '%s' is missing", path, key);
  return v;
}

VitaProbe *
vita_probe_load (const char *path, GError **error)
{
  g_autoptr(VitaSafetensors) st = vita_safetensors_load (path, error);
  if (!st)
    return NULL;
  const char *format = need (st, path, "format", error);
  if (!format)
    return NULL;
  if (strcmp (format, "vit1d-probe") != 0)
    {
      g_set_error (error, VITA_MODEL_ERROR, VITA_MODEL_ERROR_METADATA,
                   "%s: format is '%s', not 'vit1d-probe'", path, format);
      return NULL;
    }
  const VitaTensor *w = vita_safetensors_lookup (st, "probe.weight");
  const VitaTensor *b = vita_safetensors_lookup (st, "probe.bias");
  if (!w || !b)
    {
      g_set_error (error, VITA_MODEL_ERROR, VITA_MODEL_ERROR_MISMATCH,
                   "%s: tensor '%s' is missing", path, w ? "probe.bias" : "probe.weight");
      return NULL;
    }
  if (w->ndim != 2 || b->ndim != 1 || w->shape[0] != b->shape[0] || w->shape[0] < 1 ||
      w->shape[1] < 1 || w->shape[0] > 100000 || w->shape[1] > 100000)
    {
      g_set_error (error, VITA_MODEL_ERROR, VITA_MODEL_ERROR_MISMATCH,
                   "%s: probe.weight must be [classes, dim] and probe.bias [classes]", path);
      return NULL;
    }
  for (gsize i = 0; i < w->n_elements; i++)
    if (!isfinite (w->data[i]))
      {
        g_set_error (error, VITA_MODEL_ERROR, VITA_MODEL_ERROR_NONFINITE,
                     "%s: probe.weight holds NaN or Inf", path);
        return NULL;
      }
  const char *task = need (st, path, "task", error), *kind, *layer, *pool, *act, *labels;
  if (!task || !(kind = need (st, path, "kind", error)) || !(layer = need (st, path, "layer", error)) ||
      !(pool = need (st, path, "pool", error)) || !(act = need (st, path, "activation", error)) ||
      !(labels = need (st, path, "labels", error)))
    return NULL;
  VitaProbeActivation activation;
  if (strcmp (act, "softmax") == 0)
    activation = VITA_PROBE_SOFTMAX;
  else if (strcmp (act, "sigmoid") == 0)
    activation = VITA_PROBE_SIGMOID;
  else
    {
      g_set_error (error, VITA_MODEL_ERROR, VITA_MODEL_ERROR_METADATA,
                   "%s: activation '%s' is neither softmax nor sigmoid", path, act);
      return NULL;
    }
  g_autoptr(VitaProbe) p = vita_probe_new ((int) w->shape[1], (int) w->shape[0], activation);
  memcpy (p->weight, w->data, w->n_elements * sizeof (float));
  memcpy (p->bias, b->data, b->n_elements * sizeof (float));
  g_free (p->task);
  p->task = g_strdup (task);
  if (strcmp (kind, "frame") != 0 && strcmp (kind, "clip") != 0)
    {
      g_set_error (error, VITA_MODEL_ERROR, VITA_MODEL_ERROR_METADATA,
                   "%s: kind '%s' is neither frame nor clip", path, kind);
      return NULL;
    }
  p->frame_level = strcmp (kind, "frame") == 0;
  char *end = NULL;
  gint64 l = g_ascii_strtoll (layer, &end, 10);
  if (end == layer || *end || l < 0 || l > 10000)
    {
      g_set_error (error, VITA_MODEL_ERROR, VITA_MODEL_ERROR_METADATA,
                   "%s: layer '%s' is not a layer index", path, layer);
      return NULL;
    }
  p->layer = (int) l;
  if (!vita_pool_from_name (pool, &p->pool))
    {
      g_set_error (error, VITA_MODEL_ERROR, VITA_MODEL_ERROR_METADATA,
                   "%s: pool '%s' is not token, cls, mean or cls+mean", path, pool);
      return NULL;
    }
  g_autoptr(GError) jerr = NULL;
  g_autoptr(JsonNode) root = vita_json_parse_strict (labels, strlen (labels), path, &jerr);
  if (root == NULL || !JSON_NODE_HOLDS_ARRAY (root) ||
      json_array_get_length (json_node_get_array (root)) != (guint) p->n_classes)
    {
      g_set_error (error, VITA_MODEL_ERROR, VITA_MODEL_ERROR_METADATA,
                   "%s: labels must be a JSON array of %d strings", path, p->n_classes);
      return NULL;
    }
  JsonArray *arr = json_node_get_array (root);
  g_ptr_array_set_size (p->labels, 0);
  for (int c = 0; c < p->n_classes; c++)
    {
      JsonNode *n = json_array_get_element (arr, c);
      if (!JSON_NODE_HOLDS_VALUE (n) || json_node_get_value_type (n) != G_TYPE_STRING)
        {
          g_set_error (error, VITA_MODEL_ERROR, VITA_MODEL_ERROR_METADATA,
                       "%s: label %d is not a string", path, c);
          return NULL;
        }
      g_ptr_array_add (p->labels, g_strdup (json_node_get_string (n)));
    }
  const char *sha = vita_safetensors_get_metadata (st, "model_sha256");
  if (sha && strlen (sha) < sizeof p->model_sha256)
    strcpy (p->model_sha256, sha);
  GHashTableIter it;
  gpointer k, v;
  g_hash_table_iter_init (&it, vita_safetensors_metadata (st));
  while (g_hash_table_iter_next (&it, &k, &v))
    if (g_str_has_prefix (k, "figure."))
      g_hash_table_insert (p->figures, g_strdup ((char *) k + 7), g_strdup (v));
  return g_steal_pointer (&p);
}
