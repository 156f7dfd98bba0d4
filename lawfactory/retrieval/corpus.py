"""The retrieval corpus: the articles in force of a statute index (DATA/statutes_index.jsonl,
written by lawfactory/build/statute_index.py), each as the document a retriever matches: the
article's citation and its text (lawfactory/tasks/statute_articles.py `document`). Deleted articles
(删去 / 刪除) have no text to find and are left out."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from lawfactory import jsonl
from lawfactory.errors import InputError
from lawfactory.records import STATUTE_JURISDICTIONS
from lawfactory.tasks.statute_articles import document

JURISDICTIONS = STATUTE_JURISDICTIONS  # cn, tw, fr
# What a document needs (statute_articles.document) and what selects it.
FIELDS = frozenset({"key", "jurisdiction", "deleted", "law", "number", "suffix", "paragraphs"})


@dataclass(frozen=True)
class Corpus:
    """The articles in force, in index order; keys[i] is the article whose document is texts[i]."""

    keys: list[str]  # index keys, e.g. "中华人民共和国刑法|264", "中華民國刑法|185-3"
    texts: list[str]  # what is embedded / matched: the article's label and text
    articles: dict  # key → the index record

    def __len__(self) -> int:
        return len(self.keys)


def corpus_from_articles(articles: Iterable[dict] | Mapping[str, dict], jurisdiction: str | None = None) -> Corpus:
    """The Corpus of index records already in memory (the build's ctx.index, key → record, or a list
    of records); a jurisdiction ("cn", "tw", "fr") keeps its articles only."""
    if jurisdiction is not None and jurisdiction not in JURISDICTIONS:
        raise ValueError(f"unknown jurisdiction {jurisdiction!r} (expected one of {', '.join(JURISDICTIONS)})")
    records = articles.values() if isinstance(articles, Mapping) else articles
    kept = [a for a in records if not a["deleted"] and (jurisdiction is None or a["jurisdiction"] == jurisdiction)]
    return Corpus(
        keys=[a["key"] for a in kept], texts=[document(a) for a in kept], articles={a["key"]: a for a in kept}
    )


def load_corpus(index: Path | str, jurisdiction: str | None = None) -> Corpus:
    """The Corpus of a statutes_index.jsonl; a line that is not an index record is an InputError naming
    file and line, and so is an index with no article in force (for that jurisdiction)."""
    index = Path(index)
    if jurisdiction is not None and jurisdiction not in JURISDICTIONS:
        raise InputError(f"unknown jurisdiction {jurisdiction!r} (expected one of {', '.join(JURISDICTIONS)})")
    corpus = corpus_from_articles(read_index(index), jurisdiction)
    if not corpus.keys:
        where = f" for jurisdiction {jurisdiction}" if jurisdiction else ""
        raise InputError(f"{index}: no article in force{where}")
    return corpus


def read_index(index: Path) -> list[dict]:
    """Every record of a statute index, deleted articles included (InputError naming file and line)."""
    if not index.is_file():
        raise InputError(f"{index}: no such file (the statute index is DATA/statutes_index.jsonl, written by "
                         "`lawfactory data`)")
    records = []
    for line, record, reason in jsonl.iter_jsonl(index):
        if reason is None and not (isinstance(record, dict) and FIELDS <= record.keys()):
            reason = f"not a statute index record (needs {', '.join(sorted(FIELDS))})"
        if reason:
            raise InputError(f"{index}:{line}: {reason}")
        records.append(record)
    return records
