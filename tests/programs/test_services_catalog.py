import pytest

from participants.models import Contact
from programs.services_catalog import mask_to_services, services_to_mask
from tests import factories


def test_mask_round_trip_keeps_catalogue_order():
    mask = services_to_mask(["loan", "health_check"])
    assert mask == 0b100001
    assert mask_to_services(mask) == ["health_check", "loan"]


@pytest.mark.django_db
def test_lookups_on_needs():
    with_loan = factories.ContactFactory(needs=["loan", "legal_aid"])
    with_health = factories.ContactFactory(needs=["health_check"])
    without = factories.ContactFactory(needs=[])
    assert set(Contact.objects.filter(needs__has="loan")) == {with_loan}
    assert set(Contact.objects.filter(needs__has="health_check")) == {with_health}
    assert set(Contact.objects.filter(needs__any=True)) == {with_loan, with_health}
    assert set(Contact.objects.filter(needs__any=False)) == {without}
    with_loan.refresh_from_db()
    assert with_loan.needs == ["legal_aid", "loan"]
