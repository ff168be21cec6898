"""Loaders of the participant-level files of the exchange format: participants (one record per
person and province, one enrolment per site), contacts and assessments. Every row is held to the
importer's province and to the rules of the forms (participants.services); the engine is
`exchange.services`."""

from django.utils.translation import gettext as _

from exchange.contract import FileCounts, Loader, Prepared, assign, chunks
from sites.models import Establishment, PeerGroup, Site

from . import profiles
from .models import (
    Contact,
    Enrolment,
    EstablishmentAssessment,
    Participant,
    Person,
    RightsAssessment,
    carry_persons,
)
from .services import (
    DUPLICATE_CONTACT,
    WITHDRAWN,
    check_enrolment,
    check_not_future,
    check_peer_group,
    check_withdrawal,
    enrol_where_met,
)

# ------------------------------------------------------- the importer's look-ups of persons


def participant_records(ctx, hashes):
    """{(uic hash, 2025 province id): (participant id, withdrawn_on)} of the records the
    user may see. A province knows a person only through its own record: a UIC known only
    in another province is not found, exactly like one known nowhere."""
    hashes = set(hashes)
    found = {}
    for chunk in chunks(hashes):
        rows = ctx.scoped(Participant).filter(person__uic_hash__in=chunk)
        for digest, province, pk, withdrawn_on in rows.values_list(
            "person__uic_hash", "province_id", "pk", "withdrawn_on"
        ):
            found[(digest, province)] = (pk, withdrawn_on)
    for (digest, province), obj in ctx.pending[Participant].items():
        if digest in hashes:
            found[(digest, province)] = (obj.pk, obj.withdrawn_on)
    return found


def participant_ref(ctx, label, line, records, digest, site, day=None):
    """The id of the participant record a row names: the record of the row's site's
    province, active on the row's day. Reports the row otherwise, with the form's words."""
    record = records.get((digest, ctx.current[site.province_id]))
    if record is None:
        ctx.error(
            label,
            line,
            "uic",
            _(
                "người tham gia chưa ghi danh ở tỉnh/thành phố của địa bàn: UIC không có "
                "trong danh sách của bạn hay trong participants.csv."
            ),
        )
        return None
    pid, withdrawn_on = record
    if withdrawn_on is not None and (day is None or day > withdrawn_on):
        ctx.error(label, line, "uic", str(WITHDRAWN))
        return None
    return pid


def person_ids(ctx, hashes):
    """{uic hash: Person id}, creating the missing ones. National de-duplication happens
    here and nowhere a user can see it."""
    found = {}
    for chunk in chunks(hashes):
        found.update(Person.objects.filter(uic_hash__in=chunk).values_list("uic_hash", "pk"))
    missing = [Person(uic_hash=digest) for digest in hashes if digest not in found]
    ctx.save(Person, new=missing)
    found.update((person.uic_hash, person.pk) for person in missing)
    return found


PARTICIPANT_ATTRIBUTES = ("category", "sex", "birth_year", "residence")


def load_participants(ctx, spec, label, rows):
    """One record per person and (2025) province, one enrolment per record and site. A row
    creates the province's record when the province does not know the person yet, whatever
    other provinces know; it never reads or changes another province's record.

    Each chunk's rows are checked as they come; the records and enrolments are written once
    the whole file is checked (`ctx.file.finish`): a record takes its consent from all its
    rows (the earliest), wherever they are in the file."""
    memo = ctx.file.memo
    if not memo:
        memo.update(first_row={}, kept=[])
        ctx.file.finish["participants"] = lambda: _write_participant_file(ctx, label, memo)
    _checked_participant_rows(ctx, label, rows, memo["first_row"], memo["kept"])
    return FileCounts()


def _write_participant_file(ctx, label, memo):
    """The file's records and enrolments, from the rows that passed (`memo`); the counts."""
    first_row, kept = memo["first_row"], memo["kept"]
    existing = _existing_participants(ctx, {digest for digest, _province in first_row})
    known = set(existing)
    changed_keys = _write_participants(ctx, label, first_row, kept, existing)
    # Bulk writes send no signal: the profiles of the people whose records are new or changed,
    # or whose enrolments are, rebuilt once (participants.profiles).
    touched = [existing[key].pk for key in (set(existing) - known) | changed_keys]
    counts, enrolled = _write_enrolments(ctx, label, kept, existing, changed_keys)
    ctx.write(profiles.refresh, records=[*touched, *enrolled])
    return counts


