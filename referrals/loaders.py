"""Loaders of the referral files of the exchange format: the provider directory, referrals and
support given. Each row goes through the same rules as the referral forms (participants.services
`check_*`, the consent to share); the engine is `exchange.services`."""

from collections import defaultdict

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from exchange.contract import Loader, Prepared, chunks
from participants.loaders import participant_records, participant_ref
from participants.models import carry_persons
from participants.services import check_not_future
from sites.models import Province, Site

from .models import Provider, Referral, ReferralEvent, Support
from .services import DUPLICATE_REFERRAL, NO_CONSENT_TO_SHARE, SUPPORT_DATE, check_status_change

PROVIDER_FIELDS = (
    "services",
    "location",
    "accepts_without_residence",
    "eligibility",
    "contact_channel",
)


def load_providers(ctx, spec, label, rows):
    """The service directory, keyed by (name, 2025 province). An officer writes only their
    own province's providers, as on the provider form (`Provider.editable_by`)."""
    provinces = {p.code: p for p in Province.objects.filter(unit_set=Province.UnitSet.CURRENT)}
    prepared = []
    for line, v in rows:
        province = provinces.get(v["province"])
        if province is None:
            ctx.error(
                label, line, "province", _("không có tỉnh mã này trong 34 tỉnh từ 01/07/2025.")
            )
            continue
        if ctx.officer_province is not None and province.pk != ctx.officer_province:
            ctx.error(label, line, "province", _("tỉnh này không phải tỉnh của bạn."))
            continue
        values = {
            "services": v["services"],
            "location": v["location"] or "",
            "accepts_without_residence": v["accepts_without_residence"],
            "eligibility": v["eligibility"] or "",
            "contact_channel": v["contact_channel"] or "",
        }
        prepared.append(
            Prepared(
                line,
                (v["name"], province.pk),
                values,
                {"name": v["name"], "province_id": province.pk},
            )
        )
    existing = {}
    for chunk in chunks({item.key[0] for item in prepared}):
        for obj in Provider.objects.filter(name__in=chunk):
            existing[(obj.name, obj.province_id)] = obj
    counts, _new, _changed = ctx.upsert(
        spec, label, Provider, prepared, existing, fields=list(PROVIDER_FIELDS)
    )
    return counts


def _status_change(**kwargs):
    try:
        check_status_change(**kwargs)
    except ValidationError as error:
        raise ValidationError({"status": error.error_list}) from None


REFERRAL_FIELDS = (
    "id",
    "participant_id",
    "date",
    "site_id",
    "service",
    "provider_id",
    "status",
    "completed_on",
    "version",
)


def load_referrals(ctx, spec, label, rows):
    """Referrals keyed by (uic, date, site, service); each new one and each change of status
    recorded in the referral's history, as through the pages."""
    sites = ctx.by_code(Site, [v["site"] for _line, v in rows])
    records = participant_records(ctx, (v["uic"] for _line, v in rows))
    providers = _providers_named(ctx, {v["provider"] for _line, v in rows if v["provider"]})
    prepared = []
    for line, v in rows:
        item = _prepared_referral(ctx, label, line, v, sites, records, providers)
        if item is not None:
            prepared.append(item)
    existing = ctx.existing_events(
        Referral,
        prepared,
        lambda o: (o.participant_id, o.date, o.site_id, o.service),
        REFERRAL_FIELDS,
    )
    prepared = _status_moves_forward(ctx, label, prepared, existing)
    before = {obj.pk: obj.status for obj in existing.values()}
    counts, new, changed = ctx.upsert(
        spec,
        label,
        Referral,
        prepared,
        existing,
        fields=["provider_id", "status", "completed_on"],
        extra={"made_by": ctx.user},
        duplicate=DUPLICATE_REFERRAL,
        on_insert=carry_persons,  # the person the reports count
    )
    _write_referral_events(ctx, new, changed, before)
    return counts


def _providers_named(ctx, names):
    """{provider name: {id: provider}} of the providers the user may see, and of this import's
    providers.csv that a dry run did not write."""
    providers = defaultdict(dict)
    for chunk in chunks(names):
        for provider in ctx.scoped(Provider).filter(name__in=chunk):
            providers[provider.name][provider.pk] = provider
    for (name, _province), provider in ctx.pending[Provider].items():
        if name in names:
            providers[name][provider.pk] = provider
    return providers


def _prepared_referral(ctx, label, line, v, sites, records, providers):
    """The row as a Prepared referral when it passes every rule, else None (each broken rule
    reported)."""
    site = ctx.site_ref(label, line, sites, v["site"])
    pid = site and participant_ref(ctx, label, line, records, v["uic"], site, v["date"])
    ok = site is not None and pid is not None
    if not v["consent"]:
        ok = False
        ctx.error(label, line, "consent", str(NO_CONSENT_TO_SHARE))
    ok = _referral_dates_ok(ctx, label, line, v, site) and ok
    provider_id = None
    if v["provider"]:
        provider_id = _provider_of_row(ctx, label, line, v["provider"], site, providers)
        ok = provider_id is not None and ok
    ok = _completion_ok(ctx, label, line, v) and ok
    if not ok:
        return None
    return Prepared(
        line,
        (pid, v["date"], site.pk, v["service"]),
        {
            "provider_id": provider_id,
            "status": v["status"],
            "completed_on": v["completed_on"],
        },
        {
            "participant_id": pid,
            "date": v["date"],
            "site_id": site.pk,
            "service": v["service"],
            "consent_to_share": True,
        },
    )


