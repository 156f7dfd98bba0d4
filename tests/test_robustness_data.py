"""Hostile and careless inputs to `lawfactory data`: every case ends in a clear error (file and line,
or the option, and the reason; no traceback) or is handled, and no good record is ever lost.

Case ids (C = CAIL JSON lines, J = full-text judgments, S = statutes, P = paths, K = kills and
concurrency, O = options) follow the robustness review's table. Inputs are tiny: a few repository
sample records next to each bad one, so that a lost good record shows.
"""

from __future__ import annotations

import csv
import fcntl
import gzip
import io as _io
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from lawfactory import jsonl
from lawfactory.build import generation, shards
from lawfactory.build.pipeline import NothingConverted, build
from lawfactory.config import BuildConfig

from conftest import REPO, SAMPLES
from planting import cli, output_files, sample_records

GOOD = sample_records()[:5]
CSV_SAMPLE = SAMPLES / "judgments" / "cn" / "cjo_criminal_2021.csv"
TW_SAMPLE = SAMPLES / "judgments" / "tw" / "TPDM_112_易_456_20230315_1.json"


def line(rec) -> str:
    return json.dumps(rec, ensure_ascii=False)


def good_lines(n: int = 5, tag: str = "") -> str:
    """n good CAIL lines (facts tagged so copies in several files stay distinct cases)."""
    return "".join(line({**r, "fact": tag + r["fact"]}) + "\n" for r in sample_records()[:n])


def raw_with(tmp_path: Path, files: dict) -> Path:
    raw = tmp_path / "raw"
    for rel, content in files.items():
        p = raw / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    raw.mkdir(parents=True, exist_ok=True)
    return raw


def make(raw: Path, out: Path, **extra) -> dict:
    return build(BuildConfig.of(raw=raw, out=out, workers=1, **extra))


def rejects(out: Path) -> list[dict]:
    return jsonl.read_jsonl(out / "rejects.jsonl")


def assert_complete(out: Path, m: dict) -> None:
    """DATA holds one whole generation: the manifest's hashes match, every dataset parses, no partials."""
    assert generation.verify(out, m) == []
    assert (out / "dataset_info.json").is_file() and (out / "manifest.json").is_file()
    for p in out.glob("*.jsonl"):
        jsonl.read_jsonl(p)
    assert not list(out.rglob("*.partial"))
    for rel, c in m["inputs"].items():
        assert c["read"] == c["converted"] + c["rejected"] + c["skipped"], rel


def reject_of(out: Path, file: str, line_no: int) -> str:
    found = [r["reason"] for r in rejects(out) if r["file"] == file and r["line"] == line_no]
    assert found, (file, line_no, rejects(out))
    return found[0]


def with_meta(rec: dict, **meta) -> dict:
    m = {**rec["meta"], **meta}
    return {**rec, "meta": m}


def with_term(rec: dict, **term) -> dict:
    return with_meta(rec, term_of_imprisonment={**rec["meta"]["term_of_imprisonment"], **term})


# --- C: CAIL JSON lines ---------------------------------------------------------------------------

def test_C01_C02_C03_C26_damaged_lines_rejected_with_file_line_and_reason(tmp_path):
    deep = "[" * 5000 + "]" * 5000
    bad = ['{"fact": "x", meta: }', "[1,2]", '"a string"', "123", "null", "true", deep]
    text = good_lines(2) + "\n".join(bad) + "\n" + good_lines(3, "再") + line(GOOD[0])[:150]  # last: cut, no newline
    raw = raw_with(tmp_path, {"cail/a.jsonl": text})
    m = make(raw, tmp_path / "d")
    assert_complete(tmp_path / "d", m)
    assert m["inputs"]["cail/a.jsonl"]["converted"] == 5
    assert "invalid JSON" in reject_of(tmp_path / "d", "cail/a.jsonl", 3)
    assert "not an object" in reject_of(tmp_path / "d", "cail/a.jsonl", 4)
    assert "depth" in reject_of(tmp_path / "d", "cail/a.jsonl", 9)
    assert "invalid JSON" in reject_of(tmp_path / "d", "cail/a.jsonl", 13)
    assert m["inputs"]["cail/a.jsonl"]["rejected"] == 8


def test_C04_missing_keys_rejected_naming_the_key(tmp_path):
    recs = [dict(GOOD[0]) for _ in range(2)]
    del recs[0]["fact"]
    recs[1] = {**GOOD[0], "meta": {k: v for k, v in GOOD[0]["meta"].items() if k != "accusation"}}
    raw = raw_with(tmp_path, {"cail/a.jsonl": good_lines() + "".join(line(r) + "\n" for r in recs)})
    m = make(raw, tmp_path / "d")
    assert_complete(tmp_path / "d", m)
    assert m["inputs"]["cail/a.jsonl"]["converted"] == 5
    assert "fact" in reject_of(tmp_path / "d", "cail/a.jsonl", 6)
    assert "accusation" in reject_of(tmp_path / "d", "cail/a.jsonl", 7)


@pytest.mark.parametrize("case_id, bad", [
    ("C06", lambda r: with_meta(r, punish_of_money=1e20)),
    ("C07", lambda r: with_term(r, imprisonment=123456789012345678901234567890)),
    ("C08", lambda r: with_meta(r, punish_of_money=18446744073709551615)),
    ("C09", lambda r: with_term(r, imprisonment=1000000)),
])
def test_C06_to_C09_one_absurd_value_costs_only_its_record(tmp_path, case_id, bad):
    raw = raw_with(tmp_path, {"cail/a.jsonl": good_lines() + line(bad(GOOD[0])) + "\n" + good_lines(2, "又")})
    m = make(raw, tmp_path / "d")
    assert_complete(tmp_path / "d", m)
    c = m["inputs"]["cail/a.jsonl"]
    assert (c["read"], c["converted"], c["rejected"]) == (8, 7, 1), case_id
    assert reject_of(tmp_path / "d", "cail/a.jsonl", 6)
    assert len(jsonl.read_jsonl(tmp_path / "d" / "cases.jsonl")) == 7


