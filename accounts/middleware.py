from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.middleware.locale import LocaleMiddleware
from django.utils import translation


class DenyByDefaultMiddleware:
    """Refuse every view that has not declared who may use it (accounts.access.allow/public).

    The Django admin is the one exception: each of its views checks `is_staff` itself, and only
    administrators are staff."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if getattr(view_func, "access_rule", None) is not None:
            return None
        match = request.resolver_match
        if match is not None and match.namespaces[:1] == ["admin"]:
            return None
        raise PermissionDenied


class VietnameseFirstLocaleMiddleware(LocaleMiddleware):
    """Vietnamese unless the user chose English with the header's switch (the language cookie).

    Django's LocaleMiddleware would also follow the browser's Accept-Language, and many office
    computers in Vietnam run an English browser: the programme's working language is Vietnamese
    whatever the browser says."""

    def process_request(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
