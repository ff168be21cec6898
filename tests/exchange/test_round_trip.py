"""Export every kind -> import into an emptied database -> the same records and indicators."""

import datetime
import io
import re

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from exchange.spec import FILES
from participants.models import Contact, Enrolment, Participant, RightsAssessment
from programs.models import InterventionModel
from referrals.models import Provider, Referral, Support
from reports.indicators import compute_indicators
from sites.models import Site
from tests import factories

from .conftest import counts, database_text, empty_exchange_tables, run_import

pytestmark = pytest.mark.django_db

XLSX_KINDS = {"participants", "referrals", "costs"}


def build_data(site_hn, site_ct, group_hn, provider_hn):
    worker_rights = InterventionModel.objects.get(code="worker_rights")
    site_new = factories.SiteFactory(
        code="HN-2025",
        province=factories.province("01"),
        model=worker_rights,
        role=Site.SiteRole.SCALE_UP,
        start_date=datetime.date(2025, 7, 15),
        phase=None,
        end_date=datetime.date(2026, 6, 30),
    )
    establishment = factories.EstablishmentFactory(code="E-KTV", site=site_new, workers=9)
    factories.EstablishmentFactory(code="E-CT", site=site_ct, kind="massage")
    people = []
    for n in range(12):
        site = (site_hn, site_ct, site_new)[n % 3]
        participant = factories.ParticipantFactory(
            birth_year=1980 + n,
            category=("sex_worker", "establishment_worker")[n % 2],
            province=site.province.current,
        )
        factories.EnrolmentFactory(participant=participant, site=site)
        people.append((participant, site))
        factories.ContactFactory(
            participant=participant,
            site=site,
            date=datetime.date(2025, 8, 1 + n),
            peer_group=group_hn if site == site_hn else None,
            needs=["loan", "legal_aid"][: n % 3],
        )
        factories.ContactFactory(
            participant=participant, site=site, date=datetime.date(2025, 9, 1), kind="follow_up"
        )
    # One person enrolled at two sites.
    factories.EnrolmentFactory(participant=people[0][0], site=site_new)
    for n, status in enumerate(["referred", "received", "completed", "declined", "lost"]):
        participant, site = people[n]
        factories.ReferralFactory(
            participant=participant,
            site=site,
            date=datetime.date(2025, 8, 10),
            service="loan",
            provider=provider_hn if n % 2 else None,
            status=status,
            completed_on=datetime.date(2025, 8, 30) if status == "completed" else None,
        )
    for participant, site in people:
        if site == site_new:
            factories.RightsAssessmentFactory(
                participant=participant,
                establishment=establishment,
                date=datetime.date(2025, 10, 1),
                labour_contract=True,
                wages_paid=True,
                protected_at_work=True,
                health_care=True,
                counselling_access=True,
                free_to_change_job=participant.birth_year % 2 == 0,
            )
    factories.EstablishmentAssessmentFactory(
        establishment=establishment, date=datetime.date(2025, 10, 2), contracts=True
    )
    factories.CostFactory(site=site_hn, date=datetime.date(2025, 8, 1), amount_vnd=7_000_000)
    factories.CostFactory(site=site_new, date=datetime.date(2025, 9, 1), category="support")
    factories.TrainingFactory(site=site_ct, date=datetime.date(2025, 8, 5), trainees=17)
    # What the format carries beyond docs/exchange.md's minimum: the enrolling peer group, consent
    # and withdrawal dates, the provider directory and support given.
    enrolment = people[0][0].enrolments.get(site=site_hn)
    enrolment.peer_group = group_hn
    enrolment.save()
    withdrawn = people[3][0]
    withdrawn.consent_on = datetime.date(2019, 1, 5)
    withdrawn.withdrawn_on = datetime.date(2025, 10, 15)
    withdrawn.save()
    factories.ProviderFactory(
        name="Trạm y tế phường Ninh Kiều",
        province=factories.province("92"),
        services=["health_check", "hiv_sti"],
        location="Ninh Kiều",
        accepts_without_residence=False,
        eligibility="Phụ nữ từ 16 tuổi",
    )
    completed = Referral.objects.get(status="completed")
    factories.SupportFactory(
        participant=completed.participant,
        site=completed.site,
        referral=completed,
        date=datetime.date(2025, 9, 2),
        kind="loan",
        amount_vnd=12_500_000,
    )
    factories.SupportFactory(
        participant=people[1][0],
        site=people[1][1],
        date=datetime.date(2025, 9, 3),
        kind="health_insurance_premium",
        amount_vnd=800_000,
    )


