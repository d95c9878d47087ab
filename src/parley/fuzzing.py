"""A scenario fuzzer: mutated and generated scenario files, and an oracle that judges parley on them.

Used by ``tests/test_fuzz.py`` (Hypothesis drives the choices, so failures shrink) and by
``benchmarks/fuzz_scenarios.py`` (a seeded generator drives them, for N files in a row).
Every choice goes through a :class:`Chooser`, so the same code serves both.

A *case* is a file text, its format and what its mutation implies: ``must_refuse`` is True
when the mutation certainly makes the file invalid (a duplicate key, a quoted number, a
position off the scale, ...). :func:`judge` loads the case, and when it is accepted checks
the schema's invariants, forecasts it with the models and scores its plans, and returns
the findings by category:

``crash``
    an exception other than parley's own clear errors (``ParleyError``);
``silent``
    a file that had to be refused was accepted, or an accepted scenario breaks an
    invariant (positions on their scales, saliences in [0, 1], unique ids, references
    that resolve);
``bad-forecast``
    a forecast that is NaN (without ``diagnostics["no_forecast"]`` saying why), infinite or off
    the issue's scale;
``slow``
    a step took longer than the time allowed (the benchmark's hang detector).
"""

from __future__ import annotations

import copy
import json
import math
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

import numpy as np
import yaml

from parley.errors import ParleyError

__all__ = ["Case", "Chooser", "Finding", "RandomChooser", "generate", "invariants", "judge", "load_seed", "mutate"]

T = TypeVar("T")


class Chooser(Protocol):
    """Where the fuzzer's choices come from (a seeded generator, or Hypothesis)."""

    def integer(self, lo: int, hi: int) -> int:
        """An integer in [lo, hi]."""
        ...

    def real(self, lo: float, hi: float) -> float:
        """A float in [lo, hi]."""
        ...


@dataclass
class RandomChooser:
    """Choices drawn from a numpy generator."""

    rng: np.random.Generator

    def integer(self, lo: int, hi: int) -> int:
        """An integer in [lo, hi]."""
        return int(self.rng.integers(lo, hi + 1))

    def real(self, lo: float, hi: float) -> float:
        """A float in [lo, hi]."""
        return float(self.rng.uniform(lo, hi))


def _pick(ch: Chooser, items: Sequence[T]) -> T:
    return items[ch.integer(0, len(items) - 1)]


@dataclass
class Case:
    """A fuzzed file: its text, format, how it was made, and whether it must be refused."""

    text: str
    fmt: str
    how: list[str] = field(default_factory=list)
    must_refuse: bool = False


@dataclass
class Finding:
    """One thing wrong: its category, the step where it happened and what happened."""

    category: str
    step: str
    detail: str


# ------------------------------------------------------------------ generation


def generate(ch: Chooser) -> dict[str, Any]:
    """A valid random scenario: 1–6 issues, 1–8 actors, stances on scale, plans, a shock."""
    m = ch.integer(1, 6)
    n = ch.integer(1, 8)
    issues = []
    for k in range(m):
        lo = _pick(ch, [0.0, -100.0, 0.5, 1990.0, -1e6])
        span = _pick(ch, [1.0, 4.0, 100.0, 1e-3, 1e6])
        issue: dict[str, Any] = {"id": f"i{k}", "scale": {"min": lo, "max": lo + span}}
        if ch.integer(0, 1):
            issue["status_quo"] = lo + span * ch.real(0, 1)
        if ch.integer(0, 3) == 0:
            issue["anchors"] = {lo: "low", lo + span: "high"}
        issues.append(issue)
    actors = []
    for a in range(n):
        stances = {}
        for k, issue in enumerate(issues):
            if ch.integer(0, 4) == 0 and k > 0:
                continue
            lo, hi = issue["scale"]["min"], issue["scale"]["max"]
            pos = lo + (hi - lo) * ch.real(0, 1)
            stance: dict[str, Any] = {"position": pos, "salience": _pick(ch, [0.0, 0.1, 0.5, 1.0, ch.real(0, 1)])}
            if ch.integer(0, 3) == 0:
                low, high = lo + (pos - lo) * ch.real(0, 1), pos + (hi - pos) * ch.real(0, 1)
                stance["uncertainty"] = {"low": low, "high": high}
            stances[issue["id"]] = stance
        actors.append({"id": f"a{a}", "capability": _pick(ch, [1, 0.5, 100, 1e-6, 1e9, ch.real(0.01, 10)]),
                       "stances": stances})
    plans = []
    for p in range(ch.integer(0, 3)):
        issue = _pick(ch, issues)
        lo, hi = issue["scale"]["min"], issue["scale"]["max"]
        plan: dict[str, Any] = {"id": f"p{p}", "provisions": [
            {"text": "a provision", "issue": issue["id"], "position": lo + (hi - lo) * ch.real(0, 1)}]}
        if p > 0 and ch.integer(0, 1):
            plan["based_on"] = f"p{p - 1}"
            plan["inherit"] = bool(ch.integer(0, 1))
        plans.append(plan)
    data: dict[str, Any] = {"schema_version": 1, "title": "fuzz", "issues": issues, "actors": actors}
    if plans:
        data["plans"] = plans
    if ch.integer(0, 2) == 0:
        data["shocks"] = [{"id": "s", "changes": [{"op": "scale", "actor": "a0", "target": "capability",
                                                   "factor": 2}]}]
    return data


