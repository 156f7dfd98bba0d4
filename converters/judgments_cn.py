"""Mainland full-text judgments → case records, from two layouts:

- China Judgments Online columns (below);
- LeCaRD / CAIL 类案检索 documents (converters/lecard.py: ajId, ajName, ajjbqk, cpfxgc, pjjg,
  qw, writId, writName), JSON lines or one JSON object per `.json` file; read into the CJO
  columns first, so both give the same case records.

Columns (China Judgments Online style dumps; docs/judgments.md): 原始链接, 案号, 案件名称, 法院, 所属地区,
案件类型, 案件类型编码, 来源, 审理程序, 裁判日期, 公开日期, 当事人, 案由, 法律依据, 全文.
Read from CSV, Parquet (read_table,
one record at a time: memory stays flat however large the dump) or JSON lines (jsonl.iter_jsonl,
which the build also cuts into byte-range shards across workers).

Line numbers in rejects: JSON lines — the line; CSV — the physical line where the record starts
(the header is line 1; a 全文 with newlines spans several lines); Parquet — the row number (1-based).

Filters (converters/judgments.py Settings): 案件类型 and 审理程序 (default 刑事案件 / 刑事一审; a
blank 审理程序 is read from the case number: 刑初 is a first instance), 裁判日期 range.
"""

from __future__ import annotations

import csv
import re
import sys
from collections import Counter
from pathlib import Path
from typing import Iterator

from converters import judgments as common, lecard
from converters.sections import split_cn
from converters.verdict import defendants_cn, extract, named_in, shared_names
from lawfactory.config import JudgmentConfig
from lawfactory.parse.dates import normalize_date
from lawfactory.parse.leaks import mask_recommendation
from lawfactory.records import RecordError, Skip

COLUMNS = ("原始链接", "案号", "案件名称", "法院", "所属地区", "案件类型", "案件类型编码", "来源", "审理程序",
           "裁判日期", "公开日期", "当事人", "案由", "法律依据", "全文")
PARQUET_BATCH = 256  # rows per Arrow batch: a few MB of judgment text at a time

csv.field_size_limit(sys.maxsize)  # a 全文 can exceed the module's 128 KiB default


def read_table(path: Path) -> Iterator[tuple[int, object, str | None]]:
    """(line or row number, record dict, reject reason) for every record of a CSV or Parquet file."""
    if path.suffix.lower() == ".parquet":
        yield from _read_parquet(path)
    else:
        yield from _read_csv(path)


class _Lines:
    """The physical lines of a CSV file for csv.reader, numbered, with the lines of the record being
    read kept so that they can be read again (`reread_after_first`)."""

    def __init__(self, f) -> None:
        self.f, self.back, self.taken, self.n = f, [], [], 0

    def __iter__(self):
        return self

    def __next__(self) -> str:
        line = self.back.pop() if self.back else next(self.f)
        self.n += 1
        self.taken.append(line)
        return line

    def start_record(self) -> int:
        self.taken = []
        return self.n + 1

    def reread_after_first(self) -> None:
        rest = self.taken[1:]
        self.back.extend(reversed(rest))
        self.n -= len(rest)
        self.taken = self.taken[:1]


def _read_csv(path: Path) -> Iterator[tuple[int, object, str | None]]:
    # The csv module streams record by record and lets a bad record be rejected with its line;
    # pandas' C parser can only skip it silently or abort the chunk. Undecodable bytes are kept
    # as surrogates so that only the record holding them is rejected.
    # An unclosed quote would swallow the next records into one field: strict parsing stops at
    # the first quote out of place, the record's first line is rejected and reading starts again
    # on the line after it; the unusable lines up to the next good record make one reject.
    with open(path, encoding="utf-8-sig", errors="surrogateescape", newline="") as f:
        lines = _Lines(f)
        reader = csv.reader(lines, strict=True)
        try:
            header = [h.strip() for h in next(reader)]
        except StopIteration:
            return
        except csv.Error as e:
            yield 1, None, f"CSV error in the header: {e}"
            return
        if any(_has_surrogates(h) for h in header):  # the whole file is in another encoding
            yield 1, None, ("not UTF-8: the header does not decode (a GBK or Big5 export?); "
                            "save the file as UTF-8 and rerun")
            return
        twice = sorted({h for h in header if h and header.count(h) > 1})
        if twice:
            yield 1, None, f"column {', '.join(twice)} appears more than once in the header"
            return
        if "全文" not in header:
            yield 1, None, f"no 全文 column in the header ({', '.join(header[:6])}…)"
            return
        bad: list = []  # [first line, last line, reason] of consecutive unusable lines
        while True:
            line = lines.start_record()
            try:
                row = next(reader)
            except StopIteration:
                break
            except csv.Error as e:
                lines.reread_after_first()
                reader = csv.reader(lines, strict=True)
                row, why = None, f"CSV quoting out of step ({e}): an unclosed quote?"
            else:
                if not row or (len(row) == 1 and not row[0].strip()):
                    continue  # blank line
                why = f"{len(row)} fields where the header has {len(header)}" if len(row) != len(header) else None
            if why is not None:
                if bad:
                    bad[1] = line
                else:
                    bad = [line, line, why]
                continue
            if bad:
                yield _unusable(*bad)
                bad = []
            if any(_has_surrogates(v) for v in row):
                yield line, None, "not UTF-8"
                continue
            yield line, dict(zip(header, row)), None
        if bad:
            yield _unusable(*bad)


