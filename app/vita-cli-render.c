/* vita-cli-render.c — `vitascope-cli render SIDECAR.json --out FILE.{png,svg,pdf}`:
 * re-renders an exported figure headlessly from its sidecar (audio path, model path
 * and SHA-256, panel, layer, head, time range, colormap, size, font size, figure
 * options) through the same painters and layout engine as the app; the paper
 * options (--size, --font-size, --no-playhead, --layers …) are the export dialog's.
 * `render SESSION.vitascope --panel NAME --out FILE` draws a panel of a saved session
 * the same way. */
#include "vita-cli.h"

#include "dsp/vita-audio.h"
#include "dsp/vita-mel.h"
#include "model/vita-analysis.h"
#include "model/vita-compare.h"
#include "dsp/vita-edit.h"
#include "views/vita-export.h"
#include "vita-session-file.h"
#include "vita-cli-render.h"
#include "vita-attr-run.h"
#include "model/vita-series.h"
#include "views/vita-probe-lanes.h"
#include "vita-probe-set.h"
#include "views/vita-probeogram.h"

#include <stdio.h>
#include <glib/gstdio.h>
#include <string.h>

/* A session file's view as an export spec: the first model, the audio, the timeline,
 * attention mode and colormap.  Times stay at the session's sample rate (checked
 * against the model's below). */
gboolean
vita_cli_spec_from_session (const char *path, const char *panel, VitaExportSpec *spec, GError **error)
{
  g_autoptr(VitaSessionState) state = vita_session_file_read (path, error);
  const VitaSessionView *v;

  if (state == NULL)
    return FALSE;
  vita_export_spec_init (spec);
  if (!vita_panel_from_string (panel ? panel : "layout", &spec->panel))
    {
      g_set_error (error, VITA_SESSION_FILE_ERROR, VITA_SESSION_FILE_ERROR_MALFORMED,
                   "unknown panel “%s” (see `vitascope-cli render --help`)", panel);
      return FALSE;
    }
  v = &state->view;
  if (state->audio != NULL)
    spec->audio_path = g_strdup (state->audio->path);
  if (state->models->len > 0)
    {
      VitaSessionRef *model = g_ptr_array_index (state->models, 0);
      spec->model_path = g_strdup (model->path);
      spec->model_sha256 = g_strdup (model->sha256);
    }
  else if (state->series != NULL)
    {
      /* a training series shown at a step: that checkpoint's file */
      g_autoptr(VitaSeries) series = vita_series_open (state->series, error);
      if (series == NULL)
        return FALSE;
      for (int i = 0; i < series->n; i++)
        if (series->entries[i].step == state->series_step)
          spec->model_path = g_strdup (series->entries[i].path);
      if (spec->model_path == NULL)
        {
          g_set_error (error, VITA_SESSION_FILE_ERROR, VITA_SESSION_FILE_ERROR_MALFORMED,
                       "Session file “%s”: the series %s has no checkpoint at step %" G_GINT64_FORMAT,
                       path, state->series, state->series_step);
          return FALSE;
        }
    }
  spec->attention_mode = v->attention_mode;
  if (v->colormap != NULL)
    vita_colormap_from_string (v->colormap, &spec->style.colormap);
  spec->snap.sample_rate = v->sample_rate;
  spec->snap.position = v->position;
  spec->snap.visible_start = v->visible_start;
  spec->snap.visible_end = v->visible_end > v->visible_start ? v->visible_end : G_MAXINT64 / 4;
  spec->snap.selection_start = v->selection_start;
  spec->snap.selection_end = v->selection_end;
  spec->snap.layer = v->layer;
  spec->snap.head = v->head;
  spec->snap.query_token = v->query_token;
  spec->snap.show_playhead = TRUE;
  vita_attr_settings_copy (&spec->attribution, &state->attribution);
  if (state->compare != NULL)
    {
      /* the comparison as the app shows it: side B, the view, B's own layer / head */
      static const char *const kinds[] = { "model", "twin", "edit" };
      const VitaSessionCompare *c = state->compare;
      spec->has_compare = TRUE;
      spec->compare_kind = g_strdup (kinds[CLAMP (c->kind, 0, 2)]);
      if (c->model != NULL)
        {
          spec->model_b_path = g_strdup (c->model->path);
          spec->model_b_sha256 = g_strdup (c->model->sha256);
        }
      spec->twin_seed = c->seed;
      spec->edits = g_strdupv (c->edits);
      spec->compare_view = c->difference ? VITA_COMPARE_DIFFERENCE : VITA_COMPARE_SIDE_BY_SIDE;
      spec->per_side_scale = c->per_side_scale;
      spec->own_layers = c->has_layer_b;
      spec->layer_b = c->layer_b;
      spec->head_b = c->head_b;
    }
  return TRUE;
}

