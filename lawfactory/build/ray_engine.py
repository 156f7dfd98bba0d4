"""The Ray engine of lawfactory/build/shards.py `execute`: the conversion and task shards as Ray tasks.

`lawfactory data --engine ray [--ray-address ADDR]` runs the same jobs as the local engine (the
conversion's `convert_shard`, the task stage's `run_shard`) on a Ray cluster: ADDR (`auto`: the
cluster this machine belongs to), or without one a Ray instance started here with `--workers`
CPUs. Every node must reach RAW and DATA at the same absolute paths (a shared file system): a job
reads its inputs and writes its part files there, and the build process joins the parts in shard
order, so the outputs are the same bytes as the local engine's (docs/scale.md).

- The job's state (the conversion's Config, the task stage's shared parts) is put in Ray's object
  store once; a Ray worker process fetches it on its first task and keeps it for the next ones (a
  Ray worker is a fresh process: the state is all it reads besides the files).
- At most `workers` tasks are in flight (default: one per CPU of the cluster); results are taken
  back as they come and returned in item order.
- A worker checks once that it runs the same lawfactory code as the build process (the code
  version of the fingerprint), so a node with another version cannot mix its rows in.
- `--ray-address HOST:PORT` where nothing listens stops the build at once, before DATA is touched
  (check_reachable); Ray alone would retry for many minutes.
- A task that raises ends the build with the local engine's error (shards.py `fail`: which shard,
  why); a worker or node that dies, after Ray's retries, with WorkerDied. The pending tasks are
  cancelled. The build's outputs are staged (lawfactory/build/generation.py), so DATA keeps its
  previous generation; finished conversion shards are kept, and a rerun resumes.
"""

from __future__ import annotations

import os
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Callable

from tqdm import tqdm

from lawfactory.build import fingerprint, shards
from lawfactory.errors import UsageError

CONNECT_TIMEOUT_S = 5  # the TCP check of --ray-address HOST:PORT before Ray is asked to connect
MAX_RETRIES = 2  # Ray retries a task whose worker or node died (a job is idempotent: it rewrites its own files)
_worker: dict = {}  # in a Ray worker process: the state it holds, by object id, and the code version it checked


def require():
    """The ray module, or a UsageError that says how to install it."""
    try:
        import ray
    except ImportError:
        raise UsageError("--engine ray needs Ray, which is not installed: pip install 'lawfactory[ray]'") from None
    return ray


def start_local(cpus: int | None) -> None:
    """Start a Ray instance on this machine with `cpus` CPUs (None: all). Its workers import
    lawfactory from where this process did (a Ray worker's path holds only the working directory)."""
    import lawfactory

    root = str(Path(lawfactory.__file__).resolve().parents[1])
    path = os.pathsep.join(p for p in (root, os.environ.get("PYTHONPATH", "")) if p)
    require().init(num_cpus=cpus, include_dashboard=False, runtime_env={"env_vars": {"PYTHONPATH": path}})


def check_reachable(address: str) -> None:
    """A UsageError, within CONNECT_TIMEOUT_S, when nothing accepts a TCP connection at the HOST:PORT of
    --ray-address. Ray itself, given such an address, retries for many minutes (20 GCS connections,
    each waiting 30 s for the cluster id, ray_constants.NUM_REDIS_GET_RETRIES and RayConfig
    py_gcs_connect_timeout_s; the latter is read when ray is imported, too late to lower here).
    `auto` and an address without a numeric port are left to Ray, which answers them at once."""
    import socket

    host, sep, port = address.removeprefix("ray://").rpartition(":")
    if not sep or not port.isdigit():
        return
    host = host.strip("[]")
    hosts = [host]
    if host in ("localhost", "127.0.0.1", "::1"):  # Ray connects to this machine's node IP instead
        hosts.append(require().util.get_node_ip_address())
    errors = []
    for h in hosts:
        try:
            socket.create_connection((h, int(port)), timeout=CONNECT_TIMEOUT_S).close()
            return
        except OSError as e:
            errors.append(f"{h}:{port}: {e.strerror or e}")
    raise UsageError(f"--ray-address {address}: no Ray cluster answers there ({'; '.join(errors)}). Start one "
                     f"(`ray start --head --port={port}` on that host), or drop --ray-address to run on a Ray "
                     "instance started on this machine")


