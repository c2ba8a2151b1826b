/* test-vit.c — the ViT-1D forward pass against PyTorch (tests/make_golden_vit.py).
 *
 * Every activation of vita_vit_forward and of vita_vit_forward_ref is compared with
 * the float64 PyTorch reference at 1e-4 max abs, for the "test" preset and for a
 * non-square configuration (D 24, L 3, NH 3, H4 40, T 10, M 12, P 6).  Also: the
 * class-token rule on its own, batches against single windows, the analysis state
 * (training = FALSE) against the training state, and the fast kernels against the
 * reference ones at the paper's sequence length. */
#include "vita-test.h"
#include "model/vita-vit.h"
#include "model/vita-vit-kernels.h"
#include "model/vita-rng.h"
#include "model/vita-safetensors.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define GOLDEN_TOL 1e-4

typedef struct {
  const char *name;
  int dim, depth, heads, mlp_dim, frames, n_mels, proj_dim, B;
} GoldenConfig;

static const GoldenConfig golden_configs[] = {
  { "test", 16, 2, 2, 32, 8, 16, 8, 3 },
  { "odd", 24, 3, 3, 40, 10, 12, 6, 2 },
};

static void
config_of (const GoldenConfig *g, VitaVitConfig *cfg)
{
  vita_vit_config_init_tiny (cfg);
  cfg->dim = g->dim;
  cfg->depth = g->depth;
  cfg->heads = g->heads;
  cfg->mlp_dim = g->mlp_dim;
  cfg->frames = g->frames;
  cfg->fe.n_mels = g->n_mels;
  cfg->proj_dim = g->proj_dim;
  g_assert_true (vita_vit_config_validate (cfg, NULL));
}

/* Tensor names in VitaVitParams order; "%d" = stacked over blocks. */
static const char *const param_names[VITA_VIT_N_PARAM_TENSORS] = {
  "patch_embed.proj.weight", "patch_embed.proj.bias", "cls_token", "pos_embed",
  "blocks.%d.norm1.weight", "blocks.%d.norm1.bias",
  "blocks.%d.attn.qkv.weight", "blocks.%d.attn.qkv.bias",
  "blocks.%d.attn.proj.weight", "blocks.%d.attn.proj.bias",
  "blocks.%d.norm2.weight", "blocks.%d.norm2.bias",
  "blocks.%d.mlp.fc1.weight", "blocks.%d.mlp.fc1.bias",
  "blocks.%d.mlp.fc2.weight", "blocks.%d.mlp.fc2.bias",
  "norm.weight", "norm.bias",
  "head.fc1.weight", "head.fc1.bias", "head.fc2.weight", "head.fc2.bias",
};

/* The golden model from tests/data/vit_NAME.safetensors (written by tools/vit1d.py),
 * with a minimal private loader over vita_safetensors (checks metadata sizes and every
 * tensor's size).  TODO: vita_vit_load once model/vita-vit-io.c (branch model-io) is
 * in main.  The weights must also equal the flat VitaVitParams-order copy written
 * beside the file, which pins the stacking of per-layer tensors. */
