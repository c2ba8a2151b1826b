/* vita-vit-params.c — ViT-1D configurations, parameter layout, construction.
 * Forward/backward kernels live in vita-vit.c / vita-vit-backward.c; file I/O in
 * vita-vit-io.c. */
#include "vita-vit.h"
#include "vita-rng.h"

#include <math.h>
#include <string.h>

void
vita_vit_config_init_tiny (VitaVitConfig *cfg)
{
  memset (cfg, 0, sizeof *cfg);
  vita_frontend_init_default (&cfg->fe);
  cfg->frames = 126;
  cfg->dim = 192;
  cfg->depth = 12;
  cfg->heads = 3;
  cfg->mlp_dim = 768;
  cfg->proj_dim = 128;
  cfg->norm_eps = 1e-6f;
  cfg->temperature = 0.1f;
}

typedef struct {
  const char *name;
  const char *description;
  int dim, depth, heads, mlp_dim, frames, n_mels, proj_dim;
} Preset;

static const Preset presets[] = {
  { "tiny",     "the paper's ViT-Tiny: d 192, 12 layers, 3 heads, MLP 768 (~5.5 M parameters)",
    192, 12, 3, 768, 126, 128, 128 },
  { "small-4l", "d 128, 4 layers, 4 heads, MLP 512: learns on 2 CPU cores in minutes (training-notes.md)",
    128, 4, 4, 512, 126, 128, 128 },
  { "test",     "d 16, 2 layers, 2 heads, MLP 32, 8 frames, 16 mel bands: for unit tests",
    16, 2, 2, 32, 8, 16, 8 },
};

gboolean
vita_vit_config_init_preset (VitaVitConfig *cfg, const char *name, GError **error)
{
  for (gsize i = 0; i < G_N_ELEMENTS (presets); i++)
    if (g_strcmp0 (presets[i].name, name) == 0)
      {
        const Preset *p = &presets[i];
        vita_vit_config_init_tiny (cfg);
        cfg->dim = p->dim;
        cfg->depth = p->depth;
        cfg->heads = p->heads;
        cfg->mlp_dim = p->mlp_dim;
        cfg->frames = p->frames;
        cfg->fe.n_mels = p->n_mels;
        cfg->proj_dim = p->proj_dim;
        return TRUE;
      }
  g_autoptr(GString) names = g_string_new (NULL);
  for (gsize i = 0; i < G_N_ELEMENTS (presets); i++)
    g_string_append_printf (names, "%s%s", i ? ", " : "", presets[i].name);
  g_set_error (error, VITA_MODEL_ERROR, VITA_MODEL_ERROR_METADATA,
               "Unknown model configuration '%s' (known: %s)", name ? name : "(null)", names->str);
  return FALSE;
}

gboolean
vita_vit_config_validate (const VitaVitConfig *cfg, GError **error)
{
#define BAD(...) G_STMT_START { \
    g_set_error (error, VITA_MODEL_ERROR, VITA_MODEL_ERROR_METADATA, __VA_ARGS__); \
    return FALSE; } G_STMT_END
  if (cfg->dim < 1 || cfg->dim > 8192)
    BAD ("dim %d is out of range (1–8192)", cfg->dim);
  if (cfg->depth < 1 || cfg->depth > 256)
    BAD ("depth %d is out of range (1–256)", cfg->depth);
  if (cfg->heads < 1 || cfg->heads > cfg->dim || cfg->dim % cfg->heads != 0)
    BAD ("heads %d must divide dim %d", cfg->heads, cfg->dim);
  if (cfg->mlp_dim < 1 || cfg->mlp_dim > 65536)
    BAD ("mlp_dim %d is out of range (1–65536)", cfg->mlp_dim);
  if (cfg->frames < 1 || cfg->frames > 100000)
    BAD ("frames %d is out of range (1–100000)", cfg->frames);
  if (cfg->proj_dim < 0 || cfg->proj_dim > 65536)
    BAD ("proj_dim %d is out of range (0–65536)", cfg->proj_dim);
  if (!(cfg->norm_eps > 0 && cfg->norm_eps < 1))
    BAD ("norm_eps %g must be between 0 and 1", cfg->norm_eps);
  if (!(cfg->temperature > 0 && cfg->temperature <= 100))
    BAD ("temperature %g must be between 0 and 100", cfg->temperature);
  /* the whole parameter count must fit comfortably */
  guint64 n = (guint64) cfg->dim * (guint64) cfg->mlp_dim * 2 + 4ULL * cfg->dim * cfg->dim;
  if (n * (guint64) cfg->depth > 2000000000ULL)
    BAD ("model of dim %d, depth %d, mlp_dim %d is too large", cfg->dim, cfg->depth, cfg->mlp_dim);
