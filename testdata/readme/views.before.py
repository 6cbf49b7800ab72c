from reports.models import Report


class ReportView:
    template_name = "reports/list.html"

    def get(self, request):
        return self.render(self.get_queryset())

    def render(self, rows):
        return {"rows": rows}

    def get_queryset(self):
        qs = Report.objects.all()
        return qs
