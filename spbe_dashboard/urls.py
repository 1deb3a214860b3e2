from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView

from opd.account_views import ForgotPasswordView, NewPasswordView, set_language
from opd.token_views import api_token


class FaviconView(RedirectView):
    """/favicon.ico, which browsers ask for on their own: the icon in static/icons."""

    permanent = True

    def get_redirect_url(self, *args, **kwargs):
        return static("icons/favicon.ico")


urlpatterns = [
    path("favicon.ico", FaviconView.as_view(), name="favicon"),
    path("akun/masuk/", auth_views.LoginView.as_view(), name="login"),
    path("akun/keluar/", auth_views.LogoutView.as_view(), name="logout"),
    # "Lupa kata sandi": Django's password reset (e-mail when configured).
    path("akun/lupa-sandi/", ForgotPasswordView.as_view(), name="password_reset"),
    path(
        "akun/lupa-sandi/terkirim/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "akun/sandi-baru/<uidb64>/<token>/",
        NewPasswordView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "akun/sandi-baru/selesai/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    # The account's own API token (issue 16; the account page links it).
    path("akun/token/", api_token, name="api_token"),
    # The language form: Django's set_language, the choice also kept on the profile.
    path("i18n/setlang/", set_language, name="set_language"),
    path("admin/", admin.site.urls),
    path("api/", include("evaluations.api.urls")),
    path("", include("opd.urls")),
    path("", include("evaluations.urls")),
]
