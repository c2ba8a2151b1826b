#!/usr/bin/env bash
# test-install.sh — `meson install` into a DESTDIR puts every file in its XDG place, and
# the installed vitascope-cli analyses a demo track with the installed default model
# (found beside the installed binary, not in the source tree).  TAP output.
#   test-install.sh BUILD_ROOT PREFIX BINDIR DATADIR LOCALEDIR MANDIR APP_ID GUI(true|false)
set -u
build=$1 prefix=$2 bindir=$3 datadir=$4 localedir=$5 mandir=$6 app_id=$7 gui=$8
demo=/usr/share/games/wesnoth/1.16/data/core/music/battle.ogg
n=0 failed=0
ok () { n=$((n + 1)); echo "ok $n $1"; }
not_ok () { n=$((n + 1)); failed=1; echo "not ok $n $1"; }
check () { if eval "$2"; then ok "$1"; else not_ok "$1"; fi; }

dest=$(mktemp -d "${TMPDIR:-/tmp}/vita-install-XXXXXX")
trap 'rm -rf "$dest"' EXIT
if ! meson install -C "$build" --no-rebuild --destdir "$dest" >"$dest.log" 2>&1; then
  cat "$dest.log" | sed 's/^/# /'; rm -f "$dest.log"
  echo "not ok 1 meson install --destdir"; echo "1..1"; exit 1
fi
rm -f "$dest.log"
ok "meson install --destdir $dest"
root=$dest$prefix
bin=$dest$bindir share=$dest$datadir

check "vitascope-cli in bindir" '[ -x "$bin/vitascope-cli" ]'
if [ "$gui" = true ]; then
  check "vitascope in bindir" '[ -x "$bin/vitascope" ]'
fi
check "default model in share/vitascope/models" '[ -s "$share/vitascope/models/default.safetensors" ]'
check "GSettings schema" '[ -f "$share/glib-2.0/schemas/$app_id.gschema.xml" ]'
check "desktop file" '[ -f "$share/applications/$app_id.desktop" ]'
check "AppStream metainfo" '[ -f "$share/metainfo/$app_id.metainfo.xml" ]'
check "scalable icon" '[ -f "$share/icons/hicolor/scalable/apps/$app_id.svg" ]'
check "symbolic icon" '[ -f "$share/icons/hicolor/symbolic/apps/$app_id-symbolic.svg" ]'
check "manual pages" '[ -f "$dest$mandir/man1/vitascope.1" ] && [ -f "$dest$mandir/man1/vitascope-cli.1" ]'
for lang in $(grep -v '^#' "$(dirname "$0")/../../po/LINGUAS"); do
  check "translation $lang" '[ -f "$dest$localedir/$lang/LC_MESSAGES/vitascope.mo" ]'
done
check "no file outside the prefix" '[ -z "$(cd "$dest" && find . -type f | grep -v "^.$prefix/")" ]'
if command -v desktop-file-validate >/dev/null; then
  check "installed desktop file validates" 'desktop-file-validate "$share/applications/$app_id.desktop"'
fi
if command -v glib-compile-schemas >/dev/null; then
  check "installed schema compiles" 'glib-compile-schemas --strict --dry-run "$share/glib-2.0/schemas"'
fi

# the installed CLI, the installed model: analyse 10 s of a demo track
if [ ! -f "$demo" ]; then
  echo "ok $((n + 1)) # SKIP demo track $demo missing (wesnoth-1.16-music)"; n=$((n + 1))
else
  out=$dest/analysis
  if env -u VITASCOPE_DEFAULT_MODEL "$bin/vitascope-cli" analyze "$demo" --model default \
       --duration 10 --no-attention --out "$out" 2>"$dest/err"; then
    ok "installed vitascope-cli analyze --model default"
  else
    sed 's/^/# /' "$dest/err"; not_ok "installed vitascope-cli analyze --model default"
  fi
  check "mel.npy and summary.json written" '[ -s "$out/mel.npy" ] && [ -s "$out/summary.json" ]'
  model=$(grep -o '"path" *: *"[^"]*\.safetensors"' "$out/summary.json" | sed 's/.*: *"//; s/"$//')
  echo "# model used: $model"
  check "the model used is the installed one" '[ "$model" = "$share/vitascope/models/default.safetensors" ]'
  check "its bytes are the source tree's model" 'cmp -s "$model" "$(dirname "$0")/../../resources/models/default.safetensors"'
fi
echo "1..$n"
exit $failed