def _unusable(first: int, last: int, why: str) -> tuple[int, None, str]:
    return first, None, why + (f" (lines {first}–{last} hold no usable record)" if last > first else "")


def _has_surrogates(s: str) -> bool:
    try:
        s.encode("utf-8")
        return False
    except UnicodeEncodeError:
        return True


def _read_parquet(path: Path) -> Iterator[tuple[int, object, str | None]]:
    import pyarrow.parquet as pq

    f = pq.ParquetFile(path)
    n = 0
    for batch in f.iter_batches(batch_size=PARQUET_BATCH):
        for row in batch.to_pylist():
            n += 1
            yield n, row, None


def _text(obj: dict, key: str) -> str:
    v = obj.get(key)
    if v is None or (isinstance(v, float) and v != v):  # None / NaN from pandas-written files
        return ""
    return str(v).strip()


_TAGS = re.compile(r"<(?:br|/p|/div)\s*/?>|<[^>]+>", re.I)
# 案号: （2021）浙0106刑初123号 — 刑初 first instance, 刑终 appeal, 刑再 retrial, 刑更 commutation;
# older numbers put the division between 刑 and the kind (（2014）临罗刑一初字第81号, 刑二终字)
_PROCEDURE_FROM_NUMBER = {"初": "刑事一审", "终": "刑事二审", "再": "刑事审判监督", "监": "刑事审判监督",
                          "申": "刑事审判监督", "提": "刑事审判监督", "抗": "刑事审判监督", "更": "刑罚与执行变更",
                          "重": "刑事重审", "自": "刑事自诉"}
_NUMBER_KIND = re.compile(r"刑[一二三四五六七八九十]?(?P<k>[初终再监申提抗更重自])")
# 依照《…》第…条…之规定: the basis of the verdict (the last such clause of 本院认为)
_BASIS = re.compile(r"(?:依照|依据|根据|适用)(?=[^。]*《)")
# a clause of the passage for some defendants: …；对被告人郭某、王某依照《…》…；对被告人亓某依照…
_FOR_DEFENDANTS = re.compile(r"对(?:被告人|被告单位)?(?P<who>[^，,。；;：:《》]{1,80}?)"
                             r"(?:均|分别)?(?:依照|依据|根据|适用)")


# without a case number the parties tell: an appeal or retrial names 上诉人 / 原审被告人 / 原公诉机关 /
# 抗诉机关 (再审 in the text: a retrial); a first instance only 公诉机关 / 自诉人 and 被告人
_APPEAL_PARTIES = re.compile(r"上诉人|原审被告人|原公诉机关|抗诉机关")
_FIRST_PARTIES = re.compile(r"(?:公诉机关|自诉人)[\s\S]*?被告人")


def procedure(obj: dict) -> str:
    p = _text(obj, "审理程序")
    if p:
        return p
    m = _NUMBER_KIND.search(_text(obj, "案号"))
    if m:
        return _PROCEDURE_FROM_NUMBER[m.group("k")]
    head = _text(obj, "全文")[:3000]
    if _APPEAL_PARTIES.search(head):
        return "刑事审判监督" if "再审" in head else "刑事二审"
    return "刑事一审" if _FIRST_PARTIES.search(head) else ""


def basis_clause(reasoning: str) -> str:
    """The law passage before 判决如下: its last sentence when that cites a law (依照 / 依据 / 根据 /
    适用 …《…》), else from the reasoning's last 依照 on; the whole reasoning when nothing cites."""
    end = reasoning.rfind("判决如下")
    end = end if end >= 0 else len(reasoning)
    last = reasoning[reasoning.rfind("。", 0, end) + 1:]
    if _BASIS.search(last):
        return last
    found = list(_BASIS.finditer(reasoning))
    return reasoning[found[-1].start():] if found else reasoning


