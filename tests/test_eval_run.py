"""`lawfactory eval` end to end on hand-written gold, predictions and training rows: every
number in metrics.json pinned by hand, the join check, abstentions, the report and its plots."""

import json
import math

import pytest

from lawfactory.cli import main

from conftest import write_jsonl

LN216 = math.log(216)
LAW = "中华人民共和国刑法"


def _answer(who, charge, art_cn, penalty, line):
    return (f"本院认为，被告人{who}的行为已构成{charge}罪。\n依照《{LAW}》第{art_cn}条之规定，判决如下：\n"
            f"被告人{who}犯{charge}罪，{penalty}。\n{line}")


GOLD = [
    {"case_id": "c1", "kind": "fixed", "gold_months": 12, "charges": ["盗窃"], "articles": [f"{LAW}|264"],
     "output": _answer("甲", "盗窃", "二百六十四", "判处有期徒刑一年", "刑期:12个月")},
    {"case_id": "c2", "kind": "fixed", "gold_months": 36, "charges": ["诈骗"], "articles": [f"{LAW}|266"],
     "output": _answer("乙", "诈骗", "二百六十六", "判处有期徒刑三年", "刑期:36个月")},
    {"case_id": "c3", "kind": "life", "gold_months": 0, "charges": ["故意杀人"], "articles": [f"{LAW}|232"],
     "output": _answer("丙", "故意杀人", "二百三十二", "判处无期徒刑", "刑期:无期")},
    {"case_id": "c4", "kind": "none", "gold_months": 0, "charges": ["盗窃"], "articles": [f"{LAW}|264"],
     "output": _answer("丁", "盗窃", "二百六十四", "单处罚金人民币二千元", "刑期:0个月")},
]
PREDICT = [
    GOLD[0]["output"],  # exact
    _answer("乙", "诈骗", "二百六十六", "判处有期徒刑二年", "刑期:24个月"),  # 24 for 36
    "本院认为，被告人丙的行为已构成故意杀人罪。\n被告人丙犯故意杀人罪，判处死刑。\n刑期:死刑",  # death for life
    "本院认为，被告人丁的行为已构成盗窃罪。",  # no penalty: an abstention
]
TRAIN = ["被告人犯盗窃罪，判处拘役六个月。\n刑期:6个月", "被告人犯盗窃罪，判处有期徒刑十个月。\n刑期:10个月",
         "被告人犯诈骗罪，判处有期徒刑二年六个月。\n刑期:30个月",
         "被告人犯诈骗罪，判处有期徒刑三年四个月。\n刑期:40个月",
         "被告人犯故意杀人罪，判处无期徒刑。\n刑期:无期"]


@pytest.fixture
def files(tmp_path):
    gold = write_jsonl(tmp_path / "criminal_sentencing_eval.jsonl",
                       [{"instruction": "i", "input": "f", "jurisdiction": "cn", "probation_months": 0, **g}
                        for g in GOLD])
    preds = write_jsonl(tmp_path / "generated_predictions.jsonl",
                        [{"prompt": "p", "predict": p, "label": g["output"]} for p, g in zip(PREDICT, GOLD)])
    train = write_jsonl(tmp_path / "criminal_sentencing.jsonl",
                        [{"instruction": "i", "input": "f", "output": o} for o in TRAIN])
    return {"gold": gold, "preds": preds, "train": train, "out": tmp_path / "eval", "tmp": tmp_path}


def _run(f, *extra):
    return main(["eval", "--predictions", str(f["preds"]), "--gold", str(f["gold"]), "--train", str(f["train"]),
                 "--out", str(f["out"]), "--resamples", "200", *extra])


