"""Request parsers shared by every API view."""

from __future__ import annotations

from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser as DrfJSONParser


class JSONParser(DrfJSONParser):
    """DRF's JSON parser, with every way ``json`` can fail on hostile input answered as a 400.

    Python's ``json`` recurses once per nesting level, so a small body of tens of thousands of
    ``[`` exhausts the stack; DRF maps only ``ValueError`` to a ``ParseError`` and lets the
    ``RecursionError`` end the request in a 500.
    """

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type=media_type, parser_context=parser_context)
        except RecursionError as error:
            raise ParseError("JSON parse error - nested too deeply.") from error
        except ValueError as error:
            # Decoding errors raised outside DRF's own try block (e.g. an unknown charset).
            raise ParseError(f"JSON parse error - {error}") from error
