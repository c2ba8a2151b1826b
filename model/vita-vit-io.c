/* vita-vit-io.c — ViT-1D model files: metadata ↔ VitaVitConfig, safetensors ↔ VitaVit.
 *
 * The contract is shared/design/vit1d-format.md.  In the manner of whisper.cpp's
 * loader, every hyper-parameter is read, checked and refused on mismatch: a file
 * describes itself completely, so a missing, non-numeric, zero or absurd value is an
 * error (VITA_MODEL_ERROR_METADATA), never a silent default, and a later model
 * generation (RMSNorm, rotary positions, gated MLP, ...) is refused by name
 * (VITA_MODEL_ERROR_UNSUPPORTED) rather than run as if it were this one.  Every
 * message names the file and the key or tensor.
 */
#include "vita-vit-io.h"

#include <math.h>
#include <stdarg.h>
#include <string.h>

#define PRODUCT "Vitascope " VITA_VERSION

/* ------------------------------------------------------------------------ */
/* Tensor names and shapes                                                   */

static const char *const tensor_names[VITA_VIT_N_PARAM_TENSORS] = {
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

/* The metadata keys each shape depends on, for mismatch messages. */
static const char *const tensor_keys[VITA_VIT_N_PARAM_TENSORS] = {
  "dim, n_mels", "dim", "dim", "frames, dim",
  "dim", "dim", "dim", "dim", "dim", "dim", "dim", "dim",
  "mlp_dim, dim", "mlp_dim", "dim, mlp_dim", "dim",
  "dim", "dim", "dim", "dim", "proj_dim, dim", "proj_dim",
};

#define FIRST_BLOCK_TENSOR 4
#define LAST_BLOCK_TENSOR  15
#define FIRST_HEAD_TENSOR  18

gboolean
vita_vit_tensor_is_per_layer (int index)
{
  return index >= FIRST_BLOCK_TENSOR && index <= LAST_BLOCK_TENSOR;
}

char *
vita_vit_tensor_name (int index, int layer)
{
  g_return_val_if_fail (index >= 0 && index < VITA_VIT_N_PARAM_TENSORS, NULL);
  if (!vita_vit_tensor_is_per_layer (index))
    return g_strdup (tensor_names[index]);
  const char *fmt = tensor_names[index];
  const char *pct = strstr (fmt, "%d");
  return g_strdup_printf ("%.*s%d%s", (int) (pct - fmt), fmt, layer, pct + 2);
}

int
vita_vit_tensor_shape (const VitaVitConfig *cfg, int index, gint64 shape[VITA_TENSOR_MAX_DIMS])
{
  gint64 D = cfg->dim, M = cfg->fe.n_mels, N = cfg->frames + 1, H4 = cfg->mlp_dim;
  gint64 P = cfg->proj_dim;
  switch (index)
    {
    case 0:  shape[0] = D; shape[1] = M; return 2;
    case 2:  shape[0] = 1; shape[1] = 1; shape[2] = D; return 3;
    case 3:  shape[0] = 1; shape[1] = N; shape[2] = D; return 3;
    case 6:  shape[0] = 3 * D; shape[1] = D; return 2;
    case 7:  shape[0] = 3 * D; return 1;
    case 8:  shape[0] = D; shape[1] = D; return 2;
    case 12: shape[0] = H4; shape[1] = D; return 2;
    case 13: shape[0] = H4; return 1;
    case 14: shape[0] = D; shape[1] = H4; return 2;
    case 18: shape[0] = D; shape[1] = D; return 2;
    case 20: shape[0] = P; shape[1] = D; return 2;
    case 21: shape[0] = P; return 1;
    case 1: case 4: case 5: case 9: case 10: case 11: case 15: case 16: case 17: case 19:
      shape[0] = D; return 1;
    default:
      g_return_val_if_reached (0);
    }
}

static char *
shape_string (int ndim, const gint64 *shape)
{
  GString *s = g_string_new ("[");
  for (int i = 0; i < ndim; i++)
    g_string_append_printf (s, "%s%" G_GINT64_FORMAT, i ? ", " : "", shape[i]);
  g_string_append_c (s, ']');
  return g_string_free (s, FALSE);
}

/* ------------------------------------------------------------------------ */
/* Errors                                                                    */

static const char *
shown (const char *display_name)
{
  return display_name ? display_name : "(model)";
}

G_GNUC_PRINTF (4, 5) static gboolean
fail (GError **error, VitaModelError code, const char *file, const char *fmt, ...)
{
  va_list ap;
  va_start (ap, fmt);
  g_autofree char *msg = g_strdup_vprintf (fmt, ap);
  va_end (ap);
  g_set_error (error, VITA_MODEL_ERROR, code, "%s: %s", shown (file), msg);
  return FALSE;
}

/* A string from the file as shown in a message: control characters escaped, cut
 * after max characters, so a hostile value cannot garble or flood a terminal. */
static char *
printable (const char *s, gsize max)
{
  GString *out = g_string_new (NULL);
  gsize n = 0;
  for (const char *p = s; *p; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);
      if (++n > max)
        {
          g_string_append (out, "...");
          break;
        }
      if (c < 0x20 || c == 0x7f)
        g_string_append_printf (out, "\\x%02x", c);
      else
        g_string_append_unichar (out, c);
    }
  return g_string_free (out, FALSE);
}

