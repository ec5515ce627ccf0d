"""Which of the buyer's facts a rep's question asks about, or none: a learned matcher.

It works from each fact's own text (topic, keywords, ``says`` lines), never from per-persona
training data, so it serves personas that users write.  Two small models, trained on questions by
independent authors about 36 fictional buyers in 36 lines of business (``tools/buyer_matcher``):

1. **What kind of question is it?**  A softmax over the question's sentence embedding
   (``simulator.persona.embedding``) and its words and word pairs: one of the seven fact kinds
   (situation, problem, cause, cost, people, tried, success) or ``broad`` (a wide opener),
   ``profile`` (an everyday public question), ``offtopic`` (small talk) or ``uncovered`` (about the
   business, but no fact of this buyer answers it).
2. **Which fact?**  A logistic score for each (question, fact) pair from the cosine similarity of
   the question with the fact's topic, topic and keywords, and best ``says`` line (each also as a
   margin over the other facts), the weighted overlap of content words, the kind model's
   probability of the fact's kind, the old question-shape hint, and the kind model's probability
   that the question is a broad opener, an everyday question or small talk (not ``uncovered``: whether
   a business question is covered depends on this buyer's facts, which the cosines measure, not on its
   shape; counting it kept "How do you take the custom orders at the moment?" from the paper orders).

The question is about the best fact when its score reaches ``fact_threshold``, the probability that it is a
broad opener, an everyday question or small talk stays below ``none_threshold``, and the question is close
enough in meaning to that fact's own text: its best cosine with the fact's topic, topic and keywords or a
``says`` line reaches ``content_threshold``, and its likeliest kind is not ``broad`` ("What made you take this
meeting?" is an opener, however close it comes to one fact). The closeness gate keeps small talk shaped like a
fact's kind ("Have you tried the new Thai place?" and the fact about what was tried) from opening a hidden fact.
Otherwise it is a ``broad`` opener when ``broad`` is its likeliest kind, or when the kind model's probability of
``broad`` reaches ``broad_threshold`` (chosen by cross-validation over the training buyers) and small talk is not
its likeliest kind, else a ``profile`` question when that is the likeliest kind, else ``other`` (small talk, or a
business question this buyer has no fact for).
The fact, none and content thresholds are chosen on development questions about the shipped personas by other
authors (``tools/buyer_matcher_data/dev-*.tsv``): the training questions were written to reach their facts
obliquely, so cross-validation over them cannot say how far real questions stay from a fact's words.

A question aimed at the buyer as a person ("How's this hitting you personally?", "does the plant follow you home at
night", ``matching.PERSONAL_CUES``) is about the persona's ``personal`` fact, whatever the models say: the sentence
model reads those questions as small talk or pulls them towards the business fact they mention. Chosen on the
development questions (aimed 200 -> 210 of 242, guarded 168 -> 178 of 215, everything else level).

A question that is neither about a fact nor a broad opener is answered from the persona's public
``[[profile]]`` when one entry is close enough (cosine of the question with the entry's topic and keywords or
one of its lines at least ``PROFILE_MIN``, chosen on a development set by another author,
``tools/buyer_matcher_data/dev-profile.tsv``: the lowest value that answers at most 10% of small talk from the
profile). Fact vectors are computed once per persona and cached. ``understand(text, persona)`` costs one
sentence embedding (about 9 ms on one core) plus a few hundred multiplications.
"""

from __future__ import annotations

import json
import math
import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from simulator.persona.matching import asks_personally, kind_hint, stems

if TYPE_CHECKING:  # pragma: no cover
    from simulator.persona.schema import Persona

MODEL_PATH = Path(__file__).with_name("understanding_model.json")
FACT_KINDS = ("situation", "problem", "cause", "cost", "people", "tried", "success")
NONE_CLASSES = ("broad", "profile", "offtopic", "uncovered")
#: the kinds whose probability keeps a question from opening a fact (``none_threshold``): those the question alone
#: shows.  Not ``uncovered``: whether this buyer has a fact for a business question is for the fact scores and the
#: content gate to say (they read the buyer's facts; the kind model does not), so it only weighs in as a feature
VETO_CLASSES = ("broad", "profile", "offtopic")
CLASSES = FACT_KINDS + NONE_CLASSES
_TOKEN = re.compile(r"[a-z']+")