def test_metrics_hand_computed(files):
    assert _run(files) == 0
    m = json.loads((files["out"] / "metrics.json").read_text())
    h = m["headline"]
    assert m["n"] == 4 and all(h[k]["n"] == 4 for k in h)
    # CAIL term: 1 (exact) + 0.8 (|ln 37 − ln 25| = 0.392) + 0 (death for life) + 0 (abstention)
    assert h["imprisonment_score"]["model"] == pytest.approx(0.45)
    assert h["abstention_rate"]["model"] == 0.25 and m["parsing"]["abstentions"] == 1
    # plain: month gold rows c1 c2 c4; errors 0, 12, abstention
    assert h["mae_months"]["model"] == 6.0 and m["plain"]["n_mae"] == 2
    assert h["within_20"]["model"] == pytest.approx(1 / 3) and h["within_50"]["model"] == pytest.approx(2 / 3)
    # LawBench: c3 skipped; distances 0, ln(37/25), ln 216
    assert h["lawbench_term_score"]["model"] == pytest.approx((LN216 - (math.log(37 / 25) + LN216) / 3) / LN216)
    assert m["lawbench"]["abstention_rate"] == 0.25 and m["lawbench"]["skipped_death_life"] == 1
    # baselines: train months 6 10 30 40 (the life row is not a month term) → constant 20;
    # per charge 盗窃 8, 诈骗 35, 故意杀人 unseen → 20
    b = m["baselines"]["constant_median"]
    assert (b["months"], b["from"], b["train_rows"], b["train_rows_without_month_term"]) == (20, "train", 4, 1)
    const, charge = (h["imprisonment_score"]["baselines"][k]["value"] for k in ("constant_median", "charge_median"))
    assert const == pytest.approx((0.6 + 0.6 + 0 + 0) / 4)  # ln(21/13) = 0.48, ln(37/21) = 0.57, life, ln 21
    assert charge == pytest.approx((0.8 + 1.0 + 0 + 0) / 4)  # ln(13/9) = 0.37, ln(37/36) = 0.03
    assert h["mae_months"]["baselines"]["constant_median"]["value"] == pytest.approx(44 / 3)  # 8 16 20
    assert h["mae_months"]["baselines"]["charge_median"]["value"] == pytest.approx(13 / 3)  # 4 1 8
    assert h["within_20"]["baselines"]["charge_median"]["value"] == pytest.approx(1 / 3)
    assert h["abstention_rate"]["baselines"]["constant_median"]["value"] == 0.0
    # charges all right; articles: c3 and c4 cite none → (2/3 + 5/9) / 2
    assert m["accusation"]["score"] == 1.0
    assert m["articles"]["score"] == pytest.approx(11 / 18)
    assert (m["citations"]["precision"], m["citations"]["recall"]) == (1.0, 0.5)
    for k in ("imprisonment_score", "mae_months", "within_20"):
        lo, hi = h[k]["ci95"]
        assert lo <= h[k]["model"] <= hi
    assert m["rouge"]["rouge-1"]["value"] > 0
    assert [w["case_id"] for w in m["worst_cases"]] == ["c3", "c4", "c2"]  # wrong kind and abstention first
    assert m["plain"]["per_charge"]["盗窃"]["n"] == 2


def test_report_contents_and_plots(files):
    assert _run(files) == 0
    report = (files["out"] / "report.md").read_text(encoding="utf-8")
    assert "not legal advice" in report.lower()
    assert "n = 4" in report
    assert "constant median (20 months, median of the train file)" in report and "per-charge median" in report
    assert "| CAIL imprisonment score (↑) | 0.450 [" in report
    assert "`c3`" in report and "判处死刑" in report  # a worst case, quoted
    assert "union of gold and predicted labels" in report
    assert "(200 resamples, seed 0)" in report
    assert "synthetic gold rows: 0 of 4" in report and "not court decisions" in report
    import matplotlib.image as mpimg

    for name in ("pred_vs_gold.png", "error_by_charge.png"):
        path = files["out"] / name
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        h, w = mpimg.imread(path).shape[:2]
        assert h > 200 and w > 200
        assert f"]({name})" in report


