"""The vitality formula: facts about an app in, a score 0–100 and its points out. Pure, no I/O.

Published in docs/vitality.md; change both together. Modelled on Developers Italia's
vitality index (activity, releases, authors, age over a recent window) and extended with
what only this catalog knows: regional forks that keep working, and deployments by evidence.
Every part saturates: past its "full" value more of the same adds nothing, so no single
busy repository or long deployment list outweighs the rest.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass

SHORT_DAYS, LONG_DAYS = 60, 180
OBSERVED_DAYS = 30  # a heartbeat this recent makes a deployment "observed"
# Deployment weights by strongest evidence: the running system's own report counts most.
WEIGHTS = {"declared": 1, "confirmed": 2, "observed": 4}

# part: [(fact, full value, points)], points summing to 100.
PARTS: dict[str, list[tuple[str, float, float]]] = {
    "activity": [("commits_60", 20, 15), ("commits_180", 40, 10)],
    "community": [("authors_60", 4, 10), ("authors_180", 6, 5)],
    "releases": [("releases_60", 1, 5), ("releases_180", 3, 10)],
    "longevity": [("age_days", 730, 5)],
    "forks": [("active_forks_60", 2, 5), ("active_forks_180", 3, 10)],
    "deployments": [("deployment_weight", 12, 25)],
}


@dataclass(frozen=True)
class Facts:
    """What the worker measured; windows end at the moment of computation."""

    commits_60: int = 0
    commits_180: int = 0
    authors_60: int = 0
    authors_180: int = 0
    releases_60: int = 0
    releases_180: int = 0
    age_days: int = 0
    active_forks_60: int = 0
    active_forks_180: int = 0
    deployments_declared: int = 0
    deployments_confirmed: int = 0
    deployments_observed: int = 0

    @property
    def deployment_weight(self) -> int:
        return (WEIGHTS["declared"] * self.deployments_declared + WEIGHTS["confirmed"] * self.deployments_confirmed
                + WEIGHTS["observed"] * self.deployments_observed)


def points(facts: Facts) -> dict[str, float]:
    """Points per part, each rounded to one decimal."""
    out = {}
    for part, terms in PARTS.items():
        total = sum(weight * min(getattr(facts, name), full) / full for name, full, weight in terms)
        out[part] = round(total, 1)
    return out


def score(facts: Facts) -> tuple[int, dict]:
    """(score 0–100, components): the facts and the points of each part, as stored and shown."""
    parts = points(facts)
    total = int(round(sum(parts.values())))
    return max(0, min(100, total)), {"facts": asdict(facts), "points": parts}
