"""Amazon Cognito user pools: the email role is held by each user pool whose email goes
through the account's Amazon SES (EmailSendingAccount DEVELOPER), in each Region. Only
that role is modelled (roles/aws/readers/cognito.py says why)."""

from moto.cognitoidp.models import cognitoidp_backends

from . import per_region

ROLES = [("email.cognito-idp.amazonaws.com", "AWSServiceRoleForAmazonCognitoIdpEmailService")]


def _sends_through_ses(pool) -> bool:
    email = pool.extended_config.get("EmailConfiguration") or {}
    return email.get("EmailSendingAccount") == "DEVELOPER"


CHECKS = {
    "email.cognito-idp.amazonaws.com": lambda task: per_region(
        cognitoidp_backends,
        task.account,
        lambda b: (p.arn for p in b.user_pools.values() if _sends_through_ses(p)),
    )
}
