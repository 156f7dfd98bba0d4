"""The recipe's datasets: registered, files present, declared columns present, rows counted, rows
LLaMA-Factory would skip, and no case group on both the train and the eval side."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

from lawfactory import jsonl
from lawfactory.build import generation
from lawfactory.hygiene import dedup


@dataclass
class Dataset:
    name: str
    split: str
    attr: dict
    files: list[Path] = field(default_factory=list)
    rows: int = 0                                     # readable rows
    problems: list[str] = field(default_factory=list)
    skipped: int = 0                                  # rows LLaMA-Factory would drop as invalid

    @property
    def path(self) -> str:
        return self.attr.get("dataset_name", "")

    def iter_rows(self) -> Iterator[tuple[str, dict]]:
        """('file:line', row) for every readable row, streamed file by file (datasets can be large)."""
        for f in self.files:
            yield from read_rows(f, [])


def dataset_files(dataset_dir: Path, attr: dict) -> list[Path]:
    """LLaMA-Factory's local layout: dataset_dir/file_name, a file or a folder of files."""
    p = Path(attr["dataset_name"])
    p = p if p.is_absolute() else dataset_dir / p
    if p.is_dir():
        return sorted(f for f in p.iterdir() if f.is_file() and not f.name.startswith("."))
    return [p] if p.is_file() else []


def read_rows(path: Path, problems: list[str]) -> Iterator[tuple[str, dict]]:
    """('file:line', row) of a .jsonl (streamed) or .json file; unreadable lines go to `problems`."""
    if path.suffix == ".jsonl":
        for lineno, obj, reason in jsonl.iter_jsonl(path):
            if reason or not isinstance(obj, dict):
                problems.append(f"{path}:{lineno}: {reason or 'not a JSON object'}")
                continue
            yield f"{path}:{lineno}", obj
    elif path.suffix == ".json":
        try:
            data = jsonl.loads(path.read_bytes())
        except Exception as err:
            problems.append(f"{path}: invalid JSON: {err}")
            return
        for i, obj in enumerate(data if isinstance(data, list) else []):
            if isinstance(obj, dict):
                yield f"{path}[{i}]", obj
    else:
        problems.append(f"{path}: {path.suffix or 'no extension'} files are not inspected (json/jsonl only)")


def declared_columns(attr: dict) -> list[str]:
    keys = (("prompt", "query", "response", "history", "system") if attr["formatting"] == "alpaca"
            else ("messages", "system", "tools"))
    return [attr[k] for k in keys if attr.get(k)]


def source_target(row: dict, attr: dict) -> tuple[str, str, str]:
    """(system, prompt, response) text of a row as LLaMA-Factory's aligner reads it."""
    system = row.get(attr.get("system") or "", "") or ""
    if attr["formatting"] == "alpaca":
        prompt = "\n".join(x for x in (row.get(attr["prompt"]) or "", row.get(attr.get("query") or "") or "") if x)
        return system, prompt, row.get(attr["response"]) or ""
    user, assistant = [], []
    for m in row.get(attr["messages"]) or []:
        role, text = m.get(attr["role_tag"]), m.get(attr["content_tag"]) or ""
        if role == attr["assistant_tag"]:
            assistant.append(text)
        elif role == attr.get("system_tag") and not system:
            system = text
        else:
            user.append(text)
    return system, "\n".join(user), "\n".join(assistant)


def check_rows(ds: Dataset) -> None:
    """One pass: rows, unreadable lines, declared columns seen, rows LLaMA-Factory would skip."""
    attr, seen = ds.attr, set()
    for f in ds.files:
        for _, row in read_rows(f, ds.problems):
            ds.rows += 1
            seen.update(row)
            _, prompt, response = source_target(row, attr)
            if not prompt or not response:
                ds.skipped += 1
    for col in declared_columns(attr):
        if ds.rows and col not in seen:
            ds.problems.append(f"column {col!r} declared in dataset_info.json is in none of its rows "
                               f"(LLaMA-Factory fails with KeyError / 'Cannot find valid samples')")
    if ds.rows and ds.skipped == ds.rows:
        ds.problems.append("no row has both a prompt and a response: LLaMA-Factory finds no valid samples")


def load_datasets(parsed: dict, dataset_dir: Path) -> list[Dataset]:
    out = []
    for split in ("train", "eval"):
        for attr in parsed["datasets"].get(split, []):
            ds = Dataset(attr["name"], split, attr)
            out.append(ds)
            if "error" in attr:
                ds.problems.append(attr["error"])
                continue
            if attr["load_from"] != "file":
                ds.problems.append(f"loaded from {attr['load_from']} ({attr['dataset_name']}): not inspected offline")
                continue
            ds.files = dataset_files(dataset_dir, attr)
            if not ds.files:
                ds.problems.append(f"file {dataset_dir / attr['dataset_name']} is missing (run `make data`?)")
                continue
            ds.problems += generation.file_problems(ds.files)  # a half-switched or edited `lawfactory data` build
            check_rows(ds)
    return out


def group_keys(row: dict, attr: dict) -> set[str]:
    """What ties a row to a judgment: its group_id, the case it is a variant of, and its prompt text."""
    keys = {f"group:{row[k]}" for k in ("group_id",) if row.get(k)}
    keys |= {f"case:{row[k]}" for k in ("case_id", "variant_of") if row.get(k)}
    _, prompt, _ = source_target(row, attr)
    if prompt:  # a 16-byte digest, not the text: the train side is held in memory
        keys.add("prompt:" + hashlib.blake2b(dedup.normalize(prompt).encode(), digest_size=16).hexdigest())
    return keys


def leaks(datasets: list[Dataset]) -> dict[str, int]:
    """Eval rows sharing a group id, a case id (variant_of) or the very prompt with a train row, per eval dataset."""
    train = set()
    for ds in datasets:
        if ds.split == "train":
            for _, row in ds.iter_rows():
                train |= group_keys(row, ds.attr)
    return {ds.name: sum(1 for _, row in ds.iter_rows() if group_keys(row, ds.attr) & train)
            for ds in datasets if ds.split == "eval"}
