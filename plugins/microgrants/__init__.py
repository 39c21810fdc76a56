"""The microgrants plugin of reentry: Grant rounds, applications, committee decisions and tranches."""

__version__ = "0.1.0"
