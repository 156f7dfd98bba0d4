"""Reading predictions and gold, and joining them by order with a label check.

Predictions: LLaMA-Factory's generated_predictions.jsonl (`predict`, `label`, one line per eval
row, in order); or a JSON lines file of {"prediction"} (optionally with `refr`, `answer` or
`label`); or LawBench's own prediction file (a JSON object {"0": {"prediction", "refr"}, …} or a
list). Gold: a lawfactory eval file (alpaca rows with flat gold columns) or a LawBench 3-4 / 3-5
style file ({instruction, question, answer}, JSON list or JSON lines), or a file of LawBench
predictions whose `refr` is the gold (the same file can be both). Any of them may be gzip-compressed.

The join is by order; where a prediction carries its label, the label must equal the gold text
(`output`, or `answer` for LawBench gold) up to whitespace. A label that is a prefix of the gold
text (LLaMA-Factory truncates labels at cutoff_len) is accepted and counted.
"""

from __future__ import annotations

import gzip
import json
import re
import zlib
from pathlib import Path

from lawfactory import jsonl
from lawfactory.parse.terms import parse_sentence

from .answer_fields import parse_charges, term_line_of
from .answers import MAX_CHARS


class EvalInputError(ValueError):
    """Bad or mismatched inputs; the message names the file and line."""


def _read_text(path: Path) -> str:
    """The file's text (gzip read when the file is gzip); bad paths and bytes name the file and line."""
    if not path.exists():
        raise EvalInputError(f"{path}: no such file")
    if path.is_dir():
        raise EvalInputError(f"{path}: is a folder, not a file")
    try:
        with path.open("rb") as f:
            data = f.read()
        if data[:2] == jsonl.GZIP_MAGIC:
            data = gzip.decompress(data)
    except (OSError, EOFError, zlib.error) as e:
        raise EvalInputError(f"{path}: cannot read: {e}") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = data.count(b"\n", 0, e.start) + 1
        raise EvalInputError(f"{path}:{line}: not UTF-8 (byte {data[e.start:e.start + 2]!r}); "
                             "save the file as UTF-8") from None


def _records(path: Path) -> list[tuple[int, object]]:
    """(line or item number, record) from a JSON list, a LawBench-style JSON object keyed by item
    number, or JSON lines, plain or gzip-compressed (whatever the file's suffix)."""
    text = _read_text(path)
    head = text[:4096].lstrip()
    if head.startswith("["):
        try:
            return list(enumerate(json.loads(text), 1))
        except json.JSONDecodeError as e:
            raise EvalInputError(f"{path}:{e.lineno}: invalid JSON: {e.msg}") from None
    if head.startswith("{"):  # LawBench predictions {"0": {...}, "1": {...}}, or one JSON object per line
        try:
            data = json.loads(text)
        except json.JSONDecodeError:
            data = None
        if isinstance(data, dict) and data and all(k.isdigit() for k in data):
            return [(int(k) + 1, data[k]) for k in sorted(data, key=int)]
    out = []
    for lineno, line in enumerate(text.split("\n"), 1):
        if not line.strip():
            continue
        try:
            out.append((lineno, json.loads(line)))
        except json.JSONDecodeError as e:
            raise EvalInputError(f"{path}:{lineno}: invalid JSON: {e.msg}") from None
    return out


# fields that say which row a prediction is (copied into rows.jsonl): LawBench dumps carry
# model / shot / task / id, lawfactory rows a case_id
ID_FIELDS = ("model", "shot", "task", "id", "case_id")


# A prediction longer than the answer reader's limit is degenerate (the recipes generate at most 512
# tokens, ~1,000 characters): every metric scores its first MAX_PREDICTION_CHARS characters, and it is
# counted, so that one runaway answer cannot make ROUGE run for minutes.
MAX_PREDICTION_CHARS = MAX_CHARS


def load_predictions(path: str | Path) -> list[dict]:
    """[{line, text, label, truncated, prompt}] in file order; label (prompt) None when the file carries none."""
    path = Path(path)
    out = []
    for lineno, rec in _records(path):
        if not isinstance(rec, dict):
            raise EvalInputError(f"{path}:{lineno}: a prediction must be a JSON object")
        text = rec.get("predict", rec.get("prediction"))
        if not isinstance(text, str):
            raise EvalInputError(f"{path}:{lineno}: no 'predict' (LLaMA-Factory) or 'prediction' string")
        label = next((rec[k] for k in ("label", "refr", "answer") if isinstance(rec.get(k), str)), None)
        ids = {k: rec[k] for k in ID_FIELDS if isinstance(rec.get(k), (str, int)) and not isinstance(rec.get(k), bool)}
        prompt = rec.get("prompt") if isinstance(rec.get("prompt"), str) else None
        out.append({"line": lineno, "text": text[:MAX_PREDICTION_CHARS], "label": label, "ids": ids,
                    "truncated": len(text) > MAX_PREDICTION_CHARS, "prompt": prompt})
    return out


