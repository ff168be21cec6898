import pytest

from tests import factories


@pytest.fixture
def member(site_hn, group_hn):
    """A participant the Hà Nội group enrolled."""
    participant = factories.ParticipantFactory(province=site_hn.province.current)
    factories.EnrolmentFactory(participant=participant, site=site_hn, peer_group=group_hn)
    return participant
