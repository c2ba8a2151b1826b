/* vita-attribution.c — gradient × input, integrated gradients and occlusion over the
 * mel input (vita-attribution.h), on the C forward and backward passes. */
#include "vita-attribution.h"
#include "model/train/vita-train.h"

#include <math.h>
#include <string.h>

void
vita_attr_target_init (VitaAttrTarget *t, VitaAttrTargetKind kind)
{
  memset (t, 0, sizeof *t);
  t->kind = kind;
  t->frame_end = -1;
  t->layer = -1;        /* COSINE: -1 = the last token layer */
  t->head = -1;
}

void
vita_attr_options_init (VitaAttrOptions *opt)
{
  opt->method = VITA_ATTR_INTEGRATED_GRADIENTS;
  opt->steps = 64;
  opt->batch = 8;
  opt->patch_frames = 8;
  opt->patch_bands = 8;
}

static const char *method_names[] = { "grad-input", "ig", "occlusion" };

const char *
vita_attr_method_name (VitaAttrMethod method)
{
  g_return_val_if_fail ((guint) method < G_N_ELEMENTS (method_names), "?");
  return method_names[method];
}

gboolean
vita_attr_method_from_name (const char *name, VitaAttrMethod *method)
{
  for (guint i = 0; i < G_N_ELEMENTS (method_names); i++)
    if (g_strcmp0 (name, method_names[i]) == 0)
      {
        *method = (VitaAttrMethod) i;
        return TRUE;
      }
  if (g_strcmp0 (name, "integrated-gradients") == 0)
    {
      *method = VITA_ATTR_INTEGRATED_GRADIENTS;
      return TRUE;
    }
  return FALSE;
}

void
vita_attribution_free (VitaAttribution *a)
{
  if (a == NULL)
    return;
  g_free (a->map);
  g_free (a);
}

/* ------------------------------------------------------------------------------ */
/* the engine: forward, target value, target gradient on tokens / attention, backward */

struct _VitaAttrEngine {
  VitaVit      *vit;
  int           B;
  VitaVitState *state;    /* training layout: every layer cached for backward */
  VitaVitGrads *grads;
  float        *dtokens;  /* (B, N, D) */
  float        *datt;     /* (B, NH, N, N) */
  float        *logits;   /* (C) scratch, probes */
  float        *du;       /* (D) scratch */
  float        *pooled;   /* (D) scratch */
  int           n_classes_cap;
};

VitaAttrEngine *
vita_attr_engine_new (VitaVit *vit, int B)
{
  g_return_val_if_fail (vit != NULL && B >= 1, NULL);
  const VitaVitConfig *c = &vit->cfg;
  const gsize N = c->frames + 1, D = c->dim, NH = c->heads;
  VitaAttrEngine *e = g_new0 (VitaAttrEngine, 1);
  e->vit = vita_vit_ref (vit);
  e->B = B;
  e->state = vita_vit_state_new (c, B, TRUE);
  e->grads = vita_vit_grads_new (c, B);
  e->dtokens = g_new0 (float, (gsize) B * N * D);
  e->datt = g_new0 (float, (gsize) B * NH * N * N);
  e->du = g_new0 (float, D);
  e->pooled = g_new0 (float, D);
  return e;
}

void
vita_attr_engine_free (VitaAttrEngine *e)
{
  if (e == NULL)
    return;
  vita_vit_state_free (e->state);
  vita_vit_grads_free (e->grads);
  g_free (e->dtokens);
  g_free (e->datt);
  g_free (e->logits);
  g_free (e->du);
  g_free (e->pooled);
  vita_vit_unref (e->vit);
  g_free (e);
}

const float *
vita_attr_engine_cls (VitaAttrEngine *e, int layer, int b)
{
  const VitaVitConfig *c = &e->vit->cfg;
  return vita_vit_state_tokens (e->state, layer) + (gsize) b * (c->frames + 1) * c->dim;
}

/* A probe on one vector x (D): the value of class c (logit or activation) and, when
 * du is not NULL, its gradient with respect to x (written). */
