/* vita-file-private.h — test hook of vita-file.c, for tests and nothing else. */
#pragma once

#include "vita-file.h"

G_BEGIN_DECLS

/* Simulates a full disk: every atomic file fails with ENOSPC once it holds n_bytes
 * (-1: never, the default). */
void vita_atomic_file_set_fail_after (gssize n_bytes);

G_END_DECLS
