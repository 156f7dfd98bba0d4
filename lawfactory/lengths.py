"""Sample length in tokens, against the recipe's cutoff_len: over-long samples are dropped.

LLaMA-Factory truncates a sample longer than cutoff_len (its issue #3995); for a
judgment that cuts the end of the facts or the verdict. `make data` measures each judgment sample
and drops it instead (counted in the manifest's stats).

Measure: with `--tokenizer PATH` (a Hugging Face tokenizer folder, e.g. the model's), the tokens of
system, instruction + input and output, plus TEMPLATE_TOKENS for the chat template's role
markers; without one, an estimate of len(text) / 1.37 characters per token (measured on CAIL
facts with Qwen's tokenizer; docs/preflight.md "Anchors") plus the same overhead. The estimate errs
on neither side for Simplified legal Chinese; Traditional text and Arabic-numeral-heavy text
differ somewhat, so pass the tokenizer for a real run.
"""

from __future__ import annotations

import functools
import math
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import TYPE_CHECKING

from lawfactory import resources
from lawfactory.errors import UsageError

if TYPE_CHECKING:
    from lawfactory.config import LengthConfig

RECIPE = resources.resource(resources.DEFAULT_RECIPE)  # recipes/criminal_qlora.yaml
DEFAULT_CUTOFF = 2048
CHARS_PER_TOKEN = 1.37
# qwen3_nothink: <|im_start|>system\n…<|im_end|>\n<|im_start|>user\n…<|im_end|>\n<|im_start|>assistant\n…<|im_end|>
TEMPLATE_TOKENS = 16


def recipe_cutoff(recipe: str | Path | Traversable = RECIPE) -> int:
    """cutoff_len of the training recipe (2048 when the recipe or the key is missing)."""
    recipe = Path(recipe) if isinstance(recipe, str) else recipe
    try:
        import yaml

        value = (yaml.safe_load(recipe.read_text(encoding="utf-8")) or {}).get("cutoff_len")
        return int(value) if value else DEFAULT_CUTOFF
    except (OSError, ValueError, TypeError):
        return DEFAULT_CUTOFF


class TokenCounter:
    """Tokens of a text: the tokenizer's count, or the characters-per-token estimate."""

    def __init__(self, tokenizer: str | None = None):
        self.tokenizer = None
        if tokenizer:
            if not Path(tokenizer).exists():
                raise UsageError(f"--tokenizer {tokenizer} does not exist")
            from transformers import AutoTokenizer

            self.tokenizer = AutoTokenizer.from_pretrained(tokenizer)

    def count(self, text: str) -> int:
        if not text:
            return 0
        if self.tokenizer is None:
            return math.ceil(len(text) / CHARS_PER_TOKEN)
        return len(self.tokenizer(text, add_special_tokens=False)["input_ids"])


def row_tokens(row: dict, counter: TokenCounter) -> int:
    """An alpaca row's length as LLaMA-Factory trains it: system + prompt (instruction, input) + response."""
    prompt = "\n".join(x for x in (row.get("instruction", ""), row.get("input", "")) if x)
    return (counter.count(row.get("system", "")) + counter.count(prompt) + counter.count(row.get("output", ""))
            + TEMPLATE_TOKENS)


@functools.lru_cache(maxsize=4)
def counter_for(tokenizer: str | None) -> TokenCounter:
    return TokenCounter(tokenizer)


def over_cutoff(row: dict, cfg: LengthConfig) -> bool:
    """Whether an alpaca row is longer than the run's cutoff_len (`--cutoff-len`, else the training
    recipe's: lawfactory/config.py resolves it), counted with `--tokenizer` (or the estimate).
    Such rows are dropped, never truncated (LLaMA-Factory would cut their end)."""
    return row_tokens(row, counter_for(cfg.tokenizer or None)) > cfg.cutoff_len
