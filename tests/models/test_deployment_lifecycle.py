"""The deployment lifecycle of the contract, checked for every pair of statuses."""
from __future__ import annotations

import itertools

from catalog.models import Deployment
from catalog.vocab import deployments as dv

# planned → installing → pilot → production ⇄ suspended → retired; planned|installing|pilot → retired
ALLOWED = {("planned", "installing"), ("installing", "pilot"), ("pilot", "production"),
           ("production", "suspended"), ("suspended", "production"), ("suspended", "retired"),
           ("planned", "retired"), ("installing", "retired"), ("pilot", "retired")}


def test_every_move_follows_the_contract():
    for old, new in itertools.product(dv.STATUSES, repeat=2):
        assert Deployment(status=old).can_move_to(new) == ((old, new) in ALLOWED), (old, new)


def test_retired_is_final():
    assert dv.next_statuses("retired") == ()


def test_vocabularies_match_the_contract():
    assert dv.ENVIRONMENTS == ("production", "staging", "pilot")
    assert dv.HOSTINGS == ("pdn", "pusat_data_daerah", "cloud", "opd_server", "other")
    assert set(dv.STATUS_LABELS) == set(dv.STATUSES)
