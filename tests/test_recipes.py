"""Every shipped recipe parses with LLaMA-Factory's own argument parser (unknown keys, bad
combinations): recipes are documentation that cannot rot."""

from pathlib import Path

import pytest
import yaml

from conftest import REPO

RECIPES = sorted((REPO / "recipes").glob("*.yaml"))


def parse(args: dict):
    from llamafactory.hparams import get_infer_args, get_train_args

    if "export_dir" in args or "infer_backend" in args:
        return get_infer_args(args)
    # bf16 needs a GPU ("You need to assign use_cpu…"): the CPU parse switches it off
    return get_train_args({**args, "bf16": False})


@pytest.mark.parametrize("recipe", RECIPES, ids=lambda p: p.name)
def test_recipe_parses_with_llamafactory(recipe: Path, monkeypatch):
    monkeypatch.chdir(REPO)
    args = yaml.safe_load(recipe.read_text(encoding="utf-8"))
    if args.get("deepspeed"):
        pytest.skip("DeepSpeed recipes are parsed under torchrun in test_deepspeed")
    parse(args)


def test_parser_rejects_unknown_keys(monkeypatch):
    monkeypatch.chdir(REPO)
    args = yaml.safe_load((REPO / "recipes" / "criminal_qlora.yaml").read_text(encoding="utf-8"))
    with pytest.raises(ValueError, match="not used by the HfArgumentParser"):
        parse({**args, "lora_rnk": 8})


def test_criminal_recipes_match_the_reference_run():
    q = yaml.safe_load((REPO / "recipes" / "criminal_qlora.yaml").read_text(encoding="utf-8"))
    assert q["model_name_or_path"] == "Qwen/Qwen3-4B-Instruct-2507"  # real weights stay the default
    assert (q["quantization_bit"], q["quantization_method"], q["double_quantization"]) == (4, "bnb", True)
    assert (q["lora_rank"], q["lora_alpha"], q["use_rslora"], q["lora_target"]) == (64, 128, True, "all")
    assert q["per_device_train_batch_size"] * q["gradient_accumulation_steps"] == 16
    assert (q["learning_rate"], q["lr_scheduler_type"], q["num_train_epochs"], q["bf16"]) == (1e-4, "cosine", 2.0, True)
    assert q["dataset_dir"] == "." and "criminal_sentencing" in q["dataset"].split(",")
    assert q["eval_dataset"] == "criminal_sentencing_eval"
    e = yaml.safe_load((REPO / "recipes" / "criminal_export.yaml").read_text(encoding="utf-8"))
    assert "quantization_bit" not in e  # merge onto the unquantized base
    p = yaml.safe_load((REPO / "recipes" / "criminal_predict.yaml").read_text(encoding="utf-8"))
    assert p["do_sample"] is False and p["predict_with_generate"] is True
    assert q["template"] == e["template"] == p["template"] == "qwen3_nothink"


def test_every_dataset_a_recipe_names_is_registered():
    import json

    info = json.loads((REPO / "dataset_info.json").read_text(encoding="utf-8"))
    for recipe in RECIPES:
        args = yaml.safe_load(recipe.read_text(encoding="utf-8"))
        for key in ("dataset", "eval_dataset"):
            for name in filter(None, str(args.get(key, "")).split(",")):
                assert name.strip() in info, f"{recipe.name}: {name} not in dataset_info.json"
