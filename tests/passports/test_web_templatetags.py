"""Template helpers of the pages (``passports.templatetags.dpp_web``)."""

from __future__ import annotations

from django.utils import translation

from passports.templatetags.dpp_web import amount, maybe_url, tier_label


def test_amounts_drop_float_noise_and_group_thousands() -> None:
    with translation.override("en"):
        assert amount(5403.84) == "5,403.84"
        assert amount("0.800000000000", 4) == "0.8"
        assert amount(3) == "3"
        assert amount(1234567.8915) == "1,234,567.892"  # three decimals at most, rounded half to even
        assert amount(None) == ""
        assert amount("not a number") == "not a number"


def test_amounts_follow_the_korean_locale() -> None:
    with translation.override("ko"):
        assert amount(5403.84) == "5,403.84"


def test_a_route_that_does_not_exist_gives_no_link() -> None:
    assert maybe_url("no-such-route-anywhere", pk=1) == ""
    assert maybe_url("passport-detail-page", pk=7) == "/passports/7/"


def test_tier_labels_in_korean() -> None:
    with translation.override("ko"):
        assert tier_label("legitimate_interest") == "정당한 이익 보유자"
        assert tier_label("something else") == "비공개"
