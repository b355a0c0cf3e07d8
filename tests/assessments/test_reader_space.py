import json
import re
from datetime import UTC, datetime, timedelta

from assessments import services
from assessments.models import Answer, Result, SavedStrategy, Subject
from guide.models import Strategy
from tests.factories import make_strategy, make_user, take_quiz

WEEK = timedelta(weeks=1)


def test_history_lists_self_and_partner_attempts_separately_with_a_chart_and_its_table(
    client, quiz, reader
):
    take_quiz(quiz, reader, 2, when=datetime(2026, 1, 10, tzinfo=UTC))
    take_quiz(quiz, reader, 4, when=datetime(2026, 4, 10, tzinfo=UTC))
    take_quiz(quiz, reader, 3, subject=Subject.PARTNER, when=datetime(2026, 2, 1, tzinfo=UTC))
    client.force_login(reader)

    html = client.get("/me/").content.decode()

    assert html.count('role="img"') == 2
    assert '<title id="trend-self-title">' in html and '<desc id="trend-self-desc">' in html
    assert 'aria-labelledby="trend-self-title trend-self-desc"' in html
    assert (
        "Your overall score across 2 attempts went from 25 out of 100 (Jan 10, 2026) "
        "to 75 (Apr 10, 2026)." in html
    )
    assert '<h3 id="history-self" class="history-title">About me</h3>' in html
    assert '<h3 id="history-partner" class="history-title">About a partner</h3>' in html
    assert "One attempt so far (Feb 1, 2026): overall 50 out of 100." in html
    assert html.count("<polyline") == 3  # overall and both sides for "self"; none for one point
    assert "Every attempt about me (the chart’s numbers)" in html
    # The side scores are named as what they measure: security, higher is better.
    assert (
        '<th scope="col">Security on anxious-side signs</th>'
        '<th scope="col">Security on avoidant-side signs</th>' in html
    )
    assert "Security on anxious-side signs (dashed line, squares)</li>" in html
    assert "Anxious-side signs" not in html and "Avoidant-side signs" not in html


def test_history_shows_each_signs_change_and_calls_one_step_normal_variation(client, quiz, reader):
    take_quiz(quiz, reader, [3] * 15, when=datetime(2026, 1, 1, tzinfo=UTC))
    take_quiz(quiz, reader, [4] + [5] + [1] + [3] * 12, when=datetime(2026, 3, 1, tzinfo=UTC))
    client.force_login(reader)

    html = client.get("/me/").content.decode()
    rows = re.findall(
        r"<tr><th scope=\"row\">(.*?)</th>.*?class=\"change change-(\w+)\">(.*?)<", html
    )
    by_sign = {text: (kind, label) for text, kind, label in rows}

    assert by_sign["You show sign number 1"] == ("noise", "Normal variation")
    assert by_sign["You show sign number 2"] == ("up", "Up 2 steps")
    assert by_sign["You show sign number 3"] == ("down", "Down 2 steps")
    assert by_sign["You show sign number 4"] == ("same", "No change")
    assert by_sign["Overall"] == ("noise", "Within normal variation")
    assert by_sign["Security on anxious-side signs"] == ("noise", "Within normal variation")
    assert "is normal variation, not progress or decline" in html


def test_history_compares_with_the_wording_the_reader_saw(client, quiz, reader):
    take_quiz(quiz, reader, 3, when=datetime(2026, 1, 1, tzinfo=UTC))
    take_quiz(quiz, reader, 3, when=datetime(2026, 2, 1, tzinfo=UTC))
    quiz.signs[0].text = "Reworded since"
    quiz.signs[0].save()
    client.force_login(reader)
    html = client.get("/me/").content.decode()
    assert "You show sign number 1" in html and "Reworded since" not in html


