/* vita-attr-settings.h — what an attribution overlay on the mel panel was computed
 * from (issue 17): target, method and options, probe file, opacity.  Recorded in
 * figure sidecars (`vitascope-cli render` computes it again) and in session files
 * (the app computes it again on restore).  The target is the text form of
 * model/explain's vita_attr_target_parse ("class:C:maj@83.0", "received:2:0@12.5"). */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

typedef struct {
  char   *target;        /* NULL: no attribution */
  char   *method;        /* "ig", "grad-input", "occlusion" */
  int     steps;         /* IG */
  int     patch_frames;  /* occlusion */
  int     patch_bands;
  char   *probe;         /* absolute path of the probe file of class/prob targets, or NULL */
  double  opacity;       /* 0..1 */
} VitaAttrSettings;

/* target NULL, method "ig", 64 steps, 8 × 8 patch, opacity 0.7. */
void     vita_attr_settings_init  (VitaAttrSettings *s);
void     vita_attr_settings_clear (VitaAttrSettings *s);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (VitaAttrSettings, vita_attr_settings_clear)
void     vita_attr_settings_copy  (VitaAttrSettings *dst, const VitaAttrSettings *src);
/* Adds member "attribution" (an object) to the open object of b when s->target is set. */
void     vita_attr_settings_write (const VitaAttrSettings *s, JsonBuilder *b);
/* Reads member "attribution" of obj (absent: s stays empty).  Errors name `file` and
 * the field, e.g. "“x.json”: attribution.steps must be 1–4096". */
gboolean vita_attr_settings_read  (VitaAttrSettings *s, JsonObject *obj, const char *file,
                                   GError **error);

G_END_DECLS
