"""KTAB's Spatial Model of Politics (``smp``) against KTAB's own outputs and hand calculations.

References:

* KTAB.md §7.3 (/work/shared/docs/KTAB.md): outputs of KTAB's ``smpc`` (O2 and stock builds,
  identical) on the seven shipped CSV examples: final positions of every actor for
  ``dummyData_3Dim`` and ``SOE-Pol-Comp``; for every example the number of steps, the last
  "fractional change", the mode, the probability-weighted and capability-weighted means and
  the top unique final positions with their probabilities and actor counts.
* KTAB's reference log ``examples/smp/doc/20170530_ref-dummyData_3Dim.txt`` (KTAB repository,
  reproduced exactly by KTAB.md §7.2): turn-0 risk attitudes, targets, win probabilities,
  expected gains and bargains.
* Hand calculations written out below for the elementary formulas of KTAB.md §5.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from parley.errors import ModelError
from parley.models import get_model
from parley.models.smp import compiled as smp_numba
from parley.models.smp.kernels import (
    coalitions,
    distances,
    pce,
    point_distances,
    risk_from_probability,
    utility,
    victory,
    vote,
)
from parley.models.smp.model import SMP
from parley.models.smp.step import Actors, assess, choose_targets, interpolate, later_twins, unique_positions
from parley.scenario import load_scenario
from parley.scenario.core import Stances
from parley.testing import check_model, random_stances

# ---------------------------------------------------------------------- KTAB.md §7.3

KTAB_3DIM = {  # actor: final position (KTAB.md §7.3, dummyData_3Dim table)
    "SActor-00": (78.56, 31.76, 74.05),
    "SActor-01": (78.56, 31.76, 74.05),
    "SActor-02": (82.45, 90.89, 0.07),
    "SActor-03": (67.12, 50.12, 63.73),
    "SActor-04": (78.60, 31.65, 74.11),
    "SActor-05": (79.88, 34.37, 75.16),
    "SActor-06": (78.60, 31.65, 74.11),
}
KTAB_POLCOMP = {  # KTAB.md §7.3, SOE-Pol-Comp table
    "XJ": (43.18, 43.30), "LK": (43.23, 43.27), "ZG": (38.66, 28.82), "MK": (38.57, 28.79),
    "LH": (38.66, 28.82), "XS": (38.59, 29.52), "NEA": (38.72, 28.97), "MLR": (38.72, 28.97),
    "MEP": (38.71, 28.95), "MOF": (38.82, 30.72), "SHX": (38.82, 30.77), "HLJ": (38.82, 30.77),
    "WY": (15.00, 60.00),
}

# file: (steps, fractional change, mode, prob-weighted mean, cap-weighted mean,
#        top unique positions as (position, probability, actors)), all from KTAB.md §7.3
KTAB_SUMMARY = {
    "dummyData_3Dim": (10, 0.0045, [79.88, 34.37, 75.16], [78.07, 35.63, 72.16], [78.22, 47.39, 56.96], [
        ([79.88, 34.37, 75.16], 0.401, 1), ([78.56, 31.76, 74.05], 0.334, 2), ([78.60, 31.65, 74.11], 0.151, 2),
        ([67.12, 50.12, 63.73], 0.096, 1), ([82.45, 90.89, 0.07], 0.018, 1)]),
    "SOE-Pol-Comp": (27, 0.0083, [38.82, 30.72], [39.73, 32.78], [38.21, 36.84], [
        ([38.82, 30.72], 0.233, 3), ([43.18, 43.30], 0.230, 2), ([38.59, 29.52], 0.220, 1),
        ([38.72, 28.97], 0.206, 3), ([38.66, 28.82], 0.110, 3)]),
    "SOE-Policy": (19, 0.0137, [38.61], [38.56], [34.54], [
        ([38.61], 0.330, 1), ([38.73], 0.244, 9), ([38.45], 0.234, 1), ([38.87], 0.098, 4), ([37.96], 0.080, 3)]),
    "SOE-Competitive": (35, 0.0123, [34.78], [35.07], [36.81], [
        ([34.78], 0.215, 5), ([34.90], 0.205, 6), ([35.10], 0.180, 1), ([35.62], 0.154, 2), ([34.66], 0.133, 9)]),
    "dummyData_6Dim": (29, 0.0185, [42.56, 63.02, 65.96, 94.98, 69.77, 77.11],
                       [42.46, 62.95, 65.76, 94.61, 70.03, 77.16], [41.64, 62.09, 62.51, 91.73, 68.35, 75.88], [
        ([42.56, 63.02, 65.96, 94.98, 69.77, 77.11], 0.277, 3), ([42.60, 62.92, 65.67, 94.17, 70.26, 77.56], 0.273, 2),
        ([42.53, 63.13, 65.79, 95.40, 69.65, 77.02], 0.196, 3), ([42.59, 62.93, 65.99, 94.46, 70.26, 77.11], 0.073, 1),
        ([42.43, 62.83, 65.62, 93.38, 70.50, 77.18], 0.068, 2)]),
    "dummyData-a040": (20, 0.0198, [60.28], [60.30], [61.06], [
        ([60.28], 0.290, 2), ([60.42], 0.283, 2), ([60.15], 0.214, 9), ([60.03], 0.102, 14), ([60.53], 0.100, 5)]),
    "dummyData-a080": (17, 0.0189, [64.59], [64.75], [66.38], [
        ([64.59], 0.296, 21), ([64.84], 0.266, 9), ([64.46], 0.164, 11), ([65.03], 0.143, 7), ([65.18], 0.061, 2)]),
}

# In dummyData-a080 the final positions run almost continuously from 64.0 to 66.7, so actors
# lie within KTAB's 0.1-point tolerance of more than one unique position. In input order parley's
# unique positions and probabilities are KTAB's (to 0.001), but KTAB.md does not say how its actor
# counts were made: parley's greedy classes (KTAB's ``ueIndices``) hold 20, 9, 9, 7, 2 actors, the
# nearest-leader rule gives 21, 9, 8, 7, 2, KTAB.md says 21, 9, 11, 7, 2. Counts are therefore not
# compared for that file. In the default canonical order the groups there differ more: the mode
# moves by 0.25 points (64.84, KTAB's second most likely position, instead of 64.59), the
# expected value by 0.04 (64.79 instead of 64.75).
COUNTS_UNDEFINED = {"dummyData-a080"}


def _load(data_file, name: str):  # type: ignore[no-untyped-def]
    return load_scenario(data_file(f"cases/ktab_{name}.csv"))


@pytest.fixture(params=["numpy", "compiled"])
def kernels(request, monkeypatch) -> str:  # type: ignore[no-untyped-def]
    """Run a test on the numpy kernels alone, and again with the compiled ones used from 2 actors on."""
    if request.param == "numpy":
        monkeypatch.setattr(smp_numba, "ENABLED", False)
    elif not smp_numba.AVAILABLE:
        pytest.skip("numba is not installed")
    else:
        monkeypatch.setattr(smp_numba, "ENABLED", True)
        monkeypatch.setattr(smp_numba, "FROM_ACTORS", 2)
    return str(request.param)


@pytest.mark.parametrize("name,table", [("dummyData_3Dim", KTAB_3DIM), ("SOE-Pol-Comp", KTAB_POLCOMP)])
def test_every_actor_ends_where_ktab_puts_it(data_file, kernels, name: str, table: dict) -> None:  # type: ignore[no-untyped-def]
    """KTAB.md §7.3: every actor's final position within 0.5 points on every dimension, steps ±2."""
    scenario = _load(data_file, name)
    forecast = SMP().forecast(scenario)
    for actor, expected in table.items():
        got = [forecast.positions[actor][issue] for issue in scenario.issue_ids]
        np.testing.assert_allclose(got, expected, atol=0.5, err_msg=actor)
        # parley in fact agrees to KTAB's printed precision
        np.testing.assert_allclose(got, expected, atol=0.006, err_msg=actor)
    assert abs(forecast.diagnostics["steps"] - KTAB_SUMMARY[name][0]) <= 2


