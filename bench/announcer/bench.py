#!/usr/bin/env python3
"""Announcer vs the tutorials' shell-loop sidekick, same etcd, same app, same interval.

Measures for each sidekick, started by this script and stopped by PID:
  - resident memory: the sum over the sidekick's process tree, sampled every 20 ms (peak and median);
  - CPU: user+system seconds of the tree (children included once reaped) over the idle window;
  - deregistration delay: time from the app's death (SIGKILL) to the key's deletion, several trials.
Prints a Markdown table. Only loopback addresses; every loop is bounded in count and time.

usage: bench.py ANNOUNCER_BIN ETCD_URL IDLE_SECONDS TRIALS
"""
import base64
import json
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
TICK = os.sysconf("SC_CLK_TCK")
PAGE = os.sysconf("SC_PAGE_SIZE")


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def get_key(etcd, key):
    body = json.dumps({"key": base64.b64encode(key.encode()).decode()}).encode()
    request = urllib.request.Request(etcd + "/v3/kv/range", data=body, method="POST")
    with urllib.request.urlopen(request, timeout=2) as answer:
        kvs = json.load(answer).get("kvs", [])
    return base64.b64decode(kvs[0]["value"]).decode() if kvs else None


def wait_for(condition, timeout, every=0.01):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(every)
    return False


def tree(pid):
    """The PIDs of pid and its descendants, from /proc."""
    children = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            children.setdefault(int(fields[1]), []).append(int(entry))
        except OSError:
            pass
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(children.get(p, []))
    return out


def rss_bytes(pids):
    total = 0
    for p in pids:
        try:
            with open(f"/proc/{p}/statm") as f:
                total += int(f.read().split()[1]) * PAGE
        except OSError:
            pass
    return total


def cpu_seconds(pid):
    """utime+stime of pid plus its reaped children (cutime+cstime)."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return sum(int(x) for x in fields[11:15]) / TICK


def start_app(port):
    return subprocess.Popen(
        [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd="/tmp")


def measure(name, command, etcd, key, app_port, idle_seconds, trials):
    app = start_app(app_port)
    log = open(f"/tmp/bench-announcer-{name}.log", "w")
    sidekick = subprocess.Popen(command, stdout=log, stderr=log)
    try:
        value = f"127.0.0.1:{app_port}"
        if not wait_for(lambda: get_key(etcd, key) == value, 20):
            raise SystemExit(f"{name}: key never appeared; see /tmp/bench-announcer-{name}.log")
        time.sleep(2)  # let start-up settle before the idle window
        rss, start_cpu, start = [], cpu_seconds(sidekick.pid), time.monotonic()
        while time.monotonic() - start < idle_seconds:
            rss.append(rss_bytes(tree(sidekick.pid)))
            time.sleep(0.02)
        cpu = cpu_seconds(sidekick.pid) - start_cpu
        elapsed = time.monotonic() - start

        delays = []
        for _ in range(trials):
            if not wait_for(lambda: get_key(etcd, key) == value, 20):
                raise SystemExit(f"{name}: key not back before a trial")
            time.sleep(random.uniform(0, 1))  # a random phase against the check interval
            app.send_signal(signal.SIGKILL)
            app.wait()
            died = time.monotonic()
            if not wait_for(lambda: get_key(etcd, key) is None, 30):
                raise SystemExit(f"{name}: key never went after the app died")
            delays.append(time.monotonic() - died)
            app = start_app(app_port)
        return {
            "name": name,
            "rss_peak_mb": max(rss) / 1e6,
            "rss_median_mb": statistics.median(rss) / 1e6,
            "cpu_s": cpu,
            "cpu_pct": 100 * cpu / elapsed,
            "idle_s": elapsed,
            "delays": delays,
        }
    finally:
        sidekick.send_signal(signal.SIGTERM)
        try:
            sidekick.wait(timeout=5)
        except subprocess.TimeoutExpired:
            sidekick.kill()
            sidekick.wait()
        app.kill()
        app.wait()
        log.close()


def main():
    announcer, etcd, idle_seconds, trials = sys.argv[1], sys.argv[2], float(sys.argv[3]), int(sys.argv[4])
    ttl, interval = "3", "1"
    rows = []
    port = free_port()
    rows.append(measure(
        "announcer",
        [announcer, "--app", "bench", "--instance", "1", "--address", f"127.0.0.1:{port}",
         "--check", f"http://127.0.0.1:{port}/", "--ttl", ttl, "--interval", interval, "--store", etcd],
        etcd, "/services/web/bench/bench@1", port, idle_seconds, trials))
    port = free_port()
    rows.append(measure(
        "shell loop (curl + etcdctl)",
        ["bash", os.path.join(HERE, "shell-sidekick.sh"), "/services/web/bench/bench@2", f"127.0.0.1:{port}",
         etcd, ttl, interval],
        etcd, "/services/web/bench/bench@2", port, idle_seconds, trials))

    print(f"idle window {rows[0]['idle_s']:.0f} s at --interval {interval} --ttl {ttl}, "
          f"{trials} app deaths each, against etcd 3.4 on loopback\n")
    print("| sidekick | RSS peak | RSS median | CPU over the window | CPU % | app death → key gone: median (max) |")
    print("| --- | --- | --- | --- | --- | --- |")
    for r in rows:
        d = r["delays"]
        print(f"| {r['name']} | {r['rss_peak_mb']:.1f} MB | {r['rss_median_mb']:.1f} MB | {r['cpu_s']:.2f} s | "
              f"{r['cpu_pct']:.2f} % | {statistics.median(d) * 1000:.0f} ms ({max(d) * 1000:.0f} ms) |")


if __name__ == "__main__":
    main()
