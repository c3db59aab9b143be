"""Territory projects' pages (docs/territory-projects.md). The views come with the pages."""

app_name = "territory_projects"

urlpatterns: list = []
