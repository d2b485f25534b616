"""Stateful resources kept as the real API keeps them: files, cached contents, batches.

Every store takes its clock as `Callable[[], float]` (epoch seconds) and advances lazily when read,
so no background task runs and tests control time.
"""
