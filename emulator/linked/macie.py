"""Amazon Macie: its role is held by Macie enabled or paused, in each Region. AWS
documents no ARN for the session; it is named as rolecall names it
(roles/aws/readers/macie.py)."""

from moto.macie2.models import macie2_backends

from . import per_region

ROLES = [("macie.amazonaws.com", "AWSServiceRoleForAmazonMacie")]
CHECKS = {
    "macie.amazonaws.com": lambda task: per_region(
        macie2_backends,
        task.account,
        lambda b: (
            [f"arn:aws:macie2:{b.region_name}:{task.account}:session"] if b.macie_session else []
        ),
    )
}
