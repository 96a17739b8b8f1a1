"""Register check: the target addresses the reader formally or informally, as the locale profile says."""

from __future__ import annotations

from lqa.checks.base import Check, Finding, Segment, Severity
from lqa.register import FORMAL, INFORMAL, address_forms
from tolk.languages import base


class RegisterCheck(Check):
    """The target addresses the reader in the register of the locale profile (usted, not tú; Sie, not du)."""

    id = "register"
    name = "Register (formal or informal address)"
    severity = Severity.MAJOR
    category = "style"

    def run(self, segment: Segment) -> list[Finding]:
        if segment.formality not in (FORMAL, INFORMAL):
            return []
        wrong = [form for form in address_forms(segment.prose(segment.target), base(segment.target_lang))
                 if form.register != segment.formality]
        if not wrong:
            return []
        words = ", ".join(dict.fromkeys(f"'{segment.target[slice(*form.span)]}'" for form in wrong))
        return [self.finding(f"{wrong[0].register} address ({words}) where the {segment.target_lang} profile "
                             f"is {segment.formality}", spans=[form.span for form in wrong],
                             expected=segment.formality, found=wrong[0].register)]