@pytest.mark.parametrize("name", list(KTAB_SUMMARY))
def test_summaries_match_ktab(data_file, kernels, name: str) -> None:  # type: ignore[no-untyped-def]
    """KTAB.md §7.3 summaries of the final state: steps, modes, means, top unique positions."""
    steps, change, mode, expected, cap_mean, top = KTAB_SUMMARY[name]
    scenario = _load(data_file, name)
    # default: actors in a canonical order, which can change which actor leads a unique position
    default = SMP().forecast(scenario).diagnostics
    assert abs(default["steps"] - steps) <= 2
    np.testing.assert_allclose(default["mode"], mode, atol=0.5)
    np.testing.assert_allclose(default["expected"], expected, atol=0.5)
    np.testing.assert_allclose(default["capability_mean"], cap_mean, atol=0.5)
    # in KTAB's (input) order the summaries agree to KTAB.md's printed precision
    forecast = SMP(actor_order="input").forecast(scenario)
    d = forecast.diagnostics
    assert d["steps"] == steps
    assert d["fractional_change"] == pytest.approx(change, abs=6e-5)
    assert forecast.positions == SMP().forecast(scenario).positions  # the order never changes the dynamics here
    np.testing.assert_allclose(d["mode"], mode, atol=0.006)
    np.testing.assert_allclose(d["expected"], expected, atol=0.011)
    np.testing.assert_allclose(d["capability_mean"], cap_mean, atol=0.006)
    assert list(forecast.outcomes.values()) == pytest.approx(d["expected"])
    probs = np.array(d["unique_probabilities"])
    order = np.argsort(-probs, kind="stable")
    for rank, (position, p, members) in enumerate(top):
        u = order[rank]
        np.testing.assert_allclose(d["unique_positions"][u], position, atol=0.006)
        assert probs[u] == pytest.approx(p, abs=6e-4)
        if name not in COUNTS_UNDEFINED:
            assert d["unique_members"][u] == members


