"""The model card's "Metrics during training": what the run logged besides the loss.

- Sentencing metrics: `lawfactory train` generates greedy answers for a fixed sample of eval rows at
  every evaluation and adds a line to the output_dir's trainer_log.jsonl (the file LLaMA-Factory's
  LogCallback writes) with `current_steps` (the step), `epoch` and the keys in SENTENCING (plus the
  sample sizes `eval_sentencing_rows`, `eval_attitude_pairs`). A plain `llamafactory-cli train`
  logs none of them; the card then says so in one line.
- Preference (DPO) runs: the trainer logs `rewards/accuracies` (share of pairs whose chosen answer
  gets the higher implicit reward) and `rewards/margins` (mean chosen − rejected reward) to
  trainer_state.json's log_history (with `step`; `eval_…` at evaluations); LogCallback copies only
  the accuracy into trainer_log.jsonl, as `accuracy`, which is the fallback when trainer_state.json
  is missing.

Both go to one PNG (a panel each: sentencing scores, reward accuracy, reward margin; step on x) and
small tables.
"""

from __future__ import annotations

import json
from pathlib import Path

from lawfactory import jsonl
from lawfactory.cards.plots import pyplot

# trainer_log.jsonl key → label (plot legend, table column)
SENTENCING = {"eval_imprisonment_score": "CAIL 刑期得分 imprisonment score ↑",
              "eval_lawbench_term_score": "LawBench 刑期得分 term score ↑",
              "eval_abstention_rate": "未给出刑期 abstention rate ↓",
              "eval_attitude_violation_rate": "态度方向违反率 attitude violation rate ↓"}
PREFERENCE = {"rewards/accuracies": "奖励准确率 reward accuracy ↑", "rewards/margins": "奖励差 reward margin ↑"}
TABLE_ROWS = 12  # more evaluations than this: the first and last TABLE_ROWS // 2


def read_log(train_dir: Path) -> list[dict]:
    """trainer_log.jsonl's records, in file order ([] when there is none)."""
    path = train_dir / "trainer_log.jsonl"
    if not path.is_file():
        return []
    return [obj for _, obj, reason in jsonl.iter_jsonl(path) if not reason and isinstance(obj, dict)]


def sentencing_rows(log: list[dict]) -> list[dict]:
    """The log lines that carry a sentencing metric and a step."""
    return [r for r in log if "current_steps" in r and any(k in r for k in SENTENCING)]


def preference_series(train_dir: Path, log: list[dict]) -> dict[str, dict[str, list[tuple]]]:
    """{metric: {"train" | "eval": [(step, value)]}} of the DPO reward metrics ({} for other runs)."""
    try:
        history = json.loads((train_dir / "trainer_state.json").read_text(encoding="utf-8")).get("log_history") or []
    except (OSError, ValueError, AttributeError):
        history = []
    out: dict = {}
    for key in PREFERENCE:
        for split, name in (("train", key), ("eval", f"eval_{key}")):
            pts = [(h["step"], h[name]) for h in history
                   if isinstance(h, dict) and "step" in h and isinstance(h.get(name), (int, float))]
            if pts:
                out.setdefault(key, {})[split] = pts
    if not out:  # no trainer_state.json: LogCallback's copy of the accuracy
        pts = [(r["current_steps"], r["accuracy"]) for r in log
               if "current_steps" in r and isinstance(r.get("accuracy"), (int, float))]
        if pts:
            out["rewards/accuracies"] = {"train": pts}
    return out


