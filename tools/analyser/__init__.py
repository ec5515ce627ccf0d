"""Training and measuring the analyser on the corpus in ``tests/data``."""
