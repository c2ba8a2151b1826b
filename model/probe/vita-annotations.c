/* vita-annotations.c — .lab chords, beat/onset lists, CSV tags, key files.
 * Untrusted input: see vita-annotations.h and shared/design/reliability.md 13–15. */
#include "vita-annotations.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>

#define MAX_WARNINGS 50  /* then one "... and N more" line: a binary file must not flood */

/* ---------------------------------------------------------------- names */

static const char *const chord_names[VITA_CHORD_N_CLASSES] = {
  "C:maj", "C#:maj", "D:maj", "Eb:maj", "E:maj", "F:maj", "F#:maj", "G:maj", "Ab:maj",
  "A:maj", "Bb:maj", "B:maj",
  "C:min", "C#:min", "D:min", "Eb:min", "E:min", "F:min", "F#:min", "G:min", "Ab:min",
  "A:min", "Bb:min", "B:min", "N",
};

static const char *const key_names[VITA_KEY_N_CLASSES] = {
  "C major", "C# major", "D major", "Eb major", "E major", "F major", "F# major",
  "G major", "Ab major", "A major", "Bb major", "B major",
  "C minor", "C# minor", "D minor", "Eb minor", "E minor", "F minor", "F# minor",
  "G minor", "Ab minor", "A minor", "Bb minor", "B minor",
};

const char *
vita_chord_class_name (int chord)
{
  if (chord >= 0 && chord < VITA_CHORD_N_CLASSES)
    return chord_names[chord];
  return chord == VITA_CHORD_OTHER ? "X" : "?";
}

const char *
vita_key_class_name (int key)
{
  if (key >= 0 && key < VITA_KEY_N_CLASSES)
    return key_names[key];
  return "X";
}

/* ---------------------------------------------------------------- Harte → class */

/* mir_eval.chord.QUALITIES, first 12 semitones. */
static const struct {
  const char *name;
  guint16 bits;  /* bit i = semitone i */
} qualities[] = {
#define Q(n, b0, b1, b2, b3, b4, b5, b6, b7, b8, b9, b10, b11) \
  { n, (b0) | (b1) << 1 | (b2) << 2 | (b3) << 3 | (b4) << 4 | (b5) << 5 | (b6) << 6 | \
       (b7) << 7 | (b8) << 8 | (b9) << 9 | (b10) << 10 | (b11) << 11 }
  Q ("maj", 1, 0, 0, 0, 1, 0, 0, 1, 0, 0, 0, 0),
  Q ("min", 1, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0),
  Q ("aug", 1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0),
  Q ("dim", 1, 0, 0, 1, 0, 0, 1, 0, 0, 0, 0, 0),
  Q ("sus4", 1, 0, 0, 0, 0, 1, 0, 1, 0, 0, 0, 0),
  Q ("sus2", 1, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0),
  Q ("7", 1, 0, 0, 0, 1, 0, 0, 1, 0, 0, 1, 0),
  Q ("maj7", 1, 0, 0, 0, 1, 0, 0, 1, 0, 0, 0, 1),
  Q ("min7", 1, 0, 0, 1, 0, 0, 0, 1, 0, 0, 1, 0),
  Q ("minmaj7", 1, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1),
  Q ("maj6", 1, 0, 0, 0, 1, 0, 0, 1, 0, 1, 0, 0),
  Q ("min6", 1, 0, 0, 1, 0, 0, 0, 1, 0, 1, 0, 0),
  Q ("dim7", 1, 0, 0, 1, 0, 0, 1, 0, 0, 1, 0, 0),
  Q ("hdim7", 1, 0, 0, 1, 0, 0, 1, 0, 0, 0, 1, 0),
  Q ("maj9", 1, 0, 0, 0, 1, 0, 0, 1, 0, 0, 0, 1),
  Q ("min9", 1, 0, 0, 1, 0, 0, 0, 1, 0, 0, 1, 0),
  Q ("9", 1, 0, 0, 0, 1, 0, 0, 1, 0, 0, 1, 0),
  Q ("b9", 1, 0, 0, 0, 1, 0, 0, 1, 0, 0, 1, 0),
  Q ("#9", 1, 0, 0, 0, 1, 0, 0, 1, 0, 0, 1, 0),
  Q ("min11", 1, 0, 0, 1, 0, 0, 0, 1, 0, 0, 1, 0),
  Q ("11", 1, 0, 0, 0, 1, 0, 0, 1, 0, 0, 1, 0),
  Q ("#11", 1, 0, 0, 0, 1, 0, 0, 1, 0, 0, 1, 0),
  Q ("maj13", 1, 0, 0, 0, 1, 0, 0, 1, 0, 0, 0, 1),
  Q ("min13", 1, 0, 0, 1, 0, 0, 0, 1, 0, 0, 1, 0),
  Q ("13", 1, 0, 0, 0, 1, 0, 0, 1, 0, 0, 1, 0),
  Q ("b13", 1, 0, 0, 0, 1, 0, 0, 1, 0, 0, 1, 0),
  Q ("1", 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0),
  Q ("5", 1, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0),
  Q ("", 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0),
#undef Q
};

