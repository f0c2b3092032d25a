"""Versioned method configuration (``methods/<family>.yaml``), shipped as package data.

The ``__init__`` makes the folder an importable package so that the editions are found the same
way in a clone, an editable install and an installed wheel (``engine.method_config.METHODS_DIR``).
"""
