"""Judgment dates as the dumps write them, normalized to YYYY-MM-DD."""

from __future__ import annotations

import datetime
import re

from lawfactory.records import RecordError

_DATE = re.compile(r"^\s*(\d{4})(?:\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?|(\d{2})(\d{2}))(?!\d)")


def normalize_date(value) -> str:
    """'2021-03-15', '2021/3/15', '2021年3月15日', '20210315', '2021-03-15 00:00:00' → '2021-03-15'."""
    s = str(value).strip()
    m = _DATE.match(s)
    if not m:
        raise RecordError(f"unreadable date {value!r}")
    y, mo, d = int(m.group(1)), int(m.group(2) or m.group(4)), int(m.group(3) or m.group(5))
    try:
        datetime.date(y, mo, d)  # the calendar's own check: 2021-02-30 and 2023-13-01 do not exist
    except ValueError:
        raise RecordError(f"impossible date {value!r}") from None
    return f"{y:04d}-{mo:02d}-{d:02d}"
