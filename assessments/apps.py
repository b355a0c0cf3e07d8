from django.apps import AppConfig


class AssessmentsConfig(AppConfig):
    name = "assessments"
    verbose_name = "Quiz results and readers' toolkits"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in, user_login_failed

        import config.checks  # noqa: F401  (registers the site's system checks)
        from assessments.throttling import on_failed_sign_in, on_sign_in

        user_logged_in.connect(on_sign_in, dispatch_uid="assessments-remember-device")
        user_login_failed.connect(on_failed_sign_in, dispatch_uid="assessments-count-failure")