def test_C05_wrong_types_never_stop_the_build(tmp_path):
    """Value ranges themselves are the CAIL converter's (issue 13, item 1, other branch); here: each
    odd record is converted or rejected with its line, and the good ones all stay."""
    odd = [with_term(GOOD[0], imprisonment=v) for v in ("12", -5, 1.5, True, 2.0, 5000, 999999)]
    odd += [with_meta(GOOD[0], punish_of_money=v) for v in (-1, 1e15)]
    odd += [with_meta(GOOD[0], relevant_articles=v) for v in ([264.0], [99999])]
    odd += [with_meta(GOOD[0], accusation=v) for v in ([123], ["不存在的罪名"])]
    odd += [with_meta(GOOD[0], criminals="张三丰"), {**GOOD[0], "fact": 12345}]
    raw = raw_with(tmp_path, {"cail/a.jsonl": good_lines() + "".join(line(r) + "\n" for r in odd)})
    m = make(raw, tmp_path / "d")
    assert_complete(tmp_path / "d", m)
    c = m["inputs"]["cail/a.jsonl"]
    assert c["read"] == 5 + len(odd) and c["rejected"] >= 5
    assert all(r["reason"] and r["line"] > 5 for r in rejects(tmp_path / "d"))


def test_C10_C11_C14_empty_blank_and_crlf_files(tmp_path):
    crlf = good_lines(3, "甲").replace("\n", "\r\n")
    raw = raw_with(tmp_path, {"cail/a.jsonl": "", "cail/b.jsonl": "\n  \n\t\n\r\n", "cail/c.jsonl": crlf,
                              "cail/d.jsonl": good_lines()})
    m = make(raw, tmp_path / "d")
    assert_complete(tmp_path / "d", m)
    assert m["inputs"]["cail/a.jsonl"]["read"] == m["inputs"]["cail/b.jsonl"]["read"] == 0
    assert m["inputs"]["cail/c.jsonl"]["converted"] == 3 and m["inputs"]["cail/d.jsonl"]["converted"] == 5


def test_C12_C13_boms_and_a_gbk_file(tmp_path):
    bom = "\ufeff" + good_lines(3, "乙")
    raw = raw_with(tmp_path, {"cail/a.jsonl": (bom + bom).encode("utf-8"),
                              "cail/b.jsonl": good_lines(2, "丙").encode("gbk"), "cail/c.jsonl": good_lines()})
    m = make(raw, tmp_path / "d")
    assert_complete(tmp_path / "d", m)
    assert m["inputs"]["cail/a.jsonl"]["converted"] == 5
    assert "BOM" in reject_of(tmp_path / "d", "cail/a.jsonl", 4)
    assert "not UTF-8" in reject_of(tmp_path / "d", "cail/b.jsonl", 1)
    assert m["inputs"]["cail/c.jsonl"]["converted"] == 5


def test_C15_a_huge_record_is_rejected_by_the_size_bound(tmp_path):
    huge = {**GOOD[0], "fact": "被告人" * 700_000}  # 2.1 M characters: over the default bound
    raw = raw_with(tmp_path, {"cail/a.jsonl": good_lines() + line(huge) + "\n"})
    m = make(raw, tmp_path / "d")
    assert_complete(tmp_path / "d", m)
    assert "too large" in reject_of(tmp_path / "d", "cail/a.jsonl", 6)
    assert m["inputs"]["cail/a.jsonl"]["converted"] == 5
    # the bound is an option (and recorded, so it takes part in the fingerprint)
    small = {**GOOD[1], "fact": GOOD[1]["fact"] * 50}
    raw2 = raw_with(tmp_path / "two", {"cail/a.jsonl": good_lines() + line(small) + "\n"})
    r = cli("--raw", str(raw2), "--out", str(tmp_path / "d2"), "--workers", "1", "--max-record-chars", "3000")
    assert r.returncode == 0, r.stderr
    assert "--max-record-chars" in reject_of(tmp_path / "d2", "cail/a.jsonl", 6)


def test_C15_minhash_memory_is_bounded_and_the_signature_unchanged(monkeypatch):
    from lawfactory.hygiene import dedup

    text = "".join(GOOD[i % 5]["fact"] for i in range(40))
    whole = dedup.signature(text)
    monkeypatch.setattr(dedup, "CHUNK", 97)  # many chunks: the minimum over chunks is the same signature
    assert (dedup.signature(text) == whole).all()


def test_C16_C17_long_fact_filter_and_a_long_invalid_line(tmp_path):
    bad = '{"fact": "' + "x" * 3_000_000 + '", meta}'
    raw = raw_with(tmp_path, {"cail/a.jsonl": good_lines() + bad + "\n" + good_lines(2, "丁")})
    m = make(raw, tmp_path / "d", max_fact_chars=60)
    assert_complete(tmp_path / "d", m)
    assert "invalid JSON" in reject_of(tmp_path / "d", "cail/a.jsonl", 6)
    assert m["inputs"]["cail/a.jsonl"]["converted"] == 7


def test_C19_C20_gzip_inputs_are_read(tmp_path):
    raw = raw_with(tmp_path, {"cail/a.jsonl.gz": gzip.compress(good_lines(4, "戊").encode()),
                              "cail/b.jsonl": gzip.compress(good_lines(3, "己").encode()),  # gzip named .jsonl
                              "cail/c.jsonl": good_lines()})
    m = make(raw, tmp_path / "d")
    assert_complete(tmp_path / "d", m)
    assert m["inputs"]["cail/a.jsonl.gz"]["converted"] == 4
    assert m["inputs"]["cail/b.jsonl"]["converted"] == 3
    assert m["cases"] == 12