#define BITS_MAJ8 0x91   /* semitones 0, 4, 7 */
#define BITS_MIN8 0x89   /* semitones 0, 3, 7 */

/* mir_eval.chord.pitch_class_to_semitone */
static gboolean
pitch_class (const char *s, gsize n, int *out)
{
  static const int base[7] = { 9, 11, 0, 2, 4, 5, 7 };  /* A..G */
  if (n == 0 || s[0] < 'A' || s[0] > 'G')
    return FALSE;
  int v = base[s[0] - 'A'];
  for (gsize i = 1; i < n; i++)
    {
      if (s[i] == '#')
        v++;
      else if (s[i] == 'b')
        v--;
      else
        return FALSE;
    }
  *out = ((v % 12) + 12) % 12;
  return TRUE;
}

/* mir_eval.chord.scale_degree_to_semitone (not wrapped). */
static gboolean
scale_degree (const char *s, gsize n, int *out)
{
  int offset = 0;
  gsize i = 0;
  if (n > 0 && s[0] == '#')
    while (i < n && s[i] == '#')
      offset++, i++;
  else if (n > 0 && s[0] == 'b')
    while (i < n && s[i] == 'b')
      offset--, i++;
  static const int semis[14] = { 0, 0, 2, 4, 5, 7, 9, 11, 12, 14, 16, 17, 19, 21 };
  if (i >= n || n - i > 2)
    return FALSE;
  int d = 0;
  for (gsize k = i; k < n; k++)
    {
      if (s[k] < '0' || s[k] > '9')
        return FALSE;
      d = d * 10 + (s[k] - '0');
    }
  if (d < 1 || d > 13 || (n - i == 2 && s[i] == '0'))
    return FALSE;
  *out = semis[d] + offset;
  return TRUE;
}

static gboolean
harte_fail (char **message, const char *fmt, ...)
{
  if (message)
    {
      va_list ap;
      va_start (ap, fmt);
      *message = g_strdup_vprintf (fmt, ap);
      va_end (ap);
    }
  return FALSE;
}

gboolean
vita_chord_parse_harte (const char *label, int *chord, char **message)
{
  g_return_val_if_fail (label != NULL && chord != NULL, FALSE);
  if (message)
    *message = NULL;
  if (strcmp (label, "N") == 0)
    {
      *chord = VITA_CHORD_N;
      return TRUE;
    }
  if (strcmp (label, "X") == 0)
    {
      *chord = VITA_CHORD_OTHER;
      return TRUE;
    }
  gsize len = strlen (label);
  if (len == 0 || len > 64)
    return harte_fail (message, "chord label of %zu characters", len);

  /* root[:quality][(degrees)][/bass], as mir_eval.chord.split */
  const char *slash = strchr (label, '/');
  if (slash && strchr (slash + 1, '/'))
    return harte_fail (message, "chord label '%s' has two '/'", label);
  gsize main_len = slash ? (gsize) (slash - label) : len;
  const char *paren = memchr (label, '(', main_len);
  gsize head_len = paren ? (gsize) (paren - label) : main_len;

  guint16 add = 0, remove = 0;
  gboolean have_degrees = FALSE, omission = FALSE;
  if (paren)
    {
      if (label[main_len - 1] != ')')
        return harte_fail (message, "chord label '%s': '(' without closing ')'", label);
      const char *p = paren + 1, *end = label + main_len - 1;
      if (memchr (p, '(', end - p) || memchr (p, ')', end - p))
        return harte_fail (message, "chord label '%s': nested parentheses", label);
      while (p <= end)
        {
          const char *comma = memchr (p, ',', end - p);
          const char *q = comma ? comma : end;
          while (p < q && *p == ' ')
            p++;
          const char *qe = q;
          while (qe > p && qe[-1] == ' ')
            qe--;
          int sign = 1;
          if (p < qe && *p == '*')
            {
              sign = -1;
              omission = TRUE;
              while (p < qe && *p == '*')
                p++;
            }
          int semi;
          if (!scale_degree (p, qe - p, &semi))
            return harte_fail (message, "chord label '%s': bad scale degree '%.*s'", label,
                               (int) (qe - p), p);
          have_degrees = TRUE;
          /* scale_degree_to_bitmap(modulo=False): degrees of 12+ semitones dropped;
           * Python's negative index wraps (b1 → 11). */
          if (semi < 12)
            {
              int idx = ((semi % 12) + 12) % 12;
              if (sign > 0)
                add |= 1u << idx;
              else
                remove |= 1u << idx;
            }
          if (!comma)
            break;
          p = comma + 1;
        }
    }

  const char *colon = memchr (label, ':', head_len);
  if (omission && !colon)
    return harte_fail (message, "chord label '%s': omissions need a quality", label);
  char quality[16] = "maj";
  if (have_degrees)
    quality[0] = '\0';
  gsize root_len = colon ? (gsize) (colon - label) : head_len;
  if (colon)
    {
      if (memchr (colon + 1, ':', head_len - root_len - 1))
        return harte_fail (message, "chord label '%s' has two ':'", label);
      gsize qlen = head_len - root_len - 1;
      if (qlen >= sizeof quality)
        return harte_fail (message, "chord label '%s': unknown quality", label);
      if (qlen > 0)
        {
          for (gsize i = 0; i < qlen; i++)
            quality[i] = g_ascii_tolower (colon[1 + i]);
          quality[qlen] = '\0';
        }
    }
  int root;
  if (!pitch_class (label, root_len, &root))
    return harte_fail (message, "chord label '%s': bad root '%.*s'", label, (int) root_len,
                       label);
  gint q = -1;
  for (gsize i = 0; i < G_N_ELEMENTS (qualities); i++)
    if (strcmp (qualities[i].name, quality) == 0)
      {
        q = (gint) i;
        break;
      }
  if (q < 0)
    return harte_fail (message, "chord label '%s': unknown quality '%s'", label, quality);

  /* bitmap = quality, root forced on, + degrees (summed, then > 0). */
  int sum[12];
  for (int i = 0; i < 12; i++)
    sum[i] = (qualities[q].bits >> i) & 1;
  sum[0] = 1;
  for (int i = 0; i < 12; i++)
    sum[i] += ((add >> i) & 1) - ((remove >> i) & 1);
  guint16 bits = 0;
  for (int i = 0; i < 12; i++)
    if (sum[i] > 0)
      bits |= 1u << i;
  if (slash)
    {
      int b;
      if (!scale_degree (slash + 1, len - main_len - 1, &b))
        return harte_fail (message, "chord label '%s': bad bass '%s'", label, slash + 1);
      bits |= 1u << (((b % 12) + 12) % 12);
    }
  guint16 low8 = bits & 0xff;
  if (low8 == BITS_MAJ8)
    *chord = root;
  else if (low8 == BITS_MIN8)
    *chord = root + 12;
  else
    *chord = VITA_CHORD_OTHER;
  return TRUE;
}