# ------------------------------------------------------------------ mutation

_NUMBER_FIELDS = ("position", "salience", "stated", "status_quo", "capability", "min", "max", "low", "high",
                  "mode", "value", "factor")
_POSITION_FIELDS = ("position", "stated", "status_quo", "low", "high", "mode")


def _leaves(data: Any, path: tuple[Any, ...] = ()) -> list[tuple[tuple[Any, ...], Any]]:
    """Every (path, value) in a parsed document, iteratively."""
    out: list[tuple[tuple[Any, ...], Any]] = []
    stack: list[tuple[tuple[Any, ...], Any]] = [(path, data)]
    while stack:
        p, v = stack.pop()
        out.append((p, v))
        if isinstance(v, dict):
            stack.extend(((*p, k), w) for k, w in v.items())
        elif isinstance(v, list):
            stack.extend(((*p, i), w) for i, w in enumerate(v))
    return out


def _set(data: Any, path: tuple[Any, ...], value: Any) -> None:
    target = data
    for part in path[:-1]:
        target = target[part]
    target[path[-1]] = value


def _delete(data: Any, path: tuple[Any, ...]) -> None:
    target = data
    for part in path[:-1]:
        target = target[part]
    del target[path[-1]]


_ODD_VALUES: list[Any] = [
    None, True, False, 0, -1, 1, 0.5, 2, 1e308, -1e308, 5e-324, 10**20, -(10**20), 1e20, "", "x", "44.0", "0.5",
    " 7 ", "nan", "inf", [], {}, [1, 2], {"a": 1}, "a" * 300, "\u00e9\u00e8", "line\nbreak", 1.7, 100, 1e12,
]


