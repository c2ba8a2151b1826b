/* vita-main-post.h — hand a function from a worker thread to the main thread.
 *
 * g_main_context_invoke() is not that: called on a worker thread whose thread-default
 * context is the global default, it runs the function right there whenever it can
 * acquire the context (nobody iterating it at that moment: between two
 * g_main_context_iteration calls, before g_application_run), i.e. GTK on the worker
 * thread.  vita_main_post always attaches an idle source, so the function runs on
 * whichever thread iterates context, never on the caller's.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* context NULL: the global default context.  destroy (may be NULL) frees data after
 * the function ran, or when the source is dropped unrun. */
void vita_main_post (GMainContext *context, int priority, GSourceFunc function,
                     gpointer data, GDestroyNotify destroy);

G_END_DECLS
