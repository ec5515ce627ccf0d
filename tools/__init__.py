"""Developer tools kept out of the wheel: analyser training and evaluation, the local LLM server.

Run them from the repository root (``python -m tools.analyser.train``); they read ``tests/data``.
"""
