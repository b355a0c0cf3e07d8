"""Work the queue does for the reader's account pages, outside any request."""

from __future__ import annotations

from django.contrib.auth.forms import PasswordResetForm
from django.tasks import task
from django.template import loader

from config.tasks import send_email

RESET_EMAIL_TEMPLATE = "assessments/account/password_reset_email.txt"
RESET_SUBJECT_TEMPLATE = "assessments/account/password_reset_subject.txt"


class _QueuedPasswordResetForm(PasswordResetForm):
    """Django's reset form, sending through the site's one mail task (here, in the worker)."""

    def send_mail(
        self,
        subject_template_name,
        email_template_name,
        context,
        from_email,
        to_email,
        html_email_template_name=None,
    ) -> None:
        subject = "".join(loader.render_to_string(subject_template_name, context).splitlines())
        body = loader.render_to_string(email_template_name, context)
        send_email.call(to=[to_email], subject=subject, body=body)


@task
def send_password_reset(*, email: str, domain: str, use_https: bool) -> None:
    """Mail a reset link to each active account with this address; nothing if there is none.

    The lookup happens here, in the worker, so the request that asked does the same work
    whether or not the address belongs to an account: its timing reveals nothing.
    """
    form = _QueuedPasswordResetForm({"email": email})
    if not form.is_valid():
        return
    form.save(
        domain_override=domain,
        use_https=use_https,
        subject_template_name=RESET_SUBJECT_TEMPLATE,
        email_template_name=RESET_EMAIL_TEMPLATE,
    )
