"""Where a sentence and a clause end in Chinese legal text: the one definition every parser uses.

A **sentence** ends at 。 ！ ？, at ； (a judgment strings the holdings of one paragraph together
with ；: 被告人甲犯盗窃罪，判处有期徒刑一年；被告人乙…, and each one is read on its own), or at a line
break. ASCII ; counts (mixed-width text); ASCII ! and ? do not: in these dumps a ? is more often a
character the encoding lost (共同正犯?又) than a question.

A **clause** is the part of a sentence between ，or ： (either width): 未如实供述，但已退赔 is two
clauses. Word-level scope ends at a clause: a negation reaches the phrase it precedes in its own
clause only (未取得被害人谅解 is negated; 未如实供述，取得谅解 negates only the first), and so does
the verb that imposes a penalty (判处有期徒刑五年，罚金二万元: the fine heads a clause of the penalty).

The listing, 、, never ends a clause: 生产、销售假药 is one phrase.
"""

from __future__ import annotations

import re

SENTENCE_MARKS = "。；;！？\n"  # what ends a sentence
CLAUSE_SEPARATORS = "，,：:"  # what separates the clauses of one sentence
CLAUSE_MARKS = CLAUSE_SEPARATORS + SENTENCE_MARKS  # what ends a clause: a sentence end ends its last clause too

SENTENCE_END = re.compile(f"[{SENTENCE_MARKS}]")
CLAUSE_END = re.compile(f"[{CLAUSE_MARKS}]")
CLAUSE_SEP = re.compile(f"[{CLAUSE_SEPARATORS}]")

# Building blocks for patterns that must stay within one clause or one sentence.
IN_CLAUSE = f"[^{CLAUSE_MARKS}]"
IN_SENTENCE = f"[^{SENTENCE_MARKS}]"


def _sentence(marks: str) -> re.Pattern:
    """A sentence with its closing mark (a line break is not kept): findall gives the sentences of a text."""
    return re.compile(f"[^{marks}]+[{marks.replace(chr(10), '')}]?")


SENTENCE = _sentence(SENTENCE_MARKS)

# Variant: the narrative sentences a judgment's converter reads attitude from, per defendant
# (converters/judgments.py). There ！ and ？ mostly close quoted speech inside the narrator's sentence
# (“这事是不是你说的？”那人回答…), and the sentence a phrase sits in decides which defendant it is about.
NARRATIVE_MARKS = "。；;\n"
NARRATIVE_SENTENCE = _sentence(NARRATIVE_MARKS)


def clause_before(text: str, end: int, start: int = 0) -> str:
    """The clause text[..end] ends in, from its first character to end (never before start)."""
    return CLAUSE_END.split(text[start:end])[-1]


def sentence_before(text: str, end: int, start: int = 0) -> str:
    """The sentence text[..end] ends in, from its first character to end (never before start)."""
    return SENTENCE_END.split(text[start:end])[-1]
