"""Build fingerprints: what `make data` read (input hashes), with which code and which options.

An unchanged fingerprint means the outputs in DATA are what this build would write, so the build
is skipped; each conversion shard has its own fingerprint, so a changed input or an interrupted
run redoes only the shards that are missing or stale.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import orjson

from lawfactory import jsonl

REPO = Path(__file__).resolve().parents[2]  # the folder holding the packages: the checkout, or site-packages
CODE_DIRS = ("lawfactory", "converters", "adversarial")


def digest(obj) -> str:
    return hashlib.sha256(orjson.dumps(obj, option=orjson.OPT_SORT_KEYS)).hexdigest()


def code_version(root: Path = REPO) -> str:
    """sha256 over every Python source of the packages that shape the outputs."""
    h = hashlib.sha256()
    for d in CODE_DIRS:
        for p in sorted((root / d).rglob("*.py")):
            h.update(p.relative_to(root).as_posix().encode() + b"\0" + p.read_bytes() + b"\0")
    return h.hexdigest()


def build_fingerprint(inputs: dict, options: dict, code: str) -> dict:
    """inputs: relative path → sha256; options: as recorded in the manifest."""
    fp = {"inputs": dict(sorted(inputs.items())), "code": code, "options": options}
    return {**fp, "sha256": digest(fp)}


def up_to_date(out: Path, fingerprint: dict) -> dict | None:
    """The previous manifest when it carries this fingerprint and every output it lists is there
    with the content it recorded (sha256): a truncated or edited output is rebuilt."""
    path = out / "manifest.json"
    if not path.is_file():
        return None
    try:
        prev = jsonl.loads(path.read_bytes())
    except Exception:
        return None
    if prev.get("fingerprint", {}).get("sha256") != fingerprint["sha256"]:
        return None
    from lawfactory.build.generation import REGISTRY, verify

    if not (out / REGISTRY).is_file() or not prev.get("output_sha256") or verify(out, prev):
        return None
    return prev
