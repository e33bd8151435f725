"""``jipp-kb complaints``: from a region's complaint export to the innovations that answer it.

read → redact → themes → match → report, run in that order by :func:`jipp_kb.complaints.analyse.analyse`.
Nothing heavy is imported here: the CLI reads the column names of :mod:`read` at start-up, on the light install too.
"""
