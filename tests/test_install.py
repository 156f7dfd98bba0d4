"""A non-editable install builds data from any folder: nothing the library reads at run time may
depend on a repository checkout (lawfactory/resources ships what it reads)."""

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

from lawfactory import lengths, resources

from conftest import REPO, SAMPLES

# what a wheel build must not see from the checkout (build/ would carry stale files into the wheel)
NOT_SOURCE = shutil.ignore_patterns(".git", ".venv", "*.egg-info", "data", "out", "bench", "__pycache__",
                                    ".pytest_cache", "samples")


def not_source(folder: str, names: list[str]) -> set[str]:
    """NOT_SOURCE anywhere, and the top-level build/ only (lawfactory/build/ is a package)."""
    return set(NOT_SOURCE(folder, names)) | ({"build"} & set(names) if Path(folder) == REPO else set())


def test_shipped_files_are_the_repository_files():
    """The packaged dataset registry and default recipe are the repository's, byte for byte."""
    assert resources.resource(resources.DATASET_INFO).read_bytes() == (REPO / "dataset_info.json").read_bytes()
    recipe = REPO / "recipes" / "criminal_qlora.yaml"
    assert resources.resource(resources.DEFAULT_RECIPE).read_bytes() == recipe.read_bytes()
    assert lengths.recipe_cutoff() == yaml.safe_load(recipe.read_text(encoding="utf-8"))["cutoff_len"]


def _outputs(folder: Path) -> dict[str, str]:
    """sha256 of every output file (the resumable work area excepted)."""
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file() and ".work" not in p.relative_to(folder).parts}


def _run(cmd: list[str], **kw) -> subprocess.CompletedProcess:
    proc = subprocess.run(cmd, check=False, capture_output=True, text=True, **kw)
    assert proc.returncode == 0, f"{' '.join(cmd)} failed:\n{proc.stdout}\n{proc.stderr}"
    return proc


def test_installed_wheel_builds_data_outside_the_repository(tmp_path):
    src, wheels, site, cwd = tmp_path / "src", tmp_path / "wheels", tmp_path / "site", tmp_path / "elsewhere"
    shutil.copytree(REPO, src, symlinks=True, ignore=not_source)
    _run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation", "-w", str(wheels), str(src)])
    (wheel,) = wheels.glob("lawfactory-*.whl")
    _run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(site), str(wheel)])
    for name in (resources.DATASET_INFO, resources.DEFAULT_RECIPE):
        shipped = site / "lawfactory" / "resources" / name
        assert shipped.is_file() and not shipped.is_symlink(), f"{name} is not in the wheel as a file"

    # the venv's python for the dependencies, only the installed copy for lawfactory: no checkout on
    # sys.path (cwd is outside it; PathFinder on PYTHONPATH answers before the venv's editable finder)
    cwd.mkdir()
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(tmp_path), "PYTHONPATH": str(site),
           "PYTHONNOUSERSITE": "1", "PYTHONDONTWRITEBYTECODE": "1"}
    probe = ("import json, sys, lawfactory.build.pipeline as b, converters, adversarial, lawfactory.lengths as l\n"
             "import lawfactory.tasks.registry as r\n"
             "print(json.dumps([m.__file__ for m in (b, converters, adversarial)] + [str(r.SHIPPED), str(l.RECIPE)]))\n"
             "print(json.dumps(sys.path))")
    files, path = map(json.loads, _run([sys.executable, "-c", probe], cwd=cwd, env=env).stdout.splitlines())
    for f in files:
        assert Path(f).resolve().is_relative_to(site), f"{f} was imported from outside the installed wheel"
    venv = Path(sys.prefix).resolve()  # the dependencies' venv may sit inside the checkout (make's .venv)
    for entry in path:
        where = Path(entry or cwd).resolve()
        assert (where.is_relative_to(venv)
                or not where.is_relative_to(REPO.resolve())), f"the checkout is on sys.path: {entry}"

    out = tmp_path / "data"
    _run([sys.executable, "-m", "lawfactory.cli", "data", "--raw", str(SAMPLES), "--out", str(out)], cwd=cwd, env=env)
    info = json.loads((out / "dataset_info.json").read_text(encoding="utf-8"))
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert info and set(info) <= set(manifest["datasets"])
    for name, entry in info.items():
        assert (out / entry["file_name"]).stat().st_size > 0, f"{name}: {entry['file_name']} missing or empty"
    assert manifest["options"]["cutoff_len"] == lengths.recipe_cutoff()

    # and it is the build a checkout makes, byte for byte (the code version included)
    ref = tmp_path / "data_checkout"
    _run([sys.executable, "-m", "lawfactory.cli", "data", "--raw", str(SAMPLES), "--out", str(ref)], cwd=REPO,
         env={**os.environ, "PYTHONPATH": str(REPO)})
    assert _outputs(out) == _outputs(ref)
