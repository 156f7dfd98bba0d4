"""The `lawfactory` command. Each subcommand is a small function; heavy imports stay inside them."""

from __future__ import annotations

import argparse
import math
import os
import sys
from pathlib import Path


def cmd_data(args) -> int:
    from lawfactory.build.pipeline import Options, build, summary

    extra = {}
    extra.update(_hygiene_extra(args))
    extra.update(_judgment_extra(args))
    extra.update(_adversarial_extra(args))
    opts = Options(raw=Path(args.raw), out=Path(args.out), seed=args.seed, eval_ratio=args.eval_ratio, extra=extra)
    opts.workers, opts.shard_bytes, opts.start_method = args.workers, args.shard_bytes, args.start_method
    try:
        manifest = build(opts)
    except KeyboardInterrupt:
        print(f"lawfactory data: interrupted; {opts.out}/ still holds its previous build. Finished conversion "
              "shards are kept: rerun to resume.", file=sys.stderr)
        return 130
    print(summary(manifest))
    print(f"wrote {opts.out}/ (manifest.json, cases.jsonl, rejects.jsonl, dataset files)")
    return 0


def _hygiene_extra(args) -> dict:
    """Data-hygiene options, recorded in the manifest (lawfactory/hygiene/stage.py, quality.py)."""
    return {"near_dup": args.near_dup, "near_dup_threshold": args.near_dup_threshold,
            "exclude": [str(Path(p)) for p in args.exclude],
            "exclude_containment": args.exclude_containment, "charges": args.charges, "articles": args.articles,
            "min_fact_chars": args.min_fact_chars, "max_fact_chars": args.max_fact_chars,
            "max_record_chars": args.max_record_chars}


def _number(kind, lo=None, hi=None, lo_open=False, hi_open=False, zero=False):
    """An argparse type: a number of `kind` within [lo, hi] (open ends where asked; zero: 0 is
    also accepted, meaning the option's default). argparse names the option in the error."""
    def parse(text: str):
        try:
            v = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not {'an integer' if kind is int else 'a number'}: {text!r}") from None
        if zero and v == 0:
            return v
        if math.isnan(v) or (lo is not None and (v < lo or (lo_open and v == lo))) or \
                (hi is not None and (v > hi or (hi_open and v == hi))):
            lb = "" if lo is None else ("(" if lo_open else "[") + f"{lo}"
            ub = "" if hi is None else f"{hi}" + (")" if hi_open else "]")
            rng = f"in {lb}, {ub}" if lo is not None and hi is not None else (f"≥ {lo}" if not lo_open else f"> {lo}")
            raise argparse.ArgumentTypeError(f"must be {rng}{' (or 0: the default)' if zero else ''}, got {text}")
        return v
    return parse


def _existing(text: str) -> str:
    """An argparse type: a path that exists."""
    if text and not Path(text).exists():
        raise argparse.ArgumentTypeError(f"{text} does not exist")
    return text


def _list_file(text: str) -> str:
    """An argparse type: a file that exists (not a folder)."""
    p = Path(text)
    if p.is_dir():
        raise argparse.ArgumentTypeError(f"{text} is a folder; expected a file with one name a line")
    if not p.is_file():
        raise argparse.ArgumentTypeError(f"{text} does not exist")
    return text


def _judgment_extra(args) -> dict:
    """Full-text judgment options (converters/judgments.py, lawfactory/tasks/judgment_rows.py)."""
    from lawfactory.lengths import recipe_cutoff

    return {"case_types": args.case_types, "procedures": args.procedures, "date_from": args.date_from,
            "date_to": args.date_to, "pseudonymize": args.pseudonymize, "to_simplified": args.to_simplified,
            "tokenizer": args.tokenizer or "", "cutoff_len": args.cutoff_len or recipe_cutoff()}


def _adversarial_extra(args) -> dict:
    """Synthetic counterfactuals (adversarial/task.py); all recorded, so they change the fingerprint."""
    seed = args.seed if args.adversarial_seed is None else args.adversarial_seed
    return {"adversarial_ratio": args.adversarial_ratio, "adversarial_count": args.adversarial_count,
            "adversarial_seed": seed}


def _add_adversarial_args(d: argparse.ArgumentParser) -> None:
    g = d.add_argument_group("adversarial counterfactuals (synthetic refusal / unclear / confession variants)")
    g.add_argument("--adversarial-ratio", type=_number(float, 0, 1), default=0.06,
                   help="variants per case of each split (default 0.06, ~3,000 per 50,000; at least 1 when any case "
                        "is eligible; 0: none)")
    g.add_argument("--adversarial-count", type=_number(int, 0), default=0,
                   help="exactly N training variants (overrides the ratio; eval pairs in the eval split's proportion)")
    g.add_argument("--adversarial-seed", type=int, default=None, help="selection and phrasing seed (default: --seed)")


