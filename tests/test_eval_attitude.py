"""Attitude-pair sensitivity pinned to hand-computed values."""

import math

import pytest

from lawfactory.evaluation.attitude_pairs import link_pairs, pair_rows, sensitivity
from lawfactory.parse.terms import parse_sentence


def _pairs():
    """(gold rows, answers): source row then variant row per pair, as issue 5's dataset writes them."""
    spec = [  # pair, variant, source answer, variant answer, implied ln ratio
        ("p1", "refusal", "刑期:12个月", "刑期:10个月", 0.2),  # shorter than its source: a violation
        ("p2", "refusal", "刑期:12个月", "刑期:18个月", 0.2),
        ("p3", "refusal", "判处有期徒刑二年，缓刑三年", "判处有期徒刑二年，缓刑三年", 0.2),  # unchanged, probation kept
        ("p4", "confession", "刑期:12个月", "刑期:9个月", -0.2),
        ("p5", "refusal", "无法判断", "刑期:20个月", 0.2),  # the source answer states no penalty
    ]
    rows, answers = [], []
    for pid, variant, src, var, implied in spec:
        rows.append({"pair_id": pid, "pair_role": "source", "variant": "", "gold_months": 12, "case_id": pid + "s"})
        rows.append({"pair_id": pid, "pair_role": "variant", "variant": variant, "gold_months": 14,
                     "implied_log_ratio": implied, "case_id": pid + "v", "variant_of": pid + "s"})
        answers += [src, var]
    return rows, [parse_sentence(a) for a in answers]


def test_sensitivity_hand_computed():
    rows, preds = _pairs()
    s = sensitivity(pair_rows(rows, preds))
    assert (s["n_pairs"], s["abstained_pairs"], s["direction_violations"]) == (5, 1, 1)
    assert s["direction_violation_rate"] == 0.25  # 1 of 4 answered pairs
    assert s["unchanged_rate"] == 0.25  # p3
    # predicted ln ratios: ln(10/12), ln(18/12), 0, ln(9/12) → median of the middle two
    assert s["median_pred_log_ratio"] == pytest.approx((math.log(10 / 12) + 0) / 2)
    # gaps to the implied ratio: −0.3823, 0.2055, −0.2, −0.0877 → median (−0.2 − 0.0877)/2
    assert s["median_log_ratio_gap"] == pytest.approx((-0.2 + math.log(9 / 12) + 0.2) / 2)
    assert s["median_implied_log_ratio"] == 0.2
    # refusal variants with a readable answer: p1 p2 p3 p5; p3 keeps 缓刑
    assert (s["refusal_probation_kept"], s["refusal_probation_kept_n"], s["refusal_answered"]) == (0.25, 1, 4)
    r = s["by_variant"]["refusal"]
    assert (r["n_pairs"], r["direction_violations"]) == (4, 1)
    assert r["direction_violation_rate"] == pytest.approx(1 / 3)
    assert s["by_variant"]["confession"]["direction_violation_rate"] == 0.0


def test_confession_predicted_longer_is_a_violation_and_life_ranks_above_months():
    rows = [{"pair_id": "a", "pair_role": "source", "gold_months": 12},
            {"pair_id": "a", "pair_role": "variant", "variant": "confession", "gold_months": 10},
            {"pair_id": "b", "pair_role": "source", "gold_months": 200},
            {"pair_id": "b", "pair_role": "variant", "variant": "refusal", "gold_months": 240}]
    preds = [parse_sentence(t) for t in ("刑期:12个月", "刑期:15个月", "判处无期徒刑", "刑期:180个月")]
    s = sensitivity(pair_rows(rows, preds))
    assert s["by_variant"]["confession"]["direction_violations"] == 1
    assert s["by_variant"]["refusal"]["direction_violations"] == 1  # life → 180 months is shorter
    # from gold months
    assert s["by_variant"]["refusal"]["median_implied_log_ratio"] == pytest.approx(math.log(240 / 200))


def test_pairs_linked_by_variant_of_without_pair_id():
    rows = [{"case_id": "s1"}, {"case_id": "s2"}, {"case_id": "v2", "variant_of": "s2", "variant": "refusal"},
            {"case_id": "v1", "variant_of": "s1", "variant": "unclear"}]
    assert link_pairs(rows) == [(1, 2), (0, 3)]


def test_incomplete_pair_is_an_error():
    with pytest.raises(ValueError, match="pair 'x' lacks"):
        link_pairs([{"pair_id": "x", "pair_role": "source"}], "pairs.jsonl")
    with pytest.raises(ValueError, match="line 1: variant_of 'nope'"):
        link_pairs([{"case_id": "v", "variant_of": "nope"}], "pairs.jsonl")
