from django.core.checks import Error, register
from django.core.exceptions import ImproperlyConfigured

from . import keys


@register()
def offline_key(app_configs, **kwargs):
    """A key that cannot be read stops `check`, `migrate` and `runserver` at once, rather than
    every page that hands the phones the public key."""
    try:
        keys.private_keys()
    except ImproperlyConfigured as error:
        return [Error(str(error), id="offline.E001")]
    return []
