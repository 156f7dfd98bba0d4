"""Taiwan 司法院 open-data judgments, real ones (../shared/data/real/judgments/tw, marker `real`):
every record accounted for, a case for every convicted defendant of ≥97% of the first-instance
judgments that convict, clean sample texts, and agreement with the hand-read gold labels."""

import csv
import json
import re
from collections import Counter
from functools import lru_cache

import pytest

from lawfactory.tasks.judgment_rows import judgment_sample

from conftest import REPO, real_path
from judgment_samples import convert_path

pytestmark = pytest.mark.real

FIRST_INSTANCE = "criminal_first_instance_DM"
GOLD = REPO / "tests" / "gold" / "judgments_tw.json"
_SENTENCE_END = "。：:；;！？!?」』）)】〕"
# a header or lawyer line: the parties the sample must not carry
_PARTY_LINE = re.compile(r"^(?:(?:選任|指定)?辯\s*護\s*人|公\s*訴\s*人|自\s*訴\s*人|聲\s*請\s*人|被\s*告)[ \u3000]"
                         r"|^.{0,16}律師$")
_PENALTY = re.compile(r"處[^。；]{0,8}?(?:有期徒刑|拘役|罰金|無期徒刑|死刑)|科[^。；]{0,4}罰金|免刑|應執行")


@lru_cache(maxsize=1)
def converted() -> dict:
    root = real_path("judgments", "tw")
    manifest = {r["file"]: r for r in csv.DictReader((root / "manifest.tsv").open(encoding="utf-8"), delimiter="\t")}
    return {f: (row, convert_path(root / f), json.loads((root / f).read_text(encoding="utf-8"))["JFULL"])
            for f, row in manifest.items()}


def _verdict_region(full: str) -> str:
    """The 主文 as a reader finds it: from its heading to the next 事實 / 理由 heading."""
    flat = re.sub(r"[ \u3000\r\n]", "", full)
    m = re.search(r"主文[：:]?(.*?)(?:犯罪事實|事實|理由|[二貳]、)", flat)
    return m.group(1) if m else ""


def test_every_record_accounted_for_and_negatives_skipped_not_rejected():
    reasons = Counter()
    for f, (row, r, _) in converted().items():
        assert r["read"] == 1 and len({c["source"] for c in r["cases"]}) + len(r["skips"]) + len(r["rejects"]) == 1, f
        if not row["class"].startswith(FIRST_INSTANCE):
            assert r["skips"] and not r["cases"] and not r["rejects"], (f, r["rejects"])
            reasons[r["skips"][0][1]] += 1
    assert sum(reasons.values()) == 10 and len(reasons) >= 2


def test_a_case_for_every_convicted_defendant_in_97_percent_of_convicting_judgments():
    convicting, complete, acquitted = 0, 0, 0
    for f, (row, r, full) in converted().items():
        if not row["class"].startswith(FIRST_INSTANCE):
            continue
        if r["skips"]:
            # skipped as convicting no one: its 主文 imposes no penalty at all
            assert r["skips"][0][1].startswith("no defendant convicted"), (f, r["skips"])
            assert not _PENALTY.search(_verdict_region(full)), f
            acquitted += 1
            continue
        convicting += 1
        left_out = sum(n for k, n in r["stats"].items() if k.startswith("judgment defendants left out"))
        complete += bool(r["cases"]) and left_out == 0
    assert acquitted > 0 and convicting + acquitted == 190
    assert complete / convicting >= 0.97, (f"{complete}/{convicting} convicting judgments yield every "
                                           "convicted defendant")


def _samples():
    for f, (row, r, full) in converted().items():
        for c in r["cases"]:
            yield f, c, judgment_sample(c), full


def test_no_private_use_character_and_no_party_line_in_any_sample():
    n = 0
    for f, c, row, _ in _samples():
        for text in (row["input"], row["output"]):
            n += 1
            assert not re.search(r"[\ue000-\uf8ff]", text), f
            for line in text.split("\n"):
                assert not _PARTY_LINE.search(line.strip()), (f, line)
    assert n > 200


