/* vita-model.c — error domain of the model library. */
#include "vita-model.h"

G_DEFINE_QUARK (vita-model-error-quark, vita_model_error)
