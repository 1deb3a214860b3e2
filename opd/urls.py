from django.urls import path

from . import account_views, registry_views, views

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
    path(T + "salin/", views.team_copy, name="team_copy"),
    path("pemda/<str:pemda>/tim/aturan/", views.team_rules, name="team_rules"),
    # The pemda's people and OPD registry (issue 12).
    path("pemda/<str:pemda>/pengguna/", account_views.people, name="people"),
    path("pemda/<str:pemda>/pengguna/baru/", account_views.account_create, name="account_new"),
    path("pemda/<str:pemda>/pengguna/<int:account_id>/", account_views.account, name="account"),
    path("pemda/<str:pemda>/registri-opd/", registry_views.registry_list, name="registry_list"),
    path(
        "pemda/<str:pemda>/registri-opd/tambah/", registry_views.registry_add, name="registry_add"
    ),
    path(
        "pemda/<str:pemda>/registri-opd/gabung/",
        registry_views.registry_merge,
        name="registry_merge",
    ),
    path(
        "pemda/<str:pemda>/registri-opd/<str:opd>/",
        registry_views.registry_opd,
        name="registry_opd",
    ),
    path(
        "pemda/<str:pemda>/registri-opd/<str:opd>/pecah/",
        registry_views.registry_split,
        name="registry_split",
    ),
]
