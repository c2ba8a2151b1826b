/* vita-results-export.h — results back to the tools MIR people use (issue 16 item 2):
 * probe lanes, received-attention and onset curves, their peaks and loaded annotations
 * as Sonic Visualiser CSV (File → Import Annotation Layer), .lab (chords), JAMS and
 * .npy.  No GTK: the CLI (`vitascope-cli export`) and the app share it; the app's export
 * dialog calls vita_results_export_lane / _curve / _peaks / _annotations with the
 * file the user chose (the format follows its extension).
 *
 * Conventions: frame i is centred at i * hop_seconds (as the analysis and the lanes);
 * chord lanes are written as segments whose boundaries lie half-way between frames of
 * different classes (vita_chord_frames_to_segments), so importing them and sampling
 * at the frame centres gives the lane back exactly.  Binary (beat / onset) lanes are
 * written as the local maxima of P(event) ≥ 0.5 within ±2 frames (as `report` scores
 * them); curves as `time,value` rows. */
#pragma once

#include "model/probe/vita-annotation-set.h"
#include "views/vita-painters.h"

G_BEGIN_DECLS

/* A lane as annotations: chords for a label lane whose class names are chords, beat or
 * onset times for a binary lane (kind: VITA_ANN_BEATS / _ONSETS, or VITA_ANN_UNKNOWN to
 * take it from the lane's name).  *kind_out (optional) says which. */
VitaAnnotationSet *vita_results_lane_to_set (const VitaProbeLane *lane, double hop_seconds,
                                             VitaAnnKind kind, VitaAnnKind *kind_out,
                                             GError **error);
gboolean vita_results_export_lane (const VitaProbeLane *lane, double hop_seconds,
                                   VitaAnnKind kind, VitaAnnExportFormat format,
                                   const char *path, GError **error);
/* A curve (received attention of one head, spectral flux, ...): CSV or .npy. */
gboolean vita_results_export_curve (const float *curve, int n_frames, double hop_seconds,
                                    VitaAnnExportFormat format, const char *path, GError **error);
/* Its peaks as onset times (vita_onset_peaks, model/vita-derived.h, with delta):
 * CSV, JAMS (onset namespace) or .npy. */
gboolean vita_results_export_peaks (const float *curve, int n_frames, double hop_seconds,
                                    double delta, double duration, VitaAnnExportFormat format,
                                    const char *path, GError **error);
/* Peak times (seconds) of a curve, as above; caller frees. */
GArray  *vita_results_curve_peaks (const float *curve, int n_frames, double hop_seconds,
                                   double delta);

G_END_DECLS
