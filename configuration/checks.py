# TEMPORARY STUB - replaced by the checks branch
from dataclasses import dataclass

BUILTIN_CHECKS = {
    "instructions": "Instructions present and within limits",
    "model_config": "Model settings valid for the model",
    "tool_actions": "Every enabled tool has an enabled action",
    "public_guardrail": "A public agent has a guardrail turned on",
    "no_secrets": "No secrets in instructions or settings",
}


@dataclass(frozen=True)
class BuiltinCheckResult:
    name: str
    label: str
    passed: bool
    detail: str
    findings: tuple = ()

    def as_dict(self):
        return {
            "name": self.name,
            "label": self.label,
            "passed": self.passed,
            "detail": self.detail,
            "findings": list(self.findings),
        }


def run_builtin_checks(snapshot):
    out = []
    for name, label in BUILTIN_CHECKS.items():
        passed = True
        if name == "instructions":
            passed = any(i["content"].strip() for i in snapshot["instructions"])
        out.append(
            BuiltinCheckResult(name, label, passed, "ok" if passed else "No instructions.", ())
        )
    return tuple(out)
