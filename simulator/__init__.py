"""Rapport: practise relationship-first selling by voice against simulated buyers."""

__version__ = "0.1.0"
