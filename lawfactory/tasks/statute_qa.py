"""Statute index → the statute QA conversations (`cn_statutes_qa`, `tw_statutes_qa`, sharegpt).

Everything a row states comes from the article text in the index (DATA/statutes_index.jsonl):
recitation (law + number → text, then where it sits), reverse lookup (text → law and number),
paragraph and item recitation, and a deleted article only ever gets "this article was deleted".
The one exception is charge → governing articles: which articles the TRAIN-split cases of a charge
cite (lawfactory/tasks/statute_evidence.py), quoted with their text. Phrasings are drawn per article
from a Random seeded with the build seed and the article key, so a rebuild writes the same rows.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Iterable, Iterator

from lawfactory.parse.numerals import to_cn
from lawfactory.parse.scripts import t2s
from lawfactory.tasks.statute_articles import label, seeded, sort_key, text

QA_DATASETS = {"cn": "cn_statutes_qa", "tw": "tw_statutes_qa"}
MAX_TURNS = 6  # paragraph / item recitation turns per conversation

SYSTEM = {
    "cn": "你是一名熟悉中华人民共和国法律的法律助手。你只依据法律条文的原文回答，不编造条文。",
    "tw": "你是一名熟悉中華民國法律的法律助理。你只依據法條原文回答，不編造條文。",
}
# Per jurisdiction: the paragraph and item units, the phrasings of every question and answer, and
# the header of the articles a grounded row quotes (refs, lawfactory/tasks/grounded.py).
PHRASINGS = {
    "cn": {
        "para": "款", "item": "项",
        "recite": ["{a}是怎么规定的？", "请完整背诵{a}。", "{a}的条文内容是什么？", "请写出{a}的原文。"],
        "locate": ["这一条位于该法的哪一编、哪一章？", "这一条在法律结构中属于哪个部分？", "它在哪一编哪一章之下？"],
        "locate_a": "{a}位于{path}。",
        "reverse": ["下面这段条文出自哪部法律的第几条？\n{t}", "请指出以下法条的出处（法律名称和条号）：\n{t}",
                    "这是哪一条法律的规定？\n{t}"],
        "reverse_a": "这段条文出自{a}。",
        "para_q": ["{a}第{p}款规定了什么？", "请写出{a}第{p}款的内容。"],
        "next_para_q": ["第{p}款呢？", "那么第{p}款是怎么规定的？"],
        "item_q": ["{a}第{p}款第（{i}）项的内容是什么？", "请写出{a}第{p}款第（{i}）项。"],
        "next_item_q": ["第（{i}）项呢？", "那么第（{i}）项是什么？"],
        "deleted_a": "{a}已被删去（条文标注为“（删去）”），现行法律中该条没有条文内容。",
        "charge_q": ["{c}罪通常依据刑法的哪些条文定罪处罚？",
                     "判决认定{c}罪时，一般援引《中华人民共和国刑法》的哪一条？",
                     "犯{c}罪，适用刑法哪一条？"],
        "charge_a": "判决认定{c}罪时通常援引{list}。",
        "quote": "{a}规定：{t}",
        "refs": "参考法条：",
    },
    "tw": {
        "para": "項", "item": "款",
        "recite": ["{a}是怎麼規定的？", "請完整背誦{a}。", "{a}的條文內容是什麼？", "請寫出{a}的原文。"],
        "locate": ["這一條位於該法的哪一編、哪一章？", "這一條在法規結構中屬於哪個部分？", "它在哪一編哪一章之下？"],
        "locate_a": "{a}位於{path}。",
        "reverse": ["下面這段條文出自哪部法規的第幾條？\n{t}", "請指出以下法條的出處（法規名稱與條號）：\n{t}",
                    "這是哪一條法律的規定？\n{t}"],
        "reverse_a": "這段條文出自{a}。",
        "para_q": ["{a}第{p}項規定了什麼？", "請寫出{a}第{p}項的內容。"],
        "next_para_q": ["第{p}項呢？", "那麼第{p}項是怎麼規定的？"],
        "item_q": ["{a}第{p}項第{i}款的內容是什麼？", "請寫出{a}第{p}項第{i}款。"],
        "next_item_q": ["第{i}款呢？", "那麼第{i}款是什麼？"],
        "deleted_a": "{a}已刪除（條文標示為「（刪除）」），現行法中該條沒有條文內容。",
        "charge_q": ["{c}罪通常依據刑法哪些條文論罪科刑？", "判決認定{c}罪時，一般引用中華民國刑法哪一條？",
                     "犯{c}罪，適用刑法哪一條？"],
        "charge_a": "判決認定{c}罪時通常引用{list}。",
        "quote": "{a}規定：{t}",
        "refs": "參考法條：",
    },
}


def _conv(turns: list[tuple[str, str]]) -> list[dict]:
    return [m for q, a in turns for m in ({"from": "human", "value": q}, {"from": "gpt", "value": a})]


def _row(j: str, task: str, keys: list[str], turns: list[tuple[str, str]]) -> dict:
    return {"conversations": _conv(turns), "system": SYSTEM[j], "task": task, "articles": keys}


def article_rows(a: dict, seed: int) -> Iterator[dict]:
    """The QA conversations one article supports."""
    j, t, key = a["jurisdiction"], PHRASINGS[a["jurisdiction"]], a["key"]
    r = seeded(seed, key)
    form = r.randrange(6)
    cite = label(a, form)
    # sub-unit numerals follow the citation's style: PRC 第一款 always, Taiwan 第1項 beside 第185條之3
    sub = to_cn if j == "cn" or form % 3 == 2 else str
    if a["deleted"]:
        yield _row(j, "deleted", [key], [(r.choice(t["recite"]).format(a=cite), t["deleted_a"].format(a=cite))])
        return
    turns = [(r.choice(t["recite"]).format(a=cite), text(a))]
    if a["path"]:
        turns.append((r.choice(t["locate"]), t["locate_a"].format(a=label(a), path="，".join(a["path"]))))
    yield _row(j, "recite", [key], turns)
    yield _row(j, "reverse", [key], [(r.choice(t["reverse"]).format(t=text(a)), t["reverse_a"].format(a=label(a)))])
    if len(a["paragraphs"]) > 1:
        turns = []
        for p, body in list(enumerate(a["paragraphs"], 1))[:MAX_TURNS]:
            q = (r.choice(t["para_q"]).format(a=cite, p=sub(p)) if p == 1
                 else r.choice(t["next_para_q"]).format(p=sub(p)))
            turns.append((q, body))
        yield _row(j, "paragraph", [key], turns)
    by_para = defaultdict(list)
    for it in a["items"]:
        by_para[it["paragraph"]].append(it)
    for p, items in sorted(by_para.items()):
        turns = []
        for k, it in enumerate(items[:MAX_TURNS]):
            i = sub(it["item"])
            q = (r.choice(t["item_q"]).format(a=cite, p=sub(p), i=i) if k == 0 else
                 r.choice(t["next_item_q"]).format(i=i))
            turns.append((q, it["text"]))
        yield _row(j, "item", [key], turns)


def charge_rows(charges: Iterable[tuple[str, str, list[str]]], index: dict, seed: int,
                jurisdiction: str) -> Iterator[dict]:
    """charge → governing articles, quoted: one question per (jurisdiction, charge, article keys) of
    `charges` (statute_evidence.governing_articles)."""
    for j, charge, keys in charges:
        if j != jurisdiction:
            continue
        t, r = PHRASINGS[j], seeded(seed, "charge", j, charge)
        arts = [index[k] for k in keys]
        charge = charge.removesuffix("罪")  # the templates say {c}罪
        answer = t["charge_a"].format(c=charge, list="、".join(label(a) for a in arts))
        answer += "\n" + "\n".join(t["quote"].format(a=label(a), t=text(a)) for a in arts)
        yield _row(j, "charge", keys, [(r.choice(t["charge_q"]).format(c=charge), answer)])


def qa_rows(index: dict, charges: list[tuple[str, str, list[str]]], seed: int, jurisdiction: str,
            to_simplified: bool) -> Iterator[dict]:
    """All QA rows of one jurisdiction: articles in index order, then charges (`charges`: the
    governing articles of every charge, statute_evidence.governing_articles)."""
    rows = (row for key in sorted(index, key=lambda k: sort_key(index[k])) if index[key]["jurisdiction"] == jurisdiction
            for row in article_rows(index[key], seed))
    for row in itertools.chain(rows, charge_rows(charges, index, seed, jurisdiction)):
        if jurisdiction == "tw" and to_simplified:
            conv = t2s()
            row["system"] = conv.convert(row["system"])
            for m in row["conversations"]:
                m["value"] = conv.convert(m["value"])
        yield row
