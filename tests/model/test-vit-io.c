/* test-vit-io.c — ViT-1D model files (shared/design/vit1d-format.md): round trip,
 * a file written by Python, and every refusal of reliability.md item 6 plus the
 * later-generation variants, each checked for its error code and for a message
 * naming the file and the key or tensor. */
#include "vita-test.h"
#include "model/vita-vit-io.h"

#include <math.h>
#include <string.h>

#include <glib/gstdio.h>

static char *tmp_dir;

static void
assert_same_config (const VitaVitConfig *a, const VitaVitConfig *b)
{
  g_assert_cmpint (a->fe.sample_rate, ==, b->fe.sample_rate);
  g_assert_cmpint (a->fe.n_fft, ==, b->fe.n_fft);
  g_assert_cmpint (a->fe.win_length, ==, b->fe.win_length);
  g_assert_cmpint (a->fe.hop_length, ==, b->fe.hop_length);
  g_assert_cmpint (a->fe.center, ==, b->fe.center);
  g_assert_cmpfloat (a->fe.power, ==, b->fe.power);
  g_assert_cmpint (a->fe.n_mels, ==, b->fe.n_mels);
  g_assert_cmpfloat (a->fe.f_min, ==, b->fe.f_min);
  g_assert_cmpfloat (a->fe.f_max, ==, b->fe.f_max);
  g_assert_cmpfloat (a->fe.log_offset, ==, b->fe.log_offset);
  g_assert_cmpfloat (a->fe.input_mean, ==, b->fe.input_mean);
  g_assert_cmpfloat (a->fe.input_std, ==, b->fe.input_std);
  g_assert_cmpint (a->frames, ==, b->frames);
  g_assert_cmpint (a->dim, ==, b->dim);
  g_assert_cmpint (a->depth, ==, b->depth);
  g_assert_cmpint (a->heads, ==, b->heads);
  g_assert_cmpint (a->mlp_dim, ==, b->mlp_dim);
  g_assert_cmpint (a->proj_dim, ==, b->proj_dim);
  g_assert_cmpfloat (a->norm_eps, ==, b->norm_eps);
  g_assert_cmpfloat (a->temperature, ==, b->temperature);
}

static void
assert_same_metadata (GHashTable *a, GHashTable *b)
{
  g_assert_cmpuint (g_hash_table_size (a), ==, g_hash_table_size (b));
  GHashTableIter it;
  gpointer k, v;
  g_hash_table_iter_init (&it, a);
  while (g_hash_table_iter_next (&it, &k, &v))
    g_assert_cmpstr (g_hash_table_lookup (b, k), ==, v);
}

static void
test_tensor_names (void)
{
  g_autofree char *a = vita_vit_tensor_name (6, 3);
  g_assert_cmpstr (a, ==, "blocks.3.attn.qkv.weight");
  g_autofree char *b = vita_vit_tensor_name (15, 11);
  g_assert_cmpstr (b, ==, "blocks.11.mlp.fc2.bias");
  g_autofree char *c = vita_vit_tensor_name (2, 5);
  g_assert_cmpstr (c, ==, "cls_token");
  VitaVitConfig cfg;
  vita_vit_config_init_tiny (&cfg);
  gint64 shape[VITA_TENSOR_MAX_DIMS];
  g_assert_cmpint (vita_vit_tensor_shape (&cfg, 3, shape), ==, 3);
  g_assert_cmpint (shape[1], ==, 127);
  g_assert_cmpint (vita_vit_tensor_shape (&cfg, 6, shape), ==, 2);
  g_assert_cmpint (shape[0], ==, 576);
  /* the layout's element counts agree with the shapes */
  gsize sizes[VITA_VIT_N_PARAM_TENSORS];
  vita_vit_param_sizes (&cfg, sizes);
  for (int i = 0; i < VITA_VIT_N_PARAM_TENSORS; i++)
    {
      int nd = vita_vit_tensor_shape (&cfg, i, shape);
      gsize n = vita_vit_tensor_is_per_layer (i) ? (gsize) cfg.depth : 1;
      for (int d = 0; d < nd; d++)
        n *= (gsize) shape[d];
      g_assert_cmpuint (n, ==, sizes[i]);
    }
}

