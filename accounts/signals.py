from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from .models import ActivityEvent


@receiver(user_logged_in)
def record_login(sender, request, user, **kwargs):
    ActivityEvent.objects.create(user=user, kind=ActivityEvent.Kind.LOGIN, what=user.get_username())


@receiver(user_logged_out)
def record_logout(sender, request, user, **kwargs):
    if user is not None:
        ActivityEvent.objects.create(
            user=user, kind=ActivityEvent.Kind.LOGOUT, what=user.get_username()
        )


@receiver(user_login_failed)
def record_login_failure(sender, credentials, request=None, **kwargs):
    # The username tried is kept (to see attacks on an account); the password never is.
    ActivityEvent.objects.create(
        kind=ActivityEvent.Kind.LOGIN_FAILED, what=str(credentials.get("username", ""))[:200]
    )
