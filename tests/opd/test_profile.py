"""The person's own account page (/akun/profil/), the language kept on the user (issue 13
point 4, issue 14), the pemda's time zone, the OPD home's deadline banners and the
password reset through the configured SMTP server."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from evaluations.models import Assessment, Period, Stage
from opd.models import Pemda, Profile
from tests.factories import KabupatenFactory, ProvinceFactory, make_period, set_levels

pytestmark = pytest.mark.django_db


# --- The language -------------------------------------------------------------------------


def test_an_english_browser_still_gets_indonesian(client, world):
    login_page = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert 'lang="id"' in login_page.content.decode()
    client.force_login(world.sekprov)
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert "Beranda" in page and ">Home<" not in page


def test_the_language_chosen_is_kept_on_the_user_and_follows_them(client, world):
    client.force_login(world.sekprov)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert Profile.objects.get(user=world.sekprov).language == "en"
    # Another browser, without the cookie: English again once logged in.
    from django.test import Client

    other = Client()
    other.force_login(world.sekprov)
    assert "Home" in other.get("/").content.decode()
    other.post(reverse("profile"), {"email": "", "language": "id"})
    assert "Beranda" in other.get("/").content.decode()


# --- The account page ---------------------------------------------------------------------


def test_the_account_page_saves_email_language_and_mail_choices(client, world):
    client.force_login(world.kepala_kominfo)
    page = client.get(reverse("profile")).content.decode()
    assert 'data-testid="profile-form"' in page and "Kirim e-mail untuk" in page
    assert "Sertifikat segera berakhir" in page and "Penilaian mandiri diajukan" not in page
    response = client.post(
        reverse("profile"),
        {
            "email": "kepala@kominfo.sulbarprov.go.id",
            "language": "id",
            "email_digest": "on",
            "email_kinds": ["returned", "deadline"],
        },
    )
    assert response.status_code == 302
    world.kepala_kominfo.refresh_from_db()
    assert world.kepala_kominfo.email == "kepala@kominfo.sulbarprov.go.id"
    profile = Profile.objects.get(user=world.kepala_kominfo)
    assert profile.email_digest
    # The head is offered its own kinds only: what it unticked is muted, nothing else.
    assert profile.email_muted == ["appeal_decided", "certificate", "stage", "team_decided"]


@pytest.mark.parametrize(
    "data",
    [
        {"email": "bukan-alamat", "language": "id"},
        {"email": "", "language": "fr"},
        {"email": "", "language": "id", "email_kinds": ["apa-saja"]},
        {"email": "a@b.id" + "x" * 300, "language": "id"},
    ],
)
def test_bad_input_on_the_account_page_changes_nothing(client, world, data):
    client.force_login(world.kepala_kominfo)
    response = client.post(reverse("profile"), data)
    assert response.status_code == 400
    assert "Pengaturan Anda tersimpan" not in response.content.decode()
    world.kepala_kominfo.refresh_from_db()
    assert world.kepala_kominfo.email == "" and not Profile.objects.exists()


# --- Time zones ---------------------------------------------------------------------------


def test_a_pemda_gets_its_provinces_time_zone_by_default():
    assert ProvinceFactory(kode="76").zona_waktu == "Asia/Makassar"
    assert (
        KabupatenFactory(parent=ProvinceFactory(kode="91"), kode="91.01").time_zone_label == "WIT"
    )
    assert ProvinceFactory(kode="31").time_zone_label == "WIB"
    chosen = ProvinceFactory(kode="64", zona_waktu="Asia/Jakarta")
    assert Pemda.objects.get(pk=chosen.pk).zona_waktu == "Asia/Jakarta"


# --- The OPD home's deadlines -------------------------------------------------------------


def banners(page):
    return re.findall(r'data-testid="deadline-banner" data-kind="(\w+)"', page)


def test_the_opd_home_shows_the_open_self_assessment_with_its_time_zone(client, world):
    import datetime

    make_period(
        world.sulbar,
        2025,
        status=Period.Status.SELF_ASSESSMENT,
        batas_mandiri=datetime.date(2099, 3, 10),
    )
    client.force_login(world.operator_kominfo)
    page = client.get("/").content.decode()
    assert banners(page) == ["mandiri"]
    assert "Ditutup pada 10 Maret 2099 pukul 23.59 WITA" in " ".join(page.split())


def test_the_opd_home_shows_the_open_appeal_window_until_when(client, world):
    period = make_period(world.sulbar, 2025, status=Period.Status.SELF_ASSESSMENT)
    for assessment in period.assessments.all():
        set_levels(assessment, 3, evaluator=False)
        set_levels(assessment, 3)
    opened = timezone.now()
    Period.objects.filter(pk=period.pk).update(
        status=Period.Status.EVALUATION, tahap=Stage.INTERVIU, sanggahan_dibuka=opened
    )
    Assessment.objects.filter(period=period).update(status_mandiri=Assessment.SelfStatus.SUBMITTED)
    Pemda.objects.filter(pk=world.sulbar.pk).update(zona_waktu="Asia/Jayapura")
    world.sulbar.refresh_from_db()
    client.force_login(world.kepala_kominfo)
    page = " ".join(client.get("/").content.decode().split())
    assert banners(page) == ["sanggahan"]
    closes = timezone.localtime(opened + timedelta(days=3), world.sulbar.tzinfo)
    assert f"{closes:%H.%M} WIT" in page and "Jendela sanggahan terbuka" in page
    # After the window: no banner.
    Period.objects.filter(pk=period.pk).update(sanggahan_dibuka=opened - timedelta(days=4))
    assert banners(client.get("/").content.decode()) == []


# --- Password reset through the configured mail server ------------------------------------


def test_the_password_reset_is_sent_through_the_smtp_server(client, world, smtp_server):
    world.sekprov.email = "sekprov@sulbarprov.go.id"
    world.sekprov.save()
    response = client.post(reverse("password_reset"), {"email": "sekprov@sulbarprov.go.id"})
    assert response.status_code == 302
    [message] = smtp_server.messages
    assert message.rcpt == ["sekprov@sulbarprov.go.id"]
    assert "/akun/sandi-baru/" in message.get_body(("plain",)).get_content()


def test_leadership_gets_no_notifications_and_the_page_says_nothing_of_mail_kinds(client, world):
    client.force_login(world.sekprov)
    page = client.get(reverse("profile")).content.decode()
    assert "Kirim e-mail untuk" not in page
    response = client.post(
        reverse("profile"), {"email": "sekprov@sulbarprov.go.id", "language": "en"}
    )
    assert response.status_code == 302
    assert Profile.objects.get(user=world.sekprov).language == "en"
