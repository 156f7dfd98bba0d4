"""The robustness review's `lawfactory eval` cases (E01–E18) replayed: a user error is named with
its file and line (or option) and exit 1, never a traceback; a degenerate answer is an abstention."""

import json

import pytest

from lawfactory.cli import main

from conftest import write_jsonl

GOLD_OUT = ["被告人甲犯盗窃罪，判处有期徒刑一年。\n刑期:12个月", "被告人乙犯诈骗罪，判处有期徒刑三年。\n刑期:36个月",
            "被告人丙犯盗窃罪，判处拘役六个月。\n刑期:6个月"]


@pytest.fixture
def f(tmp_path):
    gold = write_jsonl(tmp_path / "gold.jsonl", [{"instruction": "i", "input": "f", "output": o} for o in GOLD_OUT])
    preds = [{"predict": o, "label": o} for o in GOLD_OUT]
    return {"tmp": tmp_path, "gold": gold, "preds": preds}


def run(f, preds, capsys, *extra, gold=None, out=None):
    """(exit code, stderr + stdout, out folder). An uncaught exception fails the test."""
    path = preds if not isinstance(preds, list) else write_jsonl(f["tmp"] / "p.jsonl", preds)
    out = out or f["tmp"] / "eval"
    argv = ["eval", "--predictions", str(path), "--gold", str(gold or f["gold"]), "--out", str(out),
            "--resamples", "20", *extra]
    try:
        code = main(argv)
    except SystemExit as e:  # argparse
        code = e.code
    cap = capsys.readouterr()
    return code, cap.err + cap.out, out


def test_e01_missing_predictions(f, capsys):
    code, out, _ = run(f, f["tmp"] / "nope.jsonl", capsys)
    assert code == 1 and "nope.jsonl" in out and "no such file" in out


@pytest.mark.parametrize("n, where",
                         [(0, ":1: no prediction"), (2, ":3: no prediction"), (4, ":4: a prediction beyond")])
def test_e02_e03_e04_row_counts(f, capsys, n, where):
    preds = (f["preds"] * 2)[:n]
    code, out, _ = run(f, preds, capsys)
    assert code == 1 and where in out


def test_e05_unlabelled_predictions_are_joined_with_a_warning(f, capsys):
    rotated = [{"predict": f["preds"][(i + 1) % 3]["predict"]} for i in range(3)]
    code, out, _ = run(f, rotated, capsys)
    assert code == 0 and "3 of 3 predictions" in out and "carry no label" in out


def test_e06_lines_that_are_not_json(f, capsys):
    p = f["tmp"] / "bad.jsonl"
    p.write_text("not json\n", encoding="utf-8")
    code, out, _ = run(f, p, capsys)
    assert code == 1 and "bad.jsonl:1: invalid JSON" in out


@pytest.mark.parametrize("bad", ["刑期:" + "1" * 25 + "个月", "判处有期徒刑" + "一千" * 20 + "年"])
def test_e07_e08_degenerate_answer_is_an_abstention(f, capsys, bad):
    preds = [dict(p) for p in f["preds"]]
    preds[0]["predict"] = bad
    code, out, folder = run(f, preds, capsys)
    m = json.loads((folder / "metrics.json").read_text())
    assert code == 0 and m["parsing"]["abstentions"] == 1


def test_e09_e10_wrong_shapes(f, capsys):
    code, out, _ = run(f, [{"predict": 5, "label": "x"}], capsys)
    assert code == 1 and "p.jsonl:1:" in out
    arr = f["tmp"] / "array.json"
    arr.write_text(json.dumps(["a", "b", "c"]), encoding="utf-8")
    code, out, _ = run(f, arr, capsys)
    assert code == 1 and "array.json:1:" in out


def test_e11_non_utf8_predictions(f, capsys):
    p = f["tmp"] / "gbk.jsonl"
    p.write_bytes(json.dumps({"predict": "判处有期徒刑一年", "label": "x"}, ensure_ascii=False).encode("gbk") + b"\n")
    code, out, _ = run(f, p, capsys)
    assert code == 1 and "gbk.jsonl:1:" in out and "UTF-8" in out


def test_e12_gold_empty_or_missing(f, capsys):
    empty = f["tmp"] / "empty.jsonl"
    empty.write_text("", encoding="utf-8")
    assert run(f, f["preds"], capsys, gold=empty)[0] == 1
    code, out, _ = run(f, f["preds"], capsys, gold=f["tmp"] / "nope.jsonl")
    assert code == 1 and "nope.jsonl" in out


def test_e13_out_is_a_file(f, capsys):
    blocker = f["tmp"] / "ofile"
    blocker.write_text("x")
    code, out, _ = run(f, f["preds"], capsys, out=blocker)
    assert code == 1 and "ofile" in out


@pytest.mark.parametrize("value", ["0", "-5"])
def test_e14_e15_resamples_named(f, capsys, value):
    path = write_jsonl(f["tmp"] / "p.jsonl", f["preds"])
    try:
        code = main(["eval", "--predictions", str(path), "--gold", str(f["gold"]), "--out", str(f["tmp"] / "e"),
                     "--resamples", value])
    except SystemExit as e:
        code = e.code
    assert code == 2 and "--resamples" in capsys.readouterr().err


def test_e16_runaway_prediction_is_cut_and_counted(f, capsys):
    preds = [dict(p) for p in f["preds"]]
    preds[1]["predict"] = "判处有期徒刑三年。" + "啊" * 300_000
    code, out, folder = run(f, preds, capsys)
    m = json.loads((folder / "metrics.json").read_text())
    assert code == 0 and m["join"]["predictions_truncated"] == 1 and "scored on their beginning" in out


def test_e17_predictions_is_a_folder(f, capsys):
    code, out, _ = run(f, f["tmp"], capsys)
    assert code == 1 and "folder" in out


def test_e18_wrong_gold_file(f, capsys):
    cases = write_jsonl(f["tmp"] / "cases.jsonl", [{"case_id": "x", "facts": "…"}] * 3)
    code, out, _ = run(f, f["preds"], capsys, gold=cases)
    assert code == 1 and "cases.jsonl:1:" in out and "--gold-format" in out
