"""Citation accuracy of statute-QA answers, with the rows that echo the prompt kept apart.

A row whose prompt already holds the article number ("请完整背诵刑法第264条", "Résumez l'article
L. 100-1") cannot show that the model knows which article a text is: copying the number scores.
So accuracy is reported twice, on the echo-free rows (the prompt does not hold the number: reverse
lookup text → article, charge → articles) and on the echo rows, never merged.

- echo: the row's `number_in_prompt` when the row carries it; otherwise computed here: a citation
  parsed from the prompt (system + every turn before the last) has the article number of one of
  the row's `articles`, whatever law it names (stricter than comparing whole keys).
- scored rows: those whose gold answer cites at least one of the row's `articles` (recitation
  answers that only give the text have no citation to get right; they count for ROUGE / BERTScore).
- accuracy: the article keys parsed from the prediction contain every key of the row's `articles`;
  exact: they are the very set the gold answer cites (no extra, no missing citation).
Keys come from the shared parser, lawfactory/parse/citations.py.
"""

from __future__ import annotations

from lawfactory.parse.citations import citation_keys
from lawfactory.records import split_key

from .inputs import EvalInputError


def parser_for(jurisdiction: str):
    """text → cited keys for a jurisdiction; a clear error when citations.py cannot parse its language."""
    try:
        citation_keys("", jurisdiction)
    except ValueError:
        raise EvalInputError(f"lawfactory/parse/citations.py parses no {jurisdiction!r} citations; citation "
                             "accuracy needs it") from None
    return lambda text, law=None: citation_keys(text, jurisdiction, law)


def score_rows(gold: list[dict], texts: list[str], jurisdiction: str) -> list[dict]:
    """Per row: predicted keys, the keys the gold answer cites, echo, scored, hit, exact. Answers
    are read in the row's law (its gold article's): an unnamed 第X条 or 本法第X条 in an answer about
    刑事诉讼法 cites 刑事诉讼法, the same for the gold answer and the prediction."""
    keys_of = parser_for(jurisdiction)
    out = []
    for g, text in zip(gold, texts):
        gold_keys = set(g["articles"])
        law = split_key(g["articles"][0])[0] if g["articles"] else None
        pred, label_keys = keys_of(text, law), keys_of(g["label_text"], law)
        if g["number_in_prompt"] is not None:
            echo, source = g["number_in_prompt"], "field"
        else:
            echo = bool({split_key(k)[1] for k in keys_of(g["prompt_text"])} & {split_key(k)[1] for k in gold_keys})
            source = "computed"
        scored = bool(gold_keys & set(label_keys))
        out.append({"predicted_keys": pred, "gold_answer_keys": label_keys, "echo": echo, "echo_source": source,
                    "scored": scored, "hit": scored and gold_keys <= set(pred),
                    "exact": scored and set(pred) == set(label_keys)})
    return out
