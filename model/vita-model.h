/* vita-model.h — error domain of the model library (no GTK, no GStreamer). */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define VITA_MODEL_ERROR (vita_model_error_quark ())
GQuark vita_model_error_quark (void);

typedef enum {
  VITA_MODEL_ERROR_IO,           /* cannot open / read / write a file */
  VITA_MODEL_ERROR_CORRUPT,      /* malformed container: header, offsets, dtype, data */
  VITA_MODEL_ERROR_MISMATCH,     /* tensors or shapes disagree with the metadata */
  VITA_MODEL_ERROR_METADATA,     /* missing, non-numeric, zero or absurd metadata */
  VITA_MODEL_ERROR_UNSUPPORTED,  /* a valid file of a variant we do not run (RMSNorm, RoPE, ...) */
  VITA_MODEL_ERROR_NONFINITE,    /* NaN / Inf in weights or in a loss */
  VITA_MODEL_ERROR_CANCELLED,
  VITA_MODEL_ERROR_PARSE,        /* annotation / text file syntax (names the line) */
  VITA_MODEL_ERROR_BUSY,         /* e.g. a training folder locked by another trainer */
} VitaModelError;

G_END_DECLS