static VitaVit *
load_golden_model (const GoldenConfig *g)
{
  VitaVitConfig cfg;
  config_of (g, &cfg);
  g_autofree char *st_name = g_strdup_printf ("vit_%s.safetensors", g->name);
  g_autofree char *path = vita_test_data_path (st_name);
  g_autoptr(GError) error = NULL;
  g_autoptr(VitaSafetensors) st = vita_safetensors_load (path, &error);
  g_assert_no_error (error);
  struct { const char *key; int value; } meta[] = {
    { "dim", cfg.dim }, { "depth", cfg.depth }, { "heads", cfg.heads },
    { "mlp_dim", cfg.mlp_dim }, { "frames", cfg.frames }, { "n_mels", cfg.fe.n_mels },
    { "proj_dim", cfg.proj_dim },
  };
  for (gsize i = 0; i < G_N_ELEMENTS (meta); i++)
    {
      const char *v = vita_safetensors_get_metadata (st, meta[i].key);
      g_assert_nonnull (v);
      g_assert_cmpint (atoi (v), ==, meta[i].value);
    }
  g_assert_cmpstr (vita_safetensors_get_metadata (st, "format"), ==, "vit1d");
  g_assert_cmpfloat (g_ascii_strtod (vita_safetensors_get_metadata (st, "norm_eps"), NULL),
                     ==, 1e-6);

  VitaVit *vit = vita_vit_new (&cfg);
  float *dst = vit->memory;
  for (int i = 0; i < VITA_VIT_N_PARAM_TENSORS; i++)
    {
      gboolean stacked = strstr (param_names[i], "%d") != NULL;
      int n = stacked ? cfg.depth : 1;
      for (int l = 0; l < n && vit->sizes[i] > 0; l++)
        {
          g_autofree char *name =
            stacked ? g_strdup_printf ("blocks.%d.%s", l, param_names[i] + strlen ("blocks.%d."))
                    : g_strdup (param_names[i]);
          const VitaTensor *t = vita_safetensors_lookup (st, name);
          if (t == NULL)
            g_error ("%s: tensor %s missing", path, name);
          g_assert_cmpuint (t->n_elements, ==, vit->sizes[i] / n);
          memcpy (dst, t->data, t->n_elements * sizeof (float));
          dst += t->n_elements;
        }
    }
  g_assert_true (dst == vit->memory + vit->num_params);

  g_autofree char *name = g_strdup_printf ("vit_%s_params.npy", g->name);
  gsize count;
  g_autofree float *flat = vita_test_load_npy (name, NULL, NULL, &count);
  g_assert_cmpuint (count, ==, vit->num_params);
  g_assert_cmpmem (vit->memory, count * sizeof (float), flat, count * sizeof (float));
  return vit;
}

static float *
load_act (const GoldenConfig *g, const char *act, gsize expect)
{
  g_autofree char *name = g_strdup_printf ("vit_%s_%s.npy", g->name, act);
  gsize count;
  float *data = vita_test_load_npy (name, NULL, NULL, &count);
  if (count != expect)
    g_error ("%s: %" G_GSIZE_FORMAT " values, expected %" G_GSIZE_FORMAT, name, count, expect);
  return data;
}

/* Largest error seen per implementation, printed at the end. */
static double worst_fast, worst_ref;

static void
compare (const GoldenConfig *g, const char *impl, const char *act, const float *got, gsize n)
{
  g_autofree float *want = load_act (g, act, n);
  g_autofree char *what = g_strdup_printf ("%s %s %s", g->name, impl, act);
  double d = vita_test_max_abs_diff (got, want, n, NULL);
  if (g_str_equal (impl, "ref"))
    worst_ref = MAX (worst_ref, d);
  else
    worst_fast = MAX (worst_fast, d);
  vita_test_assert_close (what, got, want, n, GOLDEN_TOL);
}

static void
test_golden (gconstpointer data)
{
  const GoldenConfig *g = data;
  g_autoptr(VitaVit) vit = load_golden_model (g);
  const VitaVitConfig *c = &vit->cfg;
  int B = g->B, T = c->frames, N = T + 1, D = c->dim, L = c->depth, NH = c->heads;
  int H4 = c->mlp_dim, P = c->proj_dim;
  g_autofree float *input = load_act (g, "input", (gsize) B * T * c->fe.n_mels);

  worst_fast = worst_ref = 0;
  /* fast (run-time chosen build: AVX2+FMA here), ref, fast forced to baseline x86-64 */
  for (int impl = 0; impl < 3; impl++)
    {
      const char *iname = impl == 0 ? "fast" : impl == 1 ? "ref" : "fast-baseline";
      /* training state: every per-layer cache, exactly B windows */
      g_autoptr(VitaVitState) st = vita_vit_state_new (c, B, TRUE);
      vita_kernels_force_baseline (impl == 2);
      if (impl == 1)
        vita_vit_forward_ref (vit, st, input, B);
      else
        vita_vit_forward (vit, st, input, B);
      vita_kernels_force_baseline (FALSE);
      const VitaVitActs *a = &st->acts;
      gsize BN = (gsize) B * N;
      compare (g, iname, "patch", a->patch, (gsize) B * T * D);
      compare (g, iname, "encoded", a->encoded, BN * D);
      compare (g, iname, "ln1", a->ln1, L * BN * D);
      compare (g, iname, "ln1_mean", a->ln1_mean, L * BN);
      compare (g, iname, "ln1_rstd", a->ln1_rstd, L * BN);
      compare (g, iname, "qkv", a->qkv, L * BN * 3 * D);
      compare (g, iname, "att", a->att, (gsize) L * B * NH * N * N);
      compare (g, iname, "atty", a->atty, L * BN * D);
      compare (g, iname, "res_att", a->res_att, L * BN * D);
      compare (g, iname, "ln2", a->ln2, L * BN * D);
      compare (g, iname, "ln2_mean", a->ln2_mean, L * BN);
      compare (g, iname, "ln2_rstd", a->ln2_rstd, L * BN);
      compare (g, iname, "fch", a->fch, L * BN * H4);
      compare (g, iname, "fch_gelu", a->fch_gelu, L * BN * H4);
      compare (g, iname, "res_mlp", a->res_mlp, L * BN * D);
      compare (g, iname, "lnf", a->lnf, BN * D);
      compare (g, iname, "lnf_mean", a->lnf_mean, BN);
      compare (g, iname, "lnf_rstd", a->lnf_rstd, BN);
      compare (g, iname, "head_h", a->head_h, (gsize) B * D);
      compare (g, iname, "head_relu", a->head_relu, (gsize) B * D);
      compare (g, iname, "z", a->z, (gsize) B * P);

      /* the accessors point at the same tensors */
      g_assert_true (vita_vit_state_tokens (st, 0) == a->encoded);
      for (int l = 1; l <= L; l++)
        g_assert_true (vita_vit_state_tokens (st, l) == a->res_mlp + (gsize) (l - 1) * BN * D);
      for (int l = 0; l < L; l++)
        g_assert_true (vita_vit_state_attention (st, l)
                       == a->att + (gsize) l * B * NH * N * N);
    }
  printf ("# %s: max abs error vs PyTorch (all activations): fast (AVX2 and baseline) %.3g, ref %.3g\n",
          g->name, worst_fast, worst_ref);
}