static double
probe_value (VitaAttrEngine *e, const VitaProbe *pr, int c, gboolean probability,
             const float *x, float *du)
{
  const int D = pr->dim, C = pr->n_classes;
  if (e->n_classes_cap < C)
    {
      g_free (e->logits);
      e->logits = g_new0 (float, C);
      e->n_classes_cap = C;
    }
  float *z = e->logits;
  for (int k = 0; k < C; k++)
    {
      double s = pr->bias[k];
      const float *w = pr->weight + (gsize) k * D;
      for (int d = 0; d < D; d++)
        s += (double) w[d] * x[d];
      z[k] = (float) s;
    }
  const float *wc = pr->weight + (gsize) c * D;
  if (!probability)
    {
      if (du)
        memcpy (du, wc, D * sizeof (float));
      return z[c];
    }
  if (pr->activation == VITA_PROBE_SIGMOID)
    {
      double p = 1.0 / (1.0 + exp (-(double) z[c]));
      if (du)
        for (int d = 0; d < D; d++)
          du[d] = (float) (p * (1 - p) * wc[d]);
      return p;
    }
  /* softmax: ∂p_c/∂x = p_c (W_c − Σ_k p_k W_k) */
  double mx = z[0];
  for (int k = 1; k < C; k++)
    mx = MAX (mx, z[k]);
  double sum = 0;
  for (int k = 0; k < C; k++)
    sum += exp (z[k] - mx);
  double pc = exp (z[c] - mx) / sum;
  if (du)
    {
      for (int d = 0; d < D; d++)
        du[d] = wc[d];
      for (int k = 0; k < C; k++)
        {
          float pk = (float) (exp (z[k] - mx) / sum);
          const float *wk = pr->weight + (gsize) k * D;
          for (int d = 0; d < D; d++)
            du[d] -= pk * wk[d];
        }
      for (int d = 0; d < D; d++)
        du[d] *= (float) pc;
    }
  return pc;
}

void
vita_attr_engine_eval (VitaAttrEngine *e, const VitaAttrWindowTarget *t,
                       const float *input, int B, double *values, float *dinput)
{
  const VitaVitConfig *c = &e->vit->cfg;
  g_return_if_fail (B >= 1 && B <= e->B);
  const int T = c->frames, N = T + 1, D = c->dim, NH = c->heads;
  const gsize ND = (gsize) N * D;
  vita_vit_forward (e->vit, e->state, input, B);
  const gboolean grad = dinput != NULL;
  int layer = -1, block = -1;

  switch (t->kind)
    {
    case VITA_ATTR_TARGET_PROBE:
      {
        const VitaProbe *pr = t->probe;
        layer = pr->layer;
        const float *tok = vita_vit_state_tokens (e->state, layer);
        if (grad)
          memset (e->dtokens, 0, (gsize) B * ND * sizeof (float));
        for (int b = 0; b < B; b++)
          {
            const float *tb = tok + (gsize) b * ND;
            float *db = e->dtokens + (gsize) b * ND;
            double v = 0;
            if (pr->frame_level)
              for (int r = t->row_first; r <= t->row_last; r++)
                {
                  v += probe_value (e, pr, t->class_index, t->probability, tb + (gsize) r * D,
                                    grad ? db + (gsize) r * D : NULL);
                }
            else
              {
                VitaPool pool = pr->pool;
                vita_probe_pool (pool, tb, N, D, e->pooled);
                v = probe_value (e, pr, t->class_index, t->probability, e->pooled,
                                 grad ? e->du : NULL);
                if (grad)
                  {
                    /* the pooled vector's gradient back to the rows (vita_probe_pool) */
                    float wc = pool == VITA_POOL_CLS ? 1.0f : pool == VITA_POOL_MEAN ? 0.0f : 0.5f;
                    float wm = pool == VITA_POOL_CLS ? 0.0f : pool == VITA_POOL_MEAN ? 1.0f : 0.5f;
                    wm /= (float) (N - 1);
                    for (int d = 0; d < D; d++)
                      db[d] = wc * e->du[d];
                    for (int r = 1; r < N; r++)
                      for (int d = 0; d < D; d++)
                        db[(gsize) r * D + d] = wm * e->du[d];
                  }
              }
            values[b] = v;
          }
        break;
      }
    case VITA_ATTR_TARGET_COSINE:
      {
        layer = t->layer;
        const float *tok = vita_vit_state_tokens (e->state, layer);
        const float *r = t->reference;
        double rr = 0;
        for (int d = 0; d < D; d++)
          rr += (double) r[d] * r[d];
        double rn = MAX (sqrt (rr), 1e-8);
        if (grad)
          memset (e->dtokens, 0, (gsize) B * ND * sizeof (float));
        for (int b = 0; b < B; b++)
          {
            const float *u = tok + (gsize) b * ND;
            double uu = 0, ur = 0;
            for (int d = 0; d < D; d++)
              {
                uu += (double) u[d] * u[d];
                ur += (double) u[d] * r[d];
              }
            double un = MAX (sqrt (uu), 1e-8);
            double cs = ur / (un * rn);
            values[b] = cs;
            if (grad)  /* ∂cos/∂u = r / (|u||r|) − cos u / |u|² */
              {
                float *du = e->dtokens + (gsize) b * ND;
                for (int d = 0; d < D; d++)
                  du[d] = (float) (r[d] / (un * rn) - cs * u[d] / (un * un));
              }
          }
        break;
      }
    case VITA_ATTR_TARGET_RECEIVED:
      {
        block = t->block;
        const float *att = vita_vit_state_attention (e->state, block);
        const int h0 = t->head < 0 ? 0 : t->head, h1 = t->head < 0 ? NH : t->head + 1;
        const double w = 1.0 / (h1 - h0);
        const gsize NN = (gsize) N * N;
        if (grad)
          memset (e->datt, 0, (gsize) B * NH * NN * sizeof (float));
        for (int b = 0; b < B; b++)
          {
            double v = 0;
            for (int h = h0; h < h1; h++)
              {
                const float *a = att + ((gsize) b * NH + h) * NN;
                float *da = e->datt + ((gsize) b * NH + h) * NN;
                double s = 0;
                for (int q = 0; q < N; q++)
                  {
                    s += a[(gsize) q * N + t->key_row];
                    if (grad)
                      da[(gsize) q * N + t->key_row] = (float) w;
                  }
                v += w * s;
              }
            values[b] = v;
          }
        break;
      }
    }
  if (grad)
    vita_vit_backward_input (e->vit, e->state, e->grads,
                             layer, layer >= 0 ? e->dtokens : NULL,
                             block, block >= 0 ? e->datt : NULL, dinput, B);
}

