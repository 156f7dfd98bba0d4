"""The library raises typed errors (lawfactory/errors.py); only the CLI turns them into an exit."""
import pytest

from lawfactory.build import generation
from lawfactory.build.pipeline import NothingConverted
from lawfactory.build.shards import WorkerDied
from lawfactory.cli import exit_on_error, main
from lawfactory.errors import BuildError, InputError, LawfactoryError, UsageError
from lawfactory.hygiene.stage import LeakageError


def test_library_raises_a_typed_error_not_an_exit(tmp_path):
    with pytest.raises(UsageError, match=r"RAW folder .*nowhere does not exist") as e:
        generation.check_paths(tmp_path / "nowhere", tmp_path / "data")
    assert not isinstance(e.value, SystemExit)


def test_cli_exits_with_the_same_message(tmp_path, capsys):
    with pytest.raises(SystemExit) as e:
        main(["data", "--raw", str(tmp_path / "nowhere"), "--out", str(tmp_path / "data")])
    assert e.value.code == f"RAW folder {tmp_path / 'nowhere'} does not exist"  # Python prints it, exit status 1
    assert not (tmp_path / "data").exists()


def test_exit_on_error_passes_results_and_other_exceptions():
    assert exit_on_error(lambda x: x + 1, 1) == 2
    with pytest.raises(SystemExit) as e:
        exit_on_error(lambda: (_ for _ in ()).throw(InputError("law.txt:2: not an article number")))
    assert e.value.code == "law.txt:2: not an article number"
    with pytest.raises(KeyError):  # a bug stays a traceback
        exit_on_error(lambda: {}["x"])


def test_hierarchy():
    for cls in (UsageError, InputError, BuildError):
        assert issubclass(cls, LawfactoryError) and not issubclass(cls, SystemExit)
    for cls in (LeakageError, NothingConverted, WorkerDied):
        assert issubclass(cls, BuildError)
