"""`lawfactory model-card`: the README beside the merged weights states facts from the recipe,
the manifest, the trainer log and the eval metrics, and the disclaimers."""

import json
import warnings

from lawfactory import jsonl
from lawfactory.cards import training_metrics
from lawfactory.cli import main

from conftest import REPO


def fake_run(tmp_path):
    train = tmp_path / "criminal_qlora"
    jsonl.write_jsonl(train / "trainer_log.jsonl", [
        {"current_steps": 1, "total_steps": 3, "loss": 2.5, "lr": 1e-4, "epoch": 0.3},
        {"current_steps": 2, "total_steps": 3, "loss": 2.0, "lr": 1e-4, "epoch": 0.6},
        {"current_steps": 2, "total_steps": 3, "eval_loss": 2.2, "epoch": 0.6},
        {"current_steps": 3, "total_steps": 3, "loss": 1.25, "lr": 0.0, "epoch": 1.0},
    ])
    (train / "adapter_config.json").write_text(json.dumps({"r": 64, "lora_alpha": 128,
                                                           "target_modules": ["q_proj", "v_proj"]}))
    manifest = {"datasets": {"criminal_sentencing": {"file": "criminal_sentencing.jsonl", "rows": 80},
                             "criminal_adversarial": {"file": "criminal_adversarial.jsonl", "rows": 5},
                             "criminal_sentencing_eval": {"file": "criminal_sentencing_eval.jsonl", "rows": 6}},
                "fingerprint": {"sha256": "ab" * 32},
                "inputs": {"a.jsonl": {"read": 10, "converted": 8, "rejected": 2}},
                "adversarial": {"seed": 42, "generated": {"train refusal": 3, "eval refusal": 1}}}
    jsonl.write_json(tmp_path / "manifest.json", manifest)
    export = tmp_path / "merged"
    export.mkdir()
    return train, export


def test_card_from_facts(tmp_path):
    train, export = fake_run(tmp_path)
    evals = tmp_path / "criminal_eval"
    jsonl.write_json(evals / "metrics.json", {"n": 6, "term": {"score": 0.8123, "baseline_constant": 0.8}, "note": "x"})
    code = main(["model-card", "--export-dir", str(export), "--recipe", str(REPO / "recipes" / "criminal_qlora.yaml"),
                 "--manifest", str(tmp_path / "manifest.json"), "--train-dir", str(train), "--eval-dir", str(evals)])
    assert code == 0
    card = (export / "README.md").read_text(encoding="utf-8")
    assert "base_model: Qwen/Qwen3-4B-Instruct-2507" in card
    assert "4-bit QLoRA (nf4), merged onto the unquantized base" in card
    assert "| `criminal_sentencing` | train | 80 |" in card and "| `criminal_sentencing_eval` | eval | 6 |" in card
    assert "| `criminal_adversarial` | train | 5 |" in card
    assert ("| `learning_rate` | 0.0001 |" in card and "| `lora_rank` | 64 |" in card
            and "| `cutoff_len` | 2048 |" in card)
    assert "adapter as trained: r=64, alpha=128" in card
    assert "3 logged points; first 2.5, last 1.25" in card
    assert (export / "training_loss.png").read_bytes().startswith(b"\x89PNG")
    assert ("| term.score | 0.8123 |" in card and "| n | 6 |" in card
            and "note" not in card.split("## Evaluation")[1].split("##")[0])
    assert "4 counterfactual cases" in card and "synthetic" in card
    assert "Not legal advice" in card and "## Intended use" in card and "## Limitations" in card
    assert "ab" * 32 in card and "10 records read, 2 rejected" in card
    # a plain llamafactory-cli run: one line, no picture
    assert f"No sentencing metrics in `{train}/trainer_log.jsonl`" in card
    assert not (export / "training_metrics.png").exists()


def test_card_names_missing_sources(tmp_path):
    export = tmp_path / "merged"
    export.mkdir()
    code = main(["model-card", "--export-dir", str(export), "--recipe", str(REPO / "recipes" / "criminal_qlora.yaml"),
                 "--manifest", str(tmp_path / "none.json"), "--train-dir", str(tmp_path / "none"),
                 "--eval-dir", str(tmp_path / "no_eval")])
    assert code == 0
    card = (export / "README.md").read_text(encoding="utf-8")
    assert f"No trainer_log.jsonl with losses in `{tmp_path / 'none'}`" in card
    assert f"No evaluation report found ({tmp_path / 'no_eval' / 'metrics.json'})" in card
    assert f"not in {tmp_path / 'none.json'}" in card and "provenance cannot be stated" in card
    assert not (export / "training_loss.png").exists()
    assert f"No sentencing metrics in `{tmp_path / 'none'}/trainer_log.jsonl`" in card


def _card(tmp_path, train, export) -> str:
    code = main(["model-card", "--export-dir", str(export), "--recipe", str(REPO / "recipes" / "criminal_qlora.yaml"),
                 "--manifest", str(tmp_path / "manifest.json"), "--train-dir", str(train)])
    assert code == 0
    return (export / "README.md").read_text(encoding="utf-8")


