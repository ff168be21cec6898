"""Disclosure control of published releases (reports.disclosure): small counts of people stay
hidden across every table a user can download for a period and across periods that nest, the
attacker check refuses a release that gives a hidden cell away, and sites, localities and money
are shown.

The fixture: seven sites in three 2025 provinces, two of them mergers of pre-2025 provinces:

  HN1  Hà Nội (01)            peer_groups    pilot     Hoàng Mai
  HN2  Hà Nội (01)            community      scale_up  Ba Đình
  CT   Cần Thơ (92 -> 92)     worker_rights  pilot     Ninh Kiều
  HG   Hậu Giang (93 -> 92)   worker_rights  control   Vị Thanh
  ST   Sóc Trăng (94 -> 92)   worker_rights  scale_up  Sóc Trăng
  HCM  Hồ Chí Minh (79 -> 79) peer_groups    pilot     Quận 1
  BD   Bình Dương (74 -> 79)  community      pilot     Thủ Dầu Một

Q1 2019 (contacts on 1 February), per site: people reached / with a need / referrals made
(each needy person referred once) / completed:
  HN1 12/7/6/0  HN2 6/2/2/0  CT 10/6/6/3  HG 8/6/6/2  ST 2/2/2/1  HCM 15/8/8/5  BD 3/1/1/0
  workers assessed (at the site's establishment): CT 6, HG 6, ST 2.
  trainees: HN1 20, CT 15, ST 3, HCM 12. Costs: ST 1,000,000 đồng.
Q2 2019 (contacts on 2 May): HN1 9/3/3/0  HCM 10/7/7/0  CT 6/5/5/0; trainees HN1 10, BD 2.
Q3 and Q4: nothing.

So in Q1 the referrals made in Cần Thơ (2025) are 6 + 6 + 2 = 14, Sóc Trăng's 2 being the small
cell that 14 − 6 − 6 would give away; in the year Hà Nội's are 8 + 3 = 11, Q2's 3 the one that
11 − 8 would; the worker-rights model assessed 6 + 6 + 2 = 14 workers, scale-up's 2 the one that
14 − 6 − 6 would.
"""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from programs.models import InterventionModel
from referrals.models import Referral
from reports import disclosure
from reports.disclosure import (
    DisclosureError,
    Units,
    attack,
    linear_forms,
    linked_relations,
    publishable_tables,
    raw_tables,
    read_release,
    render,
    suppress,
)
from reports.suppression import ADDITIVE, RELATIONS, suppress_rows
from tests import factories as f

D = datetime.date
Q1 = (D(2019, 1, 1), D(2019, 3, 31))
Q2 = (D(2019, 4, 1), D(2019, 6, 30))
Q3 = (D(2019, 7, 1), D(2019, 9, 30))
Q4 = (D(2019, 10, 1), D(2019, 12, 31))
YEAR = (D(2019, 1, 1), D(2019, 12, 31))
ADDITIVE_CODES = [code for code, kind in RELATIONS.items() if kind == ADDITIVE]
BIRTH_YEARS = (2003, 1998, 1990, 1980, 1965)
ALL_RIGHTS = dict.fromkeys(
    (
        "labour_contract",
        "wages_paid",
        "protected_at_work",
        "health_care",
        "counselling_access",
        "free_to_change_job",
    ),
    True,
)


def _people(site, *, day, reached, need, completed):
    """`reached` people met at `site` on `day`; the first `need` have a need and are referred
    there the same day; the first `completed` referrals are completed."""
    for n in range(reached):
        participant = f.ParticipantFactory(
            province=site.province.current,
            sex="male" if n % 3 == 2 else "female",
            birth_year=BIRTH_YEARS[n % 5],
        )
        f.EnrolmentFactory(site=site, participant=participant, enrolled_on=day)
        f.ContactFactory(
            participant=participant, site=site, date=day, needs=["loan"] if n < need else []
        )
        if n < need:
            done = n < completed
            f.ReferralFactory(
                participant=participant,
                site=site,
                date=day,
                status=Referral.Status.COMPLETED if done else Referral.Status.REFERRED,
                completed_on=day if done else None,
            )


def _workers(site, count, *, day):
    establishment = f.EstablishmentFactory(site=site)
    for _ in range(count):
        f.RightsAssessmentFactory(establishment=establishment, date=day, **ALL_RIGHTS)
    return establishment


