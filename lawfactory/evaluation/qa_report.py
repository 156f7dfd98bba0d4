"""report.md and statute_qa.png for a statute-QA evaluation (statute_qa.py's metrics)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from lawfactory.cards.plots import pyplot
from lawfactory.jsonl import atomic_open

from .report import _ci, _f, _section_citations
from .rouge import CHINESE

PLOT = "statute_qa.png"
DISCLAIMER = ("**Not legal advice.** These are automatic scores of a research model's answers about statutes; "
              "neither the answers nor this report are legal advice.")
# task kinds of the statute QA datasets (lawfactory/tasks/statute_qa.py), with a Chinese gloss for the
# cn / tw plots; other kinds show their own name
TASKS_ZH = {"recite": "背诵条文", "reverse": "条文→出处", "paragraph": "分款背诵", "item": "分项背诵",
            "deleted": "已删除条文", "charge": "罪名→条文"}


def _task_label(task: str, jurisdiction: str) -> str:
    zh = TASKS_ZH.get(task) if jurisdiction in CHINESE else None
    return f"{task}\n{zh}" if zh else task


def _cell(v: dict) -> str:
    return "—" if v["value"] is None else _f(v["value"]) + _ci(v["ci95"]) + f" (n={v['n']})"


def _text_cells(t: dict, bert: bool, keys: tuple = ("rouge-l",)) -> list[str]:
    keys = [*keys] + (["bertscore-f1"] if bert else [])
    return [_f(t[k]["value"], 2 if k.startswith("rouge") else 3) + _ci(t[k]["ci95"]) for k in keys]


def render(m: dict, plot: str | None) -> str:
    bert = m["bertscore"] is not None
    c = m["citations"]
    lines = ["# Statute QA evaluation", "", DISCLAIMER, "",
             f"- predictions: `{m['predictions']}`", f"- gold: `{m['gold']}` (jurisdiction {m['jurisdiction']})",
             f"- sample size: **n = {m['n']}** rows; each scored on its {m['scored_turn']}",
             f"- join: by order, {m['join']['labels_checked']} labels and {m['join']['prompts_checked']} prompts "
             "checked against the gold rows", "",
             "## Citation accuracy: echo-free rows vs echo rows", "",
             "Rows whose prompt already holds the article number (echo) are scored apart: there the number can be "
             "copied from the question. Only the echo-free accuracy measures whether the model knows the article.", "",
             "| rows | scored rows | accuracy (cites every gold article) [95% CI] | exact set [95% CI] |",
             "|---|---|---|---|"]
    for group, name in (("echo_free", "**echo-free** (number not in the prompt)"),
                        ("echo", "echo (number in the prompt)")):
        g = m[group]
        lines.append(f"| {name} | {g['rows']} | {_cell(g['accuracy'])} | {_cell(g['exact'])} |")
    lines += ["", f"{c['rows_without_gold_citation']} rows whose gold answer cites no article (recitation of the text) "
                  "have no citation to score. Echo from the rows' `number_in_prompt`: "
                  f"{c['echo_from_field']} rows; computed from the prompt's citations: {c['echo_computed']}.", "",
              "## Cited articles against the statute index", ""]
    lines += _section_citations(c)
    head = ["ROUGE-L"] + (["BERTScore F1"] if bert else [])
    lines += ["", "## Text overlap", "", "| " + " | ".join(["ROUGE-1", "ROUGE-2", *head]) + " |",
              "|" + "---|" * (2 + len(head)),
              "| " + " | ".join(_text_cells(m["text"], bert, ("rouge-1", "rouge-2", "rouge-l"))) + " |", "",
              f"ROUGE: rouge-chinese F × 100 per row on {m['words']} words "
              + ("(as LLaMA-Factory)" if m["words"] == "jieba" else "(lowercase, accents kept, punctuation apart)")
              + ", averaged."]
    if bert:
        b = m["bertscore"]
        lines.append(f"BERTScore: `{b['model']}` layer {b['layer']}, no idf, not rescaled (raw cosines: compare only "
                     f"with the same model and layer); {b['texts_at_length_limit']} texts reached the model's length "
                     "limit. Precision " + _f(m["text"]["bertscore-p"]["value"]) + ", recall "
                     + _f(m["text"]["bertscore-r"]["value"]) + ".")
    else:
        lines.append("BERTScore not computed (`--no-bertscore`).")
    lines += ["", "## By task", "",
              "| task | rows | " + " | ".join(head) + " | echo-free accuracy | echo accuracy |",
              "|---|---|" + "---|" * (len(head) + 2)]
    for task, t in m["by_task"].items():
        lines.append(f"| {task} | {t['n']} | " + " | ".join(_text_cells(t["text"], bert))
                     + f" | {_cell(t['echo_free']['accuracy'])} | {_cell(t['echo']['accuracy'])} |")
    bs = m["bootstrap"]
    lines += ["", f"95% CIs: percentile bootstrap over eval rows ({bs['resamples']} resamples, seed {bs['seed']}).", ""]
    if plot:
        lines += ["## Plot", "", f"![ROUGE-L and citation accuracy by task]({plot})", ""]
    lines += ["---", "", DISCLAIMER, ""]
    return "\n".join(lines)


def plot_tasks(path: Path, m: dict) -> bool:
    tasks = list(m["by_task"])
    if not tasks:
        return False
    zh = m["jurisdiction"] in CHINESE
    plt = pyplot()
    fig, (left, right) = plt.subplots(1, 2, figsize=(max(8, 1.6 * len(tasks) + 4), 4))
    idx = np.arange(len(tasks))
    names = [_task_label(t, m["jurisdiction"]) for t in tasks]
    nan = lambda v: np.nan if v is None else v  # noqa: E731
    left.bar(idx, [nan(m["by_task"][t]["text"]["rouge-l"]["value"]) for t in tasks], 0.6)
    left.set_xticks(idx, names)
    left.set_ylabel("ROUGE-L (× 100)")
    left.set_ylim(0, 100)
    left.set_title("答案文本重合 (text overlap)" if zh else "text overlap")
    for j, (group, label) in enumerate((("echo_free", "echo-free"), ("echo", "echo"))):
        right.bar(idx + (j - 0.5) * 0.38, [nan(m["by_task"][t][group]["accuracy"]["value"]) for t in tasks], 0.38,
                  label=label)
    right.set_xticks(idx, names)
    right.set_ylim(0, 1.05)
    right.set_ylabel("引用准确率 (citation accuracy)" if zh else "citation accuracy")
    right.set_title("条号不在提示中 vs 在提示中 (echo-free vs echo)" if zh else "echo-free vs echo rows")
    right.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return True


def write_report(out: Path, metrics: dict, plots: bool = True) -> Path:
    made = PLOT if plots and plot_tasks(out / PLOT, metrics) else None
    path = out / "report.md"
    with atomic_open(path) as f:
        f.write(render(metrics, made))
    return path
