#!/usr/bin/env python3
"""The "Hostile input" figures (docs/reliability.md) for `serve` and `lsp`, measured on
release builds with real processes and sockets:

    cargo build --release && python3 bench/hostile.py

- 300 connections each holding 15 KiB of an unfinished request head,
  under `prlimit --nofile=256`: peak RSS, `/healthz` latency, and when the
  server has closed all of them (`--header-timeout 2`);
- SIGTERM with one connection dribbling a request head: time to exit;
- `chatroute lsp` sent `Content-Length: 1500000000` and one byte: RSS.
"""
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time

BIN = os.path.join(os.path.dirname(__file__), "..", "target", "release", "chatroute")


def rss_kb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def start_serve(table, *args):
    cmd = ["prlimit", "--nofile=256", BIN, "serve", table, "--listen", "127.0.0.1:0", *args]
    proc = subprocess.Popen(cmd, stderr=subprocess.PIPE, text=True)
    for line in proc.stderr:
        if "listening on http://" in line:
            host, port = line.strip().rsplit("http://", 1)[1].split(":")
            return proc, (host, int(port))
    sys.exit("serve did not start")


def healthz(addr):
    started = time.monotonic()
    with socket.create_connection(addr, timeout=30) as s:
        s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        answer = s.recv(64)
    return time.monotonic() - started, answer.split(b"\r\n")[0].decode()


def slow_heads(table):
    proc, addr = start_serve(table, "--header-timeout", "2")
    before = rss_kb(proc.pid)
    head = b"POST /v1/deals HTTP/1.1\r\nHost: x\r\nX-Fill: " + b"a" * (15 * 1024)
    held = []
    for _ in range(300):
        s = socket.create_connection(addr)
        s.setblocking(False)
        try:
            s.sendall(head)
        except BlockingIOError:
            pass
        held.append(s)
    took, status = healthz(addr)
    peak = rss_kb(proc.pid)
    started = time.monotonic()
    open_ = list(held)
    while open_ and time.monotonic() - started < 60:
        still = []
        for s in open_:
            try:
                if s.recv(1) == b"":
                    continue
            except BlockingIOError:
                still.append(s)
                continue
            except OSError:
                continue
            still.append(s)
        open_ = still
        time.sleep(0.05)
    print(f"300 slow heads of 15 KiB (nofile 256): RSS {before} -> {peak} kB; "
          f"/healthz {status!r} in {took:.2f} s; all closed by the server after {time.monotonic() - started:.1f} s "
          f"({len(open_)} still open)")
    for s in held:
        s.close()
    dribble = socket.create_connection(addr)
    dribble.sendall(b"GET /heal")
    started = time.monotonic()
    proc.send_signal(signal.SIGTERM)
    proc.wait(timeout=60)
    print(f"SIGTERM with a request head still dribbling: exited in {time.monotonic() - started:.2f} s (status {proc.returncode})")


def lying_length():
    proc = subprocess.Popen([BIN, "lsp"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    proc.stdin.write(b"Content-Length: 1500000000\r\n\r\n{")
    proc.stdin.flush()
    time.sleep(0.5)
    rss = rss_kb(proc.pid)
    proc.stdin.close()
    proc.wait(timeout=30)
    print(f"lsp, Content-Length 1500000000 with one byte sent: RSS {rss} kB, alive until its input ended")


def main():
    with tempfile.TemporaryDirectory() as d:
        table = os.path.join(d, "t.json")
        subprocess.run([BIN, "compile", "examples/furniture.toml", "-o", table], check=True)
        slow_heads(table)
    lying_length()


if __name__ == "__main__":
    main()
