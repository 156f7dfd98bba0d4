"""One article of the statute index (DATA/statutes_index.jsonl) as the statute rows quote it: its
citation in the forms judgments write, its text, the two together as a document, its place in the
index order, whether it is a 分则 article, and the seeded Random its rows draw phrasings from.

Unit names differ across the strait: PRC 条-款-项, Taiwan 條-項-款 (see lawfactory/parse/citations.py).
"""

from __future__ import annotations

import random
import re

from lawfactory.parse.numerals import to_cn


def label(a: dict, form: int = 0) -> str:
    """The article as a citation, in one of the forms judgments write (all parse to a["key"]):
    cn 《中华人民共和国刑法》第一百三十三条之一 / …第133条之一; tw 中華民國刑法第185條之3 / 第 185-3 條 /
    第一百八十五條之三; fr (docs/statutes_fr.md) article L. 100-1 du code … / article L100-1 du code …."""
    n, s, law = a["number"], a["suffix"], a["law"]
    if a["jurisdiction"] == "fr":
        return fr_label(a, form)
    if a["jurisdiction"] == "cn":
        num = to_cn(n) if form % 2 == 0 else str(n)
        return f"《{law}》第{num}条" + (f"之{to_cn(s)}" if s else "")
    form %= 3
    if form == 1:
        return f"{law}第 {n}-{s} 條" if s else f"{law}第 {n} 條"
    if form == 2:
        return f"{law}第{to_cn(n)}條" + (f"之{to_cn(s)}" if s else "")
    return f"{law}第{n}條" + (f"之{s}" if s else "")


def fr_label(a: dict, form: int = 0) -> str:
    """A French article as texts cite it (lawfactory/parse/citations.py reads every form back to its
    key): `article L. 100-1 du code des relations …` / `article L100-1 du code …` (the code's title
    with a lower-case first letter, as it reads mid-sentence). The templates put `l'` before it."""
    num = a["num"]
    spaced = re.sub(r"^(LO|[LRDA])(\*?)(?=\d)", lambda m: f"{m[1]}.{m[2]} ", num)
    code = a["law"][:1].lower() + a["law"][1:]
    return f"article {spaced if form % 2 == 0 else num} du {code}"


def text(a: dict) -> str:
    return "\n".join(a["paragraphs"])


def document(a: dict) -> str:
    """An article as a retrieval document and as a grounding reference: its citation, then its text."""
    return f"{label(a)}\n{text(a)}"


def sort_key(a: dict) -> tuple:
    """The index order: jurisdiction, law, number, suffix."""
    return a["jurisdiction"], a["law"], a["number"], a["suffix"]


def special_part(a: dict) -> bool:
    """An article of the special part (分则 / 分則, the first heading of its path), where offences
    and their penalty ranges are defined. 总则 articles (自首 §67, 缓刑 §72, 罚金 §52) are cited with
    every charge and govern none, and 附则 articles neither."""
    return any("分则" in h or "分則" in h for h in a["path"][:1])


def seeded(seed: int, *parts: object) -> random.Random:
    """A Random seeded with the build seed and what the row is about (an article key, a charge), so
    a rebuild draws the same phrasings."""
    return random.Random("|".join(map(str, (seed, *parts))))  # str seeds hash with SHA-512: stable
