"""Export of the browser's lists in the exchange columns (docs/exchange.md), so an exported file can
be imported again unchanged.

Each kind reuses its list page's selector and filter form (`sites.selectors.site_list` with
`sites.forms.SiteFilterForm`, ...): the export holds exactly the rows the list shows, in the
user's scope.

The raw UIC is never stored, and the stored hash is the same in every province: the `uic` column
holds the person's pseudonym for the province of the row's record ("p:" + 32 hex digits,
exchange.pseudonyms), which an import by the same province maps back. Two provinces' exports
have no value in common.
"""

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from accounts.access import CASE_ROLES, REPORT_ROLES
from accounts.models import Role
from participants import forms as participant_forms
from participants import selectors as participant_selectors
from participants.models import Enrolment
from referrals import forms as referral_forms
from referrals import selectors as referral_selectors
from sites import forms as site_forms
from sites import selectors as site_selectors

from .pseudonyms import Pseudonymizer
from .spec import FILES_BY_NAME

if TYPE_CHECKING:
    import datetime

    from django import forms
    from django.db.models import QuerySet

    from accounts.models import User


@dataclass(frozen=True)
class ListSource:
    selector: Callable[..., Any]
    form: type
    # Filters every export of the kind applies whatever the page's filters say.
    forced: tuple[tuple[str, Any], ...] = ()


LIST_SOURCES = {
    "sites": ListSource(site_selectors.site_list, site_forms.SiteFilterForm),
    "peer_groups": ListSource(site_selectors.peergroup_list, site_forms.PeerGroupFilterForm),
    "establishments": ListSource(
        site_selectors.establishment_list, site_forms.EstablishmentFilterForm
    ),
    # Withdrawn participants are hidden from the list page, but their contacts, referrals and
    # assessments are exported and still count: the file must hold them to import again.
    "participants": ListSource(
        participant_selectors.participant_list,
        participant_forms.ParticipantFilterForm,
        forced=(("include_withdrawn", True),),
    ),
    "providers": ListSource(referral_selectors.provider_list, referral_forms.ProviderFilterForm),
    "contacts": ListSource(participant_selectors.contact_list, participant_forms.ContactFilterForm),
    "supports": ListSource(referral_selectors.support_list, referral_forms.SupportFilterForm),
    "referrals": ListSource(referral_selectors.referral_list, referral_forms.ReferralFilterForm),
    "rights_assessments": ListSource(
        participant_selectors.rights_assessment_list,
        participant_forms.RightsAssessmentFilterForm,
    ),
    "establishment_assessments": ListSource(
        participant_selectors.establishment_assessment_list,
        participant_forms.EstablishmentAssessmentFilterForm,
    ),
    "costs": ListSource(site_selectors.cost_list, site_forms.CostFilterForm),
    "trainings": ListSource(site_selectors.training_list, site_forms.TrainingFilterForm),
}


# A peer leader sees their group's people, contacts and referrals, and nothing of the
# programme's structure or assessments (docs/design.md, "Roles and scope").
LEADER_EXPORTS = frozenset({"participants", "contacts", "referrals"})


def may_export(user: Any, kind: str) -> bool:
    """The ministry exports programme structure only; participant-level files need a case
    role; a peer leader only their group's case files (docs/design.md, "Roles and scope")."""
    spec = FILES_BY_NAME.get(kind)
    if spec is None or not user.is_authenticated or user.role not in REPORT_ROLES:
        return False
    if user.role == Role.PEER_LEADER:
        return kind in LEADER_EXPORTS
    return not spec.case_level or user.role in CASE_ROLES


def filter_form(kind: str, data: Mapping[str, Any] | None, user: "User") -> "forms.Form":
    """The list page's filter form for `kind`, bound to `data`."""
    return LIST_SOURCES[kind].form(data, user=user)


def export_queryset(
    kind: str, *, user: "User", filters: Mapping[str, Any] | None
) -> "QuerySet[Any]":
    source = LIST_SOURCES[kind]
    return source.selector(user=user, filters={**(filters or {}), **dict(source.forced)})


def _date(day: "datetime.date | None") -> str:
    return day.isoformat() if day else ""


def _yes(flag: object) -> str:
    return "yes" if flag else "no"


def export_rows(
    kind: str, *, user: "User", filters: Mapping[str, Any] | None
) -> Iterator[list[Any]]:
    """The header and then one list of cells per record, in the exchange columns."""
    spec = FILES_BY_NAME[kind]
    yield list(spec.column_names)
    queryset = export_queryset(kind, user=user, filters=filters)
    yield from _ROWS[kind](queryset, user)


def _uic(participant: Any, names: Pseudonymizer) -> str:
    return names.of(participant)


def _sites(queryset: "QuerySet[Any]", user: "User") -> Iterator[list[Any]]:
    for site in queryset.select_related("province").order_by("code").iterator(chunk_size=2000):
        yield [
            site.code,
            site.name,
            site.province.code,
            site.locality,
            site.model_id,
            site.role,
            _date(site.start_date),
            _date(site.end_date),
        ]


def _peer_groups(queryset: "QuerySet[Any]", user: "User") -> Iterator[list[Any]]:
    for group in queryset.select_related("site").order_by("code").iterator(chunk_size=2000):
        yield [
            group.code,
            group.name,
            group.site.code,
            group.kind,
            _date(group.founded_on),
            group.members,
            group.board_members,
        ]


