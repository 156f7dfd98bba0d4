"""What the cases say about the statutes, and the retrieval pairs (DATA/statute_retrieval.jsonl).

StatuteEvidence is filled from the TRAIN-split cases while the task stage streams them (collect):
which criminal-law articles the cases of each charge cite (charge → governing articles, for the
charge questions of lawfactory/tasks/statute_qa.py) and a case-facts → cited article retrieval
pair per citation (streamed to a work file). question_pairs gives the other retrieval pairs, a
recitation question → its article. Every pair's hard negative is another article of the same
节 / 章 (Negatives), drawn with a seeded Random. Every pair carries the `group_id` of its anchor:
the case's group (always a TRAIN group), or `article:<key>` for a question, so a trainer can hold
out by group and check that no eval case reached the pairs.
"""

from __future__ import annotations

import os
import random
import tempfile
from collections import Counter, defaultdict
from collections.abc import Iterator
from pathlib import Path

from lawfactory import jsonl
from lawfactory.parse.citations import CRIMINAL_LAW
from lawfactory.records import article_key
from lawfactory.tasks.statute_articles import document, label, seeded, sort_key, special_part
from lawfactory.tasks.statute_qa import PHRASINGS

RETRIEVAL_SET = "statute_retrieval"  # not a LLaMA-Factory dataset (lawfactory/tasks/registry.py)
RETRIEVAL = f"{RETRIEVAL_SET}.jsonl"
# Case-facts anchors kept per article: enough variety to teach retrieval, bounded so that a
# 1.7M-case corpus does not write one pair per case per citation (gigabytes of repeated facts).
RETRIEVAL_CASES_PER_ARTICLE = 200
# charge → articles: an article is named for a charge when at least MIN_SUPPORT training cases of
# the charge cite it and at least MIN_SHARE of them do; the TOP most cited are named.
MIN_SUPPORT, MIN_SHARE, TOP = 3, 0.2, 3
NO_NEGATIVE = "retrieval: cited articles with no same-chapter negative (no pair)"


def over_cap() -> str:
    return f"retrieval: case anchors over {RETRIEVAL_CASES_PER_ARTICLE} per article (no pair)"


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
    """What StatuteTask collects from the cases for the rows it writes after them: charge/article
    co-occurrence over TRAIN cases and the case-facts retrieval pairs (streamed to a work file).
    The task stage runs in shards (lawfactory/build/task_stage.py): collect() fills a shard's
    evidence, with its candidate pairs (Candidates); merge() adds it to the build's, in case order,
    where the per-article cap is applied as one pass over the cases would."""

    def __init__(self, index: dict, seed: int, work: Path):
        self.index, self.seed, self.work = index, seed, work
        self.cooc: dict[tuple[str, str], Counter] = defaultdict(Counter)
        self.charge_cases: Counter = Counter()
        self.negatives = Negatives(index)
        self.candidates = Candidates(work)
        self.pairs_path = work / "statute_retrieval.cases.jsonl"
        self.pairs = 0
        self.per_article: Counter = Counter()  # pairs written per article (at most RETRIEVAL_CASES_PER_ARTICLE)
        self._pairs = None

    def take(self) -> tuple:
        """This shard's evidence: (co-occurrence, cases per charge, candidates, closed); collect()
        starts afresh."""
        part = self.cooc, self.charge_cases, self.candidates
        self.candidates.close()
        self.cooc, self.charge_cases, self.candidates = defaultdict(Counter), Counter(), Candidates(self.work)
        return part

    def merge(self, part: tuple, stats: Counter) -> None:
        """A shard's evidence, shards in case order: an article's candidate pair is written while
        fewer than RETRIEVAL_CASES_PER_ARTICLE are (else counted as over), a citation without a
        negative is counted when under the cap, as collect() over all the cases in one pass would."""
        cooc, charge_cases, candidates = part
        for key, counts in cooc.items():
            self.cooc[key].update(counts)
        self.charge_cases.update(charge_cases)
        for key, line in candidates.read():
            if self.per_article[key] >= RETRIEVAL_CASES_PER_ARTICLE:
                stats[over_cap()] += 1
            elif line is None:
                stats[NO_NEGATIVE] += 1
            else:
                self.per_article[key] += 1
                self._write(line)

    def _write(self, line: str) -> None:
        if self._pairs is None:
            self.pairs_path.parent.mkdir(parents=True, exist_ok=True)
            self._pairs = open(self.pairs_path, "w", encoding="utf-8", newline="\n")
        self._pairs.write(line + "\n")
        self.pairs += 1

    def close(self) -> None:
        if self._pairs is not None:
            self._pairs.close()
            self._pairs = None