/* ------------------------------------------------------------------------------ */
/* the track: the windows a target reads, and the three methods */

typedef struct {
  int window;
  VitaAttrWindowTarget t;
} WinTarget;

static gboolean
check_target (const VitaAnalysis *an, const VitaAttrTarget *t, GError **error)
{
  const VitaVitConfig *c = &an->cfg;
  if (t->frame < 0 || t->frame >= an->n_frames)
    {
      g_set_error (error, VITA_MODEL_ERROR, VITA_MODEL_ERROR_METADATA,
                   "attribution target: frame %d is outside the track (0..%d)", t->frame,
                   an->n_frames - 1);
      return FALSE;
    }
  switch (t->kind)
    {
    case VITA_ATTR_TARGET_PROBE:
      if (t->probe == NULL)
        {
          g_set_error (error, VITA_MODEL_ERROR, VITA_MODEL_ERROR_METADATA,
                       "attribution target: a probe target needs a probe");
          return FALSE;
        }
      if (t->probe->dim != c->dim || t->probe->layer < 0 || t->probe->layer > c->depth)
        {
          g_set_error (error, VITA_MODEL_ERROR, VITA_MODEL_ERROR_MISMATCH,
                       "attribution target: the probe (dim %d, layer %d) does not fit the model "
                       "(dim %d, token layers 0..%d)", t->probe->dim, t->probe->layer, c->dim, c->depth);
          return FALSE;
        }
      if (t->class_index < 0 || t->class_index >= t->probe->n_classes)
        {
          g_set_error (error, VITA_MODEL_ERROR, VITA_MODEL_ERROR_METADATA,
                       "attribution target: class %d is not one of the probe's %d classes",
                       t->class_index, t->probe->n_classes);
          return FALSE;
        }
      if (t->frame_end > an->n_frames)
        {
          g_set_error (error, VITA_MODEL_ERROR, VITA_MODEL_ERROR_METADATA,
                       "attribution target: the range ends at frame %d, after the track (%d frames)",
                       t->frame_end, an->n_frames);
          return FALSE;
        }
      break;
    case VITA_ATTR_TARGET_COSINE:
      if (t->ref_frame < 0 || t->ref_frame >= an->n_frames)
        {
          g_set_error (error, VITA_MODEL_ERROR, VITA_MODEL_ERROR_METADATA,
                       "attribution target: reference frame %d is outside the track (0..%d)",
                       t->ref_frame, an->n_frames - 1);
          return FALSE;
        }
      if (t->layer > c->depth)
        {
          g_set_error (error, VITA_MODEL_ERROR, VITA_MODEL_ERROR_METADATA,
                       "attribution target: token layer %d does not exist (0..%d)", t->layer, c->depth);
          return FALSE;
        }
      break;
    case VITA_ATTR_TARGET_RECEIVED:
      if (t->block < 0 || t->block >= c->depth || t->head < -1 || t->head >= c->heads)
        {
          g_set_error (error, VITA_MODEL_ERROR, VITA_MODEL_ERROR_METADATA,
                       "attribution target: layer %d head %d does not exist (layers 1..%d, heads 1..%d)",
                       t->block + 1, t->head + 1, c->depth, c->heads);
          return FALSE;
        }
      break;
    }
  return TRUE;
}