def _data_mutation(ch: Chooser, data: dict[str, Any], how: list[str]) -> bool:
    """Change the parsed document in place; True when the result must be refused."""
    kind = _pick(ch, ["value", "value", "number-text", "bool-number", "delete", "duplicate-id", "off-scale",
                      "zero-saliences", "extra-key", "dangling", "empty-list", "cycle", "big-number"])
    how.append(kind)
    leaves = [(p, v) for p, v in _leaves(data) if p]
    if not leaves:
        return False
    if kind == "value":
        path, _ = _pick(ch, leaves)
        value = _pick(ch, _ODD_VALUES)
        _set(data, path, copy.deepcopy(value))
        how.append(f"{'.'.join(map(str, path))}={value!r:.40}")
        return False
    numeric = [(p, v) for p, v in leaves if p[-1] in _NUMBER_FIELDS and isinstance(v, (int, float))
               and not isinstance(v, bool)]
    if kind in ("number-text", "bool-number", "off-scale", "big-number") and numeric:
        path, v = _pick(ch, numeric)
        how.append(".".join(map(str, path)))
        if kind == "number-text":
            # text YAML writes unquoted and reads back as a number (1e-06) gets spaces, so it stays text
            forms = [f" {v} "] if "e" in repr(v) and "." not in repr(v) else [repr(v), str(v), f" {v} "]
            _set(data, path, _pick(ch, forms))
            return True
        if kind == "bool-number":
            _set(data, path, bool(ch.integer(0, 1)))
            return True
        if kind == "big-number":
            _set(data, path, _pick(ch, [10**20, 1e308, -1e300, 10**400]))
            return True
        if path[-1] in _POSITION_FIELDS and "shocks" not in path:
            # far beyond any generated scale: the file must be refused
            _set(data, path, float(_pick(ch, [1e9, -1e9, 8e8])))
            return True
        return False
    if kind == "delete":
        path, _ = _pick(ch, leaves)
        _delete(data, path)
        how.append(".".join(map(str, path)))
        return False
    if kind == "duplicate-id":
        key = _pick(ch, ["issues", "actors", "plans"])
        items = data.get(key)
        if isinstance(items, list) and items and isinstance(items[0], dict) and "id" in items[0]:
            items.append(copy.deepcopy(_pick(ch, items)))
            return True
        return False
    if kind == "zero-saliences":
        actors = data.get("actors")
        for actor in actors if isinstance(actors, list) else []:
            stances = actor.get("stances") if isinstance(actor, dict) else None
            for stance in stances.values() if isinstance(stances, dict) else []:
                if isinstance(stance, dict):
                    stance["salience"] = 0
        return False
    if kind == "extra-key":
        dicts = [(p, v) for p, v in leaves if isinstance(v, dict) and p and p[0] != "metadata"]
        if dicts:
            path, entry = _pick(ch, dicts)
            free = ("stances", "capability", "outside_option", "anchors", "metadata")
            if not (len(path) >= 2 and path[-2] in free[:4]) and path[-1] not in free:
                entry["not_a_field"] = 1
                return True
        return False
    if kind == "dangling":
        refs = [(p, v) for p, v in leaves if p[-1] in ("issue", "actor", "based_on", "proposer") and
                isinstance(v, str)]
        if refs:
            path, _ = _pick(ch, refs)
            _set(data, path, "nobody_by_this_name")
            return True
        return False
    if kind == "empty-list":
        key = _pick(ch, ["issues", "actors"])
        if key in data:
            data[key] = []
            return True
        return False
    if kind == "cycle":
        plans = data.get("plans")
        if isinstance(plans, list) and plans and all(isinstance(p, dict) and "id" in p for p in plans):
            for k, plan in enumerate(plans):
                plan["based_on"] = plans[k - 1]["id"]
            return True
        return False
    return False


def _text_mutation(ch: Chooser, text: str, fmt: str, how: list[str]) -> tuple[str, bool]:
    """Change the file text; returns the text and whether it must be refused."""
    kind = _pick(ch, ["dup-key", "truncate", "alias-bomb", "deep", "byte", "long-chain", "big-int", "surrogate",
                      "quote-number"])
    how.append(kind)
    lines = text.splitlines()
    if kind == "dup-key":
        if fmt == "json":
            doubled = r'"schema_version": \1, "schema_version": \1'
            return re.sub(r'"schema_version": (\d+)', doubled, text, count=1), True
        return text + ("\n" if not text.endswith("\n") else "") + "schema_version: 1\n", True
    if kind == "truncate":
        return text[: ch.integer(0, max(0, len(text) - 1))], False
    if kind == "alias-bomb" and fmt == "yaml":
        bomb = ["  a0: &a0 [x, x, x, x, x, x, x, x, x]"]
        bomb += [f"  a{k}: &a{k} [" + ", ".join([f"*a{k - 1}"] * 9) + "]" for k in range(1, ch.integer(5, 9))]
        return "metadata:\n" + "\n".join(bomb) + "\n" + text, True  # a bomb, or a second 'metadata' key
    if kind == "deep":
        depth = ch.integer(50, 3000)
        nest = "[" * depth + "]" * depth
        if fmt == "json":
            return text.replace("{", '{"metadata": {"x": ' + nest + "}, ", 1), True
        return f"metadata: {{x: {nest}}}\n" + text, True  # too deep, or a second 'metadata' key
    if kind == "byte" and text:
        at = ch.integer(0, len(text) - 1)
        odd = _pick(ch, ["\x00", "\t", "'", '"', "{", "-", ":", "&", "*", "\ufeff", "#"])
        return text[:at] + odd + text[at:], False
    if kind == "long-chain":
        n = ch.integer(200, 1500)
        plans = [{"id": f"c{k}", "based_on": f"c{k - 1}" if k else None, "inherit": True,
                  "provisions": [] if k else [{"text": "t", "no_issue_reason": "none"}]} for k in range(n)][::-1]
        data = _parse(text, fmt)
        if isinstance(data, dict) and "plans" not in data:
            data["plans"] = plans
            return _dump(data, fmt), False
        return text, False
    if kind == "big-int":
        key = "schema_version: " if fmt == "yaml" else '"schema_version": '
        return re.sub(re.escape(key) + r"\d+", key + "9" * ch.integer(17, 6000), text, count=1), True
    if kind == "surrogate" and fmt == "json":
        return text.replace('"fuzz"', '"\\ud800"', 1), '"fuzz"' in text
    if kind == "quote-number" and lines:
        numbered = [k for k, line in enumerate(lines) if "position: " in line and "'" not in line]
        if numbered and fmt == "yaml":
            k = _pick(ch, numbered)
            head, _, tail = lines[k].partition("position: ")
            value, sep, rest = tail.partition(",") if tail.count(",") else (tail, "", "")
            if value.strip() and value.strip()[0] in "-0123456789." and "}" not in value:
                lines[k] = f"{head}position: '{value.strip()}'{sep}{rest}"
                return "\n".join(lines) + "\n", True
    return text, False


