"""report.md and retrieval.png of `lawfactory retrieval-eval` (lawfactory/retrieval/evaluate.py)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from .metrics import NAMES

SHOWN = 20  # misses and unfindable gold keys listed in the report (all are in misses.jsonl)
TOP_SHOWN = 5


def plot(metrics: dict, path: Path, title: str) -> None:
    from lawfactory.cards.plots import pyplot

    plt = pyplot()
    names = NAMES[:-1]
    fig, ax = plt.subplots(figsize=(max(6.0, 1.6 * len(names)), 3.6 + 0.25 * len(metrics)))
    width = 0.8 / max(1, len(metrics))
    for j, (spec, m) in enumerate(metrics.items()):
        xs = [i + (j - (len(metrics) - 1) / 2) * width for i in range(len(names))]
        ax.bar(xs, [m[n] for n in names], width, label=spec)
    ax.set_xticks(range(len(names)), names)
    ax.set_ylim(0, 1)
    ax.set_ylabel("得分")
    ax.set_title(title)
    ax.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.1), frameon=False)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _short(text: str, n: int = 80) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[:n] + "…"


def write_report(out: Path, *, metrics, misses, k, index, corpus_size, queries_path, queries, unscored,
                 unfindable) -> None:
    plot(metrics, out / "retrieval.png", f"法条检索 · {Path(queries_path).name}")
    lines = [f"# Statute retrieval: {Path(queries_path).name}", "",
             f"Index `{index}`: {corpus_size} articles in force. Queries `{queries_path}`: {queries}, "
             f"{queries - unscored} scored.", "",
             "| retriever | recall@1 | recall@5 | recall@10 | MRR@10 | nDCG@10 | n |", "|---|---|---|---|---|---|---|"]
    for spec, m in metrics.items():
        lines.append(f"| {spec} | " + " | ".join(f"{m[n]:.3f}" for n in NAMES[:-1]) + f" | {m['n']} |")
    lines += ["", "![retrieval metrics](retrieval.png)", "",
              "recall@k: the share of a query's gold articles in the top k, averaged; MRR@10: 1/rank of the "
              "first gold article in the top 10; nDCG@10: binary relevance (docs/retrieval.md).", ""]
    lines += ["## Gold articles that cannot be found", ""]
    if unfindable:
        reasons = Counter(u.reason for u in unfindable)
        lines.append(f"{len(unfindable)} gold keys are left out of their query's gold "
                     f"({', '.join(f'{r}: {c}' for r, c in reasons.most_common())}); "
                     f"{unscored} queries are left with none and are not scored.")
        lines += [""] + [f"- line {u.line}: `{u.key}`: {u.reason}" + (f" ({u.searched})" if u.searched else "")
                         for u in unfindable[:SHOWN]]
        if len(unfindable) > SHOWN:
            lines.append(f"- … {len(unfindable) - SHOWN} more")
    else:
        lines.append("None: every gold key is an article in force of the searched jurisdiction.")
    for spec in metrics:
        mine = [m for m in misses if m["retriever"] == spec]
        lines += ["", f"## Misses: {spec}", "",
                  f"{len(mine)} of {metrics[spec]['n']} queries have a gold article outside the top {k}"
                  + (f"; the first {SHOWN} (all in misses.jsonl):" if len(mine) > SHOWN else ":" if mine else "."), ""]
        for m in mine[:SHOWN]:
            lines.append(f"- line {m['line']}: 「{_short(m['query'])}」  \n  gold: {', '.join(m['gold'])}; "
                         f"missed: {', '.join(m['missed'])}  \n  top {TOP_SHOWN}: "
                         f"{', '.join(m['top'][:TOP_SHOWN]) or '(nothing retrieved)'}")
    (out / "report.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