/* Class token at layer 0 minus pos_embed[0] = cls_token + mean of the patch tokens
 * (vit1d-format.md), recomputed here in double from the inputs and weights. */
static void
test_cls_rule (gconstpointer data)
{
  const GoldenConfig *g = data;
  g_autoptr(VitaVit) vit = load_golden_model (g);
  const VitaVitConfig *c = &vit->cfg;
  int B = g->B, T = c->frames, N = T + 1, D = c->dim, M = c->fe.n_mels;
  g_autofree float *input = load_act (g, "input", (gsize) B * T * M);
  g_autoptr(VitaVitState) st = vita_vit_state_new (c, B, FALSE);
  vita_vit_forward (vit, st, input, B);
  const float *tok0 = vita_vit_state_tokens (st, 0);
  const VitaVitParams *p = &vit->params;
  g_autofree float *got = g_new (float, D);
  g_autofree float *want = g_new (float, D);
  for (int b = 0; b < B; b++)
    {
      for (int d = 0; d < D; d++)
        {
          double mean = 0;
          for (int t = 0; t < T; t++)
            {
              double acc = p->patch_b[d];
              for (int m = 0; m < M; m++)
                acc += (double) p->patch_w[(gsize) d * M + m] * input[((gsize) b * T + t) * M + m];
              mean += acc;
            }
          want[d] = (float) (p->cls_token[d] + mean / T);
          got[d] = tok0[(gsize) b * N * D + d] - p->pos_embed[d];
        }
      vita_test_assert_close ("class token - pos_embed[0] = cls_token + mean(patch)",
                              got, want, D, 1e-5);
      /* and the rule is not vacuous: the mean is not negligible next to cls_token */
      double mean_norm = 0;
      for (int d = 0; d < D; d++)
        mean_norm += fabs (want[d] - p->cls_token[d]);
      g_assert_cmpfloat (mean_norm / D, >, 1e-2);
    }
}

/* A batch of B windows gives each window's B = 1 result (to rounding: OpenBLAS
 * picks other kernels for other row counts); the analysis state
 * (training = FALSE) gives the training state's tokens and attention maps. */
