/* vita-jams.c — JAMS read / write (see vita-jams.h).  Untrusted input on read:
 * observations are turned into the text formats' lines and validated by the same
 * parsers (vita-annotations.c), so a JAMS file gets exactly the repairs and warnings
 * a .lab or beat list gets. */
#include "vita-jams.h"
#include "vita-annotation-set.h"

#include <json-glib/json-glib.h>
#include <math.h>
#include <string.h>

VitaJams *
vita_jams_new (void)
{
  VitaJams *j = g_new0 (VitaJams, 1);
  j->key = VITA_KEY_X;
  j->duration = NAN;
  return j;
}

void
vita_jams_free (VitaJams *j)
{
  if (!j)
    return;
  vita_chord_track_free (j->chords);
  vita_event_list_free (j->beats);
  vita_event_list_free (j->onsets);
  vita_tags_free (j->tags);
  g_free (j);
}

typedef enum { NS_CHORD, NS_BEAT, NS_ONSET, NS_KEY, NS_TAG, NS_OTHER } Ns;

static Ns
namespace_kind (const char *ns)
{
  if (!ns)
    return NS_OTHER;
  if (strcmp (ns, "chord") == 0 || strcmp (ns, "chord_harte") == 0)
    return NS_CHORD;
  if (strcmp (ns, "beat") == 0 || strcmp (ns, "beat_position") == 0)
    return NS_BEAT;
  if (strcmp (ns, "onset") == 0)
    return NS_ONSET;
  if (strcmp (ns, "key_mode") == 0)
    return NS_KEY;
  if (g_str_has_prefix (ns, "tag_"))
    return NS_TAG;
  return NS_OTHER;
}

/* One observation, from either layout. */
typedef struct {
  JsonNode *time, *duration, *value, *confidence;  /* borrowed, may be NULL */
} Obs;

static JsonNode *
array_item (JsonObject *o, const char *member, guint i)
{
  JsonNode *n = json_object_get_member (o, member);
  if (!n || !JSON_NODE_HOLDS_ARRAY (n))
    return NULL;
  JsonArray *a = json_node_get_array (n);
  return i < json_array_get_length (a) ? json_array_get_element (a, i) : NULL;
}

/* Number of observations, or -1 when data is neither layout. */
static gint64
obs_count (JsonNode *data)
{
  if (JSON_NODE_HOLDS_ARRAY (data))
    return json_array_get_length (json_node_get_array (data));
  if (JSON_NODE_HOLDS_OBJECT (data))
    {
      JsonNode *t = json_object_get_member (json_node_get_object (data), "time");
      if (t && JSON_NODE_HOLDS_ARRAY (t))
        return json_array_get_length (json_node_get_array (t));
    }
  return -1;
}

static gboolean
obs_get (JsonNode *data, guint i, Obs *o)
{
  memset (o, 0, sizeof *o);
  if (JSON_NODE_HOLDS_ARRAY (data))
    {
      JsonNode *e = json_array_get_element (json_node_get_array (data), i);
      if (!JSON_NODE_HOLDS_OBJECT (e))
        return FALSE;
      JsonObject *ob = json_node_get_object (e);
      o->time = json_object_get_member (ob, "time");
      o->duration = json_object_get_member (ob, "duration");
      o->value = json_object_get_member (ob, "value");
      o->confidence = json_object_get_member (ob, "confidence");
      return TRUE;
    }
  JsonObject *ob = json_node_get_object (data);
  o->time = array_item (ob, "time", i);
  o->duration = array_item (ob, "duration", i);
  o->value = array_item (ob, "value", i);
  o->confidence = array_item (ob, "confidence", i);
  return TRUE;
}

static gboolean
node_number (JsonNode *n, double *out)
{
  if (!n || !JSON_NODE_HOLDS_VALUE (n))
    return FALSE;
  GType t = json_node_get_value_type (n);
  if (t != G_TYPE_DOUBLE && t != G_TYPE_INT64)
    return FALSE;
  *out = json_node_get_double (n);
  return TRUE;
}

static const char *
node_string (JsonNode *n)
{
  if (!n || !JSON_NODE_HOLDS_VALUE (n) || json_node_get_value_type (n) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (n);
}

static void
append_number (GString *s, double v)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];
  g_string_append (s, g_ascii_dtostr (buf, sizeof buf, v));
}