gboolean
vita_key_parse (const char *text, int *key, char **message)
{
  if (message)
    *message = NULL;
  g_autofree char *s = g_strstrip (g_strdup (text));
  if (g_ascii_strcasecmp (s, "X") == 0)
    {
      *key = VITA_KEY_X;
      return TRUE;
    }
  static const int base[7] = { 9, 11, 0, 2, 4, 5, 7 };
  char c = g_ascii_toupper (s[0]);
  if (c < 'A' || c > 'G')
    return harte_fail (message, "key '%s': bad tonic", s);
  int v = base[c - 'A'];
  const char *p = s + 1;
  while (*p == '#' || *p == 'b')
    v += *p++ == '#' ? 1 : -1;
  while (*p == ' ' || *p == '\t' || *p == ':' || *p == '_')
    p++;
  gboolean minor;
  if (*p == '\0' || g_ascii_strcasecmp (p, "major") == 0 || g_ascii_strcasecmp (p, "maj") == 0)
    minor = FALSE;
  else if (g_ascii_strcasecmp (p, "minor") == 0 || g_ascii_strcasecmp (p, "min") == 0 ||
           strcmp (p, "m") == 0)
    minor = TRUE;
  else if (g_ascii_strcasecmp (p, "other") == 0)
    {
      *key = VITA_KEY_X;
      return TRUE;
    }
  else
    return harte_fail (message, "key '%s': unknown mode '%s'", s, p);
  *key = ((v % 12) + 12) % 12 + (minor ? 12 : 0);
  return TRUE;
}

/* ---------------------------------------------------------------- line reader */

typedef struct {
  const char *data;
  gsize       len;
  gsize       pos;
  guint       line_no;
  const char *name;
  GPtrArray  *warnings;
  guint       n_warnings;
} Lines;

G_GNUC_PRINTF (3, 4) static void
warn (Lines *r, guint line, const char *fmt, ...)
{
  r->n_warnings++;
  if (r->warnings == NULL || r->n_warnings > MAX_WARNINGS)
    return;
  va_list ap;
  va_start (ap, fmt);
  g_autofree char *msg = g_strdup_vprintf (fmt, ap);
  va_end (ap);
  if (line)
    g_ptr_array_add (r->warnings, g_strdup_printf ("%s:%u: %s", r->name, line, msg));
  else
    g_ptr_array_add (r->warnings, g_strdup_printf ("%s: %s", r->name, msg));
}

static void
lines_init (Lines *r, const char *data, gsize len, const char *name, GPtrArray *warnings)
{
  memset (r, 0, sizeof *r);
  r->data = data;
  r->len = data ? len : 0;
  r->name = name ? name : "(annotation)";
  r->warnings = warnings;
  /* UTF-8 byte order mark */
  if (r->len >= 3 && memcmp (data, "\xEF\xBB\xBF", 3) == 0)
    r->pos = 3;
}

static void
lines_finish (Lines *r)
{
  if (r->warnings && r->n_warnings > MAX_WARNINGS)
    g_ptr_array_add (r->warnings, g_strdup_printf ("%s: … and %u more warnings", r->name,
                                                   r->n_warnings - MAX_WARNINGS));
}

