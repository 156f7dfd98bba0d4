"""`lawfactory check` and its memory estimator: arithmetic pinned to hand-computed values and to
the anchors of docs/preflight.md; every shipped recipe gets the verdict its comment states."""

import contextlib
from pathlib import Path

import numpy as np
import pytest
import yaml

from lawfactory.preflight import check, memory
from lawfactory.preflight.memory import GPUS, LLAMA_3_2_3B, QWEN3_4B, Setup, estimate, verdict

from conftest import REPO

RECIPES = sorted((REPO / "recipes").glob("*.yaml"))


# --- estimator arithmetic -------------------------------------------------------------------


def test_parameter_counts_by_hand():
    # Qwen3-4B: embeddings 151936·2560 = 388,956,160; a layer: q,o 2·2560·4096 + k,v 2·2560·1024 = 26,214,400,
    # MLP 3·2560·9728 = 74,711,040, norms 2·2560 + q/k norms 2·128 = 5,376 → 100,930,816; ×36 + final norm 2560
    assert QWEN3_4B.params() == 388_956_160 + 36 * 100_930_816 + 2560 == 4_022_468_096
    assert QWEN3_4B.linear_params() == 36 * (26_214_400 + 74_711_040) == 3_633_315_840
    # Llama-3.2-3B: 128256·3072 = 394,002,432; a layer: q,o 2·3072² + k,v 2·3072·1024 + MLP 3·3072·8192 + 2·3072
    assert (LLAMA_3_2_3B.params() == 394_002_432 + 28 * (18_874_368 + 6_291_456 + 75_497_472 + 6144) + 3072
            == 3_212_749_824)
    # LoRA r on all 7 linears: r·Σ(in+out) per layer = r·(6656+3584+3584+6656+3·12288) = 57,344·r for Qwen3-4B
    assert QWEN3_4B.lora_params(64) == 64 * 36 * 57_344 == 132_120_576
    assert QWEN3_4B.lora_params(8, "q_proj,v_proj") == 8 * 36 * (6656 + 3584)


def test_zero_partitioning_formulas():
    psi, n = 1e9, 8
    assert memory.model_state_bytes(psi, 0, n, False, False) == 16 * psi             # DDP: every GPU holds all 16 B
    assert memory.model_state_bytes(psi, 1, n, False, False) == 4 * psi + 12 * psi / n
    assert memory.model_state_bytes(psi, 2, n, False, False) == 2 * psi + 14 * psi / n == 3.75e9
    assert memory.model_state_bytes(psi, 3, n, False, False) == 16 * psi / n == 2e9
    assert memory.model_state_bytes(psi, 2, n, True, False) == 2 * psi + 2 * psi / n   # optimizer in host memory
    assert memory.model_state_bytes(psi, 3, n, True, True) == 0.0


def test_nf4_bytes_per_weight():
    # 4 bits + absmax: double quantization 8 bit per 64 weights + fp32 per 64·256; plain fp32 per 64
    assert memory.quantized_bytes_per_param(4, True) == 0.5 + 1 / 64 + 4 / 16384 == 0.515869140625
    assert memory.quantized_bytes_per_param(4, False) == 0.5625


