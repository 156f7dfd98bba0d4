"""Statute index → statute QA, statute-grounded sentencing samples and retrieval pairs.

Everything a row states comes from the article text in the index (DATA/statutes_index.jsonl):
recitation (law + number → text, then where it sits), reverse lookup (text → law and number),
paragraph and item recitation, and a deleted article only ever gets "this article was deleted".
The one exception is charge → governing articles, which counts which articles the TRAIN-split
cases of a charge cite (StatuteEvidence, filled while the task stage streams the cases) and then
quotes those articles' text. Phrasings are drawn per article from a Random seeded with the build
seed and the article key, so a rebuild writes the same rows.

Unit names differ across the strait: PRC 条-款-项, Taiwan 條-項-款 (see lawfactory/parse/citations.py).
"""

from __future__ import annotations

import itertools
import random
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from lawfactory import jsonl, lengths
from lawfactory.parse.citations import CRIMINAL_LAW
from lawfactory.parse.numerals import to_cn
from lawfactory.records import article_key
from lawfactory.splits import EVAL, TRAIN
from lawfactory.tasks.judgment_rows import _t2s, is_judgment, judgment_sample
from lawfactory.tasks.sentencing import INSTRUCTION, sentencing_sample

if TYPE_CHECKING:
    from lawfactory.build.config import LengthConfig

QA_DATASETS = {"cn": "cn_statutes_qa", "tw": "tw_statutes_qa"}
RETRIEVAL = "statute_retrieval.jsonl"
# Case-facts anchors kept per article: enough variety to teach retrieval, bounded so that a
# 1.7M-case corpus does not write one pair per case per citation (gigabytes of repeated facts).
RETRIEVAL_CASES_PER_ARTICLE = 200
# charge → articles: an article is named for a charge when at least MIN_SUPPORT training cases of
# the charge cite it and at least MIN_SHARE of them do; the TOP most cited are named.
MIN_SUPPORT, MIN_SHARE, TOP = 3, 0.2, 3
MAX_TURNS = 6  # paragraph / item recitation turns per conversation
NO_GROUNDING = "grounded: cases with no cited 分则 article in the statute index (no grounded row)"