static void
test_batch_and_state (gconstpointer data)
{
  const GoldenConfig *g = data;
  g_autoptr(VitaVit) vit = load_golden_model (g);
  const VitaVitConfig *c = &vit->cfg;
  int B = g->B, T = c->frames, N = T + 1, D = c->dim, L = c->depth, NH = c->heads;
  int M = c->fe.n_mels;
  g_autofree float *input = load_act (g, "input", (gsize) B * T * M);
  gsize tok = (gsize) N * D, attn = (gsize) NH * N * N;

  g_autoptr(VitaVitState) train = vita_vit_state_new (c, B, TRUE);
  g_autoptr(VitaVitState) infer = vita_vit_state_new (c, B, FALSE);
  /* capacity larger than the batch: per-layer slices are laid out for capacity */
  g_autoptr(VitaVitState) big = vita_vit_state_new (c, B + 3, FALSE);
  g_autoptr(VitaVitState) one = vita_vit_state_new (c, 1, FALSE);
  g_assert_cmpuint (infer->num_activations, <, train->num_activations);
  vita_vit_forward (vit, train, input, B);
  vita_vit_forward (vit, infer, input, B);
  vita_vit_forward (vit, big, input, B);
  for (int l = 0; l <= L; l++)
    {
      g_assert_cmpmem (vita_vit_state_tokens (infer, l), B * tok * sizeof (float),
                       vita_vit_state_tokens (train, l), B * tok * sizeof (float));
      vita_test_assert_close_rel ("capacity B+3 tokens", vita_vit_state_tokens (big, l),
                                  vita_vit_state_tokens (train, l), B * tok, 1e-5);
    }
  for (int l = 0; l < L; l++)
    {
      g_assert_cmpmem (vita_vit_state_attention (infer, l), B * attn * sizeof (float),
                       vita_vit_state_attention (train, l), B * attn * sizeof (float));
      vita_test_assert_close ("capacity B+3 attention", vita_vit_state_attention (big, l),
                              vita_vit_state_attention (train, l), B * attn, 1e-5);
    }
  g_assert_cmpmem (infer->acts.lnf, B * tok * sizeof (float),
                   train->acts.lnf, B * tok * sizeof (float));
  g_assert_cmpmem (infer->acts.z, (gsize) B * c->proj_dim * sizeof (float),
                   train->acts.z, (gsize) B * c->proj_dim * sizeof (float));

  for (int b = 0; b < B; b++)
    {
      vita_vit_forward (vit, one, input + (gsize) b * T * M, 1);
      for (int l = 0; l <= L; l++)
        vita_test_assert_close_rel ("window alone vs in a batch: tokens",
                                    vita_vit_state_tokens (one, l),
                                    vita_vit_state_tokens (train, l) + b * tok, tok, 1e-5);
      for (int l = 0; l < L; l++)
        vita_test_assert_close ("window alone vs in a batch: attention",
                                vita_vit_state_attention (one, l),
                                vita_vit_state_attention (train, l) + b * attn, attn, 1e-5);
      vita_test_assert_close_rel ("window alone vs in a batch: z", one->acts.z,
                                  train->acts.z + (gsize) b * c->proj_dim, c->proj_dim, 1e-5);
    }
}

/* Fast kernels against the naive ones at the paper's sequence length and band count
 * (blocked sgemm paths, long softmax rows), with odd widths, without a projection head. */
static void
test_fast_vs_ref_long (void)
{
  VitaVitConfig cfg;
  vita_vit_config_init_tiny (&cfg);
  cfg.dim = 45;      /* not a multiple of 8: the vector loops' scalar tails run */
  cfg.heads = 3;
  cfg.depth = 2;
  cfg.mlp_dim = 91;
  cfg.proj_dim = 0;
  g_autoptr(VitaVit) vit = vita_vit_new_random (&cfg, 7);
  /* stronger than the timm init so attention is not uniform */
  for (gsize i = 0; i < vit->num_params; i++)
    vit->memory[i] *= 10.0f;
  for (int l = 0; l < cfg.depth; l++)
    for (int d = 0; d < cfg.dim; d++)
      {
        vit->params.ln1w[l * cfg.dim + d] = 1.0f;
        vit->params.ln2w[l * cfg.dim + d] = 1.0f;
      }
  for (int d = 0; d < cfg.dim; d++)
    vit->params.lnfw[d] = 1.0f;
  int B = 2, T = cfg.frames, M = cfg.fe.n_mels, N = T + 1;
  g_autofree float *input = g_new (float, (gsize) B * T * M);
  VitaRng rng;
  vita_rng_seed (&rng, 3);
  for (gsize i = 0; i < (gsize) B * T * M; i++)
    input[i] = (float) vita_rng_normal (&rng);
  g_autoptr(VitaVitState) fast = vita_vit_state_new (&cfg, B, FALSE);
  g_autoptr(VitaVitState) ref = vita_vit_state_new (&cfg, B, FALSE);
  vita_vit_forward (vit, fast, input, B);
  vita_vit_forward_ref (vit, ref, input, B);
  g_assert_null (fast->acts.z);
  for (int l = 0; l <= cfg.depth; l++)
    vita_test_assert_close_rel ("fast vs ref tokens (T 126, M 128)",
                                vita_vit_state_tokens (fast, l), vita_vit_state_tokens (ref, l),
                                (gsize) B * N * cfg.dim, 1e-5);
  float amax = 0;
  for (int l = 0; l < cfg.depth; l++)
    {
      const float *a = vita_vit_state_attention (fast, l);
      for (gsize i = 0; i < (gsize) B * cfg.heads * N * N; i++)
        amax = MAX (amax, a[i]);
      vita_test_assert_close ("fast vs ref attention (T 126, M 128)", a,
                              vita_vit_state_attention (ref, l),
                              (gsize) B * cfg.heads * N * N, 1e-5);
    }
  g_assert_cmpfloat (amax, >, 5.0f / N);   /* not uniform */
  vita_test_assert_close_rel ("fast vs ref final norm", fast->acts.lnf, ref->acts.lnf,
                              (gsize) B * N * cfg.dim, 1e-5);
}

