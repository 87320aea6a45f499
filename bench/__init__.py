"""Benchmarks of the tracker, run by ``make bench``: seeding at scale with the app's own
generator (:mod:`bench.seed`, :mod:`tracker.demo.bulk`), the committee dashboard and the pages
around it at several data sizes (:mod:`bench.dashboard`), the tracker under gunicorn loaded
with wrk against a bare Flask app (:mod:`bench.web`, :mod:`bench.bare`), each fix timed both
ways (:mod:`bench.fixes`) and the monthly export (:mod:`bench.export`).

Everything here works on throwaway databases it creates and removes itself; nothing in
the application imports this package.
"""
