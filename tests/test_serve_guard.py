"""The serving guard (lawfactory/serve.py) on a stand-in ASGI app: what reaches LLaMA-Factory's app
and what the client gets back. The real server is exercised in the slow tests/test_serve.py."""

import asyncio
import json

import pytest

from lawfactory import serve
from lawfactory.errors import UsageError


class Echo:
    """An ASGI app that records the request body and answers with CORS headers, as LLaMA-Factory's does."""

    def __init__(self):
        self.bodies = []

    async def __call__(self, scope, receive, send):
        msg = await receive()
        self.bodies.append(msg.get("body", b""))
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"access-control-allow-origin", b"*"), (b"access-control-allow-credentials", b"true"),
                                (b"content-type", b"application/json")]})
        await send({"type": "http.response.body", "body": b"{}"})


def call(app, method: str, path: str, body: bytes = b"", headers: dict | None = None):
    scope = {"type": "http", "method": method, "path": path,
             "headers": [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()]}
    sent, chunks = [], [{"type": "http.request", "body": body, "more_body": False}]

    async def receive():
        return chunks.pop(0) if chunks else {"type": "http.disconnect"}

    async def send(msg):
        sent.append(msg)

    asyncio.run(app(scope, receive, send))
    start = next(m for m in sent if m["type"] == "http.response.start")
    return start["status"], {k.decode(): v.decode() for k, v in start["headers"]}


@pytest.mark.parametrize("asked, passed", [(4096, 512), (100, 100), (None, 512), (0, 512), ("9", 512), (True, 512)])
def test_max_tokens_capped_at_the_recipe(asked, passed):
    inner = Echo()
    app = serve.Guard(inner, max_new_tokens=512)
    req = {"model": "m", "messages": [{"role": "user", "content": "案情"}]}
    if asked is not None:
        req["max_tokens"] = asked
    status, _ = call(app, "POST", "/v1/chat/completions", json.dumps(req).encode())
    assert status == 200
    sent = json.loads(inner.bodies[0])
    assert sent["max_tokens"] == passed and sent["messages"] == req["messages"]


def test_not_json_passes_through_unchanged():
    inner = Echo()
    call(serve.Guard(inner, 8), "POST", "/v1/chat/completions", b"not json")
    assert inner.bodies == [b"not json"]


def test_cross_origin_refused_unless_allowed():
    inner = Echo()
    app = serve.Guard(inner, 8)
    assert call(app, "OPTIONS", "/v1/chat/completions", headers={"Origin": "https://x.example"})[0] == 403
    status, headers = call(app, "POST", "/v1/models", headers={"Origin": "https://x.example"})
    assert status == 200 and not any(k.startswith("access-control-") for k in headers)
    allowed = serve.Guard(inner, 8, cors_origins=("https://ok.example",))
    status, headers = call(allowed, "GET", "/v1/models", headers={"Origin": "https://ok.example"})
    assert headers.get("access-control-allow-origin") == "*"


def test_docs_hidden_unless_asked():
    inner = Echo()
    assert call(serve.Guard(inner, 8), "GET", "/openapi.json")[0] == 404
    assert call(serve.Guard(inner, 8, docs=True), "GET", "/openapi.json")[0] == 200


class Args:
    no_key = False


@pytest.mark.parametrize("env, no_key, ok", [
    ({}, False, False),                                  # no key: refused
    ({}, True, True),                                    # --no-key on the loopback default
    ({"API_HOST": "0.0.0.0"}, True, False),              # --no-key on every interface: refused
    ({"API_KEY": "k", "API_HOST": "0.0.0.0"}, False, True),
])
def test_settings_refuse_an_open_server(monkeypatch, env, no_key, ok):
    for k in ("API_HOST", "API_KEY", "API_PORT"):
        monkeypatch.delenv(k, raising=False)
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    args = Args()
    args.no_key = no_key
    if ok:
        host, port, _ = serve.settings(args)
        assert port == 8000 and host == env.get("API_HOST", "127.0.0.1")
    else:
        with pytest.raises(UsageError):
            serve.settings(args)


def test_serve_recipe_has_no_remote_code_and_a_cap():
    import yaml

    from conftest import REPO

    recipe = REPO / "recipes" / "criminal_serve.yaml"
    assert "trust_remote_code" not in yaml.safe_load(recipe.read_text(encoding="utf-8"))
    assert serve.recipe_cap(recipe, []) == 512 and serve.recipe_cap(recipe, ["max_new_tokens=64"]) == 64