gboolean
vita_cli_apply_view (const char *path, const char *name, VitaExportSpec *spec, gboolean keep_panel,
                     guint64 *panels, GError **error)
{
  g_autoptr(VitaSessionState) state = vita_session_file_read (path, error);
  g_autoptr(GString) names = g_string_new (NULL);

  *panels = 0;
  if (state == NULL)
    return FALSE;
  for (guint i = 0; i < state->views->len; i++)
    {
      const VitaSessionNamedView *nv = g_ptr_array_index (state->views, i);
      const VitaSessionView *v = &nv->view;
      int n = 0;
      VitaPanel p = VITA_PANEL_LAYOUT;
      if (!g_str_equal (nv->name, name))
        {
          g_string_append_printf (names, "%s“%s”", names->len ? ", " : "", nv->name);
          continue;
        }
      spec->attention_mode = v->attention_mode;
      spec->snap.layer = v->layer;
      spec->snap.head = v->head;
      spec->snap.query_token = v->query_token;
      for (char **q = nv->panels; q && *q; q++)
        if (vita_panel_from_string (*q, &p) && p < 64)
          *panels |= G_GUINT64_CONSTANT (1) << p, n++;
      if (n == 1 && !keep_panel)
        spec->panel = p;
      return TRUE;
    }
  g_set_error (error, VITA_SESSION_FILE_ERROR, VITA_SESSION_FILE_ERROR_MALFORMED,
               "Session file “%s” has no view “%s” (%s%s)", path, name,
               names->len ? "its views: " : "it has no views; capture one with Ctrl+B in the app",
               names->str);
  return FALSE;
}

/* A session's arrangement for the whole view, as the app's export draws it: its
 * panels in their order (order[VITA_MAX_PANELS]), then those it does not list, the
 * shown ones (or the maximised one) as the mask; *n_order 0 when it records none. */
static void
session_arrangement (const VitaSessionState *state, VitaPanel *order, int *n_order, guint64 *shown)
{
  VitaPanel p;

  *n_order = 0;
  *shown = 0;
  for (guint i = 0; i < state->panels->len && *n_order < VITA_MAX_PANELS; i++)
    {
      const VitaSessionPanel *sp = g_ptr_array_index (state->panels, i);
      if (!vita_panel_from_string (sp->name, &p) || p >= 64)
        continue;
      order[(*n_order)++] = p;
      if (state->maximised != NULL ? g_str_equal (state->maximised, sp->name) : sp->visible)
        *shown |= G_GUINT64_CONSTANT (1) << p;
    }
  /* the panels it does not list (newer than the session) follow, shown, as in the app */
  if (*n_order > 0)
    {
      int n_all;
      g_autofree VitaPanel *all = vita_panel_arrangement (&n_all);
      for (int i = 0; i < n_all && *n_order < VITA_MAX_PANELS; i++)
        {
          gboolean listed = FALSE;
          for (int j = 0; j < *n_order; j++)
            listed |= order[j] == all[i];
          if (!listed && all[i] < 64)
            {
              order[(*n_order)++] = all[i];
              if (state->maximised == NULL)
                *shown |= G_GUINT64_CONSTANT (1) << all[i];
            }
        }
    }
  if (*n_order > 0 && *shown == 0)
    *shown = G_GUINT64_CONSTANT (1) << VITA_PANEL_LAYOUT;   /* none shown: nothing */
}

/* A session's annotation files as the layers drawn over the waveform and mel panels
 * (those its Annotation Layers menu showed), as the app draws them; NULL when it has
 * none.  A file that does not parse is named on stderr and left out. */
static VitaAnnotationLayers *
session_annotations (const VitaSessionState *state, const char *prog, VitaAnnotations **loaded)
{
  g_autoptr(GStrvBuilder) paths = g_strv_builder_new ();
  g_auto(GStrv) list = NULL;
  int n = 0;

  for (guint i = 0; i < state->annotations->len; i++)
    {
      const VitaSessionRef *ref = g_ptr_array_index (state->annotations, i);
      if (!ref->found)
        {
          fprintf (stderr, "%s: annotation file %s not found; drawn without it\n", prog, ref->path);
          continue;
        }
      g_strv_builder_add (paths, ref->path);
      n++;
    }
  if (n == 0)
    return NULL;
  list = g_strv_builder_end (paths);
  g_autoptr(VitaAnnotations) ann = vita_annotations_load ((const char *const *) list);
  for (guint i = 0; ann->messages != NULL && i < ann->messages->len; i++)
    fprintf (stderr, "%s: %s\n", prog, (const char *) g_ptr_array_index (ann->messages, i));
  VitaAnnotationLayers *layers = vita_annotation_layers_new (
    ann, vita_annotation_kind_from_names ((const char *const *) state->annotation_layers));
  if (loaded)
    *loaded = g_steal_pointer (&ann);
  return layers;
}

/* A session's probes (refs) applied to an analysis as the app's probe lanes, scored
 * against ann (may be NULL); a probe that cannot be read or does not fit is named on
 * stderr and left out.  NULL without probes. */
static VitaProbeSet *
session_probes (GPtrArray *refs, const VitaAnalysis *an, const VitaAnnotations *ann,
                const char *side, const char *prog)
{
  if (refs == NULL || refs->len == 0)
    return NULL;
  VitaProbeSet *set = vita_probe_set_new ();
  g_autoptr(GPtrArray) messages = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; i < refs->len; i++)
    {
      const VitaSessionRef *ref = g_ptr_array_index (refs, i);
      g_autoptr(GError) error = NULL;
      VitaProbe *probe = ref->found ? vita_probe_load (ref->path, &error) : NULL;
      if (probe == NULL)
        {
          fprintf (stderr, "%s: %s probe %s: %s; drawn without it\n", prog, side, ref->path,
                   error ? error->message : "not found");
          continue;
        }
      vita_probe_set_add_probe (set, probe, ref->path);
    }
  vita_probe_set_update_lanes_with_truth (set, an, ann, messages);
  for (guint i = 0; i < messages->len; i++)
    fprintf (stderr, "%s: %s: %s\n", prog, side, (const char *) g_ptr_array_index (messages, i));
  return set;
}

