"""What counts as AI safety, and which area a work belongs to: the documented definition.

Three signals, each configurable through :class:`SafetyDefinition`:

* **OpenAlex topics / concepts** -- a work whose ``primary_topic``/``topics`` or ``concepts``
  name one of :data:`DEFAULT_TOPICS` / :data:`DEFAULT_CONCEPTS` is AI safety;
* **a keyword query** -- :data:`SAFETY_KEYWORD_REGEX` over title + abstract + keywords
  (written in the common subset of RE2, Java and Python regex, so DuckDB, Spark and
  Python evaluate the same expression);
* **the text classifier** (TF-IDF + logistic regression, see :mod:`.classifier`) when it
  has been trained; otherwise the keyword query is used and a notice says so.

Areas: the framework's four (verification, protocols, infrastructure, evaluations) plus
four other safety topics (interpretability, robustness, alignment, governance).
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

FRAMEWORK_AREAS: tuple[str, ...] = ("verification", "protocols", "infrastructure", "evaluations")
OTHER_AREAS: tuple[str, ...] = ("interpretability", "robustness", "alignment", "governance")
ALL_AREAS: tuple[str, ...] = FRAMEWORK_AREAS + OTHER_AREAS

AREA_TITLES: dict[str, str] = {
    "verification": "Verification mechanisms",
    "protocols": "Protocols and best practices",
    "infrastructure": "Safety infrastructure",
    "evaluations": "Evaluation methods",
    "interpretability": "Interpretability",
    "robustness": "Robustness and security",
    "alignment": "Alignment",
    "governance": "Governance and forecasting",
}


def _alt(*terms: str) -> str:
    return r"\b(" + "|".join(terms) + r")\b"


# The keyword query for "is this AI safety?". Deliberately narrower than the loose regex
# described in the paperlists SOURCE.md (no bare "privacy"/"fairness"): ethics topics are
# not counted as safety unless they co-occur with a safety term.
SAFETY_TERMS: tuple[str, ...] = (
    "ai safety",
    "safe reinforcement learning",
    "safe rl",
    "safe exploration",
    "alignment",
    "aligned",
    "misalign\\w*",
    "interpretab\\w*",
    "explainab\\w*",
    "mechanistic",
    "adversarial (example|attack|robust)\\w*",
    "adversarially robust",
    "certified robust\\w*",
    "robustness verification",
    "neural network verification",
    "formal verification",
    "backdoor\\w*",
    "trojan\\w*",
    "data poisoning",
    "poisoning attack\\w*",
    "jailbreak\\w*",
    "red[- ]teaming",
    "out[- ]of[- ]distribution detection",
    "distribution shift",
    "reward hacking",
    "reward misspecification",
    "reward model\\w*",
    "specification gaming",
    "value learning",
    "inverse reinforcement learning",
    "human feedback",
    "rlhf",
    "corrigib\\w*",
    "deceptive",
    "deception",
    "hallucination\\w*",
    "existential risk",
    "catastrophic risk\\w*",
    "dangerous capabilit\\w*",
    "model evaluation\\w*",
    "safety evaluation\\w*",
    "ai governance",
    "watermark\\w*",
    "membership inference",
    "model extraction",
    "uncertainty calibration",
    "anomaly detection",
)
SAFETY_KEYWORD_REGEX: str = "(?i)" + _alt(*SAFETY_TERMS)

# Per-area keyword lexicons: used for the keyword fallback and as weak labels for the
# three framework areas the Alignment Newsletter has no category for.
AREA_TERMS: dict[str, tuple[str, ...]] = {
    "verification": (
        "verif\\w*",
        "certif\\w*",
        "proof\\w*",
        "provabl\\w*",
        "formal\\w*",
        "attestation",
        "compliance",
        "audit\\w*",
        "zero[- ]knowledge",
        "hardware[- ]enabled",
        "watermark\\w*",
        "provenance",
        "monitoring",
    ),
    "protocols": (
        "protocol\\w*",
        "best practice\\w*",
        "standard\\w*",
        "guideline\\w*",
        "norms?",
        "framework for responsible",
        "responsible (ai|scaling|disclosure)",
        "code of conduct",
        "incident report\\w*",
        "documentation",
        "model cards?",
        "datasheets?",
    ),
    "infrastructure": (
        "infrastructure",
        "compute",
        "hardware",
        "platform\\w*",
        "toolkit\\w*",
        "library",
        "open[- ]source",
        "software",
        "pipeline\\w*",
        "simulator\\w*",
        "environment\\w*",
        "gym",
        "dataset\\w*",
    ),
    "evaluations": (
        "benchmark\\w*",
        "evaluat\\w*",
        "red[- ]team\\w*",
        "stress[- ]test\\w*",
        "capabilit\\w* (elicitation|assessment)",
        "dangerous capabilit\\w*",
        "uplift",
        "test suite\\w*",
        "leaderboard\\w*",
        "jailbreak\\w*",
    ),
    "interpretability": (
        "interpretab\\w*",
        "explainab\\w*",
        "explanation\\w*",
        "saliency",
        "attribution\\w*",
        "mechanistic",
        "circuits?",
        "features? visuali[sz]ation",
        "probing",
        "concept activation",
    ),
    "robustness": (
        "robust\\w*",
        "adversarial",
        "perturbation\\w*",
        "out[- ]of[- ]distribution",
        "distribution shift",
        "backdoor\\w*",
        "poisoning",
        "attack\\w*",
        "privacy",
        "uncertainty",
        "anomal\\w*",
    ),
    "alignment": (
        "alignment",
        "align\\w*",
        "reward\\w*",
        "human feedback",
        "preference\\w*",
        "value learning",
        "inverse reinforcement",
        "imitation",
        "corrigib\\w*",
        "amplification",
        "debate",
        "mesa[- ]optimi\\w*",
        "agent foundations",
        "deceptive",
    ),
    "governance": (
        "governance",
        "policy",
        "policies",
        "regulat\\w*",
        "forecast\\w*",
        "international",
        "geopolitic\\w*",
        "arms race",
        "strateg\\w*",
        "law",
        "legal",
    ),
}

AREA_REGEX: dict[str, str] = {a: "(?i)" + _alt(*t) for a, t in AREA_TERMS.items()}

# Alignment Newsletter category -> taxonomy area (None: not a safety area, not used).
# The newsletter has no category for protocols, infrastructure or evaluations; those
# areas are learnt from keyword weak labels on the AI-safety corpus (see docs/landscape.md).
NEWSLETTER_CATEGORY_MAP: dict[str, str | None] = {
    "Verification": "verification",
    "Interpretability": "interpretability",
    "Adversarial examples": "robustness",
    "Robustness": "robustness",
    "Uncertainty": "robustness",
    "Privacy and security": "robustness",
    "Security": "robustness",
    "Preventing bad behavior": "robustness",
    "Learning human intent": "alignment",
    "Iterated amplification": "alignment",
    "Iterated amplification sequence": "alignment",
    "Value learning sequence": "alignment",
    "Reward learning theory": "alignment",
    "Mesa optimization": "alignment",
    "Agent foundations": "alignment",
    "Embedded agency sequence": "alignment",
    "Fixed point sequence": "alignment",
    "Summary: Inverse Reinforcement Learning": "alignment",
    "Handling groups of agents": "alignment",
    "Philosophical deliberation": "alignment",
    "Miscellaneous (Alignment)": "alignment",
    "Miscellaneous (alignment)": "alignment",
    "AI governance": "governance",
    "Forecasting": "governance",
    "Field building": "governance",
    "Technical agendas and prioritization": None,
    "Problems": None,
    "Critiques (Alignment)": None,
    "Critiques (AI)": None,
    "AISFP blog posts": None,
    "Fairness and bias": None,
    "Machine ethics": None,
    "Reinforcement learning": None,
    "Deep learning": None,
    "News": None,
    "Exploration": None,
    "Meta learning": None,
    "Unsupervised learning": None,
    "Miscellaneous (AI)": None,
    "Applications": None,
    "Hierarchical RL": None,
    "Machine learning": None,
    "Previous newsletters": None,
    "AGI theory": None,
    "Miscellaneous (Capabilities)": None,
}

# OpenAlex topics / concepts whose presence marks a work as *technical* AI safety (matched
# on display name, case-insensitive).  Extend via SafetyDefinition.  Reviewed entry by
# entry (docs/landscape.md, "OpenAlex topics"):
#   kept    "Adversarial Robustness in Machine Learning" -- attacks, defences, certified
#           robustness: the robustness/security strand of technical safety;
#   kept    "Explainable Artificial Intelligence (XAI)" -- interpretability/explanations;
#           it also holds applied XAI (e.g. explaining a credit model), a known
#           over-count, which `landscape sensitivity` shows against the other definitions;
#   dropped "Ethics and Social Impacts of AI" -- AI ethics and governance, the separate
#           ethics_governance label, not technical safety (Figure 1 is technical);
#   dropped "Artificial Intelligence in Healthcare and Education" -- an application
#           domain; nothing in it is about making AI systems safe.
DEFAULT_TOPICS: tuple[str, ...] = (
    "Adversarial Robustness in Machine Learning",
    "Explainable Artificial Intelligence (XAI)",
)
# Reviewed and left out of DEFAULT_TOPICS (kept here so the review is visible in code).
EXCLUDED_TOPICS: dict[str, str] = {
    "Ethics and Social Impacts of AI": "AI ethics/governance, not technical safety",
    "Artificial Intelligence in Healthcare and Education": "an application domain",
}
DEFAULT_CONCEPTS: tuple[str, ...] = ("Adversarial machine learning", "Interpretability")

Method = Literal["auto", "classifier", "keyword", "topics", "all"]


class SafetyDefinition(BaseModel):
    """A configurable definition of "AI-safety work" (loadable from JSON/YAML)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    method: Method = Field(
        "auto",
        description="auto = classifier if trained else keyword; 'all' = every work (no filter).",
    )
    keyword_regex: str = SAFETY_KEYWORD_REGEX
    topics: tuple[str, ...] = DEFAULT_TOPICS
    concepts: tuple[str, ...] = DEFAULT_CONCEPTS
    use_topics: bool = Field(True, description="Also count works matching topics/concepts.")
    threshold: float | None = Field(
        None,
        ge=0.0,
        le=1.0,
        description="Classifier probability cut-off (default: the model's validated threshold).",
    )
    area_threshold: float = Field(0.35, ge=0.0, le=1.0)

    @field_validator("keyword_regex")
    @classmethod
    def _regex_compiles(cls, v: str) -> str:
        try:
            re.compile(v)
        except re.error as exc:
            raise ValueError(f"not a valid regular expression ({exc})") from exc
        return v

    def fingerprint(self) -> str:
        import hashlib

        return hashlib.sha256(self.model_dump_json().encode()).hexdigest()[:16]


_COMPILED: dict[str, re.Pattern[str]] = {}


def compiled(pattern: str) -> re.Pattern[str]:
    pat = _COMPILED.get(pattern)
    if pat is None:
        flags = 0
        body = pattern
        if body.startswith("(?i)"):
            flags = re.IGNORECASE
            body = body[4:]
        pat = re.compile(body, flags)
        _COMPILED[pattern] = pat
    return pat


def keyword_is_safety(text: str, definition: SafetyDefinition | None = None) -> bool:
    d = definition or SafetyDefinition()
    return compiled(d.keyword_regex).search(text) is not None


def keyword_areas(text: str) -> dict[str, list[str]]:
    """Areas whose lexicon matches ``text``, with the matched terms (lower-cased)."""
    out: dict[str, list[str]] = {}
    for area, pattern in AREA_REGEX.items():
        hits = sorted({m.group(0).lower() for m in compiled(pattern).finditer(text)})
        if hits:
            out[area] = hits
    return out
