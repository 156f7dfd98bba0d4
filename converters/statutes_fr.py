"""French codes as the legi-data JSON mirror of Légifrance ships them → article records
(docs/statutes_fr.md).

    {"type": "code", "data": {"id": "LEGITEXT…", "title": "Code …", "dateModif": "2026-05-28"},
     "children": [{"type": "section", "data": {"title": "Livre Ier : …"}, "children": [
         {"type": "article", "data": {"id": "LEGIARTI…", "num": "L100-1", "etat": "VIGUEUR",
          "texteHtml": "<p>…<br/>…</p>", "texte": "…", "dateDebut": 1451606400000, "dateFin": …,
          "articleVersions": [{"etat", "dateDebut", …}], "lienModifications": […], "nota": ""}}, …]}, …]}

The tree is read with an incremental parser (ijson): a node's `data` is built as an object, its
children are streamed, so memory follows one article (and the titles above it), not the code — a
code of the mirror can be 100 MB. Sections give the path (their titles, outermost first); the
article's alinéas are the lines of `texteHtml` (<p>, <br/>, <div>, list items and table rows end a
line; cells are joined by " | "; entities decoded), else of `texte`. An article whose `etat` is not
VIGUEUR is kept as not in force: `deleted: true`, no text, its state in `status`. `nota` (an
editorial note) is not statute text and is left out.

The tree has no lines: a reject's locator is the article node's rank in the file (1-based, every
article node counted), and its reason names the node's id and section path.
"""

from __future__ import annotations

import datetime as dt
import re
from html.parser import HTMLParser
from pathlib import Path

import ijson

from converters.statutes import Law, LawFile
from lawfactory.parse.citations import fr_article_num
from lawfactory.records import RecordError, article

JURISDICTION = "fr"
IN_FORCE = "VIGUEUR"
_MS_PER_DAY = 86_400_000


_CELL, _BREAK_IN_CELL = "\x1f", "\x1e"  # markers while a row is read (control characters never in a text)


def _space(text: str) -> str:
    return re.sub(r"[ \t\r\n]+", " ", text).strip()


