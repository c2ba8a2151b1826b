/* vita-vit-io.h — additions to the model-file API of vita-vit.h (vita-vit-io.c):
 * the timm tensor names and shapes of shared/design/vit1d-format.md, for the
 * trainer's checkpoints (adam.m.<name>) and the CLI. */
#pragma once

#include "vita-vit.h"

G_BEGIN_DECLS

/* The format document's name of parameter tensor `index` (0..VITA_VIT_N_PARAM_TENSORS-1,
 * the order of VitaVitParams) for block `layer` (ignored for non-block tensors),
 * e.g. (6, 3) → "blocks.3.attn.qkv.weight".  Free with g_free. */
char    *vita_vit_tensor_name (int index, int layer);
/* TRUE for the per-block tensors (blocks.{i}.*), stacked (L, ...) in VitaVitParams. */
gboolean vita_vit_tensor_is_per_layer (int index);
/* The file shape of one tensor (one block's for per-block ones), e.g. cls_token
 * [1, 1, D]; returns ndim. */
int      vita_vit_tensor_shape (const VitaVitConfig *cfg, int index,
                                gint64 shape[VITA_TENSOR_MAX_DIMS]);

/* TRUE when key is one of the configuration keys written by
 * vita_vit_config_to_metadata (the rest is provenance, kept in vit->metadata). */
gboolean vita_vit_metadata_key_is_config (const char *key);

G_END_DECLS
