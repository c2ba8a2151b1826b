/* vita-window-private.h — what the files of the main window share (the window is
 * split by concern, as gnome-text-editor's editor-window does):
 *   vita-window.c          template, title, banners, observing the session, action state
 *   vita-window-actions.c  actions and key bindings, playback, file choosers
 *   vita-window-panels.c   the one place panels are created and connected to the session
 *   vita-window-arrange.c  the panels' arrangement: shown, order, heights, maximised
 *   vita-window-export.c   figure export
 *   vita-window-dnd.c      opening files (drag and drop, command line, recent files),
 *                          session files (open, save, save as, last session) */
#pragma once

#include "vita-window.h"
#include "vita-session.h"

G_BEGIN_DECLS

struct _VitaWindow
{
  AdwApplicationWindow  parent_instance;

  /* template widgets */
  AdwToastOverlay      *toast_overlay;
  GtkWidget            *content_box;
  AdwSplitButton       *open_button;
  GtkButton            *play_button;
  GtkToggleButton      *loop_button;
  GtkLabel             *position_label;
  AdwWindowTitle       *window_title;
  GtkDropDown          *head_dropdown;
  GtkDropDown          *layer_dropdown;
  GtkDropDown          *speed_dropdown;
  GtkRevealer          *progress_revealer;
  GtkLabel             *progress_label;
  GtkProgressBar       *progress_bar;
  GtkRevealer          *model_banner;
  GtkLabel             *model_banner_label;
  GtkRevealer          *missing_banner;
  GtkLabel             *missing_banner_label;
  GtkRevealer          *warning_banner;
  GtkLabel             *warning_banner_label;
  GtkStack             *main_stack;
  GtkBox               *panels_box;
  GMenu                *recent_menu;
  GMenu                *panels_menu;

  /* owned */
  GSettings            *settings;
  VitaSession          *session;
  GSignalGroup         *session_signals;   /* the window's observers of the session */
  GSignalGroup         *panel_signals;     /* the panels' observers (vita-window-panels.c) */
  VitaSessionSide      *compare_side;      /* the side B the panels show (ref), or NULL */
  VitaCompareTable     *compare_table;     /* the last comparison table computed, or NULL */
  GtkWidget            *compare_table_area; /* its drawing area while its window is open */
  GtkWidget            *b_bar;             /* side B's own layer / head (vita-window-compare.c) */
  GtkLabel             *b_bar_label;
  GtkDropDown          *layer_b_dropdown;
  GtkDropDown          *head_b_dropdown;
  GtkStringList        *layer_b_names;
  GtkStringList        *head_b_names;
  gboolean              syncing_b;
  GSignalGroup         *ab_side_signals;   /* side B's, while it is an edit (A/B playback) */
  gboolean              ab_from_side;      /* the player's alternate audio is side B's PCM */
  VitaPlayer           *player;
  char                 *last_error;
  GtkStringList        *layer_names;
  GtkStringList        *head_names;
  GtkWidget            *panels[VITA_MAX_PANELS]; /* VitaPanelView widgets, in their cards */
  GtkWidget            *no_model_page;     /* shown in their place without a model (owned) */
  GtkWidget            *probes_subtitle;   /* probe panel subtitle: key annotation/prediction */
  /* the arrangement (vita-window-arrange.c) */
  GtkWidget            *cards[VITA_MAX_PANELS]; /* VitaPanelCard, owned (shown or not) */
  VitaPanel             order[VITA_MAX_PANELS];
  int                   n_order;
  gboolean              panel_hidden[VITA_MAX_PANELS];
  int                   maximised;         /* the maximised panel, or -1 */
  /* while a presentation view shows (a temporary override of what is shown): the
   * person's own arrangement, saved and restored as it was */
  gboolean              in_view;
  gboolean              user_hidden[VITA_MAX_PANELS];
  int                   user_maximised;
  char                 *layout_key;        /* what relayout last showed */
  GSimpleActionGroup   *panel_actions;     /* "panels." */
  GtkDropDown          *probeogram_task;   /* the probe-o-gram's task, in its card's header */
  GtkStringList        *probe_tasks;       /* its choices (owned) */
  GtkWindow            *training_window;   /* weak pointer */

