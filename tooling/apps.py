from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ToolingConfig(AppConfig):
    """Developer tooling: the demo data set (`seed_demo`), the national-scale benchmark
    (`bench`), the import benchmark (`bench_import`) and the load test (tooling/loadtest)."""

    name = "tooling"
    verbose_name = _("Công cụ phát triển")