static void
roundtrip_preset (const char *preset)
{
  VitaVitConfig cfg;
  g_assert_true (vita_vit_config_init_preset (&cfg, preset, NULL));
  cfg.fe.input_mean = -3.3125f;
  cfg.fe.input_std = 2.71828f;
  cfg.temperature = 0.07f;
  g_autoptr(VitaVit) vit = vita_vit_new_random (&cfg, 1234);
  g_hash_table_replace (vit->metadata, g_strdup ("train_data"),
                        g_strdup ("Wesnoth \xc3\xa9 \"quoted\"\nsecond line"));
  g_hash_table_replace (vit->metadata, g_strdup ("custom_note"), g_strdup ("kept as is"));

  g_autofree char *name = g_strdup_printf ("%s.safetensors", preset);
  g_autofree char *path = g_build_filename (tmp_dir, name, NULL);
  g_autoptr(GError) error = NULL;
  g_assert_true (vita_vit_save (vit, path, &error));
  g_assert_no_error (error);

  g_autoptr(VitaVit) back = vita_vit_load (path, &error);
  g_assert_no_error (error);
  assert_same_config (&vit->cfg, &back->cfg);
  g_assert_cmpuint (back->num_params, ==, vit->num_params);
  g_assert_cmpmem (back->memory, back->num_params * sizeof (float),
                   vit->memory, vit->num_params * sizeof (float));
  assert_same_metadata (vit->metadata, back->metadata);
  g_assert_cmpstr (back->path, ==, path);
  char sha[65];
  g_assert_true (vita_file_sha256 (path, sha, &error));
  g_assert_cmpstr (back->sha256, ==, sha);
  g_assert_cmpint (back->ref_count, ==, 1);

  /* saving what was loaded gives the same bytes */
  g_autofree char *path2 = g_strconcat (path, ".again", NULL);
  g_assert_true (vita_vit_save (back, path2, &error));
  char sha2[65];
  g_assert_true (vita_file_sha256 (path2, sha2, &error));
  g_assert_cmpstr (sha2, ==, sha);
  g_unlink (path);
  g_unlink (path2);
}

static void
test_roundtrip (void)
{
  roundtrip_preset ("test");
  roundtrip_preset ("small-4l");
  roundtrip_preset ("tiny");   /* the paper size: 22 MB, still fast */
}

static void
test_metadata_roundtrip (void)
{
  /* every key of the format document is written */
  VitaVitConfig cfg;
  vita_vit_config_init_tiny (&cfg);
  g_autoptr(GHashTable) md = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  vita_vit_config_to_metadata (&cfg, md);
  const char *keys[] = {
    "format", "format_version", "sample_rate", "n_fft", "win_length", "hop_length", "window",
    "center", "pad_mode", "power", "n_mels", "f_min", "f_max", "mel_scale", "mel_norm",
    "log_offset", "input_mean", "input_std", "frames", "dim", "depth", "heads", "mlp_dim",
    "norm_eps", "gelu", "cls_init", "pos", "proj_dim", "temperature",
  };
  for (gsize i = 0; i < G_N_ELEMENTS (keys); i++)
    {
      g_assert_nonnull (g_hash_table_lookup (md, keys[i]));
      g_assert_true (vita_vit_metadata_key_is_config (keys[i]));
    }
  g_assert_cmpuint (g_hash_table_size (md), ==, G_N_ELEMENTS (keys));
  g_assert_cmpstr (g_hash_table_lookup (md, "format"), ==, "vit1d");
  g_assert_cmpstr (g_hash_table_lookup (md, "log_offset"), ==, "1e-06");
  g_assert_cmpstr (g_hash_table_lookup (md, "norm_eps"), ==, "1e-06");
  g_assert_cmpstr (g_hash_table_lookup (md, "temperature"), ==, "0.1");
  g_assert_cmpstr (g_hash_table_lookup (md, "f_max"), ==, "8000");
  g_assert_cmpstr (g_hash_table_lookup (md, "dim"), ==, "192");
  g_assert_false (vita_vit_metadata_key_is_config ("trained_steps"));

  VitaVitConfig back;
  g_autoptr(GError) error = NULL;
  g_assert_true (vita_vit_config_from_metadata (&back, md, "m", &error));
  g_assert_no_error (error);
  assert_same_config (&cfg, &back);
}

/* Loads tests/data/safetensors/NAME through the file API. */
static VitaVit *
load_golden (const char *name)
{
  g_autofree char *rel = g_build_filename ("safetensors", name, NULL);
  g_autofree char *path = vita_test_data_path (rel);
  g_autoptr(GError) error = NULL;
  VitaVit *vit = vita_vit_load (path, &error);
  g_assert_no_error (error);
  return vit;
}

