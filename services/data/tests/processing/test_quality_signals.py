import pytest

from tuneline.data.processing.language import detect_language
from tuneline.data.processing.quality import WEIGHTS, quality_score
from tuneline.data.processing.toxicity import ToxicityScanner


def test_quality_score_is_the_weighted_sum():
    values = {
        "validity": 1.0,
        "completeness": 0.5,
        "length": 1.0,
        "uniqueness": 0.0,
        "toxicity": 1.0,
        "language": 1.0,
        "balance": 0.5,
    }
    # 25 + 7.5 + 15 + 0 + 10 + 5 + 5
    assert quality_score(values).score == 67.5
    assert sum(WEIGHTS.values()) == 100


def test_quality_score_rescales_when_balance_does_not_apply():
    values = dict.fromkeys(["validity", "completeness", "length", "uniqueness", "toxicity", "language"], 1.0)
    values["uniqueness"] = 0.5
    result = quality_score({**values, "balance": None})
    # uniqueness weight 20 of 90 scaled to 100 → 22.22; half of it lost
    assert result.score == pytest.approx(100 - 100 * 10 / 90, abs=0.05)
    assert "balance" not in result.breakdown


@pytest.mark.parametrize(
    ("text", "categories"),
    [
        ("You are an idiot and I will kill you", ["insult", "threat"]),
        ("What the FUCK happened", ["profanity"]),
        ("The classic Scunthorpe problem", []),
        ("Assess the shitake mushroom", []),
        ("f*ck this", ["profanity"]),
        ("Stop fucking around", ["profanity"]),
    ],
)
def test_toxicity_lexicon_matches_whole_words(text, categories):
    assert ToxicityScanner().categories(text) == categories


def test_toxicity_accepts_extra_terms():
    assert ToxicityScanner(extra_terms=[("custom", "badword")]).categories("a Badword here") == ["custom"]


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("The pump failed and the team replaced it with a new one.", "en"),
        ("Die Pumpe ist ausgefallen und wir haben sie mit einer neuen ersetzt.", "de"),
        ("La pompe est tombée en panne et nous avons dû la remplacer pour le client.", "fr"),
        ("La bomba se rompió y el equipo la cambió por una nueva para el cliente.", "es"),
        ("ERR 0x1F", "und"),
        ("ok", "und"),
    ],
)
def test_language_from_stopword_profiles(text, lang):
    assert detect_language(text) == lang
