#!/usr/bin/env node
// Runs Microsoft's DNSMOS P.835 model (sig_bak_ovr.onnx) on prepared 16 kHz windows.
//
//   node scripts/dnsmos.mjs [--model sig_bak_ovr.onnx] LIST
//
// LIST names one file a line; each file holds whole 9.01 s windows (144160 samples each) of
// little-endian float32 audio at 16 kHz. Prints one line per window:
//   file <TAB> window index <TAB> SIG raw <TAB> BAK raw <TAB> OVRL raw
// The windowing and the polynomial mapping to MOS are in scripts/extra_metrics.py, which writes
// the windows and calls this script (eval_quality.py and sweep_dev.py do so when
// PERCEPNETFX_DNSMOS_MODEL is set).
//
// The model path comes from --model, else from $PERCEPNETFX_DNSMOS_MODEL. The npm package
// onnxruntime-node is looked up where Node finds it from this script (or NODE_PATH), then next to
// the model file (`npm install onnxruntime-node` in the model's folder). One thread per process.
import { createRequire } from "node:module";
import { readFileSync } from "node:fs";
import path from "node:path";

const WINDOW = 144160;

function fail(msg, code = 2) {
  process.stderr.write(`dnsmos: ${msg}\n`);
  process.exit(code);
}

function parseArgs(argv) {
  let model = process.env.PERCEPNETFX_DNSMOS_MODEL || "";
  const rest = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === "--model") {
      if (i + 1 >= argv.length) fail("--model needs a path");
      model = argv[++i];
    } else if (argv[i] === "-h" || argv[i] === "--help") {
      process.stdout.write("usage: node scripts/dnsmos.mjs [--model sig_bak_ovr.onnx] LIST\n");
      process.exit(0);
    } else rest.push(argv[i]);
  }
  if (!model) fail("no model: pass --model or set PERCEPNETFX_DNSMOS_MODEL");
  if (rest.length !== 1) fail("expected one LIST file (one window file a line)");
  return { model, list: rest[0] };
}

function loadOrt(model) {
  const tried = [];
  for (const base of [import.meta.url, path.join(path.dirname(path.resolve(model)), "package.json")]) {
    try {
      return createRequire(base)("onnxruntime-node");
    } catch (e) {
      tried.push(String(base));
    }
  }
  fail("onnxruntime-node not found (install it with npm next to the model, or set NODE_PATH); looked from "
       + tried.join(", "));
}

const { model, list } = parseArgs(process.argv.slice(2));
let files;
try {
  files = readFileSync(list, "utf8").split("\n").map((s) => s.trim()).filter((s) => s);
} catch (e) {
  fail(`cannot read ${list}: ${e.message}`);
}
const ort = loadOrt(model);
let session;
try {
  session = await ort.InferenceSession.create(model, { intraOpNumThreads: 1, interOpNumThreads: 1 });
} catch (e) {
  fail(`cannot load ${model}: ${e.message}`);
}
const input = session.inputNames[0];
const output = session.outputNames[0];
for (const f of files) {
  const buf = readFileSync(f);
  if (buf.length === 0 || buf.length % (4 * WINDOW) !== 0) fail(`${f}: not whole windows of ${WINDOW} float32 samples`);
  const n = buf.length / (4 * WINDOW);
  const all = new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.length));
  for (let k = 0; k < n; k++) {
    const x = all.subarray(k * WINDOW, (k + 1) * WINDOW);
    const r = await session.run({ [input]: new ort.Tensor("float32", Float32Array.from(x), [1, WINDOW]) });
    const [sig, bak, ovr] = r[output].data;
    process.stdout.write(`${f}\t${k}\t${sig}\t${bak}\t${ovr}\n`);
  }
}
