"""Serving smoke test: `llamafactory-cli api recipes/criminal_serve.yaml` on the tiny model, on
loopback, answers one OpenAI-style chat request about a case.

The tiny model's weights are random, so its words are noise: the test asserts the response's
shape (200, an assistant message whose content is a string, a finish reason, token usage) and that
the server applied the recipe's `qwen3_nothink` template — the prompt it counted is exactly the
template's rendering of the request under Qwen's tokenizer, not any other template's.
"""

import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from conftest import REPO, SAMPLES
from lawfactory import io
from lawfactory.lf_parse import free_port
from lawfactory.tasks.sentencing import INSTRUCTION, SYSTEM

pytestmark = pytest.mark.slow
READY_TIMEOUT = 300  # model load on 2 shared cores


def request(url: str, body: dict | None = None, timeout: float = 120):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=timeout) as r:
        return r.status, json.loads(r.read())


def wait_ready(proc: subprocess.Popen, base: str, log: Path) -> None:
    deadline = time.monotonic() + READY_TIMEOUT
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"the API server exited with {proc.returncode}:\n{log.read_text()[-3000:]}")
        try:
            if request(f"{base}/v1/models", timeout=5)[0] == 200:
                return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(2)
    pytest.fail(f"the API server was not ready within {READY_TIMEOUT} s:\n{log.read_text()[-3000:]}")


def test_api_answers_a_case(tiny_model, tmp_path):
    from transformers import AutoTokenizer

    facts = next(obj for _, obj, _ in io.iter_jsonl(SAMPLES / "cail" / "criminal_sample.jsonl") if obj)["fact"]
    user = INSTRUCTION["cn"] + "\n" + facts
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = tmp_path / "api.log"
    env = {**os.environ, "API_HOST": "127.0.0.1", "API_PORT": str(port), "CUDA_VISIBLE_DEVICES": ""}
    cli = Path(sys.executable).with_name("llamafactory-cli")
    with open(log, "w") as out:
        proc = subprocess.Popen([str(cli), "api", "recipes/criminal_serve.yaml", f"model_name_or_path={tiny_model}"],
                                cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        wait_ready(proc, base, log)
        status, body = request(f"{base}/v1/chat/completions", {
            "model": "criminal", "max_tokens": 8,
            "messages": [{"role": "system", "content": SYSTEM["cn"]}, {"role": "user", "content": user}]})
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    assert status == 200 and body["object"] == "chat.completion"
    (choice,) = body["choices"]
    assert choice["message"]["role"] == "assistant" and isinstance(choice["message"]["content"], str)
    assert choice["finish_reason"] in ("stop", "length")
    tok = AutoTokenizer.from_pretrained(tiny_model)
    rendered = (f"<|im_start|>system\n{SYSTEM['cn']}<|im_end|>\n"  # qwen3_nothink, as the recipe names it
                f"<|im_start|>user\n{user}<|im_end|>\n<|im_start|>assistant\n")
    assert body["usage"]["prompt_tokens"] == len(tok(rendered, add_special_tokens=False)["input_ids"])
    assert 1 <= body["usage"]["completion_tokens"] <= 8
