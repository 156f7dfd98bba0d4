"""`lawfactory serve RECIPE`: LLaMA-Factory's OpenAI-compatible API with safe defaults.

The app is LLaMA-Factory's own (`llamafactory.api.app.create_app` on a `ChatModel` built from the
recipe, parsed by LLaMA-Factory's own argument reader); this module only wraps it in an ASGI
guard and starts uvicorn. What the guard changes, and why:

- **bind 127.0.0.1** unless API_HOST says otherwise (LLaMA-Factory's default is 0.0.0.0);
- **an API key is required**: API_KEY must be set (LLaMA-Factory then refuses requests without
  `Authorization: Bearer <key>`); `--no-key` serves without one, on a loopback address only;
- **generation is capped** at the recipe's `max_new_tokens`: a client's larger `max_tokens` is
  lowered to it (LLaMA-Factory passes the client's value through uncapped);
- **no cross-origin browser access**: LLaMA-Factory allows every origin *with* credentials; the
  guard answers CORS pre-flights with 403 and drops `Access-Control-*` headers unless
  `--cors-origin` names an origin;
- **no /docs, /redoc, /openapi.json** unless `--docs`.

The guard and the key settings are shared with `lawfactory serve-retriever`
(lawfactory/retrieval/service.py), whose own app has no key check: there the guard checks the key
(`api_key`) and limits the request body of its search path.
"""

from __future__ import annotations

import argparse
import hmac
import ipaddress
import json
import os
import sys
from pathlib import Path

from lawfactory.errors import InputError, UsageError

HIDDEN_PATHS = ("/docs", "/redoc", "/openapi.json", "/docs/oauth2-redirect")
CAPPED_PATHS = ("/v1/chat/completions",)
MAX_BODY = 8 << 20  # a chat request over 8 MiB is refused, not parsed


class Guard:
    """ASGI middleware around an app (see the module docstring): hides the docs, refuses cross-origin
    pre-flights and drops CORS headers, limits the body of POSTs to `limited_paths` to `max_body`
    bytes and, given `max_new_tokens`, lowers their max_tokens to it; given `api_key`, refuses a
    request without `Authorization: Bearer <api_key>` (401) before the app sees it."""

    def __init__(self, app, max_new_tokens: int | None, cors_origins: tuple[str, ...] = (), docs: bool = False, *,
                 api_key: str | None = None, limited_paths: tuple[str, ...] = CAPPED_PATHS, max_body: int = MAX_BODY):
        self.app, self.cap, self.origins, self.docs = app, max_new_tokens, set(cors_origins), docs
        self.key, self.limited, self.max_body = api_key, limited_paths, max_body

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        path = scope.get("path", "")
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
        origin = headers.get("origin")
        if not self.docs and path in HIDDEN_PATHS:
            return await _reply(send, 404, {"detail": "Not Found"})
        if origin is not None and origin not in self.origins:
            if scope["method"] == "OPTIONS":
                return await _reply(send, 403, {"detail": f"cross-origin requests from {origin} are not allowed"})
            send = _without_cors(send)
        if self.key is not None and not _authorized(headers.get("authorization", ""), self.key):
            return await _reply(send, 401, {"detail": "missing or wrong API key (send `Authorization: Bearer <key>`)"})
        if scope["method"] == "POST" and path in self.limited:
            body = await _read_body(receive, self.max_body)
            if body is None:
                return await _reply(send, 413, {"detail": f"request body over {self.max_body} bytes"})
            if self.cap is not None:
                body = self.capped(body)
            receive = _replay(body)
            scope = {**scope, "headers": [(k, v) for k, v in scope["headers"] if k.lower() != b"content-length"]
                     + [(b"content-length", str(len(body)).encode())]}
        return await self.app(scope, receive, send)

    def capped(self, body: bytes) -> bytes:
        """The request body with max_tokens lowered to the cap (bodies that are not JSON objects pass
        unchanged: LLaMA-Factory's own validation answers them)."""
        try:
            req = json.loads(body)
        except ValueError:
            return body
        if not isinstance(req, dict):
            return body
        asked = req.get("max_tokens")
        if not isinstance(asked, int) or isinstance(asked, bool) or asked > self.cap or asked < 1:
            req["max_tokens"] = self.cap
        return json.dumps(req, ensure_ascii=False).encode()


