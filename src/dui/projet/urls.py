app_name = "projet"
urlpatterns: list = []