def test_rounds_and_trajectories_are_consistent(data_file) -> None:  # type: ignore[no-untyped-def]
    """rounds[t] is the forecast of the state after turn t + 1; position_rounds starts at the input."""
    scenario = _load(data_file, "SOE-Pol-Comp")
    batch = SMP().forecast_batch(scenario.stances())
    T = int(batch.n_rounds[0])
    assert batch.rounds.shape == (1, T, 2) and batch.position_rounds.shape == (1, T + 1, 13, 2)
    np.testing.assert_allclose(batch.position_rounds[0, 0], scenario.positions)
    np.testing.assert_allclose(batch.position_rounds[0, -1], batch.positions[0])
    np.testing.assert_allclose(batch.rounds[0, -1], batch.outcomes[0])
    for outcome, key in (("mode", "mode"), ("capability_mean", "capability_mean")):
        other = SMP(outcome=outcome).forecast_batch(scenario.stances())
        np.testing.assert_allclose(other.outcomes[0], batch.diagnostics[0][key])
        np.testing.assert_allclose(other.positions, batch.positions)


# ---------------------------------------------------------------------- KTAB reference log, turn 0

def _three_dim_state(data_file):  # type: ignore[no-untyped-def]
    scenario = _load(data_file, "dummyData_3Dim")
    st = scenario.stances()
    caps = st.capabilities[:, :, 0]
    S = st.saliences.sum(axis=2)
    actors = Actors(st.saliences, st.mask, caps, S, S * caps)
    rules = SMP()._rules()
    return assess(st.positions / 100.0, actors, rules), actors, rules


def test_turn_zero_matches_ktab_reference_log(data_file) -> None:  # type: ignore[no-untyped-def]
    """KTAB's ``20170530_ref-dummyData_3Dim.txt``: risk attitudes, targets, P(i ≻ j), bargains of turn 0."""
    state, actors, rules = _three_dim_state(data_file)
    # "Inferred risk attitudes"
    np.testing.assert_allclose(state.R[0], [-0.500, -0.459, -0.499, -0.274, 1.000, -0.232, -0.430], atol=5e-4)
    # "Raw actor-pos value matrix (risk neutral)", first row
    np.testing.assert_allclose(1 - state.D[0, 0], [1.000, 0.903, 0.639, 0.870, 0.929, 0.882, 0.890], atol=5e-4)
    # "In turn 0 actor i has most advantageous target j" / "Est by i of prob P that [i> j]"
    target, prob = choose_targets(state, actors, rules)
    assert target[0].tolist() == [6, 0, 6, 0, 0, 1, 1]
    np.testing.assert_allclose(prob[0], [0.7643, 0.7964, 0.8334, 0.8056, 0.5836, 0.8510, 0.3970], atol=5e-5)
    # "Bargain [1006, 0:6] from 0's perspective": 0 proposes 0 adopt 75.610 24.780 71.950, 6 adopt 75.610 24.790 71.950
    x = state.x[0]
    bi, bj = interpolate(x[[0]], actors.s[0, [0]], x[[6]], actors.s[0, [6]], prob[0, [0]], rules)
    np.testing.assert_allclose(bi[0] * 100, [75.610, 24.780, 71.950], atol=1e-9)
    np.testing.assert_allclose(bj[0] * 100, [75.610, 24.790, 71.950], atol=1e-9)


def test_expected_gain_matches_ktab_reference_log(data_file) -> None:  # type: ignore[no-untyped-def]
    """Same log: "with expected gain to i of +0.0947" (0→6), +0.2986 (5→1), +0.0116 (4→0)."""
    from parley.models.smp.step import challenge

    state, actors, rules = _three_dim_state(data_file)
    g = np.zeros(3, dtype=np.int64)
    i = np.array([0, 5, 4])
    j = np.array([6, 1, 0])
    _, du = challenge(state, actors, rules, g, i, i, j)
    np.testing.assert_allclose(du, [0.0947, 0.2986, 0.0116], atol=5e-5)
    # the receiver's view ("Est by 6 of prob 0.7660 that [ 0> 6]", "by 1 ... 0.8518 [5> 1]", "by 0 ... 0.7586 [4> 0]")
    Pj, _ = challenge(state, actors, rules, g, j, i, j)
    np.testing.assert_allclose(Pj, [0.7660, 0.8518, 0.7586], atol=5e-5)


