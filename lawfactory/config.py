"""The options of `lawfactory data`, typed: one frozen dataclass per stage, held by `BuildConfig`.

Each field carries its default and its help text (`metadata["help"]`), written here once, as in
LLaMA-Factory's `hparams/data_args.py`. From these:

- the CLI builds its options (`add_options`): `--near-dup-threshold` from the field `near_dup_threshold`
  (a group's `PREFIX` before it: `--adversarial-ratio` from `AdversarialConfig.ratio`), with the
  type, choices and range the metadata gives;
- `BuildConfig.manifest_options()` is the manifest's `options` record (and part of the fingerprint):
  `dataclasses.asdict` of every group that can change an output, by the options' flat names;
- each stage receives its own group: the judgment converters a `JudgmentConfig` (inside
  `shards.Config`, so worker processes get it under fork and spawn alike), the length checks a
  `LengthConfig`, the adversarial stage an `AdversarialConfig`.

`__post_init__` normalizes what the API may pass loosely (a list for a comma-separated option, a
Path for a file name) and resolves defaults that depend on something else (the recipe's cutoff_len,
the adversarial seed from `--seed`) once, where the config is made.
"""

from __future__ import annotations

import argparse
import dataclasses
import math
import os
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any, ClassVar

from lawfactory import lengths
from lawfactory.errors import UsageError
from lawfactory.parse.dates import normalize_date
from lawfactory.records import RecordError


def _number(kind, lo=None, hi=None, lo_open=False, hi_open=False, zero=False):
    """An argparse type: a number of `kind` within [lo, hi] (open ends where asked; zero: 0 is
    also accepted, meaning the option's default). argparse names the option in the error."""
    def parse(text: str):
        try:
            v = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not {'an integer' if kind is int else 'a number'}: {text!r}") from None
        if zero and v == 0:
            return v
        if math.isnan(v) or (lo is not None and (v < lo or (lo_open and v == lo))) or \
                (hi is not None and (v > hi or (hi_open and v == hi))):
            lb = "" if lo is None else ("(" if lo_open else "[") + f"{lo}"
            ub = "" if hi is None else f"{hi}" + (")" if hi_open else "]")
            rng = f"in {lb}, {ub}" if lo is not None and hi is not None else (f"≥ {lo}" if not lo_open else f"> {lo}")
            raise argparse.ArgumentTypeError(f"must be {rng}{' (or 0: the default)' if zero else ''}, got {text}")
        return v
    return parse


def _existing(text: str) -> str:
    """An argparse type: a path that exists."""
    if text and not Path(text).exists():
        raise argparse.ArgumentTypeError(f"{text} does not exist")
    return text


def _list_file(text: str) -> str:
    """An argparse type: a file that exists (not a folder)."""
    p = Path(text)
    if p.is_dir():
        raise argparse.ArgumentTypeError(f"{text} is a folder; expected a file with one name a line")
    if not p.is_file():
        raise argparse.ArgumentTypeError(f"{text} does not exist")
    return text


def option(default: Any = dataclasses.MISSING, help: str = "", **cli) -> Any:
    """A config field: its default, its help text, and the argparse keywords of its CLI option
    (type, choices, nargs, action, metavar; a bool becomes a store_true flag). `env`: (variable,
    fallback) for a required field whose CLI default comes from the environment."""
    return field(default=default, metadata={"help": help, **cli})


def _items(text: str) -> tuple[str, ...]:
    return tuple(x.strip() for x in text.split(",") if x.strip())


def _date(name: str, value) -> str:
    """A --date-from/--date-to value as YYYY-MM-DD."""
    try:
        return normalize_date(value)
    except RecordError as e:
        raise UsageError(f"--{name.replace('_', '-')}: {e}") from None


def _set(obj, name: str, value) -> None:
    object.__setattr__(obj, name, value)  # a frozen dataclass normalizing itself in __post_init__


