"""The `lawfactory` command. Each subcommand is a small function; heavy imports stay inside them."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def cmd_data(args) -> int:
    from lawfactory.build.pipeline import build, summary
    from lawfactory.config import BuildConfig

    config = BuildConfig.from_args(args)
    try:
        manifest = build(config)
    except KeyboardInterrupt:
        print(f"lawfactory data: interrupted; {config.out}/ still holds its previous build. Finished conversion "
              "shards are kept: rerun to resume.", file=sys.stderr)
        return 130
    print(summary(manifest))
    print(f"wrote {config.out}/ (manifest.json, cases.jsonl, rejects.jsonl, dataset files)")
    return 0


def cmd_tiny_model(args) -> int:
    from lawfactory.dev.tiny_model import build

    out = build(args.out, layers=args.layers, hidden=args.hidden, seed=args.seed)
    print(f"tiny random Qwen3 model written to {out}")
    return 0


def cmd_eval(args) -> int:
    from lawfactory.evaluation import attitude_models
    from lawfactory.evaluation.arms import parse_arm
    from lawfactory.evaluation.inputs import MAX_PREDICTION_CHARS, EvalInputError
    from lawfactory.evaluation.run import EvalOptions, evaluate

    opt = lambda v: Path(v) if v else None  # noqa: E731
    mode = _eval_mode(args)
    if mode is None:
        return 2
    if mode == "statute_qa":
        return cmd_eval_qa(args)
    if bool(args.pairs_predictions) != bool(args.pairs_gold):
        print("lawfactory eval: --pairs-predictions and --pairs-gold go together", file=sys.stderr)
        return 2
    opts = EvalOptions(predictions=Path(args.predictions), gold=Path(args.gold or args.predictions), out=Path(args.out),
                       train=opt(args.train), statutes=opt(args.statutes),
                       pairs_gold=opt(args.pairs_gold), gold_format=args.gold_format, charges_list=opt(args.charges),
                       articles_list=opt(args.articles), resamples=args.resamples, seed=args.seed)
    try:
        opts.arms = tuple(parse_arm(a, opt(args.gold)) for a in args.arm or ())
        opts.pairs_predictions = tuple(map(attitude_models.parse, args.pairs_predictions or ()))
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
    for name, a in m.get("arms", {}).get("arms", {}).items():
        print(f"arm {name}: n={a['n']}  imprisonment_score={a['own']['imprisonment_score']['value']:.3f}; on the "
              f"{m['arms']['shared_rows']} shared rows {a['shared']['imprisonment_score']['value'] or 0:.3f}")
    for name, a in m.get("attitude_models", {}).get("models", {}).items():
        rate = a["direction_violation_rate"]
        print(f"attitude {name}: pairs={a['n_pairs']}  direction_violation_rate="
              + (f"{rate:.3f}" if rate is not None else "—"))
    print(f"wrote {opts.out}/metrics.json, {opts.out}/report.md and {opts.out}/rows.jsonl")
    return 0


# options of the sentencing evaluation that mean nothing for statute QA, and the reverse
SENTENCING_ONLY = ("train", "pairs_predictions", "pairs_gold", "charges", "articles", "arm")
QA_ONLY = ("jurisdiction", "bertscore_model", "bertscore_layer")


def _eval_mode(args) -> str | None:
    """"statute_qa" when --gold is a statute-QA file (sharegpt conversations: --gold-format statute_qa or
    detected), else "sentencing"; None (after saying why) for options that do not fit the mode."""
    from lawfactory.evaluation.inputs import EvalInputError
    from lawfactory.evaluation.qa_inputs import is_statute_qa

    try:
        qa = args.gold_format == "statute_qa" or (args.gold_format == "auto" and is_statute_qa(
            Path(args.gold or args.predictions)))
    except EvalInputError:
        qa = False  # the sentencing reader reports the bad file
    wrong = [o for o in (SENTENCING_ONLY if qa else QA_ONLY) if getattr(args, o)] + (
        ["no_bertscore"] if args.no_bertscore and not qa else [])
    if wrong:
        print(f"lawfactory eval: --{wrong[0].replace('_', '-')} does not apply to "
              + ("statute-QA predictions" if qa else "sentencing predictions (the gold file holds no conversations)"),
              file=sys.stderr)
        return None
    return "statute_qa" if qa else "sentencing"


def cmd_eval_qa(args) -> int:
    from lawfactory.evaluation.bertscore import DEFAULT_MODEL
    from lawfactory.evaluation.inputs import EvalInputError
    from lawfactory.evaluation.statute_qa import QAOptions, evaluate_qa

    opts = QAOptions(predictions=Path(args.predictions), gold=Path(args.gold or args.predictions), out=Path(args.out),
                     statutes=Path(args.statutes) if args.statutes else None, jurisdiction=args.jurisdiction,
                     bertscore_model=None if args.no_bertscore else (args.bertscore_model or DEFAULT_MODEL),
                     bertscore_layer=args.bertscore_layer, resamples=args.resamples, seed=args.seed)
    try:
        m = evaluate_qa(opts)
    except (EvalInputError, ValueError, OSError) as e:
        print(f"lawfactory eval: {e}", file=sys.stderr)
        return 1
    show = lambda v: "—" if v is None else f"{v:.3f}"  # noqa: E731
    bert = m["text"].get("bertscore-f1")
    print(f"n={m['n']}  ROUGE-L={show(m['text']['rouge-l']['value'])}"
          + (f"  BERTScore-F1={show(bert['value'])}" if bert else "")
          + f"  citation accuracy echo-free={show(m['echo_free']['accuracy']['value'])} "
            f"({m['echo_free']['rows']} rows), echo={show(m['echo']['accuracy']['value'])} ({m['echo']['rows']} rows)")
    print(f"wrote {opts.out}/metrics.json, {opts.out}/report.md and {opts.out}/rows.jsonl")
    return 0


def _arm_spec(text: str) -> str:
    """argparse type: NAME=PREDICTIONS[:GOLD] (the files are read by lawfactory/evaluation/arms.py)."""
    from lawfactory.evaluation.arms import split_arm

    try:
        split_arm(text)
    except ValueError as e:
        raise argparse.ArgumentTypeError(str(e)) from None
    return text


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
    e = sub.add_parser("eval",
                       help="score generated predictions against the gold eval file; metrics.json, report.md, plots")
    e.add_argument("--predictions", required=True,
                   help="generated_predictions.jsonl (LLaMA-Factory) or JSONL of {prediction}")
    e.add_argument("--gold", help="the gold eval file the predictions were made on (same order); default: the "
                                  "predictions file itself, for LawBench predictions that carry their gold as `refr`")
    e.add_argument("--out", required=True, help="output folder")
    e.add_argument("--train", help="training file: the baselines' median terms come from it")
    e.add_argument("--statutes", help="statute index (statutes_index.jsonl) for citation validity")
    e.add_argument("--pairs-predictions", action="append", metavar="[NAME=]PREDICTIONS",
                   help="predictions on criminal_attitude_pairs_eval; repeat with a name each to compare models "
                        "on the same pairs, e.g. sft=P1 dpo=P2")
    e.add_argument("--pairs-gold", help="criminal_attitude_pairs_eval.jsonl")
    e.add_argument("--gold-format", choices=("auto", "lawfactory", "lawbench", "statute_qa"), default="auto",
                   help="lawbench: {instruction, question, answer} items with 刑期:N个月 answers; statute_qa: sharegpt "
                        "statute QA rows (cn_statutes_qa, fr_statutes_qa_eval, …; docs/evaluation.md#statute-qa) "
                        "(default: detect)")
    e.add_argument("--charges", help="official charge list (accu.txt): the accusation_score class set")
    e.add_argument("--articles", help="official article list (law.txt): the articles_score class set")
    e.add_argument("--resamples", type=_positive_int, default=1000, help="bootstrap resamples (default 1000)")
    e.add_argument("--seed", type=int, default=0, help="bootstrap seed (default 0)")
    e.add_argument("--arm", action="append", type=_arm_spec, metavar="NAME=PREDICTIONS[:GOLD]",
                   help="one arm of a comparison of the same model on eval files of the same cases (repeatable, at "
                        "least two; GOLD defaults to --gold), e.g. none=P1:criminal_sentencing_eval.jsonl "
                        "retrieved=P2:criminal_sentencing_rag_eval.jsonl "
                        "cited=P3:criminal_sentencing_grounded_eval.jsonl")
    q = e.add_argument_group("statute QA (a --gold of sharegpt conversations)")
    q.add_argument("--bertscore-model", metavar="NAME_OR_PATH",
                   help="model for BERTScore (default bert-base-multilingual-cased, downloaded on first use)")
    q.add_argument("--bertscore-layer", type=int, help="hidden layer for BERTScore (default: 9 for the default "
                                                       "model, else the last)")
    q.add_argument("--no-bertscore", action="store_true", help="skip BERTScore")
    q.add_argument("--jurisdiction", choices=("cn", "tw", "fr"),
                   help="language of the answers (default: from the file name or the article keys)")
    e.set_defaults(func=cmd_eval)


def cmd_retrieval_eval(args) -> int:
    from lawfactory.retrieval.evaluate import evaluate

    out = Path(args.out)
    metrics = evaluate(Path(args.index), Path(args.queries), args.retriever, out, k=args.k,
                       query_prompt=args.query_prompt)
    for spec, m in metrics.items():
        print(f"{spec}: n={m['n']}  recall@1={m['recall@1']:.3f}  recall@5={m['recall@5']:.3f}  "
              f"recall@10={m['recall@10']:.3f}  mrr@10={m['mrr@10']:.3f}  ndcg@10={m['ndcg@10']:.3f}")
    print(f"wrote {out}/metrics.json, {out}/report.md, {out}/misses.jsonl and {out}/retrieval.png")
    return 0


def _add_retrieval_eval_parser(sub) -> None:
    r = sub.add_parser("retrieval-eval", help="measure statute retrievers on a query file: metrics.json, report.md "
                                              "(docs/retrieval.md)")
    r.add_argument("--index", required=True, help="statute index (DATA/statutes_index.jsonl)")
    r.add_argument("--queries", required=True, help='JSON lines {"query": "…", "articles": ["<index key>", …]}')
    r.add_argument("--retriever", action="append", required=True,
                   help="bm25 | dense:DIR | hybrid:DIR | rrf:DIR (DIR: sentence-transformers model folder or "
                        "Hub id); repeatable")
    r.add_argument("--out", required=True, help="output folder")
    r.add_argument("--k", type=_positive_int, default=10,
                   help="a query whose gold article is outside the top k is a miss in the report (default 10)")
    r.add_argument("--query-prompt", help="text put before every query by dense models (default: the model's own "
                                          "'query' prompt, if any)")
    r.set_defaults(func=cmd_retrieval_eval)


def _parser() -> argparse.ArgumentParser:
    from lawfactory.config import add_options

    p = argparse.ArgumentParser(prog="lawfactory",
                                description="Legal-domain data, recipes and evaluation for LLaMA-Factory.")
    sub = p.add_subparsers(dest="command", required=True)

    d = sub.add_parser("data", help="convert RAW inputs into LLaMA-Factory datasets in OUT")
    add_options(d)  # every option from lawfactory/config.py's BuildConfig
    d.set_defaults(func=cmd_data)

    t = sub.add_parser("tiny-model", help="build a tiny random Qwen3 model with Qwen's tokenizer (tests, CPU demo)")
    t.add_argument("--out", required=True)
    t.add_argument("--layers", type=int, default=2)
    t.add_argument("--hidden", type=int, default=64)
    t.add_argument("--seed", type=int, default=0)
    t.set_defaults(func=cmd_tiny_model)
    _add_eval_parser(sub)
    _add_retrieval_eval_parser(sub)
    _add_recipe_parsers(sub)
    _add_retrieval_parsers(sub)
    return p


def _add_recipe_parsers(sub) -> None:
    """`check` (lawfactory/preflight/check.py), `model-card` (lawfactory/cards/modelcard.py),
    `serve` (lawfactory/serve.py), `serve-retriever` (lawfactory/retrieval/service.py)."""
    from lawfactory import serve
    from lawfactory.cards import modelcard
    from lawfactory.preflight import check
    from lawfactory.retrieval import service
    from lawfactory.training import predict, run as training

    check.add_parser(sub)
    modelcard.add_parser(sub)
    serve.add_parser(sub)
    service.add_parser(sub)
    training.add_parser(sub)
    predict.add_parser(sub)


def _add_retrieval_parsers(sub) -> None:
    """`train-embedder` (lawfactory/retrieval/train.py; its heavy imports stay inside the command)."""
    from lawfactory.retrieval import train

    train.add_parser(sub)


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
