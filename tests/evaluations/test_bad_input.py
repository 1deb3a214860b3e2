"""Odd input in URLs and forms answers 404 or a message, never a 500."""

import pytest
from django.urls import reverse

from evaluations.models import Period
from tests.factories import make_period

pytestmark = pytest.mark.django_db

# "²" passes str.isdigit() but int() refuses it.
ODD_NUMBERS = ["²", "abc", "-1", "1e3", " "]


@pytest.mark.parametrize("value", ODD_NUMBERS)
def test_odd_numbers_in_query_and_form_values(client, world, value):
    make_period(world.sulbar, 2024, status=Period.Status.EVALUATION)
    client.force_login(world.sekprov)
    assert client.get(reverse("kabupaten", args=["76"]), {"tahun": value}).status_code == 404
    client.force_login(world.evaluator_sulbar)
    template = client.get(reverse("import_scores"), {"templat": "1", "tahun": value})
    assert template.status_code == 200  # the header-only template
    client.force_login(world.kepala_kominfo)
    appeal = client.post(
        reverse("appeal_opd", args=["76", "DISKOMINFO"]) + "?tahun=2024", {"score": value}
    )
    assert appeal.status_code == 404
