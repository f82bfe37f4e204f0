#!/usr/bin/env bash
# Builds the plug-in in three formats from one NativeAOT library (src/Plugin, net9.0,
# docs/vst3.md §10; the same .so serves VST3, LADSPA and LV2, docs/ladspa-lv2.md):
#   build/PercepNetFx.vst3/Contents/x86_64-linux/PercepNetFx.so (+ Contents/Resources/moduleinfo.json)
#   build/ladspa/PercepNetFx.so
#   build/PercepNetFx.lv2/{manifest.ttl,PercepNetFx.ttl,PercepNetFx.so}
# regenerates presets/*.vstpreset from presets/presets.json, and with --install copies the
# bundles to the per-user folders hosts scan (scripts/install-plugin.sh): ~/.vst3 (with the presets in
# ~/.vst3/presets/PercepNetFx project/PercepNetFx), ~/.ladspa and ~/.lv2.
# --pipewire also installs the PipeWire virtual microphone (docs/pipewire.md).
# Usage: bash scripts/build-plugin.sh [--install] [--pipewire]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
install=0
pipewire=()
for a in "$@"; do case "$a" in --install) install=1 ;; --pipewire) install=1; pipewire=(--pipewire) ;; *) echo "usage: $0 [--install [--pipewire]]" >&2; exit 2 ;; esac; done

out=build/plugin-publish
bundle=build/PercepNetFx.vst3
log=$(mktemp)
if ! dotnet publish src/Plugin/PercepNetFx.Plugin.csproj -c Release -r linux-x64 -o "$out" -nologo -v quiet >"$log" 2>&1; then
  grep -E "error|warn" "$log" | sort -u | head -30; rm -f "$log"; echo "plug-in publish failed" >&2; exit 1
fi
rm -f "$log"
rm -rf "$bundle"
mkdir -p "$bundle/Contents/x86_64-linux" "$bundle/Contents/Resources"
cp "$out/PercepNetFx.so" "$bundle/Contents/x86_64-linux/PercepNetFx.so"

# Class IDs come from the one place they are declared (src/Plugin/Interop/Vst.cs); the FUID
# string is the four words as %08X (§2). Every value here must match what the factory reports.
cid() { grep -E "public static readonly uint\[\] $1CidWords" src/Plugin/Interop/Vst.cs | grep -Eo "0x[0-9A-Fa-f]{8}" | sed 's/0x//' | tr -d '\n' | tr a-f A-F; }
pcid=$(cid Processor); ccid=$(cid Controller)
[ ${#pcid} -eq 32 ] && [ ${#ccid} -eq 32 ] || { echo "could not read class IDs from Vst.cs" >&2; exit 1; }
cat > "$bundle/Contents/Resources/moduleinfo.json" <<JSON
{
  "Name": "PercepNetFx",
  "Version": "1.0.0",
  "Factory Info": {
    "Vendor": "PercepNetFx project",
    "URL": "",
    "E-Mail": "",
    "Flags": {
      "Unicode": true,
      "Classes Discardable": false,
      "Component Non Discardable": false
    }
  },
  "Compatibility": [],
  "Classes": [
    {
      "CID": "$pcid",
      "Category": "Audio Module Class",
      "Name": "PercepNetFx",
      "Vendor": "PercepNetFx project",
      "Version": "1.0.0",
      "SDKVersion": "VST 3.7.14",
      "Sub Categories": ["Fx", "Restoration"],
      "Class Flags": 0,
      "Cardinality": 2147483647,
      "Snapshots": []
    },
    {
      "CID": "$ccid",
      "Category": "Component Controller Class",
      "Name": "PercepNetFxController",
      "Vendor": "PercepNetFx project",
      "Version": "1.0.0",
      "SDKVersion": "VST 3.7.14",
      "Class Flags": 0,
      "Cardinality": 2147483647,
      "Snapshots": []
    }
  ]
}
JSON

# Presets: the readable source presets/presets.json → presets/*.vstpreset (§9 format).
/usr/bin/python3 scripts/make_presets.py --cid "$pcid" presets/presets.json presets

# The runtime inside the .so cannot be unloaded: it must carry DF_1_NODELETE (§10).
readelf -d "$bundle/Contents/x86_64-linux/PercepNetFx.so" | grep -q NODELETE || { echo "PercepNetFx.so lacks -z nodelete" >&2; exit 1; }
echo "built $bundle"

# LADSPA: the library alone; its descriptors come from the control table at load time.
mkdir -p build/ladspa
cp "$out/PercepNetFx.so" build/ladspa/PercepNetFx.so
echo "built build/ladspa/PercepNetFx.so"

# LV2: the library beside Turtle written from the same control table.
lv2=build/PercepNetFx.lv2
rm -rf "$lv2"
mkdir -p "$lv2"
cp "$out/PercepNetFx.so" "$lv2/PercepNetFx.so"
log=$(mktemp)
if ! dotnet run scripts/make_lv2_ttl.cs -- "$lv2" >"$log" 2>&1; then
  tail -20 "$log"; rm -f "$log"; echo "LV2 Turtle generation failed" >&2; exit 1
fi
rm -f "$log"
echo "built $lv2"

if [ $install -eq 1 ]; then bash scripts/install-plugin.sh "${pipewire[@]}"; fi
