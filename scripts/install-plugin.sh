#!/usr/bin/env bash
# Copies the plug-in built by scripts/build-plugin.sh to the per-user folders hosts scan:
#   ~/.vst3/PercepNetFx.vst3, its factory presets in ~/.vst3/presets/PercepNetFx project/PercepNetFx/
#   (where VST3 hosts on Linux look for user presets), ~/.ladspa/PercepNetFx.so and
#   ~/.lv2/PercepNetFx.lv2. Replaces an earlier install. With --pipewire it also writes the virtual
#   microphone (pipewire/percepnetfx-source.conf, docs/pipewire.md) to
#   ~/.config/pipewire/pipewire.conf.d/, pointing at the installed LADSPA library.
# Usage: bash scripts/install-plugin.sh [--pipewire]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
pipewire=0
for a in "$@"; do case "$a" in --pipewire) pipewire=1 ;; *) echo "usage: $0 [--pipewire]" >&2; exit 2 ;; esac; done
for f in build/PercepNetFx.vst3/Contents/x86_64-linux/PercepNetFx.so build/ladspa/PercepNetFx.so build/PercepNetFx.lv2/manifest.ttl; do
  [ -f "$f" ] || { echo "$f missing: run bash scripts/build-plugin.sh first" >&2; exit 1; }
done
mkdir -p "$HOME/.vst3" "$HOME/.ladspa" "$HOME/.lv2"
rm -rf "$HOME/.vst3/PercepNetFx.vst3" "$HOME/.lv2/PercepNetFx.lv2"
cp -r build/PercepNetFx.vst3 "$HOME/.vst3/"
echo "installed $HOME/.vst3/PercepNetFx.vst3"
presets="$HOME/.vst3/presets/PercepNetFx project/PercepNetFx"
mkdir -p "$presets"
cp presets/*.vstpreset "$presets/"
echo "installed $(ls presets/*.vstpreset | wc -l) presets in $presets"
cp build/ladspa/PercepNetFx.so "$HOME/.ladspa/PercepNetFx.so"
echo "installed $HOME/.ladspa/PercepNetFx.so (hosts find it with LADSPA_PATH=$HOME/.ladspa)"
cp -r build/PercepNetFx.lv2 "$HOME/.lv2/"
echo "installed $HOME/.lv2/PercepNetFx.lv2"
if [ $pipewire -eq 1 ]; then
  conf="${XDG_CONFIG_HOME:-$HOME/.config}/pipewire/pipewire.conf.d"
  mkdir -p "$conf"
  sed "s|@PLUGIN@|$HOME/.ladspa/PercepNetFx.so|" pipewire/percepnetfx-source.conf > "$conf/percepnetfx-source.conf"
  echo "installed $conf/percepnetfx-source.conf: restart PipeWire (systemctl --user restart pipewire) and pick \"PercepNetFx denoised mic\""
fi
