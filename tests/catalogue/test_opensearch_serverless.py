"""Amazon OpenSearch Serverless's reader (roles/aws/readers/opensearch_serverless.py)
against the emulator."""

import json

from tests.support.catalogue import holds_to_the_contract

NAME = "logs"


def test_a_collection_blocks_the_role_until_it_is_deleted(emulator):
    made = {}

    def make(client_for, region):
        aoss = client_for("opensearchserverless", region)
        # A collection needs an encryption policy that covers its name (with a key of
        # its own: moto reads the policy's KmsARN).
        aoss.create_security_policy(
            name="logs-encryption",
            type="encryption",
            policy=json.dumps(
                {
                    "Rules": [{"ResourceType": "collection", "Resource": [f"collection/{NAME}"]}],
                    "AWSOwnedKey": False,
                    "KmsARN": f"arn:aws:kms:{region}:222222222222:key/logs",
                }
            ),
        )
        made.update(aoss.create_collection(name=NAME, type="SEARCH")["createCollectionDetail"])
        return [made["arn"]]

    def remove(client_for, region):
        client_for("opensearchserverless", region).delete_collection(id=made["id"])

    holds_to_the_contract("observability.aoss.amazonaws.com", make, remove)
