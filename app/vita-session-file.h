/* vita-session-file.h — `.vitascope` session files: what the user was looking at,
 * saved and restored (shared/design/architecture.md, "The session").
 *
 * A JSON document:
 *   { "format": "vitascope-session", "version": 1,
 *     "audio": { "path": "rel/to/session", "absolute": "/abs", "size": N, "mtime": S },
 *     "models": [ { "path", "absolute", "sha256" } ],
 *     "annotations": [ { "path", "absolute" } ], "probes": [ … ],
 *     "view": { "sample_rate", "position", "visible_start", "visible_end",
 *               "selection_start", "selection_end", "layer", "head", "query_token",
 *               "attention_mode": "head" | "average" | "rollout", "colormap", "follow",
 *               "speed", "loop", "onset_clicks" },
 *     "window": { "width", "height" },
 *     "views": [ { "name", "panels": [ NAME … ], "view": { … } } ],
 *     "active_view": NAME,
 *     "panels": { "order": [ { "name", "visible", "height" } ], "maximised": NAME | null,
 *                 "probeogram_task": TASK | null },
 *     "annotation_layers": [ "chords", "beats", "onsets", "key" ] }
 * Times are in samples at view.sample_rate (exact, as the timeline keeps them).
 * "panels" (the arrangement of the window's panels) is optional: files without it,
 * as version 1 files written before it existed, show the default arrangement; a
 * name this Vitascope does not know is skipped when the arrangement is applied.
 * "active_view" (optional) names the view that was showing: opening the file shows it
 * again, over the person's own arrangement and view state saved beside it.
 * "annotation_layers" (the annotation layers shown, Annotation Layers menu) is
 * optional too: files without it show every layer.
 *
 * GLib + json-glib only: the app, the CLI (`render SESSION.vitascope`) and the fuzz
 * target link it.  A file is read through vita_session_file_read() and nothing else,
 * written atomically through vita_session_file_write().  Errors are
 * VITA_SESSION_FILE_ERROR and name the file and what is wrong with it. */
#pragma once

#include "views/vita-attr-settings.h"

#include <glib.h>
#include "vita-painters.h"

G_BEGIN_DECLS

#define VITA_SESSION_FILE_FORMAT  "vitascope-session"
#define VITA_SESSION_FILE_VERSION 1

#define VITA_SESSION_FILE_ERROR (vita_session_file_error_quark ())
GQuark vita_session_file_error_quark (void);

typedef enum {
  VITA_SESSION_FILE_ERROR_READ,      /* cannot open or read the file */
  VITA_SESSION_FILE_ERROR_MALFORMED, /* not JSON, wrong format, missing or mistyped field */
  VITA_SESSION_FILE_ERROR_VERSION,   /* written by a newer Vitascope */
  VITA_SESSION_FILE_ERROR_WRITE,     /* cannot write (the old file is left as it was) */
} VitaSessionFileError;

/* A file the session refers to. */
typedef struct {
  char     *path;      /* absolute; on reading, the one found (relative first) */
  char     *relative;  /* as recorded, relative to the session file's folder; may be NULL */
  gint64    size;      /* -1: unknown */
  gint64    mtime;     /* seconds since the epoch; -1: unknown */
  char     *sha256;    /* models: lowercase hex, or NULL */
  gboolean  found;     /* reading: the file exists at path */
} VitaSessionRef;

/* One panel of the window's arrangement, in screen order. */
typedef struct {
  char     *name;      /* the panel's name (vita_panel_to_string) */
  gboolean  visible;   /* FALSE: hidden by the user */
  int       height;    /* of its drawing on screen, px; 0 = the panel's own */
} VitaSessionPanel;

void              vita_session_panel_free (VitaSessionPanel *panel);

typedef struct {
  int                sample_rate;      /* of the times below; 0 = none recorded */
  gint64             position;
  gint64             visible_start, visible_end;
  gint64             selection_start, selection_end;
  int                layer;
  int                head;             /* -1: mean of the heads */
  int                query_token;      /* -1: the token under the playhead */
  VitaAttentionMode  attention_mode;
  char              *colormap;         /* nick (vita_colormap_from_string), or NULL */
  char              *follow;           /* "page", "continuous", "off", or NULL */
  double             speed;            /* playback rate, 1 = normal */
  gboolean           loop;
  gboolean           onset_clicks;
} VitaSessionView;

