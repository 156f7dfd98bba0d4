"""`lawfactory train RECIPE [key=value …]`: LLaMA-Factory's own training with the live sentencing metrics.

The recipe and its overrides are read as `llamafactory-cli train` reads them (lawfactory/preflight/recipe.py
load_recipe) and handed to LLaMA-Factory's `run_exp` with one added callback
(lawfactory/training/live_metrics.py); the trainer, its arguments and its outputs are LLaMA-Factory's.
`llamafactory-cli train RECIPE` still works and gives the same run without the metrics.

Which runs take the metrics: WHEN below (also `lawfactory train --help`).

Several devices: like `llamafactory-cli train`, the command starts itself again under torchrun when
more than one accelerator is visible (or FORCE_TORCHRUN=1), with the same NNODES, NODE_RANK,
NPROC_PER_NODE, MASTER_ADDR and MASTER_PORT variables; DeepSpeed comes from the recipe's
`deepspeed:` as usual.
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import asdict
from pathlib import Path

from lawfactory.config import add_options
from lawfactory.preflight.recipe import add_recipe_arguments, load_recipe, recipe_overrides
from lawfactory.training.live_metrics import LiveMetricsConfig, decide

WHEN = ("Live sentencing metrics are taken by default only when the recipe's dataset or eval_dataset holds "
        "a sentencing dataset (criminal_sentencing, its eval, grounded and attitude datasets) and the recipe "
        "trains and evaluates; otherwise one line says why they are off. --metrics-rows N or --metrics-dataset "
        "NAME asks for them whatever the recipe trains on (an error when they cannot be taken); "
        "--metrics-rows 0 turns them off.")


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


def live_metrics(recipe: Path, args: dict, config: LiveMetricsConfig) -> LiveMetricsConfig:
    """The live metrics this run takes (lawfactory/training/live_metrics.py decide), saying why when
    they are off by default."""
    config, why = decide(args, config, str(recipe))
    if why:
        print(why, file=sys.stderr)
    return config


def train(recipe: Path, overrides: list[str], config: LiveMetricsConfig) -> None:
    from llamafactory.train.tuner import run_exp

    from lawfactory.training.callback import SentencingMetricsCallback

    args = load_recipe(recipe, overrides)
    config = live_metrics(recipe, args, config)
    run_exp(args, [SentencingMetricsCallback(args, config)] if config.metrics_rows else [])


def cmd_train(args) -> int:
    overrides = recipe_overrides(args)
    config = LiveMetricsConfig(**{k: getattr(args, k) for k in LiveMetricsConfig.__dataclass_fields__})
    forced = os.environ.get("FORCE_TORCHRUN", "").lower() in ("1", "true", "y", "yes")
    if not _under_torchrun() and (forced or _device_count() > 1):
        # decided (and said) once, here; the ranks get the decision as explicit options
        config = live_metrics(Path(args.recipe), load_recipe(Path(args.recipe), overrides), config)
        options = [x for k, v in asdict(config).items() for x in ("--" + k.replace("_", "-"), str(v))]
        return subprocess.run(_torchrun_command([args.recipe, *options, *overrides])).returncode
    train(Path(args.recipe), overrides, config)
    return 0


def add_parser(sub) -> None:
    p = sub.add_parser("train", help="train a recipe with LLaMA-Factory, logging sentencing metrics at each evaluation",
                       description=__doc__.split("\n\n")[0], epilog=WHEN)
    add_recipe_arguments(p, lambda parser: add_options(parser, LiveMetricsConfig))
    p.set_defaults(func=cmd_train)