def test_reference_anchors_qwen3_4b_qlora():
    """docs/preflight.md "Anchors": NF4 weights ~1.8 GB, bf16 embeddings ~0.8 GB, logits 3.1 GB at 1×2048 and
    12.4 GB at 4×2048, activations with checkpointing ~0.6 GB, ~7–8 GB in all at 1×2048."""
    assert round(QWEN3_4B.linear_params() * 0.5 / 1e9, 1) == 1.8
    assert round(QWEN3_4B.other_params() * 2 / 1e9, 1) == 0.8
    assert memory.logits_bytes(QWEN3_4B, 2048, liger=False) == 2048 * 151936 * 10 == 3_111_649_280
    assert round(memory.logits_bytes(QWEN3_4B, 4 * 2048, liger=False) / 1e9, 1) == 12.4
    e = estimate(QWEN3_4B, Setup(quant_bits=4, lora_rank=8, micro_batch=1, seq=2048))  # LLaMA-Factory's default rank
    checkpoints = e.terms["activations: layer inputs (checkpointing)"]
    assert checkpoints == 36 * 2048 * 2560 * 2
    one_layer = 2048 * memory.layer_working_elements(QWEN3_4B, False) * 2
    # "~0.6 GB": 0.38 GB of layer inputs + 0.39 GB for the layer being recomputed and backpropagated
    assert checkpoints + one_layer == 2048 * 2 * (36 * 2560 + 6 * 2560 + 3 * 4096 + 4 * 1024 + 6 * 9728 + 2 * 2560)
    assert 0.5e9 < checkpoints + one_layer < 0.8e9
    allocated = e.total - e.terms["allocator overhead (context + fragmentation)"]
    assert 7.0e9 <= allocated <= 8.0e9                              # "~7–8 GB" (H100 measured 7.08 GB: BENCHMARKS.md)
    assert e.total == pytest.approx(allocated * 1.15 + 0.5e9)


def test_full_finetune_terms_by_hand():
    e = estimate(LLAMA_3_2_3B, Setup(method="full", micro_batch=8, seq=2048, zero=2, gpus=8))
    psi = 3_212_749_824
    assert e.terms["model states (16 B/param, ZeRO)"] == 2 * psi + 14 * psi / 8
    assert e.terms["logits (b·s·V·10 B)"] == 8 * 2048 * 128256 * 10
    assert e.terms["logits gradient, bf16 cast (b·s·V·2 B)"] == 8 * 2048 * 128256 * 2
    assert e.terms["activations: layer inputs (checkpointing)"] == 28 * 8 * 2048 * 3072 * 2


def test_verdicts_and_knobs():
    a100 = GPUS["a100-80g"]
    # the reference per-device batch of 20 does not fit at 2048 under ZeRO-2; 8 does
    big = verdict(estimate(LLAMA_3_2_3B, Setup(method="full", micro_batch=20, accumulation=8, zero=2, gpus=8)), a100)
    assert big.status == "does not fit"
    # 16 would be tight (78.8 of 85.9 GB): the first micro-batch dividing 160 that fits is 10
    assert big.knobs[0].startswith("per_device_train_batch_size: 10, gradient_accumulation_steps: 16")
    assert any("enable_liger_kernel" in k for k in big.knobs)
    assert verdict(estimate(LLAMA_3_2_3B, Setup(method="full", micro_batch=8, zero=2, gpus=8)), a100).status == "fits"
    # QLoRA micro-batch 4 on an A10: 25.0 of 24.1 GB (measured on an H100: 24.9 GB reserved + context)
    over = verdict(estimate(QWEN3_4B,
                            Setup(quant_bits=4, lora_rank=64, lora_dropout=0.05, micro_batch=4, accumulation=4)),
                   GPUS["a10-24g"])
    assert over.status == "does not fit" and over.knobs[0].startswith(
        "per_device_train_batch_size: 2, gradient_accumulation_steps: 8")
    # tight: over 90% of the card, under 100%
    b16 = verdict(estimate(LLAMA_3_2_3B, Setup(method="full", micro_batch=16, accumulation=10, zero=2, gpus=8)), a100)
    assert b16.status == "tight" and 0.9 < b16.used / b16.card < 1.0
    # liger: ceil(V/h) = 60 chunks, 8192/60 → 137 → 256 rows of fp32 logits + gradient, instead of 12.4 GB
    assert memory.logits_bytes(QWEN3_4B, 8192, liger=True) == 256 * 151936 * 8


