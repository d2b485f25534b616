"""The base of every scripted-reply model: unknown keys are mistakes, values never change."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, ValidationInfo

from mockgem.errors import MockGemError


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def fault_terms(value: object, info: ValidationInfo) -> tuple[str, ...]:
    """A rule's `fault`: one term or a list, each checked by the context's `check_faults` (the
    fault language lives in another layer, so the loader hands its check in)."""
    terms = tuple(str(term) for term in (value if isinstance(value, list | tuple) else [value]))
    check = (info.context or {}).get("check_faults")
    if check is not None:
        try:
            check(terms)
        except MockGemError as exc:
            raise ValueError(str(exc)) from None
    return terms