SYSTEM = {
    "cn": "你是一名熟悉中华人民共和国法律的法律助手。你只依据法律条文的原文回答，不编造条文。",
    "tw": "你是一名熟悉中華民國法律的法律助理。你只依據法條原文回答，不編造條文。",
}
# Per jurisdiction: the paragraph and item units, and the phrasings of every question and answer.
T = {
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
        "charge_q": ["{c}罪通常依据刑法的哪些条文定罪处罚？", "判决认定{c}罪时，一般援引《中华人民共和国刑法》的哪一条？",
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
GROUNDED_INSTRUCTION = INSTRUCTION["cn"].replace("以下案件事实", "以下案件事实和所附参考法条", 1)
assert GROUNDED_INSTRUCTION != INSTRUCTION["cn"]


def label(a: dict, form: int = 0) -> str:
    """The article as a citation, in one of the forms judgments write (all parse to a["key"]):
    cn 《中华人民共和国刑法》第一百三十三条之一 / …第133条之一; tw 中華民國刑法第185條之3 / 第 185-3 條 /
    第一百八十五條之三."""
    n, s, law = a["number"], a["suffix"], a["law"]
    if a["jurisdiction"] == "cn":
        num = to_cn(n) if form % 2 == 0 else str(n)
        return f"《{law}》第{num}条" + (f"之{to_cn(s)}" if s else "")
    form %= 3
    if form == 1:
        return f"{law}第 {n}-{s} 條" if s else f"{law}第 {n} 條"
    if form == 2:
        return f"{law}第{to_cn(n)}條" + (f"之{to_cn(s)}" if s else "")
    return f"{law}第{n}條" + (f"之{s}" if s else "")


def text(a: dict) -> str:
    return "\n".join(a["paragraphs"])


def document(a: dict) -> str:
    """An article as a retrieval document and as a grounding reference: its citation, then its text."""
    return f"{label(a)}\n{text(a)}"


def _rng(seed: int, *parts: object) -> random.Random:
    return random.Random("|".join(map(str, (seed, *parts))))  # str seeds hash with SHA-512: stable


def _conv(turns: list[tuple[str, str]]) -> list[dict]:
    return [m for q, a in turns for m in ({"from": "human", "value": q}, {"from": "gpt", "value": a})]


def _row(j: str, task: str, keys: list[str], turns: list[tuple[str, str]]) -> dict:
    return {"conversations": _conv(turns), "system": SYSTEM[j], "task": task, "articles": keys}


def article_rows(a: dict, seed: int) -> Iterator[dict]:
    """The QA conversations one article supports."""
    j, t, key = a["jurisdiction"], T[a["jurisdiction"]], a["key"]
    r = _rng(seed, key)
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
            q = r.choice(t["para_q"]).format(a=cite, p=sub(p)) if p == 1 else r.choice(t["next_para_q"]).format(p=sub(p))
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


def special_part(a: dict) -> bool:
    """An article of the special part (分则 / 分則, the first heading of its path), where offences
    and their penalty ranges are defined. 总则 articles (自首 §67, 缓刑 §72, 罚金 §52) are cited with
    every charge and govern none, and 附则 articles neither."""
    return any("分则" in h or "分則" in h for h in a["path"][:1])


def governing_articles(evidence: StatuteEvidence, index: dict) -> Iterator[tuple[str, str, list[str]]]:
    """(jurisdiction, charge, article keys) for every charge with special-part articles that pass
    the support thresholds."""
    for (j, charge), counts in sorted(evidence.cooc.items()):
        n = evidence.charge_cases[(j, charge)]
        ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
        keys = [k for k, c in ranked if c >= MIN_SUPPORT and c >= MIN_SHARE * n and special_part(index[k])][:TOP]
        if keys:
            yield j, charge, keys


def charge_rows(evidence: StatuteEvidence, index: dict, seed: int, jurisdiction: str) -> Iterator[dict]:
    for j, charge, keys in governing_articles(evidence, index):
        if j != jurisdiction:
            continue
        t, r = T[j], _rng(seed, "charge", j, charge)
        arts = [index[k] for k in keys]
        charge = charge.removesuffix("罪")  # the templates say {c}罪
        answer = t["charge_a"].format(c=charge, list="、".join(label(a) for a in arts))
        answer += "\n" + "\n".join(t["quote"].format(a=label(a), t=text(a)) for a in arts)
        yield _row(j, "charge", keys, [(r.choice(t["charge_q"]).format(c=charge), answer)])


def qa_rows(index: dict, evidence: StatuteEvidence, seed: int, jurisdiction: str, to_simplified: bool) -> Iterator[dict]:
    """All QA rows of one jurisdiction: articles in index order, then charges."""
    rows = (row for key in sorted(index, key=lambda k: sort_key(index[k])) if index[key]["jurisdiction"] == jurisdiction
            for row in article_rows(index[key], seed))
    for row in itertools.chain(rows, charge_rows(evidence, index, seed, jurisdiction)):
        if jurisdiction == "tw" and to_simplified:
            conv = _t2s()
            row["system"] = conv.convert(row["system"])
            for m in row["conversations"]:
                m["value"] = conv.convert(m["value"])
        yield row


def sort_key(a: dict) -> tuple:
    return a["jurisdiction"], a["law"], a["number"], a["suffix"]


# ---- the task stage: evidence from the cases, grounded samples, retrieval pairs ----

class Negatives:
    """Hard negatives: another non-deleted article of the same 節 (path), else of the same 章
    (path[:2]) — text on the same subject that is not the article asked for."""

    def __init__(self, index: dict):
        self.index = index
        self.groups: dict[tuple, list[str]] = defaultdict(list)
        for key in sorted(index, key=lambda k: sort_key(index[k])):
            a = index[key]
            if not a["deleted"] and a["path"]:
                self.groups[(a["law"], *a["path"])].append(key)
                if len(a["path"]) > 2:
                    self.groups[(a["law"], *a["path"][:2])].append(key)

    def pick(self, a: dict, exclude: set, rng: random.Random) -> dict | None:
        for path in (a["path"], a["path"][:2]):
            pool = [k for k in self.groups.get((a["law"], *path), ()) if k not in exclude and k != a["key"]]
            if path and pool:
                return self.index[rng.choice(pool)]
        return None


class StatuteEvidence:
    """What the task stage collects for the statute outputs written after it: charge/article
    co-occurrence over TRAIN cases and the case-facts retrieval pairs (streamed to a work file)."""

    def __init__(self, index: dict, seed: int, work: Path, length_config: LengthConfig):
        self.index, self.seed, self.lengths = index, seed, length_config  # cutoff_len and tokenizer of the grounded rows
        self.cooc: dict[tuple[str, str], Counter] = defaultdict(Counter)
        self.charge_cases: Counter = Counter()
        self.negatives = Negatives(index)
        self.pairs_path = work / "statute_retrieval.cases.jsonl"
        self.pairs = 0
        self.per_article: Counter = Counter()
        self._pairs = None

    def add_pair(self, row: dict) -> None:
        if self._pairs is None:
            self.pairs_path.parent.mkdir(parents=True, exist_ok=True)
            self._pairs = open(self.pairs_path, "w", encoding="utf-8", newline="\n")
        self._pairs.write(jsonl.dumps(row) + "\n")
        self.pairs += 1

    def close(self) -> None:
        if self._pairs is not None:
            self._pairs.close()
            self._pairs = None


def cited(case: dict, index: dict) -> tuple[list[dict], int]:
    """The criminal-law articles a case cites that the index holds with text, and how many it
    cites that the index lacks (or holds only as deleted)."""
    law = CRIMINAL_LAW[case["jurisdiction"]]
    keys = list(dict.fromkeys(article_key(a["law"], a["number"], a["suffix"]) for a in case["articles"]
                              if a["law"] == law))
    found = [index[k] for k in keys if k in index and not index[k]["deleted"]]
    return found, len(keys) - len(found)


def evidence_task(case: dict, split: str, ctx) -> Iterable[tuple[str, dict]]:
    """TRAIN cases only: charge/article co-occurrence and facts ↔ cited article retrieval pairs."""
    ev: StatuteEvidence | None = ctx.statutes
    if ev is None or split != TRAIN or not ev.index:
        return ()
    arts, _ = cited(case, ev.index)
    for charge in dict.fromkeys(case["charges"]):
        ev.charge_cases[(case["jurisdiction"], charge)] += 1
        ev.cooc[(case["jurisdiction"], charge)].update(a["key"] for a in arts)
    exclude = {a["key"] for a in arts}
    for a in arts:
        if ev.per_article[a["key"]] >= RETRIEVAL_CASES_PER_ARTICLE:
            ctx.stats[f"retrieval: case anchors over {RETRIEVAL_CASES_PER_ARTICLE} per article (no pair)"] += 1
            continue
        neg = ev.negatives.pick(a, exclude, _rng(ev.seed, "neg", case["case_id"], a["key"]))
        if neg is None:
            ctx.stats["retrieval: cited articles with no same-chapter negative (no pair)"] += 1
            continue
        ev.per_article[a["key"]] += 1
        ev.add_pair({"anchor": case["facts"], "positive": document(a), "negative": document(neg)})
    return ()


def grounded_task(case: dict, split: str, ctx) -> Iterable[tuple[str, dict]]:
    """`criminal_sentencing_grounded(_eval)`: the sentencing sample of a mainland case with the
    text of the 分则 articles it cites appended to the input (LawBench 3-5 gives the charge's
    articles). Only 分则 articles: they define the offence and its penalty range. The 总则
    articles a judgment cites are the court's conclusions — §67 (自首/坦白), §72/§73 (缓刑),
    §52/§53 (罚金), §65 (累犯) — and quoting them would hand the model the answer."""
    ev: StatuteEvidence | None = ctx.statutes
    if case["jurisdiction"] != "cn" or ev is None:
        return
    found, missing = cited(case, ev.index)
    arts = [a for a in found if special_part(a)]
    if missing:
        ctx.stats["grounded: cited articles missing from the statute index (left out)"] += missing
    if len(arts) < len(found):
        ctx.stats["grounded: cited 总则/附则 articles (left out, they reveal the outcome)"] += len(found) - len(arts)
    if not arts:
        ctx.stats[NO_GROUNDING] += 1
        return
    eval_row = split == EVAL
    row = judgment_sample(case, eval_row=eval_row) if is_judgment(case) else sentencing_sample(case, eval_row=eval_row)
    row["instruction"] = GROUNDED_INSTRUCTION
    row["input"] += "\n\n" + T["cn"]["refs"] + "\n" + "\n".join(document(a) for a in arts)
    if eval_row:
        row["grounded_articles"] = [a["key"] for a in arts]
    name = "criminal_sentencing_grounded" + ("_eval" if eval_row else "")
    if lengths.over_cutoff(row, ev.lengths):
        ctx.stats[f"grounded samples over cutoff_len {ev.lengths.cutoff_len} dropped: {name}"] += 1
        return
    yield name, row


def question_pairs(index: dict, seed: int, negatives: Negatives) -> Iterator[dict]:
    """Retrieval pairs with a recitation question as the anchor, one per non-deleted article."""
    for key in sorted(index, key=lambda k: sort_key(index[k])):
        a = index[key]
        if a["deleted"]:
            continue
        r = _rng(seed, "retrieval", key)
        neg = negatives.pick(a, set(), r)
        if neg is not None:
            t = T[a["jurisdiction"]]
            yield {"anchor": r.choice(t["recite"]).format(a=label(a, r.randrange(6))), "positive": document(a),
                   "negative": document(neg)}
