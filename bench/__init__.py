"""`make bench`: mockgem against a bare aiohttp server answering the same bytes, same machine, same run.

Run `python -m bench` (the whole table, written to bench/results.md) or `python -m bench --smoke`
(seconds long, for CI). The ratio mockgem / baseline within one run is the figure that counts:
absolute numbers move with whatever else the machine is doing.
"""
