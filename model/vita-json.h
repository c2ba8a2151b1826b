/* vita-json.h — a strict JSON reader for files that come from users (sidecars,
 * sessions, probe labels).  RFC 8259 only, plus the limits json-glib lacks:
 *   - nesting deeper than VITA_JSON_MAX_DEPTH is refused (json-glib recurses
 *     without a bound: 100,000 nested arrays overflow the stack);
 *   - duplicate keys in an object are refused (json-glib silently keeps one);
 *   - a NUL in a string (\u0000) is refused (json-glib truncates the string);
 *   - an integer beyond 64 bits or a number that overflows a double is refused
 *     (json-glib wraps 99999999999999999999 to -1);
 *   - invalid UTF-8, lone surrogates, trailing garbage after the root value,
 *     single quotes, hex numbers, comments are refused.
 * The result is an ordinary json-glib JsonNode tree, so callers keep using the
 * json-glib accessors.  The lexer (strings, numbers) is shared with the
 * safetensors header reader (vita-safetensors.c).
 */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define VITA_JSON_MAX_DEPTH 64
/* The largest file vita_json_load_strict reads (sidecars and sessions are a few KB). */
#define VITA_JSON_FILE_MAX  ((gsize) 16 << 20)

#define VITA_JSON_ERROR (vita_json_error_quark ())
GQuark vita_json_error_quark (void);

typedef enum {
  VITA_JSON_ERROR_IO,        /* cannot open or read the file, or it is too large */
  VITA_JSON_ERROR_SYNTAX,    /* not RFC 8259 JSON, or invalid UTF-8 */
  VITA_JSON_ERROR_TOO_DEEP,  /* nesting beyond VITA_JSON_MAX_DEPTH */
  VITA_JSON_ERROR_DUPLICATE, /* a key twice in one object */
  VITA_JSON_ERROR_NUL,       /* \u0000 in a string */
  VITA_JSON_ERROR_NUMBER,    /* an integer beyond 64 bits, a double beyond its range */
} VitaJsonError;

/* Parses data[0..len) (need not be NUL-terminated).  Returns a new tree (free with
 * json_node_unref) or NULL with an error whose message starts with display_name
 * (or "(buffer)") and gives the line and column. */
JsonNode *vita_json_parse_strict (const char *data, gsize len, const char *display_name,
                                  GError **error);

/* Reads a regular file of at most VITA_JSON_FILE_MAX bytes (a FIFO, folder or
 * device is refused without blocking) and parses it with vita_json_parse_strict. */
JsonNode *vita_json_load_strict (const char *path, GError **error);

/* ---- the shared lexer (also used by the safetensors header reader) ---- */

/* Scans a JSON string starting at s[*pos] == '"'.  On success stores the decoded
 * UTF-8 string (NUL-terminated, without any NUL inside) in *out and advances *pos
 * past the closing quote.  On failure returns FALSE, sets *why to a static message
 * and leaves *pos at the offending byte.  *nul is set when the failure is a \u0000.
 * The input must already be valid UTF-8. */
gboolean vita_json_scan_string (const char *s, gsize len, gsize *pos, char **out,
                                const char **why, gboolean *nul);

typedef struct {
  gboolean integer;   /* no fraction and no exponent */
  gboolean negative;
  gboolean overflow;  /* an integer whose magnitude exceeds G_MAXINT64 */
  guint64  magnitude; /* valid when integer && !overflow */
} VitaJsonNumber;

/* Scans a JSON number starting at s[*pos] (grammar only, RFC 8259 §6). */
gboolean vita_json_scan_number (const char *s, gsize len, gsize *pos, VitaJsonNumber *num,
                                const char **why);

G_END_DECLS