/* A label safe for one whitespace-separated field of a .lab line. */
static void
append_label (GString *s, const char *label)
{
  if (!label || !*label)
    {
      g_string_append (s, "?");
      return;
    }
  for (const char *p = label; *p; p++)
    g_string_append_c (s, (guchar) *p <= ' ' ? '_' : *p);
}

G_GNUC_PRINTF (3, 4) static void
jwarn (GPtrArray *warnings, const char *where, const char *fmt, ...)
{
  if (!warnings)
    return;
  va_list ap;
  va_start (ap, fmt);
  g_autofree char *msg = g_strdup_vprintf (fmt, ap);
  va_end (ap);
  g_ptr_array_add (warnings, g_strdup_printf ("%s: %s", where, msg));
}

/* The observations of one annotation as lines for the text parsers: line i + 1 is
 * observation i (an empty line where the observation is unusable, so the text
 * parser's line numbers are observation numbers). */
static char *
annotation_lines (JsonNode *data, Ns kind, const char *where, GPtrArray *warnings)
{
  GString *s = g_string_new (NULL);
  gint64 n = obs_count (data);
  for (gint64 i = 0; i < n; i++)
    {
      Obs o;
      double t, d = 0;
      if (!obs_get (data, (guint) i, &o) || !node_number (o.time, &t))
        {
          jwarn (warnings, where, "observation %" G_GINT64_FORMAT ": no numeric 'time', skipped",
                 i + 1);
          g_string_append_c (s, '\n');
          continue;
        }
      if (kind == NS_CHORD)
        {
          const char *label = node_string (o.value);
          if (!node_number (o.duration, &d) || !label)
            {
              jwarn (warnings, where,
                     "observation %" G_GINT64_FORMAT ": chord needs a numeric 'duration' and a "
                     "string 'value', skipped", i + 1);
              g_string_append_c (s, '\n');
              continue;
            }
          append_number (s, t);
          g_string_append_c (s, ' ');
          append_number (s, t + d);
          g_string_append_c (s, ' ');
          append_label (s, label);
        }
      else
        append_number (s, t);
      g_string_append_c (s, '\n');
    }
  return g_string_free (s, FALSE);
}

static int
key_from_value (const char *v, char **message)
{
  /* key_mode: N, or tonic[:mode] with church modes; ionian = major, aeolian = minor */
  if (strcmp (v, "N") == 0)
    return VITA_KEY_X;
  g_autofree char *copy = g_strdup (v);
  char *colon = strchr (copy, ':');
  if (colon)
    {
      const char *mode = colon + 1;
      if (strcmp (mode, "ionian") == 0)
        strcpy (colon + 1, "major");
      else if (strcmp (mode, "aeolian") == 0)
        strcpy (colon + 1, "minor");
      else if (strcmp (mode, "major") != 0 && strcmp (mode, "minor") != 0)
        return VITA_KEY_X;  /* dorian, lydian, ...: outside the 24 classes */
    }
  int key;
  if (!vita_key_parse (copy, &key, message))
    return -2;
  return key;
}

