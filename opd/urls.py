from django.urls import path

from . import views

T = "pemda/<str:pemda>/opd/<str:opd>/tim/"

urlpatterns = [
    path("pemda/<str:pemda>/tim/", views.team_overview, name="team_overview"),
    path(T, views.team_detail, name="opd_team"),
    path(T + "anggota/tambah/", views.member_edit, name="team_member_add"),
    path(T + "anggota/<int:member_id>/ubah/", views.member_edit, name="team_member_edit"),
    path(T + "anggota/<int:member_id>/hapus/", views.member_remove, name="team_member_remove"),
    path(
        T + "anggota/<int:member_id>/sertifikat/tambah/",
        views.certificate_add,
        name="team_certificate_add",
    ),
    path(
        T + "sertifikat/<int:certificate_id>/berkas/",
        views.certificate_file,
        name="team_certificate_file",
    ),
    path(
        T + "sertifikat/<int:certificate_id>/hapus/",
        views.certificate_remove,
        name="team_certificate_remove",
    ),
    path(T + "versi/<int:proposal_id>/ajukan/", views.team_propose, name="team_propose"),
    path(T + "versi/<int:proposal_id>/setujui/", views.team_approve, name="team_approve"),
    path(T + "versi/<int:proposal_id>/kembalikan/", views.team_return, name="team_return"),
    path(T + "versi/<int:proposal_id>/revisi/", views.team_revise, name="team_revise"),
    path(T + "impor/", views.team_import_view, name="team_import"),
]
