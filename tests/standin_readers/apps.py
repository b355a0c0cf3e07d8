from django.apps import AppConfig


class StandinReadersConfig(AppConfig):
    name = "tests.standin_readers"
    label = "standin_readers"
