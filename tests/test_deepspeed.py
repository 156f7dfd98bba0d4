"""CI smoke for DeepSpeed: the multi-GPU criminal LoRA recipe (ZeRO-2) trains for two steps on two
CPU ranks (`FORCE_TORCHRUN=1 NPROC_PER_NODE=2`) on the tiny model, with command-line overrides
only. The first run on a machine compiles DeepSpeed's shm op (~1-2 min); later runs ~1-3 min."""

import json
import math
import os
import subprocess
import sys
from pathlib import Path

import pytest

from lawfactory.preflight.llamafactory_args import free_port

from conftest import REPO

pytestmark = pytest.mark.slow


def test_zero2_recipe_trains_on_two_cpu_ranks(tiny_model, sample_data, tmp_path):
    pytest.importorskip("deepspeed", reason="deepspeed is not installed (pyproject pins it; `make install`)")
    data = sample_data
    out = tmp_path / "out"
    bin_dir = Path(sys.executable).parent  # llamafactory-cli launches `torchrun` from PATH
    env = {**os.environ, "FORCE_TORCHRUN": "1", "NPROC_PER_NODE": "2", "MASTER_PORT": str(free_port()),
           "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}", "CUDA_VISIBLE_DEVICES": ""}
    cmd = [str(bin_dir / "llamafactory-cli"), "train", "recipes/criminal_lora_ds.yaml",
           f"model_name_or_path={tiny_model}",
           "bf16=false", "max_steps=2", "logging_steps=1", f"output_dir={out}", f"dataset_dir={data}",
           "preprocessing_num_workers=1", "dataloader_num_workers=0"]
    proc = subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, text=True, timeout=1200)
    log = proc.stdout + proc.stderr
    assert proc.returncode == 0, log[-4000:]
    assert "After initializing ZeRO optimizer" in log  # DeepSpeed, not plain DDP, ran the step
    assert "world size: 2" in log
    losses = [r["loss"] for r in map(json.loads, (out / "trainer_log.jsonl").read_text().splitlines()) if "loss" in r]
    assert len(losses) == 2 and all(math.isfinite(x) and x > 0 for x in losses)
    assert (out / "adapter_model.safetensors").is_file()
