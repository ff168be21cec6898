import datetime

import pytest

from programs.models import InterventionModel
from tests import factories


@pytest.fixture
def records_hn(site_hn, group_hn):
    """One record of each kind in Hà Nội (site_hn is in the pre-2025 Hà Nội)."""
    return {
        "site": site_hn,
        "peergroup": group_hn,
        "establishment": factories.EstablishmentFactory(code="HN-KARA-1", site=site_hn),
        "cost": factories.CostFactory(site=site_hn, amount_vnd=45_000_000),
        "training": factories.TrainingFactory(site=site_hn, trainees=40),
    }


@pytest.fixture
def records_ct(site_ct, group_ct):
    """One record of each kind in Cần Thơ."""
    return {
        "site": site_ct,
        "peergroup": group_ct,
        "establishment": factories.EstablishmentFactory(code="CT-MASSAGE-1", site=site_ct),
        "cost": factories.CostFactory(site=site_ct, amount_vnd=12_000_000),
        "training": factories.TrainingFactory(site=site_ct, trainees=30),
    }


@pytest.fixture
def worker_rights():
    return InterventionModel.objects.get(code="worker_rights")


@pytest.fixture
def day():
    return datetime.date
