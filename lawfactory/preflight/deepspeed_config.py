"""A recipe's DeepSpeed config as the memory estimate needs it: the ZeRO stage and what is offloaded."""

from __future__ import annotations

import json
from pathlib import Path


def deepspeed_setup(path: str | None) -> dict:
    if not path:
        return {}
    try:
        cfg = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as err:
        raise ValueError(f"deepspeed config {path}: {err}")
    z = cfg.get("zero_optimization", {}) or {}
    device = lambda key: (z.get(key) or {}).get("device", "none") in ("cpu", "nvme")  # noqa: E731
    return {"zero": int(z.get("stage", 0)), "offload_optimizer": device("offload_optimizer"),
            "offload_param": device("offload_param")}
