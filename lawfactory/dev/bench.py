"""`make bench`: `lawfactory data` at scale, against the orjson read+write floor, into BENCHMARKS.md.

Corpora are generated in the CAIL2018 format from the bundled samples' patterns: every fact is a
fresh mix of the samples' clauses (names, places, dates and amounts redrawn), with 1% exact
duplicates and 1% near-duplicates (one clause changed) of earlier records planted so the
near-duplicate stage has work, and a prosecutor's recommendation in 3% (the converter masks it).
Each run is a subprocess; its peak memory is the largest sum of RSS over its process tree
(workers included), sampled every 50 ms.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import orjson
import psutil

from lawfactory import jsonl
from lawfactory.errors import BuildError

REPO = Path(__file__).resolve().parents[2]
SAMPLES = REPO / "samples" / "cail"
SECTION = "## make data at scale"
_SPLIT = re.compile(r"(?<=[，。；])")
_NAME = re.compile(r"[\u4e00-\u9fff]某[甲乙丙丁]?")
_DIGITS = re.compile(r"\d+")
SURNAMES = ("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
            "姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤")
PLACE = "东西南北安宁平江河山城阳新华兴昌丰泰和顺永福清源庆德嘉宝云海湖州林长青石桂花金水明光"


def _sample_patterns() -> tuple[list[str], list[dict]]:
    clauses, metas = [], []
    for path in (SAMPLES / "criminal_sample.jsonl", SAMPLES / "hf_flat.jsonl"):  # not malformed.jsonl
        for _, obj, reason in jsonl.iter_jsonl(path):
            if reason or not isinstance(obj, dict) or not isinstance(obj.get("fact"), str):
                continue
            meta = obj.get("meta") if isinstance(obj.get("meta"), dict) else None
            if meta is None and "accusation" in obj:
                meta = {"criminals": obj.get("criminals"), "accusation": obj.get("accusation"),
                        "relevant_articles": obj.get("relevant_articles"),
                        "punish_of_money": obj.get("punish_of_money"),
                        "term_of_imprisonment": {k: obj.get(k)
                                                 for k in ("death_penalty", "imprisonment", "life_imprisonment")}}
            if meta and isinstance(meta.get("term_of_imprisonment"), dict):
                metas.append(meta)
            clauses.extend(c for c in _SPLIT.split(obj["fact"]) if len(c) > 4 and "建议" not in c)
    return sorted(set(clauses)), metas


def _number(rnd: random.Random, digits: int) -> str:
    if digits <= 2:
        return str(rnd.randint(1, 28))
    if digits == 4:
        return str(rnd.randint(2010, 2018))  # a year
    return str(rnd.randint(10 ** (digits - 1), 10**digits - 1))


def generate(n: int, path: Path, seed: int = 0) -> None:
    """n CAIL-format records (JSON lines) at path, written atomically."""
    rnd = random.Random(seed)
    clauses, metas = _sample_patterns()
    made: list[str] = []  # a reservoir of earlier facts for planted duplicates
    with jsonl.atomic_open(path, "wb") as f:
        for i in range(n):
            name = rnd.choice(SURNAMES) + "某" + rnd.choice("甲乙丙丁")
            place = "".join(rnd.choices(PLACE, k=2)) + rnd.choice("市县")
            r = rnd.random()
            if made and r < 0.01:
                fact = rnd.choice(made)  # exact duplicate
            elif made and r < 0.02:
                parts = _SPLIT.split(rnd.choice(made))
                k = rnd.randrange(len(parts))
                parts[k] = parts[k][:-1] + "，另查明被告人系初犯" + parts[k][-1:]  # one clause changed
                fact = "".join(parts)
            else:
                body = "".join(rnd.choice(clauses) for _ in range(rnd.randint(6, 16)))
                body = _NAME.sub(lambda m: rnd.choice(SURNAMES) + "某", body)
                body = _DIGITS.sub(lambda m: _number(rnd, len(m.group())), body)
                fact = f"{place}人民检察院指控：被告人{name}" + body
                if rnd.random() < 0.03:
                    fact += f"公诉机关建议判处被告人{name}有期徒刑{rnd.randint(1, 9)}年。"
            if len(made) < 5000:
                made.append(fact)
            elif rnd.random() < 0.01:
                made[rnd.randrange(len(made))] = fact
            meta = dict(rnd.choice(metas))
            term = dict(meta["term_of_imprisonment"])
            if term.get("imprisonment"):
                term["imprisonment"] = rnd.randint(1, 120)
            meta.update(criminals=[name], term_of_imprisonment=term)
            rec = {"meta": meta, "fact": fact} if i % 2 else {"fact": fact, "meta": meta}
            f.write(orjson.dumps(rec) + b"\n")


def floor(src: Path, dest: Path) -> None:
    """The floor: read every record with orjson and write it back, no conversion."""
    with open(src, "rb") as fin, open(dest, "wb") as fout:
        for line in fin:
            fout.write(orjson.dumps(orjson.loads(line)) + b"\n")


def measure(cmd: list[str]) -> dict:
    """Wall time, peak tree RSS and the tail of the output of one subprocess."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, cwd=REPO)
    ps, peak, peak_one = psutil.Process(proc.pid), 0, 0
    out = []

    def sample() -> None:
        nonlocal peak, peak_one
        try:
            rss = [p.memory_info().rss for p in [ps, *ps.children(recursive=True)]]
        except psutil.Error:
            return
        peak, peak_one = max(peak, sum(rss)), max(peak_one, max(rss))

    import threading

    reader = threading.Thread(target=lambda: out.extend(proc.stdout), daemon=True)
    reader.start()
    while proc.poll() is None:
        sample()
        time.sleep(0.05)
    reader.join()
    wall = time.perf_counter() - t0
    text = b"".join(out).decode("utf-8", "replace")
    if proc.returncode:
        raise BuildError(f"{' '.join(cmd)} failed ({proc.returncode}):\n{text[-3000:]}")
    stages = re.findall(r"stages: (.*)", text)
    return {"wall": wall, "peak_mb": peak / 2**20, "peak_one_mb": peak_one / 2**20,
            "stages": stages[-1] if stages else ""}