/* A NaN in one window's input poisons that window (never a finite, plausible
 * result) and only that window. */
static void
test_nan_propagates (void)
{
  const GoldenConfig *g = &golden_configs[1];
  g_autoptr(VitaVit) vit = load_golden_model (g);
  const VitaVitConfig *c = &vit->cfg;
  int B = g->B, T = c->frames, N = T + 1, D = c->dim, L = c->depth, M = c->fe.n_mels;
  g_autofree float *input = load_act (g, "input", (gsize) B * T * M);
  input[(gsize) 1 * T * M + 3 * M + 5] = NAN;   /* window 1, frame 3, band 5 */
  for (int impl = 0; impl < 2; impl++)
    {
      g_autoptr(VitaVitState) st = vita_vit_state_new (c, B, FALSE);
      if (impl == 0)
        vita_vit_forward (vit, st, input, B);
      else
        vita_vit_forward_ref (vit, st, input, B);
      const float *last = vita_vit_state_tokens (st, L);
      for (gsize i = 0; i < (gsize) N * D; i++)
        {
          g_assert_true (isfinite (last[i]));          /* window 0 untouched */
          g_assert_true (isnan (last[N * D + i]));     /* window 1 all NaN */
        }
      const float *att = vita_vit_state_attention (st, L - 1);
      gsize per = (gsize) c->heads * N * N;
      for (gsize i = 0; i < per; i++)
        g_assert_true (isnan (att[per + i]));
    }
}

/* The vectorised erf and exp against libm over their whole useful range. */
static void
test_gelu_softmax_accuracy (void)
{
  enum { n = 20001 };
  g_autofree float *x = g_new (float, n);
  g_autofree float *fast = g_new (float, n);
  g_autofree float *ref = g_new (float, n);
  for (int i = 0; i < n; i++)
    x[i] = -10.0f + 20.0f * i / (n - 1);
  vita_gelu_forward_ref (ref, x, n);
  for (int base = 0; base < 2; base++)
    {
      vita_kernels_force_baseline (base);
      vita_gelu_forward (fast, x, n);
      vita_kernels_force_baseline (FALSE);
      vita_test_assert_close_rel ("GELU (rational erf) vs erf()", fast, ref, n, 5e-7);
    }
  double worst = 0;
  for (int i = 0; i < n; i++)
    worst = MAX (worst, fabs (vita_erff (x[i] / 2) - erf (x[i] / 2)));
  g_test_message ("erf max abs error %.3g", worst);
  g_assert_cmpfloat (worst, <, 5e-7);

  /* softmax of a 1 × n row with a range of 80 */
  for (int i = 0; i < n; i++)
    fast[i] = x[i] * 4.0f;
  vita_softmax_forward (fast, 1, n);
  double s = 0;
  for (int i = 0; i < n; i++)
    s += exp (4.0 * x[i] - 40.0);
  for (int i = 0; i < n; i++)
    ref[i] = (float) (exp (4.0 * x[i] - 40.0) / s);
  vita_test_assert_close_rel ("softmax vs exp()", fast, ref, n, 1e-6);
  for (int i = n - 100; i < n; i++)
    g_assert_cmpfloat (fabs (fast[i] - ref[i]), <=, 1e-6 * ref[i] + 1e-12);
}

