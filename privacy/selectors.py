"""Reads of the privacy app. Whatever reaches a user starts from `visible_to(user)`; the
retention rule and the registers are for the command and administrators. Query counts do not
grow with the number of records or events."""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db.models import Count, Exists, Max, Min, OuterRef, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from participants.models import Contact, Enrolment, Participant, Person, RightsAssessment
from programs.services_catalog import Service
from referrals.models import Referral, ReferralEvent, Support

from .models import ERASED_PREFIX, ErasureRun, HarvestAlert

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

    from accounts.models import User

# The dates that keep a person's records: (model, path to the person, date field).
ACTIVITY_DATES = (
    (Participant, "person", "consent_on"),
    (Participant, "person", "withdrawn_on"),
    (Enrolment, "participant__person", "enrolled_on"),
    (Contact, "participant__person", "date"),
    (RightsAssessment, "participant__person", "date"),
    (Referral, "participant__person", "date"),
    (Referral, "participant__person", "completed_on"),
    (ReferralEvent, "referral__participant__person", "on"),
    (Support, "participant__person", "date"),
)


def shift_years(day: datetime.date, years: int) -> datetime.date:
    """`day` moved by whole `years` (29 February becomes 28 February in a common year)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def expired_people(*, today: datetime.date) -> QuerySet[Person]:
    """People (not yet erased) none of whose records has any date — consent, withdrawal,
    enrolment, contact, assessment, referral, referral step, support — on or after the cutoff:
    their last event or their withdrawal is more than PARTICIPANT_RETENTION_YEARS old. One
    query, NOT EXISTS per dated table."""
    # The earliest day whose events still keep a person's records on `today`.
    cutoff = shift_years(today, -settings.PARTICIPANT_RETENTION_YEARS)
    people = Person.objects.exclude(uic_hash__startswith=ERASED_PREFIX)
    for model, path, date_field in ACTIVITY_DATES:
        recent = model.objects.filter(**{path: OuterRef("pk"), f"{date_field}__gte": cutoff})
        people = people.exclude(Exists(recent))
    return people.order_by("pk")


def records_of(*, user: "User", digest: str) -> list[Participant]:
    """The participant records of the person whose UIC hashes to `digest`, among those `user`
    may see (an officer: their province's, if any), province first. One query."""
    return list(
        Participant.objects.visible_to(user)
        .filter(person__uic_hash=digest)
        .select_related("province")
        .order_by("province__name")
    )


@dataclass
class Holdings:
    """What erasing a person would remove: their records and how many events each table holds
    about them."""

    provinces: list
    counts: dict
    last_activity: object


def person_holdings(*, person: Person) -> Holdings:
    """Counts of what the system holds about `person`, nationally (the administrator's erasure
    confirmation). Seven queries."""
    records = Participant.objects.filter(person=person)
    counts = {"records": records.count()}
    dates = list(records.aggregate(a=Max("consent_on"), b=Max("withdrawn_on")).values())
    for name, model, day in (
        ("enrolments", Enrolment, "enrolled_on"),
        ("contacts", Contact, "date"),
        ("rights_assessments", RightsAssessment, "date"),
        ("referrals", Referral, "date"),
        ("supports", Support, "date"),
    ):
        row = model.objects.filter(participant__person=person).aggregate(n=Count("pk"), d=Max(day))
        counts[name] = row["n"]
        dates.append(row["d"])
    provinces = sorted(records.values_list("province__name", flat=True))
    return Holdings(
        provinces=provinces,
        counts=counts,
        last_activity=max((day for day in dates if day is not None), default=None),
    )


@dataclass
class RecordSummary:
    record: Participant
    enrolments: list = field(default_factory=list)
    contact_sites: list = field(default_factory=list)
    needs: list = field(default_factory=list)
    referrals: list = field(default_factory=list)
    supports: list = field(default_factory=list)
    assessments: list = field(default_factory=list)
    last_activity: object = None
    kept_until: object = None


def access_summary(*, user: "User", records: list[Participant]) -> list[RecordSummary]:
    """For each of `records` (records_of), what the system holds, read through each model's
    `visible_to(user)`: enrolments, contacts grouped by site (how many, first and last day), the
    needs recorded, referrals, support given, rights assessments. Seven queries, whatever the
    number of events."""
    summaries = {record.pk: RecordSummary(record=record) for record in records}
    ids = list(summaries)
    for enrolment in (
        Enrolment.objects.visible_to(user)
        .filter(participant_id__in=ids)
        .select_related("site", "peer_group")
        .order_by("enrolled_on", "pk")
    ):
        summaries[enrolment.participant_id].enrolments.append(enrolment)
    contacts = Contact.objects.visible_to(user).filter(participant_id__in=ids).order_by()
    for row in (
        contacts.values("participant_id", "site__code", "site__name")
        .annotate(n=Count("pk"), first=Min("date"), last=Max("date"))
        .order_by("participant_id", "first")
    ):
        summaries[row["participant_id"]].contact_sites.append(row)
    needs = defaultdict(set)
    for participant_id, codes in contacts.values_list("participant_id", "needs").distinct():
        needs[participant_id].update(codes)
    for participant_id, codes in needs.items():
        summaries[participant_id].needs = [
            label for code, label in Service.choices if code in codes
        ]
    for referral in (
        Referral.objects.visible_to(user)
        .filter(participant_id__in=ids)
        .select_related("site", "provider")
        .order_by("date", "pk")
    ):
        summaries[referral.participant_id].referrals.append(referral)
    for support in (
        Support.objects.visible_to(user)
        .filter(participant_id__in=ids)
        .select_related("site")
        .order_by("date", "pk")
    ):
        summaries[support.participant_id].supports.append(support)
    for assessment in (
        RightsAssessment.objects.visible_to(user)
        .filter(participant_id__in=ids)
        .select_related("establishment")
        .order_by("date", "pk")
    ):
        summaries[assessment.participant_id].assessments.append(assessment)
    for summary in summaries.values():
        record = summary.record
        days = [record.consent_on, record.withdrawn_on]
        days += [e.enrolled_on for e in summary.enrolments]
        days += [row["last"] for row in summary.contact_sites]
        days += [r.completed_on or r.date for r in summary.referrals]
        days += [s.date for s in summary.supports] + [a.date for a in summary.assessments]
        summary.last_activity = max(day for day in days if day is not None)
        summary.kept_until = shift_years(
            summary.last_activity, settings.PARTICIPANT_RETENTION_YEARS
        )
    return list(summaries.values())


def alert_list() -> QuerySet[HarvestAlert]:
    """Harvesting alerts, the ones not yet reviewed first, newest first."""
    return (
        HarvestAlert.objects.select_related("user", "reviewed_by")
        .annotate(open=Q(reviewed_at__isnull=True))
        .order_by("-open", "-last_at", "-id")
    )


def open_alert_count() -> int:
    return HarvestAlert.objects.filter(reviewed_at__isnull=True).count()


def erasure_list() -> QuerySet[ErasureRun]:
    return ErasureRun.objects.select_related("by").order_by("-at", "-id")


# What an erasure counts (ErasureRun.counts), in the order the certificate and the register
# show them.
COUNT_LABELS = {
    "records": _("Hồ sơ của tỉnh/thành phố (mã hiển thị, ngày đồng ý, ngày rút)"),
    "enrolments": _("Lần ghi danh"),
    "contacts": _("Lần tiếp cận"),
    "rights_assessments": _("Đánh giá quyền người lao động"),
    "referrals": _("Chuyển gửi"),
    "referral_events": _("Bước của chuyển gửi"),
    "supports": _("Hỗ trợ đã nhận"),
    "log_entries": _("Mục lịch sử thay đổi đã xoá nội dung"),
    "activity_events": _("Mục nhật ký truy cập đã xoá nội dung"),
    "offline_submissions": _("Kết quả gửi từ điện thoại đã xoá mã"),
    "session_entries": _("Mục đang chờ trong phiên làm việc của người dùng đã xoá"),
    "import_previews": _("Bản xem trước nhập dữ liệu đang chờ đã xoá"),
}


def erasure_lines(run: ErasureRun) -> list[tuple["StrOrPromise", int]]:
    """[(label, count)] of an erasure, in COUNT_LABELS order."""
    return [(label, run.counts.get(key, 0)) for key, label in COUNT_LABELS.items()]


def answers_predate_erasure(pending: Any) -> bool:
    """Whether UIC answers kept in a session (`pending`, with "at": when they were typed, epoch
    seconds) are older than the last erasure of anyone. Erasure removes the entries that hold
    an erased person's hash (privacy.services); this also refuses one a request in flight
    during the erasure wrote back, so an erased person is never enrolled again from answers
    typed before. One query."""
    at = pending.get("at") if isinstance(pending, dict) else None
    if not isinstance(at, (int, float)):
        return True
    typed = datetime.datetime.fromtimestamp(at, tz=datetime.UTC)
    return ErasureRun.objects.filter(at__gte=typed, people__gt=0).exists()
