#!/usr/bin/env python3
"""chatroute check and compile against the bare TOML parse, side by side.

    python3 bench/compare.py [--specs real,S,M,L,XL] [--rounds N] [--peers] [--many]

Builds chatroute and the bench helpers in release mode, generates the S, M,
L and XL specs (bench/specgen.rs) under target/bench, then for each spec
(`real` is examples/acme.toml) times, interleaved within each round so a
change in the machine's load touches them all alike:

  floor     the bare TOML parse with the `toml` crate (bench/parse_floor.rs)
  check     chatroute check FILE (parse, schema, every rule)
  compile   chatroute compile FILE (check, then the table on standard
            output; every timed run's output goes to target/bench/stdout)
  compile -o  chatroute compile FILE -o target/bench/out.json: the same,
            written atomically and durably (fsync of the file and its
            directory; shown, not held to a target: it is the disk's time)

and prints the median wall time of each, the ratios check/floor and
compile/check, the peak memory (max RSS, /usr/bin/time -v, median of 3) of
each and its ratio to the floor's, and each ratio against its target
(check <= 1.3x the floor on real-size specs, <= 1.2x on L;
compile <= 1.2x check; peak memory <= 1.3x the floor's on L and XL, see
MEMORY_TARGET).

--peers also times, on L and XL, the tools a user would run instead:
taplo check --schema, check-jsonschema and ajv on the JSON twin (installed
under target/bench: npm @taplo/cli, ajv-cli; pip check-jsonschema).
--many checks 1,000 copies of S in one call and prints wall/CPU.
--against BIN times another chatroute build (a worktree of an earlier
commit, built with `cargo build --release`) beside this one, in English
and in Russian (`--lang ru`), on the specs and on a file with 21
diagnostics (tests/fixtures/many-problems.toml): a change's cost, before
and after, on the same machine in the same rounds.
"""

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
WORK = os.path.join(ROOT, "target", "bench")
SCHEMA = os.path.join(ROOT, "schema", "chatroute.schema.json")
REAL = os.path.join(ROOT, "examples", "acme.toml")
STDOUT = os.path.join(WORK, "stdout")

# Rounds by spec: small specs vary more from run to run and cost little.
ROUNDS = {"real": 201, "S": 201, "M": 41, "L": 11, "XL": 5}
# Targets (ratio, which specs): check/floor, compile/check, peak memory/floor.
CHECK_TARGET = {"real": 1.3, "S": 1.3, "L": 1.2}
COMPILE_TARGET = 1.2
# Held where the spec's data dominates the resident set. Below a few MB,
# max RSS is mostly the executable's code pages the kernel maps in 64 KB
# runs (file-backed, shared page cache): about 2 MB of chatroute's code
# against well under 1 MB of the floor's, whatever the spec.
MEMORY_TARGET = {"L": 1.3, "XL": 1.3}


def sh(cmd, **kw):
    return subprocess.run(cmd, check=True, **kw)


def build():
    # The executable alone, as `cargo install` builds it: with the examples
    # in the same build, the dev-dependencies' features (the runtime's
    # `testing`) would be in it, and with them other symbol names than
    # link/startup.order's.
    sh(["cargo", "build", "--release", "--quiet", "--bin", "chatroute"], cwd=ROOT)
    sh(["cargo", "build", "--release", "--quiet", "--example", "gen-spec", "--example", "parse-floor"], cwd=ROOT)
    release = os.path.join(ROOT, "target", "release")
    return os.path.join(release, "chatroute"), os.path.join(release, "examples", "gen-spec"), os.path.join(release, "examples", "parse-floor")


def timed(cmd):
    """Wall seconds of one run, its standard output written to a file (for
    `compile`, the table), as a shell's `> FILE` would."""
    with open(STDOUT, "wb") as out:
        start = time.perf_counter()
        proc = subprocess.run(cmd, stdout=out, stderr=subprocess.PIPE, text=True)
        elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        raise RuntimeError(f"{cmd[0]} failed ({proc.returncode}): {proc.stderr[-2000:]}")
    return elapsed