/* Next usable line, copied into buf (NUL-terminated, stripped); FALSE at the end. */
static gboolean
lines_next (Lines *r, char buf[VITA_ANNOTATION_MAX_LINE + 1])
{
  while (r->pos < r->len)
    {
      const char *start = r->data + r->pos;
      const char *nl = memchr (start, '\n', r->len - r->pos);
      gsize n = nl ? (gsize) (nl - start) : r->len - r->pos;
      r->pos += n + (nl ? 1 : 0);
      r->line_no++;
      if (n > 0 && start[n - 1] == '\r')
        n--;
      if (n > VITA_ANNOTATION_MAX_LINE)
        {
          warn (r, r->line_no, "line of %zu bytes (more than %d), skipped", n,
                VITA_ANNOTATION_MAX_LINE);
          continue;
        }
      if (memchr (start, '\0', n))
        {
          warn (r, r->line_no, "line contains a NUL byte, skipped");
          continue;
        }
      if (!g_utf8_validate (start, n, NULL))
        {
          warn (r, r->line_no, "line is not valid UTF-8, skipped");
          continue;
        }
      memcpy (buf, start, n);
      buf[n] = '\0';
      g_strstrip (buf);
      if (buf[0] == '\0' || buf[0] == '#')
        continue;
      return TRUE;
    }
  return FALSE;
}

/* Splits on blanks (and commas when commas is TRUE) in place; returns field count. */
static int
split_fields (char *s, gboolean commas, char **fields, int max_fields)
{
  int n = 0;
  char *p = s;
  while (*p && n < max_fields)
    {
      while (*p == ' ' || *p == '\t' || (commas && *p == ','))
        p++;
      if (!*p)
        break;
      fields[n++] = p;
      while (*p && *p != ' ' && *p != '\t' && !(commas && *p == ','))
        p++;
      if (*p)
        *p++ = '\0';
    }
  return n;
}

/* g_ascii_strtod on a whole field (locale-independent, reliability.md 13).
 * NaN/Inf parse: the caller decides what to do with them. */
static gboolean
parse_number (const char *s, double *out)
{
  if (s == NULL || *s == '\0')
    return FALSE;
  char *end = NULL;
  errno = 0;
  double v = g_ascii_strtod (s, &end);
  if (end == s || *end != '\0')
    return FALSE;
  if (errno == ERANGE && isfinite (v) && v != 0)
    return FALSE;
  *out = v;
  return TRUE;
}

char *
vita_annotations_read_text (const char *path, gsize *len, GError **error)
{
  /* O_NONBLOCK: a FIFO named like an annotation must not block us in open(2); a FIFO,
   * folder or device (a link to /dev/zero) is refused by name (issue 15.10), not
   * reported as absent nor read forever. */
  int fd = g_open (path, O_RDONLY | O_CLOEXEC | O_NONBLOCK, 0);
  if (fd < 0)
    {
      int e = errno;
      g_set_error (error, VITA_MODEL_ERROR, VITA_MODEL_ERROR_IO, "%s: %s", path, g_strerror (e));
      return NULL;
    }
  struct stat st;
  if (fstat (fd, &st) != 0 || !S_ISREG (st.st_mode))
    {
      const char *what = S_ISDIR (st.st_mode) ? "a folder" : S_ISFIFO (st.st_mode) ? "a FIFO"
                         : S_ISCHR (st.st_mode) || S_ISBLK (st.st_mode) ? "a device"
                         : S_ISSOCK (st.st_mode) ? "a socket" : "not a regular file";
      g_set_error (error, VITA_MODEL_ERROR, VITA_MODEL_ERROR_IO,
                   "%s: not a regular file (%s); an annotation must be a text file", path, what);
      close (fd);
      return NULL;
    }
  if ((guint64) st.st_size > VITA_ANNOTATION_MAX_FILE)
    {
      g_set_error (error, VITA_MODEL_ERROR, VITA_MODEL_ERROR_PARSE,
                   "%s: annotation file of %" G_GUINT64_FORMAT " bytes is larger than %u MB",
                   path, (guint64) st.st_size, VITA_ANNOTATION_MAX_FILE >> 20);
      close (fd);
      return NULL;
    }
  int flags = fcntl (fd, F_GETFL);
  if (flags >= 0)
    (void) fcntl (fd, F_SETFL, flags & ~O_NONBLOCK);
  /* read at most one byte past the limit: a file that grows is refused */
  gsize cap = (gsize) st.st_size + 1, n = 0;
  char *copy = g_malloc (cap + 1);
  while (TRUE)
    {
      if (n == cap)
        {
          if (cap > VITA_ANNOTATION_MAX_FILE)
            break;
          cap = MIN (cap * 2, (gsize) VITA_ANNOTATION_MAX_FILE + 1);
          copy = g_realloc (copy, cap + 1);
        }
      gssize r = read (fd, copy + n, cap - n);
      if (r < 0 && errno == EINTR)
        continue;
      if (r < 0)
        {
          int e = errno;
          g_set_error (error, VITA_MODEL_ERROR, VITA_MODEL_ERROR_IO, "%s: %s", path, g_strerror (e));
          g_free (copy);
          close (fd);
          return NULL;
        }
      if (r == 0)
        break;
      n += (gsize) r;
    }
  close (fd);
  if (n > VITA_ANNOTATION_MAX_FILE)
    {
      g_set_error (error, VITA_MODEL_ERROR, VITA_MODEL_ERROR_PARSE,
                   "%s: annotation file is larger than %u MB", path, VITA_ANNOTATION_MAX_FILE >> 20);
      g_free (copy);
      return NULL;
    }
  copy[n] = '\0';
  *len = n;
  return copy;
}

