"""The input-format registry (lawfactory/build/sources.py) and a shard's conversion steps
(lawfactory/build/steps.py), without a build."""

import io
from pathlib import Path
from types import SimpleNamespace

import pytest

from lawfactory import jsonl
from lawfactory.build import sources, steps
from lawfactory.config import HygieneConfig, JudgmentConfig
from lawfactory.hygiene import quality
from lawfactory.records import RecordError, Skip

LONG = "被告人于某日在某商场窃取他人财物，价值人民币三千元，后被公安机关抓获归案。"


def test_registry_holds_case_and_statute_formats_in_reading_order():
    names = [s.name for s in sources.sources()]
    cases = [s.name for s in sources.sources(sources.CASES)]
    articles = [s.name for s in sources.sources(sources.ARTICLES)]
    assert names == cases + articles  # cases first: their patterns head the layouts read
    # a law read from JSON and XML keeps the JSON
    assert articles == ["lawrefbook_md", "moj_json", "falv_xml", "legi_json"]
    assert all(sources.get_source(n).convert is not None for n in cases)
    assert all(sources.get_source(n).convert is None for n in articles)
    assert sources.layouts() == [p for n in names for p in sources.get_source(n).patterns]
    assert "statutes/tw/*.xml" in sources.layouts() and "cail/*.jsonl.gz" in sources.layouts()


def test_registry_refuses_a_name_twice_and_names_the_known_ones():
    with pytest.raises(ValueError, match="registered twice"):
        sources.register_source("cail", ("x/*.jsonl",), jsonl.iter_jsonl, lambda *a: [])
    with pytest.raises(ValueError, match="cail"):
        sources.get_source("no_such_format")
    with pytest.raises(ValueError, match="needs a converter"):
        sources.register_source("new_cases", ("x/*.jsonl",), jsonl.iter_jsonl)
    assert "new_cases" not in sources.SOURCES


def test_input_files_and_hashes_read_the_registry(tmp_path):
    for rel in ("cail/a.jsonl", "statutes/tw/law.xml", "statutes/tw/law.json", "statutes/cn/刑法.md", "other/x.jsonl"):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text("{}\n", encoding="utf-8")
    found = [(s.name, p.relative_to(tmp_path).as_posix()) for s, p in sources.input_files(tmp_path)]
    assert found == [("cail", "cail/a.jsonl"), ("lawrefbook_md", "statutes/cn/刑法.md"),
                     ("moj_json", "statutes/tw/law.json"), ("falv_xml", "statutes/tw/law.xml")]
    hashes = sources.input_hashes(tmp_path, sources.ARTICLES)
    assert list(hashes) == ["statutes/cn/刑法.md", "statutes/tw/law.json", "statutes/tw/law.xml"]
    assert hashes["statutes/tw/law.xml"] == jsonl.file_sha256(tmp_path / "statutes/tw/law.xml")
    assert sources.unmatched_inputs(tmp_path, [r for _, r in found]) == {"other/x.jsonl": "matches no input layout"}


def convert(obj, source, line, stats, settings):
    """Test converter: one case per fact of the record; `skip` and `bad` are what converters raise."""
    if obj.get("skip"):
        raise Skip("not a criminal case")
    if obj.get("bad"):
        raise RecordError("no verdict")
    stats["test: converted"] += 1
    return [{"case_id": f"{source}:{line}:{i}", "jurisdiction": "cn", "facts": f} for i, f in enumerate(obj["facts"])]


def run_shard(records, threshold=None):
    source = SimpleNamespace(read=lambda path: iter(records), convert=convert)
    shard = SimpleNamespace(rel="t.jsonl", path="t.jsonl", start=0, end=None, first_line=1)
    cfg = SimpleNamespace(max_chars=10_000, probe=None, quality=quality.Quality(HygieneConfig.min_fact_chars),
                          threshold=threshold, judgments=JudgmentConfig())
    out = {k: io.StringIO() for k in ("cases", "rejects", "filtered")}
    conv = steps.conversion(shard, source, cfg, **out)
    conv.run()
    return conv, {k: [jsonl.loads(x) for x in f.getvalue().splitlines()] for k, f in out.items()}


def test_steps_count_and_write_each_outcome():
    conv, out = run_shard([
        (1, {"facts": [LONG, "太短"]}, None),  # one case kept, one filtered
        (2, {"skip": True}, None),
        (3, {"bad": True}, None),
        (4, None, "not JSON"),  # the reader's own reject
        (5, {"facts": [LONG + "又"]}, None),
    ], threshold=0.8)
    assert [c["case_id"] for c in out["cases"]] == ["t.jsonl:1:0", "t.jsonl:5:0"]
    assert [(r["line"], r["reason"]) for r in out["rejects"]] == [(3, "no verdict"), (4, "not JSON")]
    assert [(f["line"], f["case_id"]) for f in out["filtered"]] == [(1, "t.jsonl:1:1")]
    done = conv.done()
    assert done["counts"] == {"read": 5, "converted": 2, "rejected": 2, "skipped": 1, "cases": 2, "filtered": 1}
    assert done["filtered"] == {"facts shorter than 20 characters": 1}
    assert done["stats"]["test: converted"] == 2  # the rejected record's own counts are not kept
    assert done["stats"]["skipped: not a criminal case"] == 1
    assert done["outcomes"] == {"skipped": {"not a criminal case": 1}, "rejected": {"no verdict": 1, "not JSON": 1}}
    assert conv.quality.stats == {"forwarded": 2, "dropped": 1}
    assert len(conv.signature.gids) == 2 and all(conv.signature.active)


def test_a_record_failing_a_later_step_writes_nothing():
    """The first case is filtered, the second holds a NUL: the record is rejected whole, and its
    filtered case is neither written nor counted."""
    conv, out = run_shard([(1, {"facts": ["太短", LONG + "\x00"]}, None), (2, {"facts": [LONG]}, None)], threshold=0.8)
    assert [r["reason"] for r in out["rejects"]] == ["the record's text holds a NUL character (U+0000)"]
    assert out["filtered"] == [] and conv.done()["filtered"] == {}
    assert [c["case_id"] for c in out["cases"]] == ["t.jsonl:2:0"]
    assert conv.signature.gids == [b"t.jsonl:2:0"]
    assert conv.done()["counts"]["filtered"] == 0 and conv.done()["counts"]["rejected"] == 1


def test_a_converter_bug_is_a_reject_naming_where_it_was_raised(tmp_path):
    conv, out = run_shard([(1, {"facts": None}, None)])  # enumerate(None): TypeError in the converter
    (reason,) = [r["reason"] for r in out["rejects"]]
    assert reason.startswith("cannot convert this record: TypeError") and Path(__file__).name in reason
    assert conv.signature is None  # near-duplicate control off: no arrays