def detect_format(path: Path, first: dict) -> str:
    if "output" in first:
        return "lawfactory"
    if "answer" in first or "refr" in first:
        return "lawbench"
    raise EvalInputError(f"{path}:1: cannot tell the gold format (no 'output', 'answer' or 'refr'); use --gold-format")


def _gold_lawfactory(path: Path, lineno: int, rec: dict) -> dict:
    output = rec.get("output")
    if not isinstance(output, str):
        raise EvalInputError(f"{path}:{lineno}: gold row without an 'output' string")
    jur = rec.get("jurisdiction", "cn")
    if "kind" in rec and "gold_months" in rec:
        kind, months, probation = rec["kind"], int(rec["gold_months"]), int(rec.get("probation_months", 0))
    else:  # a row without gold columns: its 刑期 line
        s = term_line_of(output)
        if s is None:
            raise EvalInputError(f"{path}:{lineno}: no gold columns and no readable 刑期 line in 'output'")
        kind, months, probation = s["kind"], s["months"], s["probation_months"]
    return {
        "line": lineno, "case_id": rec.get("case_id") or f"line-{lineno}", "jurisdiction": jur,
        "kind": kind, "months": months, "probation_months": probation,
        "charges": list(rec["charges"]) if "charges" in rec else parse_charges(output),
        "articles": list(rec.get("articles") or []), "has_articles": "articles" in rec,
        "label_text": output, "raw": rec,
    }


def _gold_lawbench(path: Path, lineno: int, rec: dict) -> dict:
    answer = rec.get("answer", rec.get("refr"))  # refr: a LawBench prediction file's own gold
    if not isinstance(answer, str):
        raise EvalInputError(f"{path}:{lineno}: LawBench item without an 'answer' (or 'refr') string")
    s = parse_sentence(answer)
    if s is None:
        raise EvalInputError(f"{path}:{lineno}: answer {answer!r} states no term "
                             "(expected 刑期:N个月 / 刑期:无期 / 刑期:死刑)")
    return {
        "line": lineno,
        "case_id": str(rec["id"]) if rec.get("id") is not None else f"item-{lineno}", "jurisdiction": "cn",
        "kind": s["kind"], "months": s["months"], "probation_months": s["probation_months"],
        "charges": None, "articles": [], "has_articles": False, "label_text": answer, "raw": rec,
    }


def load_gold(path: str | Path, fmt: str = "auto") -> tuple[list[dict], str]:
    path = Path(path)
    records = _records(path)
    if not records:
        raise EvalInputError(f"{path}: no gold rows")
    for lineno, rec in records:
        if not isinstance(rec, dict):
            raise EvalInputError(f"{path}:{lineno}: a gold row must be a JSON object")
    if fmt == "auto":
        fmt = detect_format(path, records[0][1])
    reader = {"lawfactory": _gold_lawfactory, "lawbench": _gold_lawbench}[fmt]
    return [reader(path, lineno, rec) for lineno, rec in records], fmt


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def join(preds: list[dict], gold: list[dict], pred_path, gold_path) -> dict:
    """Check that prediction i belongs to gold row i; returns {truncated_labels}. Raises EvalInputError."""
    if len(preds) != len(gold):
        where = (f"{gold_path}:{gold[len(preds)]['line']}: no prediction for this gold row" if len(preds) < len(gold)
                 else f"{pred_path}:{preds[len(gold)]['line']}: a prediction beyond the last gold row")
        raise EvalInputError(
            f"{where} ({pred_path} has {len(preds)} predictions but {gold_path} has {len(gold)} gold rows; "
            "predictions are joined by order, so both must come from the same eval file)")
    truncated = 0
    for p, g in zip(preds, gold):
        if p["label"] is None:
            continue
        a, b = _norm(p["label"]), _norm(g["label_text"])
        if a == b:
            continue
        if len(a) >= 16 and b.startswith(a):
            truncated += 1
            continue
        raise EvalInputError(
            f"{pred_path}:{p['line']}: label does not match {gold_path}:{g['line']} "
            f"(prediction label {p['label'][:40]!r}… vs gold {g['label_text'][:40]!r}…); "
            "the predictions were made on another file or in another order")
    return {"truncated_labels": truncated, "labels_checked": sum(p["label"] is not None for p in preds)}


def load_train(path: str | Path) -> tuple[list[tuple[list[str], int]], int]:
    """(charges, months) of every training row whose `刑期:` line states a month term, and how
    many rows had none (life / death terms are not month terms and are left out of medians)."""
    path = Path(path)
    rows, skipped = [], 0
    for lineno, rec in _records(path):
        output = rec.get("output") if isinstance(rec, dict) else None
        if not isinstance(output, str):
            raise EvalInputError(f"{path}:{lineno}: training row without an 'output' string")
        s = term_line_of(output)
        if s is None or s["kind"] not in ("fixed", "none"):
            skipped += 1
            continue
        rows.append((parse_charges(output), s["months"]))
    return rows, skipped
