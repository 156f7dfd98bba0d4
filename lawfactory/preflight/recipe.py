"""Reading a recipe: the YAML with `key=value` overrides, its numeric arguments, and its preflight comment line."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from lawfactory.errors import InputError, UsageError

PREFLIGHT = re.compile(r"^#.*?lawfactory check\s+\S+(?P<args>[^→\n]*)→\s*(?P<verdict>[^\n(]+)", re.M)


def dataset_names(value) -> list[str]:
    """A recipe's `dataset` / `eval_dataset` value as LLaMA-Factory reads it (comma-separated names,
    or a YAML list) → the names, blanks left out."""
    items = value.split(",") if isinstance(value, str) else (value or [])
    return [n for n in (str(x).strip() for x in items) if n]


def preflight_line(text: str) -> dict:
    """{'gpu', 'gpus', 'verdict'} from a recipe's `# preflight:` comment ({} without one)."""
    m = PREFLIGHT.search(text)
    if not m:
        return {}
    args = m.group("args").split()
    out = {"verdict": m.group("verdict").strip()}
    for flag, key, cast in (("--gpu", "gpu", str), ("--gpus", "gpus", int)):
        if flag in args:
            out[key] = cast(args[args.index(flag) + 1])
    return out


def exported_by(model: str, recipes: Path, present_ok: bool = False) -> tuple[str, str] | None:
    """(base model, export recipe) when `model` is a local folder that does not exist yet (or, with
    present_ok, one that does) and is the `export_dir` of a recipe in `recipes` (out/criminal_merged
    before `make export`); else None.

    The merged model has its base's architecture and tokenizer (LLaMA-Factory's export writes both
    unchanged), so the preflight of a recipe that trains on it runs before any GPU is rented."""
    if not present_ok and (Path(model) / "config.json").is_file():
        return None
    for other in sorted(recipes.glob("*.yaml")):
        try:
            cfg = yaml.safe_load(other.read_text(encoding="utf-8")) or {}
        except (OSError, yaml.YAMLError):
            continue
        if isinstance(cfg, dict) and cfg.get("export_dir") and Path(cfg["export_dir"]) == Path(model):
            return str(cfg["model_name_or_path"]), other.name
    return None


def traced_model(model: str, recipes: Path, present_ok: bool = False) -> tuple[str, list[str]]:
    """(the model whose config.json and tokenizer `model` has, the export recipes followed): `model`
    itself when it is on disk (unless present_ok: the model card's lineage) or a Hub name, else its
    base through the export recipes that write it (a DPO export's base is the SFT export's folder,
    whose base is the Hub model)."""
    via: list[str] = []
    while len(via) < 8 and (step := exported_by(model, recipes, present_ok)):
        model = step[0]
        via.append(step[1])
    return model, via


def add_recipe_arguments(p, add_options) -> None:
    """A command that takes RECIPE, then its `key=value` overrides and the options `add_options(parser)`
    adds, in any order (argparse alone cannot mix a variable-length positional with later options)."""
    import argparse

    p.add_argument("recipe", help="a LLaMA-Factory YAML recipe (recipes/criminal_qlora.yaml …)")
    p.add_argument("rest", nargs=argparse.REMAINDER, metavar="key=value",
                   help="recipe overrides, as llamafactory-cli takes them, and the options, in any order")
    add_options(p)
    p.set_defaults(add_options=add_options)


def recipe_overrides(args) -> list[str]:
    """Parse the options found among the arguments after RECIPE into `args`; return the overrides."""
    import argparse

    extra = argparse.ArgumentParser(prog=f"lawfactory {args.command}" if "command" in args else None, add_help=False)
    args.add_options(extra)
    extra.set_defaults(**{a.dest: getattr(args, a.dest) for a in extra._actions if hasattr(args, a.dest)})
    parsed, overrides = extra.parse_known_args(args.rest)
    vars(args).update(vars(parsed))
    for item in overrides:
        if item.startswith("-") or "=" not in item:
            raise UsageError(f"lawfactory {args.command}: {item!r} is neither an option nor a key=value "
                             "recipe override")
    return overrides


def load_recipe(path: Path, overrides: list[str]) -> dict:
    """The YAML plus `key=value` overrides, read as llamafactory-cli reads them."""
    try:
        args = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as err:
        raise InputError(f"{path}: cannot read the recipe: {err}")
    if not isinstance(args, dict):
        raise InputError(f"{path}: a recipe is a YAML mapping of LLaMA-Factory arguments")
    for item in overrides:
        if "=" not in item:
            raise UsageError(f"override {item!r}: expected key=value")
    from omegaconf import OmegaConf  # what llamafactory-cli reads its overrides with ("no" stays a string)

    args = {**args, **OmegaConf.to_container(OmegaConf.from_cli(list(overrides)))}
    for key, kind in NUMERIC_ARGS.items():
        value = args.get(key)
        if value is not None and not _is_number(value, kind):
            raise InputError(f"{path}: {key} must be {'an integer' if kind is int else 'a number'}, got {value!r}")
    return args


# Arguments the preflight computes with: a non-number here is named, not a traceback later.
NUMERIC_ARGS = {"cutoff_len": int, "per_device_train_batch_size": int, "per_device_eval_batch_size": int,
                "gradient_accumulation_steps": int, "lora_rank": int, "max_steps": int, "max_new_tokens": int,
                "quantization_bit": int, "num_train_epochs": float, "learning_rate": float, "lora_dropout": float,
                "max_samples": int}


def _is_number(value, kind) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, str):
        try:
            value = kind(value)
        except ValueError:
            return False
    return isinstance(value, int) if kind is int else isinstance(value, (int, float))
