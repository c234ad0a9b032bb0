"""AWS KMS: neither of its roles can be deleted. "AWS KMS does not delete the
AWSServiceRoleForKeyManagementServiceMultiRegionKeys service-linked role from your AWS
account and you cannot delete it"; for the custom key stores role "there is currently no
procedure for deleting" it (docs/catalogue.md). How AWS refuses is not documented: the
emulator refuses as it does for AWS Support's role (patches/iam.py)."""

ROLES = [
    ("cks.kms.amazonaws.com", "AWSServiceRoleForKeyManagementServiceCustomKeyStores"),
    ("mrk.kms.amazonaws.com", "AWSServiceRoleForKeyManagementServiceMultiRegionKeys"),
]
CHECKS: dict = {}
UNDELETABLE = {"cks.kms.amazonaws.com", "mrk.kms.amazonaws.com"}