def test_without_train_the_constant_median_comes_from_gold(files):
    assert main(["eval", "--predictions", str(files["preds"]), "--gold", str(files["gold"]), "--out", str(files["out"]),
                 "--resamples", "50"]) == 0
    m = json.loads((files["out"] / "metrics.json").read_text())
    # 0 12 36
    assert m["baselines"]["constant_median"]["months"] == 12 and m["baselines"]["constant_median"]["from"] == "gold"
    assert "charge_median" not in m["headline"]["mae_months"]["baselines"]


def test_join_label_mismatch_is_an_error(files, capsys):
    rows = [json.loads(x) for x in files["preds"].read_text(encoding="utf-8").splitlines()]
    rows[1]["label"] = GOLD[2]["output"]
    write_jsonl(files["preds"], rows)
    assert _run(files) == 1
    err = capsys.readouterr().err
    assert f"{files['preds']}:2: label does not match {files['gold']}:2" in err
    assert not (files["out"] / "metrics.json").exists()


def test_join_count_mismatch_is_an_error(files, capsys):
    lines = files["preds"].read_text(encoding="utf-8").splitlines()
    files["preds"].write_text("\n".join(lines[:3]) + "\n", encoding="utf-8")
    assert _run(files) == 1
    err = capsys.readouterr().err
    assert f"{files['gold']}:4: no prediction for this gold row" in err and "has 3 predictions but" in err
    files["preds"].write_text("\n".join(lines + lines[:1]) + "\n", encoding="utf-8")
    assert _run(files) == 1
    assert f"{files['preds']}:5: a prediction beyond the last gold row" in capsys.readouterr().err


def test_join_ignores_whitespace_differences(files):
    rows = [json.loads(x) for x in files["preds"].read_text(encoding="utf-8").splitlines()]
    rows[0]["label"] = "  " + rows[0]["label"].replace("\n", " \n ") + "\n"
    write_jsonl(files["preds"], rows)
    assert _run(files) == 0


def test_statute_index_and_official_lists(files):
    idx = write_jsonl(files["tmp"] / "statutes_index.jsonl",
                      [{"key": f"{LAW}|264", "deleted": False}, {"key": f"{LAW}|266", "deleted": True}])
    accu = files["tmp"] / "accu.txt"
    accu.write_text("盗窃\n诈骗\n故意杀人\n抢劫\n", encoding="utf-8")
    assert _run(files, "--statutes", str(idx), "--charges", str(accu)) == 0
    m = json.loads((files["out"] / "metrics.json").read_text())
    c = m["citations"]
    # cited: 264 (c1), 266 (c2); both exist, 266 repealed
    assert (c["checkable"], c["exists"], c["repealed"]) == (2, 1.0, 0.5)
    assert m["accusation"]["classes"] == 4 and m["accusation"]["score"] == 1.0  # 抢劫: TP=FP=FN=0 → 1
    assert "repealed (deleted) one" in (files["out"] / "report.md").read_text(encoding="utf-8")


