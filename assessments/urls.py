from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy
from django.views.decorators.cache import never_cache

from assessments import views

app_name = "assessments"

# The site's own templates for Django's auth views (the registration/ names belong to the admin),
# at the addresses django.contrib.auth.urls uses.
T = "assessments/account/"

urlpatterns = [
    path("privacy/", views.privacy, name="privacy"),
    # The quiz
    path("quiz/", views.quiz, name="quiz"),
    path("quiz/result/", views.quiz_result, name="quiz-result"),
    path("quiz/result/keep/", views.quiz_result_keep, name="quiz-result-keep"),
    path("quiz/result/forget/", views.quiz_result_forget, name="quiz-result-forget"),
    # Accounts
    path("accounts/signup/", views.signup, name="signup"),
    path("accounts/login/", views.LoginView.as_view(template_name=T + "login.html"), name="login"),
    path("accounts/logout/", views.LogoutView.as_view(), name="logout"),
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
        never_cache(
            auth_views.PasswordResetView.as_view(
                template_name=T + "password_reset_form.html",
                email_template_name=T + "password_reset_email.txt",
                subject_template_name=T + "password_reset_subject.txt",
                success_url=reverse_lazy("assessments:password-reset-done"),
            )
        ),
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
    path("toolkit/save/<slug:slug>/", views.strategy_save, name="save"),
    path("toolkit/unsave/<slug:slug>/", views.strategy_unsave, name="unsave"),
]
