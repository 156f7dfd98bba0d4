"""One case → its sentencing sample, whatever its source: the one place that tells a full-text
judgment (the court's own text, lawfactory/tasks/judgment_rows.py) from a CAIL case (an answer
composed from its labels, lawfactory/tasks/sentencing.py). The build's conversion probe, the
sentencing, judgment and grounded tasks and the variant rows all ask here."""

from __future__ import annotations

from lawfactory.records import is_judgment
from lawfactory.tasks.judgment_rows import judgment_sample
from lawfactory.tasks.sentencing import sentencing_sample


def sample(case: dict, eval_row: bool = False, to_simplified: bool = False) -> dict:
    """The alpaca row of one case (with the gold columns when eval_row); to_simplified converts a
    Taiwan judgment's row to Simplified Chinese (`--to-simplified`)."""
    if is_judgment(case):
        return judgment_sample(case, eval_row=eval_row, to_simplified=to_simplified)
    return sentencing_sample(case, eval_row=eval_row)