def run(sizes: list[int], workdir: Path, workers: int) -> list[dict]:
    rows = []
    lf = ([sys.executable, "-m", "lawfactory.cli", "data", "--seed", "42"]
          + (["--workers", str(workers)] if workers else []))
    for n in sizes:
        raw = workdir / f"raw-{n}"
        src = raw / "cail" / "bench.jsonl"
        if not src.is_file():
            t = time.perf_counter()
            src.parent.mkdir(parents=True, exist_ok=True)
            generate(n, src)
            print(f"generated {n} records ({src.stat().st_size / 2**20:.0f} MiB) in {time.perf_counter() - t:.1f} s",
                  flush=True)
        fl = measure([sys.executable, "-c", f"from lawfactory.dev.bench import floor; from pathlib import Path; "
                      f"floor(Path({str(src)!r}), Path({str(workdir / 'floor.jsonl')!r}))"])
        (workdir / "floor.jsonl").unlink(missing_ok=True)
        row = {"n": n, "mib": src.stat().st_size / 2**20, "floor": fl}
        for mode in ("off", "group"):
            out = workdir / f"data-{n}-{mode}"
            shutil.rmtree(out, ignore_errors=True)
            row[mode] = measure(lf + ["--raw", str(raw), "--out", str(out), "--near-dup", mode])
            if mode == "group":  # unchanged fingerprint: the re-run only hashes the inputs
                row["again"] = measure(lf + ["--raw", str(raw), "--out", str(out), "--near-dup", mode])
            shutil.rmtree(out, ignore_errors=True)
            print(n, mode, row[mode], flush=True)
        rows.append(row)
    return rows


def _stage(r: dict, mode: str, name: str) -> float:
    m = re.search(rf"{name} ([0-9.]+) s", r[mode]["stages"])
    return float(m.group(1)) if m else float("nan")


