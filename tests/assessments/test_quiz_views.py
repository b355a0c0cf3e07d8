import re
import uuid
from datetime import timedelta

import pytest
from django.conf import settings as settings_module
from django.urls import reverse
from django.utils import timezone

from assessments import services
from assessments.models import Answer, Result, SavedStrategy, Subject
from assessments.unsaved_results import SESSION_KEY

QUIZ = "/quiz/"
RESULT = "/quiz/result/"


def test_the_quiz_page_shows_each_sign_as_a_fieldset_of_five_labelled_radios(client, quiz):
    response = client.get(QUIZ)
    html = response.content.decode()

    assert response.status_code == 200
    assert html.count("<fieldset") == 15
    assert html.count("<legend>") == 15
    assert html.count('type="radio"') == 75
    for label in ("Not like me at all", "Very much like me"):
        assert html.count(f">{label}</label>") == 15
    first = quiz.signs[0].slug
    assert f'<label for="sign-{first}-1">Not like me at all</label>' in html
    assert "about three minutes" in html
    assert "not a diagnosis" in html
    assert 'aria-live="polite"' in html
    assert 'src="/static/js/quiz.js"' in html
    assert re.search(r'name="key" value="[0-9a-f-]{36}"', html)


def test_each_showing_of_the_quiz_carries_a_fresh_key(client, quiz):
    keys = {
        re.search(r'name="key" value="([0-9a-f-]{36})"', client.get(QUIZ).content.decode())[1]
        for _ in range(2)
    }
    assert len(keys) == 2


def test_partner_mode_words_the_signs_and_the_scale_about_them(client, quiz):
    html = client.get(QUIZ, {"about": "partner"}).content.decode()
    assert "They show sign number 1" in html
    assert "You show sign number 1" not in html
    assert html.count(">Not like them at all</label>") == 15
    assert 'name="subject" value="partner"' in html
    assert "afraid of your partner" in html
    assert 'href="/support/"' in html


def test_the_quiz_page_stays_within_its_query_budget(client, quiz, django_assert_max_num_queries):
    with django_assert_max_num_queries(2):
        assert client.get(QUIZ).status_code == 200


def test_an_anonymous_result_lives_in_the_session_only(client, quiz):
    data = quiz.post_data([1, 2] * 7 + [5], key=uuid.uuid4())
    response = client.post(QUIZ, data)

    assert response.status_code == 302 and response["Location"] == RESULT
    assert Result.objects.count() == 0 and Answer.objects.count() == 0
    stored = client.session[SESSION_KEY]
    assert set(stored) == {"key", "subject", "answers", "taken_at"}
    assert stored["answers"]["sign-15"] == 5


def test_the_result_page_explains_scores_strengths_growth_edges_and_where_to_start(client, quiz):
    # Anxious signs (1-5) answered 1, avoidant (6-10) 5, both (11-15) 3.
    client.post(QUIZ, quiz.post_data([1] * 5 + [5] * 5 + [3] * 5, key=uuid.uuid4()))
    html = client.get(RESULT).content.decode()

    assert "<h1>Your result</h1>" in html
    assert 'Overall: <span class="score-number">50</span> out of 100' in html
    assert 'Security on anxious-side signs: <span class="score-number">25</span> out of' in html
    assert 'Security on avoidant-side signs: <span class="score-number">75</span> out of' in html
    assert "the higher it is, the more those signs of security hold" in html
    assert "not shares of a whole" in html
    assert "Anxious-side signs:" not in html and "60%" not in html
    assert html.count("Very much like me</span>") >= 5  # strengths show the answer given
    signs_chapter = quiz.chapters["signs"].get_absolute_url()
    assert f'href="{signs_chapter}#sign-01"' in html  # growth edge links to its sign
    assert f'href="{quiz.chapters["anxious"].get_absolute_url()}">From anxious to secure' in html
    assert "From avoidant to secure</a>" not in html
    assert 'href="/strategies/calm-breath/"' in html
    assert f'href="/accounts/login/?next={RESULT}"' in html  # one click from saving
    assert "Educational, not a diagnosis" in html
    assert f'href="{quiz.chapters["therapies"].get_absolute_url()}"' in html