# ---------------------------------------------------------------------- hand calculations (KTAB.md §5)

def test_utility_and_distance_by_hand() -> None:
    """§5.1: d = sqrt(Σ (s_d Δ_d)² / Σ s_d²), u = (1 − d)(1 + d R), and (1 − d)(1 + R) for d > 1."""
    x = np.array([[[0.2, 0.5], [0.6, 0.1]]])
    s = np.array([[[0.3, 0.4], [0.5, 0.5]]])
    D = distances(x, s, np.ones_like(x, dtype=bool))
    # actor 0: sqrt((0.3·0.4)² + (0.4·0.4)²) / 0.5 = sqrt(0.0144 + 0.0256)/0.5 = 0.2/0.5 = 0.4
    assert D[0, 0, 1] == pytest.approx(0.4)
    # actor 1: sqrt((0.5·0.4)² + (0.5·0.4)²) / sqrt(0.5) = sqrt(0.08)/sqrt(0.5) = 0.4
    assert D[0, 1, 0] == pytest.approx(0.4)
    # a dimension where the other actor has no stance does not count: only 0.3·0.4 is left
    masked = distances(x, s, np.array([[[True, True], [True, False]]]))
    assert masked[0, 0, 1] == pytest.approx(np.sqrt(0.0144) / 0.5)
    assert utility(np.array(0.4), 0.5) == pytest.approx(0.6 * 1.2)
    assert utility(np.array(0.4), -0.5) == pytest.approx(0.6 * 0.8)
    assert utility(np.array(1.2), 0.5) == pytest.approx(-0.2 * 1.5)


def test_vote_rules_by_hand() -> None:
    """§5.2 for Δ = 0.25 and −0.25 with weight 2."""
    ua, ub = np.array([0.75, 0.25]), np.array([0.5, 0.5])
    assert vote("Proportional", 2.0, ua, ub).tolist() == pytest.approx([0.5, -0.5])
    assert vote("Binary", 2.0, ua, ub).tolist() == pytest.approx([2.0, -2.0])
    assert vote("PropBin", 2.0, ua, ub).tolist() == pytest.approx([2 * (0.2 + 0.2), -2 * (0.2 + 0.2)])
    assert vote("PropCbc", 2.0, ua, ub).tolist() == pytest.approx([2 * (0.125 + 0.5 * 0.015625), -0.265625])
    assert vote("Cubic", 2.0, ua, ub).tolist() == pytest.approx([2 * 0.015625, -2 * 0.015625])
    assert vote("ASymProsp", 2.0, ua, ub).tolist() == pytest.approx([2 * 2 * 0.25 / 3, -0.5])


def test_coalitions_victory_and_pce_by_hand() -> None:
    """§5.3 with two voters (weights 1 and 2) and options a, b, c.

    Utilities: voter 1 (1.0, 0.5, 0.0), voter 2 (0.0, 0.5, 1.0). Proportional votes:
    C(b,a) = 1e-8 + 2·0.5 = 1.0, C(a,b) = 1e-8 + 0.5; C(c,a) = 2, C(a,c) = 1; C(c,b) = 1,
    C(b,c) = 0.5 (each plus 1e-8). Linear V(a,b) = 0.5/1.5 = 1/3, V(a,c) = 1/3, V(b,c) = 1/3.
    Conditional: p ∝ Π_b V: a: ½·⅓·⅓ = 1/18, b: ⅔·½·⅓ = 1/9, c: ⅔·⅔·½ = 2/9 → (1, 2, 4)/7.
    """
    U = np.array([[[1.0, 0.5, 0.0], [0.0, 0.5, 1.0]]])
    w = np.array([[1.0, 2.0]])
    C = coalitions(U, w, "Proportional")
    np.testing.assert_allclose(C[0], [[1e-8, 0.5, 1.0], [1.0, 1e-8, 0.5], [2.0, 1.0, 1e-8]], atol=2e-8)
    V = victory(C, "Linear")
    np.testing.assert_allclose(V[0], [[0.5, 1 / 3, 1 / 3], [2 / 3, 0.5, 1 / 3], [2 / 3, 2 / 3, 0.5]], atol=1e-7)
    p = pce(U, w, np.ones((1, 3), dtype=bool), rule="Proportional", victory_model="Linear", model="Conditional")
    np.testing.assert_allclose(p[0], np.array([1, 2, 4]) / 7, atol=1e-7)
    # Square: x = C²: V(a,b) = 0.25/1.25 = 0.2
    assert victory(C, "Square")[0, 0, 1] == pytest.approx(0.2, abs=1e-7)
    # MarkovUniform's fixed point q_a = (1/3) Σ_b V(a,b)(p_a + p_b) sums to 1 and ranks c first
    pm = pce(U, w, np.ones((1, 3), dtype=bool), rule="Proportional", victory_model="Linear", model="MarkovUniform")
    assert pm.sum() == pytest.approx(1.0) and np.argmax(pm) == 2
    # padding is left out: the same options with a fourth invalid one give the same distribution
    U4 = np.concatenate([U, np.zeros((1, 2, 1))], axis=2)
    p4 = pce(U4, w, np.array([[True, True, True, False]]), rule="Proportional", victory_model="Linear",
             model="Conditional")
    np.testing.assert_allclose(p4[0], [*(np.array([1, 2, 4]) / 7), 0.0], atol=1e-7)


