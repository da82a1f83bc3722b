#!/usr/bin/env python3
"""Reaction time: a change (a put to etcd, or a file write plus `nginx -s reload` for the bare case)
until nginx answers from the new instance. One key, /services/web/app/app@1, flips between two
instances; each change is timed from just before it is made to the first answer from the new instance
(polled on fresh connections). Prints p50/p99 in milliseconds.

  reaction.py MODE CHANGES ETCD_URL NGINX_PORT NGINX_PREFIX DEST PAUSE_S
  MODE: bare (write DEST and reload nginx ourselves) or store (put the key; a sync process reacts)
"""
import base64, http.client, json, subprocess, sys, threading, time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

mode, changes, etcd, nginx_port, prefix, dest, pause = sys.argv[1:8]
changes, nginx_port, pause = int(changes), int(nginx_port), float(pause)


def instance(name):
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            body = name.encode()
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server.server_address[1]


ports = {"a": instance("a"), "b": instance("b")}
etcd_host, etcd_port = etcd.replace("http://", "").split(":")
store = http.client.HTTPConnection(etcd_host, int(etcd_port), timeout=5)


def put(key, value):
    body = json.dumps({"key": base64.b64encode(key.encode()).decode(), "value": base64.b64encode(value.encode()).decode()})
    store.request("POST", "/v3/kv/put", body, {"Content-Type": "application/json"})
    response = store.getresponse()
    response.read()
    assert response.status == 200, response.status


def answer():
    try:
        connection = http.client.HTTPConnection("127.0.0.1", nginx_port, timeout=1)
        connection.request("GET", "/", headers={"Host": "app.bench.local", "Connection": "close"})
        response = connection.getresponse()
        body = response.read().decode()
        connection.close()
        return body if response.status == 200 else None
    except OSError:
        return None


UPSTREAM = """upstream app {{
    server 127.0.0.1:{port};
    keepalive 512;
}}
server {{
    listen 127.0.0.1:{listen};
    server_name app.bench.local;
    location / {{
        proxy_pass http://app;
        proxy_http_version 1.1;
        proxy_set_header Connection "";
        proxy_set_header Host $host;
    }}
}}
"""


def change(target):
    if mode == "bare":
        with open(dest + ".tmp", "w") as f:
            f.write(UPSTREAM.format(port=ports[target], listen=nginx_port))
        subprocess.run(["mv", dest + ".tmp", dest], check=True)
        subprocess.run(["nginx", "-p", prefix, "-c", prefix + "/nginx.conf", "-s", "reload"], check=True)
    else:
        put("/services/web/app/app@1", "127.0.0.1:%d" % ports[target])


# Start from a known state: instance a answering.
change("a")
deadline = time.monotonic() + 30
while answer() != "a":
    if time.monotonic() > deadline:
        sys.exit("nginx never answered from instance a")
    time.sleep(0.01)

samples = []
for i in range(changes):
    target = "b" if i % 2 == 0 else "a"
    time.sleep(pause)
    start = time.monotonic()
    change(target)
    limit = start + 10
    while answer() != target:
        if time.monotonic() > limit:
            sys.exit("change %d: nginx did not answer from %s within 10 s" % (i, target))
    samples.append((time.monotonic() - start) * 1000)

samples.sort()
print("p50_ms %.1f" % samples[len(samples) // 2])
print("p99_ms %.1f" % samples[min(len(samples) - 1, len(samples) * 99 // 100)])
