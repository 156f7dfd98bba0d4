"""Personal data in judgment text: scrubbed always, defendant names optionally pseudonymized.

Published judgments are meant to be anonymized but often are not completely: 18-digit resident
ID numbers (GB 11643), Taiwan 身分證統一編號 (a letter and nine digits), mobile and landline
numbers and bank-card numbers survive in 当事人 paragraphs and in the facts (转账至其银行卡…).
Each is replaced by a bracketed placeholder in the judgment's own script; what was replaced is
counted (the counts go to the manifest's stats).
"""

from __future__ import annotations

import re
from collections import Counter

# 18-digit resident ID: 6-digit area, birth date 19xx/20xx-MM-DD, 3-digit sequence, check digit (X).
_ID_CN = r"(?<![0-9A-Za-z])[1-9]\d{5}(?:19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[\dXx](?![0-9A-Za-z])"
# Taiwan ID: an uppercase letter, 1 (male) or 2 (female), eight digits (half or full width).
_ID_TW = r"(?<![0-9A-Za-z])[A-Z][12]\d{8}(?![0-9A-Za-z])|[Ａ-Ｚ][１２][０-９]{8}"
# Bank cards: 16-19 digits, run together or in groups of four separated by spaces or hyphens.
_CARD = r"(?<![0-9])(?:\d{16,19}|\d{4}(?:[ -]\d{4}){3}(?:[ -]?\d{1,3})?)(?![0-9])"
# Phones: mainland mobiles (1[3-9] + 9 digits), Taiwan mobiles (09xx-xxx-xxx), landlines with an
# area code (010-12345678, 0571-8765432, (02)2345-6789, 02-23456789).
_PHONE = (r"(?<![0-9])(?:1[3-9]\d{9}|09\d{2}-?\d{3}-?\d{3}|0\d{2,3}-\d{7,8}|\(0\d{1,3}\)\d{3,4}-?\d{4}"
          r"|0\d-\d{4}-?\d{4})(?![0-9])")

KINDS = ("id_number", "bank_card", "phone")  # scrub order: the longest, most specific first
_PATTERNS = {"id_number": re.compile(f"{_ID_CN}|{_ID_TW}"), "bank_card": re.compile(_CARD), "phone": re.compile(_PHONE)}
PLACEHOLDER = {
    "cn": {"id_number": "[身份证号码]", "bank_card": "[银行卡号]", "phone": "[电话号码]"},
    "tw": {"id_number": "[身分證號碼]", "bank_card": "[銀行帳號]", "phone": "[電話號碼]"},
}

# Pseudonyms in the order defendants are listed: the ten heavenly stems, as courts do (被告人甲).
STEMS = "甲乙丙丁戊己庚辛壬癸"


def scrub(text: str, jurisdiction: str = "cn") -> tuple[str, Counter]:
    """Replace ID, bank-card and phone numbers; returns the new text and counts by kind."""
    counts = Counter()
    if not text:
        return text, counts
    for kind in KINDS:
        text, n = _PATTERNS[kind].subn(PLACEHOLDER[jurisdiction][kind], text)
        if n:
            counts[kind] += n
    return text, counts


def pseudonyms(names: list[str]) -> dict[str, str]:
    """Defendant names (in order of listing) → 甲, 乙, … (then 甲1, 乙1, … past ten)."""
    out = {}
    for i, name in enumerate(dict.fromkeys(names)):
        q, r = divmod(i, len(STEMS))
        out[name] = STEMS[r] + (str(q) if q else "")
    return out


def pseudonymize(text: str, mapping: dict[str, str]) -> tuple[str, int]:
    """Replace every occurrence of each name (longest first, so 张某某 wins over 张某)."""
    if not text or not mapping:
        return text, 0
    rx = re.compile("|".join(re.escape(n) for n in sorted(mapping, key=len, reverse=True)))
    return rx.subn(lambda m: mapping[m.group()], text)
