"""Reading a statute-QA eval file (sharegpt rows: `conversations`, `system`, `task`, `articles`,
optionally `number_in_prompt`) and joining LLaMA-Factory's predictions to it.

LLaMA-Factory predicts the last assistant turn of a sharegpt row: everything before it (system, earlier
questions and the gold earlier answers) is the prompt, and the `label` it writes is that last turn.
So each row is scored on its last assistant turn, and "in the prompt" means anywhere before it.

The join is by order, as for sentencing predictions (inputs.join: same count, labels equal up to
whitespace); in addition each prediction's `prompt` (the chat-templated input LLaMA-Factory
decodes) must contain the row's first question, compared without whitespace (a tokenizer's decode
may respace text). A mismatch names the prediction line and the gold line.
"""

from __future__ import annotations

import re
from pathlib import Path

from lawfactory.parse.citations import ALIASES
from lawfactory.records import split_key

from .inputs import EvalInputError, _records

JURISDICTIONS = ("cn", "tw", "fr")
PROMPT_CHECK_CHARS = 32  # the first question's opening that a prediction's prompt must contain


def is_statute_qa(path: str | Path) -> bool:
    """Whether a gold file holds sharegpt conversations (statute QA) rather than alpaca rows."""
    records = _records(Path(path))
    return bool(records) and isinstance(records[0][1], dict) and "conversations" in records[0][1]


def _turns(path: Path, lineno: int, conv) -> list[tuple[str, str]]:
    if not isinstance(conv, list) or not conv:
        raise EvalInputError(f"{path}:{lineno}: 'conversations' must be a non-empty list of {{from, value}} turns")
    out = []
    for k, m in enumerate(conv, 1):
        if not isinstance(m, dict) or not isinstance(m.get("value"), str) or m.get("from") not in ("human", "gpt"):
            raise EvalInputError(f"{path}:{lineno}: turn {k} is not a {{from: human|gpt, value: string}} object")
        expected = "human" if k % 2 else "gpt"
        if m["from"] != expected:
            raise EvalInputError(f"{path}:{lineno}: turn {k} is from {m['from']!r}, expected {expected!r} "
                                 "(turns alternate human, gpt)")
        out.append((m["from"], m["value"]))
    if out[-1][0] != "gpt":
        raise EvalInputError(f"{path}:{lineno}: the last turn is a question; LLaMA-Factory predicts the last "
                             "assistant turn, so a row must end with one")
    return out


def _gold_row(path: Path, lineno: int, rec) -> dict:
    if not isinstance(rec, dict):
        raise EvalInputError(f"{path}:{lineno}: a gold row must be a JSON object")
    turns = _turns(path, lineno, rec.get("conversations"))
    articles = rec.get("articles", [])
    if not isinstance(articles, list) or not all(isinstance(k, str) and "|" in k for k in articles):
        raise EvalInputError(f"{path}:{lineno}: 'articles' must be a list of article keys (LAW|NUMBER)")
    nip = rec.get("number_in_prompt")
    if nip is not None and not isinstance(nip, bool):
        raise EvalInputError(f"{path}:{lineno}: 'number_in_prompt' must be true or false")
    system = rec.get("system") if isinstance(rec.get("system"), str) else ""
    return {"line": lineno, "task": str(rec.get("task") or "—"), "articles": articles,
            "number_in_prompt": nip, "first_question": turns[0][1], "label_text": turns[-1][1],
            "prompt_text": "\n".join([system, *(v for _, v in turns[:-1])]), "turns": len(turns), "raw": rec}


def load_qa_gold(path: str | Path) -> list[dict]:
    path = Path(path)
    records = _records(path)
    if not records:
        raise EvalInputError(f"{path}: no gold rows")
    return [_gold_row(path, lineno, rec) for lineno, rec in records]


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def check_prompts(preds: list[dict], gold: list[dict], pred_path, gold_path) -> int:
    """Raise unless every prediction's prompt holds its gold row's first question; returns how many
    prompts were checked (a prediction file without prompts cannot be checked this way)."""
    checked = 0
    for p, g in zip(preds, gold):
        if not p.get("prompt"):
            continue
        head = _squash(g["first_question"])[:PROMPT_CHECK_CHARS]
        if head not in _squash(p["prompt"]):
            raise EvalInputError(
                f"{pred_path}:{p['line']}: prompt does not match {gold_path}:{g['line']} (the gold row's question "
                f"{g['first_question'][:40]!r} is not in the prompt {p['prompt'][:80]!r}…); the predictions were made "
                "on another file or in another order")
        checked += 1
    return checked


def jurisdiction_of(path: str | Path, gold: list[dict]) -> str:
    """cn / tw / fr: from the dataset's name (cn_statutes_qa, fr_statutes_qa_eval, …), else from the
    laws its article keys name (Latin script: fr; a Taiwan law name: tw; other CJK: cn)."""
    name = Path(path).name
    for j in JURISDICTIONS:
        if name.startswith(j + "_"):
            return j
    laws = {split_key(k)[0] for g in gold for k in g["articles"]}
    if any(re.search(r"[A-Za-z]", law) for law in laws):
        return "fr"
    tw = set(ALIASES["tw"].values())
    if any(law in tw or "中華民國" in law for law in laws):
        return "tw"
    if any(re.search(r"[\u4e00-\u9fff]", law) for law in laws):
        return "cn"
    raise EvalInputError(f"{path}: cannot tell the jurisdiction (name the file cn_…, tw_… or fr_…, or pass "
                         "--jurisdiction)")
