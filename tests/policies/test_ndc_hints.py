"""What intake says about an NDC no policy manages: the 10-digit readings, one digit off."""

from policies.ndc import ndc_hint, one_digit_off, suggested_ndcs, ten_digit_readings

KESIMPTA = "00078100768"
HUMIRA = "00074055402"
MANAGED = {KESIMPTA, HUMIRA}


def test_ten_digits_read_in_each_labeler_form():
    assert ten_digit_readings("0078100768") == ["00078100768", "00781000768", "00781007608"]
    assert ten_digit_readings("00078100768") == []


def test_a_digit_left_out_changed_or_swapped_is_one_digit_off():
    assert KESIMPTA in one_digit_off("0007810076")  # the last 8 left out
    assert KESIMPTA in one_digit_off("00078100769")  # 8 typed as 9
    assert KESIMPTA in one_digit_off("00078100786")  # 6 and 8 swapped
    assert KESIMPTA in one_digit_off("000781007681")  # one too many
    assert KESIMPTA not in one_digit_off("00078100799")  # two digits off
    assert KESIMPTA not in one_digit_off(KESIMPTA)


def test_a_ten_digit_ndc_suggests_the_managed_reading_in_5_4_2_form():
    assert suggested_ndcs("0078-1007-68", MANAGED) == ["00078-1007-68"]
    assert suggested_ndcs("0078100768", MANAGED) == ["00078-1007-68"]


def test_the_hint_for_a_5_4_1_typo_says_how_it_was_read_and_what_was_meant():
    hint = ndc_hint("00078-1007-6", MANAGED)
    assert "It was read as 00078-1007-06." in hint
    assert "5-4-2" in hint
    assert hint.endswith("10 digits given: did you mean 00078-1007-68?")


def test_the_hint_for_eleven_digits_one_off_asks_without_the_form_lesson():
    assert ndc_hint("00078-1007-69", MANAGED) == "Did you mean 00078-1007-68?"
    assert ndc_hint("99999-9999-99", MANAGED) == ""


def test_the_hint_for_too_few_digits_says_how_many_an_ndc_has():
    hint = ndc_hint("1234", MANAGED)
    assert hint.endswith("4 digits given: an NDC has 11.")