static void
on_progress (VitaAnalysis *an, int done, int total, gpointer data)
{
  vita_cli_progress ("analysing", total > 0 ? (double) done / total : 1.0, NULL);
}

/* Loads what spec names (model, audio; SHA-256 and rates checked), analyses the audio
 * and makes the painters' sources; prints a message naming the file on failure.
 * session: spec came from a session file (its times are rescaled to the model's rate). */
gboolean
vita_cli_scene_load (VitaCliScene *sc, VitaExportSpec *spec, const char *prog, const char *source,
                     gboolean session, gboolean allow_mismatch)
{
  g_autoptr(GError) error = NULL;
  VitaVit *vit;
  VitaPcm *pcm;
  VitaAnalysis *an;
  float *mel;

  if (spec->audio_path == NULL || spec->model_path == NULL)
    {
      fprintf (stderr, "%s: %s “%s” names no %s file (pass --%s)\n", prog,
               session ? "session" : "sidecar", source,
               spec->audio_path ? "model" : "audio", spec->audio_path ? "model" : "audio");
      return FALSE;
    }
  vit = sc->vit = vita_vit_load (spec->model_path, &error);
  if (vit == NULL)
    {
      fprintf (stderr, "%s: %s\n", prog, error->message);
      return FALSE;
    }
  if (spec->model_sha256 && vit->sha256[0] && g_ascii_strcasecmp (spec->model_sha256, vit->sha256) != 0)
    {
      fprintf (stderr, "%s: model “%s” has SHA-256 %s, the sidecar records %s%s\n", prog,
               spec->model_path, vit->sha256, spec->model_sha256,
               allow_mismatch ? " (rendering anyway)" : "; use --allow-model-mismatch to render anyway");
      if (!allow_mismatch)
        return FALSE;
    }
  g_free (spec->model_sha256);
  spec->model_sha256 = vit->sha256[0] ? g_strdup (vit->sha256) : NULL;
  const VitaFrontend *fe = &vit->cfg.fe;
  if (session)
    {
      /* the session records its times at its own rate; the hop is the model's */
      if (spec->snap.sample_rate > 0 && spec->snap.sample_rate != fe->sample_rate)
        {
          double k = (double) fe->sample_rate / spec->snap.sample_rate;
          spec->snap.position = (gint64) (spec->snap.position * k + 0.5);
          spec->snap.visible_start = (gint64) (spec->snap.visible_start * k + 0.5);
          if (spec->snap.visible_end < G_MAXINT64 / 4)
            spec->snap.visible_end = (gint64) (spec->snap.visible_end * k + 0.5);
          spec->snap.selection_start = (gint64) (spec->snap.selection_start * k + 0.5);
          spec->snap.selection_end = (gint64) (spec->snap.selection_end * k + 0.5);
        }
      spec->snap.sample_rate = fe->sample_rate;
      spec->snap.hop = fe->hop_length;
    }
  if (spec->snap.sample_rate != fe->sample_rate || spec->snap.hop != fe->hop_length)
    {
      fprintf (stderr, "%s: sidecar “%s” was made at %d Hz / hop %d, the model uses %d Hz / hop %d\n",
               prog, source, spec->snap.sample_rate, spec->snap.hop, fe->sample_rate,
               fe->hop_length);
      return FALSE;
    }
  pcm = sc->pcm = vita_audio_load (spec->audio_path, fe->sample_rate, NULL, &error);
  if (pcm == NULL)
    {
      fprintf (stderr, "%s: %s\n", prog, error->message);
      return FALSE;
    }
  if (spec->snap.n_samples && (gint64) pcm->n_samples != spec->snap.n_samples)
    fprintf (stderr, "%s: warning: “%s” now has %zu samples, the sidecar recorded %" G_GINT64_FORMAT "\n",
             prog, spec->audio_path, pcm->n_samples, spec->snap.n_samples);
  if (!vita_vit_check_audio (&vit->cfg, pcm->n_samples, spec->audio_path, &error))
    {
      fprintf (stderr, "%s: %s\n", prog, error->message);
      return FALSE;
    }
  {
    g_autoptr(VitaMel) melp = vita_mel_new (fe, &error);
    g_autofree float *onset = NULL;
    gsize n_frames = 0;
    /* the one front-end call: the model input and the spectral flux */
    mel = sc->mel = melp ? vita_mel_features (melp, pcm->samples, pcm->n_samples, &onset,
                                              &n_frames, &error)
                         : NULL;
    if (mel == NULL)
      {
        fprintf (stderr, "%s: %s: %s\n", prog, spec->audio_path, error->message);
        return FALSE;
      }
    VitaAnalysisOptions opt;
    vita_analysis_options_init (&opt);
    /* Tokens are large: kept only for a panel drawn from them (layer similarity). */
    opt.keep_tokens = (vita_panel_get_class (spec->panel)->depends & VITA_DEPENDS_TOKENS) != 0 ||
                      sc->keep_tokens;
    opt.priority_frame = (int) (spec->snap.position / fe->hop_length);
    /* the window's batches: the same windows share a forward pass as in the app, so
     * the tokens (and the lanes drawn from them) are the window's bit for bit */
    opt.batch = VITA_ANALYSIS_APP_BATCH;
    an = sc->an = vita_analysis_new (vit, mel, (int) n_frames, &opt, &error);
    if (an != NULL)
      vita_analysis_set_onset (an, onset);
    /* a panel that draws nothing of the analysis (waveform, overview): the analysis's
     * layout only, not its forward passes (a 3-hour track's waveform took 28 s) */
    gboolean audio_only = (vita_panel_get_class (spec->panel)->depends & VITA_DEPENDS_AUDIO_ONLY) &&
                          !sc->keep_tokens;
    /* then the whole track's layer similarity (a no-op without tokens) */
    if (an == NULL ||
        (!audio_only && (!vita_analysis_run (an, on_progress, NULL, NULL, NULL, NULL, &error) ||
                         !vita_analysis_run_track_cka (an, NULL, NULL, NULL, &error))))
      {
        vita_cli_progress_end ();
        fprintf (stderr, "%s: analysing “%s”: %s\n", prog, spec->audio_path, error->message);
        return FALSE;
      }
    vita_cli_progress_end ();
  }
  spec->snap.n_samples = pcm->n_samples;
  /* The audio may be shorter than the recorded range (another file, an edit):
   * clamp as the timeline would, keeping the span when possible. */
  {
    gint64 span = MIN (spec->snap.visible_end - spec->snap.visible_start, (gint64) pcm->n_samples);
    gint64 start = CLAMP (spec->snap.visible_start, 0, (gint64) pcm->n_samples - span);
    spec->snap.visible_start = start;
    spec->snap.visible_end = start + MAX (span, 1);
    spec->snap.position = CLAMP (spec->snap.position, 0, (gint64) pcm->n_samples);
  }
  spec->snap.n_frames = an->n_frames;
  spec->snap.n_layers = an->n_layers;
  spec->snap.n_heads = an->cfg.heads;
  /* Every index the sidecar names is checked against the model before anything is
   * drawn or written (issue 15.1). */
  if (!vita_export_spec_check (spec, an->n_layers, an->cfg.heads, an->n_frames, source, &error))
    {
      fprintf (stderr, "%s: %s\n", prog, error->message);
      return FALSE;
    }
  sc->cache = vita_paint_cache_new (an);
  sc->peaks = vita_peaks_new (pcm->samples, pcm->n_samples, pcm->sample_rate);
  return TRUE;
}

