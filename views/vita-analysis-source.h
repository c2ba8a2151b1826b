/* vita-analysis-source.h — what panels draw from: one analysis (or none), its
 * progress, and the paint cache shared by every panel that shows it.
 *
 * A plain GObject (no GTK), in the manner of sysprof's session: whoever owns the
 * analysis (the window, a session) sets "analysis" and calls
 * vita_analysis_source_update when the worker reports progress; panels observe it
 * through a GSignalGroup and redraw — nothing pushes an analysis into panels one by
 * one, and nothing in views/ keeps a list of live panels.
 *
 *   analysis       VitaAnalysis* (boxed, ref-counted) or NULL     read-write
 *   n-ready        int   windows analysed, as of the last update  read-only
 *   complete       bool  every window and the SSMs are done      read-only (notified again when the whole track's CKA arrives)
 *   ::attention-ready  a window's attention maps, recomputed on a worker for the
 *                      panels (the cache is asynchronous), have arrived
 *   ::windows-ready    windows finished since the last update: panels that show one
 *                      window redraw now if theirs is among them (the panels over
 *                      every window wait for the next, throttled, update)
 */
#pragma once

#include <glib-object.h>

#include "vita-painters.h"

G_BEGIN_DECLS

#define VITA_TYPE_ANALYSIS (vita_analysis_get_boxed_type ())
GType vita_analysis_get_boxed_type (void);

#define VITA_TYPE_ANALYSIS_SOURCE (vita_analysis_source_get_type ())
G_DECLARE_FINAL_TYPE (VitaAnalysisSource, vita_analysis_source, VITA, ANALYSIS_SOURCE, GObject)

VitaAnalysisSource *vita_analysis_source_new          (void);
VitaAnalysis       *vita_analysis_source_get_analysis (VitaAnalysisSource *self);
void                vita_analysis_source_set_analysis (VitaAnalysisSource *self,
                                                       VitaAnalysis       *analysis);
/* The analysis progressed (more windows ready, complete): drops what the cache built
 * from partial data and notifies "n-ready" / "complete" when they changed.  Main
 * thread (e.g. from the job's progress signal). */
void                vita_analysis_source_update       (VitaAnalysisSource *self);
/* Some windows finished (main thread; cheap, call on every progress report): emits
 * ::windows-ready. */
void                vita_analysis_source_windows_ready (VitaAnalysisSource *self);
int                 vita_analysis_source_get_n_ready  (VitaAnalysisSource *self);
gboolean            vita_analysis_source_get_complete (VitaAnalysisSource *self);
/* TRUE once the whole track's CKA is there too (vita_analysis_run_track_cka, after
 * complete; "complete" is notified again when it arrives). */
gboolean            vita_analysis_source_get_track_cka (VitaAnalysisSource *self);
/* The paint cache of the current analysis (asynchronous attention), or NULL. */
VitaPaintCache     *vita_analysis_source_get_cache    (VitaAnalysisSource *self);

/* The source every view given this bare analysis shares (views made without a
 * source: tests, benchmarks); a new reference.  Kept while someone holds it. */
VitaAnalysisSource *vita_analysis_source_for_analysis (VitaAnalysis *analysis);

G_END_DECLS
