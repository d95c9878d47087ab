"""Coding a pasted plan text into draft provisions of a scenario (``parley code``).

The text is split into numbered points and sub-points (:func:`split_points`). Each point is
compared with everything the scenario already says about its issues — each issue's label,
description and orientation, its anchor labels, and every provision already coded in its
plans — through TF-IDF features over words (1–2 grams) and characters (3–5 grams) and cosine
similarity (scikit-learn; nothing is downloaded). A point maps to the issues whose nearest
labelled example is close enough and closer than the nearest *unmapped* provision (those with a
``no_issue_reason``). Its position is a quantity read from the text when the issue's scale has a
unit the text names (600,000 troops → 600 on a thousand-personnel scale; within 100 days → 100
on a days scale), otherwise the position of the nearest labelled example of that issue (an
anchor or an earlier provision). Every provision carries its evidence, a confidence and
``review: true`` when that confidence is low; a point that maps to no issue gets
``no_issue_reason: "not mapped — review"``. Nothing is written into the scenario.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from parley.scenario.schema import IssueSpec, ScenarioSpec

NOT_MAPPED = "not mapped — review"
DEFERRED = "deferred: the text leaves this to later talks — review"

_NUMBERED = re.compile(r"^\s*(?:point\s+)?(\d{1,3})\s*[.):]\s+(.*)$", re.I)
_LETTERED = re.compile(r"^\s*(?:[-*•]\s*)?\(?([a-z])\)\s+(.*)$")
_BULLET = re.compile(r"^\s*[-*•]\s+(.*)$")
_MULT = {
    "thousand": 1e3,
    "k": 1e3,
    "000": 1e3,
    "million": 1e6,
    "mn": 1e6,
    "m": 1e6,
    "billion": 1e9,
    "bn": 1e9,
    "b": 1e9,
    "trillion": 1e12,
    "tn": 1e12,
}
_QUANTITY = re.compile(
    r"(?<![\w.])\$?(\d{1,3}(?:[,\u202f\u00a0 ]\d{3})+|\d+(?:\.\d+)?)\s*"
    r"(thousand|million|billion|trillion|bn|mn|tn|k|m|b)?\b\s*(%|per\s*cent|percent)?\s*"
    r"((?:[a-z-]+\s+){0,2}[a-z-]+)?",
    re.I,
)
_TIME = {"day": 1.0, "week": 7.0, "month": 30.0, "year": 365.0}
_DEFERRAL = re.compile(
    r"\b(left (?:to|for)|deferred|to be (?:decided|agreed|negotiated|settled)|postponed|unresolved|"
    r"later talks|decide later)\b",
    re.I,
)


@dataclass(frozen=True)
class Point:
    """One point of a text: its number (``"6"``, ``"21(d)"``) and its wording."""

    point: str
    text: str
    context: str = ""


@dataclass
class Coded:
    """The draft coding of one point on one issue (or on none)."""

    point: str
    text: str
    issue: str | None
    position: float | None
    confidence: float
    evidence: str
    no_issue_reason: str = ""
    review: bool = False
    strength: float = 0.0  # how well the position is supported (1 for a quantity); not written out

    def to_provision(self) -> dict[str, Any]:
        """The provision as a scenario mapping (fields in the usual order)."""
        out: dict[str, Any] = {"point": self.point, "text": self.text}
        if self.issue is not None and self.position is not None:
            out["issue"] = self.issue
            out["position"] = _tidy(self.position)
        else:
            out["no_issue_reason"] = self.no_issue_reason or NOT_MAPPED
        out["confidence"] = round(float(self.confidence), 2)
        out["evidence"] = self.evidence
        if self.review:
            out["review"] = True
        return out


@dataclass
class CodedPlan:
    """A drafted plan: its points and their codings."""

    plan_id: str
    title: str
    points: list[Point]
    coded: list[Coded] = field(default_factory=list)

    def to_plan(self) -> dict[str, Any]:
        """The plan as a scenario mapping, ready to go under ``plans:``."""
        return {
            "id": self.plan_id,
            "title": self.title,
            "note": "drafted by `parley code`; check every provision marked review: true",
            "provisions": [c.to_provision() for c in self.coded],
        }

    def to_yaml(self) -> str:
        """The plan as YAML: a one-entry list to paste under the scenario's ``plans:``."""
        import yaml

        head = (
            "# Drafted by `parley code`. Check every provision with `review: true`\n"
            "# (and the others), then paste this entry under `plans:` in the scenario.\n"
            "# confidence and evidence say why each was coded so.\n"
        )  # lines within 80 columns (width is YAML's soft limit for folding long strings)
        body = yaml.safe_dump([self.to_plan()], sort_keys=False, allow_unicode=True, width=64)
        return head + body


