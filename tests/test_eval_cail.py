"""CAIL2018 judger scores pinned to hand-computed values (thunlp/CAIL2018 judger/judger.py)."""

import math

import numpy as np
import pytest

from lawfactory.evaluation.cail_judger import (
    f1,
    f1_score,
    label_counts,
    read_list,
    set_score,
    term_score,
)


@pytest.mark.parametrize("truth,pred,score", [
    (12, 12, 1.0),
    (12, 15, 0.8),  # |ln 13 − ln 16| = 0.2076
    (0, 0, 1.0),
    (0, 1, 0.4),  # ln 2 = 0.693
    (10, 26, 0.2),  # ln 27 − ln 11 = 0.898
    (10, 30, 0.0),  # ln 31 − ln 11 = 1.036
    (-2, -2, 1.0), (-2, -1, 0.0), (-2, 240, 0.0),  # true death: only a death prediction scores
    (-1, -1, 1.0), (-1, -2, 0.0), (-1, 300, 0.0),  # true life: only a life prediction scores
    (12, -1, 0.0), (12, -2, 0.0),  # a life/death answer to a term case scores 0
    (12, None, 0.0), (-1, None, 0.0),  # an abstention scores 0
])
def test_term_score(truth, pred, score):
    assert term_score(truth, pred) == score


def test_term_score_band_edges_are_inclusive():
    # v = ln(t+1) − ln(p+1) exactly at a band edge: p + 1 = (t + 1)·e^−0.4 has no integer solution,
    # so check the comparison itself through the rounding-free case v = ln 2 − ln 2 = 0
    assert term_score(1, 1) == 1.0
    assert math.isclose(abs(math.log(13) - math.log(16)), 0.2076393647, rel_tol=1e-9)


def test_f1_rules():
    assert f1(0, 0, 0) == 1.0  # TP = FP = FN = 0 counts as F1 = 1
    assert f1(0, 1, 0) == 0.0 and f1(0, 0, 1) == 0.0
    assert f1(1, 0, 1) == pytest.approx(2 / 3)


def test_set_score_union_of_labels():
    gold = [["A"], ["A", "B"], ["C"]]
    pred = [["A"], ["B"], []]
    s = set_score(gold, pred)
    # A: TP1 FN1 → 2/3; B: TP1 → 1; C: FN1 → 0. macro 5/9; micro TP2 FN2 → 2/3; score 11/18
    assert s["macro_f1"] == pytest.approx(5 / 9)
    assert s["micro_f1"] == pytest.approx(2 / 3)
    assert s["score"] == pytest.approx(11 / 18)
    assert (s["classes"], s["class_set"]) == (3, "union of gold and predicted labels")


def test_set_score_official_list_counts_unused_classes_as_one():
    gold = [["A"], ["A", "B"], ["C"]]
    pred = [["A"], ["B", "E"], []]  # E is not on the list: the judger cannot express it
    s = set_score(gold, pred, ["A", "B", "C", "D"])
    # D: TP = FP = FN = 0 → F1 1; macro (2/3 + 1 + 0 + 1)/4 = 2/3; micro 2/3
    assert s["score"] == pytest.approx(2 / 3)
    assert (s["classes"], s["labels_outside_list"]) == (4, 1)


def test_set_score_nothing_anywhere_is_one():
    assert set_score([[], []], [[], []])["score"] == 1.0


def test_f1_score_weights_are_row_draw_counts():
    tp, fp, fn, _ = label_counts([["A"], ["B"]], [["A"], ["A"]])
    # rows drawn (2, 0): only the correct row → 1.0; rows (0, 2): A FP2, B FN2 → 0
    assert f1_score(tp, fp, fn, np.array([2.0, 0.0])) == 1.0
    assert f1_score(tp, fp, fn, np.array([0.0, 2.0])) == 0.0


def test_read_official_lists(tmp_path):
    accu = tmp_path / "accu.txt"
    accu.write_text("[生产、销售]假药\n盗窃\n", encoding="utf-8")
    assert read_list(accu, "charges") == ["生产、销售假药", "盗窃"]
    law = tmp_path / "law.txt"
    law.write_text("264\n133\n", encoding="utf-8")
    assert read_list(law, "articles") == ["中华人民共和国刑法|264", "中华人民共和国刑法|133"]
    law.write_text("264\n第133条\n", encoding="utf-8")
    with pytest.raises(ValueError, match="law.txt:2"):
        read_list(law, "articles")
