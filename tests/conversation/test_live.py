"""Live meters: what the practice screen shows while the conversation runs."""

from simulator.conversation.live import live_figures
from simulator.conversation.turns import Turn


def test_word_based_figures():
    turns = [
        Turn("buyer", "Hello there, thanks for coming in today."),
        Turn("rep", "What made you look at this now?", labels=("question",)),
        Turn("buyer", "Our invoices keep going out late and customers complain."),
        Turn("rep", "Late invoices. That sounds stressful.", labels=("listening",)),
        Turn("rep", "Our tool fixes it. Sign today?", labels=("pitch", "close")),
    ]
    live = live_figures(turns)
    assert live.questions == 1
    assert live.listening == 1
    assert live.transactional == 1
    assert live.monologue_unit == "words"
    assert live.monologue == 5 + 6  # the last two rep turns, since the buyer last spoke
    rep_words = 7 + 5 + 6
    assert abs(live.talk_share - rep_words / (rep_words + 7 + 9)) < 1e-9


def test_time_based_when_every_turn_is_timed():
    turns = [
        Turn("rep", "a question", labels=("question",), start_s=0.0, end_s=3.0),
        Turn("buyer", "a long answer", start_s=3.5, end_s=12.5),
    ]
    live = live_figures(turns)
    assert live.talk_share == 3.0 / 12.0
    assert live.monologue == 3.0  # the rep's longest stretch stays after the buyer answers
    assert live.monologue_unit == "s"


def test_monologue_agrees_with_the_scorecards_longest_rep_monologue():
    from simulator.conversation.scorecard import score

    turns = [
        Turn("buyer", "Hi, what's this about?"),
        Turn("rep", "We help bakeries like yours plan each morning's bake from last year's sales and the weather.",
             labels=("pitch",)),
        Turn("buyer", "Okay."),
        Turn("rep", "What happens on a slow day?", labels=("question",)),
        Turn("buyer", "We throw bread away."),
    ]
    live = live_figures(turns)
    assert live.monologue == score(turns).figure("longest rep monologue").value == 16


def test_empty_conversation():
    live = live_figures([])
    assert live.talk_share == 0.0 and live.questions == 0