/* The per-window targets; reference (D) is filled for COSINE by the caller. */
static GArray *
window_targets (const VitaAnalysis *an, const VitaAttrTarget *t, const float *reference)
{
  GArray *out = g_array_new (FALSE, TRUE, sizeof (WinTarget));
  const VitaVitConfig *c = &an->cfg;
  WinTarget wt = { 0 };
  wt.t.kind = t->kind;
  int f0 = t->frame, f1 = MAX (t->frame_end, t->frame + 1);
  switch (t->kind)
    {
    case VITA_ATTR_TARGET_PROBE:
      wt.t.probe = t->probe;
      wt.t.class_index = t->class_index;
      wt.t.probability = t->probability;
      for (int w = 0; w < an->n_windows; w++)
        {
          int a = MAX (f0, an->window_owned[w]), b = MIN (f1, an->window_owned[w + 1]);
          if (a >= b)
            continue;
          wt.window = w;
          wt.t.row_first = 1 + a - an->window_start[w];
          wt.t.row_last = b - an->window_start[w];
          g_array_append_val (out, wt);
        }
      break;
    case VITA_ATTR_TARGET_COSINE:
      wt.window = an->frame_window[f0];
      wt.t.layer = t->layer < 0 ? c->depth : t->layer;
      wt.t.reference = reference;
      g_array_append_val (out, wt);
      break;
    case VITA_ATTR_TARGET_RECEIVED:
      wt.window = an->frame_window[f0];
      wt.t.block = t->block;
      wt.t.head = t->head;
      wt.t.key_row = 1 + f0 - an->window_start[wt.window];
      g_array_append_val (out, wt);
      break;
    }
  return out;
}

/* Gauss–Legendre nodes and weights on [0, 1] (n points, Newton on P_n from the
 * Chebyshev guesses; Numerical Recipes' gauleg): the quadrature Captum's
 * IntegratedGradients uses by default ("gausslegendre"), exact for polynomials of
 * degree 2n − 1 where the midpoint rule is only second order. */
static void
gauss_legendre (int n, double *alpha, double *weight)
{
  for (int i = 0; i < (n + 1) / 2; i++)
    {
      double z = cos (G_PI * (i + 0.75) / (n + 0.5)), pp = 1, z1;
      do
        {
          double p1 = 1, p2 = 0;
          for (int j = 1; j <= n; j++)
            {
              double p3 = p2;
              p2 = p1;
              p1 = ((2.0 * j - 1) * z * p2 - (j - 1.0) * p3) / j;
            }
          pp = n * (z * p1 - p2) / (z * z - 1);
          z1 = z;
          z = z1 - p1 / pp;
        }
      while (fabs (z - z1) > 1e-15);
      double w = 2 / ((1 - z * z) * pp * pp);
      alpha[i] = 0.5 * (1 - z);
      alpha[n - 1 - i] = 0.5 * (1 + z);
      weight[i] = weight[n - 1 - i] = 0.5 * w;
    }
}

