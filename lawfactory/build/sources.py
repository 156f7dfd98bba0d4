"""The input formats `make data` reads: one registry, one entry per format.

Each entry names the files it reads (glob patterns under RAW), what they yield and its reader:

- `cases`: `read(path)` gives (line, record, reject reason or None) for every record of a file,
  and `convert(record, source, line, stats, settings)` makes the record's case records (settings:
  the judgment converters' options, lawfactory/config.py `JudgmentConfig`); the files are cut
  into conversion shards (lawfactory/build/shards.py, the steps in lawfactory/build/steps.py);
- `articles`: `read(path, rel)` gives the statute file's laws and rejects (converters/statutes.py
  `LawFile`); the statute index is built from them (lawfactory/build/statute_index.py).

A new input format is one `register_source` call below; the build then reads, hashes, shards and
reports its files, and lists its patterns among the layouts read. The registration order is the
reading order: the case sources' files are converted in it (the order of cases.jsonl), and one
law read from two statute files is kept from the earlier one.
"""

from __future__ import annotations

import os
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterable

from converters import cail, judgments_cn, judgments_tw, statutes_cn, statutes_fr, statutes_tw
from lawfactory import jsonl

CASES = "cases"
ARTICLES = "articles"

Reader = Callable[..., Any]  # cases: path → records; articles: (path, rel) → LawFile
Converter = Callable[[Any, str, int, Counter, Any], list]


@dataclass(frozen=True)
class Source:
    """A raw input format: files matching `patterns` under RAW, read by `read`."""

    name: str
    patterns: tuple[str, ...]
    read: Reader
    convert: Converter | None = None  # cases: record → case records; None for articles
    yields: str = CASES  # CASES or ARTICLES


SOURCES: dict[str, Source] = {}  # name → source, in registration order


def register_source(name: str, patterns: tuple[str, ...], read: Reader, convert: Converter | None = None,
                    yields: str = CASES) -> Source:
    if name in SOURCES:
        raise ValueError(f"input format {name!r} is registered twice")
    if (yields == CASES) != (convert is not None):
        raise ValueError(f"input format {name!r}: a case source needs a converter, an article source none")
    SOURCES[name] = src = Source(name, tuple(patterns), read, convert, yields)
    return src


def get_source(name: str) -> Source:
    if name not in SOURCES:
        raise ValueError(f"unknown input format {name!r}; registered: {', '.join(SOURCES)}")
    return SOURCES[name]


def sources(yields: str | None = None) -> list[Source]:
    """The registered sources yielding `yields` (all when None), in registration order."""
    return [s for s in SOURCES.values() if yields is None or s.yields == yields]


# JSON lines (also gzip-compressed); a .json file may be one JSON array of records (jsonl.iter_jsonl)
register_source("cail", ("cail/*.jsonl", "cail/*.json", "cail/*.jsonl.gz"), jsonl.iter_jsonl, cail.convert_record)
# full-text judgments (converters/judgments_*.py); JSON lines are sharded, CSV/Parquet stream per file
register_source("judgments_cn", ("judgments/cn/**/*.csv", "judgments/cn/**/*.parquet"), judgments_cn.read_table,
                judgments_cn.convert_record)
register_source("judgments_cn_jsonl", ("judgments/cn/**/*.jsonl", "judgments/cn/**/*.jsonl.gz"), jsonl.iter_jsonl,
                judgments_cn.convert_record)
# LeCaRD ships one document per .json file (judgments_tw.read_file reads any one-object / array file)
register_source("judgments_cn_json", ("judgments/cn/**/*.json",), judgments_tw.read_file, judgments_cn.convert_record)
register_source("judgments_tw", ("judgments/tw/**/*.json",), judgments_tw.read_file, judgments_tw.convert_record)
# statutes (docs/statutes.md): LawRefBook markdown, MOJ API JSON (per law or ChLaw.json), FalV XML;
# JSON before XML, so a law exported both ways is kept from its JSON
register_source("lawrefbook_md", ("statutes/cn/*.md",), statutes_cn.read_file, yields=ARTICLES)
register_source("moj_json", ("statutes/tw/*.json",), statutes_tw.read_json, yields=ARTICLES)
register_source("falv_xml", ("statutes/tw/*.xml",), statutes_tw.read_xml, yields=ARTICLES)
# French codes as the legi-data JSON mirror of Légifrance ships them (docs/statutes_fr.md)
register_source("legi_json", ("statutes/fr/*.json",), statutes_fr.read_file, yields=ARTICLES)


def input_files(raw: Path, yields: str | None = None) -> list[tuple[Source, Path]]:
    """(source, file) for every file under RAW a source's patterns match, source by source, each
    source's files sorted."""
    found = []
    for src in sources(yields):
        paths = sorted({p for pat in src.patterns for p in raw.glob(pat) if p.is_file()})
        found.extend((src, p) for p in paths)
    return found


def input_hashes(raw: Path, yields: str) -> dict[str, str]:
    """Files of the sources yielding `yields` by path relative to RAW → sha256."""
    return {p.relative_to(raw).as_posix(): jsonl.file_sha256(p) for _, p in input_files(raw, yields)}


def layouts() -> list[str]:
    """Every input layout the build reads, as glob patterns under RAW."""
    return [pat for src in sources() for pat in src.patterns]


def unmatched_inputs(raw: Path, read: Iterable[str]) -> dict[str, str]:
    """Files under RAW no layout reads (hidden files and folders aside) → why they were skipped."""
    read = set(read)
    out = {}
    for root, dirs, files in os.walk(raw):  # symbolic links to folders are not followed (no loops)
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            rel = (Path(root) / name).relative_to(raw).as_posix()
            if name.startswith(".") or rel in read:
                continue
            path = Path(root) / name
            out[rel] = ("matches no input layout" if path.is_file()
                        else "not a readable file (a broken or looping link?)")
    return out
