"""The DEU data set (docs/models.md#deu): EU legislative issues with known outcomes.

:func:`load_deu` reads the tab-separated file into a :class:`DeuDataset` of scoreable issues
(:class:`DeuCase`, each a one-issue scenario) and groups them by legislative proposal
(:class:`DeuProposal`, one multi-issue scenario per proposal) for models that work across
the issues of one negotiation. :mod:`parley.analysis.backtest` scores models on them.

The names here are also importable from :mod:`parley.scenario.importers`, where they lived
first.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from parley.errors import ParleyError, Problem, ScenarioError
from parley.scenario.core import Scenario
from parley.scenario.importers.collect import Collector
from parley.scenario.io import read_text, scenario_from_dict

__all__ = ["DEU_ACTOR_NAMES", "DeuCase", "DeuDataset", "DeuProposal", "load_deu", "read_deu"]

DEU_ACTOR_NAMES = {
    "com": "European Commission", "ep": "European Parliament", "at": "Austria", "be": "Belgium",
    "bu": "Bulgaria", "cr": "Croatia", "cy": "Cyprus", "cz": "Czechia", "dk": "Denmark",
    "ee": "Estonia", "fi": "Finland", "fr": "France", "de": "Germany", "el": "Greece",
    "hu": "Hungary", "ie": "Ireland", "it": "Italy", "lv": "Latvia", "lt": "Lithuania",
    "lu": "Luxembourg", "mt": "Malta", "nl": "Netherlands", "pl": "Poland", "pt": "Portugal",
    "ro": "Romania", "si": "Slovenia", "sk": "Slovakia", "es": "Spain", "se": "Sweden",
    "uk": "United Kingdom",
}


@dataclass(frozen=True)
class DeuCase:
    """One DEU issue with its known outcome.

    Attributes
    ----------
    issue_id : the file's ``isnr`` (e.g. ``d00032i1``)
    proposal : the file's ``prnr`` (e.g. ``d00032``); cases of one proposal belong together
    title : the proposal's short name (``prname``)
    scenario : a one-issue scenario on the 0–100 scale with the actors that count
    outcome : the observed outcome (``out``), in [0, 100]
    reference : the reference point (``rp``) when it lies in [0, 100], else None; also the
        scenario's status quo
    line : the case's line in the file
    """

    issue_id: str
    proposal: str
    title: str
    scenario: Scenario
    outcome: float
    reference: float | None
    line: int


@dataclass(frozen=True)
class DeuProposal:
    """The scoreable issues of one legislative proposal as one multi-issue scenario.

    Attributes
    ----------
    proposal : the file's ``prnr``
    title : the proposal's short name
    cases : its scoreable issues, in file order
    scenario : one scenario holding those issues (same order) and every actor that counts
        on at least one of them, in the file's column order; an actor is masked on the
        issues where it does not count. Stances, capabilities and status quo are those of
        the cases' one-issue scenarios.
    """

    proposal: str
    title: str
    cases: tuple[DeuCase, ...]
    scenario: Scenario

    @property
    def issue_ids(self) -> tuple[str, ...]:
        """The issues, in file order."""
        return tuple(c.issue_id for c in self.cases)


@dataclass(frozen=True)
class DeuDataset:
    """The scoreable issues of a DEU file, and why the others were left out.

    Attributes
    ----------
    source : the file read
    capability : ``"gdp"`` (the file's second row) or ``"equal"`` (1 for every actor)
    cases : the issues that count, in file order
    skipped : ``(line, issue_id, reason)`` for each issue row that does not count
    actors : the actor codes in the file's column order (orders the actors of
        :attr:`proposals`; when empty, the order in which the cases name them)
    """

    source: str
    capability: str
    cases: tuple[DeuCase, ...]
    skipped: tuple[tuple[int, str, str], ...] = ()
    actors: tuple[str, ...] = ()

    def __len__(self) -> int:
        return len(self.cases)

    def case(self, issue_id: str) -> DeuCase:
        """The case with this issue id."""
        for c in self.cases:
            if c.issue_id == issue_id:
                return c
        raise KeyError(issue_id)

    @cached_property
    def proposals(self) -> tuple[DeuProposal, ...]:
        """The cases grouped by proposal, in order of each proposal's first case.

        Only scoreable issues take part: an issue row the reader skipped (no outcome)
        is not in its proposal's scenario.
        """
        groups: dict[str, list[DeuCase]] = {}
        for c in self.cases:
            groups.setdefault(c.proposal, []).append(c)
        return tuple(_proposal(cases, self.actors, self.source, self.capability) for cases in groups.values())


def _proposal(cases: list[DeuCase], order: tuple[str, ...], source: str, capability: str) -> DeuProposal:
    """Merge the one-issue scenarios of one proposal's cases into one scenario."""
    first = cases[0]
    issues: list[dict[str, Any]] = []
    actors: dict[str, dict[str, Any]] = {}
    for case in cases:
        data = case.scenario.to_dict()
        issues.extend(data["issues"])
        for actor in data["actors"]:
            merged = actors.setdefault(actor["id"], {k: v for k, v in actor.items() if k != "capability"}
                                       | {"capability": {}, "stances": {}})
            merged["stances"].update(actor["stances"])
            merged["capability"].update(dict.fromkeys(actor["stances"], actor.get("capability", 1.0)))
    rank = {code: k for k, code in enumerate(order)}
    ordered = sorted(actors.values(), key=lambda a: rank.get(a["id"], len(rank)))  # stable: first seen
    for actor in ordered:
        values = set(actor["capability"].values())
        if len(values) == 1:
            actor["capability"] = values.pop()
    data = {
        "schema_version": 1,
        "title": f"DEU {first.proposal} ({first.title})" if first.title else f"DEU {first.proposal}",
        "issues": issues,
        "actors": ordered,
        "metadata": {"format": "deu-tsv", "proposal": first.proposal, "capability": capability},
    }
    scenario = scenario_from_dict(data, f"{source}, proposal {first.proposal}")
    return DeuProposal(proposal=first.proposal, title=first.title, cases=tuple(cases), scenario=scenario)


