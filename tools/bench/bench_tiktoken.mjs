// Encode a file with npm tiktoken's "gpt2" encoding (encode_ordinary), one
// warm-up run then N timed runs; prints one machine-readable line:
//   tiktoken <version> mbps <median MB/s> tokps <median tokens/s> tokens <count>
// MB = 1,000,000 bytes of the file. Used by tools/bench/bench_tokenizer.c; install
// with `cd tools && npm install` (tiktoken lands in tools/node_modules).
//   node tools/bench/bench_tiktoken.mjs FILE [RUNS]
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

const require = createRequire(import.meta.url);
let tiktoken;
try {
  tiktoken = require("tiktoken");
} catch (e) {
  console.log("tiktoken unavailable: " + e.message.split("\n")[0]);
  process.exit(2);
}
const file = process.argv[2];
const runs = Number(process.argv[3] || 5);
const bytes = readFileSync(file);
const text = bytes.toString("utf8");
const enc = tiktoken.get_encoding("gpt2");
let version = "?";
try {
  const dir = dirname(require.resolve("tiktoken"));
  version = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")).version;
} catch (e) { /* unknown layout: leave "?" */ }

let n = enc.encode_ordinary(text).length; // warm-up
const secs = [];
for (let r = 0; r < runs; r++) {
  const t0 = process.hrtime.bigint();
  const ids = enc.encode_ordinary(text);
  const t1 = process.hrtime.bigint();
  n = ids.length;
  secs.push(Number(t1 - t0) / 1e9);
}
secs.sort((a, b) => a - b);
const med = secs[Math.floor(secs.length / 2)];
enc.free();
console.log(`tiktoken ${version} mbps ${(bytes.length / 1e6 / med).toFixed(3)} tokps ${(n / med).toFixed(0)} tokens ${n}`);
