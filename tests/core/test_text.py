"""Text normalisation and the symbol-only test: what duplicates are compared on."""

from __future__ import annotations

from hypothesis import example, given
from hypothesis import strategies as st

from spamguard.core.text import COMPARED_LENGTH, count_upper_case, is_symbolic, normalise

# Every ASCII character, with white space and control characters well represented.
_ASCII = st.text(
    alphabet=st.one_of(
        st.characters(min_codepoint=0, max_codepoint=127),
        st.sampled_from(" \t\n\r\x0b\x0c\x1c\x1d\x1e\x1f"),
    ),
    max_size=30,
)


@given(_ASCII)
def test_ascii_text_is_lowered_and_white_space_folded(content: str) -> None:
    # The ASCII fast path skips splitting text that is folded already; it must give
    # exactly what folding gives.
    assert normalise(content) == " ".join(content.lower().split())


def test_non_ascii_text_loses_zero_width_characters_and_is_casefolded() -> None:
    assert normalise("Stra\u00dfe\u200b  FREE\u00a0nitro ") == "strasse free nitro"


def test_duplicates_are_compared_on_as_much_text_as_discord_allows() -> None:
    # Fuzzing found 100,000-character messages compared whole. Every message Discord
    # delivers is compared whole; longer content on its first COMPARED_LENGTH characters.
    assert COMPARED_LENGTH == 4000
    assert normalise("Ab " * 1333 + "C") == "ab " * 1333 + "c"
    assert normalise("A" * 100_000) == "a" * COMPARED_LENGTH
    assert normalise("B  " * 100_000) == ("b " * 2000)[:2667]
    assert normalise("\u00c9\u200b" * 100_000) == "\u00e9" * 2000
    assert normalise("\u00df" * 100_000) == "s" * COMPARED_LENGTH  # casefolds to "ss"


@given(st.one_of(_ASCII, st.text(max_size=30)))
@example("\U0001d538")  # upper case with no lower-case form: lower() leaves it as it is
def test_upper_case_letters_are_the_characters_python_calls_upper(content: str) -> None:
    # ASCII text takes a faster path; it must count the same.
    assert count_upper_case(content) == sum(character.isupper() for character in content)


@given(st.text(max_size=20))
def test_text_is_symbolic_exactly_when_it_has_no_letter_or_digit(text: str) -> None:
    # A fast path answers from the first character; any character may decide it.
    assert is_symbolic(text) == (not any(character.isalnum() for character in text))


def test_emoji_and_punctuation_are_symbolic_and_words_are_not() -> None:
    assert is_symbolic("\U0001f602\U0001f602 !!!")
    assert is_symbolic("")
    assert not is_symbolic("!!! free nitro")
    assert not is_symbolic("\u00e9t\u00e9")


def test_full_width_and_mathematical_letters_are_their_plain_forms() -> None:
    full_width = "".join(chr(0xFF21 + ord(c) - ord("A")) if c != " " else " " for c in "FREE NITRO")
    bold = "".join(chr(0x1D400 + ord(c) - ord("A")) if c != " " else " " for c in "FREE NITRO")
    assert full_width == "\uff26\uff32\uff25\uff25 \uff2e\uff29\uff34\uff32\uff2f"
    assert normalise(full_width) == "free nitro"
    assert normalise(bold) == "free nitro"


def test_cyrillic_and_greek_look_alikes_are_the_ascii_letters_they_imitate() -> None:
    # "free nitro" with Cyrillic e, i, o and a Greek capital Nu: TR39's confusables.
    assert normalise("fr\u0435\u0435 n\u0456tr\u043e") == "free nitro"
    assert normalise("FR\u0415\u0415 \u039d\u0406\u0422R\u041e") == "free nitro"
    assert normalise("d\u0456\u0455\u0441\u043erd") == "discord"


def test_a_letter_and_its_capital_normalise_alike_where_one_has_no_look_alike() -> None:
    # Cyrillic capital Te looks like T; its small letter borrows that, so a Russian word
    # in capitals and in small letters is the same text.
    assert normalise("\u041f\u0420\u0418\u0412\u0415\u0422") == normalise(
        "\u043f\u0440\u0438\u0432\u0435\u0442"
    )


@given(st.text(max_size=30))
def test_normalised_text_is_lower_case_and_folded(content: str) -> None:
    text = normalise(content)
    assert text == " ".join(text.split())
    assert text == text.casefold()
    assert len(text) <= COMPARED_LENGTH


def test_the_look_alike_table_maps_outside_ascii_to_lower_case_ascii_letters() -> None:
    from spamguard.core.confusables import ASCII_LOOKALIKES, SKELETON

    assert len(SKELETON) > 400
    for source, target in SKELETON.items():
        assert len(source) == 1 and not source.isascii(), source
        assert target.isascii() and target.isalnum() and target == target.lower(), source
    assert ASCII_LOOKALIKES == {"0": "o", "1": "l", "m": "rn"}


def test_compatibility_forms_that_lengthen_are_cut_at_the_compared_length() -> None:
    # U+FDFA is one character NFKC makes eighteen.
    assert len(normalise("\ufdfa" * COMPARED_LENGTH)) == COMPARED_LENGTH
