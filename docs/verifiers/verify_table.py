#!/usr/bin/env python3
"""Verifies a chatroute routing table the way a Python runtime would.

The hash is sha256 over the body's canonical form: compact JSON, object keys
sorted by code point, non-ASCII characters as they are (docs/table.md).
Usage: verify_table.py TABLE.json; prints the hash and exits 0 when it holds.
"""
import hashlib
import json
import sys

with open(sys.argv[1], encoding="utf-8") as f:
    table = json.load(f)
if table.get("format") != "chatroute-table" or table.get("format_version") != 3:
    sys.exit("not a chatroute table of format version 3")
canonical = json.dumps(table["body"], sort_keys=True, separators=(",", ":"), ensure_ascii=False)
digest = "sha256:" + hashlib.sha256(canonical.encode("utf-8")).hexdigest()
if digest != table["hash"]:
    sys.exit(f"hash mismatch: stored {table['hash']}, computed {digest}")
print(digest)