def test_throughput_assumption_is_stated_arithmetic():
    s = Setup(method="full", micro_batch=8, seq=2048)
    flops = memory.flops_per_token(LLAMA_3_2_3B, s)
    # 8 passes of 2Ψ FLOPs (forward, recompute, input and weight gradients) + causal attention
    assert flops == 8 * 3_212_749_824 + 2 * 28 * 2048 * 3072 * 8 / 2
    tps, mfu = memory.throughput(LLAMA_3_2_3B, s, GPUS["a100-80g"])
    assert mfu == 0.35 and tps == pytest.approx(0.35 * 312e12 / flops)


def test_local_config_wins_over_table(tmp_path, tiny_model):
    arch, source = memory.resolve_arch(str(tiny_model))
    assert source.endswith("config.json") and arch.hidden == 64 and arch.vocab >= 151643
    with pytest.raises(ValueError, match="unknown model"):
        memory.resolve_arch("nobody/unknown-7b")


# --- the command ----------------------------------------------------------------------------


@pytest.fixture
def data_dir(sample_data) -> Path:
    return sample_data


@pytest.fixture(scope="module")
def checked(sample_data):
    """check.run(recipe) from the repository root on the sample DATA, once per shipped recipe: the verdict
    and the padding tests read the same report (each run starts LLaMA-Factory's parser, seconds)."""
    reports = {}

    def run(recipe: Path) -> check.Report:
        if recipe not in reports:
            with contextlib.chdir(REPO):
                reports[recipe] = check.run(recipe.relative_to(REPO), overrides=[f"dataset_dir={sample_data}"])
        return reports[recipe]

    return run


def stated(recipe: Path) -> dict:
    return check.preflight_line(recipe.read_text(encoding="utf-8"))


@pytest.mark.parametrize("recipe", RECIPES, ids=lambda p: p.name)
def test_every_recipe_passes_check_with_its_stated_verdict(recipe, checked):
    want = stated(recipe)
    assert want, f"{recipe.name}: no `lawfactory check … → verdict` comment"
    report = checked(recipe)
    assert report.errors == [], report.text()
    assert report.verdict == want["verdict"], report.text()


def test_check_reports_datasets_lengths_and_memory(data_dir, tiny_model, monkeypatch, tmp_path, capsys):
    from lawfactory.cli import main

    monkeypatch.chdir(REPO)
    code = main(["check", "recipes/criminal_qlora.yaml", f"dataset_dir={data_dir}", "cutoff_len=300",
                 "--tokenizer", str(tiny_model), "--drop-over-cutoff", str(tmp_path / "kept")])
    out = capsys.readouterr().out
    assert code == 0, out
    rows = sum(1 for _ in open(data_dir / "criminal_sentencing.jsonl", encoding="utf-8"))
    table_row = next(x for x in out.splitlines() if x.startswith("criminal_sentencing ") and " train " in x)
    assert table_row.split()[3:6] == ["criminal_sentencing.jsonl", str(rows), "0"] and table_row.endswith("ok")
    assert f"--tokenizer {tiny_model}" in out and ">300" in out
    # the filtered copy holds exactly the rows the length table did not count over the cutoff
    line = next(x for x in out.splitlines() if x.startswith("criminal_sentencing ") and x.split()[1].isdigit())
    over = int(line.split()[6])
    kept = sum(1 for _ in open(tmp_path / "kept" / "criminal_sentencing.jsonl", encoding="utf-8"))
    assert 0 < over < rows and kept == rows - over
    assert "dataset_info.json" in {p.name for p in (tmp_path / "kept").iterdir()}
    assert "→ fits" in out and "logits (b·s·V·10 B)" in out and "tokens/s per GPU" in out


