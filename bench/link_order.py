#!/usr/bin/env python3
"""Writes link/startup.order: the functions chatroute's short commands run,
for the linker to put side by side (build.rs passes the file to lld).

    python3 bench/link_order.py [--check]

Builds the release executable with the linker's map (CHATROUTE_LINK_MAP),
runs each of COMMANDS under valgrind (lackey: the code it runs, in order),
names every function a run entered from its address with the map, and
writes the names in the order they first ran, the first command's first. The executable stays stripped: names come from
the map, so they are exactly the ones this profile links.

A function's name carries a hash of its crate's version, dependencies and
build profile: after a version bump, a dependency update or a profile
change, run this again. Names a build no longer has are skipped at link
time (the start is then as without the file), and `--check` says how many
of the file's names the current build has (compare.py prints it too).
"""

import argparse
import bisect
import glob
import os
import re
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ORDER = os.path.join(ROOT, "link", "startup.order")
MAP = os.path.join(ROOT, "target", "link-order", "chatroute.map")
EXE = os.path.join(ROOT, "target", "release", "chatroute")

# The commands people and CI run often and briefly, where the start is
# most of the time: a clean check, checks that report (each format and
# language), compile, explain, and clap's answers.
COMMANDS = [
    ["check", "examples/acme.toml"],
    *[["check", path] for path in sorted(glob.glob(os.path.join(ROOT, "examples", "*.toml")))],
    ["check", "tests/fixtures/many-problems.toml"],
    ["check", "--format", "json", "tests/fixtures/many-problems.toml"],
    ["check", "--format", "sarif", "tests/fixtures/many-problems.toml"],
    ["check", "--format", "github", "tests/fixtures/many-problems.toml"],
    ["check", "--lang", "ru", "tests/fixtures/many-problems.toml"],
    ["compile", "examples/acme.toml"],
    ["explain", "CR204"],
    ["--version"],
    ["check", "--help"],
]

# A line of lld's map: address, load address, size, alignment, then an
# input section (`file:(.text.NAME)`) or, indented further, a symbol.
LINE = re.compile(r"^\s*([0-9a-f]+)\s+[0-9a-f]+\s+([0-9a-f]+)\s+\d+\s+(\S.*)$")


def build():
    """The release executable, linked with the map (the order file does
    not change names, only where they are)."""
    os.makedirs(os.path.dirname(MAP), exist_ok=True)
    env = dict(os.environ, CHATROUTE_LINK_MAP=MAP)
    subprocess.run(["cargo", "build", "--release", "--quiet", "--bin", "chatroute"], cwd=ROOT, env=env, check=True)


def sections():
    """(start, end, symbol) of every code section the map lists, by
    address, named by its first symbol (mangled: build.rs asks lld not to
    demangle the map), which is what the ordering file names."""
    found, section = [], None
    with open(MAP, encoding="utf-8", errors="replace") as lines:
        for line in lines:
            m = LINE.match(line)
            if not m:
                continue
            start, size, what = int(m.group(1), 16), int(m.group(2), 16), m.group(3)
            if ":(" in what:
                section = (start, start + size) if size and ":(.text" in what else None
            elif section and section[0] <= start < section[1]:
                found.append((*section, what.strip()))
                section = None
    found.sort()
    return found


def entered(args):
    """Addresses of the code one run executed, first run first: the start
    of every superblock valgrind's lackey ran, superblocks not followed
    across jumps (`--vex-guest-chase=no`), so a function entered by a jump,
    a tail call, starts one of its own."""
    with tempfile.NamedTemporaryFile(suffix=".lackey") as out:
        subprocess.run(
            ["valgrind", "--tool=lackey", "--trace-superblocks=yes", "--vex-guest-chase=no", f"--log-file={out.name}", EXE, *args],
            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False,
        )
        text = open(out.name, encoding="utf-8", errors="replace").read()
    return [int(a, 16) for a in re.findall(r"^SB ([0-9a-f]+)$", text, re.M)]


def name(functions, address):
    """The symbol whose code holds `address`."""
    at = bisect.bisect_right(functions, (address, float("inf"))) - 1
    if at >= 0 and functions[at][0] <= address < functions[at][1]:
        return functions[at][2]
    return None


def check(functions):
    have = {symbol for _, _, symbol in functions}
    wanted = [line.strip() for line in open(ORDER) if line.strip() and not line.startswith("#")]
    found = sum(1 for symbol in wanted if symbol in have)
    print(f"link order: {found} of {len(wanted)} names in this build ({100 * found / max(1, len(wanted)):.0f}%)")
    return found == len(wanted)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="say how many of the file's names this build has")
    args = parser.parse_args()
    build()
    functions = sections()
    if args.check:
        sys.exit(0 if check(functions) else 1)
    names = []
    for command in COMMANDS:
        for address in entered(command):
            symbol = name(functions, address)
            if symbol and symbol not in names:
                names.append(symbol)
    os.makedirs(os.path.dirname(ORDER), exist_ok=True)
    with open(ORDER, "w") as out:
        out.write("# Written by bench/link_order.py (see build.rs): the functions chatroute's\n")
        out.write("# short commands run, placed side by side by the linker. Do not edit.\n")
        out.writelines(symbol + "\n" for symbol in names)
    print(f"{len(names)} functions from {len(COMMANDS)} commands -> {os.path.relpath(ORDER, ROOT)}")


if __name__ == "__main__":
    main()