#undef BAD
  GError *fe_error = NULL;
  if (!vita_frontend_validate (&cfg->fe, &fe_error))
    {
      g_set_error (error, VITA_MODEL_ERROR, VITA_MODEL_ERROR_METADATA,
                   "front-end: %s", fe_error->message);
      g_error_free (fe_error);
      return FALSE;
    }
  return TRUE;
}

void
vita_vit_param_sizes (const VitaVitConfig *cfg, gsize sizes[VITA_VIT_N_PARAM_TENSORS])
{
  gsize M = cfg->fe.n_mels, D = cfg->dim, L = cfg->depth, N = cfg->frames + 1;
  gsize H4 = cfg->mlp_dim, P = cfg->proj_dim;
  gboolean head = P > 0;
  gsize s[VITA_VIT_N_PARAM_TENSORS] = {
    D * M,          /* patch_w */
    D,              /* patch_b */
    D,              /* cls_token */
    N * D,          /* pos_embed */
    L * D,          /* ln1w */
    L * D,          /* ln1b */
    L * 3 * D * D,  /* qkvw */
    L * 3 * D,      /* qkvb */
    L * D * D,      /* projw */
    L * D,          /* projb */
    L * D,          /* ln2w */
    L * D,          /* ln2b */
    L * H4 * D,     /* fc1w */
    L * H4,         /* fc1b */
    L * D * H4,     /* fc2w */
    L * D,          /* fc2b */
    D,              /* lnfw */
    D,              /* lnfb */
    head ? D * D : 0,  /* head_fc1w */
    head ? D : 0,      /* head_fc1b */
    head ? P * D : 0,  /* head_fc2w */
    head ? P : 0,      /* head_fc2b */
  };
  memcpy (sizes, s, sizeof s);
}

void
vita_vit_params_point (VitaVitParams *params, const VitaVitConfig *cfg, float *memory)
{
  gsize sizes[VITA_VIT_N_PARAM_TENSORS];
  vita_vit_param_sizes (cfg, sizes);
  float **ptrs[VITA_VIT_N_PARAM_TENSORS] = {
    &params->patch_w, &params->patch_b, &params->cls_token, &params->pos_embed,
    &params->ln1w, &params->ln1b, &params->qkvw, &params->qkvb,
    &params->projw, &params->projb, &params->ln2w, &params->ln2b,
    &params->fc1w, &params->fc1b, &params->fc2w, &params->fc2b,
    &params->lnfw, &params->lnfb,
    &params->head_fc1w, &params->head_fc1b, &params->head_fc2w, &params->head_fc2b,
  };
  float *p = memory;
  for (int i = 0; i < VITA_VIT_N_PARAM_TENSORS; i++)
    {
      *ptrs[i] = sizes[i] ? p : NULL;
      p += sizes[i];
    }
}

gboolean
vita_vit_param_no_decay (int index)
{
  switch (index)
    {
    case 0:  /* patch_w */
    case 6:  /* qkvw */
    case 8:  /* projw */
    case 12: /* fc1w */
    case 14: /* fc2w */
    case 18: /* head_fc1w */
    case 20: /* head_fc2w */
      return FALSE;
    default: /* biases, norms, cls_token, pos_embed */
      return TRUE;
    }
}

VitaVit *
vita_vit_new (const VitaVitConfig *cfg)
{
  VitaVit *vit = g_new0 (VitaVit, 1);
  vit->cfg = *cfg;
  vit->ref_count = 1;
  vita_vit_param_sizes (cfg, vit->sizes);
  for (int i = 0; i < VITA_VIT_N_PARAM_TENSORS; i++)
    vit->num_params += vit->sizes[i];
  /* 64-byte aligned for the BLAS kernels */
  vit->memory = g_aligned_alloc0 (vit->num_params, sizeof (float), 64);
  vita_vit_params_point (&vit->params, cfg, vit->memory);
  vit->metadata = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  return vit;
}

static void
fill_trunc_normal (VitaRng *rng, float *p, gsize n, float std)
{
  for (gsize i = 0; i < n; i++)
    p[i] = vita_rng_trunc_normal (rng, std);
}

