"""Reads of the participants app. Every function starts from `Model.objects.visible_to(user)`
and applies `filters`, the cleaned_data of the matching FilterForm (it may be {}); the exchange
export reuses them. Query counts do not grow with the number of rows."""

import ast
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.db.models import (
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    Max,
    Min,
    Model,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.utils.translation import gettext as _

from accounts.listing import Filters, dated, narrowed
from programs.services_catalog import SERVICE_BITS, Service, mask_to_services
from referrals.models import Referral

from .display_codes import normalize_code
from .models import Contact, Enrolment, EstablishmentAssessment, Participant, RightsAssessment

if TYPE_CHECKING:
    from auditlog.models import LogEntry

    from accounts.models import User


def _period(filters: Filters, field: str) -> Q:
    q = Q()
    if filters.get("start"):
        q &= Q(**{f"{field}__gte": filters["start"]})
    if filters.get("end"):
        q &= Q(**{f"{field}__lte": filters["end"]})
    return q


def with_need(queryset: QuerySet[Contact], need: str) -> QuerySet[Contact]:
    """Contacts whose needs hold `need` (a bit test on the mask, done here rather than with the
    `needs__has` lookup so the value is not prepared as a list of codes)."""
    bit = ExpressionWrapper(F("needs").bitand(SERVICE_BITS[need]), output_field=IntegerField())
    return queryset.alias(need_bit=bit).filter(need_bit__gt=0)


def _code(filters: Filters) -> str:
    return normalize_code(filters.get("q"))


def participant_list(*, user: "User", filters: Filters | None) -> QuerySet[Participant]:
    """Participants in the user's scope, withdrawn ones left out unless `include_withdrawn`.
    Filters: site, start/end
    (enrolled or contacted in the period), category, residence, need (a contact recorded it),
    q (display code, exact or partial)."""
    filters = filters or {}
    qs = Participant.objects.visible_to(user)
    if not filters.get("include_withdrawn"):
        qs = qs.not_withdrawn()
    if filters.get("category"):
        qs = qs.filter(category=filters["category"])
    if filters.get("residence"):
        qs = qs.filter(residence=filters["residence"])
    code = _code(filters)
    if code:
        qs = qs.filter(code__icontains=code.removeprefix("P-"))

    site = filters.get("site")
    enrol_q = _period(filters, "enrolled_on")
    contact_q = _period(filters, "date")
    if site:
        enrol_q &= Q(site=site)
        contact_q &= Q(site=site)
    if filters.get("need"):
        qs = qs.filter(
            Exists(
                with_need(
                    Contact.objects.visible_to(user).filter(contact_q, participant=OuterRef("pk")),
                    filters["need"],
                )
            )
        )
    elif site or filters.get("start") or filters.get("end"):
        enrolled = Enrolment.objects.visible_to(user).filter(enrol_q, participant=OuterRef("pk"))
        met = Contact.objects.visible_to(user).filter(contact_q, participant=OuterRef("pk"))
        qs = qs.filter(Exists(enrolled) | Exists(met))

    visible_contacts = Contact.objects.visible_to(user).filter(participant=OuterRef("pk"))
    first_enrolment = (
        Enrolment.objects.visible_to(user)
        .filter(participant=OuterRef("pk"))
        .order_by("enrolled_on")
    )
    return qs.annotate(
        last_contact_on=Subquery(
            visible_contacts.order_by().values("participant").annotate(m=Max("date")).values("m")
        ),
        first_enrolled_on=Subquery(
            Enrolment.objects.visible_to(user)
            .filter(participant=OuterRef("pk"))
            .order_by()
            .values("participant")
            .annotate(m=Min("enrolled_on"))
            .values("m")
        ),
        enrolment_site_code=Subquery(first_enrolment.values("site__code")[:1]),
    ).order_by("code")


def contact_list(*, user: "User", filters: Filters | None) -> QuerySet[Contact]:
    """Contacts in the user's scope. Filters: site, start/end, kind, need, peer_group, q."""
    filters = filters or {}
    qs = dated(Contact.objects.visible_to(user), filters)
    qs = narrowed(qs, filters, site="site", kind="kind")
    if filters.get("need"):
        qs = with_need(qs, filters["need"])
    qs = narrowed(qs, filters, peer_group="peer_group")
    code = _code(filters)
    if code:
        qs = qs.filter(participant__code__icontains=code.removeprefix("P-"))
    return qs.select_related("participant", "site", "peer_group").order_by("-date", "-id")


def rights_assessment_list(*, user: "User", filters: Filters | None) -> QuerySet[RightsAssessment]:
    """Worker rights assessments in scope. Filters: site, establishment, start/end, q,
    rights_ensured ("yes"/"no": all six core rights)."""
    filters = filters or {}
    qs = dated(RightsAssessment.objects.visible_to(user), filters)
    qs = narrowed(qs, filters, site="establishment__site", establishment="establishment")
    code = _code(filters)
    if code:
        qs = qs.filter(participant__code__icontains=code.removeprefix("P-"))
    all_rights = Q(**{name: True for name in RightsAssessment.CORE_RIGHTS})
    if filters.get("rights_ensured") == "yes":
        qs = qs.filter(all_rights)
    elif filters.get("rights_ensured") == "no":
        qs = qs.exclude(all_rights)
    return qs.select_related("participant", "establishment", "establishment__site").order_by(
        "-date", "-id"
    )


def establishment_assessment_list(
    *, user: "User", filters: Filters | None
) -> QuerySet[EstablishmentAssessment]:
    """Establishment assessments in scope. Filters: site, establishment, start/end, compliant."""
    filters = filters or {}
    qs = dated(EstablishmentAssessment.objects.visible_to(user), filters)
    qs = narrowed(qs, filters, site="establishment__site", establishment="establishment")
    all_duties = Q(**{name: True for name in EstablishmentAssessment.DUTIES})
    if filters.get("compliant") == "yes":
        qs = qs.filter(all_duties)
    elif filters.get("compliant") == "no":
        qs = qs.exclude(all_duties)
    return qs.select_related("establishment", "establishment__site").order_by("-date", "-id")


TIMELINE_LIMIT = 200


def participant_timeline(*, user: "User", participant: Participant) -> list[dict[str, Any]]:
    """The participant's events the user may see, newest first: enrolments, contacts, rights
    assessments and referrals, each through its model's scoping."""
    events = []
    for enrolment in (
        Enrolment.objects.visible_to(user)
        .filter(participant=participant)
        .select_related("site", "peer_group")[:TIMELINE_LIMIT]
    ):
        events.append({"date": enrolment.enrolled_on, "kind": "enrolment", "obj": enrolment})
    for contact in (
        Contact.objects.visible_to(user)
        .filter(participant=participant)
        .select_related("site", "peer_group")[:TIMELINE_LIMIT]
    ):
        events.append({"date": contact.date, "kind": "contact", "obj": contact})
    for assessment in (
        RightsAssessment.objects.visible_to(user)
        .filter(participant=participant)
        .select_related("establishment")[:TIMELINE_LIMIT]
    ):
        events.append({"date": assessment.date, "kind": "rights", "obj": assessment})
    for referral in (
        Referral.objects.visible_to(user)
        .filter(participant=participant)
        .select_related("site", "provider")[:TIMELINE_LIMIT]
    ):
        events.append({"date": referral.date, "kind": "referral", "obj": referral})
    order = {"enrolment": 0, "contact": 1, "rights": 2, "referral": 3}
    events.sort(key=lambda e: (e["date"], order[e["kind"]], e["obj"].pk), reverse=True)
    return events


def _record_phrase(obj: Model) -> str:
    """How a sentence names an audited record of a participant's page."""
    if isinstance(obj, Participant):
        return _("hồ sơ người tham gia")
    if isinstance(obj, Enrolment):
        return _("việc ghi danh tại %(site)s") % {"site": obj.site.code}
    if isinstance(obj, Contact):
        return _("lần tiếp cận ngày %(date)s") % {"date": obj.date.strftime("%d/%m/%Y")}
    if isinstance(obj, RightsAssessment):
        return _("đánh giá quyền người lao động ngày %(date)s") % {
            "date": obj.date.strftime("%d/%m/%Y")
        }
    if isinstance(obj, Referral):
        return _("chuyển gửi “%(service)s”") % {"service": obj.get_service_display()}
    return str(obj._meta.verbose_name)


def _needs_text(value: Any) -> str:
    """A ServiceSetField's audited value ("['loan', 'legal_aid']" or a bit mask) as labels."""
    try:
        parsed = ast.literal_eval(str(value)) if value not in (None, "None", "") else []
    except (ValueError, SyntaxError):
        return str(value)
    codes = mask_to_services(parsed) if isinstance(parsed, int) else list(parsed)
    labels = dict(Service.choices)
    return ", ".join(str(labels.get(code, code)) for code in codes) or "—"


def participant_story(
    *,
    participant: Participant,
    timeline: list[dict[str, Any]],
    entries: Iterable["LogEntry"],
) -> list[dict[str, Any]]:
    """The audit history of a participant's page told in sentences, in the user's language:
    who did what to which record, and for a change each field's old and new value by its
    label. `entries`: participant_history's log entries (newest first)."""
    from auditlog.models import LogEntry

    from accounts.history import describe_change, related_records

    records = {(Participant, str(participant.pk)): participant}
    for event in timeline:
        records[(type(event["obj"]), str(event["obj"].pk))] = event["obj"]
    verbs = {
        LogEntry.Action.CREATE: _("%(who)s đã ghi %(record)s."),
        LogEntry.Action.UPDATE: _("%(who)s đã sửa %(record)s"),
        LogEntry.Action.DELETE: _("%(who)s đã xóa %(record)s."),
    }
    entries = list(entries)
    related = related_records(
        (entry.content_type.model_class(), entry.changes_dict)
        for entry in entries
        if entry.action == LogEntry.Action.UPDATE
    )
    story = []
    for entry in entries:
        model = entry.content_type.model_class()
        obj = records.get((model, entry.object_pk))
        if obj is None or entry.action not in verbs:
            continue
        who = entry.actor.get_username() if entry.actor is not None else _("Hệ thống")
        sentence = verbs[entry.action] % {"who": who, "record": _record_phrase(obj)}
        changes = []
        if entry.action == LogEntry.Action.UPDATE:
            for name, values in (entry.changes_dict or {}).items():
                old, new = (list(values) + [None, None])[:2]
                change = describe_change(model, name, old, new, related)
                if change is not None and name == "needs":
                    change.old, change.new = _needs_text(old), _needs_text(new)
                if change is not None and change.old != change.new:
                    changes.append(change)
            if not changes:
                continue
            sentence += ":"
        story.append({"when": entry.timestamp, "sentence": sentence, "changes": changes})
    return story


def participant_history(
    *, user: "User", participant: Participant, timeline: list[dict[str, Any]]
) -> QuerySet["LogEntry"]:
    """Audit-log entries of the participant and of the timeline's records (who, when, what
    changed), newest first."""
    from auditlog.models import LogEntry
    from django.contrib.contenttypes.models import ContentType

    wanted = Q(
        content_type=ContentType.objects.get_for_model(Participant), object_pk=str(participant.pk)
    )
    by_model: dict[type, list[str]] = {}
    for event in timeline:
        by_model.setdefault(type(event["obj"]), []).append(str(event["obj"].pk))
    for model, pks in by_model.items():
        wanted |= Q(content_type=ContentType.objects.get_for_model(model), object_pk__in=pks)
    return (
        LogEntry.objects.filter(wanted)
        .select_related("actor", "content_type")
        .order_by("-timestamp", "-id")[:100]
    )
