"""One build's outputs as a generation: checked paths, a lock, a staging folder, a verified switch.

`lawfactory data` never writes a dataset into DATA directly. Every output of a build is written
into DATA/.work/stage/ and the manifest records each output's sha256; only a build that got to
the end switches it in (`switch`):

1. an output name taken by a folder in DATA is refused before anything is touched;
2. fence: DATA/dataset_info.json, then DATA/manifest.json are removed; from here on DATA has no
   registry and no manifest, so neither LLaMA-Factory (`dataset_dir=DATA`) nor `lawfactory check`
   loads it;
3. every output of the previous generation is removed, so no file of it can sit beside new ones;
4. the staged outputs are renamed into DATA (same file system: each rename is atomic);
5. manifest.json, and last dataset_info.json.

A build killed or failed before step 2 leaves the previous generation whole; killed during 2–5 it
leaves DATA fenced, and the next run rebuilds (finished conversion shards are reused) and switches.
The up-to-date check (`fingerprint.up_to_date`) compares the outputs with the hashes the manifest
recorded, so a truncated or edited output is rebuilt. One build at a time: DATA/.work/lock.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import signal
from pathlib import Path
from typing import Iterator

from lawfactory import jsonl
from lawfactory.errors import BuildError, UsageError

WORK = ".work"  # lawfactory/build/shards.py keeps its shards here too
STAGE = "stage"
REGISTRY, MANIFEST = "dataset_info.json", "manifest.json"
# Test hook: SIGKILL the build at a named point: "tasks" (the task stage's shards done, no dataset written),
# "staged" (every output staged, nothing switched) or "switch:N" (after N steps of the switch).
KILL_AT_ENV = "LAWFACTORY_KILL_AT"


def killpoint(name: str) -> None:
    if os.environ.get(KILL_AT_ENV) == name:
        os.kill(os.getpid(), signal.SIGKILL)


def check_paths(raw: Path, out: Path) -> None:
    """Refuse, with the option's name, a RAW or DATA the build cannot use (before touching either)."""
    if not raw.exists():
        raise UsageError(f"RAW folder {raw} does not exist")
    if not raw.is_dir():
        raise UsageError(f"--raw {raw} is a file, not a folder")
    if out.exists() and not out.is_dir():
        raise UsageError(f"--out {out} is a file, not a folder")
    blocker = next((p for p in out.parents if p.exists() and not p.is_dir()), None)
    if blocker is not None:
        raise UsageError(f"--out {out}: {blocker} is a file, not a folder")
    r, o = raw.resolve(), out.resolve()
    if o == r or r in o.parents:
        raise UsageError(f"--out {out} is inside --raw {raw}: the build would read its own outputs back as "
                         "inputs; choose an --out outside RAW")
    if o in r.parents:
        raise UsageError(f"--raw {raw} is inside --out {out}: a build replaces what it finds in DATA; "
                         "keep RAW outside it")


@contextlib.contextmanager
def lock(out: Path) -> Iterator[None]:
    """Hold DATA/.work/lock for the whole build; a second build into the same DATA is refused.
    The kernel releases the lock when the process dies, however it dies."""
    path = out / WORK / "lock"
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+", encoding="utf-8") as f:
        try:
            fcntl.flock(f.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            f.seek(0)
            holder = f.read().strip() or "unknown"
            raise BuildError(f"{out}/ is in use by another `lawfactory data` (pid {holder}): wait for it to "
                             "finish, or build into another --out") from None
        f.seek(0)
        f.truncate()
        f.write(str(os.getpid()))
        f.flush()
        try:
            yield
        finally:
            f.seek(0)
            f.truncate()


def drop_stage(out: Path) -> Path:
    """Remove what a failed or killed build left in DATA/.work/stage/ (never loadable)."""
    stage = out / WORK / STAGE
    shutil.rmtree(stage, ignore_errors=True)
    return stage


def new_stage(out: Path) -> Path:
    """An empty DATA/.work/stage/."""
    stage = drop_stage(out)
    stage.mkdir(parents=True)
    return stage


def output_hashes(folder: Path, names: list[str]) -> dict[str, str]:
    return {name: jsonl.file_sha256(folder / name) for name in names}


def previous_outputs(out: Path) -> list[str]:
    """The outputs DATA's manifest lists (none when DATA holds no readable manifest)."""
    try:
        prev = jsonl.loads((out / MANIFEST).read_bytes())
        return [str(n) for n in prev.get("outputs", []) if "/" not in str(n)]
    except Exception:  # noqa: BLE001 - no readable manifest: no previous outputs to remove
        return []


def switch(stage: Path, out: Path, outputs: list[str]) -> None:
    """Move the staged generation into DATA (steps in the module docstring); `outputs` holds every
    staged file name but the manifest and the registry."""
    names = [*outputs, MANIFEST, REGISTRY]
    blocked = [n for n in names if (out / n).exists() and not (out / n).is_file()]
    if blocked:
        raise BuildError(f"{out / blocked[0]} is a folder or a link, where the build writes a file: move it away "
                         f"and rerun (DATA still holds the previous build)")
    step = 0

    def done() -> None:
        nonlocal step
        step += 1
        killpoint(f"switch:{step}")

    for name in (REGISTRY, MANIFEST):  # the fence
        (out / name).unlink(missing_ok=True)
    done()
    for name in sorted(set(previous_outputs(out)) | set(outputs)):
        if (out / name).is_file():
            (out / name).unlink()
    done()
    for name in [*outputs, MANIFEST, REGISTRY]:
        os.replace(stage / name, out / name)
        done()
    _fsync_dir(out)
    shutil.rmtree(stage, ignore_errors=True)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def verify(out: Path, manifest: dict) -> list[str]:
    """Outputs missing from DATA or changed since the build (their sha256 differs from the manifest's)."""
    bad = []
    for name, sha in (manifest.get("output_sha256") or {}).items():
        path = out / name
        if not path.is_file():
            bad.append(f"{name} is missing")
        elif jsonl.file_sha256(path) != sha:
            bad.append(f"{name} changed since the build (sha256 differs from manifest.json)")
    return bad


def file_problems(files: list[Path]) -> list[str]:
    """For `lawfactory check`: dataset files in a folder `lawfactory data` builds (it has .work/)
    that no complete build vouches for: the folder has no manifest (a build was interrupted while
    switching generations), or a file's content differs from the sha256 its manifest recorded."""
    problems, manifests = [], {}
    for f in files:
        folder = f.parent
        if not (folder / WORK).is_dir():
            continue
        if folder not in manifests:
            try:
                manifests[folder] = jsonl.loads((folder / MANIFEST).read_bytes())
            except Exception:  # noqa: BLE001 - missing or unreadable: no build vouches for the folder
                manifests[folder] = None
        m = manifests[folder]
        if m is None:
            problems.append(f"{folder} holds no complete `lawfactory data` build ({MANIFEST} is missing: a build "
                            "was interrupted or failed while switching); rerun `lawfactory data`")
            break
        sha = (m.get("output_sha256") or {}).get(f.name)
        if sha and jsonl.file_sha256(f) != sha:
            problems.append(f"{f} changed since `lawfactory data` wrote it (sha256 differs from {MANIFEST}); "
                            "rerun `lawfactory data`")
    return problems
