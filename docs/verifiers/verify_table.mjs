// Verifies a chatroute routing table the way a Node.js runtime would.
//
// The hash is sha256 over the body's canonical form: compact JSON, object
// keys sorted by code point (not JavaScript's default UTF-16 order), strings
// as JSON.stringify writes them (docs/table.md). amoCRM ids fit in 2^53.
// Usage: node verify_table.mjs TABLE.json; prints the hash, exits 0 when it holds.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";

const byCodePoint = (a, b) => {
  const [x, y] = [[...a], [...b]];
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const d = x[i].codePointAt(0) - y[i].codePointAt(0);
    if (d !== 0) return d;
  }
  return x.length - y.length;
};

const canonical = (v) => {
  if (Array.isArray(v)) return `[${v.map(canonical).join(",")}]`;
  if (v !== null && typeof v === "object") {
    const keys = Object.keys(v).sort(byCodePoint);
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonical(v[k])}`).join(",")}}`;
  }
  return JSON.stringify(v);
};

const table = JSON.parse(readFileSync(process.argv[2], "utf8"));
if (table.format !== "chatroute-table" || table.format_version !== 3) {
  console.error("not a chatroute table of format version 3");
  process.exit(1);
}
const digest = "sha256:" + createHash("sha256").update(canonical(table.body), "utf8").digest("hex");
if (digest !== table.hash) {
  console.error(`hash mismatch: stored ${table.hash}, computed ${digest}`);
  process.exit(1);
}
console.log(digest);