/* A comparison (vita-session.h's side B): "compare": { "kind": "model" | "twin" |
 * "edit", "model": { "path", "absolute", "sha256" } (kind model), "seed" (twin),
 * "edits": [ "transpose:+2", … ] (edit), "view": "side-by-side" | "difference",
 * "per_side_scale": bool, and optionally "layer_b", "head_b" (side B's own layer and
 * head when the configurations differ; head -1 = mean) and "probes_b": [ refs ] (probes
 * loaded for side B, a model or twin) }. */
typedef struct {
  int              kind;               /* VitaSideKind: 0 model, 1 twin, 2 edit */
  VitaSessionRef  *model;              /* kind model */
  guint64          seed;               /* kind twin */
  char           **edits;              /* kind edit, NULL-terminated */
  gboolean         difference;         /* view: A − B */
  gboolean         per_side_scale;
  gboolean         has_layer_b;        /* layer_b / head_b recorded */
  int              layer_b, head_b;
  GPtrArray       *probes_b;           /* VitaSessionRef*, side B's probes; may be NULL */
} VitaSessionCompare;

void vita_session_compare_free (VitaSessionCompare *compare);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (VitaSessionCompare, vita_session_compare_free)
/* A presentation view (issue 12): a name, the panels shown (registry names; NULL: all
 * as they are) and the view state (layer, head, mode, time range and zoom). */
typedef struct {
  char            *name;
  char           **panels;
  VitaSessionView  view;
} VitaSessionNamedView;

VitaSessionNamedView *vita_session_named_view_new  (const char *name);
void                  vita_session_named_view_free (VitaSessionNamedView *nv);
VitaSessionNamedView *vita_session_named_view_copy (const VitaSessionNamedView *nv);

typedef struct {
  VitaSessionRef  *audio;              /* NULL: no audio */
  GPtrArray       *models;             /* VitaSessionRef*; the first is shown */
  GPtrArray       *annotations;        /* VitaSessionRef* */
  GPtrArray       *probes;             /* VitaSessionRef* */
  VitaSessionView  view;
  VitaSessionCompare *compare;         /* NULL: no comparison */
  int              window_width, window_height;   /* 0: not recorded */
  VitaAttrSettings attribution;        /* the mel panel's attribution overlay (target NULL: none) */
  char            *series;             /* a checkpoint series folder (absolute), or NULL */
  gint64           series_step;        /* the checkpoint shown: its trained_steps */
  GPtrArray       *views;              /* VitaSessionNamedView*, in presentation order */
  char            *active_view;        /* the name of the view shown when saved, or NULL
                                          (the person's own layout) */
  GPtrArray       *panels;             /* VitaSessionPanel*, screen order; empty: not recorded */
  char            *maximised;          /* name of the maximised panel, or NULL */
  char            *probeogram_task;    /* the task the probe-o-gram shows, or NULL */
  char           **annotation_layers;  /* the annotation layers shown ("chords", "beats",
                                          "onsets", "key"); NULL: not recorded (all) */
} VitaSessionState;

VitaSessionState *vita_session_state_new  (void);
void              vita_session_state_free (VitaSessionState *state);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (VitaSessionState, vita_session_state_free)

/* A reference to the file at `path` (absolute), with its size and mtime now. */
VitaSessionRef   *vita_session_ref_new  (const char *path, const char *sha256);
void              vita_session_ref_free (VitaSessionRef *ref);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (VitaSessionRef, vita_session_ref_free)

/* Reads and checks a session file; relative paths are resolved against its folder.
 * NULL + error (naming `path` and the problem) on any fault. */
VitaSessionState *vita_session_file_read  (const char *path, GError **error);
/* The same from bytes; `path` names the file in messages and anchors relative paths. */
VitaSessionState *vita_session_file_parse (const char *data, gsize length, const char *path,
                                           GError **error);
/* Writes atomically (temporary file, fsync, rename): on failure the file at `path`,
 * if any, is unchanged.  Relative paths are computed against path's folder. */
gboolean          vita_session_file_write (const char *path, const VitaSessionState *state,
                                           GError **error);
/* The document as text (what vita_session_file_write writes). */
char             *vita_session_file_to_data (const char *path, const VitaSessionState *state);

G_END_DECLS
