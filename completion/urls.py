app_name = "completion"

urlpatterns = []
