import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from portal.accounts.validators import (
    ID_CHECK,
    USCC_ALPHABET,
    CharacterClassValidator,
    id_check_char,
    is_valid_id_number,
    is_valid_uscc,
    normalize_code,
    uscc_check_char,
    validate_id_number,
    validate_login_name,
    validate_mobile,
    validate_uscc,
)

# Published 统一社会信用代码 of well-known companies (national enterprise credit system).
REAL_USCC = {
    "华为技术有限公司": "914403001922038216",
    "深圳市腾讯计算机系统有限公司": "91440300708461136T",
    "阿里巴巴（中国）有限公司": "91330100799655058B",
    "小米科技有限责任公司": "91110108551385082Q",
    "比亚迪股份有限公司": "91440300192317458F",
}
# The worked example of GB 11643-1999.
REAL_ID = "11010519491231002X"


@pytest.mark.parametrize("name,code", REAL_USCC.items())
def test_real_company_codes_are_valid(name, code):
    assert is_valid_uscc(code), name
    validate_uscc(code)


@pytest.mark.parametrize("code", REAL_USCC.values())
def test_every_single_character_corruption_of_a_uscc_is_refused(code):
    checked = 0
    for position in range(18):
        for replacement in USCC_ALPHABET + "IOSVZ":
            if replacement == code[position]:
                continue
            corrupted = code[:position] + replacement + code[position + 1 :]
            assert not is_valid_uscc(corrupted), corrupted
            checked += 1
    assert checked == 18 * 35


def test_uscc_is_normalised_before_checking():
    assert normalize_code(" 9144 0300-7084 6113 6t ") == "91440300708461136T"
    assert is_valid_uscc("９１４４０３００７０８４６１１３６Ｔ")  # full-width digits


@pytest.mark.parametrize(
    "value,code",
    [
        ("91440300708461136", "uscc_length"),
        ("91440300708461136TT", "uscc_length"),
        ("9144030070846113OT", "uscc_chars"),  # O is not in the alphabet
        ("91A40300708461136T", "uscc_chars"),  # positions 3–8 are digits
        ("91440300708461136U", "uscc_check"),
    ],
)
def test_uscc_errors_say_what_is_wrong(value, code):
    with pytest.raises(ValidationError) as exc:
        validate_uscc(value)
    assert exc.value.code == code
    assert "统一社会信用代码" in exc.value.messages[0]


@given(st.text(alphabet=USCC_ALPHABET, min_size=10, max_size=10), st.integers(0, 10**6 - 1))
def test_any_code_with_its_computed_check_character_is_valid(tail, area):
    first17 = f"91{area:06d}" + tail[:9]
    assert is_valid_uscc(first17 + uscc_check_char(first17))


def test_real_id_number_is_valid_and_every_corruption_is_refused():
    assert is_valid_id_number(REAL_ID)
    for position in range(18):
        for replacement in "0123456789X":
            if replacement == REAL_ID[position]:
                continue
            corrupted = REAL_ID[:position] + replacement + REAL_ID[position + 1 :]
            assert not is_valid_id_number(corrupted), corrupted


def test_id_check_table_matches_the_standard():
    assert ID_CHECK == "10X98765432"
    assert id_check_char("11010519491231002") == "X"
    assert is_valid_id_number("11010519491231002x")  # lower-case x accepted


@pytest.mark.parametrize(
    "value,code",
    [
        ("1101051949123100", "id_format"),
        ("11010519491331002X", "id_birth"),  # month 13
        ("11010530001231002X", "id_birth"),  # born in the future
        ("110105194912310021", "id_check"),
    ],
)
def test_id_number_errors(value, code):
    with pytest.raises(ValidationError) as exc:
        validate_id_number(value)
    assert exc.value.code == code


@pytest.mark.parametrize(
    "password,ok",
    [("abcdefg1", False), ("Abcdefgh", False), ("abcdef1!", True), ("Abcdefg1", True),
     ("ABCD123!", True), ("12345678", False)],
)
def test_password_needs_three_of_four_character_classes(password, ok):
    validator = CharacterClassValidator()
    if ok:
        validator.validate(password)
    else:
        with pytest.raises(ValidationError):
            validator.validate(password)


@pytest.mark.parametrize("name,ok", [("abc", False), ("abcd", True), ("1abcd", False),
                                     ("zhang_san01", True), ("张三abc", False), ("a" * 31, False)])
def test_login_name_rule(name, ok):
    if ok:
        validate_login_name(name)
    else:
        with pytest.raises(ValidationError):
            validate_login_name(name)


@pytest.mark.parametrize("mobile,ok", [("13800138000", True), ("12800138000", False),
                                       ("1380013800", False), ("1380013800a", False)])
def test_mobile_rule(mobile, ok):
    if ok:
        validate_mobile(mobile)
    else:
        with pytest.raises(ValidationError):
            validate_mobile(mobile)
