"""Services whose pages name nothing a read can see (docs/catalogue.md): the emulator
creates their roles, as AWS does, and lets a deletion of them go, as nothing it models
holds them. The demo shows them as "Not checked" (emulator/scenarios/demo.py)."""

ROLES = [
    ("kafka.amazonaws.com", "AWSServiceRoleForKafka"),
    ("replication.dynamodb.amazonaws.com", "AWSServiceRoleForDynamoDBReplication"),
    ("controltower.amazonaws.com", "AWSServiceRoleForAWSControlTower"),
    ("ssm.amazonaws.com", "AWSServiceRoleForAmazonSSM"),
]
CHECKS: dict = {}
