/* vita-rng.h — a small deterministic RNG (xoshiro256**, seeded with splitmix64),
 * identical on every platform, whose whole state can be saved in a checkpoint.
 * Reference: Blackman & Vigna, https://prng.di.unimi.it/xoshiro256starstar.c */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct {
  guint64 s[4];
} VitaRng;

void    vita_rng_seed    (VitaRng *rng, guint64 seed);
guint64 vita_rng_next    (VitaRng *rng);
/* Uniform in [0, 1) with 24 random bits (float) / 53 bits (double). */
float   vita_rng_uniform (VitaRng *rng);
double  vita_rng_uniform_double (VitaRng *rng);
/* Uniform integer in [0, n), n > 0, without modulo bias. */
guint64 vita_rng_below   (VitaRng *rng, guint64 n);
/* Standard normal (Box–Muller, double precision). */
double  vita_rng_normal  (VitaRng *rng);
/* Normal(0, std) truncated to [-2 std, 2 std] by rejection (timm trunc_normal_ with a=-2std, b=2std). */
float   vita_rng_trunc_normal (VitaRng *rng, float std);
/* State as 64 hex characters + NUL, and back (checkpoints). */
void     vita_rng_to_string   (const VitaRng *rng, char out[65]);
gboolean vita_rng_from_string (VitaRng *rng, const char *str);

G_END_DECLS
