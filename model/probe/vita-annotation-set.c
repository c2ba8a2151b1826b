/* vita-annotation-set.c — finding, sniffing and dispatching annotation files, Sonic
 * Visualiser CSV layers, shorthand chord labels, and export (see the header).
 *
 * The CSV readers turn each input line into one line of the text format the existing
 * parser reads (an empty line where the input line is unusable), so the repairs, the
 * warnings and the line numbers are those of vita-annotations.c. */
#include "vita-annotation-set.h"
#include "model/vita-safetensors.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const kind_names[VITA_ANN_N_KINDS] = {
  "chords", "beats", "onsets", "key", "tags",
};

const char *
vita_ann_kind_name (VitaAnnKind kind)
{
  if (kind < VITA_ANN_N_KINDS)
    return kind_names[kind];
  return kind == VITA_ANN_ANY ? "JAMS" : "unknown";
}

/* ------------------------------------------------------------------ names */

static int
token_kind (const char *tok, gsize n)
{
  static const struct { const char *word; VitaAnnKind kind; } words[] = {
    { "chords", VITA_ANN_CHORDS }, { "chord", VITA_ANN_CHORDS },
    { "beats", VITA_ANN_BEATS },   { "beat", VITA_ANN_BEATS },
    { "onsets", VITA_ANN_ONSETS }, { "onset", VITA_ANN_ONSETS },
    { "key", VITA_ANN_KEY },       { "keys", VITA_ANN_KEY },
    { "tags", VITA_ANN_TAGS },
  };
  for (gsize i = 0; i < G_N_ELEMENTS (words); i++)
    if (strlen (words[i].word) == n && g_ascii_strncasecmp (tok, words[i].word, n) == 0)
      return words[i].kind;
  return -1;
}

int
vita_ann_kind_for_name (const char *path)
{
  g_autofree char *base = g_path_get_basename (path);
  g_autofree char *name = g_ascii_strdown (base, -1);
  if (strstr (name, "downbeat"))
    return -1;  /* make-dataset's STEM.downbeats.txt: not a task here */
  if (g_str_has_suffix (name, ".jams"))
    return VITA_ANN_ANY;
  const char *dot = strrchr (name, '.');
  if (!dot || dot == name)
    return -1;
  const char *ext = dot + 1;
  gboolean text_ext = strcmp (ext, "txt") == 0 || strcmp (ext, "csv") == 0 ||
                      strcmp (ext, "lab") == 0 || strcmp (ext, "tsv") == 0;
  if (!text_ext)
    return token_kind (ext, strlen (ext));  /* STEM.beats, STEM.key, ... */
  /* the word before the extension: STEM.beats.txt, STEM_chords.csv, STEM-key.lab */
  const char *end = dot, *p = dot;
  while (p > name && p[-1] != '.' && p[-1] != '_' && p[-1] != '-')
    p--;
  int k = p > name ? token_kind (p, end - p) : -1;
  if (k >= 0)
    return k;
  if (strcmp (ext, "lab") == 0)
    return VITA_ANN_CHORDS;
  return VITA_ANN_UNKNOWN;
}

/* ------------------------------------------------------------------ files */

char *
vita_annotation_read_file (const char *path, gsize *len, GError **error)
{
  g_autoptr(GError) err = NULL;
  /* not mapped: a FIFO or a device must not block or be mapped (read with a cap) */
  if (!g_file_test (path, G_FILE_TEST_IS_REGULAR))
    {
      g_set_error (error, VITA_MODEL_ERROR, VITA_MODEL_ERROR_IO, "%s: not a regular file", path);
      return NULL;
    }
  g_autoptr(GMappedFile) mf = g_mapped_file_new (path, FALSE, &err);
  if (mf == NULL)
    {
      g_set_error (error, VITA_MODEL_ERROR, VITA_MODEL_ERROR_IO, "%s: %s", path, err->message);
      return NULL;
    }
  gsize n = g_mapped_file_get_length (mf);
  if (n > VITA_ANNOTATION_MAX_FILE)
    {
      g_set_error (error, VITA_MODEL_ERROR, VITA_MODEL_ERROR_PARSE,
                   "%s: annotation file of %zu bytes is larger than %u MB", path, n,
                   VITA_ANNOTATION_MAX_FILE >> 20);
      return NULL;
    }
  char *copy = g_malloc (n + 1);
  if (n)
    memcpy (copy, g_mapped_file_get_contents (mf), n);
  copy[n] = '\0';
  *len = n;
  return copy;
}

/* ------------------------------------------------------------------ lines */

typedef struct {
  const char *data;
  gsize len, pos;
  guint line_no;
  const char *why;  /* why the last line is unusable (NULL: empty or a comment) */
} Rd;

static void
rd_init (Rd *r, const char *data, gsize len)
{
  memset (r, 0, sizeof *r);
  r->data = data;
  r->len = data ? len : 0;
  if (r->len >= 3 && memcmp (data, "\xEF\xBB\xBF", 3) == 0)
    r->pos = 3;
}

/* Next line (any line, counted), stripped, into buf; *usable FALSE for a line that is
 * empty, a comment, too long, not UTF-8 or holds a NUL (the text parser warns). */