def _add_judgment_args(d: argparse.ArgumentParser) -> None:
    g = d.add_argument_group("full-text judgments (RAW/judgments/cn, RAW/judgments/tw)")
    g.add_argument("--case-types", default="刑事案件", help="案件类型 kept, comma-separated ('' keeps all; default 刑事案件)")
    g.add_argument("--procedures", default="刑事一审", help="审理程序 kept, comma-separated ('' keeps all; default 刑事一审)")
    g.add_argument("--date-from", default="", help="keep judgments dated on or after YYYY-MM-DD")
    g.add_argument("--date-to", default="", help="keep judgments dated on or before YYYY-MM-DD")
    g.add_argument("--pseudonymize", action="store_true", help="rename defendants 被告人甲/乙… within each judgment")
    g.add_argument("--to-simplified", action="store_true", help="convert Taiwan samples to Simplified Chinese (OpenCC t2s)")
    g.add_argument("--tokenizer", default="", type=_existing, help="tokenizer folder for sample lengths (default: ~1.37 characters a token)")
    g.add_argument("--cutoff-len", type=_number(int, 0, lo_open=True), default=0,
                   help="drop judgment samples longer than this many tokens (default: cutoff_len of recipes/criminal_qlora.yaml)")


def _add_hygiene_args(d: argparse.ArgumentParser) -> None:
    d.add_argument("--workers", type=_number(int, 0), default=0, help="conversion processes (default 0: one per core)")
    d.add_argument("--start-method", choices=("fork", "spawn"), default="",
                   help="how worker processes start (default fork; spawn where fork is unsafe)")
    d.add_argument("--shard-bytes", type=_number(int, 1), default=4 << 20,
                   help="conversion shard size in bytes (default 4 MiB)")
    d.add_argument("--near-dup", choices=("group", "check", "off"), default="group",
                   help="group: merge near-duplicate cases into one group before the split, then check (default); "
                        "check: fail when an eval case has a train near-duplicate; off: neither")
    d.add_argument("--near-dup-threshold", type=_number(float, 0, 1, lo_open=True), default=0.8,
                   help="MinHash Jaccard threshold, in (0, 1] (default 0.8)")
    d.add_argument("--exclude", nargs="+", action="extend", default=[], metavar="FILE", type=_list_file,
                   help="eval sets (CAIL, LawBench or plain JSON / JSONL / JSONL.gz; repeatable) whose facts are removed "
                        "from training (docs/decontamination.md)")
    d.add_argument("--exclude-containment", type=_number(float, 0, 1, lo_open=True), default=0.5, metavar="SHARE",
                   help="a training fact is contaminated when this share of its character 13-grams occurs in one "
                        "benchmark item, or of the item's fact text in the training fact (default 0.5)")
    d.add_argument("--charges", type=_list_file, help="official charge list (accu.txt): cases with other charges are filtered")
    d.add_argument("--articles", type=_list_file, help="official article list (law.txt): cases citing other articles are filtered")
    d.add_argument("--min-fact-chars", type=_number(int, 0), default=20, help="drop cases with shorter facts (default 20)")
    d.add_argument("--max-fact-chars", type=_number(int, 0), default=0, help="drop cases with longer facts (default: no limit)")
    d.add_argument("--max-record-chars", type=_number(int, 1), default=2_000_000,
                   help="reject an input record holding more characters of text than this (default 2,000,000; "
                        "bounds the memory one record can take)")


def cmd_tiny_model(args) -> int:
    from lawfactory.dev.tiny_model import build

    out = build(args.out, layers=args.layers, hidden=args.hidden, seed=args.seed)
    print(f"tiny random Qwen3 model written to {out}")
    return 0


def cmd_eval(args) -> int:
    from lawfactory.evaluation.inputs import MAX_PREDICTION_CHARS, EvalInputError
    from lawfactory.evaluation.run import EvalOptions, evaluate

    opt = lambda v: Path(v) if v else None  # noqa: E731
    if bool(args.pairs_predictions) != bool(args.pairs_gold):
        print("lawfactory eval: --pairs-predictions and --pairs-gold go together", file=sys.stderr)
        return 2
    opts = EvalOptions(predictions=Path(args.predictions), gold=Path(args.gold or args.predictions), out=Path(args.out),
                       train=opt(args.train), statutes=opt(args.statutes), pairs_predictions=opt(args.pairs_predictions),
                       pairs_gold=opt(args.pairs_gold), gold_format=args.gold_format, charges_list=opt(args.charges),
                       articles_list=opt(args.articles), resamples=args.resamples, seed=args.seed)
    try:
        m = evaluate(opts)
    except (EvalInputError, ValueError, OSError) as e:
        print(f"lawfactory eval: {e}", file=sys.stderr)
        return 1
    h, j = m["headline"], m["join"]
    if j["labels_checked"] < m["n"]:
        print(f"warning: {m['n'] - j['labels_checked']} of {m['n']} predictions in {opts.predictions} carry no label: "
              "they are joined to the gold by order alone, which cannot be checked (LLaMA-Factory's predict "
              "writes the label; keep it)", file=sys.stderr)
    if j["predictions_truncated"]:
        print(f"warning: {j['predictions_truncated']} predictions over {MAX_PREDICTION_CHARS:,} characters were scored "
              "on their beginning (degenerate output?)", file=sys.stderr)
    print(f"n={m['n']}  imprisonment_score={h['imprisonment_score']['model']:.3f}  "
          f"abstention_rate={h['abstention_rate']['model']:.3f}")
    print(f"wrote {opts.out}/metrics.json, {opts.out}/report.md and {opts.out}/rows.jsonl")
    return 0


