"""Proposals used by the store and web tests."""

from __future__ import annotations

VERIFICATION = """\
title: Joint verification of compute-usage claims
summary: A US and a Chinese university develop methods to verify claims about training compute.
areas:
  - id: verification
parties:
  - name: Example University
    country: US
    type: university
    role: lead
    contributes: [expertise, published_knowledge]
  - name: Tsinghua University
    name_native: 清华大学
    country: CN
    type: university
    contributes: [expertise]
    receives: [published_knowledge]
forms: [joint_software, joint_publication]
activities: [develop_verification]
purposes: [verify_commitments]
publication: open
"""

WITH_SAFEGUARD = VERIFICATION + "safeguards: [independent-code-review]\n"

PROTOCOL_JSON = """{
  "title": "Incident-reporting protocol",
  "areas": [{"id": "protocols"}],
  "parties": [
    {"name": "AI Safety Institute A", "country": "GB", "type": "safety_institute"},
    {"name": "AI Safety Institute B", "country": "CN", "type": "safety_institute"}
  ],
  "forms": ["dialogue", "standards_drafting"],
  "activities": ["draft_protocol", "incident_reporting"],
  "maturity": "codifying_existing",
  "purposes": ["crisis_communication"]
}
"""