class _Lines(HTMLParser):
    """texteHtml → its lines: block tags end a line; a table row is one line, its cells joined by
    " | ", the line breaks inside a cell by " ; "."""

    BREAK = {"p", "br", "div", "li", "tr", "table", "center", "ul", "ol", "h1", "h2", "h3", "h4", "blockquote"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = []
        self.cur: list[str] = []
        self.rows = 0  # open <tr>: breaks inside a row separate parts of a cell

    def flush(self) -> None:
        cells = ("".join(self.cur)).split(_CELL)
        cells = [" ; ".join(filter(None, (_space(x) for x in c.split(_BREAK_IN_CELL)))) for c in cells]
        line = " | ".join(filter(None, cells))
        if line:
            self.lines.append(line)
        self.cur = []

    def _mark(self, sep: str) -> None:
        self.cur.append(sep)

    def handle_starttag(self, tag, attrs) -> None:
        if tag == "tr":
            self.flush()
            self.rows += 1
        elif tag in ("td", "th"):
            self._mark(_CELL)
        elif tag in self.BREAK:
            self._mark(_BREAK_IN_CELL) if self.rows else self.flush()

    def handle_endtag(self, tag) -> None:
        if tag == "tr":
            self.rows = max(0, self.rows - 1)
            self.flush()
        elif tag in self.BREAK and not self.rows:
            self.flush()

    handle_startendtag = handle_starttag

    def handle_data(self, data) -> None:
        self.cur.append(data)


def alineas(html: str, plain: str) -> list[str]:
    """The article's lines (alinéas) from texteHtml, else from texte (one line per line)."""
    if html and html.strip():
        p = _Lines()
        p.feed(html)
        p.close()
        p.flush()
        if p.lines:
            return p.lines
    return [ln for ln in (re.sub(r"[ \t]+", " ", s).strip() for s in (plain or "").splitlines()) if ln]


def iso_date(ms) -> str:
    """legi-data's epoch milliseconds → YYYY-MM-DD ('' when absent). 2999-01-01 means no end."""
    if not isinstance(ms, int) or isinstance(ms, bool):
        return ""
    return (dt.date(1970, 1, 1) + dt.timedelta(days=ms // _MS_PER_DAY)).isoformat()


def next_version_from(data: dict) -> str:
    """The start of a later version of the article (articleVersions) that begins when this one ends
    (a deferred repeal followed by a new wording), or ''."""
    end = data.get("dateFin")
    for v in data.get("articleVersions") or ():
        if isinstance(v, dict) and v.get("dateDebut") == end and v.get("id") != data.get("id"):
            return iso_date(end)
    return ""


def make_article(law: Law, data: dict, rank: int, path: list[str], source: str) -> dict:
    if not isinstance(data, dict):
        raise RecordError("article node without a data object")
    num = data.get("num")
    if not isinstance(num, str) or not num.strip():
        raise RecordError("article without a num")
    try:
        num = fr_article_num(num)
    except ValueError as e:
        raise RecordError(str(e)) from None
    status = data.get("etat")
    if not isinstance(status, str) or not status:
        raise RecordError(f"article {num} without an etat")
    deleted = status != IN_FORCE
    paragraphs = [] if deleted else alineas(str(data.get("texteHtml") or ""), str(data.get("texte") or ""))
    if not deleted and not paragraphs:
        raise RecordError(f"article {num} is in force ({status}) but has no text (texteHtml and texte empty)")
    extra = {"num": num, "status": status, "date_debut": iso_date(data.get("dateDebut")),
             "date_fin": iso_date(data.get("dateFin")), "next_version_from": next_version_from(data),
             "legi_id": str(data.get("id") or "")}
    # number: the article's rank in the code (the index's order); the key is the code's own number
    return article(law=law.name, jurisdiction=JURISDICTION, number=rank, suffix=0, path=path, paragraphs=paragraphs,
                   deleted=deleted, modified_date=law.modified_date, source=source, extra=extra)


class _Node:
    __slots__ = ("prefix", "type", "data", "builder")

    def __init__(self, prefix: str):
        self.prefix, self.type, self.data, self.builder = prefix, None, None, None


def _join(prefix: str, key: str) -> str:
    return f"{prefix}.{key}" if prefix else key


def read_file(path: Path, rel: str) -> LawFile:
    result = LawFile()
    law = Law("", "")
    stack: list[_Node] = []
    articles = 0

    def where(node: _Node) -> str:
        ident = node.data.get("id") if isinstance(node.data, dict) else None
        return f"article node {articles} ({ident or 'no id'}; {' > '.join(titles()) or 'top level'})"

    def titles() -> list[str]:
        return [str(n.data.get("title") or "").strip() for n in stack[1:-1]
                if n.type == "section" and isinstance(n.data, dict)]

    def close(node: _Node) -> None:
        nonlocal articles
        if node.type == "code" or node is stack[0]:
            return
        if node.type == "section":
            law.headings += 1
            return
        articles += 1
        if node.type != "article":
            result.reject(articles, f"{where(node)}: unknown node type {node.type!r}")
            return
        if not law.name:
            result.reject(articles, f"{where(node)}: the code's data (title) does not come before its articles")
            return
        try:
            rec = make_article(law, node.data, articles, titles(), f"{rel}:{articles}")
        except (RecordError, ValueError) as e:
            result.reject(articles, f"{where(node)}: {e}")
            return
        result.read += 1
        law.articles.append(rec)

    try:
        with open(path, "rb") as f:
            for prefix, event, value in ijson.parse(f):
                top = stack[-1] if stack else None
                if top is not None and top.builder is not None:  # inside the node's data object
                    if prefix == _join(top.prefix, "data") and event == "end_map":
                        top.data, top.builder = top.builder.value, None
                        if len(stack) == 1 and isinstance(top.data, dict):
                            law.name = str(top.data.get("title") or "").strip()
                            law.modified_date = str(top.data.get("dateModif") or "").replace("-", "")
                            result.laws.append(law)
                    else:
                        top.builder.event(event, value)
                    continue
                if event == "start_map" and (prefix == "" or (top is not None and prefix == _join(top.prefix,
                                                                                                   "children.item"))):
                    stack.append(_Node(prefix))
                elif top is not None and prefix == _join(top.prefix, "data") and event == "start_map":
                    top.builder = ijson.ObjectBuilder()
                    top.builder.event(event, value)
                elif top is not None and prefix == _join(top.prefix, "type") and event == "string":
                    top.type = value
                elif top is not None and prefix == top.prefix and event == "end_map":
                    close(top)
                    stack.pop()
    except ijson.JSONError as e:
        result.reject(articles + 1, f"invalid JSON after article node {articles}: {e}")
        return result
    if not law.name and not result.rejects:
        result.reject(1, "no code title (data.title of the top node): not a legi-data code file")
    return result
