#!/usr/bin/env python3
"""A seeded random sample of the engine's source for Stryker (docs/mutation.md#the-whole-engine-sampled).

Prints one Stryker mutate pattern per line: every .cs file under src/Engine except those named
with --exclude, cut into blocks of --block lines; each block is kept with probability --share,
drawn from one PRNG seeded with --seed, so the same arguments give the same sample. A kept block
becomes a character span (Stryker's "File.cs{first..last}", 0-based character offsets); Stryker
then mutates only the code inside the spans. Adjacent kept blocks are merged.
"""
import argparse
import pathlib
import random

ap = argparse.ArgumentParser()
ap.add_argument("--root", default="src/Engine")
ap.add_argument("--share", type=float, default=0.15)
ap.add_argument("--block", type=int, default=5)
ap.add_argument("--seed", type=int, default=13)
ap.add_argument("--exclude", action="append", default=[])
a = ap.parse_args()

rng = random.Random(a.seed)
root = pathlib.Path(a.root)
files = sorted(p for p in root.rglob("*.cs") if "bin" not in p.parts and "obj" not in p.parts and "StrykerOutput" not in p.parts)
for f in files:
    rel = f.relative_to(root).as_posix()
    if rel in a.exclude:
        continue
    text = f.read_text(encoding="utf-8")
    lines = text.splitlines(keepends=True)
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line))
    spans = []
    for first in range(0, len(lines), a.block):
        if rng.random() < a.share:
            start, end = offsets[first], offsets[min(first + a.block, len(lines))] - 1
            if spans and spans[-1][1] + 1 >= start:
                spans[-1] = (spans[-1][0], end)
            else:
                spans.append((start, end))
    for start, end in spans:
        print(f"**/{rel}{{{start}..{end}}}")
