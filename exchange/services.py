"""The exchange import (docs/exchange.md): one code path for the `import_exchange` command and the
browser import. This module is the engine: reading rows, collecting every error of a file,
scoping to the importer, upserts on natural keys. Each file's loader lives beside its app
(`sites.loaders`, `participants.loaders`, `referrals.loaders`), registered by the app
(`exchange.contract`), and applies the same rules as that app's forms, through the app's
services.

All-or-nothing: every file is validated and written inside one transaction, in dependency
order (so a row may refer to a site defined earlier in the same import); if any row is bad, the
transaction is rolled back and nothing stays written. Rows are matched on their natural keys, so
loading the same files twice changes nothing the second time.

A dry run (the browser's preview, `--dry-run`) goes through the same loaders and rules but writes
nothing and opens no transaction, so it holds no write lock (on SQLite a transaction takes the
whole database's, which every other user's request would wait for). The loaders hand their
writes to the engine (`ImportContext.save`); on a dry run it gives each new record a stand-in id
and keeps, by natural key, the records the writes would create or change (`pending`), where the
look-ups of the later files find them: a contact names a participant created in the same
preview exactly as after a real write, and the errors and new/updated counts are the import's.
A write attempted during a dry run is refused (`_refuse_writes`): there would be no transaction
to roll it back. Each query of a dry run sees what is committed at that moment; the confirmation
checks everything again in its own transaction.

Records are written with bulk operations (one INSERT per batch, not one per row): a folder of
100,000 contacts loads in seconds. Bulk writes skip the per-record audit signals, so the engine
writes each record's audit entry in bulk too; the import as a whole is logged (who, when,
counts) by the caller.

The raw UIC is hashed as soon as its cell is read and dropped; messages name the file, line and
column of a bad cell, never its value.
"""

import re
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import DatabaseError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.auditing import audit_bulk
from accounts.models import Role
from participants.models import Participant, Person, carry_persons
from participants.services import WITHDRAWN
from participants.uic import PSEUDONYM_PREFIX, is_valid_uic, split_pseudonym, uic_hash
from periods.lock import check_open_in, locked_spans
from programs.services_catalog import mask_to_services, services_to_mask
from reports import livecache
from sites.models import Establishment, Province, Site

from .contract import FileCounts, assign, chunks, loader_for
from .pseudonyms import Resolver
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
    code_of_label,
    header_code,
    is_example,
    number_error,
    parse_date,
)

INT_RE = re.compile(r"^-?\d+(\.0+)?$")
HASH_RE = re.compile(r"^[0-9a-f]{64}$")
WRITE_RE = re.compile(r"^\s*(INSERT|UPDATE|DELETE|REPLACE|MERGE)\b", re.IGNORECASE)
BATCH = 1000
# A bulk write of this many new rows refreshes the table's planner statistics (PostgreSQL).
ANALYZE_AFTER = 5000


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
        # The template's header reads "Ngày tiếp cận (date)": the code in brackets counts.
        header = sources[spec.name].header
        header[:] = [header_code(name) for name in header]
        result.errors += _header_errors(spec, sources[spec.name])
    if result.errors:
        return result
    loader = ImportContext(user=user, errors=result.errors, dry_run=dry_run)
    try:
        # A dry run writes nothing, so it needs no transaction and takes no write lock.
        with connection.execute_wrapper(_refuse_writes) if dry_run else transaction.atomic():
            for spec in present:
                source = sources[spec.name]
                rows = loader.parse(spec, source)
                load = loader_for(spec.name)
                counts = load(loader, spec, source.label, rows)
                counts.rows = len(source.rows)
                counts.label = source.label
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


def _refuse_writes(execute, sql, params, many, context):
    """A dry run has no transaction to roll back: a write during one would stay. Refused before
    it reaches the database."""
    if WRITE_RE.match(sql):
        raise RuntimeError("An import dry run tried to write to the database.")
    return execute(sql, params, many, context)


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


def _raw_uic(raw):
    code = raw.upper()
    if not is_valid_uic(code):
        raise CellError(_("UIC không hợp lệ: cần 4 chữ cái, 6 chữ số ngày sinh (ddmmyy) và F/M/O."))
    return uic_hash(code)


def _parse_cell(column, raw):
    """One cell's value (the `uic` column: ImportContext.uic_digest)."""
    kind = column.kind
    if kind == DATE:
        try:
            return parse_date(raw)
        except ValueError:
            raise CellError(_("ngày không đúng dạng dd/mm/yyyy hoặc YYYY-MM-DD.")) from None
    if kind == INT:
        if not INT_RE.match(raw):
            raise CellError(_("không phải số nguyên."))
        if column.check is not None:
            # Compared as a Decimal: a number of any length is refused without an overflow.
            try:
                column.check(Decimal(raw.split(".")[0]))
            except ValidationError as error:
                raise CellError(" ".join(error.messages)) from None
            return int(raw.split(".")[0])
        if raw.startswith("-"):
            raise CellError(_("không được là số âm."))
        reason = number_error(column, raw)
        if reason:
            raise CellError(reason)
        return int(raw.split(".")[0])
    if kind == ENUM:
        if raw not in column.choices:
            raw = code_of_label(column, raw) or raw
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
        codes = [
            code if code in column.choices else code_of_label(column, code) or code
            for code in codes
        ]
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


