/* vita-window-attribution.h — attribution in the window (issue 17): see
 * vita-window-attribution.c for its actions ("attr.*"). */
#pragma once

#include "vita-window.h"

G_BEGIN_DECLS

/* Builds the Attribution popover and the A/B switch into the header bar and observes
 * the session (before its signal group gets its target). */
void     _vita_window_attribution_init (VitaWindow *self);
/* The mel panel with the overlay as a figure at path (+ sidecar) and the overlay's
 * map of the visible frames as path-without-extension.npy. */
gboolean _vita_window_attribution_export (VitaWindow *self, const char *path, GError **error);
/* TRUE while an attribution is being computed. */
gboolean _vita_window_attribution_is_running (VitaWindow *self);
/* The alternate audio of A/B playback (a counterfactual edit: mono float PCM at
 * sample_rate; NULL removes it): shows the A/B switch (attr.ab). */
gboolean _vita_window_set_alternate_audio (VitaWindow *self, const float *samples,
                                           gsize n_samples, int sample_rate, GError **error);

G_END_DECLS