@pytest.fixture
def linked(db):
    model = {m.code: m for m in InterventionModel.objects.all()}

    def site(code, legacy, model_code, role, locality):
        return f.SiteFactory(
            code=code,
            province=f.province(legacy, "legacy"),
            model=model[model_code],
            role=role,
            locality=locality,
        )

    sites = {
        "HN1": site("HN1", "01", "peer_groups", "pilot", "Hoàng Mai"),
        "HN2": site("HN2", "01", "community", "scale_up", "Ba Đình"),
        "CT": site("CT", "92", "worker_rights", "pilot", "Ninh Kiều"),
        "HG": site("HG", "93", "worker_rights", "control", "Vị Thanh"),
        "ST": site("ST", "94", "worker_rights", "scale_up", "Sóc Trăng"),
        "HCM": site("HCM", "79", "peer_groups", "pilot", "Quận 1"),
        "BD": site("BD", "74", "community", "pilot", "Thủ Dầu Một"),
    }
    feb, may = D(2019, 2, 1), D(2019, 5, 2)
    for code, reached, need, completed in (
        ("HN1", 12, 7, 0),
        ("HN2", 6, 2, 0),
        ("CT", 10, 6, 3),
        ("HG", 8, 6, 2),
        ("ST", 2, 2, 1),
        ("HCM", 15, 8, 5),
        ("BD", 3, 1, 0),
    ):
        _people(sites[code], day=feb, reached=reached, need=need, completed=completed)
    for code, reached, need in (("HN1", 9, 3), ("HCM", 10, 7), ("CT", 6, 5)):
        _people(sites[code], day=may, reached=reached, need=need, completed=0)
    for code, count in (("CT", 6), ("HG", 6), ("ST", 2)):
        _workers(sites[code], count, day=feb)
    for code, trainees, day in (
        ("HN1", 20, feb),
        ("CT", 15, feb),
        ("ST", 3, feb),
        ("HCM", 12, feb),
        ("HN1", 10, may),
        ("BD", 2, may),
    ):
        f.TrainingFactory(site=sites[code], date=day, trainees=trainees)
    f.CostFactory(site=sites["ST"], date=feb, amount_vnd=1_000_000)
    return sites


def _publish(period, fixed=()):
    start, end = period
    return publishable_tables(start=start, end=end, fixed=fixed)


def _hidden(value):
    return isinstance(value, str)


def _cell(release, table, row, code):
    data = release["tables"][table]
    return (data["total"] if row == "total" else data["rows"][row])[code]


def _differences(lines):
    """What an analyst gets by subtracting: for every line (whole, parts) of cells, when exactly
    one cell is hidden and the others are numbers, the hidden one (whole − Σ parts, or a part).
    Returns [(cell name, value recovered)]."""
    recovered = []
    for whole, parts in lines:
        cells = [whole, *parts]
        hidden = [name for name, value in cells if _hidden(value)]
        if len(hidden) != 1:
            continue
        shown = {name: value for name, value in cells if not _hidden(value)}
        if hidden[0] == whole[0]:
            value = sum(shown[name] for name, _value in parts)
        else:
            value = shown[whole[0]] - sum(v for n, v in parts if not _hidden(v))
        recovered.append((hidden[0], value))
    return recovered


def _province_lines(release, codes, units=None):
    """National row − provinces, 2025 province − its pre-2025 provinces, in both tables."""
    units = units or Units.load()
    lines = []
    for code in codes:
        for table in ("province_2025", "province_legacy"):
            rows = release["tables"][table]["rows"]
            whole = (f"{table}/total", _cell(release, table, "total", code))
            lines.append((whole, [(f"{table}/{key}", v[code]) for key, v in rows.items()]))
        legacy = release["tables"]["province_legacy"]["rows"]
        for province, values in release["tables"]["province_2025"]["rows"].items():
            parts = [
                (f"province_legacy/{key}", v[code])
                for key, v in legacy.items()
                if units.parent[key] == province
            ]
            lines.append(((f"province_2025/{province}", values[code]), parts))
    return lines


# --------------------------------------------------------------------------- what is shown


