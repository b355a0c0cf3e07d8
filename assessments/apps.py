from django.apps import AppConfig


class AssessmentsConfig(AppConfig):
    name = "assessments"
    verbose_name = "Quiz results and readers' toolkits"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from assessments.throttling import on_sign_in

        user_logged_in.connect(on_sign_in, dispatch_uid="assessments-clear-own-failures")