_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_DUMPER: Any = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


def load_seed(text: str) -> dict[str, Any]:
    """A seed scenario's text, parsed once."""
    data = yaml.load(text, Loader=_LOADER)
    if not isinstance(data, dict):
        raise ValueError("a seed scenario must be a mapping")
    return data


def _parse(text: str, fmt: str) -> Any:
    try:
        return json.loads(text) if fmt == "json" else yaml.load(text, Loader=_LOADER)
    except Exception:  # a mutated text that does not parse: no data mutation on it
        return None


def _dump(data: Any, fmt: str) -> str:
    if fmt == "json":
        return json.dumps(data, indent=1, default=str)
    return yaml.dump(data, Dumper=_DUMPER, sort_keys=False, allow_unicode=True, width=200)


def mutate(ch: Chooser, seeds: Sequence[dict[str, Any]]) -> Case:
    """A fuzzed case: a seed scenario (parsed, see :func:`load_seed`) or a generated one, mutated
    a few times, as YAML or JSON."""
    how: list[str] = []
    source = ch.integer(0, len(seeds))
    if source < len(seeds):
        data = json.loads(json.dumps(seeds[source], default=str))  # a deep copy, faster than copy.deepcopy
        how.append(f"seed {source}")
    else:
        data = generate(ch)
        how.append("generated")
    fmt = _pick(ch, ["yaml", "json"])
    must = False
    for _ in range(ch.integer(0, 3)):
        if not isinstance(data, dict):
            break
        # a later mutation may undo an earlier one (delete the bad value, overwrite it): only the
        # last one's verdict is certain
        must = _data_mutation(ch, data, how)
    text = _dump(data, fmt)
    if ch.integer(0, 2) == 0:
        text, refuse = _text_mutation(ch, text, fmt, how)
        undoes = how[-1] in ("truncate", "byte")  # may cut or comment out what made the file invalid
        must = refuse or (must and not undoes)
    return Case(text=text, fmt=fmt, how=how, must_refuse=must)


# ------------------------------------------------------------------ the oracle


def _timed(findings: list[Finding], step: str, limit: float, fn: Callable[[], T]) -> T | None:
    start = time.perf_counter()
    try:
        return fn()
    except ParleyError:
        return None
    except Exception as e:  # the point of the fuzzer: anything else is a crash
        findings.append(Finding("crash", step, f"{type(e).__name__}: {str(e)[:200]}"))
        return None
    finally:
        took = time.perf_counter() - start
        if took > limit:
            findings.append(Finding("slow", step, f"{took:.1f} s"))


