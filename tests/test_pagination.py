import pytest
from django.urls import reverse

from accounts.pagination import CappedPaginator
from tests import factories


@pytest.mark.django_db
def test_list_counts_stop_at_the_cap(client_for, officer_hn, monkeypatch):
    for _ in range(5):
        factories.SiteFactory()
    client = client_for(officer_hn)
    page = client.get(reverse("sites:site_list")).content.decode()
    assert "5 bản ghi" in page
    monkeypatch.setattr(CappedPaginator, "cap", 3)
    response = client.get(reverse("sites:site_list"))
    assert "Hơn 3 bản ghi" in response.content.decode()
    assert response.context["page"].paginator.count == 3
