from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("pemda/<str:pemda>/opd/", views.OPDListView.as_view(), name="opd_list"),
    path("pemda/<str:pemda>/opd/<str:opd>/", views.OPDDetailView.as_view(), name="opd_detail"),
]