void
vita_cli_scene_clear (VitaCliScene *sc)
{
  if (sc->peaks)
    vita_peaks_unref (sc->peaks);
  if (sc->cache)
    vita_paint_cache_unref (sc->cache);
  if (sc->an)
    vita_analysis_unref (sc->an);
  if (sc->pcm)
    vita_pcm_free (sc->pcm);
  if (sc->vit)
    vita_vit_unref (sc->vit);
  g_free (sc->mel);
  memset (sc, 0, sizeof *sc);
}

/* Side B of a comparison the sidecar records ("compare"): another model (its SHA-256
 * checked as side A's), side A's random-init twin (the seed), or side A's model on the
 * audio edited again; analysed as side A was.  Fills compare (cache_b, labels, view). */
static gboolean
load_side_b (VitaCliScene *sc, VitaExportSpec *spec, const char *prog,
             gboolean allow_mismatch, VitaVit **vb_out, VitaAnalysis **an_out,
             VitaPaintCompare *compare)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(VitaVit) vb = NULL;
  g_autofree float *mel_b = NULL;
  gsize n_frames = sc->an->n_frames;
  const char *kind = spec->compare_kind ? spec->compare_kind : "model";

  if (g_str_equal (kind, "twin"))
    vb = vita_vit_new_twin (sc->vit, spec->twin_seed);
  else if (g_str_equal (kind, "edit"))
    vb = vita_vit_ref (sc->vit);
  else
    {
      if (spec->model_b_path == NULL)
        {
          fprintf (stderr, "%s: the sidecar's comparison names no model B\n", prog);
          return FALSE;
        }
      vb = vita_vit_load (spec->model_b_path, &error);
      if (vb == NULL)
        {
          fprintf (stderr, "%s: model B: %s\n", prog, error->message);
          return FALSE;
        }
      if (spec->model_b_sha256 && vb->sha256[0] &&
          g_ascii_strcasecmp (spec->model_b_sha256, vb->sha256) != 0)
        {
          fprintf (stderr, "%s: model B “%s” has SHA-256 %s, the sidecar records %s%s\n", prog,
                   spec->model_b_path, vb->sha256, spec->model_b_sha256,
                   allow_mismatch ? " (rendering anyway)"
                                  : "; use --allow-model-mismatch to render anyway");
          if (!allow_mismatch)
            return FALSE;
        }
      if (!vita_compare_check_frontends (sc->vit, spec->model_path, vb, spec->model_b_path, &error))
        {
          fprintf (stderr, "%s: %s\n", prog, error->message);
          return FALSE;
        }
    }
  const float *mel = sc->mel;
  if (g_str_equal (kind, "edit"))
    {
      g_autoptr(GPtrArray) edits = g_ptr_array_new_with_free_func ((GDestroyNotify) vita_edit_free);
      for (int i = 0; spec->edits && spec->edits[i]; i++)
        {
          VitaEdit *e = vita_edit_parse (spec->edits[i], &error);
          if (e == NULL)
            {
              fprintf (stderr, "%s: %s\n", prog, error->message);
              return FALSE;
            }
          g_ptr_array_add (edits, e);
        }
      g_autoptr(VitaPcm) edited = vita_edits_apply (sc->pcm, edits, &vb->cfg.fe, NULL, &error);
      g_autoptr(VitaMel) melp = edited ? vita_mel_new (&vb->cfg.fe, &error) : NULL;
      mel_b = melp ? vita_mel_features (melp, edited->samples, edited->n_samples, NULL, &n_frames,
                                        &error)
                   : NULL;
      if (mel_b == NULL)
        {
          fprintf (stderr, "%s: side B (edited audio): %s\n", prog, error->message);
          return FALSE;
        }
      mel = mel_b;
    }
  VitaAnalysisOptions opt;
  vita_analysis_options_init (&opt);
  opt.keep_tokens = (vita_panel_get_class (spec->panel)->depends & VITA_DEPENDS_TOKENS) != 0 ||
                    sc->keep_tokens;
  opt.priority_frame = (int) (spec->snap.position / vb->cfg.fe.hop_length);
  opt.batch = VITA_ANALYSIS_APP_BATCH;   /* the window's batches, as side A's */
  VitaAnalysis *an = vita_analysis_new (vb, mel, (int) n_frames, &opt, &error);
  /* then B's whole-track layer similarity too, as the app's side B (its analysis job):
   * the CKA panel's lower triangle (a no-op without tokens) */
  if (an == NULL || !vita_analysis_run (an, on_progress, NULL, NULL, NULL, NULL, &error) ||
      !vita_analysis_run_track_cka (an, NULL, NULL, NULL, &error))
    {
      vita_cli_progress_end ();
      fprintf (stderr, "%s: analysing side B: %s\n", prog, error->message);
      if (an)
        vita_analysis_unref (an);
      return FALSE;
    }
  vita_cli_progress_end ();
  /* side B's own layer / head, checked against model B as side A's against A */
  if (spec->own_layers &&
      (spec->layer_b >= an->n_layers || spec->head_b >= an->cfg.heads))
    {
      fprintf (stderr, "%s: the sidecar's compare.%s is %d; model B has %s 0 to %d%s\n", prog,
               spec->layer_b >= an->n_layers ? "layer_b" : "head_b",
               spec->layer_b >= an->n_layers ? spec->layer_b : spec->head_b,
               spec->layer_b >= an->n_layers ? "token layers" : "heads",
               spec->layer_b >= an->n_layers ? an->n_layers - 1 : an->cfg.heads - 1,
               spec->layer_b >= an->n_layers ? "" : ", or -1");
      vita_analysis_unref (an);
      return FALSE;
    }
  /* a session records no labels: the app's ("default.safetensors", "random-init twin,
   * seed 7", "song.ogg — transpose:+2") */
  if (spec->label_a == NULL)
    spec->label_a = vita_vit_describe (sc->vit);
  if (spec->label_b == NULL && g_str_equal (kind, "edit"))
    {
      g_autofree char *joined = spec->edits ? g_strjoinv (", ", spec->edits) : g_strdup ("");
      g_autofree char *base = g_path_get_basename (spec->audio_path);
      spec->label_b = g_strdup_printf ("%s — %s", base, joined);
    }
  else if (spec->label_b == NULL)
    spec->label_b = vita_vit_describe (vb);
  *an_out = an;
  *vb_out = g_steal_pointer (&vb);
  *compare = (VitaPaintCompare) {
    .cache_b = vita_paint_cache_new (an),
    .label_a = spec->label_a,
    .label_b = spec->label_b,
    .view = spec->compare_view,
    .per_side_scale = spec->per_side_scale,
    .same_input = !g_str_equal (kind, "edit"),
    .own_layers = spec->own_layers,
    .layer_b = spec->layer_b,
    .head_b = spec->head_b,
  };
  return TRUE;
}

