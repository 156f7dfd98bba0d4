"""The demo chain end to end on CPU: make data → QLoRA train (the real recipe, CPU overrides
only, through `lawfactory train`) → merge → predict → DPO (the real recipe) → merge → predict the
attitude pairs → eval, on the bundled samples and a tiny random Qwen3."""

import json
import math
import os
import subprocess
import sys
from pathlib import Path

import pytest

from lawfactory.jsonl import read_jsonl

from conftest import REPO

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> dict:
    root = tmp_path_factory.mktemp("demo")
    data, out = root / "data", root / "demo"
    venv = Path(sys.executable).parent.parent
    cmd = ["make", "--no-print-directory", "demo-run", f"DATA={data}", f"DEMO={out}", f"VENV={venv}", "DEMO_STEPS=12"]
    proc = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, env={**os.environ, "TQDM_DISABLE": "1"})
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-4000:]
    return {"data": data, "out": out, "log": proc.stdout}


def test_training_loss_is_finite_and_falls(demo):
    log = [r for r in read_jsonl(demo["out"] / "criminal_qlora" / "trainer_log.jsonl") if "loss" in r]
    losses = [r["loss"] for r in log]
    assert len(losses) >= 10 and all(math.isfinite(x) for x in losses)
    assert sum(losses[-4:]) / 4 < sum(losses[:4]) / 4
    cfg = json.loads((demo["out"] / "criminal_qlora" / "adapter_config.json").read_text())
    assert (cfg["r"], cfg["lora_alpha"], cfg["use_rslora"]) == (64, 128, True)  # the recipe's values, not overrides


def test_merged_model_loads_and_generates(demo):
    from transformers import AutoModelForCausalLM, AutoTokenizer

    merged = demo["out"] / "criminal_merged"
    assert not (merged / "adapter_config.json").exists()
    tok = AutoTokenizer.from_pretrained(merged)
    model = AutoModelForCausalLM.from_pretrained(merged)
    ids = tok("被告人张某盗窃", return_tensors="pt")
    gen = model.generate(**ids, max_new_tokens=5, do_sample=False)
    assert gen.shape[1] == ids["input_ids"].shape[1] + 5 or tok.eos_token_id in gen[0].tolist()


def test_predictions_one_line_per_eval_row(demo):
    preds = read_jsonl(demo["out"] / "criminal_predict" / "generated_predictions.jsonl")
    gold = read_jsonl(demo["data"] / "criminal_sentencing_eval.jsonl")
    assert len(preds) == len(gold) > 0
    for p, g in zip(preds, gold):
        assert {"prompt", "predict", "label"} <= set(p)
        assert p["label"].strip() == g["output"].strip()


def test_demo_ends_with_an_eval_report(demo):
    out = demo["out"] / "criminal_eval"
    gold = read_jsonl(demo["data"] / "criminal_sentencing_eval.jsonl")
    m = json.loads((out / "metrics.json").read_text())
    assert m["n"] == len(gold) > 0
    for key in ("imprisonment_score", "lawbench_term_score", "mae_months", "within_20", "within_50", "abstention_rate"):
        assert m["headline"][key]["n"] == len(gold)
        assert "constant_median" in m["headline"][key]["baselines"]
    assert m["parsing"]["abstentions"] + sum(m["parsing"]["kinds"].values()) == len(gold)  # none dropped
    report = (out / "report.md").read_text(encoding="utf-8")
    assert "not legal advice" in report.lower() and f"n = {len(gold)}" in report
    assert (out / "pred_vs_gold.png").read_bytes()[:4] == b"\x89PNG"
    assert f"{out}/report.md" in demo["log"]


