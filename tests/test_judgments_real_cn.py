"""Mainland real judgments (LeCaRD / CAIL 类案检索 documents in ../shared/data/real/judgments/cn):
the issue's bars, measured on the shared set. Gold labels were made by reading the judgments
(tests/gold/judgments_cn.json, see tests/gold/README.md); nothing here is derived from the
converter's output."""

from __future__ import annotations

import json
import re
from collections import Counter

import pytest

from converters import judgments_cn, lecard
from lawfactory.records import RecordError, Skip

from conftest import REPO, real_path

pytestmark = pytest.mark.real

BAR = 0.97
GOLD = REPO / "tests" / "gold" / "judgments_cn.json"
# why a convicted-looking party may yield no case: the issue counts these, they are no misses
NOT_A_MISS = ("acquitted (无罪)", "not criminally responsible (不负刑事责任)",
              "corporate defendant (被告单位), fine only: no case")
# header and signature lines that must never reach a sample (the 当事人 block, 首部, 尾部)
HEADER_LINE = re.compile(
    r"^(?:(?:指定|委托)?辩护人[^，,\n]{1,12}[，,][^\n]{0,30}律师事务所|公诉机关[^\n]{0,40}人民检察院。?$"
    r"|[^\n]{2,40}人民法院$|刑事(?:附带民事)?判决书$|[（(]\d{4}[）)][^\n，。]{1,25}号$"
    r"|(?:审\s*判\s*长|审\s*判\s*员|书\s*记\s*员|人民陪审员|代理审判员)\s*\S{1,4}$)", re.M)


@pytest.fixture(scope="module")
def converted():
    """writId → (document, manifest class, cases | Skip | RecordError, per-record stats)."""
    path = real_path("judgments", "cn", "lecard_candidates.jsonl")
    classes = {}
    for row in real_path("judgments", "cn", "manifest.tsv").read_text(encoding="utf-8").splitlines()[1:]:
        cols = row.split("\t")
        classes[cols[1]] = cols[2]
    out = {}
    for line, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        doc = json.loads(raw)
        stats = Counter()
        try:
            result = judgments_cn.convert_record(doc, path.name, line, stats)
        except (RecordError, Skip) as e:
            result = e
        out[doc["writId"]] = (doc, classes[doc["writId"]], result, stats)
    return out


def _left_out(stats: Counter) -> list[str]:
    return [k.split(": ", 1)[1] for k, n in stats.items() if k.startswith("judgment defendants left out")
            for _ in range(n)]


def _convicted_without_case(doc: dict, cases: list[dict]) -> set[str]:
    """Defendants the publisher's own 判决结果 field (pjjg) convicts (被告人X犯…) and the text
    introduces (被告人X，…) who got no case: a check independent of the converter's parties reader."""
    text = lecard.full_text(doc["qw"])
    convicted = set(re.findall(r"被告人([^\s，,。；;、：:（()）]{1,8}?)犯", doc.get("pjjg") or ""))
    introduced = {n for n in convicted if re.search(rf"被告人[：:]?(?:自报)?{re.escape(n)}[，,（(。]", text)}
    return introduced - {c["defendant"] for c in cases}


def test_yield_every_convicted_defendant_of_first_instance_judgments(converted):
    """≥97% of the judgments that should convert (neither a negative nor all-acquitted) yield a
    case for every convicted defendant; every other record is a Skip with its reason."""
    expected = complete = 0
    misses = []
    for wid, (doc, cls, result, stats) in converted.items():
        if isinstance(result, Skip):
            continue
        expected += 1
        if isinstance(result, RecordError):
            misses.append((wid, str(result)))
        elif all(why in NOT_A_MISS for why in _left_out(stats)) and not _convicted_without_case(doc, result):
            complete += 1
        else:
            misses.append((wid, _left_out(stats), _convicted_without_case(doc, result)))
    print(f"\nmainland yield: {complete}/{expected} judgments with every convicted defendant a case "
          f"({complete / expected:.1%}); misses: {misses}")  # pytest -s shows the figures
    assert expected >= 270
    assert complete / expected >= BAR, misses


def test_negatives_and_acquittals_are_skipped_with_their_reason(converted):
    skips = Counter()
    for wid, (doc, cls, result, stats) in converted.items():
        if cls != "criminal_first_instance":  # 二审 / 再审: skipped, never rejected, never a case
            assert isinstance(result, Skip) and "not in 刑事一审" in str(result), (wid, result)
        if isinstance(result, Skip):
            skips[re.sub(r" \(.*", "", str(result))] += 1
    assert skips["审理程序 刑事二审 not in 刑事一审"] >= 14 and skips["审理程序 刑事审判监督 not in 刑事一审"] >= 1
    assert skips["all defendants acquitted"] >= 1  # 被告人…无罪: no sample, counted
    assert set(skips) <= {"审理程序 刑事二审 not in 刑事一审", "审理程序 刑事审判监督 not in 刑事一审",
                          "all defendants acquitted"}


