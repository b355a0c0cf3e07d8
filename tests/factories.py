"""Small factories for tests: each makes one valid, published item with overridable fields."""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from itertools import count

from django.contrib.auth import get_user_model
from django.utils import timezone

from assessments import services
from assessments.unsaved_results import PendingResult
from guide.models import (
    FAQ,
    BubblePrinciple,
    Reference,
    ReflectionPrompt,
    Reviewer,
    Section,
    Sign,
    Strategy,
    SupportResource,
    Therapy,
)

_seq = count(1)


def _n() -> int:
    return next(_seq)


def make_reference(**fields) -> Reference:
    n = _n()
    defaults = {
        "slug": f"ref-{n}",
        "order": n,
        "authors": "Author, A.",
        "year": 2000 + n % 20,
        "title": f"A Book {n}",
        "source": "Publisher",
    }
    return Reference.objects.create(**{**defaults, **fields})


def make_section(**fields) -> Section:
    n = _n()
    defaults = {
        "slug": f"chapter-{n}",
        "order": n,
        "title": f"Chapter {n}",
        "summary": f"What chapter {n} is about.",
        "body": f"Body of chapter {n}.",
    }
    return Section.objects.create(**{**defaults, **fields})


def make_strategy(**fields) -> Strategy:
    n = _n()
    defaults = {
        "slug": f"strategy-{n}",
        "order": n,
        "title": f"Strategy {n}",
        "path": Strategy.Path.ANXIOUS,
        "body": f"How to practise strategy {n}.",
    }
    return Strategy.objects.create(**{**defaults, **fields})


def make_sign(**fields) -> Sign:
    n = _n()
    defaults = {
        "slug": f"sign-{n}",
        "order": n,
        "text": f"You do thing {n}",
        "partner_text": f"They do thing {n}",
        "leaning": Sign.Leaning.BOTH,
    }
    return Sign.objects.create(**{**defaults, **fields})


def make_therapy(**fields) -> Therapy:
    n = _n()
    defaults = {
        "slug": f"therapy-{n}",
        "order": n,
        "name": f"Therapy {n}",
        "developed_by": "Dr. Someone",
        "body": f"About therapy {n}.",
        "best_for": "Anyone",
    }
    return Therapy.objects.create(**{**defaults, **fields})


def make_faq(**fields) -> FAQ:
    n = _n()
    defaults = {
        "slug": f"faq-{n}",
        "order": n,
        "question": f"Question {n}?",
        "answer": f"Answer {n}.",
    }
    return FAQ.objects.create(**{**defaults, **fields})


def make_reviewer(**fields) -> Reviewer:
    n = _n()
    defaults = {
        "slug": f"reviewer-{n}",
        "order": n,
        "name": f"Dr Reviewer {n}",
        "credentials": "PhD, clinical psychologist",
        "bio": f"Reviewer {n} works with couples.",
    }
    return Reviewer.objects.create(**{**defaults, **fields})


def make_support_resource(**fields) -> SupportResource:
    n = _n()
    defaults = {
        "slug": f"line-{n}",
        "order": n,
        "region": SupportResource.Region.US,
        "purpose": SupportResource.Purpose.CRISIS,
        "name": f"Help line {n}",
        "phone": f"0800 000 {n:03d}",
        "hours": "24 hours, every day",
    }
    return SupportResource.objects.create(**{**defaults, **fields})


def make_bubble_principle(**fields) -> BubblePrinciple:
    n = _n()
    defaults = {"slug": f"principle-{n}", "order": n, "title": f"Principle {n}"}
    return BubblePrinciple.objects.create(**{**defaults, **fields})


def make_reflection_prompt(**fields) -> ReflectionPrompt:
    n = _n()
    defaults = {"slug": f"prompt-{n}", "order": n, "text": f"What did you notice this week ({n})?"}
    if "sign" not in fields:
        defaults["sign"] = make_sign()
    return ReflectionPrompt.objects.create(**{**defaults, **fields})


def make_agreement_copy(owner, **fields):
    """A private copy of an agreement from a link that has ended, kept by ``owner``."""
    from assessments.couples_models import AgreementCopy

    now = timezone.now()
    defaults = {"text": f"A kept agreement {_n()}", "written_by_name": "Alex", "written": now}
    return AgreementCopy.objects.create(owner=owner, **{**defaults, "link_ended": now, **fields})


def share(user, **choices) -> None:
    """``user``'s sharing choices in their link, each off unless given (``share_…``,
    ``partner_result_id``)."""
    from assessments import couples

    off = {
        "share_self_result": False,
        "partner_result_id": None,
        "share_strategies": False,
        "share_plan_focus": False,
    }
    couples.sharing_update(member=couples.couple_for(user).me, **{**off, **choices})


def make_user(username: str | None = None, password: str = "a-long-passphrase-42", **fields):
    user = get_user_model().objects.create_user(
        username=username or f"reader{_n()}", password=password, **fields
    )
    user.raw_password = password
    return user


def make_editor(username: str | None = None, password: str = "a-long-passphrase-42", **fields):
    """A staff account in the Editors group, made the way `manage.py add_editor` makes one."""
    from guide.editors import editor_create

    user = editor_create(username=username or f"editor{_n()}", password=password, **fields)
    user.raw_password = password
    return user