def _section(card: str) -> str:
    return card.split("## Metrics during training")[1].split("\n## ")[0]


def _eval_line(step, score, lawbench, abstain, **extra):
    """A line as `lawfactory train`'s callback writes it (the shared contract of issue 16)."""
    return {"current_steps": step, "total_steps": 30, "percentage": step / 30 * 100, "elapsed_time": "0:00:10",
            "remaining_time": "0:00:20", "epoch": step / 30, "eval_imprisonment_score": score,
            "eval_lawbench_term_score": lawbench, "eval_abstention_rate": abstain, "eval_sentencing_rows": 16, **extra}


def test_card_plots_and_tables_the_sentencing_metrics(tmp_path):
    train, export = fake_run(tmp_path)
    log = [json.loads(x) for x in (train / "trainer_log.jsonl").read_text().splitlines()]
    log += [_eval_line(10, 0.25, 0.5, 0.375, eval_attitude_violation_rate=0.5, eval_attitude_pairs=8),
            {"current_steps": 10, "total_steps": 30, "loss": 1.125, "epoch": 0.33},
            _eval_line(20, 0.4375, 0.625, 0.125, eval_attitude_violation_rate=0.25, eval_attitude_pairs=8),
            _eval_line(30, 0.5, 0.75, 0.0, eval_attitude_violation_rate=None, eval_attitude_pairs=8)]
    jsonl.write_jsonl(train / "trainer_log.jsonl", log)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        section = _section(_card(tmp_path, train, export))
    assert [str(w.message) for w in caught if "missing from" in str(w.message)] == []  # Chinese labels render
    assert "![metrics during training](training_metrics.png)" in section
    assert (export / "training_metrics.png").read_bytes().startswith(b"\x89PNG")
    assert "At each of the 3 evaluations" in section and "attitude pairs (pairs)" in section
    assert "| step | epoch | CAIL 刑期得分 imprisonment score ↑ |" in section
    assert "| 10 | 0.333 | 0.250 | 0.500 | 0.375 | 0.500 | 16 | 8 |" in section
    assert "| 20 | 0.667 | 0.438 | 0.625 | 0.125 | 0.250 | 16 | 8 |" in section
    assert "| 30 | 1.000 | 0.500 | 0.750 | 0.000 | — | 16 | 8 |" in section  # no answered pair: null
    assert "No sentencing metrics" not in section and "Preference training" not in section
    assert "4 logged points; first 2.5, last 1.125" in _card(tmp_path, train, export)  # the loss curve as before


def test_many_evaluations_show_the_first_and_last(tmp_path):
    train, export = fake_run(tmp_path)
    steps = range(1, training_metrics.TABLE_ROWS + 4)
    jsonl.write_jsonl(train / "trainer_log.jsonl", [_eval_line(s, s / 100, 0.5, 0.0) for s in steps])
    table = [x for x in _section(_card(tmp_path, train, export)).splitlines() if x.startswith("| ")]
    half = training_metrics.TABLE_ROWS // 2
    assert [x.split(" | ")[0] for x in table[1:]] == (["| " + str(s) for s in steps[:half]] + ["| …"]
                                                      + ["| " + str(s) for s in steps[-half:]])
    assert "attitude" not in table[0] and "pairs" not in table[0]  # not logged: no column


def test_dpo_rewards_from_trainer_state(tmp_path):
    train, export = fake_run(tmp_path)
    history = [{"step": 5, "loss": 0.69, "rewards/accuracies": 0.5, "rewards/margins": 0.01, "epoch": 0.5},
               {"step": 10, "eval_loss": 0.6, "eval_rewards/accuracies": 0.625, "eval_rewards/margins": 0.2},
               {"step": 10, "loss": 0.5, "rewards/accuracies": 0.875, "rewards/margins": 0.75, "epoch": 1.0}]
    jsonl.write_json(train / "trainer_state.json", {"global_step": 10, "log_history": history})
    section = _section(_card(tmp_path, train, export))
    assert "No sentencing metrics" in section and "Preference training (DPO)" in section
    assert "| train rewards/accuracies | 0.500 (5) | 0.875 (10) |" in section
    assert "| eval rewards/accuracies | 0.625 (10) | 0.625 (10) |" in section
    assert "| train rewards/margins | 0.010 (5) | 0.750 (10) |" in section
    assert (export / "training_metrics.png").read_bytes().startswith(b"\x89PNG")


def test_dpo_accuracy_from_the_trainer_log_alone(tmp_path):
    """Without trainer_state.json: LogCallback's `accuracy` (its copy of rewards/accuracies)."""
    train, _ = fake_run(tmp_path)
    log = [{"current_steps": 1, "loss": 0.69, "accuracy": 0.25}, {"current_steps": 2, "loss": 0.6, "accuracy": 0.75}]
    assert training_metrics.preference_series(train, log) == {"rewards/accuracies": {"train": [(1, 0.25), (2, 0.75)]}}
    assert training_metrics.preference_series(train, [{"current_steps": 1, "loss": 0.7}]) == {}