def _checked_participant_rows(ctx, label, rows, first_row, kept):
    """Add the rows that pass every rule: to `first_row` {(uic hash, 2025 province): (line,
    values)} each record's first row, to `kept` [(line, values, site, record key)] each row."""
    sites = ctx.by_code(Site, [v["site"] for _line, v in rows])
    groups = ctx.by_code(
        PeerGroup, [v["peer_group"] for _line, v in rows if v.get("peer_group")], scoped=False
    )
    for line, v in rows:
        site = _checked_participant_row(ctx, label, line, v, sites, groups)
        if site is None:
            continue
        key = (v["uic"], ctx.current[site.province_id])
        earlier = first_row.get(key)
        if earlier is None or _same_person_as(ctx, label, line, v, earlier):
            first_row.setdefault(key, (line, v))
            kept.append((line, v, site, key))


def _checked_participant_row(ctx, label, line, v, sites, groups):
    """The row's site when the row passes the enrolment's rules (consent, age, the lock, its
    peer group, its withdrawal), else None (each broken rule reported)."""
    v.setdefault("peer_group", None)
    v.setdefault("consent_on", None)
    v.setdefault("withdrawn_on", None)
    site = ctx.site_ref(label, line, sites, v["site"])
    # Consent is required on every row, as on the enrolment form (exchange/spec.py).
    ok = site is not None and ctx.check(
        label,
        line,
        check_enrolment,
        enrolled_on=v["enrolled_on"],
        consent_on=v["consent_on"],
        birth_year=v["birth_year"],
    )
    ok = ok and ctx.check_open(label, line, site=site, day=v["enrolled_on"])
    v["group"] = None
    if ok and v["peer_group"]:
        v["group"] = groups.get(v["peer_group"])
        if v["group"] is None:
            ctx.error(label, line, "peer_group", _("không có nhóm mã này."))
            ok = False
        else:
            ok = ctx.check(label, line, lambda v=v, s=site: check_peer_group(v["group"], s))
    if ok and v["withdrawn_on"] is not None:
        ok = ctx.check(
            label,
            line,
            check_withdrawal,
            on=v["withdrawn_on"],
            consent_on=v["consent_on"],
        )
        ok = ok and ctx.check_open(
            label, line, province=site.province_id, day=v["withdrawn_on"], column="withdrawn_on"
        )
    return site if ok else None


def _same_person_as(ctx, label, line, v, earlier):
    """A later row of the same record must describe the person as its first row did."""
    ok = True
    for name in PARTICIPANT_ATTRIBUTES:
        if earlier[1][name] != v[name]:
            ctx.error(
                label,
                line,
                name,
                _("khác với dòng %(line)s của cùng người tham gia.") % {"line": earlier[0]},
            )
            ok = False
    return ok


def _existing_participants(ctx, digests):
    """{(uic hash, 2025 province): record} of the importer's records of these persons."""
    existing = {}
    for chunk in chunks(digests):
        for obj in (
            ctx.scoped(Participant)
            .filter(person__uic_hash__in=chunk)
            .select_related("person")
            .only(
                "pk",
                "person__uic_hash",
                "province_id",
                "version",
                "consent_on",
                "withdrawn_on",
                *PARTICIPANT_ATTRIBUTES,
            )
        ):
            existing[(obj.person.uic_hash, obj.province_id)] = obj
    return existing


