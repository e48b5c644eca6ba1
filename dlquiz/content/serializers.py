from rest_framework import serializers

from dlquiz.content.models import Card


class CardSerializer(serializers.ModelSerializer):
    """A Q&A card as CONTRACT §2 fixes it (``id``, ``question``, ``answer``, ``topic``,
    ``source``), plus the topic's name, the rendered answer and the card's page."""

    topic = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    topic_name = serializers.CharField(source="topic.name", read_only=True)
    source = serializers.CharField(read_only=True)
    url = serializers.CharField(source="get_absolute_url", read_only=True)

    class Meta:
        model = Card
        fields = ["id", "question", "answer", "answer_html", "topic", "topic_name", "source", "url"]
        read_only_fields = fields
