"""The exchange import (EXCHANGE.md): one code path for the `import_exchange` command and the
browser import.

All-or-nothing: every file is validated and written inside one transaction, in dependency
order (so a row may refer to a site defined earlier in the same import); if any row is bad,
or on a dry run, the transaction is rolled back and nothing stays written. Rows are matched on
their natural keys, so loading the same files twice changes nothing the second time.

Records are written with bulk operations (one INSERT per batch, not one per row): a folder of
100,000 contacts loads in seconds. Bulk writes do not go through the per-record audit log; the
import as a whole is logged (who, when, counts) by the caller.

The raw UIC is hashed as soon as its cell is read and dropped; messages name the file, line and
column of a bad cell, never its value.
"""

import datetime
import re
from collections import defaultdict
from dataclasses import dataclass, field

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import DatabaseError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Role
from participants.models import (
    Contact,
    Enrolment,
    EstablishmentAssessment,
    Participant,
    Person,
    RightsAssessment,
)
from participants.services import (
    WITHDRAWN,
    check_enrolment,
    check_not_future,
    check_peer_group,
    check_withdrawal,
    enrol_where_met,
)
from participants.uic import is_valid_uic, uic_hash
from programs.models import InterventionModel, Phase
from programs.services_catalog import mask_to_services, services_to_mask
from referrals.models import Provider, Referral, ReferralEvent, Support
from referrals.services import NO_CONSENT_TO_SHARE
from sites.models import MERGER_DATE, Cost, Establishment, PeerGroup, Province, Site, Training

from .reader import RowError
from .spec import (
    BOOL,
    DATE,
    ENUM,
    FILES,
    HASH_PREFIX,
    INT,
    SERVICES,
    UIC,
    number_error,
)

DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
INT_RE = re.compile(r"^-?\d+(\.0+)?$")
HASH_RE = re.compile(r"^[0-9a-f]{64}$")
CHUNK = 2000
PROVIDER_FIELDS = (
    "services",
    "location",
    "accepts_without_residence",
    "eligibility",
    "contact_channel",
)
BATCH = 1000


@dataclass
class FileCounts:
    rows: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0


@dataclass
class ImportResult:
    errors: list = field(default_factory=list)
    counts: dict = field(default_factory=dict)
    dry_run: bool = False

    @property
    def ok(self):
        return not self.errors

    @property
    def written(self):
        return self.ok and not self.dry_run

    def totals(self):
        return {
            name: {"new": c.new, "updated": c.updated, "unchanged": c.unchanged}
            for name, c in self.counts.items()
        }


class _Rollback(Exception):
    pass


class CellError(ValueError):
    pass


def import_exchange(*, sources, user=None, dry_run=False, read_errors=()):
    """Validate and load `sources` ({file name: reader.Source}) as `user` (None: the server's
    command, no scope limit; otherwise only rows inside what `user` may see and, for an
    officer, their province). Returns an ImportResult; nothing is written unless it is ok and
    not a dry run."""
    result = ImportResult(errors=list(read_errors), dry_run=dry_run)
    present = [spec for spec in FILES if spec.name in sources]
    for spec in present:
        result.errors += _header_errors(spec, sources[spec.name])
    if result.errors:
        return result
    loader = _Loader(user=user, errors=result.errors)
    try:
        with transaction.atomic():
            for spec in present:
                source = sources[spec.name]
                rows = loader.parse(spec, source)
                counts = getattr(loader, f"load_{spec.name}")(spec, source.label, rows)
                counts.rows = len(source.rows)
                result.counts[spec.name] = counts
            if result.errors or dry_run:
                raise _Rollback
    except _Rollback:
        pass
    except DatabaseError:
        # Validation should leave nothing for the database to refuse; if it does, the whole
        # import is still refused, with a message rather than a crash.
        result.errors.append(
            RowError("", None, "", _("cơ sở dữ liệu từ chối dữ liệu; không có gì được lưu."))
        )
    return result


def _header_errors(spec, source):
    errors, seen = [], set()
    for name in source.header:
        if name == "":
            errors.append(RowError(source.label, 1, "", _("cột không có tên.")))
        elif name not in spec.column_names:
            errors.append(
                RowError(source.label, 1, name, _("cột không có trong định dạng của tệp này."))
            )
        elif name in seen:
            errors.append(RowError(source.label, 1, name, _("cột bị lặp lại.")))
        seen.add(name)
    for column in spec.columns:
        if not column.optional and column.name not in seen:
            errors.append(RowError(source.label, 1, column.name, _("thiếu cột bắt buộc.")))
    return errors