def test_history_stays_within_its_query_budget_however_many_attempts(
    client, quiz, reader, django_assert_max_num_queries
):
    for month in range(1, 9):
        take_quiz(quiz, reader, 1 + month % 5, when=datetime(2026, month, 1, tzinfo=UTC))
        take_quiz(
            quiz, reader, 3, subject=Subject.PARTNER, when=datetime(2026, month, 2, tzinfo=UTC)
        )
    client.force_login(reader)
    # session, user, results, answers of the latest two per subject, toolkit count
    with django_assert_max_num_queries(5):
        response = client.get("/me/")
    assert response.status_code == 200


def test_history_result_and_toolkit_pages_load_nothing_lazily(client, quiz, reader, fetch_raise):
    take_quiz(quiz, reader, 2)
    latest = take_quiz(quiz, reader, 3, subject=Subject.PARTNER)
    take_quiz(quiz, reader, 1, subject=Subject.PARTNER)
    services.strategy_save(owner=reader, strategy=quiz.strategies[0])
    client.force_login(reader)
    for url in ("/me/", f"/me/results/{latest.pk}/", "/me/toolkit/"):
        assert client.get(url).status_code == 200


def test_saving_from_a_page_comes_back_to_it_and_saving_twice_keeps_one(client, quiz, reader):
    client.force_login(reader)
    for _ in range(2):
        response = client.post("/toolkit/save/calm-breath/", {"next": "/strategies/calm-breath/"})
        assert response["Location"] == "/strategies/calm-breath/"
    assert SavedStrategy.objects.filter(owner=reader).count() == 1
    response = client.post("/toolkit/unsave/calm-breath/", {"next": "/me/toolkit/"})
    assert response["Location"] == "/me/toolkit/"
    assert SavedStrategy.objects.count() == 0


def test_the_saved_message_links_to_the_toolkit_and_escapes_the_title(client, quiz, reader):
    Strategy.objects.filter(slug="calm-breath").update(title="Calm <b>Breath</b>")
    client.force_login(reader)

    response = client.post(
        "/toolkit/save/calm-breath/", {"next": "/strategies/calm-breath/"}, follow=True
    )

    assert (
        '“Calm &lt;b&gt;Breath&lt;/b&gt;” is in your <a href="/me/toolkit/">toolkit</a>.'
        in response.content.decode()
    )


def test_an_anonymous_save_sends_the_reader_to_sign_in_and_back(client, quiz):
    response = client.post("/toolkit/save/calm-breath/", {"next": "/strategies/calm-breath/"})
    assert response["Location"] == "/accounts/login/?next=/strategies/calm-breath/"
    assert SavedStrategy.objects.count() == 0


def test_the_save_include_offers_a_sign_in_link_to_anonymous_readers(client, quiz, rf):
    from django.contrib.auth.models import AnonymousUser
    from django.template.loader import render_to_string

    request = rf.get("/strategies/calm-breath/")
    html = render_to_string(
        "includes/save_strategy.html",
        {"strategy": quiz.strategies[0], "user": AnonymousUser(), "request": request},
    )
    assert 'href="/accounts/login/?next=/strategies/calm-breath/"' in html
    assert "<form" not in html and "csrf" not in html


def test_the_toolkit_lists_saved_strategies_with_links_and_private_notes(client, quiz, reader):
    client.force_login(reader)
    client.post("/toolkit/save/calm-breath/")
    client.post("/toolkit/save/body-scan/")
    response = client.post("/me/toolkit/body-scan/note/", {"note": "Did it before bed."})
    assert response["Location"] == "/me/toolkit/#saved-body-scan"

    html = client.get("/me/toolkit/").content.decode()

    assert '<a href="/strategies/calm-breath/">Calm Breath</a>' in html
    assert '<a href="/strategies/body-scan/">Body Scan</a>' in html
    assert "Did it before bed.</textarea>" in html
    assert '<label for="note-body-scan">Private note on “Body Scan”</label>' in html


def test_a_retired_strategy_stays_in_the_toolkit_with_its_note(client, quiz, reader):
    client.force_login(reader)
    client.post("/toolkit/save/calm-breath/")
    client.post("/me/toolkit/calm-breath/note/", {"note": "keep me"})
    quiz.strategies[0].delete()
    html = client.get("/me/toolkit/").content.decode()
    assert "No longer in the guide; your note is kept." in html
    assert "keep me</textarea>" in html


