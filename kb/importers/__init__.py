"""Importers for community threads: pure parsers plus one shared writer.

``reddit.py`` and ``stackexchange.py`` only read files and return plain dataclasses
(``kb.importers.base``); ``save.py`` writes them with the models, in batches, inside the
caller's transaction. The management commands and the staff import page share this path.
"""
