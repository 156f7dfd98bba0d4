"""The repository stands alone: README is a front door (≤ 200 lines), every relative link in README.md
and docs/*.md reaches a file of the repository, and no tracked file points to notes kept outside it."""

import re
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
MAX_README_LINES = 200
# [text](target) or [text](target "title"); images too. Code spans are removed first, so `[a](b)`
# quoted as an example is not a link.
_LINK = re.compile(r"!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
_CODE = re.compile(r"```.*?```|`[^`\n]*`", re.S)
# Built from parts so that this file does not match itself.
_OUTSIDE_NOTES = re.compile(r"\b(?:" + "REFER" + "ENCE|" + "DES" + "IGN" + r")\.md\b|\b" + "REFER" + r"ENCE §")
# A source file named in prose or code spans: lawfactory/preflight/check.py, converters/judgments_*.py.
_SOURCE_PATH = re.compile(r"(?<![\w/.-])((?:lawfactory|converters|adversarial)/[\w/*.-]*?\.py)(?![\w/])")
# A path into a folder beside the checkout (the real data is reached through tests/conftest.py only).
_BESIDE = re.compile(r"\.\./" + "shared")


def _doc_pages() -> list[Path]:
    return [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


def _source_paths(text: str) -> list[str]:
    return _SOURCE_PATH.findall(text)


def _relative_links(page: Path) -> list[str]:
    text = _CODE.sub("", page.read_text(encoding="utf-8"))
    links = []
    for target in _LINK.findall(text):
        if re.match(r"^[a-z][a-z0-9+.-]*:", target, re.I) or target.startswith("#"):
            continue  # http(s), mailto, in-page anchors
        links.append(target.split("#", 1)[0])
    return links


def _tracked_files() -> list[Path]:
    try:
        out = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("not a git checkout: the tracked files are unknown")
    return [ROOT / name for name in out.decode("utf-8").split("\0") if name]


def test_readme_is_a_front_door():
    lines = (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
    assert len(lines) <= MAX_README_LINES, (f"README.md has {len(lines)} lines (at most {MAX_README_LINES}): "
                                            "move detail to docs/")
    text = "\n".join(lines)
    assert lines[0] == "# lawfactory"
    assert "make demo" in text.split("\n## ", 1)[0] and "make test" in text.split("\n## ", 1)[0], \
        "the two commands open the README"
    assert "Not legal advice" in text and "## Libraries chosen" in text and "## Documentation" in text


def test_every_docs_page_is_linked_from_readme():
    linked = {(ROOT / t).resolve() for t in _relative_links(ROOT / "README.md")}
    unlinked = [p.name for p in sorted((ROOT / "docs").glob("*.md")) if p.resolve() not in linked]
    assert not unlinked, f"docs pages not linked from README.md: {unlinked}"


@pytest.mark.parametrize("page", _doc_pages(), ids=lambda p: p.relative_to(ROOT).as_posix())
def test_relative_links_resolve(page):
    links = _relative_links(page)
    broken = [t for t in links if t and not (page.parent / t).exists()]
    assert not broken, f"{page.relative_to(ROOT)}: links to missing files {broken}"


def test_relative_link_check_can_fail(tmp_path):
    page = tmp_path / "p.md"
    page.write_text("see [a](missing.md), [b](https://x.org/y.md), `[c](quoted.md)` and [d](p.md#top)\n",
                    encoding="utf-8")
    assert _relative_links(page) == ["missing.md", "p.md"]


def test_no_tracked_file_points_outside_the_repository():
    hits = []
    for path in _tracked_files():
        if not path.is_file():
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue  # binary files (plots, fonts)
        for n, line in enumerate(text.splitlines(), 1):
            if _OUTSIDE_NOTES.search(line):
                hits.append(f"{path.relative_to(ROOT)}:{n}: {line.strip()[:80]}")
    assert not hits, "references to notes kept outside the repository:\n" + "\n".join(hits)


@pytest.mark.parametrize("page", _doc_pages(), ids=lambda p: p.relative_to(ROOT).as_posix())
def test_source_paths_in_docs_exist(page):
    named = _source_paths(page.read_text(encoding="utf-8"))
    missing = sorted({p for p in named if not (list(ROOT.glob(p)) if "*" in p else (ROOT / p).is_file())})
    assert not missing, f"{page.relative_to(ROOT)} names source files that do not exist: {missing}"


def test_source_path_check_can_fail():
    text = "see lawfactory/check.py, `converters/judgments_*.py`, xlawfactory/a.py or lawfactory/b.pyc"
    assert _source_paths(text) == ["lawfactory/check.py", "converters/judgments_*.py"]


@pytest.mark.parametrize("page", [*_doc_pages(), ROOT / "BENCHMARKS.md"], ids=lambda p: p.relative_to(ROOT).as_posix())
def test_docs_name_no_folder_beside_the_checkout(page):
    hits = [n for n, line in enumerate(page.read_text(encoding="utf-8").splitlines(), 1) if _BESIDE.search(line)]
    assert not hits, (f"{page.relative_to(ROOT)} lines {hits}: a path outside the repository "
                      "(name the data, or tests/conftest.py)")
