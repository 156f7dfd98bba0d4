"""BERTScore (Zhang et al., 2020, "BERTScore: Evaluating Text Generation with BERT") with transformers.

Each text is encoded once; its token vectors are the hidden states of one layer, L2-normalised,
special tokens ([CLS], [SEP], <|endoftext|>, …) left out. For a prediction x̂ and a reference x:
recall R = mean over reference tokens of the best cosine with a prediction token, precision P =
mean over prediction tokens of the best cosine with a reference token, F1 = 2PR / (P + R). No idf
weighting and no baseline rescaling (the paper's defaults for its headline numbers), so scores
are raw cosines: near 1 for good answers and far above 0 for unrelated ones; compare models on
the same BERTScore model and layer only. A text with no tokens scores 0. Texts longer than the
model's positions, or than MAX_TOKENS for long-context models, are cut there (counted): a runaway
answer of thousands of tokens would otherwise cost minutes of attention and says nothing more.

The default model is bert-base-multilingual-cased at layer 9, the layer the bert-score package
chose for it (its correlation with human judgements on WMT16); any other model takes its last layer
unless a layer is given. Any transformers model with hidden states works (an encoder is what the
metric is defined for; tests use a tiny random decoder).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

DEFAULT_MODEL = "bert-base-multilingual-cased"
# bert-score's choice of layer per model (bert_score/utils.py model2layers)
MAX_TOKENS = 1024  # statute answers are far shorter; BERT's own limit is 512
KNOWN_LAYERS = {"bert-base-multilingual-cased": 9, "xlm-roberta-base": 9, "xlm-roberta-large": 17}


@dataclass
class BertScores:
    precision: np.ndarray
    recall: np.ndarray
    f1: np.ndarray
    model: str
    layer: int
    truncated_texts: int


class BertScorer:
    def __init__(self, model: str = DEFAULT_MODEL, layer: int | None = None, batch_size: int = 32,
                 device: str | None = None):
        import torch
        from transformers import AutoModel, AutoTokenizer

        self.name = model
        self.tokenizer = AutoTokenizer.from_pretrained(model)
        if self.tokenizer.pad_token is None:
            self.tokenizer.pad_token = self.tokenizer.eos_token or self.tokenizer.unk_token
        self.device = device or ("cuda" if torch.cuda.is_available() else "cpu")
        self.model = AutoModel.from_pretrained(model).to(self.device).eval()
        config = self.model.config
        n_layers = getattr(config, "num_hidden_layers", None) or config.get_text_config().num_hidden_layers
        short = model.rstrip("/").rsplit("/", 1)[-1]
        self.layer = layer if layer is not None else KNOWN_LAYERS.get(short, n_layers)
        if not 0 <= self.layer <= n_layers:
            raise ValueError(f"--bertscore-layer {self.layer}: {model} has layers 0 (embeddings) to {n_layers}")
        positions = getattr(config, "max_position_embeddings", None) or 512
        self.max_length = min(positions, self.tokenizer.model_max_length or positions, MAX_TOKENS)
        self.batch_size = batch_size

    def embed(self, texts: list[str], desc: str = "BERTScore") -> tuple[list[np.ndarray], int]:
        """Per text its normalised token vectors (tokens × hidden), and how many texts were cut."""
        import torch
        from tqdm import tqdm

        out: list[np.ndarray | None] = [None] * len(texts)
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))  # similar lengths share a batch
        truncated = 0
        for start in tqdm(range(0, len(order), self.batch_size), desc=desc, unit="batch", leave=False):
            idx = order[start:start + self.batch_size]
            enc = self.tokenizer([texts[i] for i in idx], padding=True, truncation=True, max_length=self.max_length,
                                 return_special_tokens_mask=True, return_tensors="pt")
            truncated += int((enc["attention_mask"].sum(dim=1) >= self.max_length).sum())  # cut, or just fits
            special = enc.pop("special_tokens_mask").bool()
            keep = enc["attention_mask"].bool() & ~special
            with torch.no_grad():
                hidden = self.model(**enc.to(self.device), output_hidden_states=True).hidden_states[self.layer]
            hidden = torch.nn.functional.normalize(hidden.float(), dim=-1).cpu()
            for row, i in enumerate(idx):
                out[i] = hidden[row][keep[row]].numpy()
        return out, truncated

    def score(self, preds: list[str], refs: list[str]) -> BertScores:
        texts = list(dict.fromkeys([*preds, *refs]))  # each distinct text encoded once
        vectors, truncated = self.embed(texts)
        by_text = dict(zip(texts, vectors))
        p, r, f = (np.zeros(len(preds)) for _ in range(3))
        for i, (a, b) in enumerate(zip(preds, refs)):
            p[i], r[i], f[i] = pair(by_text[a], by_text[b])
        return BertScores(p, r, f, self.name, self.layer, truncated)


def pair(pred: np.ndarray, ref: np.ndarray) -> tuple[float, float, float]:
    """(P, R, F1) of two texts' normalised token vectors by greedy cosine matching."""
    if not len(pred) or not len(ref):
        return 0.0, 0.0, 0.0
    sim = pred @ ref.T
    p, r = float(sim.max(axis=1).mean()), float(sim.max(axis=0).mean())
    return p, r, (2 * p * r / (p + r) if p + r > 0 else 0.0)
