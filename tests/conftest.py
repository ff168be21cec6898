"""The personas every test uses (docs/conventions.md): a ministry official, two provincial officers
of different provinces (Hà Nội, Cần Thơ), a peer-group leader in Hà Nội, a provider's staff, an
administrator and a signed-in outsider with no role."""

import pytest

from accounts.models import Role
from tests import factories

# Runs the report tests against a real read replica when REPORTS_DATABASE_URL names one.
pytest_plugins = ["tests.replica.plugin"]


@pytest.fixture(autouse=True)
def _vietnamese_first():
    """Every test starts in the programme's language. A request with the English cookie leaves
    English active in the thread (LocaleMiddleware activates and never deactivates), which in a
    random order would change the messages a later test reads."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


def _transactional(item):
    marker = item.get_closest_marker("django_db")
    if marker is not None and marker.kwargs.get("transaction", False):
        return True
    return bool({"transactional_db", "live_server"} & set(getattr(item, "fixturenames", ())))


def _put_back_reference_data():
    """The reference data the migrations load (provinces, programme, periods), the content
    types and the permissions, where a transactional test's flush took them away.

    A test with `serialized_rollback` flushes without re-creating the content types: the next
    transactional test found this process's cached content-type ids pointing at nothing (the
    audit log's foreign key failed; random order, seed 9002 on PostgreSQL). The cache is
    cleared, and the content types and permissions re-created when they are gone, as
    `migrate` does."""
    from django.apps import apps
    from django.contrib.auth.management import create_permissions
    from django.contrib.contenttypes.management import create_contenttypes
    from django.contrib.contenttypes.models import ContentType

    from periods.calendar import load_periods
    from periods.models import ReportingPeriod
    from programs import reference as programs_reference
    from programs.models import InterventionModel, Phase, Target
    from sites import reference as sites_reference
    from sites.models import Province, Region

    ContentType.objects.clear_cache()
    if not ContentType.objects.exists():
        for app_config in apps.get_app_configs():
            create_contenttypes(app_config, verbosity=0)
            create_permissions(app_config, verbosity=0)
    if not Province.objects.exists():
        sites_reference.load_reference(Region, Province)
        sites_reference.load_locality_counts(Province)
        programs_reference.load_reference(Phase, InterventionModel, Target)
    if not ReportingPeriod.objects.exists():
        load_periods(ReportingPeriod, Phase)


# Set on a transactional test whose database was set up (so flushed when it ends).
_FLUSHED = pytest.StashKey[bool]()


@pytest.fixture(autouse=True)
def _reference_data_in_transactional_tests(request):
    """Transactional tests (the browser suite's live server) start with the reference data, as
    every other test does."""
    if not _transactional(request.node):
        return
    request.getfixturevalue("transactional_db")
    request.node.stash[_FLUSHED] = True
    _put_back_reference_data()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """After a transactional test's flush (its fixtures' teardown), the reference data is put
    back at once: the next test in this process may be one that runs inside a transaction and
    reads it. pytest-django runs transactional tests after the others, but pytest-xdist hands
    out its largest group first (`--dist loadgroup`: the browser tests), so in the process that
    drives the browser the other tests come after them."""
    result = yield
    # With no next test, the session's fixtures are gone too (the test database among them).
    if nextitem is not None and item.stash.get(_FLUSHED, False):
        from pytest_django.plugin import blocking_manager_key

        with item.config.stash[blocking_manager_key].unblock():
            _restore_after_flush()
    return result


def _restore_after_flush():
    """The database as the migrations left it. In a run with a `serialized_rollback` test,
    Django kept that state (`_test_serialized_contents`): it is reloaded with its rows' ids,
    after a second flush without post_migrate, since the flush's post_migrate re-creates the
    content types and permissions under new ids, which collided with the ones the
    `serialized_rollback` test reloads ("duplicate key … django_content_type"). Otherwise the
    reference data is put back."""
    from django.contrib.contenttypes.models import ContentType
    from django.core.management import call_command
    from django.db import DEFAULT_DB_ALIAS, connections

    connection = connections[DEFAULT_DB_ALIAS]
    contents = getattr(connection, "_test_serialized_contents", None)
    if not contents:
        _put_back_reference_data()
        return
    call_command("flush", interactive=False, inhibit_post_migrate=True, verbosity=0)
    connection.creation.deserialize_db_from_string(contents)
    ContentType.objects.clear_cache()


@pytest.fixture
def hanoi():
    return factories.province("01")


@pytest.fixture
def cantho():
    return factories.province("92")


@pytest.fixture
def site_hn():
    return factories.SiteFactory(code="HN-HM-PG", name="Hoàng Mai", locality="Hoàng Mai")


@pytest.fixture
def site_ct():
    return factories.SiteFactory(
        code="CT-NK-WR",
        name="Ninh Kiều",
        locality="Ninh Kiều",
        province=factories.province("92", "legacy"),
    )


@pytest.fixture
def group_hn(site_hn):
    return factories.PeerGroupFactory(code="SAO-DEM", name="Sao đêm", site=site_hn, members=10)


@pytest.fixture
def group_ct(site_ct):
    return factories.PeerGroupFactory(code="ANH-DUONG", name="Ánh Dương", site=site_ct)


@pytest.fixture
def provider_hn(hanoi):
    return factories.ProviderFactory(name="Trung tâm CTXH Hà Nội", province=hanoi)


@pytest.fixture
def ministry(db):
    return factories.UserFactory(username="ministry", role=Role.MINISTRY)


@pytest.fixture
def officer_hn(hanoi):
    return factories.UserFactory(username="officer_hn", role=Role.OFFICER, province=hanoi)


@pytest.fixture
def officer_ct(cantho):
    return factories.UserFactory(username="officer_ct", role=Role.OFFICER, province=cantho)


@pytest.fixture
def leader(group_hn):
    return factories.UserFactory(username="leader", role=Role.PEER_LEADER, peer_group=group_hn)


@pytest.fixture
def leader_ct(group_ct):
    return factories.UserFactory(username="leader_ct", role=Role.PEER_LEADER, peer_group=group_ct)


@pytest.fixture
def provider_staff(provider_hn):
    return factories.UserFactory(
        username="provider_staff", role=Role.PROVIDER, provider=provider_hn
    )


@pytest.fixture
def admin_user(db):
    return factories.UserFactory(
        username="admin", role=Role.ADMIN, is_staff=True, is_superuser=True
    )


@pytest.fixture
def outsider(db):
    return factories.UserFactory(username="outsider", role="")


@pytest.fixture
def personas(ministry, officer_hn, officer_ct, leader, provider_staff, admin_user, outsider):
    """Every persona by name, for tests that walk all of them."""
    return {
        "ministry": ministry,
        "officer_hn": officer_hn,
        "officer_ct": officer_ct,
        "leader": leader,
        "provider_staff": provider_staff,
        "admin": admin_user,
        "outsider": outsider,
    }


@pytest.fixture
def client_for(client):
    """client_for(user) -> the test client signed in as that user."""

    def sign_in(user):
        client.force_login(user)
        return client

    return sign_in
