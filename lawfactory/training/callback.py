"""The callback of the live sentencing metrics (what it measures and where it logs:
lawfactory/training/live_metrics.py). Kept apart so that the options and the sampling import
without transformers (every `lawfactory` command builds its parser from them)."""

from __future__ import annotations

import json
import sys
import time
from datetime import timedelta
from pathlib import Path

from transformers import TrainerCallback

from lawfactory.errors import InputError
from lawfactory.training.live_metrics import LiveMetricsConfig, dataset_gold, sample_pairs, sample_rows


def calling_trainer():
    """The Trainer whose method (evaluate) is running this callback."""
    from transformers import Trainer

    frame = sys._getframe(1)
    while frame is not None:
        obj = frame.f_locals.get("self")
        if isinstance(obj, Trainer):
            return obj
        frame = frame.f_back
    raise RuntimeError("live sentencing metrics: no Trainer calls this callback")


class SentencingMetricsCallback(TrainerCallback):
    """Generate on a fixed sample at each evaluation and log the sentencing metrics (module docstring)."""

    def __init__(self, recipe: dict, config: LiveMetricsConfig):
        self.recipe, self.config = recipe, config
        gold = dataset_gold(recipe, config.dataset)
        if gold is None:
            raise InputError(f"live metrics: {config.dataset} is not registered in "
                             f"{recipe.get('dataset_dir') or 'data'}/dataset_info.json (--metrics-dataset)")
        self.gold = sample_rows(gold, config.rows, config.metrics_seed)
        pairs = dataset_gold(recipe, config.pairs_dataset) if config.metrics_pairs else None
        self.pairs = sample_pairs(pairs, config.metrics_pairs, config.metrics_seed) if pairs else []
        self.template = self.prompts = self.last = None
        self.start = time.time()

    def on_train_begin(self, args, state, control, model=None, processing_class=None, **kwargs):
        from llamafactory.data import get_template_and_fix_tokenizer
        from llamafactory.hparams import DataArguments
        from transformers import HfArgumentParser

        from lawfactory.training.generate import prompt_ids

        (data_args,) = HfArgumentParser(DataArguments).parse_dict(
            {k: v for k, v in self.recipe.items() if k in DataArguments.__dataclass_fields__}, allow_extra_keys=True)
        self.template = get_template_and_fix_tokenizer(processing_class, data_args)
        self.prompts = prompt_ids([g["raw"] for g in self.gold + self.pairs], self.template, processing_class)
        self.start = time.time()

    def on_evaluate(self, args, state, control, model=None, processing_class=None, metrics=None, **kwargs):
        if self.prompts is None:  # an evaluation outside training (do_eval only)
            return
        if self.last is not None and self.last[0] == state.global_step:  # the final evaluation after the last step
            values = self.last[1]
        else:
            values = self.measure(model, processing_class)
            self.last = (state.global_step, values)
            calling_trainer().log(dict(values))
            if args.should_save:
                self._write_trainer_log(args, state, values)
        if metrics is not None:
            metrics.update(values)

    def measure(self, model, tokenizer) -> dict:
        from transformers.integrations import is_deepspeed_zero3_enabled

        from lawfactory.evaluation import attitude_pairs
        from lawfactory.evaluation.answer_fields import parse_answer
        from lawfactory.evaluation.run import point_scores
        from lawfactory.training.generate import generate_sharded

        texts = generate_sharded(model, tokenizer, self.prompts, stop_ids=self.template.get_stop_token_ids(tokenizer),
                                 batch_size=self.config.metrics_batch_size,
                                 max_new_tokens=self.config.metrics_max_new_tokens,
                                 synced_gpus=is_deepspeed_zero3_enabled())
        n = len(self.gold)
        values = {f"eval_{k}": v for k, v in point_scores(self.gold, texts[:n]).items()}
        values["eval_sentencing_rows"] = n
        if self.pairs:
            sentences = [parse_answer(t, g["jurisdiction"])["sentence"] for t, g in zip(texts[n:], self.pairs)]
            pairs = attitude_pairs.pair_rows([g["raw"] for g in self.pairs], sentences, self.config.pairs_dataset)
            s = attitude_pairs.sensitivity(pairs)
            values["eval_attitude_violation_rate"] = s["direction_violation_rate"]
            values["eval_attitude_pairs"] = s["n_pairs"]
        return {k: v for k, v in values.items() if v is not None}

    def _write_trainer_log(self, args, state, values: dict) -> None:
        """One trainer_log.jsonl line in LogCallback's format (its progress keys) with the metrics."""
        step, total = state.global_step, state.max_steps
        elapsed = time.time() - self.start
        line = {"current_steps": step, "total_steps": total, "epoch": state.epoch,
                "percentage": round(step / total * 100, 2) if total else 100,
                "elapsed_time": str(timedelta(seconds=int(elapsed))),
                "remaining_time": str(timedelta(seconds=int(elapsed / step * (total - step)) if step else 0)),
                **values}
        with open(Path(args.output_dir) / "trainer_log.jsonl", "a", encoding="utf-8") as f:
            f.write(json.dumps(line, ensure_ascii=False) + "\n")