/* A metadata value in quotes. */
static char *
quoted (const char *s)
{
  g_autofree char *p = printable (s, 40);
  return g_strdup_printf ("'%s'", p);
}

/* ------------------------------------------------------------------------ */
/* Metadata values                                                           */

static const char *const config_keys[] = {
  "format", "format_version",
  "sample_rate", "n_fft", "win_length", "hop_length", "window", "center", "pad_mode", "power",
  "n_mels", "f_min", "f_max", "mel_scale", "mel_norm", "log_offset", "input_mean", "input_std",
  "frames", "dim", "depth", "heads", "mlp_dim", "norm_eps", "gelu", "cls_init", "pos",
  "proj_dim", "temperature",
  /* variant keys a later generation may carry; read (and refused unless they name
   * this architecture), never written */
  "norm", "mlp", "rope",
};

gboolean
vita_vit_metadata_key_is_config (const char *key)
{
  for (gsize i = 0; i < G_N_ELEMENTS (config_keys); i++)
    if (g_str_equal (key, config_keys[i]))
      return TRUE;
  return FALSE;
}

typedef struct {
  GHashTable *md;
  const char *file;
  GError    **error;
} Reader;

static const char *
need (Reader *r, const char *key)
{
  const char *v = r->md ? g_hash_table_lookup (r->md, key) : NULL;
  if (v == NULL)
    fail (r->error, VITA_MODEL_ERROR_METADATA, r->file,
          "the metadata key '%s' is missing (every setting of vit1d-format.md must be "
          "stored in the file)", key);
  return v;
}

/* Strict decimal integer: optional '-', digits, nothing else ("12abc", " 12",
 * "12.0", "0x10" and "" are refused). */
static gboolean
get_int (Reader *r, const char *key, gint64 min, gint64 max, int *out)
{
  const char *v = need (r, key);
  if (v == NULL)
    return FALSE;
  g_autofree char *q = quoted (v);
  const char *p = v;
  if (*p == '-')
    p++;
  gboolean digits = *p != '\0';
  for (; *p; p++)
    if (!g_ascii_isdigit (*p))
      digits = FALSE;
  if (!digits || strlen (v) > 18)
    return fail (r->error, VITA_MODEL_ERROR_METADATA, r->file,
                 "metadata '%s' = %s is not an integer", key, q);
  gint64 x = g_ascii_strtoll (v, NULL, 10);
  if (x < min || x > max)
    {
      if (x == 0)
        return fail (r->error, VITA_MODEL_ERROR_METADATA, r->file,
                     "metadata '%s' is 0; it must be between %" G_GINT64_FORMAT " and %"
                     G_GINT64_FORMAT, key, min, max);
      return fail (r->error, VITA_MODEL_ERROR_METADATA, r->file,
                   "metadata '%s' = %s is out of range (%" G_GINT64_FORMAT " to %"
                   G_GINT64_FORMAT ")", key, q, min, max);
    }
  *out = (int) x;
  return TRUE;
}

/* A finite decimal number in [min, max] (open at the ends when the flags say),
 * parsed with g_ascii_strtod: independent of the locale (a German locale must not
 * read "1.5" as 1, reliability.md 13), all of the string consumed. */
static gboolean
get_float (Reader *r, const char *key, double min, gboolean min_open,
           double max, gboolean max_open, float *out)
{
  const char *v = need (r, key);
  if (v == NULL)
    return FALSE;
  g_autofree char *q = quoted (v);
  char *end = NULL;
  double x = 0;
  gboolean ok = *v != '\0' && !g_ascii_isspace (*v);
  if (ok)
    {
      x = g_ascii_strtod (v, &end);
      ok = end != v && *end == '\0';
    }
  /* g_ascii_strtod also reads "inf", "nan" and hexadecimal floats */
  if (ok)
    for (const char *p = v; *p; p++)
      if (!(g_ascii_isdigit (*p) || *p == '.' || *p == '-' || *p == '+' || *p == 'e' || *p == 'E'))
        ok = FALSE;
  if (!ok)
    return fail (r->error, VITA_MODEL_ERROR_METADATA, r->file,
                 "metadata '%s' = %s is not a number", key, q);
  float f = (float) x;
  if (!isfinite (x) || !isfinite (f))
    return fail (r->error, VITA_MODEL_ERROR_METADATA, r->file,
                 "metadata '%s' = %s is not a finite number", key, q);
  if ((min_open ? x <= min : x < min) || (max_open ? x >= max : x > max))
    return fail (r->error, VITA_MODEL_ERROR_METADATA, r->file,
                 "metadata '%s' = %s is out of range (%s%g to %g%s)", key, q,
                 min_open ? "more than " : "", min, max, max_open ? ", exclusive" : "");
  *out = f;
  return TRUE;
}