def test_a_partner_result_links_the_partner_faq_and_a_safety_note(client, quiz):
    client.post(QUIZ, quiz.post_data(2, key=uuid.uuid4(), subject="partner"))
    html = client.get(RESULT).content.decode()

    faqs = quiz.chapters["faqs"].get_absolute_url()
    assert f'href="{faqs}#secure-partner"' in html
    assert html.count("afraid of your partner") == 1
    assert 'href="/support/"' in html
    # The safety note comes first: before any score, and before any advice to talk together.
    note = html.index("afraid of your partner")
    assert note < html.index("Overall:") < html.index("talk about what you noticed together")
    assert "They show sign number 1" in html
    assert "Not much like them" in html


def test_a_signed_in_reader_gets_a_stored_result_and_a_double_submit_stores_one(
    client, quiz, reader
):
    client.force_login(reader)
    data = quiz.post_data(4, key=uuid.uuid4())

    first = client.post(QUIZ, data)
    second = client.post(QUIZ, data)

    result = Result.objects.get()
    assert first["Location"] == second["Location"] == f"/me/results/{result.pk}/"
    assert result.owner == reader and result.overall == 75
    assert Answer.objects.count() == 15


def test_missing_answers_get_a_summary_linking_each_missing_sign_and_keep_the_others(client, quiz):
    data = quiz.post_data(4, key=uuid.uuid4())
    for sign in quiz.signs[12:]:
        del data[f"sign-{sign.slug}"]

    response = client.post(QUIZ, data)
    html = response.content.decode()

    assert response.status_code == 200
    assert "There is a problem" in html
    assert '<div class="error-summary" role="alert"' in html
    assert "3 of 15 signs need an answer" in html
    for sign in quiz.signs[12:]:
        assert f'<a href="#sign-{sign.slug}-1">' in html
    assert html.count("checked") == 12
    assert html.count('class="field-error"') == 3
    assert Result.objects.count() == 0
    assert SESSION_KEY not in client.session


def test_the_result_page_without_a_result_says_so(client, quiz):
    response = client.get(RESULT)
    assert response.status_code == 404
    assert "There is no result in this browser" in response.content.decode()


def test_forgetting_an_anonymous_result_removes_it_from_the_session(client, quiz):
    client.post(QUIZ, quiz.post_data(3, key=uuid.uuid4()))
    response = client.post(reverse("assessments:quiz-result-forget"))
    assert response.status_code == 302
    assert SESSION_KEY not in client.session
    assert client.get(RESULT).status_code == 404


def test_an_anonymous_result_is_kept_on_signup(client, quiz):
    client.post(QUIZ, quiz.post_data([2] * 15, key=uuid.uuid4()))
    response = client.post(
        f"/accounts/signup/?next={RESULT}",
        {
            "username": "newreader",
            "password1": "a-long-passphrase-42",
            "password2": "a-long-passphrase-42",
            "next": RESULT,
        },
    )

    result = Result.objects.get()
    assert result.owner.username == "newreader"
    assert result.overall == 25 and result.answers.count() == 15
    assert response["Location"] == RESULT
    assert client.get(RESULT)["Location"] == f"/me/results/{result.pk}/"
    assert SESSION_KEY not in client.session


def test_an_anonymous_result_is_kept_on_login(client, quiz, reader):
    client.post(QUIZ, quiz.post_data([5] * 15, key=uuid.uuid4(), subject="partner"))
    response = client.post(
        "/accounts/login/",
        {"username": reader.username, "password": reader.raw_password, "next": RESULT},
    )

    result = Result.objects.get()
    assert (result.owner, result.subject, result.overall) == (reader, Subject.PARTNER, 100)
    assert response["Location"] == RESULT
    page = client.get(f"/me/results/{result.pk}/").content.decode()
    assert "Your quiz result is saved to your account." in page


def test_signing_in_from_elsewhere_keeps_nothing_until_the_reader_asks(client, quiz, reader):
    client.post(QUIZ, quiz.post_data(3, key=uuid.uuid4()))
    client.post("/accounts/login/", {"username": reader.username, "password": reader.raw_password})
    assert Result.objects.count() == 0
    assert "still in this browser" in client.get("/me/").content.decode()

    response = client.post(reverse("assessments:quiz-result-keep"))

    result = Result.objects.get()
    assert response["Location"] == f"/me/results/{result.pk}/"