def _parse_cell(column, raw):
    kind = column.kind
    if kind == UIC:
        if raw.startswith(HASH_PREFIX):
            digest = raw[len(HASH_PREFIX) :]
            if not HASH_RE.match(digest):
                raise CellError(_("mã băm UIC không hợp lệ (h: và 64 ký tự hex)."))
            return digest
        code = raw.upper()
        if not is_valid_uic(code):
            raise CellError(
                _("UIC không hợp lệ: cần 4 chữ cái, 6 chữ số ngày sinh (ddmmyy) và F/M/O.")
            )
        return uic_hash(code)
    if kind == DATE:
        try:
            if not DATE_RE.match(raw):
                raise ValueError
            return datetime.date.fromisoformat(raw)
        except ValueError:
            raise CellError(_("ngày không đúng dạng YYYY-MM-DD.")) from None
    if kind == INT:
        if not INT_RE.match(raw):
            raise CellError(_("không phải số nguyên."))
        if raw.startswith("-"):
            raise CellError(_("không được là số âm."))
        reason = number_error(column, raw)
        if reason:
            raise CellError(reason)
        return int(raw.split(".")[0])
    if kind == ENUM:
        if raw not in column.choices:
            raise CellError(
                _("giá trị không hợp lệ; dùng một trong: %(choices)s.")
                % {"choices": ", ".join(column.choices)}
            )
        return raw
    if kind == BOOL:
        value = raw.lower()
        if value not in ("yes", "no"):
            raise CellError(_("chỉ nhận yes hoặc no."))
        return value == "yes"
    if kind == SERVICES:
        codes = [part.strip() for part in raw.split(";") if part.strip()]
        unknown = [code for code in codes if code not in column.choices]
        if unknown:
            raise CellError(
                _("có mã dịch vụ không hợp lệ; dùng các mã: %(choices)s.")
                % {"choices": ", ".join(column.choices)}
            )
        return mask_to_services(services_to_mask(codes))
    if len(raw) > column.max_length:
        raise CellError(_("dài quá %(n)s ký tự.") % {"n": column.max_length})
    return raw


def _chunks(values, size=CHUNK):
    values = list(values)
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _assign(obj, values):
    changed = False
    for name, value in values.items():
        if getattr(obj, name) != value:
            setattr(obj, name, value)
            changed = True
    return changed


@dataclass
class _Prepared:
    line: int
    key: tuple
    values: dict
    create_only: dict = field(default_factory=dict)


