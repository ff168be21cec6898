"""Optimistic concurrency: two people edit the same record; the second save is refused with a
clear message and the first one's values stay."""

import pytest
from django import forms
from django.urls import reverse

from accounts.forms import STALE_EDIT_MESSAGE, VersionedModelForm
from sites.models import Site


class SiteNameForm(VersionedModelForm):
    class Meta:
        model = Site
        fields = ["name", "locality"]


def form_data(form, **changes):
    """What the browser posts back: the form's initial values (hidden version included) with
    the user's changes."""
    data = {}
    for name in form.fields:
        value = form[name].value()
        if value is None or value is False:
            continue
        data[name] = value
    data.update(changes)
    return data


@pytest.mark.django_db
def test_the_second_save_is_refused_and_the_first_is_kept(site_hn):
    # Two officers open the edit page at the same time.
    first = SiteNameForm(instance=Site.objects.get(pk=site_hn.pk))
    second = SiteNameForm(instance=Site.objects.get(pk=site_hn.pk))
    assert isinstance(first.fields["version"].widget, forms.HiddenInput)
    posted_first = form_data(first, name="Hoàng Mai (sửa lần 1)")
    posted_second = form_data(second, name="Hoàng Mai (sửa lần 2)", locality="Thanh Xuân")

    saving = SiteNameForm(posted_first, instance=Site.objects.get(pk=site_hn.pk))
    assert saving.is_valid(), saving.errors
    saving.save()

    refused = SiteNameForm(posted_second, instance=Site.objects.get(pk=site_hn.pk))
    assert not refused.is_valid()
    assert refused.non_field_errors() == [str(STALE_EDIT_MESSAGE)]
    assert "Bản ghi này vừa được người khác sửa" in refused.non_field_errors()[0]
    # The form keeps what the second officer typed, so they can copy it.
    assert refused["name"].value() == "Hoàng Mai (sửa lần 2)"

    site_hn.refresh_from_db()
    assert (site_hn.name, site_hn.locality) == ("Hoàng Mai (sửa lần 1)", "Hoàng Mai")
    assert site_hn.version == 1


@pytest.mark.django_db
def test_after_reloading_the_second_officer_can_save(site_hn):
    SiteNameForm(
        form_data(SiteNameForm(instance=site_hn), name="A"),
        instance=Site.objects.get(pk=site_hn.pk),
    ).save()
    reloaded = SiteNameForm(instance=Site.objects.get(pk=site_hn.pk))
    again = SiteNameForm(form_data(reloaded, name="B"), instance=Site.objects.get(pk=site_hn.pk))
    assert again.is_valid(), again.errors
    again.save()
    site_hn.refresh_from_db()
    assert (site_hn.name, site_hn.version) == ("B", 2)


@pytest.mark.django_db
def test_a_missing_or_forged_version_is_refused(site_hn):
    for version in ("", "7", "-1"):
        data = form_data(SiteNameForm(instance=site_hn), name="X", version=version)
        form = SiteNameForm(data, instance=Site.objects.get(pk=site_hn.pk))
        assert not form.is_valid()
    site_hn.refresh_from_db()
    assert site_hn.name == "Hoàng Mai" and site_hn.version == 0


@pytest.mark.django_db
def test_two_officers_through_the_site_edit_page(client, officer_hn, site_hn):
    """The same through the real edit page."""
    from tests import factories

    url = reverse("sites:site_edit", args=[site_hn.pk])
    colleague = factories.UserFactory(
        username="officer_hn2", role=officer_hn.role, province=officer_hn.province
    )
    client.force_login(officer_hn)
    form_one = client.get(url).context["form"]
    client.force_login(colleague)
    form_two = client.get(url).context["form"]

    client.force_login(officer_hn)
    response = client.post(url, form_data(form_one, name="Lần 1"))
    assert response.status_code == 302
    client.force_login(colleague)
    response = client.post(url, form_data(form_two, name="Lần 2"))
    assert response.status_code == 200
    assert "Bản ghi này vừa được người khác sửa" in response.content.decode()
    site_hn.refresh_from_db()
    assert site_hn.name == "Lần 1"
