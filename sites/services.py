"""Writes of the programme structure that are not a plain form save."""

from django.core.exceptions import ValidationError
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from periods.lock import check_change_open

from .models import MAX_COST_VND, MAX_PEOPLE, TOO_MANY_PEOPLE, TOO_MUCH_MONEY

NEGATIVE_COUNT = _("Số lượng không được âm.")
NEGATIVE_AMOUNT = _("Số tiền phải là số nguyên không âm (VNĐ).")


def check_bounds(value, *, high, below, above, field=None):
    """`value` (a number, or None: nothing to check) lies in 0..`high`: refused with `below` or
    `above` (which may name %(limit_value)s). Raises ValidationError, on `field` if given (a
    form field's validator passes none)."""
    if value is None:
        return
    if value < 0:
        error = ValidationError(below, code="min_value", params={"limit_value": 0})
    elif value > high:
        error = ValidationError(above, code="max_value", params={"limit_value": high})
    else:
        return
    raise ValidationError({field: error}) if field else error


def check_people_count(value, field=None):
    """A number of people (a peer group's members or board, an establishment's workers, a
    class's trainees): 0 to MAX_PEOPLE. The forms and the importer ask here."""
    check_bounds(value, high=MAX_PEOPLE, below=NEGATIVE_COUNT, above=TOO_MANY_PEOPLE, field=field)


def check_cost_amount(value, field=None):
    """One cost line: 0 to MAX_COST_VND đồng. The form and the importer ask here."""
    check_bounds(value, high=MAX_COST_VND, below=NEGATIVE_AMOUNT, above=TOO_MUCH_MONEY, field=field)


def set_active(*, record, active, by=None):
    """Deactivate (or reactivate) a site, establishment or peer group instead of deleting it:
    records that depend on it keep their history. Bumps the version so an edit form opened
    before is refused, and saves through the model so the change is audited."""
    if record.is_active == active:
        return record
    record.is_active = active
    record.version = F("version") + 1
    record.updated_at = timezone.now()
    record.save(update_fields=["is_active", "version", "updated_at"])
    record.refresh_from_db(fields=["version"])
    return record


BOARD_OVER_MEMBERS = _("Số thành viên ban chủ nhiệm không được lớn hơn số thành viên.")


def check_peer_group_counts(*, members, board_members):
    """A peer group's board is drawn from its members: no more board members than members.
    Raises ValidationError({"board_members": …}); the form and the importer ask here."""
    if members is not None and board_members is not None and board_members > members:
        raise ValidationError(
            {"board_members": ValidationError(BOARD_OVER_MEMBERS, code="board_over_members")}
        )


def check_dated_record_open(*, record, site, day):
    """A cost or a training may be saved only outside the periods the ministry approved (and
    so locked) for its province: neither a new one dated in such a period, nor a change to
    one that is (moving it out would change the approved figures too). Raises
    ValidationError({"date": …}). The importer checks its rows with periods.lock."""
    check_change_open(record=record, site=site, day=day)
