/* vita-json.c — strict JSON reader (see vita-json.h).
 *
 * Recursive descent with an explicit depth bound, building json-glib nodes.  The
 * string and number lexers are the ones the safetensors header reader uses.
 */
#include "vita-json.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>

G_DEFINE_QUARK (vita-json-error-quark, vita_json_error)

/* ------------------------------------------------------------------------ */
/* Lexer                                                                     */

static int
hex4 (const char *s, gsize len, gsize *pos)
{
  if (len - *pos < 4)
    return -1;
  int v = 0;
  for (int i = 0; i < 4; i++)
    {
      int d = g_ascii_xdigit_value (s[*pos + i]);
      if (d < 0)
        return -1;
      v = v * 16 + d;
    }
  *pos += 4;
  return v;
}

gboolean
vita_json_scan_string (const char *s, gsize len, gsize *pos, char **out, const char **why,
                       gboolean *nul)
{
  gsize p = *pos;
  if (nul)
    *nul = FALSE;
  if (p >= len || s[p] != '"')
    {
      *why = "expected a string";
      return FALSE;
    }
  p++;
  GString *buf = g_string_new (NULL);
  while (TRUE)
    {
      if (p >= len)
        {
          *why = "unterminated string";
          goto fail;
        }
      guchar ch = (guchar) s[p];
      if (ch == '"')
        {
          p++;
          break;
        }
      if (ch < 0x20)
        {
          *why = ch == 0 ? "a string contains a NUL byte" : "control character in a string";
          if (ch == 0 && nul)
            *nul = TRUE;
          goto fail;
        }
      if (ch != '\\')
        {
          g_string_append_c (buf, (char) ch);
          p++;
          continue;
        }
      p++;
      if (p >= len)
        {
          *why = "unterminated string";
          goto fail;
        }
      char e = s[p++];
      switch (e)
        {
        case '"':  g_string_append_c (buf, '"'); break;
        case '\\': g_string_append_c (buf, '\\'); break;
        case '/':  g_string_append_c (buf, '/'); break;
        case 'b':  g_string_append_c (buf, '\b'); break;
        case 'f':  g_string_append_c (buf, '\f'); break;
        case 'n':  g_string_append_c (buf, '\n'); break;
        case 'r':  g_string_append_c (buf, '\r'); break;
        case 't':  g_string_append_c (buf, '\t'); break;
        case 'u':
          {
            int u = hex4 (s, len, &p);
            gunichar cp;
            if (u < 0)
              {
                *why = "bad \\u escape";
                goto fail;
              }
            if (u >= 0xD800 && u <= 0xDBFF)
              {
                int lo = -1;
                if (len - p >= 2 && s[p] == '\\' && s[p + 1] == 'u')
                  {
                    p += 2;
                    lo = hex4 (s, len, &p);
                  }
                if (lo < 0xDC00 || lo > 0xDFFF)
                  {
                    *why = "unpaired UTF-16 surrogate in a \\u escape";
                    goto fail;
                  }
                cp = 0x10000 + (((gunichar) u - 0xD800) << 10) + ((gunichar) lo - 0xDC00);
              }
            else if (u >= 0xDC00 && u <= 0xDFFF)
              {
                *why = "unpaired UTF-16 surrogate in a \\u escape";
                goto fail;
              }
            else
              cp = (gunichar) u;
            if (cp == 0)
              {
                *why = "a string contains a NUL character (\\u0000)";
                if (nul)
                  *nul = TRUE;
                goto fail;
              }
            g_string_append_unichar (buf, cp);
            break;
          }
        default:
          *why = "bad escape in a string";
          goto fail;
        }
    }
  *out = g_string_free (buf, FALSE);
  *pos = p;
  return TRUE;
fail:
  g_string_free (buf, TRUE);
  *pos = p;
  return FALSE;
}