def test_truncation_that_cuts_the_attitude_is_reported(tmp_path, monkeypatch):
    """A long facts text whose 认罪认罚 sits at the end: over cutoff, LLaMA-Factory keeps the start."""
    import json

    from lawfactory import jsonl

    monkeypatch.chdir(REPO)
    facts = "被告人张某于2020年在某地盗窃财物。" * 120 + "到案后如实供述，自愿认罪认罚。"
    short = "被告人李某盗窃，到案后如实供述。"
    jsonl.write_jsonl(tmp_path / "t.jsonl", [{"instruction": "判决", "input": facts, "output": "刑期:6个月"},
                                          {"instruction": "判决", "input": short, "output": "刑期:3个月"}])
    jsonl.write_jsonl(tmp_path / "e.jsonl",
                      [{"instruction": "判决", "input": short, "output": "刑期:3个月", "group_id": "g1"}])
    (tmp_path / "dataset_info.json").write_text(json.dumps({"t": {"file_name": "t.jsonl"},
                                                            "e": {"file_name": "e.jsonl"}}))
    report = check.run(Path("recipes/criminal_qlora.yaml"),
                       overrides=[f"dataset_dir={tmp_path}", "dataset=t", "eval_dataset=e", "cutoff_len=1024"])
    text = report.text()
    assert any("t.jsonl:1" in w and "attitude phrase (confession)" in w for w in report.warnings), text
    # the eval row repeats a training prompt: a shared case
    assert any("e: 1 eval rows share a case group" in e for e in report.errors), text


def test_unknown_keys_and_bad_combinations_fail(monkeypatch, capsys):
    from lawfactory.cli import main

    monkeypatch.chdir(REPO)
    assert main(["check", "recipes/criminal_qlora.yaml", "lora_rnk=8"]) == 1
    assert "not used by the HfArgumentParser: ['lora_rnk']" in capsys.readouterr().out
    assert main(["check", "recipes/criminal_qlora.yaml", "finetuning_type=full"]) == 1
    assert "`use_rslora` is only valid for LoRA training" in capsys.readouterr().out


def test_missing_dataset_and_columns_fail(tmp_path, monkeypatch):
    import json

    from lawfactory import jsonl

    monkeypatch.chdir(REPO)
    jsonl.write_jsonl(tmp_path / "a.jsonl", [{"question": "问", "answer": "答"}])
    (tmp_path / "dataset_info.json").write_text(json.dumps({"a": {"file_name": "a.jsonl"},
                                                            "b": {"file_name": "b.jsonl"}}))
    report = check.run(Path("recipes/criminal_qlora.yaml"),
                       overrides=[f"dataset_dir={tmp_path}", "dataset=a,b,c", "eval_dataset=null",
                                  "eval_strategy='no'"])
    errors = "\n".join(report.errors)
    assert "a: column 'instruction' declared in dataset_info.json is in none of its rows" in errors
    assert f"b: file {tmp_path}/b.jsonl is missing" in errors
    assert "c: Undefined dataset c in dataset_info.json" in errors


def test_does_not_fit_exits_nonzero_with_the_knob(monkeypatch, capsys):
    from lawfactory.cli import main

    monkeypatch.chdir(REPO)
    code = main(["check", "recipes/taiwan_legal_lora.yaml", "per_device_train_batch_size=8",
                 "dataset_dir=/nonexistent"])
    out = capsys.readouterr().out
    assert code == 1 and "→ does not fit" in out
    assert "fix: per_device_train_batch_size: 2, gradient_accumulation_steps: 64" in out


def test_stated_verdicts_match_recipe_comments():
    for recipe in RECIPES:
        args = yaml.safe_load(recipe.read_text(encoding="utf-8"))
        want = stated(recipe)
        if args.get("deepspeed"):
            assert want.get("gpus", 1) > 1, f"{recipe.name}: a DeepSpeed recipe's preflight names --gpus"


@pytest.mark.parametrize("argv, message", [
    (["recipes"], "recipe recipes is not a file"),
    (["recipes/criminal_qlora.yaml", "per_device_train_batch_size=1.5"],
     "per_device_train_batch_size must be an integer"),
    (["recipes/criminal_qlora.yaml", "--gpus", "0"], "--gpus must be ≥ 1"),
])
def test_user_errors_are_named_not_tracebacks(argv, message, monkeypatch):
    from lawfactory.cli import main

    monkeypatch.chdir(REPO)
    with pytest.raises(SystemExit) as e:
        main(["check", *argv])
    assert message in str(e.value)


