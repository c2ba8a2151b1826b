/* vita-views.h — everything views/ offers, for the app (umbrella header).
 *
 * Placing panels (app/):
 *   VitaTimeline *tl = vita_timeline_new ();
 *   vita_timeline_configure (tl, fe.sample_rate, fe.hop_length, pcm->n_samples,
 *                            an->n_layers, an->cfg.heads);
 *   VitaAnalysisSource *src = vita_analysis_source_new ();   // the session owns one
 *   vita_analysis_source_set_analysis (src, an);
 *   GtkWidget *mel = vita_panel_view_new (VITA_PANEL_MEL, tl);  // any registered panel
 *   vita_panel_view_set_source (VITA_PANEL_VIEW (mel), src);
 *   g_autoptr(VitaPeaks) peaks = vita_peaks_new (pcm->samples, pcm->n_samples, rate);
 *   vita_panel_view_set_peaks (VITA_PANEL_VIEW (waveform), peaks);
 *   // the window provides "win.seek" (int64 sample, parameter type "x"): widgets
 *   // activate it on click; the player seeks and then writes tl "position".
 *   // analysis progress (main thread): vita_analysis_source_update (src);
 *   // export the panel a view shows (PNG/SVG/PDF from the extension, + FIG.json):
 *   //   VitaExportSpec spec; VitaPaintContext src;
 *   //   vita_export_spec_init (&spec);                 // 720×480 pt, 9 pt font, scale 2
 *   //   vita_panel_view_fill_export (view, &spec, &src);   // panel, timeline, colormap
 *   //   spec.audio_path = g_strdup (audio); spec.model_path = g_strdup (vit->path);
 *   //   spec.model_sha256 = g_strdup (vit->sha256);
 *   //   vita_export_figure_with_sidecar (&spec, &src, "fig.pdf", &error);  // atomic
 *   //   vita_export_npy (&spec, &src, "fig.npy", &error);  // the drawn array
 *   //   vita_export_spec_clear (&spec);
 *   //   (whole view: spec.panel = VITA_PANEL_LAYOUT.)  Export is synchronous and quick
 *   //   except for a window's attention not cached yet (one forward pass).
 *   // Attention maps are recomputed on a worker thread for the widgets (the views'
 *   // shared VitaPaintCache is asynchronous); panels say "Computing…" meanwhile.
 *
 * Painters (Cairo only) are in vita-painters.h, shared drawing pieces in vita-paint.h.
 */
#pragma once

#include "vita-timeline.h"
#include "vita-paint.h"
#include "vita-painters.h"
#include "vita-export.h"
#include "vita-analysis-source.h"
#include "vita-panel-view.h"
#include "vita-waveform-view.h"
#include "vita-mel-view.h"
#include "vita-attention-view.h"
#include "vita-attention-grid-view.h"
#include "vita-attention-row-view.h"
#include "vita-received-view.h"
#include "vita-ssm-view.h"
#include "vita-overview-view.h"
#include "vita-probe-view.h"
#include "vita-probeogram-view.h"