def test_risk_attitudes_by_hand() -> None:
    """§5.4 Mid range: R = (3p − pMax − 2pMin) / (2(pMax − pMin)); p = (0.1, 0.3, 0.6) → (−0.5, 0.1, 1)."""
    R = risk_from_probability(np.array([[0.1, 0.3, 0.6]]), np.ones((1, 3), dtype=bool), "Mid")
    np.testing.assert_allclose(R[0], [-0.5, 0.1, 1.0])
    # equal probabilities: KTAB divides by zero; parley makes everyone risk neutral
    flat = risk_from_probability(np.array([[0.5, 0.5]]), np.ones((1, 2), dtype=bool), "Mid")
    assert flat.tolist() == [[0.0, 0.0]]


def test_s2p2_bargain_by_hand() -> None:
    """§5.6.2: w_i = s_i² p², w_j = s_j² (1 − p)², b = round4(((w_i + 1e-6) t_i + w_j t_j)/(w_i + 1e-6 + w_j)).

    s_i = 0.5, s_j = 0.25, p = 0.8: w_i = 0.25·0.64 = 0.16, w_j = 0.0625·0.04 = 0.0025;
    t_i = 0.2, t_j = 0.6: b_i = (0.160001·0.2 + 0.0025·0.6)/0.162501 = 0.206154 → 0.2062.
    """
    rules = SMP()._rules()
    bi, bj = interpolate(np.array([[0.2]]), np.array([[0.5]]), np.array([[0.6]]), np.array([[0.25]]),
                         np.array([0.8]), rules)
    assert bi[0, 0] == pytest.approx(0.2062, abs=1e-12)
    assert bj[0, 0] == pytest.approx(0.2062, abs=1e-12)


# ---------------------------------------------------------------------- contract, batches, inputs

def test_contract() -> None:
    check_model(SMP())
    check_model(SMP(transitions="Stochastic"))


def test_registered() -> None:
    model = get_model("smp", {"voting_rule": "PropCbc", "max_iter": "20"})
    assert isinstance(model, SMP) and model.voting_rule == "PropCbc" and model.max_iter == 20
    assert SMP.moves_actors and SMP.runs_in_rounds


def test_batch_of_variants_equals_single_runs(data_file) -> None:  # type: ignore[no-untyped-def]
    """Perturbed SOE-Pol-Comp variants in one batch give the numbers of one run each."""
    base = _load(data_file, "SOE-Pol-Comp").stances()
    rng = np.random.default_rng(5)
    b = 6
    pos = np.clip(base.positions + rng.normal(0, 2.0, (b, *base.shape[1:])), 0, 100)
    rep = lambda a: np.repeat(a, b, axis=0)  # noqa: E731
    batch = Stances(pos, rep(base.saliences), rep(base.capabilities), rep(base.mask), base.lower, base.upper,
                    rep(base.reference))
    whole = SMP().forecast_batch(batch)
    for k in range(b):
        single = SMP().forecast_batch(batch.item(k))
        np.testing.assert_array_equal(whole.positions[k], single.positions[0])  # the dynamics exactly
        assert whole.n_rounds[k] == single.n_rounds[0]
        # the outcome distributions of a batch are padded to its largest number of unique
        # positions, which changes numpy's summation order: equal to rounding
        np.testing.assert_allclose(whole.outcomes[k], single.outcomes[0], rtol=0, atol=1e-12)
        t = int(single.n_rounds[0])
        np.testing.assert_allclose(whole.rounds[k, :t], single.rounds[0, :t], rtol=0, atol=1e-12)


