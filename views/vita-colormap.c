/* vita-colormap.c — 256-entry colormap LUTs.
 *
 * viridis, magma and inferno (van der Walt & Smith, matplotlib's perceptually
 * uniform maps) come from the degree-6 polynomial fits by Matt Zucker
 * ("Colormap polynomials", shadertoy WlfXRN, CC0): each channel is
 * c0 + t(c1 + t(c2 + ...)); the fit stays within about 1/100 of matplotlib's
 * tables (checked at t = 0, 0.5, 1 in tests/gui/test-views-paint.c).  The LUT is
 * the fit sampled at t = i / 255.
 *
 * The diverging map is ColorBrewer RdBu (Brewer, 11 classes) reversed, i.e.
 * matplotlib's "RdBu_r": blue for -1, near-white for 0, red for +1, linearly
 * interpolated in sRGB between the 11 anchors.
 */
#include "vita-paint.h"

#include <math.h>
#include <string.h>

static const double poly[3][7][3] = {
  { /* viridis */
    { 0.2777273272234177, 0.005407344544966578, 0.3340998053353061 },
    { 0.1050930431085774, 1.404613529898575, 1.384590162594685 },
    { -0.3308618287255563, 0.214847559468213, 0.09509516302823659 },
    { -4.634230498983486, -5.799100973351585, -19.33244095627987 },
    { 6.228269936347081, 14.17993336680509, 56.69055260068105 },
    { 4.776384997670288, -13.74514537774601, -65.35303263337234 },
    { -5.435455855934631, 4.645852612178535, 26.3124352495832 },
  },
  { /* magma */
    { -0.002136485053939582, -0.000749655052795221, -0.005386127855323933 },
    { 0.2516605407371642, 0.6775232436837668, 2.494026599312351 },
    { 8.353717279216625, -3.577719514958484, 0.3144679030132573 },
    { -27.66873308576866, 14.26473078096533, -13.64921318813922 },
    { 52.17613981234068, -27.94360607168351, 12.94416944238394 },
    { -50.76852536473588, 29.04658282127291, 4.23415299384598 },
    { 18.65570506591883, -11.48977351997711, -5.601961508734096 },
  },
  { /* inferno */
    { 0.0002189403691192265, 0.001651004631001012, -0.01948089843709184 },
    { 0.1065134194856116, 0.5639564367884091, 3.932712388889277 },
    { 11.60249308247187, -3.972853965665698, -15.9423941062914 },
    { -41.70399613139459, 17.43639888205313, 44.35414519872813 },
    { 77.162935699427, -33.40235894210092, -81.80730925738993 },
    { -71.31942824499214, 32.62606426397723, 73.20951985803202 },
    { 25.13112622477341, -12.24266895238567, -23.07032500287172 },
  },
};

/* ColorBrewer RdBu, reversed (blue → white → red). */
static const guint8 rdbu_r[11][3] = {
  { 0x05, 0x30, 0x61 }, { 0x21, 0x66, 0xac }, { 0x43, 0x93, 0xc3 }, { 0x92, 0xc5, 0xde },
  { 0xd1, 0xe5, 0xf0 }, { 0xf7, 0xf7, 0xf7 }, { 0xfd, 0xdb, 0xc7 }, { 0xf4, 0xa5, 0x82 },
  { 0xd6, 0x60, 0x4d }, { 0xb2, 0x18, 0x2b }, { 0x67, 0x00, 0x1f },
};

static const char *names[VITA_N_COLORMAPS] = {
  "viridis", "magma", "inferno", "gray", "diverging",
};

static void
eval (VitaColormap cmap, double t, double rgb[3])
{
  switch (cmap)
    {
    case VITA_COLORMAP_VIRIDIS:
    case VITA_COLORMAP_MAGMA:
    case VITA_COLORMAP_INFERNO:
      for (int c = 0; c < 3; c++)
        {
          const double (*k)[3] = poly[cmap];
          double v = k[6][c];
          for (int i = 5; i >= 0; i--)
            v = k[i][c] + t * v;
          rgb[c] = CLAMP (v, 0.0, 1.0);
        }
      break;
    case VITA_COLORMAP_DIVERGING:
      {
        double pos = t * 10.0;
        int i = (int) floor (pos);
        if (i >= 10)
          i = 9;
        double f = pos - i;
        for (int c = 0; c < 3; c++)
          rgb[c] = ((1.0 - f) * rdbu_r[i][c] + f * rdbu_r[i + 1][c]) / 255.0;
      }
      break;
    case VITA_COLORMAP_GRAY:
    default:
      rgb[0] = rgb[1] = rgb[2] = t;
      break;
    }
}

static guint32 luts[VITA_N_COLORMAPS][256];

static gpointer
build_luts (gpointer data)
{
  for (int m = 0; m < VITA_N_COLORMAPS; m++)
    for (int i = 0; i < 256; i++)
      {
        double rgb[3];
        eval (m, i / 255.0, rgb);
        guint32 r = (guint32) lround (rgb[0] * 255.0);
        guint32 g = (guint32) lround (rgb[1] * 255.0);
        guint32 b = (guint32) lround (rgb[2] * 255.0);
        luts[m][i] = 0xff000000u | (r << 16) | (g << 8) | b;
      }
  return NULL;
}

const guint32 *
vita_colormap_lut (VitaColormap cmap)
{
  static GOnce once = G_ONCE_INIT;
  g_once (&once, build_luts, NULL);
  g_return_val_if_fail (cmap < VITA_N_COLORMAPS, luts[0]);
  return luts[cmap];
}

void
vita_colormap_rgb (VitaColormap cmap, double t, double *r, double *g, double *b)
{
  double rgb[3];
  if (isnan (t))
    rgb[0] = rgb[1] = rgb[2] = 0.5;
  else
    eval (cmap < VITA_N_COLORMAPS ? cmap : VITA_COLORMAP_GRAY, CLAMP (t, 0.0, 1.0), rgb);
  *r = rgb[0];
  *g = rgb[1];
  *b = rgb[2];
}

const char *
vita_colormap_to_string (VitaColormap cmap)
{
  g_return_val_if_fail (cmap < VITA_N_COLORMAPS, "viridis");
  return names[cmap];
}

gboolean
vita_colormap_from_string (const char *name, VitaColormap *out)
{
  if (name == NULL)
    return FALSE;
  for (int m = 0; m < VITA_N_COLORMAPS; m++)
    if (g_ascii_strcasecmp (name, names[m]) == 0)
      {
        *out = m;
        return TRUE;
      }
  if (g_ascii_strcasecmp (name, "grey") == 0)
    {
      *out = VITA_COLORMAP_GRAY;
      return TRUE;
    }
  if (g_ascii_strcasecmp (name, "rdbu") == 0 || g_ascii_strcasecmp (name, "rdbu_r") == 0)
    {
      *out = VITA_COLORMAP_DIVERGING;
      return TRUE;
    }
  return FALSE;
}
