"""LawBench term score, plain numbers, baselines, bootstrap, citation validity and ROUGE,
pinned to hand-computed values on small hand-written cases."""

import math

import numpy as np
import pytest

from lawfactory.evaluation import bootstrap, citation_validity, lawbench, plain
from lawfactory.evaluation.answer_fields import parse_answer
from lawfactory.evaluation.rouge import pair_scores, rouge
from lawfactory.records import sentence

LN216 = math.log(216)


# --- LawBench ------------------------------------------------------------------------------

@pytest.mark.parametrize("answer,months", [
    ("刑期:18个月", 18),
    ("判处有期徒刑一年六个月", 6),  # LawBench's quirk: the first N个月 (cn2an → 1年6个月)
    ("判处有期徒刑一年六个月\n刑期:18个月", 6),  # …also in front of a correct answer line
    ("有期徒刑二年", 24),  # no N个月 / N月: first N年 × 12
    ("拘役5月", 5),  # \d+月 when there is no \d+个月
    ("无法判断", None),
])
def test_lawbench_months_reproduces_the_scorer(answer, months):
    assert lawbench.lawbench_months(answer) == months


def test_lawbench_quirk_only_in_the_lawbench_scorer():
    assert lawbench.lawbench_months("刑期:1年6个月") == 6
    assert parse_answer("刑期:1年6个月")["sentence"]["months"] == 18


def test_lawbench_score_hand_computed():
    gold = [{"kind": "fixed", "months": 18}, {"kind": "fixed", "months": 18}, {"kind": "fixed", "months": 24},
            {"kind": "fixed", "months": 6}, {"kind": "life", "months": 0}]
    preds = ["刑期:18个月", "判处有期徒刑一年六个月", "有期徒刑二年", "无法判断", "刑期:无期"]
    r = lawbench.lawbench_score(gold, preds)
    d = [0.0, math.log(19 / 7), 0.0, LN216]  # the life item is skipped
    assert r["score"] == pytest.approx((LN216 - sum(d) / 4) / LN216)
    assert r["score"] == pytest.approx(0.70356, abs=1e-5)
    assert r["abstention_rate"] == pytest.approx(1 / 5)  # LawBench divides by every item
    assert (r["n_scored"], r["skipped_death_life"], r["n"]) == (4, 1, 5)


def test_constant_18_months_scores_by_formula():
    gold = [{"kind": "fixed", "months": m} for m in (6, 18, 36)]
    r = lawbench.lawbench_score(gold, ["刑期:18个月"] * 3)
    d = (math.log(19 / 7) + 0 + math.log(37 / 19)) / 3
    assert r["score"] == pytest.approx((LN216 - d) / LN216)


# --- plain numbers and baselines -------------------------------------------------------------

def test_plain_errors_and_summary():
    gold = [("fixed", 10), ("fixed", 20), ("none", 0), ("life", 0), ("fixed", 5)]
    preds = [sentence("fixed", 12), sentence("fixed", 30), sentence("none"), sentence("life"), None]
    errors = [plain.row_errors(k, m, p) for (k, m), p in zip(gold, preds)]
    assert errors[0] == {"abs_error": 2, "within_20": True, "within_50": True}  # 2 ≤ 0.2·10: inclusive
    assert errors[1] == {"abs_error": 10, "within_20": False, "within_50": True}
    assert errors[2] == {"abs_error": 0, "within_20": True, "within_50": True}  # gold 0: only 0 is within
    assert errors[3] == {"abs_error": None, "within_20": None, "within_50": None}  # life gold: out of scope
    assert errors[4] == {"abs_error": None, "within_20": False, "within_50": False}  # abstention: a miss
    s = plain.summarize(errors)
    assert s == {"mae_months": 4.0, "n_mae": 3, "within_20": 0.5, "within_50": 0.75, "n_month_gold": 4}


def test_life_answer_to_a_term_case_is_a_miss():
    assert plain.row_errors("fixed", 24, sentence("life")) == {"abs_error": None, "within_20": False,
                                                               "within_50": False}


def test_baseline_medians():
    train = [(["盗窃"], 6), (["盗窃"], 10), (["盗窃"], 8), (["诈骗"], 36), (["诈骗", "盗窃"], 40)]
    med = plain.charge_medians(train)
    assert med == {"盗窃": 9, "诈骗": 38}  # 盗窃: 6 8 10 40 → 9; 诈骗: 36 40 → 38
    assert plain.charge_baseline(["盗窃", "诈骗"], med, 12) == 38  # the heaviest count's median
    assert plain.charge_baseline(["抢劫"], med, 12) == 12  # unseen charge: the constant median
    assert plain.median_term([m for _, m in train]) == 10
    assert plain.median_term([2, 3]) == 3  # halves round up


def test_per_charge_rows_count_under_each_charge():
    errors = [{"abs_error": 2, "within_20": True, "within_50": True},
              {"abs_error": 6, "within_20": False, "within_50": False}]
    base = [{"abs_error": 4, "within_20": False, "within_50": True}] * 2
    pc = plain.per_charge([["盗窃"], ["盗窃", "诈骗"]], errors, {"constant_median": base})
    assert pc["盗窃"]["n"] == 2 and pc["盗窃"]["mae_months"] == 4.0 and pc["盗窃"]["constant_median_mae_months"] == 4.0
    assert pc["诈骗"]["n"] == 1 and pc["诈骗"]["mae_months"] == 6.0
    assert list(pc) == ["盗窃", "诈骗"]  # most rows first