VitaJams *
vita_jams_parse (const char *data, gsize len, const char *display_name, GPtrArray *warnings,
                 GError **error)
{
  const char *name = display_name ? display_name : "(jams)";
  if (len >= 3 && memcmp (data, "\xEF\xBB\xBF", 3) == 0)
    data += 3, len -= 3;
  if (memchr (data, '\0', len))
    {
      g_set_error (error, VITA_MODEL_ERROR, VITA_MODEL_ERROR_PARSE,
                   "%s: JAMS file contains a NUL byte", name);
      return NULL;
    }
  if (!g_utf8_validate (data, len, NULL))
    {
      g_set_error (error, VITA_MODEL_ERROR, VITA_MODEL_ERROR_PARSE,
                   "%s: JAMS file is not valid UTF-8", name);
      return NULL;
    }
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autoptr(GError) jerr = NULL;
  if (!json_parser_load_from_data (parser, data, (gssize) len, &jerr))
    {
      /* json-glib's message starts "<data>:LINE:COL: Parse error: ..." */
      const char *m = jerr->message;
      if (g_str_has_prefix (m, "<data>:"))
        m += 7;
      g_set_error (error, VITA_MODEL_ERROR, VITA_MODEL_ERROR_PARSE, "%s:%s", name, m);
      return NULL;
    }
  JsonNode *root = json_parser_get_root (parser);
  if (!root || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error (error, VITA_MODEL_ERROR, VITA_MODEL_ERROR_PARSE,
                   "%s: not a JAMS file (the top level is not a JSON object)", name);
      return NULL;
    }
  JsonObject *top = json_node_get_object (root);
  JsonNode *anns = json_object_get_member (top, "annotations");
  if (!anns || !JSON_NODE_HOLDS_ARRAY (anns))
    {
      g_set_error (error, VITA_MODEL_ERROR, VITA_MODEL_ERROR_PARSE,
                   "%s: not a JAMS file (no 'annotations' list)", name);
      return NULL;
    }
  g_autoptr(VitaJams) j = vita_jams_new ();
  JsonNode *fm = json_object_get_member (top, "file_metadata");
  if (fm && JSON_NODE_HOLDS_OBJECT (fm))
    {
      double d;
      if (node_number (json_object_get_member (json_node_get_object (fm), "duration"), &d) &&
          isfinite (d) && d > 0)
        j->duration = d;
    }

  JsonArray *a = json_node_get_array (anns);
  guint n_ann = json_array_get_length (a), n_used = 0;
  for (guint i = 0; i < n_ann; i++)
    {
      JsonNode *an = json_array_get_element (a, i);
      if (!JSON_NODE_HOLDS_OBJECT (an))
        {
          jwarn (warnings, name, "annotations[%u] is not an object, skipped", i);
          continue;
        }
      JsonObject *ao = json_node_get_object (an);
      const char *ns = node_string (json_object_get_member (ao, "namespace"));
      Ns kind = namespace_kind (ns);
      g_autofree char *where = g_strdup_printf ("%s: annotations[%u] (%s)", name, i,
                                                ns ? ns : "no namespace");
      if (kind == NS_OTHER)
        {
          jwarn (warnings, where, "namespace not used by Vitascope, skipped");
          continue;
        }
      JsonNode *dn = json_object_get_member (ao, "data");
      if (!dn || obs_count (dn) < 0)
        {
          jwarn (warnings, where, "'data' is neither a list of observations nor columns, "
                 "skipped");
          continue;
        }
      gboolean taken = (kind == NS_CHORD && j->chords) ||
                       (kind == NS_BEAT && j->beats) ||
                       (kind == NS_ONSET && j->onsets) || (kind == NS_KEY && j->has_key) ||
                       (kind == NS_TAG && j->tags);
      if (taken)
        {
          jwarn (warnings, where, "a second annotation of this kind; the first one is used");
          continue;
        }
      g_autoptr(GError) local = NULL;
      if (kind == NS_CHORD || kind == NS_BEAT || kind == NS_ONSET)
        {
          g_autofree char *lines = annotation_lines (dn, kind, where, warnings);
          g_autofree char *obs_name = g_strdup_printf ("%s observation", where);
          /* the text parsers' "name:LINE:" reads "…(chord) observation:LINE:" */
          if (kind == NS_CHORD)
            j->chords = vita_chord_track_parse (lines, strlen (lines), obs_name, warnings,
                                                &local);
          else
            {
              VitaEventList *ev = vita_event_list_parse (lines, strlen (lines), obs_name,
                                                         warnings, &local);
              if (kind == NS_BEAT)
                j->beats = ev;
              else
                j->onsets = ev;
            }
          if (local)
            jwarn (warnings, where, "no usable observation (%s)", local->message);
          else
            {
              /* display path: the file itself */
              VitaChordTrack *c = kind == NS_CHORD ? j->chords : NULL;
              VitaEventList *e = kind == NS_BEAT ? j->beats : kind == NS_ONSET ? j->onsets : NULL;
              if (c)
                g_free (c->path), c->path = g_strdup (name);
              if (e)
                g_free (e->path), e->path = g_strdup (name);
              n_used++;
            }
        }
      else if (kind == NS_KEY)
        {
          /* the key sounding longest */
          double total[VITA_KEY_N_CLASSES] = { 0 };
          int first = -1;
          gint64 n = obs_count (dn);
          for (gint64 k = 0; k < n; k++)
            {
              Obs o;
              double d = 0;
              const char *v = obs_get (dn, (guint) k, &o) ? node_string (o.value) : NULL;
              if (!v)
                {
                  jwarn (warnings, where, "observation %" G_GINT64_FORMAT
                         ": key_mode needs a string 'value', skipped", k + 1);
                  continue;
                }
              g_autofree char *msg = NULL;
              int key = key_from_value (v, &msg);
              if (key == -2)
                {
                  jwarn (warnings, where, "observation %" G_GINT64_FORMAT ": %s, skipped", k + 1,
                         msg);
                  continue;
                }
              if (key < 0)
                continue;
              if (!node_number (o.duration, &d) || !isfinite (d) || d < 0)
                d = 0;
              total[key] += d;
              if (first < 0)
                first = key;
            }
          if (first >= 0)
            {
              int best = first;
              for (int k = 0; k < VITA_KEY_N_CLASSES; k++)
                if (total[k] > total[best])
                  best = k;
              j->key = best;
              j->has_key = TRUE;
              n_used++;
            }
          else
            jwarn (warnings, where, "no major or minor key in this annotation");
        }
      else /* NS_TAG */
        {
          VitaTags *t = g_new0 (VitaTags, 1);
          t->names = g_ptr_array_new_with_free_func (g_free);
          t->values = g_array_new (FALSE, FALSE, sizeof (float));
          t->path = g_strdup (name);
          gint64 n = obs_count (dn);
          for (gint64 k = 0; k < n; k++)
            {
              Obs o;
              const char *v = obs_get (dn, (guint) k, &o) ? node_string (o.value) : NULL;
              if (!v || !*v)
                {
                  jwarn (warnings, where, "observation %" G_GINT64_FORMAT
                         ": tag needs a non-empty string 'value', skipped", k + 1);
                  continue;
                }
              double c = 1.0;
              if (o.confidence && !JSON_NODE_HOLDS_NULL (o.confidence) &&
                  (!node_number (o.confidence, &c) || !isfinite (c)))
                {
                  jwarn (warnings, where, "observation %" G_GINT64_FORMAT
                         ": confidence is not a number; 1 used", k + 1);
                  c = 1.0;
                }
              float fv = (float) CLAMP (c, 0.0, 1.0);
              guint at = t->names->len;
              for (guint q = 0; q < t->names->len; q++)
                if (strcmp (g_ptr_array_index (t->names, q), v) == 0)
                  at = q;
              if (at < t->names->len)
                g_array_index (t->values, float, at) = MAX (g_array_index (t->values, float, at), fv);
              else
                {
                  g_ptr_array_add (t->names, g_strdup (v));
                  g_array_append_val (t->values, fv);
                }
            }
          if (t->names->len == 0)
            {
              vita_tags_free (t);
              jwarn (warnings, where, "no usable tag");
            }
          else
            {
              j->tags = t;
              n_used++;
            }
        }
    }
  if (n_used == 0)
    {
      g_set_error (error, VITA_MODEL_ERROR, VITA_MODEL_ERROR_PARSE,
                   "%s: no usable annotation (%u annotation(s); Vitascope reads the namespaces "
                   "chord, chord_harte, beat, beat_position, onset, key_mode and tag_*)",
                   name, n_ann);
      return NULL;
    }
  return g_steal_pointer (&j);
}