def _tidy(x: float) -> float | int:
    return int(x) if float(x).is_integer() else round(float(x), 3)


def _clean(line: str) -> str:
    line = re.sub(r"\*\*|__|(?<!\w)\*(?!\s)|(?<!\s)\*(?!\w)", "", line)
    return " ".join(line.split())


def split_points(text: str) -> list[Point]:
    """Split a plan text into numbered points and sub-points.

    ``6. ...`` starts point 6; under it, ``(a) ...``, ``- (a) ...`` or ``a) ...`` start sub-point
    ``6(a)``; plain bullets under a point become ``6(a)``, ``6(b)`` ... (or stay ``6`` when the
    point also has lettered sub-points). A heading point with sub-points is not a provision
    itself; its words are kept as context. Bullets outside any numbered point are numbered
    ``1``, ``2``, ...; a text with neither numbers nor bullets is split into sentences.
    """
    lines = [ln.rstrip() for ln in text.replace("\r\n", "\n").split("\n")]
    blocks: list[dict[str, Any]] = []  # {num, head, subs: [[letter|None, text]]}
    free: list[str] = []
    current: dict[str, Any] | None = None
    last: list[Any] | None = None  # where continuation lines go: [kind, ref]
    for raw in lines:
        if not raw.strip():
            continue
        m = _NUMBERED.match(raw)
        if m:
            current = {"num": m.group(1), "head": m.group(2), "subs": []}
            blocks.append(current)
            last = ["head", current]
            continue
        lm = _LETTERED.match(raw)
        bm = _BULLET.match(raw)
        if current is not None and (lm or bm) and (raw[:1].isspace() or lm):
            if lm:
                current["subs"].append([lm.group(1), lm.group(2)])
            else:
                assert bm is not None
                current["subs"].append([None, bm.group(1)])
            last = ["sub", current["subs"][-1]]
            continue
        if bm and not raw[:1].isspace():
            current = None
            free.append(bm.group(1))
            last = ["free", len(free) - 1]
            continue
        if last is None:
            free.append(raw.strip())
            last = ["free", len(free) - 1]
        elif last[0] == "head":
            last[1]["head"] += " " + raw.strip()
        elif last[0] == "sub":
            last[1][1] += " " + raw.strip()
        else:
            free[last[1]] += " " + raw.strip()
    points: list[Point] = []
    for b in blocks:
        head = _clean(b["head"])
        subs = [s for s in b["subs"] if _clean(s[1])]
        if not subs:
            points.append(Point(b["num"], head))
            continue
        lettered = any(s[0] for s in subs)
        heading_only = len(head.rstrip(":").split()) <= 8 or head.endswith(":")
        if not heading_only:
            points.append(Point(b["num"], head))
        n = 0
        for letter, body in subs:
            if letter:
                label = f"{b['num']}({letter})"
            elif lettered:
                label = b["num"]
            else:
                label = f"{b['num']}({chr(ord('a') + n)})"
                n += 1
            points.append(Point(label, _clean(body), context=head.rstrip(":")))
    items = [_clean(f) for f in free if _clean(f)]
    if not blocks and len(items) == 1:
        items = [s for s in re.split(r"(?<=[.;!?])\s+(?=[A-Z\"'(])", items[0]) if s.strip()]
    for i, item in enumerate(items):
        points.append(Point(str(i + 1) if not blocks else f"({i + 1})", item))
    return points


# ------------------------------------------------------------------ quantities


def _unit_words(unit: str) -> tuple[float, str, set[str]]:
    """Multiplier, time base and the words of an issue's unit (``thousand personnel`` → 1000, '', {...})."""
    words = re.findall(r"[a-z]+", unit.lower())
    mult = 1.0
    time = ""
    for w in words:
        if w in ("thousand", "thousands"):
            mult = 1e3
        elif w in ("million", "millions"):
            mult = 1e6
        elif w in ("billion", "billions", "bn"):
            mult = 1e9
        for t in _TIME:
            if w.startswith(t):
                time = t
    return mult, time, {w for w in words if len(w) > 2}


