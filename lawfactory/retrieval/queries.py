"""Query files for retrieval-eval: JSON lines {"query": "…", "articles": ["<index key>", …]}, extra keys
allowed ("id", "group_id", "source"); "jurisdiction": "cn" | "tw" restricts the search to that
side's articles. A line that is not such a record is an InputError naming file and line."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from lawfactory import jsonl
from lawfactory.errors import InputError

from .corpus import JURISDICTIONS


@dataclass(frozen=True)
class Query:
    line: int
    text: str
    articles: list[str]  # gold article keys, as given
    jurisdiction: str | None


def _problem(record) -> str | None:
    if not isinstance(record, dict):
        return "not a JSON object"
    if not isinstance(record.get("query"), str) or not record["query"].strip():
        return '"query" must be a non-empty string'
    arts = record.get("articles")
    if not isinstance(arts, list) or not arts or not all(isinstance(a, str) and a for a in arts):
        return '"articles" must be a non-empty list of article keys (strings such as "中华人民共和国刑法|264")'
    if record.get("jurisdiction") not in (None, *JURISDICTIONS):
        return f'"jurisdiction" must be one of {", ".join(JURISDICTIONS)}, got {record["jurisdiction"]!r}'
    return None


def read_queries(path: Path | str) -> list[Query]:
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path}: no such file")
    out = []
    for line, record, reason in jsonl.iter_jsonl(path):
        reason = reason or _problem(record)
        if reason:
            raise InputError(f"{path}:{line}: {reason}")
        out.append(Query(line, record["query"], list(dict.fromkeys(record["articles"])), record.get("jurisdiction")))
    if not out:
        raise InputError(f"{path}: no queries")
    return out