VitaJams *
vita_jams_load (const char *path, GPtrArray *warnings, GError **error)
{
  gsize len;
  g_autofree char *data = vita_annotation_read_file (path, &len, error);
  if (!data)
    return NULL;
  return vita_jams_parse (data, len, path, warnings, error);
}

/* ------------------------------------------------------------------ write */

/* Written by hand, not with JsonGenerator: json-glib 1.6 writes 1e-05 as "1e-05.0",
 * which is not JSON.  Numbers: shortest text that reads back to the same double. */

static void
j_number (GString *s, double v)
{
  if (!isfinite (v))
    {
      g_string_append (s, "null");
      return;
    }
  char buf[G_ASCII_DTOSTR_BUF_SIZE];
  for (int prec = 15; prec <= 17; prec++)
    {
      g_ascii_formatd (buf, sizeof buf, prec == 17 ? "%.17g" : prec == 16 ? "%.16g" : "%.15g", v);
      if (g_ascii_strtod (buf, NULL) == v)
        break;
    }
  g_string_append (s, buf);
}

static void
j_string (GString *s, const char *str)
{
  g_string_append_c (s, '"');
  for (const unsigned char *p = (const unsigned char *) str; *p; p++)
    {
      if (*p == '"' || *p == '\\')
        g_string_append_printf (s, "\\%c", *p);
      else if (*p < 0x20)
        g_string_append_printf (s, "\\u%04x", *p);
      else
        g_string_append_c (s, (char) *p);
    }
  g_string_append_c (s, '"');
}