def _parse_number(digits: str) -> float:
    return float(re.sub(r"[,\u202f\u00a0 ]", "", digits))


def find_quantity(text: str, issue: IssueSpec) -> tuple[float, str] | None:
    """A quantity in ``text`` on the issue's scale, with the words it came from, or None.

    Ordinal scales (unit ``ordinal ...`` or ``step``) take no quantities. A number counts when
    its unit agrees with the issue's: a time unit (days, weeks, months, years) converted to the
    scale's; a magnitude (thousand, million, billion, or a number written with thousands) divided
    by the scale's multiplier; a percentage on a percent scale.
    """
    unit = issue.scale.unit.lower()
    if not unit or "ordinal" in unit or "step" in unit:
        return None
    mult, time, words = _unit_words(unit)
    percent_scale = "percent" in unit or "%" in unit
    lo, hi = issue.scale.min, issue.scale.max
    for m in _QUANTITY.finditer(text):
        digits, magnitude, pct, after = m.group(1), (m.group(2) or "").lower(), m.group(3), (m.group(4) or "").lower()
        value = _parse_number(digits)
        after_words = after.split()
        if time:
            t = next((t for w in after_words[:2] for t in _TIME if w.startswith(t)), None)
            if t is None:
                continue
            x = value * _TIME[t] / _TIME[time]
        elif percent_scale:
            if not pct:
                continue
            x = value
        else:
            scale = _MULT.get(magnitude, 1.0)
            if magnitude in ("m", "b") and not after_words:
                scale = _MULT[magnitude]
            raw = value * scale
            if mult > 1 and raw < mult:
                continue
            x = raw / mult
            money = m.group(0).startswith("$") or text[max(0, m.start() - 1) : m.start()] in ("€", "£")
            if money and not words & {"dollars", "usd", "euro", "euros", "eur", "bn", "billion", "million"}:
                continue
            if mult == 1 and not (set(after_words[:3]) & words):
                continue
        if lo <= x <= hi:
            return x, m.group(0).strip()
    return None


# ------------------------------------------------------------------ the coder


@dataclass(frozen=True)
class _Doc:
    text: str
    issue: str | None
    position: float | None
    kind: str  # label, description, anchor, provision, unmapped


def _training_docs(spec: ScenarioSpec) -> list[_Doc]:
    docs: list[_Doc] = []
    for issue in spec.issues:
        name = issue.label or issue.id.replace("_", " ")
        docs.append(_Doc(f"{name}. {issue.id.replace('_', ' ')}", issue.id, None, "label"))
        if issue.description:
            docs.append(_Doc(issue.description, issue.id, None, "description"))
        if issue.orientation:
            docs.append(_Doc(f"{name}: {issue.orientation}", issue.id, None, "orientation"))
        for pos, label in issue.anchors.items():
            docs.append(_Doc(f"{name}: {label}", issue.id, float(pos), "anchor"))
    for plan in spec.plans:
        for prov in plan.provisions:
            if prov.issue is not None:
                docs.append(_Doc(prov.text, prov.issue, prov.position, f"provision of {plan.id}"))
            else:
                docs.append(_Doc(prov.text, None, None, f"unmapped provision of {plan.id}"))
    return docs


@dataclass(frozen=True)
class CoderSettings:
    """Thresholds of the coder.

    ``min_similarity`` and ``second_issue`` were chosen by a grid search on one text only, the US 28
    points of the 2025 case (benchmarks/bench_code.py); the other texts were not used to choose them.

    Attributes
    ----------
    min_similarity
        Cosine similarity the nearest example of an issue must reach for a point to map to it.
    second_issue
        A further issue is added when its score is at least this share of the best issue's.
    unmapped_margin
        The best issue must beat the nearest unmapped provision by this much.
    review_below
        Codings with a confidence below this are marked ``review: true``.
    """

    min_similarity: float = 0.2
    second_issue: float = 0.75
    unmapped_margin: float = 0.0
    review_below: float = 0.5