def _write_participants(ctx, label, first_row, kept, existing):
    """The province records: new ones created, existing ones brought up to date; `existing`
    is completed with the new ones. Returns the keys of the records changed."""
    persons = person_ids(ctx, {key[0] for key in first_row if key not in existing})
    consent = {}
    for _line, v, _site, key in kept:
        day = consent.get(key)
        consent[key] = v["consent_on"] if day is None else min(day, v["consent_on"])
    new, changed = [], []
    changed_keys = set()
    for key, (line, v) in first_row.items():
        values = {name: v[name] for name in PARTICIPANT_ATTRIBUTES}
        # Consent and withdrawal are the province's own: taken from the file when given.
        values["consent_on"] = consent[key]
        if v["withdrawn_on"] is not None:
            values["withdrawn_on"] = v["withdrawn_on"]
        obj = existing.get(key)
        before = obj.withdrawn_on if obj is not None else None
        # A withdrawal dated in a locked period stays as approved.
        if (
            before is not None
            and values.get("withdrawn_on", before) != before
            and not ctx.check_open(label, line, province=key[1], day=before, column="withdrawn_on")
        ):
            continue
        if obj is None:
            obj = Participant(person_id=persons[key[0]], province_id=key[1], **values)
            new.append(obj)
            existing[key] = obj
        elif diff := assign(obj, values):
            obj.version += 1
            obj.updated_at = ctx.now
            changed.append((obj, diff))
            changed_keys.add(key)
    # Every record the file names, as the writes leave them: the later files' look-ups.
    ctx.save(
        Participant,
        new=new,
        changed=changed,
        fields=[*PARTICIPANT_ATTRIBUTES, "consent_on", "withdrawn_on", "version", "updated_at"],
        keys=existing,
    )
    return changed_keys


def _write_enrolments(ctx, label, kept, existing, changed_keys):
    """The records' enrolments, one per record and site: (the file's counts (a record's changed
    attributes count once, on its first row), the ids of the records whose enrolments are new
    or changed)."""
    enrolments = {}
    for chunk in chunks(obj.pk for obj in existing.values()):
        for enrolment in Enrolment.objects.filter(participant_id__in=chunk):
            enrolments[(enrolment.participant_id, enrolment.site_id)] = enrolment
    counts = FileCounts()
    seen = {}
    new_enrolments, changed_enrolments = [], []
    for line, v, site, record_key in kept:
        participant = existing[record_key]
        key = (participant.pk, site.pk)
        if key in seen:
            ctx.error(label, line, "uic, site", _twice_message(seen[key]))
            continue
        seen[key] = line
        enrolment = enrolments.get(key)
        touched = record_key in changed_keys
        changed_keys.discard(record_key)
        group_id = v["group"].pk if v["group"] is not None else None
        if enrolment is None:
            new_enrolments.append(
                Enrolment(
                    participant_id=participant.pk,
                    site_id=site.pk,
                    peer_group_id=group_id,
                    enrolled_on=v["enrolled_on"],
                    enrolled_by=ctx.user,
                )
            )
            counts.new += 1
            continue
        wanted = {"enrolled_on": v["enrolled_on"]}
        if "peer_group" in ctx.columns_present:
            wanted["peer_group_id"] = group_id
        if diff := assign(enrolment, wanted):
            changed_enrolments.append((enrolment, diff))
            touched = True
        if touched:
            counts.updated += 1
        else:
            counts.unchanged += 1
    ctx.save(
        Enrolment,
        new=new_enrolments,
        changed=changed_enrolments,
        fields=["enrolled_on", "peer_group_id"],
    )
    enrolled = {e.participant_id for e in new_enrolments}
    enrolled.update(e.participant_id for e, _diff in changed_enrolments)
    return counts, enrolled


def _twice_message(line):
    return _("trùng khóa với dòng %(line)s.") % {"line": line}


def load_contacts(ctx, spec, label, rows):
    sites = ctx.by_code(Site, [v["site"] for _line, v in rows])
    groups = ctx.by_code(
        PeerGroup, [v["peer_group"] for _line, v in rows if v["peer_group"]], scoped=False
    )
    records = participant_records(ctx, (v["uic"] for _line, v in rows))
    day_label = _("Ngày tiếp cận")
    prepared = []
    for line, v in rows:
        item = _prepared_contact(ctx, label, line, v, sites, groups, records, day_label)
        if item is not None:
            prepared.append(item)
    existing = ctx.existing_events(
        Contact,
        prepared,
        lambda o: (o.participant_id, o.date, o.site_id, o.kind),
        (
            "id",
            "participant_id",
            "date",
            "site_id",
            "kind",
            "peer_group_id",
            "needs",
            "version",
        ),
    )
    counts, _new, _changed = ctx.upsert(
        spec,
        label,
        Contact,
        prepared,
        existing,
        fields=["peer_group_id", "needs"],
        extra={"recorded_by": ctx.user},
        duplicate=DUPLICATE_CONTACT,
        on_insert=carry_persons,  # the person the reports count
    )
    # Bulk writes do not go through contact_log, which keeps "met at a site => enrolled there":
    # once the whole file is written, for every site it names.
    met = ctx.file.memo.setdefault("sites", set())
    met.update(site.pk for site in sites.values())
    ctx.file.finish.setdefault(
        "enrol",
        lambda: ctx.write(enrol_where_met, contacts=Contact.objects.filter(site_id__in=met)),
    )
    return counts