/* ---------------------------------------------------------------- chords */

typedef struct {
  VitaChordSegment seg;
  guint line;
} RawSeg;

static int
cmp_rawseg (const void *a, const void *b)
{
  const RawSeg *x = a, *y = b;
  if (x->seg.start != y->seg.start)
    return x->seg.start < y->seg.start ? -1 : 1;
  return (x->line > y->line) - (x->line < y->line);  /* stable */
}

void
vita_chord_track_free (VitaChordTrack *track)
{
  if (!track)
    return;
  if (track->segments)
    g_array_unref (track->segments);
  g_free (track->path);
  g_free (track);
}

VitaChordTrack *
vita_chord_track_parse (const char *data, gsize len, const char *display_name,
                        GPtrArray *warnings, GError **error)
{
  Lines r;
  lines_init (&r, data, len, display_name, warnings);
  g_autoptr(GArray) raw = g_array_new (FALSE, FALSE, sizeof (RawSeg));
  g_autofree char *buf = g_malloc (VITA_ANNOTATION_MAX_LINE + 1);
  guint n_unknown = 0;

  while (lines_next (&r, buf))
    {
      char *f[4];
      int nf = split_fields (buf, FALSE, f, 4);
      double s, e;
      if (nf < 3)
        {
          warn (&r, r.line_no, "expected 'start end label', skipped");
          continue;
        }
      if (!parse_number (f[0], &s) || !parse_number (f[1], &e))
        {
          warn (&r, r.line_no, "start or end time is not a number, skipped");
          continue;
        }
      if (!isfinite (s) || !isfinite (e))
        {
          warn (&r, r.line_no, "time is NaN or infinite, skipped");
          continue;
        }
      if (e < s)
        {
          warn (&r, r.line_no, "end %.3f before start %.3f, skipped", e, s);
          continue;
        }
      if (e <= 0)
        {
          warn (&r, r.line_no, "segment ends at or before 0 s, skipped");
          continue;
        }
      if (s < 0)
        {
          warn (&r, r.line_no, "negative start time %.3f clipped to 0", s);
          s = 0;
        }
      if (e == s)
        {
          warn (&r, r.line_no, "zero-length segment, skipped");
          continue;
        }
      int chord;
      g_autofree char *msg = NULL;
      if (!vita_chord_parse_harte (f[2], &chord, &msg))
        {
          warn (&r, r.line_no, "unknown chord label (%s); not scored", msg);
          chord = VITA_CHORD_UNKNOWN;
          n_unknown++;
        }
      RawSeg rs = { { s, e, chord }, r.line_no };
      g_array_append_val (raw, rs);
    }

  if (raw->len == 0)
    {
      lines_finish (&r);
      g_set_error (error, VITA_MODEL_ERROR, VITA_MODEL_ERROR_PARSE,
                   "%s: no chord segment found (expected lines 'start end label')", r.name);
      return NULL;
    }

  RawSeg *v = (RawSeg *) raw->data;
  gboolean sorted = TRUE;
  for (guint i = 1; i < raw->len; i++)
    if (v[i].seg.start < v[i - 1].seg.start)
      sorted = FALSE;
  if (!sorted)
    {
      warn (&r, 0, "segments not in time order; sorted");
      qsort (v, raw->len, sizeof (RawSeg), cmp_rawseg);
    }

  VitaChordTrack *track = g_new0 (VitaChordTrack, 1);
  track->path = g_strdup (display_name);
  track->segments = g_array_sized_new (FALSE, FALSE, sizeof (VitaChordSegment), raw->len);
  for (guint i = 0; i < raw->len; i++)
    {
      VitaChordSegment seg = v[i].seg;
      GArray *out = track->segments;
      /* Overlap: the later segment wins; an earlier one is cut where it starts, and
       * whatever of the earlier ones outlasts it resumes after it (a nested segment
       * after another must not lose the enclosing chord's remainder).  One warning
       * per line (issue 15.10). */
      gboolean warned = FALSE;
      g_autoptr(GArray) after = g_array_new (FALSE, FALSE, sizeof (VitaChordSegment));
      while (out->len > 0)
        {
          VitaChordSegment *prev = &g_array_index (out, VitaChordSegment, out->len - 1);
          if (seg.start >= prev->end)
            break;
          if (!warned)
            warn (&r, v[i].line, "overlaps the previous segment; previous one cut at %.3f s",
                  seg.start);
          warned = TRUE;
          if (prev->end > seg.end)
            {
              VitaChordSegment rest = { MAX (seg.end, prev->start), prev->end, prev->chord };
              g_array_prepend_val (after, rest);
            }
          if (seg.start > prev->start)
            {
              prev->end = seg.start;
              break;
            }
          g_array_remove_index (out, out->len - 1);  /* covered from its start */
        }
      g_array_append_val (track->segments, seg);
      if (after->len > 0)
        g_array_append_vals (track->segments, after->data, after->len);
    }
  lines_finish (&r);
  return track;
}

