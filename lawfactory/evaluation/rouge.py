"""ROUGE-1/2/L and BLEU-4 as LLaMA-Factory 0.9.5 computes them in predict_with_generate
(llamafactory/train/sft/metric.py, ComputeSimilarity): jieba words joined by spaces, one
rouge_chinese Rouge().get_scores per pair, the F value × 100 rounded to 4 places (0 for an empty
side), BLEU-4 on characters with smoothing method3; each averaged over rows. Computed on the
predict / label strings of generated_predictions.jsonl, so the numbers match predict_results.json.

Words are jieba's for Chinese (cn, tw). For French and other Latin-script text (statute QA,
lawfactory/evaluation/statute_qa.py) jieba would cut words into letters, so `latin_words` is used:
lowercase, accents kept, every punctuation mark its own token (`L. 100-1` → l . 100 - 1); the
ROUGE arithmetic is the same rouge_chinese one.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import numpy as np

_LATIN_WORD = re.compile(r"\w+|[^\w\s]")
CHINESE = ("cn", "tw")


def latin_words(text: str) -> list[str]:
    """Lowercase words (letters with their accents, digits) and single punctuation marks."""
    return _LATIN_WORD.findall(text.lower())


def jieba_words(text: str) -> list[str]:
    import jieba

    return list(jieba.cut(text))


def words_of(language: str) -> Callable[[str], list[str]]:
    """The word splitter ROUGE uses for a jurisdiction's language: jieba for cn / tw, else latin_words."""
    return jieba_words if language in CHINESE else latin_words


def pair_scores(pred: str, label: str, words: Callable[[str], list[str]] = jieba_words) -> dict:
    from nltk.translate.bleu_score import SmoothingFunction, sentence_bleu
    from rouge_chinese import Rouge

    hypothesis = words(pred)
    reference = words(label)
    if len(" ".join(hypothesis).split()) == 0 or len(" ".join(reference).split()) == 0:
        result = {"rouge-1": {"f": 0.0}, "rouge-2": {"f": 0.0}, "rouge-l": {"f": 0.0}}
    else:
        try:
            result = Rouge().get_scores(" ".join(hypothesis), " ".join(reference))[0]
        except ValueError:  # rouge_chinese finds no words (punctuation only); LLaMA-Factory would stop here
            result = {"rouge-1": {"f": 0.0}, "rouge-2": {"f": 0.0}, "rouge-l": {"f": 0.0}}
    out = {k: round(v["f"] * 100, 4) for k, v in result.items()}
    bleu = sentence_bleu([list(label)], list(pred), smoothing_function=SmoothingFunction().method3)
    out["bleu-4"] = round(bleu * 100, 4)
    return out


def rouge(preds: list[str], labels: list[str], language: str = "cn") -> tuple[dict, dict[str, np.ndarray]]:
    """(mean scores, per-row arrays for the bootstrap); words by the language (words_of)."""
    import logging

    import jieba

    jieba.setLogLevel(logging.WARNING)
    from tqdm import tqdm

    words = words_of(language)
    rows = [pair_scores(p, g, words) for p, g in tqdm(list(zip(preds, labels)), desc="ROUGE", unit="row", leave=False)]
    keys = ("rouge-1", "rouge-2", "rouge-l", "bleu-4")
    per_row = {k: np.array([r[k] for r in rows], dtype=float) for k in keys}
    means = {k: float(np.mean(v)) if len(v) else None for k, v in per_row.items()}
    return means, per_row
