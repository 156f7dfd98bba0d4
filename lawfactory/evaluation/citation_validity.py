"""Citation validity against the statute index (DATA/statutes_index.jsonl) and the gold articles.

Cited keys come from the shared parser (lawfactory/parse/citations.py) via parse.parse_answer.
- exists: share of the citations to laws the index holds that name an article it has;
  repealed: share of those that name an article the index marks deleted (（删去）/（刪除）).
  Citations to laws the index does not hold cannot be checked: counted as `not_checkable`.
- precision / recall (micro over rows) of the criminal-law articles cited against the gold
  `articles` column (keys like 中华人民共和国刑法|264), paragraphs ignored; against whole-number
  (CAIL2018) gold a predicted 133-1 counts as 133 (parse.whole_numbers, applied in run.py).
"""

from __future__ import annotations

from pathlib import Path

from lawfactory.jsonl import iter_jsonl
from lawfactory.records import split_key


def load_index(path: str | Path) -> dict[str, bool]:
    """key → deleted, from the statute index; bad lines raise naming file and line."""
    index = {}
    for lineno, rec, reason in iter_jsonl(path):
        if reason:
            raise ValueError(f"{path}:{lineno}: {reason}")
        if not isinstance(rec, dict) or not isinstance(rec.get("key"), str):
            raise ValueError(f"{path}:{lineno}: statute index record without a string 'key'")
        index[rec["key"]] = bool(rec.get("deleted", False))
    return index


def validity(cited: list[list[str]], index: dict[str, bool] | None) -> dict:
    """Existence and repeal shares over all citations (each row's distinct keys)."""
    total = sum(len(c) for c in cited)
    if index is None:
        return {"citations": total, "index": None}
    laws = {split_key(k)[0] for k in index}
    checkable = exists = repealed = 0
    missing: dict[str, int] = {}
    for keys in cited:
        for k in keys:
            if split_key(k)[0] not in laws:
                continue
            checkable += 1
            if k in index:
                exists += 1
                repealed += index[k]
            else:
                missing[k] = missing.get(k, 0) + 1
    return {
        "citations": total,
        "checkable": checkable,
        "not_checkable": total - checkable,
        "exists": exists / checkable if checkable else None,
        "repealed": repealed / checkable if checkable else None,
        "nonexistent_examples": sorted(missing, key=lambda k: (-missing[k], k))[:10],
        "index": True,
    }


def precision_recall(gold: list[list[str]], pred: list[list[str]]) -> dict:
    tp = sum(len(set(g) & set(p)) for g, p in zip(gold, pred))
    n_pred = sum(len(set(p)) for p in pred)
    n_gold = sum(len(set(g)) for g in gold)
    return {
        "precision": tp / n_pred if n_pred else None,
        "recall": tp / n_gold if n_gold else None,
        "true_positives": tp, "cited": n_pred, "gold": n_gold,
    }
