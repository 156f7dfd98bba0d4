"""The recipe's datasets: registered, files present, declared columns present, rows counted, rows
LLaMA-Factory would skip, ranking datasets where (and only where) the stage wants pairs, and no case
group on both the train and the eval side.

A `ranking` dataset (stages dpo and rm) gives each prompt two answers, `chosen` and `rejected`
(strings in alpaca form, messages in sharegpt form); LLaMA-Factory drops a pair that lacks either
(data/processor/pairwise.py) and refuses a ranking dataset in any other stage, or a plain one in
these ("The dataset is not applicable in the current training stage")."""

from __future__ import annotations

import hashlib
import json
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
    same_pair: int = 0                                # ranking rows whose chosen and rejected are one text

    @property
    def ranking(self) -> bool:
        return bool(self.attr.get("ranking"))

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


def registered(args: dict, name: str) -> tuple[dict, list[Path], Path] | None:
    """(its dataset_info.json entry, its files, the registry's path) for a dataset of the recipe's
    dataset_dir (LLaMA-Factory's default `data`); None when it is not registered. An unreadable
    registry or an entry whose file is missing is an InputError naming the registry."""
    from lawfactory.errors import InputError

    dataset_dir = Path(args.get("dataset_dir") or "data")
    info_path = dataset_dir / "dataset_info.json"
    try:
        info = json.loads(info_path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise InputError(f"{info_path}: cannot read the dataset registry: {e}") from None
    attr = info.get(name)
    if attr is None:
        return None
    files = dataset_files(dataset_dir, {"dataset_name": attr.get("file_name", "")})
    if not files:
        raise InputError(f"{info_path}: {name} names {attr.get('file_name')!r}, which does not exist under "
                         f"{dataset_dir}")
    return attr, files, info_path


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


# Stages whose datasets are pairs (LLaMA-Factory's get_dataset(stage="rm")).
PAIRWISE_STAGES = ("dpo", "rm")


def declared_columns(attr: dict) -> list[str]:
    keys = (("prompt", "query", "response", "history", "system") if attr["formatting"] == "alpaca"
            else ("messages", "system", "tools"))
    keys += ("chosen", "rejected") if attr.get("ranking") else ("kto_tag",)
    return [attr[k] for k in keys if attr.get(k)]


def _text(value, attr: dict) -> str:
    """An answer: a string (alpaca) or one message (sharegpt ranking: {from, value})."""
    if isinstance(value, dict):
        value = value.get(attr.get("content_tag") or "value")
    return value if isinstance(value, str) else ""


def source_target(row: dict, attr: dict) -> tuple[str, str, tuple[str, ...]]:
    """(system, prompt, answers) of a row as LLaMA-Factory's aligner reads it: answers is
    (response,), or (chosen, rejected) for a ranking dataset."""
    system = row.get(attr.get("system") or "", "") or ""
    if attr["formatting"] == "alpaca":
        prompt = "\n".join(x for x in (row.get(attr["prompt"]) or "", row.get(attr.get("query") or "") or "") if x)
    else:
        user, assistant = [], []
        for m in row.get(attr["messages"]) or []:
            role, text = m.get(attr["role_tag"]), m.get(attr["content_tag"]) or ""
            if role == attr["assistant_tag"]:
                assistant.append(text)
            elif role == attr.get("system_tag") and not system:
                system = text
            else:
                user.append(text)
        prompt = "\n".join(user)
        if not attr.get("ranking"):
            return system, prompt, ("\n".join(assistant),)
    if attr.get("ranking"):
        return system, prompt, (_text(row.get(attr.get("chosen") or ""), attr),
                                _text(row.get(attr.get("rejected") or ""), attr))
    return system, prompt, (_text(row.get(attr.get("response") or ""), attr),)


def check_rows(ds: Dataset) -> None:
    """One pass: rows, unreadable lines, declared columns seen, rows LLaMA-Factory would skip."""
    attr, seen = ds.attr, set()
    for f in ds.files:
        for _, row in read_rows(f, ds.problems):
            ds.rows += 1
            seen.update(row)
            _, prompt, answers = source_target(row, attr)
            if not prompt or not all(answers):
                ds.skipped += 1
            elif ds.ranking and answers[0] == answers[1]:
                ds.same_pair += 1
    for col in declared_columns(attr):
        if ds.rows and col not in seen:
            ds.problems.append(f"column {col!r} declared in dataset_info.json is in none of its rows "
                               f"(LLaMA-Factory fails with KeyError / 'Cannot find valid samples')")
    what = "a prompt, a chosen and a rejected answer" if ds.ranking else "both a prompt and a response"
    if ds.rows and ds.skipped == ds.rows:
        ds.problems.append(f"no row has {what}: LLaMA-Factory finds no valid samples")


def stage_problem(ds: Dataset, stage: str) -> str:
    """LLaMA-Factory's refusal of a ranking dataset outside dpo/rm, or of a plain one inside (data/loader.py)."""
    if stage in PAIRWISE_STAGES and not ds.ranking:
        return (f"stage {stage} trains on pairs: this dataset is not `ranking: true` in dataset_info.json "
                "(LLaMA-Factory: 'The dataset is not applicable in the current training stage')")
    if stage not in PAIRWISE_STAGES and ds.ranking:
        return (f"a ranking dataset (chosen/rejected pairs) is for stage dpo or rm, not {stage} "
                "(LLaMA-Factory: 'The dataset is not applicable in the current training stage')")
    return ""


def load_datasets(parsed: dict, dataset_dir: Path) -> list[Dataset]:
    out = []
    stage = parsed.get("facts", {}).get("finetuning", {}).get("stage", "sft")
    training = bool(parsed.get("facts", {}).get("training", {}).get("do_train"))
    for split in ("train", "eval"):
        for attr in parsed["datasets"].get(split, []):
            ds = Dataset(attr["name"], split, attr)
            out.append(ds)
            if "error" in attr:
                ds.problems.append(attr["error"])
                continue
            if training and (problem := stage_problem(ds, stage)):
                ds.problems.append(problem)
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
