from django.core.exceptions import PermissionDenied


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
