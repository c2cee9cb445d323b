#!/usr/bin/env python3
"""chatroute check against the tools a user would run instead, side by side.

    python3 bench/compare.py [--sizes S,M,L,XL] [--runs 5]

Builds chatroute and the bench helpers, generates the S, M, L and XL specs
(bench/specgen.rs) and their JSON twins under target/bench, installs the
peers it needs under target/bench (npm: @taplo/cli, ajv-cli; pip in a venv:
check-jsonschema), then times on this machine, in one run:

  floor             the bare TOML parse with the `toml` crate (bench/parse_floor.rs)
  chatroute         chatroute check FILE.toml (parse, schema, every rule)
  taplo             taplo check --schema schema/chatroute.schema.json FILE.toml
  check-jsonschema  check-jsonschema --schemafile ... FILE.json
  ajv               ajv validate --spec=draft2020 -s ... -d FILE.json

It prints the median wall time of several runs, the ratio to the floor, the
peak memory (max RSS from /usr/bin/time -v) and its ratio to the floor's,
chatroute's time per MB from size to size, and the wall/CPU ratio of
checking 1,000 S specs in one call.
"""

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
WORK = os.path.join(ROOT, "target", "bench")
SCHEMA = os.path.join(ROOT, "schema", "chatroute.schema.json")


def sh(cmd, **kw):
    return subprocess.run(cmd, check=True, **kw)


def build():
    sh(["cargo", "build", "--release", "--quiet", "--bin", "chatroute", "--example", "gen-spec", "--example", "parse-floor"], cwd=ROOT)
    release = os.path.join(ROOT, "target", "release")
    return os.path.join(release, "chatroute"), os.path.join(release, "examples", "gen-spec"), os.path.join(release, "examples", "parse-floor")


def install_peers():
    peers = {}
    npm_dir = os.path.join(WORK, "npm")
    if not os.path.exists(os.path.join(npm_dir, "node_modules", ".bin", "ajv")):
        try:
            sh(["npm", "install", "--prefix", npm_dir, "--no-audit", "--no-fund", "--silent", "@taplo/cli@0.7.0", "ajv-cli@5.0.0"])
        except (subprocess.CalledProcessError, FileNotFoundError) as e:
            print(f"could not install npm peers: {e}", file=sys.stderr)
    for name in ["taplo", "ajv"]:
        path = os.path.join(npm_dir, "node_modules", ".bin", name)
        if os.path.exists(path):
            peers[name] = path
    venv = os.path.join(WORK, "venv")
    cj = os.path.join(venv, "bin", "check-jsonschema")
    if not os.path.exists(cj):
        try:
            sh([sys.executable, "-m", "venv", venv])
            sh([os.path.join(venv, "bin", "pip"), "install", "--quiet", "check-jsonschema"])
        except (subprocess.CalledProcessError, FileNotFoundError) as e:
            print(f"could not install check-jsonschema: {e}", file=sys.stderr)
    if os.path.exists(cj):
        peers["check-jsonschema"] = cj
    return peers


def timed(cmd):
    start = time.perf_counter()
    proc = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        raise RuntimeError(f"{cmd[0]} failed ({proc.returncode}): {proc.stderr[-2000:]}")
    return elapsed


