import pytest

from kkot.reviews.profanity import mask_profanity


@pytest.mark.parametrize(
    "text,masked",
    [
        ("배송 씨발 늦네", "배송 ** 늦네"),
        ("배송 시 발 늦네", "배송 * * 늦네"),  # spacing inside the word
        ("시1발 진짜", "*1* 진짜"),  # a digit inserted
        ("씨빨 뭐야", "** 뭐야"),  # tense consonant variant
        ("ㅅㅂ 별로", "** 별로"),  # consonants only
        ("개새끼들", "***들"),
        ("사이즈 병 신 같아요", "사이즈 * * 같아요"),
        ("fuck this", "**** this"),
    ],
)
def test_masks_variants(text, masked):
    m = mask_profanity(text)
    assert (m.text, m.found) == (masked, True)


@pytest.mark.parametrize(
    "text", ["시발점에서 출발", "수박이 달아요", "사법고시", "병신년 새해", "미친 핏이에요", "", "좋아요 ^^"]
)
def test_leaves_clean_text_alone(text):
    assert mask_profanity(text).text == text
    assert mask_profanity(text).found is False
