"""Evidence: checked by content, private, sanitised names, removal keeps the file."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from evaluations.models import ChangeLog, Evidence, Period
from evaluations.services import evidence as evidence_service
from evaluations.services.scores import ScoreError
from spbe_dashboard import uploads
from tests.factories import make_period

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def score(world):
    period = make_period(world.sulbar, 2024, status=Period.Status.SELF_ASSESSMENT)
    return period.assessments.get(opd=world.kominfo).scores.get(indicator__nomor=1)


def add_url(score):
    return reverse("evidence_add", args=[score.assessment.pemda.kode, score.pk])


def upload(client, score, name, content):
    return client.post(
        add_url(score),
        {"jenis": "file", "berkas": SimpleUploadedFile(name, content), "keterangan": "SK"},
        **HTMX,
    )


def docx_bytes():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


@pytest.mark.parametrize(
    "name,content",
    [
        ("kosong.pdf", b""),
        ("program.pdf", b"MZ\x90\x00" + b"\x00" * 100),
        ("linux.pdf", b"\x7fELF" + b"\x00" * 100),
        ("teks.pdf", b"just some text"),
        ("arsip.docx", b"PK\x03\x04" + b"\x00" * 60),  # a ZIP that is not a document
    ],
)
def test_bad_files_are_refused(client, world, score, name, content):
    client.force_login(world.operator_kominfo)
    response = upload(client, score, name, content)
    assert response.status_code == 422
    assert 'data-testid="evidence-error"' in response.content.decode()
    assert not Evidence.objects.exists() and not ChangeLog.objects.exists()


def test_file_over_the_limit_is_refused(client, world, score, settings):
    settings.MAX_EVIDENCE_BYTES = 1024
    client.force_login(world.operator_kominfo)
    client.cookies["django_language"] = "en"
    response = upload(client, score, "besar.pdf", PDF + b"0" * 2000)
    assert response.status_code == 422
    assert "too large" in response.content.decode()
    assert not Evidence.objects.exists()


def test_pdf_png_docx_accepted_and_private(client, world, score, settings, tmp_path):
    client.force_login(world.operator_kominfo)
    assert upload(client, score, "../../etc/Laporan SPBE?.pdf", PDF).status_code == 200
    assert upload(client, score, "foto.pdf", PNG).status_code == 200  # named .pdf, is a PNG
    assert upload(client, score, "nota.docx", docx_bytes()).status_code == 200
    pdf, png, docx = Evidence.objects.order_by("pk")
    assert (pdf.nama_berkas, pdf.tipe_konten, pdf.ukuran) == (
        "Laporan SPBE_.pdf",
        "application/pdf",
        len(PDF),
    )
    assert (png.nama_berkas, png.tipe_konten) == ("foto.pdf.png", "image/png")
    assert docx.tipe_konten.endswith("wordprocessingml.document")
    # Stored under a generated path, not the user's name.
    assert pdf.berkas.name.startswith(f"bukti/{score.assessment.pemda_id}/")
    assert "Laporan" not in pdf.berkas.name and ".." not in pdf.berkas.name
    assert ChangeLog.objects.filter(score=score, field="bukti").count() == 3

    url = reverse("evidence_download", args=["76", pdf.pk])
    for user in [world.operator_kominfo, world.kepala_kominfo, world.evaluator_sulbar]:
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"] == 'attachment; filename="Laporan SPBE_.pdf"'
        assert b"".join(response.streaming_content) == PDF
    # Another OPD's head, another pemda's evaluator: 404. Anonymous: login.
    for user in [world.kepala_polman_dinkes, world.evaluator_polman, world.admin_sulsel]:
        client.force_login(user)
        assert client.get(url).status_code == 404
    client.logout()
    assert client.get(url).status_code == 302


def test_links_and_removal_keep_history_and_file(client, world, score):
    client.force_login(world.operator_kominfo)
    bad = client.post(add_url(score), {"jenis": "link", "tautan": "javascript:alert(1)"}, **HTMX)
    assert bad.status_code == 422 and not Evidence.objects.exists()
    ok = client.post(
        add_url(score), {"jenis": "link", "tautan": "https://sulbarprov.go.id/sk"}, **HTMX
    )
    assert ok.status_code == 200
    upload(client, score, "sk.pdf", PDF)
    link, file = Evidence.objects.order_by("pk")

    # Another OPD cannot remove it.
    client.force_login(world.kepala_polman_dinkes)
    remove = reverse("evidence_remove", args=["76", file.pk])
    assert client.post(remove).status_code == 404

    client.force_login(world.operator_kominfo)
    response = client.post(remove, **HTMX)
    assert response.status_code == 200
    file.refresh_from_db()
    assert file.is_removed and file.dihapus_oleh == world.operator_kominfo
    assert file.berkas.storage.exists(file.berkas.name)  # never deleted
    html = response.content.decode()
    assert 'data-removed="1"' in html
    entry = ChangeLog.objects.filter(score=score, field="bukti").order_by("-id").first()
    assert (entry.old_value, entry.new_value) == ("sk.pdf", "")
    # Removing twice is refused.
    assert client.post(remove, **HTMX).status_code == 422
    # The removed file stays downloadable from the history by those who may see it.
    assert client.get(reverse("evidence_download", args=["76", file.pk])).status_code == 200
    assert link.tautan == "https://sulbarprov.go.id/sk"


def test_service_refusals(world, score):
    with pytest.raises(ScoreError):
        evidence_service.add_link(world.evaluator_sulbar, score, "https://x.go.id")
    with pytest.raises(type(score).DoesNotExist):
        evidence_service.add_link(world.kepala_polman_dinkes, score, "https://x.go.id")
    assert uploads.sanitise_filename("C:\\temp\\..\\a b.PDF", "application/pdf") == "a b.pdf"


def _zip(*names):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in names:
            archive.writestr(name, "x")
    return buffer.getvalue()


@pytest.mark.parametrize(
    "name,content,expected",
    [
        ("a.jpg", b"\xff\xd8\xff\xe0" + b"\x00" * 20, "image/jpeg"),
        ("a.gif", b"GIF89a" + b"\x00" * 20, "image/gif"),
        ("a.xlsx", _zip("[Content_Types].xml", "xl/workbook.xml"), uploads.XLSX),
        ("a.pptx", _zip("[Content_Types].xml", "ppt/presentation.xml"), uploads.PPTX),
        ("a.xls", uploads.OLE_MAGIC + b"\x00" * 20, uploads.XLS),
        ("a.doc", uploads.OLE_MAGIC + b"\x00" * 20, uploads.DOC),
        ("a.pdf", b"#!/bin/sh\nrm -rf /", None),
        ("a.docx", _zip("word/document.xml"), None),  # no [Content_Types].xml
    ],
)
def test_content_sniffing(name, content, expected):
    upload = SimpleUploadedFile(name, content)
    if expected is None:
        with pytest.raises(uploads.UploadError):
            uploads.sniff_content_type(upload, name)
    else:
        assert uploads.sniff_content_type(upload, name) == expected


def test_pdf_and_images_preview_inline_sandboxed_other_types_download(client, world, score):
    client.force_login(world.operator_kominfo)
    upload(client, score, "laporan.pdf", PDF)
    upload(client, score, "foto.png", PNG)
    upload(client, score, "nota.docx", docx_bytes())
    pdf, png, docx = Evidence.objects.order_by("pk")
    assert (pdf.previewable, png.previewable, docx.previewable) == (True, True, False)

    client.force_login(world.evaluator_sulbar)
    page = client.get(reverse("evidence_preview", args=["76", pdf.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    download = reverse("evidence_download", args=["76", pdf.pk])
    assert f'src="{download}?tampil=1"' in html and 'data-testid="evidence-frame"' in html
    assert (
        'data-testid="evidence-image"'
        in client.get(reverse("evidence_preview", args=["76", png.pk])).content.decode()
    )
    assert (
        'data-testid="no-preview"'
        in client.get(reverse("evidence_preview", args=["76", docx.pk])).content.decode()
    )

    # Inline only for the preview's frame of the same origin, and still sandboxed.
    inline = client.get(download + "?tampil=1")
    assert inline["Content-Disposition"].startswith("inline")
    assert "sandbox" in inline["Content-Security-Policy"]
    assert "frame-ancestors 'self'" in inline["Content-Security-Policy"]
    assert (
        inline["X-Frame-Options"] == "SAMEORIGIN" and inline["X-Content-Type-Options"] == "nosniff"
    )
    # Without the flag, and for types the browser does not show, always an attachment.
    attached = client.get(download)
    assert attached["Content-Disposition"].startswith("attachment")
    assert attached["X-Frame-Options"] == "DENY"
    docx_inline = client.get(reverse("evidence_download", args=["76", docx.pk]) + "?tampil=1")
    assert docx_inline["Content-Disposition"].startswith("attachment")
    # The preview is as private as the file: another OPD, another pemda: 404.
    for user in [world.kepala_polman_dinkes, world.evaluator_polman]:
        client.force_login(user)
        assert client.get(reverse("evidence_preview", args=["76", pdf.pk])).status_code == 404