# --- DPO: pairs, a reference forward, ranking datasets ---------------------------------------

DPO = Path("recipes/criminal_dpo.yaml")
OVERHEAD = "allocator overhead (context + fragmentation)"


def test_dpo_estimate_is_the_sft_one_with_pairs_and_a_reference_forward():
    from dataclasses import replace

    sft = Setup(quant_bits=4, lora_rank=16, micro_batch=1, seq=2048)
    dpo = replace(sft, pairs=True, reference="adapter")
    a, b = estimate(QWEN3_4B, sft), estimate(QWEN3_4B, dpo)
    tokens, vocab = 2 * 1 * 2048, 151936  # one pair = chosen + rejected, concatenated in one micro-batch
    ckpt = "activations: layer inputs (checkpointing)"
    assert b.terms[ckpt] == 2 * a.terms[ckpt] == 36 * tokens * 2560 * 2
    assert b.terms["logits (2b·s·V·10 B)"] == 2 * a.terms["logits (b·s·V·10 B)"] == tokens * vocab * 10
    assert b.terms["logits gradient, bf16 cast (2b·s·V·2 B)"] == tokens * vocab * 2
    # the no_grad reference forward runs while the policy's fp32 logits and saved log-softmax (8 B) are
    # alive: its own fp32 logits, their sliced contiguous copy and log-softmax (12 B) make 20 B against
    # the backward's 10 + 2 B
    ref = b.terms["reference forward, no_grad (2b·s·V·8 B over the backward)"]
    assert ref == tokens * vocab * (8 + 12 - (10 + 2))
    same = ["base weights (4-bit linears)", "base weights (bf16 embeddings, norms)", "LoRA r16 (16 B/param, ZeRO)",
            "dequantized weight (one matmul)"]
    assert all(a.terms[k] == b.terms[k] for k in same)  # adapter disabled: no second copy of the weights
    grown = sum(b.terms[k] - a.terms.get(k, 0.0) for k in b.terms if k not in same + [OVERHEAD]
                if not k.startswith("logits"))
    grown += (b.terms["logits (2b·s·V·10 B)"] - a.terms["logits (b·s·V·10 B)"]
              + b.terms["logits gradient, bf16 cast (2b·s·V·2 B)"] - a.terms["logits gradient, bf16 cast (b·s·V·2 B)"])
    assert grown == pytest.approx(a.terms[ckpt] + tokens / 2 * vocab * 12 + ref)
    assert b.total - a.total == pytest.approx(grown * (1 + memory.FRAGMENTATION))
    # reference-free losses (orpo, simpo): no reference forward; ref_model: a second, frozen model
    free = estimate(QWEN3_4B, replace(dpo, reference=""))
    assert not any(k.startswith("reference") for k in free.terms) and b.total - free.total == pytest.approx(ref * 1.15)
    second = estimate(QWEN3_4B, replace(dpo, reference="model", ref_quant_bits=4))
    assert second.terms["reference model (ref_model, frozen)"] == (QWEN3_4B.linear_params() * 0.515869140625
                                                                   + QWEN3_4B.other_params() * 2)
    # LLaMA-Factory turns liger's fused cross-entropy off for DPO: the logits stay whole
    assert estimate(QWEN3_4B, replace(dpo, liger=True)).total == b.total
    # DPO's time: the reference forward adds 2Ψ FLOPs a token
    assert memory.flops_per_token(QWEN3_4B, dpo) - memory.flops_per_token(QWEN3_4B, sft) == pytest.approx(
        2 * QWEN3_4B.params() + 2 * 36 * 2048 * 4096 * 2 / 2)