def peak_mb(cmd):
    """Peak RSS in MB: median of 3 runs, kept out of the timed runs."""
    return statistics.median(once(cmd)[1] for _ in range(3))


def once(cmd):
    """Wall seconds and peak MB of one run under /usr/bin/time -v."""
    start = time.perf_counter()
    proc = subprocess.run(["/usr/bin/time", "-v"] + cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    elapsed = time.perf_counter() - start
    rss = [int(l.split(":")[1]) / 1024 for l in proc.stderr.splitlines() if "Maximum resident set size" in l]
    return elapsed, (rss[0] if rss else float("nan"))


def measure(cmds, rounds):
    """Median wall seconds and peak MB of each command, interleaved by round."""
    times = {name: [] for name in cmds}
    for _ in range(rounds):
        for name, cmd in cmds.items():
            times[name].append(timed(cmd))
    return {name: (statistics.median(t), peak_mb(cmds[name])) for name, t in times.items()}


def verdict(ratio, target):
    return "" if target is None else (" ok" if ratio <= target else " OVER")


def ratios(chatroute, floor, specs, files, rounds):
    out = os.path.join(WORK, "out.json")
    print(f"{'spec':<5} {'MB':>6} | {'floor ms':>9} {'check ms':>9} {'compile ms':>10} {'compile -o ms':>13} | {'check/floor':>14} {'compile/check':>14} | "
          f"{'peak MB floor/check/compile':>28} {'check/floor':>14} {'compile/floor':>14}")
    for spec in specs:
        path, mb = files[spec]
        cmds = {
            "floor": [floor, path],
            "check": [chatroute, "check", path],
            "compile": [chatroute, "compile", path],
            "compile -o": [chatroute, "compile", path, "-o", out],
        }
        r = measure(cmds, rounds or ROUNDS.get(spec, 11))
        (f, fm), (c, cm), (k, km), (durable, _) = r["floor"], r["check"], r["compile"], r["compile -o"]
        check_ratio, compile_ratio = c / f, k / c
        print(f"{spec:<5} {mb:>6.3f} | {f * 1e3:>9.2f} {c * 1e3:>9.2f} {k * 1e3:>10.2f} {durable * 1e3:>13.2f} | "
              f"{check_ratio:>10.2f}{verdict(check_ratio, CHECK_TARGET.get(spec)):<4} "
              f"{compile_ratio:>10.2f}{verdict(compile_ratio, COMPILE_TARGET):<4} | "
              f"{fm:>8.1f} /{cm:>7.1f} /{km:>7.1f}    "
              f"{cm / fm:>10.2f}{verdict(cm / fm, MEMORY_TARGET.get(spec)):<4} {km / fm:>10.2f}{verdict(km / fm, MEMORY_TARGET.get(spec)):<4}", flush=True)


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


def peers_table(chatroute, floor, gen, files):
    peers = install_peers()
    schema_uri = "file://" + SCHEMA
    print(f"\n{'spec':<5} {'tool':<17} {'median s':>9} {'x floor':>8} {'peak MB':>8} {'x floor':>8}")
    for spec in ("L", "XL"):
        if spec not in files:
            continue
        toml_path, _ = files[spec]
        json_path = os.path.join(WORK, f"{spec}.json")
        with open(json_path, "w") as f:
            sh([gen, spec, "--json"], stdout=f)
        cmds = {"floor": [floor, toml_path], "chatroute check": [chatroute, "check", toml_path]}
        if "taplo" in peers:
            cmds["taplo"] = [peers["taplo"], "check", "--schema", schema_uri, toml_path]
        if "check-jsonschema" in peers:
            cmds["check-jsonschema"] = [peers["check-jsonschema"], "--schemafile", SCHEMA, json_path]
        if "ajv" in peers:
            cmds["ajv"] = [peers["ajv"], "validate", "--spec=draft2020", "--strict=false", "-s", SCHEMA, "-d", json_path]
        # The slow peers run once: wall time and peak memory of the same run.
        results = {name: once(cmd) for name, cmd in cmds.items()}
        base = results["floor"]
        for name, (secs, peak) in results.items():
            print(f"{spec:<5} {name:<17} {secs:>9.3f} {secs / base[0]:>8.2f} {peak:>8.1f} {peak / base[1]:>8.2f}", flush=True)


def many(chatroute, gen, runs=5):
    folder = os.path.join(WORK, "many")
    shutil.rmtree(folder, ignore_errors=True)
    os.makedirs(folder)
    s_text = subprocess.run([gen, "S"], capture_output=True, text=True, check=True).stdout
    paths = []
    for i in range(1000):
        p = os.path.join(folder, f"s{i:04}.toml")
        with open(p, "w") as f:
            f.write(s_text)
        paths.append(p)
    walls, cpus = [], []
    for _ in range(runs):
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


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--specs", default="real,S,M,L,XL")
    ap.add_argument("--rounds", type=int, default=0, help="rounds per spec (default: by size, 201 for real and S down to 5 for XL)")
    ap.add_argument("--peers", action="store_true", help="also time taplo, check-jsonschema and ajv on L and XL")
    ap.add_argument("--many", action="store_true", help="also check 1,000 S specs in one call")
    ap.add_argument("--against", metavar="BIN", help="another chatroute binary to time beside this one")
    args = ap.parse_args()
    os.makedirs(WORK, exist_ok=True)
    chatroute, gen, floor = build()
    specs = args.specs.split(",")
    files = {}
    for spec in specs:
        if spec == "real":
            files[spec] = (REAL, os.path.getsize(REAL) / 1e6)
            continue
        path = os.path.join(WORK, f"{spec}.toml")
        with open(path, "w") as f:
            sh([gen, spec], stdout=f)
        files[spec] = (path, os.path.getsize(path) / 1e6)
    print(f"machine: {os.cpu_count()} cores, {platform_line()}")
    ratios(chatroute, floor, specs, files, args.rounds)
    if args.peers:
        peers_table(chatroute, floor, gen, files)
    if args.many:
        many(chatroute, gen)
    if args.against:
        against(chatroute, floor, args.against, files, specs, args.rounds)


def against(chatroute, floor, baseline, files, specs, rounds):
    """This build against `baseline`, interleaved: check in English and in
    Russian, each with its ratio to the floor."""
    problems = os.path.join(ROOT, "tests", "fixtures", "many-problems.toml")
    print(f"\n{'spec':<9} | {'floor ms':>9} {'baseline':>9} {'this':>9} {'this ru':>9} | {'baseline/floor':>14} {'this/floor':>10} {'ru/floor':>9}")
    for spec, path in [(s, files[s][0]) for s in specs] + [("problems", problems)]:
        cmds = {
            "floor": [floor, path],
            "baseline": [baseline, "check", path],
            "this": [chatroute, "check", path],
            "this ru": [chatroute, "check", "--lang", "ru", path],
        }
        n = rounds or ROUNDS.get(spec, 201)
        times = {name: [] for name in cmds}
        for _ in range(n):
            for name, cmd in cmds.items():
                start = time.perf_counter()
                subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                times[name].append(time.perf_counter() - start)
        ms = {name: statistics.median(t) * 1000 for name, t in times.items()}
        f = ms["floor"]
        print(f"{spec:<9} | {f:>9.2f} {ms['baseline']:>9.2f} {ms['this']:>9.2f} {ms['this ru']:>9.2f} | "
              f"{ms['baseline'] / f:>14.2f} {ms['this'] / f:>10.2f} {ms['this ru'] / f:>9.2f}")


if __name__ == "__main__":
    main()