VitaAttribution *
vita_attribution_compute (const VitaAnalysis *an, const VitaAttrTarget *target,
                          const VitaAttrOptions *opt_in,
                          VitaAttrProgress progress, gpointer progress_data,
                          GCancellable *cancellable, GError **error)
{
  g_return_val_if_fail (an != NULL && target != NULL, NULL);
  VitaAttrOptions opt;
  if (opt_in)
    opt = *opt_in;
  else
    vita_attr_options_init (&opt);
  if (opt.steps < 1 || opt.batch < 1 || opt.patch_frames < 1 || opt.patch_bands < 1)
    {
      g_set_error (error, VITA_MODEL_ERROR, VITA_MODEL_ERROR_METADATA,
                   "attribution: steps (%d), batch (%d) and the occlusion patch (%d × %d) must be positive",
                   opt.steps, opt.batch, opt.patch_frames, opt.patch_bands);
      return NULL;
    }
  if (!check_target (an, target, error))
    return NULL;
  gint64 t_start = g_get_monotonic_time ();
  const VitaVitConfig *c = &an->cfg;
  const int T = c->frames, M = c->fe.n_mels, D = c->dim;
  const gsize TM = (gsize) T * M;
  const int B = opt.batch;
  g_autoptr(VitaAttrEngine) e = vita_attr_engine_new (an->vit, B);
  g_autofree float *reference = NULL;
  g_autofree float *x = g_new (float, TM);
  g_autofree float *in = g_new (float, (gsize) B * TM);
  g_autofree float *din = g_new (float, (gsize) B * TM);
  g_autofree float *acc = g_new (float, TM);
  g_autofree double *vals = g_new (double, B);

  if (target->kind == VITA_ATTR_TARGET_COSINE)
    {
      int layer = target->layer < 0 ? c->depth : target->layer;
      vita_analysis_window_input (an, an->frame_window[target->ref_frame], x);
      /* a forward only: the reference is the class token of that window's forward */
      reference = g_new0 (float, D);
      VitaAttrWindowTarget fwd = { .kind = VITA_ATTR_TARGET_COSINE, .layer = layer,
                                   .reference = reference };
      vita_attr_engine_eval (e, &fwd, x, 1, vals, NULL);
      memcpy (reference, vita_attr_engine_cls (e, layer, 0), D * sizeof (float));
    }

  g_autoptr(GArray) wts = window_targets (an, target, reference);
  g_autoptr(VitaAttribution) res = g_new0 (VitaAttribution, 1);
  res->n_frames = an->n_frames;
  res->n_mels = M;
  res->map = g_new0 (float, (gsize) an->n_frames * M);
  res->n_windows = wts->len;
  res->completeness = NAN;
  res->first_frame = an->n_frames;
  res->last_frame = 0;
  const float bval = an->pad_value;

  /* work units for progress */
  int per_window = 1;
  if (opt.method == VITA_ATTR_INTEGRATED_GRADIENTS)
    per_window = (opt.steps + B - 1) / B + 1;
  else if (opt.method == VITA_ATTR_OCCLUSION)
    per_window = 1 + ((T + opt.patch_frames - 1) / opt.patch_frames + 1)
                     * ((M + opt.patch_bands - 1) / opt.patch_bands);
  const int total = per_window * (int) wts->len;
  int done = 0;

  for (guint i = 0; i < wts->len; i++)
    {
      const WinTarget *wt = &g_array_index (wts, WinTarget, i);
      const int s = an->window_start[wt->window];
      const int valid = MIN (T, an->n_frames - s);   /* frames of the track in this window */
      res->first_frame = MIN (res->first_frame, s);
      res->last_frame = MAX (res->last_frame, s + valid);
      vita_analysis_window_input (an, wt->window, x);
      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return NULL;

      switch (opt.method)
        {
        case VITA_ATTR_GRAD_INPUT:
          vita_attr_engine_eval (e, &wt->t, x, 1, vals, din);
          res->f_input += vals[0];
          for (gsize k = 0; k < TM; k++)
            acc[k] = x[k] * din[k];
          done++;
          break;

        case VITA_ATTR_INTEGRATED_GRADIENTS:
          {
            /* f(x) and f(b) */
            vita_attr_engine_eval (e, &wt->t, x, 1, vals, NULL);
            res->f_input += vals[0];
            for (gsize k = 0; k < TM; k++)
              in[k] = bval;
            vita_attr_engine_eval (e, &wt->t, in, 1, vals, NULL);
            res->f_baseline += vals[0];
            done++;
            memset (acc, 0, TM * sizeof (float));
            g_autofree double *alpha = g_new (double, opt.steps);
            g_autofree double *weight = g_new (double, opt.steps);
            gauss_legendre (opt.steps, alpha, weight);
            for (int k0 = 0; k0 < opt.steps; k0 += B)
              {
                if (g_cancellable_set_error_if_cancelled (cancellable, error))
                  return NULL;
                int nk = MIN (B, opt.steps - k0);
                for (int j = 0; j < nk; j++)
                  {
                    float a = (float) alpha[k0 + j];
                    float *row = in + (gsize) j * TM;
                    for (gsize k = 0; k < TM; k++)
                      row[k] = bval + a * (x[k] - bval);
                  }
                vita_attr_engine_eval (e, &wt->t, in, nk, vals, din);
                for (int j = 0; j < nk; j++)
                  {
                    const float *dj = din + (gsize) j * TM;
                    const float wj = (float) weight[k0 + j];
                    for (gsize k = 0; k < TM; k++)
                      acc[k] += wj * dj[k];
                  }
                done++;
                if (progress)
                  progress (done, total, progress_data);
              }
            for (gsize k = 0; k < TM; k++)
              acc[k] = (x[k] - bval) * acc[k];
            break;
          }

        case VITA_ATTR_OCCLUSION:
          {
            vita_attr_engine_eval (e, &wt->t, x, 1, vals, NULL);
            const double f0 = vals[0];
            res->f_input += f0;
            done++;
            memset (acc, 0, TM * sizeof (float));
            /* the patches of the track grid that meet this window's track frames */
            const int pf = opt.patch_frames, pb = opt.patch_bands;
            GArray *patches = g_array_new (FALSE, FALSE, sizeof (int) * 2);
            for (int p0 = (s / pf) * pf; p0 < s + valid; p0 += pf)
              for (int m0 = 0; m0 < M; m0 += pb)
                {
                  int pr[2] = { p0, m0 };
                  g_array_append_val (patches, pr);
                }
            for (guint k0 = 0; k0 < patches->len; k0 += B)
              {
                if (g_cancellable_set_error_if_cancelled (cancellable, error))
                  {
                    g_array_free (patches, TRUE);
                    return NULL;
                  }
                int nk = MIN ((guint) B, patches->len - k0);
                for (int j = 0; j < nk; j++)
                  {
                    const int *pr = &g_array_index (patches, int, 2 * (k0 + j));
                    float *row = in + (gsize) j * TM;
                    memcpy (row, x, TM * sizeof (float));
                    for (int f = MAX (pr[0], s); f < MIN (pr[0] + pf, s + valid); f++)
                      for (int m = pr[1]; m < MIN (pr[1] + pb, M); m++)
                        row[(gsize) (f - s) * M + m] = bval;
                  }
                vita_attr_engine_eval (e, &wt->t, in, nk, vals, NULL);
                for (int j = 0; j < nk; j++)
                  {
                    const int *pr = &g_array_index (patches, int, 2 * (k0 + j));
                    float dv = (float) (f0 - vals[j]);
                    for (int f = MAX (pr[0], s); f < MIN (pr[0] + pf, s + valid); f++)
                      for (int m = pr[1]; m < MIN (pr[1] + pb, M); m++)
                        acc[(gsize) (f - s) * M + m] = dv;
                  }
                done++;
                if (progress)
                  progress (done, total, progress_data);
              }
            g_array_free (patches, TRUE);
            break;
          }
        }
      /* the window's frames that belong to the track (not the padding) */
      for (int f = 0; f < valid; f++)
        {
          float *dst = res->map + (gsize) (s + f) * M;
          const float *src = acc + (gsize) f * M;
          for (int m = 0; m < M; m++)
            dst[m] += src[m];
        }
      if (progress)
        progress (done, total, progress_data);
    }

  double sum = 0;
  for (gsize k = 0; k < (gsize) an->n_frames * M; k++)
    sum += res->map[k];
  res->sum = sum;
  if (opt.method == VITA_ATTR_INTEGRATED_GRADIENTS)
    {
      double d = res->f_input - res->f_baseline;
      res->completeness = fabs (sum - d) / MAX (fabs (d), 1e-12);
    }
  else if (opt.method == VITA_ATTR_OCCLUSION)
    res->f_baseline = NAN;
  res->seconds = (g_get_monotonic_time () - t_start) / 1e6;
  return g_steal_pointer (&res);
}

