"""Generic buyer lines, used when a persona file leaves a reaction out (or has used every phrasing).

Persona files should carry their own lines, in their own voice; these keep a sparse persona
usable.  Keys match ``simulator.persona.schema.Lines``, plus ``concern_explored`` (for a concern
explored by the rep when the persona gives it no ``explored`` lines).
"""

from __future__ import annotations

GENERIC: dict[str, list[str]] = {
    "pitch": [
        "Okay. I'm sure it's a fine product.",
        "Right. I get a lot of calls like this, to be honest.",
        "Hm. I'm not really looking at products at the moment.",
        "Everybody says that about their product.",
        "I'll take your word for it, but that's not really where my head is.",
    ],
    "leading": [
        "Well, sure, in theory. Everyone wants that.",
        "I can see where you're going with that question.",
        "I suppose so. It depends.",
    ],
    "rebuttal": [
        "With respect, you don't know our situation yet.",
        "I hear you, but that doesn't really answer it for me.",
        "That's easy to say from your side of the table.",
        "I'd rather not argue about it.",
    ],
    "close_early": [
        "Whoa, hang on. We've only just started talking.",
        "I'm not in a position to commit to anything today.",
        "That's a bit fast for me.",
    ],
    "close_pushed": [
        "I've already said I'm not ready. Please don't push.",
        "If the answer has to be today, then the answer is no.",
    ],
    "close_ready": [
        "I'm not signing anything today, but I'm glad we talked.",
        "Let's not jump ahead. But I do think there's something here.",
    ],
    "guarded": [
        "That's a bit personal for a first conversation.",
        "I'd rather not get into that just yet.",
        "It's fine. It's nothing we can't handle.",
        "Let's just say it's complicated.",
        "Hard to say, really.",
    ],
    "listening": [
        "Yes. Exactly.",
        "That's right.",
        "Mm. Yes, that's about the size of it.",
        "Yeah, you've got it.",
        "Right, that's it.",
    ],
    "small_talk": [
        "Sure, happy to talk.",
        "No problem at all.",
        "Of course. Go ahead.",
        "Thanks, good to meet you too.",
    ],
    "chat": [
        "Oh, busy, you know how it is. But good, thanks.",
        "Ha, can't complain. Not enough hours in the day.",
        "Good, thanks. Busy, as always.",
    ],
    "deflect": [
        "Hm. Not something I've given much thought to, honestly.",
        "I couldn't really tell you much about that.",
        "That's not really my area, to be honest.",
        "Good question. I don't have a proper answer for you there.",
    ],
    "unclear": [
        "Sorry, I didn't quite follow that.",
        "Sorry?",
        "I'm not sure what you mean.",
    ],
    "next_step": [
        "You know what, I'd like to continue this. Could we set up a proper follow-up next week?",
        "This has been useful. Why don't you come back with some thoughts, and I'll bring the people who need "
        "to be in the room.",
    ],
    "not_ready": [
        "I think it's a bit early for next steps.",
        "Let's not get ahead of ourselves.",
    ],
    "concern_explored": [
        "It's just that I've seen this kind of thing go wrong before.",
        "Honestly, it comes from experience. We've been let down before, and I'd rather not repeat it.",
        "Fair question. It's more of a gut feeling, from what we've been through.",
    ],
    "goodbye": [
        "I think we'll leave it there. Thanks for your time.",
        "I don't think this is going anywhere today. I have to go.",
        "Look, I have another meeting. Let's stop here.",
    ],
}

#: prefixes that vary a line once every phrasing of it has been used
REPEAT_PREFIXES: tuple[str, ...] = ("Like I said, ", "As I mentioned, ", "Again, ", "I'll say it again: ")


#: short acknowledgements a rep says to keep the buyer talking ("mm hmm", "right", "okay"): the buyer
#: carries on with the thread instead of asking the rep to repeat themselves
BACKCHANNELS: frozenset[str] = frozenset({
    "ok", "okay", "right", "sure", "yeah", "yes", "yep", "uh huh", "uh-huh", "mhm", "mm", "mm hmm", "mm-hmm",
    "hmm", "got it", "gotcha", "i see", "makes sense", "that makes sense", "understood", "fair enough", "interesting",
    "wow", "oh", "oh wow", "really", "go on", "ok go on", "okay go on", "i hear you", "alright", "all right",
})


def is_backchannel(text: str) -> bool:
    """Whether ``text`` is only a short acknowledgement (recogniser text too: no case, no punctuation)."""
    words = " ".join("".join(c if c.isalnum() or c in "-' " else " " for c in text.lower()).split())
    return words in BACKCHANNELS or (len(words.split()) <= 3 and " ".join(dict.fromkeys(words.split())) in BACKCHANNELS)


def vary(line: str, prefix: str) -> str:
    """``prefix`` + ``line`` with its first letter lower-cased, except "I", "I'd"... and acronyms."""
    first = line.split(" ", 1)[0].rstrip(",.!?;:")
    keep = first == "I" or first.startswith("I'") or (len(first) > 1 and first.isupper())
    return prefix + (line if keep else line[0].lower() + line[1:])