/* The sidecar's attribution overlay, computed again (vita-attr-run.h) onto the cache. */
gboolean
vita_cli_render_attribution (const VitaExportSpec *spec, VitaAnalysis *an, VitaPaintCache *cache,
                             const char *prog, const char *source)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(VitaProbe) probe = NULL;
  g_autofree char *disp = g_filename_display_name (source);
  if (spec->attribution.probe && (probe = vita_probe_load (spec->attribution.probe, &error)) == NULL)
    {
      fprintf (stderr, "%s: %s: attribution.probe: %s\n", prog, disp, error->message);
      return FALSE;
    }
  g_autoptr(VitaAttrRun) run = vita_attr_run (&spec->attribution, an, probe,
                                              (int) (spec->snap.position / MAX (spec->snap.hop, 1)),
                                              NULL, NULL, NULL, NULL, &error);
  if (run == NULL)
    {
      fprintf (stderr, "%s: %s: %s\n", prog, disp, error->message);
      return FALSE;
    }
  g_autofree char *label = vita_attr_settings_label (&spec->attribution);
  vita_paint_cache_set_attribution (cache, run->map, run->n_frames, run->n_mels, label);
  vita_paint_cache_set_attribution_opacity (cache, spec->attribution.opacity);
  return TRUE;
}

