/* vita-main-post.c — see vita-main-post.h. */
#include "vita-main-post.h"

void
vita_main_post (GMainContext *context, int priority, GSourceFunc function, gpointer data,
                GDestroyNotify destroy)
{
  GSource *source = g_idle_source_new ();
  g_source_set_priority (source, priority);
  g_source_set_callback (source, function, data, destroy);
  g_source_set_static_name (source, "vita_main_post");
  g_source_attach (source, context);
  g_source_unref (source);
}
