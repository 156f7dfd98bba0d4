"""The `lawfactory` command. Each subcommand is a small function; heavy imports stay inside them."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path


def cmd_data(args) -> int:
    from lawfactory.build import Options, build, summary

    extra = {}
    opts = Options(raw=Path(args.raw), out=Path(args.out), seed=args.seed, eval_ratio=args.eval_ratio, extra=extra)
    manifest = build(opts)
    print(summary(manifest))
    print(f"wrote {opts.out}/ (manifest.json, cases.jsonl, rejects.jsonl, dataset files)")
    return 0


def cmd_tiny_model(args) -> int:
    from lawfactory.tiny_model import build

    out = build(args.out, layers=args.layers, hidden=args.hidden, seed=args.seed)
    print(f"tiny random Qwen3 model written to {out}")
    return 0


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="lawfactory", description="Legal-domain data, recipes and evaluation for LLaMA-Factory.")
    sub = p.add_subparsers(dest="command", required=True)

    d = sub.add_parser("data", help="convert RAW inputs into LLaMA-Factory datasets in OUT")
    d.add_argument("--raw", default=os.environ.get("RAW", "samples"), help="input folder (default: samples/)")
    d.add_argument("--out", default=os.environ.get("DATA", "data"), help="output folder (default: data/)")
    d.add_argument("--seed", type=int, default=42)
    d.add_argument("--eval-ratio", type=float, default=0.1, help="share of case groups held out for eval")
    d.set_defaults(func=cmd_data)

    t = sub.add_parser("tiny-model", help="build a tiny random Qwen3 model with Qwen's tokenizer (tests, CPU demo)")
    t.add_argument("--out", required=True)
    t.add_argument("--layers", type=int, default=2)
    t.add_argument("--hidden", type=int, default=64)
    t.add_argument("--seed", type=int, default=0)
    t.set_defaults(func=cmd_tiny_model)
    return p


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