static void
fill_value (float *p, gsize n, float v)
{
  for (gsize i = 0; i < n; i++)
    p[i] = v;
}

VitaVit *
vita_vit_new_random (const VitaVitConfig *cfg, guint64 seed)
{
  VitaVit *vit = vita_vit_new (cfg);
  VitaVitParams *p = &vit->params;
  VitaRng rng;
  vita_rng_seed (&rng, seed);
  /* timm VisionTransformer init: trunc_normal(std=.02) for Linear weights and
   * pos_embed, normal(std=1e-6) for cls_token, zero biases, LayerNorm (1, 0). */
  fill_trunc_normal (&rng, p->patch_w, vit->sizes[0], 0.02f);
  for (gsize i = 0; i < vit->sizes[2]; i++)
    p->cls_token[i] = (float) (vita_rng_normal (&rng) * 1e-6);
  fill_trunc_normal (&rng, p->pos_embed, vit->sizes[3], 0.02f);
  fill_value (p->ln1w, vit->sizes[4], 1.0f);
  fill_trunc_normal (&rng, p->qkvw, vit->sizes[6], 0.02f);
  fill_trunc_normal (&rng, p->projw, vit->sizes[8], 0.02f);
  fill_value (p->ln2w, vit->sizes[10], 1.0f);
  fill_trunc_normal (&rng, p->fc1w, vit->sizes[12], 0.02f);
  fill_trunc_normal (&rng, p->fc2w, vit->sizes[14], 0.02f);
  fill_value (p->lnfw, vit->sizes[16], 1.0f);
  if (cfg->proj_dim > 0)
    {
      fill_trunc_normal (&rng, p->head_fc1w, vit->sizes[18], 0.02f);
      fill_trunc_normal (&rng, p->head_fc2w, vit->sizes[20], 0.02f);
    }
  g_hash_table_insert (vit->metadata, g_strdup ("created_by"),
                       g_strdup_printf ("vitascope %s (random init, seed %" G_GUINT64_FORMAT ")",
                                        VITA_VERSION, seed));
  g_hash_table_insert (vit->metadata, g_strdup ("trained_steps"), g_strdup ("0"));
  g_hash_table_insert (vit->metadata, g_strdup ("trained_pairs"), g_strdup ("0"));
  g_hash_table_insert (vit->metadata, g_strdup ("train_data"), g_strdup ("none (random initialisation)"));
  return vit;
}

VitaVit *
vita_vit_new_twin (const VitaVit *vit, guint64 seed)
{
  g_return_val_if_fail (vit != NULL, NULL);
  VitaVit *twin = vita_vit_new_random (&vit->cfg, seed);
  g_hash_table_insert (twin->metadata, g_strdup ("twin_seed"),
                       g_strdup_printf ("%" G_GUINT64_FORMAT, seed));
  if (vit->sha256[0])
    g_hash_table_insert (twin->metadata, g_strdup ("twin_of"), g_strdup (vit->sha256));
  return twin;
}

char *
vita_vit_describe (const VitaVit *vit)
{
  g_return_val_if_fail (vit != NULL, NULL);
  const char *seed = vit->metadata ? g_hash_table_lookup (vit->metadata, "twin_seed") : NULL;
  if (seed && vit->path == NULL)
    return g_strdup_printf ("random-init twin, seed %s", seed);
  if (vit->path == NULL)
    return g_strdup ("model in memory");
  g_autofree char *base = g_path_get_basename (vit->path);
  g_autofree char *disp = g_filename_display_name (base);
  const char *steps = vit->metadata ? g_hash_table_lookup (vit->metadata, "trained_steps") : NULL;
  guint64 n = 0;
  if (steps && g_ascii_string_to_unsigned (steps, 10, 1, G_MAXUINT64, &n, NULL))
    return g_strdup_printf ("%s, step %" G_GUINT64_FORMAT, disp, n);
  return g_steal_pointer (&disp);
}

VitaVit *
vita_vit_ref (VitaVit *vit)
{
  g_return_val_if_fail (vit != NULL, NULL);
  g_atomic_int_inc (&vit->ref_count);
  return vit;
}

void
vita_vit_unref (VitaVit *vit)
{
  if (vit == NULL)
    return;
  if (!g_atomic_int_dec_and_test (&vit->ref_count))
    return;
  g_aligned_free (vit->memory);
  g_clear_pointer (&vit->metadata, g_hash_table_unref);
  g_free (vit->path);
  g_free (vit);
}