def _authorized(header: str, key: str) -> bool:
    scheme, _, given = header.partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(), key.encode())


async def _read_body(receive, limit: int = MAX_BODY) -> bytes | None:
    chunks, size = [], 0
    while True:
        msg = await receive()
        if msg["type"] != "http.request":
            break
        chunk = msg.get("body", b"")
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
        if not msg.get("more_body"):
            break
    return b"".join(chunks)


def _replay(body: bytes):
    sent = False

    async def receive():
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return receive


def _without_cors(send):
    async def wrapped(msg):
        if msg["type"] == "http.response.start":
            msg = {**msg, "headers": [(k, v) for k, v in msg.get("headers", [])
                                      if not k.lower().startswith(b"access-control-")]}
        await send(msg)

    return wrapped


async def _reply(send, status: int, payload: dict) -> None:
    body = json.dumps(payload).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def recipe_cap(recipe: Path, overrides: list[str]) -> int:
    """The recipe's max_new_tokens (an override wins); LLaMA-Factory's default 1024 when unset. The
    recipe and overrides are read as `lawfactory check` reads them (its errors name the key)."""
    from lawfactory.preflight.recipe import load_recipe

    cap = int(load_recipe(recipe, overrides).get("max_new_tokens", 1024))
    if cap < 1:
        raise InputError(f"{recipe}: max_new_tokens must be ≥ 1, got {cap}")
    return cap


def settings(args) -> tuple[str, int, str | None]:
    """(host, port, key) from the environment, refusing an unauthenticated non-loopback server."""
    host = os.environ.get("API_HOST", "127.0.0.1")
    try:
        port = int(os.environ.get("API_PORT", "8000"))
    except ValueError:
        raise UsageError(f"API_PORT must be a port number, got {os.environ['API_PORT']!r}") from None
    return host, port, api_key(args.no_key, host, "API_HOST")


def api_key(no_key: bool, host: str, host_option: str) -> str | None:
    """API_KEY from the environment; without it the server runs only with --no-key and only on a
    loopback address (`host_option` names where the host was set, for the error)."""
    key = os.environ.get("API_KEY") or None
    if key is None and not no_key:
        raise UsageError("API_KEY is not set: set it (clients send `Authorization: Bearer $API_KEY`), "
                         "or pass --no-key to serve without one on a loopback address")
    if key is None and not is_loopback(host):
        raise UsageError(f"--no-key serves only on a loopback address, not {host_option}={host}")
    return key


def cmd_serve(args) -> int:
    recipe = Path(args.recipe)
    if not recipe.is_file():
        raise UsageError(f"recipe {recipe} does not exist")
    host, port, key = settings(args)
    cap = recipe_cap(recipe, args.overrides)

    import uvicorn
    from llamafactory.api.app import create_app
    from llamafactory.chat import ChatModel

    sys.argv = [sys.argv[0], str(recipe), *args.overrides]  # LLaMA-Factory reads the recipe from argv
    app = Guard(create_app(ChatModel()), cap, tuple(args.cors_origin), args.docs)
    print(f"serving {recipe} on http://{host}:{port}/v1 (max_new_tokens ≤ {cap}; "
          f"{'API key required' if key else 'no API key, loopback only'})", flush=True)
    uvicorn.run(app, host=host, port=port)
    return 0


def add_parser(sub: argparse._SubParsersAction) -> None:
    s = sub.add_parser("serve",
                       help="serve a recipe's model: LLaMA-Factory's API on 127.0.0.1 with an API key and capped "
                            "generation")
    s.add_argument("recipe", help="a serving recipe, e.g. recipes/criminal_serve.yaml")
    s.add_argument("overrides", nargs="*", metavar="key=value", help="recipe overrides, as llamafactory-cli takes them")
    s.add_argument("--no-key", action="store_true", help="serve without API_KEY (only on a loopback address)")
    s.add_argument("--cors-origin", action="append", default=[], metavar="ORIGIN",
                   help="a browser origin allowed to call the API (repeatable; default: none)")
    s.add_argument("--docs", action="store_true", help="expose /docs and /openapi.json")
    s.set_defaults(func=cmd_serve)
