/* vita-cli-render.h — the session → painters path of `vitascope-cli render`, shared
 * with `render-video` (vita-cli-video.c). */
#pragma once

#include "dsp/vita-audio.h"
#include "model/vita-analysis.h"
#include "views/vita-export.h"

G_BEGIN_DECLS

/* What the painters draw from: the model, the audio at its rate, the analysis. */
typedef struct {
  VitaVit        *vit;
  VitaPcm        *pcm;
  VitaAnalysis   *an;
  VitaPaintCache *cache;
  VitaPeaks      *peaks;
  float          *mel;
  gboolean        keep_tokens;   /* set before loading: keep the per-frame tokens (probes) */
} VitaCliScene;

/* A session file's view as an export spec (panel NULL: layout). */
gboolean vita_cli_spec_from_session (const char *path, const char *panel, VitaExportSpec *spec,
                                     GError **error);
/* A presentation view of the session file (by name) onto spec: layer, head, query
 * token, attention mode; its panel set as a layout mask in *panels (0: all), and a
 * one-panel view draws that panel unless keep_panel.  Error: the names there are. */
gboolean vita_cli_apply_view (const char *path, const char *name, VitaExportSpec *spec,
                              gboolean keep_panel, guint64 *panels, GError **error);
/* Loads what spec names (model, audio; SHA-256 and rates checked, times of a session
 * rescaled to the model's rate), analyses the audio and makes the painters' sources;
 * FALSE after printing a message prefixed with prog that names the file. */
gboolean vita_cli_scene_load  (VitaCliScene *sc, VitaExportSpec *spec, const char *prog,
                               const char *source, gboolean session, gboolean allow_mismatch);
void     vita_cli_scene_clear (VitaCliScene *sc);
/* The sidecar's attribution overlay (spec->attribution) computed again onto cache;
 * FALSE after printing a message that names source and the problem. */
gboolean vita_cli_render_attribution (const VitaExportSpec *spec, VitaAnalysis *an,
                                      VitaPaintCache *cache, const char *prog,
                                      const char *source);

G_END_DECLS
