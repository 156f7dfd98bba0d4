"""Free-form answers → charges, cited articles and the sentence.

Charges come from 犯…罪 / (已)构成…罪 phrases, articles from the shared citation parser
(lawfactory/parse/citations.py), the sentence from answers.read_answer (what models write: LawBench's
[刑期] slot, answer cues, verdicts via terms.parse_sentence). An answer in which no penalty can be
read is an abstention: it stays in every denominator.
"""

from __future__ import annotations

from lawfactory.parse.charges import parse_charges
from lawfactory.parse.citations import CRIMINAL_LAW, citation_keys, parse_key
from lawfactory.parse.terms import parse_sentence
from lawfactory.records import article_key

from .answers import read_answer


def criminal_articles(keys: list[str], jurisdiction: str) -> list[str]:
    """The keys that cite the jurisdiction's criminal law (what CAIL `relevant_articles` hold)."""
    law = CRIMINAL_LAW[jurisdiction] + "|"
    return [k for k in keys if k.startswith(law)]


def whole_numbers(gold: list[str], pred: list[str]) -> list[str]:
    """The predicted criminal-law articles as scored against one gold row.

    CAIL2018 labels are whole article numbers and its judger compares integers: its 危险驾驶 rows
    list 133 for 第一百三十三条之一. So against a gold row whose articles carry no 之N suffix, a
    predicted 133-1 counts as 133; a gold row with a suffix anywhere is compared exactly.
    """
    if not gold or any(parse_key(k)[2] for k in gold):
        return pred
    return list(dict.fromkeys(article_key(law, number) for law, number, _ in map(parse_key, pred)))


def parse_answer(text: str, jurisdiction: str = "cn") -> dict:
    """{charges, citations (all cited keys), articles (criminal-law keys), sentence, code, range,
    rule, reason, abstained}.

    code is the CAIL2018 judger's term encoding (death −2, life −1, else months), None when the
    answer states no penalty; range/rule/reason come from answers.read_answer.
    """
    text = text if isinstance(text, str) else ""
    keys = citation_keys(text, jurisdiction)
    a = read_answer(text)
    return {
        "charges": parse_charges(text),
        "citations": keys,
        "articles": criminal_articles(keys, jurisdiction),
        **a,
        "abstained": a["sentence"] is None,
    }


def term_line_of(output: str) -> dict | None:
    """The sentence stated on the `刑期:` line of a gold output (train rows carry no gold columns)."""
    lines = [ln for ln in (output or "").splitlines() if ln.strip()]
    for ln in reversed(lines):
        if ln.strip().startswith("刑期"):
            return parse_sentence(ln)
    return None
