"""The importer's contract with the apps whose files it loads.

The engine (`exchange.services`) reads, parses and scopes every file of the exchange format
(`exchange.spec.FILES`); what a file's rows mean belongs to the app that owns its records. Each
such app declares its loaders in one typed table, `LOADERS` in its `loaders.py` ({file name:
loader}), and registers it from its `AppConfig.ready()` with `register_loaders`. The engine
asks `loader_for(file name)`: no dotted names, no dispatch by strings, and a file with no
loader or with two is refused when the project starts (`check_loaders`, a system check).

A loader is `load(ctx, spec, label, rows) -> FileCounts`: `ctx` the import (its look-ups,
`exchange.lookups.Lookups`, and its writes, `exchange.writes.Writes`), `spec` the file's
`FileSpec`, `label` the file as uploaded (for messages), `rows` [(line, {column: value})] as
parsed. It hands back the rows to insert or update through the context and returns the counts
of those rows.

A file is read, checked and written in chunks (`EXCHANGE_IMPORT_CHUNK` rows, settings): the
engine calls the loader once per chunk, with the chunk's parsed rows, and adds up the counts.
What must hold across a whole file lives in `ctx.file` (`FileState`, new for each file): the
natural keys already written (a key twice in one file is refused wherever the two rows are),
the loader's own memory, and the work to do once after the file's last chunk. This module holds
only what loaders and engine share: no models, no app imported."""

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.core import checks

CHUNK = 2000

Row = tuple[int, dict[str, Any]]


@dataclass
class FileCounts:
    # The file as uploaded ("contacts.xlsx", "data.xlsx[contacts]"), for the preview.
    label: str = ""
    rows: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0

    def add(self, other: "FileCounts | None") -> None:
        """Count `other`'s rows (a chunk's) in these."""
        if other is not None:
            self.new += other.new
            self.updated += other.updated
            self.unchanged += other.unchanged


@dataclass
class FileState:
    """What one file's import keeps from one chunk to the next: `seen`, {natural key: line} of
    the rows written (exchange.writes.Writes.upsert: a key twice in one file is refused, in any
    two chunks); `memo`, the loader's own (a loader's look-ups of the whole file); `finish`,
    {name: work} done once after the file's last chunk (what returns counts adds them)."""

    seen: dict[tuple[Any, ...], int] = field(default_factory=dict)
    memo: dict[str, Any] = field(default_factory=dict)
    finish: dict[str, Callable[[], "FileCounts | None"]] = field(default_factory=dict)


@dataclass
class Prepared:
    """A row that passed its rules: its line, natural key, the values an update may change and
    the values set only on creation."""

    line: int
    key: tuple[Any, ...]
    values: dict[str, Any]
    create_only: dict[str, Any] = field(default_factory=dict)


# load(ctx, spec, label, rows) -> FileCounts
Loader = Callable[[Any, Any, str, list[Row]], FileCounts]

_LOADERS: dict[str, Loader] = {}
_OWNERS: dict[str, str] = {}


def register_loaders(app_label: str, loaders: Mapping[str, Loader]) -> None:
    """Register an app's loaders ({file name: loader}); called from its AppConfig.ready()."""
    for name, load in loaders.items():
        if _OWNERS.get(name, app_label) != app_label:
            raise ValueError(f"{name}: loaded by both {_OWNERS[name]} and {app_label}")
        _LOADERS[name] = load
        _OWNERS[name] = app_label


def loader_for(name: str) -> Loader:
    return _LOADERS[name]


def registered() -> dict[str, str]:
    """{file name: the app that loads it}."""
    return dict(_OWNERS)


@checks.register()
def check_loaders(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """Every file of the format has exactly one loader, and no loader is for an unknown file."""
    from .spec import FILES

    names = {spec.name for spec in FILES}
    errors: list[checks.CheckMessage] = [
        checks.Error(f"exchange file {name!r} has no registered loader", id="exchange.E001")
        for name in sorted(names - set(_LOADERS))
    ]
    errors += [
        checks.Error(f"a loader is registered for unknown file {name!r}", id="exchange.E002")
        for name in sorted(set(_LOADERS) - names)
    ]
    return errors


def chunks(values: Iterable[Any], size: int = CHUNK) -> Iterator[list[Any]]:
    values = list(values)
    for start in range(0, len(values), size):
        yield values[start : start + size]


def assign(obj: Any, values: Mapping[str, Any]) -> dict[str, tuple[Any, Any]]:
    """Set `values` on `obj`; returns {name: (before, after)} of what changed (empty: nothing)."""
    changed: dict[str, tuple[Any, Any]] = {}
    for name, value in values.items():
        before = getattr(obj, name)
        if before != value:
            setattr(obj, name, value)
            changed[name] = (before, value)
    return changed