static gboolean
rd_next (Rd *r, char *buf, gboolean *usable)
{
  if (r->pos >= r->len)
    return FALSE;
  const char *start = r->data + r->pos;
  const char *nl = memchr (start, '\n', r->len - r->pos);
  gsize n = nl ? (gsize) (nl - start) : r->len - r->pos;
  r->pos += n + (nl ? 1 : 0);
  r->line_no++;
  if (n > 0 && start[n - 1] == '\r')
    n--;
  r->why = n > VITA_ANNOTATION_MAX_LINE ? "line too long, skipped"
           : memchr (start, '\0', n) ? "line contains a NUL byte, skipped"
           : !g_utf8_validate (start, n, NULL) ? "line is not valid UTF-8, skipped" : NULL;
  *usable = r->why == NULL;
  if (!*usable)
    {
      buf[0] = '\0';
      return TRUE;
    }
  memcpy (buf, start, n);
  buf[n] = '\0';
  g_strstrip (buf);
  if (buf[0] == '\0' || buf[0] == '#')
    *usable = FALSE;
  return TRUE;
}

/* Fields of a CSV line (double quotes with "" escapes), or of a blank-separated line
 * when it has no comma.  Newly allocated, stripped. */
static GPtrArray *
fields_of (const char *s)
{
  GPtrArray *out = g_ptr_array_new_with_free_func (g_free);
  if (!strchr (s, ','))
    {
      g_auto(GStrv) parts = g_strsplit_set (s, " \t", -1);
      for (int i = 0; parts[i]; i++)
        if (parts[i][0])
          g_ptr_array_add (out, g_strdup (parts[i]));
      return out;
    }
  const char *p = s;
  for (;;)
    {
      GString *f = g_string_new (NULL);
      while (*p == ' ' || *p == '\t')
        p++;
      if (*p == '"')
        {
          p++;
          while (*p && !(*p == '"' && p[1] != '"'))
            {
              if (*p == '"')
                p++;
              g_string_append_c (f, *p++);
            }
          if (*p == '"')
            p++;
          while (*p && *p != ',')
            p++;
        }
      else
        while (*p && *p != ',')
          g_string_append_c (f, *p++);
      g_ptr_array_add (out, g_strstrip (g_string_free (f, FALSE)));
      if (*p != ',')
        return out;
      p++;
    }
}

static gboolean
number (const char *s, double *out)
{
  if (!s || !*s)
    return FALSE;
  char *end = NULL;
  errno = 0;
  double v = g_ascii_strtod (s, &end);
  if (end == s || *end != '\0')
    return FALSE;
  *out = v;
  return TRUE;
}

/* The shortest of %.15g, %.16g, %.17g that reads back to the same double. */
static void
append_number (GString *s, double v)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];
  static const char *const fmt[3] = { "%.15g", "%.16g", "%.17g" };
  for (int i = 0; i < 3; i++)
    {
      g_ascii_formatd (buf, sizeof buf, fmt[i], v);
      if (g_ascii_strtod (buf, NULL) == v)
        break;
    }
  g_string_append (s, buf);
}

/* ------------------------------------------------------------------ chord labels */

gboolean
vita_chord_parse_any (const char *label, int *chord, char **message)
{
  g_autofree char *harte_msg = NULL;
  if (vita_chord_parse_harte (label, chord, &harte_msg))
    {
      if (message)
        *message = NULL;
      return TRUE;
    }
  /* shorthand: ROOT[quality][/BASS] with a note-name bass */
  static const int base[7] = { 9, 11, 0, 2, 4, 5, 7 };
  g_autofree char *q = NULL, *h = NULL;
  const char *p = label;
  if (*p < 'A' || *p > 'G')
    goto fail;
  int root = base[*p++ - 'A'];
  while (*p == '#' || *p == 'b')
    root += *p++ == '#' ? 1 : -1;
  const char *slash = strchr (p, '/');
  q = slash ? g_strndup (p, slash - p) : g_strdup (p);
  static const char *const map[][2] = {
    { "", "maj" }, { "maj", "maj" }, { "M", "maj" }, { "m", "min" }, { "min", "min" },
    { "-", "min" }, { "7", "7" }, { "maj7", "maj7" }, { "M7", "maj7" }, { "m7", "min7" },
    { "min7", "min7" }, { "-7", "min7" }, { "dim", "dim" }, { "o", "dim" }, { "dim7", "dim7" },
    { "o7", "dim7" }, { "m7b5", "hdim7" }, { "hdim7", "hdim7" }, { "aug", "aug" },
    { "+", "aug" }, { "sus4", "sus4" }, { "sus", "sus4" }, { "sus2", "sus2" },
    { "6", "maj6" }, { "m6", "min6" }, { "9", "9" }, { "maj9", "maj9" }, { "m9", "min9" },
    { "mmaj7", "minmaj7" }, { "mM7", "minmaj7" }, { "5", "5" }, { "11", "11" },
    { "13", "13" }, { "7sus4", "sus4(b7)" },
  };
  const char *harte_q = NULL;
  for (gsize i = 0; i < G_N_ELEMENTS (map); i++)
    if (strcmp (q, map[i][0]) == 0)
      harte_q = map[i][1];
  if (!harte_q)
    goto fail;
  char bass[8] = "";
  if (slash)
    {
      const char *b = slash + 1;
      if (*b < 'A' || *b > 'G')
        goto fail;
      int bv = base[*b++ - 'A'];
      while (*b == '#' || *b == 'b')
        bv += *b++ == '#' ? 1 : -1;
      if (*b)
        goto fail;
      static const char *const degree[12] = { "1", "b2", "2", "b3", "3", "4",
                                              "b5", "5", "b6", "6", "b7", "7" };
      g_snprintf (bass, sizeof bass, "/%s", degree[(((bv - root) % 12) + 12) % 12]);
    }
  static const char *const roots[12] = { "C", "C#", "D", "Eb", "E", "F",
                                         "F#", "G", "Ab", "A", "Bb", "B" };
  h = g_strdup_printf ("%s:%s%s", roots[((root % 12) + 12) % 12], harte_q, bass);
  if (vita_chord_parse_harte (h, chord, NULL))
    {
      if (message)
        *message = NULL;
      return TRUE;
    }
fail:
  if (message)
    *message = g_strdup_printf ("chord label '%s' is neither Harte syntax nor a shorthand "
                                "chord (C, Am, Bb7, F#m7b5, G/B)", label);
  return FALSE;
}

