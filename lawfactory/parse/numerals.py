"""Chinese numerals, both ways: cn2an plus the Traditional formal digits it does not know.

Taiwan judgments write terms and amounts in formal numerals with Traditional characters
(有期徒刑陸月, 新臺幣壹仟元, 貳萬); cn2an reads the Simplified formal set (贰, 叁, 万), so the
Traditional forms are mapped onto it first.
"""

from __future__ import annotations

import functools
import re

import cn2an

# Traditional / variant characters → the forms cn2an parses.
_TO_CN2AN = str.maketrans({
    "貳": "贰", "參": "叁", "叄": "叁", "陸": "陆", "萬": "万", "億": "亿", "兩": "二", "两": "二",
    "〇": "零", "○": "零", "Ｏ": "零", "廿": "二十",
})
_FULLWIDTH = str.maketrans("０１２３４５６７８９", "0123456789")

# One numeral token, Arabic (half or full width) or Chinese (plain or formal, either script).
NUM = r"[0-9０-９]+|[零〇○一二三四五六七八九十百千万亿两兩壹贰貳叁參叄肆伍陆陸柒捌玖拾佰仟萬億廿]+"
NUM_RE = re.compile(NUM)


def to_int(text: str) -> int:
    """'十八' → 18, '壹仟' → 1000, '陸' → 6, '１２' → 12, '2,000' → 2000. Raises ValueError."""
    t = text.strip().replace(",", "").replace("，", "").translate(_FULLWIDTH)
    if t.isdigit():
        return int(t)
    t = t.translate(_TO_CN2AN)
    try:
        value = cn2an.cn2an(t, "smart")
    except Exception as e:  # cn2an raises bare ValueError/KeyError subclasses
        raise ValueError(f"not a numeral: {text!r}") from e
    if value != int(value):
        raise ValueError(f"not a whole number: {text!r}")
    return int(value)


def to_cn(n: int) -> str:
    """264 → '二百六十四' (the way mainland judgments write article numbers and terms)."""
    return _to_cn(int(n))


@functools.lru_cache(maxsize=65536)  # cn2an costs ~35 µs a call; task builders call this per case
def _to_cn(n: int) -> str:
    return cn2an.an2cn(n, "low")