static void
test_golden_python (void)
{
  /* written by tests/make_golden_safetensors.py in safetensors.torch.save_file's
   * layout, with the metadata as Python's str() writes it ("2.0", "1e-06") */
  g_autoptr(VitaVit) f32 = load_golden ("vit-test-f32.safetensors");
  g_autoptr(VitaVit) mixed = load_golden ("vit-test-mixed.safetensors");
  VitaVitConfig want;
  g_assert_true (vita_vit_config_init_preset (&want, "test", NULL));
  want.fe.input_mean = -4.25f;
  want.fe.input_std = 2.5f;
  assert_same_config (&f32->cfg, &want);
  assert_same_config (&mixed->cfg, &want);
  /* F16 / BF16 tensors widen to exactly the F32 file's values */
  g_assert_cmpmem (mixed->memory, mixed->num_params * sizeof (float),
                   f32->memory, f32->num_params * sizeof (float));
  g_assert_cmpstr (g_hash_table_lookup (f32->metadata, "created_by"), ==,
                   "tests/make_golden_safetensors.py (numpy)");
  g_assert_cmpstr (g_hash_table_lookup (f32->metadata, "trained_steps"), ==, "0");
  g_assert_null (g_hash_table_lookup (f32->metadata, "dim"));
  g_assert_cmpstr (f32->sha256, !=, mixed->sha256);
  g_assert_cmpuint (strlen (f32->sha256), ==, 64);

  /* blocks.{i}.* are stacked per layer: compare against the raw tensors */
  g_autofree char *path = vita_test_data_path ("safetensors/vit-test-f32.safetensors");
  g_autoptr(VitaSafetensors) st = vita_safetensors_load (path, NULL);
  const VitaTensor *qkv1 = vita_safetensors_lookup (st, "blocks.1.attn.qkv.weight");
  gsize per = 3 * 16 * 16;
  g_assert_cmpmem (f32->params.qkvw + per, per * 4, qkv1->data, per * 4);
  const VitaTensor *fc2b0 = vita_safetensors_lookup (st, "blocks.0.mlp.fc2.bias");
  g_assert_cmpmem (f32->params.fc2b, 16 * 4, fc2b0->data, 16 * 4);
  const VitaTensor *pos = vita_safetensors_lookup (st, "pos_embed");
  g_assert_cmpmem (f32->params.pos_embed, 9 * 16 * 4, pos->data, 9 * 16 * 4);
  const VitaTensor *h2 = vita_safetensors_lookup (st, "head.fc2.weight");
  g_assert_cmpmem (f32->params.head_fc2w, 8 * 16 * 4, h2->data, 8 * 16 * 4);
}

/* ---- helpers to make bad models ------------------------------------------ */

/* A valid "test" model as a container. */
static VitaSafetensors *
good_container (void)
{
  VitaVitConfig cfg;
  g_assert_true (vita_vit_config_init_preset (&cfg, "test", NULL));
  g_autoptr(VitaVit) vit = vita_vit_new_random (&cfg, 99);
  VitaSafetensors *st = vita_safetensors_new ();
  vita_vit_to_safetensors (vit, st);
  return st;
}

/* A copy without the tensor `drop` (may be NULL). */
static VitaSafetensors *
copy_without (const VitaSafetensors *src, const char *drop)
{
  VitaSafetensors *st = vita_safetensors_new ();
  for (guint i = 0; i < vita_safetensors_n_tensors (src); i++)
    {
      const VitaTensor *t = vita_safetensors_tensor_at (src, i);
      if (g_strcmp0 (t->name, drop) != 0)
        vita_safetensors_add (st, t->name, t->ndim, t->shape, t->data);
    }
  GHashTableIter it;
  gpointer k, v;
  g_hash_table_iter_init (&it, vita_safetensors_metadata (src));
  while (g_hash_table_iter_next (&it, &k, &v))
    vita_safetensors_set_metadata (st, k, v);
  return st;
}

/* Writes st to tmp/NAME, loads it as a model and asserts the refusal. The message
 * must name the file and each fragment. */
static void
expect_refusal (VitaSafetensors *st, const char *name, VitaModelError code, ...)
{
  g_autofree char *path = g_build_filename (tmp_dir, name, NULL);
  g_autoptr(GError) error = NULL;
  g_assert_true (vita_safetensors_save (st, path, &error));
  g_autoptr(VitaVit) vit = vita_vit_load (path, &error);
  g_assert_null (vit);
  g_assert_nonnull (error);
  if (!g_error_matches (error, VITA_MODEL_ERROR, code))
    g_error ("%s: expected code %d, got %s %d: %s", name, code,
             g_quark_to_string (error->domain), error->code, error->message);
  g_test_message ("%s: %s", name, error->message);
  if (strstr (error->message, path) == NULL)
    g_error ("%s: message does not name the file: %s", name, error->message);
  va_list ap;
  va_start (ap, code);
  for (const char *frag; (frag = va_arg (ap, const char *)) != NULL;)
    if (strstr (error->message, frag) == NULL)
      g_error ("%s: message lacks '%s': %s", name, frag, error->message);
  va_end (ap);
  g_unlink (path);
}

/* The good model with one metadata key set (value NULL: removed). */
static void
expect_metadata_refusal (const char *key, const char *value, VitaModelError code,
                         const char *fragment)
{
  g_autoptr(VitaSafetensors) st = good_container ();
  if (value)
    vita_safetensors_set_metadata (st, key, value);
  else
    g_hash_table_remove (vita_safetensors_metadata (st), key);
  g_autofree char *name = g_strdup_printf ("meta-%s-%s.safetensors", key,
                                           value ? (*value ? value : "empty") : "missing");
  g_strdelimit (name, "/ \t\n", '_');
  g_autofree char *quoted_key = g_strdup_printf ("'%s'", key);
  if (code == VITA_MODEL_ERROR_UNSUPPORTED)
    expect_refusal (st, name, code, fragment, NULL);
  else
    expect_refusal (st, name, code, fragment ? fragment : quoted_key, fragment ? quoted_key : NULL,
                    NULL);
}

