/* vita-panel-card.h — the card around one panel of the main window: a header (title,
 * subtitle, a menu, a hide button), the panel's view, and a handle at the bottom edge
 * that resizes it.
 *
 * What a person does with a card reaches the window as actions of the "panels"
 * group, each with the panel's name (app/vita-window-arrange.c):
 *   panels.hide(s), panels.move-up(s), panels.move-down(s), panels.maximise(s)
 *                          the card's menu and hide button; a double-click on the
 *                          header is panels.maximise
 *   panels.move-to((ss))   a header dragged onto another card: (dragged, target)
 * The handle's drag sets the card's content height (the view's height on screen);
 * a square card (the model's panels) without one is as tall as its width allows. */
#pragma once

#include <gtk/gtk.h>

#include "vita-painters.h"

G_BEGIN_DECLS

#define VITA_TYPE_PANEL_CARD (vita_panel_card_get_type ())
G_DECLARE_FINAL_TYPE (VitaPanelCard, vita_panel_card, VITA, PANEL_CARD, GtkWidget)

/* A card for `panel` holding `view` (a VitaPanelView). */
GtkWidget  *vita_panel_card_new              (VitaPanel panel, GtkWidget *view);
VitaPanel   vita_panel_card_get_panel        (VitaPanelCard *self);
GtkWidget  *vita_panel_card_get_view         (VitaPanelCard *self);
/* The subtitle label (the probe panel shows the key there). */
GtkLabel   *vita_panel_card_get_subtitle     (VitaPanelCard *self);
/* Height of the view chosen by the person (px); 0: the panel's own. */
int         vita_panel_card_get_content_height (VitaPanelCard *self);
void        vita_panel_card_set_content_height (VitaPanelCard *self, int height);
/* Puts `widget` in the header, before the card's menu (the probe-o-gram's task). */
void        vita_panel_card_add_header_widget (VitaPanelCard *self, GtkWidget *widget);
/* The least height of the view whatever was chosen (probe lanes stay readable: the
 * panel grows with them), px; 0: none. */
void        vita_panel_card_set_min_content_height (VitaPanelCard *self, int height);
/* Maximised: the content takes what the window gives it (no fixed height). */
void        vita_panel_card_set_maximised    (VitaPanelCard *self, gboolean maximised);
/* Square: the model's panels (a row of the registry, vita-painters.h), whose height
 * follows their width. */
gboolean    vita_panel_card_is_square        (VitaPanelCard *self);
/* A square panel that draws A beside B (a comparison, not A − B): a wider narrowest
 * card and a height for half its width each side (the window sets it). */
void        vita_panel_card_set_two_sided    (VitaPanelCard *self, gboolean two_sided);
gboolean    vita_panel_card_get_two_sided    (VitaPanelCard *self);
/* The presentation type scale (1×–3×) of the card's title and subtitle; scaled, the
 * title gives way (ellipsised) too, so that the window keeps its minimum width. */
void        vita_panel_card_set_type_scale   (VitaPanelCard *self, double scale);
/* A label's text at `scale` × its font size (a Pango scale attribute; 1: none). */
void        vita_label_set_type_scale        (GtkLabel *label, double scale);

/* The smallest height a person can drag a view to, px. */
#define VITA_PANEL_CARD_MIN_HEIGHT 48

G_END_DECLS
