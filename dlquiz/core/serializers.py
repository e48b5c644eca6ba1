"""Response shapes shared by every API module."""

from __future__ import annotations

from rest_framework import serializers


class ErrorSerializer(serializers.Serializer):
    """The JSON error body of CONTRACT §2; one `Error` component in the schema."""

    detail = serializers.CharField()
