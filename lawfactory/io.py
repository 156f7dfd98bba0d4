"""Reading and writing JSON lines: line-numbered, tolerant reads and atomic writes."""

from __future__ import annotations

import contextlib
import hashlib
import os
from pathlib import Path
from typing import IO, Iterable, Iterator

import orjson

BOM = b"\xef\xbb\xbf"


def dumps(obj) -> str:
    """One JSON line (UTF-8, no ASCII escaping, insertion key order): byte-stable output."""
    return orjson.dumps(obj).decode("utf-8")


def loads(text: str | bytes):
    return orjson.loads(text)


def iter_jsonl(
    path: str | Path, start: int = 0, end: int | None = None, first_line: int = 1
) -> Iterator[tuple[int, object, str | None]]:
    """Yield (line number, parsed object or None, reject reason or None) for every non-blank line.

    A line that is not UTF-8 or not JSON is yielded with its reason instead of raising, so a
    caller can account for it; a BOM at the start of the file is skipped. `start`/`end` read one
    shard (a byte range starting at a line start; `first_line` is that line's number).
    """
    with open(path, "rb") as f:
        f.seek(start)
        pos = start
        for lineno, raw in enumerate(f, first_line):
            if end is not None and pos >= end:
                break
            pos += len(raw)
            if pos == len(raw) and raw.startswith(BOM):
                raw = raw[len(BOM):]
            if not raw.strip():
                continue
            try:
                raw.decode("utf-8")
            except UnicodeDecodeError as e:
                yield lineno, None, f"not UTF-8 (byte {e.start}: {raw[e.start:e.start + 4]!r})"
                continue
            try:
                yield lineno, orjson.loads(raw), None
            except orjson.JSONDecodeError as e:
                yield lineno, None, f"invalid JSON: {e}"


def read_jsonl(path: str | Path) -> list:
    """All records of a JSON lines file we wrote ourselves (errors raise, naming file and line)."""
    out = []
    for lineno, obj, reason in iter_jsonl(path):
        if reason:
            raise ValueError(f"{path}:{lineno}: {reason}")
        out.append(obj)
    return out


@contextlib.contextmanager
def atomic_open(path: str | Path, mode: str = "w") -> Iterator[IO]:
    """Write to a hidden temporary beside `path`, rename over it only when the block succeeds.

    A killed or failed run leaves at most a `.NAME.partial` file, which no loader picks up.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.partial")
    kwargs = {} if "b" in mode else {"encoding": "utf-8", "newline": "\n"}
    try:
        with open(tmp, mode, **kwargs) as f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()


def write_jsonl(path: str | Path, rows: Iterable) -> int:
    n = 0
    with atomic_open(path) as f:
        for row in rows:
            f.write(dumps(row))
            f.write("\n")
            n += 1
    return n


def write_json(path: str | Path, obj) -> None:
    with atomic_open(path, "wb") as f:
        f.write(orjson.dumps(obj, option=orjson.OPT_INDENT_2))
        f.write(b"\n")


def file_sha256(path: str | Path, chunk: int = 1 << 20) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while block := f.read(chunk):
            h.update(block)
    return h.hexdigest()
