/* vita-jams.h — JAMS (JSON Annotated Music Specification, Humphrey et al. 2014), the
 * MIR community's JSON annotation format: read and write (untrusted input on read).
 *
 * Read: the namespaces `chord`, `chord_harte` (→ chords), `beat`, `beat_position`
 * (→ beats), `onset` (→ onsets), `key_mode` (→ the key sounding longest) and any
 * `tag_*` namespace (→ tags, confidence as the value, 1 when null).  Both the JAMS
 * 0.3 layout (data = list of {time, duration, value, confidence}) and the older
 * column layout (data = {time: [...], duration: [...], value: [...]}) are read.  The
 * first annotation of each kind is used; further ones and other namespaces are named
 * in a warning.  Observations go through the same validation as the text formats
 * (vita-annotations.h): a bad one is skipped with a warning naming the file, the
 * annotation and the observation; JSON syntax errors name the line and column.
 *
 * Write: JAMS 0.3 text with file_metadata.duration, one annotation per present kind
 * and the annotator / tool in annotation_metadata (valid against the JAMS schema:
 * tests/make_fixtures_jams.py checks that with python3-jsonschema).
 */
#pragma once

#include "vita-annotations.h"

G_BEGIN_DECLS

typedef struct {
  VitaChordTrack *chords;    /* NULL when the file has none */
  VitaEventList  *beats;
  VitaEventList  *onsets;
  gboolean        has_key;
  int             key;       /* VITA_KEY_X when has_key is FALSE */
  VitaTags       *tags;
  double          duration;  /* file_metadata.duration, NAN when absent */
} VitaJams;

VitaJams *vita_jams_new   (void);
void      vita_jams_free  (VitaJams *jams);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (VitaJams, vita_jams_free)

/* FALSE + error (VITA_MODEL_ERROR_PARSE) when the text is not JSON, not a JAMS object,
 * or holds no annotation Vitascope can read. */
VitaJams *vita_jams_parse (const char *data, gsize len, const char *display_name,
                           GPtrArray *warnings, GError **error);
VitaJams *vita_jams_load  (const char *path, GPtrArray *warnings, GError **error);

/* JAMS text of what jams holds (every field optional).  tool names the annotator
 * ("vitascope-cli 0.1.0 probe chord layer 4"); title the file (may be NULL). */
char     *vita_jams_to_string (const VitaJams *jams, const char *title, const char *tool);

G_END_DECLS
