"""Tools that write the repository's documents from its sources (``python -m tools.<name>``).

They sit above the lab, beside the site's hooks: they may read the lab's facts and the harness,
and nothing below imports them (``make lint`` checks it).
"""
