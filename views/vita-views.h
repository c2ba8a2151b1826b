/* vita-views.h — everything views/ offers, for the app (umbrella header).
 *
 * Placing panels (app/):
 *   VitaTimeline *tl = vita_timeline_new ();
 *   vita_timeline_configure (tl, fe.sample_rate, fe.hop_length, pcm->n_samples,
 *                            an->n_layers, an->cfg.heads);
 *   GtkWidget *mel = vita_mel_view_new (tl);             // one per panel, any container
 *   vita_panel_view_set_analysis (VITA_PANEL_VIEW (mel), an);   // or "analysis" property
 *   g_autoptr(VitaPeaks) peaks = vita_peaks_new (pcm->samples, pcm->n_samples, rate);
 *   vita_panel_view_set_peaks (VITA_PANEL_VIEW (waveform), peaks);
 *   // the window provides "win.seek" (int64 sample, parameter type "x"): widgets
 *   // activate it on click; the player seeks and then writes tl "position".
 *   // analysis progress (main thread): vita_views_analysis_changed (an);
 *   // export: vita_export_figure_with_sidecar (&spec, &ctx, path, &error) — see vita-export.h;
 *   //         build ctx from vita_panel_view_get_cache () and the same peaks.
 *
 * Painters (Cairo only) are in vita-painters.h, shared drawing pieces in vita-paint.h.
 */
#pragma once

#include "vita-timeline.h"
#include "vita-paint.h"
#include "vita-painters.h"
#include "vita-export.h"
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