def test_lawbench_gold_format(tmp_path):
    gold = tmp_path / "3-4.json"
    items = [{"instruction": "请预测刑期", "question": f"事实{i}", "answer": a}
             for i, a in enumerate(["刑期:4个月", "刑期:无期", "刑期:12个月"])]
    gold.write_text(json.dumps(items, ensure_ascii=False), encoding="utf-8")
    preds = write_jsonl(tmp_path / "p.jsonl", [{"prediction": p} for p in ("刑期:4个月", "无期徒刑", "有期徒刑一年")])
    out = tmp_path / "out"
    assert main(["eval", "--predictions", str(preds), "--gold", str(gold), "--out", str(out), "--resamples", "50"]) == 0
    m = json.loads((out / "metrics.json").read_text())
    assert m["gold_format"] == "lawbench" and m["n"] == 3
    assert m["headline"]["lawbench_term_score"]["model"] == 1.0  # 4 → 4, 一年 → 1年 → 12; the life item skipped
    assert m["headline"]["imprisonment_score"]["model"] == 1.0
    assert "accusation" not in m and m["baselines"]["constant_median"]["from"] == "gold"
    # generated_predictions.jsonl against LawBench gold: the label is checked against `answer`
    gp = write_jsonl(tmp_path / "gp.jsonl",
                     [{"prompt": "", "predict": "刑期:4个月", "label": it["answer"]} for it in items])
    assert main(["eval", "--predictions", str(gp), "--gold", str(gold), "--gold-format", "lawbench", "--out", str(out),
                 "--resamples", "50"]) == 0
    gp.write_text(gp.read_text(encoding="utf-8").replace("刑期:无期", "刑期:死刑"), encoding="utf-8")
    assert main(["eval", "--predictions", str(gp), "--gold", str(gold), "--out", str(out), "--resamples", "50"]) == 1


PAIRS = (("a", "refusal", 12, 15), ("b", "confession", 20, 16), ("c", "refusal", 10, 12))  # pair, variant, gold months


def _pairs_gold(files, n=len(PAIRS)):
    rows = []
    for pid, variant, src_m, var_m in PAIRS[:n]:
        for role, months in (("source", src_m), ("variant", var_m)):
            rows.append({"instruction": "i", "input": f"{pid}{role}", "output": f"判处有期徒刑。\n刑期:{months}个月",
                         "case_id": pid + role, "pair_id": pid, "pair_role": role,
                         "variant": variant if role == "variant" else "",
                         "kind": "fixed", "gold_months": months, "probation_months": 0, "charges": ["盗窃"],
                         "articles": [],
                         "implied_log_ratio": round(math.log(var_m / src_m), 6) if role == "variant" else 0.0})
    return write_jsonl(files["tmp"] / "criminal_attitude_pairs_eval.jsonl", rows), rows


def _pairs_predictions(files, name, answers, rows):
    """answers: (source months, variant months or an answer text) per pair."""
    texts = [a if isinstance(a, str) else f"刑期:{a}个月" for pair in answers for a in pair]
    return write_jsonl(files["tmp"] / f"pairs_{name}.jsonl",
                       [{"prompt": "", "predict": t, "label": r["output"]} for t, r in zip(texts, rows)])


def test_attitude_pairs_in_the_report(files):
    pg, rows = _pairs_gold(files, 2)
    pp = _pairs_predictions(files, "model", [(12, 10), (20, 16)], rows)
    assert _run(files, "--pairs-predictions", str(pp), "--pairs-gold", str(pg)) == 0
    m = json.loads((files["out"] / "metrics.json").read_text())
    a = m["attitude"]
    assert (a["n_pairs"], a["direction_violations"], a["direction_violation_rate"]) == (2, 1, 0.5)
    assert (a["by_variant"]["confession"]["median_log_ratio_gap"]
            == pytest.approx(math.log(16 / 20) - round(math.log(16 / 20), 6)))
    assert a["predictions"] == str(pp) and "attitude_models" not in m
    report = (files["out"] / "report.md").read_text(encoding="utf-8")
    assert "synthetic" in report and "(attitude_pairs.png)" in report and f"Predictions: `{pp}`." in report
    assert (files["out"] / "attitude_pairs.png").read_bytes()[:4] == b"\x89PNG"
    # one named file: reported as one model, with its name
    assert _run(files, "--pairs-predictions", f"dpo={pp}", "--pairs-gold", str(pg)) == 0
    m = json.loads((files["out"] / "metrics.json").read_text())
    assert m["attitude"]["model"] == "dpo" and m["attitude"]["direction_violations"] == 1
    assert f"Predictions of dpo: `{pp}`." in (files["out"] / "report.md").read_text(encoding="utf-8")