class Coder:
    """Learns a scenario's issues and codes texts against them.

    Parameters
    ----------
    spec
        The scenario (its file form) whose issues, anchors and provisions are the examples.
    settings
        Thresholds; the defaults are documented in :class:`CoderSettings`.
    """

    def __init__(self, spec: ScenarioSpec, settings: CoderSettings | None = None) -> None:
        from sklearn.feature_extraction.text import TfidfVectorizer

        self.spec = spec
        self.settings = settings or CoderSettings()
        self.issues = {i.id: i for i in spec.issues}
        self.docs = _training_docs(spec)
        self._word = TfidfVectorizer(
            analyzer="word", ngram_range=(1, 2), sublinear_tf=True, stop_words="english", token_pattern=r"(?u)\b\w+\b"
        )
        self._char = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True)

    def _features(self, texts: list[str]) -> tuple[Any, Any, Any]:
        from scipy.sparse import hstack
        from sklearn.preprocessing import normalize

        corpus = [d.text for d in self.docs] + texts
        w = self._word.fit_transform(corpus)
        c = self._char.fit_transform(corpus)
        both = normalize(hstack([w, c]).tocsr())
        n = len(self.docs)
        return both[:n], both[n:], w

    def code(self, text: str, plan_id: str = "coded-plan", title: str = "") -> CodedPlan:
        """Split ``text`` into points and code each one; see the module docstring."""
        points = split_points(text)
        plan = CodedPlan(plan_id, title or "Drafted by parley code", points)
        if not points:
            return plan
        queries = [f"{p.context}: {p.text}" if p.context else p.text for p in points]
        train, query, words = self._features(queries)
        sims = np.asarray((query @ train.T).todense())
        vocab = np.array(self._word.get_feature_names_out())
        n = len(self.docs)
        mapped_idx = [k for k, d in enumerate(self.docs) if d.issue is not None]
        unmapped_idx = [k for k, d in enumerate(self.docs) if d.issue is None]
        s = self.settings
        for qi, point in enumerate(points):
            row = sims[qi]
            best_by_issue: dict[str, tuple[float, int]] = {}
            for k in mapped_idx:
                iid = self.docs[k].issue
                assert iid is not None
                if iid not in best_by_issue or row[k] > best_by_issue[iid][0]:
                    best_by_issue[iid] = (float(row[k]), k)
            quantities = {iid: q for iid in self.issues if (q := find_quantity(point.text, self.issues[iid]))}
            none_score = max((float(row[k]) for k in unmapped_idx), default=0.0)
            ranked = sorted(best_by_issue.items(), key=lambda kv: -kv[1][0])
            chosen: list[tuple[str, float, int]] = []
            if ranked:
                top_iid, (top, top_k) = ranked[0]
                if top >= s.min_similarity and top > none_score + s.unmapped_margin:
                    chosen.append((top_iid, top, top_k))
                    for iid, (sc, k) in ranked[1:]:
                        if sc >= s.second_issue * top and sc >= s.min_similarity and sc > none_score:
                            chosen.append((iid, sc, k))
            # a quantity on an issue's own unit is strong evidence for that issue
            for iid, _q in quantities.items():
                if iid not in [c[0] for c in chosen] and iid in best_by_issue:
                    sc, k = best_by_issue[iid]
                    if sc >= s.min_similarity / 2:
                        chosen.insert(0, (iid, max(sc, top if ranked else sc), k))
            if chosen and _DEFERRAL.search(point.text):
                words_hit = _DEFERRAL.search(point.text)
                assert words_hit is not None
                plan.coded.append(
                    Coded(
                        point.point,
                        point.text,
                        None,
                        None,
                        0.5,
                        f"'{words_hit.group(0)}': the text defers "
                        + ", ".join(c[0] for c in chosen)
                        + " to later talks",
                        no_issue_reason=DEFERRED,
                        review=True,
                    )
                )
                continue
            if not chosen:
                near = unmapped_idx[int(np.argmax([row[k] for k in unmapped_idx]))] if unmapped_idx else None
                why = (
                    f"nearest: {self.docs[near].kind} '{_short(self.docs[near].text)}' ({none_score:.2f})"
                    if near is not None and none_score > 0
                    else "no issue's examples are close"
                )
                best = f"; best issue {ranked[0][0]} at {ranked[0][1][0]:.2f}" if ranked else ""
                plan.coded.append(Coded(point.point, point.text, None, None, 0.0, why + best, NOT_MAPPED, review=True))
                continue
            for iid, score, k in chosen:
                position, pos_conf, pos_why = self._position(point.text, iid, row, quantities.get(iid))
                shared = _shared_words(words[n + qi], words[k], vocab)
                margin = score - none_score
                # a similarity of 0.5 to the nearest example, 0.2 ahead of the nearest unmapped text: sure
                issue_conf = float(min(1.0, score / 0.5) * min(1.0, 0.5 + max(margin, 0.0) / 0.4))
                conf = min(issue_conf, pos_conf) if iid not in quantities else max(issue_conf, pos_conf) * 0.95
                evidence = (
                    f"issue from {self.docs[k].kind} '{_short(self.docs[k].text)}' ({score:.2f}"
                    + (f"; words: {', '.join(shared)}" if shared else "")
                    + f"); position {pos_why}"
                )
                secondary = iid != chosen[0][0]
                if secondary:
                    conf *= score / chosen[0][1]
                    evidence += f"; a further issue of this point ({score / chosen[0][1]:.0%} of the best score)"
                plan.coded.append(
                    Coded(
                        point.point,
                        point.text,
                        iid,
                        position,
                        conf,
                        evidence,
                        review=conf < s.review_below or secondary,
                        strength=1.0 if iid in quantities else pos_conf * (score / chosen[0][1]),
                    )
                )
        _one_position_per_issue(plan.coded)
        return plan

    def _position(
        self, text: str, iid: str, row: np.ndarray, quantity: tuple[float, str] | None
    ) -> tuple[float, float, str]:
        issue = self.issues[iid]
        if quantity is not None:
            x, words = quantity
            unit = issue.scale.unit
            return x, 0.9, f"{_tidy(x)} from '{words}'" + (f" ({unit})" if unit else "")
        best_k, best = -1, -1.0
        for k, d in enumerate(self.docs):
            if d.issue == iid and d.position is not None and row[k] > best:
                best_k, best = k, float(row[k])
        if best_k < 0:
            x = issue.status_quo if issue.status_quo is not None else (issue.scale.min + issue.scale.max) / 2
            return x, 0.1, f"{_tidy(x)}: no labelled example on this issue (status quo or midpoint)"
        d = self.docs[best_k]
        assert d.position is not None
        return (
            d.position,
            float(min(1.0, best / 0.5)),
            f"{_tidy(d.position)} from nearest {d.kind} '{_short(d.text)}' ({best:.2f})",
        )


