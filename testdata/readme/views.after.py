from reports.models import Report


class ReportView:
    template_name = "reports/list.html"

    def get_queryset(self):
        """Reports that are not archived."""
        queryset = Report.objects.filter(archived=False)
        return queryset

    def get(self, request):
        return self.render(self.get_queryset())

    def render(self, rows):
        return {"rows": rows}