typedef struct {
  const char *value;       /* a value in the file */
  const char *description; /* "rotary positions"; NULL = supported */
} Choice;

/* key must be one of the supported values; a known other value is refused as
 * UNSUPPORTED with its description, an unknown one too (it is a setting this
 * version does not know).  Missing: error unless optional (then *found = FALSE). */
static gboolean
get_choice (Reader *r, const char *key, const Choice *choices, gsize n_choices,
            const char *what, gboolean optional, gboolean *found, int *index)
{
  const char *v = r->md ? g_hash_table_lookup (r->md, key) : NULL;
  if (found)
    *found = v != NULL;
  if (v == NULL)
    return optional ? TRUE : need (r, key) != NULL;
  g_autofree char *q = quoted (v);
  for (gsize i = 0; i < n_choices; i++)
    if (g_ascii_strcasecmp (v, choices[i].value) == 0)
      {
        if (choices[i].description)
          return fail (r->error, VITA_MODEL_ERROR_UNSUPPORTED, r->file,
                       "this model uses %s (%s=%s), which %s does not support",
                       choices[i].description, key, v, PRODUCT);
        if (index)
          *index = (int) i;
        return TRUE;
      }
  return fail (r->error, VITA_MODEL_ERROR_UNSUPPORTED, r->file,
               "this model uses %s %s (%s=%s), which %s does not support (it runs %s=%s)",
               what, q, key, v, PRODUCT, key, choices[0].value);
}

static const Choice pos_choices[] = {
  { "learned", NULL }, { "rope", "rotary positions" }, { "rotary", "rotary positions" },
  { "sincos", "fixed sine-cosine positions" }, { "alibi", "ALiBi attention biases" },
  { "none", "no positional embedding" },
};
static const Choice norm_choices[] = {
  { "layernorm", NULL }, { "rmsnorm", "RMSNorm" },
};
static const Choice mlp_choices[] = {
  { "gelu", NULL }, { "mlp", NULL }, { "gated", "a gated MLP" }, { "swiglu", "a gated MLP (SwiGLU)" },
  { "geglu", "a gated MLP (GeGLU)" }, { "glu", "a gated MLP" },
};
static const Choice rope_choices[] = {
  { "false", NULL }, { "none", NULL }, { "0", NULL },
  { "true", "rotary positions" }, { "1", "rotary positions" },
};
static const Choice gelu_choices[] = {
  { "erf", NULL }, { "exact", NULL }, { "none", NULL },
  { "tanh", "the tanh approximation of GELU" },
};
static const Choice cls_choices[] = {
  { "param+mean", NULL }, { "param", "a class token without the mean of the frame tokens" },
  { "mean", "a class token that is only the mean of the frame tokens" },
};
static const Choice window_choices[] = {
  { "hann", NULL }, { "hamming", "a Hamming window" }, { "blackman", "a Blackman window" },
  { "povey", "the Povey window" },
};
static const Choice pad_choices[] = {
  { "reflect", NULL }, { "constant", "zero padding of the frames" },
  { "zeros", "zero padding of the frames" }, { "replicate", "edge padding of the frames" },
  { "circular", "circular padding of the frames" },
};
static const Choice scale_choices[] = {
  { "slaney", NULL }, { "htk", "the HTK mel scale" },
};
static const Choice mel_norm_choices[] = {
  { "slaney", NULL }, { "none", "mel filters without Slaney area normalisation" },
};
/* "true" / "false" (also Python's str(True) and 1 / 0) */
static gboolean
get_bool (Reader *r, const char *key, gboolean *out)
{
  const char *v = need (r, key);
  if (v == NULL)
    return FALSE;
  if (g_ascii_strcasecmp (v, "true") == 0 || g_str_equal (v, "1"))
    *out = TRUE;
  else if (g_ascii_strcasecmp (v, "false") == 0 || g_str_equal (v, "0"))
    *out = FALSE;
  else
    {
      g_autofree char *q = quoted (v);
      return fail (r->error, VITA_MODEL_ERROR_METADATA, r->file,
                   "metadata '%s' = %s is not true or false", key, q);
    }
  return TRUE;
}