/* ------------------------------------------------------------------------------ */
/* on a worker thread */

typedef struct {
  VitaAnalysis   *an;
  VitaAttrTarget  target;
  VitaAttrOptions opt;
} AsyncJob;

static void
async_job_free (gpointer data)
{
  AsyncJob *job = data;
  vita_analysis_unref (job->an);
  g_free (job);
}

static void
async_thread (GTask *task, gpointer source, gpointer data, GCancellable *cancellable)
{
  AsyncJob *job = data;
  GError *error = NULL;
  VitaAttribution *a = vita_attribution_compute (job->an, &job->target, &job->opt, NULL, NULL,
                                                 cancellable, &error);
  if (a == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, a, (GDestroyNotify) vita_attribution_free);
}

void
vita_attribution_compute_async (VitaAnalysis *an, const VitaAttrTarget *target,
                                const VitaAttrOptions *opt, GCancellable *cancellable,
                                GAsyncReadyCallback callback, gpointer user_data)
{
  g_return_if_fail (an != NULL && target != NULL);
  AsyncJob *job = g_new0 (AsyncJob, 1);
  job->an = vita_analysis_ref (an);
  job->target = *target;
  if (opt)
    job->opt = *opt;
  else
    vita_attr_options_init (&job->opt);
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, vita_attribution_compute_async);
  g_task_set_task_data (task, job, async_job_free);
  g_task_run_in_thread (task, async_thread);
}

