"""Sanshe core: the small kernel every district runs, whatever modules it enables."""

__version__ = "0.1.0"
