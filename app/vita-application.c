/* vita-application.c — application-wide actions, command line, settings. */
#include "vita-config.h"
#include "vita-application.h"

#include <glib/gi18n.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#include "vita-engine.h"
#include "vita-gst-decode.h"
#include "vita-preferences.h"
#include "vita-window.h"

/* The GResource compiled by resources/meson.build. */
extern GResource *vita_get_resource (void);

struct _VitaApplication
{
  AdwApplication  parent_instance;
  GSettings      *settings;
};

G_DEFINE_FINAL_TYPE (VitaApplication, vita_application, ADW_TYPE_APPLICATION)

static const GOptionEntry options[] = {
  { "model", 'm', 0, G_OPTION_ARG_FILENAME, NULL,
    N_("Model file (.safetensors) to open with the audio"), N_("MODEL") },
  { "version", 0, 0, G_OPTION_ARG_NONE, NULL, N_("Print the version and exit"), NULL },
  { NULL }
};

static VitaWindow *
get_window (VitaApplication *self)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (self));

  if (window == NULL)
    window = GTK_WINDOW (vita_window_new (ADW_APPLICATION (self)));
  return VITA_WINDOW (window);
}

static void
vita_application_activate (GApplication *app)
{
  VitaWindow *window = get_window (VITA_APPLICATION (app));
  gtk_window_present (GTK_WINDOW (window));
}

static int
vita_application_handle_local_options (GApplication *app, GVariantDict *options)
{
  if (g_variant_dict_contains (options, "version"))
    {
      g_print ("vitascope %s\n", VITA_VERSION);
      return 0;
    }
  return -1;
}

/* A session names its own model: no default model beside it. */
static gboolean
has_session_arg (char **argv, int argc)
{
  for (int i = 1; i < argc; i++)
    if (g_str_has_suffix (argv[i], ".vitascope"))
      return TRUE;
  return FALSE;
}

static int
vita_application_command_line (GApplication *app, GApplicationCommandLine *cmdline)
{
  VitaApplication *self = VITA_APPLICATION (app);
  GVariantDict *options = g_application_command_line_get_options_dict (cmdline);
  g_autofree char *model = NULL;
  g_auto(GStrv) argv = NULL;
  int argc = 0;
  VitaWindow *window;
  gboolean new_window = gtk_application_get_active_window (GTK_APPLICATION (app)) == NULL;

  argv = g_application_command_line_get_arguments (cmdline, &argc);
  window = get_window (self);
  g_variant_dict_lookup (options, "model", "^ay", &model);
  if (model != NULL)
    {
      g_autoptr(GFile) file = g_application_command_line_create_file_for_arg (cmdline, model);
      vita_window_open_model (window, file);
    }
  else if (new_window && !has_session_arg (argv, argc) &&
           (argc > 1 || !vita_window_restore_last_session (window)))
    vita_window_open_model (window, NULL);
  /* audio files, models and .vitascope sessions, by their names */
  for (int i = 1; i < argc; i++)
    {
      g_autoptr(GFile) file = g_application_command_line_create_file_for_arg (cmdline, argv[i]);
      vita_window_open_file (window, file);
    }
  gtk_window_present (GTK_WINDOW (window));
  return 0;
}

static void
on_blas_threads_changed (VitaApplication *self)
{
  vita_engine_set_blas_threads (g_settings_get_int (self->settings, "blas-threads"));
}

static void
action_quit (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  GApplication *app = user_data;
  GList *windows = g_list_copy (gtk_application_get_windows (GTK_APPLICATION (app)));

  /* Closing asks each window to save what it must (the last session, its size);
   * destroying cancels and joins its worker threads (dispose).  A window that
   * refused to close is destroyed all the same. */
  for (GList *l = windows; l != NULL; l = l->next)
    g_object_ref (l->data);
  for (GList *l = windows; l != NULL; l = l->next)
    {
      gtk_window_close (l->data);
      gtk_window_destroy (l->data);
    }
  g_list_free_full (windows, g_object_unref);
  g_application_quit (app);
}

static void
action_about (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  GtkApplication *app = user_data;
  const char *developers[] = { "The Vitascope developers", NULL };
  AdwAboutWindow *about = ADW_ABOUT_WINDOW (adw_about_window_new ());

  adw_about_window_set_application_name (about, _("Vitascope"));
  adw_about_window_set_application_icon (about, VITA_APP_ID);
  adw_about_window_set_version (about, VITA_VERSION);
  adw_about_window_set_developer_name (about, _("The Vitascope developers"));
  adw_about_window_set_developers (about, developers);
  adw_about_window_set_comments (about,
      _("Look inside a music transformer: attention, self-similarity and probes of a "
        "ViT-1D trained with NT-Xent, in step with the music.\n\n"
        "After Kong et al., “Emergent musical properties of a transformer under "
        "contrastive self-supervised learning”, ISMIR 2025."));
  adw_about_window_set_license_type (about, GTK_LICENSE_GPL_3_0);
  adw_about_window_set_website (about, "https://github.com/vitascope/vitascope");
  /* Translators: your name(s), one per line, shown in the About window. */
  adw_about_window_set_translator_credits (about, _("translator-credits"));
  gtk_window_set_transient_for (GTK_WINDOW (about), gtk_application_get_active_window (app));
  gtk_window_present (GTK_WINDOW (about));
}

