"""The robustness review's `lawfactory check` cases (R01–R10) replayed: each user error ends in a
message naming the recipe, option, dataset or file and the reason, exit 1, and no traceback."""

import shutil
from pathlib import Path

import pytest

from conftest import REPO

QLORA = (REPO / "recipes" / "criminal_qlora.yaml").read_text(encoding="utf-8")


@pytest.fixture
def data(sample_data, tmp_path) -> Path:
    """A private copy of the sample DATA to damage."""
    return Path(shutil.copytree(sample_data, tmp_path / "data"))


def run(argv: list[str], monkeypatch, capsys) -> tuple[int, str]:
    """`lawfactory check …` in process: (exit code, everything printed). An uncaught exception fails the test."""
    from lawfactory.cli import main

    monkeypatch.chdir(REPO)
    try:
        code = main(["check", *argv])
    except SystemExit as e:  # argparse and the named errors exit with a message
        code, msg = (e.code, "") if isinstance(e.code, int) else (1, str(e.code))
        out = capsys.readouterr()
        return code, out.out + out.err + msg
    out = capsys.readouterr()
    return code, out.out + out.err


def recipe(tmp_path: Path, text: str) -> str:
    p = tmp_path / "recipe.yaml"
    p.write_text(text, encoding="utf-8")
    return str(p)


def test_r01_yaml_syntax_error(tmp_path, monkeypatch, capsys):
    code, out = run([recipe(tmp_path, "model_name_or_path: x\nstage: sft\n  bad: : indent\n")], monkeypatch, capsys)
    assert code == 1 and "cannot read the recipe" in out and "line 3" in out


def test_r02_unknown_key(data, monkeypatch, capsys):
    code, out = run(["recipes/criminal_qlora.yaml", "lora_rnak=8", f"dataset_dir={data}"], monkeypatch, capsys)
    assert code == 1 and "['lora_rnak']" in out


def test_r03_unregistered_dataset(data, monkeypatch, capsys):
    code, out = run(["recipes/criminal_qlora.yaml", "dataset=does_not_exist", f"dataset_dir={data}"],
                    monkeypatch, capsys)
    assert code == 1 and "does_not_exist" in out and "dataset_info.json" in out


def test_r04_missing_recipe(monkeypatch, capsys):
    code, out = run(["recipes/does_not_exist.yaml"], monkeypatch, capsys)
    assert code == 1 and "recipes/does_not_exist.yaml does not exist" in out


def test_r05_dataset_file_deleted(data, monkeypatch, capsys):
    (data / "criminal_adversarial.jsonl").unlink()
    code, out = run(["recipes/criminal_qlora.yaml", f"dataset_dir={data}"], monkeypatch, capsys)
    assert code == 1 and "criminal_adversarial" in out and "missing" in out


def test_r06_override_without_equals(monkeypatch, capsys):
    code, out = run(["recipes/criminal_qlora.yaml", "cutoff_len"], monkeypatch, capsys)
    assert code == 1 and "'cutoff_len' is neither an option nor a key=value recipe override" in out


def test_r07_override_not_a_number(monkeypatch, capsys):
    code, out = run(["recipes/criminal_qlora.yaml", "cutoff_len=abc"], monkeypatch, capsys)
    assert code == 1 and "cutoff_len must be an integer, got 'abc'" in out


def test_r08_empty_recipe(tmp_path, monkeypatch, capsys):
    code, out = run([recipe(tmp_path, "")], monkeypatch, capsys)
    assert code == 1 and "model_name_or_path" in out


def test_r09_dataset_with_a_truncated_line(data, monkeypatch, capsys):
    path = data / "criminal_sentencing.jsonl"
    raw = path.read_bytes()
    cut = raw.index(b"\n", raw.index(b"\n") + 1) + 1 + 40  # 40 bytes into the third line
    path.write_bytes(raw[:cut])
    code, out = run(["recipes/criminal_qlora.yaml", f"dataset_dir={data}"], monkeypatch, capsys)
    assert code == 1 and "criminal_sentencing.jsonl:3:" in out


def test_r10_truncated_dataset_info(data, monkeypatch, capsys):
    info = data / "dataset_info.json"
    info.write_bytes(info.read_bytes()[:100])
    code, out = run(["recipes/criminal_qlora.yaml", f"dataset_dir={data}"], monkeypatch, capsys)
    assert code == 1 and "dataset_info.json" in out and "Traceback" not in out