static gboolean
check_format (Reader *r)
{
  const char *format = need (r, "format");
  if (format == NULL)
    return FALSE;
  if (!g_str_equal (format, "vit1d"))
    {
      g_autofree char *q = quoted (format);
      if (g_str_equal (format, "vit1d-probe"))
        return fail (r->error, VITA_MODEL_ERROR_METADATA, r->file,
                     "metadata 'format' = 'vit1d-probe': this is a probe file, not a model");
      return fail (r->error, VITA_MODEL_ERROR_METADATA, r->file,
                   "metadata 'format' = %s: not a ViT-1D model file (expected format=vit1d)", q);
    }
  int version;
  if (!get_int (r, "format_version", 1, G_MAXINT, &version))
    return FALSE;
  if (version > 1)
    return fail (r->error, VITA_MODEL_ERROR_UNSUPPORTED, r->file,
                 "this model uses format_version %d, which %s does not support (it reads "
                 "version 1)", version, PRODUCT);
  return TRUE;
}

/* The architecture settings that tell a later generation apart. */
static gboolean
check_variant_keys (Reader *r)
{
  return get_choice (r, "pos", pos_choices, G_N_ELEMENTS (pos_choices),
                     "positional encoding", TRUE, NULL, NULL) &&
         get_choice (r, "norm", norm_choices, G_N_ELEMENTS (norm_choices),
                     "normalisation", TRUE, NULL, NULL) &&
         get_choice (r, "mlp", mlp_choices, G_N_ELEMENTS (mlp_choices),
                     "MLP", TRUE, NULL, NULL) &&
         get_choice (r, "rope", rope_choices, G_N_ELEMENTS (rope_choices),
                     "rotary setting", TRUE, NULL, NULL) &&
         get_choice (r, "gelu", gelu_choices, G_N_ELEMENTS (gelu_choices),
                     "GELU", TRUE, NULL, NULL) &&
         get_choice (r, "cls_init", cls_choices, G_N_ELEMENTS (cls_choices),
                     "class-token rule", TRUE, NULL, NULL);
}

gboolean
vita_vit_config_from_metadata (VitaVitConfig *cfg, GHashTable *metadata,
                               const char *display_name, GError **error)
{
  g_return_val_if_fail (cfg != NULL && metadata != NULL, FALSE);
  Reader rd = { metadata, display_name, error }, *r = &rd;
  VitaVitConfig c;
  memset (&c, 0, sizeof c);
  vita_frontend_init_default (&c.fe);

  if (!check_format (r) || !check_variant_keys (r))
    return FALSE;
  /* now required */
  if (!get_choice (r, "pos", pos_choices, G_N_ELEMENTS (pos_choices), "", FALSE, NULL, NULL) ||
      !get_choice (r, "gelu", gelu_choices, G_N_ELEMENTS (gelu_choices), "", FALSE, NULL, NULL) ||
      !get_choice (r, "cls_init", cls_choices, G_N_ELEMENTS (cls_choices), "", FALSE, NULL, NULL))
    return FALSE;

  /* front-end (vit1d-format.md "Front-end, exactly") */
  if (!get_int (r, "sample_rate", 1000, 384000, &c.fe.sample_rate) ||
      !get_int (r, "n_fft", 16, 65536, &c.fe.n_fft) ||
      !get_int (r, "win_length", 1, 65536, &c.fe.win_length) ||
      !get_int (r, "hop_length", 1, 65536, &c.fe.hop_length) ||
      !get_choice (r, "window", window_choices, G_N_ELEMENTS (window_choices),
                   "window", FALSE, NULL, NULL) ||
      !get_bool (r, "center", &c.fe.center) ||
      !get_choice (r, "pad_mode", pad_choices, G_N_ELEMENTS (pad_choices),
                   "pad mode", FALSE, NULL, NULL) ||
      !get_float (r, "power", 0, TRUE, 16, FALSE, &c.fe.power) ||
      !get_int (r, "n_mels", 1, 1024, &c.fe.n_mels) ||
      !get_float (r, "f_min", 0, FALSE, 1e6, FALSE, &c.fe.f_min) ||
      !get_float (r, "f_max", 0, TRUE, 1e6, FALSE, &c.fe.f_max) ||
      !get_choice (r, "mel_scale", scale_choices, G_N_ELEMENTS (scale_choices),
                   "mel scale", FALSE, NULL, NULL) ||
      !get_choice (r, "mel_norm", mel_norm_choices, G_N_ELEMENTS (mel_norm_choices),
                   "mel normalisation", FALSE, NULL, NULL) ||
      !get_float (r, "log_offset", 0, TRUE, 1, FALSE, &c.fe.log_offset) ||
      !get_float (r, "input_mean", -1e6, FALSE, 1e6, FALSE, &c.fe.input_mean) ||
      !get_float (r, "input_std", 0, TRUE, 1e6, FALSE, &c.fe.input_std))
    return FALSE;
  if (c.fe.power != 1.0f && c.fe.power != 2.0f)
    return fail (error, VITA_MODEL_ERROR_UNSUPPORTED, display_name,
                 "this model uses power=%g spectrograms, which %s does not support (1 or 2)",
                 c.fe.power, PRODUCT);
  if (c.fe.win_length > c.fe.n_fft)
    return fail (error, VITA_MODEL_ERROR_METADATA, display_name,
                 "metadata 'win_length' = %d is larger than n_fft = %d",
                 c.fe.win_length, c.fe.n_fft);
  if (c.fe.hop_length > c.fe.n_fft)
    return fail (error, VITA_MODEL_ERROR_METADATA, display_name,
                 "metadata 'hop_length' = %d is larger than n_fft = %d",
                 c.fe.hop_length, c.fe.n_fft);
  if (c.fe.f_max <= c.fe.f_min || c.fe.f_max > c.fe.sample_rate / 2.0f)
    return fail (error, VITA_MODEL_ERROR_METADATA, display_name,
                 "metadata 'f_max' = %g Hz must lie above 'f_min' = %g Hz and at most at the "
                 "Nyquist frequency of 'sample_rate' = %d (%g Hz)",
                 c.fe.f_max, c.fe.f_min, c.fe.sample_rate, c.fe.sample_rate / 2.0);
  /* The front-end makes n_fft/2 + 1 frequency bins; more mel bands than bins
   * leaves some filters empty (torchaudio warns about it), so the model would be
   * fed bands that are always log(log_offset). */
  if (c.fe.n_mels > c.fe.n_fft / 2 + 1)
    return fail (error, VITA_MODEL_ERROR_METADATA, display_name,
                 "metadata 'n_mels' = %d is more than the %d frequency bins of n_fft = %d: "
                 "the front-end cannot produce that many mel bands",
                 c.fe.n_mels, c.fe.n_fft / 2 + 1, c.fe.n_fft);

  /* architecture */
  if (!get_int (r, "frames", 1, 100000, &c.frames) ||
      !get_int (r, "dim", 1, 8192, &c.dim) ||
      !get_int (r, "depth", 1, 256, &c.depth) ||
      !get_int (r, "heads", 1, 8192, &c.heads) ||
      !get_int (r, "mlp_dim", 1, 65536, &c.mlp_dim) ||
      !get_float (r, "norm_eps", 0, TRUE, 1, TRUE, &c.norm_eps))
    return FALSE;
  if (c.dim % c.heads != 0)
    return fail (error, VITA_MODEL_ERROR_METADATA, display_name,
                 "metadata 'heads' = %d does not divide 'dim' = %d", c.heads, c.dim);
  /* training settings: optional (an analysis-only file may lack the head) */
  c.proj_dim = 0;
  c.temperature = 0.1f;
  if (g_hash_table_contains (metadata, "proj_dim") &&
      !get_int (r, "proj_dim", 0, 65536, &c.proj_dim))
    return FALSE;
  if (g_hash_table_contains (metadata, "temperature") &&
      !get_float (r, "temperature", 0, TRUE, 100, FALSE, &c.temperature))
    return FALSE;

  GError *local = NULL;
  if (!vita_vit_config_validate (&c, &local))
    {
      fail (error, VITA_MODEL_ERROR_METADATA, display_name, "%s", local->message);
      g_error_free (local);
      return FALSE;
    }
  *cfg = c;
  return TRUE;
}