def _prepared_contact(ctx, label, line, v, sites, groups, records, day_label):
    """The row as a Prepared contact when it passes every rule, else None (each broken rule
    reported)."""
    site = ctx.site_ref(label, line, sites, v["site"])
    pid = site and participant_ref(ctx, label, line, records, v["uic"], site, v["date"])
    if not ctx.check(label, line, lambda: check_not_future(v["date"], day_label, "date")):
        return None
    if site is not None and not ctx.check_open(label, line, site=site, day=v["date"]):
        return None
    group_id = None
    if v["peer_group"]:
        group = groups.get(v["peer_group"])
        if group is None:
            ctx.error(label, line, "peer_group", _("không có nhóm mã này."))
            return None
        if not ctx.check(label, line, lambda: check_peer_group(group, site)):
            return None
        group_id = group.pk
    if site is None or pid is None:
        return None
    return Prepared(
        line,
        (pid, v["date"], site.pk, v["kind"]),
        {"peer_group_id": group_id, "needs": v["needs"]},
        {"participant_id": pid, "date": v["date"], "site_id": site.pk, "kind": v["kind"]},
    )


def load_rights_assessments(ctx, spec, label, rows):
    establishments = ctx.by_code(Establishment, [v["establishment"] for _line, v in rows])
    records = participant_records(ctx, (v["uic"] for _line, v in rows))
    flags = RightsAssessment.CORE_RIGHTS + ("social_insurance", "health_insurance")
    prepared = []
    for line, v in rows:
        establishment = ctx.establishment_ref(label, line, establishments, v["establishment"])
        pid = establishment and participant_ref(
            ctx, label, line, records, v["uic"], establishment.site, v["date"]
        )
        in_time = ctx.check(
            label, line, lambda v=v: check_not_future(v["date"], _("Ngày đánh giá"), "date")
        )
        if establishment is None or pid is None or not in_time:
            continue
        if not ctx.check_open(label, line, site=establishment.site, day=v["date"]):
            continue
        prepared.append(
            Prepared(
                line,
                (pid, establishment.pk, v["date"]),
                {name: v[name] for name in flags},
                {
                    "participant_id": pid,
                    "establishment_id": establishment.pk,
                    "date": v["date"],
                },
            )
        )
    existing = ctx.existing_events(
        RightsAssessment,
        prepared,
        lambda o: (o.participant_id, o.establishment_id, o.date),
        ("id", "participant_id", "establishment_id", "date", "version", *flags),
        site_field="establishment_id",
    )
    counts, _new, _changed = ctx.upsert(
        spec, label, RightsAssessment, prepared, existing, fields=list(flags)
    )
    return counts


def load_establishment_assessments(ctx, spec, label, rows):
    establishments = ctx.by_code(Establishment, [v["establishment"] for _line, v in rows])
    flags = EstablishmentAssessment.DUTIES
    prepared = []
    for line, v in rows:
        establishment = ctx.establishment_ref(label, line, establishments, v["establishment"])
        in_time = ctx.check(
            label, line, lambda v=v: check_not_future(v["date"], _("Ngày đánh giá"), "date")
        )
        if establishment is None or not in_time:
            continue
        if not ctx.check_open(label, line, site=establishment.site, day=v["date"]):
            continue
        prepared.append(
            Prepared(
                line,
                (establishment.pk, v["date"]),
                {name: v[name] for name in flags},
                {"establishment_id": establishment.pk, "date": v["date"]},
            )
        )
    existing = ctx.existing_events(
        EstablishmentAssessment,
        prepared,
        lambda o: (o.establishment_id, o.date),
        ("id", "establishment_id", "date", "version", *flags),
        site_field="establishment_id",
    )
    counts, _new, _changed = ctx.upsert(
        spec, label, EstablishmentAssessment, prepared, existing, fields=list(flags)
    )
    return counts


# The files of the exchange format this app loads (registered in apps.py, exchange.contract).
LOADERS: dict[str, Loader] = {
    "participants": load_participants,
    "contacts": load_contacts,
    "rights_assessments": load_rights_assessments,
    "establishment_assessments": load_establishment_assessments,
}
