/* vita-rng.c — xoshiro256** seeded by splitmix64. */
#include "vita-rng.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static guint64
splitmix64 (guint64 *x)
{
  guint64 z = (*x += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

void
vita_rng_seed (VitaRng *rng, guint64 seed)
{
  guint64 x = seed;
  for (int i = 0; i < 4; i++)
    rng->s[i] = splitmix64 (&x);
}

static inline guint64
rotl (guint64 x, int k)
{
  return (x << k) | (x >> (64 - k));
}

guint64
vita_rng_next (VitaRng *rng)
{
  guint64 *s = rng->s;
  guint64 result = rotl (s[1] * 5, 7) * 9;
  guint64 t = s[1] << 17;
  s[2] ^= s[0];
  s[3] ^= s[1];
  s[1] ^= s[2];
  s[0] ^= s[3];
  s[2] ^= t;
  s[3] = rotl (s[3], 45);
  return result;
}

float
vita_rng_uniform (VitaRng *rng)
{
  return (float) (vita_rng_next (rng) >> 40) * (1.0f / 16777216.0f);
}

double
vita_rng_uniform_double (VitaRng *rng)
{
  return (double) (vita_rng_next (rng) >> 11) * (1.0 / 9007199254740992.0);
}

guint64
vita_rng_below (VitaRng *rng, guint64 n)
{
  g_return_val_if_fail (n > 0, 0);
  guint64 limit = G_MAXUINT64 - G_MAXUINT64 % n;
  guint64 x;
  do
    x = vita_rng_next (rng);
  while (x >= limit);
  return x % n;
}

double
vita_rng_normal (VitaRng *rng)
{
  double u1, u2;
  do
    u1 = vita_rng_uniform_double (rng);
  while (u1 <= 0.0);
  u2 = vita_rng_uniform_double (rng);
  return sqrt (-2.0 * log (u1)) * cos (2.0 * G_PI * u2);
}

float
vita_rng_trunc_normal (VitaRng *rng, float std)
{
  for (;;)
    {
      double z = vita_rng_normal (rng);
      if (z >= -2.0 && z <= 2.0)
        return (float) (z * std);
    }
}

void
vita_rng_to_string (const VitaRng *rng, char out[65])
{
  for (int i = 0; i < 4; i++)
    snprintf (out + 16 * i, 17, "%016" G_GINT64_MODIFIER "x", rng->s[i]);
}

gboolean
vita_rng_from_string (VitaRng *rng, const char *str)
{
  if (str == NULL || strlen (str) != 64)
    return FALSE;
  VitaRng r;
  for (int i = 0; i < 4; i++)
    {
      char part[17];
      memcpy (part, str + 16 * i, 16);
      part[16] = 0;
      for (int j = 0; j < 16; j++)
        if (!g_ascii_isxdigit (part[j]))
          return FALSE;
      r.s[i] = g_ascii_strtoull (part, NULL, 16);
    }
  if ((r.s[0] | r.s[1] | r.s[2] | r.s[3]) == 0)
    return FALSE;  /* the all-zero state is a fixed point */
  *rng = r;
  return TRUE;
}
