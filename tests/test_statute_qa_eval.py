"""`lawfactory eval` on statute-QA predictions: ROUGE in the language's words, BERTScore (a tiny local
model), echo-free citation accuracy and the existence / repeal check against the statute index."""

import json
import random

import numpy as np
import pytest

from lawfactory.cli import main
from lawfactory.evaluation.bertscore import BertScorer
from lawfactory.evaluation.citation_validity import validity
from lawfactory.evaluation.rouge import latin_words, pair_scores
from lawfactory.parse.citations import citation_keys, parse_citations

from conftest import real_path, write_jsonl

LAW = "中华人民共和国刑法"
SYSTEM = "你是一名熟悉中华人民共和国法律的法律助手。"
ARTICLE_264 = ("盗窃公私财物，数额较大的，或者多次盗窃、入户盗窃、携带凶器盗窃、扒窃的，"
               "处三年以下有期徒刑、拘役或者管制。")
ARTICLE_263 = "以暴力、胁迫或者其他方法抢劫公私财物的，处三年以上十年以下有期徒刑，并处罚金。"


def _row(task, key, *turns, **extra):
    conv = [{"from": "human" if i % 2 == 0 else "gpt", "value": v} for i, v in enumerate(turns)]
    return {"conversations": conv, "system": SYSTEM, "task": task, "articles": [key], **extra}


def _prompt(row):
    """The chat-templated input LLaMA-Factory writes as `prompt`: every turn before the last."""
    turns = "".join(f"<|im_start|>{'user' if m['from'] == 'human' else 'assistant'}\n{m['value']}<|im_end|>\n"
                    for m in row["conversations"][:-1])
    return f"<|im_start|>system\n{row['system']}<|im_end|>\n{turns}<|im_start|>assistant\n"


def _predictions(path, rows, answers):
    return write_jsonl(path, [{"prompt": _prompt(r), "predict": a, "label": r["conversations"][-1]["value"]}
                              for r, a in zip(rows, answers)])


WHERE = "下面这段条文出自哪部法律的第几条？\n"
CN_ROWS = [
    # reverse lookup (text → article): the number is not in the prompt
    _row("reverse", f"{LAW}|264", WHERE + ARTICLE_264, f"这段条文出自《{LAW}》第二百六十四条。"),
    _row("reverse", f"{LAW}|263", f"这是哪一条法律的规定？\n{ARTICLE_263}", f"这段条文出自《{LAW}》第二百六十三条。"),
    _row("reverse", f"{LAW}|264", f"请指出以下法条的出处：\n{ARTICLE_264}", f"这段条文出自《{LAW}》第二百六十四条。"),
    _row("reverse", f"{LAW}|263", WHERE + ARTICLE_263, f"这段条文出自《{LAW}》第263条。"),
    # recitation then location: the number is in the prompt (echo)
    _row("recite", f"{LAW}|264", f"请完整背诵《{LAW}》第二百六十四条。", ARTICLE_264,
         "这一条位于该法的哪一编、哪一章？", f"《{LAW}》第二百六十四条位于第二编 分则，第五章 侵犯财产罪。"),
    # a paragraph recitation: the gold answer cites nothing
    _row("paragraph", f"{LAW}|263", f"请写出《{LAW}》第二百六十三条第一款的内容。", ARTICLE_263),
]
CN_ANSWERS = [
    f"这段条文出自《{LAW}》第二百六十四条。",          # correct
    f"这段条文出自《{LAW}》第二百六十五条。",          # wrong article (exists)
    f"这段条文出自《{LAW}》第一百九十九条。",          # wrong and deleted
    f"这段条文出自《{LAW}》第九百九十九条。",          # wrong and non-existent
    f"《{LAW}》第二百六十四条位于第二编 分则。",         # echo, correct
    "以暴力抢劫公私财物的，处三年以上十年以下有期徒刑。",  # no citation to score
]
INDEX = [{"key": f"{LAW}|{n}", "deleted": n == 199} for n in (199, 263, 264, 265)]


