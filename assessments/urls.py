from django.contrib.auth import views as auth_views
from django.urls import path

from assessments import practice_views as practice
from assessments import views

app_name = "assessments"

# The site's own templates for Django's auth views (the registration/ names belong to the admin),
# at the addresses django.contrib.auth.urls uses.
T = "assessments/account/"

urlpatterns = [
    path("privacy/", views.privacy, name="privacy"),
    path("how-we-score/", views.how_we_score, name="how-we-score"),
    # The quiz
    path("quiz/", views.quiz, name="quiz"),
    path("quiz/result/", views.quiz_result, name="quiz-result"),
    path("quiz/result/keep/", views.quiz_result_keep, name="quiz-result-keep"),
    path("quiz/result/forget/", views.quiz_result_forget, name="quiz-result-forget"),
    # Accounts
    path("accounts/signup/", views.signup, name="signup"),
    path("accounts/login/", views.LoginView.as_view(template_name=T + "login.html"), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "accounts/password_change/",
        views.PasswordChangeView.as_view(template_name=T + "password_change_form.html"),
        name="password-change",
    ),
    path(
        "accounts/password_change/done/",
        auth_views.PasswordChangeDoneView.as_view(template_name=T + "password_change_done.html"),
        name="password-change-done",
    ),
    path(
        "accounts/password_reset/",
        views.PasswordResetView.as_view(template_name=T + "password_reset_form.html"),
        name="password-reset",
    ),
    path(
        "accounts/password_reset/done/",
        auth_views.PasswordResetDoneView.as_view(template_name=T + "password_reset_done.html"),
        name="password-reset-done",
    ),
    path(
        "accounts/reset/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(template_name=T + "password_reset_confirm.html"),
        name="password-reset-confirm",
    ),
    path(
        "accounts/reset/done/",
        auth_views.PasswordResetCompleteView.as_view(
            template_name=T + "password_reset_complete.html"
        ),
        name="password-reset-complete",
    ),
    # The reader's own space
    path("me/", views.me, name="me"),
    path("me/results/<int:pk>/", views.result_detail, name="result"),
    path("me/results/<int:pk>/delete/", views.result_delete, name="result-delete"),
    path("me/toolkit/", views.toolkit, name="toolkit"),
    path("me/toolkit/<slug:slug>/note/", views.note_edit, name="note"),
    path("me/export/", views.export, name="export"),
    path("me/delete/", views.delete_account, name="delete-account"),
    # Practice: the plan, the practice and repair logs, the timeline and the settings they use
    path("me/plan/", practice.plan, name="plan"),
    path("me/plan/from/<int:pk>/", practice.plan_start, name="plan-start"),
    path("me/plan/weeks/<int:number>/swap/", practice.plan_swap, name="plan-swap"),
    path("me/plan/change/", practice.plan_change, name="plan-change"),
    path("me/practice/", practice.practice_list, name="practice"),
    path("me/practice/new/", practice.practice_new, name="practice-new"),
    path("me/practice/today/", practice.practice_quick, name="practice-quick"),
    path("me/practice/<int:pk>/", practice.practice_edit, name="practice-edit"),
    path("me/practice/<int:pk>/delete/", practice.practice_delete, name="practice-delete"),
    path("me/repairs/", practice.repair_list, name="repairs"),
    path("me/repairs/new/", practice.repair_new, name="repair-new"),
    path("me/repairs/<int:pk>/", practice.repair_edit, name="repair-edit"),
    path("me/repairs/<int:pk>/delete/", practice.repair_delete, name="repair-delete"),
    path("me/timeline/", practice.timeline_page, name="timeline"),
    path("me/time-zone/", practice.time_zone, name="time-zone"),
    path("me/reminders/", practice.reminders_page, name="reminders"),
    path("me/reminders/change/", practice.reminders_change, name="reminders-change"),
    # Reached from emails, signed in or not: the signed token is the key.
    path("reminders/confirm/<str:token>/", practice.reminders_confirm, name="reminders-confirm"),
    path("reminders/unsubscribe/<str:token>/", practice.unsubscribe, name="unsubscribe"),
    path("toolkit/save/<slug:slug>/", views.strategy_save, name="save"),
    path("toolkit/unsave/<slug:slug>/", views.strategy_unsave, name="unsave"),
]