@contextmanager
def _one_gcs_attempt():
    """ray.init connecting to a cluster tries the GCS once rather than 20 times (the
    RAY_gcs_server_port_wait_time_s budget Ray reads at each connection, ~1 s an attempt besides its
    30 s wait), unless the environment sets that budget: a port that answers but is no Ray GCS fails
    in under a minute."""
    key = "RAY_gcs_server_port_wait_time_s"
    mine = key not in os.environ
    if mine:
        os.environ[key] = "1"
    try:
        yield
    finally:
        if mine:
            os.environ.pop(key, None)


def _call(job: Callable[[Any], Any], holder: list, item: Any, code: str) -> Any:
    """Run one job in a Ray worker. holder: [the state's object ref], in a list so that Ray passes
    the reference rather than the state (fetched once per worker process)."""
    import ray

    if _worker.get("code") != code:
        here = fingerprint.code_version()
        if here != code:
            raise UsageError(f"the Ray worker on {ray.util.get_node_ip_address()} runs other lawfactory code "
                             f"(version {here[:12]}) than the build (version {code[:12]}): install the same "
                             "lawfactory on every node")
        _worker["code"] = code
    ref = holder[0]
    if _worker.get("key") != ref.hex():
        _worker.update(key=ref.hex(), state=ray.get(ref))
    shards._STATE = _worker["state"]
    return job(item)


class RayEngine:
    """shards.Engine on Ray. address: the cluster ("" starts a local instance with `workers` CPUs);
    workers: tasks in flight (0: one per CPU of the cluster). Ray starts on first use."""

    def __init__(self, address: str, workers: int):
        self.ray = require()
        if address:
            check_reachable(address)  # before the build touches DATA
        self.address, self.requested = address, workers
        self.started = False  # this engine started Ray (and shuts it down)
        self._workers = 0
        self.code = ""

    @property
    def workers(self) -> int:
        self.start()
        return self._workers

    def in_process(self, n: int) -> bool:
        return False

    def start(self) -> None:
        if self._workers:
            return
        ray = self.ray
        if not ray.is_initialized():  # else a caller (a test, a notebook) connected already
            try:
                if self.address:
                    with _one_gcs_attempt():
                        ray.init(address=self.address)
                else:
                    start_local(self.requested or None)
            except (ConnectionError, RuntimeError, ValueError) as e:
                where = f"the Ray cluster at --ray-address {self.address}" if self.address else "a local Ray instance"
                hint = " (no Ray GCS answers there? `ray start --head`, or drop --ray-address)" if self.address else ""
                raise UsageError(f"--engine ray: cannot start or reach {where}: {e}{hint}") from None
            self.started = True
        self._workers = self.requested or max(1, int(ray.cluster_resources().get("CPU", 1)))
        self.code = fingerprint.code_version()

    def close(self) -> None:
        if self.started:
            self.ray.shutdown()
            self.started = False

    def map(self, job: Callable[[Any], Any], items: list, state: Any, what: str, kill_after: int) -> list:
        if not items:
            return []
        self.start()
        ray = self.ray
        remote = ray.remote(_call).options(num_cpus=1, max_retries=MAX_RETRIES)
        holder = [ray.put(state)]
        results: list = [None] * len(items)
        pending: dict = {}  # object ref → item index
        nxt = 0
        try:
            with tqdm(total=len(items), desc=f"{what} (ray, {self._workers} in flight)", unit=" shard", leave=False,
                      mininterval=1.0) as bar:
                while nxt < len(items) or pending:
                    while nxt < len(items) and len(pending) < self._workers:
                        pending[remote.remote(job, holder, items[nxt], self.code)] = nxt
                        nxt += 1
                    ready, _ = ray.wait(list(pending), num_returns=1)
                    for ref in ready:
                        i = pending.pop(ref)
                        results[i] = self._result(ref, what, items[i])
                        bar.update(1)
        finally:
            for ref in pending:  # a failure, Ctrl-C: stop the others now
                ray.cancel(ref, force=True)
        return results

    def _result(self, ref, what: str, item: Any) -> Any:
        exceptions = self.ray.exceptions
        try:
            return self.ray.get(ref)
        except exceptions.RayTaskError as e:  # the job raised: its own exception, as the local engine reports it
            shards.fail(what, item, e.cause if isinstance(e.cause, BaseException) else e, cause=e)
        except exceptions.RayError as e:  # the worker or its node died (out of memory, a lost node)
            why = (str(e).strip() or "no detail").splitlines()[0]
            raise shards.WorkerDied(f"a Ray worker running the {what} shard {shards.where(item)} died "
                                    f"({type(e).__name__}: {why}); the conversion shards finished are kept: "
                                    "rerun to resume") from None
