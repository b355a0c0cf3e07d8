from django.urls import path

from assessments import views

app_name = "assessments"

urlpatterns = [
    path("privacy/", views.privacy, name="privacy"),
]
