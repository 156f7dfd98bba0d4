"""answers.read_answer against hand labels of real LLM answers to LawBench 3-4 / 3-5
(tests/gold/lawbench_answers.json, labelled by reading, never from a parser; the answers are
read from ../shared/data/real). Done-when bar: agreement ≥ 98%.

How a label is compared: fixed → the same months (a fixed 0 and `exempt` both mean no term:
code 0); range → the reader found the same [lo, hi] (it scores the log-midpoint, docs/answers.md);
life → −1; death → −2 (死缓 included); exempt → code 0; abstain → an abstention.
"""

import gzip
import json
from pathlib import Path

import pytest

from lawfactory.evaluation.answers import read_answer

from conftest import real_path

pytestmark = pytest.mark.real

GOLD = Path(__file__).parent / "gold" / "lawbench_answers.json"


def agrees(label: dict, a: dict) -> bool:
    kind = label["label"]
    if kind == "abstain":
        return a["sentence"] is None
    if kind == "range":
        return a["range"] == [label["lo"], label["hi"]]
    expected = {"life": -1, "death": -2, "exempt": 0}.get(kind, label.get("months"))
    return a["code"] == expected and a["range"] is None


@pytest.fixture(scope="module")
def labelled():
    labels = json.loads(GOLD.read_text(encoding="utf-8"))["answers"]
    texts = {}
    with gzip.open(real_path("lawbench", "model_answers_3-4_3-5.jsonl.gz"), "rt", encoding="utf-8") as f:
        for line in f:
            r = json.loads(line)
            key = f"{r['model']}|{r['shot']}|{r['task']}|{r['id']}"
            if key in labels:
                texts[key] = r["prediction"]
    assert set(texts) == set(labels), "every labelled key is in the shared answers"
    return [(k, labels[k], texts[k], read_answer(texts[k])) for k in sorted(labels)]


def test_agreement_with_hand_labels(labelled):
    wrong = [(k, lab, a["code"], a["range"], t[:160]) for k, lab, t, a in labelled if not agrees(lab, a)]
    rate = 1 - len(wrong) / len(labelled)
    assert len(labelled) >= 300
    assert rate >= 0.98, f"agreement {rate:.3f}; disagreements:\n" + "\n".join(map(repr, wrong))


def test_every_label_kind_is_read(labelled):
    # each kind the labellers used is met at least once by the reader (not only abstentions)
    kinds = {lab["label"] for _, lab, _, _ in labelled}
    hit = {lab["label"] for _, lab, _, a in labelled if agrees(lab, a)}
    assert kinds == hit


def test_on_stated_terms_we_abstain_no_more_than_lawbench(labelled):
    """Where the hand labels say the answer states a term, abstaining is a miss. LawBench's regex
    abstains less overall only because it reads statute bands, dates and echoes as terms."""
    from lawfactory.evaluation.lawbench import lawbench_months

    stated = [(t, a) for _, lab, t, a in labelled if lab["label"] != "abstain"]
    ours = sum(a["sentence"] is None for _, a in stated)
    theirs = sum(lawbench_months(t) is None for t, _ in stated)
    assert len(stated) > 100 and ours <= theirs


def test_abstention_comparison_on_all_shared_answers():
    from lawfactory.evaluation.abstention import compare
    from lawfactory.evaluation.inputs import load_predictions

    rows = load_predictions(real_path("lawbench", "model_answers_3-4_3-5.jsonl.gz"))
    result = compare(rows)
    assert set(result) == {"3-4", "3-5", "overall"}
    overall = result["overall"]
    assert overall["n"] == len(rows) == result["3-4"]["n"] + result["3-5"]["n"]
    assert sum(overall["reasons"].values()) == overall["ours"]  # every abstention has its reason
    assert not [r for r in overall["reasons"] if r.startswith("parser error")]  # no answer raised