gboolean
vita_json_scan_number (const char *s, gsize len, gsize *pos, VitaJsonNumber *num,
                       const char **why)
{
  gsize p = *pos;
  memset (num, 0, sizeof *num);
  num->integer = TRUE;
  if (p < len && s[p] == '-')
    {
      num->negative = TRUE;
      p++;
    }
  if (p >= len || !g_ascii_isdigit (s[p]))
    {
      *why = "expected a number";
      goto fail;
    }
  if (s[p] == '0' && p + 1 < len && g_ascii_isdigit (s[p + 1]))
    {
      *why = "number with a leading zero";
      goto fail;
    }
  while (p < len && g_ascii_isdigit (s[p]))
    {
      guint d = (guint) (s[p++] - '0');
      if (num->overflow || num->magnitude > ((guint64) G_MAXINT64 - d) / 10)
        num->overflow = TRUE;
      else
        num->magnitude = num->magnitude * 10 + d;
    }
  if (p < len && s[p] == '.')
    {
      p++;
      num->integer = FALSE;
      if (p >= len || !g_ascii_isdigit (s[p]))
        {
          *why = "expected a digit after '.'";
          goto fail;
        }
      while (p < len && g_ascii_isdigit (s[p]))
        p++;
    }
  if (p < len && (s[p] == 'e' || s[p] == 'E'))
    {
      p++;
      num->integer = FALSE;
      if (p < len && (s[p] == '+' || s[p] == '-'))
        p++;
      if (p >= len || !g_ascii_isdigit (s[p]))
        {
          *why = "expected a digit in an exponent";
          goto fail;
        }
      while (p < len && g_ascii_isdigit (s[p]))
        p++;
    }
  *pos = p;
  return TRUE;
fail:
  *pos = p;
  return FALSE;
}

/* ------------------------------------------------------------------------ */
/* Parser                                                                    */

typedef struct {
  const char *s;
  gsize       len;
  gsize       pos;
  const char *file;
  GError    **error;
} Parser;

G_GNUC_PRINTF (3, 4) static JsonNode *
fail (Parser *p, VitaJsonError code, const char *fmt, ...)
{
  va_list ap;
  va_start (ap, fmt);
  g_autofree char *msg = g_strdup_vprintf (fmt, ap);
  va_end (ap);
  /* line and column (1-based, column in bytes) of the offending position */
  gsize line = 1, col = 1;
  for (gsize i = 0; i < p->pos && i < p->len; i++)
    {
      if (p->s[i] == '\n')
        {
          line++;
          col = 1;
        }
      else
        col++;
    }
  g_set_error (p->error, VITA_JSON_ERROR, code,
               "%s: not valid JSON (line %" G_GSIZE_FORMAT ", column %" G_GSIZE_FORMAT "): %s",
               p->file, line, col, msg);
  return NULL;
}

static void
skip_ws (Parser *p)
{
  while (p->pos < p->len &&
         (p->s[p->pos] == ' ' || p->s[p->pos] == '\t' ||
          p->s[p->pos] == '\n' || p->s[p->pos] == '\r'))
    p->pos++;
}

static gboolean
literal (Parser *p, const char *word)
{
  gsize n = strlen (word);
  if (p->len - p->pos >= n && memcmp (p->s + p->pos, word, n) == 0)
    {
      p->pos += n;
      return TRUE;
    }
  return FALSE;
}

static JsonNode *parse_value (Parser *p, int depth);

static JsonNode *
parse_string_node (Parser *p)
{
  char *str = NULL;
  const char *why = NULL;
  gboolean nul = FALSE;
  if (!vita_json_scan_string (p->s, p->len, &p->pos, &str, &why, &nul))
    return fail (p, nul ? VITA_JSON_ERROR_NUL : VITA_JSON_ERROR_SYNTAX, "%s", why);
  JsonNode *n = json_node_new (JSON_NODE_VALUE);
  json_node_set_string (n, str);
  g_free (str);
  return n;
}

static JsonNode *
parse_number_node (Parser *p)
{
  gsize start = p->pos;
  VitaJsonNumber num;
  const char *why = NULL;
  if (!vita_json_scan_number (p->s, p->len, &p->pos, &num, &why))
    return fail (p, VITA_JSON_ERROR_SYNTAX, "%s", why);
  gsize n = p->pos - start;
  g_autofree char *text = g_strndup (p->s + start, n);
  g_autofree char *shown = n > 40 ? g_strdup_printf ("%.36s...", text) : g_strdup (text);
  JsonNode *node = json_node_new (JSON_NODE_VALUE);
  if (num.integer)
    {
      if (num.overflow)
        {
          json_node_unref (node);
          p->pos = start;
          return fail (p, VITA_JSON_ERROR_NUMBER,
                       "the integer %s does not fit in 64 bits", shown);
        }
      json_node_set_int (node, num.negative ? -(gint64) num.magnitude : (gint64) num.magnitude);
      return node;
    }
  char *end = NULL;
  double v = g_ascii_strtod (text, &end);
  if (end != text + n || !isfinite (v))
    {
      json_node_unref (node);
      p->pos = start;
      return fail (p, VITA_JSON_ERROR_NUMBER, "the number %s is out of range", shown);
    }
  json_node_set_double (node, v);
  return node;
}

