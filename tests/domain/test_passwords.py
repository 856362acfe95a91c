from hypothesis import given
from hypothesis import strategies as st

from housing_swap.domain.passwords import MIN_LENGTH, password_problems


def test_a_strong_password_passes():
    assert password_problems("demo-pass-2024") == []
    assert password_problems("Zz-test-pass-2024") == []


def test_each_shortfall_is_named():
    assert password_problems("Ab1!") == [f"密码至少需要{MIN_LENGTH}个字符"]
    assert password_problems("abcdefghijkl") == ["密码需包含大写字母、小写字母、数字、符号中的至少三类"]
    assert "该密码过于常见，请换一个" in password_problems("Password123")


@given(st.text(alphabet="abcdefghij", min_size=0, max_size=30))
def test_single_class_passwords_always_fail(password):
    assert password_problems(password)
