"""Hypothesis profiles for the property tests: modest example counts by default (the whole folder stays within
a few seconds), more with HYPOTHESIS_PROFILE=thorough, and a derandomized one for mutation testing (a mutant is
killed or not the same way every time)."""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

settings.register_profile("homebound", max_examples=100, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("thorough", max_examples=3000, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("mutation", max_examples=60, deadline=None, derandomize=True, database=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "homebound"))
