"""Reading and writing JSON lines: line-numbered, tolerant reads and atomic writes."""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import os
from pathlib import Path
from typing import IO, Iterable, Iterator

import orjson

BOM = b"\xef\xbb\xbf"
GZIP_MAGIC = b"\x1f\x8b"


def is_gzip(path: str | Path) -> bool:
    """A gzip stream, whatever the file is called (dumps ship as .jsonl.gz, or renamed .jsonl)."""
    with open(path, "rb") as f:
        return f.read(2) == GZIP_MAGIC


def whole_file(path: str | Path) -> bool:
    """Inputs `iter_jsonl` must read from the start (never cut into byte ranges): gzip streams,
    and `.json` files holding one JSON document (an array of records) instead of lines."""
    return is_gzip(path) or json_document(path)


def json_document(path: str | Path) -> bool:
    """A `.json` file whose first line is not a JSON value by itself: one (pretty-printed) JSON
    document, read whole. A `.json` file of JSON lines is read, and sharded, as lines."""
    if Path(path).suffix.lower() != ".json":
        return False
    with open(path, "rb") as f:
        first = b""
        while not first.strip():
            first = f.readline(1 << 20)
            if not first:
                return False
    first = first.removeprefix(BOM).strip()
    if first.startswith(b"["):
        return True
    try:
        orjson.loads(first)
        return False
    except orjson.JSONDecodeError:
        return first.startswith(b"{")


def safe_text(text: str) -> str:
    """A message that can always be written as UTF-8 JSON (undecodable input bytes kept as
    surrogates by a reader are shown as \\udcXX escapes instead of failing the write)."""
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


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
    Read whole (start 0, no end), a gzip file is decompressed as it streams, and a `.json` file
    that parses as one JSON document yields its records (an array: line = the element's 1-based index).
    """
    if start == 0 and end is None and json_document(path):
        yield from _json_document(path)
        return
    opener = gzip.open if start == 0 and end is None and is_gzip(path) else open
    with opener(path, "rb") as f:
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


def _json_document(path: str | Path) -> list:
    """The records of a file that is one JSON array (or one object), or one reject for the file."""
    raw = Path(path).read_bytes().removeprefix(BOM)
    try:
        obj = orjson.loads(raw)
    except orjson.JSONDecodeError as e:
        return [(e.lineno, None, f"invalid JSON (the file is one JSON document, not JSON lines): {e}")]
    if isinstance(obj, list):
        return [(i, x, None) for i, x in enumerate(obj, 1)]
    return [(1, obj, None)]


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


def json_bytes(obj) -> bytes:
    """A JSON file's bytes as write_json writes them (two-space indent, final newline)."""
    return orjson.dumps(obj, option=orjson.OPT_INDENT_2) + b"\n"


def write_json(path: str | Path, obj) -> None:
    with atomic_open(path, "wb") as f:
        f.write(json_bytes(obj))


def append_jsonl(path: str | Path, rows: list) -> None:
    """Add rows to a JSON lines file, atomically (the file is copied, never edited in place)."""
    import shutil

    path = Path(path)
    with atomic_open(path, "wb") as f:
        if path.exists():
            with open(path, "rb") as old:
                shutil.copyfileobj(old, f)
        for row in rows:
            f.write((dumps(row) + "\n").encode("utf-8"))


def file_sha256(path: str | Path, chunk: int = 1 << 20) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while block := f.read(chunk):
            h.update(block)
    return h.hexdigest()