def test_demo_report_compares_the_three_arms(demo):
    """The retrieved arm (criminal_sentencing_rag_eval) runs on CPU beside the no-articles and cited
    arms, and the report shows all three."""
    m = json.loads((demo["out"] / "criminal_eval" / "metrics.json").read_text())
    arms = m["arms"]["arms"]
    assert list(arms) == ["none", "retrieved", "cited"]
    for name, data in (("none", "criminal_sentencing_eval"), ("retrieved", "criminal_sentencing_rag_eval"),
                       ("cited", "criminal_sentencing_grounded_eval")):
        assert arms[name]["n"] == len(read_jsonl(demo["data"] / f"{data}.jsonl")) > 0
    assert arms["retrieved"]["retrieval"]["rows"] == arms["retrieved"]["n"]
    report = (demo["out"] / "criminal_eval" / "report.md").read_text(encoding="utf-8")
    assert "## Arms: no articles, retrieved, cited" in report and "| 检索法条 (retrieved) |" in report
    assert (demo["out"] / "criminal_eval" / "arms.png").read_bytes()[:4] == b"\x89PNG"


def test_model_card_beside_the_merged_weights(demo):
    merged = demo["out"] / "criminal_merged"
    card = (merged / "README.md").read_text(encoding="utf-8")
    manifest = json.loads((demo["data"] / "manifest.json").read_text())
    rows = manifest["datasets"]["criminal_sentencing"]["rows"]
    assert "Not legal advice" in card and "base_model: Qwen/Qwen3-4B-Instruct-2507" in card
    assert f"| `criminal_sentencing` | train | {rows} |" in card
    assert (merged / "training_loss.png").read_bytes()[:4] == b"\x89PNG"
    m = json.loads((demo["out"] / "criminal_eval" / "metrics.json").read_text())
    assert f"| n | {m['n']} |" in card  # the eval metrics made it in


def test_sentencing_metrics_at_each_evaluation_and_in_the_card(demo):
    """`lawfactory train` logged the live metrics at both evaluations of the 12 steps (eval_steps=10, then the
    final one), and the SFT model card plots them."""
    log = read_jsonl(demo["out"] / "criminal_qlora" / "trainer_log.jsonl")
    lines = [r for r in log if "eval_imprisonment_score" in r]
    assert [r["current_steps"] for r in lines] == [10, 12]
    for r in lines:
        assert r["eval_sentencing_rows"] == 4 and 0 <= r["eval_imprisonment_score"] <= 1
        assert 0 <= r["eval_abstention_rate"] <= 1 and r["eval_attitude_pairs"] >= 1
    merged = demo["out"] / "criminal_merged"
    assert "## Metrics during training" in (merged / "README.md").read_text(encoding="utf-8")
    assert (merged / "training_metrics.png").read_bytes()[:4] == b"\x89PNG"


def test_dpo_on_the_sft_model_and_the_report_compares_both(demo):
    out = demo["out"]
    log = read_jsonl(out / "criminal_dpo" / "trainer_log.jsonl")
    losses = [r["loss"] for r in log if "loss" in r]
    # the new LoRA starts at zero, so the policy equals the reference (the SFT model, adapter disabled): loss ln 2
    assert losses[0] == pytest.approx(math.log(2), abs=1e-5) and losses[-1] < math.log(2)
    assert any("eval_imprisonment_score" in r for r in log)
    cfg = json.loads((out / "criminal_dpo" / "adapter_config.json").read_text())
    assert (cfg["r"], cfg["lora_alpha"]) == (16, 32)
    pairs = read_jsonl(demo["data"] / "criminal_attitude_pairs_eval.jsonl")
    models = json.loads((out / "criminal_eval" / "metrics.json").read_text())["attitude_models"]["models"]
    assert list(models) == ["sft", "dpo"] and all(m["n_pairs"] == len(pairs) // 2 > 0 for m in models.values())
    assert "| | sft | dpo |" in (out / "criminal_eval" / "report.md").read_text(encoding="utf-8")
    card = (out / "criminal_dpo_merged" / "README.md").read_text(encoding="utf-8")
    assert "base_model: Qwen/Qwen3-4B-Instruct-2507" in card and "DPO (`pref_loss: sigmoid`" in card
    assert "| `criminal_attitude_pref` | train |" in card