def test_C19_a_broken_gzip_stream_rejects_the_rest_of_its_file_only(tmp_path):
    z = gzip.compress(good_lines(5, "庚").encode())
    raw = raw_with(tmp_path, {"cail/a.jsonl.gz": z[: len(z) // 2], "cail/b.jsonl": good_lines()})
    m = make(raw, tmp_path / "d")
    assert_complete(tmp_path / "d", m)
    reasons = [r["reason"] for r in rejects(tmp_path / "d") if r["file"] == "cail/a.jsonl.gz"]
    assert reasons and "cannot read the file" in reasons[-1]
    assert m["inputs"]["cail/b.jsonl"]["converted"] == 5


def test_C21_C25_wrong_layouts_are_listed_as_skipped(tmp_path):
    raw = raw_with(tmp_path, {"cail/x.jsonl/inner.jsonl": good_lines(3), "data.jsonl": good_lines(2),
                              "CAIL/a.jsonl": good_lines(2), "cail/sub/a.jsonl": good_lines(2),
                              "cail/b.jsonl": good_lines()})
    r = cli("--raw", str(raw), "--out", str(tmp_path / "d"), "--workers", "1")
    assert r.returncode == 0, r.stderr
    m = json.loads((tmp_path / "d" / "manifest.json").read_text())
    skipped = set(m["skipped_inputs"])
    assert skipped == {"cail/x.jsonl/inner.jsonl", "data.jsonl", "CAIL/a.jsonl", "cail/sub/a.jsonl"}
    assert "skipped 4 file(s)" in r.stdout and "cail/sub/a.jsonl: matches no input layout" in r.stdout
    assert "cail/*.jsonl" in r.stdout  # the layouts that are read


def test_C25_P02_nothing_converted_fails(tmp_path):
    raw = raw_with(tmp_path, {"data.jsonl": good_lines(2), "CAIL/a.jsonl": good_lines(2)})
    r = cli("--raw", str(raw), "--out", str(tmp_path / "d"), "--workers", "1")
    assert r.returncode != 0 and "Traceback" not in r.stderr
    assert "nothing converted" in r.stderr and "data.jsonl: matches no input layout" in r.stderr
    assert not (tmp_path / "d" / "dataset_info.json").exists()
    empty = raw_with(tmp_path / "e", {})
    with pytest.raises(NothingConverted, match="RAW holds no input file"):
        make(empty, tmp_path / "e" / "d")
    bad_only = raw_with(tmp_path / "b", {"cail/a.jsonl": "not json\n"})
    with pytest.raises(NothingConverted, match="1 rejected"):
        make(bad_only, tmp_path / "b" / "d")
    appeal = SAMPLES / "judgments" / "tw" / "TPHM_112_上訴_100_20230801_1.json"
    skipped_only = raw_with(tmp_path / "s", {"judgments/tw/a.json": appeal.read_bytes()})
    with pytest.raises(NothingConverted, match="skipped 1: not a district-court criminal case"):
        make(skipped_only, tmp_path / "s" / "d")


def test_C22_links_that_loop_or_dangle(tmp_path):
    raw = raw_with(tmp_path, {"cail/b.jsonl": good_lines()})
    (raw / "cail" / "loop.jsonl").symlink_to("loop.jsonl")
    (raw / "cail" / "dangling.jsonl").symlink_to("nowhere.jsonl")
    (raw / "judgments" / "cn").mkdir(parents=True)
    (raw / "judgments" / "cn" / "self").symlink_to(".")
    m = make(raw, tmp_path / "d")
    assert_complete(tmp_path / "d", m)
    assert m["inputs"]["cail/b.jsonl"]["converted"] == 5
    assert "link" in m["skipped_inputs"]["cail/loop.jsonl"]


def test_C23_an_unreadable_file_is_listed_and_the_others_are_built(tmp_path, monkeypatch):
    raw = raw_with(tmp_path, {"cail/a.jsonl": good_lines(2, "辛"), "cail/b.jsonl": good_lines()})
    real_scan = shards.scan

    def scan(path, shard_bytes, **kw):  # what chmod 000 does for a user who is not root
        if Path(path).name == "a.jsonl":
            raise PermissionError(13, "Permission denied", str(path))
        return real_scan(path, shard_bytes, **kw)

    monkeypatch.setattr(shards, "scan", scan)
    m = make(raw, tmp_path / "d")
    assert_complete(tmp_path / "d", m)
    assert "Permission denied" in m["skipped_inputs"]["cail/a.jsonl"]
    assert m["inputs"]["cail/b.jsonl"]["converted"] == 5


def test_C24_a_json_array_file_is_read_as_records(tmp_path):
    array = json.dumps(GOOD, ensure_ascii=False, indent=2)
    raw = raw_with(tmp_path, {"cail/data.json": array, "cail/cut.json": array[: len(array) // 2],
                              "cail/lines.json": good_lines(3, "癸")})
    m = make(raw, tmp_path / "d")
    assert_complete(tmp_path / "d", m)
    assert m["inputs"]["cail/data.json"]["read"] == m["inputs"]["cail/data.json"]["converted"] == 5
    assert m["inputs"]["cail/lines.json"]["converted"] == 3  # JSON lines in a .json file: read as lines
    cut = [r for r in rejects(tmp_path / "d") if r["file"] == "cail/cut.json"]
    assert len(cut) == 1 and "one JSON document" in cut[0]["reason"] and cut[0]["line"] > 1


def test_C27_repeated_records_stay_grouped(tmp_path):
    raw = raw_with(tmp_path, {"cail/a.jsonl": line(GOOD[0]) + "\n" + line(GOOD[0]) + "\n" + line(GOOD[0]) + "\n"
                              + good_lines(), "cail/b.jsonl": line(GOOD[0]) + "\n"})
    m = make(raw, tmp_path / "d")
    assert_complete(tmp_path / "d", m)
    cases = jsonl.read_jsonl(tmp_path / "d" / "cases.jsonl")
    same = [c["group_id"] for c in cases if c["facts"] == cases[0]["facts"]]
    assert len(same) == 5 and len(set(same)) == 1


# --- J: full-text judgments -----------------------------------------------------------------------

def csv_rows() -> tuple[list[str], list[list[str]]]:
    with open(CSV_SAMPLE, encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    return rows[0], rows[1:]


def csv_text(header, rows) -> str:
    buf = _io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows([header, *rows])
    return buf.getvalue()


def test_J01_J03_J07_J10_bad_tables_are_rejected_whole_and_the_good_kept(tmp_path):
    header, rows = csv_rows()
    good = csv_text(header, rows[:3])
    raw = raw_with(tmp_path, {
        "judgments/cn/good.csv": good,
        "judgments/cn/english.csv": csv_text(["url", "case_no", "title", "full_text"], [["a", "b", "c", "d"]]),
        "judgments/cn/gbk.csv": csv_text(header, rows[:3]).encode("gb18030"),
        "judgments/cn/fake.parquet": "this is not parquet\n",
        "judgments/cn/twice.csv": csv_text(header + ["全文"], [r + [r[-1]] for r in rows[:2]]),
        "judgments/cn/header_only.csv": csv_text(header, []),
        "cail/a.jsonl": good_lines(),
    })
    m = make(raw, tmp_path / "d")
    assert_complete(tmp_path / "d", m)
    d = tmp_path / "d"
    assert "no 全文 column" in reject_of(d, "judgments/cn/english.csv", 1)
    assert "not UTF-8" in reject_of(d, "judgments/cn/gbk.csv", 1)
    assert "Parquet" in reject_of(d, "judgments/cn/fake.parquet", 1)
    assert "more than once" in reject_of(d, "judgments/cn/twice.csv", 1)
    assert m["inputs"]["judgments/cn/header_only.csv"]["read"] == 0
    good_counts = m["inputs"]["judgments/cn/good.csv"]
    assert good_counts["read"] == 3 and good_counts["rejected"] == 0
    assert m["inputs"]["cail/a.jsonl"]["converted"] == 5


def test_J02_a_csv_without_the_filter_columns_is_never_dropped_silently(tmp_path):
    header, rows = csv_rows()
    i, j = header.index("案号"), header.index("全文")
    raw = raw_with(tmp_path, {"judgments/cn/a.csv": csv_text(["案号", "全文"], [[r[i], r[j]] for r in rows[:5]])})
    r = cli("--raw", str(raw), "--out", str(tmp_path / "d"), "--workers", "1")
    if r.returncode == 0:
        c = json.loads((tmp_path / "d" / "manifest.json").read_text())["inputs"]["judgments/cn/a.csv"]
        assert c["converted"] + c["skipped"] == 5 and c["converted"] > 0
        assert not c["skipped"] or "skipped" in r.stdout  # each filter's reason on the console
    else:
        assert "nothing converted" in r.stderr and "skipped 5:" in r.stderr, r.stderr


def test_J04_an_unclosed_quote_costs_only_its_own_record(tmp_path):
    header, rows = csv_rows()
    bad = csv_text(header, rows[2:3]).split("\n", 1)[1].rstrip("\n")
    bad = bad[: bad.rindex('"')] + "\n"  # the 全文 quote never closes
    text = csv_text(header, rows[:2]) + bad + csv_text(header, rows[3:6]).split("\n", 1)[1]
    raw = raw_with(tmp_path, {"judgments/cn/a.csv": text})
    m = make(raw, tmp_path / "d", case_types="", procedures="")
    assert_complete(tmp_path / "d", m)
    c = m["inputs"]["judgments/cn/a.csv"]
    assert c["read"] == 6 and c["rejected"] == 1, c  # 5 good records read, one reject for the broken one
    first = 2 + sum(csv_text(header, [r]).count("\n") - 1 for r in rows[:2])  # the broken record's line
    assert "unclosed quote" in reject_of(tmp_path / "d", "judgments/cn/a.csv", first)


def test_J05_J06_J09_judgment_damage_line_by_line(tmp_path):
    header, rows = csv_rows()
    blank = list(rows[0])
    blank[header.index("全文")] = ""
    tw = json.loads(TW_SAMPLE.read_text(encoding="utf-8-sig"))
    raw = raw_with(tmp_path, {
        "judgments/cn/a.csv": csv_text(header, [blank, *rows[:2]]),
        "judgments/cn/crlf.csv": "\ufeff" + csv_text(header, rows[:2]).replace("\n", "\r\n"),
        "judgments/tw/missing.json": json.dumps({k: v for k, v in tw.items() if k != "JFULL"}, ensure_ascii=False),
        "judgments/tw/big5.json": json.dumps(tw, ensure_ascii=False).encode("big5", "replace"),
        "judgments/tw/array.json": json.dumps([tw, {"JID": "x"}], ensure_ascii=False),
        "judgments/tw/good.json": json.dumps(tw, ensure_ascii=False),
    })
    m = make(raw, tmp_path / "d")
    assert_complete(tmp_path / "d", m)
    d = tmp_path / "d"
    assert "全文" in reject_of(d, "judgments/cn/a.csv", 2)
    assert m["inputs"]["judgments/cn/a.csv"]["converted"] == m["inputs"]["judgments/cn/crlf.csv"]["converted"] == 2
    assert "JFULL" in reject_of(d, "judgments/tw/missing.json", 1)
    assert "not UTF-8" in reject_of(d, "judgments/tw/big5.json", 1)
    assert reject_of(d, "judgments/tw/array.json", 2)
    assert m["inputs"]["judgments/tw/good.json"]["converted"] == 1


def test_J_a_converter_bug_costs_only_its_record(tmp_path, monkeypatch):
    """An unexpected exception inside a converter (a bug) rejects that record, naming where it was raised."""
    from converters import judgments_tw

    real = judgments_tw.convert_record

    def buggy(obj, source, line, stats, *settings):
        if "bug" in source:
            raise KeyError("unexpected")
        return real(obj, source, line, stats, *settings)

    monkeypatch.setattr(judgments_tw, "convert_record", buggy)
    import dataclasses

    from lawfactory.build import sources

    tw_source = sources.get_source("judgments_tw")
    monkeypatch.setitem(sources.SOURCES, "judgments_tw", dataclasses.replace(tw_source, convert=buggy))
    tw = TW_SAMPLE.read_text(encoding="utf-8-sig")
    raw = raw_with(tmp_path, {"judgments/tw/bug.json": tw, "judgments/tw/ok.json": tw, "cail/a.jsonl": good_lines()})
    m = make(raw, tmp_path / "d")
    assert_complete(tmp_path / "d", m)
    reason = reject_of(tmp_path / "d", "judgments/tw/bug.json", 1)
    assert "KeyError" in reason and "test_robustness_data.py" in reason
    assert m["inputs"]["judgments/tw/ok.json"]["converted"] == 1


def test_J_a_task_failure_costs_only_its_case(tmp_path, monkeypatch):
    """A task that fails on one case (past the conversion checks) leaves that case out of every
    dataset, with its file and line in rejects.jsonl; the other cases are built."""
    from lawfactory.build import pipeline as b
    from lawfactory.tasks import BaseTask

    class Failing(BaseTask):
        def rows(self, case, split, ctx):
            if case["source"].endswith(":3"):
                raise ValueError("boom")
            return ()

    monkeypatch.setattr(b, "TASKS", [*b.TASKS, Failing])
    raw = raw_with(tmp_path, {"cail/a.jsonl": good_lines()})
    m = make(raw, tmp_path / "d")
    assert_complete(tmp_path / "d", m)
    assert "boom" in reject_of(tmp_path / "d", "cail/a.jsonl", 3)
    assert m["task_rejects"] == 1
    rows = sum(d["rows"] for n, d in m["datasets"].items() if n.startswith("criminal_sentencing"))
    assert rows >= 4


# --- S: statutes ----------------------------------------------------------------------------------

def test_S01_S04_broken_statute_files_are_rejected_and_the_rest_built(tmp_path):
    xml = (SAMPLES / "statutes" / "tw" / "C0000001.json").read_bytes()
    raw = raw_with(tmp_path, {"statutes/tw/cut.json": xml[: len(xml) // 2], "statutes/tw/five.json": '{"Laws": 5}',
                              "statutes/cn/empty.md": "", "statutes/cn/gbk.md": "# 刑法\n第一条 测试。\n".encode("gbk"),
                              "cail/a.jsonl": good_lines()})
    m = make(raw, tmp_path / "d")
    assert_complete(tmp_path / "d", m)
    files = {r["file"] for r in rejects(tmp_path / "d")}
    assert {"statutes/tw/cut.json", "statutes/tw/five.json", "statutes/cn/gbk.md"} <= files


def test_S02_S03_S05_hostile_and_foreign_xml(tmp_path):
    xml = (SAMPLES / "statutes" / "tw" / "C0000001_FalV.xml").read_text(encoding="utf-8")
    lol = ('<?xml version="1.0"?>\n<!DOCTYPE 法規 [<!ENTITY a "aaaaaaaaaa">' +
           "".join(f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">' for i in range(9)) + "]>\n")
    lol_xml = lol + xml.replace("<法規名稱>中華民國刑法", "<法規名稱>&j;", 1)
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-HOSTNAME")
    xxe = (f'<?xml version="1.0"?>\n<!DOCTYPE 法規 [<!ENTITY xxe SYSTEM "file://{secret}">]>\n' +
           xml.replace("中華民國刑法", "中華民國刑法&xxe;", 1))
    big5 = '<?xml version="1.0" encoding="big5"?>\n' + xml
    raw = raw_with(tmp_path, {"statutes/tw/lol.xml": lol_xml, "statutes/tw/xxe.xml": xxe,
                              "statutes/tw/big5.xml": big5.encode("big5", "replace"), "cail/a.jsonl": good_lines()})
    m = make(raw, tmp_path / "d")
    assert_complete(tmp_path / "d", m)
    d = tmp_path / "d"
    assert [r for r in rejects(d) if r["file"] == "statutes/tw/lol.xml" and "amplification" in r["reason"]]
    assert m["inputs"]["statutes/tw/xxe.xml"]["converted"] == 27  # the external entity is dropped
    assert not any(b"TOP-SECRET" in p.read_bytes() for p in d.rglob("*") if p.is_file())
    assert "declared encoding big5" in reject_of(d, "statutes/tw/big5.xml", 1)
    assert m["inputs"]["cail/a.jsonl"]["converted"] == 5


# --- P: paths -------------------------------------------------------------------------------------

@pytest.mark.parametrize("case_id, setup, expect", [
    ("P01", lambda t: (t / "nope", t / "new"), "does not exist"),
    ("P03", lambda t: (t / "raw", t / "raw"), "inside --raw"),
    ("P04", lambda t: (t / "raw", t / "raw" / "cail"), "inside --raw"),
    ("P05", lambda t: (t / "raw", t / "raw" / "judgments" / "cn" / "out"), "inside --raw"),
    ("P05b", lambda t: (t / "d" / "raw", t / "d"), "inside --out"),
    ("P07", lambda t: (t / "raw", t / "afile"), "is a file, not a folder"),
    ("P08", lambda t: (t / "raw", t / "afile" / "d"), "is a file, not a folder"),
])
def test_P_paths_refused_with_a_clear_error(tmp_path, case_id, setup, expect):
    raw_with(tmp_path, {"cail/a.jsonl": good_lines()})
    shutil.copytree(tmp_path / "raw", tmp_path / "d" / "raw")
    (tmp_path / "afile").write_text("x")
    raw, out = setup(tmp_path)
    r = cli("--raw", str(raw), "--out", str(out), "--workers", "1")
    assert r.returncode == 1 and expect in r.stderr and "Traceback" not in r.stderr, (case_id, r.stderr)
    assert (tmp_path / "afile").read_text() == "x"
    if case_id == "P01":
        assert not out.exists()  # nothing created for a build that cannot start


def test_P06_spaces_and_chinese_in_names(tmp_path):
    raw = raw_with(tmp_path / "原始 数据", {"cail/案件 一.jsonl": good_lines()})
    m = make(raw, tmp_path / "输出 目录")
    assert_complete(tmp_path / "输出 目录", m)
    assert m["inputs"]["cail/案件 一.jsonl"]["converted"] == 5


def test_P09_an_output_blocked_by_a_folder_keeps_the_previous_build(tmp_path):
    raw = raw_with(tmp_path, {"cail/a.jsonl": good_lines()})
    out = tmp_path / "d"
    m1 = make(raw, out)
    before = output_files(out)
    (out / "criminal_sentencing.jsonl").unlink()
    (out / "criminal_sentencing.jsonl").mkdir()
    r = cli("--raw", str(raw), "--out", str(out), "--workers", "1")
    assert r.returncode == 1 and "criminal_sentencing.jsonl is a folder" in r.stderr and "Traceback" not in r.stderr
    after = output_files(out)
    assert after == {k: v for k, v in before.items() if k != "criminal_sentencing.jsonl"}  # nothing switched
    assert m1["output_sha256"]


# --- O: options -----------------------------------------------------------------------------------

@pytest.mark.parametrize("case_id, args, option", [
    ("O01", ["--exclude", "nope.json"], "--exclude"),
    ("O03", ["--eval-ratio", "1.5"], "--eval-ratio"),
    ("O04", ["--eval-ratio", "-1"], "--eval-ratio"),
    ("O05", ["--near-dup-threshold", "0"], "--near-dup-threshold"),
    ("O06", ["--workers", "-3"], "--workers"),
    ("O06b", ["--shard-bytes", "0"], "--shard-bytes"),
    ("O07", ["--date-from", "2021-13-45"], "--date-from"),
    ("O09", ["--cutoff-len", "-1"], "--cutoff-len"),
    ("O10", ["--charges", "samples"], "--charges"),
    ("O11", ["--max-record-chars", "0"], "--max-record-chars"),
])
def test_O_bad_options_name_the_option(tmp_path, case_id, args, option):
    r = cli("--raw", str(SAMPLES), "--out", str(tmp_path / "d"), *args)
    assert r.returncode in (1, 2) and option in r.stderr and "Traceback" not in r.stderr, (case_id, r.stderr)
    assert not (tmp_path / "d" / "dataset_info.json").exists()


def test_O02_O08_exclude_of_garbage_counts_and_a_missing_tokenizer(tmp_path):
    raw = raw_with(tmp_path, {"cail/a.jsonl": good_lines()})
    (tmp_path / "bad.jsonl").write_text("garbage\n{{\n")
    m = make(raw, tmp_path / "d", exclude=[str(tmp_path / "bad.jsonl")])
    assert_complete(tmp_path / "d", m)
    r = cli("--raw", str(raw), "--out", str(tmp_path / "d2"), "--workers", "1", "--tokenizer", str(tmp_path / "none"))
    assert r.returncode == 2 and "--tokenizer" in r.stderr and "Traceback" not in r.stderr


# --- K: kills, dead workers, concurrency, stale outputs ---------------------------------------------

def small_raw(tmp_path: Path) -> Path:
    """A few of every kind of input (CAIL, both judgment layouts, statutes): every stage runs."""
    raw = tmp_path / "raw"
    (raw / "cail").mkdir(parents=True)
    (raw / "cail" / "a.jsonl").write_text(good_lines(20), encoding="utf-8")
    shutil.copytree(SAMPLES / "statutes" / "cn", raw / "statutes" / "cn")
    (raw / "judgments" / "tw").mkdir(parents=True)
    shutil.copy(TW_SAMPLE, raw / "judgments" / "tw")
    (raw / "judgments" / "cn").mkdir(parents=True)
    shutil.copy(SAMPLES / "judgments" / "cn" / "cjo_layouts.jsonl", raw / "judgments" / "cn")
    return raw


def loadable_generation(out: Path) -> str:
    """'none' when DATA has no registry (nothing loadable); else the fingerprint of the one whole
    generation DATA holds. Fails when the registry is there with outputs of mixed generations."""
    if not (out / "dataset_info.json").exists():
        return "none"
    m = json.loads((out / "manifest.json").read_text())
    assert generation.verify(out, m) == [], "a mixed or partial generation is loadable"
    info = json.loads((out / "dataset_info.json").read_text())
    assert all((out / a["file_name"]).is_file() for a in info.values())
    return m["fingerprint"]["sha256"]


def kill_points(n_outputs: int) -> list[tuple[str, dict]]:
    """Conversion (after 2 shards), the task stage, and the switch: fenced with the old outputs
    removed, half the new outputs moved in, all but the registry, everything."""
    last = n_outputs + 3  # fence, removal, each output but the registry, manifest, registry
    return [("shards", {shards.KILL_ENV: "2"}), ("tasks", {generation.KILL_AT_ENV: "tasks"})] + \
        [(f"switch:{n}", {generation.KILL_AT_ENV: f"switch:{n}"}) for n in (2, last // 2, last - 1, last)]


def test_K01_K04_K05_kills_at_every_stage_leave_one_whole_generation_and_resume_identically(tmp_path):
    raw = small_raw(tmp_path)
    base = ["--raw", str(raw), "--shard-bytes", "3000", "--workers", "2"]
    clean = tmp_path / "clean"
    assert cli(*base, "--out", str(clean), "--seed", "2").returncode == 0
    old = tmp_path / "old"
    assert cli(*base, "--out", str(old), "--seed", "1").returncode == 0
    old_fp, new_fp = loadable_generation(old), loadable_generation(clean)
    seen = set()
    for name, env in kill_points(len(json.loads((clean / "manifest.json").read_text())["outputs"])):
        out = tmp_path / f"k-{name.replace(':', '-')}"
        shutil.copytree(old, out, symlinks=True, ignore=shutil.ignore_patterns(".work"))  # conversion runs again
        r = cli(*base, "--out", str(out), "--seed", "2", env=env)
        assert r.returncode == -signal.SIGKILL, (name, r.stderr[-2000:])
        state = loadable_generation(out)
        assert state in (old_fp, "none", new_fp), name
        seen.add(state if state == "none" else ("old" if state == old_fp else "new"))
        r = cli(*base, "--out", str(out), "--seed", "2")
        assert r.returncode == 0, (name, r.stderr[-2000:])
        assert output_files(out) == output_files(clean), name
        assert not list(out.rglob("*.partial")) and not (out / ".work" / "stage").exists(), name
    assert seen == {"old", "none", "new"}  # the kill points cover every state of the switch


def start_with_workers(tmp_path: Path) -> tuple[subprocess.Popen, list[int], list[str]]:
    """A 2-worker build of a few thousand records, once its pool is up: (process, worker pids, command)."""
    raw = tmp_path / "raw"
    (raw / "cail").mkdir(parents=True)
    with open(raw / "cail" / "big.jsonl", "w", encoding="utf-8") as f:
        for k in range(40):
            f.writelines(line({**r, "fact": f"[{k}] " + r["fact"] * 20}) + "\n" for r in sample_records())
    cmd = ["--raw", str(raw), "--out", str(tmp_path / "d"), "--workers", "2", "--shard-bytes", "20000"]
    p = subprocess.Popen([sys.executable, "-m", "lawfactory.cli", "data", *cmd], cwd=REPO, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True)
    workers = []
    for _ in range(600):  # wait for the pool (up to 60 s on a loaded machine)
        workers = children(p.pid)
        if len(workers) >= 2 or p.poll() is not None:
            break
        time.sleep(0.1)
    if len(workers) < 2:
        p.kill()
        pytest.fail("the pool never started")
    return p, workers, cmd


def test_K03_a_killed_worker_fails_the_build_promptly_without_orphans(tmp_path):
    p, workers, _ = start_with_workers(tmp_path)
    try:
        os.kill(workers[-1], signal.SIGKILL)  # what the out-of-memory killer does
        _, err = p.communicate(timeout=120)
    finally:
        if p.poll() is None:
            p.kill()
    assert p.returncode == 1 and "worker process died" in err and "Traceback" not in err, err[-2000:]
    time.sleep(0.5)
    assert not [w for w in workers if alive(w)], "orphaned worker"
    assert not (tmp_path / "d" / "dataset_info.json").exists()


def test_K02_killing_the_parent_takes_its_workers(tmp_path):
    p, workers, _ = start_with_workers(tmp_path)
    p.kill()
    p.communicate(timeout=60)
    for _ in range(50):
        if not [w for w in workers if alive(w)]:
            break
        time.sleep(0.1)
    orphans = [w for w in workers if alive(w)]
    for w in orphans:
        os.kill(w, signal.SIGKILL)
    assert not orphans, "orphaned workers"
    assert loadable_generation(tmp_path / "d") == "none"  # resuming is test_K01_…'s (kill point "shards")


def children(pid: int) -> list[int]:
    out = []
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                stat = (d / "stat").read_text()
            except OSError:
                continue
            if int(stat.rpartition(")")[2].split()[1]) == pid:
                out.append(int(d.name))
    return sorted(out)


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_K_workers_under_spawn_match_fork_and_one_process(tmp_path):
    raw = small_raw(tmp_path)
    opts = {"raw": raw, "shard_bytes": 4000, "pseudonymize": True, "case_types": "刑事案件"}
    build(BuildConfig.of(out=tmp_path / "one", workers=1, **opts))
    build(BuildConfig.of(out=tmp_path / "spawn", workers=2, start_method="spawn", **opts))
    assert output_files(tmp_path / "spawn") == output_files(tmp_path / "one")


def test_K07_K08_a_second_build_into_the_same_DATA_is_refused(tmp_path):
    raw = raw_with(tmp_path, {"cail/a.jsonl": good_lines()})
    out = tmp_path / "d"
    (out / ".work").mkdir(parents=True)
    with open(out / ".work" / "lock", "a+") as f:  # a build in progress holds this lock
        fcntl.flock(f.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        f.write("4242")
        f.flush()
        r = cli("--raw", str(raw), "--out", str(out), "--workers", "1")
    assert r.returncode == 1 and "in use by another `lawfactory data` (pid 4242)" in r.stderr
    assert not (out / "cases.jsonl").exists()
    r = cli("--raw", str(raw), "--out", str(out), "--workers", "1")  # the lock went with its holder
    assert r.returncode == 0, r.stderr


def test_K09_a_truncated_output_is_rebuilt(tmp_path):
    raw = raw_with(tmp_path, {"cail/a.jsonl": good_lines()})
    out = tmp_path / "d"
    assert cli("--raw", str(raw), "--out", str(out), "--workers", "1").returncode == 0
    clean = output_files(out)
    data = (out / "criminal_sentencing.jsonl").read_bytes()
    (out / "criminal_sentencing.jsonl").write_bytes(data[: len(data) // 2])
    (out / "cn_statutes_qa.jsonl").write_bytes(b"")
    r = cli("--raw", str(raw), "--out", str(out), "--workers", "1")
    assert r.returncode == 0 and "up to date" not in r.stdout, r.stdout
    assert output_files(out) == clean
    r = cli("--raw", str(raw), "--out", str(out), "--workers", "1")
    assert "up to date" in r.stdout


def test_K10_a_failed_rebuild_leaves_the_previous_generation_whole(tmp_path, monkeypatch):
    raw = raw_with(tmp_path, {"cail/a.jsonl": good_lines()})
    out = tmp_path / "d"
    m1 = make(raw, out)
    before = output_files(out)
    (raw / "cail" / "b.jsonl").write_text(good_lines(2, "壬"))
    from lawfactory.build import pipeline as b

    def broken(*a, **k):
        raise RuntimeError("the disk is full")

    monkeypatch.setattr(b.datacard, "write", broken)
    with pytest.raises(RuntimeError):
        make(raw, out)
    assert output_files(out) == before  # the new cases.jsonl never reached DATA
    assert loadable_generation(out) == m1["fingerprint"]["sha256"]


def test_K05_K09_K10_check_refuses_a_half_switched_or_edited_build(tmp_path):
    from lawfactory.preflight import check

    raw = raw_with(tmp_path, {"cail/a.jsonl": good_lines()})
    out = tmp_path / "d"
    make(raw, out)
    attr = {"name": "criminal_sentencing", "load_from": "file", "dataset_name": "criminal_sentencing.jsonl",
            "formatting": "alpaca", "prompt": "instruction", "query": "input", "response": "output"}

    def problems() -> str:  # what `lawfactory check … dataset_dir=DATA` reports for the dataset
        return "\n".join(p for ds in check.load_datasets({"datasets": {"train": [attr]}}, out) for p in ds.problems)

    assert problems() == ""
    data = (out / "criminal_sentencing.jsonl").read_bytes()
    (out / "criminal_sentencing.jsonl").write_bytes(data[: data.rindex(b"\n", 0, len(data) - 1) + 1])  # one row fewer
    assert "criminal_sentencing.jsonl changed since `lawfactory data` wrote it" in problems()
    (out / "manifest.json").unlink()  # what a kill in the middle of the switch leaves (the registry goes first)
    assert "holds no complete `lawfactory data` build" in problems()


def test_C18_J09_nul_characters(tmp_path):
    header, rows = csv_rows()
    nul_row = list(rows[0])
    nul_row[header.index("全文")] = nul_row[header.index("全文")].replace("经审理查明，", "经审理查明，\x00", 1)
    raw = raw_with(tmp_path, {
        "cail/a.jsonl": good_lines() + '{"fact": "x\x00y"}\n'
                        + line({**GOOD[1], "fact": "被告人\u0000" + GOOD[1]["fact"]}) + "\n",
        "cail/zeros.jsonl": b"\x00" * 65536,
        "judgments/cn/nul.csv": csv_text(header, [nul_row, rows[1]]),
    })
    m = make(raw, tmp_path / "d")
    assert_complete(tmp_path / "d", m)
    d = tmp_path / "d"
    assert "invalid JSON" in reject_of(d, "cail/a.jsonl", 6)  # a raw NUL byte inside a JSON string
    assert "NUL" in reject_of(d, "cail/a.jsonl", 7)  # an escaped \u0000: never carried into a dataset
    assert reject_of(d, "cail/zeros.jsonl", 1)
    assert "NUL" in reject_of(d, "judgments/cn/nul.csv", 2)
    assert m["inputs"]["cail/a.jsonl"]["converted"] == 5
    assert not any(b"\\u0000" in p.read_bytes() for p in d.glob("*.jsonl") if p.name != "rejects.jsonl")


def test_K06_ctrl_c_stops_cleanly(tmp_path):
    p, workers, _ = start_with_workers(tmp_path)
    p.send_signal(signal.SIGINT)
    _, err = p.communicate(timeout=120)
    assert p.returncode in (130, 0) and "Traceback" not in err, err[-2000:]  # 0: it finished before the signal
    if p.returncode == 130:
        assert "interrupted" in err and loadable_generation(tmp_path / "d") == "none"
    time.sleep(0.5)
    assert not [w for w in workers if alive(w)], "orphaned worker"


def test_J08_J11_parquet_columns_and_impossible_dates(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    header, rows = csv_rows()
    recs = [dict(zip(header, r)) for r in rows[:3]]
    recs[0]["全文"] = None
    recs[1]["裁判日期"] = "2021-02-30"
    raw = raw_with(tmp_path, {"cail/a.jsonl": good_lines()})
    (raw / "judgments" / "cn").mkdir(parents=True)
    pq.write_table(pa.Table.from_pylist(recs), raw / "judgments" / "cn" / "a.parquet")
    pq.write_table(pa.Table.from_pylist([{"url": "x", "title": "y"}]), raw / "judgments" / "cn" / "wrong.parquet")
    m = make(raw, tmp_path / "d")
    assert_complete(tmp_path / "d", m)
    d = tmp_path / "d"
    assert "全文" in reject_of(d, "judgments/cn/a.parquet", 1)
    assert "impossible date" in reject_of(d, "judgments/cn/a.parquet", 2)
    assert m["inputs"]["judgments/cn/a.parquet"]["converted"] == 1
    assert "全文" in reject_of(d, "judgments/cn/wrong.parquet", 1)