static JsonNode *
parse_array (Parser *p, int depth)
{
  p->pos++; /* '[' */
  JsonArray *arr = json_array_new ();
  JsonNode *node = json_node_new (JSON_NODE_ARRAY);
  json_node_take_array (node, arr);
  skip_ws (p);
  if (p->pos < p->len && p->s[p->pos] == ']')
    {
      p->pos++;
      return node;
    }
  while (TRUE)
    {
      JsonNode *v = parse_value (p, depth + 1);
      if (v == NULL)
        {
          json_node_unref (node);
          return NULL;
        }
      json_array_add_element (arr, v);
      skip_ws (p);
      if (p->pos < p->len && p->s[p->pos] == ',')
        {
          p->pos++;
          continue;
        }
      if (p->pos < p->len && p->s[p->pos] == ']')
        {
          p->pos++;
          return node;
        }
      json_node_unref (node);
      return fail (p, VITA_JSON_ERROR_SYNTAX, p->pos < p->len ? "expected ',' or ']'"
                                                              : "unterminated array");
    }
}

static JsonNode *
parse_object (Parser *p, int depth)
{
  p->pos++; /* '{' */
  JsonObject *obj = json_object_new ();
  JsonNode *node = json_node_new (JSON_NODE_OBJECT);
  json_node_take_object (node, obj);
  skip_ws (p);
  if (p->pos < p->len && p->s[p->pos] == '}')
    {
      p->pos++;
      return node;
    }
  while (TRUE)
    {
      skip_ws (p);
      gsize key_at = p->pos;
      char *key = NULL;
      const char *why = NULL;
      gboolean nul = FALSE;
      if (p->pos >= p->len || p->s[p->pos] != '"')
        {
          json_node_unref (node);
          return fail (p, VITA_JSON_ERROR_SYNTAX, "expected a key (a string in double quotes)");
        }
      if (!vita_json_scan_string (p->s, p->len, &p->pos, &key, &why, &nul))
        {
          json_node_unref (node);
          return fail (p, nul ? VITA_JSON_ERROR_NUL : VITA_JSON_ERROR_SYNTAX, "%s", why);
        }
      if (json_object_has_member (obj, key))
        {
          g_autofree char *k = key;
          json_node_unref (node);
          p->pos = key_at;
          return fail (p, VITA_JSON_ERROR_DUPLICATE, "the key \"%.80s\" appears twice in one object",
                       k);
        }
      skip_ws (p);
      if (p->pos >= p->len || p->s[p->pos] != ':')
        {
          g_free (key);
          json_node_unref (node);
          return fail (p, VITA_JSON_ERROR_SYNTAX, "expected ':' after a key");
        }
      p->pos++;
      JsonNode *v = parse_value (p, depth + 1);
      if (v == NULL)
        {
          g_free (key);
          json_node_unref (node);
          return NULL;
        }
      json_object_set_member (obj, key, v);
      g_free (key);
      skip_ws (p);
      if (p->pos < p->len && p->s[p->pos] == ',')
        {
          p->pos++;
          continue;
        }
      if (p->pos < p->len && p->s[p->pos] == '}')
        {
          p->pos++;
          return node;
        }
      json_node_unref (node);
      return fail (p, VITA_JSON_ERROR_SYNTAX, p->pos < p->len ? "expected ',' or '}'"
                                                              : "unterminated object");
    }
}

static JsonNode *
parse_value (Parser *p, int depth)
{
  skip_ws (p);
  if (p->pos >= p->len)
    return fail (p, VITA_JSON_ERROR_SYNTAX, "expected a value, found the end");
  char ch = p->s[p->pos];
  if ((ch == '[' || ch == '{') && depth >= VITA_JSON_MAX_DEPTH)
    return fail (p, VITA_JSON_ERROR_TOO_DEEP,
                 "arrays and objects are nested more than %d deep", VITA_JSON_MAX_DEPTH);
  switch (ch)
    {
    case '{': return parse_object (p, depth);
    case '[': return parse_array (p, depth);
    case '"': return parse_string_node (p);
    case 't':
    case 'f':
      if (literal (p, "true") || literal (p, "false"))
        {
          JsonNode *n = json_node_new (JSON_NODE_VALUE);
          json_node_set_boolean (n, ch == 't');
          return n;
        }
      break;
    case 'n':
      if (literal (p, "null"))
        return json_node_new (JSON_NODE_NULL);
      break;
    default:
      if (ch == '-' || g_ascii_isdigit (ch))
        return parse_number_node (p);
      break;
    }
  return fail (p, VITA_JSON_ERROR_SYNTAX, "unexpected character '%s'",
               g_ascii_isprint (ch) ? (char[2]) { ch, 0 } : "?");
}

