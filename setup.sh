#!/usr/bin/env bash
# Vitascope set-up on a fresh Debian 12 machine (as root, or with sudo).
#   bash setup.sh demo   install, build, open the app on a demo track with the default model
#   bash setup.sh test   install, build (normal + ASan/UBSan), run the whole test suite
#   bash setup.sh tsan   install, build with ThreadSanitizer, run the threaded tests
set -euo pipefail
cd "$(dirname "$0")"

mode=${1:-demo}
case "$mode" in demo|test|tsan|deps|build) ;; *) echo "usage: bash setup.sh demo|test|tsan" >&2; exit 2 ;; esac

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"

PACKAGES=(
  # build
  build-essential meson ninja-build pkg-config gettext
  libglib2.0-dev libglib2.0-bin libjson-glib-dev
  libgtk-4-dev libadwaita-1-dev
  libgstreamer1.0-dev libgstreamer-plugins-base1.0-dev
  libopenblas-dev libsndfile1-dev libmpg123-dev libfftw3-dev libsamplerate0-dev
  librubberband-dev  # counterfactual transpose / time-stretch (dsp/vita-edit.c)
  rubberband-cli     # tests: the same library outside the app (tests/cli/test-cli-counterfactual.c)
  # run: decoders and sinks for playback and the GStreamer fallback decoder; video export
  # (render-video): vp8enc + webmmux (plugins-good, libvpx), vorbisenc (plugins-base);
  # its MP4 choice needs x264enc (gstreamer1.0-plugins-ugly, optional, not installed here)
  gstreamer1.0-plugins-base gstreamer1.0-plugins-good gstreamer1.0-libav
  # demo music (real, freely licensed) and the labelled-set renderer
  wesnoth-1.16-music fluidsynth fluid-soundfont-gm
  # tests: headless GUI, fuzzing, desktop-file validation, figure decoding
  xvfb xauth clang libclang-rt-14-dev desktop-file-utils appstream-util appstream
  xdotool   # tests: real pointer events in the GUI tests (tests/gui/test-app-arrange.c)
  imagemagick poppler-utils librsvg2-bin
)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${#missing[@]} Debian packages: ${missing[*]}"
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
[ "$mode" = deps ] && exit 0

jobs=$(nproc)
if [ "$mode" = tsan ]; then
  # ThreadSanitizer on the tests whose code runs threads: the analysis workers, the
  # trainer (and its SIGKILL/resume tests), the parallel audio decoder, the app's
  # analysis job (its previews and seek threads), the CLI end to end.  Not part of
  # `test` (and CI) for time: a separate build of the whole tree.  setarch -R: TSan needs the classic address-space layout.
  if [ ! -f build-tsan/build.ninja ]; then
    # (meson.build then force-includes tests/tsan-glib.h, which makes our GMutex and
    # GCond use visible to TSan: Debian's GLib locks with futexes TSan cannot see)
    meson setup build-tsan --buildtype=debug -Db_sanitize=thread -Db_lundef=false
  fi
  ninja -C build-tsan -j "$jobs"
  TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1:suppressions=$PWD/tests/tsan.supp" \
    setarch "$(uname -m)" -R meson test -C build-tsan --no-rebuild --print-errorlogs \
    --timeout-multiplier 6 analysis analysis-golden analysis-job trainer dsp-audio cli-analyze cli-hostile \
    fuzz-replay-walker
  exit $?
fi
if [ ! -f build/build.ninja ]; then meson setup build --buildtype=debugoptimized; fi
ninja -C build -j "$jobs"
[ "$mode" = build ] && exit 0

DEMO_TRACK=/usr/share/games/wesnoth/1.16/data/core/music/battle.ogg

if [ "$mode" = demo ]; then
  if [ -x build/app/vitascope ]; then
    exec build/app/vitascope "$DEMO_TRACK"
  fi
  model=resources/models/default.safetensors
  if [ ! -f "$model" ]; then
    mkdir -p build/demo
    build/app/vitascope-cli init-model --config small-4l --seed 1 build/demo/random.safetensors
    model=build/demo/random.safetensors
  fi
  exec build/app/vitascope-cli analyze "$DEMO_TRACK" --model "$model" --out build/demo/analysis
fi

# test: the normal build, then the whole suite again under AddressSanitizer + UBSan.
export GSK_RENDERER=cairo GTK_A11Y=none NO_AT_BRIDGE=1 VITASCOPE_AUDIO_SINK=fakesink
status=0
xvfb-run -a -s "-screen 0 1600x1000x24" meson test -C build --print-errorlogs \
  --num-processes "$jobs" || status=1
if [ ! -f build-asan/build.ninja ]; then
  meson setup build-asan --buildtype=debug -Db_sanitize=address,undefined -Db_lundef=false
fi
ninja -C build-asan -j "$jobs"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:strict_string_checks=1:fast_unwind_on_malloc=0 \
UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
LSAN_OPTIONS=suppressions=$PWD/tests/lsan.supp:print_suppressions=0 \
  xvfb-run -a -s "-screen 0 1600x1000x24" meson test -C build-asan --print-errorlogs \
  --num-processes "$jobs" --timeout-multiplier 4 || status=1

# One closing line over both configurations (counted from meson's own logs).
passed=0; failed=0; skipped=0
for log in build/meson-logs/testlog.json build-asan/meson-logs/testlog.json; do
  [ -f "$log" ] || continue
  passed=$((passed + $(grep -c '"result": "OK"' "$log" || true)))
  skipped=$((skipped + $(grep -c '"result": "SKIP"' "$log" || true)))
  failed=$((failed + $(grep -c -E '"result": "(FAIL|TIMEOUT|ERROR|UNEXPECTEDPASS)"' "$log" || true)))
done
echo "tests: $passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ] || status=1
exit $status
