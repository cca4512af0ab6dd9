#!/usr/bin/env python3
"""Checks that CSVs changed since a commit differ only by added columns.

  python3 scripts/columns-unchanged.py [REF] [PATH...]   (default: HEAD tests/golden)

For each CSV under PATH that differs from REF, the file in the work tree,
restricted to REF's header columns (in REF's order), must equal REF's file
byte for byte once parsed; new files are skipped. Prints how many were
checked and which columns were added; exits 1 if any differs."""
import csv, io, os, subprocess, sys

os.chdir(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
ref = sys.argv[1] if len(sys.argv) > 1 else "HEAD"
roots = sys.argv[2:] or ["tests/golden"]
changed = subprocess.run(["git", "diff", "--name-only", ref, "--"] + roots,
                         capture_output=True, text=True, check=True).stdout.split()
bad = ok = 0
added_cols = set()
for path in changed:
    if not path.endswith(".csv"):
        continue
    try:
        old = subprocess.run(["git", "show", f"{ref}:{path}"], capture_output=True, text=True, check=True).stdout
    except subprocess.CalledProcessError:
        continue  # a new file
    try:
        new = open(path).read()
    except FileNotFoundError:
        print("REMOVED", path); bad += 1; continue
    o = list(csv.reader(io.StringIO(old))); n = list(csv.reader(io.StringIO(new)))
    oh, nh = o[0], n[0]
    missing = [c for c in oh if c not in nh]
    added_cols.update(c for c in nh if c not in oh)
    idx = [nh.index(c) for c in oh if c in nh]
    restricted = [[r[i] for i in idx] for r in n]
    if missing or restricted != o:
        bad += 1
        print("DIFFERS", path, "missing:", missing)
    else:
        ok += 1
print(f"{ok} CSVs identical on their old columns, {bad} differ; columns added: {sorted(added_cols)}")
sys.exit(1 if bad else 0)
