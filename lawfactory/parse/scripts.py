"""Traditional → Simplified Chinese: one OpenCC converter for the whole process (loading its tables
takes a moment). Used by `--to-simplified` for Taiwan rows and by the retrieval tokenizer."""

from __future__ import annotations

import functools


@functools.lru_cache(maxsize=1)
def t2s():
    """The Traditional → Simplified converter (opencc-python-reimplemented, configuration t2s)."""
    import opencc

    return opencc.OpenCC("t2s")
