"""The phrase rules: patterns over normalised text, each tied to a label and a cue a rep can read.

Rules do not decide labels on their own: each one that fires becomes a feature for the learned
model (``model.py``), and its cue is shown only when the model's labels agree with the rule's.
Patterns run over the clauses of :func:`text.normalise` joined with `` | `` (so a pattern never
crosses a clause boundary unless it asks to); contractions are spelled out there ("wouldn't"
is "would not"), so cues re-contract the words they quote (:func:`display`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

#: clause start, allowing discourse openers ("and so what ...")
S = (r"(?:^|\| )(?:(?:and|so|but|ok|right|now|then|also|well|yes|oh|alright|great|sure|and then|roughly|just|"
     r"quickly|generally|typically|out of curiosity|curious) )*")
_YOU = r"(?:you|your|yours|they|them|their|the team|your team|he|she|it|that|this|there|anyone|people)"
_AUX = r"(?:do|does|did|are|is|was|were|have|has|had|can|could|would|will|should|am)"
_NEG_AUX = r"(?:would|do|does|did|is|are|can|could|will|have|has|was|were|should)"


@dataclass(frozen=True)
class Rule:
    """A named pattern: when it matches, feature ``name`` fires and ``cue`` (with ``{m}``) explains it."""

    name: str
    label: str
    pattern: re.Pattern[str]
    cue: str
    #: words of which every match contains at least one (a fast pre-check); empty = always try
    keys: frozenset[str] = frozenset()
    #: a match does not count inside a clause this pattern finds (None: every match counts)
    unless: re.Pattern[str] | None = None

    def search(self, joined: str) -> re.Match[str] | None:
        """The first match in ``joined`` (clauses joined with `` | ``) outside the clauses ``unless`` finds."""
        for m in self.pattern.finditer(joined):
            if self.unless is None:
                return m
            start = joined.rfind("| ", 0, m.start())
            end = joined.find(" |", m.end())
            clause = joined[start + 2 if start >= 0 else 0 : end if end >= 0 else len(joined)]
            if not self.unless.search(clause):
                return m
        return None


def _r(name: str, label: str, pattern: str, cue: str, unless: str | None = None) -> Rule:
    return Rule(name, label, re.compile(pattern), cue, frozenset(KEYS.get(name, "").split()),
                re.compile(unless) if unless else None)


#: Pre-check words per rule (``test_analyser_rules`` checks they never hide a match on the corpus).
KEYS: dict[str, str] = {
    "q_wh_start": "what how why when where who whose which",
    "q_aux_start": "do does did are is was were have has had can could would will should am",
    "q_invite": "tell walk talk take help explain describe say curious wonder wondering hear about",
    "q_fragment": "what how why else example",
    "q_world": "today currently now moment your you happen happened handle impact affect affected cope coping react "
               "reacted feel felt changed decide decided matter matters success look looks",
    "l_empathy": "sounds sounded must that can imagine wonder sorry lot makes weighing hear hurts ouch wow",
    "l_reflect": "so hearing understand heard saying words sure check summarise summarize correct basically describing "
                 "real tool rather taking heard got sounds more thing understandable fair would makes",
    "p_our_thing": "product platform tool software app solution system service services technology sensor sensors "
                   "installers feature features module dashboard offering package api integration integrations engine "
                   "version suite add plugin device hardware scheduler reporting analytics crm portal",
    "p_we_do": "we our",
    "p_credentials": "clients customers companies practices hospitals users businesses teams firms schools stores "
                     "sites brands partners installs installations countries locations award awards certified "
                     "patented best industry market number case testimonial reviews rated",
    "p_demo": "show share demo walk take look comes built box integrates syncs connects plugs works automatically "
              "pricing cost costs per brochure trusted used clients founded business since tell what approach "
              "also spec",
    "p_it_does": "syncs integrates tracks alerts handles sends lets gives includes connects plugs supports automates "
                 "generates flags monitors comes does fixes solves takes",
    "p_intro": "tell telling walk walking take taking show showing give giving run running share sharing talk "
               "talking about our my us who",
    "p_superlative": "best leading leader award winning class art edge breed none unmatched unbeatable else only "
                     "top highest star recognised recognized featured accredited most fastest cheapest easiest rated",
    "p_track_record": "helped served worked supported onboarded saved trusted",
    "b_fixes": "fixes fix solves solve sorts sort takes eliminates eliminate removes remove rid ends end kills kill "
               "stops stop prevents prevent",
    "b_you_will": "you",
    "b_this_will": "will would going can could",
    "b_outcome": "pays pay save saves saving cut cuts half double triple boost increase reduce grow time peace more "
                 "never have so return roi fraction hassle worry will going imagine which that means fewer lift "
                 "guarantee guaranteed makes make back earlier sooner running day free frees freeing focus minutes "
                 "instantly overnight percent times payback",
    "lq_tag": "not right correct agreed yes no",
    "lq_agree": "agree surely really just not would wouldn",
    "lq_if_could": "if",
    "lq_who_better": "better",
    "lq_what_if": "what how have can picture fair agree really would surely must sure both crazy afford bet does "
                  "makes",
    "p_price": "fee fees price prices rates priced dollars pounds euros month year per flat covers included "
               "inclusive",
    "lq_want_good": "want like love interested rather prefer agree better easier nice good great helpful "
                     "valuable worth",
    "lq_any_reason": "reason not stopping stop interested",
    "oh_dismiss": "never not no nothing worry should old myth anymore around trust believe surprised says hear "
                  "overblown exaggerated misconception outdated better before changed fixed solved think always "
                  "everyone real respect line anyway flies like actually what speak way change than never fine "
                  "find with one fixed longer common felt feel rest good address easily easy factor "
                  "investment cost look worth standard industry same normal pretty completely nothing only takes "
                  "tops point why different",
    "oh_compare": "cheaper expensive less better faster reliable take cost costs far savings makes outweigh worth "
                  "small long years real actually compared",
    "oh_ack_but": "but however though although said still except",
    "c_ask": "can shall should could may good ready so deal count in sound take sign let move go signed signing get "
             "set what where",
    "c_paper": "agreement contract order paperwork purchase docusign invoice onboarding kick kickoff go next pull "
               "commit commitment lock on place put count get start installation install trial pilot sign signature "
               "deposit card payment official book booked reserve hold raise got have need like want "
               "process secure early promotion draft pay "
               "finance calendar diary set onboard take ready agreed ahead forward step",
    "c_when": "when how many should shall can who what where monday tuesday wednesday thursday friday tomorrow "
              "week happy ok comfortable ready ball happen done wrap close board anything deal need",
    "c_either_or": "or prefer which start suit",
    "c_urgency": "offer ends end only special discount limited price prices expire expires while sign commit decide "
                 "buy order act deadline year lock last miss won will before now only",
    "c_assume": "great perfect excellent awesome fantastic let i welcome pencil",
    "r_thanks": "thanks thank appreciate grateful cheers",
    "r_greet": "hi hello hey good nice great lovely pleasure how happy glad welcome",
    "r_smalltalk": "weekend holiday holidays vacation conference trip weather game kids coffee lunch summer winter "
                   "traffic flight birthday match hike cold hot sunny rain raining snow congrats congratulations "
                   "office dog cat how got get line long based originally personal building school night drive "
                   "face nice oh break back hope",
    "r_agenda": "mind ok alright before agenda keep minutes if works work plan today first questions ask busy time "
                "still good hoping cover want does spend decide hard eye tight short brief go record pitch",
    "o_tech": "you cut froze frozen hear mute muted my bad lagging echo one hang give bear let sorry excuse pardon say "
              "repeat there lost close refresh reconnect dial call background construction where what writing note "
              "take link chat video tab breaking hold barking door no rush notes",
}


RULES: tuple[Rule, ...] = (
    # --- question: sincere questions about the buyer's world -------------------------------------------
    _r("q_wh_start", "question",
       S + r"(?:what|how|why|when|where|whose|who|which)\b(?! a\b| about us| if we)(?: \w+){0,2}",
       "asks an open question ('{m}')"),
    _r("q_aux_start", "question", S + _AUX + r"(?: not)? " + _YOU + r"(?: \w+)?", "asks the buyer a question ('{m}')"),
    _r("q_invite", "question",
       r"\b(?:tell me|walk me through|talk me through|take me through|help me understand|explain|describe|"
       r"say more|i am curious|curious|i wonder|i am wondering|i would love to hear|what about)\b(?: \w+){0,2}",
       "invites the buyer to explain ('{m}')"),
    _r("q_fragment", "question",
       r"\b(?:in what way|compared to what|like what|such as what|how so|meaning what|how come|why is that|"
       r"what else|anything else|for example|what do you mean|what does that mean|what makes you)\b",
       "asks the buyer to unpack their own words ('{m}')"),
    _r("q_world", "question",
       r"\b(?:today|currently|right now|at the moment|your (?:team|side|process|week|day|role|job|business|customers|"
       r"clients|staff|people|boss|company|priorities|goals|biggest)|on your end|for you|happen|happened|handle|"
       r"impact|affect|affected|cope|coping|react|reacted|feel|felt|changed|decide|decided|matters?|success|"
       r"look like|looks like)\b",
       "asks about the buyer's world ('{m}')"),
    # --- listening: reflection, paraphrase, empathy, invitations ------------------------------------
    _r("l_empathy", "listening",
       r"\b(?:sounds|sounded|must be|must have been|must feel|must hurt|that is (?:tough|hard|rough|a lot|frustrating|"
       r"difficult|stressful|painful|a big|no joke|not easy)|i can (?:see|imagine|understand) (?:why|how|that)|"
       r"i can imagine|no wonder|sorry to hear|i am sorry|that is a lot|a lot to (?:absorb|handle|deal with|carry)|"
       r"makes sense|weighing on|i hear you|i hear that|that hurts|ouch|wow)\b",
       "acknowledges how it is for the buyer ('{m}')"),
    _r("l_reflect", "listening",
       r"(?:" + S + r"so (?:you|your|the|it is|it|for you|basically|if i|that|they|there)|"
       r"\b(?:what i am hearing|if i am hearing|if i understand|if i heard|you are saying|in other words|"
       r"let me make sure|to make sure i|let me check|to summari[sz]e|just so i|correct me if|so basically|"
       r"what you are describing|so it is|so the real|the real issue|not the tool|rather than|taking away|what i heard|"
       r"got (?:this|that) right|have got (?:this|that) right|sounds like|more than|it is (?:a|more) \w+ thing|"
       r"understandable|fair enough|that is fair|i would feel the same|i would be (?:frustrated|worried|nervous|"
       r"annoyed|upset) too|that makes sense|so for you)\b)",
       "reflects back what the buyer said ('{m}')"),
    _r("l_goon", "listening",
       r"(?:^|\| )(?:(?:ok|and|so|yes|please|mhm|oh|right) )*(?:go on|keep going|tell me more|say more|and then|"
       r"then what|what else|i see|got it|interesting|really|mhm|wow|carry on|continue|and|right|i am listening|"
       r"i am with you)(?: please)?(?= \||$)",
       "invites the buyer to keep talking ('{m}')"),
    # --- pitch: presenting the seller -----------------------------------------------------------------
    _r("p_our_thing", "pitch",
       r"\b(?:our|my|the|this) (?:\w+ )?(?:product|platform|tool|software|app|solution|system|service|services|"
       r"technology|sensors?|installers|features?|module|dashboard|offering|package|api|integrations?|engine|"
       r"version|suite|add on|plugin|device|hardware|scheduler|reporting|analytics|crm|portal)\b",
       "presents the product ('{m}')"),
    _r("p_we_do", "pitch",
       r"\b(?:we|our team|our company|our clients|our customers|our company) (?:have |are |also |now |even |just )?"
       r"(?:helped|served|worked|work with|serve|offer|provide|support|integrate|built|build|handle|specialise|"
       r"specialize|are the|are a|are an|leading|won|were named|partner|partnered|have a|have an|have the|"
       r"have over|have more|have been|been|deliver|include|cover|guarantee|ship|install|manage|launched|released|"
       r"developed|designed|make|sell|save|saw|see|got|love|use|switched|are certified|are rated|rank|ranked)\b",
       "talks about the seller ('{m}')"),
    _r("p_credentials", "pitch",
       r"\b(?:\d+|hundreds?|thousands?|millions?|dozens|fortune \d+|(?:one|two|three|four|five|six|seven|eight|nine|"
       r"ten|twenty|thirty|forty|fifty) (?:hundred|thousand)?) ?(?:of )?(?:\w+ )?(?:clients|customers|companies|"
       r"practices|hospitals|users|businesses|teams|firms|schools|stores|sites|brands|partners|installs|"
       r"installations|countries|locations)\b|\b(?:award|awards|certified|patented|best in class|industry leading|"
       r"market leader|number one|case study|testimonial|reviews|rated)\b",
       "cites credentials ('{m}')"),
    _r("p_demo", "pitch",
       r"\b(?:let me show|show you|share my screen|demo|walk you through|take you through|a quick look at|"
       r"comes with|built in|out of the box|integrates with|syncs with|connects to|plugs into|works with every|"
       r"automatically|our pricing|pricing starts|costs? (?:just|only)|per (?:month|user|seat|year)|brochure|"
       r"trusted by|used by|clients include|founded|in business|since (?:\d+|nineteen|twenty)|let me tell you about|"
       r"what we do|our approach|we also|we can also|spec sheet)\b",
       "shows or describes the offering ('{m}')"),
    _r("p_intro", "pitch",
       r"\b(?:(?:let me|i will|i would like to|i want to|i would love to|allow me to|i am going to|i thought i would|"
       r"can i|could i|start by|begin by) (?:start by |begin by |just |quickly |first |briefly )?(?:tell|telling|walk|"
       r"walking|take|taking|show|showing|give|giving|run|running|share|sharing|talk|talking) you (?:through |about |"
       r"a bit about |a little about |an overview|a quick|what we|how we|how our|who we)|(?:a bit|a little|more) "
       r"about (?:us|ourselves|our|my company|what we)|who we are|(?:our|my) (?:company|firm|agency|business|brand|"
       r"group|organi[sz]ation|studio|team|outfit|range|line up|lineup|offer|products|services))\b",
       "presents the seller ('{m}')"),
    _r("p_superlative", "pitch",
       r"\b(?:(?:the )?best (?:on|in) the (?:market|industry|business|country|world|region)|best in (?:class|the "
       r"business|the industry)|(?:the )?(?:leading|top|fastest|cheapest|easiest|most \w+) \w+ (?:on|in) the "
       r"(?:market|industry|world|country)|industry leading|market leading|market leader|award winning|world class|"
       r"state of the art|cutting edge|best of breed|second to none|unmatched|unbeatable|nobody else|no one else "
       r"(?:does|offers|has|can)|the only (?:one|company|platform|tool|provider|product|system|firm)|top rated|highest "
       r"rated|five star|leader in|leading provider|recogni[sz]ed (?:as|by)|featured in|accredited)\b",
       "praises the offering ('{m}')"),
    _r("p_track_record", "pitch",
       r"\b(?:we|our team|our clients|our customers) (?:have |ve )?(?:already )?(?:helped|served|worked with|supported|"
       r"onboarded|saved|trusted by) (?:over |more than |about |nearly |almost |well over )?(?:\d+|hundreds|"
       r"thousands|dozens|a (?:hundred|thousand)|(?:one|two|three|four|five|six|seven|eight|nine|ten|twenty|thirty|"
       r"forty|fifty|sixty|seventy|eighty|ninety) \w+|lots of|loads of|plenty of|companies|businesses|teams|firms)\b",
       "cites a track record ('{m}')"),
    _r("p_price", "pitch",
       r"\b(?:(?:implementation|setup|set up|monthly|annual|flat|licen[cs]e|subscription) fees?|fees are|our fees|"
       r"our (?:price|prices|rates)|the price (?:is|includes)|priced at|(?:\d+|hundred|thousand) (?:dollars|pounds|"
       r"euros|a month|a year|per)|a flat|that covers|included in the price|all inclusive)\b",
       "quotes the price ('{m}')"),
    _r("p_it_does", "pitch",
       r"\b(?:it|this|that|which) (?:also |automatically |even |just )?(?:syncs|integrates|tracks|alerts|handles|"
       r"sends|lets you|gives you|includes|connects|plugs|supports|automates|generates|flags|monitors|comes|"
       r"does all|does everything|does exactly|fixes|solves|takes care)\b",
       "describes what the product does ('{m}')"),
    # --- benefit: outcomes promised before a need ---------------------------------------------------
    _r("b_fixes", "benefit",
       r"\b(?:fix(?:es)?|solves?|sorts? (?:that|this|it|those) out|sorts? out|takes? care of|eliminates?|removes?|"
       r"gets? rid of|ends?|kills?|stops?|prevents?) (?:that|this|those|all (?:of )?(?:that|this|those|your)|the "
       r"(?:problem|issue|headache|pain|bottleneck|delays?|errors?|mess)|your (?:problem|issue|headache|"
       r"pain|bottleneck|delays?|errors?|mess)|exactly that|it for you|that for you|them for you)\b",
       "claims to fix the buyer's problem ('{m}')"),
    _r("b_you_will", "benefit",
       r"\byou (?:will|would|are going to|could|can|will be able to) (?:\w+ )?(?:save|get|cut|see|love|never|"
       r"reduce|increase|double|triple|grow|avoid|stop|free|gain|win|notice|wonder|sleep|finally|hit|boost|"
       r"spend less|have more|be able|close more|sell more|earn|make more|forget|enjoy|thank)\w*",
       "claims an outcome for the buyer ('{m}')"),
    _r("b_this_will", "benefit",
       r"\b(?:this|it|that|which|our \w+|the \w+) (?:will|would|is going to|can|could) (?:\w+ )?(?:save|cut|double|"
       r"halve|pay|reduce|increase|boost|transform|change|fix|solve|eliminate|free|give you|make your|help you|"
       r"improve|streamline|speed|get you|take care|slash|lift)\w*",
       "promises a result ('{m}')"),
    _r("b_outcome", "benefit",
       r"\b(?:pays? for itself|saves? you|saving you|cut your|cuts your|in half|double your|triple your|boost your|"
       r"increase your|reduce your|grow your|more time|peace of mind|no more|never again|never have to|"
       r"will not have to|so you can|so you will|so that you|return on investment|roi|a fraction of|hassle free|"
       r"worry free|your (?:\w+ )?(?:team|staff|patients|customers|clients|people|boss|reps|users|evenings|"
       r"weekends) (?:will|are going to) (?:love|thank|be|get|have)|imagine (?:if|how|having|never|your|not)|"
       r"which means|that means|means (?:fewer|less|more|no|you)|fewer \w+|you do not have to|lift a finger|"
       r"i guarantee|guaranteed|will (?:drop|fall|rise|improve|disappear|vanish|go away|be gone|go up|go down|double|"
       r"pay off)|makes? (?:\w+ ){0,3}(?:more|less) (?:productive|efficient|profitable|stressed|time|money)|"
       r"get (?:their|your) \w+ back|(?:finish|home|leave|done|out) (?:an hour |\w+ )?(?:earlier|sooner)|"
       r"up and running|from day one|you will (?:barely|only|pay less|never|forget)|free(?:s|ing)? up|focus on what "
       r"matters|in minutes|instantly|overnight|save (?:time|money|hours|days|you)|more (?:revenue|sales|customers|"
       r"bookings|leads|profit)|percent (?:less|more|faster|cheaper|savings|off|lower|higher)|times faster|"
       r"pays back|payback)\b",
       "claims an outcome for the buyer ('{m}')"),
    # --- leading question: the answer is decided in advance ------------------------------------------
    _r("lq_tag", "leading_question",
       r"\b" + _NEG_AUX + r" not (?:you|it|they|we|that|he|she|there|everyone)(?= \||$)|\w \| (?:right|yes|correct)$|"
       r"(?<=[a-z] )(?<!say )(?<!says )(?<!said )(?<!saying )(?<! a )(?<! or )(?<! the )"
       r"(?:right|correct|agreed|yes|no)(?= \||$)",
       "tags a question onto a claim ('{m}')"),
    _r("lq_agree", "leading_question",
       r"\b(?:would not you agree|you would agree|would you agree|do not you (?:think|agree|want|feel|love)|"
       r"would not it be|would not that be|does not (?:everyone|everybody|anyone)|who does not want|who would not|"
       r"surely|do you really|does it really|do they really|are they just|is not it|is not that|"
       r"can we agree|we can agree|you agree that|is not it time|is it not|would not you (?:want|like|say|love|rather)|"
       r"would not you|do not you|would not it|does not it|does not that|are not you|is not this|how (?:much )?"
       r"(?:great|nice|good|amazing|helpful|easier|better|valuable|much better|much easier) would (?:it|that) be|"
       r"wouldn ?t|(?:^|\| )(?:is|are|does|do|would|will|can|could|should|was|has|have) not (?:your|it|that|this|there|"
       r"everyone|the|we|they|you))\b",
       "asks a question with the answer built in ('{m}')"),
    _r("lq_who_better", "leading_question",
       r"\b(?:who|what) better (?:than|to|way|choice|place|time|cause|fit|person|people|partner|home|gift|reason)\b|"
       r"\bwhat (?:could|can) be better than\b",
       "asks who or what could be better, with the answer built in ('{m}')"),
    _r("lq_if_could", "leading_question",
       r"\bif (?:i|we|this|it|our \w+) (?:could|can|were able to|showed|show|proved|prove|guaranteed|guarantee|got|"
       r"made|make|offered|cut|saved|halved|doubled|did)\b.*"
       r"\b(?:would|will|could|is there|are you|do you|any reason)\b",
       "offers a hypothetical to win a yes ('{m}')"),
    _r("lq_what_if", "leading_question",
       r"\b(?:what if (?:i told you|you could|your|we could|i could|you had|you never|it|there was|you did not)|"
       r"how would (?:it|you|that) feel (?:if|to|when)|how would you feel if|how much would (?:it|that) be worth|"
       r"how (?:good|great|nice|much better|much easier) would|have you ever (?:stopped|thought about how|considered "
       r"how)|what would it mean (?:to|for) you if|can you imagine|picture this|is it fair to say|so you agree|"
       r"you agree|really (?:working|getting|happy|sure|need|want|the best|worth)|would you say (?:your|that|it|you)|"
       r"surely you|you must (?:want|agree|see|be tired)|i am sure you (?:would|will) agree|we can both agree|"
       r"crazy not to|afford not to|you can see (?:how|why|that)|i bet you|would it help if (?:i|we)|"
       r"what would you say if|does not it make sense|makes sense (?:right|yes|does not it)|would you not)\b",
       "paints a picture to win a yes ('{m}')"),
    _r("lq_want_good", "leading_question",
       S + r"(?:do|would|are|will|does|is|can|could) (?:not )?(?:you|your \w+|it|that|they)"
       r"(?: \w+){0,3} (?:want|like|love|interested|rather|prefer|agree|better|easier|nice|good|great|helpful|"
       r"valuable|worth)(?: \w+){0,3} (?:to )?(?:save|saving|cut|cutting|fewer|more|less|faster|better|grow|growing|"
       r"reduce|reducing|increase|increasing|double|avoid|never|stop|ahead|easier|everything|peace|one place|money)\b",
       "asks if the buyer wants an obvious good ('{m}')"),
    _r("lq_any_reason", "leading_question",
       r"\b(?:any reason (?:you|not|why)|why would not you|why would you not|is there any reason|what is stopping you|"
       r"what would stop you|you would be interested|would you be interested|are you interested)\b",
       "asks for a yes rather than the buyer's view ('{m}')"),
    # --- objection handling: arguing with a concern ---------------------------------------------------
    _r("oh_dismiss", "objection_handling",
       r"\b(?:never (?:a|an) (?:problem|issue|concern)|not (?:a|an|really a|really an) (?:problem|issue|concern)|"
       r"no problem at all for|nothing to worry about|do not worry|no need to worry|should not be (?:the|an|a) "
       r"(?:issue|problem|concern)|(?:budget|price|cost|time|that) should not be|(?:that|it|this|price|budget|cost|"
       r"time|security) is not (?:really )?(?:an|a|the) "
       r"(?:issue|problem|concern)|old news|a myth|not true|not the case|not anymore|always come around|"
       r"come around|trust me|believe me|you would be surprised|everyone says that|we hear that a lot|"
       r"i hear that a lot|that is what everyone|overblown|exaggerated|misconception|outdated|"
       r"not as (?:hard|bad|expensive|complicated|long|slow)|much better now|way better now|that was before|"
       r"that has changed|that is changed|we fixed that|we have fixed|we solved that|people think that|"
       r"always say that|what everyone says|not a real|with respect|in line with|anyway|flies by|not like them|"
       r"we actually|what is there to think|speak for themselves|on (?:their|its) way out|will have to change|"
       r"than (?:people|you|most people) (?:think|expect|would think)|never a (?:perfect|good|right|bad) time|"
       r"will be fine|will not find|not with us|one off|been fixed|no longer|common concern|felt the same|"
       r"feel the same way|rest assured|good news is|let me address|easily (?:fixed|solved|sorted)|easy to (?:fix|"
       r"solve|sort)|will not be a problem|is not going to be a problem|factor in|an investment|not a cost|"
       r"when you look at|if you look at the numbers|you will find that|still worth|worth it|standard across|"
       r"industry standard|everyone has the same|same as everyone|normal in (?:the|this) industry|pretty standard|"
       r"completely normal|it is (?:really )?nothing|only takes|(?:minutes|hours|days) tops|"
       r"no point (?:waiting|in waiting|holding off)|why wait|not (?:that|much|very) different)\b",
       "dismisses the buyer's concern ('{m}')"),
    _r("oh_compare", "objection_handling",
       r"\b(?:cheaper|less expensive|costs? less|better than|faster than|more reliable than|would take (?:you )?"
       r"(?:years|months|forever|ages)|cost (?:you )?(?:far |much |way )?more|far more|the savings (?:cover|pay|"
       r"outweigh)|more than makes up|makes up for|outweigh|worth every|small price|in the long run|over (?:five|"
       r"three|two|ten|\d+) years|the real cost|actually cost|actually costs|actually save|the cost of doing "
       r"nothing|cost of waiting|compared to (?:doing|what you|building|the|your current))\b",
       "out-argues the buyer's concern ('{m}')"),
    _r("oh_ack_but", "objection_handling",
       r"\b(?:i (?:get|hear|understand|see|know|appreciate|hear you on|totally get|completely understand|respect) "
       r"(?:that|you|it|where you are coming from|your concern|the concern|the worry|what you are saying)?|"
       r"fair (?:enough|point)|true|sure|totally|absolutely|i understand|i get it|i hear you|understood|ok|yes|"
       r"i know)(?: \|)? (?:but|however|though|although|that said|still|except)\b",
       "acknowledges, then argues ('{m}')"),
    # --- close: pushing for commitment ---------------------------------------------------------------
    _r("c_ask", "close",
       r"\b(?:can|shall|should|could|may) (?:i|we) (?:just )?(?:send|get|draw up|email over|set up|book|put|lock|"
       r"start|go ahead|move forward|sign|pencil|count on|process|reserve|ship|bring you|get you|finalise|"
       r"finalize|confirm|go|take|schedule the|schedule your|order)\b|"
       r"\b(?:are we good to go|good to go|ready to (?:go|start|sign|move|buy|get|commit|order|proceed|roll)|"
       r"so are we|shall we|do we have a deal|have a deal|can we count|are you in|sound good to go|"
       r"what would it take|where do i sign|let us do (?:it|this)|move ahead|go ahead with|"
       r"(?:sign|signed|signing) (?:up|on|the|today|now|here)|set (?:that|it|this|you|everything) up|"
       r"get (?:you|it|this) (?:signed|started|set up|going|"
       r"booked|scheduled|ordered|installed|on board|onboard))\b",
       "pushes for commitment ('{m}')"),
    _r("c_when", "close",
       r"\b(?:(?:when|how soon) (?:would|do|can|could|shall|should) (?:you|we) (?:like to |want to )?(?:start|begin|"
       r"get started|kick off|go live|sign|proceed|get going|move forward|go ahead)|how many \w+ (?:should|shall|can) "
       r"(?:i|we)|(?:should|shall|can) i put you down|(?:who|what|where) should (?:i|we) (?:send|address|make|put|"
       r"deliver|invoice|bill)|(?:monday|tuesday|wednesday|thursday|friday|tomorrow|next week|this week) (?:work|suit|"
       r"look)|(?:happy|ok|comfortable|ready) to (?:proceed|go ahead|move forward|sign|start|get started|commit)|"
       r"get the ball rolling|make it happen|get (?:this|it) done|wrap (?:this|it) up|close this out|get you on board|"
       r"anything stopping (?:us|you)|do we have a deal|i will (?:just )?need (?:your|a) (?:signature|card|details|"
       r"deposit|po|purchase order))\b",
       "asks for the next step of the deal ('{m}')"),
    _r("c_paper", "close",
       r"\b(?:agreement|contract|order form|paperwork|purchase order|docusign|invoice|onboarding|kick off|kickoff|"
       r"go live|next steps?|pull the trigger|commit|commitment|lock (?:in|it in|that in)|on board|place (?:the|an) "
       r"order|put you down|count you in|get started|start date|installation|install date|trial|pilot|sign(?! in\b)|"
       r"signature|deposit|card details|payment details|make it official|book you in|"
       r"(?:get|got|have|had) (?:\w+ ){1,3}booked in|booked (?:you|it|that|them) in|"
       r"you (?:are|will be) (?:all )?booked in|put you down|reserve|"
       r"hold (?:it|the \w+) for you|raise a po|process the order|secure (?:your|the|a) \w+|early bird|promotion|"
       r"draft (?:the|an|a) (?:agreement|contract|order)|how would you like to pay|finance option|on the calendar|"
       r"in the diary|get you in|set you up|onboard you|take it from here|ready when you are|are we agreed|"
       r"agreed then|go ahead|move forward|next step|(?:got|have) a deal|need a yes|"
       r"(?:would you like|do you want|want|like) to (?:go with|proceed|order|book it|sign|get started))\b",
       "talks about the deal ('{m}')",
       # asking how the buyer's own steps went or work is not the rep's deal: "how did the company get started",
       # "who signs off before you can go ahead"
       unless=r"\b(?:how|when|why|where|what) did\b|\bbefore (?:you|we|they|he|she|it) (?:can|could)\b"),
    _r("c_either_or", "close",
       r"\b(?:monday|tuesday|wednesday|thursday|friday|morning|afternoon|monthly|annual|yearly|this week|next week|"
       r"basic|premium|pro|standard|starter|enterprise|\w+ plan|\w+ package) or (?:the )?(?:monday|tuesday|"
       r"wednesday|thursday|friday|morning|afternoon|monthly|annual|yearly|this week|next week|basic|premium|pro|"
       r"standard|starter|enterprise|\w+ plan|\w+ package)\b|\b(?:would you prefer|do you prefer|which (?:works|"
       r"would work|do you want|is better|would you like|one do you want|option|works better|would suit)|"
       r"would suit you|would you like to start with|(?:go with|start with|start on|go for|sign up for|opt for|"
       r"choose|pick) (?:the )?\w+(?: \w+){0,3} or|(?:should|shall) (?:we|i) \w+(?: \w+){0,5} or)\b",
       "offers an either-or choice ('{m}')"),
    _r("c_urgency", "close",
       r"\b(?:offer ends|ends (?:today|tomorrow|friday|this week|soon)|end of (?:the )?(?:month|quarter|week|year)|"
       r"this week only|today only|special (?:rate|price|offer|deal|pricing)|discount|limited time|"
       r"price goes up|prices go up|before the price|only (?:a few|two|three|\d+) (?:spots|slots|left|places)|"
       r"expires?|while it lasts|(?:if you )?(?:sign|commit|decide|buy|order) (?:now|today|this week|before)|"
       r"act now|deadline|this year s price|lock in|last chance|do not miss|won t last|will not last|"
       r"before (?:friday|monday|the end)|now is (?:really )?the (?:moment|time)|only good (?:till|until|for))\b",
       "creates urgency ('{m}')"),
    _r("c_assume", "close",
       r"(?:" + S + r"(?:great|perfect|excellent|awesome|fantastic) (?:\| )?(?:let us|so|i will|then)|"
       r"\blet us (?:get|pencil|book|schedule|put|set|lock|go|start|sign|do|make it|pick|firm)|"
       r"\bi will (?:send|draw up|get|book|put|set|pencil|have|email) (?:you|the|over|it|up|that|a|an|your)"
       r"(?: \w+){0,2} (?:agreement|contract|order|paperwork|invoice|form|install|onboarding|start|account|"
       r"license|licence)|\bwelcome aboard\b|\bpencil (?:in|you))",
       "assumes the sale ('{m}')"),
    # --- rapport: greetings, thanks, small talk, agenda ----------------------------------------------
    _r("r_thanks", "rapport", r"\b(?:thanks|thank you|appreciate (?:you|your|it|the)|grateful|cheers)\b",
       "thanks the buyer ('{m}')"),
    _r("r_greet", "rapport",
       S + r"(?:hi|hello|hey|good (?:morning|afternoon|evening)|nice to (?:meet|see|speak|talk)|great to (?:meet|see|"
       r"speak|talk|finally)|lovely to|pleasure|how are you(?! (?!doing|keeping|getting on)\w+ing)|how is it going|"
       r"how are things|how have you been|"
       r"how is your (?:day|week|morning)|how was your (?:day|week|morning|weekend)|happy (?:friday|monday|new year|"
       r"holidays)|good to (?:see|meet|hear|speak|talk)|glad you made it|my pleasure|welcome)\b",
       "greets the buyer ('{m}')"),
    _r("r_smalltalk", "rapport",
       r"\b(?:weekend|holiday|holidays|vacation|conference|trip|weather|the game|kids|coffee|lunch|summer|winter|"
       r"traffic|flight|birthday|match|hike|cold out|hot out|sunny|rain|raining|snow|congrats|congratulations|"
       r"your office|dog|cat|how was (?:the|your)|got into|get into this|line of work|how long have you been|"
       r"where are you based|originally from|personal question|new building|new school|last night|drive in|"
       r"put a face|how was it(?= \||$)|nice (?:view|place|office|spot)|oh nice|new office|good break|"
       r"hope (?:it|you) (?:was|had|went|enjoyed))\b",
       "makes small talk ('{m}')"),
    _r("r_agenda", "rapport",
       r"\b(?:mind if i|do you mind if|is it ok if i|would it be ok if|would it be alright if|before we (?:start|begin|"
       r"dive|get into|jump in|kick off|get going)|make sure we cover|want to cover|agenda|"
       r"keep this to|(?:\d+|five|ten|fifteen|twenty|thirty|forty five|sixty) minutes|"
       r"if that works|does that work for you|would that be ok|plan for (?:today|the call)|for today i thought|"
       r"understand your situation first|a few questions first|ask a few questions|ask you a few|"
       r"i know you are busy|respect your time|your time|how much time do you have|still good for|good time to|"
       r"hoping (?:we would|to) cover|cover today|does that work|spend (?:most of )?the time|decide together|"
       r"hard stop|keep an eye on the time|keep it (?:tight|short|brief)|let you go on time|record this|"
       r"not pitch|not to pitch|no pitch)\b",
       "sets the agenda or asks permission ('{m}')"),
    # --- other: logistics, repairs --------------------------------------------------------------------
    _r("o_tech", "other",
       r"\b(?:you (?:cut|froze|broke|dropped)|cut out|froze|frozen|can you hear me|hear me ok|on mute|muted|"
       r"my (?:screen|audio|connection|internet|camera|mic|microphone|wifi|other window|phone|laptop)|bad connection|"
       r"lagging|echo|one (?:sec|second|moment)|hang on|give me a (?:sec|second)|bear with me|let me just|"
       r"sorry (?:about that|go ahead|you go)|excuse me|pardon|say (?:that )?again|repeat that|you there|still there|"
       r"lost you|close (?:my|this)|refresh|reconnect|dial back|call back|background noise|construction|"
       r"lost my train|where was i|what was i saying|let me grab|let me find|let me write|the link|the chat|"
       r"the video|wrong tab|breaking up|hold on|barking|at the door|take your time|no rush|my notes|"
       r"writing that down|note that down|take a note)\b",
       "handles logistics ('{m}')"),
)

_CONTRACT = (  # (pattern, replacement or None for "not", a substring the pattern cannot match without)
    (re.compile(r"\b(would|do|does|did|is|are|can|could|will|have|has|was|were|should) not\b"), None, " not"),
    (re.compile(r"\byou will\b"), "you'll", "you will"),
    (re.compile(r"\bi am\b"), "i'm", "i am"),
    (re.compile(r"\blet us\b"), "let's", "let us"),
    (re.compile(r"\b(that|what|it) is\b"), r"\1's", " is"),
    (re.compile(r"\byou are\b"), "you're", "you are"),
    (re.compile(r"\bi will\b"), "i'll", "i will"),
    (re.compile(r"\bwe are\b"), "we're", "we are"),
)
_NEG = {"will": "won't", "can": "can't", "do": "don't", "does": "doesn't", "did": "didn't"}


def display(words: str) -> str:
    """Re-contract normalised words for a cue: "would not you" -> "wouldn't you"."""
    words = words.replace(" | ", ", ").strip(" |")
    for pattern, repl, needed in _CONTRACT:
        if needed not in words:
            continue
        if repl is None:
            words = pattern.sub(lambda m: _NEG.get(m.group(1), m.group(1) + "n't"), words)
        else:
            words = pattern.sub(repl, words)
    return words
