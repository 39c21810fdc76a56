"""Savings groups: a plugin for reentry written only against its public API."""

__version__ = "0.1.0"
