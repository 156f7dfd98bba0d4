"""`lawfactory serve-retriever` (lawfactory/retrieval/service.py): BM25 over the sample statute index,
in process with FastAPI's TestClient, then one real server on loopback."""

import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest
from fastapi.testclient import TestClient

from lawfactory.cli import main
from lawfactory.preflight.llamafactory_args import free_port
from lawfactory.retrieval import load_corpus, load_retriever, service
from lawfactory.tasks.statute_articles import label, text

from conftest import REPO

KEY = "test-key-456"
AUTH = {"Authorization": f"Bearer {KEY}"}
THEFT = "我朋友入户偷了别人的手机，会判刑吗？"


@pytest.fixture(scope="module")
def index(sample_data):
    return sample_data / "statutes_index.jsonl"


@pytest.fixture(scope="module")
def corpus(index):
    return load_corpus(index)


@pytest.fixture(scope="module")
def client(corpus):
    return TestClient(service.create_app(load_retriever("bm25", corpus), corpus, api_key=KEY))


def search(client, body, headers=AUTH):
    return client.post("/search", json=body, headers=headers)


def test_search_returns_articles_best_first(client, corpus):
    r = search(client, {"query": THEFT, "k": 3})
    assert r.status_code == 200
    results = r.json()["results"]
    assert 0 < len(results) <= 3 and results[0]["key"] == "中华人民共和国刑法|264"  # 盗窃
    assert [x["score"] for x in results] == sorted((x["score"] for x in results), reverse=True)
    for x in results:
        a = corpus.articles[x["key"]]
        assert set(x) == {"key", "law", "number", "citation", "text", "score"}
        assert (x["law"], x["text"], x["citation"]) == (a["law"], text(a), label(a))
        assert x["number"] == str(a["number"]) + (f"-{a['suffix']}" if a["suffix"] else "")
    assert len(search(client, {"query": THEFT}).json()["results"]) <= 5  # default k


def test_jurisdiction_restricts_the_results(client, corpus):
    results = search(client, {"query": "處五年以下有期徒刑", "k": 10, "jurisdiction": "tw"}).json()["results"]
    assert results and all(corpus.articles[x["key"]]["jurisdiction"] == "tw" for x in results)


def test_k_is_capped(client, monkeypatch):
    monkeypatch.setattr(service, "MAX_K", 2)
    assert len(search(client, {"query": "处三年以下有期徒刑", "k": 40}).json()["results"]) == 2


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer nope"}, {"Authorization": KEY}])
def test_a_request_without_the_key_is_refused(client, headers):
    r = search(client, {"query": THEFT}, headers=headers)
    assert r.status_code == 401 and "API key" in r.json()["detail"]


@pytest.mark.parametrize("body, field", [
    ({"query": ""}, "query"),
    ({"query": "   "}, "query"),
    ({"query": "盗" * (service.MAX_QUERY_CHARS + 1)}, "query"),
    ({"query": THEFT, "k": 0}, "k"),
    ({"query": THEFT, "k": "five"}, "k"),
    ({"query": THEFT, "jurisdiction": "jp"}, "jurisdiction"),
    ({"query": THEFT, "top_k": 3}, "top_k"),
    ({"k": 3}, "query"),
])
def test_bad_requests_name_the_field(client, body, field):
    r = search(client, body)
    assert r.status_code == 422 and r.json()["detail"].startswith(field)


def test_bodies_that_are_not_a_search_are_refused(client):
    assert (
        client.post("/search", content=b"not json", headers={**AUTH, "Content-Type": "application/json"}).status_code
        == 422
    )
    big = json.dumps({"query": "盗" * service.MAX_BODY}).encode()
    r = client.post("/search", content=big, headers={**AUTH, "Content-Type": "application/json"})
    assert r.status_code == 413
    assert client.get("/search", headers=AUTH).status_code == 405


def test_no_docs_and_no_cross_origin(client):
    for path in ("/docs", "/redoc", "/openapi.json"):
        assert client.get(path, headers=AUTH).status_code == 404
    pre = client.options("/search", headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"})
    assert pre.status_code == 403
    r = search(client, {"query": THEFT}, headers={**AUTH, "Origin": "https://evil.example"})
    assert r.status_code == 200 and not any(h.lower().startswith("access-control-") for h in r.headers)


@pytest.mark.parametrize("args, env, message", [
    ([], {}, "API_KEY is not set"),
    (["--no-key", "--host", "0.0.0.0"], {}, "loopback"),
    (["--retriever", "sparse"], {"API_KEY": "k"}, "unknown retriever"),
])
def test_the_command_refuses_an_open_server_and_bad_options(index, monkeypatch, args, env, message):
    monkeypatch.delenv("API_KEY", raising=False)
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    argv = ["serve-retriever", "--index", str(index), "--retriever", "bm25", *args]
    with pytest.raises(SystemExit, match=message):
        main(argv)


def test_a_missing_index_is_named(tmp_path, monkeypatch):
    monkeypatch.setenv("API_KEY", "k")
    with pytest.raises(SystemExit, match="nowhere.jsonl: no such file"):
        main(["serve-retriever", "--index", str(tmp_path / "nowhere.jsonl"), "--retriever", "bm25"])


def post(url, body, headers):
    req = urllib.request.Request(
        url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json", **headers}
    )
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"{}")


def test_the_server_answers_on_loopback(index, tmp_path):
    port = free_port()
    url = f"http://127.0.0.1:{port}/search"
    log = tmp_path / "server.log"
    env = {**os.environ, "API_KEY": KEY, "PYTHONPATH": str(REPO)}
    cmd = [sys.executable, "-m", "lawfactory.cli", "serve-retriever", "--index", str(index), "--retriever", "bm25",
           "--port", str(port)]
    with open(log, "w") as out:
        proc = subprocess.Popen(cmd, cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 120
        while True:
            if proc.poll() is not None:
                pytest.fail(f"serve-retriever exited with {proc.returncode}:\n{log.read_text()[-3000:]}")
            try:
                status, body = post(url, {"query": THEFT, "k": 2}, AUTH)
                break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                if time.monotonic() > deadline:
                    pytest.fail(f"serve-retriever not ready within 120 s:\n{log.read_text()[-3000:]}")
                time.sleep(0.5)
        assert status == 200 and body["results"][0]["key"] == "中华人民共和国刑法|264" and len(body["results"]) <= 2
        assert post(url, {"query": THEFT}, {})[0] == 401
        assert "127.0.0.1" in log.read_text() and "API key required" in log.read_text()
    finally:
        proc.terminate()
        proc.wait(timeout=30)