def _referral_dates_ok(ctx, label, line, v, site):
    """The referral's date and completion: not in the future, not in a locked period (a
    completion counts in the period of its own date, as on the pages)."""
    ok = True
    for column, day, day_label in (
        ("date", v["date"], _("Ngày chuyển gửi")),
        ("completed_on", v["completed_on"], _("Ngày hoàn thành")),
    ):
        ok = (
            ctx.check(label, line, lambda d=day, t=day_label, c=column: check_not_future(d, t, c))
            and ok
        )
    if site is not None:
        ok = ctx.check_open(label, line, site=site, day=v["date"]) and ok
        ok = (
            ctx.check_open(label, line, site=site, day=v["completed_on"], column="completed_on")
            and ok
        )
    return ok


def _completion_ok(ctx, label, line, v):
    """A completion date required for the completed status, and not before the referral."""
    ok = True
    if v["status"] == Referral.Status.COMPLETED and v["completed_on"] is None:
        ok = False
        ctx.error(label, line, "completed_on", _("bắt buộc khi trạng thái là completed."))
    if v["completed_on"] is not None and v["completed_on"] < v["date"]:
        ok = False
        ctx.error(label, line, "completed_on", _("ngày hoàn thành trước ngày chuyển gửi."))
    return ok


def _provider_of_row(ctx, label, line, name, site, providers):
    """The id of the provider a row names (among several of that name, the one of the site's
    province), or None, reported."""
    candidates = list(providers[name].values())
    if len(candidates) > 1 and site is not None:
        candidates = [p for p in candidates if p.province_id == ctx.current[site.province_id]]
    if len(candidates) == 1:
        return candidates[0].pk
    ctx.error(
        label,
        line,
        "provider",
        _("không có cơ sở dịch vụ tên này")
        if not candidates
        else _("có nhiều cơ sở dịch vụ cùng tên; không xác định được cơ sở nào."),
    )
    return None


def _status_moves_forward(ctx, label, prepared, existing):
    """A stored status moves only forward, as through the pages; completed is final
    (referrals.services.check_status_change). A row is held to the referral as it was before
    this file, also when an earlier chunk wrote it: a stored one's state is kept (`origin`);
    one an earlier chunk created (in `ctx.file.seen`, not in `origin`) was new."""
    origin = ctx.file.memo.setdefault("origin", {})
    kept = []
    for item in prepared:
        if item.key in origin:
            stored = origin[item.key]
        elif item.key in ctx.file.seen or (obj := existing.get(item.key)) is None:
            stored = None
        else:
            stored = origin[item.key] = (obj.status, obj.completed_on)
        if stored is None or ctx.check(
            label,
            item.line,
            _status_change,
            current=stored[0],
            target=item.values["status"],
            completed_on=stored[1],
            new_completed_on=item.values["completed_on"],
        ):
            kept.append(item)
    return kept


def _write_referral_events(ctx, new, changed, before):
    """The history of the referrals written: their first status, and each change of status."""
    events = [
        ReferralEvent(referral_id=obj.pk, from_status="", to_status=obj.status, by=ctx.user)
        for obj in new
    ]
    events += [
        ReferralEvent(
            referral_id=obj.pk,
            from_status=before[obj.pk],
            to_status=obj.status,
            by=ctx.user,
        )
        for obj in changed
        if before[obj.pk] != obj.status
    ]
    ctx.save(ReferralEvent, new=events)


def load_supports(ctx, spec, label, rows):
    """Support given, keyed by (uic, date, site, kind); `referral_date` and
    `referral_service` name the referral it followed (which must exist)."""
    sites = ctx.by_code(Site, [v["site"] for _line, v in rows])
    records = participant_records(ctx, (v["uic"] for _line, v in rows))
    prepared = []
    for line, v in rows:
        site = ctx.site_ref(label, line, sites, v["site"])
        pid = site and participant_ref(ctx, label, line, records, v["uic"], site, v["date"])
        in_time = ctx.check(
            label, line, lambda v=v: check_not_future(v["date"], SUPPORT_DATE, "date")
        )
        if not (site and pid and in_time):
            continue
        if not ctx.check_open(label, line, site=site, day=v["date"]):
            continue
        referral_id = None
        if v["referral_date"] or v["referral_service"]:
            # One of this import's referrals.csv that a dry run did not write, or a stored one.
            made = ctx.pending[Referral].get(
                (pid, v["referral_date"], site.pk, v["referral_service"])
            )
            referral_id = (
                made.pk
                if made is not None
                else Referral.objects.filter(
                    participant_id=pid,
                    site=site,
                    date=v["referral_date"],
                    service=v["referral_service"],
                )
                .values_list("pk", flat=True)
                .first()
            )
            if referral_id is None:
                ctx.error(
                    label,
                    line,
                    "referral_date, referral_service",
                    _("không có lần chuyển gửi này của người tham gia tại địa bàn."),
                )
                continue
        prepared.append(
            Prepared(
                line,
                (pid, v["date"], site.pk, v["kind"]),
                {"amount_vnd": v["amount_vnd"], "referral_id": referral_id},
                {
                    "participant_id": pid,
                    "date": v["date"],
                    "site_id": site.pk,
                    "kind": v["kind"],
                },
            )
        )
    existing = ctx.existing_events(
        Support,
        prepared,
        lambda o: (o.participant_id, o.date, o.site_id, o.kind),
        (
            "id",
            "participant_id",
            "date",
            "site_id",
            "kind",
            "amount_vnd",
            "referral_id",
            "version",
        ),
    )
    counts, _new, _changed = ctx.upsert(
        spec, label, Support, prepared, existing, fields=["amount_vnd", "referral_id"]
    )
    return counts


# The files of the exchange format this app loads (registered in apps.py, exchange.contract).
LOADERS: dict[str, Loader] = {
    "providers": load_providers,
    "referrals": load_referrals,
    "supports": load_supports,
}