def peak_mb(cmd):
    """Peak RSS in MB of one run under /usr/bin/time -v (kept out of the timed runs)."""
    proc = subprocess.run(["/usr/bin/time", "-v"] + cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    rss = [int(l.split(":")[1]) / 1024 for l in proc.stderr.splitlines() if "Maximum resident set size" in l]
    return rss[0] if rss else float("nan")


def measure(cmds, runs):
    """Median wall seconds of each command over `runs` rounds. Within a
    round the commands run one after another, so a change in the machine's
    load affects them all alike."""
    times = {name: [] for name in cmds}
    for _ in range(runs):
        for name, cmd in cmds.items():
            times[name].append(timed(cmd))
    return {name: (statistics.median(t), peak_mb(cmds[name])) for name, t in times.items()}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="S,M,L,XL")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--slow-runs", type=int, default=1, help="runs of the slow peers (taplo, check-jsonschema) on L and XL")
    args = ap.parse_args()
    os.makedirs(WORK, exist_ok=True)
    chatroute, gen, floor = build()
    peers = install_peers()
    sizes = args.sizes.split(",")
    files = {}
    for size in sizes:
        toml_path, json_path = os.path.join(WORK, f"{size}.toml"), os.path.join(WORK, f"{size}.json")
        with open(toml_path, "w") as f:
            sh([gen, size], stdout=f)
        with open(json_path, "w") as f:
            sh([gen, size, "--json"], stdout=f)
        files[size] = (toml_path, json_path, os.path.getsize(toml_path) / 1e6)

    schema_uri = "file://" + SCHEMA
    tools = [
        ("floor", lambda t, j: [floor, t]),
        ("chatroute", lambda t, j: [chatroute, "check", t]),
        ("taplo", lambda t, j: [peers["taplo"], "check", "--schema", schema_uri, t] if "taplo" in peers else None),
        ("check-jsonschema", lambda t, j: [peers["check-jsonschema"], "--schemafile", SCHEMA, j] if "check-jsonschema" in peers else None),
        ("ajv", lambda t, j: [peers["ajv"], "validate", "--spec=draft2020", "--strict=false", "-s", SCHEMA, "-d", j] if "ajv" in peers else None),
    ]
    print(f"machine: {os.cpu_count()} cores, {platform_line()}")
    print(f"{'size':<4} {'MB':>6}  {'tool':<17} {'median s':>9} {'x floor':>8} {'peak MB':>8} {'x floor':>8}")
    results = {}
    for size in sizes:
        toml_path, json_path, mb = files[size]
        cmds = {name: make(toml_path, json_path) for name, make in tools}
        fast = {n: c for n, c in cmds.items() if c is not None and n not in ("taplo", "check-jsonschema")}
        slow = {n: c for n, c in cmds.items() if c is not None and n in ("taplo", "check-jsonschema")}
        slow_runs = args.slow_runs if size in ("L", "XL") else args.runs
        for group, runs in ((fast, args.runs), (slow, slow_runs)):
            try:
                results.update({(size, n): r for n, r in measure(group, runs).items()})
            except RuntimeError as e:
                print(f"{size}: {e}", file=sys.stderr)
        base = results[(size, "floor")]
        for name, _ in tools:
            if (size, name) not in results:
                print(f"{size:<4} {mb:>6.2f}  {name:<17} {'n/a':>9}")
                continue
            secs, peak = results[(size, name)]
            print(f"{size:<4} {mb:>6.2f}  {name:<17} {secs:>9.3f} {secs / base[0]:>8.2f} {peak:>8.1f} {peak / base[1]:>8.2f}", flush=True)
    print("\nchatroute check, seconds per MB:")
    for size in sizes:
        if (size, "chatroute") in results:
            print(f"  {size:<3} {results[(size, 'chatroute')][0] / files[size][2]:.3f}")
    if "M" in sizes and "XL" in sizes:
        m = results[("M", "chatroute")][0] / files["M"][2]
        xl = results[("XL", "chatroute")][0] / files["XL"][2]
        print(f"  XL / M: {xl / m:.2f}")

    many = os.path.join(WORK, "many")
    shutil.rmtree(many, ignore_errors=True)
    os.makedirs(many)
    s_text = open(files["S"][0]).read() if "S" in files else subprocess.run([gen, "S"], capture_output=True, text=True).stdout
    paths = []
    for i in range(1000):
        p = os.path.join(many, f"s{i:04}.toml")
        with open(p, "w") as f:
            f.write(s_text)
        paths.append(p)
    walls, cpus = [], []
    for _ in range(args.runs):
        proc = subprocess.run(["/usr/bin/time", "-f", "%e %U %S", chatroute, "check"] + paths, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        wall, user, sys_ = map(float, proc.stderr.strip().splitlines()[-1].split())
        walls.append(wall)
        cpus.append(user + sys_)
    i = walls.index(statistics.median(walls))
    print(f"\n1,000 S specs in one call: wall {walls[i]:.2f} s, CPU {cpus[i]:.2f} s, wall/CPU {walls[i] / cpus[i]:.2f}")


def platform_line():
    try:
        with open("/proc/cpuinfo") as f:
            model = next(l.split(":", 1)[1].strip() for l in f if l.startswith("model name"))
    except (OSError, StopIteration):
        model = "unknown CPU"
    return model


if __name__ == "__main__":
    main()
