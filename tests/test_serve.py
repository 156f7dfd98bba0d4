"""Serving smoke test: `lawfactory serve recipes/criminal_serve.yaml` (LLaMA-Factory's API behind the
guard of lawfactory/serve.py) on the tiny model, on loopback, refuses a request without the API key,
answers one OpenAI-style chat request about a case, and caps the client's max_tokens.

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

from lawfactory import jsonl
from lawfactory.preflight.llamafactory_args import free_port
from lawfactory.tasks.sentencing import INSTRUCTION, SYSTEM

from conftest import REPO, SAMPLES

pytestmark = pytest.mark.slow
READY_TIMEOUT = 300  # model load on 2 shared cores


KEY = "test-key-123"
AUTH = {"Authorization": f"Bearer {KEY}"}


def request(url: str, body: dict | None = None, timeout: float = 120, headers: dict | None = None,
            method: str | None = None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json", **(headers or {})},
                                 method=method)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, json.loads(r.read()), dict(r.headers)
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"{}"), dict(e.headers)


def wait_ready(proc: subprocess.Popen, base: str, log: Path) -> None:
    deadline = time.monotonic() + READY_TIMEOUT
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"the API server exited with {proc.returncode}:\n{log.read_text()[-3000:]}")
        try:
            if request(f"{base}/v1/models", timeout=5, headers=AUTH)[0] == 200:
                return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(2)
    pytest.fail(f"the API server was not ready within {READY_TIMEOUT} s:\n{log.read_text()[-3000:]}")


def test_api_answers_a_case(tiny_model, tmp_path):
    from transformers import AutoTokenizer

    facts = next(obj for _, obj, _ in jsonl.iter_jsonl(SAMPLES / "cail" / "criminal_sample.jsonl") if obj)["fact"]
    user = INSTRUCTION["cn"] + "\n" + facts
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = tmp_path / "api.log"
    env = {**os.environ, "API_PORT": str(port), "API_KEY": KEY, "CUDA_VISIBLE_DEVICES": ""}
    env.pop("API_HOST", None)  # the default bind is loopback
    cmd = [sys.executable, "-m", "lawfactory.cli", "serve", "recipes/criminal_serve.yaml",
           f"model_name_or_path={tiny_model}", "max_new_tokens=8"]
    chat = {"model": "criminal", "max_tokens": 4096,  # above the recipe's cap: lowered to 8
            "messages": [{"role": "system", "content": SYSTEM["cn"]}, {"role": "user", "content": user}]}
    with open(log, "w") as out:
        proc = subprocess.Popen(cmd, cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        wait_ready(proc, base, log)
        no_key = request(f"{base}/v1/chat/completions", chat)
        wrong_key = request(f"{base}/v1/chat/completions", chat, headers={"Authorization": "Bearer nope"})
        preflight = request(f"{base}/v1/chat/completions", method="OPTIONS",
                            headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"})
        docs = request(f"{base}/openapi.json", headers=AUTH)
        status, body, headers = request(f"{base}/v1/chat/completions", chat,
                                        headers={**AUTH, "Origin": "https://evil.example"})
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    assert no_key[0] == 401 and wrong_key[0] == 401
    assert preflight[0] == 403 and docs[0] == 404
    assert not any(h.lower().startswith("access-control-") for h in headers)
    assert status == 200 and body["object"] == "chat.completion"
    (choice,) = body["choices"]
    assert choice["message"]["role"] == "assistant" and isinstance(choice["message"]["content"], str)
    assert choice["finish_reason"] in ("stop", "length")
    tok = AutoTokenizer.from_pretrained(tiny_model)
    rendered = (f"<|im_start|>system\n{SYSTEM['cn']}<|im_end|>\n"  # qwen3_nothink, as the recipe names it
                f"<|im_start|>user\n{user}<|im_end|>\n<|im_start|>assistant\n")
    assert body["usage"]["prompt_tokens"] == len(tok(rendered, add_special_tokens=False)["input_ids"])
    assert 1 <= body["usage"]["completion_tokens"] <= 8