def test_dpo_recipe_facts_map_to_pairs_and_the_disabled_adapter(monkeypatch):
    import copy

    from lawfactory.preflight.llamafactory_args import parse
    from lawfactory.preflight.memory_fit import setup_from_facts

    monkeypatch.chdir(REPO)
    parsed = parse(check.load_recipe(DPO, []), cwd=REPO)
    assert parsed["ok"], parsed["error"]
    facts = parsed["facts"]
    s = setup_from_facts(facts, 1)
    assert (s.pairs, s.reference, s.micro_batch, s.seq, s.quant_bits) == (True, "adapter", 1, 2048, 4)
    variant = copy.deepcopy(facts)
    variant["finetuning"].update(pref_loss="simpo", use_ref_model=False)  # what LLaMA-Factory sets for simpo/orpo
    assert setup_from_facts(variant, 1).reference == ""
    variant["finetuning"].update(use_ref_model=True, ref_model="out/criminal_merged", ref_model_quantization_bit=4)
    assert (setup_from_facts(variant, 1).reference, setup_from_facts(variant, 1).ref_quant_bits) == ("model", 4)
    variant["finetuning"]["stage"] = "sft"
    assert (setup_from_facts(variant, 1).pairs, setup_from_facts(variant, 1).reference) == (False, "")


def test_dpo_recipe_fits_an_a10_and_pairs_are_measured(tmp_path, monkeypatch):
    from conftest import ranking_rows, write_ranking

    monkeypatch.chdir(REPO)
    rows = ranking_rows(6)
    long_facts = "被告人张某于2020年在某地盗窃财物。" * 200 + "到案后如实供述，自愿认罪认罚。"  # ≈ 2,500 tokens
    rows += [{**rows[0], "rejected": "刑期:" + "十二个月，" * 700},  # only prompt + rejected is over 2048
             {**rows[1], "input": long_facts},                        # over through the prompt: attitude cut
             {**rows[2], "rejected": ""},                              # LLaMA-Factory drops it
             {**rows[3], "rejected": rows[3]["chosen"]}]              # nothing to prefer
    write_ranking(tmp_path, rows)
    report = check.run(DPO, overrides=[f"dataset_dir={tmp_path}"])
    text = report.text()
    assert report.errors == [], text
    assert report.verdict == stated(REPO / DPO)["verdict"] == "fits" and stated(REPO / DPO)["gpu"] == "a10-24g"
    assert "out/criminal_merged does not exist yet: written by criminal_export.yaml" in text
    line = next(x for x in text.splitlines() if x.startswith("criminal_attitude_pref ") and x.split()[1].isdigit())
    assert line.split()[1] == "10" and line.split()[6:8] == ["2", "1"], line  # rows; over 2048; attitude lost
    assert "criminal_attitude_pref: 1 rows lack a prompt or a chosen or rejected answer" in text
    assert "criminal_attitude_pref: 1 pairs have the same chosen and rejected text" in text
    assert "micro-batch 1 pairs = 2 sequences" in text and "reference forward, no_grad" in text


def test_stage_and_ranking_datasets_must_agree(tmp_path, monkeypatch):
    import json

    from conftest import ranking_rows, write_jsonl, write_ranking

    monkeypatch.chdir(REPO)
    write_ranking(tmp_path, ranking_rows(4))
    write_jsonl(tmp_path / "plain.jsonl", [{"instruction": "判决", "input": "被告人盗窃。", "output": "刑期:6个月"}])
    info = json.loads((tmp_path / "dataset_info.json").read_text(encoding="utf-8"))
    (tmp_path / "dataset_info.json").write_text(json.dumps({**info, "plain": {"file_name": "plain.jsonl"}}))
    dpo = check.run(DPO, overrides=[f"dataset_dir={tmp_path}", "dataset=plain"])
    assert any(e.startswith("plain: stage dpo trains on pairs") for e in dpo.errors), dpo.text()
    sft = check.run(Path("recipes/criminal_qlora.yaml"),
                    overrides=[f"dataset_dir={tmp_path}", "dataset=criminal_attitude_pref", "eval_dataset=null",
                               "eval_strategy='no'"])
    assert any(e.startswith("criminal_attitude_pref: a ranking dataset") for e in sft.errors), sft.text()


