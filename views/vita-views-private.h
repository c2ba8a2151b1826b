/* vita-views-private.h — test hooks of views/, for tests and benchmarks only. */
#pragma once

#include "vita-painters.h"

G_BEGIN_DECLS

/* How analysis sources recompute a window's attention (default
 * vita_analysis_window_attention); applies to caches created afterwards: synthetic
 * analyses in tests and benchmarks. */
void vita_views_set_attention_func (VitaWindowAttentionFunc func);
/* The next writes of every atomic file fail with ENOSPC after n bytes (-1 = off). */
void vita_export_set_fail_after (gssize n_bytes);

G_END_DECLS
