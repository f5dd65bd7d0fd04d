from django.urls import path

from . import views

app_name = "declarations"

urlpatterns = [
    path("<slug:tier>/regions/", views.open_regions, name="open_regions"),
]