class Candidates:
    """One shard's candidate retrieval pairs, in case order (a work file): for each article, its
    first RETRIEVAL_CASES_PER_ARTICLE pairs in the shard (no later one of the shard can be among
    the first over the corpus) and the citations without a negative among them."""

    def __init__(self, work: Path):
        self.work, self.path, self._file = work, "", None
        self.per_article: Counter = Counter()

    def full(self, key: str) -> bool:
        return self.per_article[key] >= RETRIEVAL_CASES_PER_ARTICLE

    def add(self, key: str, row: dict | None) -> None:
        """A citation of article `key` and its pair (None: no negative, so no pair)."""
        if self._file is None:
            self.work.mkdir(parents=True, exist_ok=True)
            fd, self.path = tempfile.mkstemp(prefix="statute_retrieval.", suffix=".candidates", dir=self.work)
            self._file = os.fdopen(fd, "w", encoding="utf-8", newline="\n")
        self._file.write(key + "\t" + ("" if row is None else jsonl.dumps(row)) + "\n")
        if row is not None:
            self.per_article[key] += 1

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None

    def read(self) -> Iterator[tuple[str, str | None]]:
        """(article key, the pair's JSON line or None), then the file is removed."""
        if not self.path:
            return
        with open(self.path, encoding="utf-8", newline="\n") as f:
            for line in f:
                key, _, row = line.rstrip("\n").partition("\t")
                yield key, row or None
        os.unlink(self.path)


def cited(case: dict, index: dict) -> tuple[list[dict], int]:
    """The criminal-law articles a case cites that the index holds with text, and how many it
    cites that the index lacks (or holds only as deleted)."""
    law = CRIMINAL_LAW[case["jurisdiction"]]
    keys = list(dict.fromkeys(article_key(a["law"], a["number"], a["suffix"]) for a in case["articles"]
                              if a["law"] == law))
    found = [index[k] for k in keys if k in index and not index[k]["deleted"]]
    return found, len(keys) - len(found)


def cited_special_part(case: dict, index: dict) -> tuple[list[dict], list[dict], int]:
    """cited(), with the 分则 (special-part) articles among those found first: (分则 articles, all
    found, missing) — what the grounded rows quote and the retrieval queries and rag rows score."""
    found, missing = cited(case, index)
    return [a for a in found if special_part(a)], found, missing


def collect(ev: StatuteEvidence, case: dict, stats: Counter) -> None:
    """One TRAIN case: charge/article co-occurrence and facts ↔ cited article retrieval pairs."""
    arts, _ = cited(case, ev.index)
    for charge in dict.fromkeys(case["charges"]):
        ev.charge_cases[(case["jurisdiction"], charge)] += 1
        ev.cooc[(case["jurisdiction"], charge)].update(a["key"] for a in arts)
    exclude = {a["key"] for a in arts}
    for a in arts:
        if ev.candidates.full(a["key"]):  # over the cap in this shard: so over the corpus too
            stats[over_cap()] += 1
            continue
        neg = ev.negatives.pick(a, exclude, seeded(ev.seed, "neg", case["case_id"], a["key"]))
        ev.candidates.add(a["key"], None if neg is None else {
            "anchor": case["facts"], "positive": document(a), "negative": document(neg), "group_id": case["group_id"]})


def governing_articles(evidence: StatuteEvidence, index: dict) -> Iterator[tuple[str, str, list[str]]]:
    """(jurisdiction, charge, article keys) for every charge with special-part articles that pass
    the support thresholds."""
    for (j, charge), counts in sorted(evidence.cooc.items()):
        n = evidence.charge_cases[(j, charge)]
        ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
        keys = [k for k, c in ranked if c >= MIN_SUPPORT and c >= MIN_SHARE * n and special_part(index[k])][:TOP]
        if keys:
            yield j, charge, keys


def article_group(key: str) -> str:
    """The group_id of a row anchored on an article, not a case (a question about the article): no
    case group is ever of this form, so a split by group keeps these on the training side."""
    return f"article:{key}"


def question_pairs(index: dict, seed: int, negatives: Negatives) -> Iterator[dict]:
    """Retrieval pairs with a recitation question as the anchor, one per non-deleted article."""
    for key in sorted(index, key=lambda k: sort_key(index[k])):
        a = index[key]
        if a["deleted"]:
            continue
        r = seeded(seed, "retrieval", key)
        neg = negatives.pick(a, set(), r)
        if neg is not None:
            t = PHRASINGS[a["jurisdiction"]]
            yield {"anchor": r.choice(t["recite"]).format(a=label(a, r.randrange(6))), "positive": document(a),
                   "negative": document(neg), "group_id": article_group(key)}