/* ---- reliability.md 6: metadata --------------------------------------------- */

static void
test_metadata_missing (void)
{
  /* every required key, one at a time */
  const char *required[] = {
    "format", "format_version", "sample_rate", "n_fft", "win_length", "hop_length", "window",
    "center", "pad_mode", "power", "n_mels", "f_min", "f_max", "mel_scale", "mel_norm",
    "log_offset", "input_mean", "input_std", "frames", "dim", "depth", "heads", "mlp_dim",
    "norm_eps", "gelu", "cls_init", "pos",
  };
  for (gsize i = 0; i < G_N_ELEMENTS (required); i++)
    expect_metadata_refusal (required[i], NULL, VITA_MODEL_ERROR_METADATA, "is missing");
  /* proj_dim may only be left out when there is no projection head */
  expect_metadata_refusal ("proj_dim", NULL, VITA_MODEL_ERROR_METADATA, "projection head");
}

static void
test_metadata_not_numeric (void)
{
  expect_metadata_refusal ("dim", "12abc", VITA_MODEL_ERROR_METADATA, "'12abc' is not an integer");
  expect_metadata_refusal ("dim", "16.0", VITA_MODEL_ERROR_METADATA, "not an integer");
  expect_metadata_refusal ("dim", " 16", VITA_MODEL_ERROR_METADATA, "not an integer");
  expect_metadata_refusal ("depth", "", VITA_MODEL_ERROR_METADATA, "not an integer");
  expect_metadata_refusal ("heads", "0x2", VITA_MODEL_ERROR_METADATA, "not an integer");
  expect_metadata_refusal ("frames", "99999999999999999999999", VITA_MODEL_ERROR_METADATA,
                           "not an integer");
  expect_metadata_refusal ("sample_rate", "16k", VITA_MODEL_ERROR_METADATA, "not an integer");
  expect_metadata_refusal ("log_offset", "1e-6x", VITA_MODEL_ERROR_METADATA, "not a number");
  /* a German-locale decimal comma is not a number (reliability.md 13) */
  expect_metadata_refusal ("input_std", "2,5", VITA_MODEL_ERROR_METADATA, "not a number");
  expect_metadata_refusal ("input_mean", "nan", VITA_MODEL_ERROR_METADATA, "not a number");
  expect_metadata_refusal ("norm_eps", "inf", VITA_MODEL_ERROR_METADATA, "not a number");
  expect_metadata_refusal ("input_mean", "1e999", VITA_MODEL_ERROR_METADATA, "not a finite number");
  expect_metadata_refusal ("f_max", "0x1p13", VITA_MODEL_ERROR_METADATA, "not a number");
  expect_metadata_refusal ("center", "yes", VITA_MODEL_ERROR_METADATA, "not true or false");
}

static void
test_metadata_zero_or_absurd (void)
{
  expect_metadata_refusal ("frames", "0", VITA_MODEL_ERROR_METADATA, "is 0");
  expect_metadata_refusal ("dim", "0", VITA_MODEL_ERROR_METADATA, "is 0");
  expect_metadata_refusal ("depth", "0", VITA_MODEL_ERROR_METADATA, "is 0");
  expect_metadata_refusal ("heads", "0", VITA_MODEL_ERROR_METADATA, "is 0");
  expect_metadata_refusal ("mlp_dim", "0", VITA_MODEL_ERROR_METADATA, "is 0");
  expect_metadata_refusal ("n_mels", "0", VITA_MODEL_ERROR_METADATA, "is 0");
  expect_metadata_refusal ("hop_length", "0", VITA_MODEL_ERROR_METADATA, "is 0");
  expect_metadata_refusal ("dim", "-16", VITA_MODEL_ERROR_METADATA, "out of range");
  expect_metadata_refusal ("dim", "1000000", VITA_MODEL_ERROR_METADATA, "out of range");
  expect_metadata_refusal ("depth", "100000", VITA_MODEL_ERROR_METADATA, "out of range");
  expect_metadata_refusal ("sample_rate", "0", VITA_MODEL_ERROR_METADATA, "is 0");
  expect_metadata_refusal ("heads", "3", VITA_MODEL_ERROR_METADATA, "does not divide 'dim' = 16");
  expect_metadata_refusal ("input_std", "0", VITA_MODEL_ERROR_METADATA, "out of range");
  expect_metadata_refusal ("input_std", "-1", VITA_MODEL_ERROR_METADATA, "out of range");
  expect_metadata_refusal ("norm_eps", "0", VITA_MODEL_ERROR_METADATA, "out of range");
  expect_metadata_refusal ("log_offset", "-1e-6", VITA_MODEL_ERROR_METADATA, "out of range");
  expect_metadata_refusal ("temperature", "0", VITA_MODEL_ERROR_METADATA, "out of range");
  expect_metadata_refusal ("win_length", "2048", VITA_MODEL_ERROR_METADATA, "larger than n_fft");
  expect_metadata_refusal ("f_max", "9000", VITA_MODEL_ERROR_METADATA, "Nyquist");
  expect_metadata_refusal ("f_min", "8000", VITA_MODEL_ERROR_METADATA, "above 'f_min'");
  /* more mel bands than the front-end's frequency bins */
  expect_metadata_refusal ("n_mels", "600", VITA_MODEL_ERROR_METADATA, "513 frequency bins");
  expect_metadata_refusal ("format", "gguf", VITA_MODEL_ERROR_METADATA, "not a ViT-1D model");
  expect_metadata_refusal ("format", "vit1d-probe", VITA_MODEL_ERROR_METADATA, "probe file");
  expect_metadata_refusal ("format_version", "0", VITA_MODEL_ERROR_METADATA, "is 0");
  expect_metadata_refusal ("format_version", "one", VITA_MODEL_ERROR_METADATA, "not an integer");
}

