import json


def test_tiny_model_has_qwen_vocabulary_and_special_ids(tiny_model):
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(tiny_model)
    # Qwen2/3's real ids: the qwen3_nothink template and token counts behave as with the real model
    assert tok.convert_tokens_to_ids(["<|endoftext|>", "<|im_start|>", "<|im_end|>", "<think>", "</think>"]) == \
        [151643, 151644, 151645, 151667, 151668]
    assert tok("user\n")["input_ids"] == [872, 198]
    text = "被告人张某某秘密窃取他人财物，价值2210元。"
    assert tok.decode(tok(text)["input_ids"]) == text
    cfg = json.loads((tiny_model / "config.json").read_text())
    assert cfg["model_type"] == "qwen3" and cfg["vocab_size"] == len(tok) == 151669 and cfg["num_hidden_layers"] == 2


def test_llamafactory_template_encodes_with_the_tiny_tokenizer(tiny_model):
    from llamafactory.data.template import TEMPLATES
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(tiny_model)
    template = TEMPLATES["qwen3_nothink"]
    prompt, answer = template.encode_oneturn(tok, [{"role": "user", "content": "事实"},
                                                   {"role": "assistant", "content": "刑期:6个月"}],
                                             system="你是法官")
    assert tok.decode(prompt).startswith("<|im_start|>system\n你是法官<|im_end|>")
    assert tok.decode(answer).startswith("刑期:6个月")
