"""Sentencing metrics while training: the callback `lawfactory train` adds to LLaMA-Factory's run_exp.

Loss says little about sentencing: a model can lower it on the judgment prose while its terms stay at
the constant baseline. So at every evaluation (the recipe's `eval_strategy` / `eval_steps`) of a recipe
trained on sentencing rows (or when asked: `decide` below) the callback generates greedy answers for
a fixed sample of eval rows and scores them with the evaluator's own readers
(lawfactory/evaluation/run.py point_scores, attitude_pairs):

    eval_imprisonment_score, eval_lawbench_term_score, eval_abstention_rate   on `--metrics-rows` rows
    eval_attitude_violation_rate                                              on `--metrics-pairs` pairs

(eval_sentencing_rows and eval_attitude_pairs give the sample sizes.) The sample is the same at
every evaluation and in every run with the same data and seed: the rows whose seeded hash of the
case id (pair id) is smallest.

The values are logged through the trainer's own `log`, so they reach every configured report backend
(`report_to`: TensorBoard as eval/imprisonment_score …) and trainer_state.json's log_history. The
callback also appends them to the output folder's trainer_log.jsonl, in the line format of
LLaMA-Factory's LogCallback (which writes only its fixed keys), for the model card and LlamaBoard.
They are added to the evaluation's metrics as well, so `metric_for_best_model:
eval_imprisonment_score` selects checkpoints by sentencing.

A TrainerCallback is not given the trainer. Trainer.evaluate calls `on_evaluate` itself, so the
callback finds it as the `self` of a calling frame; nothing of LLaMA-Factory or transformers is
patched. Distributed: every rank generates its share and all ranks log (LLaMA-Factory's DPO trainer
averages its stored metrics over the ranks inside `log`); report backends write on rank 0 only.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace

from lawfactory.config import _number, option
from lawfactory.errors import InputError, UsageError

DEFAULT_ROWS, DEFAULT_DATASET = 32, "criminal_sentencing_eval"


@dataclass(frozen=True)
class LiveMetricsConfig:
    """The options of the live sentencing metrics (`lawfactory train --metrics-…`)."""

    metrics_rows: int | None = option(None, "eval rows answered at each evaluation (default 32 when the recipe's "
                                            "dataset or eval_dataset is a sentencing dataset, else no live metrics; "
                                            "given: always; 0: no live metrics)", type=_number(int, 0))
    metrics_pairs: int = option(16, "attitude pairs (two answers each) at each evaluation, when the pairs dataset "
                                    "is registered (default 16; 0: none)", type=_number(int, 0))
    metrics_dataset: str | None = option(None, f"the eval dataset the rows come from (default {DEFAULT_DATASET}; "
                                               "given: the metrics are taken whatever the recipe trains on)")
    pairs_dataset: str = option("criminal_attitude_pairs_eval", "the attitude pairs dataset")
    metrics_max_new_tokens: int = option(384, "longest answer generated (default 384 tokens)", type=_number(int, 1))
    metrics_batch_size: int = option(8, "answers generated at once per device (default 8)", type=_number(int, 1))
    metrics_seed: int = option(42, "seed of the row sample", type=int)

    @property
    def rows(self) -> int:
        return DEFAULT_ROWS if self.metrics_rows is None else self.metrics_rows

    @property
    def dataset(self) -> str:
        return self.metrics_dataset or DEFAULT_DATASET


def recipe_datasets(args: dict) -> list[str]:
    """The dataset names of the recipe's `dataset` and `eval_dataset` (comma-separated, as LLaMA-Factory
    reads them, or a list)."""
    from lawfactory.preflight.recipe import dataset_names

    return list(dict.fromkeys(n for key in ("dataset", "eval_dataset") for n in dataset_names(args.get(key))))


def eval_enabled(args: dict) -> bool:
    strategy = str(args.get("eval_strategy") or args.get("evaluation_strategy") or "no")
    return strategy != "no" and bool(args.get("eval_dataset") or args.get("val_size"))


def _off_by_default(args: dict) -> str:
    """Why the recipe gets no live metrics unless asked ("" when it gets them)."""
    from lawfactory.tasks.registry import is_sentencing

    names = recipe_datasets(args)
    if not any(map(is_sentencing, names)):
        return f"its datasets ({', '.join(names) or 'none'}) hold no sentencing rows"
    if not args.get("do_train"):
        return "it does not train (do_train)"
    if not eval_enabled(args):
        return "it has no evaluation to take them at (eval_strategy, eval_dataset or val_size)"
    return ""


def decide(args: dict, config: LiveMetricsConfig, recipe: str) -> tuple[LiveMetricsConfig, str]:
    """The live metrics of this run: `config` with metrics_rows and metrics_dataset filled in, and a line
    saying why they are off when they are off by default ("" otherwise).

    Given --metrics-rows or --metrics-dataset, the metrics are taken as asked, and what makes that
    impossible (no training, no evaluation, the dataset not registered or its file missing) is an error.
    By default they are taken only when the recipe's dataset or eval_dataset holds a sentencing dataset
    of the registry (lawfactory/tasks/registry.py is_sentencing): for statute QA or Taiwan judgments
    they would score answers to questions the model is not trained on, and cost generation time."""
    from lawfactory.preflight.datasets import registered

    given = config.metrics_rows is not None or config.metrics_dataset is not None
    config = replace(config, metrics_rows=config.rows, metrics_dataset=config.dataset)
    if not given:
        why = _off_by_default(args)
        if why:
            return replace(config, metrics_rows=0), (f"{recipe}: no live sentencing metrics: {why}; "
                                                     "--metrics-rows N takes them anyway")
    if not config.metrics_rows:
        return config, ""
    if not args.get("do_train", False):
        raise UsageError(f"{recipe}: live metrics need do_train: true (or --metrics-rows 0)")
    if not eval_enabled(args):
        raise UsageError(f"{recipe}: live metrics are taken at each evaluation; set eval_strategy: steps, "
                         "eval_steps and an eval_dataset (or val_size), or pass --metrics-rows 0")
    dataset_dir = args.get("dataset_dir") or "data"
    try:
        found = registered(args, config.metrics_dataset)
    except InputError as e:
        found, problem = None, str(e)
    else:
        problem = f"{config.metrics_dataset} is not registered in {dataset_dir}/dataset_info.json"
    if found is None:
        raise InputError(f"{recipe}: live metrics take their rows from {config.metrics_dataset} "
                         f"(--metrics-dataset), which this run's data lacks: {problem}. Build the sentencing "
                         "datasets into dataset_dir, name a registered eval dataset with --metrics-dataset, "
                         "or pass --metrics-rows 0")
    return config, ""


def dataset_gold(args: dict, name: str) -> list[dict] | None:
    """The rows of a dataset registered in the recipe's dataset_dir, read as the evaluator reads gold
    (lawfactory/evaluation/inputs.py load_gold: its `raw` is the row); None when not registered."""
    from lawfactory.evaluation.inputs import EvalInputError, load_gold
    from lawfactory.preflight.datasets import registered

    entry = registered(args, name)
    if entry is None:
        return None
    _, files, _ = entry
    try:
        return [g for f in files for g in load_gold(f, "lawfactory")[0]]
    except EvalInputError as e:
        raise InputError(f"live metrics: {e}") from None


def _rank(seed: int, key: str) -> bytes:
    return hashlib.blake2b(f"{seed}:{key}".encode(), digest_size=8).digest()


def sample_rows(gold: list[dict], n: int, seed: int) -> list[dict]:
    """The n rows with the smallest seeded hashes of their case id (file order kept)."""
    keyed = sorted(range(len(gold)), key=lambda i: _rank(seed, gold[i]["case_id"]))
    return [gold[i] for i in sorted(keyed[:n])]


def sample_pairs(gold: list[dict], n: int, seed: int) -> list[dict]:
    """Both rows of the n pairs with the smallest seeded hashes of their pair id (file order kept)."""
    from lawfactory.evaluation.attitude_pairs import link_pairs

    raw = [g["raw"] for g in gold]
    pairs = link_pairs(raw, "pairs dataset")
    keyed = sorted(pairs, key=lambda p: _rank(seed, str(raw[p[1]].get("pair_id") or gold[p[1]]["case_id"])))
    return [gold[i] for i in sorted(i for p in keyed[:n] for i in p)]
