"""A small, valid, commented scenario to start from (``parley new``, the web app's New page)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

SCHEMA_HINT = (
    "# Editor support: run `parley schema -o scenario.schema.json` next to this file; editors with the\n"
    "# YAML language server (VS Code's YAML extension, neovim, ...) then read the line below and\n"
    "# offer completion, hover help and inline errors.\n"
    "# yaml-language-server: $schema=scenario.schema.json\n"
)


def _q(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def starter_yaml(actors: int = 3, issues: int = 2, title: str = "A new negotiation") -> str:
    """The text of a valid starter scenario with ``actors`` actors and ``issues`` issues.

    Parameters
    ----------
    actors
        Number of actors, 2 to 26.
    issues
        Number of issues, 1 to 26.
    title
        The scenario's title.

    Returns
    -------
    str
        YAML text, every field commented; it validates and runs through ``forecast``,
        ``plans`` and ``report``.
    """
    if not 2 <= actors <= 26:
        raise ValueError(f"actors must be between 2 and 26, not {actors}")
    if not 1 <= issues <= 26:
        raise ValueError(f"issues must be between 1 and 26, not {issues}")
    actor_ids = [f"actor_{chr(ord('a') + i)}" for i in range(actors)]
    issue_ids = [f"issue_{i + 1}" for i in range(issues)]
    lines: list[str] = [
        "# A parley scenario (schema_version 1). Every field is described in docs/scenario-format.md",
        "# (`parley schema --markdown`). Replace the placeholders; `parley validate FILE` checks it.",
        SCHEMA_HINT.rstrip("\n"),
        "schema_version: 1",
        f"title: {_q(title)}",
        "description: >",
        "  What is being negotiated, by whom, and as of when. Numbers below are placeholders.",
        "utility: linear            # or quadratic: how a distance on an issue becomes a loss",
        f"belligerents: [{actor_ids[0]}, {actor_ids[1]}]   # the two sides, when there are two",
        "",
        "issues:",
        "  # An issue is a dimension actors take positions on. Issues have a `label`;",
        "  # actors have a `name`; plans and shocks a `title`.",
    ]
    for j, iid in enumerate(issue_ids):
        lines += [
            f"  - id: {iid}",
            f"    label: {_q(f'Issue {j + 1}')}",
            "    description: >",
            "      What is decided on this issue, in a sentence. `parley code` reads labels, descriptions",
            "      and anchors to map the points of a new text to issues.",
            "    scale: {min: 0, max: 100, unit: percent}   # the natural scale of the issue",
            "    anchors:                                   # labelled points of the scale",
            f"      0: {_q(f'everything {actor_ids[0]} asks for')}",
            '      50: "an even split"',
            f"      100: {_q(f'everything {actor_ids[1]} asks for')}",
            "    status_quo: 50                             # where it stands today",
            "    orientation: higher = closer to what " + actor_ids[1] + " wants",
            f"    vetoes: [{actor_ids[j % 2]}]                       # whose consent a settlement needs",
            "    source: where the facts come from",
        ]
    lines += [
        "",
        "actors:",
        "  # capability: clout in this negotiation (any positive scale); stances: issue -> position",
        "  # on the issue's scale, salience 0..1 (how much the actor cares), optional uncertainty.",
    ]
    for i, aid in enumerate(actor_ids):
        cap = max(10, 60 - 10 * i)
        lines += [
            f"  - id: {aid}",
            f"    name: {_q('Actor ' + chr(ord('A') + i))}",
            f"    capability: {cap}",
            "    stances:",
        ]
        for j, iid in enumerate(issue_ids):
            pos = round(100 * i / (actors - 1)) if j % 2 == 0 else round(100 * (actors - 1 - i) / (actors - 1))
            pos = min(max(pos, 0), 100)
            sal = round(0.9 - 0.1 * ((i + j) % 4), 1)
            unc = ""
            if i == 0:
                lo, hi = max(0, pos - 10), min(100, pos + 10)
                unc = f", uncertainty: {{distribution: uniform, low: {lo}, high: {hi}}}"
            lines.append(f"      {iid}: {{position: {pos}, salience: {sal}{unc}}}")
        if i == 0:
            lines.append("    source: a dated statement, with its outlet")
    lines += [
        "",
        "plans:",
        "  # A text on the table. Each provision either names an issue and a position on its scale,",
        "  # or says why it maps to none (no_issue_reason). `parley code TEXT --scenario FILE`",
        "  # drafts the provisions of a new text for you to review.",
        "  - id: draft-1",
        '    title: "A first draft"',
        f"    proposer: {actor_ids[-1]}",
        "    provisions:",
    ]
    for j, iid in enumerate(issue_ids):
        lines.append(
            f'      - {{point: "{j + 1}", text: "Issue {j + 1} is split evenly.", issue: {iid}, position: 50}}'
        )
    lines += [
        f'      - {{point: "{issues + 1}", text: "The parties affirm their goodwill.",',
        '         no_issue_reason: "declaratory; no actor contests it"}',
        "",
        "shocks:",
        "  # A named what-if: `parley plans FILE --shock ID` scores the plans before and after.",
        f"  - id: {actor_ids[0]}-weakens",
        f"    title: {_q(f'{actor_ids[0]} loses half its clout')}",
        "    changes:",
        f"      - {{op: scale, actor: {actor_ids[0]}, target: capability, factor: 0.5}}",
        "",
    ]
    return "\n".join(lines)


def grid_yaml(
    title: str,
    issues: Sequence[Mapping[str, object]],
    actors: Sequence[Mapping[str, object]],
    stances: dict[tuple[int, int], tuple[float, float]],
) -> str:
    """Scenario YAML from a grid of actors × issues (the web app's form editor).

    Parameters
    ----------
    title
        The scenario's title.
    issues
        One mapping per issue: ``id``, ``label``, ``min``, ``max``, ``unit``.
    actors
        One mapping per actor: ``id``, ``name``, ``capability``.
    stances
        ``(actor index, issue index) → (position, salience)``; a missing pair means no stance.

    Returns
    -------
    str
        YAML text to check and save (it is validated like any upload).
    """
    import yaml

    data: dict[str, object] = {
        "schema_version": 1,
        "title": title,
        "issues": [
            {
                "id": i["id"],
                "label": i.get("label") or i["id"],
                "scale": {"min": i["min"], "max": i["max"], **({"unit": i["unit"]} if i.get("unit") else {})},
            }
            for i in issues
        ],
        "actors": [
            {
                "id": a["id"],
                "name": a.get("name") or a["id"],
                "capability": a["capability"],
                "stances": {
                    str(issues[j]["id"]): {"position": pos, "salience": sal}
                    for (ai, j), (pos, sal) in sorted(stances.items())
                    if ai == k
                },
            }
            for k, a in enumerate(actors)
        ],
    }
    head = (
        "# Written by the web app's grid editor. Add anchors, status quo, vetoes, plans and shocks below;\n"
        "# every field is described in docs/scenario-format.md (`parley schema --markdown`).\n"
    )
    return head + yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
