"""Plain text from a 司法院 open-data JFULL: its private-use characters decoded and its hard wraps
undone.

Private-use code points (U+E000–U+F8FF). The 司法院 writes characters its fonts lack with codes of
its own. Terminals and most fonts draw nothing for them, so a judgment seems to miss numerals
(`處有期徒刑\uE372月`). What the data shows:
- U+E372 and U+E94B stand for 參 (`褫奪公權\uE372年`, `以\uE372佰元折算壹日`; `扣案之賄賂共計新臺幣
  \uE94B萬伍仟元` is the 3 萬 5 千元 the reasoning names); U+F7AF is 〇 inside case numbers
  (`九十一年度訴字第五\uF7AF號`); U+F4E9 is × (`31\uF4E9110 ＝3,410`).
- list markers come in runs of consecutive code points, each run one numbering style, read from
  the order in which one judgment uses them: U+F67E, U+F67D, U+F67C … count down from ㈠ (written
  here （一）（二）…); U+F5E8 ↓ (1. 2. …), U+F584 ↓ (⑴ ⑵ …), U+F64C ↓ (⒈ ⒉ …) and U+F513 ↓
  (㊀ ㊁ …) count down too; U+F6BB ↑ (① ② …), U+F6B1 ↑ (❶ ❷ …) count up; U+F6B0 ↓ (甲、乙、…).
- every other one is a rare character of a person's or place's name (`陳金\uE398`, `張\uE435風`):
  it becomes □ (the printer's mark for a missing character) and is counted as unknown.

Hard wraps. JFULL lines are cut at a fixed width (56 columns, 28 full-width characters, in most
files; 74 in some), continuation lines indented with spaces or U+3000, and a punctuation mark that
may not open a line is pulled onto the line before or pushed to the next. A line is a wrapped
one when it reaches the file's width (less a few columns for that punctuation shuffle) or when
the next line opens with punctuation; a new list item (一、 （一） 1. ⑴ …) or a blank line always
starts a paragraph after a line that ends a sentence (`卷第一二⏎六、一二七頁` is one wrapped
number, not item 六). Tables drawn with box characters keep their lines.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections import Counter

from lawfactory.parse.numerals import to_cn

# optional spaces (full-width too) between the letters of a heading or a party label: 主　　文, 被　　　告
SP = r"[ \t\u3000]*"


def spread(word: str) -> str:
    """A regex for the word with its letters optionally spread by spaces."""
    return SP.join(map(re.escape, word))


def _run(first: int, step: int, count: int, render) -> dict[int, str]:
    return {first + step * i: render(i + 1) for i in range(count)}


PRIVATE_USE: dict[int, str] = {
    0xE372: "參", 0xE94B: "參", 0xF7AF: "〇", 0xF4E9: "×",
    **_run(0xF67E, -1, 20, lambda n: f"（{to_cn(n)}）"),
    **_run(0xF5E8, -1, 30, lambda n: f"{n}."),
    **_run(0xF584, -1, 30, lambda n: f"({n})"),
    **_run(0xF64C, -1, 10, lambda n: chr(0x2488 + n - 1)),  # ⒈
    **_run(0xF513, -1, 5, lambda n: chr(0x3280 + n - 1)),  # ㊀
    **_run(0xF6BB, 1, 20, lambda n: chr(0x2460 + n - 1)),  # ①
    **_run(0xF6B1, 1, 10, lambda n: chr(0x2776 + n - 1)),  # ❶
    **_run(0xF6B0, -1, 3, lambda n: "甲乙丙"[n - 1] + "、"),
}
UNKNOWN = "□"
_PUA = re.compile(r"[\ue000-\uf8ff]")


def decode_private_use(text: str, stats: Counter | None = None) -> str:
    """Known private-use code points → their characters; unknown ones → □ (counted in stats)."""

    def one(m: re.Match) -> str:
        cp = ord(m.group())
        known = PRIVATE_USE.get(cp)
        if stats is not None:
            stats[f"private-use code points {'decoded' if known else 'unknown'}"] += 1
            if not known:
                stats[f"private-use code point unknown: U+{cp:04X}"] += 1
        return known or UNKNOWN

    return _PUA.sub(one, text)


def _one_column_class() -> str:
    """A regex class of the non-ASCII characters that take one display column (East Asian width
    neither W, F nor A), and of every character beyond the BMP."""
    ranges, start = [], None
    for cp in range(0x80, 0x10001):
        narrow = cp < 0x10000 and unicodedata.east_asian_width(chr(cp)) not in "WFA"
        if narrow and start is None:
            start = cp
        elif not narrow and start is not None:
            ranges.append(f"\\u{start:04x}-\\u{cp - 1:04x}")
            start = None
    return "[" + "".join(ranges) + "\\U00010000-\\U0010ffff]"


_ONE_COLUMN = re.compile(_one_column_class())


def width(line: str) -> int:
    """Display columns: full-width and ambiguous (private-use) characters take two. The common
    case (ASCII and two-column characters only) is counted without a per-character loop."""
    if line.isascii():
        return len(line)
    if _ONE_COLUMN.search(line):  # ½-width kana, accented Latin …: character by character
        return sum(2 if unicodedata.east_asian_width(c) in "WFA" else 1 for c in line)
    return 2 * len(line) - len(line.encode("ascii", "ignore"))


@functools.lru_cache(maxsize=4)  # a judgment is measured twice: for its 主文, then for every section
def wrap_width(text: str) -> tuple[int, int] | None:
    """(display columns, characters) the text was hard-wrapped at, or None when it was not. Dumps
    cut either at a display width or at a character count (half-width digits then make a full
    line look short): the most common of each among the long lines, when at least a third of the
    non-blank lines reach one of them."""
    sizes = [(width(x), len(x)) for x in (line.rstrip() for line in text.split("\n") if line.strip())]
    cols, chars = Counter(w for w, _ in sizes if w >= 40), Counter(n for _, n in sizes if n >= 20)
    if not cols:
        return None
    w, c = cols.most_common(1)[0][0], chars.most_common(1)[0][0]
    near = sum(1 for x, n in sizes if w - 6 <= x <= w or c - 2 <= n <= c)
    return (w, c) if near * 3 >= len(sizes) else None


def _full(columns: int, chars: int, at: tuple[int, int] | None) -> bool:
    """A line of that size reaches the wrap width (less the punctuation shuffle)."""
    return at is not None and (columns >= at[0] - 6 or chars >= at[1] - 2)


# a line that opens a paragraph: a list marker (一、 （一） (1) 1. ⑴ ① ❶ 甲、 壹、 第一、), a box table
_ITEM = re.compile(r"^[ \t\u3000]*(?:[一二三四五六七八九十壹貳參肆伍陸柒捌玖拾]+、|第[一二三四五六七八九十]+、"
                   r"|[甲乙丙丁戊己庚辛壬癸]、|[（(][一二三四五六七八九十\d０-９]+[）)]|[\d０-９]+[.、．](?!\d)"
                   r"|[\u2460-\u24ff\u2776-\u2793\u3280-\u3289])")
# a table row holds two box corners or bars (a lone ─ is a dash: ○九三二─六九九一八九)
_BOX_CHAR = re.compile(r"[│┃├┤┼┬┴┌┐└┘]")
# punctuation that never opens a line of its own paragraph
_CLOSING = re.compile(r"^[ \t\u3000]*[，。、；：？！」』）)〕】,.;:]")
# what ends a sentence or introduces a list: only after it can a list item start a paragraph
_ENDS = re.compile(r"[。：:；;！？!?」』）)】〕]$")


def indent(line: str) -> int:
    """Display columns of the line's indentation (spaces and tabs take one, U+3000 two)."""
    pad = line[:len(line) - len(line.lstrip(" \t\u3000"))]
    return len(pad) + pad.count("\u3000")