VitaAttribution *
vita_attribution_compute_finish (GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ---- target specs (the CLI's --target, sidecars, sessions) ---------------------- */

#define ERR(...) g_set_error (error, VITA_MODEL_ERROR, VITA_MODEL_ERROR_METADATA, __VA_ARGS__)

static gboolean
parse_seconds (const char *s, double *out)
{
  g_autofree char *t = g_strstrip (g_strdup (s));
  char *end = NULL;
  double v = g_ascii_strtod (t, &end);
  if (end == t || (*end != '\0' && g_strcmp0 (end, "s") != 0) || !isfinite (v) || v < 0)
    return FALSE;
  *out = v;
  return TRUE;
}

static int
frame_of (double t, const VitaFrontend *fe)
{
  return (int) llround (t * fe->sample_rate / fe->hop_length);
}

gboolean
vita_attr_target_parse (const char *spec, const char *what, const VitaVit *vit,
                        const VitaProbe *probe, int n_frames, VitaAttrTarget *t,
                        GError **error)
{
  const VitaFrontend *fe = &vit->cfg.fe;
  const char *at = strrchr (spec, '@');
  if (at == NULL)
    {
      ERR ("%s “%s”: no time (like class:C:maj@83.0)", what, spec);
      return FALSE;
    }
  g_autofree char *head = g_strndup (spec, at - spec);
  const char *when = at + 1;
  const double duration = (double) (n_frames - 1) * fe->hop_length / fe->sample_rate;
  if (g_str_has_prefix (head, "class:") || g_str_has_prefix (head, "prob:"))
    {
      vita_attr_target_init (t, VITA_ATTR_TARGET_PROBE);
      t->probability = g_str_has_prefix (head, "prob:");
      const char *label = strchr (head, ':') + 1;
      if (probe == NULL)
        {
          ERR ("%s “%s”: a class target needs a probe", what, spec);
          return FALSE;
        }
      t->probe = probe;
      t->class_index = -1;
      for (guint i = 0; i < probe->labels->len; i++)
        if (g_strcmp0 (g_ptr_array_index (probe->labels, i), label) == 0)
          t->class_index = i;
      if (t->class_index < 0)
        {
          char *end = NULL;
          gint64 k = g_ascii_strtoll (label, &end, 10);
          if (*label && end && *end == '\0' && k >= 0 && k < probe->n_classes)
            t->class_index = (int) k;
        }
      if (t->class_index < 0)
        {
          g_autoptr(GString) known = g_string_new (NULL);
          for (guint i = 0; i < probe->labels->len && i < 30; i++)
            g_string_append_printf (known, "%s%s", i ? ", " : "", (char *) g_ptr_array_index (probe->labels, i));
          ERR ("%s “%s”: the probe has no class “%s” (its classes: %s)", what, spec, label, known->str);
          return FALSE;
        }
      double a, b;
      const char *dash = strchr (when, '-');
      if (dash)
        {
          g_autofree char *l = g_strndup (when, dash - when);
          if (!parse_seconds (l, &a) || !parse_seconds (dash + 1, &b) || b <= a)
            {
              ERR ("%s “%s”: “%s” is not a time range in seconds (like 80-85)", what, spec, when);
              return FALSE;
            }
          t->frame = frame_of (a, fe);
          t->frame_end = frame_of (b, fe) + 1;
          if (t->frame_end > n_frames)
            {
              ERR ("%s “%s”: the range ends after the track (%.2f s)", what, spec, duration);
              return FALSE;
            }
        }
      else if (parse_seconds (when, &a))
        t->frame = frame_of (a, fe);
      else
        {
          ERR ("%s “%s”: “%s” is not a time in seconds", what, spec, when);
          return FALSE;
        }
    }
  else if (g_str_has_prefix (head, "cosine"))
    {
      vita_attr_target_init (t, VITA_ATTR_TARGET_COSINE);
      if (head[6] == ':')
        {
          char *end = NULL;
          gint64 l = g_ascii_strtoll (head + 7, &end, 10);
          if (end == head + 7 || *end != '\0' || l < 0 || l > vit->cfg.depth)
            {
              ERR ("%s “%s”: “%s” is not a token layer (0..%d)", what, spec, head + 7, vit->cfg.depth);
              return FALSE;
            }
          t->layer = (int) l;
        }
      else if (head[6] != '\0')
        {
          ERR ("%s “%s”: unknown target “%s” (class, prob, cosine, received)", what, spec, head);
          return FALSE;
        }
      g_auto(GStrv) parts = g_strsplit (when, ",", -1);
      double a, b;
      if (g_strv_length (parts) != 2 || !parse_seconds (parts[0], &a) || !parse_seconds (parts[1], &b))
        {
          ERR ("%s “%s”: a cosine target needs two times, like cosine@83.0,120.5", what, spec);
          return FALSE;
        }
      t->frame = frame_of (a, fe);
      t->ref_frame = frame_of (b, fe);
      if (t->ref_frame >= n_frames)
        {
          ERR ("%s “%s”: %.2f s is after the end of the track (%.2f s)", what, spec, b, duration);
          return FALSE;
        }
    }
  else if (g_str_has_prefix (head, "received:"))
    {
      vita_attr_target_init (t, VITA_ATTR_TARGET_RECEIVED);
      g_auto(GStrv) parts = g_strsplit (head + 9, ":", -1);
      char *end = NULL;
      if (g_strv_length (parts) != 2)
        goto bad_received;
      gint64 l = g_ascii_strtoll (parts[0], &end, 10);
      if (end == parts[0] || *end != '\0')
        goto bad_received;
      if (l < 1)
        {
          ERR ("%s “%s”: layer %s has no attention: layer 0 is the input embedding; "
               "attention layers are numbered 1…L", what, spec, parts[0]);
          return FALSE;
        }
      t->block = (int) MIN (l - 1, G_MAXINT);   /* 0-based block */
      if (g_strcmp0 (parts[1], "mean") == 0)
        t->head = -1;
      else
        {
          gint64 h = g_ascii_strtoll (parts[1], &end, 10);
          if (end == parts[1] || *end != '\0' || h < 0)
            goto bad_received;
          if (h == 0)
            {
              ERR ("%s “%s”: heads are numbered 1…H (head 0 of earlier versions is "
                   "head 1 now)", what, spec);
              return FALSE;
            }
          t->head = (int) MIN (h - 1, G_MAXINT);   /* 0-based head */
        }
      double a;
      if (!parse_seconds (when, &a))
        {
          ERR ("%s “%s”: “%s” is not a time in seconds", what, spec, when);
          return FALSE;
        }
      t->frame = frame_of (a, fe);
      return TRUE;
    bad_received:
      ERR ("%s “%s”: expected received:LAYER:HEAD@TIME (LAYER 1…L, HEAD 1…H or mean)", what, spec);
      return FALSE;
    }
  else
    {
      ERR ("%s “%s”: unknown target “%s” (class, prob, cosine, received)", what, spec, head);
      return FALSE;
    }
  if (t->frame >= n_frames)
    {
      ERR ("%s “%s”: the time is after the end of the track (%.2f s)", what, spec, duration);
      return FALSE;
    }
  return TRUE;
}
#undef ERR
