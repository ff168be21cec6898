"""A site's results on its page, computed by the reports (a floor above `sites`).

`sites` never imports `reports`: the reports register their builder here when the project
starts (`reports.apps.ReportsConfig.ready`), and the site page asks for it. Without reports
installed the page shows no results.
"""

from collections.abc import Callable
from typing import Any

SiteResults = Callable[..., dict[str, Any] | None]

_builder: SiteResults | None = None


def provide(builder: SiteResults) -> None:
    """Register the builder of a site's results: `builder(site=…)` -> {start, end, rows}."""
    global _builder  # noqa: PLW0603
    _builder = builder


def site_results(*, site: Any) -> dict[str, Any] | None:
    """The site's results for its page, or None when no builder is registered."""
    if _builder is None:
        return None
    return _builder(site=site)
