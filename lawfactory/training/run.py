"""`lawfactory train RECIPE [key=value …]`: LLaMA-Factory's own training with the live sentencing metrics.

The recipe and its overrides are read as `llamafactory-cli train` reads them (lawfactory/preflight/recipe.py
load_recipe) and handed to LLaMA-Factory's `run_exp` with one added callback
(lawfactory/training/live_metrics.py); the trainer, its arguments and its outputs are LLaMA-Factory's.
`llamafactory-cli train RECIPE` still works and gives the same run without the metrics.

Several devices: like `llamafactory-cli train`, the command starts itself again under torchrun when
more than one accelerator is visible (or FORCE_TORCHRUN=1), with the same NNODES, NODE_RANK,
NPROC_PER_NODE, MASTER_ADDR and MASTER_PORT variables; DeepSpeed comes from the recipe's
`deepspeed:` as usual.
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import asdict
from pathlib import Path

from lawfactory.config import add_options
from lawfactory.errors import UsageError
from lawfactory.preflight.recipe import add_recipe_arguments, recipe_overrides
from lawfactory.training.live_metrics import LiveMetricsConfig


def _eval_enabled(args: dict) -> bool:
    strategy = str(args.get("eval_strategy") or args.get("evaluation_strategy") or "no")
    return strategy != "no" and bool(args.get("eval_dataset") or args.get("val_size"))


def _device_count() -> int:
    import torch

    return torch.cuda.device_count() if torch.cuda.is_available() else 0


def _under_torchrun() -> bool:
    return "LOCAL_RANK" in os.environ or "TORCHELASTIC_RUN_ID" in os.environ


def _torchrun_command(argv: list[str]) -> list[str]:
    env = os.environ
    return ["torchrun", "--nnodes", env.get("NNODES", "1"), "--node_rank", env.get("NODE_RANK", "0"),
            "--nproc_per_node", env.get("NPROC_PER_NODE", str(max(_device_count(), 1))),
            "--master_addr", env.get("MASTER_ADDR", "127.0.0.1"), "--master_port", env.get("MASTER_PORT", "29500"),
            "-m", "lawfactory.cli", "train", *argv]


def train(recipe: Path, overrides: list[str], config: LiveMetricsConfig) -> None:
    from llamafactory.train.tuner import run_exp

    from lawfactory.preflight.recipe import load_recipe
    from lawfactory.training.live_metrics import SentencingMetricsCallback

    args = load_recipe(recipe, overrides)
    callbacks = []
    if config.metrics_rows:
        if not args.get("do_train", False):
            raise UsageError(f"{recipe}: live metrics need do_train: true (or --metrics-rows 0)")
        if not _eval_enabled(args):
            raise UsageError(f"{recipe}: live metrics are taken at each evaluation; set eval_strategy: steps, "
                             "eval_steps and an eval_dataset (or val_size), or pass --metrics-rows 0")
        callbacks.append(SentencingMetricsCallback(args, config))
    run_exp(args, callbacks)


def cmd_train(args) -> int:
    overrides = recipe_overrides(args)
    config = LiveMetricsConfig(**{k: getattr(args, k) for k in LiveMetricsConfig.__dataclass_fields__})
    forced = os.environ.get("FORCE_TORCHRUN", "").lower() in ("1", "true", "y", "yes")
    if not _under_torchrun() and (forced or _device_count() > 1):
        options = [x for k, v in asdict(config).items() for x in ("--" + k.replace("_", "-"), str(v))]
        return subprocess.run(_torchrun_command([args.recipe, *options, *overrides])).returncode
    train(Path(args.recipe), overrides, config)
    return 0


def add_parser(sub) -> None:
    p = sub.add_parser("train", help="train a recipe with LLaMA-Factory, logging sentencing metrics at each evaluation",
                       description=__doc__.split("\n\n")[0])
    add_recipe_arguments(p, lambda parser: add_options(parser, LiveMetricsConfig))
    p.set_defaults(func=cmd_train)
