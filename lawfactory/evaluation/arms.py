"""Arms: one model's predictions on several eval files of the same cases, side by side
(`lawfactory eval --arm NAME=PREDICTIONS[:GOLD]`, repeatable).

The issue-15 comparison has three arms: no articles (`criminal_sentencing_eval`), the articles a
retriever finds (`criminal_sentencing_rag_eval`) and the articles the judgment cites
(`criminal_sentencing_grounded_eval`). Every arm is joined to its own gold file as the single run
is (by order, labels checked: lawfactory/evaluation/inputs.py) and scored with the same term
metrics, twice:

- on its own rows (the grounded file leaves out cases that cite no 分则 article, so the arms'
  row sets differ);
- on the rows every arm shares, matched by `case_id` (the n-th row of a case_id with the n-th
  of the same case_id elsewhere); there the gold terms must agree, and each arm's difference to the
  first arm comes with a paired bootstrap interval (the same resampled rows for both arms).

An arm whose gold rows carry `retrieved` and `cited_articles` (the retrieval-grounded rows) also
gets its retrieval hit rates against the cited 分则 articles.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from . import bootstrap
from .inputs import EvalInputError, join, load_gold, load_predictions

# Well-known arm names → the label reports and plots show (any other name is shown as given).
LABELS = {"none": "不附法条 (no articles)", "retrieved": "检索法条 (retrieved)", "cited": "引用法条 (cited)"}
TERM_METRICS = ("imprisonment_score", "lawbench_term_score", "mae_months", "within_20", "within_50")
DELTAS = ("imprisonment_score", "mae_months", "within_20")  # the paired differences to the first arm


@dataclass(frozen=True)
class Arm:
    name: str
    predictions: Path
    gold: Path


def split_arm(text: str) -> tuple[str, str, str | None]:
    """`NAME=PREDICTIONS[:GOLD]` → (name, predictions, gold or None). The part after `=` is read as
    one path when that file exists, else split at its last `:`. A malformed value is a ValueError."""
    name, sep, rest = text.partition("=")
    if not sep or not name.strip() or not rest:
        raise ValueError(f"expected NAME=PREDICTIONS[:GOLD], got {text!r}")
    if Path(rest).exists() or ":" not in rest:
        return name.strip(), rest, None
    preds, _, gold = rest.rpartition(":")
    if not preds:
        raise ValueError(f"no predictions file in {text!r} (expected NAME=PREDICTIONS[:GOLD])")
    return name.strip(), preds, gold or None


def parse_arm(text: str, default_gold: Path | None = None) -> Arm:
    """An `--arm` value as an Arm; GOLD defaults to default_gold (the run's --gold)."""
    try:
        name, preds, gold = split_arm(text)
    except ValueError as e:
        raise EvalInputError(f"--arm: {e}") from None
    if gold is None and default_gold is None:
        raise EvalInputError(f"--arm {text!r}: no gold file (write NAME=PREDICTIONS:GOLD, or give --gold)")
    return Arm(name, Path(preds), Path(gold) if gold else default_gold)


def check_unique(names: list[str], option: str) -> None:
    """Each NAME=… value of a repeatable option needs its own name."""
    twice = [n for n, c in Counter(names).items() if c > 1]
    if twice:
        raise EvalInputError(f"{option}: the name {twice[0]!r} is given twice (each value needs its own name)")


def check_arms(arms: list[Arm]) -> None:
    check_unique([a.name for a in arms], "--arm")
    if len(arms) == 1:
        raise EvalInputError("--arm: give at least two arms to compare (or none)")


def label(name: str) -> str:
    return LABELS.get(name, name)


def _keys(gold: list[dict]) -> list[tuple[str, int]]:
    """Row identities: (case_id, how many rows of that case_id came before)."""
    seen: Counter = Counter()
    out = []
    for g in gold:
        out.append((g["case_id"], seen[g["case_id"]]))
        seen[g["case_id"]] += 1
    return out


def _load(arm: Arm, gold_format: str) -> dict:
    from .run import _parse_all

    preds = load_predictions(arm.predictions)
    gold, _ = load_gold(arm.gold, gold_format)
    join(preds, gold, arm.predictions, arm.gold)
    parsed = _parse_all(preds, gold, f"parse answers ({arm.name})")
    return {"gold": gold, "sentences": [p["sentence"] for p in parsed], "texts": [p["text"] for p in preds],
            "abstained": np.array([p["abstained"] for p in parsed], float), "keys": _keys(gold)}


def _score(d: dict, rows: list[int], opts) -> tuple[dict, dict]:
    """Term metrics of one arm on the given rows: ({metric: {value, ci95}}, per-row values)."""
    from .run import _headline, _system_rows

    gold = [d["gold"][i] for i in rows]
    per_row = _system_rows(gold, [d["sentences"][i] for i in rows], [d["texts"][i] for i in rows])
    out = {k: v for k, v in _headline(per_row, len(rows), opts).items() if k in TERM_METRICS}
    ab = d["abstained"][rows]
    out["abstention_rate"] = {"value": float(ab.mean()) if len(rows) else None,
                              "ci95": bootstrap.ci(bootstrap.weighted_mean(ab), len(rows), opts.resamples, opts.seed)}
    return out, per_row


def _row_values(per_row: dict) -> dict:
    """Per-row values of the paired metrics (NaN: not applicable to the row)."""
    from .plain import nan_array

    return {"imprisonment_score": per_row["term"].astype(float),
            "mae_months": nan_array([e["abs_error"] for e in per_row["errors"]]),
            "within_20": nan_array([e["within_20"] for e in per_row["errors"]])}


def _delta(a: np.ndarray, b: np.ndarray, resamples: int, seed: int) -> dict:
    """mean(a) − mean(b) over the rows both apply to, with its paired percentile interval."""
    ok = ~(np.isnan(a) | np.isnan(b))
    if not ok.any():
        return {"value": None, "ci95": None, "n": 0}
    sa, sb = bootstrap.weighted_mean(np.where(ok, a, np.nan)), bootstrap.weighted_mean(np.where(ok, b, np.nan))
    return {"value": float(a[ok].mean() - b[ok].mean()),
            "ci95": bootstrap.ci(lambda w: sa(w) - sb(w), len(a), resamples, seed), "n": int(ok.sum())}


def retrieval_hits(gold: list[dict]) -> dict | None:
    """How often the retrieved articles hold the cited 分则 ones, over rows that cite any: hit@k (at
    least one), all (every one), recall (share of the cited found) and precision (share of the
    retrieved that are cited); None when the rows carry no `retrieved` column."""
    raws = [g["raw"] for g in gold]
    if not raws or not all(isinstance(r.get("retrieved"), list) and isinstance(r.get("cited_articles"), list)
                           for r in raws):
        return None
    scored = [(set(r["retrieved"]), set(r["cited_articles"]), len(r["retrieved"])) for r in raws if r["cited_articles"]]
    n = len(scored)

    def mean(xs: list) -> float | None:
        return float(np.mean(xs)) if n else None

    return {"rows": len(raws), "rows_with_cited": n, "k": max((len(r["retrieved"]) for r in raws), default=0),
            "hit": mean([bool(r & c) for r, c, _ in scored]), "all_found": mean([c <= r for r, c, _ in scored]),
            "recall": mean([len(r & c) / len(c) for r, c, _ in scored]),
            "precision": mean([len(r & c) / k if k else 0.0 for r, c, k in scored])}


def compare(opts) -> dict:
    """The metrics of the run's arms (opts: run.EvalOptions, whose gold format, resamples and seed
    they share) on their own rows and on the rows they share (see the module docstring). The arms
    were checked with the other options (run.check_options → check_arms) before any work."""
    arms = list(opts.arms)
    data = {a.name: _load(a, opts.gold_format) for a in arms}
    shared = set.intersection(*(set(d["keys"]) for d in data.values()))
    first = arms[0].name
    order = [k for k in data[first]["keys"] if k in shared]  # the first arm's order, for every arm
    out: dict = {"arms": {}, "shared_rows": len(order), "first": first}
    values: dict = {}
    ref: list[dict] = []  # the first arm's gold rows, in shared order
    for a in arms:
        d = data[a.name]
        where = {k: i for i, k in enumerate(d["keys"])}
        rows = [where[k] for k in order]
        ref = ref or [d["gold"][i] for i in rows]
        for k, i, r in zip(order, rows, ref):
            g = d["gold"][i]
            if (g["kind"], g["months"]) != (r["kind"], r["months"]):
                raise EvalInputError(f"{a.gold}:{g['line']}: case {k[0]} has gold term {g['kind']} {g['months']} "
                                     f"but {r['kind']} {r['months']} in {arms[0].gold}:{r['line']} "
                                     "(the arms must be eval files of the same cases)")
        own, _ = _score(d, list(range(len(d["gold"]))), opts)
        on_shared, per_row = _score(d, rows, opts)
        values[a.name] = _row_values(per_row)
        entry = {"label": label(a.name), "predictions": str(a.predictions), "gold": str(a.gold), "n": len(d["gold"]),
                 "own": own, "shared": on_shared}
        if a.name != first:
            entry["delta_vs_first"] = {m: _delta(values[a.name][m], values[first][m], opts.resamples, opts.seed)
                                       for m in DELTAS}
        hits = retrieval_hits(d["gold"])
        if hits is not None:
            entry["retrieval"] = hits
        out["arms"][a.name] = entry
    return out


def section(c: dict) -> list[str]:
    """The report's arms section: a table on own rows, one on shared rows, the paired differences
    and the retrieval hit rates (the plot is listed with the report's other plots)."""
    from .report import LABELS as METRIC_LABELS, _ci, _f

    metrics = [*TERM_METRICS, "abstention_rate"]
    arms = c["arms"]
    lines = ["## Arms: no articles, retrieved, cited", "",
             "The same model on eval files of the same cases that differ in what the input quotes. Each arm is "
             "scored on its own rows, then on the rows all arms share (matched by case_id). 95% CIs: percentile "
             "bootstrap over rows.", ""]
    for scope, title in (("own", "own rows"), ("shared", f"the {c['shared_rows']} shared rows")):
        lines += [f"**On {title}**", "", "| arm | rows | " + " | ".join(METRIC_LABELS[m] for m in metrics) + " |",
                  "|---|---|" + "---|" * len(metrics)]
        for a in arms.values():
            n = a["n"] if scope == "own" else c["shared_rows"]
            cells = [_f(a[scope][m]["value"]) + _ci(a[scope][m]["ci95"]) for m in metrics]
            lines.append(f"| {a['label']} | {n} | " + " | ".join(cells) + " |")
        lines.append("")
    deltas = [(a["label"], a["delta_vs_first"]) for a in arms.values() if "delta_vs_first" in a]
    if deltas:
        first = arms[c["first"]]["label"]
        lines += [f"**Difference to {first} on the shared rows** (paired: the same resampled rows for both arms)", "",
                  "| arm | " + " | ".join(f"Δ {METRIC_LABELS[m]}" for m in DELTAS) + " |",
                  "|---|" + "---|" * len(DELTAS)]
        lines += [f"| {name} | " + " | ".join(_f(d[m]["value"]) + _ci(d[m]["ci95"]) for m in DELTAS) + " |"
                  for name, d in deltas]
        lines.append("")
    for a in arms.values():
        r = a.get("retrieval")
        if r:
            lines += [f"**Retrieval hit rates, {a['label']}**: over the {r['rows_with_cited']} of {r['rows']} rows "
                      f"that cite a 分则 article in the statute index, the {r['k']} retrieved articles hold at least "
                      f"one cited article in {_f(r['hit'])} of rows and all of them in {_f(r['all_found'])}; recall "
                      f"{_f(r['recall'])}, precision {_f(r['precision'])}.", ""]
    return lines


def plot(path: Path, c: dict) -> bool:
    """Grouped bars: the term metrics (scores in [0, 1]) of each arm on the shared rows."""
    from lawfactory.cards.plots import pyplot

    metrics = {"imprisonment_score": "CAIL\n刑期得分 ↑", "lawbench_term_score": "LawBench\n刑期得分 ↑",
               "within_20": "误差\n±20% 以内 ↑", "within_50": "误差\n±50% 以内 ↑", "abstention_rate": "未给出\n刑期 ↓"}
    arms = list(c["arms"].values())
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(7.5, 4.5))
    idx = np.arange(len(metrics))
    width = 0.8 / len(arms)
    for j, a in enumerate(arms):
        vals = [a["shared"][m]["value"] if a["shared"][m]["value"] is not None else np.nan for m in metrics]
        ax.bar(idx + j * width, vals, width, label=a["label"])
    ax.set_xticks(idx + width * (len(arms) - 1) / 2, list(metrics.values()))
    ax.set_ylim(0, 1.02)
    ax.set_ylabel("得分 / 比例")
    ax.set_title(f"各组在共同的 {c['shared_rows']} 行上的刑期指标 (term metrics per arm)")
    ax.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.1), ncol=len(arms), frameon=False)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return True