def test_no_header_lawyer_or_signature_line_in_any_sample(converted):
    for wid, (doc, cls, result, stats) in converted.items():
        for c in result if isinstance(result, list) else []:
            for field in ("facts", "reasoning", "verdict"):
                m = HEADER_LINE.search(c[field])
                assert not m, (wid, field, m.group())
            assert "如不服" not in c["verdict"], wid  # the appeal notice is the 尾部
            # the prosecutor's recommended sentence is the answer: never in the input
            assert not re.search(r"建议(?:判处|对被告人)|量刑(?:幅度|建议)[为是：:]", c["facts"]), wid


def test_the_title_and_case_name_never_leak_a_name_the_text_masks(converted):
    """writName / ajName may name a defendant the text masks: no name-like part of them that the
    judgment text (after its heading) lacks may appear in a case."""
    for wid, (doc, cls, result, stats) in converted.items():
        if not isinstance(result, list):
            continue
        body = lecard.full_text(doc["qw"])
        title = re.split(r"[一二]审|再审|刑事|民事|附带|判决书|裁定书|犯|罪|一案|等|、|与|和",
                         doc["writName"] + "|" + doc["ajName"])
        leaks = {t[i:i + 2] for t in title for i in range(len(t) - 1)} - {""}
        leaks = {s for s in leaks if re.fullmatch(r"[\u4e00-\u9fff]{2}", s) and s not in body}
        for c in result:
            text = json.dumps(c, ensure_ascii=False)
            assert not [s for s in leaks if s in text], (wid, [s for s in leaks if s in text])


def _gold():
    return json.loads(GOLD.read_text(encoding="utf-8"))["records"]


def _term(kind, months, days, probation, fine):
    return (kind, days if days else (months or 0), probation, fine)


def _article(a: dict) -> str:
    return f"{a['number']}-{a['suffix']}" if a["suffix"] else str(a["number"])


def test_against_hand_read_gold(converted):
    """Per convicted defendant of the gold: kind, term, probation and fine exactly (≥97%), and
    charges and principal penalty (≥97%); ≥97% of
    the gold criminal-law articles found in his case; no sentence on the wrong defendant (a case
    whose sentence is another co-defendant's, or a case for someone the gold does not convict)."""
    gold = _gold()
    total = exact = articles = found = labels = 0
    wrong, errors = [], []
    for wid, g in gold.items():
        result = converted[wid][2]
        cases = {c["defendant"]: c for c in result} if isinstance(result, list) else {}
        want = {d["name"]: d for d in g["defendants"] if d["convicted"]}
        terms = {n: _term(d["kind"], d["months"], d.get("days"), d["probation_months"], d["fine"])
                 for n, d in want.items()}
        for name, d in want.items():
            total += 1
            articles += len(d["articles"])
            c = cases.get(name)
            if c is None:
                errors.append((wid, name, "no case"))
                continue
            s = c["sentence"]
            got = _term(s["kind"], s["months"], s.get("days"), s["probation_months"], s["fine"])
            if got == terms[name]:
                exact += 1
            else:
                errors.append((wid, name, got, terms[name]))
                if got in [t for n, t in terms.items() if n != name and t != terms[name]]:
                    wrong.append((wid, name, got))
            found += len(set(d["articles"]) & {_article(a) for a in c["articles"]})
            labels += (c["charges"], s["principal"]) == (d["charges"], d["principal"])
        wrong += [(wid, n, "not convicted in the gold") for n in cases if n not in want]
    print(f"\nmainland gold: {exact}/{total} defendants exact ({exact / total:.1%}); articles {found}/{articles} "
          f"({found / articles:.1%}); wrong-defendant sentences {len(wrong)}")
    assert total >= 40
    assert exact / total >= BAR, errors
    assert found / articles >= BAR
    assert labels / total >= BAR  # charges in verdict order and the principal penalty too
    assert wrong == []


def test_every_sentence_is_the_one_in_that_defendants_own_clause_of_the_publishers_verdict(converted):
    """Beyond the gold: each case's sentence equals the one read from the defendant's own clause of
    the publisher's 判决结果 field (from 被告人X犯 to the next defendant's conviction), a cut made
    independently of the converter's verdict splitter; a co-defendant's sentence would differ."""
    from lawfactory.parse.terms import parse_sentence

    def key(s):
        return s and (s["kind"], s["months"], s["probation_months"], s["fine"])

    compared, wrong = 0, []
    for wid, (doc, cls, result, stats) in converted.items():
        verdict = lecard.full_text(doc.get("pjjg") or "")
        for c in result if isinstance(result, list) else []:
            at = verdict.find(f"被告人{c['defendant']}犯")
            if at < 0:
                continue
            nxt = re.search(r"被告人(?!" + re.escape(c["defendant"])
                            + r"[犯，、的])[^，。；\s]{1,8}?犯|被告单位|如不服", verdict[at + 3:])
            clause = verdict[at:at + 3 + (nxt.start() if nxt else len(verdict))]
            compared += 1
            if key(parse_sentence(clause)) != key(c["sentence"]):
                wrong.append((wid, c["defendant"], key(c["sentence"]), clause[:80]))
    assert compared >= 500 and wrong == []
