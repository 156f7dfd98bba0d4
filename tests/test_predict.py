"""`lawfactory predict` (lawfactory/training/predict.py): LLaMA-Factory's generated_predictions.jsonl, faster.

The tiny test model answers every prompt with newlines; the greedy checks use a copy with larger
random weights, whose answers differ from row to row (so a wrong order or a padding effect shows)."""

import json
import os
import subprocess
import sys

import pytest

from lawfactory.cli import main
from lawfactory.errors import UsageError
from lawfactory.jsonl import read_jsonl
from lawfactory.training.predict import engine_available, predict

from conftest import REPO

RECIPE = REPO / "recipes" / "criminal_predict.yaml"
CPU = ["bf16=false", "preprocessing_num_workers=1", "dataloader_num_workers=0"]


def _overrides(model, data, out, *extra):
    return [f"model_name_or_path={model}", f"dataset_dir={data}", f"output_dir={out}", "max_new_tokens=12",
            *CPU, *extra]


@pytest.fixture(scope="module")
def lively_model(tiny_model, tmp_path_factory):
    """The tiny model with weights drawn at std 0.5: greedy answers that vary with the prompt."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    out = tmp_path_factory.mktemp("lively") / "model"
    model = AutoModelForCausalLM.from_pretrained(tiny_model)
    torch.manual_seed(1)
    with torch.no_grad():
        for p in model.parameters():
            if p.dim() > 1:
                p.normal_(0, 0.5)
    model.save_pretrained(out)
    AutoTokenizer.from_pretrained(tiny_model).save_pretrained(out)
    return out


@pytest.fixture(scope="module")
def predicted(lively_model, sample_data, tmp_path_factory):
    """Predictions at batch sizes 1 and 3 on the sample eval set."""
    out = {}
    for batch in (1, 3):
        folder = tmp_path_factory.mktemp(f"predict_b{batch}")
        out[batch] = read_jsonl(predict(RECIPE, _overrides(lively_model, sample_data, folder), batch_size=batch))
    return out


def _eval_rows(data, name="criminal_sentencing_eval"):
    return read_jsonl(data / f"{name}.jsonl")


def _llamafactory_prompts(model, data, out, *extra) -> list[str]:
    """The prompts LLaMA-Factory's predict writes: its own eval dataset (get_dataset, the unsupervised
    processor under predict_with_generate) decoded as its save_predictions decodes them."""
    from llamafactory.data import get_dataset, get_template_and_fix_tokenizer
    from llamafactory.hparams import get_train_args
    from llamafactory.model import load_tokenizer

    from lawfactory.preflight.recipe import load_recipe

    args = load_recipe(RECIPE, _overrides(model, data, out, *extra))
    model_args, data_args, training_args, *_ = get_train_args(args)
    module = load_tokenizer(model_args)
    template = get_template_and_fix_tokenizer(module["tokenizer"], data_args)
    ds = get_dataset(template, model_args, data_args, training_args, stage="sft", **module)["eval_dataset"]
    return module["tokenizer"].batch_decode(list(ds["input_ids"]), skip_special_tokens=False)


def test_one_line_per_row_with_its_label(predicted, sample_data):
    rows = _eval_rows(sample_data)
    preds = predicted[3]
    assert len(preds) == len(rows) > 2
    assert [p["label"] for p in preds] == [r["output"] for r in rows]
    assert all(set(p) == {"prompt", "predict", "label"} for p in preds)
    assert all(r["input"] in p["prompt"] for p, r in zip(preds, rows))
    assert len({p["predict"] for p in preds}) == len(preds)  # the answers differ: the order check means something


def test_greedy_answers_do_not_depend_on_the_batch_size(predicted):
    """Left padding, the length sort and its undoing leave every greedy answer as generated alone
    (float32 on CPU: the padded attention differs by rounding only, below any argmax gap here)."""
    assert [p["predict"] for p in predicted[1]] == [p["predict"] for p in predicted[3]]
    assert [p["prompt"] for p in predicted[1]] == [p["prompt"] for p in predicted[3]]


@pytest.mark.parametrize("cutoff", [2048, 96])
def test_prompts_are_llamafactorys(lively_model, sample_data, tmp_path, cutoff):
    """The same prompt text as LLaMA-Factory's predict, also where cutoff_len cuts the prompt."""
    out = predict(RECIPE, _overrides(lively_model, sample_data, tmp_path, f"cutoff_len={cutoff}", "max_new_tokens=1"))
    ours = [p["prompt"] for p in read_jsonl(out)]
    theirs = _llamafactory_prompts(lively_model, sample_data, tmp_path, f"cutoff_len={cutoff}")
    assert ours == theirs
    if cutoff < 2048:
        assert any(not p.endswith("<|im_start|>assistant\n") for p in ours)  # the cut happened