/* ---- later generations (UNSUPPORTED), by metadata ------------------------- */

static void
test_unsupported_metadata (void)
{
  expect_metadata_refusal ("pos", "rope", VITA_MODEL_ERROR_UNSUPPORTED,
                           "this model uses rotary positions (pos=rope), which Vitascope");
  expect_metadata_refusal ("pos", "sincos", VITA_MODEL_ERROR_UNSUPPORTED, "(pos=sincos)");
  expect_metadata_refusal ("pos", "xpos", VITA_MODEL_ERROR_UNSUPPORTED, "(pos=xpos)");
  expect_metadata_refusal ("rope", "true", VITA_MODEL_ERROR_UNSUPPORTED, "rotary positions (rope=true)");
  expect_metadata_refusal ("norm", "rmsnorm", VITA_MODEL_ERROR_UNSUPPORTED, "RMSNorm (norm=rmsnorm)");
  expect_metadata_refusal ("mlp", "swiglu", VITA_MODEL_ERROR_UNSUPPORTED, "gated MLP");
  expect_metadata_refusal ("gelu", "tanh", VITA_MODEL_ERROR_UNSUPPORTED, "tanh approximation");
  expect_metadata_refusal ("cls_init", "param", VITA_MODEL_ERROR_UNSUPPORTED, "(cls_init=param)");
  expect_metadata_refusal ("format_version", "2", VITA_MODEL_ERROR_UNSUPPORTED, "format_version 2");
  expect_metadata_refusal ("window", "hamming", VITA_MODEL_ERROR_UNSUPPORTED, "(window=hamming)");
  expect_metadata_refusal ("mel_scale", "htk", VITA_MODEL_ERROR_UNSUPPORTED, "HTK mel scale");
  expect_metadata_refusal ("mel_norm", "none", VITA_MODEL_ERROR_UNSUPPORTED, "(mel_norm=none)");
  expect_metadata_refusal ("pad_mode", "constant", VITA_MODEL_ERROR_UNSUPPORTED, "(pad_mode=constant)");
  expect_metadata_refusal ("power", "1.5", VITA_MODEL_ERROR_UNSUPPORTED, "power=1.5");
  /* the supported spellings are accepted */
  const char *ok[][2] = { { "norm", "layernorm" }, { "mlp", "gelu" }, { "gelu", "exact" },
                          { "center", "True" }, { "power", "2" }, { "pos", "Learned" },
                          { "rope", "none" } };
  for (gsize i = 0; i < G_N_ELEMENTS (ok); i++)
    {
      g_autoptr(VitaSafetensors) st = good_container ();
      vita_safetensors_set_metadata (st, ok[i][0], ok[i][1]);
      g_autoptr(GError) error = NULL;
      g_autoptr(VitaVit) vit = vita_vit_from_safetensors (st, FALSE, &error);
      g_assert_no_error (error);
      g_assert_nonnull (vit);
    }
}

/* ---- later generations, seen only in the tensors ---------------------------- */

