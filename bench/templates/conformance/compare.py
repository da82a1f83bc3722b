#!/usr/bin/env python3
"""Renders templates with Go (confd's functions) and with `router render`, and prints every case
whose output or error differs. A tool for finding differences, not a test:
    compare.py CONFD_RENDER ROUTER [TEMPLATES.json | --random COUNT SEED]"""
import json, os, subprocess, sys, tempfile
here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, here)
import random_templates

confd, router = sys.argv[1], sys.argv[2]
if sys.argv[3] == "--random":
    cases = random_templates.generate(int(sys.argv[4]), int(sys.argv[5]))
else:
    cases = json.load(open(sys.argv[3]))
fixture = os.path.join(here, "fixture.json")

def strip_column(err):
    # ours: template: case.tmpl:LINE:COL: msg  (Go parse errors have no column)
    parts = err.split(":", 4)
    if len(parts) == 5 and parts[3].isdigit() and "executing" not in parts[4][:12]:
        return ":".join(parts[:3]) + ":" + parts[4]
    return err

def run(cmd):
    r = subprocess.run(cmd, capture_output=True)
    return r.returncode, r.stdout.decode("utf-8", "replace"), r.stderr.decode("utf-8", "replace").strip()

same = differ = errors = 0
with tempfile.TemporaryDirectory() as d:
    path = os.path.join(d, "case.tmpl")
    for t in cases:
        with open(path, "w") as f: f.write(t)
        g = run([confd, "render", path, fixture])
        s = run([router, "render", path, "--kv", fixture])
        if g[0] < 0:
            continue  # Go itself died (seq over the whole int range): nothing to compare with
        if g[0] != 0: errors += 1
        # Our Go program is package main; confd's types live in package memkv.
        go = (g[0] == 0, (g[1] if g[0] == 0 else g[2]).replace("main.KVPair", "memkv.KVPair"))
        sw = (s[0] == 0, s[1] if s[0] == 0 else s[2])
        if not go[0] and not sw[0] and go[1].startswith("template: case.tmpl:") and "executing" not in go[1]:
            sw = (False, strip_column(sw[1]))
        if go == sw:
            same += 1
        else:
            differ += 1
            print("TEMPLATE:", json.dumps(t, ensure_ascii=False))
            print("  go:   ", json.dumps(go[1][:400], ensure_ascii=False))
            print("  ours: ", json.dumps(sw[1][:400], ensure_ascii=False))
print("same %d, different %d (Go errors in %d)" % (same, differ, errors), file=sys.stderr)