def content():
    """The records by their natural keys, with every exchange column (not ids)."""
    return {
        "sites": sorted(
            Site.objects.values_list(
                "code",
                "name",
                "province__code",
                "province__unit_set",
                "locality",
                "model",
                "role",
                "start_date",
                "end_date",
            )
        ),
        "participants": sorted(
            Participant.objects.values_list(
                "person__uic_hash",
                "province__code",
                "category",
                "sex",
                "birth_year",
                "residence",
                "enrolments__site__code",
                "enrolments__enrolled_on",
            )
        ),
        "contacts": sorted(
            (
                c.participant.person.uic_hash,
                c.date,
                c.site.code,
                c.peer_group_id and c.peer_group.code,
                c.kind,
                tuple(c.needs),
            )
            for c in Contact.objects.select_related("participant", "site", "peer_group")
        ),
        "referrals": sorted(
            Referral.objects.values_list(
                "participant__person__uic_hash",
                "date",
                "site__code",
                "service",
                "provider__name",
                "status",
                "completed_on",
            ),
            key=repr,
        ),
        "enrolments": sorted(
            Enrolment.objects.values_list(
                "participant__person__uic_hash",
                "site__code",
                "peer_group__code",
                "participant__consent_on",
                "participant__withdrawn_on",
            ),
            key=repr,
        ),
        "providers": sorted(
            Provider.objects.values_list(
                "name",
                "province__code",
                "services",
                "location",
                "accepts_without_residence",
                "eligibility",
                "contact_channel",
            ),
            key=repr,
        ),
        "supports": sorted(
            Support.objects.values_list(
                "participant__person__uic_hash",
                "date",
                "site__code",
                "kind",
                "amount_vnd",
                "referral__date",
                "referral__service",
            ),
            key=repr,
        ),
        "rights": sorted(
            RightsAssessment.objects.values_list(
                "participant__person__uic_hash", "establishment__code", "date", "free_to_change_job"
            )
        ),
    }


def indicators():
    period = {"start": datetime.date(2025, 1, 1), "end": datetime.date(2026, 6, 30)}
    return {
        "national": compute_indicators(**period),
        "hanoi": compute_indicators(**period, province="01"),
        "worker_rights": compute_indicators(**period, model="worker_rights"),
    }


def test_export_every_kind_then_import_into_an_empty_database(
    tmp_path, client_for, admin_user, site_hn, site_ct, group_hn, provider_hn
):
    build_data(site_hn, site_ct, group_hn, provider_hn)
    before_counts = counts()
    before_content = content()
    before_indicators = indicators()

    client = client_for(admin_user)
    for spec in FILES:
        fmt = "xlsx" if spec.name in XLSX_KINDS else "csv"
        response = client.get(reverse("exchange:export", args=[spec.name]), {"format": fmt})
        assert response.status_code == 200
        if fmt == "csv":
            (tmp_path / spec.filename).write_bytes(b"".join(response.streaming_content))
        else:
            assert load_workbook(io.BytesIO(response.content)).sheetnames == [spec.name]
            (tmp_path / f"{spec.name}.xlsx").write_bytes(response.content)

    empty_exchange_tables()
    assert Participant.objects.count() == 0
    ok, out, err = run_import(tmp_path)
    assert ok, err
    assert content() == before_content
    after_counts = counts()
    # Only the status history is shorter: an import records one event ('' -> status).
    for label in before_counts:
        if label != "referrals.ReferralEvent":
            assert after_counts[label] == before_counts[label], label
    assert after_counts["referrals.ReferralEvent"] == 5
    assert before_indicators["national"]["reached"] > 0
    assert indicators() == before_indicators
    # Re-importing the exported files unchanged changes nothing.
    ok, out, err = run_import(tmp_path)
    assert ok and " 0 new, 0 updated" in out, err + out
    # The export's "h:<hash>" form is read, never stored. (A bare "h:" can occur by chance in
    # signed session data, so look for the whole form.)
    assert re.search(r"h:[0-9a-f]{64}", database_text()) is None
