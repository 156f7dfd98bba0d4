"""Generated CJO-layout CSV dumps of any size, for benchmarks (judgments/s, peak memory).

The bundled first-instance judgments (samples/judgments/cn/cjo_criminal_2021.csv) are the
templates; each generated record varies the case number, the defendant's masked name, the dates
and the amounts, so no two records are identical. Every generated record converts (the tests
check that), so a benchmark measures the full path: CSV parsing, sections, verdict, citations.
"""

from __future__ import annotations

import csv
import random
import re
from pathlib import Path

from converters.judgments_cn import COLUMNS, read_table

TEMPLATES = Path(__file__).resolve().parents[2] / "samples" / "judgments" / "cn" / "cjo_criminal_2021.csv"
_SURNAMES = ("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
             "姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤")
_CASE_NO = re.compile(r"（(\d{4})）([^\n号]*?刑初)(\d+)号")


def _templates() -> list[dict]:
    """The bundled records that convert (single- and multi-defendant alike)."""
    from collections import Counter

    from converters.judgments_cn import convert_record
    from lawfactory.records import RecordError, Skip

    out = []
    for line, row, why in read_table(TEMPLATES):
        try:
            if why is None and convert_record(row, "templates", line, Counter()):
                out.append(row)
        except (RecordError, Skip):
            pass
    return out


def generate_cn_csv(path: str | Path, n: int, seed: int = 0) -> Path:
    """Write n CJO-layout records to path (CSV with the 15 columns, UTF-8) and return the path.
    About 2.7 KB a record: 400,000 records ≈ 1 GB."""
    rng = random.Random(seed)
    templates = _templates()
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(COLUMNS)
        for i in range(n):
            t = templates[i % len(templates)]
            names = [m for m in dict.fromkeys(re.findall(r"被告人([\u4e00-\u9fff]某+)[，,]", t["全文"]))]
            text = t["全文"]
            for old in sorted(names, key=len, reverse=True):
                text = text.replace(old, "\x00" + str(names.index(old)) + "\x00")
            new = []
            for k in range(len(names)):
                while (cand := rng.choice(_SURNAMES) + "某" * (k + 1)) in new:
                    pass
                new.append(cand)
            text = re.sub(r"\x00(\d+)\x00", lambda m: new[int(m.group(1))], text)
            text = _CASE_NO.sub(lambda m: f"（{m.group(1)}）{m.group(2)}{i + 1}号", text)
            # amounts vary so near-duplicate detection does not collapse the corpus
            text = text.replace("人民币三千二百元", f"人民币{rng.randint(2, 9)}千{rng.randint(1, 9)}百元")
            row = dict(t, 全文=text, 当事人=",".join(new), 案号=f"（2021）刑初{i + 1}号",
                       原始链接=f"https://wenshu.court.gov.cn/website/wenshu/181107ANFZ0BXSK4/index.html?docId={i:012d}")
            w.writerow([row.get(c, "") for c in COLUMNS])
    return path


def convert_file(*paths: str | Path) -> dict:
    """Read and convert every record of judgment files (any layout `make data` reads: CJO CSV,
    JSON lines, LeCaRD or 司法院 .json; the converter each file's RAW pattern names) in this
    process, without writing: records, cases, seconds, judgments per second and peak RSS."""
    import fnmatch
    import resource
    import time
    from collections import Counter

    from lawfactory.build.sources import CASES, sources
    from lawfactory.records import RecordError, Skip

    def source(path: Path):
        where = "judgments/tw/x" if "/tw/" in f"/{path.as_posix()}" else "judgments/cn/x"
        return next(s for s in sources(CASES) if s.name.startswith("judgments") and any(
            fnmatch.fnmatch(f"{where}{path.suffix}", pat.replace("**/", "")) for pat in s.patterns))

    t = time.perf_counter()
    n = cases = size = 0
    stats = Counter()
    for path in map(Path, paths):
        src = source(path)
        size += path.stat().st_size
        for line, obj, why in src.read(path):
            n += 1
            if why is None:
                try:
                    cases += len(src.convert(obj, path.name, line, stats))
                except (RecordError, Skip):
                    pass
    dt = time.perf_counter() - t
    return {"bytes": size, "records": n, "cases": cases, "seconds": round(dt, 2),
            "judgments_per_s": round(n / dt, 1) if dt else 0.0,
            "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)}


if __name__ == "__main__":  # python -m lawfactory.dev.judgments_synth generate PATH N | convert PATH
    import json
    import sys

    if len(sys.argv) == 4 and sys.argv[1] == "generate":
        print(generate_cn_csv(sys.argv[2], int(sys.argv[3])))
    elif len(sys.argv) >= 3 and sys.argv[1] == "convert":
        print(json.dumps(convert_file(*sys.argv[2:])))
    else:
        sys.exit("usage: python -m lawfactory.dev.judgments_synth generate PATH N | convert PATH…  "
                 "(a path under …/tw/ is Taiwan)")
