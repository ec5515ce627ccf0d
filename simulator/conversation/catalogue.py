"""The one catalogue of rep-move labels (``docs/spec/moves.md``): everything the project says about a label.

Each :class:`Move` holds what a label means, its stance, the analyser's fallback cue, what the buyer
experiences, its effect on the buyer's trust and patience, its scorecard penalty and the coaching text
(why it cost, the live hint, alternatives that need no buyer words). Every other module reads these
entries: ``moves`` (label sets and stances), the analyser (fallback cues), the scorecard (``MOVE_COST`` and
its formula text), ``coaching`` (costliest-first order, why / also / hints / alternatives),
``persona.state`` (``MOVE_EFFECTS``), ``persona.llm_prompt`` (``LABEL_MEANINGS``) and the practice screen
(which labels keep a hint on screen). Pure data: no imports beyond the standard library.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Move:
    """One label and all that the project says about it."""

    name: str
    #: "consultative", "transactional" or "neutral"
    stance: str
    #: the short code of ``docs/spec/moves-examples.psv`` ("Q", "LQ" ...)
    code: str
    #: what it is (``docs/spec/moves.md``)
    meaning: str
    #: the analyser's cue when none of the rules that speak for the label fired
    cue: str
    #: the move as the buyer experiences it (told to the language-model buyer)
    buyer_meaning: str
    #: (trust points, patience points) before difficulty factors; a close uses ``effect_early``/``effect_ready``
    effect: tuple[float, float] = (0.0, 0.0)
    #: scorecard penalty points per rep turn carrying the label (0: not a costly move)
    cost: float = 0.0
    #: whether the buyer counts it as being pitched at (``BuyerState.pitches``)
    pitches: bool = False
    #: coaching: why a turn with this label cost points (the first sentence of a moment's "why")
    why: str = ""
    #: coaching: the same move when another label is the main one ("It also ...")
    also: str = ""
    #: the live hint, and the hint when a short clause of the buyer's words is at hand (``{clause}``)
    hint: str = ""
    hint_with_clause: str = ""
    #: consultative alternatives that need no buyer words
    alternatives: tuple[str, ...] = ()


#: A close before trust is earned costs more, and moves the buyer more, than one once they are ready.
CLOSE_EARLY_COST = 14.0
CLOSE_EARLY_EFFECT: tuple[float, float] = (-12.0, -25.0)
CLOSE_READY_EFFECT: tuple[float, float] = (-2.0, -5.0)
CLOSE_EARLY_WHY = ("Pushed for commitment before the buyer trusted you{trust}; successful calls have fewer closes "
                   "(Rackham).")
CLOSE_EARLY_HINT = "That was a close before trust is there. Ask what they'd need to see first."
#: A benefit claimed right after the buyer named a need (``simulator.conversation.needs``): the need was there,
#: the rep answered it instead of letting the buyer say what solving it would be worth.
BENEFIT_AFTER_NEED_WHY = ("Promised an outcome when the buyer had just named a need, instead of asking what solving it "
                          "would mean to them; in successful calls the buyer states the value (Rackham's need-payoff "
                          "questions).")
BENEFIT_AFTER_NEED_ALSO = "answered the need with a promise instead of asking what solving it would mean"
BENEFIT_AFTER_NEED_HINT = "That promised an outcome. They just named a need: ask what solving it would mean to them."

CATALOGUE: tuple[Move, ...] = (
    Move("question", "consultative", "Q",
         "a sincere question about the buyer's world: situation, problems, causes, consequences, people, "
         "priorities, feelings, what success looks like; clarifying and follow-up questions",
         cue="asks about the buyer's situation",
         buyer_meaning="asked you a sincere question about your situation",
         effect=(4.0, 2.0)),
    Move("listening", "consultative", "L",
         "shows the buyer they were heard: reflecting their words (and their facts and numbers) back, paraphrase, "
         "summary, empathy, short invitations to go on",
         cue="shows the buyer they were heard",
         buyer_meaning="showed they listened to what you said",
         effect=(5.0, 3.0)),
    Move("pitch", "transactional", "P",
         "presents what the seller offers as theirs or recommends (a product, a charity, a listing, a policy, a "
         "candidate): features, credentials, case studies, demos, price lists",
         cue="talks about the seller's product or company",
         buyer_meaning="pitched their product or company at you",
         effect=(-6.0, -10.0), cost=5, pitches=True,
         why="Presented the product instead of learning about the buyer's situation.",
         also="presented the product",
         hint="That was a pitch. Try asking what matters most to them first.",
         hint_with_clause="That was a pitch. Try asking about “{clause}” first.",
         alternatives=("How do you handle this today?",
                       "What's the hardest part of this for you right now?",
                       "What prompted you to look at this now?")),
    Move("benefit", "transactional", "B",
         "claims outcomes for the buyer before the buyer has said they need them",
         cue="claims an outcome for the buyer before they asked for it",
         buyer_meaning="promised results before understanding your needs",
         effect=(-7.0, -10.0), cost=6, pitches=True,
         why="Claimed an outcome before the buyer had stated that need; in large sales this goes with more "
             "objections (Rackham).",
         also="promised an outcome the buyer had not asked for",
         hint="That promised an outcome before they named a need. Ask what they need first.",
         alternatives=("What would have to change for this to be worth your time?",
                       "If this were solved, what would be different for you?",
                       "How much of your week goes on this today?")),
    Move("leading_question", "transactional", "LQ",
         "a question whose answer is decided in advance: a disguised pitch or trial close",
         cue="asks a question with the answer built in",
         buyer_meaning="asked a leading question to steer you towards buying",
         effect=(-6.0, -8.0), cost=7, pitches=True,
         why="A question with its answer decided in advance: it serves your agenda, not the buyer's.",
         also="steered the buyer towards an answer",
         hint="That question steers to your answer. Ask an open one about their world.",
         alternatives=("What matters most to you when you weigh something like this?",
                       "How are you thinking about this at the moment?",
                       "What would a good outcome look like from where you sit?")),
    Move("objection_handling", "transactional", "OH",
         "rebutting, minimising or out-arguing a concern instead of exploring it",
         cue="argues with the buyer's concern instead of exploring it",
         buyer_meaning="argued with your concern instead of exploring it",
         effect=(-9.0, -12.0), cost=9,
         why="Argued with the buyer's concern instead of exploring it, which tends to harden it.",
         also="argued with a concern instead of exploring it",
         hint="That argued with their concern. Try exploring it: “What makes you say that?”",
         hint_with_clause="That argued with their concern. Explore it: “What makes you say {clause}?”",
         alternatives=("What makes you say that?",
                       "Tell me more about that concern. Where does it come from?",
                       "What would have to be true for that not to be a worry?")),
    Move("close", "transactional", "C",
         "pushing for commitment (to buy, sign, give, book, install, apply), direct, assumptive, either-or, "
         "urgency or discount closes, trial closes, also when phrased as a question",
         cue="pushes for commitment",
         buyer_meaning="pushed you to commit or buy",
         effect=CLOSE_EARLY_EFFECT, cost=10,
         why="Pushed for commitment instead of letting the buyer propose the next step.",
         also="pushed for commitment",
         hint="That was a close. Try asking what a good next step looks like for them.",
         alternatives=("What would you need to see before deciding?",
                       "Where does this sit among your priorities right now?",
                       "Who else would want a say in a decision like this?")),
    Move("rapport", "neutral", "R",
         "greetings, thanks, small talk, agenda and permission-setting",
         cue="builds rapport (greeting, thanks, small talk or agenda)",
         buyer_meaning="made small talk",
         effect=(2.0, 0.0)),
    Move("other", "neutral", "O",
         "logistics, fillers, repairs",
         cue="logistics or filler, no selling move",
         buyer_meaning="said something unclear",
         effect=(0.0, -1.0)),
)

#: Each label by name.
BY_NAME: dict[str, Move] = {move.name: move for move in CATALOGUE}


def move(name: str) -> Move:
    """The catalogue entry of label ``name`` (KeyError for an unknown label)."""
    return BY_NAME[name]


def labels_with(stance: str) -> frozenset[str]:
    """The labels of one stance."""
    return frozenset(m.name for m in CATALOGUE if m.stance == stance)


#: Costly labels, costliest first (the order moments and hints are chosen in).
COST_ORDER: tuple[str, ...] = tuple(m.name for m in sorted((m for m in CATALOGUE if m.cost), key=lambda m: -m.cost))


def penalties_text() -> str:
    """The per-move penalties as the scorecard formula states them."""
    parts = []
    for name in COST_ORDER:
        text = f"{name.replace('_', ' ')} {BY_NAME[name].cost:g}"
        if name == "close":
            text += f" ({CLOSE_EARLY_COST:g} before trust is earned)"
        parts.append(text)
    return ", ".join(parts)