/* ------------------------------------------------------------------ CSV chords */

typedef struct {
  guint line;
  double t, dur;    /* dur NAN: an instant */
  char *label;
} Row;

VitaChordTrack *
vita_chord_track_parse_csv (const char *data, gsize len, const char *display_name,
                            double duration, GPtrArray *warnings, GError **error)
{
  const char *name = display_name ? display_name : "(chords)";
  Rd r;
  rd_init (&r, data, len);
  g_autofree char *buf = g_malloc (VITA_ANNOTATION_MAX_LINE + 1);
  g_autoptr(GArray) rows = g_array_new (FALSE, FALSE, sizeof (Row));
  GString *text = g_string_new (NULL);
  gboolean usable;
  while (rd_next (&r, buf, &usable))
    {
      if (!usable)
        {
          if (r.why && warnings)
            g_ptr_array_add (warnings, g_strdup_printf ("%s:%u: %s", name, r.line_no, r.why));
          continue;
        }
      g_autoptr(GPtrArray) f = fields_of (buf);
      Row row = { r.line_no, NAN, NAN, NULL };
      double a, b, c;
      const char *label = NULL;
      if (f->len >= 4 && number (f->pdata[0], &a) && number (f->pdata[1], &b) &&
          number (f->pdata[2], &c))
        row.t = a, row.dur = c, label = f->pdata[3];   /* time,value,duration,label */
      else if (f->len == 3 && number (f->pdata[0], &a) && number (f->pdata[1], &b))
        row.t = a, row.dur = b, label = f->pdata[2];   /* time,duration,label */
      else if (f->len == 2 && number (f->pdata[0], &a))
        row.t = a, label = f->pdata[1];                /* time,label: an instant */
      if (!label)
        {
          if (rows->len == 0 && f->len >= 2)
            continue;  /* a header row */
          if (warnings)
            g_ptr_array_add (warnings,
                             g_strdup_printf ("%s:%u: expected 'time,label' or "
                                              "'time,duration,label', skipped", name, r.line_no));
          continue;
        }
      row.label = g_strdup (label);
      g_array_append_val (rows, row);
    }
  /* one .lab line per input line: "start end label" or nothing */
  Row *v = (Row *) rows->data;
  guint k = 0;
  for (guint line = 1; line <= r.line_no; line++)
    {
      if (k < rows->len && v[k].line == line)
        {
          Row *row = &v[k];
          double end;
          if (!isnan (row->dur))
            end = row->t + row->dur;
          else if (k + 1 < rows->len)
            end = v[k + 1].t;
          else if (isfinite (duration))
            end = duration;
          else
            {
              if (warnings)
                g_ptr_array_add (warnings,
                                 g_strdup_printf ("%s:%u: the last chord instant has no end (the "
                                                  "audio's length is unknown); dropped",
                                                  name, line));
              end = NAN;
            }
          if (!isnan (end))
            {
              int chord;
              g_autofree char *msg = NULL;
              const char *lab_label = row->label;
              if (vita_chord_parse_any (row->label, &chord, &msg) && chord >= 0)
                lab_label = vita_chord_class_name (chord);
              else if (msg == NULL)
                lab_label = "X";
              append_number (text, row->t);
              g_string_append_c (text, ' ');
              append_number (text, end);
              g_string_append_c (text, ' ');
              for (const char *p = *lab_label ? lab_label : "?"; *p; p++)
                g_string_append_c (text, (guchar) *p <= ' ' ? '_' : *p);
            }
          k++;
        }
      g_string_append_c (text, '\n');
    }
  for (guint i = 0; i < rows->len; i++)
    g_free (v[i].label);
  g_autofree char *lab = g_string_free (text, FALSE);
  return vita_chord_track_parse (lab, strlen (lab), name, warnings, error);
}

/* ------------------------------------------------------------------ keys */