def tokens(text: str) -> set[str]:
    """The question's words and adjacent word pairs (``who_else``), lower case."""
    words = _TOKEN.findall(text.lower().replace("\u2019", "'"))
    return set(words) | {f"{a}_{b}" for a, b in zip(words, words[1:], strict=False)}


@dataclass(frozen=True)
class FactText:
    """What the matcher reads of one fact (or of a training buyer's fact)."""

    id: str
    kind: str
    topic: str
    keywords: tuple[str, ...]
    says: tuple[str, ...]

    def texts(self) -> list[str]:
        """topic, topic with keywords, then each says line (the order ``FactVectors`` expects)."""
        return [self.topic, f"{self.topic}: {', '.join(self.keywords)}", *self.says]

    def vocabulary(self) -> set[str]:
        return set(stems(" ".join([self.topic, *self.keywords, *self.says])))

    def phrases(self) -> list[tuple[str, ...]]:
        """The topic and each keyword as stem sequences (a keyword named whole is a strong hint)."""
        return [p for p in (tuple(stems(k)) for k in [self.topic, *self.keywords]) if p]


@dataclass
class FactVectors:
    """A buyer's facts, embedded: one row per fact for topic and topic+keywords, the best-matching
    says line is found among ``says`` (rows grouped by ``says_owner``)."""

    facts: list[FactText]
    topic: np.ndarray
    topic_keywords: np.ndarray
    says: np.ndarray
    says_owner: np.ndarray
    vocab: list[set[str]]
    phrases: list[list[tuple[str, ...]]] = field(default_factory=list)

    @classmethod
    def build(cls, facts: Sequence[FactText], encode) -> FactVectors:
        texts, owner = [], []
        for f in facts:
            texts += [f.topic, f"{f.topic}: {', '.join(f.keywords)}"]
        says_texts = [(i, line) for i, f in enumerate(facts) for line in f.says]
        vectors = encode(texts + [line for _, line in says_texts])
        n = len(facts)
        owner = np.array([i for i, _ in says_texts], dtype=int)
        return cls(list(facts), vectors[0 : 2 * n : 2], vectors[1 : 2 * n : 2], vectors[2 * n :], owner,
                   [f.vocabulary() for f in facts], [f.phrases() for f in facts])  # fmt: skip

    def cosines(self, q: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        n = len(self.facts)
        best_says = np.full(n, -1.0, dtype=np.float32)
        np.maximum.at(best_says, self.says_owner, self.says @ q)
        return self.topic @ q, self.topic_keywords @ q, best_says

    def closeness(self, q: np.ndarray, i: int) -> float:
        """The best cosine of ``q`` with fact ``i``'s topic, topic and keywords, or one of its says lines."""
        says = self.says[self.says_owner == i] @ q
        return float(max(self.topic[i] @ q, self.topic_keywords[i] @ q, *says))


#: smoothing of the kind log-probability: a question phrased as another kind ("who handles the rota?" about a
#: problem fact) costs a bounded amount, not an unbounded one
KIND_LOG_FLOOR = 0.1

PAIR_FEATURES = (
    "cos_topic", "cos_topic_margin", "cos_topic_centred",
    "cos_keywords", "cos_keywords_margin", "cos_keywords_centred",
    "cos_says", "cos_says_margin", "cos_says_centred",
    "lexical", "lexical_margin", "keyword_hits", "keyword_hits_margin",
    "kind_prob_given_fact", "kind_logprob", "kind_hint", "none_prob",
)  # fmt: skip


def _margins(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each value minus the best of the others, and minus the mean."""
    if len(values) == 1:
        return np.zeros(1), np.zeros(1)
    order = np.sort(values)
    best, second = order[-1], order[-2]
    others_best = np.where(values >= best, second, best)
    return values - others_best, values - values.mean()


def lexical_scores(question: str, vocab: list[set[str]]) -> np.ndarray:
    """Content-word overlap weighted by rarity across this buyer's facts (as the old matcher)."""
    words = set(stems(question))
    df: dict[str, int] = {}
    for v in vocab:
        for w in v:
            df[w] = df.get(w, 0) + 1
    n = len(vocab)
    return np.array([sum(1.0 + math.log(n / df[w]) for w in words & v) for v in vocab], dtype=np.float64)


def keyword_hits(question: str, phrases: list[list[tuple[str, ...]]]) -> np.ndarray:
    """How many of each fact's topic and keyword phrases the question names whole (in stem order)."""
    words = stems(question)
    joined = f" {' '.join(words)} "
    return np.array([sum(1.0 for p in fact if f" {' '.join(p)} " in joined) for fact in phrases], dtype=np.float64)


def pair_features(question: str, q: np.ndarray, vectors: FactVectors, kind_probs: np.ndarray) -> np.ndarray:
    """One row of ``PAIR_FEATURES`` per fact."""
    cols = []
    for cos in vectors.cosines(q):
        cos = cos.astype(np.float64)
        margin, centred = _margins(cos)
        cols += [cos, margin, centred]
    lex = lexical_scores(question, vectors.vocab)
    lex_margin, _ = _margins(lex)
    hits = keyword_hits(question, vectors.phrases)
    hits_margin, _ = _margins(hits)
    cols += [lex / 5.0, lex_margin / 5.0, hits, hits_margin]
    none = float(sum(kind_probs[CLASSES.index(c)] for c in VETO_CLASSES))
    hint = kind_hint(question)
    kinds = [CLASSES.index(f.kind) for f in vectors.facts]
    p_kind = kind_probs[kinds]
    cols += [p_kind / max(1e-6, 1.0 - none), np.log(p_kind + KIND_LOG_FLOOR),
             np.array([float(hint == f.kind) for f in vectors.facts]), np.full(len(kinds), none)]
    return np.column_stack(cols)


@dataclass
class MatcherModel:
    """The trained weights (``understanding_model.json``)."""

    vocab: dict[str, int]
    kind_weights: np.ndarray  # (embedding dim + len(vocab) + 1, len(CLASSES))
    pair_weights: np.ndarray  # (len(PAIR_FEATURES) + 1,)
    fact_threshold: float
    none_threshold: float
    meta: dict
    #: a question about no fact is a broad opener when its broad probability reaches this
    broad_threshold: float = 0.5
    #: the least cosine of the question with the best fact's own text for that fact to be the answer
    content_threshold: float = 0.0

    @classmethod
    def load(cls, path: Path = MODEL_PATH) -> MatcherModel:
        doc = json.loads(path.read_text(encoding="utf-8"))
        if tuple(doc["classes"]) != CLASSES or tuple(doc["pair_features"]) != PAIR_FEATURES:
            raise ValueError(f"{path}: trained for other classes or features; retrain (tools/buyer_matcher)")
        return cls({t: i for i, t in enumerate(doc["vocab"])}, np.array(doc["kind_weights"], dtype=np.float64),
                   np.array(doc["pair_weights"], dtype=np.float64), float(doc["fact_threshold"]),
                   float(doc["none_threshold"]), doc.get("meta", {}), float(doc["broad_threshold"]),
                   float(doc.get("content_threshold", 0.0)))  # fmt: skip

    def save(self, path: Path = MODEL_PATH, decimals: int = 5) -> None:
        vocab = sorted(self.vocab, key=self.vocab.get)
        doc = {
            "classes": list(CLASSES), "pair_features": list(PAIR_FEATURES), "meta": self.meta,
            "fact_threshold": self.fact_threshold, "none_threshold": self.none_threshold,
            "broad_threshold": self.broad_threshold, "content_threshold": self.content_threshold,
            "pair_weights": np.round(self.pair_weights, decimals).tolist(), "vocab": vocab,
            "kind_weights": np.round(self.kind_weights, decimals).tolist(),
        }  # fmt: skip
        path.write_text(json.dumps(doc, separators=(",", ":")) + "\n", encoding="utf-8")

    def kind_inputs(self, text: str, q: np.ndarray) -> np.ndarray:
        words = np.zeros(len(self.vocab) + 1)
        for t in tokens(text):
            i = self.vocab.get(t)
            if i is not None:
                words[i] = 1.0
        words[-1] = 1.0  # bias
        return np.concatenate([q.astype(np.float64), words])

    def kind_probs(self, text: str, q: np.ndarray) -> np.ndarray:
        return softmax(self.kind_inputs(text, q) @ self.kind_weights)

    def fact_scores(self, features: np.ndarray) -> np.ndarray:
        return sigmoid(features @ self.pair_weights[:-1] + self.pair_weights[-1])


def softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=-1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)


def sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(z, -40, 40)))


