/* tsan-glib.h — force-included in the ThreadSanitizer build only (bash setup.sh tsan).
 * Debian's GLib is not built with TSan and its GMutex/GCond use futexes directly, so
 * TSan cannot see the happens-before they give and reports every access they guard
 * as a race.  These wrappers tell TSan about each lock, unlock and condition wait of
 * the code we compile (GLib's own internal locking stays invisible: see tsan.supp). */
#pragma once
/* included before everything: the feature macros a file would set come first */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1
#endif
#include <glib.h>

void __tsan_acquire (void *addr);
void __tsan_release (void *addr);

static inline void
vita_tsan_mutex_lock (GMutex *m)
{
  (g_mutex_lock) (m);
  __tsan_acquire (m);
}

static inline void
vita_tsan_mutex_unlock (GMutex *m)
{
  __tsan_release (m);
  (g_mutex_unlock) (m);
}

static inline void
vita_tsan_cond_wait (GCond *c, GMutex *m)
{
  __tsan_release (m);
  (g_cond_wait) (c, m);
  __tsan_acquire (m);
}

static inline gboolean
vita_tsan_cond_wait_until (GCond *c, GMutex *m, gint64 end_time)
{
  __tsan_release (m);
  gboolean r = (g_cond_wait_until) (c, m, end_time);
  __tsan_acquire (m);
  return r;
}

static inline void
vita_tsan_cond_signal (GCond *c)
{
  (g_cond_signal) (c);
}

#define g_mutex_lock(m)               vita_tsan_mutex_lock (m)
#define g_mutex_unlock(m)             vita_tsan_mutex_unlock (m)
#define g_cond_wait(c, m)             vita_tsan_cond_wait ((c), (m))
#define g_cond_wait_until(c, m, t)    vita_tsan_cond_wait_until ((c), (m), (t))