def unwrap(text: str, cols: tuple[int, int] | None) -> str:
    """Join hard-wrapped lines into paragraphs (one per line), indentation and padding removed.
    A short line is joined too when it leaves its sentence open (no closing punctuation), is at
    least half the width, and the next line is indented like a continuation (the source's own
    short lines: `…等人均⏎    有投票權人`)."""
    lines = [line.rstrip(" \t\u3000") for line in text.split("\n")]
    out: list[str] = []
    prev, prev_width, prev_indent = "", 0, 0
    boxes = 0  # box characters in the paragraph out[-1] (it is a table row from two on)
    for line in lines:
        body = line.strip(" \t\u3000")
        if not body:
            out.append("")
            prev, boxes = "", 0
            continue
        line_boxes = len(_BOX_CHAR.findall(body))
        open_end = bool(prev) and not _ENDS.search(prev) and cols is not None and prev_width * 2 >= cols[0] \
            and indent(line) >= prev_indent and not _ITEM.match(line)
        joins = bool(out) and out[-1] != "" and line_boxes < 2 and boxes < 2 and (
            _CLOSING.match(line) or open_end
            or (_full(prev_width, len(prev), cols) and not (_ITEM.match(line) and _ENDS.search(out[-1][-1:]))))
        if joins:
            out[-1] += body
            boxes += line_boxes
        else:
            out.append(body)
            boxes = line_boxes
        prev, prev_width, prev_indent = line, width(line), indent(line)
    text = "\n".join(p for p in out if p)
    # digits padded for alignment (103 年11月3 日, 第99條第1 項); a doubled 第 (刑法第第11條)
    # (the digit and 第 are matched, not looked behind for: a leading lookbehind is tried at every character)
    text = re.sub(r"([0-9])[ \u3000]+(?=[\u4e00-\u9fff])", r"\1", text)
    text = re.sub(r"第(\d+)[ \u3000]+(?=\d+[條項款])", r"第\1", text)  # 第14 3條
    return text.replace("第第", "第")


def clean(text: str, stats: Counter | None = None) -> str:
    """Line ends unified and the private-use characters decoded (layout kept: headings are found
    on their own lines first; `unwrap` each section afterwards)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u00a0", " ")
    text = re.sub(r"[\u200b\ufeff]", "", text)
    return decode_private_use(text, stats)
