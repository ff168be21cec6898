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

Each file is read, checked and written in chunks of EXCHANGE_IMPORT_CHUNK rows (settings): the
rows of one chunk are parsed, looked up in bulk (the sites, the persons' records, the stored
events of those persons) and written with bulk operations (one INSERT per batch, not one per
row), and only then is the next chunk read; what a rule needs of the whole file (the keys
already written, a person's rows in several chunks) the loader keeps in `ImportContext.file`.
The import's memory follows the chunk, not the file: 100,000 contacts load in well under a
minute, in a few hundred MB (README). Bulk writes skip the per-record audit signals, so the
engine writes each record's audit entry in bulk too; the import as a whole is logged (who,
when, counts) by the caller.

The raw UIC is hashed as soon as its cell is read and dropped; messages name the file, line and
column of a bad cell, never its value.
"""

import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, transaction
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Role, User
from participants.models import Participant
from participants.uic import PSEUDONYM_PREFIX, is_valid_uic, split_pseudonym, uic_hash
from programs.services_catalog import mask_to_services, services_to_mask
from sites.models import Province

from .contract import FileCounts, FileState, Row, loader_for
from .lookups import Lookups
from .pseudonyms import Resolver
from .reader import RowError, Source
from .spec import (
    BOOL,
    DATE,
    ENUM,
    FILES,
    HASH_PREFIX,
    INT,
    SERVICES,
    UIC,
    Column,
    FileSpec,
    code_of_label,
    header_code,
    is_example,
    number_error,
    parse_date,
)
from .writes import Writes

INT_RE = re.compile(r"^-?\d+(\.0+)?$")
HASH_RE = re.compile(r"^[0-9a-f]{64}$")
WRITE_RE = re.compile(r"^\s*(INSERT|UPDATE|DELETE|REPLACE|MERGE)\b", re.IGNORECASE)


@dataclass
class ImportResult:
    errors: list[RowError] = field(default_factory=list)
    counts: dict[str, FileCounts] = field(default_factory=dict)
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def written(self) -> bool:
        return self.ok and not self.dry_run

    def totals(self) -> dict[str, dict[str, int]]:
        return {
            name: {"new": c.new, "updated": c.updated, "unchanged": c.unchanged}
            for name, c in self.counts.items()
        }


class _Rollback(Exception):
    pass


class CellError(ValueError):
    pass


def import_exchange(
    *,
    sources: Mapping[str, Source],
    user: User | None = None,
    dry_run: bool = False,
    read_errors: Iterable[RowError] = (),
) -> ImportResult:
    """Validate and load `sources` ({file name: reader.Source}) as `user` (None: the server's
    command, no scope limit; otherwise only rows inside what `user` may see and, for an
    officer, their province). Returns an ImportResult; nothing is written unless it is ok and
    not a dry run. Each file is read, checked and written EXCHANGE_IMPORT_CHUNK rows at a time
    (`ImportContext.load_file`), all inside the one transaction."""
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
                result.counts[spec.name] = loader.load_file(spec, sources[spec.name])
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


def _refuse_writes(
    execute: Callable[..., Any], sql: str, params: Any, many: bool, context: dict[str, Any]
) -> Any:
    """A dry run has no transaction to roll back: a write during one would stay. Refused before
    it reaches the database."""
    if WRITE_RE.match(sql):
        raise RuntimeError("An import dry run tried to write to the database.")
    return execute(sql, params, many, context)


def _header_errors(spec: FileSpec, source: Source) -> list[RowError]:
    errors: list[RowError] = []
    seen: set[str] = set()
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


def _raw_uic(raw: str) -> str:
    code = raw.upper()
    if not is_valid_uic(code):
        raise CellError(_("UIC không hợp lệ: cần 4 chữ cái, 6 chữ số ngày sinh (ddmmyy) và F/M/O."))
    return uic_hash(code)


def _parse_cell(column: Column, raw: str) -> Any:
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


class ImportContext(Lookups, Writes):
    """What a loader receives (exchange.contract): the import's look-ups and per-row checks
    (exchange.lookups), its writes (exchange.writes), and here the parsing of a file's rows and
    of its `uic` cells. The persons' records are looked up by participants.loaders."""

    def __init__(self, *, user: User | None, errors: list[RowError], dry_run: bool = False):
        self.user = user
        self.errors = errors
        self.dry_run = dry_run
        # A dry run's unwritten records, {model: {natural key: record}} (see `save`).
        self.pending: defaultdict[type[Model], dict[Any, Any]] = defaultdict(dict)
        self.stand_in = 0
        self.now = timezone.now()
        self.officer_province = (
            user.province_id if user is not None and user.role == Role.OFFICER else None
        )
        self.current: dict[int, int] = dict(Province.objects.values_list("pk", "current_id"))
        self.spans: Any = None
        self.pseudonyms = Resolver(province_id=self.officer_province, known=self._known_hashes)
        self.columns_present: set[str] = set()
        self.file = FileState()
        # Rows inserted per table since its statistics were last refreshed (Writes.save).
        self.inserted: defaultdict[type[Model], int] = defaultdict(int)
        self.analysed: defaultdict[type[Model], int] = defaultdict(int)

    def load_file(self, spec: FileSpec, source: Source) -> FileCounts:
        """One file, chunk by chunk: each chunk's rows parsed, then checked and written by the
        file's loader (exchange.contract), then the loader's work at the end of the file. Only
        a chunk's rows are held at a time; what a rule needs of the whole file is kept by the
        loader in `self.file` (the keys written, for duplicates)."""
        load = loader_for(spec.name)
        self.file = FileState()
        counts = FileCounts(label=source.label, rows=len(source.rows))
        for rows in self.parse(spec, source, settings.EXCHANGE_IMPORT_CHUNK):
            if rows:
                counts.add(load(self, spec, source.label, rows))
        for finish in self.file.finish.values():
            counts.add(finish())
        self.file = FileState()
        return counts

    def parse(self, spec: FileSpec, source: Source, size: int) -> Iterator[list[Row]]:
        """The file's rows as (line, {column: value}), `size` rows of the file at a time; bad
        cells are reported and their row dropped."""
        self.columns_present = set(source.header)
        index = {name: i for i, name in enumerate(source.header)}
        columns = [(column, index.get(column.name)) for column in spec.columns]
        width = len(source.header)
        parsed: list[Row] = []
        for read, (line, cells) in enumerate(source.rows, start=1):
            if any(cells) and not is_example(spec, cells):
                if any(cells[width:]):
                    self.error(source.label, line, "", _("dòng có nhiều ô hơn dòng tiêu đề."))
                else:
                    values = self._parse_row(source.label, line, cells, columns)
                    if values is not None:
                        parsed.append((line, values))
            if read % size == 0:
                yield parsed
                parsed = []
        yield parsed

    def _parse_row(
        self,
        label: str,
        line: int,
        cells: list[str],
        columns: list[tuple[Column, int | None]],
    ) -> dict[str, Any] | None:
        """One row's values, or None when a cell is bad (each bad cell reported)."""
        values: dict[str, Any] = {}
        ok = True
        for column, position in columns:
            raw = cells[position] if position is not None and position < len(cells) else ""
            if raw == "":
                if column.optional:
                    values[column.name] = [] if column.kind == SERVICES else None
                    continue
                reason = column.empty_message or _("không được để trống.")
                self.error(label, line, column.name, str(reason))
                ok = False
                continue
            try:
                if column.kind == UIC:
                    values[column.name] = self.uic_digest(raw)
                else:
                    values[column.name] = _parse_cell(column, raw)
            except CellError as exc:
                self.error(label, line, column.name, str(exc))
                ok = False
        return values if ok else None

    def _known_hashes(self) -> Iterator[str]:
        return self.scoped(Participant).values_list("person__uic_hash", flat=True).iterator(5000)

    def uic_digest(self, raw: str) -> str:
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