int
vita_cli_render (int argc, char **argv)
{
  g_autofree char *out = NULL, *audio = NULL, *model = NULL, *npy = NULL, *cmap = NULL;
  g_autofree char *size = NULL, *range = NULL, *layers = NULL, *heads = NULL, *font = NULL;
  g_autofree char *panel = NULL;
  double width = 0, height = 0, font_size = 0, scale = 0, line_width = 0, dpi = 0;
  double margin = -1;
  gboolean allow_mismatch = FALSE, no_sidecar = FALSE, no_playhead = FALSE, no_title = FALSE;
  gboolean no_colorbar = FALSE, transparent = FALSE, no_tight = FALSE;
  GOptionEntry entries[] = {
    { "out", 'o', 0, G_OPTION_ARG_FILENAME, &out, "Figure to write (.png, .svg or .pdf)", "FILE" },
    { "audio", 0, 0, G_OPTION_ARG_FILENAME, &audio, "Use this audio file instead of the sidecar's", "FILE" },
    { "model", 0, 0, G_OPTION_ARG_FILENAME, &model, "Use this model file instead of the sidecar's", "FILE" },
    { "npy", 0, 0, G_OPTION_ARG_FILENAME, &npy, "Also write the drawn array as .npy", "FILE" },
    { "panel", 'p', 0, G_OPTION_ARG_STRING, &panel,
      "Panel to draw (a session's default: layout) instead of the sidecar's: layout (whole view), waveform, mel, attention, "
      "attention-grid, attention-row, received, ssm, overview, probes, probeogram, attribution", "NAME" },
    { "size", 0, 0, G_OPTION_ARG_STRING, &size,
      "Figure size: single-column (3.5 in), double-column (7.16 in), slide (13.33 × 7.5 in), "
      "square (3.5 × 3.5 in) or WxH with a unit (89x60mm, 3.5x0in; height 0 = natural)", "SIZE" },
    { "width", 0, 0, G_OPTION_ARG_DOUBLE, &width, "Width (pt; px × scale for PNG)", "W" },
    { "height", 0, 0, G_OPTION_ARG_DOUBLE, &height, "Height", "H" },
    { "font-size", 0, 0, G_OPTION_ARG_DOUBLE, &font_size, "Font size (pt; 8 for papers)", "PT" },
    { "font", 0, 0, G_OPTION_ARG_STRING, &font, "Font family, one for the whole figure (Sans)", "FAMILY" },
    { "line-width", 0, 0, G_OPTION_ARG_DOUBLE, &line_width, "Line width of curves (pt)", "PT" },
    { "no-playhead", 0, 0, G_OPTION_ARG_NONE, &no_playhead, "Leave out the playhead and visible-range marks", NULL },
    { "no-title", 0, 0, G_OPTION_ARG_NONE, &no_title, "Leave out panel titles", NULL },
    { "no-colorbar", 0, 0, G_OPTION_ARG_NONE, &no_colorbar, "Leave out colorbars", NULL },
    { "range", 0, 0, G_OPTION_ARG_STRING, &range,
      "Time range: START:END seconds (10:20), visible, selection or whole", "RANGE" },
    { "layers", 0, 0, G_OPTION_ARG_STRING, &layers,
      "Layers of the attention grid, as labelled (1,4,8, 2-5 or all)", "LIST" },
    { "heads", 0, 0, G_OPTION_ARG_STRING, &heads, "Heads of the attention grid (1,3 or all)", "LIST" },
    { "transparent", 0, 0, G_OPTION_ARG_NONE, &transparent, "PNG: transparent background", NULL },
    { "dpi", 0, 0, G_OPTION_ARG_DOUBLE, &dpi, "PNG: pixels per inch (300)", "DPI" },
    { "no-tight", 0, 0, G_OPTION_ARG_NONE, &no_tight,
      "Keep the full canvas instead of the drawn content plus the margin", NULL },
    { "margin", 0, 0, G_OPTION_ARG_DOUBLE, &margin, "Margin around the content (pt, 2)", "PT" },
    { "scale", 0, 0, G_OPTION_ARG_DOUBLE, &scale, "PNG pixels per point", "S" },
    { "colormap", 0, 0, G_OPTION_ARG_STRING, &cmap, "viridis, magma, inferno or gray", "NAME" },
    { "allow-model-mismatch", 0, 0, G_OPTION_ARG_NONE, &allow_mismatch,
      "Render even if the model file's SHA-256 differs from the sidecar's", NULL },
    { "no-sidecar", 0, 0, G_OPTION_ARG_NONE, &no_sidecar, "Do not write FILE.json beside the figure", NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) octx = g_option_context_new ("SIDECAR.json|SESSION.vitascope --out FILE.{png,svg,pdf}");
  g_option_context_set_summary (octx,
    "Re-render an exported figure from its sidecar JSON, or draw a panel (--panel) of a\n"
    "saved session.\n\n"
    "Paper figures: --size, --font-size, --font, --line-width, --no-playhead, --no-title,\n"
    "--no-colorbar, --range, --layers, --heads, --transparent, --dpi, --no-tight and --margin\n"
    "are the export dialog's options; the sidecar written beside the new figure records\n"
    "them.  Text never overlaps: every label is measured and placed by the layout engine.\n\n"
    "Example: vitascope-cli render fig.pdf.json --size single-column --font-size 8 \\\n"
    "           --no-playhead --panel attention-grid --layers 1,4,8 --heads all --out fig-1col.pdf");
  g_option_context_add_main_entries (octx, entries, NULL);
  g_autoptr(GError) error = NULL;
  if (!g_option_context_parse (octx, &argc, &argv, &error))
    {
      fprintf (stderr, "%s: %s\n", argv[0], error->message);
      return 2;
    }
  if (argc != 2 || out == NULL)
    {
      fprintf (stderr, "Usage: %s SIDECAR.json --out FILE.{png,svg,pdf}\n"
                       "       %s SESSION.vitascope [--panel NAME] --out FILE.{png,svg,pdf}\n",
               argv[0], argv[0]);
      return 2;
    }
  VitaExportFormat format;
  if (!vita_export_format_from_path (out, &format, &error))
    {
      fprintf (stderr, "%s: %s\n", argv[0], error->message);
      return 2;
    }

  VitaExportSpec spec;
  gboolean session = g_str_has_suffix (argv[1], ".vitascope");
  if (session ? !vita_cli_spec_from_session (argv[1], panel, &spec, &error)
              : !vita_export_sidecar_read (argv[1], &spec, NULL, &error))
    {
      fprintf (stderr, "%s: %s\n", argv[0], error->message);
      return 1;
    }
  if (audio)
    {
      g_free (spec.audio_path);
      spec.audio_path = g_strdup (audio);
    }
  if (model)
    {
      g_free (spec.model_path);
      spec.model_path = g_strdup (model);
    }
  if (panel && !vita_panel_from_string (panel, &spec.panel))
    {
      GString *names = g_string_new (NULL);
      for (int p = 0; p < vita_panel_count (); p++)
        g_string_append_printf (names, "%s%s", p ? ", " : "", vita_panel_to_string (p));
      fprintf (stderr, "%s: unknown panel “%s” (panels: %s)\n", argv[0], panel, names->str);
      g_string_free (names, TRUE);
      vita_export_spec_clear (&spec);
      return 2;
    }
  /* Figure mode: the sidecar has figure options, or any is given here. */
  gboolean figure = spec.has_figure || size || range || layers || heads || font ||
                    line_width > 0 || dpi > 0 || margin >= 0 || no_playhead || no_title ||
                    no_colorbar || transparent || no_tight;
  VitaFigureOptions fo;
  if (spec.has_figure)
    fo = spec.figure;
  else
    {
      vita_figure_options_init (&fo);
      /* Without a preset, the sidecar's own size and font are the starting point. */
      fo.size = VITA_SIZE_CUSTOM;
      fo.width_pt = spec.width;
      fo.height_pt = spec.height;
      fo.font_size = spec.style.font_size;
      fo.playhead = spec.snap.show_playhead;
      fo.title = spec.style.draw_title;
    }
  if (figure)
    {
      gboolean ok = TRUE;
      if (size)
        ok = vita_figure_parse_size (size, &fo, &error);
      if (ok && range)
        ok = vita_figure_parse_range (range, &fo, &error);
      if (ok && layers)
        ok = vita_figure_parse_index_list (layers, fo.layers, &fo.n_layers, &error);
      if (ok && heads)
        ok = vita_figure_parse_index_list (heads, fo.heads, &fo.n_heads, &error);
      if (!ok)
        {
          fprintf (stderr, "%s: %s\n", argv[0], error->message);
          vita_export_spec_clear (&spec);
          return 2;
        }
      if (width > 0)
        {
          fo.size = VITA_SIZE_CUSTOM;
          fo.width_pt = width;
          fo.height_pt = height > 0 ? height : 0;
        }
      else if (height > 0)
        {
          double w0 = fo.width_pt, h0;
          if (fo.size != VITA_SIZE_CUSTOM)
            vita_size_preset_dimensions (fo.size, &w0, &h0);
          fo.size = VITA_SIZE_CUSTOM;
          fo.width_pt = w0;
          fo.height_pt = height;
        }
      if (font_size > 0)
        fo.font_size = font_size;
      if (font)
        g_strlcpy (fo.font_family, font, sizeof fo.font_family);
      if (line_width > 0)
        fo.line_width = line_width;
      if (dpi > 0)
        fo.dpi = dpi;
      if (margin >= 0)
        fo.margin_pt = margin;
      fo.playhead = fo.playhead && !no_playhead;
      fo.title = fo.title && !no_title;
      fo.colorbar = fo.colorbar && !no_colorbar;
      fo.transparent = fo.transparent || transparent;
      fo.tight = fo.tight && !no_tight;
      if (!(fo.font_size > 1 && fo.font_size < 200 && fo.line_width < 50 && fo.dpi >= 18 &&
            fo.dpi <= 600 && fo.margin_pt <= 72))
        {
          fprintf (stderr, "%s: font size %g, line width %g, dpi %g or margin %g out of range\n",
                   argv[0], fo.font_size, fo.line_width, fo.dpi, fo.margin_pt);
          vita_export_spec_clear (&spec);
          return 2;
        }
    }
  if (!figure && width > 0)
    spec.width = width;
  if (!figure && height > 0)
    spec.height = height;
  if (!figure && font_size > 0)
    spec.style.font_size = font_size;
  if (scale > 0)
    spec.png_scale = scale;
  if (cmap && !vita_colormap_from_string (cmap, &spec.style.colormap))
    {
      fprintf (stderr, "%s: unknown colormap “%s”\n", argv[0], cmap);
      vita_export_spec_clear (&spec);
      return 2;
    }
  int status = 1;
  VitaCliScene sc = { 0 };
  VitaVit *vit_b = NULL;
  VitaAnalysis *an_b = NULL;
  VitaPaintCompare compare = { 0 };
  VitaAnnotationLayers *annotations = NULL;
  g_autoptr(VitaSessionState) state = session ? vita_session_file_read (argv[1], NULL) : NULL;
  g_autoptr(VitaAnnotations) truth = NULL;
  VitaProbeSet *probes_a = NULL, *probes_b = NULL;
  VitaProbeogram *probeogram_a = NULL, *probeogram_b = NULL;
  /* a session's probes (A's, and B's own for another model) drawn as the app draws
   * them: the lanes and probe-o-grams need the analyses' tokens */
  gboolean edit_b = state && state->compare && state->compare->kind == 2;
  GPtrArray *refs_b = state && state->compare ? (edit_b ? state->probes : state->compare->probes_b)
                                              : NULL;
  sc.keep_tokens = state != NULL &&
                   (spec.panel == VITA_PANEL_PROBES || spec.panel == VITA_PANEL_PROBEOGRAM ||
                    spec.panel == VITA_PANEL_LAYOUT) &&
                   (state->probes->len > 0 || (refs_b && refs_b->len > 0));
  if (!vita_cli_scene_load (&sc, &spec, argv[0], argv[1], session, allow_mismatch))
    goto out;
  VitaAnalysis *an = sc.an;
  VitaPaintContext ctx = { .cache = sc.cache, .peaks = sc.peaks };
  VitaPanel order[VITA_MAX_PANELS];
  if (state != NULL)
    {
      ctx.annotations = annotations = session_annotations (state, argv[0], &truth);
      session_arrangement (state, order, &ctx.n_layout_order, &ctx.layout_panels);
      ctx.layout_order = ctx.n_layout_order > 0 ? order : NULL;
    }
  if (sc.keep_tokens && (probes_a = session_probes (state->probes, an, truth, "side A", argv[0])))
    {
      ctx.lanes = vita_probe_set_get_lanes (probes_a, &ctx.n_lanes);
      ctx.probeogram = probeogram_a = vita_probe_set_make_probeogram (probes_a, state->probeogram_task,
                                                                      an, NULL);
    }
  if (spec.has_compare)
    {
      if (!load_side_b (&sc, &spec, argv[0], allow_mismatch, &vit_b, &an_b, &compare))
        goto out;
      ctx.compare = &compare;
      /* side B's lanes over the track's truth (an edit: A's probes, no truth), and its
       * probe-o-gram of A's task when B has a lane of it (as the app) */
      if (sc.keep_tokens &&
          (probes_b = session_probes (refs_b, an_b, edit_b ? NULL : truth, "side B", argv[0])))
        {
          compare.lanes_b = vita_probe_set_get_lanes (probes_b, &compare.n_lanes_b);
          const char *task = state->probeogram_task;
          if (task == NULL && probes_a && vita_probe_set_get_probe (probes_a, 0))
            task = vita_probe_set_get_probe (probes_a, 0)->task;
          gboolean has_task = task == NULL;
          for (int i = 0; !has_task && i < compare.n_lanes_b; i++)
            has_task = g_strcmp0 (vita_probe_set_get_probe (probes_b, i)->task, task) == 0;
          if (has_task)
            compare.probeogram_b = probeogram_b =
              vita_probe_set_make_probeogram (probes_b, task, an_b, NULL);
        }
    }
  if (spec.attribution.target && !vita_cli_render_attribution (&spec, an, sc.cache, argv[0], argv[1]))
    goto out;
  if (figure)
    {
      /* Grid layers and heads are numbered as labelled: 1 … depth, 1 … heads. */
      for (int i = 0; i < fo.n_layers; i++)
        if (fo.layers[i] > an->cfg.depth)
          {
            fprintf (stderr, "%s: --layers: the model has layers 1 to %d, not %d\n", argv[0],
                     an->cfg.depth, fo.layers[i]);
            goto out;
          }
      for (int i = 0; i < fo.n_heads; i++)
        if (fo.heads[i] > an->cfg.heads)
          {
            fprintf (stderr, "%s: --heads: the model has heads 1 to %d, not %d\n", argv[0],
                     an->cfg.heads, fo.heads[i]);
            goto out;
          }
      double keep_scale = spec.png_scale;
      vita_export_spec_apply_figure (&spec, &fo, &ctx);
      if (scale > 0)
        spec.png_scale = keep_scale;
    }
  /* The array first: when the figure then fails, the new array is removed, so a
   * failed command leaves neither. */
  gboolean ok = npy == NULL || vita_export_npy (&spec, &ctx, npy, &error);
  if (ok)
    {
      ok = no_sidecar ? vita_export_figure (&spec, &ctx, out, &error)
                      : vita_export_figure_with_sidecar (&spec, &ctx, out, &error);
      if (!ok && npy)
        g_unlink (npy);
    }
  if (!ok)
    {
      fprintf (stderr, "%s: %s\n", argv[0], error->message);
      goto out;
    }
  status = 0;
out:
  vita_annotation_layers_free (annotations);
  g_clear_pointer (&probeogram_a, vita_probeogram_free);
  g_clear_pointer (&probeogram_b, vita_probeogram_free);
  g_clear_pointer (&probes_a, vita_probe_set_free);
  g_clear_pointer (&probes_b, vita_probe_set_free);
  if (compare.cache_b)
    vita_paint_cache_unref (compare.cache_b);
  if (an_b)
    vita_analysis_unref (an_b);
  if (vit_b)
    vita_vit_unref (vit_b);
  vita_cli_scene_clear (&sc);
  vita_export_spec_clear (&spec);
  return status;
}
