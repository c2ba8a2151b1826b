/* test-backward.c — the ViT-1D backward pass and 10 AdamW steps against PyTorch
 * autograd (tests/make_golden_train.py: an independent PyTorch ViT-1D in float64). */
#include "vita-test.h"
#include "model/train/vita-train.h"

#include <math.h>
#include <string.h>

static const char *param_names[VITA_VIT_N_PARAM_TENSORS] = {
  "patch_w", "patch_b", "cls_token", "pos_embed", "ln1w", "ln1b", "qkvw", "qkvb",
  "projw", "projb", "ln2w", "ln2b", "fc1w", "fc1b", "fc2w", "fc2b", "lnfw", "lnfb",
  "head_fc1w", "head_fc1b", "head_fc2w", "head_fc2b",
};

static VitaVit *
load_model (const char *tag, int *B_out, float **input_out, gsize *n_steps)
{
  g_autofree char *cn = g_strdup_printf ("train/%s_config.npy", tag);
  g_autofree char *pn = g_strdup_printf ("train/%s_params.npy", tag);
  g_autofree char *in = g_strdup_printf ("train/%s_input.npy", tag);
  g_autofree float *c = vita_test_load_npy (cn, NULL, NULL, NULL);
  VitaVitConfig cfg;
  g_assert_true (vita_vit_config_init_preset (&cfg, "test", NULL));
  cfg.fe.n_mels = c[0];
  cfg.frames = c[1];
  cfg.dim = c[2];
  cfg.depth = c[3];
  cfg.heads = c[4];
  cfg.mlp_dim = c[5];
  cfg.proj_dim = c[6];
  cfg.temperature = c[7];
  *B_out = c[8];
  g_autoptr(GError) error = NULL;
  g_assert_true (vita_vit_config_validate (&cfg, &error));
  VitaVit *vit = vita_vit_new (&cfg);
  gsize n;
  g_autofree float *params = vita_test_load_npy (pn, NULL, NULL, &n);
  g_assert_cmpuint (n, ==, vit->num_params);
  memcpy (vit->memory, params, n * sizeof (float));
  gsize shape[VITA_NPY_MAX_DIMS];
  *input_out = vita_test_load_npy (in, NULL, shape, NULL);
  *n_steps = shape[0];
  g_assert_cmpuint (shape[1], ==, *B_out);
  return vit;
}

static void
check_gradients_mode (const char *tag, gboolean train_forward)
{
  int B;
  gsize steps;
  g_autofree float *input = NULL;
  g_autoptr(VitaVit) vit = load_model (tag, &B, &input, &steps);
  const VitaVitConfig *cfg = &vit->cfg;
  g_autoptr(VitaVitState) state = vita_vit_state_new (cfg, B, TRUE);
  g_autoptr(VitaVitGrads) g = vita_vit_grads_new (cfg, B);
  g_autoptr(VitaNtxent) nt = vita_ntxent_new (B, cfg->proj_dim);

  /* the analysis forward, or the training forward (last block on class rows only) */
  if (train_forward)
    vita_vit_forward_train (vit, state, input, B);
  else
    vita_vit_forward (vit, state, input, B);
  g_autofree char *zn = g_strdup_printf ("train/%s_z.npy", tag);
  g_autofree float *z_want = vita_test_load_npy (zn, NULL, NULL, NULL);
  vita_test_assert_close_rel ("projection z", state->acts.z, z_want, (gsize) B * cfg->proj_dim, 1e-5);

  float acc;
  float loss = vita_ntxent_forward (nt, state->acts.z, B, cfg->temperature, &acc);
  g_autofree char *ln = g_strdup_printf ("train/%s_loss.npy", tag);
  g_autofree float *loss_want = vita_test_load_npy (ln, NULL, NULL, NULL);
  g_test_message ("%s: loss %.7g (torch %.7g), accuracy %g", tag, loss, loss_want[0], acc);
  g_assert_cmpfloat (fabs (loss - loss_want[0]), <=, 1e-5 * fmax (1, loss_want[0]));
  g_assert_cmpfloat (acc, ==, loss_want[1]);

  vita_vit_grads_zero (g);
  vita_ntxent_backward (nt, g->dz, B, cfg->temperature, 1.0f);
  vita_vit_backward (vit, state, g, input, B);

  g_autofree char *gn = g_strdup_printf ("train/%s_grads.npy", tag);
  gsize n;
  g_autofree float *grads_want = vita_test_load_npy (gn, NULL, NULL, &n);
  g_assert_cmpuint (n, ==, g->num_params);
  gsize off = 0;
  double worst_rel = 0;
  for (int k = 0; k < VITA_VIT_N_PARAM_TENSORS; k++)
    {
      gsize len = vit->sizes[k];
      double scale = 0;
      for (gsize i = 0; i < len; i++)
        scale = fmax (scale, fabs (grads_want[off + i]));
      g_assert_cmpfloat (scale, >, 0);  /* every tensor receives a gradient */
      gsize at;
      double diff = vita_test_max_abs_diff (g->memory + off, grads_want + off, len, &at);
      double rel = diff / scale;
      worst_rel = fmax (worst_rel, rel);
      g_test_message ("%s d%-10s max |diff| %.3g, relative to max |grad| %.3g: %.2g",
                      tag, param_names[k], diff, scale, rel);
      if (!(rel <= 1e-4))
        g_error ("%s: gradient of %s off by %.3g relative (index %" G_GSIZE_FORMAT ": got %.8g, want %.8g)",
                 tag, param_names[k], rel, at, g->memory[off + at], grads_want[off + at]);
      off += len;
    }
  g_test_message ("%s (%s forward): worst relative gradient error %.3g", tag,
                  train_forward ? "training" : "analysis", worst_rel);
}