def test_the_toolkit_stays_within_its_query_budget(
    client, quiz, reader, django_assert_max_num_queries
):
    client.force_login(reader)
    for strategy in quiz.strategies:
        client.post(f"/toolkit/save/{strategy.slug}/")
    with django_assert_max_num_queries(3):
        assert client.get("/me/toolkit/").status_code == 200


def test_export_downloads_everything_as_a_json_attachment(client, quiz, reader):
    take_quiz(quiz, reader, 4)
    client.force_login(reader)
    client.post("/toolkit/save/calm-breath/")

    response = client.get("/me/export/")

    assert response["Content-Type"].startswith("application/json")
    assert response["Content-Disposition"].startswith('attachment; filename="secure-base-')
    data = json.loads(response.content)
    assert data["account"]["username"] == reader.username
    assert data["results"][0]["overall"] == 75
    assert len(data["results"][0]["answers"]) == 15
    assert data["toolkit"][0]["title"] == "Calm Breath"


def test_deleting_the_account_needs_the_password(client, quiz, reader):
    take_quiz(quiz, reader, 4)
    client.force_login(reader)
    response = client.post("/me/delete/", {"password": "wrong-password"})
    assert response.status_code == 400
    assert "nothing was deleted" in response.content.decode()
    assert Result.objects.count() == 1


def test_deleting_the_account_removes_it_and_everything_in_it_and_signs_out(client, quiz, reader):
    keeper = make_user("keeper")
    take_quiz(quiz, keeper, 3)
    take_quiz(quiz, reader, 4)
    client.force_login(reader)
    client.post("/toolkit/save/calm-breath/")
    page = client.get("/me/delete/").content.decode()
    assert "1 quiz result with every answer" in page and "1 saved strategy" in page

    response = client.post("/me/delete/", {"password": reader.raw_password}, follow=True)

    assert "Your account and everything in it are deleted." in response.content.decode()
    assert not type(reader).objects.filter(pk=reader.pk).exists()
    assert Result.objects.count() == 1 and Answer.objects.count() == 15
    assert SavedStrategy.objects.count() == 0
    assert client.get("/me/").status_code == 302


def test_deleting_one_result(client, quiz, reader):
    result = take_quiz(quiz, reader, 4)
    other = take_quiz(quiz, reader, 2)
    client.force_login(reader)
    assert "Delete this result?" in client.get(f"/me/results/{result.pk}/delete/").content.decode()
    client.post(f"/me/results/{result.pk}/delete/")
    assert list(Result.objects.values_list("pk", flat=True)) == [other.pk]
    assert Answer.objects.count() == 15


def test_a_strategy_page_offers_to_remove_a_saved_strategy_and_unsaving_comes_back(
    client, quiz, reader
):
    client.force_login(reader)
    client.post("/toolkit/save/calm-breath/", {"next": "/strategies/calm-breath/"})

    page = client.get("/strategies/calm-breath/").content.decode()
    assert 'action="/toolkit/unsave/calm-breath/"' in page
    assert "In your toolkit" in page
    assert '<input type="hidden" name="next" value="/strategies/calm-breath/">' in page

    response = client.post("/toolkit/unsave/calm-breath/", {"next": "/strategies/calm-breath/"})
    assert response["Location"] == "/strategies/calm-breath/"
    assert (
        'action="/toolkit/save/calm-breath/"' in client.get(response["Location"]).content.decode()
    )


def test_a_signed_out_strategy_page_costs_no_query_for_the_toolkit(
    client, quiz, django_assert_max_num_queries
):
    client.get("/strategies/body-scan/")
    with django_assert_max_num_queries(5) as queries:
        client.get("/strategies/body-scan/")
    assert not any("savedstrategy" in q["sql"] for q in queries.captured_queries)