@dataclass(frozen=True)
class Understanding:
    """What the rep's question is about."""

    #: the fact asked about, or None
    fact_id: str | None
    #: "fact", "broad", "profile" or "other" (small talk, or nothing this buyer has a fact for)
    category: str
    #: the fact's score (0-1), and the probability that the question is a broad opener, an everyday question or
    #: small talk (``VETO_CLASSES``, what ``none_threshold`` is compared with)
    score: float
    none_prob: float
    #: the kind of question (one of CLASSES)
    kind: str
    #: the public profile entry that answers it, when the question is not about a fact
    profile_id: str | None = None
    #: the probability that it is a broad opener
    broad_prob: float = 0.0


_lock = threading.Lock()
#: the least cosine similarity for a profile entry to answer a question (see the module docstring)
PROFILE_MIN = 0.40


@lru_cache(maxsize=1)
def model() -> MatcherModel:
    return MatcherModel.load()


def persona_facts(persona: Persona) -> list[FactText]:
    return [FactText(f.id, f.kind, f.topic, tuple(f.keywords), tuple(f.says)) for f in persona.facts]


_vector_cache: dict[tuple, FactVectors] = {}


def profile_texts(persona: Persona) -> list[FactText]:
    """The public profile entries, read like facts (kind "profile")."""
    return [FactText(e.id or e.topic, "profile", e.topic, tuple(e.keywords), tuple(e.says))
            for e in persona.profile]  # fmt: skip


