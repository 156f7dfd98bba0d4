"""The Task protocol: what the task stage of `make data` (lawfactory/build/pipeline.py) calls.

A task turns cases into rows of the datasets it declares (every one registered in
lawfactory/tasks/registry.py). Per build the pipeline makes one instance of each task and calls:

    prepare(ctx)                       once, before the first case (ctx.index is loaded; ctx.cases()
                                       iterates the (case, split) pairs rows will get, in order)
    rows(case, split, ctx)             for every case of cases.jsonl with its split
    variant_rows(variant, source, split, ctx)
                                       for every synthetic variant of that case (adversarial stage)
    finish(ctx)                        once, after the last case: rows that need every case first
    report(ctx)                        a dict merged into manifest.json

The cases reach rows / variant_rows in shards, in worker processes (lawfactory/build/task_stage.py),
each worker holding a copy of the task as prepare() left it. So a task that counts or collects
across cases (for report or finish) also defines

    shard(ctx)                         in the worker, after a shard's cases: what rows / variant_rows
                                       counted over them (picklable), then counts afresh
    merge(part, ctx)                   in the build process, every shard's part in case order,
                                       before finish(): adds it to the task's own counts

and rows of one case must not depend on the cases before it (what does, like a cap over the
corpus, is decided in merge). prepare, finish and report run in the build process only.

Each yields (dataset name, row) pairs. A task that raises on a case costs that case only (it is
left out of every dataset and listed in rejects.jsonl). BaseTask gives every method but rows a
no-op default, so a task writes only what it does.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Protocol, runtime_checkable

Rows = Iterable[tuple[str, dict]]


@runtime_checkable
class Task(Protocol):
    datasets: tuple[str, ...]  # every dataset the task may write (lawfactory/tasks/registry.py)

    def prepare(self, ctx: Any) -> None: ...

    def rows(self, case: dict, split: str, ctx: Any) -> Rows: ...

    def variant_rows(self, variant: dict, source: dict, split: str, ctx: Any) -> Rows: ...

    def finish(self, ctx: Any) -> Rows: ...

    def shard(self, ctx: Any) -> Any: ...

    def merge(self, part: Any, ctx: Any) -> None: ...

    def report(self, ctx: Any) -> dict: ...


class BaseTask:
    """No-op defaults for the optional steps of the protocol."""

    datasets: tuple[str, ...] = ()

    def prepare(self, ctx: Any) -> None:
        return None

    def rows(self, case: dict, split: str, ctx: Any) -> Rows:
        return ()

    def variant_rows(self, variant: dict, source: dict, split: str, ctx: Any) -> Rows:
        return ()

    def finish(self, ctx: Any) -> Rows:
        return ()

    def shard(self, ctx: Any) -> Any:
        return None

    def merge(self, part: Any, ctx: Any) -> None:
        return None

    def report(self, ctx: Any) -> dict:
        return {}