def test_attitude_of_two_models_side_by_side(files, capsys):
    pg, rows = _pairs_gold(files)
    # sft: a 12→10 (refusal shorter: violation), b 20→16, c 10→10 (unchanged)
    sft = _pairs_predictions(files, "sft", [(12, 10), (20, 16), (10, 10)], rows)
    # dpo: a 12→15, b 20→24 (confession longer: violation), c source states no penalty (abstained pair);
    # a keeps 缓刑 on refusal
    dpo = _pairs_predictions(files, "dpo", [(12, "判处有期徒刑一年三个月，缓刑二年。"), (20, 24), ("无法判断", 12)],
                             rows)
    assert _run(files, "--pairs-predictions", f"sft={sft}", "--pairs-predictions", f"dpo={dpo}",
                "--pairs-gold", str(pg)) == 0
    assert "attitude dpo: pairs=3  direction_violation_rate=0.500" in capsys.readouterr().out
    m = json.loads((files["out"] / "metrics.json").read_text())
    assert "attitude" not in m
    am = m["attitude_models"]
    assert list(am["models"]) == ["sft", "dpo"] and am["pairs_gold"] == str(pg)
    s, d = am["models"]["sft"], am["models"]["dpo"]
    assert (s["predictions"], d["predictions"]) == (str(sft), str(dpo))
    assert (s["direction_violations"], s["abstained_pairs"]) == (1, 0)
    assert s["direction_violation_rate"] == pytest.approx(1 / 3)
    assert (d["direction_violations"], d["direction_violation_rate"], d["abstained_pairs"]) == (1, 0.5, 1)
    assert s["unchanged_rate"] == pytest.approx(1 / 3) and d["unchanged_rate"] == 0.0
    assert s["by_variant"]["refusal"]["direction_violation_rate"] == 0.5
    assert d["by_variant"]["refusal"]["direction_violation_rate"] == 0.0
    assert d["by_variant"]["confession"]["direction_violation_rate"] == 1.0
    assert (d["refusal_probation_kept"], d["refusal_probation_kept_n"], d["refusal_answered"]) == (0.5, 1, 2)
    assert s["median_pred_log_ratio"] == pytest.approx(math.log(10 / 12))  # of ln(10/12), ln(16/20), 0
    assert "| … refusal variants | 0.500 (1 of 2) | 0.000 (0 of 1) |" in (files["out"] / "report.md").read_text()
    report = (files["out"] / "report.md").read_text(encoding="utf-8")
    section = report.split("## Attitude sensitivity by model")[1].split("\n## ")[0]
    assert "| | sft | dpo |" in section
    assert "| direction-violation rate | 0.333 (1 of 3) | 0.500 (1 of 2) |" in section
    assert "| … confession variants | 0.000 (0 of 1) | 1.000 (1 of 1) |" in section
    assert "| pairs (no penalty stated) | 3 (0) | 3 (1) |" in section
    assert "| refusal variants still given 缓刑 | 0.000 (0 of 2) | 0.500 (1 of 2) |" in section
    assert "(attitude_models.png)" in report and "(attitude_pairs.png)" not in report
    assert (files["out"] / "attitude_models.png").read_bytes()[:4] == b"\x89PNG"


def test_attitude_model_options_checked(files, capsys):
    pg, rows = _pairs_gold(files)
    sft = _pairs_predictions(files, "sft", [(12, 10), (20, 16), (10, 10)], rows)
    short = _pairs_predictions(files, "short", [(12, 10), (20, 16)], rows)
    cases = [
        (("--pairs-predictions", f"sft={sft}", "--pairs-predictions", f"sft={short}"),
         ["--pairs-predictions", "'sft' is given twice"]),
        (("--pairs-predictions", str(sft), "--pairs-predictions", f"dpo={short}"),
         [f"--pairs-predictions {sft}: several prediction files need a name each"]),
        (("--pairs-predictions", f"sft={sft}", "--pairs-predictions", f"dpo={short}"),
         [f"--pairs-predictions dpo={short}: ", f"{pg}:5: no prediction for this gold row",
          "has 4 predictions but", "has 6 gold rows"]),
        (("--pairs-predictions", f"sft={sft}:{pg}"), ["every model is scored on the one --pairs-gold file"]),
        (("--pairs-predictions", f"sft={sft}", "--pairs-predictions", f"dpo={sft}.missing"),
         [f"--pairs-predictions dpo={sft}.missing: {sft}.missing: no such file"]),
    ]
    for args, messages in cases:
        assert _run(files, *args, "--pairs-gold", str(pg)) == 1, args
        err = capsys.readouterr().err
        assert all(msg in err for msg in messages), (args, err)
        assert not (files["out"] / "metrics.json").exists()