def plot(rows: list[dict], preference: dict, out: Path) -> bool:
    """One panel per kind of metric, step on x; False (and no file) when there is nothing to plot."""
    panels = ([("sentencing", "判刑指标 (sentencing sample)")] if rows else []) + [
        (key, PREFERENCE[key]) for key in PREFERENCE if key in preference]
    if not panels:
        out.unlink(missing_ok=True)  # no stale picture from an earlier run
        return False
    plt = pyplot()
    fig, axes = plt.subplots(len(panels), 1, figsize=(6.5, 3.2 * len(panels)), dpi=120, sharex=True, squeeze=False)
    for ax, (key, title) in zip(axes[:, 0], panels):
        if key == "sentencing":
            for k, label in SENTENCING.items():
                pts = [(r["current_steps"], r[k]) for r in rows if isinstance(r.get(k), (int, float))]
                if pts:
                    ax.plot(*zip(*pts), "o-", lw=1.2, ms=3, label=label)
            ax.set_ylim(-0.02, 1.02)
            ax.set_ylabel("得分 / 比例 (score / rate)")
        else:
            for split, pts in preference[key].items():
                ax.plot(*zip(*pts), "o-" if split == "eval" else "-", lw=1.2, ms=3,
                        label={"train": "训练 (train)", "eval": "验证 (eval)"}[split])
            if key == "rewards/accuracies":
                ax.set_ylim(-0.02, 1.02)
            ax.set_ylabel({"rewards/accuracies": "比例 (share)", "rewards/margins": "奖励差 (margin)"}[key])
        ax.set_title(title, fontsize=10)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    axes[-1, 0].set_xlabel("训练步数 (step)")
    fig.tight_layout()
    with jsonl.atomic_open(out, "wb") as f:
        fig.savefig(f, format="png")
    plt.close(fig)
    return True


def _fmt(v) -> str:
    return f"{v:.3f}" if isinstance(v, float) else "—" if v is None else str(v)


def sentencing_table(rows: list[dict]) -> list[str]:
    keys = [k for k in SENTENCING if any(k in r for r in rows)]
    sizes = [k for k in ("eval_sentencing_rows", "eval_attitude_pairs") if any(k in r for r in rows)]
    head = ["step", "epoch", *[SENTENCING[k] for k in keys],
            *[{"eval_sentencing_rows": "rows", "eval_attitude_pairs": "pairs"}[k] for k in sizes]]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    half = TABLE_ROWS // 2
    shown = rows if len(rows) <= TABLE_ROWS else rows[:half] + [None] + rows[-half:]
    for r in shown:
        if r is None:
            lines.append("| … |" + " |" * (len(head) - 1))
            continue
        cells = [r["current_steps"], r.get("epoch"), *[r.get(k) for k in keys], *[r.get(k) for k in sizes]]
        lines.append("| " + " | ".join(_fmt(c) for c in cells) + " |")
    return lines


def preference_table(preference: dict) -> list[str]:
    lines = ["| metric | first (step) | last (step) |", "|---|---|---|"]
    for key, series in preference.items():
        for split, pts in series.items():
            (s0, v0), (s1, v1) = pts[0], pts[-1]
            lines.append(f"| {split} {key} | {_fmt(float(v0))} ({s0}) | {_fmt(float(v1))} ({s1}) |")
    return lines


def section(train_dir: Path, log: list[dict], png: Path) -> list[str]:
    """The card's lines (and png written when there is anything to plot)."""
    rows = sentencing_rows(log)
    preference = preference_series(train_dir, log)
    made = plot(rows, preference, png)
    lines = [f"![metrics during training]({png.name})", ""] if made else []
    if rows:
        pairs = " and attitude pairs (pairs)" if any("eval_attitude_pairs" in r for r in rows) else ""
        lines += [f"At each of the {len(rows)} evaluations `lawfactory train` generated greedy answers for a fixed "
                  f"sample of eval rows (rows){pairs} and scored them as `lawfactory eval` does "
                  f"(`{train_dir}/trainer_log.jsonl`):", "", *sentencing_table(rows)]
    else:
        lines.append(f"No sentencing metrics in `{train_dir}/trainer_log.jsonl` (they are logged by "
                     "`lawfactory train`, not by a plain `llamafactory-cli train`).")
    if preference:
        lines += ["", "Preference training (DPO): reward accuracy is the share of pairs whose chosen answer gets the "
                      "higher implicit reward, the margin the mean chosen − rejected reward (log_history of "
                      f"`{train_dir}/trainer_state.json`, else trainer_log.jsonl's `accuracy`):", "",
                  *preference_table(preference)]
    return lines
