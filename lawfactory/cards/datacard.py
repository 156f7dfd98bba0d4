"""DATA/README.md: the data card of one `make data` run.

Counts are collected while the task stage streams the cases (Card.case / Card.row), so writing
the card reads no dataset file again. The card names its sources with their hashes, the rows per
dataset and split, the charge and term distributions (with a PNG plot), the attitude-flag shares
of the training rows before and after the synthetic adversarial rows are mixed in, and what was
filtered, rejected, regrouped or removed, and why.
"""

from __future__ import annotations

import io as _io
import math
from collections import Counter
from pathlib import Path

from lawfactory import jsonl
from lawfactory.cards.plots import pyplot
from lawfactory.records import ATTITUDE_FLAGS
from lawfactory.tasks import registry

PLOT = "term_distribution.png"
# Term histogram bins in months (right-open); life and death are shown apart.
BINS = [(0, 1), (1, 7), (7, 13), (13, 37), (37, 121), (121, 241), (241, math.inf)]
BIN_LABELS = ["none", "1–6", "7–12", "13–36", "37–120", "121–240", ">240"]
# Datasets that repeat another dataset's cases (with more context): their attitude flags are not counted twice.
REPEATS = registry.repeats()


class Card:
    def __init__(self) -> None:
        self.cases = Counter()  # split → cases
        self.charges = Counter()
        self.kinds = Counter()
        self.terms = Counter()  # bin label → cases
        self.rows = Counter()  # (dataset, split) → rows
        self.before, self.after = Counter(), Counter()  # flag → training rows carrying it
        self.n_before = self.n_after = self.synthetic = 0
        self.removed = Counter()  # exclude file → training cases removed

    def case(self, case: dict, split: str) -> None:
        self.cases[split] += 1
        self.charges.update(case.get("charges", ()))
        s = case.get("sentence") or {}
        kind = s.get("kind", "")
        self.kinds[kind] += 1
        if kind in ("fixed", "none"):
            m = s.get("months", 0)
            self.terms[next(lbl for (lo, hi), lbl in zip(BINS, BIN_LABELS) if lo <= m < hi)] += 1
        elif kind:
            self.terms[kind] += 1

    def merge(self, other: Card) -> None:
        """Add the counts of a later shard of the cases (lawfactory/build/task_stage.py); keys keep
        their first-seen order, which breaks the ties of the charge table as one pass would."""
        for k, v in vars(other).items():
            if isinstance(v, Counter):
                getattr(self, k).update(v)
            else:
                setattr(self, k, getattr(self, k) + v)

    def row(self, name: str, row: dict, case: dict, split: str) -> None:
        self.rows[(name, split)] += 1
        if name.endswith("_eval") or split != "train" or not isinstance(row.get("input"), str) or name in REPEATS:
            return
        if row.get("synthetic") or row.get("variant_of"):
            from lawfactory.parse.attitude import detect_flags

            flags = set(row["attitude"]) if isinstance(row.get("attitude"), list) else set(detect_flags(row["input"]))
            self.synthetic += 1
        else:
            flags = {f for f, on in (case.get("attitude") or {}).items() if on}
            self.n_before += 1
            self.before.update(flags)
        self.n_after += 1
        self.after.update(flags)


def _plot(card: Card, path: Path) -> None:
    plt = pyplot()

    labels = BIN_LABELS + ["life", "death"]
    values = [card.terms.get(lbl, 0) for lbl in labels]
    shown = ["无自由刑", *BIN_LABELS[1:], "无期", "死刑"]
    fig, ax = plt.subplots(figsize=(7, 3.2), dpi=100)
    ax.bar(range(len(labels)), values, color="#4c72b0")
    ax.set_xticks(range(len(labels)), shown)
    ax.set_xlabel("主刑：有期徒刑/拘役/管制（月），无期徒刑，死刑")
    ax.set_ylabel("案件数")
    ax.set_title("刑期分布 (term distribution)")
    fig.tight_layout()
    buf = _io.BytesIO()
    fig.savefig(buf, format="png", metadata={"Software": None})
    plt.close(fig)
    with jsonl.atomic_open(path, "wb") as f:
        f.write(buf.getvalue())


def _pct(n: int, total: int) -> str:
    return f"{100 * n / total:.1f}%" if total else "–"


def _preference_pairs(pref: dict) -> list[str]:
    """The preference pairs' block (lawfactory/tasks/attitude_pref.py): written per type, skipped per reason."""
    if not pref:
        return []
    written, skipped = pref.get("pairs_written", {}), pref.get("pairs_skipped", {})
    pref_set, kto_set = pref.get("datasets", ["", ""])
    out = ["", "## Preference pairs (synthetic)", "",
           f"`{pref_set}` holds {sum(written.values())} **synthetic** pairs (`synthetic: true`) from the "
           f"{pref.get('train_variants', 0)} training variants: the variant's prompt; chosen, its rule-derived answer; "
           "rejected, the same answer with the source's sentence (refusal / unclear: the longer term is chosen; "
           f"confession: the shorter). `{kto_set}` holds the same pairs for KTO, two rows each. A variant whose "
           "answers state the same term is not paired.", "", "| variant | pairs |", "|---|---:|"]
    out += [f"| {t} | {n} |" for t, n in written.items()]
    out += [""] if skipped else []
    out += [f"- {n} not paired: {reason}." for reason, n in sorted(skipped.items(), key=lambda kv: (-kv[1], kv[0]))]
    return out


