from tests.quiz.conftest import cards, questions, topics  # noqa: F401  (shared fixtures)