def test_a_model_not_exported_yet_is_traced_to_its_base(tmp_path, tiny_model):
    from lawfactory.preflight.memory_fit import arch_for
    from lawfactory.preflight.recipe import traced_model

    (tmp_path / "a_export.yaml").write_text(f"model_name_or_path: {tiny_model}\nexport_dir: {tmp_path}/sft_merged\n")
    (tmp_path / "b_export.yaml").write_text(f"model_name_or_path: {tmp_path}/sft_merged\n"
                                            f"export_dir: {tmp_path}/dpo_merged\n")
    recipe = tmp_path / "train.yaml"
    assert traced_model(f"{tmp_path}/dpo_merged", tmp_path) == (str(tiny_model), ["b_export.yaml", "a_export.yaml"])
    arch, source = arch_for(f"{tmp_path}/dpo_merged", recipe)
    assert arch.hidden == 64 and "via b_export.yaml → a_export.yaml" in source
    # once the folder exists, its own config.json is read
    (tmp_path / "sft_merged").mkdir()
    (tmp_path / "sft_merged" / "config.json").write_text((tiny_model / "config.json").read_text())
    assert traced_model(f"{tmp_path}/dpo_merged", tmp_path) == (f"{tmp_path}/sft_merged", ["b_export.yaml"])
    assert traced_model(f"{tmp_path}/sft_merged", tmp_path) == (f"{tmp_path}/sft_merged", [])
    with pytest.raises(ValueError, match="unknown model"):
        arch_for(f"{tmp_path}/nowhere", recipe)


# --- padding and packing (lawfactory/preflight/batching.py) ----------------------------------


def test_padding_share_by_hand():
    """Rows of 10, 20, 30 and 40 tokens, micro-batches of 2 drawn at random: the 6 pairs' longest
    rounded up to 8 are 24 (10,20), 32 (10,30; 20,30), 40 (10,40; 20,40; 30,40): E[width] = 208/6;
    useful 25 a row on average, so the padding share is 1 - 25 / (208/6) = 1 - 150/208."""
    from lawfactory.preflight.batching import expected_width, padded

    lengths = np.array([40, 10, 30, 20])
    assert expected_width(lengths, 2) == pytest.approx(208 / 6)
    assert expected_width(lengths, 1) == pytest.approx((16 + 24 + 32 + 40) / 4)
    assert expected_width(lengths, 4) == 40
    assert padded(lengths, lengths, 2, 1).share == pytest.approx(1 - 150 / 208)
    # a pair: 2 sequences each padded to the micro-batch's longest; useful = both sequences
    assert padded(lengths, 2 * lengths - 5, 1, 2).share == pytest.approx(1 - 45 / (2 * 28))


def test_padding_share_matches_a_seeded_simulation():
    from lawfactory.preflight.batching import expected_width, round_up

    rng = np.random.default_rng(7)
    lengths = rng.integers(50, 2048, size=300)
    draws = [round_up(rng.choice(lengths, size=4, replace=False).max()) for _ in range(40_000)]
    assert expected_width(lengths, 4) == pytest.approx(np.mean(draws), rel=0.01)


def test_packing_arithmetic_is_llamafactorys_knapsack():
    """cutoff 100 → rows truncated to 99 and packed into 99: 60+39, 50+40+9, 99 (the 150 row, cut),
    30 (alone); packed per preprocessing batch, so a batch of 3 rows cannot share across batches."""
    from lawfactory.preflight.batching import packed

    lengths = np.array([60, 39, 50, 40, 9, 150, 30])
    pk = packed(lengths, 100)
    assert (pk.rows, pk.packs, pk.useful) == (7, 4, 60 + 39 + 50 + 40 + 9 + 99 + 30)
    assert pk.share == pytest.approx(1 - 327 / 400)
    assert packed(lengths, 100, chunk=3).packs == 2 + 2 + 1  # [60,39,50] [40,9,150] [30]


