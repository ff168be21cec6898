"""Panels that apps on higher floors add to a site's page, without `sites` importing them.

A panel is a builder `(user, site) -> plain data or None` registered under a name (the
template variable it fills) from its app's `AppConfig.ready()`; the site page calls every
registered builder. Example: `reports` registers "results", the site's own indicators
(reports/site_results.py)."""

SITE_PANELS = {}


def register_site_panel(name, builder):
    SITE_PANELS[name] = builder


def site_panels(user, site):
    """{name: what the panel's builder gives for this user and site}, for the site's page."""
    return {name: builder(user, site) for name, builder in SITE_PANELS.items()}
