"""What the mainland and Taiwan judgment converters share: the user's filters and options, dates,
privacy, and turning one judgment's sections and verdict into one case per convicted defendant.

The options arrive with each call as a `JudgmentConfig` (lawfactory/config.py; the build's
worker processes receive it in `shards.Config`) and take part in each shard's fingerprint, so
changing a filter re-converts the judgments and nothing else.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import Counter
from itertools import accumulate

from converters import privacy
from converters.verdict import Defendant, named_in
from lawfactory.config import JudgmentConfig
from lawfactory.parse import clauses
from lawfactory.parse.attitude import detect_flags, find_spans
from lawfactory.records import (
    PRC_CRIMINAL_LAW,
    TW_CRIMINAL_CODE,
    Skip,
    article_exists,  # a misread citation (第454條 of a procedure law) is no article
    article_ref,
    attitude,
    case,
)

CRIMINAL_LAW = {"cn": PRC_CRIMINAL_LAW, "tw": TW_CRIMINAL_CODE}


DEFAULTS = JudgmentConfig()  # the CLI's defaults: criminal first-instance judgments, any date


def check_date(date: str, s: JudgmentConfig) -> None:
    """Skip a judgment outside the --date-from/--date-to range."""
    if (s.date_from and date < s.date_from) or (s.date_to and date > s.date_to):
        raise Skip(f"judgment date outside {s.date_from or '…'} – {s.date_to or '…'}")


def scrub_all(texts: dict[str, str], jurisdiction: str, stats: Counter) -> dict[str, str]:
    out = {}
    for k, v in texts.items():
        out[k], counts = privacy.scrub(v, jurisdiction)
        for kind, n in counts.items():
            stats[f"privacy: {kind} scrubbed"] += n
    return out


def sentences(text: str) -> list[str]:
    return [s.strip() for s in clauses.NARRATIVE_SENTENCE.findall(text) if s.strip()]


def attitude_statements(texts: list[str], facts: str) -> str:
    """Sentences outside the facts that record the defendant's attitude (对指控无异议，自愿认罪认罚；
    当庭辩称…), without the prosecutor's recommendation or the court's conclusions (判处/建议/量刑)."""
    keep = []
    for t in texts:
        for s in sentences(t):
            if (find_spans(s) and not re.search(r"建议|判处|量刑|處有期徒刑|应当|依法可以", s)
                    and s not in facts and s not in keep):
                keep.append(s)
    return "".join(keep)


def defendant_flags(wanted: list[str], names: list[str], texts: list[str]) -> dict[str, set[str]]:
    """Attitude flags for each wanted defendant: from the sentences naming him, or naming no
    defendant at all (who each sentence names is read once for all of them)."""
    if len(names) == 1:
        flags = detect_flags(*texts)
        return {name: flags for name in wanted}
    # longest names first, each blanked once found, so 张某 is not found inside 张某某
    order = sorted(names, key=len, reverse=True)
    found = [s for t in texts for s in sentences(t)]
    named = [named_in(s, order) for s in found]
    # the flags each sentence asserts, read in one pass over them all: no phrase and no negating
    # clause crosses a line end, so a sentence reads the same among any others
    starts = list(accumulate((len(s) + 1 for s in found), initial=0))
    asserts = [set() for _ in found]
    for span in find_spans("\n".join(found)):
        if not span["negated"]:
            asserts[bisect_right(starts, span["start"]) - 1].add(span["flag"])
    return {name: set().union(*(f for f, who in zip(asserts, named) if name in who or not who)) for name in wanted}


def cited_articles(text: str, jurisdiction: str, fallback: str = "") -> tuple[list[dict], list[str]]:
    """The criminal-law articles a basis paragraph cites (article records, in citation order, each
    once) and every citation key (procedure law and others too). `fallback`: a citation list to
    use when the text cites nothing (the CJO 法律依据 column)."""
    from lawfactory.parse.citations import parse_citations

    cites = parse_citations(text, jurisdiction=jurisdiction) if text else []
    if not cites and fallback:
        cites = parse_citations(fallback, jurisdiction=jurisdiction)
    law = CRIMINAL_LAW[jurisdiction]
    arts, keys, seen = [], [], set()
    for c in cites:
        if c["key"] not in keys:
            keys.append(c["key"])
        number, suffix = int(c["number"]), int(c.get("suffix") or 0)
        if c["law"] == law and (number, suffix) not in seen and article_exists(law, number, suffix):
            seen.add((number, suffix))
            arts.append(article_ref(law, number, suffix, c.get("paragraph")))
    return arts, keys


def build_cases(*, source: str, line: int, jurisdiction: str, names: list[str], defendants: list[Defendant],
                facts: str, reasoning: str, verdict_intro: str, attitude_texts: list[str], articles: list[dict],
                meta: dict, stats: Counter, left_out: list[str], articles_of: dict | None = None,
                pseudonymize: bool = False) -> list[dict]:
    """One case per convicted defendant. Multi-defendant judgments give each defendant his own
    verdict part and, where the law passage cites per defendant, his own articles (`articles_of`:
    name → articles; others get `articles`); facts and reasoning are the judgment's. With --pseudonymize
    every name in every field becomes 甲/乙/… (the defendant field too), consistently within the judgment."""
    for why in left_out:
        stats["judgment defendants left out: " + why.split(": ", 1)[1]] += 1
    mapping = privacy.pseudonyms(names) if pseudonymize else {}

    def anon(text: str) -> str:
        if not mapping:
            return text
        out, n = privacy.pseudonymize(text, mapping)
        stats["privacy: defendant names pseudonymized"] += n
        return out

    out = []
    multi = len(names) > 1
    facts, reasoning = anon(facts), anon(reasoning)
    flags_of = defendant_flags([d.name for d in defendants], names, attitude_texts)
    for d in defendants:
        flags = flags_of[d.name]
        c = case(
            source=source,
            locator=str(line),
            jurisdiction=jurisdiction,
            facts=facts,
            defendant=mapping.get(d.name, d.name),
            charges=d.charges,
            articles=(articles_of or {}).get(d.name, articles),
            sentence=d.sentence,
            attitude=attitude(flags),
            reasoning=reasoning,
            verdict=anon(verdict_intro + d.part),
            meta={**meta, "defendants": [mapping.get(n, n) for n in names] if multi else [],
                  "pseudonymized": bool(mapping)},
        )
        out.append(c)
    stats[f"judgments converted ({jurisdiction})"] += 1
    return out
