"""Benchmarks of the tracker: bulk seeding (:mod:`bench.seed`) and the committee dashboard
timed at two data sizes, for a growing history and for denser months (:mod:`bench.dashboard`,
run by ``make bench``).

Everything here works on throwaway databases it creates and removes itself; nothing in
the application imports this package.
"""
