from rest_framework.routers import DefaultRouter

from annotations.api import views

router = DefaultRouter()
router.register("quotes", views.QuoteViewSet, basename="quote")
router.register("articles", views.ArticleViewSet, basename="article")
router.register("speakers", views.SpeakerViewSet, basename="speaker")
router.register("endorsements", views.EndorsementViewSet, basename="endorsement")
router.register("tags", views.TagViewSet, basename="tag")

urlpatterns = router.urls
