"""Numbers the rules depend on, each in one place with its source."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class RegistryPolicy:
    # Certificate validity: 5 years under SAWS Order No. 50; not confirmed for NHC Order No. 4,
    # so configurable (OHTS_REGISTRY_VALIDITY_YEARS).
    validity_years: int = 5
    # F1: the earliest world date a registry fact may carry (OHTS_EARLIEST_FACT_DATE).
    earliest_fact_date: date = date(2019, 1, 1)
    # Renewal due this many months before expiry (Order No. 50; unconfirmed for Order No. 4).
    renewal_lead_months: int = 3
    # R3: decisions published within 20 working days (Guangxi 证照分离 notice, seed 003 §二.1).
    publication_working_days: int = 20
    # R8: service report card due within this many working days of the project's completion.
    # Order No. 4 requires information reporting; the exact period is NOT confirmed in the
    # seeds: 20 working days is our default until confirmed (OHTS_REGISTRY_CARD_DUE_WORKING_DAYS).
    report_card_working_days: int = 20
    # R6: exemptions.
    assessment_exemption_years: int = 2  # staff assessment certificate (seed 003)
    blind_sample_exemption_years: int = 1  # passed blind-sample assessment (seed 003)
    # R6a: conditions maintained (Order No. 4 Art. 9 as amended by Order No. 11).
    min_technical_staff: int = 15  # full-time staff only: part-time posts do not count
    # R6: how many registrations one person may hold at once (one of them full-time at most).
    # The seeds do not say whether, or where, part-time posts at a second institution are
    # allowed: NOT confirmed; 1 (no second registration of any kind) is our cautious default
    # until the rule is cited (OHTS_REGISTRY_MAX_REGISTRATIONS_PER_PERSON).
    max_registrations_per_person: int = 1
