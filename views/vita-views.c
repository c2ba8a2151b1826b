/* vita-views.c — placeholder until the timeline and painters land. */
#include <glib.h>