static void
action_preferences (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  GtkApplication *app = user_data;
  VitaPreferences *prefs = vita_preferences_new (gtk_application_get_active_window (app));
  gtk_window_present (GTK_WINDOW (prefs));
}

static const GActionEntry app_actions[] = {
  { "quit", action_quit },
  { "about", action_about },
  { "preferences", action_preferences },
};

static void
vita_application_startup (GApplication *app)
{
  VitaApplication *self = VITA_APPLICATION (app);
  GtkApplication *gtk_app = GTK_APPLICATION (app);

  G_APPLICATION_CLASS (vita_application_parent_class)->startup (app);
  /* Formats libsndfile does not read (AAC, ...) decode through GStreamer. */
  vita_gst_decode_register ();

  g_action_map_add_action_entries (G_ACTION_MAP (app), app_actions, G_N_ELEMENTS (app_actions), app);
  gtk_application_set_accels_for_action (gtk_app, "app.quit", (const char *[]) { "<Control>q", NULL });
  gtk_application_set_accels_for_action (gtk_app, "app.preferences", (const char *[]) { "<Control>comma", NULL });
  gtk_application_set_accels_for_action (gtk_app, "win.open", (const char *[]) { "<Control>o", NULL });
  gtk_application_set_accels_for_action (gtk_app, "win.open-model", (const char *[]) { "<Control>m", NULL });
  gtk_application_set_accels_for_action (gtk_app, "win.train-model", (const char *[]) { "<Control><Shift>t", NULL });
  gtk_application_set_accels_for_action (gtk_app, "win.save-session", (const char *[]) { "<Control>s", NULL });
  gtk_application_set_accels_for_action (gtk_app, "win.save-session-as", (const char *[]) { "<Control><Shift>s", NULL });
  gtk_application_set_accels_for_action (gtk_app, "win.export", (const char *[]) { "<Control>e", NULL });
  gtk_application_set_accels_for_action (gtk_app, "window.close", (const char *[]) { "<Control>w", NULL });

  self->settings = g_settings_new (VITA_APP_ID);
  g_signal_connect_swapped (self->settings, "changed::blas-threads",
                            G_CALLBACK (on_blas_threads_changed), self);
  on_blas_threads_changed (self);
}

static void
vita_application_shutdown (GApplication *app)
{
  VitaApplication *self = VITA_APPLICATION (app);

  g_clear_object (&self->settings);
  G_APPLICATION_CLASS (vita_application_parent_class)->shutdown (app);
}

/* The heap grows and shrinks 64 MiB beyond what is in use (glibc's M_TOP_PAD; default
 * 128 KiB), in at most two arenas (M_ARENA_MAX; default 8 per core).  Each frame GTK's
 * Cairo renderer allocates its paint and group surfaces afresh, and the panels their
 * content surfaces; with the default pad the heap's top was trimmed and re-grown, so a
 * frame wrote into pages never touched or mapped to the zero page by a read, and while
 * the analysis ran on the other core each such fault cost a TLB shoot-down (perf:
 * do_wp_page → flush_tlb_mm_range → smp_call_function_many_cond, 50-70 % of a 40-60 ms
 * frame at the open and at a seek).  The pad keeps those pages mapped and reused
 * (bench-app: first frame → attention panels 110-150 → 30-100 ms, a seek 82-153 →
 * 60-105 ms).  Every arena keeps its pad, and one per thread (decoder, analysis
 * workers, GTK's and GLib's pools) took a 3-hour track's peak RSS from 373 to 464 MB;
 * two arenas (the main thread's, one for the others) keep it at 364-380 MB (issue 14
 * item 5: ≤ 400).  Untouched pad is never resident. */
static void
tune_heap (void)
{
#ifdef __GLIBC__
  mallopt (M_ARENA_MAX, 2);
  mallopt (M_TOP_PAD, 64 << 20);
#endif
}

static void
vita_application_class_init (VitaApplicationClass *klass)
{
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  tune_heap ();

  app_class->activate = vita_application_activate;
  app_class->startup = vita_application_startup;
  app_class->shutdown = vita_application_shutdown;
  app_class->command_line = vita_application_command_line;
  app_class->handle_local_options = vita_application_handle_local_options;

  /* The resource object is in a static library: reference it so it is linked. */
  g_resources_register (vita_get_resource ());
}

static void
vita_application_init (VitaApplication *self)
{
  g_application_add_main_option_entries (G_APPLICATION (self), options);
  g_application_set_option_context_parameter_string (G_APPLICATION (self), _("[FILE]"));
  g_application_set_option_context_summary (G_APPLICATION (self),
      _("Plays a piece of music and shows what a music transformer does with it."));
}

VitaApplication *
vita_application_new (GApplicationFlags flags)
{
  return g_object_new (VITA_TYPE_APPLICATION,
                       "application-id", VITA_APP_ID,
                       "resource-base-path", VITA_RESOURCE_PATH,
                       "flags", flags | G_APPLICATION_HANDLES_COMMAND_LINE,
                       NULL);
}
