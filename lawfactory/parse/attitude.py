"""The defendant's attitude after the offence, as phrases in facts and reasoning.

Each flag is a list of explicit phrase patterns. A phrase is negated when the clause it sits in
(text since the last clause mark, lawfactory/parse/clauses.py) carries a negator before it:
未如实供述, 未取得被害人谅解, 不构成自首.
Refusal phrases are themselves denials and are never negated.
"""

from __future__ import annotations

import bisect
import re

from lawfactory.parse.clauses import CLAUSE_END

PATTERNS: dict[str, tuple[str, ...]] = {
    # 刑法 §67(1): 自动投案 + 如实供述
    "surrender": (r"投案自首", r"主动投案", r"自动投案", r"自首"),
    # 刑法 §67(3): 如实供述自己罪行 (坦白)
    "confession": (r"如实供述", r"如实交代", r"如实交待", r"供认不讳", r"坦白", r"如实供认",
                   r"坦承", r"(?<!當庭)自白"),  # Taiwan: 坦承不諱 / 坦承犯行, 被告之自白
    "courtroom_admission": (r"当庭(?:自愿|表示|承认)?认罪", r"庭审(?:过程)?中(?:自愿|表示)?认罪", r"當庭(?:自白|認罪)"),
    # 刑诉法 §15, §174: 认罪认罚 with a signed 具结书
    "plea_agreement": (r"认罪认罚", r"认罪认罚具结书", r"具结书", r"签字具结", r"認罪協商"),
    "restitution": (r"退赃", r"退赔", r"退还(?:了)?(?:全部)?赃款", r"赔偿(?:了)?(?:被害人)?(?:的)?(?:经济)?损失",
                    r"积极赔偿", r"已赔偿", r"達成和解", r"赔偿被害人"),
    "forgiveness": (r"谅解", r"諒解"),
    "refusal": (r"拒不供认", r"拒不供述", r"拒不认罪", r"拒不交代", r"拒绝供述", r"辩称", r"否认", r"翻供",
                r"零口供", r"保持沉默", r"矢口否认", r"否認", r"辯稱", r"拒不認罪"),
    "unclear": (r"供述前后不一", r"时供时翻", r"供述反复", r"态度不明", r"供述不稳定"),
}

# The leniency each attitude earns, with its legal basis (刑法 §67, 刑诉法 §15/§55, 量刑指导意见), as
# a judgment's reasoning states it: the composed answers (lawfactory/tasks/sentencing.py) and the
# adversarial variants' reasoning clauses (adversarial/variants.py) both say it this way.
ATTITUDE_REASONS = {
    "surrender": "犯罪以后自动投案，如实供述自己的罪行，是自首，依法可以从轻或者减轻处罚",
    "confession": "到案后如实供述自己的罪行，依法可以从轻处罚",
    "courtroom_admission": "当庭自愿认罪，可以酌情从轻处罚",
    "plea_agreement": "自愿认罪认罚，可以依法从宽处理",
    "restitution": "退赃退赔、赔偿被害人损失，可以酌情从轻处罚",
    "forgiveness": "取得被害人谅解，可以酌情从轻处罚",
    "refusal": "到案后拒不供认犯罪事实，但现有证据确实、充分，足以认定其犯罪事实",
    "unclear": "供述前后不一，不能认定其如实供述自己的罪行",
}

NEGATORS = re.compile(r"未|没有|不构成|不属于|不能认定|不予认定|不认定|拒不|并非|不是|无自首|不具有|未能")
_COMPILED = {flag: re.compile("|".join(pats)) for flag, pats in PATTERNS.items()}


def find_spans(text: str) -> list[dict]:
    """Every attitude phrase in the text: {flag, start, end, text, negated}, in text order.

    Overlapping matches of different flags are all kept (认罪认罚具结书 is a plea agreement,
    its 认罪 is not separately a courtroom admission because that pattern needs 当庭).
    """
    spans = []
    bounds = None  # clause boundaries, found once per text and only when a phrase is found
    for flag, rx in _COMPILED.items():
        for m in rx.finditer(text):
            negated = False
            if flag != "refusal":
                if bounds is None:
                    bounds = [p.end() for p in CLAUSE_END.finditer(text)]
                i = bisect.bisect_right(bounds, m.start())
                clause_start = bounds[i - 1] if i else 0
                negated = bool(NEGATORS.search(text, clause_start, m.start()))
            spans.append({"flag": flag, "start": m.start(), "end": m.end(), "text": m.group(), "negated": negated})
    spans.sort(key=lambda s: (s["start"], s["flag"]))
    return spans


def detect_flags(*texts: str) -> set[str]:
    """The attitude flags a text asserts (negated phrases do not count)."""
    return {s["flag"] for t in texts if t for s in find_spans(t) if not s["negated"]}