def _twice(duplicate, line):
    """The refusal of a key seen before at `line` of the same file."""
    reason = _("trùng khóa với dòng %(line)s.") % {"line": line}
    return f"{duplicate} ({reason})" if duplicate else reason


class ImportContext:
    def __init__(self, *, user, errors, dry_run=False):
        self.user = user
        self.errors = errors
        self.dry_run = dry_run
        # A dry run's unwritten records, {model: {natural key: record}} (see `save`).
        self.pending = defaultdict(dict)
        self.stand_in = 0
        self.now = timezone.now()
        self.officer_province = (
            user.province_id if user is not None and user.role == Role.OFFICER else None
        )
        self.current = dict(Province.objects.values_list("pk", "current_id"))
        self.spans = None
        self.pseudonyms = Resolver(province_id=self.officer_province, known=self._known_hashes)

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
            if not any(cells) or is_example(spec, cells):
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
                    self.error(
                        source.label,
                        line,
                        column.name,
                        str(column.empty_message or _("không được để trống.")),
                    )
                    ok = False
                    continue
                try:
                    if column.kind == UIC:
                        values[column.name] = self.uic_digest(raw)
                    else:
                        values[column.name] = _parse_cell(column, raw)
                except CellError as exc:
                    self.error(source.label, line, column.name, str(exc))
                    ok = False
            if ok:
                parsed.append((line, values))
        return parsed

    def _known_hashes(self):
        return self.scoped(Participant).values_list("person__uic_hash", flat=True).iterator(5000)

    def uic_digest(self, raw):
        """The stored hash a `uic` cell names: a raw UIC hashed; a pseudonym of the importer's
        province mapped back (exchange.pseudonyms); the national hash ("h:") only for the
        server's command (README "Exchange files"). A pseudonym the importer's records do not
        have (another province's, an erased person's, a made-up one) gets one message, the
        same for all, after the same dictionary look-up."""
        if raw.startswith(PSEUDONYM_PREFIX):
            if split_pseudonym(raw) is None:
                raise CellError(_("mã bí danh không hợp lệ (p:, mã tỉnh, : và 96 ký tự hex)."))
            digest = self.pseudonyms(raw)
            if digest is None:
                raise CellError(
                    _(
                        "mã bí danh không có trong danh sách của bạn: chỉ tỉnh/thành phố đã "
                        "xuất tệp mới nhập lại được mã này."
                    )
                )
            return digest
        if raw.startswith(HASH_PREFIX):
            if self.user is not None:
                # The hash is the same in every province: accepted from a user's file, it would
                # let one province's records be joined to another's.
                raise CellError(
                    _(
                        "mã băm quốc gia (h:) chỉ được nhận qua lệnh import_exchange trên máy "
                        "chủ; hãy dùng UIC 11 ký tự hoặc mã bí danh (p:) trong tệp do tỉnh/thành "
                        "phố của bạn xuất ra."
                    )
                )
            digest = raw[len(HASH_PREFIX) :]
            if not HASH_RE.match(digest):
                raise CellError(_("mã băm UIC không hợp lệ (h: và 64 ký tự hex)."))
            return digest
        return _raw_uic(raw)

    def by_code(self, model, codes, scoped=True):
        """{code: object} of the given codes, among what the user may see, as this import
        leaves them (a dry run's unwritten ones included)."""
        codes = set(codes)
        queryset = self.scoped(model) if scoped else model.objects.all()
        if model is Establishment:
            queryset = queryset.select_related("site")
        found = {}
        for chunk in chunks(codes):
            found.update({obj.code: obj for obj in queryset.filter(code__in=chunk)})
        found.update({key[0]: obj for key, obj in self.pending[model].items() if key[0] in codes})
        if model is Establishment and self.dry_run:
            # Each establishment's site as the writes would leave it.
            sites = {site.pk: site for site in self.pending[Site].values()}
            unloaded = {
                obj.site_id
                for obj in found.values()
                if obj.site_id not in sites and not Establishment.site.is_cached(obj)
            }
            sites.update(Site.objects.in_bulk(unloaded))
            for obj in found.values():
                if obj.site_id in sites:
                    obj.site = sites[obj.site_id]
        return found

    def participant_records(self, hashes):
        """{(uic hash, 2025 province id): (participant id, withdrawn_on)} of the records the
        user may see. A province knows a person only through its own record: a UIC known only
        in another province is not found, exactly like one known nowhere."""
        hashes = set(hashes)
        found = {}
        for chunk in chunks(hashes):
            rows = self.scoped(Participant).filter(person__uic_hash__in=chunk)
            for digest, province, pk, withdrawn_on in rows.values_list(
                "person__uic_hash", "province_id", "pk", "withdrawn_on"
            ):
                found[(digest, province)] = (pk, withdrawn_on)
        for (digest, province), obj in self.pending[Participant].items():
            if digest in hashes:
                found[(digest, province)] = (obj.pk, obj.withdrawn_on)
        return found

    def check_open(self, label, line, *, day, site=None, province=None, column="date"):
        """The period lock (periods.lock) for one row, reported on `column`: the approved
        periods are loaded once per import, then each row is checked without a query."""
        if self.spans is None:
            self.spans = locked_spans()
        return self.check(
            label,
            line,
            lambda: check_open_in(self.spans, site=site, province=province, day=day),
            columns={"date": column},
        )

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
        for chunk in chunks(codes):
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

    def upsert(self, spec, label, model, prepared, existing, *, fields, extra=None, duplicate=None):
        """Create the rows whose key is new, update those whose values differ; returns
        (FileCounts, created objects, updated objects). A key already in the database is
        updated (a re-import changes nothing); the same key twice in one file is refused, with
        `duplicate` (the message of the forms' rule of one record per key) when there is one."""
        counts = FileCounts()
        seen = {}
        new, changed, diffs = [], [], []
        written = {}
        for item in prepared:
            if item.key in seen:
                self.error(
                    label,
                    item.line,
                    ", ".join(spec.key),
                    _twice(duplicate, seen[item.key]),
                )
                continue
            seen[item.key] = item.line
            obj = existing.get(item.key)
            if obj is None:
                obj = model(**item.values, **item.create_only, **(extra or {}))
                new.append(obj)
                written[item.key] = obj
                counts.new += 1
            elif diff := assign(obj, item.values):
                changed.append(obj)
                diffs.append((obj, diff))
                written[item.key] = obj
                counts.updated += 1
            else:
                counts.unchanged += 1
        versioned = hasattr(model, "version")
        if versioned:
            for obj in changed:
                obj.version += 1
                obj.updated_at = self.now
        extra_fields = ["version", "updated_at"] if versioned else []
        self.save(model, new=new, changed=diffs, fields=[*fields, *extra_fields], keys=written)
        return counts, new, changed

    def save(self, model, *, new=(), changed=(), fields=(), keys=None):
        """Every write of the import: create `new`, update `changed` ((record, {field: (before,
        after)}) pairs) on `fields`, in bulk, with their audit history (bulk writes skip the
        audit signals). A dry run writes nothing: each new record gets a stand-in id (negative,
        never a real one) and `keys` ({natural key: record}, the records later files may look
        up, as the writes would leave them) goes to `pending`, where `by_code`,
        `participant_records` and the loaders' own look-ups find them."""
        if self.dry_run:
            for obj in new:
                self.stand_in -= 1
                obj.pk = self.stand_in
            self.pending[model].update(keys or {})
            return
        if model._meta.label in ("participants.Contact", "referrals.Referral"):
            carry_persons(new)  # the person the reports count
        model.objects.bulk_create(new, batch_size=BATCH)
        if changed:
            model.objects.bulk_update([obj for obj, _diff in changed], fields, batch_size=BATCH)
        audit_bulk(model, created=new, changed=changed, actor=self.user)
        livecache.bump()  # bulk writes send no signal: every live figure is computed anew
        transaction.on_commit(livecache.bump)  # and again once committed (livecache.on_write)
        if len(new) >= ANALYZE_AFTER and connection.vendor == "postgresql":
            # The rows are not committed yet, so autovacuum cannot count them: without fresh
            # statistics the next files' look-ups are planned as if the table were empty (a
            # first import into a new installation took minutes on one query).
            with connection.cursor() as cursor:
                cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")

    def write(self, write, **kwargs):
        """A write that keeps derived records in step and that no later row depends on
        (`participants.services.enrol_where_met`): done now, left out of a dry run."""
        if not self.dry_run:
            write(**kwargs)

    @staticmethod
    def date_range(rows, column="date"):
        dates = [values[column] for _line, values in rows]
        return (min(dates), max(dates)) if dates else (None, None)

    def persons(self, hashes):
        """{uic hash: Person id}, creating the missing ones. National de-duplication happens
        here and nowhere a user can see it."""
        found = {}
        for chunk in chunks(hashes):
            found.update(Person.objects.filter(uic_hash__in=chunk).values_list("uic_hash", "pk"))
        missing = [Person(uic_hash=digest) for digest in hashes if digest not in found]
        self.save(Person, new=missing)
        found.update((person.uic_hash, person.pk) for person in missing)
        return found

    def existing_events(self, model, prepared, key_of, only, site_field="site_id"):
        """Existing records of the sites and dates in `prepared`, by natural key."""
        if not prepared:
            return {}
        ids = {item.create_only[site_field] for item in prepared}
        dates = [item.create_only["date"] for item in prepared]
        existing = {}
        for chunk in chunks(ids):
            queryset = model.objects.filter(
                **{f"{site_field}__in": chunk, "date__gte": min(dates), "date__lte": max(dates)}
            ).only(*only)
            for obj in queryset:
                existing[key_of(obj)] = obj
        return existing
