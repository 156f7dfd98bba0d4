"""The errors the library raises when a run cannot go on. Each carries the message the user reads;
`lawfactory/cli.py` prints it on stderr and exits with status 1 (the library never exits itself).

A record that cannot be converted is not one of these: it raises `records.RecordError` or
`records.Skip` and goes to the rejects file or the skipped counts, and the build goes on."""

from __future__ import annotations


class LawfactoryError(Exception):
    """A run cannot go on; str(error) is the whole message."""


class UsageError(LawfactoryError):
    """A bad option or environment value: a path that does not exist, a number out of range."""


class InputError(LawfactoryError):
    """An input file named by the user cannot be used as it is (a recipe, an official list)."""


class BuildError(LawfactoryError):
    """A step failed after its inputs were accepted (nothing converted, a worker died, leakage)."""
