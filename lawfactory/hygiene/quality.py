"""Quality filters for converted cases: each returns the reason a case is dropped, or None.

Dropped cases never reach cases.jsonl or a dataset; they are listed in DATA/filtered.jsonl
(file, line, case_id, reason) and counted per input and per reason in the manifest.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from lawfactory.errors import InputError, UsageError
from lawfactory.parse.leaks import leaked_recommendation
from lawfactory.records import PRC_CRIMINAL_LAW

# The court's own decision copied into the facts gives the answer away.
VERDICT = re.compile(r"判决如下|判决结果如下|判决主文如下|裁定如下")


@dataclass(frozen=True)
class Quality:
    min_fact_chars: int = 0  # facts shorter than this are dropped (lawfactory/config.py: --min-fact-chars)
    max_fact_chars: int = 0  # 0: no limit; else facts longer than this are over the recipe's cutoff
    charges: frozenset | None = None  # official charge names (accu.txt), normalised
    charges_file: str = ""
    articles: frozenset | None = None  # official article numbers of the PRC Criminal Law (law.txt)
    articles_file: str = ""


def load(min_fact_chars: int = 0, max_fact_chars: int = 0,
         charges: str | None = None, articles: str | None = None) -> Quality:
    """Filters from options; `charges`/`articles` are accu.txt / law.txt style files (one a line)."""
    from lawfactory.parse.charges import normalize_charge

    charge_set = article_set = None
    if charges:
        charge_set = frozenset(normalize_charge(x) for x in _lines(charges))
    if articles:
        nums = []
        for n, x in enumerate(_lines(articles), 1):
            if not x.isdigit():
                raise InputError(f"{articles}:{n}: not an article number: {x!r}")
            nums.append(int(x))
        article_set = frozenset(nums)
    return Quality(min_fact_chars, max_fact_chars, charge_set, Path(charges).name if charges else "",
                   article_set, Path(articles).name if articles else "")


def _lines(path: str) -> list[str]:
    p = Path(path)
    if not p.is_file():
        raise UsageError(f"list file {path} does not exist")
    return [x.strip() for x in p.read_text(encoding="utf-8-sig").splitlines() if x.strip()]


def check(case: dict, q: Quality) -> str | None:
    """Why `case` is dropped, or None to keep it."""
    facts = case.get("facts")
    if not isinstance(facts, str):
        return None  # not a case record (another converter's output): nothing to check
    n = len(facts.strip())
    if n < q.min_fact_chars:
        return f"facts shorter than {q.min_fact_chars} characters ({n})"
    if q.max_fact_chars and n > q.max_fact_chars:
        return f"facts longer than {q.max_fact_chars} characters ({n}): over the recipe's cutoff"
    if VERDICT.search(facts):
        return "verdict text in facts (判决如下…)"
    if leaked_recommendation(facts):  # one the converter's mask missed (lawfactory/parse/leaks.py)
        return "prosecutor's sentencing recommendation in facts (…判处N年/个月)"
    if case.get("jurisdiction") == "cn":
        if q.charges is not None:
            for c in case.get("charges", ()):
                if c not in q.charges:
                    return f"charge {c!r} not in {q.charges_file}"
        if q.articles is not None:
            for a in case.get("articles", ()):
                if a.get("law") == PRC_CRIMINAL_LAW and not a.get("suffix") and a.get("number") not in q.articles:
                    return f"article {a.get('number')} not in {q.articles_file}"
    return None


def reason_kind(reason: str) -> str:
    """The reason without its per-case numbers, for counting ("charge '…' not in accu.txt" stays whole)."""
    return re.sub(r" \(\d+\)", "", reason)