def test_sites_localities_and_money_are_shown_people_are_not(linked):
    release = _publish(Q1)
    assert release["markers"] == {"small": "<5", "hidden": "x"}
    assert release["period"] == {"start": "2019-01-01", "end": "2019-03-31"}
    soc_trang = release["tables"]["province_legacy"]["rows"]["94"]
    # One site, one locality, one training session, money: shown as they are.
    assert soc_trang["sites_active"] == 1
    assert soc_trang["sites_active_scale_up"] == 1
    assert soc_trang["localities_covered"] == 1
    assert soc_trang["trainings"] == 1
    assert soc_trang["total_cost_vnd"] == 1_000_000
    # Two people reached, two referrals, three trainees: hidden.
    assert soc_trang["reached"] == "<5"
    assert soc_trang["referrals_made"] == "<5"
    assert soc_trang["trainees"] == "<5"
    assert soc_trang["cost_per_reached_vnd"] == "x"  # would give the people reached away
    # Coverage: Bình Dương's one locality of its 9 district-level areas reaches 10 %, and the
    # table says which province it is.
    binh_duong = release["tables"]["province_legacy"]["rows"]["74"]
    assert (binh_duong["localities_covered"], binh_duong["locality_units"]) == (1, 9)
    assert binh_duong["coverage_pct"] == "11.1"
    # Cần Thơ (2025): CT's and ST's localities (HG is a control site) of 9 + 8 + 11.
    can_tho = release["tables"]["province_2025"]["rows"]["92"]
    assert (can_tho["sites_active"], can_tho["localities_covered"]) == (3, 2)
    assert can_tho["coverage_pct"] == "7.1"
    assert release["tables"]["costs"]["rows"]["92"]["total_cost_vnd"] == 1_000_000
    # The comparison of site roles shows its sites too.
    assert release["tables"]["role"]["rows"]["scale_up"]["sites_active"] == 1
    # National figures as they are: 56 people reached in Q1.
    assert release["tables"]["province_2025"]["total"]["reached"] == 56
    assert release["tables"]["breakdown_sex"]["total"] == {"reached": 56}


def test_release_is_plain_json(linked):
    import json

    release = _publish(Q1)
    assert json.loads(json.dumps(release)) == release
    assert set(release["tables"]) == {
        "province_2025",
        "province_legacy",
        "model",
        "role",
        "costs",
        *(f"breakdown_{by}" for by in disclosure.BREAKDOWNS),
    }
    # Every cell is an int, a decimal string, None or a marker.
    for table in release["tables"].values():
        for row in [*table["rows"].values(), table["total"]]:
            assert set(row) == set(table["codes"])
            for value in row.values():
                assert value is None or isinstance(value, int | str)


# --------------------------------------------------------------------------- the three attacks


def test_differencing_the_two_sets_of_provinces_recovers_nothing(linked):
    start, end = Q1
    units = Units.load()
    raw = raw_tables(start=start, end=end, units=units)
    # The attack works on tables suppressed one at a time (the former method): Cần Thơ (2025)
    # made 14 referrals, shown; Cần Thơ and Hậu Giang 6 each, shown; Sóc Trăng's "<5" is 2.
    one_by_one = {}
    for table in ("province_2025", "province_legacy"):
        data = raw[table]
        rows, total = suppress_rows(
            list(data["rows"].values()),
            counts=ADDITIVE_CODES,
            ratios={},
            total=data["total"],
        )
        one_by_one[table] = {"rows": dict(zip(data["rows"], rows, strict=True)), "total": total}
    assert one_by_one["province_legacy"]["rows"]["94"]["referrals_made"] == "<5"
    assert one_by_one["province_2025"]["rows"]["92"]["referrals_made"] == 14
    former = {"tables": one_by_one}
    assert ("province_legacy/94", 2) in _differences(_province_lines(former, ["referrals_made"]))
    # ... and the attacker check sees it.
    exposed = attack(
        {"tables": {t: {"codes": [], **one_by_one[t]} for t in one_by_one}}, units=units
    )
    found = {(c["table"], c["row"], c["code"]): (c["low"], c["high"]) for c in exposed}
    assert found[("province_legacy", "94", "referrals_made")] == (2, 2)

    release = suppress(raw, start=start, end=end, threshold=5, units=units)
    assert _cell(release, "province_legacy", "94", "referrals_made") == "<5"
    assert _differences(_province_lines(release, ADDITIVE_CODES)) == []
    assert attack(release) == []


