"""ROUGE-1/2/L and BLEU-4 as LLaMA-Factory 0.9.5 computes them in predict_with_generate
(llamafactory/train/sft/metric.py, ComputeSimilarity): jieba words joined by spaces, one
rouge_chinese Rouge().get_scores per pair, the F value × 100 rounded to 4 places (0 for an empty
side), BLEU-4 on characters with smoothing method3; each averaged over rows. Computed on the
predict / label strings of generated_predictions.jsonl, so the numbers match predict_results.json.
"""

from __future__ import annotations

import numpy as np


def pair_scores(pred: str, label: str) -> dict:
    import jieba
    from nltk.translate.bleu_score import SmoothingFunction, sentence_bleu
    from rouge_chinese import Rouge

    hypothesis = list(jieba.cut(pred))
    reference = list(jieba.cut(label))
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


def rouge(preds: list[str], labels: list[str]) -> tuple[dict, dict[str, np.ndarray]]:
    """(mean scores, per-row arrays for the bootstrap)."""
    import logging

    import jieba

    jieba.setLogLevel(logging.WARNING)
    from tqdm import tqdm

    rows = [pair_scores(p, g) for p, g in tqdm(list(zip(preds, labels)), desc="ROUGE", unit="row", leave=False)]
    keys = ("rouge-1", "rouge-2", "rouge-l", "bleu-4")
    per_row = {k: np.array([r[k] for r in rows], dtype=float) for k in keys}
    means = {k: float(np.mean(v)) if len(v) else None for k, v in per_row.items()}
    return means, per_row