# --- bootstrap ---------------------------------------------------------------------------------

def test_bootstrap_is_seeded_and_brackets_the_mean():
    values = np.array([0.0, 1.0, 1.0, 0.0, 1.0, 1.0, 1.0, 0.0])
    a = bootstrap.ci(bootstrap.weighted_mean(values), len(values), 1000, seed=0)
    b = bootstrap.ci(bootstrap.weighted_mean(values), len(values), 1000, seed=0)
    assert a == b
    assert 0.0 <= a[0] < values.mean() < a[1] <= 1.0
    assert bootstrap.ci(bootstrap.weighted_mean(np.ones(5)), 5) == [1.0, 1.0]
    assert bootstrap.ci(bootstrap.weighted_mean(np.array([])), 0) is None


def test_weighted_mean_skips_not_applicable_rows():
    stat = bootstrap.weighted_mean(np.array([2.0, np.nan, 4.0]))
    assert stat(np.array([1.0, 5.0, 1.0])) == 3.0
    assert stat(np.array([3.0, 0.0, 1.0])) == 2.5


# --- citations ---------------------------------------------------------------------------------

def _index(tmp_path):
    p = tmp_path / "statutes_index.jsonl"
    p.write_text('{"key": "中华人民共和国刑法|264", "deleted": false}\n'
                 '{"key": "中华人民共和国刑法|199", "deleted": true}\n'
                 '{"key": "中华人民共和国刑法|133-1", "deleted": false}\n', encoding="utf-8")
    return p


def test_citation_validity_and_precision_recall(tmp_path):
    index = citation_validity.load_index(_index(tmp_path))
    answers = ["依照《中华人民共和国刑法》第二百六十四条、第一百九十九条之规定",
               "依照《中华人民共和国刑法》第九百条、《中华人民共和国刑事诉讼法》第十五条之规定"]
    parsed = [parse_answer(a) for a in answers]
    v = citation_validity.validity([p["citations"] for p in parsed], index)
    # 4 citations; the 刑诉法 one cannot be checked (law not in the index); 264 exists, 199 is
    # repealed, 900 does not exist
    assert (v["citations"], v["checkable"], v["not_checkable"]) == (4, 3, 1)
    assert v["exists"] == pytest.approx(2 / 3) and v["repealed"] == pytest.approx(1 / 3)
    assert v["nonexistent_examples"] == ["中华人民共和国刑法|900"]
    pr = citation_validity.precision_recall([["中华人民共和国刑法|264"], ["中华人民共和国刑法|133-1"]],
                                    [p["articles"] for p in parsed])
    assert (pr["true_positives"], pr["cited"], pr["gold"]) == (1, 3, 2)
    assert pr["precision"] == pytest.approx(1 / 3) and pr["recall"] == 0.5


def test_citation_validity_without_index():
    assert citation_validity.validity([["中华人民共和国刑法|264"]], None) == {"citations": 1, "index": None}


def test_bad_index_line_names_file_and_line(tmp_path):
    p = tmp_path / "idx.jsonl"
    p.write_text('{"key": "中华人民共和国刑法|264"}\n{"law": "x"}\n', encoding="utf-8")
    with pytest.raises(ValueError, match=r"idx.jsonl:2: .*'key'"):
        citation_validity.load_index(p)


# --- ROUGE --------------------------------------------------------------------------------------

def test_rouge_identical_and_empty():
    assert pair_scores("被告人犯盗窃罪", "被告人犯盗窃罪") == {"rouge-1": 100.0, "rouge-2": 100.0, "rouge-l": 100.0,
                                                                 "bleu-4": 100.0}
    empty = pair_scores("", "被告人犯盗窃罪")
    assert (empty["rouge-1"], empty["rouge-2"], empty["rouge-l"]) == (0.0, 0.0, 0.0)


def test_rouge_matches_llamafactory():
    """The same numbers as LLaMA-Factory 0.9.5's own ComputeSimilarity on the same strings."""
    from llamafactory.train.sft.metric import ComputeSimilarity
    from transformers import EvalPrediction

    texts = [("本院认为被告人构成盗窃罪", "本院认为被告人张某构成盗窃罪"),
             ("判处有期徒刑一年六个月。\n刑期:18个月", "判处有期徒刑二年。\n刑期:24个月"),
             ("", "刑期:6个月")]
    strings = [t for pair in texts for t in pair]

    class Tok:  # decodes "token ids" that are indexes into strings
        pad_token_id = 0

        def batch_decode(self, ids, skip_special_tokens=True):
            return [strings[int(i[0])] for i in ids]

    n = len(texts)
    ref = ComputeSimilarity(Tok())(EvalPrediction(predictions=np.arange(0, 2 * n, 2).reshape(n, 1),
                                                  label_ids=np.arange(1, 2 * n, 2).reshape(n, 1)))
    ours, _ = rouge([p for p, _ in texts], [g for _, g in texts])
    assert ours == pytest.approx(ref)
