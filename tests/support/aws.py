"""boto3 clients on the emulator for tests: act in an account as AWS would."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass

import boto3

from roles.accounts.demo import AUDIT_ROLE, EXTERNAL_ID

HUB = "123456789012"


def client(service: str, account: str = HUB, region: str = "us-east-1"):
    base = dict(
        endpoint_url=os.environ["AWS_ENDPOINT_URL"],
        region_name=region,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    if account == HUB:
        return boto3.client(service, **base)
    creds = boto3.client("sts", **base).assume_role(
        RoleArn=AUDIT_ROLE.format(account=account), RoleSessionName="tests", ExternalId=EXTERNAL_ID
    )["Credentials"]
    base.update(
        aws_access_key_id=creds["AccessKeyId"],
        aws_secret_access_key=creds["SecretAccessKey"],
        aws_session_token=creds["SessionToken"],
    )
    return boto3.client(service, **base)


def admin(service: str, account: str = HUB):
    """What the account's administrator uses (not judged): the emulator's long-term
    keys, acting in `account`."""
    client = boto3.client(
        service,
        endpoint_url=os.environ["AWS_ENDPOINT_URL"],
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )

    def in_account(request, **kwargs):
        request.headers["x-moto-account-id"] = account

    client.meta.events.register("before-send", in_account)
    return client


def without_action(role, action: str, account: str) -> None:
    """Put back `role`'s (emulator/member_roles.py) inline policies in `account`, less
    `action`: a statement left with no action is dropped."""
    from emulator import member_roles

    for name, document in role.policies.items():
        statements = []
        for statement in document["Statement"]:
            kept = [a for a in member_roles.as_actions(statement) if a != action]
            if kept:
                statements.append({**statement, "Action": kept})
        admin("iam", account).put_role_policy(
            RoleName=role.name,
            PolicyName=name,
            PolicyDocument=json.dumps({**document, "Statement": statements}),
        )


def remove_ecs_clusters(account: str, regions: list[str]) -> list[str]:
    """What an operator does by hand: scale to 0 and delete services, deregister
    instances, delete clusters. Returns the deleted cluster ARNs."""
    deleted = []
    for region in regions:
        ecs = client("ecs", account, region)
        for cluster in ecs.list_clusters()["clusterArns"]:
            services = ecs.list_services(cluster=cluster, maxResults=100)["serviceArns"]
            for service in services:
                ecs.update_service(cluster=cluster, service=service, desiredCount=0)
                ecs.delete_service(cluster=cluster, service=service)
            for instance in ecs.list_container_instances(cluster=cluster)["containerInstanceArns"]:
                ecs.deregister_container_instance(
                    cluster=cluster, containerInstance=instance, force=True
                )
            ecs.delete_cluster(cluster=cluster)
            deleted.append(cluster)
    return deleted


@dataclass(frozen=True)
class Answer:
    """One AWS answer a product client received."""

    service: str
    region: str
    operation: str
    request_id: str
    status: int


def record_answers(monkeypatch) -> list[Answer]:
    """Every answer the product's clients receive from now on (failures included),
    so a test can match an audit event's request id to the one AWS sent."""
    from roles.aws import session

    answers: list[Answer] = []
    create = session._client

    def recording(service: str, region: str, credentials, attempts):
        client = create(service, region, credentials, attempts)

        def after_call(http_response, parsed, model, **kwargs):
            request_id = parsed.get("ResponseMetadata", {}).get("RequestId", "")
            answers.append(
                Answer(service, region, model.name, request_id, http_response.status_code)
            )

        client.meta.events.register("after-call", after_call)
        return client

    monkeypatch.setattr(session, "_client", recording)
    return answers


def only(answers: list[Answer], operation: str, region: str = "") -> Answer:
    """The one answer to `operation` (in `region`); fails if there were several or none."""
    (answer,) = [
        a for a in answers if a.operation == operation and (not region or a.region == region)
    ]
    return answer
