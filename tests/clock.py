"""Today and tomorrow in Việt Nam time, read when a test runs.

A module constant (`TODAY = timezone.localdate()`) is read when the module is imported, before
the run: a run that crosses midnight in Việt Nam (17:00 UTC) then takes yesterday for today,
and "tomorrow" is today, which is not refused. Call these inside the test instead. In a
parametrize table (read at import too), write TOMORROW and let the test call `resolved`."""

import datetime

from django.utils import timezone

TOMORROW = "<tomorrow>"  # a table's placeholder for tomorrow's date, resolved in the test


def today():
    return timezone.localdate()


def tomorrow():
    return today() + datetime.timedelta(days=1)


def resolved(values):
    """`values` (a form's data) with TOMORROW written as tomorrow's date (yyyy-mm-dd)."""
    return {
        key: tomorrow().isoformat() if value == TOMORROW else value for key, value in values.items()
    }
