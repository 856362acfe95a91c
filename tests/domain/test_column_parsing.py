"""A table parsed column by column (each distinct value once) gives every row exactly what
parsing that row alone gives: the same values and the same messages, in the same order."""
from hypothesis import given, settings
from hypothesis import strategies as st

from housing_swap.domain.listing_fields import LISTING_FIELDS, parse_listing_columns, parse_listing_fields

# Good and bad spellings per field, repeated across rows the way spreadsheets repeat values.
CELLS = {
    "agency_reference": ["A-1", "A-2", "", "A\x07"], "community": ["锦绣花园", "", "x" * 200],
    "district_code": ["金水区", "410105", "火星区", ""], "address": ["花园路100号", ""],
    "building_no": ["3号楼", "楼\n栋"], "unit_no": ["", "2单元"], "room_no": ["602", "", "6" * 30],
    "floor": ["6", "６", "99", "六", "-1"], "total_floors": ["18", "5", ""],
    "area_m2": ["89.50", "89.5㎡", "0", "abc", ""], "inner_area_m2": ["", "72.30", "120"],
    "bedrooms": ["2", "2.0", "20"], "living_rooms": ["1", "x"], "bathrooms": ["1", ""],
    "orientation": ["南北", "东西", "上下"], "decoration": ["精装", "豪华"],
    "build_year": ["2012", "1800", "3000"], "has_elevator": ["是", "否", "也许"],
    "property_type": ["商品房", "别墅"],
    "certificate_number": ["豫(2016)郑州市不动产权第0012345号", "豫（２０１６）郑州市不动产权第００１２３４５号", "12"],
    "unit_code": ["", "410105001001GB00012F00010001", "123"], "owner_id_number": ["", "11010519491231002X", "1"],
    "asking_price": ["1350000", "135万", "1", "9" * 30], "description": ["", "南北通透\n近地铁"],
    "contact_name": ["王经理", ""], "contact_phone": ["13800001234", "12345"],
}
rows = st.lists(st.fixed_dictionaries({name: st.sampled_from(cells) for name, cells in CELLS.items()}),
                min_size=1, max_size=12)


@settings(max_examples=60, deadline=None)
@given(rows, st.sets(st.sampled_from(sorted(CELLS)), max_size=3))
def test_each_row_parsed_by_column_is_that_row_parsed_alone(table, missing_columns):
    table = [{name: value for name, value in row.items() if name not in missing_columns} for row in table]
    columns = {field.name: [row[field.name] for row in table] for field in LISTING_FIELDS
               if field.name not in missing_columns}
    by_column = parse_listing_columns(columns, len(table))
    alone = [parse_listing_fields(row) for row in table]
    assert by_column == alone
    assert [list(errors) for _, errors in by_column] == [list(errors) for _, errors in alone]  # same order


def test_a_later_check_on_one_row_does_not_reach_another_row_with_the_same_value():
    row = {name: cells[0] for name, cells in CELLS.items()} | {"floor": "20", "total_floors": "18"}
    first, second = parse_listing_columns({name: [value, value] for name, value in row.items()}, 2)
    first[1]["floor"].append("另一条")
    assert second[1]["floor"] == ["所在楼层不能高于总楼层"]
