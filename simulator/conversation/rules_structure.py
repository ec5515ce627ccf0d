"""Structural phrase rules: who acts, when, and on whose agenda a question runs.

The lexical rules of ``rules.py`` name typical phrases of each move. These rules look at the
shape of a clause instead, so they carry over to wordings the corpus never saw:

* a **commitment structure** -- a deal step (start, install, deliver, sign, onboard ...) tied to a
  date or slot ("the ninth", "next week", "tuesday morning"), the seller proposing to act
  ("shall we / can I + action verb"), a readiness probe ("are you ready / happy to ..."),
  a slot offered for approval ("does friday work / suit ...") or a deal step taken for granted
  ("the first delivery") -- is the seller's agenda: a close, even when phrased as a question;
* questions about the **buyer's own process** -- how decisions usually get made, who signs off,
  what drives the timing, *their* contract -- are the buyer's agenda: a sincere question;
* a positive **tag** after a statement ("that's not very efficient, is it") or a rhetorical
  "can you really" leads the answer;
* **personal small talk** (family, pets, travel, hobbies, how long they have been in the job) is
  rapport even as a question.

Like every rule, each only fires a feature for the model and carries a cue a rep can read.
"""

from __future__ import annotations

import re

from simulator.conversation.rules import Rule, S

#: Deal steps as verbs (the seller's agenda when tied to a slot or to "we" / "I").
COMMIT_VERBS = (r"start|starting|begin|sign|signed|book|booked|schedule|install|installed|fit|fitted|deliver|ship|"
                r"order|switch|onboard|train|trained|roll out|kick off|go live|set up|set you up|get going|lock|"
                r"reserve|hold|confirm|proceed|move forward|go ahead|place|pencil|put you down|get started|"
                r"migrate|move over|come out|get out")
#: Deal steps as nouns.
COMMIT_NOUNS = (r"install|installation|delivery|deliveries|kickoff|kick off|go live|start date|onboarding|training|"
                r"fitting|survey|site visit|order|contract|agreement|paperwork|deposit|signature|licences|licenses|"
                r"seats|rollout|roll out|migration|billing|setup|set up|first session|first batch|first payment|"
                r"first shipment|handover|collection|direct debit")
#: Acts of commitment in any line of business (buying, giving, signing up, applying, hiring ...).
GIVE_VERBS = (r"make (?:a|an|your|the|that|this|one) (?:\w+ )?(?:donation|gift|pledge|payment|commitment|purchase|"
              r"decision|booking|offer|application|investment|deposit|order|start)|"
              r"give(?! (?:me|us) (?:a|an|some) (?:idea|sense|picture|overview|bit|feel|flavour|rundown|example|"
              r"breakdown))|donate|pledge|contribute|commit|sign|sign up|buy|purchase|"
              r"take (?:it|this|that|them|one|out|up|the|him|her|on)|go ahead|proceed|invest|join|enrol|enroll|apply|"
              r"put (?:down|in|forward|an offer)|"
              r"switch|book|order|hire|sponsor|support (?:us|our|this|the|a)|set up (?:a|the|your)|start|move forward|"
              r"get (?:started|going|signed)")
#: Dates and slots.
_ORD = r"(?:[1-9]|[12]\d|3[01])(?:st|nd|rd|th)"
TIME = (r"(?<!a )(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)|tomorrow|tonight|this afternoon|"
        r"this morning|(?:morning|afternoon) slot|(?:next|this|the following) (?:week|month|quarter|term)|"
        r"end of (?:the )?(?:week|month|quarter)|"
        r"(?:the )?(?:first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|eleventh|twelfth|"
        r"thirteenth|fourteenth|fifteenth|sixteenth|twentieth|" + _ORD + r") (?:of|week)|"
        r"the (?:fourth|fifth|sixth|seventh|eighth|ninth|tenth|eleventh|twelfth|thirteenth|fourteenth|fifteenth|"
        r"sixteenth|seventeenth|eighteenth|nineteenth|twentieth|twenty \w+|thirtieth|" + _ORD + r")\b|"
        r"january|february|march|april|(?:in|of|early|late|mid|end of) may|june|july|august|september|october|"
        r"november|december")
