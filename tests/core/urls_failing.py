from django.urls import path


def boom(request):
    raise RuntimeError("panne simulée")


urlpatterns = [path("boom/", boom)]
handler500 = "pilote.core.views.error_500"
