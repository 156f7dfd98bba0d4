"""The typed build configuration (lawfactory/config.py): one CLI option per field with the
field's default and help, the manifest's options as `asdict` of the config, and the judgment
converters' options reaching worker processes under both start methods."""

import argparse
import dataclasses
import json
import os
import shutil

from lawfactory.build.pipeline import build
from lawfactory.cli import _parser
from lawfactory.config import BuildConfig, RunConfig
from lawfactory.jsonl import read_jsonl

from conftest import SAMPLES
from planting import output_files

# the manifest's option keys, in the order they had before the typed configuration
MANIFEST_KEYS = ["seed", "eval_ratio", "near_dup", "near_dup_threshold", "exclude", "exclude_containment", "charges",
                 "articles", "min_fact_chars", "max_fact_chars", "max_record_chars", "case_types", "procedures",
                 "date_from", "date_to", "pseudonymize", "to_simplified", "tokenizer", "cutoff_len",
                 "adversarial_ratio", "adversarial_count", "adversarial_seed", "rag_retriever", "rag_k"]


def data_parser() -> argparse.ArgumentParser:
    sub = next(a for a in _parser()._actions if isinstance(a, argparse._SubParsersAction))
    return sub.choices["data"]


def config_fields() -> dict[str, dataclasses.Field]:
    """Option name (flat, as the CLI's dest) → field, for BuildConfig's own fields and its groups'."""
    out = {}
    for f in dataclasses.fields(BuildConfig):
        if dataclasses.is_dataclass(f.default_factory):
            group = f.default_factory
            out.update({group.PREFIX + g.name: g for g in dataclasses.fields(group)})
        else:
            out[f.name] = f
    return out


def test_every_field_has_one_option_with_its_default_and_help_and_every_option_a_field():
    actions = [a for a in data_parser()._actions if a.dest != "help"]
    fields = config_fields()
    assert sorted(a.dest for a in actions) == sorted(fields)  # no option without a field, no field without one
    for dest, f in fields.items():
        (action,) = [a for a in actions if a.dest == dest]
        assert action.option_strings == ["--" + dest.replace("_", "-")]
        assert action.help and action.help == f.metadata["help"], dest
        if "env" in f.metadata:  # RAW and DATA: the CLI's default comes from the environment
            assert action.default == os.environ.get(*f.metadata["env"])
        else:
            default = tuple(action.default) if isinstance(action.default, list) else action.default
            assert default == f.default, dest


def test_the_command_line_makes_the_config():
    d = data_parser()
    assert BuildConfig.from_args(d.parse_args([])) == BuildConfig(raw=d.get_default("raw"), out=d.get_default("out"))
    bench = SAMPLES / "cail" / "hf_flat.jsonl"
    cfg = BuildConfig.from_args(d.parse_args([
        "--raw", "r", "--seed", "7", "--workers", "3", "--exclude", str(bench), "--date-from", "2021/3/1",
        "--pseudonymize", "--cutoff-len", "100", "--adversarial-ratio", "0.3"]))
    assert (cfg.raw.name, cfg.seed, cfg.run.workers, cfg.hygiene.exclude) == ("r", 7, 3, (str(bench),))
    assert (cfg.judgments.date_from, cfg.judgments.pseudonymize, cfg.lengths.cutoff_len) == ("2021-03-01", True, 100)
    assert (cfg.adversarial.ratio, cfg.adversarial.seed) == (0.3, 7)  # the variants' seed follows --seed


def test_manifest_options_are_asdict_of_the_config(sample_data):
    manifest = json.loads((sample_data / "manifest.json").read_text(encoding="utf-8"))
    cfg = BuildConfig.of(raw=SAMPLES, out=sample_data, workers=1)  # as conftest builds it
    values = dataclasses.asdict(cfg)
    expected = {"seed": values["seed"], "eval_ratio": values["eval_ratio"]}
    for group in ("hygiene", "judgments", "lengths", "adversarial", "rag"):
        prefix = getattr(cfg, group).PREFIX
        expected.update({prefix + k: v for k, v in values[group].items()})
    assert manifest["options"] == json.loads(json.dumps(expected))
    assert list(manifest["options"]) == MANIFEST_KEYS
    # execution options never change an output: not recorded, so not in the fingerprint
    assert dataclasses.replace(cfg, run=RunConfig(workers=5, start_method="spawn", shard_bytes=99)).manifest_options() \
        == manifest["options"]


def test_judgment_options_reach_spawned_workers_as_forked_ones(tmp_path):
    """The converters' options travel in shards.Config: a date filter and --pseudonymize give the
    same outputs whether the workers are forked or spawned (a module global set in the parent is
    lost in a spawned worker)."""
    raw = tmp_path / "raw"
    shutil.copytree(SAMPLES / "judgments", raw / "judgments")
    opts = {"raw": raw, "workers": 2, "date_from": "2022-01-01", "pseudonymize": True}
    fork = build(BuildConfig.of(out=tmp_path / "fork", start_method="fork", **opts))
    spawn = build(BuildConfig.of(out=tmp_path / "spawn", start_method="spawn", **opts))
    assert output_files(tmp_path / "spawn") == output_files(tmp_path / "fork")
    assert spawn["stats"] == fork["stats"]
    # and the options did apply: judgments before 2022 are skipped, the rest pseudonymized
    assert any(k.startswith("skipped: judgment date outside 2022-01-01") for k in spawn["stats"])
    cases = read_jsonl(tmp_path / "spawn" / "cases.jsonl")
    assert cases and all(c["meta"]["date"] >= "2022-01-01" and c["meta"]["pseudonymized"] for c in cases)