@dataclass(frozen=True)
class RunConfig:
    """How the build runs: never changes an output, so it is not recorded (nor in the fingerprint)."""

    TITLE: ClassVar[str] = "execution (never changes the outputs)"
    PREFIX: ClassVar[str] = ""

    workers: int = option(0, "worker processes of the conversion and task stages (default 0: one per core; "
                             "--engine ray: Ray tasks at a time, default one per CPU of the cluster)",
                          type=_number(int, 0))
    start_method: str = option("", "how worker processes start (default fork; spawn where fork is unsafe)",
                               choices=("fork", "spawn"))
    shard_bytes: int = option(4 << 20, "conversion shard size in bytes (default 4 MiB)", type=_number(int, 1))
    engine: str = option("local", "where the conversion and task shards run: local (worker processes of this "
                                  "machine, default) or ray (Ray tasks; docs/scale.md)", choices=("local", "ray"))
    ray_address: str = option("", "the Ray cluster of --engine ray (auto: the one this machine joined; default: a "
                                  "local Ray instance with --workers CPUs); RAW and DATA on a file system every "
                                  "node shares", metavar="ADDR")


@dataclass(frozen=True)
class HygieneConfig:
    """Near-duplicates, benchmark exclusion, quality filters (lawfactory/hygiene/)."""

    TITLE: ClassVar[str] = "data hygiene (near-duplicates, benchmark exclusion, quality filters)"
    PREFIX: ClassVar[str] = ""

    near_dup: str = option("group", "group: merge near-duplicate cases into one group before the split, then check "
                                    "(default); check: fail when an eval case has a train near-duplicate; off: neither",
                           choices=("group", "check", "off"))
    near_dup_threshold: float = option(0.8, "MinHash Jaccard threshold, in (0, 1] (default 0.8)",
                                       type=_number(float, 0, 1, lo_open=True))
    exclude: tuple[str, ...] = option((), "eval sets (CAIL, LawBench or plain JSON / JSONL / JSONL.gz; repeatable) "
                                          "whose facts are removed from training (docs/decontamination.md)",
                                      nargs="+", action="extend", metavar="FILE", type=_list_file)
    exclude_containment: float = option(0.5, "a training fact is contaminated when this share of its character "
                                             "13-grams occurs in one benchmark item, or of the item's fact text in "
                                             "the training fact (default 0.5)",
                                        type=_number(float, 0, 1, lo_open=True), metavar="SHARE")
    charges: str | None = option(None, "official charge list (accu.txt): cases with other charges are filtered",
                                 type=_list_file)
    articles: str | None = option(None, "official article list (law.txt): cases citing other articles are filtered",
                                  type=_list_file)
    min_fact_chars: int = option(20, "drop cases with shorter facts (default 20)", type=_number(int, 0))
    max_fact_chars: int = option(0, "drop cases with longer facts (default: no limit)", type=_number(int, 0))
    # The longest real judgments run to a few hundred thousand characters; a record far beyond that
    # is a broken dump (and costs memory and time).
    max_record_chars: int = option(2_000_000, "reject an input record holding more characters of text than this "
                                              "(default 2,000,000; bounds the memory one record can take)",
                                   type=_number(int, 1))

    def __post_init__(self):
        exclude = (self.exclude,) if isinstance(self.exclude, (str, Path)) else self.exclude
        _set(self, "exclude", tuple(str(Path(p)) for p in exclude))
        for name in ("charges", "articles"):
            if getattr(self, name) is not None:
                _set(self, name, str(getattr(self, name)))


@dataclass(frozen=True)
class JudgmentConfig:
    """The full-text judgment converters' filters and options (converters/judgments.py); the
    conversion shards' fingerprints include them, so a changed filter re-converts the judgments."""

    TITLE: ClassVar[str] = "full-text judgments (RAW/judgments/cn, RAW/judgments/tw)"
    PREFIX: ClassVar[str] = ""

    case_types: str = option("刑事案件", "案件类型 kept, comma-separated ('' keeps all; default 刑事案件)")
    procedures: str = option("刑事一审", "审理程序 kept, comma-separated ('' keeps all; default 刑事一审)")
    date_from: str = option("", "keep judgments dated on or after YYYY-MM-DD")
    date_to: str = option("", "keep judgments dated on or before YYYY-MM-DD")
    pseudonymize: bool = option(False, "rename defendants 被告人甲/乙… within each judgment")
    to_simplified: bool = option(False, "convert Taiwan samples to Simplified Chinese (OpenCC t2s)")

    def __post_init__(self):
        for name in ("case_types", "procedures"):  # a list from the API, kept as the CLI writes it
            if not isinstance(getattr(self, name), str):
                _set(self, name, ",".join(getattr(self, name)))
        for name in ("date_from", "date_to"):
            if getattr(self, name):
                _set(self, name, _date(name, getattr(self, name)))

    @property
    def kept_case_types(self) -> tuple[str, ...]:
        """The 案件类型 kept (empty: all)."""
        return _items(self.case_types)

    @property
    def kept_procedures(self) -> tuple[str, ...]:
        """The 审理程序 kept (empty: all)."""
        return _items(self.procedures)