JsonNode *
vita_json_parse_strict (const char *data, gsize len, const char *display_name, GError **error)
{
  Parser p = { data ? data : "", data ? len : 0, 0, display_name ? display_name : "(buffer)",
               error };
  const char *bad = NULL;
  if (!g_utf8_validate_len (p.s, p.len, &bad))
    {
      p.pos = (gsize) (bad - p.s);
      return fail (&p, p.s[p.pos] == '\0' ? VITA_JSON_ERROR_NUL : VITA_JSON_ERROR_SYNTAX,
                   p.s[p.pos] == '\0' ? "a NUL byte in the text" : "the text is not valid UTF-8");
    }
  /* a UTF-8 byte-order mark is tolerated (editors on Windows write one) */
  if (p.len >= 3 && memcmp (p.s, "\xEF\xBB\xBF", 3) == 0)
    p.pos = 3;
  skip_ws (&p);
  if (p.pos >= p.len)
    return fail (&p, VITA_JSON_ERROR_SYNTAX, "the text is empty");
  JsonNode *root = parse_value (&p, 0);
  if (root == NULL)
    return NULL;
  skip_ws (&p);
  if (p.pos < p.len)
    {
      json_node_unref (root);
      return fail (&p, VITA_JSON_ERROR_SYNTAX, "text after the end of the JSON value");
    }
  return root;
}

JsonNode *
vita_json_load_strict (const char *path, GError **error)
{
  g_autofree char *disp = g_filename_display_name (path);
  int fd = g_open (path, O_RDONLY | O_CLOEXEC | O_NONBLOCK, 0);
  if (fd < 0)
    {
      int e = errno;
      g_set_error (error, VITA_JSON_ERROR, VITA_JSON_ERROR_IO, "%s: cannot open: %s", disp,
                   g_strerror (e));
      return NULL;
    }
  struct stat sb;
  if (fstat (fd, &sb) != 0 || !S_ISREG (sb.st_mode))
    {
      g_set_error (error, VITA_JSON_ERROR, VITA_JSON_ERROR_IO, "%s: not a regular file", disp);
      close (fd);
      return NULL;
    }
  if ((guint64) sb.st_size > VITA_JSON_FILE_MAX)
    {
      g_set_error (error, VITA_JSON_ERROR, VITA_JSON_ERROR_IO,
                   "%s: the file is too large (%" G_GUINT64_FORMAT " bytes; the limit is %"
                   G_GSIZE_FORMAT " bytes)", disp, (guint64) sb.st_size, VITA_JSON_FILE_MAX);
      close (fd);
      return NULL;
    }
  int flags = fcntl (fd, F_GETFL);
  if (flags >= 0)
    (void) fcntl (fd, F_SETFL, flags & ~O_NONBLOCK);
  /* read at most one byte more than the limit: a file that grows is refused */
  gsize cap = VITA_JSON_FILE_MAX + 1, len = 0;
  gsize want = MIN ((gsize) sb.st_size + 1, cap);
  g_autofree char *buf = g_malloc (want);
  while (TRUE)
    {
      if (len == want)
        {
          if (want == cap)
            break;
          want = MIN (want * 2, cap);
          buf = g_realloc (buf, want);
        }
      gssize r = read (fd, buf + len, want - len);
      if (r < 0 && errno == EINTR)
        continue;
      if (r < 0)
        {
          int e = errno;
          g_set_error (error, VITA_JSON_ERROR, VITA_JSON_ERROR_IO, "%s: read error: %s", disp,
                       g_strerror (e));
          close (fd);
          return NULL;
        }
      if (r == 0)
        break;
      len += (gsize) r;
    }
  close (fd);
  if (len > VITA_JSON_FILE_MAX)
    {
      g_set_error (error, VITA_JSON_ERROR, VITA_JSON_ERROR_IO,
                   "%s: the file is too large (the limit is %" G_GSIZE_FORMAT " bytes)", disp,
                   VITA_JSON_FILE_MAX);
      return NULL;
    }
  return vita_json_parse_strict (buf, len, disp, error);
}
