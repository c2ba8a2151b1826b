#!/usr/bin/env bash
# The default model's training music: freely licensed game soundtracks from Debian's
# archive (section main), linked or unpacked into one folder, one sub-folder per package.
#   bash tools/make-training-data.sh DIR      (as root, or with sudo, to install packages)
# Licences (debian/copyright of each package): wesnoth-1.16-music GPL-2+, asc-music GPL-2+,
# nexuiz-music GPL-2+, singularity-music CC-BY-SA, ufoai-music CC-BY/CC-BY-SA/GPL-2+/PD,
# planetblupi-music-ogg GPL-3+/Expat, drascula-music Drascula (BSD-like, DFSG-free).
# Left out: fb-music-high (one tracker module), xblast-tnt-musics (headerless raw PCM).
set -euo pipefail
out=${1:?usage: make-training-data.sh DIR}
pkgs=(wesnoth-1.16-music asc-music nexuiz-music singularity-music ufoai-music
      planetblupi-music-ogg drascula-music unzip)
SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO=sudo
missing=()
for p in "${pkgs[@]}"; do dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p"); done
[ ${#missing[@]} -eq 0 ] || DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
mkdir -p "$out"/{wesnoth,asc,singularity,planetblupi,drascula,nexuiz,ufoai}
ln -sf /usr/share/games/wesnoth/1.16/data/core/music/*.ogg "$out/wesnoth/"
ln -sf /usr/share/games/asc/music/*.mp3 "$out/asc/"
find /usr/share/games/singularity/music -name '*.ogg' -exec ln -sf {} "$out/singularity/" \;
ln -sf /usr/share/planetblupi/music/*.ogg "$out/planetblupi/"
# the same 31 tracks stand in six language folders: take one
ln -sf /usr/share/scummvm/drascula/audio/*.ogg "$out/drascula/"
(cd "$out/nexuiz" && unzip -q -o /usr/share/games/nexuiz/data/music.pk3 '*.ogg')
(cd "$out/ufoai" && unzip -q -o /usr/share/games/ufoai/base/0music.pk3 '*.ogg')
find -L "$out" -type f \( -name '*.ogg' -o -name '*.mp3' \) | sort > "$out/TRACKS"
echo "$(wc -l < "$out/TRACKS") tracks in $out (list: $out/TRACKS)"