VitaChordTrack *
vita_chord_track_load (const char *path, GPtrArray *warnings, GError **error)
{
  gsize len;
  g_autofree char *data = vita_annotations_read_text (path, &len, error);
  if (!data)
    return NULL;
  return vita_chord_track_parse (data, len, path, warnings, error);
}

void
vita_chord_track_clip (VitaChordTrack *track, double duration, GPtrArray *warnings)
{
  GArray *a = track->segments;
  guint n_before = a->len;
  gboolean clipped = FALSE;
  while (a->len > 0 && g_array_index (a, VitaChordSegment, a->len - 1).start >= duration)
    g_array_remove_index (a, a->len - 1);
  if (a->len > 0)
    {
      VitaChordSegment *last = &g_array_index (a, VitaChordSegment, a->len - 1);
      if (last->end > duration + 1e-9)
        {
          last->end = duration;
          clipped = TRUE;
        }
    }
  if ((clipped || a->len != n_before) && warnings)
    g_ptr_array_add (warnings,
                     g_strdup_printf ("%s: annotation goes past the end of the audio "
                                      "(%.3f s); %u segment(s) dropped, clipped",
                                      track->path ? track->path : "(chords)", duration,
                                      n_before - a->len));
}

void
vita_chord_track_to_frames (const VitaChordTrack *track, double hop_seconds, int n_frames,
                            int *out)
{
  const VitaChordSegment *s = (const VitaChordSegment *) track->segments->data;
  guint n = track->segments->len, k = 0;
  for (int i = 0; i < n_frames; i++)
    {
      double t = i * hop_seconds;
      while (k < n && s[k].end <= t)
        k++;
      out[i] = (k < n && s[k].start <= t) ? s[k].chord : VITA_CHORD_N;
    }
}

/* ---------------------------------------------------------------- events */

void
vita_event_list_free (VitaEventList *events)
{
  if (!events)
    return;
  if (events->times)
    g_array_unref (events->times);
  g_free (events->path);
  g_free (events);
}

static int
cmp_double (const void *a, const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return (x > y) - (x < y);
}

VitaEventList *
vita_event_list_parse (const char *data, gsize len, const char *display_name,
                       GPtrArray *warnings, GError **error)
{
  Lines r;
  lines_init (&r, data, len, display_name, warnings);
  g_autofree char *buf = g_malloc (VITA_ANNOTATION_MAX_LINE + 1);
  g_autoptr(GArray) times = g_array_new (FALSE, FALSE, sizeof (double));
  guint bad = 0;
  while (lines_next (&r, buf))
    {
      char *f[2];
      int nf = split_fields (buf, TRUE, f, 2);
      double t;
      if (nf < 1 || !parse_number (f[0], &t))
        {
          /* a header line ("time,label") is common in CSV exports */
          if (times->len > 0 || bad > 0)
            warn (&r, r.line_no, "not a time, skipped");
          bad++;
          continue;
        }
      if (!isfinite (t))
        {
          warn (&r, r.line_no, "time is NaN or infinite, skipped");
          continue;
        }
      if (t < 0)
        {
          warn (&r, r.line_no, "negative time %.3f, skipped", t);
          continue;
        }
      g_array_append_val (times, t);
    }
  if (times->len == 0)
    {
      lines_finish (&r);
      g_set_error (error, VITA_MODEL_ERROR, VITA_MODEL_ERROR_PARSE,
                   "%s: no event time found (expected one time in seconds per line)", r.name);
      return NULL;
    }
  double *t = (double *) times->data;
  gboolean sorted = TRUE;
  for (guint i = 1; i < times->len; i++)
    if (t[i] < t[i - 1])
      sorted = FALSE;
  if (!sorted)
    {
      warn (&r, 0, "times not in increasing order; sorted");
      qsort (t, times->len, sizeof (double), cmp_double);
    }
  guint w = 1, dups = 0;
  for (guint i = 1; i < times->len; i++)
    {
      if (t[i] == t[w - 1])
        dups++;
      else
        t[w++] = t[i];
    }
  if (dups)
    {
      warn (&r, 0, "%u duplicate time(s) removed", dups);
      g_array_set_size (times, w);
    }
  lines_finish (&r);
  VitaEventList *ev = g_new0 (VitaEventList, 1);
  ev->times = g_steal_pointer (&times);
  ev->path = g_strdup (display_name);
  return ev;
}

VitaEventList *
vita_event_list_load (const char *path, GPtrArray *warnings, GError **error)
{
  gsize len;
  g_autofree char *data = vita_annotations_read_text (path, &len, error);
  if (!data)
    return NULL;
  return vita_event_list_parse (data, len, path, warnings, error);
}

void
vita_event_list_clip (VitaEventList *events, double duration, GPtrArray *warnings)
{
  guint n = events->times->len, keep = n;
  while (keep > 0 && g_array_index (events->times, double, keep - 1) > duration)
    keep--;
  if (keep < n)
    {
      g_array_set_size (events->times, keep);
      if (warnings)
        g_ptr_array_add (warnings,
                         g_strdup_printf ("%s: %u event(s) past the end of the audio "
                                          "(%.3f s) dropped",
                                          events->path ? events->path : "(events)", n - keep,
                                          duration));
    }
}