@pytest.fixture
def cn_files(tmp_path):
    gold = write_jsonl(tmp_path / "cn_statutes_qa.jsonl", CN_ROWS)
    pred = _predictions(tmp_path / "generated_predictions.jsonl", CN_ROWS, CN_ANSWERS)
    index = write_jsonl(tmp_path / "statutes_index.jsonl", INDEX)
    return gold, pred, index, tmp_path


def _eval(gold, pred, out, *extra):
    assert main(["eval", "--predictions", str(pred), "--gold", str(gold), "--out", str(out), "--resamples", "50",
                 *extra]) == 0
    return json.loads((out / "metrics.json").read_text(encoding="utf-8"))


def test_citation_accuracy_counts_echo_rows_apart(cn_files):
    gold, pred, index, tmp = cn_files
    m = _eval(gold, pred, tmp / "out", "--statutes", str(index), "--no-bertscore")
    assert m["mode"] == "statute_qa" and m["n"] == 6 and m["jurisdiction"] == "cn" and m["words"] == "jieba"
    # four reverse rows, one right; the recitation row cites the number it was given
    assert (m["echo_free"]["rows"], m["echo_free"]["accuracy"]["value"]) == (4, 0.25)
    assert (m["echo"]["rows"], m["echo"]["accuracy"]["value"]) == (1, 1.0)
    assert m["echo_free"]["exact"]["value"] == 0.25
    assert m["citations"]["rows_without_gold_citation"] == 1 and m["citations"]["echo_computed"] == 6
    # cited: 264, 265, 199 (deleted), 999 (none), 264 → 4 of 5 exist, 1 of 5 repealed
    c = m["citations"]
    assert (c["checkable"], c["exists"], c["repealed"]) == (5, 0.8, 0.2)
    assert c["nonexistent_examples"] == [f"{LAW}|999"]
    assert m["by_task"]["reverse"]["echo_free"]["accuracy"]["value"] == 0.25
    assert m["by_task"]["paragraph"]["echo_free"]["rows"] == 0
    lo, hi = m["echo_free"]["accuracy"]["ci95"]
    assert 0 <= lo <= 0.25 <= hi <= 1
    rows = [json.loads(x) for x in (tmp / "out" / "rows.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [r["hit"] for r in rows] == [True, False, False, False, True, False]
    assert [r["echo"] for r in rows] == [False] * 4 + [True, True]
    report = (tmp / "out" / "report.md").read_text(encoding="utf-8")
    assert "echo-free" in report and "| reverse | 4 |" in report and (tmp / "out" / "statute_qa.png").stat().st_size


def test_number_in_prompt_field_wins_over_the_parse(tmp_path):
    rows = [dict(CN_ROWS[0], number_in_prompt=True), CN_ROWS[1]]
    gold = write_jsonl(tmp_path / "cn_statutes_qa_eval.jsonl", rows)
    pred = _predictions(tmp_path / "p.jsonl", rows, [r["conversations"][-1]["value"] for r in rows])
    m = _eval(gold, pred, tmp_path / "out", "--no-bertscore")
    assert (m["echo"]["rows"], m["echo_free"]["rows"]) == (1, 1)
    assert (m["citations"]["echo_from_field"], m["citations"]["echo_computed"]) == (1, 1)


def test_a_multi_turn_row_is_scored_on_its_last_answer(tmp_path):
    rows = [CN_ROWS[4]]
    gold = write_jsonl(tmp_path / "cn_statutes_qa.jsonl", rows)
    last = _eval(gold, _predictions(tmp_path / "a.jsonl", rows, [rows[0]["conversations"][-1]["value"]]),
                 tmp_path / "a", "--no-bertscore")
    first = _eval(gold, _predictions(tmp_path / "b.jsonl", rows, [rows[0]["conversations"][1]["value"]]),
                  tmp_path / "b", "--no-bertscore")
    assert last["text"]["rouge-l"]["value"] == 100.0 > first["text"]["rouge-l"]["value"]


def test_a_prompt_of_another_row_names_the_line(cn_files, capsys):
    gold, _, _, tmp = cn_files
    lines = [json.loads(x) for x in _predictions(tmp / "p.jsonl", CN_ROWS, CN_ANSWERS).read_text().splitlines()]
    lines[2]["prompt"] = lines[1]["prompt"]  # right label, prompt of another row
    pred = write_jsonl(tmp / "p.jsonl", lines)
    assert main(["eval", "--predictions", str(pred), "--gold", str(gold), "--out", str(tmp / "o"),
                 "--no-bertscore"]) == 1
    err = capsys.readouterr().err
    assert f"{pred}:3: prompt does not match {gold}:3" in err


def test_options_of_the_other_mode_are_refused(cn_files, capsys):
    gold, pred, _, tmp = cn_files
    assert main(["eval", "--predictions", str(pred), "--gold", str(gold), "--out", str(tmp / "o"),
                 "--train", str(gold)]) == 2
    assert "--train does not apply to statute-QA predictions" in capsys.readouterr().err
    sentencing = write_jsonl(tmp / "s.jsonl", [{"instruction": "x", "output": "刑期:6个月"}])
    assert main(["eval", "--predictions", str(pred), "--gold", str(sentencing), "--out", str(tmp / "o"),
                 "--no-bertscore"]) == 2
    assert "--no-bertscore does not apply to sentencing predictions" in capsys.readouterr().err


def test_a_bad_conversation_names_file_and_line(cn_files, capsys):
    gold, pred, _, tmp = cn_files
    rows = CN_ROWS[:5] + [{**CN_ROWS[5], "conversations": CN_ROWS[5]["conversations"][:1]}]
    write_jsonl(gold, rows)
    assert main(["eval", "--predictions", str(pred), "--gold", str(gold), "--out", str(tmp / "o"),
                 "--no-bertscore"]) == 1
    assert f"{gold}:6: the last turn is a question" in capsys.readouterr().err


# --- BERTScore -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def scorer(tiny_model):
    return BertScorer(str(tiny_model), batch_size=4, device="cpu")


def test_bertscore_properties(scorer):
    a = ARTICLE_264
    words = list(a)
    random.Random(0).shuffle(words)
    shuffled = "".join(words)
    unrelated = "Le public a le droit d'être informé des décisions administratives qui le concernent."
    s = scorer.score([a, shuffled, unrelated, ARTICLE_263], [a, a, a, a])
    assert np.allclose([s.precision[0], s.recall[0], s.f1[0]], 1.0, atol=1e-5)
    assert s.f1[1] < 1 - 1e-3 and s.f1[2] < 1 - 1e-3 and s.f1[3] < 1 - 1e-3
    # the unrelated French sentence is further from the Chinese article than its own shuffled characters
    assert s.f1[2] < s.f1[1]
    swapped = scorer.score([a, a], [ARTICLE_263, unrelated])
    assert np.allclose(swapped.precision, s.recall[[3, 2]]) and np.allclose(swapped.recall, s.precision[[3, 2]])
    assert scorer.score([""], [a]).f1[0] == 0.0


def test_bertscore_in_the_eval(cn_files, tiny_model):
    gold, pred, _, tmp = cn_files
    m = _eval(gold, pred, tmp / "out", "--bertscore-model", str(tiny_model))
    assert m["bertscore"]["model"] == str(tiny_model) and m["bertscore"]["layer"] == 2
    f1 = m["by_task"]
    assert f1["reverse"]["text"]["bertscore-f1"]["n"] == 4
    rows = [json.loads(x) for x in (tmp / "out" / "rows.jsonl").read_text(encoding="utf-8").splitlines()]
    assert rows[0]["scores"]["bertscore-f1"] == pytest.approx(1.0, abs=1e-5)  # the correct answer is the gold
    assert rows[1]["scores"]["bertscore-f1"] < 1 - 1e-4
    assert "BERTScore" in (tmp / "out" / "report.md").read_text(encoding="utf-8")


# --- French -------------------------------------------------------------------------------

CRPA = "Code des relations entre le public et l'administration"


def test_latin_words_keep_accents_and_split_punctuation():
    assert latin_words("L'article L. 100-1 est Réputé") == ["l", "'", "article", "l", ".", "100", "-", "1", "est",
                                                            "réputé"]
    assert pair_scores("Décision réputée acceptée.", "décision réputée acceptée .", latin_words)["rouge-l"] == 100.0
    assert pair_scores("décision implicite", "décision réputée acceptée", latin_words)["rouge-l"] < 100.0


def test_french_keys_are_checked_against_the_index():
    index = {f"{CRPA}|L100-1": False, f"{CRPA}|L100-2": True}
    v = validity([[f"{CRPA}|L100-1"], [f"{CRPA}|L100-2", f"{CRPA}|L999-9"]], index)
    assert (v["checkable"], v["exists"], v["repealed"]) == (3, 2 / 3, 1 / 3)


def _french_eval(tmp_path, key: str, index: bool = False) -> dict:
    text = ("Le présent code régit les relations entre le public et l'administration en l'absence de dispositions "
            "spéciales applicables.")
    rows = [
        {"conversations": [{"from": "human", "value": f"De quel article provient ce texte ?\n{text}"},
                           {"from": "gpt", "value": f"Ce texte est l'article L. 100-1 du {CRPA}."}],
         "task": "reverse", "articles": [key], "number_in_prompt": False},
        {"conversations": [{"from": "human", "value": f"Que dit l'article L. 100-1 du {CRPA} ?"},
                           {"from": "gpt", "value": f"L'article L. 100-1 du {CRPA} dispose : {text}"}],
         "task": "recite", "articles": [key], "number_in_prompt": True},
    ]
    for r in rows:
        r["system"] = ""
    gold = write_jsonl(tmp_path / "fr_statutes_qa_eval.jsonl", rows)
    answers = [f"Ce texte est l'article L. 100-2 du {CRPA}.", rows[1]["conversations"][-1]["value"]]
    law = key.rpartition("|")[0]
    extra = ["--statutes", str(write_jsonl(tmp_path / "index.jsonl", [{"key": key}, {"key": f"{law}|L100-2"}]))]
    m = _eval(gold, _predictions(tmp_path / "p.jsonl", rows, answers), tmp_path / "out", "--no-bertscore", *extra)
    assert m["jurisdiction"] == "fr" and m["words"] == "latin_words"
    assert (m["echo_free"]["rows"], m["echo_free"]["accuracy"]["value"]) == (1, 0.0)
    assert (m["echo"]["rows"], m["echo"]["accuracy"]["value"]) == (1, 1.0)
    assert m["by_task"]["recite"]["text"]["rouge-l"]["value"] == 100.0
    assert m["by_task"]["reverse"]["text"]["rouge-l"]["value"] < 100.0
    assert (m["citations"]["checkable"], m["citations"]["exists"]) == (2, 1.0)
    return m


def test_french_statute_qa(tmp_path):
    _french_eval(tmp_path, citation_keys(f"l'article L. 100-1 du {CRPA}", "fr")[0])


# --- real data ----------------------------------------------------------------------------


def _shift_citations(text: str) -> str:
    """Every article the text cites, numbered one higher (第一条 → 第2条)."""
    for c in reversed(parse_citations(text)):
        i = text.rindex(c["text"])
        shifted = f"第{c['number'] + 1}条" + (f"之{c['suffix']}" if c["suffix"] else "")
        text = text[:i] + shifted + text[i + len(c["text"]):]
    return text


def _real_gold_and_shifted(tmp_path, jurisdiction: str, file: str, dataset: str, shift) -> tuple[dict, dict]:
    """Build `dataset` from one real statute file, then score its gold answers, and the same answers
    with the reverse rows' citations shifted by `shift`: (gold metrics, shifted metrics)."""
    statute = real_path("statutes", jurisdiction, file)
    (tmp_path / "raw" / "statutes" / jurisdiction).mkdir(parents=True)
    (tmp_path / "raw" / "statutes" / jurisdiction / statute.name).symlink_to(statute)
    data = tmp_path / "data"
    assert main(["data", "--raw", str(tmp_path / "raw"), "--out", str(data), "--workers", "1"]) == 0
    gold = data / f"{dataset}.jsonl"
    rows = [json.loads(x) for x in gold.read_text(encoding="utf-8").splitlines()]
    answers = [r["conversations"][-1]["value"] for r in rows]
    index = ["--statutes", str(data / "statutes_index.jsonl"), "--no-bertscore"]
    m = _eval(gold, _predictions(tmp_path / "gold.jsonl", rows, answers), tmp_path / "gold", *index)
    shifted = [shift(a) if r["task"] == "reverse" else a for r, a in zip(rows, answers)]
    return m, _eval(gold, _predictions(tmp_path / "shifted.jsonl", rows, shifted), tmp_path / "shifted", *index)


@pytest.mark.real
def test_real_statute_qa_gold_and_shifted_answers(tmp_path):
    m, shifted = _real_gold_and_shifted(tmp_path, "cn", "prc_criminal_law.md", "cn_statutes_qa", _shift_citations)
    reverse = m["by_task"]["reverse"]
    assert reverse["n"] > 400 and reverse["echo_free"]["rows"] == reverse["n"]
    assert reverse["echo_free"]["accuracy"]["value"] == 1.0 and m["echo_free"]["accuracy"]["value"] == 1.0
    assert m["text"]["rouge-l"]["value"] == 100.0
    assert m["by_task"]["recite"]["echo"]["rows"] == m["by_task"]["recite"]["n"]  # recitation prompts name the number
    assert m["citations"]["exists"] == 1.0
    reverse = shifted["by_task"]["reverse"]
    assert reverse["echo_free"]["accuracy"]["value"] == 0.0 and reverse["echo_free"]["rows"] > 400
    assert shifted["by_task"]["recite"]["echo"]["accuracy"]["value"] == 1.0  # the echo rows are untouched
    assert shifted["text"]["rouge-l"]["value"] < 100.0


def test_a_runaway_answer_is_cut_and_counted(scorer):
    from lawfactory.evaluation.bertscore import MAX_TOKENS

    vectors, cut = scorer.embed([" ".join(str(i) for i in range(3000)), ARTICLE_263])
    assert cut == 1 and len(vectors[0]) == MAX_TOKENS and 0 < len(vectors[1]) < MAX_TOKENS


def _shift_french(text: str) -> str:
    """Every `L. 100-1` style number one higher in its last part (L. 100-1 → L. 100-2)."""
    import re

    return re.sub(r"\b([LRD]\*?\.? ?\d+(?:-\d+)*-)(\d+)", lambda m: f"{m.group(1)}{int(m.group(2)) + 1}", text)


@pytest.mark.real
def test_real_french_eval_rows_gold_and_shifted_answers(tmp_path):
    """fr_statutes_qa_eval built from the real code: the gold answers score 1 on the echo-free rows
    (text → article), answers citing the next article 0."""
    m, shifted = _real_gold_and_shifted(tmp_path, "fr", "LEGITEXT000031366350.json", "fr_statutes_qa_eval",
                                        _shift_french)
    assert m["jurisdiction"] == "fr" and m["text"]["rouge-l"]["value"] == 100.0
    reverse = m["by_task"]["reverse"]
    assert reverse["n"] >= 10 and reverse["echo_free"]["rows"] == reverse["n"]
    assert m["echo_free"]["accuracy"]["value"] == 1.0 and m["citations"]["exists"] == 1.0
    assert shifted["by_task"]["reverse"]["echo_free"]["accuracy"]["value"] == 0.0
    assert shifted["text"]["rouge-l"]["value"] < 100.0


def test_answers_are_read_in_the_rows_law():
    """An answer about 刑事訴訟法 that writes 本法第X條 or an unnamed 第X條 cites 刑事訴訟法, not the
    criminal code: gold and prediction are parsed with the row's law."""
    from lawfactory.evaluation.qa_citations import score_rows

    key = "刑事訴訟法|57"
    gold = [{"articles": [key], "label_text": "本法第57條規定：…", "number_in_prompt": False, "prompt_text": "…"}]
    right, wrong = score_rows(gold * 2, ["依第57條，…", "依本法第58條，…"], "tw")
    assert right["gold_answer_keys"] == [key] and right["predicted_keys"] == [key] and right["hit"]
    assert wrong["predicted_keys"] == ["刑事訴訟法|58"] and wrong["scored"] and not wrong["hit"]
