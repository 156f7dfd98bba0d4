import json
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
REAL = REPO.parent / "shared" / "data" / "real"
SAMPLES = REPO / "samples"


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