def test_differencing_nested_periods_recovers_nothing(linked):
    quarters = [_publish(period) for period in (Q1, Q2, Q3, Q4)]
    assert _cell(quarters[1], "province_2025", "01", "referrals_made") == "<5"  # Q2: 3
    year = _publish(YEAR, fixed=quarters)
    assert year["period"] == {"start": "2019-01-01", "end": "2019-12-31"}
    # Year − the quarters shown, for every additive cell of every table.
    assert _differences(_period_lines(year, quarters, ADDITIVE_CODES)) == []
    assert attack(year, fixed=quarters) == []


def test_differencing_pilot_control_scale_up_recovers_nothing(linked):
    release = _publish(Q1)
    role = release["tables"]["role"]
    assert role["rows"]["scale_up"]["workers_assessed"] == "<5"  # Sóc Trăng's 2
    for code in ("workers_assessed", "workers_rights_ensured"):
        line = [role["total"][code], *(row[code] for row in role["rows"].values())]
        assert sum(_hidden(value) for value in line) != 1, code
    lines = [
        (
            ("role/total", role["total"][code]),
            [(f"role/{key}", row[code]) for key, row in role["rows"].items()],
        )
        for code in ("workers_assessed", "workers_rights_ensured")
    ]
    assert _differences(lines) == []
    assert attack(release) == []


# --------------------------------------------------------------------------- the check


def _reveal_complements(release, raw):
    """The release with every complementary cell ("x") replaced by its value."""
    out = {**release, "tables": {}}
    for name, table in release["tables"].items():
        rows = {}
        for key, row in [*table["rows"].items(), ("total", table["total"])]:
            values = raw[name]["total"] if key == "total" else raw[name]["rows"][key]
            rows[key] = {
                code: (values[code] if value == "x" and code in RELATIONS else value)
                for code, value in row.items()
            }
        total = rows.pop("total")
        out["tables"][name] = {"codes": table["codes"], "rows": rows, "total": total}
    return out


def test_attack_fails_an_under_suppressed_release(linked):
    start, end = Q1
    units = Units.load()
    raw = raw_tables(start=start, end=end, units=units)
    release = suppress(raw, start=start, end=end, threshold=5, units=units)
    exposed = attack(_reveal_complements(release, raw))
    found = {(c["table"], c["row"], c["code"]): (c["low"], c["high"]) for c in exposed}
    # Cần Thơ (2025) 14 − 6 − 6: Sóc Trăng's referrals pinned to 2.
    assert found[("province_legacy", "94", "referrals_made")] == (2, 2)
    assert all(cell["marker"] == "small" for cell in exposed)


def test_attack_fails_a_year_that_gives_a_quarter_away(linked):
    quarters = [_publish(period) for period in (Q1, Q2, Q3, Q4)]
    start, end = YEAR
    units = Units.load()
    raw = raw_tables(start=start, end=end, units=units)
    year = suppress(raw, start=start, end=end, threshold=5, fixed=quarters, units=units)
    exposed = attack(_reveal_complements(year, raw), fixed=quarters)
    found = {
        (c["release"], c["table"], c["row"], c["code"]): (c["low"], c["high"]) for c in exposed
    }
    # Hà Nội's referrals: year 11 − Q1 8 − Q3 0 − Q4 0 = Q2's 3 (release 2 = the second quarter).
    assert found[(2, "province_2025", "01", "referrals_made")] == (3, 3)