def vectors_for(persona: Persona, profile: bool = False) -> FactVectors:
    """The persona's fact vectors, computed once per persona content."""
    facts = profile_texts(persona) if profile else persona_facts(persona)
    key = (persona.id, profile, tuple(facts))
    with _lock:
        cached = _vector_cache.get(key)
    if cached is None:
        from simulator.persona import embedding

        cached = FactVectors.build(facts, embedding.encode)
        with _lock:
            if len(_vector_cache) > 32:
                _vector_cache.clear()
            _vector_cache[key] = cached
    return cached


def decide(m: MatcherModel, text: str, q: np.ndarray, vectors: FactVectors) -> Understanding:
    """The decision rule of the module docstring, for one question."""
    probs = m.kind_probs(text, q)
    none = float(sum(probs[CLASSES.index(c)] for c in VETO_CLASSES))
    kind = CLASSES[int(probs.argmax())]
    broad = float(probs[CLASSES.index("broad")])
    if vectors.facts:
        scores = m.fact_scores(pair_features(text, q, vectors, probs))
        best = int(scores.argmax())
        close = vectors.closeness(q, best) >= m.content_threshold
        if scores[best] >= m.fact_threshold and none < m.none_threshold and close and kind != "broad":
            return Understanding(vectors.facts[best].id, "fact", float(scores[best]), none, kind, broad_prob=broad)
        top = float(scores[best])
    else:
        top = 0.0
    category = "broad" if is_opener(broad, kind, m.broad_threshold) else "profile" if kind == "profile" else "other"
    return Understanding(None, category, top, none, kind, broad_prob=broad)


def is_opener(broad_prob: float, kind: str, threshold: float) -> bool:
    """A broad opener: the likeliest kind is broad, or the broad kind's probability reaches the threshold and small
    talk is not the likeliest kind ("What's the parking like around here?" has some of the broad kind, but it never
    opens the business)."""
    return kind == "broad" or (broad_prob >= threshold and kind != "offtopic")


def understand(text: str, persona: Persona) -> Understanding:
    """What ``text`` asks of ``persona`` (see the module docstring)."""
    from simulator.persona import embedding

    q = embedding.encode([text])[0]
    u = decide(model(), text, q, vectors_for(persona))
    personal = persona.personal_fact
    if personal is not None and asks_personally(text):  # the buyer as a person, whatever else the words touch
        return replace(u, fact_id=personal.id, category="fact")
    if u.fact_id is None and u.category != "broad":
        entry = best_profile(q, vectors_for(persona, profile=True))
        if entry is not None:
            return replace(u, category="profile", profile_id=entry)
    return u


def best_profile(q: np.ndarray, vectors: FactVectors) -> str | None:
    """The profile entry closest to the question, when it is close enough (``PROFILE_MIN``)."""
    if not vectors.facts:
        return None
    topic, keywords, says = vectors.cosines(q)
    best = np.maximum(keywords, says)
    i = int(best.argmax())
    return vectors.facts[i].id if best[i] >= PROFILE_MIN else None
