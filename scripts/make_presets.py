#!/usr/bin/env python3
"""Writes presets/*.vstpreset from presets/presets.json.

Independent of the C# plug-in on purpose: it writes the component state format documented in
docs/decisions.md ("Plug-in state format": "PNFX", uint32 version 1, uint32 count, then count x
(uint32 id, float64 normalised), little-endian; version 1 = no model identity, i.e. the
default model, which is what a factory preset should mean) inside the VST3 preset container of
docs/vst3.md §9, so the plug-in test that loads these files cross-checks both formats.
Usage: make_presets.py --cid <32 hex processor CID> presets.json OUTDIR
"""
import argparse, json, os, struct
from xml.sax.saxutils import quoteattr

# Stable parameter IDs (src/Plugin/Model/PercepNetFxPlugin.cs) and the normalised value of each field.
PARAMS = [(1, "strength", lambda v: v / 100.0), (2, "postFilter", lambda v: v / 100.0),
          (3, "comb", lambda v: 1.0 if v else 0.0), (4, "bypass", lambda v: 1.0 if v else 0.0),
          (5, "listen", lambda v: {"Output": 0.0, "Removed": 1.0}[v])]


def component_state(preset):
    out = bytearray(b"PNFX") + struct.pack("<II", 1, len(PARAMS))
    for pid, key, norm in PARAMS:
        v = norm(preset[key])
        if not 0.0 <= v <= 1.0:
            raise SystemExit(f"{preset['name']}: {key} out of range")
        out += struct.pack("<Id", pid, v)
    return bytes(out)


def info_xml(name):
    attrs = [("MediaType", "VstPreset"), ("PlugInName", "PercepNetFx"), ("PlugInCategory", "Fx|Restoration"), ("Name", name)]
    lines = ['<?xml version="1.0" encoding="utf-8"?>', "<MetaInfo>"]
    lines += [f'\t<Attr id="{k}" value={quoteattr(v)} type="string" flags="writeProtected"/>' for k, v in attrs]
    lines.append("</MetaInfo>")
    return ("\n".join(lines) + "\n").encode("utf-8")


def vstpreset(cid, comp, cont, info):
    # §9: header (48 bytes) → chunk payloads → 'List' (id, int64 offset, int64 size per chunk).
    assert len(cid) == 32
    data = bytearray(b"VST3" + struct.pack("<i", 1) + cid.encode("ascii") + struct.pack("<q", 0))
    entries = []
    for cid4, payload in ((b"Comp", comp), (b"Cont", cont), (b"Info", info)):
        entries.append((cid4, len(data), len(payload)))
        data += payload
    list_offset = len(data)
    data += b"List" + struct.pack("<i", len(entries))
    for cid4, off, size in entries:
        data += cid4 + struct.pack("<qq", off, size)
    data[40:48] = struct.pack("<q", list_offset)
    return bytes(data)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cid", required=True)
    ap.add_argument("source")
    ap.add_argument("outdir")
    a = ap.parse_args()
    with open(a.source, encoding="utf-8") as f:
        presets = json.load(f)["presets"]
    os.makedirs(a.outdir, exist_ok=True)
    for p in presets:
        blob = vstpreset(a.cid.upper(), component_state(p), b"", info_xml(p["name"]))
        path = os.path.join(a.outdir, p["file"])
        old = open(path, "rb").read() if os.path.exists(path) else None
        if old != blob:
            with open(path, "wb") as f:
                f.write(blob)


if __name__ == "__main__":
    main()