/* The shortest decimal that reads back as the same float (so "1e-06", not
 * "9.99999997e-07"), locale-independent. */
static char *
float_string (float f)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];
  if (f == truncf (f) && fabsf (f) < 1e9f)
    return g_strdup_printf ("%.0f", (double) f);   /* "8000", "2" */
  for (int prec = 1; prec <= 9; prec++)
    {
      char fmt[8];
      g_snprintf (fmt, sizeof fmt, "%%.%dg", prec);
      g_ascii_formatd (buf, sizeof buf, fmt, f);
      if ((float) g_ascii_strtod (buf, NULL) == f)
        break;
    }
  return g_strdup (buf);
}

static void
put (GHashTable *md, const char *key, char *value)
{
  g_hash_table_replace (md, g_strdup (key), value);
}

void
vita_vit_config_to_metadata (const VitaVitConfig *cfg, GHashTable *metadata)
{
  const VitaFrontend *fe = &cfg->fe;
  put (metadata, "format", g_strdup ("vit1d"));
  put (metadata, "format_version", g_strdup ("1"));
  put (metadata, "sample_rate", g_strdup_printf ("%d", fe->sample_rate));
  put (metadata, "n_fft", g_strdup_printf ("%d", fe->n_fft));
  put (metadata, "win_length", g_strdup_printf ("%d", fe->win_length));
  put (metadata, "hop_length", g_strdup_printf ("%d", fe->hop_length));
  put (metadata, "window", g_strdup ("hann"));
  put (metadata, "center", g_strdup (fe->center ? "true" : "false"));
  put (metadata, "pad_mode", g_strdup ("reflect"));
  put (metadata, "power", float_string (fe->power));
  put (metadata, "n_mels", g_strdup_printf ("%d", fe->n_mels));
  put (metadata, "f_min", float_string (fe->f_min));
  put (metadata, "f_max", float_string (fe->f_max));
  put (metadata, "mel_scale", g_strdup ("slaney"));
  put (metadata, "mel_norm", g_strdup ("slaney"));
  put (metadata, "log_offset", float_string (fe->log_offset));
  put (metadata, "input_mean", float_string (fe->input_mean));
  put (metadata, "input_std", float_string (fe->input_std));
  put (metadata, "frames", g_strdup_printf ("%d", cfg->frames));
  put (metadata, "dim", g_strdup_printf ("%d", cfg->dim));
  put (metadata, "depth", g_strdup_printf ("%d", cfg->depth));
  put (metadata, "heads", g_strdup_printf ("%d", cfg->heads));
  put (metadata, "mlp_dim", g_strdup_printf ("%d", cfg->mlp_dim));
  put (metadata, "norm_eps", float_string (cfg->norm_eps));
  put (metadata, "gelu", g_strdup ("erf"));
  put (metadata, "cls_init", g_strdup ("param+mean"));
  put (metadata, "pos", g_strdup ("learned"));
  put (metadata, "proj_dim", g_strdup_printf ("%d", cfg->proj_dim));
  put (metadata, "temperature", float_string (cfg->temperature));
}

