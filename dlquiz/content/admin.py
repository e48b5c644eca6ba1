from django.contrib import admin, messages
from django.db.models import Count, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from dlquiz.content.models import Card, Topic
from dlquiz.content.services import card_admin_save, card_merge


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ["name_zh", "name_en", "slug", "position", "is_hidden", "card_count"]
    list_editable = ["position", "is_hidden"]
    search_fields = ["name_zh", "name_en", "slug"]
    actions = ["merge_topics"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Topic]:
        return super().get_queryset(request).annotate(_card_count=Count("cards"))

    @admin.display(description=_("cards"), ordering="_card_count")
    def card_count(self, obj: Topic) -> int:
        return obj._card_count

    @admin.action(description=_("Merge selected topics into the first one"))
    def merge_topics(self, request: HttpRequest, queryset: QuerySet[Topic]) -> None:
        topics = list(queryset.order_by("position", "pk"))
        if len(topics) < 2:
            self.message_user(request, _("Select at least two topics."), messages.WARNING)
            return
        keep, rest = topics[0], topics[1:]
        moved = Card.objects.filter(topic__in=rest).update(topic=keep, edited_in_admin=True)
        Topic.objects.filter(pk__in=[t.pk for t in rest]).update(is_hidden=True)
        self.message_user(
            request,
            _("%(count)d cards moved into “%(topic)s”; merged topics hidden.")
            % {"count": moved, "topic": keep},
        )


@admin.register(Card)
class CardAdmin(admin.ModelAdmin):
    list_display = [
        "question_short",
        "topic",
        "source_file",
        "line_start",
        "is_hidden",
        "edited_in_admin",
        "is_retired",
    ]
    list_filter = ["topic", "source_file", "is_hidden", "edited_in_admin", "is_retired"]
    list_select_related = ["topic"]
    search_fields = ["question", "answer"]
    autocomplete_fields = ["related"]
    readonly_fields = [
        "key",
        "source_file",
        "line_start",
        "line_end",
        "heading_path",
        "content_hash",
        "is_retired",
        "merged_into",
        "created_at",
        "updated_at",
    ]
    fields = [
        "topic",
        "question",
        "answer",
        "is_hidden",
        "edited_in_admin",
        "related",
        *readonly_fields,
    ]
    actions = ["merge_cards", "hide_cards", "show_cards", "release_to_import"]

    @admin.display(description=_("question"))
    def question_short(self, obj: Card) -> str:
        return obj.question[:70]

    def save_model(self, request: HttpRequest, obj: Card, form, change: bool) -> None:
        card_admin_save(card=obj)

    @admin.action(description=_("Merge selected cards into the first one"))
    def merge_cards(self, request: HttpRequest, queryset: QuerySet[Card]) -> None:
        cards = list(queryset.order_by("source_file", "position", "pk"))
        if len(cards) < 2:
            self.message_user(request, _("Select at least two cards."), messages.WARNING)
            return
        keep = card_merge(cards=cards)
        self.message_user(
            request,
            ngettext(
                "%(count)d card merged into “%(card)s”.",
                "%(count)d cards merged into “%(card)s”.",
                len(cards) - 1,
            )
            % {"count": len(cards) - 1, "card": keep},
        )

    @admin.action(description=_("Hide selected cards"))
    def hide_cards(self, request: HttpRequest, queryset: QuerySet[Card]) -> None:
        queryset.update(is_hidden=True, edited_in_admin=True)

    @admin.action(description=_("Show selected cards"))
    def show_cards(self, request: HttpRequest, queryset: QuerySet[Card]) -> None:
        queryset.update(is_hidden=False)

    @admin.action(description=_("Let the next import overwrite selected cards"))
    def release_to_import(self, request: HttpRequest, queryset: QuerySet[Card]) -> None:
        queryset.update(edited_in_admin=False, content_hash="")
