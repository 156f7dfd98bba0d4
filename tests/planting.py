"""Helpers for the data-hygiene tests: a RAW folder of real-format CAIL records with planted
duplicates, near-duplicates, benchmark items and bad facts."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from conftest import REPO, SAMPLES

SAMPLE = SAMPLES / "cail" / "criminal_sample.jsonl"


def sample_records() -> list[dict]:
    return [json.loads(line) for line in SAMPLE.read_text(encoding="utf-8").splitlines() if line.strip()]


def near_duplicate(fact: str) -> str:
    """The fact with one short clause added (Jaccard ≈ 0.9 on character 5-grams for these facts)."""
    head, sep, tail = fact.partition("。")
    return head + "，现已归案" + sep + tail


def with_fact(rec: dict, fact: str) -> dict:
    return {**rec, "fact": fact}


def write_raw(root: Path, records: list[dict], name: str = "planted.jsonl") -> Path:
    raw = root / "raw"
    (raw / "cail").mkdir(parents=True, exist_ok=True)
    with open(raw / "cail" / name, "w", encoding="utf-8") as f:
        for r in records:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
    return raw


def cli(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    """`lawfactory data …` in a subprocess (the way make runs it)."""
    return subprocess.run([sys.executable, "-m", "lawfactory.cli", "data", *args], cwd=REPO, capture_output=True,
                          text=True, env={**os.environ, **(env or {})}, timeout=300)


def jsonl(path: Path) -> list[dict]:
    return [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines() if x.strip()]


def output_files(out: Path) -> dict[str, bytes]:
    """Every file a build leaves in DATA (not the work folder)."""
    return {p.name: p.read_bytes() for p in sorted(out.iterdir()) if p.is_file()}