def _one_position_per_issue(coded: list[Coded]) -> None:
    """A plan puts each issue at one position: where drafts disagree, the best-supported position decides.

    The provisions that are moved keep their own reading in their evidence and are marked review.
    """
    by_issue: dict[str, list[Coded]] = {}
    for c in coded:
        if c.issue is not None:
            by_issue.setdefault(c.issue, []).append(c)
    for group in by_issue.values():
        if len({c.position for c in group}) <= 1:
            continue
        lead = max(group, key=lambda c: (c.strength, c.confidence))
        for c in group:
            if c.position != lead.position:
                assert c.position is not None and lead.position is not None
                c.evidence += (
                    f"; read alone: {_tidy(c.position)}, set to {_tidy(lead.position)} as point {lead.point} "
                    "(a plan puts an issue at one position)"
                )
                c.position = lead.position
                c.review = True


def _short(text: str, n: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1] + "…"


def _shared_words(q: Any, d: Any, vocab: np.ndarray, top: int = 5) -> list[str]:
    qa = q.toarray().ravel()
    da = d.toarray().ravel()
    both = qa * da
    idx = [i for i in np.argsort(-both) if both[i] > 0][:top]
    return [str(vocab[i]) for i in idx]


def code_text(
    text: str, spec: ScenarioSpec, plan_id: str = "coded-plan", title: str = "", settings: CoderSettings | None = None
) -> CodedPlan:
    """Draft the provisions of ``text`` for the scenario ``spec``; see :class:`Coder`."""
    return Coder(spec, settings).code(text, plan_id=plan_id, title=title)
