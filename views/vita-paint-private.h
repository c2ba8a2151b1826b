/* vita-paint-private.h — the cache's insides, shared by the painters in views/. */
#pragma once

#include "vita-painters.h"

G_BEGIN_DECLS

/* One cached heatmap surface and the key it was built for. */
typedef struct {
  guint64          key;
  cairo_surface_t *surface;
  float            vmin, vmax;
  int              decim;      /* data columns per surface column (long tracks) */
} VitaSurfaceSlot;

struct _VitaPaintCache {
  gint             ref_count;
  VitaAnalysis    *an;
  VitaWindowAttentionFunc attention_func;

  VitaSurfaceSlot  mel;        /* key: colormap */
  VitaSurfaceSlot  ssm;        /* key: layer, colormap */
  VitaSurfaceSlot  att;        /* key: window, block, head, mode, colormap */
  VitaSurfaceSlot  grid;       /* key: window, colormap; one surface of all maps */

  int              att_window; /* window whose maps are in att_data, -1 none */
  float           *att_data;   /* (L, NH, N, N) */
  int              roll_window, roll_block;
  float           *roll_data;  /* (N, N) */
  float           *onset;      /* (n_frames) */
  float            onset_max;
  guint64          recv_key;   /* block, head, windows ready */
  float           *recv;       /* (n_frames) received attention shown, NaN = not ready */
  float            recv_max;
};

/* The received-attention curve of a block and head (-1 = mean), cached. */
const float *vita_paint_cache_received (VitaPaintCache *cache, int block, int head,
                                        float *max);

/* Key helper: packs small ints. */
static inline guint64
vita_key (int a, int b, int c, int d, int e)
{
  return ((guint64) (a + 1) & 0xfffff) << 44 | ((guint64) (b + 1) & 0xfff) << 32 |
         ((guint64) (c + 2) & 0xfff) << 20 | ((guint64) (d + 1) & 0xff) << 12 |
         ((guint64) (e + 1) & 0xfff);
}

/* SSMs are final once the analysis says complete. */
gboolean vita_analysis_is_complete_views (const VitaAnalysis *an);
VitaPanelFlags vita_panel_flags (VitaPanel panel);
void vita_square_plot (const VitaStyle *style, const VitaRect *area, VitaPanel panel,
                       VitaRect *plot, VitaRect *cbar);
int  vita_paint_query_frame (const VitaPaintContext *ctx);
/* Shared frame of time-aligned panels: background, layout; returns the plot. */
void vita_paint_time_panel_begin (cairo_t *cr, const VitaRect *area,
                                  const VitaPaintContext *ctx, VitaPanel panel,
                                  VitaRect *plot, VitaRect *cbar);
/* Frame, time axis, selection, playhead, title. */
void vita_paint_time_panel_end (cairo_t *cr, const VitaPaintContext *ctx,
                                const VitaRect *plot, const char *title);
void vita_set_rgb (cairo_t *cr, const double rgb[3]);

void vita_surface_slot_clear (VitaSurfaceSlot *slot);
gboolean vita_analysis_window_is_ready (const VitaAnalysis *an, int window);
/* Head-averaged (head == -1) or one head's (N, N) map of a block, from (L, NH, N, N). */
void vita_attention_select (const VitaAnalysis *an, const float *att, int block, int head,
                            float *out);

G_END_DECLS