def test_stochastic_streams_are_per_variant() -> None:
    st = random_stances(np.random.default_rng(3), b=3, n=6, m=2)
    model = SMP(transitions="Stochastic")
    a = model.forecast_batch(st, rng=11)
    b = model.forecast_batch(st, rng=11)
    np.testing.assert_array_equal(a.positions, b.positions)
    c = model.forecast_batch(st, rng=12)
    assert not np.array_equal(a.position_rounds, c.position_rounds) or a.n_rounds.tolist() != c.n_rounds.tolist()


@pytest.mark.parametrize("change", [
    {"victory_model": "Square"}, {"victory_model": "Quartic"}, {"victory_model": "Octic"}, {"victory_model": "Binary"},
    {"pce_model": "MarkovUniform"}, {"pce_model": "MarkovIncentive"},
    {"voting_rule": "Binary"}, {"voting_rule": "PropBin"}, {"voting_rule": "PropCbc"}, {"voting_rule": "Cubic"},
    {"voting_rule": "ASymProsp"},
    {"big_r_adjust": "None"}, {"big_r_adjust": "Half"}, {"big_r_adjust": "TwoThirds"}, {"big_r_adjust": "Full"},
    {"big_r_range": "Min"}, {"big_r_range": "Max"},
    {"third_party_commit": "NoCommit"}, {"third_party_commit": "FullCommit"},
    {"bargain_interpolation": "S1P1"}, {"bargain_interpolation": "S2PMax"},
    {"bargain_model": "InitRcvrInterp"}, {"bargain_model": "PWCompInterp"},
    {"round_bargains": False},
])
def test_every_option_runs(data_file, change: dict) -> None:  # type: ignore[no-untyped-def]
    """Each non-default setting gives a finite forecast on the scale and moves someone."""
    scenario = _load(data_file, "dummyData_3Dim")
    batch = SMP(**change).forecast_batch(scenario.stances(), rng=1)
    assert np.all(np.isfinite(batch.outcomes)) and np.all((batch.outcomes >= 0) & (batch.outcomes <= 100))
    assert 1 <= batch.n_rounds[0] <= 100
    assert not np.allclose(batch.positions[0], scenario.positions)


def test_full_and_no_commit_silence_third_parties(data_file) -> None:  # type: ignore[no-untyped-def]
    """§5.5: under FullCommit and NoCommit u(ik>j) − u(i>jk) and u(j>ik) − u(jk>i) are 0 term by term,
    so a third party's vote is 0 and the two settings give identical runs."""
    scenario = _load(data_file, "SOE-Pol-Comp")
    a = SMP(third_party_commit="FullCommit").forecast_batch(scenario.stances())
    b = SMP(third_party_commit="NoCommit").forecast_batch(scenario.stances())
    np.testing.assert_array_equal(a.positions, b.positions)


def test_unanimity_stops_at_once() -> None:
    """Everyone at one point: no challenge is worth anything, the run stops after min_iter turns."""
    st = random_stances(np.random.default_rng(1), b=1, n=5, m=2)
    same = Stances(np.broadcast_to(st.positions[:, :1], st.shape).copy(), st.saliences, st.capabilities, st.mask,
                   st.lower, st.upper, st.reference)
    out = SMP().forecast_batch(same)
    assert out.n_rounds[0] == 2
    np.testing.assert_allclose(out.outcomes[0], same.positions[0, 0])


def test_salience_over_one_rescales_or_raises() -> None:
    st = random_stances(np.random.default_rng(2), b=1, n=5, m=2)
    sal = st.saliences.copy()
    sal[0, 1] = [0.8, 0.7]
    over = dataclasses.replace(st, saliences=sal)
    with pytest.raises(ModelError, match="sum to at most 1"):
        SMP(salience_over_one="error").forecast_batch(over)
    out = SMP().forecast_batch(over)
    assert out.diagnostics[0]["salience_rescaled"] == [1]
    scaled = dataclasses.replace(st, saliences=np.where(np.arange(5)[None, :, None] == 1, sal / 1.5, sal))
    np.testing.assert_array_equal(out.positions, SMP().forecast_batch(scaled).positions)


def test_bad_capability_raises() -> None:
    st = random_stances(np.random.default_rng(2), b=1, n=4, m=1)
    cap = st.capabilities.copy()
    cap[0, 2] = -1.0
    with pytest.raises(ModelError, match="negative capability"):
        SMP().forecast_batch(dataclasses.replace(st, capabilities=cap))