def test_hand_made_table_intervals():
    """Three provinces and the national total (referrals, additive): the intervals an analyst
    derives are worked out by hand."""
    units = Units()

    def release(a, b, c):
        rows = {"01": {"referrals_made": a}, "92": {"referrals_made": b}}
        rows["79"] = {"referrals_made": c}
        table = {"codes": ["referrals_made"], "rows": rows, "total": {"referrals_made": 39}}
        return {"tables": {"province_2025": table}, "markers": {"small": "<5", "hidden": "x"}}

    # 2 + 7 = 39 − 30 = 9: each hidden cell is anywhere in [0, 9] — wide enough.
    assert attack(release("<5", "x", 30), units=units) == []
    # 1 + 2 = 39 − 36 = 3: both within [0, 3], narrower than 5.
    exposed = attack(release("<5", "<5", 36), units=units)
    assert [(c["row"], c["low"], c["high"]) for c in exposed] == [("01", 0, 3), ("92", 0, 3)]
    # A lone hidden cell is pinned: 39 − 7 − 30 = 2.
    exposed = attack(release("<5", 7, 30), units=units)
    assert [(c["row"], c["low"], c["high"]) for c in exposed] == [("01", 2, 2)]
    # 2 + 4 = 39 − 33 = 6 is wide enough from the numbers ([0, 6]); with what the markers say
    # ("<5" is 1 to 4, "x" at least 5) the "<5" can only be 1: exposed.
    exposed = attack(release("<5", "x", 33), units=units)
    assert [(c["row"], c["low"], c["high"]) for c in exposed] == [("01", 1, 1)]


def _raw_one_table(values, national):
    rows = {code: {"referrals_made": value} for code, value in values.items()}
    table = {"codes": ["referrals_made"], "rows": rows, "total": {"referrals_made": national}}
    return {"province_2025": table}


def test_complement_is_the_cheapest_cell():
    # 3 alone in the line: the smallest other non-zero count (7) is hidden with it, not 20.
    raw = _raw_one_table({"01": 3, "79": 20, "92": 7, "04": 70, "08": 0}, 100)
    release = suppress(raw, start=Q1[0], end=Q1[1], threshold=5, units=Units())
    rows = release["tables"]["province_2025"]["rows"]
    assert {key: row["referrals_made"] for key, row in rows.items()} == {
        "01": "<5",
        "79": 20,
        "92": "x",
        "04": 70,
        "08": 0,
    }


def _period_lines(whole, parts, codes):
    """A release − the releases of the periods inside it, cell by cell."""
    lines = []
    for name, table in whole["tables"].items():
        for row in [*table["rows"], "total"]:
            for code in table["codes"]:
                if code in codes:
                    cells = [
                        (f"{n}/{name}/{row}", _cell(part, name, row, code))
                        for n, part in enumerate(parts, start=1)
                    ]
                    lines.append(((f"0/{name}/{row}", _cell(whole, name, row, code)), cells))
    return lines


def _published(period, values, national):
    """A release as published, by hand: one table of referrals by 2025 province."""
    start, end = period
    return {
        "period": {"start": start.isoformat(), "end": end.isoformat()},
        "tables": _raw_one_table(values, national),
        "markers": {"small": "<5", "hidden": "x"},
    }


def test_a_cell_earlier_releases_give_away_is_not_a_secret_of_the_new_release():
    # The year and its first three quarters are published, every cell shown. Hà Nội's referrals
    # in Q4 are then 30 − 10 − 10 − 8 = 2 whatever Q4 hides: the earlier releases gave that
    # cell away, so Q4 is published all the same (it was refused before), the cell still "<5".
    fixed = [
        _published(YEAR, {"01": 30, "79": 20}, 50),
        _published(Q1, {"01": 10, "79": 5}, 15),
        _published(Q2, {"01": 10, "79": 5}, 15),
        _published(Q3, {"01": 8, "79": 5}, 13),
    ]
    raw = _raw_one_table({"01": 2, "79": 5}, 7)
    release = suppress(raw, start=Q4[0], end=Q4[1], threshold=5, fixed=fixed, units=Units())
    assert _cell(release, "province_2025", "01", "referrals_made") == "<5"
    assert release["loss"]["exempt"] == 1
    # The attacker check itself still sees the cell pinned, by the earlier releases.
    found = attack(release, fixed=fixed, units=Units())
    assert [(c["row"], c["low"], c["high"]) for c in found] == [("01", 2, 2)]


def test_published_figures_that_no_longer_fit_are_reported():
    # The year said Hồ Chí Minh made 50 − 30 = 20 referrals; its first quarter now has 60.
    fixed = [_published(YEAR, {"01": 30, "79": "x"}, 50)]
    raw = _raw_one_table({"01": 2, "79": 60}, 62)
    with pytest.raises(DisclosureError, match="không khớp"):
        suppress(raw, start=Q1[0], end=Q1[1], threshold=5, fixed=fixed, units=Units())


