from django.shortcuts import render

from trainees.roles import LEADERSHIP, role_required


@role_required(LEADERSHIP)
def dashboard(request):
    """Leadership's start page; the charts arrive with the dashboards issue."""
    return render(request, "exams/dashboard.html")
