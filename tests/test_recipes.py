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
        # LLaMA-Factory refuses DeepSpeed outside torchrun: parse as a one-rank distributed job
        from lawfactory.preflight.llamafactory_args import parse as parse_distributed

        result = parse_distributed(args, cwd=REPO)
        assert result["ok"], result["error"]
        assert result["facts"]["training"]["deepspeed"] == args["deepspeed"]
        return
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
    # the reference run's 16 rows a step; packed, 4 sequences of ~4.8 rows (lawfactory check's packed row)
    assert q["per_device_train_batch_size"] * q["gradient_accumulation_steps"] == (4 if q.get("neat_packing") else 16)
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


DEEPSPEED = sorted((REPO / "recipes" / "deepspeed").glob("*.json"))


@pytest.mark.parametrize("config", DEEPSPEED, ids=lambda p: p.name)
def test_deepspeed_configs_follow_llamafactory_examples(config):
    import json

    cfg = json.loads(config.read_text(encoding="utf-8"))
    for key in ("train_batch_size", "train_micro_batch_size_per_gpu", "gradient_accumulation_steps",
                "gradient_clipping"):
        assert cfg[key] == "auto", key  # the Trainer's values win
    assert cfg["zero_allow_untested_optimizer"] is True and "optimizer" not in cfg  # the recipe's `optim` is used
    assert cfg["bf16"]["enabled"] == cfg["fp16"]["enabled"] == "auto"
    zero = cfg["zero_optimization"]
    assert zero["stage"] == {"ds_z2.json": 2, "ds_z3.json": 3, "ds_z3_offload.json": 3}[config.name]
    if zero["stage"] == 3:
        assert zero["stage3_gather_16bit_weights_on_model_save"] is True  # a loadable model on save
    assert ("offload_optimizer" in zero) == ("offload" in config.name)


def test_every_deepspeed_recipe_names_a_shipped_config():
    for recipe in RECIPES:
        ds = yaml.safe_load(recipe.read_text(encoding="utf-8")).get("deepspeed")
        if ds:
            assert (REPO / ds).resolve() in {p.resolve() for p in DEEPSPEED}, recipe.name


def test_taiwan_recipes_match_the_reference_run():
    full = yaml.safe_load((REPO / "recipes" / "taiwan_legal_full_ds.yaml").read_text(encoding="utf-8"))
    assert (full["model_name_or_path"], full["template"],
            full["finetuning_type"]) == ("lianghsun/Llama-3.2-Taiwan-3B", "llama3", "full")
    assert full["per_device_train_batch_size"] * full["gradient_accumulation_steps"] * 8 == 1280
    # the reference run's hardware: `lawfactory check` holds the recipe to this line (tests/test_check.py)
    text = (REPO / "recipes" / "taiwan_legal_full_ds.yaml").read_text(encoding="utf-8")
    assert "lawfactory check recipes/taiwan_legal_full_ds.yaml --gpu a100-40g --gpus 8 → fits" in text
    assert (full["learning_rate"], full["lr_scheduler_type"], full["warmup_steps"],
            full["num_train_epochs"]) == (5e-5, "cosine", 100, 3.0)
    assert (full["optim"], full["bf16"]) == ("adamw_torch_fused", True)
    names = full["dataset"].split(",")
    assert names[:2] == ["tw_statutes_qa", "tw_judgments"] and full["mix_strategy"].startswith("interleave")
    assert len(str(full["interleave_probs"]).split(",")) == len(names)
    assert "eval_dataset" not in full  # LLaMA-Factory wants one interleave probability per eval dataset too
    lora = yaml.safe_load((REPO / "recipes" / "taiwan_legal_lora.yaml").read_text(encoding="utf-8"))
    assert (lora["model_name_or_path"], lora["template"],
            lora["finetuning_type"]) == (full["model_name_or_path"], "llama3", "lora")
    assert lora["dataset"] == full["dataset"] and "deepspeed" not in lora
    crim = yaml.safe_load((REPO / "recipes" / "criminal_lora_ds.yaml").read_text(encoding="utf-8"))
    assert crim["deepspeed"].endswith("ds_z2.json") and "quantization_bit" not in crim
    serve = yaml.safe_load((REPO / "recipes" / "criminal_serve.yaml").read_text(encoding="utf-8"))
    assert serve["infer_backend"] == "huggingface" and serve["template"] == "qwen3_nothink"


def test_dpo_recipe_trains_a_new_lora_on_the_merged_sft_model(monkeypatch):
    """criminal_dpo.yaml starts from what criminal_export.yaml writes, LLaMA-Factory's parser takes it,
    and with LoRA and no ref_model LLaMA-Factory creates no reference model: the reference
    log-probs come from the policy with its adapter disabled (the merged SFT model itself)."""
    from llamafactory.train.trainer_utils import create_ref_model

    monkeypatch.chdir(REPO)
    load = lambda name: yaml.safe_load((REPO / "recipes" / name).read_text(encoding="utf-8"))  # noqa: E731
    dpo, sft, export, dpo_export = (load(n) for n in ("criminal_dpo.yaml", "criminal_qlora.yaml",
                                                      "criminal_export.yaml", "criminal_dpo_export.yaml"))
    assert dpo["model_name_or_path"] == export["export_dir"] and "adapter_name_or_path" not in dpo
    assert (dpo["stage"], dpo["finetuning_type"], dpo["dataset"]) == ("dpo", "lora", "criminal_attitude_pref")
    assert (dpo["quantization_bit"], dpo["quantization_type"]) == (sft["quantization_bit"], sft["quantization_type"])
    assert dpo["template"] == sft["template"] == dpo_export["template"]
    assert (dpo_export["model_name_or_path"], dpo_export["adapter_name_or_path"]) == (dpo["model_name_or_path"],
                                                                                      dpo["output_dir"])
    assert "quantization_bit" not in dpo_export  # merged onto the unquantized SFT model
    model_args, data_args, training_args, finetuning_args, _ = parse(dpo)
    assert finetuning_args.pref_loss == "sigmoid" and 0 < finetuning_args.pref_beta <= 0.5
    assert finetuning_args.use_ref_model and finetuning_args.ref_model is None
    assert create_ref_model(model_args, finetuning_args) is None  # nothing loaded: no second copy of the weights
    # evaluation every eval_steps on pairs held out of the train-only preference data
    assert training_args.eval_strategy == "steps" and training_args.eval_steps > 0
    assert 0 < data_args.val_size < 1 and data_args.eval_dataset is None


def test_dataset_names_read_as_llamafactory_reads_them():
    """`dataset` / `eval_dataset`: comma-separated (spaces and blanks ignored) or a YAML list; the one
    reader of lawfactory train, predict and the model card."""
    from lawfactory.preflight.recipe import dataset_names

    assert dataset_names("criminal_sentencing, criminal_adversarial,") == ["criminal_sentencing",
                                                                           "criminal_adversarial"]
    assert dataset_names([" a ", "b", ""]) == ["a", "b"]
    assert dataset_names(None) == [] and dataset_names("") == []
