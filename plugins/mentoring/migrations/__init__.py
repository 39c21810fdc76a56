"""Mentoring's Alembic branch (label ``mentoring``); run through ``reentry db upgrade``."""