static void
check_gradients (gconstpointer data)
{
  check_gradients_mode (data, FALSE);
  check_gradients_mode (data, TRUE);
}

static void
check_adamw_steps_workers (const char *tag, int workers)
{
  int B;
  gsize steps;
  g_autofree float *input = NULL;
  g_autoptr(VitaVit) vit = load_model (tag, &B, &input, &steps);
  const VitaVitConfig *cfg = &vit->cfg;
  g_autoptr(VitaVitState) state = vita_vit_state_new (cfg, B, TRUE);
  g_autoptr(VitaVitGrads) g = vita_vit_grads_new (cfg, B);
  g_autoptr(VitaNtxent) nt = vita_ntxent_new (B, cfg->proj_dim);
  g_autofree float *m = g_new0 (float, vit->num_params);
  g_autofree float *v = g_new0 (float, vit->num_params);
  VitaSchedule s;
  vita_schedule_init_default (&s, steps);
  s.lr = 1e-3f;
  s.lr_min = 1e-5f;
  s.warmup_steps = 3;
  s.total_steps = steps;
  s.clip_norm = 1.0f;

  g_autofree char *ln = g_strdup_printf ("train/%s_losses.npy", tag);
  g_autofree float *losses_want = vita_test_load_npy (ln, NULL, NULL, NULL);
  const gsize in_size = (gsize) B * cfg->frames * cfg->fe.n_mels;
  float losses[64];
  g_assert_cmpuint (steps, <=, 64);
  g_autoptr(VitaTrainStep) ts = vita_train_step_new (cfg, B, MAX (workers, 1));
  for (gsize step = 0; step < steps; step++)
    losses[step] = workers == 0
                     ? vita_vit_train_step (vit, state, g, nt, m, v, &s, step,
                                            input + step * in_size, B, NULL, NULL)
                     : vita_train_step_run (ts, vit, m, v, &s, step, input + step * in_size, NULL, NULL);
  g_test_message ("%s, %d workers", tag, workers);
  for (gsize step = 0; step < steps; step++)
    g_test_message ("%s step %" G_GSIZE_FORMAT ": loss %.7g (torch %.7g)", tag, step, losses[step], losses_want[step]);
  vita_test_assert_close_rel ("losses of 10 AdamW steps", losses, losses_want, steps, 1e-5);
  g_autofree char *pn = g_strdup_printf ("train/%s_params_after.npy", tag);
  g_autofree float *after = vita_test_load_npy (pn, NULL, NULL, NULL);
  /* The key bias has an exactly zero gradient (adding b_k to every key adds q·b_k to
   * a whole softmax row), so both sides hold rounding noise there and Adam, which
   * normalises by sqrt(v), turns that noise into ±lr steps: compare it to lr·steps. */
  gsize off_qkvb = 0;
  for (int k = 0; k < 7; k++)
    off_qkvb += vit->sizes[k];
  const int D = cfg->dim;
  for (int l = 0; l < cfg->depth; l++)
    for (int i = D; i < 2 * D; i++)
      {
        gsize at = off_qkvb + (gsize) l * 3 * D + i;
        g_assert_cmpfloat (fabs (vit->memory[at] - after[at]), <=, 2.0 * s.lr * steps);
        vit->memory[at] = after[at];
      }
  vita_test_assert_close ("parameters after 10 AdamW steps", vit->memory, after, vit->num_params, 1e-4);
}

static void
check_adamw_steps (gconstpointer data)
{
  check_adamw_steps_workers (data, 0);  /* vita_vit_train_step */
  check_adamw_steps_workers (data, 1);  /* the worker step, one thread */
  check_adamw_steps_workers (data, 3);  /* three threads, uneven shares of the windows */
}

/* The vectorised GELU backward (rational erf, polynomial exp) against libm in double. */
static void
test_gelu_backward (void)
{
  const gsize n = 4003;  /* not a multiple of 8: the scalar tail runs too */
  g_autofree float *x = g_new (float, n);
  g_autofree float *dout = g_new (float, n);
  g_autofree float *got = g_new (float, n);
  g_autofree float *want = g_new (float, n);
  for (gsize i = 0; i < n; i++)
    {
      x[i] = -10.0f + 20.0f * i / (n - 1);
      dout[i] = 1.0f + 0.001f * (i % 7);
    }
  vita_gelu_backward (got, x, dout, n);
  vita_gelu_backward_ref (want, x, dout, n);
  vita_test_assert_close ("GELU backward vs libm", got, want, n, 2e-6);
  /* in place */
  memcpy (got, dout, n * sizeof (float));
  vita_gelu_backward (got, x, got, n);
  vita_test_assert_close ("GELU backward in place", got, want, n, 2e-6);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/train/backward/gelu", test_gelu_backward);
  g_test_add_data_func ("/train/backward/test-preset", "vit_test", check_gradients);
  g_test_add_data_func ("/train/backward/non-square", "vit_odd", check_gradients);
  g_test_add_data_func ("/train/adamw-steps/test-preset", "vit_test", check_adamw_steps);
  g_test_add_data_func ("/train/adamw-steps/non-square", "vit_odd", check_adamw_steps);
  return g_test_run ();
}