def make_second_factor(user):
    """A confirmed authenticator app for a staff account, as enrolment leaves one."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    return TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)


def totp_code(device) -> str:
    """The code the device's app shows now (or the next one, if now's was already used)."""
    from django_otp.oath import TOTP

    device.refresh_from_db()
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    if totp.t() <= device.last_t:
        totp.time += device.step * (device.last_t + 1 - totp.t())
    return f"{totp.token():0{device.digits}d}"


def signed_in_with(user, device):
    """``user`` as OTPMiddleware presents them after signing in with ``device`` (None: with a
    password alone)."""
    user.otp_device = device
    user.is_verified = lambda: user.otp_device is not None
    return user


def staff_login(client, user):
    """Sign a staff account in to ``client`` as the admin's sign-in does: password and second
    factor (the device is made if the account has none). Returns the device."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    device = device or make_second_factor(user)
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return device


def enrol_through_link(client, link: str, password: str):
    """Follow an enrolment link as its owner would: Start, scan (read the new device's key),
    confirm with the password and the app's first code. Returns (device, recovery codes)."""
    from urllib.parse import urlsplit

    from django_otp.plugins.otp_totp.models import TOTPDevice

    path = urlsplit(link).path
    assert client.get(path).status_code == 200
    started = client.post(path)
    assert started.status_code == 302, started
    setup_page = client.get(started["Location"])
    assert setup_page.status_code == 200
    device = TOTPDevice.objects.get(pk=client.session["staff_enrolment"]["device"])
    done = client.post(started["Location"], {"password": password, "code": totp_code(device)})
    assert done.status_code == 200 and "codes" in done.context, done.content.decode()
    device.refresh_from_db()
    return device, done.context["codes"]


def link_in(output: str) -> str:
    """The enrolment link a command printed."""
    import re

    return re.search(r"https?://\S+/admin/enrol/\S+/", output).group(0)


QUIZ_LEANINGS = [Sign.Leaning.ANXIOUS] * 5 + [Sign.Leaning.AVOIDANT] * 5 + [Sign.Leaning.BOTH] * 5


@dataclass
class Quiz:
    signs: list[Sign]
    strategies: list[Strategy]
    chapters: dict[str, Section]

    def post_data(self, values, *, key, subject="self") -> dict:
        """A complete, valid quiz post; ``values`` is one int per sign, or one for all."""
        if isinstance(values, int):
            values = [values] * len(self.signs)
        data = {"key": str(key), "subject": subject}
        for sign, value in zip(self.signs, values, strict=True):
            data[f"sign-{sign.slug}"] = str(value)
        return data


def make_quiz() -> Quiz:
    """15 signs (5 anxious, 5 avoidant, 5 both) with strategies, chapters and the partner FAQ."""
    chapters = {
        component: make_section(slug=f"chapter-{component}", component=component)
        for component in (
            Section.Component.SIGNS,
            Section.Component.ANXIOUS,
            Section.Component.AVOIDANT,
            Section.Component.THERAPIES,
            Section.Component.REPAIR,
            Section.Component.FAQS,
        )
    }
    strategies = [
        make_strategy(slug="calm-breath", title="Calm Breath", path=Strategy.Path.ANXIOUS),
        make_strategy(slug="wait-ten", title="Wait Ten Minutes", path=Strategy.Path.ANXIOUS),
        make_strategy(slug="small-reach", title="Small Reach", path=Strategy.Path.AVOIDANT),
        make_strategy(slug="body-scan", title="Body Scan", path=Strategy.Path.AVOIDANT),
        make_strategy(slug="quick-apology", title="Quick Apology", path=Strategy.Path.REPAIR),
    ]
    signs = []
    for position, leaning in enumerate(QUIZ_LEANINGS, start=1):
        sign = make_sign(
            slug=f"sign-{position:02d}",
            order=position,
            text=f"You show sign number {position}",
            partner_text=f"They show sign number {position}",
            leaning=leaning,
        )
        if leaning == Sign.Leaning.ANXIOUS:
            sign.strategies.set(strategies[0:2])
        elif leaning == Sign.Leaning.AVOIDANT:
            sign.strategies.set(strategies[2:4])
        else:
            sign.strategies.set([strategies[0], strategies[2], strategies[4]])
        signs.append(sign)
    make_faq(
        slug="secure-partner",
        question="How can I tell if a potential partner is securely attached?",
    )
    return Quiz(signs=signs, strategies=strategies, chapters=chapters)


def take_quiz(quiz: Quiz, owner, values, *, subject: str = "self", when=None):
    """A stored result for ``owner``, as if taken at ``when``; ``values`` as in post_data."""
    if isinstance(values, int):
        values = [values] * len(quiz.signs)
    pending = PendingResult(
        key=uuid.uuid4(),
        subject=subject,
        answers={s.slug: v for s, v in zip(quiz.signs, values, strict=True)},
        taken_at=when or timezone.now(),
    )
    return services.result_claim(owner=owner, pending=pending)
