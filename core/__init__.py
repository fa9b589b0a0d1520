"""The ground floor: what every other package may import, importing nothing of ours.

- :mod:`core.model` — the :class:`~core.model.Dataset` of validated tables;
- :mod:`core.errors` — the one exception root and located data problems;
- :mod:`core.settings` — connection settings filled from flags and ``NEO4J_*`` variables;
- :mod:`core.progress` — the progress callback type and its rich progress bar;
- :mod:`core.window` — the :class:`~core.window.Window` (as_of, since, program) of a question.
"""