gboolean
vita_key_file_parse_any (const char *data, gsize len, const char *display_name, int *key,
                         GPtrArray *warnings, GError **error)
{
  Rd r;
  rd_init (&r, data, len);
  g_autofree char *buf = g_malloc (VITA_ANNOTATION_MAX_LINE + 1);
  GString *text = g_string_new (NULL);
  gboolean usable;
  while (rd_next (&r, buf, &usable))
    {
      if (!usable && r.why && warnings)
        g_ptr_array_add (warnings, g_strdup_printf ("%s:%u: %s", display_name ? display_name
                                                    : "(key)", r.line_no, r.why));
      if (usable)
        {
          g_autoptr(GPtrArray) f = fields_of (buf);
          double a, b;
          g_autofree char *joined = NULL;
          const char *l = buf;
          if (strchr (buf, ',') && f->len >= 2 && number (f->pdata[0], &a))
            l = f->pdata[f->len - 1];                   /* time[,duration],label */
          else if (!strchr (buf, ',') && f->len >= 3 && number (f->pdata[0], &a) &&
                   number (f->pdata[1], &b))
            {
              g_ptr_array_add (f, NULL);                /* start end label...: the rest */
              l = joined = g_strjoinv (" ", (char **) f->pdata + 2);
            }
          if (g_str_has_prefix (l, "Key "))
            l += 4;  /* Isophonics keylab: "Key E:minor" */
          if (g_ascii_strcasecmp (l, "Silence") == 0)
            l = "";
          /* QM key detector: "Eb / D# minor" → "Eb minor" */
          const char *alt = strstr (l, " / ");
          g_autofree char *qm = NULL;
          if (alt)
            {
              const char *mode = strrchr (l, ' ');
              qm = g_strdup_printf ("%.*s%s", (int) (alt - l), l, mode);
              l = qm;
            }
          for (const char *p = l; *p; p++)
            g_string_append_c (text, *p == '\n' ? ' ' : *p);
        }
      g_string_append_c (text, '\n');
    }
  g_autofree char *k = g_string_free (text, FALSE);
  return vita_key_file_parse (k, strlen (k), display_name, key, warnings, error);
}

/* ------------------------------------------------------------------ sniffing */

VitaAnnKind
vita_ann_sniff (const char *data, gsize len)
{
  Rd r;
  rd_init (&r, data, len);
  while (r.pos < r.len && g_ascii_isspace (r.data[r.pos]))
    r.pos++;
  if (r.pos < r.len && r.data[r.pos] == '{')
    return VITA_ANN_ANY;
  g_autofree char *buf = g_malloc (VITA_ANNOTATION_MAX_LINE + 1);
  int votes[VITA_ANN_N_KINDS + 2] = { 0 };
  int seen = 0;
  gboolean usable;
  while (seen < 20 && rd_next (&r, buf, &usable))
    {
      if (!usable)
        continue;
      g_autoptr(GPtrArray) f = fields_of (buf);
      double a, b;
      int chord, key;
      const char *label = NULL;
      g_autofree char *rest = NULL;
      gboolean comma = strchr (buf, ',') != NULL;
      if (f->len >= 3 && number (f->pdata[0], &a) && number (f->pdata[1], &b))
        {
          if (comma)
            label = f->pdata[f->len - 1];
          else
            {
              g_ptr_array_add (f, NULL);
              rest = g_strjoinv (" ", (char **) f->pdata + 2);
              g_ptr_array_remove_index (f, f->len - 1);
              label = rest;
            }
        }
      else if (f->len == 2 && number (f->pdata[0], &a))
        label = f->pdata[1];
      else if (f->len == 1 && number (f->pdata[0], &a))
        {
          votes[VITA_ANN_UNKNOWN]++;  /* a bare time */
          seen++;
          continue;
        }
      else if (!comma && vita_key_parse (buf, &key, NULL))
        {
          votes[VITA_ANN_KEY]++;
          seen++;
          continue;
        }
      else
        continue;  /* header or noise */
      seen++;
      double n;
      if (number (label, &n) && n == floor (n) && n >= 1 && n <= 16)
        votes[VITA_ANN_BEATS]++;          /* beat position */
      else if (!strchr (label, ' ') && vita_chord_parse_any (label, &chord, NULL))
        votes[VITA_ANN_CHORDS]++;
      else if (vita_key_parse (g_str_has_prefix (label, "Key ") ? label + 4 : label, &key, NULL))
        votes[VITA_ANN_KEY]++;
    }
  VitaAnnKind best = VITA_ANN_UNKNOWN;
  int best_n = 0;
  for (int k = 0; k < VITA_ANN_N_KINDS; k++)
    if (votes[k] > best_n)
      best = (VitaAnnKind) k, best_n = votes[k];
  return best_n * 2 > seen ? best : VITA_ANN_UNKNOWN;
}

/* ------------------------------------------------------------------ the set */

VitaAnnotationSet *
vita_annotation_set_new (void)
{
  VitaAnnotationSet *s = g_new0 (VitaAnnotationSet, 1);
  s->key = VITA_KEY_X;
  s->duration = NAN;
  return s;
}

static void
clear_kind (VitaAnnotationSet *s, VitaAnnKind k)
{
  switch (k)
    {
    case VITA_ANN_CHORDS: g_clear_pointer (&s->chords, vita_chord_track_free); break;
    case VITA_ANN_BEATS: g_clear_pointer (&s->beats, vita_event_list_free); break;
    case VITA_ANN_ONSETS: g_clear_pointer (&s->onsets, vita_event_list_free); break;
    case VITA_ANN_KEY: s->has_key = FALSE; s->key = VITA_KEY_X; break;
    case VITA_ANN_TAGS: g_clear_pointer (&s->tags, vita_tags_free); break;
    default: return;
    }
  g_clear_pointer (&s->from[k], g_free);
}

void
vita_annotation_set_free (VitaAnnotationSet *s)
{
  if (!s)
    return;
  for (int k = 0; k < VITA_ANN_N_KINDS; k++)
    clear_kind (s, (VitaAnnKind) k);
  g_free (s);
}

