"""Importers for real data formats (BDM CSV, KTAB CSV, Decide CSV, DEU TSV).

References: the expected values are read by eye from the files in shared/data
(each check names the line it comes from), or from the formats' own rules
(KTAB.md §2.1; MODELS.md §7; the Decide package's row layout).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from parley.errors import ParleyError, ScenarioError
from parley.scenario.importers import detect_format, import_text
from parley.scenario.importers.bdm import import_bdm_csv
from parley.scenario.importers.decide import import_decide_csv
from parley.scenario.importers.deu import load_deu, read_deu
from parley.scenario.importers.ktab import import_ktab_csv
from parley.scenario.load import load_scenario

CASES = [
    "cases/ec_emissions_bdm1994.csv",
    "cases/saudi_oil_sultan_bdm1997.csv",
    "cases/iran_election_2013.csv",
    "cases/cop15_copenhagen_decide.csv",
    "cases/cop21_paris_decide.csv",
    "cases/ktab_SOE-Competitive.csv",
    "cases/ktab_SOE-Pol-Comp.csv",
    "cases/ktab_SOE-Policy.csv",
    "cases/ktab_dummyData-a040.csv",
    "cases/ktab_dummyData-a080.csv",
    "cases/ktab_dummyData-a160.csv",
    "cases/ktab_dummyData_3Dim.csv",
    "cases/ktab_dummyData_6Dim.csv",
]


def problems(err: pytest.ExceptionInfo[ScenarioError]) -> list[str]:
    return [str(p) for p in err.value.problems]


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def stance(scenario, actor: str, issue: str) -> tuple[float, float, float]:  # type: ignore[no-untyped-def]
    i, j = scenario.actor_index(actor), scenario.issue_ids.index(issue)
    return scenario.positions[i, j], scenario.saliences[i, j], scenario.capabilities[i, j]


@pytest.mark.parametrize("relative", CASES)
def test_load_scenario_imports_every_case_file(data_file, relative: str) -> None:  # type: ignore[no-untyped-def]
    scenario = load_scenario(data_file(relative))
    assert scenario.actors and scenario.issues
    assert np.all(scenario.saliences <= 1) and np.all(scenario.saliences >= 0)


# --------------------------------------------------------------------------- Bueno de Mesquita


def test_bdm_ec_emissions(data_file) -> None:  # type: ignore[no-untyped-def]
    s = load_scenario(data_file("cases/ec_emissions_bdm1994.csv"))
    assert s.issue_ids == ("ec_emissions_bdm1994",)  # the file stem
    assert len(s.actors) == 10
    # line 2: Netherlands,0.08,4,0.8 ; line 11: Denmark,0.05,4,1.0
    assert stance(s, "Netherlands", "ec_emissions_bdm1994") == (4, 0.8, 0.08)
    assert stance(s, "Denmark", "ec_emissions_bdm1994") == (4, 1.0, 0.05)
    # positions run from 4 (NL, LU, DE, DK) to 10 (FR, IT, UK)
    assert (s.issues[0].lower, s.issues[0].upper) == (4, 10)
    assert s.spec.metadata == {"format": "bdm-csv"}


def test_bdm_saudi_names_keep_spaces_and_slashes(data_file) -> None:  # type: ignore[no-untyped-def]
    s = load_scenario(data_file("cases/saudi_oil_sultan_bdm1997.csv"))
    assert len(s.actors) == 17
    assert "RELIGIOUS LEADERS" in s.actor_ids and "EUR/JPN" in s.actor_ids
    issue = s.issue_ids[0]
    assert stance(s, "MILITARY", issue) == (14.00, 0.85, 0.75)  # line 7
    assert (s.issues[0].lower, s.issues[0].upper) == (12.85, 14.25)  # EUR/JPN, HAWKS


def test_bdm_lower_case_header(data_file) -> None:  # type: ignore[no-untyped-def]
    s = load_scenario(data_file("cases/iran_election_2013.csv"))
    assert s.actor_ids == ("JAL", "HAD", "GHA", "REZ", "BAF", "VEL", "RUH", "ARE")
    assert stance(s, "RUH", s.issue_ids[0]) == (8, 1.0, 0.21)  # line 8
    assert (s.issues[0].lower, s.issues[0].upper) == (1, 10)


def test_bdm_salience_on_0_100_is_divided(tmp_path: Path) -> None:
    path = write(tmp_path, "war.csv", "Actor,Capability,Position,Salience\n A (north) ,2,10,80\nB,1,30,40\n")
    s = load_scenario(path)
    assert s.actor_ids == ("A (north)", "B")  # whitespace trimmed, parentheses kept
    assert s.saliences[:, 0].tolist() == [0.8, 0.4]
    assert "divided by 100" in s.spec.metadata["salience_scale"]


def test_bdm_single_position_widens_scale() -> None:
    s = import_bdm_csv("name,capability,position,salience\nA,1,5,0.5\nB,1,5,1\n", name="x")
    assert (s.issues[0].lower, s.issues[0].upper) == (4, 6)


def test_bdm_reports_every_problem_with_its_place() -> None:
    text = (
        "Actor,Capability,Position,Salience\n"
        "A,1,5,0.5\n"
        "B,nan,5\n"        # wrong field count
        "C,0,,0.5\n"       # capability 0, empty position
        "A,1,inf,101\n"    # duplicate, infinite, salience > 100
        "D,x,3,0.2\n"
    )
    with pytest.raises(ScenarioError) as err:
        import_bdm_csv(text, source="bad.csv", name="x")
    got = problems(err)
    assert got == [
        "line 3: has 3 fields; the header has 4",
        "line 4, column 3: position is empty; a number is needed",
        "line 4, column 2: capability 0 must be greater than 0",
        "line 5, column 1: actor 'A' is already named on line 2",
        "line 5, column 3: position 'inf' is not a finite number",
        "line 5, column 4: salience 101 must lie in [0, 1] (or [0, 100])",
        "line 6, column 2: capability 'x' is not a number",
    ]
    assert err.value.source == "bad.csv"


def test_bdm_nan_salience_is_a_problem() -> None:
    with pytest.raises(ScenarioError) as err:
        import_bdm_csv("Actor,Capability,Position,Salience\nA,1,5,NaN\n")
    assert problems(err) == ["line 2, column 4: salience 'NaN' is not a finite number"]


# --------------------------------------------------------------------------- KTAB


def test_ktab_soe_pol_comp(data_file) -> None:  # type: ignore[no-untyped-def]
    s = load_scenario(data_file("cases/ktab_SOE-Pol-Comp.csv"))
    assert s.spec.title == "China Policy/Competitive; scen 2"
    assert s.spec.description == "Scenario-0002;Combined Policy and Competitive"
    assert s.spec.metadata == {"format": "ktab-csv"}
    assert s.issue_ids == ("Policy Position", "Competitive Position")  # line 2, stripped
    assert len(s.actors) == 13  # line 1 says 13
    # line 3: XJ,Xi Jinping, 100.0,30,24.0,20,48.0
    assert stance(s, "XJ", "Policy Position") == (30, 0.24, 100.0)
    assert stance(s, "XJ", "Competitive Position") == (20, 0.48, 100.0)
    assert s.spec.actors[0].description == "Xi Jinping"
    assert all((i.lower, i.upper) == (0, 100) for i in s.issues)


def test_ktab_three_dims(data_file) -> None:  # type: ignore[no-untyped-def]
    s = load_scenario(data_file("cases/ktab_dummyData_3Dim.csv"))
    assert s.issue_ids == ("Pstn1", "Pstn2", "Pstn3")
    assert len(s.actors) == 7
    # line 5: SActor-02, Random Spatial Actor, 129.643, 82.45, 48.47, 90.89, 13.55, 0.07, 34.62
    i = s.actor_index("SActor-02")
    np.testing.assert_allclose(s.positions[i], [82.45, 90.89, 0.07])
    np.testing.assert_allclose(s.saliences[i], [0.4847, 0.1355, 0.3462])
    assert s.capabilities[i, 0] == 129.643


@pytest.mark.parametrize("relative", [c for c in CASES if "ktab_" in c])
def test_ktab_counts_match_line_one(data_file, relative: str) -> None:  # type: ignore[no-untyped-def]
    path = data_file(relative)
    first = path.read_text().splitlines()[0].split(",")
    s = load_scenario(path)
    assert len(s.actors) == int(first[2]) and len(s.issues) == int(first[3])


def test_ktab_without_final_comma_is_the_same_scenario(data_file, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = data_file("cases/ktab_dummyData_3Dim.csv")
    text = "\n".join(line.rstrip().rstrip(",") for line in path.read_text().splitlines())
    other = write(tmp_path, "no-final-comma.csv", text)
    assert load_scenario(other).scenario_id == load_scenario(path).scenario_id


def test_ktab_rules_are_checked() -> None:
    text = (
        '"demo", "a test", 5, 2,\n'
        "Actor,Description,Power,P1,S1,P2,S2,\n"
        "A,a,10,120,50,50,40,\n"      # position above 100
        "B,b,0,50,-1,50,40,\n"        # capability 0, salience below 0
        "C,c,5,50,60,50,50,\n"        # salience sum 110
        "A,d,5,50,nan,50,40,\n"       # duplicate, nan
        "D,d,5,50,40\n"               # too few fields
    )
    with pytest.raises(ScenarioError) as err:
        import_ktab_csv(text, source="k.csv")
    assert problems(err) == [
        "line 3, column 4: position 120 must lie in [0, 100]",
        "line 4, column 3: capability 0 must be greater than 0 (and at most 1e8)",
        "line 4, column 5: salience -1 must lie in [0, 100]",
        "line 5: the saliences add up to 110; KTAB requires at most 100",
        "line 6, column 1: actor 'A' is already named on line 3",
        "line 6, column 5: salience 'nan' is not a finite number",
        "line 7: has 5 fields; 2 dimensions need 7",
    ]


def test_ktab_actor_count_mismatch_and_duplicates() -> None:
    text = "demo,d,3,1\nActor,Description,Power,X Position,X Salience\nA,a,1,10,50\nA,b,1,20,50\n"
    with pytest.raises(ScenarioError) as err:
        import_ktab_csv(text)
    assert problems(err) == [
        "line 1, column 3: says 3 actors, but the file has 2 actor rows",
        "line 4, column 1: actor 'A' is already named on line 3",
    ]


def test_ktab_bad_counts_on_line_one() -> None:
    with pytest.raises(ScenarioError) as err:
        import_ktab_csv("demo,d,three,0\nActor,Description,Power\n", source="k.csv")
    assert problems(err) == [
        "line 1, column 3: the number of actors 'three' must be a whole number of at least 1",
        "line 1, column 4: the number of dimensions '0' must be a whole number of at least 1",
    ]


# --------------------------------------------------------------------------- Decide


def test_decide_cop15(data_file) -> None:  # type: ignore[no-untyped-def]
    s = load_scenario(data_file("cases/cop15_copenhagen_decide.csv"))
    assert s.spec.metadata == {"format": "decide-csv"}
    assert len(s.actors) == 11 and len(s.issues) == 7
    assert s.issue_ids[0] == "Newtreaty" and "EU (incl Norway)" in s.actor_ids
    # '#D' 'USA' 'Newtreaty' 10.0 0.9 0.26 ; 'EU (incl Norway)' 'DevlopC2020' 70.0 0.9 0.156
    assert stance(s, "USA", "Newtreaty") == (10, 0.9, 0.26)
    assert stance(s, "EU (incl Norway)", "DevlopC2020") == (70, 0.9, 0.156)
    # the #M rows give 0 and 100 for every issue
    assert np.all(s.lower == 0) and np.all(s.upper == 100)
    # Russia has no #D row for Commitments nor Extra
    r = s.actor_index("Russia")
    assert s.mask[r].tolist() == [True, True, True, True, False, True, False]
    assert int(s.mask.sum()) == 75  # 75 '#D' rows


def test_decide_cop21(data_file) -> None:  # type: ignore[no-untyped-def]
    s = load_scenario(data_file("cases/cop21_paris_decide.csv"))
    assert len(s.actors) == 15 and len(s.issues) == 13
    assert int(s.mask.sum()) == 181  # 181 '#D' rows
    assert stance(s, "USA", "eaa") == (100, 0.4, 1.0)  # last line of the file


DECIDE = (
    "'#A'\t'A'\t'Alpha'\t''\n"
    "'#A'\t'B'\t'B'\t''\n"
    "'#P'\t'x'\t'x'\t''\n"
    "'#M'\t'x'\t-5\t'left'\n"
    "'#M'\t'x'\t5\t'right'\n"
    "'#P'\t'y'\t'Why'\t''\n"
    "'#D'\t'A'\t'x'\t-2\t0.5\t0.4\n"
    "'#D'\t'A'\t'y'\t30\t0.5\t0.6\n"
    "'#D'\t'B'\t'x'\t5\t1.0\t0.2\n"
)


def test_decide_scale_anchors_and_per_issue_power() -> None:
    s = import_decide_csv(DECIDE, name="demo")
    assert s.spec.title == "demo"
    assert (s.issue("x").lower, s.issue("x").upper) == (-5, 5)
    assert s.issue("x").anchors == ((-5.0, "left"), (5.0, "right"))
    assert (s.issue("y").lower, s.issue("y").upper) == (0, 100)  # no #M rows: Decide's default
    assert s.spec.metadata["default_scale"] == ["y"]
    assert s.issue("y").label == "Why" and s.actors[0].name == "Alpha"
    # A's power differs per issue: kept per issue
    assert stance(s, "A", "x")[2] == 0.4 and stance(s, "A", "y")[2] == 0.6
    assert stance(s, "B", "x")[2] == 0.2


def test_decide_semicolons() -> None:
    s = import_decide_csv(DECIDE.replace("\t", ";"))
    assert stance(s, "A", "y") == (30, 0.5, 0.6)


def test_decide_problems() -> None:
    text = DECIDE + (
        "'#D'\t'AA'\t'x'\t1\t0.5\t0.4\n"     # unknown actor
        "'#D'\t'B'\t'x'\t9\t1.5\t0\n"          # duplicate, outside scale, salience > 1, power 0
        "'#Q'\t'what'\n"                       # unknown row kind
        "'#D'\t'B'\t'y'\tnan\t0.5\t0.4\n"      # nan position
    )
    with pytest.raises(ScenarioError) as err:
        import_decide_csv(text)
    assert problems(err) == [
        "line 12, column 1: unknown row kind '#Q'; a Decide file has rows #A (actor), #P (issue), "
        "#M (scale point), #D (actor on issue), #/ (comment)",
        "line 10, column 2: 'AA' is not an actor given by a #A row (did you mean 'A'?)",
        "line 11: 'B' on 'x' is given already on line 9",
        "line 11, column 4: position 9 lies outside the scale of 'x' [-5, 5]",
        "line 11, column 5: salience 1.5 must lie in [0, 1]",
        "line 11, column 6: power 0 must be greater than 0",
        "line 13, column 4: position 'nan' is not a finite number",
    ]


# --------------------------------------------------------------------------- DEU


def test_deu_cases(data_file) -> None:  # type: ignore[no-untyped-def]
    data = load_deu(data_file("deu/deu_train.tsv"))
    # 258 issue rows; 11 have no outcome in [0, 100] (MODELS.md §7's rule), none lacks an actor
    assert len(data) == 247 and len(data.skipped) == 11
    assert {reason for *_, reason in data.skipped} == {"no outcome in [0, 100]"}
    case = data.case("d00032i1")  # line 3
    assert (case.proposal, case.title, case.outcome, case.reference, case.line) == (
        "d00032", "documents", 100.0, 0.0, 3)
    s = case.scenario
    assert s.issue_ids == ("d00032i1",) and s.status_quo.tolist() == [0.0]
    # line 3: 17 actors have both a position and a salience
    assert s.actor_ids == ("com", "ep", "at", "be", "dk", "fi", "fr", "de", "el", "ie", "it",
                           "lu", "nl", "pt", "es", "se", "uk")
    assert stance(s, "com", "d00032i1") == (100, 0.5, 4.1)  # pcom 100, scom 50, GDP row 4.1
    assert stance(s, "de", "d00032i1") == (0, 0.8, 4.1)  # pde 0, sde 80, GDP 4.1
    assert stance(s, "uk", "d00032i1") == (100, 0.6, 2.64)
    assert s.actors[0].name == "European Commission"
    # proposals (prnr) of the 247 issues and their sizes, counted with awk on the file:
    # awk -F'\t' '$75 in [0, 100] {n[$3]++}' -> 95 proposals; 17 of 1 issue, 32 of 2, 24 of 3,
    # 16 of 4, 6 of 5
    sizes = [len(p.cases) for p in data.proposals]
    assert len(sizes) == 95 and [sizes.count(k) for k in range(1, 6)] == [17, 32, 24, 16, 6]
    assert sum(len(p.scenario.issues) for p in data.proposals) == 247


def test_deu_equal_capability_and_zero_salience(data_file) -> None:  # type: ignore[no-untyped-def]
    data = load_deu(data_file("deu/deu_train.tsv"), capability="equal")
    assert all(np.all(c.scenario.capabilities == 1) for c in data.cases)
    # line 26 (d98134i1): Luxembourg has position 25 and salience 0; it keeps its stance
    s = data.case("d98134i1").scenario
    assert stance(s, "lu", "d98134i1") == (25, 0.0, 1.0)


def deu_text(rows: list[str], gdp: str = "||| 1| 2| 3|||||") -> str:
    """A small DEU file: actors a, b, c; rows written with '|' for tabs."""
    header = "prnr|isnr|prname|pa|pb|pc|sa|sb|sc|rp|out"
    return "\n".join(line.replace("|", "\t") for line in [header, gdp, *rows]) + "\n"


def test_deu_rules_on_small_file() -> None:
    text = deu_text([
        "p1|p1i1|x|10|999|30|50|50||20|15",   # b: missing code; c: no salience
        "p1|p1i2|x|10|20|30|50|50|50|200|999",  # outcome missing code: skipped
        "p2|p2i1|x|||30|50|50|||40",          # nobody has both: skipped
    ])
    data = read_deu(text, "t.tsv")
    assert [c.issue_id for c in data.cases] == ["p1i1"]
    s = data.cases[0].scenario
    assert s.actor_ids == ("a",) and s.capabilities.tolist() == [[1.0]] and s.status_quo.tolist() == [20]
    assert data.skipped == (
        (4, "p1i2", "no outcome in [0, 100]"),
        (5, "p2i1", "no actor with both position and salience in [0, 100]"),
    )
    assert data.cases[0].reference == 20


def test_deu_problems_on_small_file() -> None:
    text = deu_text([
        "p1|p1i1|x|10|abc|30|50|50||20|15",
        "p1|p1i1|x|10|20|30|50|50|50|20",
        "p1|p1i1|x|10|20|30|50|50|50|20|nan",
    ], gdp="|||1|0||||||")
    with pytest.raises(ScenarioError) as err:
        read_deu(text, "t.tsv")
    assert problems(err) == [
        "line 2, column 5 (pb): GDP 0 must be greater than 0",
        "line 2, column 6 (pc): GDP is empty; a number is needed",
        "line 3, column 5 (pb): value 'abc' is not a number",
        "line 4: has 10 fields; the header has 11",
        "line 5, column 11 (out): value 'nan' is not a finite number",
        "line 5, column 2: issue 'p1i1' is already named on line 3",
    ]
    with pytest.raises(ParleyError, match="'gdp' or 'equal'"):
        read_deu(text, capability="population")


def test_deu_without_gdp_row_needs_equal_capability() -> None:
    text = deu_text(["p1|p1i1|x|10|20|30|50|50|50|20|15"], gdp="p0|p0i1|x|1|1|1|1|1|1|1|1")
    with pytest.raises(ScenarioError, match="no GDP row"):
        read_deu(text)
    assert len(read_deu(text, capability="equal")) == 2


def test_deu_proposals_on_small_file() -> None:
    text = deu_text([
        "p1|p1i1|x|||30|||50|20|15",            # only c counts
        "p1|p1i2|x|10|20|30|50|50|50|200|999",  # no outcome: skipped, not in p1's scenario
        "p1|p1i3|x|10|20||40|60||5|25",          # a and b count
        "p2|p2i1|y|40|50|60|10|10|10||50",       # everyone; no reference point
    ])
    data = read_deu(text, "t.tsv")
    assert [p.proposal for p in data.proposals] == ["p1", "p2"]
    p1, p2 = data.proposals
    assert p1.issue_ids == ("p1i1", "p1i3") and p1.cases == (data.case("p1i1"), data.case("p1i3"))
    s = p1.scenario
    # actors in the file's column order (a, b, c), not in order of first appearance (c first)
    assert s.actor_ids == ("a", "b", "c") and s.title == "DEU p1 (x)"
    assert s.mask.tolist() == [[False, True], [False, True], [True, False]]
    assert stance(s, "c", "p1i1") == (30, 0.5, 3)  # GDP row: a 1, b 2, c 3
    assert stance(s, "a", "p1i3") == (10, 0.4, 1) and stance(s, "b", "p1i3") == (20, 0.6, 2)
    assert s.status_quo.tolist() == [20, 5]
    assert np.isnan(p2.scenario.status_quo).all() and p2.scenario.actor_ids == ("a", "b", "c")
    equal = read_deu(text, "t.tsv", capability="equal")
    assert np.all(equal.proposals[0].scenario.capabilities == 1)


def test_load_scenario_on_deu_says_to_backtest(data_file) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ScenarioError, match="parley backtest deu"):
        load_scenario(data_file("deu/deu_train.tsv"))


# --------------------------------------------------------------------------- detection


def test_unknown_format_lists_the_accepted_ones(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError) as err:
        load_scenario(write(tmp_path, "x.csv", "foo,bar\n1,2\n"))
    (problem,) = err.value.problems
    assert problem.path == "line 1"
    for fmt in ("Bueno de Mesquita", "KTAB", "Decide", "DEU"):
        assert fmt in problem.message
    with pytest.raises(ScenarioError, match="empty"):
        import_text("\n\n", "e.csv")


def test_detect_format() -> None:
    assert detect_format("Actor,Capability,Position,Salience\n") == "bdm-csv"
    assert detect_format("NAME, Position ,salience,capability\n") == "bdm-csv"
    assert detect_format("demo, d, 3, 1,\n") == "ktab-csv"
    assert detect_format("'#A'\t'x'\t'x'\n") == "decide-csv"
    assert detect_format("prnr\tisnr\tpa\tsa\trp\tout\n") == "deu-tsv"