/* The fused attention kernel against its naive twin (double accumulators, libm exp)
 * on shapes that take every path of its tiling: the paper's (N 127, hs 64), a
 * window longer than one key tile (N 300), heads wider than one channel tile
 * (hs 80) or with 16-, 8- and 1-channel tails (hs 24, hs 5), tiny windows (N 1, 3);
 * the AVX-512, AVX2 and baseline builds. */
static void
test_attention_fused_vs_ref (void)
{
  static const struct { int B, N, C, NH; } shapes[] = {
    { 2, 127, 192, 3 }, { 1, 300, 128, 2 }, { 2, 37, 160, 2 }, { 1, 45, 72, 3 },
    { 3, 9, 10, 2 }, { 2, 1, 16, 2 }, { 1, 3, 24, 1 },
  };
  VitaRng rng;
  vita_rng_seed (&rng, 14);
  for (gsize s = 0; s < G_N_ELEMENTS (shapes); s++)
    {
      const int B = shapes[s].B, N = shapes[s].N, C = shapes[s].C, NH = shapes[s].NH;
      gsize n_qkv = (gsize) B * N * 3 * C, n_att = (gsize) B * NH * N * N, n_out = (gsize) B * N * C;
      g_autofree float *qkv = g_new (float, n_qkv);
      g_autofree float *att = g_new (float, n_att), *att_ref = g_new (float, n_att);
      g_autofree float *out = g_new (float, n_out), *out_ref = g_new (float, n_out);
      for (gsize i = 0; i < n_qkv; i++)   /* scores of a few units: peaked, not uniform rows */
        qkv[i] = (float) (1.5 * vita_rng_normal (&rng));
      vita_attention_forward_ref (out_ref, att_ref, qkv, B, N, C, NH);
      for (int isa = 2; isa >= 0; isa--)   /* as far as the CPU goes */
        {
          static const char *const names[] = { "baseline", "AVX2", "AVX-512" };
          g_test_message ("B %d N %d C %d NH %d, %s build (or the best below)", B, N, C, NH, names[isa]);
          memset (att, 0xff, n_att * sizeof (float));   /* NaN: every element must be written */
          memset (out, 0xff, n_out * sizeof (float));
          vita_kernels_limit_isa (isa);
          vita_attention_forward (out, att, qkv, B, N, C, NH);
          vita_kernels_limit_isa (2);
          vita_test_assert_close ("fused attention: probabilities", att, att_ref, n_att, 1e-6);
          vita_test_assert_close ("fused attention: att @ v", out, out_ref, n_out, 1e-5);
        }
    }
}

/* The analysis kernels against their plain twins, AVX2 and baseline builds, on
 * lengths with and without an 8-float tail: the finiteness check finds a NaN or an
 * infinity anywhere (also in the tail, also beside huge finite values); the column
 * sums are bit-identical to the plain loop (the analysis's received attention must
 * not depend on the build); unit rows agree to float rounding, a zero row adds 0. */