gboolean
vita_annotation_set_has (const VitaAnnotationSet *s, VitaAnnKind kind)
{
  switch (kind)
    {
    case VITA_ANN_CHORDS: return s->chords != NULL;
    case VITA_ANN_BEATS: return s->beats != NULL;
    case VITA_ANN_ONSETS: return s->onsets != NULL;
    case VITA_ANN_KEY: return s->has_key;
    case VITA_ANN_TAGS: return s->tags != NULL;
    default: return FALSE;
    }
}

/* Stores what a parser gave (takes ownership); FALSE when kept the older one. */
static gboolean
put (VitaAnnotationSet *s, VitaAnnKind k, gpointer value, int key, const char *path,
     gboolean replace, GPtrArray *warnings)
{
  if (vita_annotation_set_has (s, k) && !replace)
    {
      if (warnings)
        g_ptr_array_add (warnings, g_strdup_printf ("%s: also has %s; those of %s are used",
                                                    path, kind_names[k], s->from[k]));
      switch (k)
        {
        case VITA_ANN_CHORDS: vita_chord_track_free (value); break;
        case VITA_ANN_BEATS: case VITA_ANN_ONSETS: vita_event_list_free (value); break;
        case VITA_ANN_TAGS: vita_tags_free (value); break;
        default: break;
        }
      return FALSE;
    }
  clear_kind (s, k);
  switch (k)
    {
    case VITA_ANN_CHORDS: s->chords = value; break;
    case VITA_ANN_BEATS: s->beats = value; break;
    case VITA_ANN_ONSETS: s->onsets = value; break;
    case VITA_ANN_KEY: s->key = key; s->has_key = TRUE; break;
    case VITA_ANN_TAGS: s->tags = value; break;
    default: break;
    }
  s->from[k] = g_strdup (path);
  return TRUE;
}

static gboolean
has_comma_rows (const char *data, gsize len)
{
  Rd r;
  rd_init (&r, data, len);
  g_autofree char *buf = g_malloc (VITA_ANNOTATION_MAX_LINE + 1);
  gboolean usable;
  while (rd_next (&r, buf, &usable))
    if (usable)
      return strchr (buf, ',') != NULL;
  return FALSE;
}

gboolean
vita_annotation_set_add_file (VitaAnnotationSet *s, const char *path, VitaAnnKind kind,
                              gboolean replace, GPtrArray *warnings, GError **error)
{
  gsize len;
  g_autofree char *data = vita_annotation_read_file (path, &len, error);
  if (!data)
    return FALSE;
  if (kind == VITA_ANN_UNKNOWN)
    {
      int by_name = vita_ann_kind_for_name (path);
      kind = by_name >= 0 ? (VitaAnnKind) by_name : VITA_ANN_UNKNOWN;
    }
  if (kind == VITA_ANN_UNKNOWN || (kind != VITA_ANN_ANY && vita_ann_sniff (data, len) == VITA_ANN_ANY))
    kind = vita_ann_sniff (data, len);
  switch (kind)
    {
    case VITA_ANN_ANY:
      {
        g_autoptr(VitaJams) j = vita_jams_parse (data, len, path, warnings, error);
        if (!j)
          return FALSE;
        if (!isfinite (s->duration) && isfinite (j->duration))
          s->duration = j->duration;
        if (j->chords)
          put (s, VITA_ANN_CHORDS, g_steal_pointer (&j->chords), 0, path, replace, warnings);
        if (j->beats)
          put (s, VITA_ANN_BEATS, g_steal_pointer (&j->beats), 0, path, replace, warnings);
        if (j->onsets)
          put (s, VITA_ANN_ONSETS, g_steal_pointer (&j->onsets), 0, path, replace, warnings);
        if (j->has_key)
          put (s, VITA_ANN_KEY, NULL, j->key, path, replace, warnings);
        if (j->tags)
          put (s, VITA_ANN_TAGS, g_steal_pointer (&j->tags), 0, path, replace, warnings);
        return TRUE;
      }
    case VITA_ANN_CHORDS:
      {
        VitaChordTrack *t = has_comma_rows (data, len)
          ? vita_chord_track_parse_csv (data, len, path, s->duration, warnings, error)
          : vita_chord_track_parse (data, len, path, warnings, error);
        if (!t)
          return FALSE;
        put (s, kind, t, 0, path, replace, warnings);
        return TRUE;
      }
    case VITA_ANN_BEATS:
    case VITA_ANN_ONSETS:
      {
        VitaEventList *e = vita_event_list_parse (data, len, path, warnings, error);
        if (!e)
          return FALSE;
        put (s, kind, e, 0, path, replace, warnings);
        return TRUE;
      }
    case VITA_ANN_KEY:
      {
        int key;
        if (!vita_key_file_parse_any (data, len, path, &key, warnings, error))
          return FALSE;
        put (s, kind, NULL, key, path, replace, warnings);
        return TRUE;
      }
    case VITA_ANN_TAGS:
      {
        VitaTags *t = vita_tags_parse (data, len, path, warnings, error);
        if (!t)
          return FALSE;
        put (s, kind, t, 0, path, replace, warnings);
        return TRUE;
      }
    default:
      g_set_error (error, VITA_MODEL_ERROR, VITA_MODEL_ERROR_PARSE,
                   "%s: cannot tell what this file holds (a bare list of times is beats or "
                   "onsets: name it STEM.beats or STEM.onsets; chords are 'start end label' "
                   "lines, JAMS is JSON)", path);
      return FALSE;
    }
}

