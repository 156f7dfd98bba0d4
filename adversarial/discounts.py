"""The confession-type discounts a counterfactual removes or adds, and the term arithmetic.

最高人民法院、最高人民检察院《关于常见犯罪的量刑指导意见（试行）》法发〔2021〕21号 states each
discount as a band of the 基准刑 (baseline term). A judgment never says which point of the band
it took, so the generator takes a documented point: the middle of the band. The source term is
read as 基准刑 × (1 − applied discount); a refusal variant is sentenced at the 基准刑 itself.

Combination (same opinion): factors in the same direction add up (同向相加), but
- 自首 (刑法 §67 ¶1) already contains the 如实供述, so 坦白 (§67 ¶3) is not counted beside it;
- 当庭自愿认罪 is discounted only where no 自首 or 坦白 is found ("依法认定自首、坦白的除外");
- 认罪认罚 (刑诉法 §15) "与自首、坦白、当庭自愿认罪…不作重复评价": where it is found, it is the one
  confession-type discount and the others get point 0. Its band is ≤30%, or ≤60% with 自首 (the
  opinion's 具有自首…情节的, 可以减少基准刑的60%以下); the point is the band's middle (15% / 30%).
  The 60% band also names 重大坦白, 退赃退赔, 赔偿谅解 and 刑事和解; the generator keeps those factors
  in every variant and does not model their discounts, so only 自首 moves the plea to that band.
Refusing to confess is the absence of mitigation, never an aggravation: the variant loses the
discounts, nothing is added on top (刑诉法 §55: a conviction without a confession is lawful; the
opinion's bands and where they come from: docs/adversarial.md).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

CONFESSION_FLAGS = ("surrender", "confession", "courtroom_admission", "plea_agreement")


@dataclass(frozen=True)
class Discount:
    factor: str
    band: float  # the opinion's maximum reduction of the 基准刑
    point: float  # the point taken in the band (its middle)
    law: str


DISCOUNTS = {
    "surrender": Discount("surrender", 0.40, 0.20, "刑法§67①; 法发〔2021〕21号 自首: 减少基准刑的40%以下"),
    "confession": Discount("confession", 0.20, 0.10, "刑法§67③; 法发〔2021〕21号 坦白: 减少基准刑的20%以下"),
    "courtroom_admission": Discount("courtroom_admission", 0.10, 0.05,
                                    "法发〔2021〕21号 当庭自愿认罪: 减少基准刑的10%以下（自首、坦白的除外）"),
    "plea_agreement": Discount("plea_agreement", 0.30, 0.15,
                               "刑诉法§15; 法发〔2021〕21号 认罪认罚: 减少基准刑的30%以下"),
}
# 认罪认罚 beside 自首: the opinion's wider band, which already holds the 自首 (no fact counted twice)
PLEA_WITH_SURRENDER = Discount("plea_agreement", 0.60, 0.30,
                               "刑诉法§15; 法发〔2021〕21号 认罪认罚且有自首: 减少基准刑的60%以下")
UNCLEAR_KEEP = 0.5  # an ambiguous attitude (供述前后不一) keeps half of the discount (documented choice)


def applied_discounts(flags) -> list[dict]:
    """The discounts a case with these confession-type flags received, in CONFESSION_FLAGS order:
    [{factor, band, point, law, note}] — a factor subsumed by another has point 0 and a note."""
    flags = set(flags)
    plea = "plea_agreement" in flags
    out = []
    for f in CONFESSION_FLAGS:
        if f not in flags:
            continue
        d = PLEA_WITH_SURRENDER if f == "plea_agreement" and "surrender" in flags else DISCOUNTS[f]
        point, note = d.point, ""
        if plea and f != "plea_agreement":
            point, note = 0.0, "evaluated within 认罪认罚 (不作重复评价)"
        elif f == "confession" and "surrender" in flags:
            point, note = 0.0, "part of 自首 (刑法§67①), not counted again"
        elif f == "courtroom_admission" and flags & {"surrender", "confession"}:
            point, note = 0.0, "not counted beside 自首/坦白"
        out.append({"factor": f, "band": d.band, "point": point, "law": d.law, "note": note})
    return out


def total_discount(discounts: list[dict]) -> float:
    """同向相加 (at most 30%: 认罪认罚 with 自首, which takes the others' place)."""
    return round(sum(d["point"] for d in discounts), 6)


def round_months(x: float) -> int:
    """Whole months, halves up (Python's round() would round 22.5 to 22)."""
    return math.floor(x + 0.5)


def refusal_ratio(total: float) -> float:
    """Source term = 基准刑 × (1 − total): the refusal term is the 基准刑."""
    return 1.0 / (1.0 - total)


def unclear_ratio(total: float) -> float:
    """An ambiguous attitude keeps UNCLEAR_KEEP of the discount: 基准刑 × (1 − total/2)."""
    return (1.0 - UNCLEAR_KEEP * total) / (1.0 - total)


def confession_ratio() -> float:
    """The reverse direction: a source without any confession gains the 坦白 point."""
    return 1.0 - DISCOUNTS["confession"].point