def _establishments(queryset: "QuerySet[Any]", user: "User") -> Iterator[list[Any]]:
    for establishment in queryset.select_related("site").order_by("code").iterator(2000):
        yield [
            establishment.code,
            establishment.site.code,
            establishment.kind,
            establishment.workers,
        ]


def _participants(queryset: "QuerySet[Any]", user: "User") -> Iterator[list[Any]]:
    """One row per enrolment at a site the user may see (a participant enrolled at two sites
    has two rows with the same uic)."""
    enrolments = Enrolment.objects.visible_to(user)
    enrolments = (
        enrolments.filter(participant__in=queryset.order_by().values("pk"))
        .select_related("participant__person", "site", "peer_group")
        .order_by("participant__code", "site__code")
    )
    names = Pseudonymizer()
    for enrolment in enrolments.iterator(chunk_size=2000):
        participant = enrolment.participant
        yield [
            _uic(participant, names),
            participant.category,
            participant.sex,
            participant.birth_year,
            participant.residence,
            _date(enrolment.enrolled_on),
            enrolment.site.code,
            enrolment.peer_group.code if enrolment.peer_group_id else "",
            _date(participant.consent_on),
            _date(participant.withdrawn_on),
        ]


def _providers(queryset: "QuerySet[Any]", user: "User") -> Iterator[list[Any]]:
    for provider in queryset.order_by("province__code", "name", "pk").iterator(chunk_size=2000):
        yield [
            provider.name,
            provider.province.code,
            ";".join(provider.services or []),
            provider.location,
            _yes(provider.accepts_without_residence),
            provider.eligibility,
            provider.contact_channel,
        ]


def _supports(queryset: "QuerySet[Any]", user: "User") -> Iterator[list[Any]]:
    rows = queryset.select_related("participant__person", "site", "referral").order_by("date", "id")
    names = Pseudonymizer()
    for support in rows.iterator(chunk_size=2000):
        yield [
            _uic(support.participant, names),
            _date(support.date),
            support.site.code,
            support.kind,
            int(support.amount_vnd),
            _date(support.referral.date) if support.referral_id else "",
            support.referral.service if support.referral_id else "",
        ]


def _contacts(queryset: "QuerySet[Any]", user: "User") -> Iterator[list[Any]]:
    rows = queryset.select_related("participant__person", "site", "peer_group").order_by(
        "date", "id"
    )
    names = Pseudonymizer()
    for contact in rows.iterator(chunk_size=2000):
        yield [
            _uic(contact.participant, names),
            _date(contact.date),
            contact.site.code,
            contact.peer_group.code if contact.peer_group_id else "",
            contact.kind,
            ";".join(contact.needs or []),
        ]


def _referrals(queryset: "QuerySet[Any]", user: "User") -> Iterator[list[Any]]:
    rows = queryset.select_related("participant__person", "site", "provider").order_by("date", "id")
    names = Pseudonymizer()
    for referral in rows.iterator(chunk_size=2000):
        yield [
            _uic(referral.participant, names),
            _date(referral.date),
            referral.site.code,
            referral.service,
            referral.provider.name if referral.provider_id else "",
            referral.status,
            _date(referral.completed_on),
            _yes(referral.consent_to_share),
        ]


def _rights_assessments(queryset: "QuerySet[Any]", user: "User") -> Iterator[list[Any]]:
    from participants.models import RightsAssessment

    flags = RightsAssessment.CORE_RIGHTS + ("social_insurance", "health_insurance")
    rows = queryset.select_related("participant__person", "establishment").order_by("date", "id")
    names = Pseudonymizer()
    for assessment in rows.iterator(chunk_size=2000):
        yield [
            _uic(assessment.participant, names),
            assessment.establishment.code,
            _date(assessment.date),
            *(_yes(getattr(assessment, name)) for name in flags),
        ]


def _establishment_assessments(queryset: "QuerySet[Any]", user: "User") -> Iterator[list[Any]]:
    from participants.models import EstablishmentAssessment

    rows = queryset.select_related("establishment").order_by("date", "id")
    for assessment in rows.iterator(chunk_size=2000):
        yield [
            assessment.establishment.code,
            _date(assessment.date),
            *(_yes(getattr(assessment, name)) for name in EstablishmentAssessment.DUTIES),
        ]


def _costs(queryset: "QuerySet[Any]", user: "User") -> Iterator[list[Any]]:
    for cost in queryset.select_related("site").order_by("date", "id").iterator(chunk_size=2000):
        yield [cost.site.code, _date(cost.date), cost.category, int(cost.amount_vnd)]


def _trainings(queryset: "QuerySet[Any]", user: "User") -> Iterator[list[Any]]:
    rows = queryset.select_related("site").order_by("date", "id")
    for training in rows.iterator(chunk_size=2000):
        yield [training.site.code, _date(training.date), training.audience, training.trainees]


_ROWS = {
    "sites": _sites,
    "peer_groups": _peer_groups,
    "establishments": _establishments,
    "providers": _providers,
    "participants": _participants,
    "contacts": _contacts,
    "supports": _supports,
    "referrals": _referrals,
    "rights_assessments": _rights_assessments,
    "establishment_assessments": _establishment_assessments,
    "costs": _costs,
    "trainings": _trainings,
}
