from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.http import HttpResponse
from django.urls import include, path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.permissions import AllowAny

from annotations import views


def healthz(request):
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [
    path("", RedirectView.as_view(pattern_name="editor:articles"), name="home"),
    # Namespaced: the API router names its routes "article-list" and "article-detail".
    path("", include(([
        path("articles/", views.article_list, name="articles"),
        path("articles/<int:pk>/", views.article_edit, name="article"),
        path("quotes/", views.quote_list, name="quotes"),
        path("endorsements/", views.endorsement_network, name="endorsements"),
        path("speakers/", views.speaker_list, name="speakers"),
        path("speakers/<int:pk>/", views.speaker_detail, name="speaker"),
    ], "editor"))),
    path("healthz", healthz, name="healthz"),
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    # Every user changes their own password here (staff also in the admin).
    path("account/password/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("account/password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("admin/", admin.site.urls),
    path("api/v1/", include("annotations.api.urls")),
    # The API description is public; every endpoint it describes needs a login or token.
    path("api/schema/", SpectacularAPIView.as_view(permission_classes=[AllowAny]), name="schema"),
    # The page is HTML only: OPTIONS (DRF's metadata through an HTML template) would fail.
    # The split view serves its start-up script as a file: the CSP allows no inline script.
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema", permission_classes=[AllowAny],
                                                     http_method_names=["get", "head"]),
         name="api-docs"),
]
