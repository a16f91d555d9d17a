from kkot.ml.text import clean_text, has_meaningful_text, split_clauses, split_sentences


def test_clause_split_contrast():
    assert [c.text for c in split_clauses("사이즈는 딱 맞는데 물빠짐이 심해요")] == ["사이즈는 딱 맞는데", "물빠짐이 심해요"]


def test_clause_split_listing_and_offsets():
    text = "색감 좋고 핏 좋고 만족합니다."
    clauses = split_clauses(text)
    assert [c.text for c in clauses] == ["색감 좋고", "핏 좋고", "만족합니다."]
    assert all(text[c.start : c.end] == c.text for c in clauses)


def test_sentence_split_without_punctuation():
    assert [s.text for s in split_sentences("딱 맞음 크롭티랑 입어도 핏 진짜이뻐요 다들 사세유")] == [
        "딱 맞음", "크롭티랑 입어도 핏 진짜이뻐요", "다들 사세유"]


def test_nominalised_word_before_predicate_is_not_sentence_end():
    assert [s.text for s in split_sentences("끈적임 없고 촉촉해요")] == ["끈적임 없고 촉촉해요"]


def test_clean_text_html_script_and_entities():
    assert clean_text("<script>alert(1)</script><b>좋아요</b> &amp; 배송 빨라요 http://x.com/a") == "좋아요 & 배송 빨라요"


def test_clean_text_bad_values():
    assert clean_text(None) == ""
    assert clean_text(float("nan")) == ""
    assert clean_text(12345) == "12345"
    assert clean_text("ㅋㅋㅋㅋㅋㅋ") == "ㅋㅋ"
    assert clean_text("좋아요!!!!!!") == "좋아요!!"


def test_clean_text_long_is_cut():
    out = clean_text("좋아요 " * 5000, max_chars=10_000)
    assert len(out) <= 10_000
    assert out.endswith("좋아요")


def test_meaningful():
    assert not has_meaningful_text("")
    assert not has_meaningful_text("ㅋㅋ")
    assert not has_meaningful_text("👍👍👍")
    assert has_meaningful_text("좋아요")
    assert has_meaningful_text("good")


def test_split_empty():
    assert split_sentences("") == []
    assert split_clauses("") == []
