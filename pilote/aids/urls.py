app_name = "aids"

urlpatterns: list = []
