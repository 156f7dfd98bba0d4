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

from lawfactory.parse.citations import citation_keys, fr_numbers
from lawfactory.parse.numerals import to_cn
from lawfactory.parse.scripts import t2s
from lawfactory.records import split_key
from lawfactory.splits import EVAL, assign_split
from lawfactory.tasks.statute_articles import label, seeded, sort_key, text

QA_DATASETS = {"cn": "cn_statutes_qa", "tw": "tw_statutes_qa", "fr": "fr_statutes_qa"}
# Jurisdictions whose QA is split by article (every row of an article on one side): the eval rows'
# dataset. French QA has no case-derived rows, so its eval measures recall of held-out articles.
QA_EVAL_DATASETS = {"fr": "fr_statutes_qa_eval"}
MAX_TURNS = 6  # paragraph / item recitation turns per conversation
PATH_SEP = {"cn": "，", "tw": "，", "fr": " > "}

SYSTEM = {
    "cn": "你是一名熟悉中华人民共和国法律的法律助手。你只依据法律条文的原文回答，不编造条文。",
    "tw": "你是一名熟悉中華民國法律的法律助理。你只依據法條原文回答，不編造條文。",
    "fr": "Vous êtes un assistant juridique spécialiste du droit français. Vous répondez uniquement d'après le texte "
          "des articles de loi, sans jamais inventer de texte.",
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
    # French codes (docs/statutes_fr.md): {a} is `article L. 100-1 du code …` (statute_articles.fr_label),
    # an alinéa is a line of the article; no items (an enumeration line is an alinéa of its own) and
    # no charge rows (no French cases). Every answer about an article not in force comes from its
    # legi-data state and dates (status_a): it never quotes text.
    "fr": {
        "para": "alinéa", "item": "",
        "recite": ["Que prévoit l'{a} ?", "Récitez intégralement l'{a}.", "Quel est le texte de l'{a} ?",
                   "Citez le texte exact de l'{a}."],
        "locate": ["Où cet article se situe-t-il dans le code ?",
                   "Dans quelle partie du code cet article figure-t-il ?",
                   "Sous quels livre, titre et chapitre cet article est-il placé ?"],
        "locate_a": "L'{a} figure sous : {path}.",
        "reverse": ["De quel article de quel code ce texte est-il tiré ?\n{t}",
                    "Indiquez la référence exacte (code et numéro d'article) de la disposition suivante :\n{t}",
                    "Quel article de loi énonce ceci ?\n{t}"],
        "reverse_a": "Ce texte est celui de l'{a}.",
        "para_q": ["Que prévoit l'alinéa {p} de l'{a} ?", "Citez l'alinéa {p} de l'{a}."],
        "next_para_q": ["Et l'alinéa {p} ?", "Que dit ensuite l'alinéa {p} ?"],
        "status_a": {
            "ABROGE": "L'{a} a été abrogé{since} ; il n'est plus en vigueur et son texte n'est pas reproduit ici.",
            "ABROGE_DIFF": "La rédaction de l'{a} en vigueur depuis le {debut} fait l'objet d'une abrogation "
                           "différée : elle cesse de s'appliquer le {fin}{successor}.",
            "VIGUEUR_DIFF": "L'{a} n'est pas encore en vigueur : il entre en vigueur le {debut}.",
            "other": "L'{a} n'est pas en vigueur (état « {status} » dans Légifrance) ; son texte n'est pas "
                     "reproduit ici.",
        },
        "successor": ", date à laquelle une nouvelle rédaction lui succède",
        "quote": "L'{a} dispose : {t}",
        "refs": "Articles de référence :",
    },
}
_MONTHS = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
           "novembre", "décembre")


def fr_date(iso: str) -> str:
    """2029-01-01 → 1er janvier 2029."""
    y, m, d = (int(x) for x in iso.split("-"))
    return f"{'1er' if d == 1 else d} {_MONTHS[m - 1]} {y}"


def status_answer(a: dict, cite: str) -> str:
    """What a row says about a French article not in force, from its legi-data state and dates only.
    A deferred repeal whose date has passed when the code was exported (modified_date) is a repeal."""
    t, status = PHRASINGS["fr"]["status_a"], a.get("status", "")
    fin, debut = a.get("date_fin", ""), a.get("date_debut", "")
    if status == "ABROGE_DIFF" and fin and fin.replace("-", "") <= a["modified_date"]:
        status = "ABROGE"
    if status == "ABROGE":
        return t["ABROGE"].format(a=cite, since=f" le {fr_date(fin)}" if fin and fin < "2999" else "")
    if status == "ABROGE_DIFF" and fin and debut:
        successor = PHRASINGS["fr"]["successor"] if a.get("next_version_from") == fin else ""
        return t["ABROGE_DIFF"].format(a=cite, debut=fr_date(debut), fin=fr_date(fin), successor=successor)
    if status == "VIGUEUR_DIFF" and debut:
        return t["VIGUEUR_DIFF"].format(a=cite, debut=fr_date(debut))
    return t["other"].format(a=cite, status=status)


def number_in_prompt(j: str, keys: list[str], turns: list[tuple[str, str]]) -> bool:
    """Whether a question of the row names one of its articles (then answering with the citation is
    an echo, not recall): the row's keys among the citations of its questions, read by the one
    citation parser with the article's law as the default; a French number also counts written
    without `article`. An evaluation of citation accuracy takes the rows where this is false."""
    prompt = "\n".join(q for q, _ in turns)
    for key in keys:
        law, num = split_key(key)
        if key in citation_keys(prompt, j, default_law=law) or (j == "fr" and num in fr_numbers(prompt)):
            return True
    return False


def _conv(turns: list[tuple[str, str]]) -> list[dict]:
    return [m for q, a in turns for m in ({"from": "human", "value": q}, {"from": "gpt", "value": a})]


def _row(j: str, task: str, keys: list[str], turns: list[tuple[str, str]]) -> dict:
    return {"conversations": _conv(turns), "system": SYSTEM[j], "task": task, "articles": keys,
            "number_in_prompt": number_in_prompt(j, keys, turns)}


def article_rows(a: dict, seed: int) -> Iterator[dict]:
    """The QA conversations one article supports."""
    j, t, key = a["jurisdiction"], PHRASINGS[a["jurisdiction"]], a["key"]
    r = seeded(seed, key)
    form = r.randrange(6)
    cite = label(a, form)
    # sub-unit numerals follow the citation's style: PRC 第一款 always, Taiwan 第1項 beside 第185條之3
    sub = to_cn if j == "cn" or (j == "tw" and form % 3 == 2) else str
    if a["deleted"]:
        answer = status_answer(a, cite) if j == "fr" else t["deleted_a"].format(a=cite)
        yield _row(j, "deleted", [key], [(r.choice(t["recite"]).format(a=cite), answer)])
        return
    turns = [(r.choice(t["recite"]).format(a=cite), text(a))]
    if a["path"]:
        turns.append((r.choice(t["locate"]), t["locate_a"].format(a=label(a), path=PATH_SEP[j].join(a["path"]))))
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


def qa_dataset(j: str, row: dict, seed: int, eval_ratio: float) -> str:
    """The dataset a QA row goes to: with an eval split (QA_EVAL_DATASETS), every row of an article
    is on the side its key draws (seeded by the build seed, `article:<key>` as for the retrieval
    pairs), so no article is both trained on and evaluated."""
    if j in QA_EVAL_DATASETS and assign_split(f"article:{row['articles'][0]}", seed, eval_ratio) == EVAL:
        return QA_EVAL_DATASETS[j]
    return QA_DATASETS[j]


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