def _open_full_line_ends(full: str) -> set[str]:
    """The last characters of the source lines that were cut at the file's width in the middle of
    a sentence: a sample line ending there still carries the hard wrap."""
    lines = [x.strip(" \u3000") for x in full.replace("\r\n", "\n").split("\n")]
    lengths = Counter(len(x) for x in lines if len(x) >= 20)
    if not lengths:
        return set()
    width = lengths.most_common(1)[0][0]
    return {x[-12:] for x in lines if len(x) >= width - 1 and x[-1] not in _SENTENCE_END and "│" not in x}


def test_no_hard_line_wrap_in_any_sample():
    wraps = []
    for f, c, row, full in _samples():
        ends = _open_full_line_ends(full)
        for text in (c["facts"], c["reasoning"], c["verdict"]):
            for line in text.split("\n")[:-1]:
                if len(line) >= 12 and line[-12:] in ends:
                    wraps.append((f, line[-30:]))
    assert not wraps, wraps[:10]


def test_private_use_code_points_are_all_counted():
    from converters.tw_text import PRIVATE_USE

    stats, unknown = Counter(), 0
    for _, r, full in converted().values():
        if r["cases"]:
            stats.update(r["stats"])
            unknown += sum(1 for ch in re.findall(r"[\ue000-\uf8ff]", full) if ord(ch) not in PRIVATE_USE)
    assert stats["private-use code points decoded"] > 0
    assert stats["private-use code points unknown"] == unknown > 0


# --- gold labels (tests/gold/judgments_tw.json, read by hand) ------------------------------------


def _gold() -> dict:
    return json.loads(GOLD.read_text(encoding="utf-8"))["records"]


def _key(a: dict) -> str:
    return f"{a['number']}-{a['suffix']}" if a["suffix"] else str(a["number"])


def gold_agreement() -> dict:
    out = Counter()
    wrong = []
    for jid, g in _gold().items():
        f = jid.replace(",", "_") + ".json"
        _, r, _ = converted()[f]
        got = {c["defendant"]: c for c in r["cases"]}
        convicted = {d["name"] for d in g["defendants"] if d["convicted"]}
        for d in g["defendants"]:
            if not d["convicted"]:
                out["acquitted with a case"] += d["name"] in got
                continue
            out["defendants"] += 1
            c = got.get(d["name"])
            if c is None:
                continue
            s = c["sentence"]
            term = (s["days"], d["days"]) if d.get("days") else (s["months"], d["months"] or 0)
            same = (s["kind"], term[0], s["probation_months"],
                    s["fine"]) == (d["kind"], term[1], d["probation_months"], d["fine"])
            out["exact"] += same
            if not same:
                wrong.append((jid, d["name"], s, d))
            arts = {_key(a) for a in c["articles"]}
            out["gold articles"] += len(d["articles"])
            out["articles found"] += len(set(d["articles"]) & arts)
        # a sentence given to someone the gold does not convict, or to a name it does not know
        out["wrong defendant"] += sum(1 for name in got if name not in convicted)
    return {"counts": out, "wrong": wrong}


def test_gold_sentences_exact_for_97_percent_of_convicted_defendants():
    a = gold_agreement()
    n = a["counts"]
    assert n["defendants"] >= 30
    assert n["exact"] / n["defendants"] >= 0.97, a["wrong"][:5]


def test_gold_articles_found_for_97_percent():
    n = gold_agreement()["counts"]
    assert n["gold articles"] > 0 and n["articles found"] / n["gold articles"] >= 0.97


def test_no_sentence_assigned_to_a_wrong_defendant():
    n = gold_agreement()["counts"]
    assert n["wrong defendant"] == 0 and n["acquitted with a case"] == 0
