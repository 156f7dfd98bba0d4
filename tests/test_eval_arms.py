"""`lawfactory eval --arm NAME=PREDICTIONS[:GOLD]`: one model on the no-articles, retrieved and cited
eval files of the same cases, on hand-made prediction files: each arm on its own rows and on the
rows all arms share, the paired differences, the retrieval hit rates, the report and the option
checks. The single-run numbers are unchanged by the arms (tests/test_eval_run.py pins them)."""

import json

import pytest

from lawfactory.cli import main
from lawfactory.evaluation.arms import split_arm

from conftest import write_jsonl

LAW = "中华人民共和国刑法"


def _out(months: int) -> str:
    return (f"本院认为，被告人甲的行为已构成盗窃罪。\n判决如下：\n被告人甲犯盗窃罪，判处有期徒刑{months}个月。\n"
            f"刑期:{months}个月")


GOLD_MONTHS = {"c1": 12, "c2": 36, "c3": 6, "c4": 24}


def _gold(case_id: str, **extra) -> dict:
    return {"instruction": "i", "input": "f", "output": _out(GOLD_MONTHS[case_id]), "case_id": case_id,
            "jurisdiction": "cn", "kind": "fixed", "gold_months": GOLD_MONTHS[case_id], "probation_months": 0,
            "charges": ["盗窃"], "articles": [f"{LAW}|264"], **extra}


def _preds(path, gold_rows, months):
    """Predictions stating `months` for each gold row, labelled with the gold text."""
    return write_jsonl(path, [{"predict": _out(m), "label": g["output"]} for g, m in zip(gold_rows, months)])


@pytest.fixture
def arms(tmp_path):
    # no articles and retrieved: all four cases; cited: c3 left out (it cites no 分则 article)
    none_gold = [_gold(c) for c in GOLD_MONTHS]
    rag_gold = [_gold("c1", retrieved=[f"{LAW}|264", f"{LAW}|263"], cited_articles=[f"{LAW}|264"]),
                _gold("c2", retrieved=[f"{LAW}|263", f"{LAW}|266"], cited_articles=[f"{LAW}|264"]),
                _gold("c3", retrieved=[f"{LAW}|264", f"{LAW}|266"], cited_articles=[]),
                _gold("c4", retrieved=[f"{LAW}|264", f"{LAW}|266"], cited_articles=[f"{LAW}|264", f"{LAW}|266"])]
    cited_gold = [_gold(c) for c in ("c1", "c2", "c4")]
    files = {"none": (none_gold, [12, 18, 6, 12]),  # exact, half, exact, half
             "retrieved": (rag_gold, [12, 36, 6, 12]),  # exact, exact, exact, half
             "cited": (cited_gold, [12, 36, 24])}  # exact, exact, exact
    out = {}
    for name, (gold, months) in files.items():
        g = write_jsonl(tmp_path / f"{name}_gold.jsonl", gold)
        out[name] = (_preds(tmp_path / f"{name}_pred.jsonl", gold, months), g)
    out["out"] = tmp_path / "eval"
    return out


def _run(a, *arm_args, extra=()):
    preds, gold = a["none"]
    return main(["eval", "--predictions", str(preds), "--gold", str(gold), "--out", str(a["out"]),
                 "--resamples", "200", *arm_args, *extra])


def _arm_args(a, names=("none", "retrieved", "cited")):
    return [x for n in names for x in ("--arm", f"{n}={a[n][0]}:{a[n][1]}")]


def test_three_arms_on_own_and_shared_rows(arms):
    assert _run(arms, *_arm_args(arms)) == 0
    m = json.loads((arms["out"] / "metrics.json").read_text())
    c = m["arms"]
    assert list(c["arms"]) == ["none", "retrieved", "cited"]
    assert c["shared_rows"] == 3  # c1 c2 c4: c3 is not in the cited file
    score = {n: (a["n"], a["own"]["imprisonment_score"]["value"], a["shared"]["imprisonment_score"]["value"])
             for n, a in c["arms"].items()}
    # CAIL term score: exact 1; half the gold term: |ln 13 − ln 25| = 0.65 → 0.4, |ln 19 − ln 37| = 0.67 → 0.4
    assert score["none"] == pytest.approx((4, (1 + 0.4 + 1 + 0.4) / 4, (1 + 0.4 + 0.4) / 3))
    assert score["retrieved"] == pytest.approx((4, (1 + 1 + 1 + 0.4) / 4, (1 + 1 + 0.4) / 3))
    assert score["cited"] == pytest.approx((3, 1.0, 1.0))
    assert c["arms"]["cited"]["shared"]["within_20"]["value"] == 1.0
    assert c["arms"]["none"]["shared"]["mae_months"]["value"] == pytest.approx((0 + 18 + 12) / 3)
    # paired differences to the first arm, on the shared rows
    d = c["arms"]["cited"]["delta_vs_first"]
    assert d["imprisonment_score"]["value"] == pytest.approx(1.0 - 1.8 / 3)
    assert d["mae_months"]["value"] == pytest.approx(0 - 10)
    lo, hi = d["imprisonment_score"]["ci95"]
    assert lo <= d["imprisonment_score"]["value"] <= hi
    assert "delta_vs_first" not in c["arms"]["none"]
    # the main run is still the --predictions/--gold one
    assert m["n"] == 4 and m["headline"]["imprisonment_score"]["model"] == pytest.approx(score["none"][1])


