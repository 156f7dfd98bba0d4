"""French codes as a third statute jurisdiction (issue 18): the legi-data converter, the French
citation keys, `fr_statutes_qa` split by article into `fr_statutes_qa_eval`, `number_in_prompt`."""

import json
import re
from pathlib import Path

import pytest

from converters import statutes_fr
from lawfactory.build.pipeline import build
from lawfactory.config import BuildConfig
from lawfactory.jsonl import read_jsonl
from lawfactory.parse.citations import CRPA, citation_keys, parse_citations, parse_key
from lawfactory.tasks.statute_articles import label

from conftest import REPO, SAMPLES, real_path

SAMPLE = SAMPLES / "statutes" / "fr" / "LEGITEXT900000000001.json"
DEMO = "Code de démonstration"
GOLD = json.loads((REPO / "tests" / "gold" / "statutes_fr.json").read_text(encoding="utf-8"))


def crpa() -> Path:
    return real_path("statutes", "fr", "LEGITEXT000031366350.json")


def article_nodes(path: Path) -> list[tuple[dict, list[str]]]:
    """(article data, section titles above it) read with json.load, independently of the converter."""
    out = []

    def walk(node, titles):
        if node["type"] == "article":
            out.append((node["data"], titles))
            return
        for child in node.get("children") or []:
            walk(child, titles + [node["data"]["title"].strip()] if node["type"] == "section" else titles)

    walk(json.loads(path.read_text(encoding="utf-8")), [])
    return out


def fr_build(tmp_path: Path, code: Path) -> Path:
    raw = tmp_path / "raw"
    (raw / "statutes" / "fr").mkdir(parents=True)
    (raw / "statutes" / "fr" / code.name).symlink_to(code.resolve())
    out = tmp_path / "data"
    build(BuildConfig.of(raw=raw, out=out, workers=1))
    return out


def number_written(num: str, prompt: str) -> bool:
    """num (L100-1, R*132-4) in the prompt in any spelling: L100-1, L. 100-1, R.* 132-4."""
    m = re.fullmatch(r"(LO|[LRDA])?(\*?)(.+)", num)
    spelled = (re.escape(m[1]) + r"\s?\.?\s?" if m[1] else "") + (r"\*\s?" if m[2] else "") + re.escape(m[3])
    return re.search(rf"(?<![\w*-]){spelled}(?![\w-])", prompt) is not None


# ---- the real code (skipped when the shared data is absent) ----

@pytest.mark.real
def test_real_crpa_in_force_count_matches_the_vigueur_nodes():
    nodes = article_nodes(crpa())
    r = statutes_fr.read_file(crpa(), "statutes/fr/crpa.json")
    arts = r.laws[0].articles
    assert r.rejects == [] and r.read == len(arts) == len(nodes)
    assert sum(not a["deleted"] for a in arts) == sum(d["etat"] == "VIGUEUR" for d, _ in nodes)
    not_in_force = {f"{CRPA}|{d['num']}" for d, _ in nodes if d["etat"] != "VIGUEUR"}
    assert {a["key"] for a in arts if a["deleted"]} == not_in_force
    assert r.laws[0].name == CRPA and r.laws[0].headings == sum(1 for _ in re.finditer(
        r'"type": "section"', crpa().read_text(encoding="utf-8")))
    for a, (d, titles) in zip(arts, nodes):  # the tree's order, its paths, a text for every article in force
        assert a["num"] == d["num"] and a["path"] == titles and a["status"] == d["etat"]
        assert a["path"], a["key"]
        assert a["deleted"] or (a["paragraphs"] and all(p.strip() for p in a["paragraphs"])), a["key"]
        assert not any("<" in p and ">" in p for p in a["paragraphs"]), a["key"]  # no markup left


@pytest.mark.real
def test_real_crpa_gold_labels():
    r = statutes_fr.read_file(crpa(), "statutes/fr/crpa.json")
    by_id = {a["legi_id"]: a for a in r.laws[0].articles}
    for legi_id, want in GOLD["articles"].items():
        a = by_id[legi_id]
        assert (a["num"], a["status"], a["law"]) == (want["num"], want["etat"], GOLD["code"]), legi_id
        assert (len(a["path"]), a["path"][-1]) == (want["depth"], want["section"]), legi_id
        assert a["deleted"] == (want["etat"] != "VIGUEUR")
        first = " ".join(a["paragraphs"][0].split()[:len(want["first_words"].split())]) if a["paragraphs"] else ""
        assert first == want["first_words"], legi_id


