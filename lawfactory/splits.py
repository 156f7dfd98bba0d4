"""Train/eval split by case group, not by row.

Every record derived from one judgment (and every synthetic variant of it) shares a group_id;
the split is a seeded hash of the group id, so all of a group lands on one side, the result does
not depend on input order or on what else is in the corpus, and it streams (no global shuffle).
"""

from __future__ import annotations

import hashlib

TRAIN, EVAL = "train", "eval"


def assign_split(group_id: str, seed: int, eval_ratio: float) -> str:
    digest = hashlib.blake2b(f"{seed}:{group_id}".encode("utf-8"), digest_size=8).digest()
    return EVAL if int.from_bytes(digest, "big") / 2**64 < eval_ratio else TRAIN