def test_the_address_behind_trusted_proxies_is_the_nearest_proxys_view(rf, settings):
    from config.ratelimit import client_address as client_ip

    request = rf.get("/", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.9", REMOTE_ADDR="10.0.0.1")
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_ip(request) == "10.0.0.1"
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_ip(request) == "203.0.113.9"  # the client wrote 6.6.6.6 itself
    settings.TRUSTED_PROXY_COUNT = 3
    assert client_ip(request) == "10.0.0.1"


def test_each_chart_is_named_for_its_subject(client, quiz, reader):
    take_quiz(quiz, reader, 2, when=datetime(2026, 1, 10, tzinfo=UTC))
    take_quiz(quiz, reader, 3, subject=Subject.PARTNER, when=datetime(2026, 2, 1, tzinfo=UTC))
    client.force_login(reader)
    html = client.get("/me/").content.decode()
    assert '<title id="trend-self-title">Trend of scores in the quiz about me</title>' in html
    assert (
        '<title id="trend-partner-title">Trend of scores in the quiz about a partner</title>'
        in html
    )


def test_attempts_on_the_same_day_are_told_apart_by_their_time(client, quiz, reader):
    take_quiz(quiz, reader, 2, when=datetime(2026, 3, 5, 9, 15, tzinfo=UTC))
    take_quiz(quiz, reader, 4, when=datetime(2026, 3, 5, 18, 40, tzinfo=UTC))
    take_quiz(quiz, reader, 3, when=datetime(2026, 4, 1, 8, 0, tzinfo=UTC))
    client.force_login(reader)

    html = client.get("/me/").content.decode()

    links = re.findall(r'<th scope="row"><a href="/me/results/\d+/">([^<]+)</a></th>', html)
    assert links == ["Apr 1, 2026", "Mar 5, 2026, 6:40 PM", "Mar 5, 2026, 9:15 AM"]
    assert '>Mar 5, 2026<tspan x="56.0" dy="1.2em">9:15 AM</tspan></text>' in html
    assert "Since the attempt before (Mar 5, 2026, 6:40 PM)" in html


def test_an_anonymous_save_comes_back_to_a_page_with_a_query_string(client, quiz, reader):
    back = "/search/?q=calm&page=2"
    response = client.post("/toolkit/save/calm-breath/", {"next": back})
    assert response["Location"] == "/accounts/login/?next=/search/%3Fq%3Dcalm%26page%3D2"

    login_page = client.get(response["Location"])
    assert login_page.context["next"] == back
    signed_in = client.post(
        "/accounts/login/",
        {"username": reader.username, "password": reader.raw_password, "next": back},
    )
    assert signed_in["Location"] == back


def test_my_space_and_the_toolkit_cost_the_same_queries_for_1_and_for_100_items(
    client, quiz, reader, django_assert_num_queries
):
    extra = [make_strategy(path=Strategy.Path.REPAIR) for _ in range(99)]
    services.strategy_save(owner=reader, strategy=quiz.strategies[0])
    take_quiz(quiz, reader, 3, when=datetime(2020, 1, 1, tzinfo=UTC))
    client.force_login(reader)
    # session, user, results with the latest attempts' answers, toolkit count
    with django_assert_num_queries(4, info="My space with 1 result"):
        assert client.get("/me/").status_code == 200
    with django_assert_num_queries(3, info="the toolkit with 1 strategy"):
        assert client.get("/me/toolkit/").status_code == 200

    take_quiz(quiz, reader, 4, when=datetime(2020, 1, 1, tzinfo=UTC) + WEEK)
    # A second attempt adds the one query that compares it with the first.
    with django_assert_num_queries(5, info="My space with 2 results"):
        assert client.get("/me/").status_code == 200

    for strategy in extra:
        services.strategy_save(owner=reader, strategy=strategy)
    for week in range(2, 100):
        take_quiz(quiz, reader, 1 + week % 5, when=datetime(2020, 1, 1, tzinfo=UTC) + week * WEEK)

    with django_assert_num_queries(5, info="My space with 100 results"):
        assert client.get("/me/").status_code == 200
    with django_assert_num_queries(3, info="the toolkit with 100 strategies"):
        assert client.get("/me/toolkit/").status_code == 200