def test_the_stored_result_page_stays_within_its_query_budget(
    client, quiz, reader, django_assert_max_num_queries
):
    result = services.result_create(
        owner=reader,
        subject=Subject.PARTNER,
        key=uuid.uuid4(),
        answers={s.slug: 1 + i % 5 for i, s in enumerate(quiz.signs)},
    )
    services.strategy_save(owner=reader, strategy=quiz.strategies[0])
    client.force_login(reader)
    # session, user, result, answers with signs, their strategies, chapters, FAQ, saved
    with django_assert_max_num_queries(8):
        response = client.get(f"/me/results/{result.pk}/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "In your toolkit" in html
    assert 'action="/toolkit/save/small-reach/"' in html


def test_the_anonymous_result_page_stays_within_its_query_budget(
    client, quiz, django_assert_max_num_queries
):
    client.post(QUIZ, quiz.post_data(2, key=uuid.uuid4()))
    # session, chapters, signs, their strategies, today's signs and sides, the quiz version
    with django_assert_max_num_queries(6):
        assert client.get(RESULT).status_code == 200


def test_saved_strategies_show_as_saved_on_the_result(client, quiz, reader):
    client.force_login(reader)
    client.post(QUIZ, data := quiz.post_data(1, key=uuid.uuid4()))
    result = Result.objects.get(key=data["key"])
    client.post("/toolkit/save/calm-breath/", {"next": f"/me/results/{result.pk}/"})
    html = client.get(f"/me/results/{result.pk}/").content.decode()
    assert 'action="/toolkit/unsave/calm-breath/"' in html
    assert SavedStrategy.objects.filter(owner=reader).count() == 1


@pytest.mark.parametrize("about", ["", "partner"])
def test_the_header_links_the_quiz_and_sign_in(client, quiz, about):
    html = client.get(QUIZ, {"about": about} if about else {}).content.decode()
    assert '<a href="/quiz/" aria-current="page">Signs quiz</a>' in html
    assert '<a href="/accounts/login/">Sign in</a>' in html


def test_the_header_offers_my_space_and_a_sign_out_button_when_signed_in(client, quiz, reader):
    client.force_login(reader)
    html = client.get(QUIZ).content.decode()
    assert '<a href="/me/">My space</a>' in html
    assert 'action="/accounts/logout/"' in html
    assert "Sign in</a>" not in html


def test_a_stored_result_page_shows_the_wording_rated_after_signs_change(client, quiz, reader):
    result = services.result_create(
        owner=reader,
        subject=Subject.SELF,
        key=uuid.uuid4(),
        answers={s.slug: 1 for s in quiz.signs},
    )
    quiz.signs[0].text = "Reworded by an editor"
    quiz.signs[0].save()
    quiz.signs[1].published = False
    quiz.signs[1].save()
    quiz.signs[2].delete()
    client.force_login(reader)

    html = client.get(f"/me/results/{result.pk}/").content.decode()

    assert 'Overall: <span class="score-number">0</span> out of 100' in html
    assert "You show sign number 1" in html and "Reworded by an editor" not in html
    signs_chapter = quiz.chapters["signs"].get_absolute_url()
    assert f'href="{signs_chapter}#sign-01"' in html
    # Retired or deleted signs keep their wording, without a link to a page that is gone.
    assert "You show sign number 2" in html and "#sign-02" not in html
    assert "You show sign number 3" in html and "#sign-03" not in html
    assert "All 15 answers" in html


def test_the_same_answers_sent_again_from_a_fresh_form_soon_after_store_one_result(
    client, quiz, reader
):
    """The Back button brings the quiz back with a new key; sending it again changes nothing."""
    client.force_login(reader)
    values = [1, 2, 3, 4, 5] * 3
    first = client.post(QUIZ, quiz.post_data(values, key=uuid.uuid4()))
    again = client.post(QUIZ, quiz.post_data(values, key=uuid.uuid4()), follow=True)

    result = Result.objects.get()
    assert first["Location"] == f"/me/results/{result.pk}/"
    assert again.redirect_chain == [(f"/me/results/{result.pk}/", 302)]
    assert "You sent these same answers 0\xa0minutes ago, so they are not stored twice" in (
        again.content.decode()
    )
    assert Answer.objects.count() == 15


def test_different_answers_another_subject_or_a_later_retake_are_new_results(client, quiz, reader):
    client.force_login(reader)
    values = [3] * 15
    client.post(QUIZ, quiz.post_data(values, key=uuid.uuid4()))
    client.post(QUIZ, quiz.post_data([4] + [3] * 14, key=uuid.uuid4()))
    client.post(QUIZ, quiz.post_data(values, key=uuid.uuid4(), subject="partner"))
    assert Result.objects.count() == 3

    Result.objects.update(created=timezone.now() - services.RESEND_WINDOW - timedelta(minutes=1))
    response = client.post(QUIZ, quiz.post_data(values, key=uuid.uuid4()), follow=True)

    assert Result.objects.count() == 4
    assert "not stored twice" not in response.content.decode()


def test_the_quiz_form_is_not_refilled_by_the_browser(client, quiz):
    html = client.get(QUIZ).content.decode()
    assert 'class="quiz-form" data-quiz-form autocomplete="off"' in html


def signup_from_result(client, username="newreader"):
    return client.post(
        f"/accounts/signup/?next={RESULT}",
        {
            "username": username,
            "password1": "a-long-passphrase-42",
            "password2": "a-long-passphrase-42",
            "next": RESULT,
        },
    )


def test_a_result_whose_form_key_another_reader_used_is_still_kept(client, quiz, other_reader):
    """A shared browser's Back button brought back a form someone else had sent."""
    key = uuid.uuid4()
    theirs = services.result_create(
        owner=other_reader, subject=Subject.SELF, key=key, answers={s.slug: 5 for s in quiz.signs}
    )
    client.post(QUIZ, quiz.post_data([2] * 15, key=key))

    response = signup_from_result(client)

    mine = Result.objects.get(owner__username="newreader")
    assert response["Location"] == RESULT
    assert client.get(RESULT)["Location"] == f"/me/results/{mine.pk}/"
    assert mine.overall == 25 and mine.key != key
    assert Result.objects.get(pk=theirs.pk).overall == 100


@pytest.mark.parametrize("how", ["signup", "login", "keep-button"])
def test_a_result_that_can_no_longer_be_kept_says_so_and_goes_to_my_space(
    client, quiz, reader, how
):
    client.post(QUIZ, quiz.post_data(3, key=uuid.uuid4()))
    for sign in quiz.signs:
        sign.published = False
        sign.save()

    if how == "signup":
        response = signup_from_result(client)
    elif how == "login":
        response = client.post(
            "/accounts/login/",
            {"username": reader.username, "password": reader.raw_password, "next": RESULT},
        )
    else:
        client.force_login(reader)
        response = client.post(reverse("assessments:quiz-result-keep"))

    assert response.status_code == 302 and response["Location"] == "/me/"
    page = client.get("/me/").content.decode()
    assert (
        "The quiz result in this browser could not be kept: the signs it answered have since "
        "been taken out of the quiz for revision. Please take the quiz again." in page
    )
    assert Result.objects.count() == 0
    assert SESSION_KEY not in client.session


def test_keeping_when_the_result_is_gone_says_so_and_goes_to_my_space(client, quiz, reader):
    client.post(QUIZ, quiz.post_data(3, key=uuid.uuid4()))
    client.post(reverse("assessments:quiz-result-forget"))

    response = client.post(
        "/accounts/login/",
        {"username": reader.username, "password": reader.raw_password, "next": RESULT},
    )

    assert response["Location"] == "/me/"
    assert "There was no quiz result in this browser to keep" in client.get("/me/").content.decode()


def test_the_quiz_and_result_pages_say_where_anonymous_answers_are_kept_and_how_long(
    client, quiz, settings
):
    settings.SESSION_COOKIE_AGE = 9 * 86_400
    quiz_page = client.get(QUIZ).content.decode()
    assert "your answers are kept on our server in a session that only this browser" in quiz_page
    assert "the session ends when you close this browser" in quiz_page
    assert "our server deletes them within 9 days" in quiz_page
    assert "days at most" not in quiz_page
    assert "stay in this browser" not in quiz_page and "nothing, unless" not in quiz_page

    client.post(QUIZ, quiz.post_data(3, key=uuid.uuid4()))
    result_page = client.get(RESULT).content.decode()
    assert (
        "For now your answers are kept on our server in this browser’s session, linked to no "
        "name or email, until you close this browser." in result_page
    )
    assert "days at most" not in result_page
    assert "lives only in this browser" not in result_page
    privacy = client.get("/privacy/").content.decode()
    assert "or close your browser, which ends the session" in privacy
    assert "deleted within 9 days after it last changed" in privacy
    assert "days after it last changed at most" not in privacy


def start_titles(html: str) -> tuple[list[str], list[str]]:
    """The strategies "Where to start" shows, and those behind "see all"."""
    section = html[html.index('id="start-title"') : html.index('id="diagnosis-title"')]
    shown, _, more = section.partition('<details class="start-more">')
    pattern = r'class="start-strategy-title" href="[^"]+">([^<]+)</a>'
    return re.findall(pattern, shown), re.findall(pattern, more)


def test_where_to_start_names_three_strategies_and_keeps_the_rest_behind_see_all(client, quiz):
    # Anxious signs answered 2, avoidant signs 1 (the lowest), "both" signs 5 (strengths).
    client.post(QUIZ, quiz.post_data([2] * 5 + [1] * 5 + [5] * 5, key=uuid.uuid4()))
    html = client.get(RESULT).content.decode()

    shown, more = start_titles(html)
    # The avoidant strategies help with the lowest-rated signs, on the suggested path.
    assert shown == ["Small Reach", "Body Scan", "Calm Breath"]
    assert more == ["Wait Ten Minutes"]
    assert "<summary>See all 4 strategies for these signs</summary>" in html
    assert "Start with these 3:" in html


def test_where_to_start_without_more_than_three_has_no_see_all(client, quiz):
    client.post(QUIZ, quiz.post_data([1] * 5 + [5] * 10, key=uuid.uuid4()))
    html = client.get(RESULT).content.decode()
    shown, more = start_titles(html)
    assert shown == ["Calm Breath", "Wait Ten Minutes"] and more == []
    assert "start-more" not in html


def test_an_anonymous_session_ends_when_the_browser_closes(client, quiz, reader):
    response = client.post(QUIZ, quiz.post_data(3, key=uuid.uuid4()))

    cookie = response.cookies[settings_module.SESSION_COOKIE_NAME]
    assert cookie["max-age"] == "" and cookie["expires"] == ""  # a browser-session cookie
    signed_in = client.post(
        "/accounts/login/", {"username": reader.username, "password": reader.raw_password}
    )
    kept = signed_in.cookies[settings_module.SESSION_COOKIE_NAME]
    assert int(kept["max-age"]) == settings_module.SESSION_COOKIE_AGE


def test_an_expired_session_signs_the_reader_out(client, reader):
    from assessments.models import ReaderSession

    client.force_login(reader)
    assert client.get("/me/").status_code == 200
    key = client.cookies[settings_module.SESSION_COOKIE_NAME].value

    ReaderSession.objects.filter(pk=key).update(expire_date=timezone.now() - timedelta(seconds=1))

    response = client.get("/me/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_a_sign_unpublished_while_the_quiz_is_answered_gets_a_clear_page(
    client, quiz, reader, monkeypatch
):
    """The editor's save lands between the form's check and the result being stored: that
    raised UnknownSigns (a 500). Now nothing is stored, and the quiz comes back as it now
    stands, with the reader's other answers kept."""
    retired = quiz.signs[3]
    store = services.result_create

    def editor_saves_first(**kwargs):
        type(retired).objects.filter(pk=retired.pk).update(published=False)
        return store(**kwargs)

    monkeypatch.setattr(services, "result_create", editor_saves_first)
    client.force_login(reader)

    response = client.post(QUIZ, quiz.post_data(4, key=uuid.uuid4()))

    assert response.status_code == 409
    html = response.content.decode()
    assert "The quiz changed while you were answering" in html
    assert "nothing was saved" in html
    assert not Result.objects.exists()
    assert html.count("<fieldset") == 14
    assert f'name="sign-{retired.slug}"' not in html
    assert html.count('value="4" checked') == 14

    monkeypatch.setattr(services, "result_create", store)
    key = re.search(r'name="key" value="([0-9a-f-]{36})"', html)[1]
    again = quiz.post_data(4, key=key)
    del again[f"sign-{retired.slug}"]
    assert client.post(QUIZ, again).status_code == 302
    assert Result.objects.get().answers.count() == 14
