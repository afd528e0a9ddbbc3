"""Reference implementation of the double-random draw "ohts-draw-sha256", version 2 (E2).

Anyone can recompute a published draw from its public record alone (GET
/api/v1/public/draws/{draw_id} on the portal, or /api/v1/draws/{draw_id} in enforcement)
with this file and plain Python 3 (standard library only):

    python3 docs/draw_reference.py record.json   # prints "matches" or "differs"

The algorithm:
1. stream = SHA-256 of the canonical JSON of {"inputs": ..., "seed": ...} (keys sorted,
   separators "," and ":", UTF-8): every input (seed, universe, weights, ratio, roster,
   previous inspectors, team size, exclusive teams) moves every random number.
2. h(parts) = the SHA-256 of stream and the parts joined by U+001F, as an integer.
3. Each institution of class c gets w = weights[c] tickets (times raise_factor when it is
   in "raised": the registry flagged its conditions as changed, R6a); its key is the highest
   h(stream, "target", institution, j) over j < w. Taking the k highest keys is weighted
   sampling without replacement (the maximum of w uniform numbers is distributed as
   u^(1/w), as in Efraimidis-Spirakis), with integers only.
4. k = ceil(len(universe) * ratio). Targets in order of key (highest first, then id).
5. Per target, an inspector is excluded for a declared conflict ("conflict"), for being on
   the institution's previous inspection ("previous"), or, only when the plan keeps teams
   exclusive, for being on an earlier team of this draw ("other_team"). The team is the
   team_size eligible inspectors with the highest h(stream, "team", institution,
   inspector), listed sorted. Too few eligible inspectors: the draw is impossible.
"""

import hashlib
import json
import sys
from fractions import Fraction


def stream_of(seed, inputs):
    canonical = json.dumps(
        {"inputs": inputs, "seed": seed}, sort_keys=True, separators=(",", ":"), ensure_ascii=False
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def h(stream, *parts):
    return int(hashlib.sha256("\x1f".join((stream, *parts)).encode("utf-8")).hexdigest(), 16)


def draw(seed, inputs):
    s, universe = stream_of(seed, inputs), inputs["universe"]
    raise_by = {i: inputs["raise_factor"] for i in inputs["raised"]}
    key = {
        i: max(h(s, "target", i, str(j)) for j in range(inputs["weights"][c] * raise_by.get(i, 1)))
        for i, c in universe.items()
    }
    ratio = Fraction(inputs["ratio"])
    k = -(-len(universe) * ratio.numerator // ratio.denominator)
    targets, exclusions, used = [], [], set()
    for i in sorted(universe, key=lambda i: (-key[i], i))[:k]:
        eligible = []
        for p in sorted(inputs["roster"]):
            reason = (
                "conflict"
                if i in inputs["roster"][p]
                else "previous"
                if p in inputs["previous"].get(i, [])
                else "other_team"
                if inputs["exclusive_teams"] and p in used
                else None
            )
            if reason:
                exclusions.append({"institution_id": i, "inspector_id": p, "reason": reason})
            else:
                eligible.append(p)
        if len(eligible) < inputs["team_size"]:
            raise ValueError(f"only {len(eligible)} eligible inspector(s) for {i}")
        ranked = sorted(eligible, key=lambda p: (-h(s, "team", i, p), p))
        team = sorted(ranked[: inputs["team_size"]])
        used.update(team)
        targets.append({"institution_id": i, "credit_class": universe[i], "inspectors": team})
    return {"inputs_sha256": s, "targets": targets, "exclusions": exclusions}


def verify(record):
    """True when the record's targets, teams, exclusions and digest follow from its inputs."""
    try:
        again = draw(record["seed"], record["inputs"])
    except (ValueError, KeyError, TypeError):
        return False
    return all(again[f] == record[f] for f in ("inputs_sha256", "targets", "exclusions"))


if __name__ == "__main__":
    with open(sys.argv[1], encoding="utf-8") as f:
        print("matches" if verify(json.load(f)) else "differs")