/* ------------------------------------------------------------------------ */
/* Tensors                                                                   */

/* "blocks.<digits>." prefix: the block index, or -1; *rest after the dot. */
static int
block_index (const char *name, const char **rest)
{
  if (!g_str_has_prefix (name, "blocks."))
    return -1;
  const char *p = name + 7;
  if (!g_ascii_isdigit (*p))
    return -1;
  gint64 v = 0;
  for (; g_ascii_isdigit (*p); p++)
    {
      v = v * 10 + (*p - '0');
      if (v > 1000000)
        return -1;
    }
  if (*p != '.')
    return -1;
  *rest = p + 1;
  return (int) v;
}

/* A later generation that shows only through its tensors (metadata silent):
 * gated MLP (a third MLP matrix), RMSNorm (norm weights without bias), rotary
 * position tables. */
static gboolean
check_variant_tensors (const VitaSafetensors *st, const char *file, GError **error)
{
  static const char *const gated[] = {
    "mlp.fc3.", "mlp.w1.", "mlp.w2.", "mlp.w3.", "mlp.w12.", "mlp.gate", "mlp.up_proj.",
    "mlp.down_proj.",
  };
  static const char *const rotary[] = { "rope", "rotary", "freqs_cis", "inv_freq" };
  for (guint i = 0; i < vita_safetensors_n_tensors (st); i++)
    {
      const char *raw = vita_safetensors_tensor_at (st, i)->name;
      g_autofree char *name = printable (raw, 120);
      const char *rest = NULL;
      int b = block_index (raw, &rest);
      if (b >= 0)
        {
          for (gsize k = 0; k < G_N_ELEMENTS (gated); k++)
            if (g_str_has_prefix (rest, gated[k]))
              return fail (error, VITA_MODEL_ERROR_UNSUPPORTED, file,
                           "this model uses a gated MLP (tensor '%s'), which %s does not "
                           "support", name, PRODUCT);
        }
      for (gsize k = 0; k < G_N_ELEMENTS (rotary); k++)
        if (strstr (raw, rotary[k]))
          return fail (error, VITA_MODEL_ERROR_UNSUPPORTED, file,
                       "this model uses rotary positions (tensor '%s'), which %s does not "
                       "support", name, PRODUCT);
      /* a norm weight without its bias: RMSNorm */
      if (g_str_has_suffix (raw, ".weight") &&
          (g_str_equal (raw, "norm.weight") ||
           (b >= 0 && (g_str_equal (rest, "norm1.weight") || g_str_equal (rest, "norm2.weight")))))
        {
          g_autofree char *bias = g_strndup (raw, strlen (raw) - 6);
          g_autofree char *bias_name = g_strconcat (bias, "bias", NULL);
          if (vita_safetensors_lookup (st, bias_name) == NULL)
            return fail (error, VITA_MODEL_ERROR_UNSUPPORTED, file,
                         "this model uses RMSNorm ('%s' has no '%s'), which %s does not "
                         "support", name, bias_name, PRODUCT);
        }
    }
  return TRUE;
}

static gboolean
check_finite (const VitaTensor *t, const char *file, GError **error)
{
  for (gsize i = 0; i < t->n_elements; i++)
    if (!isfinite (t->data[i]))
      {
        /* the index in every dimension, e.g. [2, 7] */
        gint64 idx[VITA_TENSOR_MAX_DIMS];
        gsize rem = i;
        for (int d = t->ndim - 1; d >= 0; d--)
          {
            idx[d] = t->shape[d] ? (gint64) (rem % (gsize) t->shape[d]) : 0;
            rem = t->shape[d] ? rem / (gsize) t->shape[d] : 0;
          }
        g_autofree char *where = shape_string (t->ndim, idx);
        return fail (error, VITA_MODEL_ERROR_NONFINITE, file,
                     "tensor '%s' holds %s at index %" G_GSIZE_FORMAT " %s (of %"
                     G_GSIZE_FORMAT " values)", t->name,
                     isnan (t->data[i]) ? "NaN" : t->data[i] > 0 ? "+Inf" : "-Inf",
                     i, where, t->n_elements);
      }
  return TRUE;
}