def test_max_samples_and_several_datasets(lively_model, sample_data, tmp_path):
    out = predict(RECIPE, _overrides(lively_model, sample_data, tmp_path, "max_new_tokens=1", "max_samples=2",
                                     "eval_dataset=criminal_sentencing_eval,criminal_attitude_pairs_eval"))
    rows = _eval_rows(sample_data)[:2] + _eval_rows(sample_data, "criminal_attitude_pairs_eval")[:2]
    assert [p["label"] for p in read_jsonl(out)] == [r["output"] for r in rows]


def test_lawfactory_eval_reads_the_predictions(predicted, sample_data, tmp_path):
    path = tmp_path / "generated_predictions.jsonl"
    path.write_text("".join(json.dumps(p, ensure_ascii=False) + "\n" for p in predicted[3]), encoding="utf-8")
    assert main(["eval", "--predictions", str(path), "--gold", str(sample_data / "criminal_sentencing_eval.jsonl"),
                 "--out", str(tmp_path / "eval")]) == 0
    assert len(read_jsonl(tmp_path / "eval" / "rows.jsonl")) == len(predicted[3])


def test_no_eval_dataset_is_named(lively_model, sample_data, tmp_path):
    with pytest.raises(UsageError, match="eval_dataset"):
        predict(RECIPE, _overrides(lively_model, sample_data, tmp_path, "eval_dataset=[]"))


def test_vllm_asked_for_without_vllm_or_gpu(lively_model, sample_data, tmp_path):
    if engine_available() == "vllm":
        pytest.skip("vLLM and a GPU are present")
    with pytest.raises(SystemExit, match="vLLM"):
        main(["predict", str(RECIPE), *_overrides(lively_model, sample_data, tmp_path), "--engine", "vllm"])
    assert not (tmp_path / "generated_predictions.jsonl").exists()


@pytest.mark.slow
def test_same_file_as_llamafactory_cli(lively_model, sample_data, tmp_path):
    """One real `llamafactory-cli train recipes/criminal_predict.yaml` run (2 rows): the same prompts and
    answers; the label the same text but for what the template writes after an answer (a newline)."""
    extra = ["max_samples=2", "per_device_eval_batch_size=2"]
    theirs_dir, ours_dir = tmp_path / "llamafactory", tmp_path / "lawfactory"
    cli = os.path.join(os.path.dirname(sys.executable), "llamafactory-cli")
    subprocess.run([cli, "train", str(RECIPE), *_overrides(lively_model, sample_data, theirs_dir, *extra)],
                   check=True, capture_output=True, cwd=REPO)
    theirs = read_jsonl(theirs_dir / "generated_predictions.jsonl")
    ours = read_jsonl(predict(RECIPE, _overrides(lively_model, sample_data, ours_dir, *extra)))
    assert len(ours) == len(theirs) == 2
    assert [p["prompt"] for p in ours] == [p["prompt"] for p in theirs]
    assert [p["predict"] for p in ours] == [p["predict"] for p in theirs]
    assert [p["label"] for p in ours] == [p["label"].removesuffix("\n") for p in theirs]
