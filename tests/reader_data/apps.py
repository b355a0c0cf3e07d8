from django.apps import AppConfig


class ReaderDataConfig(AppConfig):
    name = "tests.reader_data"
    label = "reader_data"
