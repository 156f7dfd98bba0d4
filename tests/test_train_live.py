"""`lawfactory train`: the live sentencing metrics (lawfactory/training/).

The scoring and the wiring are checked with an oracle model that answers each prompt with a chosen
text (the gold answer, or a pair's other answer), so the expected metrics are known; the command is
run for real under torchrun (two CPU ranks) with TensorBoard."""

import json
import os
import subprocess
import sys

import pytest
import torch

from lawfactory.cli import main
from lawfactory.errors import InputError, UsageError
from lawfactory.evaluation.inputs import load_gold
from lawfactory.evaluation.run import point_scores
from lawfactory.jsonl import read_jsonl
from lawfactory.preflight.llamafactory_args import free_port
from lawfactory.preflight.recipe import load_recipe
from lawfactory.training.callback import SentencingMetricsCallback
from lawfactory.training.generate import generate, generate_sharded, prompt_ids
from lawfactory.training.live_metrics import LiveMetricsConfig, decide, sample_rows
from lawfactory.training.run import train

from conftest import REPO

RECIPE = {"dataset_dir": None, "template": "qwen3_nothink", "do_train": True}


class Oracle(torch.nn.Module):
    """generate() answers each prompt (by its ids) with the text `answers` maps it to."""

    def __init__(self, tokenizer, answers: dict[tuple, str]):
        super().__init__()
        self.weight = torch.nn.Parameter(torch.zeros(1))
        self.tok = tokenizer
        self.answers = {k: tokenizer(v, add_special_tokens=False)["input_ids"] + [tokenizer.eos_token_id]
                        for k, v in answers.items()}
        self.calls = 0

    def generate(self, input_ids, attention_mask, generation_config, synced_gpus=False):
        self.calls += 1
        assert not self.training and not synced_gpus
        outs = [self.answers[tuple(row[mask.bool()].tolist())] for row, mask in zip(input_ids, attention_mask)]
        width = max(map(len, outs))
        pad = generation_config.pad_token_id
        tail = torch.tensor([o + [pad] * (width - len(o)) for o in outs])
        return torch.cat([input_ids, tail], dim=1)


@pytest.fixture(scope="module")
def tokenizer(tiny_model):
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(tiny_model)


def _callback(sample_data, tokenizer, **options):
    cb = SentencingMetricsCallback({**RECIPE, "dataset_dir": str(sample_data)}, LiveMetricsConfig(**options))
    cb.on_train_begin(None, None, None, processing_class=tokenizer)
    return cb


def _oracle(cb, tokenizer, texts):
    return Oracle(tokenizer, {tuple(p): t for p, t in zip(cb.prompts, texts)})


def test_point_scores_of_the_gold_answers_and_of_silence(sample_data):
    gold, _ = load_gold(sample_data / "criminal_sentencing_eval.jsonl")
    right = point_scores(gold, [g["label_text"] for g in gold])
    assert right["imprisonment_score"] == 1.0 and right["abstention_rate"] == 0.0
    # LawBench's reader takes the first number of an answer: a bare term line scores 1
    lines = point_scores(gold, [g["label_text"].splitlines()[-1] for g in gold])
    assert lines == {"imprisonment_score": 1.0, "lawbench_term_score": 1.0, "abstention_rate": 0.0}
    silent = point_scores(gold, ["本院认为，被告人的行为构成犯罪。"] * len(gold))
    assert silent["abstention_rate"] == 1.0 and silent["imprisonment_score"] == 0.0


def test_the_sample_is_fixed_and_smaller_than_the_file(sample_data):
    gold, _ = load_gold(sample_data / "criminal_sentencing_eval.jsonl")
    a, b = sample_rows(gold, 2, 42), sample_rows(list(reversed(gold)), 2, 42)
    assert len(a) == 2 and {g["case_id"] for g in a} == {g["case_id"] for g in b}
    assert {g["case_id"] for g in sample_rows(gold, 2, 7)} != {g["case_id"] for g in a} or len(gold) <= 3


