#!/usr/bin/env python3
"""Per-crate line and region coverage from `cargo llvm-cov report --json --summary-only`.

Usage: coverage-by-crate.py COVERAGE.json [--min PERCENT]
Prints one row per crate (files grouped by their crate's source folder); with --min, exits
1 when a crate's line coverage is below it. Only this checkout's files count: the target
folder is shared between clones, and an instrumented binary left there by another checkout
would add its sources, never run, to the totals.
"""
import json
import sys
from pathlib import Path

CRATES = [  # longest prefix first
    ("models/ensemble/src/", "ensemble"),
    ("models/neural/src/", "neural"),
    ("models/src/", "models"),
    ("app/src/", "app"),
    ("server/src/", "server"),
    ("frontend/src/", "frontend"),
]


def crate_of(path: str) -> str | None:
    for prefix, name in CRATES:
        if f"/{prefix}" in path or path.startswith(prefix):
            return name
    return None


def main() -> int:
    args = sys.argv[1:]
    if not args:
        print(__doc__, file=sys.stderr)
        return 2
    floor = float(args[args.index("--min") + 1]) if "--min" in args else None
    data = json.loads(Path(args[0]).read_text())
    root = f"{Path.cwd().resolve()}/"
    totals: dict[str, dict[str, list[int]]] = {}
    for export in data["data"]:
        for f in export["files"]:
            if f["filename"].startswith("/") and not f["filename"].startswith(root):
                continue
            name = crate_of(f["filename"])
            if name is None:
                continue
            t = totals.setdefault(name, {"lines": [0, 0], "regions": [0, 0]})
            for kind in ("lines", "regions"):
                s = f["summary"][kind]
                t[kind][0] += s["covered"]
                t[kind][1] += s["count"]
    print(f"{'crate':<10} {'lines':>18} {'regions':>18}")
    failed = False
    for _, name in CRATES:
        if name not in totals:
            continue
        t = totals[name]
        pct = {k: 100.0 * c / n if n else 100.0 for k, (c, n) in t.items()}
        print(
            f"{name:<10} {pct['lines']:>6.1f}% ({t['lines'][0]:>6}/{t['lines'][1]:<6}) "
            f"{pct['regions']:>6.1f}% ({t['regions'][0]:>6}/{t['regions'][1]:<6})"
        )
        if floor is not None and pct["lines"] < floor:
            failed = True
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
