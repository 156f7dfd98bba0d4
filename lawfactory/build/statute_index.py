"""`make data`, statute side: RAW/statutes/{cn,tw,fr} → DATA/statutes_index.jsonl and the index the
tasks read (ctx.index), before the task stage. The statute QA datasets and retrieval pairs are a
task of their own (StatuteTask, lawfactory/tasks/statute_datasets.py).

    RAW/statutes/cn/*.md   LawRefBook markdown      converters/statutes_cn.py
    RAW/statutes/tw/*.json MOJ API JSON (per law or ChLaw.json)   converters/statutes_tw.py
    RAW/statutes/tw/*.xml  FalV XML                               converters/statutes_tw.py
    RAW/statutes/fr/*.json legi-data JSON (French codes)          converters/statutes_fr.py

These are the `articles` sources of lawfactory/build/sources.py. One law read from two files (a
JSON and the FalV XML of the same law, or two exports) is kept from the first file in the order
above (JSON before XML) and the other file's articles are counted as skipped. Rejects go to
rejects.jsonl with file, line (for JSON: the LawArticles row) and reason; per file, read =
converted + rejected + skipped.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from tqdm import tqdm

from lawfactory import jsonl
from lawfactory.build import sources
from lawfactory.tasks.statute_articles import sort_key

INDEX = "statutes_index.jsonl"
# What a reject's locator counts, by format (markdown and XML: lines); legi-data's tree has no lines
LOCATOR = {"moj_json": "LawArticles row ", "legi_json": "article node "}


def input_files(raw: Path) -> list[tuple[str, Path, str, object]]:
    """(path relative to RAW, path, format name, reader) of every statute file, in the registry's order."""
    found = sources.input_files(raw, sources.ARTICLES)
    return [(p.relative_to(raw).as_posix(), p, src.name, src.read) for src, p in found]


def input_hashes(raw: Path) -> dict[str, str]:
    """Statute files by path relative to RAW → sha256 (they are part of the build fingerprint)."""
    return sources.input_hashes(raw, sources.ARTICLES)


def build_statutes(opts, manifest: dict) -> dict:
    """Convert every statute file, write the index and fill the manifest's inputs; returns the index
    by article key."""
    hashes = manifest.get("fingerprint", {}).get("inputs", {})
    index: dict[str, dict] = {}
    first: dict[str, str] = {}  # law name → the file it was read from
    rejects: list[dict] = []
    for rel, path, fmt, reader in tqdm(input_files(opts.raw), desc="statutes", unit=" file", mininterval=1.0):
        result = reader(path, rel)
        entry = {"format": fmt, "read": result.read, "converted": 0, "rejected": len(result.rejects), "skipped": 0,
                 "laws": [law.name for law in result.laws], "headings": sum(law.headings for law in result.laws),
                 "sha256": hashes.get(rel) or jsonl.file_sha256(path)}
        row = LOCATOR.get(fmt, "line ")
        rejects += [{"file": rel, "line": loc, "reason": f"{row}{loc}: {why}"} for loc, why in result.rejects]
        for law in result.laws:
            if law.name in first:  # the same law from another file (the FalV XML of a JSON law)
                entry["skipped"] += len(law.articles)
                entry["skipped_reason"] = f"{law.name} already read from {first[law.name]}"
                continue
            first[law.name] = rel
            for a in law.articles:
                if a["key"] in index:
                    loc = int(a["source"].rpartition(":")[2])
                    rejects.append({"file": rel, "line": loc, "reason": f"{row}{loc}: duplicate article {a['key']} "
                                                                         f"(first at {index[a['key']]['source']})"})
                    entry["rejected"] += 1
                    continue
                index[a["key"]] = a
                entry["converted"] += 1
        assert entry["read"] == entry["converted"] + entry["rejected"] + entry["skipped"], rel
        manifest["inputs"][rel] = entry
    ordered = sorted(index.values(), key=sort_key)
    jsonl.write_jsonl(opts.out / INDEX, ordered)
    if rejects:
        jsonl.append_jsonl(opts.out / "rejects.jsonl", rejects)
    laws = dict(Counter(a["law"] for a in ordered))
    manifest["statutes"] = {"index": INDEX, "articles": len(ordered), "deleted": sum(a["deleted"] for a in ordered),
                            "laws": laws}
    return {a["key"]: a for a in ordered}
