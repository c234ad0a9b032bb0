"""Amazon Lex V2: each AWSServiceRoleForLexV2Bots_<suffix> role is held by the bots whose
runtime role it is, in each Region. Lex V2 signs as "lex", its IAM prefix, and its model
is "lexv2-models"."""

from moto.lexv2models.models import lexv2models_backends

from . import per_region

# The guide's name with its suffix left off: the emulator makes these roles without one.
ROLES = [("lexv2.amazonaws.com", "AWSServiceRoleForLexV2Bots_")]
SIGNING = {"lex": ("lexv2-models", "lex")}


def _bots(task) -> list[dict]:
    role = task.role_arn.lower()  # IAM role names are not distinguished by case
    return per_region(
        lexv2models_backends,
        task.account,
        lambda b: (bot.arn for bot in b.bots.values() if (bot.role_arn or "").lower() == role),
    )


CHECKS = {"lexv2.amazonaws.com": _bots}
