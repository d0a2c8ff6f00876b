"""Car-aware automations: triggers, conditions and actions as data, run by an engine that watches the hub."""
