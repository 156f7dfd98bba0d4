"""On the 1,000 real CAIL2018 records (../shared/data/real, skipped when absent): the gold
answers, fed back as predictions, parse to the gold labels and score perfectly with the official
202/183 lists; the attitude pairs built from them show no direction violation."""

import json

import pytest

from lawfactory.cli import main

from conftest import real_path

pytestmark = pytest.mark.real


@pytest.fixture(scope="module")
def real_eval(tmp_path_factory):
    cail = real_path("cail2018", "valid_sample.jsonl")
    root = tmp_path_factory.mktemp("real_eval")
    (root / "raw" / "cail").mkdir(parents=True)
    (root / "raw" / "cail" / cail.name).symlink_to(cail)
    statute = real_path("statutes", "cn", "prc_criminal_law.md")
    (root / "raw" / "statutes" / "cn").mkdir(parents=True)
    (root / "raw" / "statutes" / "cn" / statute.name).symlink_to(statute)
    data, out = root / "data", root / "eval"
    assert main(["data", "--raw", str(root / "raw"), "--out", str(data), "--workers", "1"]) == 0
    preds = {}
    for name in ("criminal_sentencing_eval", "criminal_attitude_pairs_eval"):
        rows = [json.loads(x) for x in (data / f"{name}.jsonl").read_text(encoding="utf-8").splitlines()]
        preds[name] = root / f"{name}.pred.jsonl"
        preds[name].write_text("".join(json.dumps({"prompt": "", "predict": r["output"], "label": r["output"]},
                                                  ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    args = ["eval", "--predictions", str(preds["criminal_sentencing_eval"]),
            "--gold", str(data / "criminal_sentencing_eval.jsonl"), "--train", str(data / "criminal_sentencing.jsonl"),
            "--charges", str(real_path("cail2018", "accu.txt")), "--articles", str(real_path("cail2018", "law.txt")),
            "--out", str(out), "--resamples", "100"]
    index = data / "statutes_index.jsonl"
    if index.exists() and index.stat().st_size:
        args += ["--statutes", str(index)]
    if (data / "criminal_attitude_pairs_eval.jsonl").stat().st_size:
        args += ["--pairs-predictions", str(preds["criminal_attitude_pairs_eval"]),
                 "--pairs-gold", str(data / "criminal_attitude_pairs_eval.jsonl")]
    assert main(args) == 0
    return {**json.loads((out / "metrics.json").read_text()), "index_path": index, "args": args, "root": root,
            "data": data}


def test_gold_answers_score_perfectly(real_eval):
    m = real_eval
    assert m["n"] > 50 and m["parsing"]["abstentions"] == 0
    h = m["headline"]
    assert (h["imprisonment_score"]["model"] == 1.0 and h["mae_months"]["model"] == 0.0
            and h["within_20"]["model"] == 1.0)
    for key, classes in (("accusation", 202), ("articles", 183)):
        assert (m[key]["score"], m[key]["classes"], m[key]["labels_outside_list"]) == (1.0, classes, 0)
    # the baselines are worse than the gold answers, and the per-charge one no worse than the constant on MAE
    b = h["mae_months"]["baselines"]
    assert 0 < b["charge_median"]["value"] <= b["constant_median"]["value"]


def test_lawbench_reads_judgment_style_answers_short(real_eval):
    # the verdict line (有期徒刑一年六个月) comes before 刑期:18个月, and LawBench reads its 六个月
    assert real_eval["headline"]["lawbench_term_score"]["model"] < 1.0


def test_gold_pairs_show_no_violation(real_eval):
    if "attitude" not in real_eval:
        pytest.skip("make data built no attitude pairs from these records")
    a = real_eval["attitude"]
    assert (a["n_pairs"] > 0 and a["direction_violations"] == 0
            and a["median_log_ratio_gap"] == pytest.approx(0, abs=1e-6))
    assert a["refusal_probation_kept_n"] == 0


def test_two_models_on_the_real_pairs(real_eval):
    """Gold answers next to a model that swaps each pair's answers: the swapped one violates the
    direction on exactly the pairs whose gold terms differ."""
    from lawfactory.evaluation.attitude_pairs import link_pairs

    gold = real_eval["data"] / "criminal_attitude_pairs_eval.jsonl"
    if "attitude" not in real_eval:
        pytest.skip("make data built no attitude pairs from these records")
    rows = [json.loads(x) for x in gold.read_text(encoding="utf-8").splitlines()]
    pairs = link_pairs(rows)
    partner = {i: j for si, vi in pairs for i, j in ((si, vi), (vi, si))}
    assert len(partner) == 2 * len(pairs) == len(rows)  # every row in exactly one pair
    swapped = real_eval["root"] / "swapped.pred.jsonl"
    swapped.write_text("".join(json.dumps({"predict": rows[partner[i]]["output"], "label": r["output"]},
                                          ensure_ascii=False) + "\n" for i, r in enumerate(rows)), encoding="utf-8")
    args = list(real_eval["args"])
    at = args.index("--pairs-predictions")
    out = real_eval["root"] / "eval_models"
    args[at:at + 2] = ["--pairs-predictions", f"gold={args[at + 1]}", "--pairs-predictions", f"swapped={swapped}"]
    args[args.index("--out") + 1] = str(out)
    assert main(args) == 0
    models = json.loads((out / "metrics.json").read_text())["attitude_models"]["models"]
    differ = sum((rows[si]["kind"], rows[si]["gold_months"]) != (rows[vi]["kind"], rows[vi]["gold_months"])
                 for si, vi in pairs)
    assert differ > 0
    assert models["gold"]["direction_violations"] == 0 and models["gold"]["abstained_pairs"] == 0
    assert models["swapped"]["direction_violations"] == differ
    assert models["swapped"]["n_pairs"] == models["gold"]["n_pairs"] == len(pairs)
    assert "| direction-violation rate | 0.000 (0 of" in (out / "report.md").read_text(encoding="utf-8")


def test_real_statute_index(real_eval):
    from lawfactory.evaluation.answer_fields import parse_answer
    from lawfactory.evaluation.citation_validity import load_index, validity

    if not real_eval["citations"].get("index"):
        pytest.skip("make data wrote no statute index")
    c = real_eval["citations"]
    assert c["checkable"] == c["citations"] > 0 and c["exists"] == 1.0 and c["repealed"] == 0.0
    index = load_index(real_eval["index_path"])
    cited = parse_answer("依照《中华人民共和国刑法》第一百九十九条、第一百三十三条之一、"
                         "第四百六十条之规定")["citations"]
    v = validity([cited], index)  # §199 was repealed (修正案九), §133-1 exists, the code ends at §452
    assert (v["exists"], v["repealed"], v["nonexistent_examples"]) == (pytest.approx(2 / 3), pytest.approx(1 / 3),
                                                                       ["中华人民共和国刑法|460"])
