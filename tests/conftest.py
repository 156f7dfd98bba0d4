import json
import os
from pathlib import Path

import pytest

# Under pytest-xdist (`make test` runs two workers on CI's two cores) each worker's torch, and the
# trainings it launches, use one thread: two workers of two threads each would fight over the cores.
if os.environ.get("PYTEST_XDIST_WORKER"):
    os.environ.setdefault("OMP_NUM_THREADS", "1")

REPO = Path(__file__).resolve().parents[1]
REAL = REPO.parent / "shared" / "data" / "real"
SAMPLES = REPO / "samples"


def pytest_collection_modifyitems(items):
    """Modules with a `slow` test first (a stable sort): `make test`'s xdist scheduler hands out whole modules
    in this order (--no-loadscope-reorder; by default it starts with the modules of most tests), so a long
    training module does not start last and leave the other worker idle."""
    slow = {_module(item) for item in items if item.get_closest_marker("slow")}
    items.sort(key=lambda item: _module(item) not in slow)


def _module(item) -> str:
    return item.nodeid.split("::", 1)[0]


def real_path(*parts: str) -> Path:
    """A file under ../shared/data/real, or skip the test when that folder is absent."""
    p = REAL.joinpath(*parts)
    if not p.exists():
        pytest.skip(f"real data not present: {p}")
    return p


def write_jsonl(path: Path, rows) -> Path:
    """rows as JSON lines (UTF-8, Chinese kept as is) at path; returns path."""
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory) -> Path:
    """One tiny random Qwen3 (Qwen tokenizer) per test session."""
    from lawfactory.dev.tiny_model import build

    return build(tmp_path_factory.mktemp("tiny") / "tiny-qwen3")


@pytest.fixture(scope="session")
def sample_data(tmp_path_factory) -> Path:
    """DATA built from samples/ once per test session; a test that damages it works on a copy."""
    from lawfactory.build.pipeline import build
    from lawfactory.config import BuildConfig

    out = tmp_path_factory.mktemp("sample_data") / "data"
    build(BuildConfig.of(raw=SAMPLES, out=out, workers=1))
    return out


RANKING_ENTRY = {"formatting": "alpaca", "ranking": True,
                 "columns": {"prompt": "instruction", "query": "input", "chosen": "chosen", "rejected": "rejected",
                             "system": "system"}}


def ranking_rows(n: int = 12) -> list[dict]:
    """n small preference pairs in criminal_attitude_pref's columns: the same theft, an attitude in the
    facts, the chosen and the rejected term differing."""
    rows = []
    for i in range(n):
        attitude = "到案后如实供述，自愿认罪认罚。" if i % 2 else "到案后拒不供认。"
        rows.append({"system": "你是刑事审判助手。", "instruction": "根据案情给出判决。",
                     "input": f"被告人甲{i}于2020年在某市盗窃他人财物，价值人民币{3000 + 100 * i}元。{attitude}",
                     "chosen": f"罪名:盗窃罪\n刑期:{6 + i % 3}个月", "rejected": f"罪名:盗窃罪\n刑期:{12 + i % 3}个月"})
    return rows


def write_ranking(folder: Path, rows: list[dict], name: str = "criminal_attitude_pref") -> Path:
    """rows as `name`.jsonl in folder, with a dataset_info.json registering it as a ranking dataset."""
    folder.mkdir(parents=True, exist_ok=True)
    write_jsonl(folder / f"{name}.jsonl", rows)
    (folder / "dataset_info.json").write_text(json.dumps({name: {"file_name": f"{name}.jsonl", **RANKING_ENTRY}}),
                                              encoding="utf-8")
    return folder