def batching_lines(text: str) -> list[str]:
    return text.split("== Padding and packing ==\n", 1)[1].split("\n\n", 1)[0].splitlines()


@pytest.mark.parametrize("recipe", RECIPES, ids=lambda p: p.name)
def test_every_training_recipe_reports_padding_and_packing(recipe, checked):
    text = checked(recipe).text()
    args = yaml.safe_load(recipe.read_text(encoding="utf-8"))
    if not args.get("do_train"):
        assert "== Padding and packing ==" not in text
        return
    lines = batching_lines(text)
    b, mode = args["per_device_train_batch_size"], "neat_packing" if args.get("neat_packing") else "padded"
    assert lines[0].startswith(f"micro-batch {b}") and lines[0].endswith(f"the recipe: {mode}"), lines
    share = float(next(x for x in lines if x.startswith("padded: ")).rsplit(": ", 1)[1].split("%")[0])
    assert 0 < share < 100
    modes = [x.split()[0] for x in lines if x.split() and x.split()[0] in ("padded", "packed") and "  " in x]
    if args["stage"] == "dpo":
        assert modes == ["padded"] and any("packing: not available for stage dpo" in x for x in lines)
    else:
        assert modes == ["padded", "packed"], lines
        packed_row = next(x for x in lines if x.startswith("packed ") and "  " in x).split()
        batch = args["per_device_train_batch_size"] * args["gradient_accumulation_steps"]
        batch *= stated(recipe).get("gpus", 1)
        assert packed_row[3] == f"{batch * args['cutoff_len']:,}"  # a packed step computes batch × cutoff tokens
        assert float(packed_row[4].rstrip("%")) < share  # packing pads less than micro-batches of these rows


def test_an_interleaved_epoch_has_each_dataset_at_its_share():
    """interleave_over 0.25/0.75 of 6 short and 2 long rows: the long set runs out last at 8 rows
    a share of 0.75 → 6/0.25 = 24 vs 2/0.75 ≈ 2.7: 24 rows, 6 short and 18 long (repeated)."""
    from types import SimpleNamespace

    from lawfactory.preflight.batching import epoch_lengths
    from lawfactory.preflight.token_lengths import Lengths

    short, long_ = np.full(6, 100), np.full(2, 900)
    lengths = {"a": Lengths(short, short, [], []), "b": Lengths(long_, long_, [], [])}
    train = [SimpleNamespace(name="a"), SimpleNamespace(name="b")]
    longest, useful = epoch_lengths(train, lengths, {"mix_strategy": "interleave_over",
                                                     "interleave_probs": [0.25, 0.75]}, 2048)
    assert sorted(longest.tolist()) == [100] * 6 + [900] * 18 and (useful == longest).all()
    concat, _ = epoch_lengths(train, lengths, {}, 500)
    assert concat.tolist() == [100] * 6 + [500] * 2  # clipped at cutoff, in dataset order


def test_options_and_overrides_in_any_order_after_the_recipe():
    """`lawfactory check RECIPE --gpu G key=value` (the recipes' own comment line plus an override) parses."""
    from lawfactory.cli import _parser
    from lawfactory.errors import UsageError
    from lawfactory.preflight.recipe import recipe_overrides

    args = _parser().parse_args(["check", "recipes/criminal_dpo.yaml", "--gpu", "a100-40g", "cutoff_len=1024",
                                 "--gpus", "2"])
    assert recipe_overrides(args) == ["cutoff_len=1024"] and (args.gpu, args.gpus) == ("a100-40g", 2)
    args = _parser().parse_args(["check", "recipes/criminal_dpo.yaml", "--bogus"])
    with pytest.raises(UsageError, match="'--bogus' is neither an option nor a key=value"):
        recipe_overrides(args)
