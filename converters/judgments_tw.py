"""Taiwan 司法院 open-data judgments (JID, JYEAR, JCASE, JNO, JDATE, JTITLE, JFULL) → case records.

One JSON object per file (the open-data layout; UTF-8, often with a BOM); a file holding a JSON
array of such objects is read element by element (line = the element's 1-based index).

Criminal first instance is read from the JID ("TPDM,112,訴,123,20230101,1"):
- court code: district courts are XXD; the last letter is the division, M = 刑事. So a code
  ending in "DM" is a district-court criminal case (TPHM high court and TPSM supreme court are
  appeals; KSYM juvenile court and the V/A/E civil and administrative divisions are left out).
- case word (字別): a first instance ends in 訴, 易, 簡 or 自 (訴, 重訴, 選訴, 金訴, 交訴, 易, 交易,
  簡, 選簡, 嘉選簡, 審訴, 原訴, 自 for a private prosecution …), optionally followed by 更 (更一…:
  heard again after the appeal court sent it back) and 緝 (a fugitive's case resumed); any word with
  上 (簡上, 交簡上: appeals heard by a district court), 聲, 抗, 再, 附民 or other is not a
  first-instance judgment.
- and the document is a 判決 (裁定 rulings share case words).
A first-instance judgment in which no defendant is convicted (無罪, 免訴, 不受理) yields no case and
is skipped with that reason. Texts stay in Traditional Chinese; see docs/judgments_tw.md.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path
from typing import Iterator

from converters import judgments as common
from converters.sections_tw import split_tw, split_verdict_only
from converters.verdict_tw import (
    clauses,
    extract_tw,
    finding_sentences,
    header_defendants,
    not_convicted,
    read_sentence,
    resolve_names,
    verdict_names,
)
from lawfactory import jsonl
from lawfactory.config import JudgmentConfig
from lawfactory.parse.dates import normalize_date
from lawfactory.records import RecordError, Skip

FIELDS = ("JID", "JYEAR", "JCASE", "JNO", "JDATE", "JTITLE", "JFULL")
_FIRST_INSTANCE_WORD = re.compile(r"^[\u4e00-\u9fff]*(?:訴|易|簡|自)(?:更[一二三四五六七八九十\d]*)?緝?$")
_NOT_FIRST_INSTANCE = re.compile(r"上|聲|抗|再|附民|非")
# The law passage: 據上論斷 / 據上論結，應依刑事訴訟法第…條…，刑法第…條…，判決如主文; a 簡易判決's
# 依刑事訴訟法第449條…逕以簡易判決處刑如主文; a 協商判決's item 處罰條文： / 應適用之法條： /
# 適用之法律：, whose citations follow on the next line.
_BASIS_MARK = r"據上論[斷断結结]|(?:處罰|應適用之|所?適用之|論罪科刑之?)(?:條文|法條|法律)[:：]"
_BASIS_END = r"判決如主文|處刑如主文|簡易判決處"
_BASIS = re.compile(rf"{_BASIS_MARK}|[^。\n]*?(?:{_BASIS_END})")
# any of _BASIS's words, without the lead: where to look for the last _BASIS match
_BASIS_WORD = re.compile(rf"{_BASIS_MARK}|{_BASIS_END}")
_TOP_ITEM = re.compile(r"^(?:[一二三四五六七八九十]+|[壹貳參肆伍陸柒捌玖拾]+)[、，]|^本案經", re.M)


def read_file(path: Path) -> Iterator[tuple[int, object, str | None]]:
    """(1, the judgment, None) for a one-judgment file; (i, element, None) for an array."""
    raw = path.read_bytes()
    if raw.startswith(jsonl.BOM):
        raw = raw[len(jsonl.BOM):]
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError as e:
        yield 1, None, f"not UTF-8 (byte {e.start})"
        return
    try:
        obj = jsonl.loads(raw)
    except Exception as e:
        yield 1, None, f"invalid JSON: {e}"
        return
    if isinstance(obj, list):
        yield from ((i, x, None) for i, x in enumerate(obj, 1))
    else:
        yield 1, obj, None


def jid_parts(jid: str) -> tuple[str, str]:
    """JID → (court code, case word)."""
    parts = [p.strip() for p in jid.split(",")]
    if len(parts) < 4 or not parts[0]:
        raise RecordError(f"malformed JID {jid!r} (expected COURT,YEAR,WORD,NUMBER,…)")
    return parts[0], parts[2]


def first_instance_filter(court: str, word: str, full: str) -> None:
    if not court.endswith("DM"):
        raise Skip("not a district-court criminal case (court code not …DM)")
    if not _FIRST_INSTANCE_WORD.match(word) or _NOT_FIRST_INSTANCE.search(word):
        raise Skip("case word not a criminal first instance (訴/易/簡/自)")
    head = full.lstrip()[:120]
    if "判決" not in head:
        raise Skip("not a judgment (裁定 or other document)")


def basis_text(reasons: str) -> str:
    """The law passage, from its marker up to the next top-level item (its sub-items included:
    `四、適用之法律：（一）…（二）…`); without one, the 係犯 findings."""
    at = _last_basis(reasons)
    if at is not None:
        nxt = _TOP_ITEM.search(reasons, reasons.find("\n", at) + 1 if "\n" in reasons[at:] else len(reasons))
        return reasons[at:nxt.start() if nxt else len(reasons)]
    return "".join(finding_sentences(reasons)) or reasons


def _last_basis(reasons: str) -> int | None:
    """Where the last _BASIS match starts. No match crosses 。 or a line end and every match holds
    one of its words, so only the sentence with the last word is searched (the lazy lead
    `[^。\n]*?` retries from every character: over the whole 理由 it is quadratic)."""
    words = list(_BASIS_WORD.finditer(reasons))
    if not words:
        return None
    at = words[-1].start()
    start = max(reasons.rfind("。", 0, at), reasons.rfind("\n", 0, at)) + 1
    ends = [i for i in (reasons.find("。", at), reasons.find("\n", at)) if i >= 0]
    return list(_BASIS.finditer(reasons, start, min(ends, default=len(reasons))))[-1].start()


def convert_record(obj, source: str, line: int, stats: Counter,
                   settings: JudgmentConfig = common.DEFAULTS) -> list[dict]:
    if not isinstance(obj, dict):
        raise RecordError(f"record is a JSON {type(obj).__name__}, not a judgment object")
    missing = [k for k in ("JID", "JDATE", "JFULL") if not isinstance(obj.get(k), (str, int))
               or not str(obj.get(k)).strip()]
    if missing:
        raise RecordError(f"missing {', '.join(missing)}")
    jid, full = str(obj["JID"]), str(obj["JFULL"])
    court, word = jid_parts(jid)
    word = str(obj.get("JCASE") or word).strip()
    first_instance_filter(court, word, full)
    date = normalize_date(str(obj["JDATE"]))
    common.check_date(date, settings)

    full = common.scrub_all({"JFULL": full}, "tw", stats)["JFULL"]
    # who is convicted is read first: a judgment convicting no one is skipped, whatever its layout
    head, verdict = split_verdict_only(full)
    names, renamed = verdict_names(resolve_names(header_defendants(head), verdict), verdict)
    if renamed:
        stats["judgment defendants named only in the header (the 主文 masks them)"] += len(renamed)
    if not names:
        raise RecordError("no defendant named (被告…) in the header")
    parts = clauses(verdict, names)
    if not any(read_sentence(parts.get(n, "")) for n in names) and read_sentence(verdict) is None:
        why = not_convicted(verdict)  # the whole 主文 imposes no penalty: 無罪, 免訴, 不受理
        if why:
            stats["judgment defendants not convicted: " + why] += len(names)
            raise Skip("no defendant convicted: " + why)
    secs = split_tw(full, stats)
    reasons = secs["理由"]
    defendants, other = extract_tw(verdict, names, reasons)
    if not defendants:
        raise RecordError("no convicted defendant with charge and penalty in the 主文 ("
                          + "; ".join(f"{n}: {w}" for n, w in other.items()) + ")")
    for why in other.values():
        if why.startswith(("acquitted", "not convicted")):
            stats["judgment defendants not convicted: " + why] += 1
    left = [f"{n}: {w}" for n, w in other.items() if not w.startswith(("acquitted", "not convicted"))]
    articles, keys = common.cited_articles(basis_text(reasons), "tw")
    meta = {"format": "judicial_yuan", "jid": jid, "court": court, "case_word": word, "date": date,
            "title": str(obj.get("JTITLE") or ""), "citations": keys}
    return common.build_cases(
        source=source, line=line, jurisdiction="tw", names=names, defendants=defendants, facts=secs["事實"],
        reasoning=reasons, verdict_intro="主文：", articles=articles, meta=meta, stats=stats, left_out=left,
        attitude_texts=[secs["事實"], reasons], pseudonymize=settings.pseudonymize)