static void
begin_annotation (GString *s, gboolean *first_ann, const char *ns, const char *tool,
                  double duration)
{
  g_string_append (s, *first_ann ? "\n  {" : ",\n  {");
  *first_ann = FALSE;
  g_string_append (s, "\n   \"annotation_metadata\": {\"curator\": {\"name\": \"\", \"email\": \"\"}, "
                      "\"annotator\": {}, \"version\": \"\", \"corpus\": \"\", "
                      "\"annotation_tools\": ");
  j_string (s, tool ? tool : "vitascope " VITA_VERSION);
  g_string_append (s, ", \"annotation_rules\": \"\", \"validation\": \"\", \"data_source\": \"\"},"
                      "\n   \"namespace\": ");
  j_string (s, ns);
  g_string_append (s, ",\n   \"time\": 0.0,\n   \"duration\": ");
  j_number (s, duration);
  g_string_append (s, ",\n   \"sandbox\": {},\n   \"data\": [");
}

static void
end_annotation (GString *s, gboolean any)
{
  g_string_append (s, any ? "\n   ]\n  }" : "]\n  }");
}

static void
observation (GString *s, gboolean first, double time, double duration, const char *svalue,
             double confidence)
{
  g_string_append (s, first ? "\n    {\"time\": " : ",\n    {\"time\": ");
  j_number (s, time);
  g_string_append (s, ", \"duration\": ");
  j_number (s, duration);
  g_string_append (s, ", \"value\": ");
  if (svalue)
    j_string (s, svalue);
  else
    g_string_append (s, "null");
  g_string_append (s, ", \"confidence\": ");
  j_number (s, confidence);
  g_string_append_c (s, '}');
}

static const char *
key_mode_value (int key, char buf[16])
{
  /* "C major" → "C:major" */
  const char *name = vita_key_class_name (key);
  const char *sp = strchr (name, ' ');
  g_snprintf (buf, 16, "%.*s:%s", (int) (sp - name), name, sp + 1);
  return buf;
}

char *
vita_jams_to_string (const VitaJams *j, const char *title, const char *tool)
{
  GString *s = g_string_new ("{\n \"annotations\": [");
  double dur = j->duration, whole = isfinite (dur) ? dur : 0.0;
  gboolean first_ann = TRUE;
  if (j->chords)
    {
      begin_annotation (s, &first_ann, "chord", tool, dur);
      const VitaChordSegment *v = (const VitaChordSegment *) j->chords->segments->data;
      for (guint i = 0; i < j->chords->segments->len; i++)
        {
          /* classes outside major/minor are written as X (no Harte spelling is kept) */
          const char *label = v[i].chord >= 0 ? vita_chord_class_name (v[i].chord) : "X";
          double d = v[i].end - v[i].start;
          if (v[i].start + d > v[i].end)
            d = nextafter (d, 0.0);  /* read back, start + d must not overlap the next */
          observation (s, i == 0, v[i].start, d, label, NAN);
        }
      end_annotation (s, j->chords->segments->len > 0);
    }
  const VitaEventList *ev[2] = { j->beats, j->onsets };
  static const char *const ev_ns[2] = { "beat", "onset" };
  for (int k = 0; k < 2; k++)
    if (ev[k])
      {
        begin_annotation (s, &first_ann, ev_ns[k], tool, dur);
        for (guint i = 0; i < ev[k]->times->len; i++)
          observation (s, i == 0, g_array_index (ev[k]->times, double, i), 0.0, NULL, NAN);
        end_annotation (s, ev[k]->times->len > 0);
      }
  if (j->has_key && j->key >= 0)
    {
      char buf[16];
      begin_annotation (s, &first_ann, "key_mode", tool, dur);
      observation (s, TRUE, 0.0, whole, key_mode_value (j->key, buf), NAN);
      end_annotation (s, TRUE);
    }
  if (j->tags)
    {
      begin_annotation (s, &first_ann, "tag_open", tool, dur);
      for (guint i = 0; i < j->tags->names->len; i++)
        observation (s, i == 0, 0.0, whole, g_ptr_array_index (j->tags->names, i),
                     g_array_index (j->tags->values, float, i));
      end_annotation (s, j->tags->names->len > 0);
    }
  g_string_append (s, first_ann ? "],\n" : "\n ],\n");
  g_string_append (s, " \"file_metadata\": {\"title\": ");
  j_string (s, title ? title : "");
  g_string_append (s, ", \"artist\": \"\", \"release\": \"\", \"duration\": ");
  j_number (s, whole);
  g_string_append (s, ", \"identifiers\": {}, \"jams_version\": \"0.3.4\"},\n"
                      " \"sandbox\": {}\n}\n");
  return g_string_free (s, FALSE);
}