def test_gold_answers_score_one_and_swapped_pairs_violate(sample_data, tokenizer):
    cb = _callback(sample_data, tokenizer, metrics_rows=3, metrics_pairs=4, metrics_batch_size=2)
    n, pairs = len(cb.gold), cb.pairs
    assert n == 3 and len(pairs) >= 2 and len(cb.prompts) == n + len(pairs)
    gold_texts = [g["label_text"] for g in cb.gold + pairs]
    model = _oracle(cb, tokenizer, gold_texts)
    values = cb.measure(model, tokenizer)
    assert model.calls == -(-len(cb.prompts) // 2)  # batches of 2
    assert values["eval_imprisonment_score"] == 1.0 and values["eval_abstention_rate"] == 0.0
    assert values["eval_sentencing_rows"] == 3 and values["eval_attitude_violation_rate"] == 0.0
    assert values["eval_attitude_pairs"] == len(pairs) // 2
    # each pair answered the other way round: the source gets the variant's term and vice versa
    swapped = [g["label_text"] for g in cb.gold]
    for i in range(0, len(pairs), 2):
        swapped += [pairs[i + 1]["label_text"], pairs[i]["label_text"]]
    values = cb.measure(_oracle(cb, tokenizer, swapped), tokenizer)
    differ = sum(pairs[i]["months"] != pairs[i + 1]["months"] for i in range(0, len(pairs), 2))
    assert differ and values["eval_attitude_violation_rate"] == differ / (len(pairs) // 2)


def test_prompts_are_llamafactory_template_prompts(sample_data, tokenizer):
    """The prompt ends with the assistant header and holds the row's system, instruction and facts."""
    cb = _callback(sample_data, tokenizer, metrics_rows=1, metrics_pairs=0)
    row = cb.gold[0]["raw"]
    text = tokenizer.decode(cb.prompts[0])
    assert text.endswith("<|im_start|>assistant\n") and row["system"] in text
    assert f"{row['instruction']}\n{row['input']}" in text
    assert prompt_ids([row], cb.template, tokenizer) == [cb.prompts[0]]


def _sharded(rank, world, port, path, prompts, answers, tokenizer_dir):
    from transformers import AutoTokenizer

    os.environ.update(MASTER_ADDR="127.0.0.1", MASTER_PORT=str(port))
    torch.distributed.init_process_group("gloo", rank=rank, world_size=world)
    tok = AutoTokenizer.from_pretrained(tokenizer_dir)
    model = Oracle(tok, {tuple(p): a for p, a in zip(prompts, answers)})
    texts = generate_sharded(model, tok, prompts, stop_ids=[tok.eos_token_id], batch_size=2, max_new_tokens=8)
    if rank == 0:
        path.write_text(json.dumps([texts, model.calls]))
    torch.distributed.destroy_process_group()


def test_ranks_share_the_rows_and_all_get_every_answer(sample_data, tokenizer, tiny_model, tmp_path):
    cb = _callback(sample_data, tokenizer, metrics_rows=5, metrics_pairs=0)
    answers = [g["label_text"] for g in cb.gold]
    alone = generate(_oracle(cb, tokenizer, answers), tokenizer, cb.prompts, stop_ids=[tokenizer.eos_token_id],
                     batch_size=2, max_new_tokens=8)
    out = tmp_path / "rank0.json"
    args = (2, free_port(), out, cb.prompts, answers, str(tiny_model))
    torch.multiprocessing.spawn(_sharded, args=args, nprocs=2)
    texts, calls = json.loads(out.read_text())
    assert texts == alone == [a.strip() for a in answers]
    assert calls == 2  # rank 0: rows 0, 2, 4 in batches of two


def test_live_metrics_asked_for_need_an_evaluation(tmp_path, sample_data):
    recipe = tmp_path / "r.yaml"
    recipe.write_text(f"do_train: true\ndataset_dir: {sample_data}\neval_strategy: 'no'\n")
    with pytest.raises(UsageError, match="eval_strategy"):
        train(recipe, [], LiveMetricsConfig(metrics_rows=4))


# Which recipes take the live metrics by default: those training or evaluating on sentencing rows.
TAKES_METRICS = {"criminal_qlora.yaml", "criminal_lora_ds.yaml", "criminal_dpo.yaml"}


@pytest.mark.parametrize("name", sorted(p.name for p in (REPO / "recipes").glob("*.yaml")))
def test_only_sentencing_recipes_take_the_metrics_by_default(name, sample_data):
    args = load_recipe(REPO / "recipes" / name, [f"dataset_dir={sample_data}"])
    config, why = decide(args, LiveMetricsConfig(), name)
    if name in TAKES_METRICS:
        assert (config.metrics_rows, config.metrics_dataset, why) == (32, "criminal_sentencing_eval", "")
    else:
        assert config.metrics_rows == 0 and why.startswith(f"{name}: no live sentencing metrics: ")
        assert "--metrics-rows N" in why


def test_a_criminal_recipe_without_evaluation_says_why_it_takes_none(sample_data):
    args = load_recipe(REPO / "recipes/criminal_qlora.yaml", [f"dataset_dir={sample_data}", "eval_strategy=no"])
    config, why = decide(args, LiveMetricsConfig(), "q")
    assert config.metrics_rows == 0 and "no evaluation" in why


@pytest.fixture
def no_run_exp(monkeypatch):
    """LLaMA-Factory's run_exp replaced by a recorder of the callbacks `train` hands it."""
    import llamafactory.train.tuner

    calls = []
    monkeypatch.setattr(llamafactory.train.tuner, "run_exp", lambda args, callbacks: calls.append(callbacks))
    return calls


def test_french_statute_qa_gets_no_callback_and_says_why(no_run_exp, sample_data, capsys):
    recipe = REPO / "recipes/fr_statutes_lora.yaml"
    train(recipe, [f"dataset_dir={sample_data}"], LiveMetricsConfig())
    assert no_run_exp == [[]]
    err = capsys.readouterr().err
    assert "no live sentencing metrics" in err and "fr_statutes_qa, fr_statutes_qa_eval" in err


def test_a_criminal_recipe_gets_the_callback(no_run_exp, sample_data):
    train(REPO / "recipes/criminal_qlora.yaml", [f"dataset_dir={sample_data}"], LiveMetricsConfig(metrics_pairs=0))
    [[cb]] = no_run_exp
    assert isinstance(cb, SentencingMetricsCallback) and cb.config.metrics_rows == 32
    assert cb.gold and {g["raw"]["input"] for g in cb.gold} <= {
        r["input"] for r in read_jsonl(sample_data / "criminal_sentencing_eval.jsonl")}


@pytest.mark.parametrize("recipe, rows", [("fr_statutes_lora.yaml", "0"), ("criminal_qlora.yaml", "32")])
def test_torchrun_ranks_get_the_decision_as_options(recipe, rows, sample_data, monkeypatch, capsys):
    """Several devices: the command decides once and hands every rank the rows it decided."""
    import lawfactory.training.run as run

    commands = []
    monkeypatch.setenv("FORCE_TORCHRUN", "1")
    monkeypatch.setenv("NPROC_PER_NODE", "2")
    for var in ("LOCAL_RANK", "TORCHELASTIC_RUN_ID"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setattr(run.subprocess, "run", lambda cmd: commands.append(cmd) or subprocess.CompletedProcess(cmd, 0))
    assert main(["train", str(REPO / "recipes" / recipe), f"dataset_dir={sample_data}"]) == 0
    [cmd] = commands
    assert cmd[cmd.index("--metrics-rows") + 1] == rows
    assert cmd[cmd.index("--metrics-dataset") + 1] == "criminal_sentencing_eval"
    assert ("no live sentencing metrics" in capsys.readouterr().err) == (rows == "0")


@pytest.mark.parametrize("entry", [None, {"file_name": "criminal_sentencing_eval.jsonl", "formatting": "alpaca"}],
                         ids=["not registered", "file missing"])
def test_metrics_asked_for_on_data_without_the_dataset_are_a_clear_error(entry, tmp_path):
    """A French statute build has no criminal_sentencing_eval: --metrics-rows on it names what is missing."""
    info = {"fr_statutes_qa": {"file_name": "fr_statutes_qa.jsonl"}, "criminal_sentencing_eval": entry}
    (tmp_path / "dataset_info.json").write_text(json.dumps({k: v for k, v in info.items() if v}))
    args = load_recipe(REPO / "recipes/fr_statutes_lora.yaml", [f"dataset_dir={tmp_path}"])
    with pytest.raises(InputError, match=r"fr\.yaml: live metrics take their rows from criminal_sentencing_eval "
                                         r"\(--metrics-dataset\), which this run's data lacks: .*--metrics-rows 0"):
        decide(args, LiveMetricsConfig(metrics_rows=4), "fr.yaml")


@pytest.mark.slow
def test_train_under_torchrun_logs_the_metrics_everywhere(sample_data, tiny_model, tmp_path):
    out = tmp_path / "run"
    venv_bin = os.path.dirname(sys.executable)
    cmd = [sys.executable, "-m", "lawfactory.cli", "train", "recipes/criminal_qlora.yaml", "--metrics-rows", "3",
           "--metrics-pairs", "1", "--metrics-max-new-tokens", "8", f"model_name_or_path={tiny_model}",
           f"output_dir={out}", "max_steps=2", "logging_steps=1", "eval_steps=1", "save_steps=2", "bf16=false",
           "preprocessing_num_workers=1", "dataloader_num_workers=0", f"dataset_dir={sample_data}",
           "report_to=tensorboard", "per_device_eval_batch_size=1"]
    env = {**os.environ, "FORCE_TORCHRUN": "1", "NPROC_PER_NODE": "2", "MASTER_PORT": str(free_port()),
           "TQDM_DISABLE": "1", "PATH": f"{venv_bin}:{os.environ['PATH']}"}
    proc = subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert "world size: 2" in proc.stdout + proc.stderr
    lines = [r for r in read_jsonl(out / "trainer_log.jsonl") if "eval_imprisonment_score" in r]
    assert [r["current_steps"] for r in lines] == [1, 2]  # once per evaluation (the final one is not redone)
    for r in lines:
        assert r["eval_sentencing_rows"] == 3 and 0 <= r["eval_imprisonment_score"] <= 1
        assert 0 <= r["eval_abstention_rate"] <= 1 and r["total_steps"] == 2 and r["elapsed_time"]
    state = json.loads((out / "trainer_state.json").read_text())
    assert [h["step"] for h in state["log_history"] if "eval_imprisonment_score" in h] == [1, 2]
    assert "eval_imprisonment_score" in json.loads((out / "eval_results.json").read_text())
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    steps = []
    for run in (out / "runs").iterdir():
        ea = EventAccumulator(str(run))
        ea.Reload()
        if "eval/imprisonment_score" in ea.Tags()["scalars"]:
            steps += [e.step for e in ea.Scalars("eval/imprisonment_score")]
    assert steps == [1, 2]