def test_actor_without_any_stance_is_left_out() -> None:
    """An actor masked on every issue takes no part; the others run as if it were absent."""
    st = random_stances(np.random.default_rng(4), b=1, n=6, m=2)
    mask = st.mask.copy()
    mask[0, 3] = False
    sal = np.where(mask, st.saliences, 0.0)
    with_ghost = SMP().forecast_batch(dataclasses.replace(st, mask=mask, saliences=sal))
    keep = [0, 1, 2, 4, 5]
    without = SMP().forecast_batch(Stances(
        st.positions[:, keep], st.saliences[:, keep], st.capabilities[:, keep], st.mask[:, keep], st.lower,
        st.upper, st.reference))
    np.testing.assert_allclose(with_ghost.outcomes, without.outcomes)
    np.testing.assert_allclose(with_ghost.positions[:, keep], without.positions)
    assert np.all(np.isnan(with_ghost.positions[0, 3]))
    assert with_ghost.diagnostics[0]["left_out"] == [3]


def test_partly_masked_actor_keeps_its_missing_coordinate_out() -> None:
    st = random_stances(np.random.default_rng(6), b=1, n=6, m=3)
    mask = st.mask.copy()
    mask[0, 2, 1] = False
    runs = []
    for filler in (st.lower[1], st.upper[1]):
        pos = st.positions.copy()
        pos[0, 2, 1] = filler
        runs.append(SMP().forecast_batch(dataclasses.replace(st, positions=pos, mask=mask,
                                                             saliences=np.where(mask, st.saliences, 0.0))))
    np.testing.assert_array_equal(runs[0].positions, runs[1].positions)
    assert np.isnan(runs[0].positions[0, 2, 1])


@pytest.mark.parametrize("bad", [
    {"victory_model": "linear"}, {"pce_model": "Markov"}, {"voting_rule": "Prop"}, {"max_iter": 0},
    {"min_iter": 5, "max_iter": 3}, {"min_delta_ratio": -0.1}, {"pos_tol": float("inf")}, {"round_bargains": 1},
    {"outcome": "median"}, {"bargain_model": "Both"},
])
def test_bad_parameters_raise(bad: dict) -> None:
    with pytest.raises(ValueError):
        SMP(**bad)