def test_lawbench_prediction_file_keyed_by_item(tmp_path):
    """LawBench's own prediction files: {"0": {"origin_prompt", "prediction", "refr"}, …}; refr is checked."""
    gold = write_jsonl(tmp_path / "3-4.jsonl", [{"instruction": "i", "question": "q", "answer": a}
                                                for a in ("刑期:6个月", "刑期:10个月")])
    preds = tmp_path / "3-4.json"
    preds.write_text(json.dumps({"1": {"prediction": "刑期:10个月", "refr": "刑期:10个月"},
                                 "0": {"prediction": "判处有期徒刑六个月", "refr": "刑期:6个月"}}, ensure_ascii=False),
                     encoding="utf-8")
    out = tmp_path / "out"
    assert main(["eval", "--predictions", str(preds), "--gold", str(gold), "--out", str(out), "--resamples", "20"]) == 0
    m = json.loads((out / "metrics.json").read_text())
    assert m["headline"]["imprisonment_score"]["model"] == 1.0 and m["join"]["labels_checked"] == 2


def test_cail_whole_number_gold_matches_a_suffixed_citation(tmp_path):
    """Review item 10: CAIL2018 lists 133 for 危险驾驶 (§133-1); against such whole-number gold a
    predicted 第一百三十三条之一 is 133. A gold row that carries a suffix is compared exactly."""
    cite = {"133": "第一百三十三条", "133-1": "第一百三十三条之一"}
    rows = [("cail", "133", "133-1"), ("judgment", "133-1", "133")]  # (case, gold article, predicted article)
    gold = write_jsonl(tmp_path / "gold.jsonl", [
        {"instruction": "i", "input": "f", "case_id": cid, "kind": "fixed", "gold_months": 2, "probation_months": 0,
         "charges": ["危险驾驶"], "articles": [f"{LAW}|{g}"], "output": f"刑期:2个月\n({cid})"} for cid, g, _ in rows])
    preds = write_jsonl(tmp_path / "preds.jsonl", [
        {"predict": f"依照《{LAW}》{cite[p]}之规定，被告人犯危险驾驶罪，判处拘役二个月。\n刑期:2个月"}
        for _, _, p in rows])
    out = tmp_path / "out"
    assert main(["eval", "--predictions", str(preds), "--gold", str(gold), "--out", str(out), "--resamples", "20"]) == 0
    m = json.loads((out / "metrics.json").read_text())
    # scored labels: row 1 gold {133} pred {133} (TP); row 2 gold {133-1} pred {133} (FP 133, FN 133-1)
    # class 133: P 1/2, R 1 → F1 2/3; class 133-1: F1 0; micro P = R = 1/2 → 1/2; macro 1/3
    assert m["articles"]["score"] == pytest.approx((1 / 2 + 1 / 3) / 2)
    assert (m["citations"]["precision"], m["citations"]["recall"], m["citations"]["true_positives"]) == (0.5, 0.5, 1)


# --- per-row output and user errors (robustness review E07, E08, E11, E13–E15, E17) ---------------