/* The tensor for (index, layer), checked against the shape the config implies. */
static const VitaTensor *
expect_tensor (const VitaSafetensors *st, const VitaVitConfig *cfg, int index, int layer,
               const char *file, GError **error)
{
  g_autofree char *name = vita_vit_tensor_name (index, layer);
  const VitaTensor *t = vita_safetensors_lookup (st, name);
  if (t == NULL)
    {
      if (vita_vit_tensor_is_per_layer (index))
        fail (error, VITA_MODEL_ERROR_MISMATCH, file,
              "tensor '%s' is missing (the metadata says depth = %d)", name, cfg->depth);
      else
        fail (error, VITA_MODEL_ERROR_MISMATCH, file, "tensor '%s' is missing", name);
      return NULL;
    }
  gint64 want[VITA_TENSOR_MAX_DIMS];
  int nd = vita_vit_tensor_shape (cfg, index, want);
  gboolean same = t->ndim == nd;
  for (int d = 0; same && d < nd; d++)
    same = t->shape[d] == want[d];
  if (!same)
    {
      g_autofree char *got_s = shape_string (t->ndim, t->shape);
      g_autofree char *want_s = shape_string (nd, want);
      fail (error, VITA_MODEL_ERROR_MISMATCH, file,
            "tensor '%s' has shape %s, but the metadata (%s) implies %s",
            name, got_s, tensor_keys[index], want_s);
      return NULL;
    }
  return t;
}

VitaVit *
vita_vit_from_safetensors (const VitaSafetensors *st, gboolean allow_extra, GError **error)
{
  const char *file = vita_safetensors_get_path (st);
  GHashTable *md = vita_safetensors_metadata (st);
  Reader rd = { md, file, error };

  /* what kind of file it is, then whether it is a generation we run, then the
   * numbers: so that a RoPE model says "rotary", not "'pos' is missing" */
  if (!check_format (&rd) || !check_variant_keys (&rd) ||
      !check_variant_tensors (st, file, error))
    return NULL;
  VitaVitConfig cfg;
  if (!vita_vit_config_from_metadata (&cfg, md, file, error))
    return NULL;

  /* projection head: all four tensors or none */
  int n_head = 0;
  for (int i = FIRST_HEAD_TENSOR; i < VITA_VIT_N_PARAM_TENSORS; i++)
    n_head += vita_safetensors_lookup (st, tensor_names[i]) != NULL;
  if (n_head > 0 && n_head < 4)
    {
      for (int i = FIRST_HEAD_TENSOR; i < VITA_VIT_N_PARAM_TENSORS; i++)
        if (vita_safetensors_lookup (st, tensor_names[i]) == NULL)
          {
            fail (error, VITA_MODEL_ERROR_MISMATCH, file,
                  "the projection head is incomplete: tensor '%s' is missing (head.* "
                  "tensors must be all present or all absent)", tensor_names[i]);
            return NULL;
          }
    }
  if (n_head == 4)
    {
      if (!g_hash_table_contains (md, "proj_dim"))
        {
          fail (error, VITA_MODEL_ERROR_METADATA, file,
                "the metadata key 'proj_dim' is missing, but the file has a projection head");
          return NULL;
        }
      if (cfg.proj_dim == 0)
        {
          fail (error, VITA_MODEL_ERROR_MISMATCH, file,
                "the file has a projection head (tensor 'head.fc1.weight'), but the "
                "metadata says proj_dim = 0");
          return NULL;
        }
    }
  else
    cfg.proj_dim = 0;   /* an analysis-only export: the head is not needed */

  /* every tensor, with its shape, before allocating anything: the file itself
   * then bounds the memory we take */
  g_autoptr(GHashTable) used = g_hash_table_new (g_str_hash, g_str_equal);
  for (int i = 0; i < VITA_VIT_N_PARAM_TENSORS; i++)
    {
      if (i >= FIRST_HEAD_TENSOR && cfg.proj_dim == 0)
        continue;
      int layers = vita_vit_tensor_is_per_layer (i) ? cfg.depth : 1;
      for (int l = 0; l < layers; l++)
        {
          const VitaTensor *t = expect_tensor (st, &cfg, i, l, file, error);
          if (t == NULL)
            return NULL;
          g_hash_table_add (used, t->name);
        }
    }
  if (!allow_extra)
    for (guint i = 0; i < vita_safetensors_n_tensors (st); i++)
      {
        const char *raw = vita_safetensors_tensor_at (st, i)->name;
        if (g_hash_table_contains (used, (gpointer) raw))
          continue;
        g_autofree char *name = printable (raw, 120);
        guint extra = vita_safetensors_n_tensors (st) - g_hash_table_size (used);
        const char *rest;
        int b = block_index (raw, &rest);
        if (b >= cfg.depth)
          fail (error, VITA_MODEL_ERROR_MISMATCH, file,
                "unexpected tensor '%s': the metadata says depth = %d (%u unexpected "
                "tensor%s in all)", name, cfg.depth, extra, extra == 1 ? "" : "s");
        else
          fail (error, VITA_MODEL_ERROR_MISMATCH, file,
                "unexpected tensor '%s', not part of a ViT-1D model (%u unexpected "
                "tensor%s in all)", name, extra, extra == 1 ? "" : "s");
        return NULL;
      }

  /* copy, per block into the stacked (L, ...) arrays */
  g_autoptr(VitaVit) vit = vita_vit_new (&cfg);
  float *dst[VITA_VIT_N_PARAM_TENSORS];
  {
    float *p = vit->memory;
    for (int i = 0; i < VITA_VIT_N_PARAM_TENSORS; i++)
      {
        dst[i] = p;
        p += vit->sizes[i];
      }
  }
  for (int i = 0; i < VITA_VIT_N_PARAM_TENSORS; i++)
    {
      if (vit->sizes[i] == 0)
        continue;
      int layers = vita_vit_tensor_is_per_layer (i) ? cfg.depth : 1;
      gsize per = vit->sizes[i] / (gsize) layers;
      for (int l = 0; l < layers; l++)
        {
          g_autofree char *name = vita_vit_tensor_name (i, l);
          const VitaTensor *t = vita_safetensors_lookup (st, name);
          g_assert (t != NULL && t->n_elements == per);
          if (!check_finite (t, file, error))
            return NULL;
          memcpy (dst[i] + (gsize) l * per, t->data, per * sizeof (float));
        }
    }

  /* provenance and any other key we do not interpret */
  GHashTableIter it;
  gpointer k, v;
  g_hash_table_iter_init (&it, md);
  while (g_hash_table_iter_next (&it, &k, &v))
    if (!vita_vit_metadata_key_is_config (k))
      g_hash_table_replace (vit->metadata, g_strdup (k), g_strdup (v));
  return g_steal_pointer (&vit);
}

