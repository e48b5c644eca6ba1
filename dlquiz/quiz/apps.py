from django.apps import AppConfig


class QuizConfig(AppConfig):
    name = "dlquiz.quiz"
    label = "quiz"
