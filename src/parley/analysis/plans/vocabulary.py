"""The provision ``category`` vocabulary and the keyword rules that stand in for it.

Scenario authors tag provisions with categories so that the plan analyses can find the
terms they look for (docs/analysis.md §7 lists them). A provision's ``category`` may hold
several tags separated by commas, semicolons or spaces (``"dmz, withdrawal"``); tags are
compared in lower case with ``-`` read as ``_``, and the aliases below map to their tag.
Where a provision carries no tag for an indicator, its text is searched with the
indicator's keyword rule (every pattern of the rule must match), and the match is reported
so a reader can check it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from parley.scenario.core import Provision


@dataclass(frozen=True)
class Tag:
    """One category tag: what it marks, its aliases and its keyword rule."""

    id: str
    meaning: str
    aliases: tuple[str, ...] = ()
    patterns: tuple[str, ...] = ()
    issue_pattern: str = ""


MILITARY_TAGS: tuple[Tag, ...] = (
    Tag(
        "army_cap",
        "caps or cuts a side's armed forces (the issue's value measures the force level)",
        ("army", "army_size", "force_cap", "troop_cap", "military:army_cap"),
        (
            r"\b(army|armed forces|troops|military personnel|force levels?)\b",
            r"\b(limit|cap|ceiling|reduc|halv|maximum|no more than|at most)",
        ),
        r"army|armed_forces|troop_(cap|level|ceiling)|force_(cap|level)",
    ),
    Tag(
        "weapons_limit",
        "bans or limits a category of weapons of a side (e.g. long-range strike)",
        ("weapons", "arms_limit", "long_range", "military:weapons"),
        (
            r"long[- ]range|missile|weapon|armament",
            r"\b(ban|prohibit|forbid|limit|give up|surrender|restrict|renounce)",
        ),
        r"long_range|weapon|missile",
    ),
    Tag(
        "territory",
        "moves control of territory between the sides",
        ("territorial_control", "cession"),
        (r"territor|\bced(e|es|ing)\b|cession|annex|line of contact|\boblast|\bborders?\b",),
        r"territor",
    ),
)
"""Terms that shift the balance of power (the commitment problem, docs/analysis.md §2.5)."""

DURABILITY_TAGS: tuple[Tag, ...] = (
    Tag(
        "dmz",
        "a demilitarised or buffer zone",
        ("demilitarised_zone", "demilitarized_zone", "buffer_zone"),
        (r"demilitari[sz]ed|buffer zone|\bdmz\b",),
    ),
    Tag(
        "withdrawal",
        "withdrawal or pull-back of forces",
        ("pullback", "pull_back", "withdrawal_of_forces"),
        (r"\bwithdraw|pull[- ]?backs?\b",),
    ),
    Tag(
        "monitoring",
        "monitoring, verification or peacekeeping of the settlement",
        ("peacekeeping", "verification", "observers"),
        (r"monitor|peacekeep|observer|verif(y|ication)|supervis",),
    ),
    Tag(
        "guarantee",
        "a third party's guarantee of the settlement or of a side's security",
        ("security_guarantee", "third_party_guarantee"),
        (r"guarant",),
    ),
    Tag(
        "dispute_resolution",
        "a joint commission or body to resolve disputes over implementation",
        ("joint_commission", "commission"),
        (r"commission|committee|working group|dispute|arbitrat|council|task force",),
    ),
)
"""Fortna's measures of agreement strength (docs/analysis.md §6)."""

POWER_SHARING_DIMENSIONS: tuple[str, ...] = ("political", "military", "territorial", "economic")
"""Hartzell & Hoddie's four dimensions; tag a provision ``power_sharing:<dimension>``."""

ALL_TAGS: tuple[Tag, ...] = (
    *MILITARY_TAGS,
    *DURABILITY_TAGS,
    *(Tag(f"power_sharing:{d}", f"power sharing, {d} dimension") for d in POWER_SHARING_DIMENSIONS),
)


def tags_of(provision: Provision) -> set[str]:
    """The tags of a provision's ``category``, aliases resolved."""
    raw = {t.strip().lower().replace("-", "_") for t in re.split(r"[,;\s]+", provision.category) if t.strip()}
    out = set()
    for t in raw:
        for tag in ALL_TAGS:
            if t == tag.id or t in tag.aliases:
                out.add(tag.id)
                break
        else:
            out.add(t)
    return out


def detect(provision: Provision, tag: Tag, *, keywords: bool = True) -> str | None:
    """How a provision shows ``tag``: ``"category"``, ``"issue '<id>'"``, ``"keyword '<match>'"``, or None.

    A ``category`` tag always counts. Otherwise, for a tag with an ``issue_pattern`` (the
    military terms) a provision that maps to an issue is judged by that issue's id alone,
    and only a provision mapped to no issue by its text; for the other tags, by the text.
    ``keywords=False`` leaves the category alone.
    """
    if tag.id in tags_of(provision):
        return "category"
    if not keywords:
        return None
    if tag.issue_pattern and provision.issue is not None:
        if re.search(tag.issue_pattern, provision.issue, flags=re.IGNORECASE):
            return f"issue '{provision.issue}'"
        return None
    if not tag.patterns:
        return None
    found = [re.search(p, provision.text, flags=re.IGNORECASE) for p in tag.patterns]
    if all(found):
        return "keyword " + " + ".join(f"'{m.group(0)}'" for m in found if m is not None)
    return None