@pytest.mark.real
def test_real_crpa_through_make_data_splits_by_article(tmp_path):
    out = fr_build(tmp_path, crpa())
    index = read_jsonl(out / "statutes_index.jsonl")
    assert len(index) == len(article_nodes(crpa()))
    train, ev = read_jsonl(out / "fr_statutes_qa.jsonl"), read_jsonl(out / "fr_statutes_qa_eval.jsonl")
    train_keys = {k for r in train for k in r["articles"]}
    eval_keys = {k for r in ev for k in r["articles"]}
    assert eval_keys and not train_keys & eval_keys
    assert train_keys | eval_keys == {a["key"] for a in index}
    assert 0.05 < len(eval_keys) / len(index) < 0.15  # ~10%
    reverse = [r for r in train + ev if r["task"] == "reverse"]
    assert len(reverse) == sum(not a["deleted"] for a in index)
    nums = {a["key"]: a["num"] for a in index}
    for r in reverse:
        prompt = r["conversations"][0]["value"]
        assert not number_written(nums[r["articles"][0]], prompt) and r["number_in_prompt"] is False
        assert citation_keys(r["conversations"][1]["value"], "fr") == r["articles"]  # the answer cites it
    for r in train + ev:
        if r["task"] in ("recite", "paragraph", "deleted"):
            assert r["number_in_prompt"] is True and number_written(nums[r["articles"][0]],
                                                                    r["conversations"][0]["value"])
    m = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    entry = m["inputs"]["statutes/fr/LEGITEXT000031366350.json"]
    assert entry["read"] == entry["converted"] + entry["rejected"] + entry["skipped"] == len(index)
    assert m["datasets"]["fr_statutes_qa_eval"]["rows"] == len(ev)


@pytest.mark.real
def test_real_crpa_every_label_form_parses_back_to_its_key():
    for a in statutes_fr.read_file(crpa(), "x.json").laws[0].articles:
        for form in range(2):
            assert citation_keys(f"Selon l'{label(a, form)}, …", "fr") == [a["key"]]


# ---- the sample code and the converter's rules ----

def test_sample_code_articles_paths_and_states():
    r = statutes_fr.read_file(SAMPLE, "statutes/fr/sample.json")
    arts = {a["num"]: a for a in r.laws[0].articles}
    assert r.laws[0].name == DEMO and r.laws[0].modified_date == "20260528" and r.laws[0].headings == 5
    assert r.read == len(arts) == 15 and not r.rejects
    assert arts["L110-1"]["paragraphs"] == [
        "Le présent code, écrit pour les exemples de lawfactory, régit les demandes adressées à un service fictif.",
        "Il ne contient aucune règle de droit réelle."]  # <p><br/>…<br/>…</p>: two alinéas, no empty one
    assert arts["L110-1"]["path"] == ["Livre Ier : DISPOSITIONS GÉNÉRALES", "Titre Ier : CHAMP D'APPLICATION"]
    assert arts["L120-3"]["paragraphs"] == [  # &#39; decoded, the nota left out
        "Le silence gardé par le service pendant deux mois vaut décision d'acceptation."]
    assert arts["L120-4"]["paragraphs"][1:] == ["Demande | Délai", "Première demande | Deux mois",
                                                "Demande\xa0renouvelée | Un mois ; sauf urgence"]
    assert "R*210-2" in arts and arts["R*210-2"]["key"] == f"{DEMO}|R*210-2"
    for num, status in (("L110-3", "ABROGE"), ("L120-2", "ABROGE_DIFF"), ("L120-5", "VIGUEUR_DIFF")):
        a = arts[num]
        assert (a["deleted"], a["status"], a["paragraphs"]) == (True, status, [])
    assert arts["L120-2"]["next_version_from"] == arts["L120-2"]["date_fin"] == "2029-01-01"
    assert [a["number"] for a in r.laws[0].articles] == list(range(1, 16))  # the code's order


def test_texte_is_the_fallback_when_texte_html_is_empty():
    assert statutes_fr.alineas("", "Première ligne.\nSeconde  ligne.") == ["Première ligne.", "Seconde ligne."]
    assert statutes_fr.alineas("<p>A &amp; B<br/>C</p><ul><li>1° D ;</li></ul>", "ignored") == ["A & B", "C", "1° D ;"]


def test_bad_nodes_are_rejected_with_id_path_and_reason(tmp_path):
    tree = json.loads(SAMPLE.read_text(encoding="utf-8"))
    titre = tree["children"][0]["children"][0]["children"]
    del titre[0]["data"]["num"]
    titre[1]["data"]["etat"] = None
    titre[2]["type"] = "annexe"
    tree["children"][0]["children"][1]["children"][0]["data"].update(texteHtml="<p> </p>", texte="")
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(tree, ensure_ascii=False), encoding="utf-8")
    r = statutes_fr.read_file(path, "statutes/fr/bad.json")
    assert r.read == 15 and len(r.laws[0].articles) == 11
    assert [loc for loc, _ in r.rejects] == [1, 2, 3, 4]
    reasons = [why for _, why in r.rejects]
    assert "article without a num" in reasons[0] and "without an etat" in reasons[1]
    assert "unknown node type 'annexe'" in reasons[2]
    assert "L120-1 is in force (VIGUEUR) but has no text" in reasons[3] and "Titre II : DEMANDES" in reasons[3]
    assert all("Livre Ier : DISPOSITIONS GÉNÉRALES > Titre I" in why and "LEGIARTI9" in why for why in reasons)


