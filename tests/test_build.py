import json
import shutil
from pathlib import Path

from lawfactory.build.pipeline import build
from lawfactory.config import BuildConfig
from lawfactory.jsonl import read_jsonl
from lawfactory.splits import assign_split

from conftest import SAMPLES, real_path


def make(raw: Path, out: Path, **kw) -> dict:
    return build(BuildConfig.of(raw=raw, out=out, **kw))


def test_counts_reconcile_and_rejects_name_file_line_reason(tmp_path):
    m = make(SAMPLES, tmp_path / "d")
    rejects = read_jsonl(tmp_path / "d" / "rejects.jsonl")
    cases = read_jsonl(tmp_path / "d" / "cases.jsonl")
    for rel, c in m["inputs"].items():
        assert c["read"] == c["converted"] + c["rejected"] + c["skipped"], rel
        assert c["rejected"] == sum(r["file"] == rel for r in rejects)
    assert sum(c["rejected"] for c in m["inputs"].values()) == len(rejects) > 0
    assert all(set(r) == {"file", "line", "reason"} and r["reason"] for r in rejects)
    malformed = m["inputs"]["cail/malformed.jsonl"]
    assert malformed["read"] == malformed["rejected"] == 8
    assert m["cases"] == len(cases)


def test_rerun_is_byte_identical(tmp_path):
    make(SAMPLES, tmp_path / "a")
    make(SAMPLES, tmp_path / "b")
    files = sorted(p.name for p in (tmp_path / "a").iterdir() if p.is_file())
    assert "criminal_sentencing.jsonl" in files and "manifest.json" in files
    for name in files:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name


def test_split_by_group_never_by_row(tmp_path):
    out = tmp_path / "d"
    make(SAMPLES, out)
    train = {r["input"] for r in read_jsonl(out / "criminal_sentencing.jsonl")}
    ev = read_jsonl(out / "criminal_sentencing_eval.jsonl")
    assert ev and not train & {r["input"] for r in ev}
    for case in read_jsonl(out / "cases.jsonl"):
        assert assign_split(case["group_id"], 42, 0.1) == assign_split(case["group_id"], 42, 0.1)
    # two cases with one group always land together, whatever the seed
    assert {assign_split("g1", s, 0.5) for s in range(20)} == {"train", "eval"}


def test_eval_rows_carry_flat_gold_columns(tmp_path):
    out = tmp_path / "d"
    make(SAMPLES, out, eval_ratio=0.5)
    rows = read_jsonl(out / "criminal_sentencing_eval.jsonl")
    for r in rows:
        assert {"case_id", "group_id", "gold_months", "kind", "charges", "articles"} <= set(r)
        assert isinstance(r["charges"], list) and isinstance(r["gold_months"], int)
        assert r["output"].splitlines()[-1].startswith("刑期:")
    info = json.loads((out / "dataset_info.json").read_text())
    assert info["criminal_sentencing"]["file_name"] == "criminal_sentencing.jsonl"


def test_interrupted_write_leaves_no_loadable_file(tmp_path):
    from lawfactory.jsonl import atomic_open

    target = tmp_path / "x.jsonl"
    try:
        with atomic_open(target) as f:
            f.write("{}\n")
            raise KeyboardInterrupt
    except KeyboardInterrupt:
        pass
    assert not target.exists() and not list(tmp_path.iterdir())


def test_real_cail_through_make_data(tmp_path):
    src = real_path("cail2018", "valid_sample.jsonl")
    raw = tmp_path / "raw" / "cail"
    raw.mkdir(parents=True)
    shutil.copy(src, raw / "valid.jsonl")
    m = make(tmp_path / "raw", tmp_path / "d")
    c = m["inputs"]["cail/valid.jsonl"]
    assert c["read"] == 1000 and c["converted"] + c["rejected"] + c["skipped"] == 1000
    rows = m["datasets"]["criminal_sentencing"]["rows"] + m["datasets"]["criminal_sentencing_eval"]["rows"]
    assert rows == c["cases"]
