app_name = "dlu"
urlpatterns: list = []
