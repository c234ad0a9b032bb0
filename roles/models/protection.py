from django.db import models


class ProtectedRule(models.Model):
    """Something rolecall must never delete; edited on the admin page, audited.

    Settings add rules of their own (ROLECALL_PROTECTED_ROLES / _ACCOUNTS); see
    roles/protection.py for how both are applied.
    """

    class Kind(models.TextChoices):
        ROLE = "role", "role name or ARN (glob pattern)"
        ACCOUNT = "account", "account id"

    kind = models.CharField(max_length=16, choices=Kind.choices)
    pattern = models.CharField(
        max_length=2048, help_text="e.g. AWSServiceRoleForOrganizations, *SSO*, or 111111111111"
    )
    reason = models.CharField(max_length=500)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["kind", "pattern"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "pattern"], name="one_protected_rule")
        ]

    def __str__(self) -> str:
        return f"{self.kind}: {self.pattern}"