/* ---------------------------------------------------------------- tags */

void
vita_tags_free (VitaTags *tags)
{
  if (!tags)
    return;
  if (tags->names)
    g_ptr_array_unref (tags->names);
  if (tags->values)
    g_array_unref (tags->values);
  g_free (tags->path);
  g_free (tags);
}

/* RFC 4180-ish: fields separated by commas, optionally double-quoted with "" escapes.
 * Returns FALSE on an unterminated quote. Fields are newly allocated. */
static gboolean
csv_split (const char *s, GPtrArray *out)
{
  const char *p = s;
  for (;;)
    {
      GString *f = g_string_new (NULL);
      while (*p == ' ' || *p == '\t')
        p++;
      if (*p == '"')
        {
          p++;
          for (;;)
            {
              if (*p == '\0')
                {
                  g_string_free (f, TRUE);
                  return FALSE;
                }
              if (*p == '"' && p[1] == '"')
                {
                  g_string_append_c (f, '"');
                  p += 2;
                }
              else if (*p == '"')
                {
                  p++;
                  break;
                }
              else
                g_string_append_c (f, *p++);
            }
          while (*p && *p != ',')
            p++;  /* text after a closing quote is ignored */
        }
      else
        {
          while (*p && *p != ',')
            g_string_append_c (f, *p++);
        }
      char *field = g_string_free (f, FALSE);
      g_ptr_array_add (out, g_strstrip (field));
      if (*p != ',')
        return TRUE;
      p++;
    }
}

VitaTags *
vita_tags_parse (const char *data, gsize len, const char *display_name, GPtrArray *warnings,
                 GError **error)
{
  Lines r;
  lines_init (&r, data, len, display_name, warnings);
  g_autofree char *buf = g_malloc (VITA_ANNOTATION_MAX_LINE + 1);
  VitaTags *tags = g_new0 (VitaTags, 1);
  tags->names = g_ptr_array_new_with_free_func (g_free);
  tags->values = g_array_new (FALSE, FALSE, sizeof (float));
  tags->path = g_strdup (display_name);
  gboolean first = TRUE;
  while (lines_next (&r, buf))
    {
      g_autoptr(GPtrArray) f = g_ptr_array_new_with_free_func (g_free);
      gboolean was_first = first;
      first = FALSE;
      if (!csv_split (buf, f))
        {
          warn (&r, r.line_no, "unterminated quote, skipped");
          continue;
        }
      const char *name = g_ptr_array_index (f, 0);
      if (name[0] == '\0')
        {
          warn (&r, r.line_no, "empty tag name, skipped");
          continue;
        }
      double v = 1.0;
      if (f->len >= 2)
        {
          const char *vs = g_ptr_array_index (f, 1);
          if (!parse_number (vs, &v))
            {
              if (was_first)
                continue;  /* header: tag,value */
              warn (&r, r.line_no, "value '%s' is not a number, skipped", vs);
              continue;
            }
          if (!isfinite (v))
            {
              warn (&r, r.line_no, "value is NaN or infinite, skipped");
              continue;
            }
          if (v < 0 || v > 1)
            {
              warn (&r, r.line_no, "value %g outside [0, 1], clamped", v);
              v = CLAMP (v, 0.0, 1.0);
            }
        }
      gboolean dup = FALSE;
      for (guint i = 0; i < tags->names->len; i++)
        if (strcmp (g_ptr_array_index (tags->names, i), name) == 0)
          {
            warn (&r, r.line_no, "tag '%s' repeated; the last value is kept", name);
            g_array_index (tags->values, float, i) = (float) v;
            dup = TRUE;
          }
      if (dup)
        continue;
      g_ptr_array_add (tags->names, g_strdup (name));
      float fv = (float) v;
      g_array_append_val (tags->values, fv);
    }
  lines_finish (&r);
  if (tags->names->len == 0)
    {
      g_set_error (error, VITA_MODEL_ERROR, VITA_MODEL_ERROR_PARSE,
                   "%s: no tag found (expected lines 'tag' or 'tag,value')", r.name);
      vita_tags_free (tags);
      return NULL;
    }
  return tags;
}

VitaTags *
vita_tags_load (const char *path, GPtrArray *warnings, GError **error)
{
  gsize len;
  g_autofree char *data = vita_annotations_read_text (path, &len, error);
  if (!data)
    return NULL;
  return vita_tags_parse (data, len, path, warnings, error);
}

/* ---------------------------------------------------------------- key */