def invariants(sc: Any) -> list[str]:
    """What an accepted scenario must satisfy; returns what it breaks."""
    broken: list[str] = []
    lo, hi = sc.lower, sc.upper
    if not np.all(np.isfinite(lo)) or not np.all(np.isfinite(hi)) or not np.all(hi > lo):
        broken.append("a scale is not finite and ordered")
    pos = np.where(sc.mask, sc.positions, lo)
    stated = np.where(sc.mask, sc.stated, lo)
    for name, arr in (("position", pos), ("stated", stated)):
        if not np.all((arr >= lo) & (arr <= hi)):
            broken.append(f"a {name} is off its scale")
    if not np.all((sc.saliences >= 0) & (sc.saliences <= 1)):
        broken.append("a salience is outside [0, 1]")
    if not np.all(np.isfinite(sc.capabilities) & (sc.capabilities > 0)):
        broken.append("a capability is not a positive finite number")
    for ids, what in ((sc.issue_ids, "issue"), (sc.actor_ids, "actor"), (tuple(p.id for p in sc.plans), "plan")):
        if len(set(ids)) != len(ids):
            broken.append(f"{what} ids repeat")
    sq = sc.status_quo
    if not np.all(np.isnan(sq) | ((sq >= lo) & (sq <= hi))):
        broken.append("a status quo is off its scale")
    issues = {i.id: i for i in sc.issues}
    plan_ids = {p.id for p in sc.plans}
    for plan in sc.plans:
        if plan.based_on is not None and plan.based_on not in plan_ids:
            broken.append(f"plan {plan.id} is based on a missing plan")
        for prov in plan.provisions:
            if prov.issue is None:
                continue
            if prov.issue not in issues:
                broken.append(f"plan {plan.id} names a missing issue")
            elif prov.position is None:
                d = prov.deferred
                if d is None:
                    broken.append(f"plan {plan.id} names '{prov.issue}' with neither a position nor a deferral")
                else:
                    lo_i, hi_i = issues[prov.issue].lower, issues[prov.issue].upper
                    bounds = [b for b in (d.low, d.high) if b is not None]
                    if not all(lo_i <= b <= hi_i for b in bounds):
                        broken.append(f"plan {plan.id} defers '{prov.issue}' over a range off its scale")
            elif not issues[prov.issue].lower <= prov.position <= issues[prov.issue].upper:
                broken.append(f"plan {plan.id} puts '{prov.issue}' off its scale")
    for spec in sc.spec.actors:
        for key, value in spec.outside_option.items():
            if key in issues and not issues[key].lower <= value <= issues[key].upper:
                broken.append(f"actor {spec.id}'s outside option on '{key}' is off its scale")
    for issue in sc.issues:
        for x, _ in issue.anchors:
            if not issue.lower <= x <= issue.upper:
                broken.append(f"an anchor of '{issue.id}' is off its scale")
    return broken


def judge(case: Case, *, models: Sequence[str] = ("compromise",), plans: bool = True,
          limit: float = 10.0) -> list[Finding]:
    """Load a case, check what parley makes of it, and return every finding (none: all well).

    Parameters
    ----------
    case
        The fuzzed file.
    models
        Models to forecast an accepted scenario with.
    plans
        Also score the plans of an accepted scenario (one model, compromise).
    limit
        Seconds a step may take before it counts as ``slow``.
    """
    from parley.analysis.plans.report import plan_report
    from parley.models.base import get_model
    from parley.scenario.io import scenario_from_text

    findings: list[Finding] = []
    sc = _timed(findings, "validate", limit, lambda: scenario_from_text(case.text, "<fuzz>", case.fmt))
    if sc is None:
        return findings
    if case.must_refuse:
        what = "accepted a file that had to be refused: " + " / ".join(case.how)
        findings.append(Finding("silent", "validate", what))
    findings.extend(Finding("silent", "validate", b) for b in invariants(sc))
    _timed(findings, "scenario_id", limit, lambda: sc.scenario_id)
    lo, hi = sc.lower, sc.upper
    for name in models:

        def run(name: str = name) -> Any:
            return get_model(name).forecast(sc, rng=1)

        f = _timed(findings, f"forecast {name}", limit, run)
        if f is None:
            continue
        explained = f.diagnostics.get("no_forecast") or {}
        for k, issue in enumerate(sc.issue_ids):
            x = f.outcomes[issue]
            if issue in explained and math.isnan(x):
                continue  # no actor cares about it: no forecast, and the reason is given
            if not math.isfinite(x):
                findings.append(Finding("bad-forecast", f"forecast {name}", f"{issue}: {x}"))
            elif not lo[k] - 1e-9 * (hi[k] - lo[k]) <= x <= hi[k] + 1e-9 * (hi[k] - lo[k]):
                findings.append(Finding("bad-forecast", f"forecast {name}", f"{issue}: {x} off [{lo[k]}, {hi[k]}]"))
    if plans and sc.plans:
        def score() -> str:
            from parley._json import json_safe

            rep = plan_report(sc, None, models=["compromise"], rng=1)
            return json.dumps(json_safe(rep.to_dict()), allow_nan=False)

        _timed(findings, "plans", limit, score)
    return findings
