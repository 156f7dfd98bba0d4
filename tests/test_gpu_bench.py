"""lawfactory.dev.gpu_bench's r16r17 suite on the CPU (--tiny: every case type, no timing asserted)
and the batching it measures (lawfactory.dev.packing)."""

import json
import math
import random

import pytest

from lawfactory.dev import gpu_bench, packing

ROWS = [
    {"system": "你是法官", "instruction": "写出判决主文", "input": "被告人张某某秘密窃取他人财物，价值2210元。",
     "output": "刑期:6个月"},
    {"instruction": "写出判决主文", "input": "", "output": "刑期:无期"},  # no system turn, no input
]


def test_template_lengths_match_llamafactory_qwen3_nothink(tiny_model):
    from llamafactory.data.template import TEMPLATES
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(tiny_model)
    template = TEMPLATES["qwen3_nothink"]
    expected = []
    for row in ROWS:
        user = "\n".join(x for x in (row["instruction"], row["input"]) if x)
        prompt, answer = template.encode_oneturn(tok, [{"role": "user", "content": user},
                                                       {"role": "assistant", "content": row["output"]}],
                                                 system=row.get("system"))
        expected.append((len(prompt), len(answer)))
    prompts, answers = packing.template_lengths(ROWS, tok)
    assert list(zip(prompts, answers)) == expected


def test_write_lengths_keeps_only_integers(tiny_model, tmp_path):
    data, out = tmp_path / "rows.jsonl", tmp_path / "lengths.json"
    data.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in ROWS), encoding="utf-8")
    assert gpu_bench.main(["--write-lengths", str(data), "--tokenizer", str(tiny_model), "--out", str(out)]) == 0
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert doc["rows"] == 2 and len(doc["prompt"]) == len(doc["answer"]) == 2
    assert all(isinstance(n, int) and n > 0 for n in doc["prompt"] + doc["answer"])
    assert "张某某" not in out.read_text(encoding="utf-8")


def test_greedy_knapsack_keeps_every_sample_within_the_cutoff():
    rng = random.Random(3)
    lengths = [rng.randint(1, 2048) for _ in range(300)]
    packs = packing.greedy_knapsack(lengths, 2048)
    assert sorted(n for pack in packs for n in pack) == sorted(lengths)
    assert all(sum(pack) <= 2048 for pack in packs)
    assert len(packs) < len(lengths)
    with pytest.raises(ValueError, match="does not fit"):
        packing.greedy_knapsack([10, 3000], 2048)


def test_padded_and_packed_inputs_hold_the_same_tokens():
    import torch

    batch = [5, 9, 7]
    gen = torch.Generator().manual_seed(0)
    padded = packing.padded_inputs(batch, 50, 0, gen, "cpu")
    assert padded["input_ids"].shape == (3, 16)  # longest 9, rounded up to a multiple of 8
    assert padded["attention_mask"].sum().item() == sum(batch) == (padded["labels"] != -100).sum().item()
    packed = packing.packed_inputs([[5, 9], [7]], 16, 50, 0, gen, "cpu", torch.float32)
    assert packed["input_ids"].shape == (2, 24)  # cutoff + 1, rounded up to a multiple of 8
    assert (packed["labels"] != -100).sum().item() == sum(batch)
    assert packed["position_ids"][0, :14].tolist() == list(range(5)) + list(range(9))
    mask = packed["attention_mask"]
    assert mask.shape == (2, 1, 24, 24)
    assert mask[0, 0, 6, 5] == 0 and mask[0, 0, 6, 4] < 0  # the second sample sees itself, not the first
    assert mask[0, 0, 5, 6] < 0  # causal


def test_block_diagonal_mask_keeps_packed_samples_apart():
    """A packed sequence gives each sample the logits it has alone (SDPA with the 4D mask)."""
    import torch
    from transformers import Qwen3Config, Qwen3ForCausalLM

    torch.manual_seed(0)
    cfg = Qwen3Config(vocab_size=97, hidden_size=32, intermediate_size=64, num_hidden_layers=2, num_attention_heads=4,
                      num_key_value_heads=2, head_dim=8)
    model = Qwen3ForCausalLM._from_config(cfg, attn_implementation="sdpa").eval()
    x = packing.packed_inputs([[5, 9], [7]], 16, 97, 0, torch.Generator().manual_seed(1), "cpu", torch.float32)
    with torch.no_grad():
        packed = model(**{k: v for k, v in x.items() if k != "labels"}).logits
        ids = x["input_ids"]
        for row, start, n in ((0, 0, 5), (0, 5, 9), (1, 0, 7)):
            alone = model(input_ids=ids[row:row + 1, start:start + n]).logits[0]
            torch.testing.assert_close(packed[row, start:start + n], alone, atol=1e-5, rtol=1e-4)
        unmasked = model(input_ids=ids[:1, :14]).logits[0, 5:14]
    assert not torch.allclose(unmasked, packed[0, 5:14], atol=1e-3)  # the mask is what keeps them apart


def test_tiny_suite_runs_every_case(tmp_path):
    rng = random.Random(0)
    prompts = [rng.randint(150, 2600) for _ in range(40)]  # a few over the cutoff: clipped
    (tmp_path / "lengths.json").write_text(json.dumps({"prompt": prompts, "answer": [60] * 40}), encoding="utf-8")
    out = tmp_path / "bench.jsonl"
    assert gpu_bench.main(["--tiny", "--lengths", str(tmp_path / "lengths.json"), "--out", str(out)]) == 0
    rows = {r["case"]: r for r in map(json.loads, out.read_text(encoding="utf-8").splitlines())}
    assert list(rows) == ["r16r17-sft", "r16r17-dpo", "r16r17-padded", "r16r17-packed", "r16r17-packed-liger",
                          "r16r17-generate"]
    assert rows.pop("r16r17-packed-liger")["skipped"] == "liger-kernel needs a GPU (Triton)"
    assert not [r for r in rows.values() if "error" in r or "skipped" in r]
    sft, dpo, padded, packed, gen = rows.values()
    for row in (sft, dpo, padded, packed):
        assert row["steps"] >= 1 and len(row["loss"]) == row["steps"] + 1 and "peak_allocated_gb" in row
    assert sft["tokens_per_s"] > 0 and dpo["tokens_per_s"] > 0 and dpo["pairs_per_s"] > 0
    assert dpo["tokens_per_step"] == 2 * sft["tokens_per_step"]  # 2 pairs = 4 sequences vs 2
    assert abs(dpo["loss"][0] - math.log(2)) < 0.01  # LoRA starts at B = 0: policy = reference, -log σ(0)
    # the same samples measured both ways
    assert packed["samples"] == padded["samples"] == 12
    assert packed["useful_tokens"] == padded["useful_tokens"]
    assert padded["padding_share"] > 0
    assert packed["micro_batches"] < padded["micro_batches"]
    assert packed["useful_tokens_per_s"] > 0 and padded["useful_tokens_per_s"] > 0
    assert set(gen["by_batch"]) == {"1", "4"} and all(b["rows_per_s"] > 0 for b in gen["by_batch"].values())


def test_suite_without_lengths_skips_the_length_cases(tmp_path):
    out = tmp_path / "bench.jsonl"
    gpu_bench.main(["--tiny", "--suite-cases", "sft,padded", "--out", str(out)])
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r["case"] for r in rows] == ["r16r17-sft", "r16r17-padded"]
    assert "skipped" not in rows[0] and rows[1]["skipped"] == "no --lengths file"