def _in_range(value: float | None) -> bool:
    return value is not None and 0 <= value <= 100


def read_deu(text: str, source: str = "<deu tsv>", capability: str = "gdp") -> DeuDataset:
    """Read a DEU data set from tab-separated text (see :func:`load_deu` for the rules)."""
    if capability not in ("gdp", "equal"):
        raise ParleyError(f"capability must be 'gdp' or 'equal', not {capability!r}")
    found = Collector()
    lines = [(n, line.split("\t")) for n, line in enumerate(text.splitlines(), start=1) if line.strip()]
    if not lines:
        raise ScenarioError(source, [Problem("", "the file is empty")])
    header = [h.strip() for h in lines[0][1]]
    missing = [c for c in ("isnr", "prnr", "rp", "out") if c not in header]
    codes = [h[1:] for h in header if h.startswith("p") and "s" + h[1:] in header]
    if missing or not codes:
        what = f"columns {', '.join(missing)}" if missing else "p<actor>/s<actor> column pairs"
        raise ScenarioError(source, [Problem("line 1", f"a DEU header needs {what}")])
    col = {h: k for k, h in enumerate(header)}
    rows = lines[1:]
    gdp: dict[str, float] = {}
    if rows and not rows[0][1][col["isnr"]].strip():
        line, fields = rows.pop(0)
        if capability == "gdp":
            for code in codes:
                k = col["p" + code]
                value = found.number(fields[k] if k < len(fields) else "", line, k + 1, "GDP", "p" + code)
                if value is not None and value <= 0:
                    found.add(line, f"GDP {value:g} must be greater than 0", k + 1, "p" + code)
                gdp[code] = value if value is not None else 1.0
    elif capability == "gdp":
        found.add(2, "has no GDP row (row 2 with capability under the p<actor> columns); "
                  "use capability='equal'")
    numeric = [h for h in header if h[1:] in codes and h[:1] in "ps"] + ["rp", "out"]
    cases: list[DeuCase] = []
    skipped: list[tuple[int, str, str]] = []
    seen: dict[str, int] = {}
    for line, fields in rows:
        if len(fields) != len(header):
            found.add(line, f"has {len(fields)} fields; the header has {len(header)}")
            continue
        values: dict[str, float | None] = {}
        for h in numeric:
            cell = fields[col[h]].strip()
            if cell:
                values[h] = found.number(cell, line, col[h] + 1, "value", h)
                if values[h] is not None and values[h] > 100:  # type: ignore[operator]
                    values[h] = None  # a missing-value code
            else:
                values[h] = None
        issue = found.name(fields[col["isnr"]], line, col["isnr"] + 1, "issue", seen)
        if issue is None or found.problems:
            continue
        out, rp = values["out"], values["rp"]
        counting = [c for c in codes if _in_range(values["p" + c]) and _in_range(values["s" + c])]
        if not _in_range(out):
            skipped.append((line, issue, "no outcome in [0, 100]"))
            continue
        if not counting:
            skipped.append((line, issue, "no actor with both position and salience in [0, 100]"))
            continue
        proposal = fields[col["prnr"]].strip()
        title = fields[col["prname"]].strip() if "prname" in col else ""
        data = {
            "schema_version": 1,
            "title": f"DEU {proposal} ({title}), {issue}" if title else f"DEU {proposal}, {issue}",
            "issues": [{"id": issue, "scale": {"min": 0, "max": 100},
                        **({"status_quo": rp} if _in_range(rp) else {})}],
            "actors": [
                {"id": c, "name": DEU_ACTOR_NAMES.get(c, c),
                 "capability": gdp.get(c, 1.0) if capability == "gdp" else 1.0,
                 "stances": {issue: {"position": values["p" + c], "salience": values["s" + c] / 100}}}  # type: ignore[operator]
                for c in counting
            ],
            "metadata": {"format": "deu-tsv", "proposal": proposal, "capability": capability},
        }
        cases.append(DeuCase(
            issue_id=issue,
            proposal=proposal,
            title=title,
            scenario=scenario_from_dict(data, f"{source}, line {line}"),
            outcome=float(out),  # type: ignore[arg-type]
            reference=rp if _in_range(rp) else None,
            line=line,
        ))
    found.raise_if_any(source)
    return DeuDataset(source=source, capability=capability, cases=tuple(cases), skipped=tuple(skipped),
                      actors=tuple(codes))


def load_deu(path: str | Path, capability: str = "gdp") -> DeuDataset:
    """Read the DEU data set (docs/models.md#deu) into one-issue cases with known outcomes.

    Rules: row 1 is the header; row 2 holds each actor's GDP under its ``p<actor>``
    column; each later row is an issue with ``p<actor>``/``s<actor>`` on 0–100, the
    reference point ``rp`` and the outcome ``out``. Blank cells mean no value, and values
    above 100 are missing-value codes. An issue counts when ``out`` lies in [0, 100] and at
    least one actor has both position and salience in [0, 100]; an actor counts on an
    issue when it has both. Saliences are divided by 100; an actor with salience 0 keeps
    its stance (models that weigh by salience then give it no weight). The reference
    point becomes the status quo when it lies in [0, 100]. :attr:`DeuDataset.proposals`
    groups the cases by proposal (``prnr``) into multi-issue scenarios.

    Parameters
    ----------
    path
        The tab-separated file.
    capability
        ``"gdp"``: each actor's capability is its GDP from row 2; ``"equal"``: 1 for all.

    Raises
    ------
    ScenarioError
        With every problem found (text where a number belongs, wrong field counts, ...).
    """
    path = Path(path)
    return read_deu(read_text(path), str(path), capability)