_TIME_KEYS = ("monday tuesday wednesday thursday friday saturday sunday tomorrow tonight afternoon morning "
              "week month quarter term first second third fourth fifth sixth seventh eighth ninth tenth eleventh "
              "twelfth thirteenth fourteenth fifteenth sixteenth seventeenth eighteenth nineteenth twentieth twenty "
              "thirtieth january february march april may june july august september october november december "
              + " ".join(f"{n}{x}" for n in range(1, 32) for x in ("st", "nd", "rd", "th")))
#: Seller action verbs after "shall we / can I" (the seller proposing the next step of the deal).
_SELLER_ACTS = (r"get|send|book|start|put|set|lock|add|have|take|place|order|plan on|pencil|go with|raise|draw up|"
                r"bring|reserve|hold|ship|fit|install|deliver|schedule|arrange|sort|process|finalise|finalize|"
                r"confirm|kick|roll|move|switch|sign|crack on|get going")

KEYS: dict[str, str] = {
    "c_commit_slot": _TIME_KEYS,
    "c_seller_acts": "shall can should could may",
    "c_ready_probe": "ready happy set keen comfortable",
    "c_slot_works": "work works suit suits look looks good free",
    "c_first_step": "first",
    "q_their_process": "usually normally typically tend generally last past historically who how what when which "
                       "timeframe timeline deadline driving date",
    "q_their_deal": "your their",
    "lq_pos_tag": "is are do does can could would will was did has have",
    "lq_really": "really longer",
    "lq_loaded": "why who do does are is can would enjoy like love keep still doing running managing tracking using "
                 "leaving losing wasting open worth "
                 "afford behind many",
    "c_when_you_like": "when what which",
    "r_personal": "runner wedding puppy dog dogs cat cats pet pets kids children baby boat garden golf football fan "
                  "easter "
                  "christmas half long into settling settle finding go hobby hobbies cycling fishing marathon",
    "o_repair": "spell speaker written saying video screen sound volume",
    "c_willing": "willing prepared position able ready happy keen open minded ok",
    "c_how_much_give": "much many",
    "c_when_done": "when what which how",
    "c_act_now": "today tonight now evening call while before",
    "c_offer_to_act": "me can let shall will",
    "c_amount_choice": "or",
    "c_payment": "card sort account bank standing debit payment deposit details",
    "p_recommend": "recommend recommendation suggest suggestion advise advice propose go perfect ideal fit right spot "
                   "made",
    "p_thing_has": "has have comes includes covers offers boasts features provides brings",
    "p_experience": "years year",
    "q_future": "solved fixed sorted gone worked perfect wand forward year months different change changed notice "
                "mean look",
}


def _rule(name: str, label: str, pattern: str, cue: str) -> Rule:
    return Rule(name, label, re.compile(pattern), cue, frozenset(KEYS[name].split()))