  /* borrowed */
  GtkRecentManager     *recent;

  guint                 tick_id;
  guint                 n_errors;
  gboolean              syncing;           /* guards dropdown <-> timeline echo */
  gboolean              keep_last_session; /* the last-session file did not read: never overwrite it */
  struct _VitaTeach    *teach;             /* series, presentation, style (vita-window-teach.c) */
  GtkWidget            *video_dialog;      /* weak pointer: Export Video… (vita-window-video.c) */
};

/* vita-window.c */
void     _vita_window_update_actions (VitaWindow *self);
void     _vita_window_update_loop (VitaWindow *self);
void     _vita_window_sync_position_from_player (VitaWindow *self);
void     _vita_window_toast (VitaWindow *self, const char *text);

/* vita-window-actions.c */
void     _vita_window_actions_class_init (GtkWidgetClass *widget_class);
void     _vita_window_actions_init (VitaWindow *self);
/* vita-window-compare.c: the comparison actions (side B). */
void     _vita_window_compare_init (VitaWindow *self);
void     _vita_window_compare_dispose (VitaWindow *self);
void     _vita_window_update_onset_clicks (VitaWindow *self);
/* The layer and head drop-downs follow the timeline's model shape; speed follows the session. */
void     _vita_window_rebuild_layer_head_lists (VitaWindow *self);
void     _vita_window_on_session_speed (VitaWindow *self);
/* Adds FILTER (taken) and "All files", remembers FLAG under KEY, shows the modal chooser. */
void     _vita_window_show_chooser (VitaWindow *self, GtkFileChooserNative *native,
                                    GtkFileFilter *filter, const char *key, gboolean flag,
                                    GCallback on_response);

/* vita-window-panels.c */
void     _vita_window_panels_build (VitaWindow *self);
void     _vita_window_panels_update_model_cards (VitaWindow *self);
void     _vita_window_panels_queue_draw (VitaWindow *self);
void     _vita_window_panels_annotations_to_state (VitaWindow *self, VitaSessionState *state);
void     _vita_window_panels_annotations_from_state (VitaWindow *self, const VitaSessionState *state);
VitaPaintCache *_vita_window_panels_get_cache (VitaWindow *self);

/* vita-window-arrange.c */
void     _vita_window_arrange_init (VitaWindow *self);
void     _vita_window_arrange_dispose (VitaWindow *self);
/* Shows the cards that have something to show (after a model or probes change). */
void     _vita_window_arrange_update (VitaWindow *self);
void     _vita_window_arrange_show_only (VitaWindow *self, const char *const *panels);
gboolean _vita_window_arrange_leave_view (VitaWindow *self);
void     _vita_window_arrange_to_state (VitaWindow *self, VitaSessionState *state);
void     _vita_window_arrange_from_state (VitaWindow *self, const VitaSessionState *state);

/* vita-window-export.c */
void     _vita_window_export_class_init (GtkWidgetClass *widget_class);

/* vita-window-dnd.c */
void     _vita_window_dnd_class_init (GtkWidgetClass *widget_class);
void     _vita_window_dnd_init (VitaWindow *self);
/* Saves the session as the last one (quit), unless a restore is still under way. */
void     _vita_window_save_last_session (VitaWindow *self);

/* vita-window-video.c */
void     _vita_window_video_class_init (GtkWidgetClass *widget_class);
void     _vita_window_video_dispose (VitaWindow *self);

/* vita-window-teach.c */
typedef struct _VitaTeach VitaTeach;
void     _vita_window_teach_class_init (GtkWidgetClass *widget_class);
void     _vita_window_teach_init (VitaWindow *self);
gboolean _vita_window_teach_has_series (VitaWindow *self);
void     _vita_window_teach_keys_init (VitaWindow *self);
void     _vita_window_teach_to_state (VitaWindow *self, VitaSessionState *state);
void     _vita_window_teach_from_state (VitaWindow *self, const VitaSessionState *state);
void     _vita_window_teach_show_pending_view (VitaWindow *self);
void     _vita_window_teach_dispose (VitaWindow *self);
void     _vita_window_teach_finalize (VitaWindow *self);

G_END_DECLS
