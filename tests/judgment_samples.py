"""The bundled judgment samples, converted record by record (shared by the judgment tests)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from converters import judgments_cn, judgments_tw
from lawfactory import jsonl
from lawfactory.config import JudgmentConfig
from lawfactory.records import RecordError, Skip

from conftest import SAMPLES

CN = SAMPLES / "judgments" / "cn"
TW = SAMPLES / "judgments" / "tw"


def records(path: Path):
    if path.suffix == ".jsonl":
        return jsonl.iter_jsonl(path)
    if path.suffix == ".json":  # Taiwan: one judgment per .json file
        return judgments_tw.read_file(path)
    return judgments_cn.read_table(path)


def convert_path(path: Path, extra: dict | None = None) -> dict:
    """{"cases": [...], "rejects": [(line, reason)], "skips": [(line, reason)], "read": n, "stats": Counter}"""
    settings = JudgmentConfig(**(extra or {}))
    conv = judgments_tw.convert_record if path.suffix == ".json" else judgments_cn.convert_record
    out = {"cases": [], "rejects": [], "skips": [], "read": 0, "stats": Counter()}
    for line, obj, why in records(path):
        out["read"] += 1
        if why:
            out["rejects"].append((line, why))
            continue
        try:
            out["cases"].extend(conv(obj, path.name, line, out["stats"], settings))
        except RecordError as e:
            out["rejects"].append((line, str(e)))
        except Skip as e:
            out["skips"].append((line, str(e)))
    return out


def sample_paths() -> list[Path]:
    return sorted(CN.glob("*.csv")) + sorted(CN.glob("*.jsonl")) + sorted(TW.glob("*.json"))


def all_cases(extra: dict | None = None) -> list[dict]:
    return [c for p in sample_paths() for c in convert_path(p, extra)["cases"]]