class _Loader:
    def __init__(self, *, user, errors):
        self.user = user
        self.errors = errors
        self.now = timezone.now()
        self.officer_province = (
            user.province_id if user is not None and user.role == Role.OFFICER else None
        )
        self.current = dict(Province.objects.values_list("pk", "current_id"))

    # -- helpers -------------------------------------------------------------------------

    def error(self, label, line, column, reason):
        self.errors.append(RowError(label, line, column, reason))

    def scoped(self, model):
        if self.user is None:
            return model.objects.all()
        return model.objects.visible_to(self.user)

    def parse(self, spec, source):
        """Rows as (line, {column: value}); bad cells are reported and their row dropped."""
        self.columns_present = set(source.header)
        index = {name: i for i, name in enumerate(source.header)}
        width = len(source.header)
        columns = [(column, index.get(column.name)) for column in spec.columns]
        parsed = []
        for line, cells in source.rows:
            if not any(cells):
                continue
            if any(cells[width:]):
                self.error(source.label, line, "", _("dòng có nhiều ô hơn dòng tiêu đề."))
                continue
            values, ok = {}, True
            for column, position in columns:
                raw = cells[position] if position is not None and position < len(cells) else ""
                if raw == "":
                    if column.optional:
                        values[column.name] = [] if column.kind == SERVICES else None
                        continue
                    self.error(source.label, line, column.name, _("không được để trống."))
                    ok = False
                    continue
                try:
                    values[column.name] = _parse_cell(column, raw)
                except CellError as exc:
                    self.error(source.label, line, column.name, str(exc))
                    ok = False
            if ok:
                parsed.append((line, values))
        return parsed

    def by_code(self, model, codes, scoped=True):
        """{code: object} of the given codes, among what the user may see."""
        queryset = self.scoped(model) if scoped else model.objects.all()
        if model is Establishment:
            queryset = queryset.select_related("site")
        found = {}
        for chunk in _chunks(set(codes)):
            found.update({obj.code: obj for obj in queryset.filter(code__in=chunk)})
        return found

    def participant_records(self, hashes):
        """{(uic hash, 2025 province id): (participant id, withdrawn_on)} of the records the
        user may see. A province knows a person only through its own record: a UIC known only
        in another province is not found, exactly like one known nowhere."""
        found = {}
        for chunk in _chunks(set(hashes)):
            rows = self.scoped(Participant).filter(person__uic_hash__in=chunk)
            for digest, province, pk, withdrawn_on in rows.values_list(
                "person__uic_hash", "province_id", "pk", "withdrawn_on"
            ):
                found[(digest, province)] = (pk, withdrawn_on)
        return found

    def check(self, label, line, rule, columns=None, **kwargs):
        """Apply one of the services' rules (participants.services) to a row: each message it
        raises becomes an error of the row, on the column the rule names (through `columns`
        when the file calls it otherwise). Returns True when the row passes."""
        try:
            rule(**kwargs)
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                column = (columns or {}).get(field, field)
                for message in messages:
                    self.error(label, line, "" if column == NON_FIELD_ERRORS else column, message)
            return False
        return True

    def site_ref(self, label, line, sites, code, column="site"):
        site = sites.get(code)
        if site is None:
            self.error(
                label,
                line,
                column,
                _("không có địa bàn mã này (hoặc địa bàn nằm ngoài phạm vi của bạn)."),
            )
        return site

    def establishment_ref(self, label, line, establishments, code):
        establishment = establishments.get(code)
        if establishment is None:
            self.error(
                label,
                line,
                "establishment",
                _("không có cơ sở mã này (hoặc cơ sở nằm ngoài phạm vi của bạn)."),
            )
        return establishment

    def participant_ref(self, label, line, records, digest, site, day=None):
        """The id of the participant record a row names: the record of the row's site's
        province, active on the row's day. Reports the row otherwise, with the form's words."""
        record = records.get((digest, self.current[site.province_id]))
        if record is None:
            self.error(
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
            self.error(label, line, "uic", str(WITHDRAWN))
            return None
        return pid

    def refuse_out_of_scope(self, spec, label, prepared_rows, model, column="code"):
        """Codes already used by a record the user may not see cannot be taken over."""
        codes = {item.key[0]: item.line for item in prepared_rows}
        if self.user is None or not codes:
            return prepared_rows
        everywhere = set()
        visible = set()
        for chunk in _chunks(codes):
            everywhere.update(model.objects.filter(code__in=chunk).values_list("code", flat=True))
            visible.update(self.scoped(model).filter(code__in=chunk).values_list("code", flat=True))
        taken = everywhere - visible
        kept = []
        for item in prepared_rows:
            if item.key[0] in taken:
                self.error(
                    label, item.line, column, _("mã này đã được dùng ngoài phạm vi của bạn.")
                )
            else:
                kept.append(item)
        return kept

    def upsert(self, spec, label, model, prepared, existing, *, fields, extra=None):
        """Create the rows whose key is new, update those whose values differ; returns
        (FileCounts, created objects, updated objects)."""
        counts = FileCounts()
        seen = {}
        new, changed = [], []
        for item in prepared:
            if item.key in seen:
                self.error(
                    label,
                    item.line,
                    ", ".join(spec.key),
                    _("trùng khóa với dòng %(line)s.") % {"line": seen[item.key]},
                )
                continue
            seen[item.key] = item.line
            obj = existing.get(item.key)
            if obj is None:
                new.append(model(**item.values, **item.create_only, **(extra or {})))
                counts.new += 1
            elif _assign(obj, item.values):
                changed.append(obj)
                counts.updated += 1
            else:
                counts.unchanged += 1
        model.objects.bulk_create(new, batch_size=BATCH)
        if changed:
            versioned = hasattr(model, "version")
            for obj in changed:
                if versioned:
                    obj.version += 1
                    obj.updated_at = self.now
            extra_fields = ["version", "updated_at"] if versioned else []
            model.objects.bulk_update(changed, [*fields, *extra_fields], batch_size=BATCH)
        return counts, new, changed

    @staticmethod
    def date_range(rows, column="date"):
        dates = [values[column] for _line, values in rows]
        return (min(dates), max(dates)) if dates else (None, None)

    # -- programme structure -------------------------------------------------------------

    def load_sites(self, spec, label, rows):
        provinces = {(p.unit_set, p.code): p for p in Province.objects.all()}
        models = set(InterventionModel.objects.values_list("pk", flat=True))
        phases = list(Phase.objects.order_by("start_date"))
        prepared = []
        for line, v in rows:
            before = v["start_date"] < MERGER_DATE
            unit_set = Province.UnitSet.LEGACY if before else Province.UnitSet.CURRENT
            province = provinces.get((unit_set, v["province"]))
            ok = True
            if province is None:
                ok = False
                if before:
                    reason = _(
                        "không có tỉnh mã này trong 63 tỉnh trước 01/07/2025 (tỉnh phải tồn tại "
                        "vào ngày bắt đầu)."
                    )
                else:
                    reason = _(
                        "không có tỉnh mã này trong 34 tỉnh từ 01/07/2025 (tỉnh phải tồn tại vào "
                        "ngày bắt đầu)."
                    )
                self.error(label, line, "province", reason)
            elif self.officer_province is not None and province.current_id != self.officer_province:
                ok = False
                self.error(label, line, "province", _("tỉnh này không phải tỉnh của bạn."))
            if v["model"] not in models:
                ok = False
                self.error(label, line, "model", _("không có mô hình mã này."))
            if v["end_date"] is not None and v["end_date"] < v["start_date"]:
                ok = False
                self.error(label, line, "end_date", _("ngày kết thúc trước ngày bắt đầu."))
            if not ok:
                continue
            phase = next((p for p in phases if p.start_date <= v["start_date"] <= p.end_date), None)
            prepared.append(
                _Prepared(
                    line,
                    (v["code"],),
                    {
                        "name": v["name"],
                        "province_id": province.pk,
                        "locality": v["locality"],
                        "model_id": v["model"],
                        "role": v["role"],
                        "start_date": v["start_date"],
                        "end_date": v["end_date"],
                    },
                    {"code": v["code"], "phase": phase},
                )
            )
        prepared = self.refuse_out_of_scope(spec, label, prepared, Site)
        existing = {
            (code,): obj for code, obj in self.by_code(Site, [p.key[0] for p in prepared]).items()
        }
        counts, _new, _changed = self.upsert(
            spec,
            label,
            Site,
            prepared,
            existing,
            fields=[
                "name",
                "province_id",
                "locality",
                "model_id",
                "role",
                "start_date",
                "end_date",
            ],
        )
        return counts

    def _coded_children(self, spec, label, rows, model, values_of):
        sites = self.by_code(Site, [v["site"] for _line, v in rows])
        prepared = []
        for line, v in rows:
            site = self.site_ref(label, line, sites, v["site"])
            if site is None:
                continue
            values = values_of(v)
            values["site_id"] = site.pk
            prepared.append(_Prepared(line, (v["code"],), values, {"code": v["code"]}))
        prepared = self.refuse_out_of_scope(spec, label, prepared, model)
        existing = {
            (code,): obj for code, obj in self.by_code(model, [p.key[0] for p in prepared]).items()
        }
        fields = list(prepared[0].values) if prepared else []
        counts, _new, _changed = self.upsert(spec, label, model, prepared, existing, fields=fields)
        return counts

    def load_peer_groups(self, spec, label, rows):
        return self._coded_children(
            spec,
            label,
            rows,
            PeerGroup,
            lambda v: {
                "name": v["name"],
                "kind": v["kind"],
                "founded_on": v["founded_on"],
                "members": v["members"],
                "board_members": v["board_members"],
            },
        )

    def load_establishments(self, spec, label, rows):
        return self._coded_children(
            spec,
            label,
            rows,
            Establishment,
            lambda v: {"kind": v["kind"], "workers": v["workers"]},
        )

    def load_costs(self, spec, label, rows):
        return self._site_events(spec, label, rows, Cost, "category", {"amount_vnd": "amount_vnd"})

    def load_trainings(self, spec, label, rows):
        return self._site_events(spec, label, rows, Training, "audience", {"trainees": "trainees"})

    def _site_events(self, spec, label, rows, model, kind_column, value_columns):
        sites = self.by_code(Site, [v["site"] for _line, v in rows])
        prepared = []
        for line, v in rows:
            site = self.site_ref(label, line, sites, v["site"])
            if site is None:
                continue
            values = {field_name: v[column] for field_name, column in value_columns.items()}
            key = (site.pk, v["date"], v[kind_column])
            prepared.append(
                _Prepared(
                    line,
                    key,
                    values,
                    {"site_id": site.pk, "date": v["date"], kind_column: v[kind_column]},
                )
            )
        existing = {}
        for chunk in _chunks({item.key[0] for item in prepared}):
            for obj in model.objects.filter(site_id__in=chunk):
                existing[(obj.site_id, obj.date, getattr(obj, kind_column))] = obj
        counts, _new, _changed = self.upsert(
            spec, label, model, prepared, existing, fields=list(value_columns)
        )
        return counts

    def load_providers(self, spec, label, rows):
        """The service directory, keyed by (name, 2025 province). An officer writes only their
        own province's providers, as on the provider form (`Provider.editable_by`)."""
        provinces = {p.code: p for p in Province.objects.filter(unit_set=Province.UnitSet.CURRENT)}
        prepared = []
        for line, v in rows:
            province = provinces.get(v["province"])
            if province is None:
                self.error(
                    label, line, "province", _("không có tỉnh mã này trong 34 tỉnh từ 01/07/2025.")
                )
                continue
            if self.officer_province is not None and province.pk != self.officer_province:
                self.error(label, line, "province", _("tỉnh này không phải tỉnh của bạn."))
                continue
            values = {
                "services": v["services"],
                "location": v["location"] or "",
                "accepts_without_residence": v["accepts_without_residence"],
                "eligibility": v["eligibility"] or "",
                "contact_channel": v["contact_channel"] or "",
            }
            prepared.append(
                _Prepared(
                    line,
                    (v["name"], province.pk),
                    values,
                    {"name": v["name"], "province_id": province.pk},
                )
            )
        existing = {}
        for chunk in _chunks({item.key[0] for item in prepared}):
            for obj in Provider.objects.filter(name__in=chunk):
                existing[(obj.name, obj.province_id)] = obj
        counts, _new, _changed = self.upsert(
            spec, label, Provider, prepared, existing, fields=list(PROVIDER_FIELDS)
        )
        return counts

    # -- participants and their events ---------------------------------------------------

    def load_participants(self, spec, label, rows):
        """One record per person and (2025) province, one enrolment per record and site. A row
        creates the province's record when the province does not know the person yet, whatever
        other provinces know; it never reads or changes another province's record."""
        sites = self.by_code(Site, [v["site"] for _line, v in rows])
        groups = self.by_code(
            PeerGroup, [v["peer_group"] for _line, v in rows if v.get("peer_group")], scoped=False
        )
        attributes = ("category", "sex", "birth_year", "residence")
        first_row = {}
        kept = []
        for line, v in rows:
            v.setdefault("peer_group", None)
            v.setdefault("consent_on", None)
            v.setdefault("withdrawn_on", None)
            site = self.site_ref(label, line, sites, v["site"])
            ok = site is not None and self.check(
                label,
                line,
                check_enrolment,
                columns={"consent_on": "consent_on" if v["consent_on"] else "enrolled_on"},
                enrolled_on=v["enrolled_on"],
                consent_on=v["consent_on"] or v["enrolled_on"],
                birth_year=v["birth_year"],
            )
            v["group"] = None
            if ok and v["peer_group"]:
                v["group"] = groups.get(v["peer_group"])
                if v["group"] is None:
                    self.error(label, line, "peer_group", _("không có nhóm mã này."))
                    ok = False
                else:
                    ok = self.check(
                        label, line, lambda v=v, s=site: check_peer_group(v["group"], s)
                    )
            if ok and v["withdrawn_on"] is not None:
                ok = self.check(
                    label,
                    line,
                    check_withdrawal,
                    on=v["withdrawn_on"],
                    consent_on=v["consent_on"] or v["enrolled_on"],
                )
            if not ok:
                continue
            key = (v["uic"], self.current[site.province_id])
            earlier = first_row.get(key)
            if earlier is not None:
                for name in attributes:
                    if earlier[1][name] != v[name]:
                        self.error(
                            label,
                            line,
                            name,
                            _("khác với dòng %(line)s của cùng người tham gia.")
                            % {"line": earlier[0]},
                        )
                        ok = False
            if ok:
                first_row.setdefault(key, (line, v))
                kept.append((line, v, site, key))

        # The province records: new ones created, existing ones brought up to date.
        existing = {}
        for chunk in _chunks({digest for digest, _province in first_row}):
            for obj in (
                self.scoped(Participant)
                .filter(person__uic_hash__in=chunk)
                .select_related("person")
                .only("pk", "person__uic_hash", "province_id", "version", *attributes)
            ):
                existing[(obj.person.uic_hash, obj.province_id)] = obj
        persons = self.persons({key[0] for key in first_row if key not in existing})
        consent = {}
        for _line, v, _site, key in kept:
            day = consent.get(key)
            given = v["consent_on"] or v["enrolled_on"]
            consent[key] = given if day is None else min(day, given)
        new, changed = [], []
        changed_keys = set()
        for key, (_line, v) in first_row.items():
            values = {name: v[name] for name in attributes}
            # Consent and withdrawal are the province's own: taken from the file when given.
            if any(row_v["consent_on"] for _l, row_v, _s, k in kept if k == key):
                values["consent_on"] = consent[key]
            if v["withdrawn_on"] is not None:
                values["withdrawn_on"] = v["withdrawn_on"]
            obj = existing.get(key)
            if obj is None:
                values.setdefault("consent_on", consent[key])
                obj = Participant(
                    person_id=persons[key[0]],
                    province_id=key[1],
                    **values,
                )
                new.append(obj)
                existing[key] = obj
            elif _assign(obj, values):
                obj.version += 1
                obj.updated_at = self.now
                changed.append(obj)
                changed_keys.add(key)
        Participant.objects.bulk_create(new, batch_size=BATCH)
        Participant.objects.bulk_update(
            changed,
            [*attributes, "consent_on", "withdrawn_on", "version", "updated_at"],
            batch_size=BATCH,
        )

        # Their enrolments, one per record and site.
        enrolments = {}
        for chunk in _chunks(obj.pk for obj in existing.values()):
            for enrolment in Enrolment.objects.filter(participant_id__in=chunk):
                enrolments[(enrolment.participant_id, enrolment.site_id)] = enrolment
        counts = FileCounts()
        seen = {}
        new_enrolments, changed_enrolments = [], []
        for line, v, site, record_key in kept:
            participant = existing[record_key]
            key = (participant.pk, site.pk)
            if key in seen:
                self.error(
                    label,
                    line,
                    "uic, site",
                    _("trùng khóa với dòng %(line)s.") % {"line": seen[key]},
                )
                continue
            seen[key] = line
            enrolment = enrolments.get(key)
            # A record's changed attributes count once, on its first row.
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
                        enrolled_by=self.user,
                    )
                )
                counts.new += 1
                continue
            wanted = {"enrolled_on": v["enrolled_on"]}
            if "peer_group" in self.columns_present:
                wanted["peer_group_id"] = group_id
            if _assign(enrolment, wanted):
                changed_enrolments.append(enrolment)
                touched = True
            if touched:
                counts.updated += 1
            else:
                counts.unchanged += 1
        Enrolment.objects.bulk_create(new_enrolments, batch_size=BATCH)
        Enrolment.objects.bulk_update(
            changed_enrolments, ["enrolled_on", "peer_group_id"], batch_size=BATCH
        )
        return counts

    @staticmethod
    def persons(hashes):
        """{uic hash: Person id}, creating the missing ones. National de-duplication happens
        here and nowhere a user can see it."""
        found = {}
        for chunk in _chunks(hashes):
            found.update(Person.objects.filter(uic_hash__in=chunk).values_list("uic_hash", "pk"))
        missing = [Person(uic_hash=digest) for digest in hashes if digest not in found]
        Person.objects.bulk_create(missing, batch_size=BATCH)
        if missing:
            for chunk in _chunks(person.uic_hash for person in missing):
                found.update(
                    Person.objects.filter(uic_hash__in=chunk).values_list("uic_hash", "pk")
                )
        return found

    def _existing_events(self, model, prepared, key_of, only, site_field="site_id"):
        """Existing records of the sites and dates in `prepared`, by natural key."""
        if not prepared:
            return {}
        ids = {item.create_only[site_field] for item in prepared}
        dates = [item.create_only["date"] for item in prepared]
        existing = {}
        for chunk in _chunks(ids):
            queryset = model.objects.filter(
                **{f"{site_field}__in": chunk, "date__gte": min(dates), "date__lte": max(dates)}
            ).only(*only)
            for obj in queryset:
                existing[key_of(obj)] = obj
        return existing

    def load_contacts(self, spec, label, rows):
        sites = self.by_code(Site, [v["site"] for _line, v in rows])
        groups = self.by_code(
            PeerGroup, [v["peer_group"] for _line, v in rows if v["peer_group"]], scoped=False
        )
        records = self.participant_records(v["uic"] for _line, v in rows)
        prepared = []
        for line, v in rows:
            site = self.site_ref(label, line, sites, v["site"])
            pid = site and self.participant_ref(label, line, records, v["uic"], site, v["date"])
            if not self.check(
                label, line, lambda v=v: check_not_future(v["date"], _("Ngày tiếp cận"), "date")
            ):
                continue
            group_id = None
            if v["peer_group"]:
                group = groups.get(v["peer_group"])
                if group is None:
                    self.error(label, line, "peer_group", _("không có nhóm mã này."))
                    continue
                if not self.check(label, line, lambda g=group, s=site: check_peer_group(g, s)):
                    continue
                group_id = group.pk
            if site is None or pid is None:
                continue
            prepared.append(
                _Prepared(
                    line,
                    (pid, v["date"], site.pk, v["kind"]),
                    {"peer_group_id": group_id, "needs": v["needs"]},
                    {
                        "participant_id": pid,
                        "date": v["date"],
                        "site_id": site.pk,
                        "kind": v["kind"],
                    },
                )
            )
        existing = self._existing_events(
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
        counts, _new, _changed = self.upsert(
            spec,
            label,
            Contact,
            prepared,
            existing,
            fields=["peer_group_id", "needs"],
            extra={"recorded_by": self.user},
        )
        # Bulk writes skip the Contact signal that keeps "met at a site => enrolled there".
        enrol_where_met(contacts=Contact.objects.filter(site_id__in=[s.pk for s in sites.values()]))
        return counts

    def load_referrals(self, spec, label, rows):
        sites = self.by_code(Site, [v["site"] for _line, v in rows])
        records = self.participant_records(v["uic"] for _line, v in rows)
        current = self.current
        providers = defaultdict(list)
        names = {v["provider"] for _line, v in rows if v["provider"]}
        for chunk in _chunks(names):
            for provider in self.scoped(Provider).filter(name__in=chunk):
                providers[provider.name].append(provider)
        prepared = []
        for line, v in rows:
            site = self.site_ref(label, line, sites, v["site"])
            pid = site and self.participant_ref(label, line, records, v["uic"], site, v["date"])
            ok = site is not None and pid is not None
            if not v["consent"]:
                ok = False
                self.error(label, line, "consent", str(NO_CONSENT_TO_SHARE))
            for column, day, day_label in (
                ("date", v["date"], _("Ngày chuyển gửi")),
                ("completed_on", v["completed_on"], _("Ngày hoàn thành")),
            ):
                ok = (
                    self.check(
                        label, line, lambda d=day, t=day_label, c=column: check_not_future(d, t, c)
                    )
                    and ok
                )
            provider_id = None
            if v["provider"]:
                candidates = providers.get(v["provider"], [])
                if len(candidates) > 1 and site is not None:
                    candidates = [
                        p for p in candidates if p.province_id == current[site.province_id]
                    ]
                if len(candidates) == 1:
                    provider_id = candidates[0].pk
                else:
                    ok = False
                    self.error(
                        label,
                        line,
                        "provider",
                        _("không có cơ sở dịch vụ tên này")
                        if not candidates
                        else _("có nhiều cơ sở dịch vụ cùng tên; không xác định được cơ sở nào."),
                    )
            if v["status"] == Referral.Status.COMPLETED and v["completed_on"] is None:
                ok = False
                self.error(
                    label,
                    line,
                    "completed_on",
                    _("bắt buộc khi trạng thái là completed."),
                )
            if v["completed_on"] is not None and v["completed_on"] < v["date"]:
                ok = False
                self.error(label, line, "completed_on", _("ngày hoàn thành trước ngày chuyển gửi."))
            if not ok:
                continue
            prepared.append(
                _Prepared(
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
            )
        existing = self._existing_events(
            Referral,
            prepared,
            lambda o: (o.participant_id, o.date, o.site_id, o.service),
            (
                "id",
                "participant_id",
                "date",
                "site_id",
                "service",
                "provider_id",
                "status",
                "completed_on",
                "version",
            ),
        )
        before = {obj.pk: obj.status for obj in existing.values()}
        counts, new, changed = self.upsert(
            spec,
            label,
            Referral,
            prepared,
            existing,
            fields=["provider_id", "status", "completed_on"],
            extra={"made_by": self.user},
        )
        events = [
            ReferralEvent(referral_id=obj.pk, from_status="", to_status=obj.status, by=self.user)
            for obj in new
        ]
        events += [
            ReferralEvent(
                referral_id=obj.pk,
                from_status=before[obj.pk],
                to_status=obj.status,
                by=self.user,
            )
            for obj in changed
            if before[obj.pk] != obj.status
        ]
        ReferralEvent.objects.bulk_create(events, batch_size=BATCH)
        return counts

    def load_supports(self, spec, label, rows):
        """Support given, keyed by (uic, date, site, kind); `referral_date` and
        `referral_service` name the referral it followed (which must exist)."""
        sites = self.by_code(Site, [v["site"] for _line, v in rows])
        records = self.participant_records(v["uic"] for _line, v in rows)
        prepared = []
        for line, v in rows:
            site = self.site_ref(label, line, sites, v["site"])
            pid = site and self.participant_ref(label, line, records, v["uic"], site, v["date"])
            in_time = self.check(
                label, line, lambda v=v: check_not_future(v["date"], _("Ngày hỗ trợ"), "date")
            )
            if not (site and pid and in_time):
                continue
            referral_id = None
            if v["referral_date"] or v["referral_service"]:
                referral_id = (
                    Referral.objects.filter(
                        participant_id=pid,
                        site=site,
                        date=v["referral_date"],
                        service=v["referral_service"],
                    )
                    .values_list("pk", flat=True)
                    .first()
                )
                if referral_id is None:
                    self.error(
                        label,
                        line,
                        "referral_date, referral_service",
                        _("không có lần chuyển gửi này của người tham gia tại địa bàn."),
                    )
                    continue
            prepared.append(
                _Prepared(
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
        existing = self._existing_events(
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
        counts, _new, _changed = self.upsert(
            spec, label, Support, prepared, existing, fields=["amount_vnd", "referral_id"]
        )
        return counts

    def load_rights_assessments(self, spec, label, rows):
        establishments = self.by_code(Establishment, [v["establishment"] for _line, v in rows])
        records = self.participant_records(v["uic"] for _line, v in rows)
        flags = RightsAssessment.CORE_RIGHTS + ("social_insurance", "health_insurance")
        prepared = []
        for line, v in rows:
            establishment = self.establishment_ref(label, line, establishments, v["establishment"])
            pid = establishment and self.participant_ref(
                label, line, records, v["uic"], establishment.site, v["date"]
            )
            in_time = self.check(
                label, line, lambda v=v: check_not_future(v["date"], _("Ngày đánh giá"), "date")
            )
            if establishment is None or pid is None or not in_time:
                continue
            prepared.append(
                _Prepared(
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
        existing = self._existing_events(
            RightsAssessment,
            prepared,
            lambda o: (o.participant_id, o.establishment_id, o.date),
            ("id", "participant_id", "establishment_id", "date", "version", *flags),
            site_field="establishment_id",
        )
        counts, _new, _changed = self.upsert(
            spec, label, RightsAssessment, prepared, existing, fields=list(flags)
        )
        return counts

    def load_establishment_assessments(self, spec, label, rows):
        establishments = self.by_code(Establishment, [v["establishment"] for _line, v in rows])
        flags = EstablishmentAssessment.DUTIES
        prepared = []
        for line, v in rows:
            establishment = self.establishment_ref(label, line, establishments, v["establishment"])
            if establishment is None:
                continue
            prepared.append(
                _Prepared(
                    line,
                    (establishment.pk, v["date"]),
                    {name: v[name] for name in flags},
                    {"establishment_id": establishment.pk, "date": v["date"]},
                )
            )
        existing = self._existing_events(
            EstablishmentAssessment,
            prepared,
            lambda o: (o.establishment_id, o.date),
            ("id", "establishment_id", "date", "version", *flags),
            site_field="establishment_id",
        )
        counts, _new, _changed = self.upsert(
            spec, label, EstablishmentAssessment, prepared, existing, fields=list(flags)
        )
        return counts
