"""Writes of the programme structure that are not a plain form save."""

from django.core.exceptions import ValidationError
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from reports.periods import check_change_open


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
    ValidationError({"date": …}). The importer checks its rows with reports.periods."""
    check_change_open(record=record, site=site, day=day)