@dataclass(frozen=True)
class LengthConfig:
    """How sample lengths are measured against cutoff_len (lawfactory/lengths.py)."""

    TITLE: ClassVar[str] = "sample lengths (judgment and grounded samples over cutoff_len are dropped)"
    PREFIX: ClassVar[str] = ""

    tokenizer: str = option("", "tokenizer folder for sample lengths (default: ~1.37 characters a token)",
                            type=_existing)
    cutoff_len: int = option(0, "drop judgment samples longer than this many tokens (default: cutoff_len of "
                                "recipes/criminal_qlora.yaml)", type=_number(int, 0, lo_open=True))

    def __post_init__(self):
        _set(self, "tokenizer", str(self.tokenizer or ""))
        if not self.cutoff_len:
            _set(self, "cutoff_len", lengths.recipe_cutoff())


@dataclass(frozen=True)
class AdversarialConfig:
    """Synthetic counterfactuals (adversarial/stage.py); all recorded, so they change the fingerprint."""

    TITLE: ClassVar[str] = "adversarial counterfactuals (synthetic refusal / unclear / confession variants)"
    PREFIX: ClassVar[str] = "adversarial_"

    # 0.06: ~3,000 per 50,000 (the reference model's mix)
    ratio: float = option(0.06, "variants per case of each split (default 0.06, ~3,000 per 50,000; at least 1 when "
                                "any case is eligible; 0: none)", type=_number(float, 0, 1))
    count: int = option(0, "exactly N training variants (overrides the ratio; eval pairs in the eval split's "
                           "proportion)", type=_number(int, 0))
    seed: int | None = option(None, "selection and phrasing seed (default: --seed)", type=int)

    def __post_init__(self):
        if self.ratio < 0 or self.count < 0:
            raise UsageError(f"--adversarial-ratio and --adversarial-count must be ≥ 0 "
                             f"(got {self.ratio}, {self.count})")
        _set(self, "ratio", float(self.ratio))
        _set(self, "count", int(self.count or 0))


RETRIEVER_KINDS = ("bm25", "dense", "hybrid", "rrf")  # the retriever specs of lawfactory/retrieval/ (load_retriever)


def retriever_spec(text: str) -> str:
    """A retriever spec: `bm25`, or `dense:DIR` / `hybrid:DIR` with DIR a sentence-transformers model
    folder that exists (an argparse type; the API's value is checked by the same function)."""
    kind, sep, folder = str(text).partition(":")
    if kind not in RETRIEVER_KINDS or (kind == "bm25") == bool(sep):
        raise argparse.ArgumentTypeError(f"expected bm25, dense:DIR, hybrid:DIR or rrf:DIR, got {text!r}")
    if folder and not Path(folder).is_dir():
        raise argparse.ArgumentTypeError(f"{text}: {folder} is not a folder (a sentence-transformers model)")
    return str(text)


@dataclass(frozen=True)
class RagConfig:
    """The articles `criminal_sentencing_rag_eval` retrieves for each eval case (lawfactory/tasks/rag.py)."""

    TITLE: ClassVar[str] = "retrieval-grounded eval rows (criminal_sentencing_rag_eval)"
    PREFIX: ClassVar[str] = "rag_"

    retriever: str = option("bm25", "retriever of the articles quoted in criminal_sentencing_rag_eval: bm25 "
                                    "(default, needs no model), dense:DIR or hybrid:DIR (DIR: a trained embedder)",
                            type=retriever_spec, metavar="SPEC")
    k: int = option(3, "articles retrieved for each case (default 3)", type=_number(int, 1, 50))

    def __post_init__(self):
        try:
            retriever_spec(self.retriever)
        except argparse.ArgumentTypeError as e:
            raise UsageError(f"--rag-retriever: {e}") from None
        if not 1 <= int(self.k) <= 50:
            raise UsageError(f"--rag-k must be in [1, 50], got {self.k}")
        _set(self, "k", int(self.k))


def _group(f: dataclasses.Field) -> type | None:
    """The config class of a BuildConfig field holding a group, else None."""
    return f.default_factory if dataclasses.is_dataclass(f.default_factory) else None