static void
test_unsupported_tensors (void)
{
  float z[32 * 16] = { 0 };
  gint64 shape[2] = { 32, 16 };
  {
    g_autoptr(VitaSafetensors) st = good_container ();
    vita_safetensors_add (st, "blocks.0.mlp.fc3.weight", 2, shape, z);
    expect_refusal (st, "gated.safetensors", VITA_MODEL_ERROR_UNSUPPORTED,
                    "gated MLP", "'blocks.0.mlp.fc3.weight'", NULL);
  }
  {
    g_autoptr(VitaSafetensors) src = good_container ();
    g_autoptr(VitaSafetensors) st = copy_without (src, "blocks.1.norm2.bias");
    expect_refusal (st, "rmsnorm.safetensors", VITA_MODEL_ERROR_UNSUPPORTED,
                    "RMSNorm", "'blocks.1.norm2.weight'", NULL);
  }
  {
    g_autoptr(VitaSafetensors) src = good_container ();
    g_autoptr(VitaSafetensors) st = copy_without (src, "norm.bias");
    expect_refusal (st, "rmsnorm-final.safetensors", VITA_MODEL_ERROR_UNSUPPORTED,
                    "RMSNorm", "'norm.weight'", NULL);
  }
  {
    g_autoptr(VitaSafetensors) src = good_container ();
    g_autoptr(VitaSafetensors) st = copy_without (src, "pos_embed");
    gint64 s1[1] = { 4 };
    vita_safetensors_add (st, "rope.freqs", 1, s1, z);
    expect_refusal (st, "rope.safetensors", VITA_MODEL_ERROR_UNSUPPORTED,
                    "rotary positions", "'rope.freqs'", NULL);
  }
}

/* ---- reliability.md 6: tensors ---------------------------------------------- */

static void
test_tensors_missing_extra_shape (void)
{
  {
    g_autoptr(VitaSafetensors) src = good_container ();
    g_autoptr(VitaSafetensors) st = copy_without (src, "blocks.1.mlp.fc2.weight");
    expect_refusal (st, "missing.safetensors", VITA_MODEL_ERROR_MISMATCH,
                    "tensor 'blocks.1.mlp.fc2.weight' is missing", "depth = 2", NULL);
  }
  {
    g_autoptr(VitaSafetensors) src = good_container ();
    g_autoptr(VitaSafetensors) st = copy_without (src, "cls_token");
    expect_refusal (st, "missing-cls.safetensors", VITA_MODEL_ERROR_MISMATCH,
                    "tensor 'cls_token' is missing", NULL);
  }
  {
    g_autoptr(VitaSafetensors) st = good_container ();
    float z[10 * 16] = { 0 };
    gint64 shape[3] = { 1, 10, 16 };
    vita_safetensors_add (st, "pos_embed", 3, shape, z);
    expect_refusal (st, "shape.safetensors", VITA_MODEL_ERROR_MISMATCH,
                    "tensor 'pos_embed' has shape [1, 10, 16]", "(frames, dim)", "[1, 9, 16]", NULL);
  }
  {
    /* n_mels in the metadata disagrees with the patch embedding */
    g_autoptr(VitaSafetensors) st = good_container ();
    vita_safetensors_set_metadata (st, "n_mels", "20");
    expect_refusal (st, "n-mels.safetensors", VITA_MODEL_ERROR_MISMATCH,
                    "'patch_embed.proj.weight' has shape [16, 16]", "n_mels", "[16, 20]", NULL);
  }
  {
    /* transposed: the same element count, the wrong shape */
    g_autoptr(VitaSafetensors) st = good_container ();
    float z[16 * 32] = { 0 };
    gint64 shape[2] = { 16, 32 };
    vita_safetensors_add (st, "blocks.0.mlp.fc1.weight", 2, shape, z);
    expect_refusal (st, "transposed.safetensors", VITA_MODEL_ERROR_MISMATCH,
                    "'blocks.0.mlp.fc1.weight' has shape [16, 32]", "[32, 16]", NULL);
  }
  {
    /* flattened cls_token */
    g_autoptr(VitaSafetensors) st = good_container ();
    float z[16] = { 0 };
    gint64 shape[1] = { 16 };
    vita_safetensors_add (st, "cls_token", 1, shape, z);
    expect_refusal (st, "cls-flat.safetensors", VITA_MODEL_ERROR_MISMATCH,
                    "'cls_token' has shape [16]", "[1, 1, 16]", NULL);
  }
  {
    g_autoptr(VitaSafetensors) st = good_container ();
    float z[16] = { 0 };
    gint64 shape[1] = { 16 };
    vita_safetensors_add (st, "blocks.2.norm1.weight", 1, shape, z);
    vita_safetensors_add (st, "blocks.2.norm1.bias", 1, shape, z);
    expect_refusal (st, "deeper.safetensors", VITA_MODEL_ERROR_MISMATCH,
                    "unexpected tensor 'blocks.2.norm1.", "depth = 2", "2 unexpected tensors", NULL);
  }
  {
    g_autoptr(VitaSafetensors) st = good_container ();
    float z[16] = { 0 };
    gint64 shape[1] = { 16 };
    vita_safetensors_add (st, "fc_norm.weight", 1, shape, z);
    expect_refusal (st, "extra.safetensors", VITA_MODEL_ERROR_MISMATCH,
                    "unexpected tensor 'fc_norm.weight'", NULL);
    /* ... which a checkpoint reader may allow */
    vita_safetensors_add (st, "adam.m.cls_token", 1, shape, z);
    g_autoptr(GError) error = NULL;
    g_autoptr(VitaVit) vit = vita_vit_from_safetensors (st, TRUE, &error);
    g_assert_no_error (error);
    g_assert_nonnull (vit);
  }
}

