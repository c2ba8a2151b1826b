/* test-ntxent.c — NT-Xent and AdamW against PyTorch (tests/make_golden_train.py),
 * NT-Xent's gradient against central finite differences, the schedules. */
#include "vita-test.h"
#include "model/train/vita-train.h"

#include <math.h>

static void
check_ntxent (const char *name)
{
  g_autofree char *zn = g_strdup_printf ("train/%s_z.npy", name);
  g_autofree char *ln = g_strdup_printf ("train/%s_loss.npy", name);
  g_autofree char *dn = g_strdup_printf ("train/%s_dz.npy", name);
  gsize shape[VITA_NPY_MAX_DIMS];
  g_autofree float *z = vita_test_load_npy (zn, NULL, shape, NULL);
  g_autofree float *want = vita_test_load_npy (ln, NULL, NULL, NULL);
  g_autofree float *dz_want = vita_test_load_npy (dn, NULL, NULL, NULL);
  int B = shape[0], P = shape[1];
  float tau = want[2];

  g_autoptr(VitaNtxent) nt = vita_ntxent_new (B, P);
  float acc;
  float loss = vita_ntxent_forward (nt, z, B, tau, &acc);
  g_test_message ("%s: loss %.7g (torch %.7g), accuracy %g (torch %g)", name, loss, want[0], acc, want[1]);
  g_assert_cmpfloat (fabs (loss - want[0]), <=, 1e-5 * fmax (1, fabs (want[0])));
  g_assert_cmpfloat (acc, ==, want[1]);

  g_autofree float *dz = g_new0 (float, B * P);
  /* backward accumulates: start from 1 and subtract it afterwards */
  for (int i = 0; i < B * P; i++)
    dz[i] = 1.0f;
  vita_ntxent_backward (nt, dz, B, tau, 1.0f);
  for (int i = 0; i < B * P; i++)
    dz[i] -= 1.0f;
  vita_test_assert_close_rel ("NT-Xent dz vs torch", dz, dz_want, B * P, 1e-5);

  double acc_ref;
  double loss_ref = vita_ntxent_loss_ref (z, B, P, tau, &acc_ref);
  g_assert_cmpfloat (fabs (loss_ref - want[0]), <=, 1e-6);
  g_assert_cmpfloat (fabs (acc_ref - want[1]), <=, 1e-6);
}

static void
test_ntxent_golden (void)
{
  check_ntxent ("ntxent_a");
  check_ntxent ("ntxent_b");
}

/* Central finite differences of the double-precision reference loss vs backward. */
static void
test_ntxent_finite_differences (void)
{
  const int B = 6, P = 4;
  const float tau = 0.2f;
  float z[6 * 4];
  for (int i = 0; i < B * P; i++)
    z[i] = (float) sin (1.3 * i + 0.7) * (1 + i % 3);
  g_autoptr(VitaNtxent) nt = vita_ntxent_new (B, P);
  vita_ntxent_forward (nt, z, B, tau, NULL);
  float dz[6 * 4] = { 0 };
  vita_ntxent_backward (nt, dz, B, tau, 1.0f);
  double worst = 0;
  for (int i = 0; i < B * P; i++)
    {
      const float h = 1e-3f;
      float save = z[i];
      z[i] = save + h;
      double lp = vita_ntxent_loss_ref (z, B, P, tau, NULL);
      z[i] = save - h;
      double lm = vita_ntxent_loss_ref (z, B, P, tau, NULL);
      z[i] = save;
      double fd = (lp - lm) / ((double) (save + h) - (double) (save - h));
      worst = fmax (worst, fabs (fd - dz[i]));
      if (!(fabs (fd - dz[i]) <= 1e-4 + 1e-3 * fabs (fd)))
        g_error ("NT-Xent dz[%d] = %.8g, finite differences %.8g", i, dz[i], fd);
    }
  g_test_message ("NT-Xent vs finite differences: max abs diff %.3g", worst);
}

static void
test_adamw_golden (void)
{
  gsize n, shape[VITA_NPY_MAX_DIMS];
  g_autofree float *p = vita_test_load_npy ("train/adamw_p0.npy", NULL, NULL, &n);
  g_autofree float *grads = vita_test_load_npy ("train/adamw_grads.npy", NULL, shape, NULL);
  g_autofree float *p10 = vita_test_load_npy ("train/adamw_p10.npy", NULL, NULL, NULL);
  g_autofree float *m10 = vita_test_load_npy ("train/adamw_m10.npy", NULL, NULL, NULL);
  g_autofree float *v10 = vita_test_load_npy ("train/adamw_v10.npy", NULL, NULL, NULL);
  g_autofree float *sched = vita_test_load_npy ("train/schedule.npy", NULL, NULL, NULL);
  g_assert_cmpuint (n, ==, 35);
  VitaSchedule s;
  vita_schedule_init_default (&s, 10);
  s.lr = 1e-2f;
  s.lr_min = 1e-4f;
  s.warmup_steps = 3;
  s.total_steps = 10;
  for (int k = 0; k < 12; k++)
    {
      g_assert_cmpfloat (fabs (vita_schedule_lr (&s, k) - sched[2 * k]), <=, 1e-7 * sched[2 * k]);
      g_assert_cmpfloat (fabs (vita_schedule_wd (&s, k) - sched[2 * k + 1]), <=, 1e-7 * sched[2 * k + 1]);
    }
  float m[35] = { 0 }, v[35] = { 0 };
  for (int step = 0; step < 10; step++)
    {
      float lr = vita_schedule_lr (&s, step), wd = vita_schedule_wd (&s, step);
      const float *g = grads + step * 35;
      vita_adamw_update (p, g, m, v, 30, lr, s.beta1, s.beta2, s.eps, wd, step + 1);
      vita_adamw_update (p + 30, g + 30, m + 30, v + 30, 5, lr, s.beta1, s.beta2, s.eps, 0, step + 1);
    }
  vita_test_assert_close ("AdamW params after 10 steps", p, p10, 35, 1e-6);
  vita_test_assert_close ("AdamW m after 10 steps", m, m10, 35, 1e-6);
  vita_test_assert_close_rel ("AdamW v after 10 steps", v, v10, 35, 1e-6);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/train/ntxent/golden", test_ntxent_golden);
  g_test_add_func ("/train/ntxent/finite-differences", test_ntxent_finite_differences);
  g_test_add_func ("/train/adamw/golden", test_adamw_golden);
  return g_test_run ();
}