@dataclass(frozen=True)
class BuildConfig:
    """Everything `lawfactory data` takes: RAW, DATA, the split, and one group per stage."""

    raw: Path = option(help="input folder (default: samples/)", env=("RAW", "samples"), recorded=False)
    out: Path = option(help="output folder (default: data/)", env=("DATA", "data"), recorded=False)
    seed: int = option(42, "seed of the split, the samplers and the variants (default 42)", type=int)
    eval_ratio: float = option(0.1, "share of case groups held out for eval, in [0, 1) (default 0.1; 0: no eval split)",
                               type=_number(float, 0, 1, hi_open=True))
    run: RunConfig = field(default_factory=RunConfig, metadata={"recorded": False})
    hygiene: HygieneConfig = field(default_factory=HygieneConfig)
    judgments: JudgmentConfig = field(default_factory=JudgmentConfig)
    lengths: LengthConfig = field(default_factory=LengthConfig)
    adversarial: AdversarialConfig = field(default_factory=AdversarialConfig)
    rag: RagConfig = field(default_factory=RagConfig)

    def __post_init__(self):
        _set(self, "raw", Path(self.raw))
        _set(self, "out", Path(self.out))
        if self.adversarial.seed is None:  # the variants follow --seed unless given their own
            _set(self, "adversarial", dataclasses.replace(self.adversarial, seed=self.seed))

    @classmethod
    def of(cls, raw, out, **options) -> BuildConfig:
        """A config from the options' flat names, as the CLI's (`workers`, `near_dup`,
        `adversarial_ratio` …); options not named keep their defaults."""
        kw: dict = {}
        for f in fields(cls):
            sub = _group(f)
            if sub is None:
                if f.name in options:
                    kw[f.name] = options.pop(f.name)
                continue
            names = {sub.PREFIX + g.name: g.name for g in fields(sub)}
            kw[f.name] = sub(**{names[k]: options.pop(k) for k in list(options) if k in names})
        if options:
            raise TypeError(f"unknown build option(s): {', '.join(sorted(options))}")
        return cls(raw=raw, out=out, **kw)

    @classmethod
    def from_args(cls, args: argparse.Namespace) -> BuildConfig:
        """The config of a parsed `lawfactory data` command line."""
        known = {dest for dest, _, _ in _options(cls)}
        return cls.of(**{k: v for k, v in vars(args).items() if k in known})

    def manifest_options(self) -> dict:
        """The manifest's `options`: every option that can change an output, by its flat name, as
        `dataclasses.asdict` gives it, in JSON's types (a tuple as a list). RAW is recorded by its
        inputs' hashes; DATA and the execution options never change an output."""
        values = asdict(self)
        out = {}
        for f in fields(self):
            if f.metadata.get("recorded", True) is False:
                continue
            sub = _group(f)
            out.update({sub.PREFIX + k: v for k, v in values[f.name].items()} if sub else {f.name: values[f.name]})
        return {k: list(v) if isinstance(v, tuple) else v for k, v in out.items()}


def _options(cls) -> list[tuple[str, dataclasses.Field, type | None]]:
    """(dest, field, group class or None) for every option of the config, in field order."""
    out = []
    for f in fields(cls):
        sub = _group(f)
        if sub is None:
            out.append((f.name, f, None))
        else:
            out += [(sub.PREFIX + g.name, g, sub) for g in fields(sub)]
    return out


def add_options(parser: argparse.ArgumentParser, cls=BuildConfig) -> None:
    """Add every option of `cls` to parser: the top-level fields to the parser itself, each group's
    fields to an argument group titled by the group."""
    groups: dict = {}
    for dest, f, sub in _options(cls):
        meta = dict(f.metadata)
        kw = {k: meta[k] for k in ("type", "choices", "nargs", "action", "metavar") if k in meta}
        if "env" in meta:
            default = os.environ.get(*meta["env"])
        else:
            default = list(f.default) if isinstance(f.default, tuple) else f.default
        if isinstance(default, bool):
            kw["action"] = "store_true"
        if sub is not None and sub not in groups:
            groups[sub] = parser.add_argument_group(sub.TITLE)
        target = parser if sub is None else groups[sub]
        target.add_argument("--" + dest.replace("_", "-"), dest=dest, default=default, help=meta["help"] or None, **kw)