static void
test_projection_head (void)
{
  {
    g_autoptr(VitaSafetensors) src = good_container ();
    g_autoptr(VitaSafetensors) st = copy_without (src, "head.fc2.bias");
    expect_refusal (st, "head-partial.safetensors", VITA_MODEL_ERROR_MISMATCH,
                    "projection head is incomplete", "'head.fc2.bias'", NULL);
  }
  {
    g_autoptr(VitaSafetensors) st = good_container ();
    vita_safetensors_set_metadata (st, "proj_dim", "0");
    expect_refusal (st, "head-proj0.safetensors", VITA_MODEL_ERROR_MISMATCH,
                    "proj_dim = 0", "'head.fc1.weight'", NULL);
  }
  {
    g_autoptr(VitaSafetensors) st = good_container ();
    vita_safetensors_set_metadata (st, "proj_dim", "4");
    expect_refusal (st, "head-shape.safetensors", VITA_MODEL_ERROR_MISMATCH,
                    "'head.fc2.weight' has shape [8, 16]", "proj_dim", NULL);
  }
  {
    /* an analysis-only export without the head loads, with proj_dim 0 */
    g_autoptr(VitaSafetensors) a = good_container ();
    g_autoptr(VitaSafetensors) b = copy_without (a, "head.fc1.weight");
    g_autoptr(VitaSafetensors) c = copy_without (b, "head.fc1.bias");
    g_autoptr(VitaSafetensors) d = copy_without (c, "head.fc2.weight");
    g_autoptr(VitaSafetensors) st = copy_without (d, "head.fc2.bias");
    g_autoptr(GError) error = NULL;
    g_autoptr(VitaVit) vit = vita_vit_from_safetensors (st, FALSE, &error);
    g_assert_no_error (error);
    g_assert_cmpint (vit->cfg.proj_dim, ==, 0);
    g_assert_null (vit->params.head_fc1w);
    /* and saves without a head */
    g_autoptr(VitaSafetensors) out = vita_safetensors_new ();
    vita_vit_to_safetensors (vit, out);
    g_assert_null (vita_safetensors_lookup (out, "head.fc1.weight"));
    g_assert_cmpstr (vita_safetensors_get_metadata (out, "proj_dim"), ==, "0");
  }
}

static void
test_nonfinite (void)
{
  g_autoptr(VitaSafetensors) st = good_container ();
  const VitaTensor *t = vita_safetensors_lookup (st, "blocks.1.attn.proj.weight");
  g_autofree float *copy = g_memdup2 (t->data, t->n_elements * sizeof (float));
  copy[16 * 3 + 5] = NAN;
  copy[200] = INFINITY;
  vita_safetensors_add (st, "blocks.1.attn.proj.weight", t->ndim, t->shape, copy);
  expect_refusal (st, "nan.safetensors", VITA_MODEL_ERROR_NONFINITE,
                  "tensor 'blocks.1.attn.proj.weight' holds NaN at index 53 [3, 5]", NULL);

  g_autoptr(VitaSafetensors) st2 = good_container ();
  float cls[16] = { 0 };
  cls[15] = -INFINITY;
  gint64 shape[3] = { 1, 1, 16 };
  vita_safetensors_add (st2, "cls_token", 3, shape, cls);
  expect_refusal (st2, "inf.safetensors", VITA_MODEL_ERROR_NONFINITE,
                  "tensor 'cls_token' holds -Inf at index 15 [0, 0, 15]", NULL);
}

static void
test_load_errors_name_file (void)
{
  /* container errors pass through vita_vit_load unchanged */
  g_autofree char *path = g_build_filename (tmp_dir, "short.safetensors", NULL);
  g_assert_true (g_file_set_contents (path, "abc", 3, NULL));
  g_autoptr(GError) error = NULL;
  g_assert_null (vita_vit_load (path, &error));
  g_assert_error (error, VITA_MODEL_ERROR, VITA_MODEL_ERROR_CORRUPT);
  g_assert_nonnull (strstr (error->message, path));
  g_unlink (path);
  g_clear_error (&error);
  /* a container with no metadata at all */
  g_autoptr(VitaSafetensors) st = vita_safetensors_new ();
  expect_refusal (st, "no-metadata.safetensors", VITA_MODEL_ERROR_METADATA, "'format' is missing", NULL);
}


/* ---- issue 15 -------------------------------------------------------------- */

/* 15.2: a model whose buffers would need absurd memory is refused at load time with
 * the figure, before anything is allocated (frames 100000 with a tiny dim asked GLib
 * for 40 GB in vita_vit_state_new and aborted). */