static char *
stem_of (const char *audio_path)
{
  g_autofree char *base = g_path_get_basename (audio_path);
  const char *dot = strrchr (base, '.');
  return dot && dot != base ? g_strndup (base, dot - base) : g_strdup (base);
}

static int
rank_of (const char *name)
{
  int k = vita_ann_kind_for_name (name);
  return k < VITA_ANN_N_KINDS ? 0 : k == VITA_ANN_ANY ? 1 : 2;
}

static gint
cmp_candidates (gconstpointer a, gconstpointer b)
{
  const char *x = *(char *const *) a, *y = *(char *const *) b;
  int rx = rank_of (x), ry = rank_of (y);
  if (rx != ry)
    return rx - ry;
  return strcmp (x, y);
}

/* Whether the first 64 KiB of path sniff as a known kind. */
static gboolean
sniff_head (const char *path)
{
  FILE *f = fopen (path, "rb");
  if (!f)
    return FALSE;
  g_autofree char *buf = g_malloc (65536);
  gsize n = fread (buf, 1, 65536, f);
  fclose (f);
  return vita_ann_sniff (buf, n) != VITA_ANN_UNKNOWN;
}

char **
vita_annotation_files_beside (const char *audio_path)
{
  g_autofree char *dir = g_path_get_dirname (audio_path);
  g_autofree char *base = g_path_get_basename (audio_path);
  g_autofree char *stem = stem_of (audio_path);
  gsize sl = strlen (stem);
  g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;
  while (d && (name = g_dir_read_name (d)))
    {
      if (strncmp (name, stem, sl) != 0 || !strchr (".-_", name[sl]) || name[sl] == '\0' ||
          strcmp (name, base) == 0 || vita_ann_kind_for_name (name) < 0)
        continue;
      g_autofree char *path = g_build_filename (dir, name, NULL);
      if (!g_file_test (path, G_FILE_TEST_IS_REGULAR))
        continue;
      /* STEM.txt, STEM.csv: only when the content says what they hold (a lyrics
       * STEM.txt beside the audio is not an annotation file, nor an error) */
      if (vita_ann_kind_for_name (name) == VITA_ANN_UNKNOWN && !sniff_head (path))
        continue;
      g_ptr_array_add (out, g_strdup (path));
    }
  g_ptr_array_sort (out, cmp_candidates);
  g_ptr_array_add (out, NULL);
  return (char **) g_ptr_array_free (g_steal_pointer (&out), FALSE);
}

VitaAnnotationSet *
vita_annotation_set_find (const char *audio_path, double duration, GPtrArray *warnings)
{
  VitaAnnotationSet *s = vita_annotation_set_new ();
  s->duration = duration;
  g_auto(GStrv) files = vita_annotation_files_beside (audio_path);
  for (int i = 0; files[i]; i++)
    {
      g_autoptr(GError) err = NULL;
      if (!vita_annotation_set_add_file (s, files[i], VITA_ANN_UNKNOWN, FALSE, warnings, &err) &&
          warnings)
        g_ptr_array_add (warnings, g_strdup (err->message));
    }
  return s;
}

char *
vita_annotation_set_describe (const VitaAnnotationSet *s, const char *piece)
{
  GString *found = g_string_new (NULL), *none = g_string_new (NULL);
  for (int k = 0; k < VITA_ANN_N_KINDS; k++)
    {
      if (!vita_annotation_set_has (s, (VitaAnnKind) k))
        {
          g_string_append_printf (none, "%s%s", none->len ? ", no " : "no ", kind_names[k]);
          continue;
        }
      g_autofree char *file = g_path_get_basename (s->from[k]);
      char what[64];
      switch (k)
        {
        case VITA_ANN_CHORDS: g_snprintf (what, sizeof what, "%u segments", s->chords->segments->len); break;
        case VITA_ANN_BEATS: g_snprintf (what, sizeof what, "%u", s->beats->times->len); break;
        case VITA_ANN_ONSETS: g_snprintf (what, sizeof what, "%u", s->onsets->times->len); break;
        case VITA_ANN_KEY: g_snprintf (what, sizeof what, "%s", vita_key_class_name (s->key)); break;
        default: g_snprintf (what, sizeof what, "%u", s->tags->names->len); break;
        }
      g_string_append_printf (found, "%s%s (%s) from %s", found->len ? ", " : "found ",
                              kind_names[k], what, file);
    }
  char *line = g_strdup_printf ("%s: %s%s%s", piece, found->len ? found->str : "found nothing",
                                none->len ? "; " : "", none->str);
  g_string_free (found, TRUE);
  g_string_free (none, TRUE);
  return line;
}

void
vita_annotation_set_clip (VitaAnnotationSet *s, double duration, GPtrArray *warnings)
{
  if (s->chords)
    {
      vita_chord_track_clip (s->chords, duration, warnings);
      if (s->chords->segments->len == 0)
        {
          if (warnings)
            g_ptr_array_add (warnings, g_strdup_printf ("%s: every chord lies past the end of "
                                                        "the audio", s->from[VITA_ANN_CHORDS]));
          clear_kind (s, VITA_ANN_CHORDS);
        }
    }
  if (s->beats)
    vita_event_list_clip (s->beats, duration, warnings);
  if (s->onsets)
    vita_event_list_clip (s->onsets, duration, warnings);
}

