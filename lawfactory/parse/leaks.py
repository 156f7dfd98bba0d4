"""The prosecutor's sentencing recommendation in a case's facts: it gives the answer away.

The converters mask it (CAIL: `RECOMMENDATION`; full-text judgments: `mask_recommendation`, which
also drops a recommended range), decontamination masks a benchmark item the same way before
matching it against the training facts, and the quality filter drops a case whose facts still
hold one (`leaked_recommendation`).
"""

from __future__ import annotations

import re

from lawfactory.parse.clauses import CLAUSE_END, IN_SENTENCE

# The prosecutor's sentencing recommendation (建议判处有期徒刑一年 / 建议对被告人在××以内量刑) leaks
# the answer, masked or not; it is replaced by a neutral clause up to the end of its sentence.
RECOMMENDATION = re.compile(rf"建议(?:对被告人|判处|对其|本院|法院|以|在|处以|判|依法判处|量刑){IN_SENTENCE}*")
RECOMMENDATION_MASK = "提出了量刑建议"

# the recommendation stated as a range (公诉机关提出了量刑建议；对被告人熊某的量刑幅度为有期徒刑六个月至…):
# the rest of that sentence goes, a summary judgment's adopted allegation often ends with it
_RANGE = rf"{IN_SENTENCE}*量刑(?:幅度|建议)[为為是：:][^。\n]*"
_RECOMMENDED_RANGE = re.compile(rf"(?:^|(?<=[。\n])){_RANGE}。?|[；;，,]{_RANGE}", re.M)

# A sentencing recommendation the converter's mask did not catch (it masks 建议判处…/建议对被告人…):
# 判处 followed, in the same clause, by a term in years or months — "提出对被告人判处一年以下××的量刑
# 建议", "提请本院以××判处被告人张某一年三个月". A passive 被…判处 in the clause is a prior conviction
# (前科, 累犯: "曾因犯盗窃罪被判处有期徒刑一年"), which is a legitimate sentencing fact and is kept.
_SENTENCE_WORD = re.compile(r"判处")
_TERM = re.compile(r"[〇零一二三四五六七八九十两百\d]+(?:年|个月)")
_PASSIVE = re.compile(r"被(?!告)")


def mask_recommendation(text: str) -> str:
    """A full-text judgment's facts with the recommendation masked and a recommended range removed."""
    return _RECOMMENDED_RANGE.sub("", RECOMMENDATION.sub(RECOMMENDATION_MASK, text))


def leaked_recommendation(facts: str) -> bool:
    for m in _SENTENCE_WORD.finditer(facts):
        start = max((e.end() for e in CLAUSE_END.finditer(facts, 0, m.start())), default=0)
        end_m = CLAUSE_END.search(facts, m.end())
        after = facts[m.end(): end_m.start() if end_m else len(facts)]
        if _PASSIVE.search(facts, start, m.start()):
            continue
        if _TERM.search(after):
            return True
    return False
