"""The preflight report: titled sections of lines, then the warnings, the errors and the memory verdict."""

from __future__ import annotations

import re
from dataclasses import dataclass, field


@dataclass
class Report:
    sections: list[tuple[str, list[str]]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    verdict: str = "not estimated"

    def add(self, title: str, lines: list[str]) -> None:
        self.sections.append((title, lines))

    def text(self) -> str:
        out = []
        for title, lines in self.sections:
            out += [f"== {title} ==", *lines, ""]
        out += [f"warning: {w}" for w in self.warnings]
        out += [f"error: {e}" for e in self.errors]
        out.append(f"memory: {self.verdict}" + (f"; {len(self.errors)} error(s): the recipe cannot work as it is"
                                                if self.errors else "; no errors"))
        return "\n".join(out)


def table(header: list[str], rows: list[list]) -> list[str]:
    cells = [header] + [[str(c) for c in r] for r in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(header))]
    num = re.compile(r"^-?[\d,.]+%?$")
    fmt = lambda r: "  ".join(c.rjust(w) if num.match(c) else c.ljust(w)  # noqa: E731
                              for c, w in zip(r, widths)).rstrip()
    return [fmt(cells[0]), fmt(["-" * w for w in widths])] + [fmt(r) for r in cells[1:]]
