"""Case record → `criminal_sentencing` sample (alpaca: system, instruction, input, output), and the
task that writes the CAIL cases' rows (full-text judgments: lawfactory/tasks/judgment_rows.py).

The output reads like the operative part of a judgment: the legal characterization (本院认为…),
the cited articles (依照…之规定), the verdict, and on its own last line the term in plain months
(刑期:18个月) for LawBench-style scorers. Cases that carry the court's own 本院认为 / 判决如下
text (full-text judgments) use that text; CAIL cases get it composed from their labels.
"""

from __future__ import annotations

from lawfactory.parse.attitude import ATTITUDE_REASONS
from lawfactory.parse.numerals import to_cn
from lawfactory.parse.terms import format_penalty, term_line
from lawfactory.records import ATTITUDE_FLAGS, article_key, is_judgment
from lawfactory.splits import TRAIN
from lawfactory.tasks.base import BaseTask

SYSTEM = {
    "cn": "你是一名中华人民共和国刑事审判法官。你依据查明的案件事实和《中华人民共和国刑法》，认定罪名，援引法条，"
          "并依法量刑。",
    "tw": "你是一名中華民國刑事庭法官。你依據認定的犯罪事實與中華民國刑法，論罪科刑並引用法條。",
}
INSTRUCTION = {
    "cn": "请根据以下案件事实，写出本院认为部分和判决主文，并在最后一行以“刑期:N个月”（无期徒刑写“刑期:无期”，"
          "死刑写“刑期:死刑”）给出主刑。",
    "tw": "請根據以下犯罪事實，寫出理由要旨與主文，並在最後一行以「刑期:N个月」（無期徒刑寫「刑期:无期」，"
          "死刑寫「刑期:死刑」）給出主刑。",
}

def _defendant(case: dict) -> str:
    return f"被告人{case['defendant']}" if case["defendant"] else "被告人"


def compose_answer(case: dict) -> str:
    """The judgment-style answer composed from labels (for sources without court text)."""
    who = _defendant(case)
    crimes = "、".join(f"{c}罪" for c in case["charges"])
    lines = [f"本院认为，{who}的行为已构成{crimes}。"]
    reasons = [ATTITUDE_REASONS[f] for f in ATTITUDE_FLAGS if case["attitude"].get(f)]
    if reasons:
        lines.append(f"{who}" + "；".join(reasons) + "。")
    cited = [a for a in case["articles"]]
    if cited:
        laws = {a["law"] for a in cited}
        nums = "、".join(f"第{to_cn(a['number'])}条"
                         + (f"之{to_cn(a['suffix'])}" if a["suffix"] else "") for a in cited)
        law = next(iter(laws)) if len(laws) == 1 else cited[0]["law"]
        lines.append(f"依照《{law}》{nums}之规定，判决如下：")
    else:
        lines.append("判决如下：")
    joint = "，数罪并罚，决定执行" if len(case["charges"]) > 1 else "，"
    penalty = format_penalty(case["sentence"])
    if joint != "，":
        penalty = penalty.removeprefix("判处")
    lines.append(f"{who}犯{crimes}{joint}{penalty}。")
    return "\n".join(lines)


def answer(case: dict) -> str:
    body = case["reasoning"] + "\n" + case["verdict"] if case["reasoning"] and case["verdict"] else compose_answer(case)
    return body.rstrip() + "\n" + term_line(case["sentence"])


def gold_columns(case: dict) -> dict:
    """Flat gold metadata for eval rows (types fixed across rows: Arrow needs one schema)."""
    s = case["sentence"]
    return {
        "case_id": case["case_id"],
        "group_id": case["group_id"],
        "jurisdiction": case["jurisdiction"],
        "gold_months": s["months"],
        "kind": s["kind"],
        "probation_months": s["probation_months"],
        "fine": s["fine"],
        "charges": list(case["charges"]),
        "articles": [article_key(a["law"], a["number"], a["suffix"]) for a in case["articles"]],
        "attitude": [f for f in ATTITUDE_FLAGS if case["attitude"].get(f)],
        "variant_of": case.get("variant_of", ""),
        "variant": case.get("variant", ""),
        "synthetic": bool(case.get("variant_of")),
    }


def sentencing_sample(case: dict, eval_row: bool = False) -> dict:
    j = case["jurisdiction"]
    row = {"system": SYSTEM[j], "instruction": INSTRUCTION[j], "input": case["facts"], "output": answer(case)}
    if eval_row:
        row.update(gold_columns(case))
    elif case.get("variant_of"):
        # provenance rides along in training rows too (LLaMA-Factory drops unknown columns)
        row.update({"case_id": case["case_id"], "variant_of": case["variant_of"], "variant": case.get("variant", ""),
                    "synthetic": True})
    return row


class SentencingTask(BaseTask):
    """`criminal_sentencing(_eval)`: the mainland cases without court text (CAIL)."""

    datasets = ("criminal_sentencing", "criminal_sentencing_eval")

    def rows(self, case: dict, split: str, ctx):
        if case["jurisdiction"] != "cn" or is_judgment(case):  # judgments: judgment_rows.JudgmentTask
            return
        train, held_out = self.datasets
        if split == TRAIN:
            yield train, sentencing_sample(case)
        else:
            yield held_out, sentencing_sample(case, eval_row=True)
