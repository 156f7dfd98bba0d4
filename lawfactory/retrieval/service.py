"""`lawfactory serve-retriever --index INDEX --retriever SPEC`: a statute search service (FastAPI).

    POST /search {"query": "…", "k": 5, "jurisdiction": "cn"}      (k and jurisdiction optional)
    → {"results": [{"key", "law", "number", "citation", "text", "score"}, …]}   best first

`number` is the article number as the index key writes it ("264", "133-1"), `citation` the
article as judgments cite it, `text` its paragraphs. The safe defaults are the LLM server's
(lawfactory/serve.py, whose Guard wraps this app too):

- **bind 127.0.0.1** unless `--host` says otherwise;
- **an API key is required**: API_KEY must be set and clients send `Authorization: Bearer <key>`
  (401 otherwise); `--no-key` serves without one, on a loopback address only;
- **bounded requests**: k above MAX_K is lowered to it, a query over MAX_QUERY_CHARS characters is
  refused (422), a body over MAX_BODY bytes is refused (413) before it is parsed;
- **no cross-origin browser access** (pre-flights get 403, no Access-Control-* headers) and **no
  /docs, /redoc, /openapi.json**.

Errors are JSON `{"detail": "…"}` naming the field at fault. Searches run one at a time (the
retrievers are not documented as thread-safe).
"""

import argparse
import threading
from pathlib import Path
from typing import Literal

# No `from __future__ import annotations`: FastAPI reads the request model from the annotation of a
# function defined inside create_app, which a string annotation would hide from it.
SEARCH = "/search"
MAX_K = 50
MAX_QUERY_CHARS = 4000  # a long judgment's facts fit; a pasted book does not
MAX_BODY = 64 << 10
DEFAULT_PORT = 8001  # beside the LLM server's 8000


def result(article: dict, score: float) -> dict:
    """One search result: the article's key, law, number (as the key writes it), citation, text, score."""
    from lawfactory.records import split_key
    from lawfactory.tasks.statute_articles import label, text

    return {"key": article["key"], "law": article["law"], "number": split_key(article["key"])[1],
            "citation": label(article), "text": text(article), "score": score}


def create_app(retriever, corpus, api_key: str | None = None):
    """The search app for `retriever` over `corpus` (lawfactory.retrieval), behind the Guard."""
    from fastapi import FastAPI
    from fastapi.exceptions import RequestValidationError
    from fastapi.responses import JSONResponse
    from pydantic import BaseModel, ConfigDict, Field

    from lawfactory.serve import Guard

    class SearchRequest(BaseModel):
        model_config = ConfigDict(extra="forbid")
        query: str = Field(min_length=1, max_length=MAX_QUERY_CHARS, pattern=r"\S")
        k: int = Field(default=5, ge=1)
        jurisdiction: Literal["cn", "tw", "fr"] | None = None

    app = FastAPI(title="lawfactory statute search", docs_url=None, redoc_url=None, openapi_url=None)
    lock = threading.Lock()

    @app.exception_handler(RequestValidationError)
    async def invalid(request, exc: RequestValidationError):
        detail = "; ".join(f"{'.'.join(str(p) for p in e['loc'] if p != 'body') or 'body'}: {e['msg']}"
                           for e in exc.errors())
        return JSONResponse(status_code=422, content={"detail": detail})

    @app.post(SEARCH)
    def search(req: SearchRequest) -> dict:
        k = min(req.k, MAX_K)
        with lock:
            where = (
                {"jurisdiction": req.jurisdiction} if req.jurisdiction else {}
            )  # the Protocol's search has no filter
            found = retriever.search([req.query], k, **where)[0]
        return {"results": [result(corpus.articles[key], score) for key, score in found]}

    return Guard(app, None, api_key=api_key, limited_paths=(SEARCH,), max_body=MAX_BODY)


def cmd_serve_retriever(args) -> int:
    from lawfactory.retrieval import load_corpus, load_retriever
    from lawfactory.serve import api_key

    key = api_key(args.no_key, args.host, "--host")
    corpus = load_corpus(Path(args.index))
    retriever = load_retriever(args.retriever, corpus, query_prompt=args.query_prompt)
    app = create_app(retriever, corpus, key)

    import uvicorn

    print(f"serving {retriever.name} over {len(corpus)} articles of {args.index} on "
          f"http://{args.host}:{args.port}{SEARCH} ({'API key required' if key else 'no API key, loopback only'})",
          flush=True)
    uvicorn.run(app, host=args.host, port=args.port)
    return 0


def _port(value: str) -> int:
    try:
        port = int(value)
    except ValueError:
        port = -1
    if not 0 < port < 65536:
        raise argparse.ArgumentTypeError(f"a port number (1–65535), got {value!r}")
    return port


def add_parser(sub: argparse._SubParsersAction) -> None:
    s = sub.add_parser("serve-retriever", help="serve statute search (POST /search) on 127.0.0.1 with an API key "
                                               "(docs/serving.md)")
    s.add_argument("--index", required=True, help="statute index (DATA/statutes_index.jsonl)")
    s.add_argument("--retriever", required=True,
                   help="bm25 | dense:DIR | hybrid:DIR | rrf:DIR (DIR: sentence-transformers model folder or Hub id)")
    s.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1; any other needs API_KEY)")
    s.add_argument("--port", type=_port, default=DEFAULT_PORT, help=f"port (default {DEFAULT_PORT})")
    s.add_argument("--no-key", action="store_true", help="serve without API_KEY (only on a loopback address)")
    s.add_argument("--query-prompt", help="text put before every query by dense models (default: the model's own "
                                          "'query' prompt, if any)")
    s.set_defaults(func=cmd_serve_retriever)