def _positive_int(text: str) -> int:
    """argparse type: a whole number ≥ 1 (argparse names the option in its error)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def _add_eval_parser(sub) -> None:
    e = sub.add_parser("eval", help="score generated predictions against the gold eval file; metrics.json, report.md, plots")
    e.add_argument("--predictions", required=True, help="generated_predictions.jsonl (LLaMA-Factory) or JSONL of {prediction}")
    e.add_argument("--gold", help="the gold eval file the predictions were made on (same order); default: the "
                                  "predictions file itself, for LawBench predictions that carry their gold as `refr`")
    e.add_argument("--out", required=True, help="output folder")
    e.add_argument("--train", help="training file: the baselines' median terms come from it")
    e.add_argument("--statutes", help="statute index (statutes_index.jsonl) for citation validity")
    e.add_argument("--pairs-predictions", help="predictions on criminal_attitude_pairs_eval")
    e.add_argument("--pairs-gold", help="criminal_attitude_pairs_eval.jsonl")
    e.add_argument("--gold-format", choices=("auto", "lawfactory", "lawbench"), default="auto",
                   help="lawbench: {instruction, question, answer} items with 刑期:N个月 answers (default: detect)")
    e.add_argument("--charges", help="official charge list (accu.txt): the accusation_score class set")
    e.add_argument("--articles", help="official article list (law.txt): the articles_score class set")
    e.add_argument("--resamples", type=_positive_int, default=1000, help="bootstrap resamples (default 1000)")
    e.add_argument("--seed", type=int, default=0, help="bootstrap seed (default 0)")
    e.set_defaults(func=cmd_eval)


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="lawfactory", description="Legal-domain data, recipes and evaluation for LLaMA-Factory.")
    sub = p.add_subparsers(dest="command", required=True)

    d = sub.add_parser("data", help="convert RAW inputs into LLaMA-Factory datasets in OUT")
    d.add_argument("--raw", default=os.environ.get("RAW", "samples"), help="input folder (default: samples/)")
    d.add_argument("--out", default=os.environ.get("DATA", "data"), help="output folder (default: data/)")
    d.add_argument("--seed", type=int, default=42)
    d.add_argument("--eval-ratio", type=_number(float, 0, 1, hi_open=True), default=0.1,
                   help="share of case groups held out for eval, in [0, 1) (default 0.1; 0: no eval split)")
    _add_hygiene_args(d)
    _add_judgment_args(d)
    _add_adversarial_args(d)
    d.set_defaults(func=cmd_data)

    t = sub.add_parser("tiny-model", help="build a tiny random Qwen3 model with Qwen's tokenizer (tests, CPU demo)")
    t.add_argument("--out", required=True)
    t.add_argument("--layers", type=int, default=2)
    t.add_argument("--hidden", type=int, default=64)
    t.add_argument("--seed", type=int, default=0)
    t.set_defaults(func=cmd_tiny_model)
    _add_eval_parser(sub)
    _add_recipe_parsers(sub)
    return p


def _add_recipe_parsers(sub) -> None:
    """`check` (lawfactory/preflight/check.py), `model-card` (lawfactory/cards/modelcard.py), `serve` (lawfactory/serve.py)."""
    from lawfactory import serve
    from lawfactory.cards import modelcard
    from lawfactory.preflight import check

    check.add_parser(sub)
    modelcard.add_parser(sub)
    serve.add_parser(sub)


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    return exit_on_error(args.func, args)


def exit_on_error(func, *args) -> int:
    """Run a command; a LawfactoryError (lawfactory/errors.py) ends it with its message on stderr and
    exit status 1 (SystemExit, which also tells an in-process caller the code)."""
    from lawfactory.errors import LawfactoryError

    try:
        return func(*args)
    except LawfactoryError as e:
        raise SystemExit(str(e)) from None


if __name__ == "__main__":
    sys.exit(main())
