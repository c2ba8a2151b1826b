/* vita-paint-private.h — the cache's insides, shared by the painters in views/. */
#pragma once

#include "vita-painters.h"
#include "model/vita-derived.h"

G_BEGIN_DECLS

/* One cached heatmap surface and the key it was built for. */
typedef struct {
  guint64          key;
  cairo_surface_t *surface;
  float            vmin, vmax;
  int              decim;      /* data columns per surface column (long tracks) */
} VitaSurfaceSlot;

#define VITA_MEL_TILE  16384   /* columns of one mel surface */
#define VITA_MEL_TILES 4       /* mel tiles kept */

struct _VitaPaintCache {
  gint             ref_count;
  VitaAnalysis    *an;
  VitaWindowAttentionFunc attention_func;

  VitaSurfaceSlot  mel;        /* key: colormap */
  VitaSurfaceSlot  ssm;        /* key: layer, colormap */
  VitaSurfaceSlot  att;        /* key: window, block, head, mode, colormap */
  VitaSurfaceSlot  grid;       /* key: window, colormap; one surface of all maps */

  int              att_window; /* window last returned or asked for: never evicted, -1 none */
  float           *att_data;   /* (L, NH, N, N), points into entries[] */
  struct {
    int     window;            /* -1 = empty */
    float  *data;              /* (L, NH, N, N) */
    guint64 used;              /* LRU stamp */
  } entries[2];                /* the window under the playhead and the next one */
  guint64          stamp;
  /* Asynchronous mode (widgets): a miss starts a worker and returns "busy". */
  gboolean         async;
  int              pending;    /* window being computed, -1 none */
  int              wanted;     /* window asked for while another was pending, -1 none */
  int              waited;     /* window a painter is waiting for (ready_cb when done) */
  GFunc            ready_cb;
  gpointer         ready_data;
  int              roll_window, roll_block;
  float           *roll_data;  /* (N, N) */
  guint64          recv_key;   /* block, head, windows ready */
  float           *recv;       /* (n_frames) received attention shown, NaN = not ready */
  float            recv_max;
  /* A mel longer than one surface (Cairo's images stop at 32767 pixels a side) as
   * tiles of VITA_MEL_TILE columns, each column 2^level frames (level 0 when a frame
   * is wider than half a pixel: no averaging visible at any zoom); key: colormap,
   * level, tile; the least recently used goes first.  mel then holds only the range. */
  VitaSurfaceSlot  mel_tiles[VITA_MEL_TILES];
  guint64          mel_tiles_used[VITA_MEL_TILES];
  float           *attr;       /* attribution overlay (n_frames, n_mels), NaN = none; NULL */
  int              attr_frames, attr_mels;
  double           attr_opacity, attr_vabs;
  char            *attr_label;
  guint            attr_serial;
  guint            attr_map_gen; /* changes with the map only (attr_slot's key) */
  VitaSurfaceSlot  attr_slot;    /* the overlay as an ARGB surface, NaN transparent */
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
static inline gboolean
vita_paint_ssm_ready (const VitaAnalysis *an)
{
  return an != NULL && an->ssm != NULL && g_atomic_int_get (&an->complete) != 0;
}
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

/* Shared by the class records of the time-aligned panels: the playhead at the
 * position's x, a click seeks to the time under the pointer. */
gboolean vita_time_panel_playhead (const VitaPanelClass *klass, const VitaRect *area,
                                   const VitaPaintContext *ctx, VitaRect *plot, double *x,
                                   double *y);
gboolean vita_time_panel_hit_sample (const VitaPanelClass *klass, const VitaRect *area,
                                     const VitaPaintContext *ctx, double px, double py,
                                     gint64 *sample);
/* What is not known yet (ctx->decoding, ctx->preview) looks unknown: samples
 * [start, end) of a time-aligned plot as the panel background with a light hatch. */
void vita_paint_unknown_range (cairo_t *cr, const VitaPaintContext *ctx, const VitaRect *plot,
                               gint64 start, gint64 end);
/* The same over x in [x0, x1) of any plot. */
void vita_paint_unknown_x (cairo_t *cr, const VitaStyle *style, const VitaRect *plot,
                           double x0, double x1);
/* "Decoding… 37 %" (or "Decoding…" when the progress is not known) in the plot. */
void vita_paint_decoding_label (cairo_t *cr, const VitaPaintContext *ctx, const VitaRect *plot);
/* A preview's frames without mel (outside its ready windows) drawn unknown, with the
 * decoding label over them; nothing for an analysis that is not a preview. */
void vita_paint_preview_unknown (cairo_t *cr, const VitaPaintContext *ctx, const VitaRect *plot,
                                 const VitaAnalysis *an);
/* Frames [f0, f1] of the visible range, clamped to the track. */
void vita_paint_visible_frames (const VitaPaintContext *ctx, int n_frames, int *f0, int *f1);
/* Attention panels: the window of the query frame, its first frame and T. */
void vita_attention_geometry (const VitaRect *area, const VitaPaintContext *ctx,
                              VitaRect *plot, int *ws, int *T);
/* "the %s panel has no analysis to export" (VITA_MODEL_ERROR_BUSY) when ctx has none. */
VitaAnalysis *vita_panel_require_analysis (const VitaPanelClass *klass,
                                           const VitaPaintContext *ctx, GError **error);

G_END_DECLS
