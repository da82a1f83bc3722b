#!/usr/bin/env python3
"""Reaction time of `router up` (built-in proxy) and `router up --nginx`, measured in one run.

For each flavour, started by this script and stopped by PID (SIGINT, as Ctrl-C):
  - registration: instance B joins app `bench` (one put to the embedded store); per client connection, the
    time from the put to the first answer from B. "first" is the earliest connection, "all" the latest.
  - deregistration: B leaves (one delete); per connection, the time from the delete to the last answer
    from B. "first" / "all" as above.
  - app death: both instances announced by real announcers (--interval 1); instance B dies (listener and
    connections closed, as SIGKILL would); failed client requests are counted and the time from the death
    to the last failed request is reported (0 when none failed).
Times start when the put/delete request is sent (so they include the store's commit and its fsync).
Clients: CLIENTS threads, each on one keep-alive connection, reconnecting (and counting a failure) when a
request fails. Only loopback; every loop is bounded in count and time.

usage: bench.py ROUTER_BIN ANNOUNCER_BIN TRIALS
"""
import base64
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

CLIENTS = 4
APP = "bench"
PREFIX = "/services/web"


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def b64(text):
    return base64.b64encode(text.encode()).decode()


def store_call(store, path, body):
    request = urllib.request.Request(store + path, data=json.dumps(body).encode(), method="POST")
    with urllib.request.urlopen(request, timeout=5) as answer:
        return json.loads(answer.read() or b"{}")


class Instance:
    """An app instance: answers every request with its name; `die()` closes the listener and every connection."""

    def __init__(self, name):
        self.name = name
        self.port = free_port()
        self.listener = socket.socket()
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", self.port))
        self.listener.listen(256)
        self.connections = []
        self.lock = threading.Lock()
        self.alive = True
        threading.Thread(target=self.accept, daemon=True).start()

    def accept(self):
        while self.alive:
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            with self.lock:
                if not self.alive:
                    conn.close()
                    return
                self.connections.append(conn)
            threading.Thread(target=self.serve, args=(conn,), daemon=True).start()

    def serve(self, conn):
        body = (self.name + "\n").encode()
        answer = b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\nContent-Type: text/plain\r\n\r\n%s" % (len(body), body)
        buffer = b""
        try:
            while self.alive:
                data = conn.recv(65536)
                if not data:
                    return
                buffer += data
                while b"\r\n\r\n" in buffer:  # bench clients send no bodies
                    _, buffer = buffer.split(b"\r\n\r\n", 1)
                    conn.sendall(answer)
        except OSError:
            return
        finally:
            conn.close()

    def die(self):
        with self.lock:
            self.alive = False
            for conn in self.connections:
                try:
                    conn.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                conn.close()
        try:
            self.listener.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.listener.close()


class Clients:
    """CLIENTS keep-alive connections to the router, each recording (time, answer) for every request."""

    def __init__(self, port, host_header):
        self.port = port
        self.request = ("GET / HTTP/1.1\r\nHost: %s\r\n\r\n" % host_header).encode()
        self.records = [[] for _ in range(CLIENTS)]
        self.running = True
        self.threads = [threading.Thread(target=self.loop, args=(i,), daemon=True) for i in range(CLIENTS)]
        for thread in self.threads:
            thread.start()

    def connect(self):
        s = socket.create_connection(("127.0.0.1", self.port), timeout=2)
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return s

    def exchange(self, s):
        s.sendall(self.request)
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = s.recv(65536)
            if not chunk:
                raise OSError("closed")
            data += chunk
        head, rest = data.split(b"\r\n\r\n", 1)
        length = 0
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value)
        while len(rest) < length:
            chunk = s.recv(65536)
            if not chunk:
                raise OSError("closed")
            rest += chunk
        status = int(head.split(b" ")[1])
        closing = b"connection: close" in head.lower()
        return status, rest[:length].decode(errors="replace").strip(), closing

    def loop(self, index):
        records = self.records[index]
        s = None
        deadline = time.monotonic() + 600
        while self.running and time.monotonic() < deadline:
            try:
                if s is None:
                    s = self.connect()
                status, body, closing = self.exchange(s)
                records.append((time.monotonic(), body if status == 200 else "status %d" % status))
                if closing:
                    s.close()
                    s = None
            except OSError:
                # A keep-alive connection the router closed (nginx after a reload does) is retried once at
                # once on a new connection, as a client of an idempotent request would; a refused or failed
                # fresh connection is a failure.
                fresh = s is None
                if s is not None:
                    s.close()
                    s = None
                if fresh:
                    records.append((time.monotonic(), "failed"))
                    time.sleep(0.001)

    def stop(self):
        self.running = False
        for thread in self.threads:
            thread.join(timeout=5)

    def since(self, t0):
        return [[r for r in records if r[0] >= t0] for records in self.records]


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def wait_until(condition, limit):
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        try:
            if condition():
                return True
        except OSError:  # not up yet (urllib's errors are OSErrors)
            pass
        time.sleep(0.005)
    return False


