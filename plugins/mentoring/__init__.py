"""The mentoring plugin of reentry: Mentor matching, follow-up visits, risks and outcomes."""

__version__ = "0.1.0"