def test_retrieval_hit_rates_against_the_cited_articles(arms):
    assert _run(arms, *_arm_args(arms)) == 0
    c = json.loads((arms["out"] / "metrics.json").read_text())["arms"]["arms"]
    r = c["retrieved"]["retrieval"]
    # rows citing a 分则 article: c1 (found), c2 (missed), c4 (both found); c3 cites none
    assert (r["rows"], r["rows_with_cited"], r["k"]) == (4, 3, 2)
    assert r["hit"] == pytest.approx(2 / 3) and r["all_found"] == pytest.approx(2 / 3)
    assert r["recall"] == pytest.approx((1 + 0 + 1) / 3)
    assert r["precision"] == pytest.approx((0.5 + 0 + 1) / 3)
    assert "retrieval" not in c["none"] and "retrieval" not in c["cited"]


def test_report_has_the_arms_table_and_plot(arms):
    assert _run(arms, *_arm_args(arms)) == 0
    report = (arms["out"] / "report.md").read_text(encoding="utf-8")
    assert "## Arms: no articles, retrieved, cited" in report
    for label in ("不附法条 (no articles)", "检索法条 (retrieved)", "引用法条 (cited)"):
        assert f"| {label} |" in report
    assert "the 3 shared rows" in report and "Retrieval hit rates, 检索法条 (retrieved)" in report
    assert (arms["out"] / "arms.png").stat().st_size > 0 and "](arms.png)" in report


def test_gold_defaults_to_the_run_gold(arms):
    preds, _ = arms["none"]
    rag_preds, rag_gold = arms["retrieved"]
    assert _run(arms, "--arm", f"a={preds}", "--arm", f"b={rag_preds}:{rag_gold}") == 0
    c = json.loads((arms["out"] / "metrics.json").read_text())["arms"]
    assert c["arms"]["a"]["gold"] == str(arms["none"][1]) and c["arms"]["a"]["label"] == "a"
    assert c["shared_rows"] == 4


def test_without_arms_the_report_has_none(arms):
    assert _run(arms) == 0
    assert "arms" not in json.loads((arms["out"] / "metrics.json").read_text())
    assert "## Arms" not in (arms["out"] / "report.md").read_text(encoding="utf-8")
    assert not (arms["out"] / "arms.png").exists()


def test_arms_of_different_cases_are_an_error(arms, tmp_path, capsys):
    other = [_gold("c1"), {**_gold("c2"), "gold_months": 99, "output": _out(99)}]
    g = write_jsonl(tmp_path / "other_gold.jsonl", other)
    p = _preds(tmp_path / "other_pred.jsonl", other, [12, 99])
    assert _run(arms, *_arm_args(arms, ("none",)), "--arm", f"other={p}:{g}") == 1
    err = capsys.readouterr().err
    assert f"{g}:2: case c2 has gold term fixed 99" in err and "same cases" in err


def test_an_arm_predicted_on_another_file_is_an_error(arms, capsys):
    preds, _ = arms["cited"]
    _, gold = arms["none"]
    assert _run(arms, *_arm_args(arms, ("none",)), "--arm", f"x={preds}:{gold}") == 1
    assert "predictions are joined by order" in capsys.readouterr().err


@pytest.mark.parametrize("value, message", [("noequals", "expected NAME=PREDICTIONS[:GOLD]"),
                                            ("=p.jsonl", "expected NAME=PREDICTIONS[:GOLD]"),
                                            ("a=", "expected NAME=PREDICTIONS[:GOLD]"),
                                            ("a=:gold.jsonl", "no predictions file")])
def test_malformed_arm_is_a_usage_error(arms, capsys, value, message):
    with pytest.raises(SystemExit) as e:
        _run(arms, "--arm", value)
    assert e.value.code == 2
    err = capsys.readouterr().err
    assert "--arm" in err and message in err


def test_arm_options_checked_before_any_work(arms, capsys):
    preds, gold = arms["none"]
    assert _run(arms, "--arm", f"a={preds}:{gold}") == 1  # one arm compares nothing
    assert "at least two arms" in capsys.readouterr().err
    assert _run(arms, "--arm", f"a={preds}:{gold}", "--arm", f"a={preds}:{gold}") == 1
    assert "given twice" in capsys.readouterr().err
    assert not (arms["out"] / "metrics.json").exists()
    assert _run(arms, "--arm", f"a={preds}:{gold}", "--arm", f"b={preds}.missing:{gold}") == 1
    assert "no such file" in capsys.readouterr().err


def test_split_arm_reads_an_existing_path_whole(tmp_path):
    odd = tmp_path / "pred:1.jsonl"
    odd.write_text("")
    assert split_arm(f"x={odd}") == ("x", str(odd), None)
    assert split_arm("x=p.jsonl:g.jsonl") == ("x", "p.jsonl", "g.jsonl")


def test_arms_sharing_no_row_are_scored_on_their_own(arms, tmp_path):
    gold = [{**_gold("c1"), "case_id": "other"}]
    g, p = write_jsonl(tmp_path / "o_gold.jsonl", gold), _preds(tmp_path / "o_pred.jsonl", gold, [12])
    assert _run(arms, *_arm_args(arms, ("none",)), "--arm", f"other={p}:{g}") == 0
    c = json.loads((arms["out"] / "metrics.json").read_text())["arms"]
    assert c["shared_rows"] == 0
    assert c["arms"]["other"]["own"]["imprisonment_score"]["value"] == 1.0
    assert c["arms"]["other"]["shared"]["imprisonment_score"]["value"] is None
    assert c["arms"]["other"]["delta_vs_first"]["imprisonment_score"] == {"value": None, "ci95": None, "n": 0}
