"""Gherkin steps shared by every feature (centres, staff, acting as someone)."""