def test_rows_jsonl_one_line_per_prediction(files):
    assert _run(files) == 0
    rows = [json.loads(x) for x in (files["out"] / "rows.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [r["row"] for r in rows] == [0, 1, 2, 3] and [r["line"] for r in rows] == [1, 2, 3, 4]
    assert [r["code"] for r in rows] == [12, 24, -2, None]  # death for life; c4 abstains
    assert [r["gold"]["code"] for r in rows] == [12, 36, -1, 0]
    assert rows[3]["sentence"] is None and rows[3]["abstain_reason"] == "no term stated"
    assert rows[1]["sentence"]["months"] == 24 and rows[1]["rule"] == "cue"
    assert [r["scores"]["imprisonment_score"] for r in rows] == [1.0, 0.8, 0.0, 0.0]
    # life gold: skipped
    assert rows[1]["scores"]["abs_error_months"] == 12 and rows[2]["scores"]["lawbench_distance"] is None
    assert "ids" not in rows[0] and [r["gold"]["case_id"] for r in rows] == ["c1", "c2", "c3", "c4"]


def test_lawbench_answers_scored_from_one_gzip_file(tmp_path):
    """A LawBench prediction dump (model, shot, task, id, prediction, refr) is both predictions and
    gold: --gold may be left out; gzip is read as such."""
    import gzip

    recs = [{"model": "m", "shot": "zero_shot", "task": "3-4", "id": i, "prediction": p, "refr": g}
            for i, (p, g) in enumerate([("[刑期]12个月<eoa>", "刑期:12个月"), ("三年以下有期徒刑", "刑期:6个月"),
                                        ("刑期:" + "9" * 25, "刑期:24个月"),
                                        ("判处有期徒刑" + "一千" * 30 + "年", "刑期:无期")])]
    path = tmp_path / "answers.jsonl.gz"
    with gzip.open(path, "wt", encoding="utf-8") as f:
        f.write("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in recs))
    out = tmp_path / "out"
    assert main(["eval", "--predictions", str(path), "--out", str(out), "--resamples", "20"]) == 0
    m = json.loads((out / "metrics.json").read_text())
    assert m["n"] == 4 and m["gold_format"] == "lawbench" and m["join"]["labels_checked"] == 4
    assert m["parsing"]["abstentions"] == 3  # a statute band and two degenerate answers (E07, E08)
    assert m["parsing"]["abstain_reasons"] == {"unreadable number": 2, "statute range": 1}
    rows = [json.loads(x) for x in (out / "rows.jsonl").read_text(encoding="utf-8").splitlines()]
    assert rows[0]["ids"] == {"model": "m", "shot": "zero_shot", "task": "3-4", "id": 0} and rows[0]["code"] == 12
    assert [r["gold"]["code"] for r in rows] == [12, 6, 24, -1]


def test_non_utf8_predictions_name_file_and_line(files, capsys):
    rows = files["preds"].read_bytes().split(b"\n")
    rows[2] = "判处有期徒刑".encode("gbk") + rows[2]
    files["preds"].write_bytes(b"\n".join(rows))
    assert _run(files) == 1
    err = capsys.readouterr().err
    assert f"{files['preds']}:3: not UTF-8" in err and "Traceback" not in err


def test_out_that_is_a_file_is_named(files, capsys):
    files["out"].write_text("x", encoding="utf-8")
    assert _run(files) == 1
    assert f"--out {files['out']}: is a file, not a folder" in capsys.readouterr().err


def test_predictions_that_is_a_folder_is_named(files, capsys):
    files["preds"] = files["tmp"]
    assert _run(files) == 1
    assert f"{files['tmp']}: is a folder, not a file" in capsys.readouterr().err


@pytest.mark.parametrize("value", ["0", "-5", "x"])
def test_resamples_must_be_positive(files, capsys, value):
    with pytest.raises(SystemExit) as e:
        _run(files, "--resamples", value)
    assert e.value.code == 2
    assert "--resamples" in capsys.readouterr().err