def report(rows: list[dict], workers: int, command: str) -> str:
    cpu = platform.processor() or platform.machine()
    try:
        cpu = next(x.split(":", 1)[1].strip() for x in open("/proc/cpuinfo") if x.startswith("model name"))
    except (OSError, StopIteration):
        pass
    lines = [SECTION, "",
             f"Machine: {cpu}, {os.cpu_count()} cores, {psutil.virtual_memory().total / 2**30:.0f} GiB RAM, "
             f"Python {platform.python_version()}; `lawfactory data` with {workers or os.cpu_count()} workers. "
             "The cores are shared with other jobs running at the same time, so the times are noisy (runs minutes "
             "apart differed by up to 40%).",
             f"Command: `{command}`. Corpora: generated CAIL2018-format records (lawfactory/dev/bench.py), 1% exact "
             "and 1% near-duplicates planted. Floor: the same records read and written with orjson, one process, no "
             "conversion. Peak = largest total RSS of the process tree (workers included; shared pages counted "
             "in every process).", "",
             "| records | MiB | floor | conversion stage, near-dup off | whole run, near-dup off | whole run, near-dup "
             "on | peak off / on | re-run, unchanged |",
             "|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        fl = r["floor"]["wall"]
        conv = _stage(r, "off", "convert")
        lines.append(f"| {r['n']:,} | {r['mib']:.0f} | {fl:.1f} s, {r['floor']['peak_mb']:.0f} MB | "
                     f"{conv:.1f} s ({conv / fl:.1f}× floor) | {r['off']['wall']:.1f} s ({r['off']['wall'] / fl:.1f}×) "
                     f"| {r['group']['wall']:.1f} s | {r['off']['peak_mb']:.0f} / {r['group']['peak_mb']:.0f} MB | "
                     f"{r['again']['wall']:.1f} s |")
    lines += [""] + [f"Stages at {r['n']:,}, near-dup {mode}: {r[mode]['stages']}."
                     for r in rows for mode in ("off", "group")]
    lines.append("")
    for r in rows:
        ratio = _stage(r, "off", "convert") / r["floor"]["wall"]
        limit = {50_000: 15, 1_000_000: 360}.get(r["n"])
        peak = max(r["off"]["peak_mb"], r["group"]["peak_mb"])
        whole = f"whole run {r['group']['wall']:.0f} s" + (
            f" ({'under' if r['group']['wall'] < limit else 'OVER'} the {limit} s target)" if limit else "")
        lines.append(f"- {r['n']:,}: conversion {ratio:.1f}× the floor ({'within' if ratio <= 10 else 'OVER'} 10×); "
                     f"{whole}; peak {peak:.0f} MB ({'under' if peak < 1024 else 'OVER'} 1 GB).")
    lines += ["", "Targets (issue 8): conversion without near-duplicate control within 10× the floor; whole run "
              "(near-dup on) 50k < 15 s and 1M < 6 min; peak < 1 GB, flat as input grows. Conversion and the "
              "task stage are sharded across the workers (docs/task-stage.md); the adversarial plan and the "
              "tasks' prepare / finish run in the build process. Memory: conversion and task stages are flat; "
              "the near-duplicate stage holds a band table of ~145 bytes per case (14 bands × 8 bytes, plus "
              "exact hashes and group ids), which is the growth from 50k to 1M; signatures stay on disk.", ""]
    return "\n".join(lines)


def write_section(path: Path, text: str) -> None:
    """Replace (or append) the section in BENCHMARKS.md, keeping every other section."""
    old = path.read_text(encoding="utf-8") if path.is_file() else "# Benchmarks\n"
    if SECTION in old:
        head, rest = old.split(SECTION, 1)
        nxt = rest.find("\n## ")
        old = head.rstrip("\n") + "\n\n" + (rest[nxt + 1:] if nxt >= 0 else "")
    with jsonl.atomic_open(path) as f:
        f.write(old.rstrip("\n") + "\n\n" + text)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m lawfactory.dev.bench", description=__doc__.splitlines()[0])
    p.add_argument("--sizes", default="50000,1000000")
    p.add_argument("--workdir", default="out/bench")
    p.add_argument("--workers", type=int, default=0)
    p.add_argument("--write", default="BENCHMARKS.md", help="file to put the section in ('' to print only)")
    a = p.parse_args(argv)
    rows = run([int(x) for x in a.sizes.split(",")], Path(a.workdir).resolve(), a.workers)
    (Path(a.workdir) / "results.json").write_bytes(orjson.dumps(rows, option=orjson.OPT_INDENT_2))
    text = report(rows, a.workers, "make bench  # python -m lawfactory.dev.bench --sizes " + a.sizes)
    print(text)
    if a.write:
        write_section(REPO / a.write, text)
    return 0


if __name__ == "__main__":
    from lawfactory.cli import exit_on_error

    sys.exit(exit_on_error(main))