static void
test_memory_limit (void)
{
  VitaVitConfig cfg;
  g_assert_true (vita_vit_config_init_preset (&cfg, "test", NULL));
  cfg.frames = 100000;
  cfg.dim = 4;
  cfg.heads = 2;
  cfg.mlp_dim = 4;
  g_autoptr(GError) error = NULL;
  g_assert_false (vita_vit_config_validate (&cfg, &error));
  g_assert_nonnull (strstr (error->message, "GiB of memory"));
  g_assert_nonnull (strstr (error->message, "limit"));
  g_clear_error (&error);
  /* the same as a file: refused by the loader, naming the file and the need */
  g_autoptr(VitaSafetensors) st = good_container ();
  vita_safetensors_set_metadata (st, "frames", "100000");
  float *z = g_new0 (float, (gsize) 100001 * 16);
  gint64 shape[3] = { 1, 100001, 16 };
  vita_safetensors_add (st, "pos_embed", 3, shape, z);
  g_free (z);
  expect_refusal (st, "huge-frames.safetensors", VITA_MODEL_ERROR_METADATA, "GiB of memory",
                  "frames 100000", NULL);
  /* the paper-size model is well within */
  g_assert_true (vita_vit_config_init_preset (&cfg, "tiny", NULL));
  g_assert_true (vita_vit_config_validate (&cfg, &error));
  guint64 bytes;
  g_assert_true (vita_vit_state_bytes (&cfg, 1, FALSE, &bytes));
  g_assert_cmpuint (bytes, <, (guint64) 64 << 20);
  /* sizes that overflow 64 bits are refused, not wrapped */
  cfg.frames = 100000; cfg.heads = 8; cfg.dim = 8192; cfg.depth = 256;
  g_assert_false (vita_vit_state_bytes (&cfg, 4096, TRUE, &bytes) && bytes < ((guint64) 1 << 40));
}

/* 15.6: front-end constants that cannot come from real statistics */
static void
test_frontend_ranges (void)
{
  const char *cases[][3] = {
    { "input_std", "1e-45", NULL }, { "input_std", "1e-38", "input_mean" },
    { "input_mean", "-999999", NULL }, { "log_offset", "1e-30", NULL },
  };
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(VitaSafetensors) st = good_container ();
      vita_safetensors_set_metadata (st, cases[i][0], cases[i][1]);
      if (cases[i][2])
        vita_safetensors_set_metadata (st, cases[i][2], "-999999");
      g_autofree char *name = g_strdup_printf ("fe-%zu.safetensors", i);
      expect_refusal (st, name, VITA_MODEL_ERROR_METADATA, cases[i][2] ? cases[i][2] : cases[i][0],
                      "sane range", NULL);
    }
}

/* 15.10: a stray block beyond the depth is an unexpected tensor, not "RMSNorm" */
static void
test_extra_block (void)
{
  g_autoptr(VitaSafetensors) st = good_container ();
  float z[16] = { 0 };
  gint64 shape[1] = { 16 };
  vita_safetensors_add (st, "blocks.2.norm1.weight", 1, shape, z);
  expect_refusal (st, "extra-block.safetensors", VITA_MODEL_ERROR_MISMATCH,
                  "unexpected tensor 'blocks.2.norm1.weight' for depth 2", NULL);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  tmp_dir = g_dir_make_tmp ("vita-vitio-XXXXXX", NULL);
  g_assert_nonnull (tmp_dir);

  g_test_add_func ("/vit-io/tensor-names", test_tensor_names);
  g_test_add_func ("/vit-io/metadata-roundtrip", test_metadata_roundtrip);
  g_test_add_func ("/vit-io/roundtrip", test_roundtrip);
  g_test_add_func ("/vit-io/golden-python", test_golden_python);
  g_test_add_func ("/vit-io/reject/metadata-missing", test_metadata_missing);
  g_test_add_func ("/vit-io/reject/metadata-not-numeric", test_metadata_not_numeric);
  g_test_add_func ("/vit-io/reject/metadata-zero-or-absurd", test_metadata_zero_or_absurd);
  g_test_add_func ("/vit-io/reject/unsupported-metadata", test_unsupported_metadata);
  g_test_add_func ("/vit-io/reject/unsupported-tensors", test_unsupported_tensors);
  g_test_add_func ("/vit-io/reject/tensors", test_tensors_missing_extra_shape);
  g_test_add_func ("/vit-io/reject/projection-head", test_projection_head);
  g_test_add_func ("/vit-io/reject/nonfinite", test_nonfinite);
  g_test_add_func ("/vit-io/reject/container", test_load_errors_name_file);
  g_test_add_func ("/vit-io/reject/memory-limit", test_memory_limit);
  g_test_add_func ("/vit-io/reject/frontend-ranges", test_frontend_ranges);
  g_test_add_func ("/vit-io/reject/extra-block", test_extra_block);

  int ret = g_test_run ();
  g_rmdir (tmp_dir);
  g_free (tmp_dir);
  return ret;
}