/* ------------------------------------------------------------------ export */

static const char *const format_names[] = { "csv", "lab", "jams", "npy" };

gboolean
vita_ann_export_format_from_string (const char *s, VitaAnnExportFormat *format)
{
  const char *dot = strrchr (s, '.');
  const char *ext = dot ? dot + 1 : s;
  for (gsize i = 0; i < G_N_ELEMENTS (format_names); i++)
    if (g_ascii_strcasecmp (ext, format_names[i]) == 0)
      {
        *format = (VitaAnnExportFormat) i;
        return TRUE;
      }
  return FALSE;
}

const char *
vita_ann_export_format_to_string (VitaAnnExportFormat format)
{
  return format_names[format];
}

static void
csv_label (GString *s, const char *label)
{
  if (strpbrk (label, ",\" "))
    {
      g_string_append_c (s, '"');
      for (const char *p = label; *p; p++)
        {
          if (*p == '"')
            g_string_append_c (s, '"');
          g_string_append_c (s, *p);
        }
      g_string_append_c (s, '"');
    }
  else
    g_string_append (s, label);
}

char *
vita_annotation_to_text (const VitaAnnotationSet *s, VitaAnnKind kind, VitaAnnExportFormat format,
                         const char *tool, GError **error)
{
  if (kind < VITA_ANN_N_KINDS && !vita_annotation_set_has (s, kind))
    {
      g_set_error (error, VITA_MODEL_ERROR, VITA_MODEL_ERROR_UNSUPPORTED,
                   "no %s to export", kind_names[kind]);
      return NULL;
    }
  if (format == VITA_ANN_EXPORT_JAMS)
    {
      g_autoptr(VitaJams) j = vita_jams_new ();
      j->duration = s->duration;
      /* borrowed: cleared before the free */
      if (kind == VITA_ANN_ANY || kind == VITA_ANN_CHORDS) j->chords = s->chords;
      if (kind == VITA_ANN_ANY || kind == VITA_ANN_BEATS) j->beats = s->beats;
      if (kind == VITA_ANN_ANY || kind == VITA_ANN_ONSETS) j->onsets = s->onsets;
      if (kind == VITA_ANN_ANY || kind == VITA_ANN_TAGS) j->tags = s->tags;
      if (kind == VITA_ANN_ANY || kind == VITA_ANN_KEY)
        j->has_key = s->has_key, j->key = s->key;
      char *text = vita_jams_to_string (j, NULL, tool);
      j->chords = NULL, j->beats = NULL, j->onsets = NULL, j->tags = NULL;
      return text;
    }
  if (kind == VITA_ANN_ANY || format == VITA_ANN_EXPORT_NPY ||
      (format == VITA_ANN_EXPORT_LAB && kind != VITA_ANN_CHORDS && kind != VITA_ANN_KEY))
    {
      g_set_error (error, VITA_MODEL_ERROR, VITA_MODEL_ERROR_UNSUPPORTED,
                   "%s cannot be written as %s text (.lab holds chords or a key; all kinds "
                   "together need JAMS)", vita_ann_kind_name (kind), format_names[format]);
      return NULL;
    }
  GString *t = g_string_new (NULL);
  const char *sep = format == VITA_ANN_EXPORT_CSV ? "," : " ";
  switch (kind)
    {
    case VITA_ANN_CHORDS:
      {
        const VitaChordSegment *v = (const VitaChordSegment *) s->chords->segments->data;
        for (guint i = 0; i < s->chords->segments->len; i++)
          {
            const char *label = v[i].chord >= 0 ? vita_chord_class_name (v[i].chord) : "X";
            append_number (t, v[i].start);
            g_string_append (t, sep);
            /* CSV: an SV region layer (time,duration,label); .lab: start end label */
            double d = v[i].end - v[i].start;
            if (v[i].start + d > v[i].end)
              d = nextafter (d, 0.0);  /* read back, start + d must not overlap the next */
            append_number (t, format == VITA_ANN_EXPORT_CSV ? d : v[i].end);
            g_string_append (t, sep);
            g_string_append (t, label);
            g_string_append_c (t, '\n');
          }
        break;
      }
    case VITA_ANN_BEATS:
    case VITA_ANN_ONSETS:
      {
        const VitaEventList *e = kind == VITA_ANN_BEATS ? s->beats : s->onsets;
        for (guint i = 0; i < e->times->len; i++)
          {
            append_number (t, g_array_index (e->times, double, i));
            g_string_append_c (t, '\n');
          }
        break;
      }
    case VITA_ANN_KEY:
      if (format == VITA_ANN_EXPORT_LAB)
        {
          g_string_append (t, "0 ");
          append_number (t, isfinite (s->duration) ? s->duration : 0.0);
          g_string_append_printf (t, " %s\n", vita_key_class_name (s->key));
        }
      else
        {
          g_string_append (t, "0,");
          csv_label (t, vita_key_class_name (s->key));
          g_string_append_c (t, '\n');
        }
      break;
    default:
      g_string_append (t, "tag,value\n");
      for (guint i = 0; i < s->tags->names->len; i++)
        {
          csv_label (t, g_ptr_array_index (s->tags->names, i));
          g_string_append_c (t, ',');
          append_number (t, g_array_index (s->tags->values, float, i));
          g_string_append_c (t, '\n');
        }
      break;
    }
  return g_string_free (t, FALSE);
}

