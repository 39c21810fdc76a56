"""The business_plans plugin of reentry: Business-training cohorts, business plans, rubric scoring and ranking."""

__version__ = "0.1.0"