def test_a_small_national_total_is_hidden_as_a_last_resort():
    # 1 + 2 = 3 nationally, nothing else to hide: the national figure is hidden too.
    raw = _raw_one_table({"01": 1, "79": 2, "92": 0}, 3)
    release = suppress(raw, start=Q1[0], end=Q1[1], threshold=5, units=Units())
    table = release["tables"]["province_2025"]
    assert table["total"] == {"referrals_made": "<5"}
    assert [row["referrals_made"] for row in table["rows"].values()] == ["<5", "<5", 0]


# --------------------------------------------------------------------------- the relations


def test_every_relation_given_to_the_analyst_holds_on_the_figures(linked):
    """The facts the attacker check uses must be true of the engine's figures, within a period
    and across nesting periods. Two people make the weaker facts necessary: one with a need in
    Q1 and a referral in Q2 (referred in the year, in neither quarter), one whose rights were
    all ensured in Q1 but not at a later assessment in Q2 (counted in Q1, not in the year)."""
    hcm = linked["HCM"]
    person = f.ParticipantFactory(province=hcm.province.current)
    f.ContactFactory(participant=person, site=hcm, date=D(2019, 2, 3), needs=["loan"])
    f.ReferralFactory(participant=person, site=hcm, date=D(2019, 5, 3))
    establishment = f.EstablishmentFactory(site=linked["CT"])
    worker = f.ParticipantFactory(province=linked["CT"].province.current)
    f.RightsAssessmentFactory(
        participant=worker, establishment=establishment, date=D(2019, 2, 3), **ALL_RIGHTS
    )
    f.RightsAssessmentFactory(
        participant=worker,
        establishment=establishment,
        date=D(2019, 5, 3),
        **{**ALL_RIGHTS, "wages_paid": False},
    )
    units = Units.load()
    periods = [YEAR, Q1, Q2, Q3, Q4]
    releases = []
    for start, end in periods:
        raw = raw_tables(start=start, end=end, units=units)
        releases.append(read_release(render(raw, {}, start=start, end=end, threshold=5)))
    values = {}
    for index, release in enumerate(releases):
        values.update({(index, *quantity): v for quantity, v in release.known.items()})
    # The two people above do make the stronger facts false.
    referred = ("national",), "referred"
    assert values[(0, *referred)] > sum(values[(i, *referred)] for i in range(1, 5))
    ensured = ("national",), "workers_rights_ensured"
    assert values[(1, *ensured)] > values[(0, *ensured)]
    violated = []
    for relation in linked_relations(releases, units):
        for terms, sense in linear_forms([relation]):
            total = sum(c * values.get(q, 0) for q, c in terms.items())
            if total > 0 or (sense == "eq" and total != 0):
                violated.append(relation)
    assert violated == []


def test_query_count_does_not_grow_with_the_data(linked, django_assert_max_num_queries):
    start, end = Q1
    with CaptureQueriesContext(connection) as few:
        _publish(Q1)
    for code in ("01", "48", "79"):
        more = f.SiteFactory(province=f.province(code, "legacy"), locality="Khác")
        _people(more, day=D(2019, 3, 1), reached=7, need=3, completed=1)
        _workers(more, 5, day=D(2019, 3, 1))
    with django_assert_max_num_queries(len(few.captured_queries)):
        publishable_tables(start=start, end=end)
    assert len(few.captured_queries) <= 80


# --------------------------------------------------------------------------- national scale


def _synthetic_world(seed):
    """People met at sites in every pre-2025 province (a few in two provinces), over four
    quarters: many small cells, in the country's real structure of provinces and regions."""
    import csv
    import random

    from django.conf import settings

    path = settings.BASE_DIR / "sites" / "data" / "provinces.csv"
    with path.open(encoding="utf-8") as handle:
        provinces = list(csv.DictReader(handle))
    units = Units()
    for row in provinces:
        units.parent[row["legacy_code"]] = row["code_2025"]
        units.region[row["legacy_code"]] = row["region"]
    units.current = sorted({row["code_2025"] for row in provinces})
    regions = sorted({row["region"] for row in provinces})
    rnd = random.Random(seed)
    models = ("community", "worker_rights", "peer_groups")
    sites = []
    for row in provinces:
        for _ in range(rnd.choice((0, 1, 1, 2))):
            model = rnd.choice(models)
            roles = ("pilot", "control", "scale_up") if model == "worker_rights" else ("pilot",)
            sites.append(
                (row["legacy_code"], row["code_2025"], row["region"], model, rnd.choice(roles))
            )
    weights = [rnd.choice((1, 2, 5, 20)) for _ in sites]
    people = []
    for _ in range(700):
        home = rnd.choices(range(len(sites)), weights)[0]
        extra = [rnd.randrange(len(sites))] if rnd.random() < 0.05 else []
        people.append(([home, *extra], rnd.choice(("female", "male"))))
    events = []
    for quarter in range(4):
        for person, (where, _sex) in enumerate(people):
            for site in where:
                if rnd.random() < 0.5:
                    need = rnd.random() < 0.4
                    referrals = rnd.choice((0, 1, 2)) if need else 0
                    assessed = sites[site][3] == "worker_rights" and rnd.random() < 0.4
                    events.append((quarter, person, site, need, referrals, assessed))
    return units, regions, sites, people, events