def run_flavour(router, announcer, nginx, trials, work):
    listen, store_port = free_port(), free_port()
    store = "http://127.0.0.1:%d" % store_port
    arguments = [router, "up", "--listen", "127.0.0.1:%d" % listen, "--store-listen", "127.0.0.1:%d" % store_port,
                 "--data-dir", os.path.join(work, "nginx" if nginx else "proxy"),
                 "--log-level", os.environ.get("BENCH_LOG_LEVEL", "warning")]
    if nginx:
        arguments.append("--nginx")
    log = open(os.path.join(work, ("nginx" if nginx else "proxy") + ".log"), "w")
    up = subprocess.Popen(arguments, stdout=log, stderr=log)
    results = {"registration": [], "deregistration": [], "commit": []}
    try:
        if not wait_until(lambda: store_call(store, "/v3/kv/range", {"key": b64("/")}) is not None, 20):
            raise RuntimeError("router up did not start")
        a, b = Instance("A"), Instance("B")
        key = lambda inst: "%s/%s/%s@%s" % (PREFIX, APP, APP, inst.name)
        store_call(store, "/v3/kv/put", {"key": b64(key(a)), "value": b64("127.0.0.1:%d" % a.port)})
        clients = Clients(listen, "%s.localhost" % APP)
        if not wait_until(lambda: all(r and r[-1][1] == "A" for r in clients.records), 20):
            raise RuntimeError("traffic never reached instance A")
        for _ in range(trials):
            time.sleep(0.3)  # settle (nginx: old workers gone)
            t0 = time.monotonic()
            store_call(store, "/v3/kv/put", {"key": b64(key(b)), "value": b64("127.0.0.1:%d" % b.port)})
            results["commit"].append(time.monotonic() - t0)
            wait_until(lambda: all(any(x[1] == "B" for x in r) for r in clients.since(t0)), 10)
            moved = [next((x[0] - t0 for x in r if x[1] == "B"), None) for r in clients.since(t0)]
            results["registration"].append([m for m in moved if m is not None])
            time.sleep(0.3)
            t0 = time.monotonic()
            store_call(store, "/v3/kv/deleterange", {"key": b64(key(b))})
            results["commit"].append(time.monotonic() - t0)
            time.sleep(0.5 if not nginx else 1.0)  # then look back: the last answer from B on each connection
            moved = [max([x[0] - t0 for x in r if x[1] == "B"] or [0.0]) for r in clients.since(t0)]
            results["deregistration"].append(moved)
        failures_before = sum(1 for r in clients.records for x in r if x[1] not in ("A", "B"))
        # App death with real announcers: both instances announced, B dies.
        store_call(store, "/v3/kv/deleterange", {"key": b64(key(a))})
        sidekicks = [subprocess.Popen([announcer, "--app", APP, "--instance", inst.name, "--address",
                                       "127.0.0.1:%d" % inst.port, "--interval", "1", "--ttl", "5", "--store", store,
                                       "--log-level", "warning"], stdout=log, stderr=log) for inst in (a, b)]
        try:
            wait_until(lambda: sum(1 for r in clients.records for x in r[-8:] if x[1] == "B") > 0, 10)
            time.sleep(1)
            t0 = time.monotonic()
            b.die()
            time.sleep(3)
            after = [x for r in clients.since(t0) for x in r]
            failed = [x[0] - t0 for x in after if x[1] not in ("A", "B")]
            results["death"] = (len(failed), max(failed) if failed else 0.0, len(after))
        finally:
            for sidekick in sidekicks:
                sidekick.send_signal(signal.SIGTERM)
                sidekick.wait(timeout=10)
        clients.stop()
        a.die()
        results["failures_during_moves"] = failures_before
        results["requests"] = sum(len(r) for r in clients.records)
    finally:
        up.send_signal(signal.SIGINT)
        try:
            up.wait(timeout=15)
        except subprocess.TimeoutExpired:
            up.kill()
            up.wait()
        log.close()
    return results


def summarize(name, results):
    rows = []
    for kind in ("registration", "deregistration"):
        firsts = [min(t) * 1000 for t in results[kind] if t]
        alls = [max(t) * 1000 for t in results[kind] if t]
        rows.append((name, kind, statistics.median(firsts), percentile(firsts, 99), statistics.median(alls),
                     percentile(alls, 99), max(alls)))
    commits = [c * 1000 for c in results["commit"]]
    print("%s: the put/delete itself (request sent to answer received, commit and fsync included): p50 %.1f ms,"
          " p99 %.1f ms" % (name, statistics.median(commits), percentile(commits, 99)))
    return rows


def main():
    router, announcer, trials = sys.argv[1], sys.argv[2], int(sys.argv[3])
    work = tempfile.mkdtemp(prefix="switchboard-up-bench.")
    table = []
    deaths = []
    flavours = (("router up", False), ("router up --nginx", True))
    if os.environ.get("BENCH_ONLY"):
        flavours = [f for f in flavours if f[0] == os.environ["BENCH_ONLY"]]
    for name, nginx in flavours:
        results = run_flavour(router, announcer, nginx, trials, work)
        table += summarize(name, results)
        deaths.append((name,) + results["death"] + (results["failures_during_moves"], results["requests"]))
    print("| path | change | first p50 ms | first p99 ms | all p50 ms | all p99 ms | all max ms |")
    print("| --- | --- | ---: | ---: | ---: | ---: | ---: |")
    for row in table:
        print("| %s | %s | %.1f | %.1f | %.1f | %.1f | %.1f |" % row)
    print()
    print("| path | failed requests after B's death | last failure after death ms | requests in those 3 s |"
          " failed requests during the %d moves | requests in all |" % (2 * trials))
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for name, failed, last, total, moves, requests in deaths:
        print("| %s | %d | %.0f | %d | %d | %d |" % (name, failed, last * 1000, total, moves, requests))
    print()
    proxy_all = [r[5] for r in table if r[0] == "router up"]
    nginx_all = [r[5] for r in table if r[0] == "router up --nginx"]
    for kind, p, n in zip(("registration", "deregistration"), proxy_all, nginx_all):
        print("%s, all traffic moved, p99: nginx path / proxy path = %.1fx" % (kind, n / p if p else float("inf")))
    if os.environ.get("BENCH_KEEP") == "1":
        print("logs kept in", work)
    else:
        subprocess.run(["rm", "-rf", work])


if __name__ == "__main__":
    main()
