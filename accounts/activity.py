from .models import ActivityEvent


def record_activity(*, user, kind, what, **detail):
    """Log an export, import or view of a participant's page (who, what, when)."""
    return ActivityEvent.objects.create(
        user=user if user is not None and user.is_authenticated else None,
        kind=kind,
        what=str(what)[:200],
        detail=detail,
    )


LOOKUPS = {"uic": "tra cứu UIC", "code": "tra cứu mã"}


def record_lookup(*, user, by, found, purpose):
    """Log a look-up of a participant by UIC answers (`by` "uic") or display code ("code") as a
    view: whether someone was found and what for (`purpose`), never what was typed. Harvesting
    alerts count them (privacy.harvest)."""
    return record_activity(
        user=user,
        kind=ActivityEvent.Kind.VIEW,
        what=LOOKUPS[by],
        lookup=by,
        found=found,
        purpose=purpose,
    )


def record_lookups(*, user, form):
    """Log the look-ups a bound form made while it validated (record_lookup each): the form's
    own (`form.lookups`) and its fields' (`field.looked_up`). Forms only note a look-up; the
    page or the phones' queue that validated the form logs it here, right after `is_valid()`."""
    made = list(getattr(form, "lookups", []))
    made += [field.looked_up for field in form.fields.values() if getattr(field, "looked_up", None)]
    for lookup in made:
        record_lookup(user=user, **lookup)


def record_listing(*, user, listed, page):
    """Log a participant-level list page (participants, contacts, referrals, ...): which list
    and how many rows it showed, never the filters' values. Harvesting alerts add the rows up
    (privacy.harvest). An empty page is not logged."""
    rows = len(page.object_list)
    if not rows:
        return None
    return record_activity(
        user=user,
        kind=ActivityEvent.Kind.VIEW,
        what=f"danh sách {listed}",
        listed=listed,
        rows=rows,
    )
