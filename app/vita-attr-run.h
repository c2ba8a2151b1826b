/* vita-attr-run.h — an attribution overlay computed from its settings
 * (views/vita-attr-settings.h), shared by the app (on a worker thread, progressive)
 * and `vitascope-cli render` (a sidecar's overlay computed again).
 *
 * Progressive, nearest first: a probe target over a range of frames is the sum of
 * its frames' targets, so the range is cut where the owning window changes
 * (vita-analysis.h's window_owned) and the pieces are computed one after the other,
 * the one nearest `near_frame` first; after each, `chunk` sees the map so far.  The
 * sum of the pieces' maps is the map of the whole target (each method is additive in
 * the target), and so are f(x), f(baseline) and Σ map: the completeness check of
 * integrated gradients is that of the whole target. */
#pragma once

#include "model/explain/vita-attribution.h"
#include "views/vita-attr-settings.h"

G_BEGIN_DECLS

typedef struct {
  int     n_frames, n_mels;
  float  *map;            /* (n_frames, n_mels): NaN where no piece computed yet */
  double  f_input, f_baseline, sum;
  double  completeness;   /* IG: |Σ map − (f(x) − f(b))| / |f(x) − f(b)|, else NAN */
  int     pieces_done, n_pieces;
  int     first_frame, last_frame;   /* frames with values: [first, last) */
} VitaAttrRun;

void vita_attr_run_free (VitaAttrRun *run);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (VitaAttrRun, vita_attr_run_free)

/* Called on the computing thread after each piece. */
typedef void (*VitaAttrRunChunk) (const VitaAttrRun *run, gpointer user_data);

/* Method name and options of settings (errors name the setting). */
gboolean     vita_attr_settings_options (const VitaAttrSettings *s, VitaAttrOptions *opt,
                                         GError **error);
/* "IG · class:C:maj@83.0" (what the colorbar and the figure title say). */
char        *vita_attr_settings_label (const VitaAttrSettings *s);
/* Computes settings' target on an (needs only its mel and windows); probe: the loaded
 * settings->probe for class/prob targets (borrowed), else NULL.  NULL + error (naming
 * the target) on a bad target and G_IO_ERROR_CANCELLED when cancelled. */
/* progress (done, total, user_data), when given, counts batches over all pieces (the
 * total grows as pieces start); both callbacks run on the computing thread. */
VitaAttrRun *vita_attr_run (const VitaAttrSettings *s, const VitaAnalysis *an,
                            const VitaProbe *probe, int near_frame, VitaAttrProgress progress,
                            VitaAttrRunChunk chunk, gpointer user_data,
                            GCancellable *cancellable, GError **error);

G_END_DECLS