gboolean
vita_key_file_parse (const char *data, gsize len, const char *display_name, int *key,
                     GPtrArray *warnings, GError **error)
{
  Lines r;
  lines_init (&r, data, len, display_name, warnings);
  g_autofree char *buf = g_malloc (VITA_ANNOTATION_MAX_LINE + 1);
  while (lines_next (&r, buf))
    {
      /* "start end key" (.lab style) or just the key */
      g_autofree char *copy = g_strdup (buf);
      char *f[3];
      int nf = split_fields (copy, FALSE, f, 3);
      double a, b;
      const char *text = buf;
      if (nf == 3 && parse_number (f[0], &a) && parse_number (f[1], &b))
        {
          /* the key is everything after the second field */
          const char *p = buf + (f[2] - copy);
          text = p;
        }
      g_autofree char *msg = NULL;
      if (vita_key_parse (text, key, &msg))
        {
          lines_finish (&r);
          return TRUE;
        }
      warn (&r, r.line_no, "%s", msg);
    }
  lines_finish (&r);
  g_set_error (error, VITA_MODEL_ERROR, VITA_MODEL_ERROR_PARSE,
               "%s: no key found (expected e.g. 'C major' or 'A minor')", r.name);
  return FALSE;
}

gboolean
vita_key_file_load (const char *path, int *key, GPtrArray *warnings, GError **error)
{
  gsize len;
  g_autofree char *data = vita_annotations_read_text (path, &len, error);
  if (!data)
    return FALSE;
  return vita_key_file_parse (data, len, path, key, warnings, error);
}

/* ---- VitaAnnotations: one load of annotation files ------------------------------ */
#include <glib/gi18n.h>
#include <math.h>
#include <string.h>
#include "model/probe/vita-annotation-set.h"

void
vita_annotations_free (VitaAnnotations *ann)
{
  if (ann == NULL)
    return;
  g_clear_pointer (&ann->chords, vita_chord_track_free);
  g_clear_pointer (&ann->beats, vita_event_list_free);
  g_clear_pointer (&ann->onsets, vita_event_list_free);
  g_clear_pointer (&ann->messages, g_ptr_array_unref);
  g_free (ann->summary);
  g_free (ann);
}

const char *
vita_annotation_kind_for_path (const char *path)
{
  switch (vita_ann_kind_for_name (path))
    {
    case VITA_ANN_CHORDS: return "chords";
    case VITA_ANN_BEATS: return "beats";
    case VITA_ANN_ONSETS: return "onsets";
    case VITA_ANN_KEY: return "key";
    case VITA_ANN_TAGS: return "tags";
    case VITA_ANN_ANY: return "jams";
    case VITA_ANN_UNKNOWN: return "sniff";
    default: return NULL;
    }
}

VitaAnnotations *
vita_annotations_load (const char *const *paths)
{
  VitaAnnotations *ann = g_new0 (VitaAnnotations, 1);
  g_autoptr(VitaAnnotationSet) set = vita_annotation_set_new ();
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);

  ann->key = VITA_KEY_X;
  ann->messages = g_ptr_array_new_with_free_func (g_free);
  for (int i = 0; paths != NULL && paths[i] != NULL; i++)
    {
      g_autoptr(GError) error = NULL;

      /* by name, then by content (vita-annotation-set.h); within one load the first
       * file of a kind wins (files beside the audio come dedicated names first, as
       * `report` reads them), with a message; a later load replaces earlier kinds */
      if (vita_annotation_set_add_file (set, paths[i], VITA_ANN_UNKNOWN, FALSE, ann->messages,
                                        &error))
        ann->n_loaded++;
      else
        g_ptr_array_add (ann->messages, g_strdup (error->message));
      g_ptr_array_add (names, g_path_get_basename (paths[i]));
    }
  ann->chords = g_steal_pointer (&set->chords);
  ann->beats = g_steal_pointer (&set->beats);
  ann->onsets = g_steal_pointer (&set->onsets);
  ann->has_key = set->has_key;
  ann->key = set->has_key ? set->key : VITA_KEY_X;
  if (names->len > 0)
    {
      /* the lanes use chords, beats, onsets and the key: tags are not shown */
      g_clear_pointer (&set->tags, vita_tags_free);
      g_clear_pointer (&set->from[VITA_ANN_TAGS], g_free);
      set->chords = ann->chords, set->beats = ann->beats, set->onsets = ann->onsets;
      g_autofree char *line = vita_annotation_set_describe (set, "");
      set->chords = NULL, set->beats = NULL, set->onsets = NULL;
      if (ann->n_loaded == 0)
        /* Translators: %s lists the files that were read. */
        ann->summary = g_strdup_printf (_("No annotations in %s"),
                                        (char *) g_ptr_array_index (names, 0));
      else
        ann->summary = g_strdup (line + 2);  /* "found chords (…) from x.lab; no onsets" */
    }
  return ann;
}

char **
vita_annotations_find_beside (const char *audio_path)
{
  return vita_annotation_files_beside (audio_path);
}

static void
load_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  const char *const *paths = task_data;
  g_task_return_pointer (task, vita_annotations_load (paths),
                         (GDestroyNotify) vita_annotations_free);
}

void
vita_annotations_load_async (const char *const *paths, GCancellable *cancellable,
                             GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);

  g_task_set_source_tag (task, vita_annotations_load_async);
  g_task_set_task_data (task, g_strdupv ((char **) paths), (GDestroyNotify) g_strfreev);
  g_task_run_in_thread (task, load_thread);
}

VitaAnnotations *
vita_annotations_load_finish (GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}