def render(manifest: dict, card: Card) -> str:
    out = ["# Data card", "",
           "Built by `lawfactory data` (`make data`). **Not legal advice**: these datasets and any model "
           "trained on them produce text that must not be relied on as legal advice or as a prediction of a "
           "court's decision. Rows marked `synthetic: true` (adversarial variants) are **synthetic**: their "
           "facts and labels were generated by rule from a real case, not taken from a judgment.", ""]
    fp = manifest.get("fingerprint", {})
    out += ["## Sources", "", "| input | format | sha256 | read | converted | rejected | skipped | filtered | cases |",
            "|---|---|---|---:|---:|---:|---:|---:|---:|"]
    for rel, c in manifest.get("inputs", {}).items():
        out.append(f"| `{rel}` | {c.get('format', '')} | `{c.get('sha256', '')[:16]}…` | {c.get('read', 0)} | "
                   f"{c.get('converted', 0)} | {c.get('rejected', 0)} | {c.get('skipped', 0)} | {c.get('filtered', 0)} "
                   f"| {c.get('cases', 0)} |")
    out += ["", f"Code version `{fp.get('code', '')[:16]}…`, options `{jsonl.dumps(manifest.get('options', {}))}`, "
            f"build fingerprint `{fp.get('sha256', '')[:16]}…`.", ""]

    out += ["## Datasets", "", "| dataset | split | rows |", "|---|---|---:|"]
    for (name, split), n in sorted(card.rows.items()):
        out.append(f"| `{name}` | {split} | {n} |")
    sp = manifest.get("splits", {})
    out += ["", f"Cases: {card.cases.get('train', 0)} train, {card.cases.get('eval', 0)} eval "
            f"({sp.get('train_groups', 0)} / {sp.get('eval_groups', 0)} case groups; the split is by group, so "
            "near-duplicates and variants of one case never straddle it).", ""]
    rag = manifest.get("rag") or {}
    if rag.get("cases_searched"):
        out += [f"`{rag['dataset']}` quotes the {rag['k']} articles the `{rag['retriever']}` retriever finds from each "
                f"case's facts among the {rag['corpus_articles']} {rag['corpus']} (columns `retrieved`, and "
                "`cited_articles`: those the judgment cites).", ""]

    total = sum(card.cases.values())
    out += ["## Charges", "", "| charge | cases | share |", "|---|---:|---:|"]
    top = card.charges.most_common(25)
    for name, n in top:
        out.append(f"| {name} | {n} | {_pct(n, total)} |")
    if len(card.charges) > len(top):
        out.append(f"| ({len(card.charges) - len(top)} more charges) | "
                   f"{sum(card.charges.values()) - sum(n for _, n in top)} | |")
    out += ["", "## Terms", "", f"![term distribution]({PLOT})", "",
            "| term (months) | cases | share |", "|---|---:|---:|"]
    for lbl in BIN_LABELS + ["life", "death"]:
        out.append(f"| {lbl} | {card.terms.get(lbl, 0)} | {_pct(card.terms.get(lbl, 0), total)} |")

    out += ["", "## Attitude flags in training rows", "",
            f"Before the adversarial mix: {card.n_before} rows from real cases; after: {card.n_after} rows "
            f"({card.synthetic} synthetic).", "", "| flag | before | after |", "|---|---:|---:|"]
    for f in ATTITUDE_FLAGS:
        out.append(f"| {f} | {_pct(card.before[f], card.n_before)} | {_pct(card.after[f], card.n_after)} |")

    out += _preference_pairs(manifest.get("attitude_pref") or {})

    out += ["", "## What was left out, and why", ""]
    rejected = sum(c.get("rejected", 0) for c in manifest.get("inputs", {}).values())
    out.append(f"- {rejected} input records rejected (unreadable or invalid; each in `rejects.jsonl` "
               "with file, line, reason).")
    for reason, n in sorted(manifest.get("filtered", {}).items(), key=lambda kv: (-kv[1], kv[0])):
        out.append(f"- {n} cases filtered: {reason} (`filtered.jsonl`).")
    nd = manifest.get("near_duplicates", {})
    if nd.get("mode", "off") != "off":
        out.append(f"- Near-duplicates (MinHash, character {nd.get('shingle_chars')}-grams, {nd.get('num_perm')} "
                   f"permutations, Jaccard ≥ {nd.get('threshold')}): {nd.get('pairs_merged', 0)} pairs merged "
                   f"({nd.get('exact_pairs_merged', 0)} exact), {nd.get('cases_regrouped', 0)} cases moved into "
                   f"{nd.get('merged_groups', 0)} shared groups; {nd.get('cross_split_leaks', 0)} eval cases with a "
                   "train neighbour.")
    for f in manifest.get("decontamination", {}).get("files", []):
        out.append(f"- Benchmark `{f['file']}` (sha256 `{f['sha256'][:16]}…`, {f['items']} items, {f['unreadable']} "
                   f"unreadable): {f['removed_train']} training cases removed ({f.get('removed_by_containment', 0)} "
                   f"found only by n-gram containment); {f['matched_eval']} eval cases match it.")
    out.append("")
    return "\n".join(out)


def write(out_dir: Path, manifest: dict, card: Card) -> list[str]:
    """Write README.md and the term plot into DATA; returns the file names."""
    _plot(card, out_dir / PLOT)
    with jsonl.atomic_open(out_dir / "README.md") as f:
        f.write(render(manifest, card))
    return ["README.md", PLOT]
