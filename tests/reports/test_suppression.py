"""Small-cell suppression (docs/indicators.md): 1–4 -> "<5", zero stays 0, percentages follow their
numerator and denominator, a lone suppressed cell in a line with a total forces a second."""

from decimal import Decimal

from django.test import override_settings

from reports.suppression import (
    HIDDEN,
    suppress_breakdown,
    suppress_count,
    suppress_matrix,
    suppress_ratios,
    suppress_rows,
)


def test_one_to_four_shows_as_less_than_five_and_zero_stays_zero():
    assert [suppress_count(n) for n in (0, 1, 2, 3, 4, 5, 120)] == [
        0,
        "<5",
        "<5",
        "<5",
        "<5",
        5,
        120,
    ]
    assert suppress_count(None) is None


@override_settings(SUPPRESSION_THRESHOLD=10)
def test_threshold_is_a_setting():
    assert suppress_count(9) == "<10"
    assert suppress_count(10) == 10


def test_single_suppressed_cell_in_a_row_with_a_total_forces_a_second():
    # Row: 3 | 12 | 7 | 0, total 22 shown. 3 -> "<5" alone; the next smallest non-zero (7) goes.
    assert suppress_matrix([[3, 12, 7, 0]], row_totals=True) == [["<5", 12, HIDDEN, 0]]


def test_without_a_total_no_complementary_suppression():
    assert suppress_matrix([[3, 12, 7, 0]]) == [["<5", 12, 7, 0]]


def test_two_suppressed_cells_need_nothing_more():
    assert suppress_matrix([[3, 2, 7]], row_totals=True) == [["<5", "<5", 7]]


def test_zero_is_never_chosen_as_the_complementary_cell():
    assert suppress_matrix([[0, 4, 0, 9]], row_totals=True) == [[0, "<5", 0, HIDDEN]]


def test_complementary_suppression_spreads_across_rows_and_columns():
    # Columns have totals too. Step 1: 2 -> "<5" (row 0, col 0). Row 0 then hides 6 (col 1).
    # Column 0 has one suppressed cell: hides 8 (row 1). Column 1 now has one: hides 10
    # (row 1, col 1)... row 1 then has two (8, 10): stable.
    done = suppress_matrix([[2, 6, 20], [8, 10, 30]], row_totals=True, column_totals=True)
    assert done == [["<5", HIDDEN, 20], [HIDDEN, HIDDEN, 30]]
    # Every line now has 0 or at least 2 hidden cells.
    for row in done:
        assert sum(isinstance(v, str) for v in row) != 1
    for column in zip(*done, strict=True):
        assert sum(isinstance(v, str) for v in column) != 1


def test_percentage_suppressed_with_its_numerator_or_denominator():
    ratios = {"pct": ("num", "den")}
    assert suppress_ratios({"num": "<5", "den": 40, "pct": Decimal("7.5")}, ratios)["pct"] == HIDDEN
    assert suppress_ratios({"num": 0, "den": "<5", "pct": Decimal("0.0")}, ratios)["pct"] == HIDDEN
    assert suppress_ratios({"num": 10, "den": 40, "pct": Decimal("25.0")}, ratios)["pct"] == 25


def test_table_of_provinces_with_the_national_total_under_it():
    rows = [
        {"reached": 3, "need": 2, "pct": Decimal("66.7")},
        {"reached": 40, "need": 20, "pct": Decimal("50.0")},
        {"reached": 9, "need": 0, "pct": Decimal("0.0")},
    ]
    national = {"reached": 52, "need": 22, "pct": Decimal("42.3")}
    done, total = suppress_rows(
        rows, counts=("reached", "need"), ratios={"pct": ("need", "reached")}, total=national
    )
    # reached column: 3 alone -> 9 hidden too (next smallest); need column: 2 alone -> 20.
    assert done == [
        {"reached": "<5", "need": "<5", "pct": HIDDEN},
        {"reached": 40, "need": HIDDEN, "pct": HIDDEN},
        {"reached": HIDDEN, "need": 0, "pct": HIDDEN},
    ]
    assert total == national  # the national total itself is not suppressed


def test_breakdown_with_a_total():
    counts, total = suppress_breakdown([30, 3, 0], 33)
    assert counts == [HIDDEN, "<5", 0]
    assert total == 33
    counts, total = suppress_breakdown([2, 1, 0], 3)
    assert counts == ["<5", "<5", 0]
    assert total == "<5"  # below the national total: suppressed too
    assert suppress_breakdown([2, 1], 3, national_total=True)[1] == 3


def test_sites_localities_establishments_groups_and_money_are_not_suppressed():
    """Only counts of people (and events about people) are protected: a province with 2 sites,
    1 locality covered of 9, 3 establishments, 4 peer-group members, 2 training sessions and
    900 000 đồng shows them all; its 3 people reached are hidden."""
    from reports.selectors import Row, suppress_table

    def row(code, reached, sites):
        values = {
            "sites_active": sites,
            "sites_active_pilot": sites,
            "establishments_assessed": 3,
            "establishments_compliant": 1,
            "establishments_compliant_pct": Decimal("33.3"),
            "peer_group_members": 4,
            "trainings": 2,
            "total_cost_vnd": 900_000,
            "reached": reached,
            "reached_with_need": 0,
            "referred": 0,
            "referred_pct": None,
        }
        coverage = {"covered": 1, "units": 9, "pct": Decimal("11.1")}
        return Row(key=code, label=code, code=code, values=values, coverage=coverage)

    rows = [row("74", 3, 2), row("79", 40, 1), row("92", 12, 3)]
    national = {**rows[0].values, "reached": 55}
    done = suppress_table(rows, national)
    small = done[0]
    assert small.values["reached"] == "<5"
    assert done[2].values["reached"] == HIDDEN  # the complement in the column of reached
    for code, value in {
        "sites_active": 2,
        "sites_active_pilot": 2,
        "establishments_assessed": 3,
        "establishments_compliant": 1,
        "establishments_compliant_pct": Decimal("33.3"),
        "peer_group_members": 4,
        "trainings": 2,
        "total_cost_vnd": 900_000,
    }.items():
        assert small.values[code] == value, code
    assert small.coverage == {"covered": 1, "units": 9, "pct": Decimal("11.1")}
    assert done[1].values["sites_active"] == 1


def test_what_is_protected_and_how_it_adds_up():
    from reports.suppression import (
        ADDITIVE,
        COVERING,
        DISTINCT,
        MONOTONE,
        PROTECTED_COUNTS,
        RELATIONS,
    )

    assert set(PROTECTED_COUNTS) == set(RELATIONS)
    for code in ("sites_active", "establishments_assessed", "peer_group_members", "trainings"):
        assert code not in PROTECTED_COUNTS
    assert {code for code, kind in RELATIONS.items() if kind == ADDITIVE} == {
        "referrals_made",
        "referrals_completed",
        "trainees",
    }
    assert RELATIONS["reached"] == DISTINCT
    assert RELATIONS["referred"] == MONOTONE
    assert RELATIONS["workers_rights_ensured"] == COVERING
