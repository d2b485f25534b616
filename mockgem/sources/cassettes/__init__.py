"""Recorded traffic: cassette model, foreign-format readers, match keys, index, redaction, store."""
