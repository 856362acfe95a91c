"""The query model: parameters, bands, the words of the text box and pinyin keys (no app needed)."""
import re
from decimal import Decimal

import pytest

from housing_swap.search.query import (
    AREA_BANDS,
    PRICE_BANDS,
    Kind,
    QueryProblem,
    Sort,
    parse_search_args,
)
from housing_swap.search.search_rows import match_expression, spaced
from housing_swap.search.text_terms import full_pinyin, initials, is_pinyin_word, pinyin_keys, text_terms


def test_initials_and_full_pinyin_of_names_and_districts():
    assert initials("金水区") == "jsq"
    assert initials("永威·南樾") == "ywny"
    assert full_pinyin("锦绣花园A座") == "jinxiuhuayuanazuo"
    assert pinyin_keys("锦绣花园", "410105") == "jxhy jsq jinxiuhuayuan jinshuiqu"
    assert pinyin_keys("锦绣花园", "999999") == "jxhy jinxiuhuayuan"


def test_pinyin_keys_fit_their_column_however_long_the_name():
    assert len(pinyin_keys("龘" * 200, "410105")) == 600


@pytest.mark.parametrize(("q", "words", "districts"), [
    ("金水 花园", ("花园",), ("410105",)),
    ("花园 金水区", ("花园",), ("410105",)),
    ("花园\u3000郑东", ("花园",), ("410190",)),          # full-width space
    ("管城 高新区 锦绣", ("锦绣",), ("410104", "410172")),
    ("ＪＳＱ  hy hy", ("jsq", "hy"), ()),                  # full-width letters, a repeated word
    ("中原花园", ("中原花园",), ()),                        # a district name inside a word stays text
    ("金水区", (), ("410105",)),
])
def test_text_box_words_and_named_districts(q, words, districts):
    terms = text_terms(q)
    assert terms.words == words
    assert terms.district_codes == districts


def test_only_latin_letter_words_are_matched_as_pinyin():
    assert all(is_pinyin_word(word) for word in ("huayuan", "hy"))
    assert not any(is_pinyin_word(word) for word in ("h", "a座", "12a"))


def test_parameters_become_a_query():
    query = parse_search_args({"q": [" 金水 "], "district": ["410105", "410105", "410190"], "min_area": ["60.5"],
                               "elevator": ["true"], "sort": ["unit_price_asc"], "page": ["3"]}, Kind.LISTING)
    assert query.q == "金水"
    assert query.districts == ("410105", "410190")
    assert query.min_area == Decimal("60.5")
    assert query.elevator is True
    assert query.sort == Sort.UNIT_PRICE_ASC
    assert query.offset == 40


def test_numbers_and_districts_typed_in_full_width_mean_the_same():
    wide = parse_search_args({"district": ["４１０１０５", "金水区", " 410190 "], "min_price": ["１，０００，０００"],
                              "bedrooms": ["３"], "page": ["２"]}, Kind.LISTING)
    narrow = parse_search_args({"district": ["410105", "410190"], "min_price": ["1000000"], "bedrooms": ["3"],
                                "page": ["2"]}, Kind.LISTING)
    assert wide == narrow
    with pytest.raises(QueryProblem) as problem:
        parse_search_args({"district": ["４１０１９９"], "bedrooms": ["３.５"]}, Kind.LISTING)
    assert set(problem.value.errors) == {"district", "bedrooms"}


def test_every_bad_parameter_is_reported_at_once():
    with pytest.raises(QueryProblem) as problem:
        parse_search_args({"min_price": ["-1"], "district": ["123"], "per_page": ["0"], "q": ["x" * 51]}, Kind.UNIT)
    assert set(problem.value.errors) == {"min_price", "district", "per_page", "q"}


def test_bands_are_half_open_and_cover_everything():
    assert [band.key for band in PRICE_BANDS if band.contains(1_000_000)] == ["100-150"]
    assert [band.key for band in AREA_BANDS if band.contains(120)] == ["120-144"]
    for value in (0, 59.99, 60, 143.99, 144, 10_000):
        assert sum(band.contains(value) for band in AREA_BANDS) == 1


def test_city_group_rules_become_filters():
    query = parse_search_args({"fits_city_group": ["true"]}, Kind.LISTING)
    exclusive = query.with_city_group_rules(20, Decimal("120"), inclusive=False, year=2024)
    assert (exclusive.min_build_year, exclusive.area_below, exclusive.max_area) == (2004, Decimal("120"), None)
    inclusive = query.with_city_group_rules(20, Decimal("120"), inclusive=True, year=2024)
    assert (inclusive.area_below, inclusive.max_area) == (None, Decimal("120"))


def test_text_index_tokens_and_phrases():
    assert spaced("锦绣花园A座") == "锦 绣 花 园 A 座"
    texts = "{name address description} : "
    assert match_expression("金水") == texts + '"金 水"'
    assert match_expression('say "hi"') == texts + '"say ""hi"""'
    assert match_expression("·") is None
    assert match_expression("花园", ("410190", "410105", "410105")) == (
        texts + '"花 园" AND district : ("410105" OR "410190")')


def test_messages_name_things_as_users_know_them_never_internal_codes():
    with pytest.raises(QueryProblem) as problem:
        parse_search_args({"sort": ["cheapest"], "lat": ["34.7"], "elevator": ["maybe"], "radius_km": ["3"]},
                          Kind.LISTING)
    messages = " ".join(m for ms in problem.value.errors.values() for m in ms)
    assert "总价从低到高" in messages
    assert "纬度和经度" in messages
    assert "“是”或“否”" in messages
    assert not re.search(r"relevance|price_asc|\blat\b|\blon\b|true|false", messages)
    assert parse_search_args({"elevator": ["是"]}, Kind.LISTING).elevator is True


def test_a_map_view_and_a_drawn_area_are_read_and_checked():
    query = parse_search_args({"bbox": ["113.6,34.7,113.8,34.85"],
                               "polygon": ["113.6,34.7;113.8,34.7;113.7,34.85;113.6,34.7"]}, Kind.LISTING)
    assert query.bbox == (113.6, 34.7, 113.8, 34.85)
    assert query.polygon == ((113.6, 34.7), (113.8, 34.7), (113.7, 34.85))  # a closed ring is read open
    refused = {
        "1,2,3": ("bbox", "四个数字"), "113.8,34.7,113.6,34.85": ("bbox", "西南角"), "nan,34,114,35": ("bbox", "四个数字"),
    }
    for raw, (name, words) in refused.items():
        with pytest.raises(QueryProblem) as problem:
            parse_search_args({"bbox": [raw]}, Kind.LISTING)
        assert words in problem.value.errors[name][0]
    for raw, words in {"1,1;2,2": "至少需要3个", "1,1;2,2;3,3": "一条直线", "0,0;1,1;1,0;0,1": "不能交叉",
                       "113,34;114": "每个点一对数字", "200,34;114,34;114,35": "每个点一对数字",
                       ";".join(f"{113 + i / 100},{34 + (i % 2) / 100}" for i in range(51)): "最多50个点"}.items():
        with pytest.raises(QueryProblem) as problem:
            parse_search_args({"polygon": [raw]}, Kind.LISTING)
        assert words in problem.value.errors["polygon"][0], raw
