"""Pure fault policies (L2): the fault language, per-request plans, content outcomes, quotas.

No I/O, no sleeping: randomness comes from a seeded `random.Random` and time from an injected
clock, so a run can be repeated. The server applies the plans while rendering.
"""

from mockgem.faults.language import (
    Fault,
    format_faults,
    parse_fault_header,
    parse_faults,
)
from mockgem.faults.plan import FaultPlan, Interruption, StreamError, draw_plan, merged
from mockgem.faults.quotas import (
    QuotaBook,
    QuotaExceeded,
    QuotaRule,
    Throttle,
    parse_quota,
    parse_quotas,
)

__all__ = [
    "Fault",
    "FaultPlan",
    "Interruption",
    "QuotaBook",
    "QuotaExceeded",
    "QuotaRule",
    "StreamError",
    "Throttle",
    "draw_plan",
    "format_faults",
    "merged",
    "parse_fault_header",
    "parse_faults",
    "parse_quota",
    "parse_quotas",
]
