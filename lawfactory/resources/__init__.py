"""Files the library reads at run time, shipped inside the package so that an installed
lawfactory (`pip install .`, not editable) builds data from any folder.

The files here are symbolic links to the repository's own copies, which stay where LLaMA-Factory
users expect them (the recipes run from the repository root with `dataset_dir: .`):

    dataset_info.json    -> ../../dataset_info.json               (dataset registry)
    criminal_qlora.yaml  -> ../../recipes/criminal_qlora.yaml     (default recipe: cutoff_len)

A wheel build copies the links' targets into the wheel, so one file stays the source of truth.
"""

from __future__ import annotations

from importlib import resources
from importlib.resources.abc import Traversable

DATASET_INFO = "dataset_info.json"
DEFAULT_RECIPE = "criminal_qlora.yaml"


def resource(name: str) -> Traversable:
    """A shipped file: the repository's file from a checkout, the packaged copy once installed."""
    return resources.files(__name__) / name
