"""Demo data: ``flask demo`` fills an empty database with stations, delegates, accounts and
entries that read like Lanzhou, either hand-shaped (the small world the README's screenshots
show) or in bulk, at city and province scale.

A module imports only modules listed below it:

- :mod:`.cli`: the ``flask demo`` command; runs the builder or the bulk load.
- :mod:`.builder`: the hand-shaped demo, ``generate_demo``.
- :mod:`.follow_up`: what staff did with the hand-shaped demo's entries afterwards.
- :mod:`.world`: one run of the hand-shaped demo: its state and small draws.
- :mod:`.bulk`: the bulk load, ``generate_at_scale``; it never uses the hand-shaped demo.
- :mod:`.bulk_entries`: the bulk entries' rows.
- :mod:`.bulk_rows`: row shapes, rollup rows and the bulk writer.
- :mod:`.bulk_people`: the bulk load's stations, delegates and accounts.
- :mod:`.bulk_plan`: how many bulk entries fall on which days, and the report.
- :mod:`.accounts`: the demo accounts, which both make.
- :mod:`.words`: the names and texts of ``words.toml``, which both draw from.
"""
