from .models import ActivityEvent


def record_activity(*, user, kind, what, **detail):
    """Log an export, import or view of a participant's page (who, what, when)."""
    return ActivityEvent.objects.create(
        user=user if user is not None and user.is_authenticated else None,
        kind=kind,
        what=str(what)[:200],
        detail=detail,
    )
