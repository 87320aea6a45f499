"""Benchmarks of the tracker: bulk seeding (:mod:`bench.seed`) and the committee dashboard
timed at two data sizes (:mod:`bench.dashboard`, run by ``make bench``).

Everything here works on throwaway databases it creates and removes itself; nothing in
the application imports this package.
"""