def _synthetic_raw(world, quarters):
    """The linked tables of the quarters `quarters` of the synthetic world (by hand: sets of
    people per scope, sums of referrals)."""
    units, regions, sites, people, events = world
    chosen = [e for e in events if e[0] in quarters]

    def counts(in_scope):
        here = [e for e in chosen if in_scope(sites[e[2]])]
        needy = {e[1] for e in here if e[3]}
        return {
            **{code: 0 for code in disclosure.PROVINCE_CODES},
            **{code: None for code in disclosure.RATIO_PARTS},
            "reached": len({e[1] for e in here}),
            "reached_with_need": len(needy),
            "referred": len({e[1] for e in here if e[4]} & needy),
            "referrals_made": sum(e[4] for e in here),
            "workers_assessed": len({e[1] for e in here if e[5]}),
        }

    national = counts(lambda site: True)
    by_model = {
        m: counts(lambda s, m=m: s[3] == m) for m in ("community", "worker_rights", "peer_groups")
    }
    reached = {e[1] for e in chosen}
    tables = {
        "province_2025": disclosure._table(
            disclosure.PROVINCE_CODES,
            {p: counts(lambda s, p=p: s[1] == p) for p in units.current},
            national,
        ),
        "province_legacy": disclosure._table(
            disclosure.PROVINCE_CODES,
            {p: counts(lambda s, p=p: s[0] == p) for p in units.parent},
            national,
        ),
        "model": disclosure._table(disclosure.MODEL_CODES, by_model, national),
        "role": disclosure._table(
            disclosure.ROLE_CODES,
            {
                r: counts(lambda s, r=r: s[3] == "worker_rights" and s[4] == r)
                for r in ("pilot", "control", "scale_up")
            },
            by_model["worker_rights"],
        ),
        "breakdown_sex": disclosure._table(
            ("reached",),
            {
                sex: {"reached": sum(people[p][1] == sex for p in reached)}
                for sex in ("female", "male")
            },
            national,
        ),
        "breakdown_region": disclosure._table(
            ("reached",),
            {g: {"reached": counts(lambda s, g=g: s[2] == g)["reached"]} for g in regions},
            national,
        ),
    }
    return tables


def test_national_scale_quarters_then_their_year():
    """63 pre-2025 provinces in 34, regions, models, site roles, a breakdown, four quarters
    published one after the other and then their year: nothing can be worked back."""
    world = _synthetic_world(seed=7)
    units = world[0]
    quarters = []
    for start, end, n in ((*Q1, 0), (*Q2, 1), (*Q3, 2), (*Q4, 3)):
        raw = _synthetic_raw(world, [n])
        quarters.append(suppress(raw, start=start, end=end, threshold=5, units=units))
    year = suppress(
        _synthetic_raw(world, [0, 1, 2, 3]),
        start=YEAR[0],
        end=YEAR[1],
        threshold=5,
        fixed=quarters,
        units=units,
    )
    hidden = sum(
        _hidden(v)
        for table in year["tables"].values()
        for row in table["rows"].values()
        for v in row.values()
    )
    assert hidden > 50  # plenty of small cells to protect
    assert attack(year, fixed=quarters, units=units) == []
    assert _differences(_province_lines(year, ADDITIVE_CODES, units)) == []
    assert _differences(_period_lines(year, quarters, ADDITIVE_CODES)) == []
