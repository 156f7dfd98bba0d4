"""`lawfactory model-card`: the README beside the merged weights states facts from the recipe,
the manifest, the trainer log and the eval metrics, and the disclaimers."""

import json

from lawfactory import jsonl
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
