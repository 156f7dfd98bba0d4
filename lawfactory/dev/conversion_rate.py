"""The conversion's CPU cost per record, in one process: what one core of a cluster converts.

    python -m lawfactory.dev.conversion_rate --raw RAW [--work DIR]

Plans RAW's case inputs as `lawfactory data` does (default options) and runs the conversion stage
(read → convert → quality → serialize → MinHash signature → write: lawfactory/build/steps.py)
through the local engine with one worker, timing it in CPU seconds of this process (a busy
machine stretches the wall time, much less the CPU time). Prints records and MiB per CPU second.
The conversion shards go to DIR/.work/shards (default: a temporary folder).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

from lawfactory.build import fingerprint, pipeline, shards
from lawfactory.config import BuildConfig


def measure(raw: Path, work: Path) -> dict:
    opts = BuildConfig.of(raw=raw, out=work, workers=1)
    plan, cfg = pipeline.plan_inputs(opts, pipeline.quality_filters(opts), fingerprint.code_version())
    cpu, wall = time.process_time(), time.perf_counter()
    done, _ = shards.run(plan.shards, cfg, shards.Local(1))
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    mib = sum(Path(p).stat().st_size for p in {s.path for s in plan.shards}) / 2**20
    return {"shards": len(plan.shards), "records": sum(d["counts"]["read"] for d in done), "mib": mib,
            "cpu_s": cpu, "wall_s": wall}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m lawfactory.dev.conversion_rate", description=__doc__.splitlines()[0])
    p.add_argument("--raw", type=Path, required=True)
    p.add_argument("--work", type=Path, help="keep the conversion shards here (default: a temporary folder)")
    a = p.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="conversion-rate-") as tmp:
        r = measure(a.raw, a.work or Path(tmp))
    cpu = max(r["cpu_s"], 1e-9)
    print(f"{r['shards']} shards, {r['records']} records, {r['mib']:.1f} MiB: conversion {r['cpu_s']:.1f} CPU s "
          f"({r['wall_s']:.1f} s wall); {r['records'] / cpu:.0f} records and {r['mib'] / cpu:.2f} MiB per CPU second")
    return 0


if __name__ == "__main__":
    sys.exit(main())
