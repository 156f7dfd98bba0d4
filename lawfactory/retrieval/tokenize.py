"""Tokens for BM25: one rule for PRC and Taiwan text, queries and documents alike.

- Traditional characters become Simplified (OpenCC t2s), so 竊盜 in a Taiwan article and 窃盗 in a
  query meet, and 條 is 条.
- An article citation is one token whatever its spelling: 第264条, 第二百六十四条, 第 264 條 → 第264条;
  第185条之3, 第 185-3 條, 第一百八十五條之三 → 第185条之3 (judgments and statutes write all of them, and
  jieba would cut each into 第 / 二百六十四 / 条).
- Everything else is cut by jieba (its default dictionary, accurate mode); tokens with no letter,
  digit or CJK character (punctuation, whitespace) are dropped, ASCII is lower-cased.
- A text without any CJK character (a French article or query) is cut into its words instead,
  lower-cased, accents kept (jieba would cut décision into d / é / cision).
"""

from __future__ import annotations

import functools
import re

from lawfactory.parse.numerals import NUM, to_int
from lawfactory.parse.scripts import t2s

# 第 N 条 [之 M] and Taiwan's 第 N-M 條 (after t2s, 條 is 条).
ARTICLE_RE = re.compile(rf"第\s*({NUM})\s*(?:[-－‐—]\s*({NUM})\s*)?条(?:\s*之\s*({NUM}))?")


@functools.cache
def _jieba():
    import logging

    import jieba

    jieba.setLogLevel(logging.WARNING)
    return jieba


def simplified(text: str) -> str:
    return t2s().convert(text)


def article_token(number: int, suffix: int = 0) -> str:
    """The one token of an article number: 第264条, 第185条之3."""
    return f"第{number}条" + (f"之{suffix}" if suffix else "")


def _article(m: re.Match) -> str | None:
    try:
        number = to_int(m.group(1))
        suffix = to_int(m.group(2) or m.group(3)) if (m.group(2) or m.group(3)) else 0
    except ValueError:
        return None
    return article_token(number, suffix)


def _words(text: str) -> list[str]:
    return _kept(w.lower() for w in _jieba().lcut(text))


def _kept(tokens) -> list[str]:
    """The tokens with a letter, digit or CJK character (no punctuation, no whitespace)."""
    return [w for w in tokens if any(c.isalnum() for c in w)]


_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


def tokenize(text: str) -> list[str]:
    """The BM25 tokens of a query or a document."""
    if not _CJK.search(text):  # French: the statute-QA evaluation's word splitter
        from lawfactory.evaluation.rouge import latin_words

        return _kept(latin_words(text))
    text = simplified(text)
    tokens: list[str] = []
    pos = 0
    for m in ARTICLE_RE.finditer(text):
        token = _article(m)
        if token is None:
            continue
        tokens += _words(text[pos:m.start()])
        tokens.append(token)
        pos = m.end()
    return tokens + _words(text[pos:])
