from simulator.conversation.segments import split_by_rep
from simulator.conversation.turns import Turn


def test_buyer_turns_follow_the_rep_who_spoke_before_them():
    turns = [
        Turn("buyer", "Hi."),
        Turn("rep", "What brings you here?", rep_name="Ana"),
        Turn("buyer", "Late invoices."),
        Turn("rep", "How late?", rep_name="Ben"),
        Turn("buyer", "Weeks."),
        Turn("rep", "And what does that cost you?", rep_name="Ana"),
    ]
    parts = split_by_rep(turns)
    assert list(parts) == ["Ana", "Ben"]
    assert [t.text for t in parts["Ana"]] == ["Hi.", "What brings you here?", "Late invoices.",
                                              "And what does that cost you?"]
    assert [t.text for t in parts["Ben"]] == ["How late?", "Weeks."]


def test_single_rep_without_names():
    turns = [Turn("buyer", "Hi."), Turn("rep", "Hello.")]
    assert split_by_rep(turns, default="Rep") == {"Rep": turns}