/* A float64 .npy (version 1.0) of shape (n) or (n, cols). */
static GBytes *
npy_f64 (const double *v, gsize n, gsize cols)
{
  g_autofree char *shape = cols ? g_strdup_printf ("(%zu, %zu)", n, cols)
                                : g_strdup_printf ("(%zu,)", n);
  g_autofree char *dict = g_strdup_printf ("{'descr': '<f8', 'fortran_order': False, "
                                           "'shape': %s, }", shape);
  gsize hl = strlen (dict) + 1, total = 10 + hl;
  gsize pad = (64 - total % 64) % 64;
  GByteArray *b = g_byte_array_new ();
  guint16 hlen = (guint16) (hl + pad);
  g_byte_array_append (b, (const guint8 *) "\x93NUMPY\x01\x00", 8);
  guint8 le[2] = { hlen & 0xff, hlen >> 8 };
  g_byte_array_append (b, le, 2);
  g_byte_array_append (b, (const guint8 *) dict, strlen (dict));
  for (gsize i = 0; i < pad; i++)
    g_byte_array_append (b, (const guint8 *) " ", 1);
  g_byte_array_append (b, (const guint8 *) "\n", 1);
  for (gsize i = 0; i < n * MAX (cols, 1); i++)
    {
      guint64 u;
      memcpy (&u, &v[i], 8);
      u = GUINT64_TO_LE (u);
      g_byte_array_append (b, (const guint8 *) &u, 8);
    }
  return g_byte_array_free_to_bytes (b);
}

gboolean
vita_annotation_export (const VitaAnnotationSet *s, VitaAnnKind kind, VitaAnnExportFormat format,
                        const char *path, const char *tool, GError **error)
{
  g_autoptr(GBytes) bytes = NULL;
  if (format == VITA_ANN_EXPORT_NPY)
    {
      if (kind >= VITA_ANN_N_KINDS || !vita_annotation_set_has (s, kind))
        {
          g_set_error (error, VITA_MODEL_ERROR, VITA_MODEL_ERROR_UNSUPPORTED,
                       "%s: no %s to export as .npy", path, vita_ann_kind_name (kind));
          return FALSE;
        }
      g_autoptr(GArray) v = g_array_new (FALSE, FALSE, sizeof (double));
      gsize cols = 0;
      switch (kind)
        {
        case VITA_ANN_CHORDS:
          cols = 3;
          for (guint i = 0; i < s->chords->segments->len; i++)
            {
              const VitaChordSegment *g = &g_array_index (s->chords->segments, VitaChordSegment, i);
              double row[3] = { g->start, g->end, g->chord < 0 ? -1 : g->chord };
              g_array_append_vals (v, row, 3);
            }
          break;
        case VITA_ANN_BEATS:
        case VITA_ANN_ONSETS:
          {
            const VitaEventList *e = kind == VITA_ANN_BEATS ? s->beats : s->onsets;
            g_array_append_vals (v, e->times->data, e->times->len);
            break;
          }
        case VITA_ANN_KEY:
          {
            double k = s->key;
            g_array_append_val (v, k);
            break;
          }
        default:
          for (guint i = 0; i < s->tags->values->len; i++)
            {
              double x = g_array_index (s->tags->values, float, i);
              g_array_append_val (v, x);
            }
          break;
        }
      bytes = npy_f64 ((double *) v->data, cols ? v->len / cols : v->len, cols);
    }
  else
    {
      g_autoptr(GError) local = NULL;
      char *text = vita_annotation_to_text (s, kind, format, tool, &local);
      if (!text)
        {
          g_set_error (error, VITA_MODEL_ERROR, VITA_MODEL_ERROR_UNSUPPORTED, "%s: %s", path,
                       local->message);
          return FALSE;
        }
      bytes = g_bytes_new_take (text, strlen (text));
    }
  gsize n;
  const void *d = g_bytes_get_data (bytes, &n);
  return vita_file_write_atomic (path, d, n, error);
}

gboolean
vita_curve_export (const float *values, gsize n, double hop, VitaAnnExportFormat format,
                   const char *path, GError **error)
{
  if (format == VITA_ANN_EXPORT_NPY)
    {
      g_autofree double *v = g_new (double, MAX (n, 1));
      for (gsize i = 0; i < n; i++)
        v[i] = values[i];
      g_autoptr(GBytes) b = npy_f64 (v, n, 0);
      gsize len;
      const void *d = g_bytes_get_data (b, &len);
      return vita_file_write_atomic (path, d, len, error);
    }
  if (format != VITA_ANN_EXPORT_CSV)
    {
      g_set_error (error, VITA_MODEL_ERROR, VITA_MODEL_ERROR_UNSUPPORTED,
                   "%s: a curve is written as CSV (time,value) or .npy, not %s", path,
                   format_names[format]);
      return FALSE;
    }
  GString *t = g_string_new (NULL);
  for (gsize i = 0; i < n; i++)
    {
      append_number (t, i * hop);
      g_string_append_c (t, ',');
      append_number (t, values[i]);
      g_string_append_c (t, '\n');
    }
  gsize len = t->len;
  g_autofree char *text = g_string_free (t, FALSE);
  return vita_file_write_atomic (path, text, len, error);
}