def basis_by_defendant(basis: str, names: list[str]) -> dict[str, str]:
    """{name: the part of the passage that applies to him} when it cites per defendant (…，对被告人X
    依照…；对被告人Y依照…): what precedes the first such clause, and a clause naming no one of them
    (对各被告人依照…, 对上述被告人…), apply to all; {} when no clause names a defendant."""
    longest = sorted(names, key=len, reverse=True)
    clauses = [(m, named_in(m.group("who"), longest)) for m in _FOR_DEFENDANTS.finditer(basis)]
    if not any(who for _, who in clauses):
        return {}
    parts = {n: [basis[:clauses[0][0].start()]] for n in names}
    for (m, who), nxt in zip(clauses, [c[0].start() for c in clauses[1:]] + [len(basis)]):
        for name in who or names:
            parts[name].append(basis[m.start():nxt])
    return {n: "".join(p) for n, p in parts.items()}


def convert_record(obj, source: str, line: int, stats: Counter,
                   settings: JudgmentConfig = common.DEFAULTS) -> list[dict]:
    """One CJO record → one case per convicted defendant (rejects and skips raise)."""
    if not isinstance(obj, dict):
        raise RecordError(f"record is a {type(obj).__name__}, not an object with the CJO columns")
    fmt = "cjo"
    if lecard.is_lecard(obj):
        obj, fmt = lecard.to_cjo(obj), "lecard"
    full = obj.get("全文")
    if not isinstance(full, str) or not full.strip():
        raise RecordError("empty or missing 全文")
    if fmt == "cjo":
        full = _TAGS.sub("\n", full)
        if "\n" not in full.strip():  # paragraphs run together with spaces, as LeCaRD's qw
            full = lecard.full_text(full)
        # blank columns (a hand-made or partial dump) are read from the text, as for LeCaRD
        obj = {**obj, **{k: v for k, v in lecard.fields(full).items() if not _text(obj, k)}, "全文": full}
    s = settings
    ctype, proc = _text(obj, "案件类型"), procedure(obj)
    if s.kept_case_types and ctype not in s.kept_case_types:
        raise Skip(f"案件类型 {ctype or '(unknown)'} not in {'/'.join(s.kept_case_types)}")
    if s.kept_procedures and proc not in s.kept_procedures:
        raise Skip(f"审理程序 {proc or '(unknown)'} not in {'/'.join(s.kept_procedures)}")
    date = normalize_date(_text(obj, "裁判日期")) if _text(obj, "裁判日期") else ""
    if not date and (s.date_from or s.date_to):
        raise RecordError("no 裁判日期: the date range cannot be applied")
    common.check_date(date, s)

    texts = common.scrub_all({"全文": _TAGS.sub("\n", full), "法律依据": _text(obj, "法律依据"),
                              "当事人": _text(obj, "当事人")}, "cn", stats)
    secs = split_cn(texts["全文"])
    names = defendants_cn(secs["当事人"]) or defendants_cn(secs["首部"] + "\n" + secs["审理经过"])
    if not names:  # the 当事人 column lists the parties when the text does not introduce them
        names = [n for n in re.split(r"[,，、;；\s]+", texts["当事人"]) if n and n in secs["判决如下"]]
    defendants, left = extract(secs["判决如下"], names)
    shared = shared_names(secs["当事人"], names)
    if shared:  # never a sentence that may be the other namesake's
        left += [f"{d.name}: two defendants share this name: no case" for d in defendants if d.name in shared]
        defendants = [d for d in defendants if d.name not in shared]
        if not defendants:
            raise RecordError("no defendant with an unambiguous name (two defendants share a masked name)")

    facts = mask_recommendation(secs["经审理查明"])
    statements = common.attitude_statements([secs["审理经过"], secs["公诉机关指控"]], facts)
    if statements:
        facts = facts + "\n" + statements
    reasoning = secs["本院认为"]
    basis = basis_clause(reasoning)
    articles, keys = common.cited_articles(basis, "cn", fallback=texts["法律依据"])
    articles_of = {n: common.cited_articles(part, "cn")[0] for n, part in basis_by_defendant(basis, names).items()}
    meta = {"format": fmt, "case_number": _text(obj, "案号"), "court": _text(obj, "法院"), "date": date,
            "procedure": proc, "citations": keys}
    if obj.get("doc_id"):
        meta["doc_id"] = obj["doc_id"]  # LeCaRD writId
    return common.build_cases(
        source=source, line=line, jurisdiction="cn", names=names, defendants=defendants, facts=facts,
        reasoning=reasoning, verdict_intro="", articles=articles, articles_of=articles_of, meta=meta, stats=stats,
        left_out=left, pseudonymize=s.pseudonymize,
        attitude_texts=[secs["经审理查明"], secs["审理经过"], secs["公诉机关指控"], reasoning])
