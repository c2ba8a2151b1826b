/* vita-panel-registry.c — the panels there are: one line per painter's class record.
 * The first eleven are in the order of the VitaPanel names (vita-painters.h); a new
 * panel is appended and needs nothing else (its place on screen and in the whole
 * view is its record's order and row). */
#include "vita-paint-private.h"

#include <glib/gi18n.h>

extern const VitaPanelClass vita_waveform_panel_class, vita_mel_panel_class,
  vita_attention_panel_class, vita_attention_grid_panel_class,
  vita_attention_row_panel_class, vita_received_panel_class, vita_ssm_panel_class,
  vita_overview_panel_class, vita_probes_panel_class, vita_probeogram_panel_class,
  vita_layout_panel_class, vita_cka_panel_class, vita_training_panel_class,
  vita_attribution_panel_class, vita_emergence_panel_class;

static const VitaPanelClass *const registry[] = {
  &vita_waveform_panel_class,        /* VITA_PANEL_WAVEFORM */
  &vita_mel_panel_class,             /* VITA_PANEL_MEL */
  &vita_attention_panel_class,       /* VITA_PANEL_ATTENTION */
  &vita_attention_grid_panel_class,  /* VITA_PANEL_ATTENTION_GRID */
  &vita_attention_row_panel_class,   /* VITA_PANEL_ATTENTION_ROW */
  &vita_received_panel_class,        /* VITA_PANEL_RECEIVED */
  &vita_ssm_panel_class,             /* VITA_PANEL_SSM */
  &vita_overview_panel_class,        /* VITA_PANEL_OVERVIEW */
  &vita_probes_panel_class,          /* VITA_PANEL_PROBES */
  &vita_probeogram_panel_class,      /* VITA_PANEL_PROBEOGRAM */
  &vita_layout_panel_class,          /* VITA_PANEL_LAYOUT */
  &vita_cka_panel_class,
  &vita_training_panel_class,
  &vita_attribution_panel_class,
  &vita_emergence_panel_class,
};

G_STATIC_ASSERT (G_N_ELEMENTS (registry) <= VITA_MAX_PANELS);

int
vita_panel_count (void)
{
  return G_N_ELEMENTS (registry);
}

const VitaPanelClass *
vita_panel_get_class (VitaPanel panel)
{
  return (int) panel >= 0 && (int) panel < (int) G_N_ELEMENTS (registry) ? registry[panel] : NULL;
}

VitaPanel
vita_panel_of_class (const VitaPanelClass *klass)
{
  for (gsize i = 0; i < G_N_ELEMENTS (registry); i++)
    if (registry[i] == klass)
      return (VitaPanel) i;
  g_return_val_if_reached (VITA_PANEL_LAYOUT);
}
