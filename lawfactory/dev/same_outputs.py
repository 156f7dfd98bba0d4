"""Does a refactoring change what `make data` writes? Build the same inputs with two checkouts and
compare every output file byte for byte.

    python -m lawfactory.dev.same_outputs --base REV [--shared DIR] [--work DIR]

REV (a commit, branch or tag) is checked out into a temporary git worktree; the working tree is the
other side. Each side runs its own `python -m lawfactory.cli data` on the same builds:

- `samples`: the bundled samples with the defaults;
- `samples-options`: the samples with every non-default option a build can take that changes rows
  (pseudonyms, Simplified Chinese, a benchmark excluded, near-duplicate check, more variants);
- `real`: with `--shared`, the shared real data (CAIL2018 with the official lists, the mainland and
  Taiwan full-text judgments, the PRC, Taiwan and French statutes) laid out as RAW through symbolic links.

Every output listed in the manifest must be identical, except two that name the code: the data
card's "Code version" line, and `manifest.json`'s `fingerprint` and `options` (printed when they
differ, not compared); every other key of the manifest must match. Exit status 1 on any difference.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import orjson

REPO = Path(__file__).resolve().parents[2]
VOLATILE = ("fingerprint", "options")  # keys of manifest.json that follow the code, not the outputs
CARD = "README.md"  # the data card: one line names the code version, options and fingerprint


def builds(shared: Path | None, tmp: Path) -> dict[str, list[str]]:
    """Build name → `lawfactory data` arguments (RAW included)."""
    samples = REPO / "samples"
    out = {
        "samples": ["--raw", str(samples)],
        "samples-options": ["--raw", str(samples), "--pseudonymize", "--to-simplified", "--near-dup", "check",
                            "--exclude", str(samples / "cail" / "hf_flat.jsonl"), "--adversarial-ratio", "0.3",
                            "--min-fact-chars", "30", "--seed", "7"],
    }
    if shared:
        real = shared / "data" / "real"
        raw = tmp / "raw-real"
        links = {"cail/valid_sample.jsonl": real / "cail2018" / "valid_sample.jsonl",
                 "judgments/cn": real / "judgments" / "cn", "judgments/tw": real / "judgments" / "tw",
                 "statutes/cn": real / "statutes" / "cn", "statutes/tw": real / "statutes" / "tw",
                 "statutes/fr": real / "statutes" / "fr"}
        for rel, target in links.items():
            (raw / rel).parent.mkdir(parents=True, exist_ok=True)
            (raw / rel).symlink_to(target.resolve())
        out["real"] = ["--raw", str(raw), "--charges", str(real / "cail2018" / "accu.txt"),
                       "--articles", str(real / "cail2018" / "law.txt")]
    return out


def build(checkout: Path, args: list[str], out: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(checkout), "PYTHONHASHSEED": "0"}
    proc = subprocess.run([sys.executable, "-m", "lawfactory.cli", "data", *args, "--out", str(out), "--workers", "2"],
                          cwd=checkout, env=env, capture_output=True, text=True)
    if proc.returncode:
        sys.exit(f"{checkout}: lawfactory data {' '.join(args)} failed ({proc.returncode}):\n{proc.stderr[-3000:]}")


def digests(out: Path) -> dict[str, str]:
    manifest = orjson.loads((out / "manifest.json").read_bytes())
    return {name: hashlib.sha256(_comparable(out, name)).hexdigest() for name in manifest["outputs"]}


def _comparable(out: Path, name: str) -> bytes:
    data = (out / name).read_bytes()
    if name != CARD:
        return data
    return b"\n".join(line for line in data.split(b"\n") if not line.startswith(b"Code version "))


def compare(base: Path, new: Path) -> list[str]:
    """Differences between two builds, as lines; empty when the outputs are the same."""
    lines = []
    a, b = digests(base), digests(new)
    for name in sorted(set(a) | set(b)):
        if a.get(name) != b.get(name):
            lines.append(f"  {name}: {'missing' if name not in b else 'new' if name not in a else 'differs'}")
    ma, mb = (orjson.loads((d / "manifest.json").read_bytes()) for d in (base, new))
    for m in (ma, mb):
        m.get("output_sha256", {}).pop(CARD, None)  # compared above, without its code-version line
    for key in sorted(set(ma) | set(mb)):
        if key not in VOLATILE and ma.get(key) != mb.get(key):
            lines.append(f"  manifest.json {key}: differs")
    return lines


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--base", required=True, help="git revision to compare the working tree against")
    ap.add_argument("--shared", type=Path, help="the shared folder holding data/real (adds the real build)")
    ap.add_argument("--work", type=Path, help="keep the builds here (default: a temporary folder)")
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="same-outputs-") as t:
        tmp = args.work or Path(t)
        tmp.mkdir(parents=True, exist_ok=True)
        base = tmp / "base-checkout"
        if not base.exists():
            subprocess.run(["git", "worktree", "add", "--detach", str(base), args.base], cwd=REPO, check=True,
                           capture_output=True)
        failed = 0
        try:
            for name, cmd in builds(args.shared, tmp).items():
                outs = {side: tmp / f"{name}-{side}" for side in ("base", "new")}
                build(base, cmd, outs["base"])
                build(REPO, cmd, outs["new"])
                diff = compare(outs["base"], outs["new"])
                ma, mb = (orjson.loads((outs[s] / "manifest.json").read_bytes()) for s in ("base", "new"))
                n = len(mb["outputs"])
                print(f"{name}: {'SAME' if not diff else 'DIFFERENT'} ({n} outputs)")
                if diff:
                    print("\n".join(diff))
                if ma["options"] != mb["options"]:
                    print(f"  manifest options: {ma['options']} → {mb['options']}")
                failed += bool(diff)
        finally:
            subprocess.run(["git", "worktree", "remove", "--force", str(base)], cwd=REPO, capture_output=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