@pytest.mark.skipif(not smp_numba.AVAILABLE, reason="numba is not installed")
def test_compiled_and_numpy_kernels_agree(data_file, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """The optional numba kernels and the numpy ones give the same run (a080: 80 actors, both paths)."""
    stances = _load(data_file, "dummyData-a080").stances()
    compiled = SMP().forecast_batch(stances)
    monkeypatch.setattr(smp_numba, "ENABLED", False)
    plain = SMP().forecast_batch(stances)
    assert compiled.n_rounds[0] == plain.n_rounds[0]
    np.testing.assert_allclose(compiled.positions, plain.positions, atol=1e-9)
    np.testing.assert_allclose(compiled.outcomes, plain.outcomes, atol=1e-9)


def _random_state(seed: int, n: int, k: int, clusters: int) -> tuple[np.ndarray, Actors]:
    """Positions around ``clusters`` centres (as in a late turn), KTAB.md §8-like weights, some stances missing."""
    rng = np.random.default_rng(seed)
    centres = rng.random((clusters, k))
    x = np.clip(centres[rng.integers(clusters, size=n)] + rng.normal(0, 0.05, (n, k)), 0, 1)[None]
    mask = rng.random((1, n, k)) > 0.1
    mask[:, :, 0] = True
    s = np.where(mask, rng.uniform(0.1, 1.0, (1, n, k)), 0.0)
    s *= rng.uniform(0.75, 0.99, (1, n, 1)) / s.sum(axis=2, keepdims=True)
    c = rng.uniform(10, 200, (1, n))
    return x, Actors(s=s, mask=mask, c=c, S=s.sum(axis=2), ws=s.sum(axis=2) * c)


@pytest.mark.skipif(not smp_numba.AVAILABLE, reason="numba is not installed")
def test_compiled_kernels_equal_numpy_ones(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Independent implementations: the compiled O(N²) kernels give numpy's numbers bit for bit
    (same operations in the same order, no fastmath); the compiled coalitions agree to rounding."""
    x, actors = _random_state(7, 61, 3, clusters=4)
    x[0, 5] = x[0, 3]  # an exact duplicate
    points = np.random.default_rng(8).random((1, 66, 3))
    own = np.random.default_rng(9).random((1, 66, 3)) > 0.2
    C = np.random.default_rng(10).uniform(1e-8, 50.0, (2, 61, 61))
    U = np.random.default_rng(11).random((2, 61, 63))
    w = np.random.default_rng(12).uniform(10, 200, (2, 61))

    def run() -> list:  # type: ignore[type-arg]
        out = [distances(x, actors.s, actors.mask),
               point_distances(x, actors.s, points, own), point_distances(x, actors.s, points, own, points_first=True)]
        out += [victory(C, m) for m in ("Linear", "Square", "Quartic", "Octic", "Binary")]
        out += [utility(1.1 * C / 50, r) for r in (w[:, :61, None] / 200 - 0.5, w[:, None, :61] / 200 - 0.5)]
        for tol in (1e-3, 0.05, 0.0):
            out += list(unique_positions(x, actors.mask, tol))
        return out

    compiled = run()
    monkeypatch.setattr(smp_numba, "ENABLED", False)
    plain = run()
    for a, b in zip(compiled, plain, strict=True):
        np.testing.assert_array_equal(a, b)
    for rule in smp_numba.RULES:
        monkeypatch.setattr(smp_numba, "ENABLED", False)
        ref = coalitions(U, w, rule)
        for parallel_from in (10**12, 0):  # the serial and the threaded kernel
            monkeypatch.setattr(smp_numba, "PARALLEL_FROM", parallel_from)
            np.testing.assert_allclose(smp_numba.coalitions(U, w, rule), ref, rtol=1e-13, atol=0)


def test_later_twins_by_hand() -> None:
    """Actors 0 and 2 agree in position, salience, stances and capability; 1 differs in capability only."""
    x = np.array([[[0.3, 0.7], [0.3, 0.7], [0.3, 0.7], [0.1, 0.7]]])
    s = np.full((1, 4, 2), 0.4)
    actors = Actors(s=s, mask=np.ones((1, 4, 2), dtype=bool), c=np.array([[50.0, 60.0, 50.0, 50.0]]),
                    S=s.sum(axis=2), ws=s.sum(axis=2) * 50.0)
    assert later_twins(x, actors).tolist() == [[False, False, True, False]]


def test_zero_tolerance_makes_every_actor_its_own_position() -> None:
    """pos_tol = 0: no distance is below 0, so each actor leads its own class (0, 1, ..., n − 1)."""
    x = np.array([[[0.1], [0.1], [0.5]]])
    leaders, classes = unique_positions(x, np.ones_like(x, dtype=bool), 0.0)
    assert leaders.tolist() == [[0, 1, 2]] and classes.tolist() == [[0, 1, 2]]
    leaders, classes = unique_positions(x, np.ones_like(x, dtype=bool), 1e-3)
    assert leaders.tolist() == [[0, 2]] and classes.tolist() == [[0, 0, 1]]


@pytest.mark.skipif(not smp_numba.AVAILABLE, reason="numba is not installed")
@pytest.mark.parametrize("rule,commit,clusters", [
    ("Proportional", "SemiCommit", 3), ("Proportional", "SemiCommit", 40), ("Binary", "SemiCommit", 5),
    ("PropBin", "SemiCommit", 5), ("PropCbc", "SemiCommit", 5), ("Cubic", "SemiCommit", 5),
    ("ASymProsp", "SemiCommit", 5), ("Proportional", "NoCommit", 5),
])
def test_compiled_target_choice_equals_numpy(monkeypatch, rule: str, commit: str, clusters: int) -> None:  # type: ignore[no-untyped-def]
    """Independent implementation: the compiled target choice, which drops targets early by an
    upper bound on their gain (blocks of 64 third parties), picks numpy's targets exactly."""
    x, actors = _random_state(3 + clusters, 150, 4, clusters)
    x[0, 7] = x[0, 3]  # actor 7 is actor 3's twin in every input
    actors = Actors(*(np.concatenate([a[:, :7], a[:, 3:4], a[:, 8:]], axis=1) for a in
                      (actors.s, actors.mask, actors.c, actors.S, actors.ws)))
    rules = SMP(voting_rule=rule, third_party_commit=commit)._rules()  # type: ignore[arg-type]
    monkeypatch.setattr(smp_numba, "ENABLED", False)
    state = assess(x, actors, rules)
    ref_target, ref_p = choose_targets(state, actors, rules)
    assert (ref_target >= 0).sum() > 100  # most actors have a target
    assert 7 not in ref_target  # a twin's gain equals its first's, which wins the tie
    monkeypatch.setattr(smp_numba, "ENABLED", True)
    for parallel_from in (10**12, 0):
        monkeypatch.setattr(smp_numba, "PARALLEL_FROM", parallel_from)
        target, p = choose_targets(state, actors, rules)
        np.testing.assert_array_equal(target, ref_target)
        np.testing.assert_allclose(p, ref_p, rtol=0, atol=1e-12)