STRUCTURE_RULES: tuple[Rule, ...] = (
    # --- close: commitment structures ------------------------------------------------------------------
    _rule("c_commit_slot", "close",
          r"\b(?:" + COMMIT_VERBS + "|" + COMMIT_NOUNS + r")\b[^|]*?\b(?:" + TIME + r")\b|"
          r"\b(?:" + TIME + r")\b[^|]*?\b(?:" + COMMIT_VERBS + "|" + COMMIT_NOUNS + r")\b",
          "ties a step of the deal to a date ('{m}')"),
    _rule("c_seller_acts", "close",
          S + r"(?:shall|can|should|could|may) (?:we|i) (?:just )?(?:go ahead and )?(?:" + _SELLER_ACTS + r")\b"
          r"(?: \w+){0,3}",
          "proposes the seller's next step ('{m}')"),
    _rule("c_ready_probe", "close",
          r"\b(?:you|they|your \w+|the team|everyone|we) (?:be |feel )?(?:ready|happy|set|keen|comfortable) "
          r"(?:for us |for me )?to (?:" + COMMIT_VERBS + r"|get|go|move|take|put|make|switch|give)\b",
          "checks the buyer is ready to commit ('{m}')"),
    _rule("c_slot_works", "close",
          r"\b(?:" + TIME + r")(?: \w+){0,2} (?:work|works|suit|suits|look|looks|good|free)\b(?: for)?"
          r"(?: (?:the|your|our) (?:" + COMMIT_NOUNS + r"|engineer|engineers|installer|installers|team|crew|visit))?|"
          r"\b(?:work|works|suit|suits) (?:for|with) (?:the|your) (?:" + COMMIT_NOUNS + r")\b",
          "offers a slot for the next step ('{m}')"),
    _rule("c_first_step", "close",
          r"\b(?:the|your) first (?:" + COMMIT_NOUNS + r"|order|shipment|batch|invoice|install|payment|"
          r"session|cohort|drop)\b",
          "takes the sale for granted ('{m}')"),
    # --- close: asks for commitment in any line of business, whatever the offer is called -------------------
    _rule("c_willing", "close",
          r"\b(?:are|would|will|is|were) (?:you|your \w+|they) (?:be )?(?:willing|prepared|in a position|able|ready|"
          r"happy|keen|open|minded|ok) to (?:" + GIVE_VERBS + r")\b",
          "asks the buyer to commit ('{m}')"),
    _rule("c_how_much_give", "close",
          r"\bhow (?:much|many) (?:\w+ )?(?:will|would|can|could|shall) (?:you|we) (?:like to |want to |be able to |"
          r"feel able to |be happy to |be willing to |be |be looking to |manage to |put (?:you|yourself) down for)?"
          r"(?:give|giving|donate|donating|pledge|pledging|contribute|contributing|commit|committing|sponsor|"
          r"sponsoring|put down|putting down|deposit|order|ordering|take|taking|sign up|put you down|reserve)\b",
          "asks how much the buyer will commit ('{m}')"),
    _rule("c_when_done", "close",
          r"\b(?:when|what day|what time|which day|how soon|what date) (?:would|shall|should|can|could) (?:you|we) "
          r"(?:like|want|prefer|be wanting) (?:the|your|our|it|them|this|that|those|these|him|her)(?: \w+){0,2} "
          r"(?:\w+ed|done|set up|sent|fitted|fit|built|made|taken|shown|drawn up|written|put in|started|begun|"
          r"going|running|sorted|up and running)\b|"
          r"\b(?:when|what day|what time|which day|how soon|what date) (?:would|shall|should|can|could) (?:you|we) "
          r"(?:like|want|prefer) to (?:" + GIVE_VERBS + r"|move in|view|come in|come and see|see it|"
          r"have (?:it|them))\b",
          "assumes the next step of the deal is happening ('{m}')"),
    _rule("c_act_now", "close",
          r"\b(?:you|we)\b[^|]*\b(?:give|giving|donate|donating|pledge|sign|signing|join|joining|take it|take one|"
          r"buy|buying|order|ordering|book|booking|set (?:it|that|this|you) up|setting up|go ahead|commit|committing|"
          r"apply|applying|put down|putting down|"
          r"get (?:you|it|that|this) (?:started|signed|booked|set up|going))\b[^|]*"
          r"\b(?:today|tonight|right now|this evening|on this call|while (?:we are|i am|you are) on|"
          r"before (?:i|you) go)\b",
          "asks for commitment now ('{m}')"),
    _rule("c_offer_to_act", "close",
          r"\b(?:would you like me to|do you want me to|want me to|shall i|can i|let me|i can|i will) (?:just )?"
          r"(?:go ahead and )?(?:put (?:you|your name|an offer|in an offer|the offer|him|her|them) (?:down|in|forward|"
          r"through|on)|put (?:you|it|that|him|her|them) forward|submit|register|enrol|enroll|sign you|book (?:you|it|"
          r"that|the|a|in)|reserve|take (?:your|the|a) (?:card|payment|deposit|details|first|order)|process|"
          r"start the (?:application|paperwork|process|order|policy|cover)|set up (?:the|your) (?:\w+ )?(?:policy|"
          r"cover|account|direct debit|standing order|payment|plan|order|application))\b",
          "offers to take the next step of the deal for the buyer ('{m}')"),
    _rule("c_amount_choice", "close",
          r"\b(?:would you|do you|will you|shall we|shall i|should we|is it|is that|are you|are we|can we|could we)\b"
          r"[^|]*\b(?:\d+\w*|five|ten|twelve|fifteen|twenty|thirty|forty|fifty|sixty|hundred|thousand)"
          r"(?: \w+){0,3} or (?:the |a |an )?(?:\d+\w*|five|ten|twelve|fifteen|twenty|thirty|forty|fifty|sixty|"
          r"hundred|thousand)\b",
          "offers a choice of amounts or terms ('{m}')"),
    _rule("c_payment", "close",
          r"\b(?:long card number|card number|sort code|account number|bank details|card details|payment details|"
          r"standing order|direct debit|take (?:a|the|your) (?:payment|deposit)|first payment)\b",
          "takes payment details ('{m}')"),
    # --- pitch: what the seller offers, recommends or presents as theirs, whatever it is -------------------
    _rule("p_recommend", "pitch",
          r"\b(?:i|we) (?:would |really |strongly |honestly |definitely |personally )?(?:recommend|suggest you|"
          r"advise you|propose you|go for|go with)\b|\bmy (?:recommendation|advice|suggestion) (?:is|would be)\b|"
          r"\bwhat i (?:recommend|suggest)\b|\bthe one (?:i|we) (?:would )?recommend\b|"
          r"\b(?:perfect|ideal|a great fit|a good fit|great fit|right|just right|spot on|made|tailor made) for you\b",
          "recommends what the seller offers ('{m}')"),
    _rule("p_thing_has", "pitch",
          r"(?:^|\| )(?:(?:and|so|now|well|also|plus|oh|it is|this is) )*(?:this|that|the|it|he|she|each|every)"
          r"(?: \w+){0,3} (?:has|has got|comes with|includes|covers|offers|boasts|features|provides|brings)"
          r" (?:a|an|\d+\w*|one|two|three|four|five|six|seven|eight|nine|ten|twelve|twenty|full|fully|its own|over|"
          r"more than|up to|every|all|both|real|great|excellent|loads|lots|plenty)\b",
          "describes what the seller offers ('{m}')"),
    _rule("p_experience", "pitch",
          r"\b(?:\d+|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty) (?:plus )?"
          r"years?(?: of)? (?:experience|in the (?:business|industry|trade|sector|field|role)|track record)\b",
          "cites experience ('{m}')"),
    # --- question: the buyer's own process, timeline and contracts ---------------------------------------
    _rule("q_their_process", "question",
          r"\b(?:usually|normally|typically|tend to|generally|last time|in the past|historically)\b|"
          r"\b(?:who|how|what|when|which)\b(?: \w+){0,4} (?:decide|decides|decided|approve|approves|approved|"
          r"signs off|sign off|weigh|weighs|choose|chose|review|reviews|budget|priorities|driving)\b|"
          r"\b(?:timeframe|timeline|deadline|is there a date|what date|by when)\b",
          "asks how things work on the buyer's side ('{m}')"),
    _rule("q_their_deal", "question",
          r"\b(?:your|their) (?:current |existing |last |old |present )?(?:contract|agreement|renewal|supplier|"
          r"provider|vendor|lease|policy|carrier|system)\b",
          "asks about the buyer's current arrangement ('{m}')"),
    # --- leading question: positive tags and rhetorical "really" ------------------------------------------
    _rule("lq_pos_tag", "leading_question",
          r"(?:\b(?:not|never|no)\b[^|]* |\w \| )(?:is|are|do|does|can|could|would|will|was|did|has|have) "
          r"(?:it|you|they|we|that|he|she|there)$",
          "tags a question onto a claim ('{m}')"),
    _rule("lq_really", "leading_question",
          r"\b(?:can|could|will|are|is|do|does) (?:you|it|they|we|your \w+) really\b|"
          r"\bhow (?:much )?longer (?:can|could|will) (?:you|it|they|your \w+)\b",
          "asks a question with the answer built in ('{m}')"),
    _rule("lq_loaded", "leading_question",
          r"\bwhy (?:would|do|does|should) (?:you|anyone|they|your \w+) (?:want to |even )?(?:keep|stay|stick|risk|"
          r"wait|put up|settle|carry on|pay|bother)|\bwhy not (?:just )?(?:try|give|switch|start|go|take|see)|"
          r"\bwho (?:has|needs|wants) (?:the )?(?:time|hassle|headache|stress)|"
          r"\b(?:do|does|would) (?:you|anyone|they|your \w+) (?:really )?(?:enjoy|like|love) (?:\w+ing|doing)|"
          r"\b(?:want|like) to (?:keep|go on|carry on) \w+ing|\b(?:keep|still) (?:losing|wasting|leaving|paying|"
          r"(?:doing|running|managing|tracking|using) (?:\w+ ){0,3}(?:by hand|on paper|manually|on spreadsheets|"
          r"in excel))|"
          r"\bopen to(?= \||$)|\bopen to (?:it|that|this|the idea|a|an|trying|"
          r"looking|seeing|switching)|\bworth (?:a try|a look|trying|looking|exploring|it)|"
          r"\b(?:can|could) (?:you|they|your \w+) (?:really )?afford to|\bhow many more\b|"
          r"\b(?:leaving|losing|wasting) (?:\w+ ){0,2}(?:money|time|hours|customers|clients|sales|deals|on the table)|"
          r"\b(?:falling|fall|get|getting|left) behind\b",
          "loads the question towards one answer ('{m}')"),
    _rule("c_when_you_like", "close",
          r"\b(?:when|what day|what time|which day) (?:would|do|shall|should|can) (?:you|we) (?:like|want|prefer|need) "
          r"(?:us|me|the \w+|our \w+|them) (?:to )?(?:come|start|out|in|on site|fit|install|deliver|begin|arrive|"
          r"set up|go)\b",
          "assumes the next step is happening ('{m}')"),
    # --- question: future pacing, the buyer describing success in their own words ------------------------------
    _rule("q_future", "question",
          r"\b(?:if|once|when|imagine|suppose|say|picture)\b.{0,80}?\b(?:solved|fixed|sorted|gone|went away|worked|"
          r"working|perfect|magic wand|fast forward|a year from now|in a year|twelve months)\b.{0,80}?"
          r"\bwhat\b.{0,30}?\b(?:different|change|changed|look like|looks different|mean|notice)\b|"
          r"\bfast forward\b|\b(?:imagine|suppose|picture)\b.{0,60}?\b(?:solved|fixed|sorted|gone|perfect)\b|"
          r"\b(?:if|once|when)\b.{0,50}?\b(?:was|were|is|are|got|had been) (?:all )?(?:solved|fixed|sorted|gone)\b",
          "asks the buyer to picture success in their own words ('{m}')"),
    # --- rapport: personal small talk ---------------------------------------------------------------------
    _rule("r_personal", "rapport",
          r"\b(?:are you a (?:runner|cyclist|golfer|fan|gardener|reader)|how was the wedding|puppy|dogs?|cats?|pets?|"
          r"kids|children|baby|boat|garden|golf|football|fan|easter|"
          r"christmas|half term|hobby|hobbies|cycling|fishing|marathon|settling in|"
          r"settle in|finding the new|(?:been|worked) (?:at|with|in) (?:the|this) \w+ long|"
          r"how long have you been (?:at|with|in|there|here|doing)|what got you into|got you into|"
          r"where did you go)\b",
          "makes personal small talk ('{m}')"),
    # --- other: repairs ------------------------------------------------------------------------------------
    _rule("o_repair", "other",
          r"\b(?:spell (?:that|your|the)|on speaker|written (?:that )?down|got that written|you were saying|"
          r"is the (?:video|screen|sound) (?:working|ok)|the volume)\b",
          "handles logistics ('{m}')"),
)
