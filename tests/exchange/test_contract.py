"""The importer's contract: each app registers the loaders of its own files (exchange.contract);
the engine finds them there, and a file without a loader stops the project at its checks."""

import pytest

from exchange import contract
from participants import loaders as participant_loaders
from referrals import loaders as referral_loaders
from sites import loaders as site_loaders

# Hand-written: which app loads which file of the format.
OWNERS = {
    "sites": "sites",
    "peer_groups": "sites",
    "establishments": "sites",
    "costs": "sites",
    "trainings": "sites",
    "providers": "referrals",
    "referrals": "referrals",
    "supports": "referrals",
    "participants": "participants",
    "contacts": "participants",
    "rights_assessments": "participants",
    "establishment_assessments": "participants",
}


def test_each_app_registers_its_own_files():
    assert contract.registered() == OWNERS
    assert contract.loader_for("contacts") is participant_loaders.load_contacts
    assert contract.loader_for("referrals") is referral_loaders.load_referrals
    assert contract.loader_for("costs") is site_loaders.load_costs
    assert contract.check_loaders() == []


def test_a_file_without_a_loader_fails_the_checks(monkeypatch):
    monkeypatch.delitem(contract._LOADERS, "supports")
    errors = contract.check_loaders()
    assert [error.id for error in errors] == ["exchange.E001"]
    assert "'supports'" in errors[0].msg


def test_a_loader_for_an_unknown_file_fails_the_checks(monkeypatch):
    monkeypatch.setitem(contract._LOADERS, "visits", participant_loaders.load_contacts)
    assert [error.id for error in contract.check_loaders()] == ["exchange.E002"]


def test_two_apps_cannot_load_the_same_file():
    with pytest.raises(ValueError, match="contacts: loaded by both participants and referrals"):
        contract.register_loaders("referrals", {"contacts": referral_loaders.load_referrals})
    assert contract.loader_for("contacts") is participant_loaders.load_contacts