static void
test_analysis_kernels_vs_ref (void)
{
  static const int lengths[] = { 1, 5, 8, 13, 63, 192, 1001 };
  VitaRng rng;
  vita_rng_seed (&rng, 31);
  enum { MAXN = 1001, ROWS = 127, STRIDE = 1013 };
  g_autofree float *x = g_new (float, (gsize) ROWS * STRIDE);
  for (gsize i = 0; i < (gsize) ROWS * STRIDE; i++)
    x[i] = (float) vita_rng_normal (&rng);
  float *acc = g_new (float, MAXN), *want = g_new (float, MAXN);
  for (int isa = 1; isa >= 0; isa--)
    {
      vita_kernels_limit_isa (isa);
      for (gsize li = 0; li < G_N_ELEMENTS (lengths); li++)
        {
          const int n = lengths[li];
          g_test_message ("n %d, %s build (or the best below)", n, isa ? "AVX2" : "baseline");
          g_autofree float *v = g_memdup2 (x, (gsize) n * sizeof (float));
          v[0] = 3e38f;   /* finite, however large */
          g_assert_true (vita_all_finite (v, n));
          g_assert_true (vita_all_finite_ref (v, n));
          const float bad[] = { NAN, INFINITY, -INFINITY };
          for (gsize b = 0; b < G_N_ELEMENTS (bad); b++)
            for (int at = 0; at < n; at += MAX (1, n / 5))
              {
                float keep = v[at];
                v[at] = bad[b];
                g_assert_false (vita_all_finite (v, n));
                g_assert_false (vita_all_finite_ref (v, n));
                v[at] = keep;
                v[n - 1] = bad[b];   /* the last one, in the tail when there is one */
                g_assert_false (vita_all_finite (v, n));
                v[n - 1] = x[n - 1];
              }
          g_assert_true (vita_all_finite (v, 0));

          for (int rows = 0; rows <= ROWS; rows += rows < 3 ? 1 : 31)
            {
              for (int k = 0; k < n; k++)
                acc[k] = want[k] = 0.25f * k;
              vita_column_sums (acc, x + 3, rows, STRIDE, n);
              vita_column_sums_ref (want, x + 3, rows, STRIDE, n);
              g_assert_cmpmem (acc, n * sizeof (float), want, n * sizeof (float));
            }

          for (int k = 0; k < n; k++)
            acc[k] = want[k] = 0.5f - 0.01f * k;
          vita_add_unit_row (acc, x + 7, n);
          vita_add_unit_row_ref (want, x + 7, n);
          vita_test_assert_close_rel ("unit row", acc, want, n, 3e-7);
          double norm = 0;
          for (int k = 0; k < n; k++)
            norm += (double) (acc[k] - (0.5f - 0.01f * k)) * (acc[k] - (0.5f - 0.01f * k));
          g_assert_cmpfloat_with_epsilon (norm, 1.0, 1e-5);
          memset (v, 0, (gsize) n * sizeof (float));
          memcpy (want, acc, (gsize) n * sizeof (float));
          vita_add_unit_row (acc, v, n);
          g_assert_cmpmem (acc, n * sizeof (float), want, n * sizeof (float));
        }
    }
  vita_kernels_limit_isa (2);
  g_free (acc);
  g_free (want);
}

/* Bias and residual in one pass: the same bits as its plain twin, AVX2 and baseline,
 * with and without an 8-float tail. */
static void
test_bias_residual_vs_ref (void)
{
  static const int widths[] = { 1, 7, 16, 192, 203 };
  VitaRng rng;
  vita_rng_seed (&rng, 32);
  enum { ROWS = 5, MAXC = 203 };
  float out[ROWS * MAXC], want[ROWS * MAXC], res[ROWS * MAXC], bias[MAXC];
  for (int isa = 1; isa >= 0; isa--)
    for (gsize w = 0; w < G_N_ELEMENTS (widths); w++)
      {
        const int C = widths[w];
        for (int i = 0; i < ROWS * C; i++)
          {
            out[i] = want[i] = (float) (3 * vita_rng_normal (&rng));
            res[i] = (float) (50 * vita_rng_normal (&rng));
          }
        for (int c = 0; c < C; c++)
          bias[c] = (float) vita_rng_normal (&rng);
        vita_kernels_limit_isa (isa);
        vita_bias_residual_forward (out, bias, res, ROWS, C);
        vita_kernels_limit_isa (2);
        vita_bias_residual_forward_ref (want, bias, res, ROWS, C);
        g_assert_cmpmem (out, ROWS * C * sizeof (float), want, ROWS * C * sizeof (float));
        g_assert_cmpfloat (want[ROWS * C - 1], !=, 0.0f);
      }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  for (gsize i = 0; i < G_N_ELEMENTS (golden_configs); i++)
    {
      const GoldenConfig *g = &golden_configs[i];
      g_autofree char *p1 = g_strdup_printf ("/vit/golden/%s", g->name);
      g_autofree char *p2 = g_strdup_printf ("/vit/cls-rule/%s", g->name);
      g_autofree char *p3 = g_strdup_printf ("/vit/batch-and-state/%s", g->name);
      g_test_add_data_func (p1, g, test_golden);
      g_test_add_data_func (p2, g, test_cls_rule);
      g_test_add_data_func (p3, g, test_batch_and_state);
    }
  g_test_add_func ("/vit/fast-vs-ref-long", test_fast_vs_ref_long);
  g_test_add_func ("/vit/nan-propagates", test_nan_propagates);
  g_test_add_func ("/vit/attention-fused-vs-ref", test_attention_fused_vs_ref);
  g_test_add_func ("/vit/gelu-softmax-accuracy", test_gelu_softmax_accuracy);
  g_test_add_func ("/vit/analysis-kernels-vs-ref", test_analysis_kernels_vs_ref);
  g_test_add_func ("/vit/bias-residual-vs-ref", test_bias_residual_vs_ref);
  return g_test_run ();
}
