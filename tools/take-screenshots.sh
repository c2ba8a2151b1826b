#!/usr/bin/env bash
# take-screenshots.sh [BUILD] [OUT] — the AppStream screenshots (metainfo), taken by the
# GUI tests under Xvfb: main.png (test-app-screenshots: 20 s of a demo track from
# wesnoth-1.16-music with the bundled default model), probes.png (probe lanes) and
# training.png.  Copy OUT/*.png to data/screenshots/ of the release branch (the URLs in
# resources/io.github.vitascope.Vitascope.metainfo.xml.in point there).
set -euo pipefail
build=${1:-build}
out=$(realpath -m "${2:-$build/screenshots}")
mkdir -p "$out"
export GSK_RENDERER=cairo GTK_A11Y=none NO_AT_BRIDGE=1 VITASCOPE_AUDIO_SINK=fakesink
VITA_SCREENSHOT_DIR=$out VITA_VIEWS_PNG_DIR=$out TMPDIR=$out \
  xvfb-run -a -s "-screen 0 1600x1000x24" meson test -C "$build" app-screenshots app-probes app-training
cp "$out/vita-probes-window.png" "$out/probes.png"
cp "$out/training-window.png" "$out/training.png"
ls -l "$out"/main.png "$out"/probes.png "$out"/training.png