VitaVit *
vita_vit_load (const char *path, GError **error)
{
  g_autoptr(VitaSafetensors) st = vita_safetensors_load (path, error);
  if (st == NULL)
    return NULL;
  VitaVit *vit = vita_vit_from_safetensors (st, FALSE, error);
  if (vit == NULL)
    return NULL;
  vit->path = g_strdup (path);
  g_strlcpy (vit->sha256, vita_safetensors_get_sha256 (st), sizeof vit->sha256);
  return vit;
}

void
vita_vit_to_safetensors (const VitaVit *vit, VitaSafetensors *st)
{
  GHashTable *md = vita_safetensors_metadata (st);
  GHashTableIter it;
  gpointer k, v;
  g_hash_table_iter_init (&it, vit->metadata);
  while (g_hash_table_iter_next (&it, &k, &v))
    if (!vita_vit_metadata_key_is_config (k))
      vita_safetensors_set_metadata (st, k, v);
  vita_vit_config_to_metadata (&vit->cfg, md);

  const float *p = vit->memory;
  for (int i = 0; i < VITA_VIT_N_PARAM_TENSORS; i++)
    {
      if (vit->sizes[i] == 0)
        continue;
      gint64 shape[VITA_TENSOR_MAX_DIMS];
      int nd = vita_vit_tensor_shape (&vit->cfg, i, shape);
      int layers = vita_vit_tensor_is_per_layer (i) ? vit->cfg.depth : 1;
      gsize per = vit->sizes[i] / (gsize) layers;
      for (int l = 0; l < layers; l++)
        {
          g_autofree char *name = vita_vit_tensor_name (i, l);
          vita_safetensors_add (st, name, nd, shape, p + (gsize) l * per);
        }
      p += vit->sizes[i];
    }
}

gboolean
vita_vit_save (const VitaVit *vit, const char *path, GError **error)
{
  g_autoptr(VitaSafetensors) st = vita_safetensors_new ();
  vita_vit_to_safetensors (vit, st);
  return vita_safetensors_save (st, path, error);
}

gboolean
vita_vit_save_f16 (const VitaVit *vit, const char *path, GError **error)
{
  g_autoptr(VitaSafetensors) st = vita_safetensors_new ();
  vita_vit_to_safetensors (vit, st);
  vita_safetensors_set_store_f16 (st, TRUE);
  return vita_safetensors_save (st, path, error);
}
