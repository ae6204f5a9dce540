app_name = "discussions"

# Discussion records, the chiefs' forum and essays come with their issue.
urlpatterns = []
