"""Abstention of our answer reader vs LawBench's own regex on the same answers, per task.

    python -m lawfactory.evaluation.abstention PREDICTIONS[.gz] [--by task]

PREDICTIONS: anything `lawfactory eval --predictions` reads (JSON lines of {prediction, …},
LawBench's {"0": {...}} files, gzip or not). Rows are grouped by a field (`task` by default;
rows without it go to "all"). LawBench abstains only when no `\\d+(个)?月` / `\\d+年` is left after
cn2an (lawbench.lawbench_months); we also abstain on what is no prediction: the statute's band
(三年以下有期徒刑), dates, the prompt's own example, a refusal. Both counts are printed with our
reasons, so the difference can be read.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter, defaultdict

from .answers import read_answer
from .inputs import EvalInputError, load_predictions
from .lawbench import lawbench_months


def compare(rows: list[dict], by: str = "task") -> dict:
    """rows: {text, ids}; → {group: {n, ours, lawbench, ours_rate, lawbench_rate, reasons}} plus "overall"."""
    groups: dict[str, Counter] = defaultdict(Counter)
    reasons: dict[str, Counter] = defaultdict(Counter)
    for r in rows:
        g = str(r.get("ids", {}).get(by, "all"))
        a = read_answer(r["text"])
        ours, theirs = a["sentence"] is None, lawbench_months(r["text"]) is None
        for key in (g, "overall"):
            c = groups[key]
            c["n"] += 1
            c["ours"] += ours
            c["lawbench"] += theirs
            if ours:
                reasons[key][a["reason"]] += 1
    return {k: {"n": c["n"], "ours": c["ours"], "lawbench": c["lawbench"],
                "ours_rate": c["ours"] / c["n"], "lawbench_rate": c["lawbench"] / c["n"],
                "reasons": dict(reasons[k].most_common())}
            for k, c in sorted(groups.items(), key=lambda kv: (kv[0] == "overall", kv[0]))}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m lawfactory.evaluation.abstention", description=__doc__.split("\n\n")[0])
    p.add_argument("predictions")
    p.add_argument("--by", default="task", help="group rows by this field (default: task)")
    p.add_argument("--json", action="store_true", help="print the result as JSON")
    args = p.parse_args(argv)
    t = time.perf_counter()
    try:
        rows = load_predictions(args.predictions)
    except EvalInputError as e:
        print(f"abstention: {e}", file=sys.stderr)
        return 1
    result = compare(rows, args.by)
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=1))
        return 0
    print(f"| {args.by} | answers | ours abstain | LawBench regex abstains |\n|---|---:|---:|---:|")
    for k, v in result.items():
        print(f"| {k} | {v['n']} | {v['ours']} ({v['ours_rate']:.1%}) | {v['lawbench']} ({v['lawbench_rate']:.1%}) |")
    print("\nour abstentions by reason (overall): "
          + ", ".join(f"{k} {v}" for k, v in result["overall"]["reasons"].items()))
    print(f"({time.perf_counter() - t:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