def test_truncated_and_foreign_files_are_rejected(tmp_path):
    truncated = tmp_path / "cut.json"
    truncated.write_bytes(SAMPLE.read_bytes()[:4000])
    r = statutes_fr.read_file(truncated, "cut.json")
    assert r.rejects and "invalid JSON" in r.rejects[-1][1] and r.read == len(r.laws[0].articles) + 1
    other = tmp_path / "other.json"
    other.write_text('{"LawName": "x", "LawArticles": []}', encoding="utf-8")
    r = statutes_fr.read_file(other, "other.json")
    assert r.rejects == [(1, "no code title (data.title of the top node): not a legi-data code file")]


def test_sample_build_writes_france_and_splits_it_by_article(sample_data):
    index = {a["key"]: a for a in read_jsonl(sample_data / "statutes_index.jsonl") if a["jurisdiction"] == "fr"}
    assert len(index) == 15
    train, ev = read_jsonl(sample_data / "fr_statutes_qa.jsonl"), read_jsonl(sample_data / "fr_statutes_qa_eval.jsonl")
    assert ev and not {k for r in train for k in r["articles"]} & {k for r in ev for k in r["articles"]}
    deleted = [r for r in train + ev if r["task"] == "deleted"]
    assert {r["articles"][0] for r in deleted} == {k for k, a in index.items() if a["deleted"]}
    for r in deleted:  # only the state and dates, never a quoted text
        answer = r["conversations"][1]["value"]
        assert "vigueur" in answer and not any(p in answer for p in ("Le service", "Le demandeur"))
    abroge = next(r for r in deleted if r["articles"] == [f"{DEMO}|L110-3"])
    assert "a été abrogé le 1er juillet 2024" in abroge["conversations"][1]["value"]
    diff = next(r for r in deleted if r["articles"] == [f"{DEMO}|L120-2"])["conversations"][1]["value"]
    assert "abrogation différée" in diff and "1er janvier 2029" in diff and "nouvelle rédaction" in diff
    info = json.loads((sample_data / "dataset_info.json").read_text(encoding="utf-8"))
    assert info["fr_statutes_qa_eval"]["formatting"] == "sharegpt"
    card = (sample_data / "README.md").read_text(encoding="utf-8")  # the data card names the eval side
    assert f"| `fr_statutes_qa_eval` | eval | {len(ev)} |" in card
    assert f"| `fr_statutes_qa` | train | {len(train)} |" in card


def test_cn_and_tw_rows_carry_number_in_prompt(sample_data):
    for name in ("cn_statutes_qa", "tw_statutes_qa"):
        rows = read_jsonl(sample_data / f"{name}.jsonl")
        by_task = {}
        for r in rows:
            by_task.setdefault(r["task"], set()).add(r["number_in_prompt"])
        assert by_task["recite"] == {True} and by_task["reverse"] == {False}, name
        assert by_task.get("charge", {False}) == {False}


# ---- French citations ----

@pytest.mark.parametrize("text, keys", [
    ("l'article L. 100-1 du code des relations entre le public et l'administration", [f"{CRPA}|L100-1"]),
    ("art. L100-1 du CRPA", [f"{CRPA}|L100-1"]),
    ("les articles L. 211-2 et L. 211-5 du code du travail", ["Code du travail|L211-2", "Code du travail|L211-5"]),
    ("l'article R.* 123-4 du code de la route", ["Code de la route|R*123-4"]),
    ("articles L. 211-2 à L. 211-5 du même code", [f"{CRPA}|L211-2", f"{CRPA}|L211-5"]),  # a range: its ends
    ("des articles 28-1 , 28-1-1 et 28-2 du code de procédure pénale",
     ["Code de procédure pénale|28-1", "Code de procédure pénale|28-1-1", "Code de procédure pénale|28-2"]),
    ("l'article 1er de la loi n° 78-17 du 6 janvier 1978", ["loi n° 78-17 du 6 janvier 1978|1"]),
    ("l'article L. 80 A du livre des procédures fiscales", ["Livre des procédures fiscales|L80 A"]),
    ("l'article 1649 quater-0 B bis du code général des impôts et l'article 5 L'autorité",
     ["Code général des impôts|1649 quater-0 B bis", f"{CRPA}|5"]),
    ("Article L. 5 du présent code et article L. 6 du code des pensions civiles et militaires de retraite.",
     [f"{CRPA}|L5", "Code des pensions civiles et militaires de retraite|L6"]),
])
def test_french_citation_forms(text, keys):
    assert citation_keys(text, "fr", default_law=CRPA) == keys


def test_a_french_citation_without_a_code_keys_to_no_code():
    assert citation_keys("l'article L. 100-1", "fr") == ["|L100-1"]
    assert parse_citations("article R*5-2 du CRPA", "fr")[0]["number"] == "R*5-2"


def test_parse_key_reads_french_and_chinese_keys():
    assert parse_key(f"{CRPA}|R*123-4") == (CRPA, "R*123-4", 0)
    assert parse_key("中华人民共和国刑法|133-1") == ("中华人民共和国刑法", 133, 1)
