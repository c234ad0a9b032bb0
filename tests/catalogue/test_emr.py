"""Amazon EMR's reader (roles/aws/readers/emr.py) against the emulator: a cluster blocks
until it is terminated, and a terminated one no longer does."""

from roles.aws.service_reads import read_role
from tests.support.catalogue import account_aws, holds_to_the_contract, the_role

PRINCIPAL = "elasticmapreduce.amazonaws.com"


def _run(client_for, region) -> str:
    return client_for("emr", region).run_job_flow(
        Name="nightly-etl",
        ReleaseLabel="emr-6.15.0",
        Instances={
            "MasterInstanceType": "m5.xlarge",
            "InstanceCount": 1,
            "KeepJobFlowAliveWhenNoSteps": True,
        },
        JobFlowRole="EMR_EC2_DefaultRole",
        ServiceRole="EMR_DefaultRole",
    )["ClusterArn"]


def _terminate(client_for, region):
    emr = client_for("emr", region)
    ids = [c["Id"] for c in emr.list_clusters()["Clusters"]]
    emr.terminate_job_flows(JobFlowIds=ids)


def test_a_cluster_blocks_the_role_until_it_is_terminated(emulator):
    holds_to_the_contract(PRINCIPAL, lambda c, r: [_run(c, r)], _terminate)


def test_a_terminated_cluster_does_not_block(emulator):
    aws = account_aws()
    _run(aws.client, "us-east-1")
    _terminate(aws.client, "us-east-1")
    assert aws.client("emr", "us-east-1").list_clusters()["Clusters"]  # still listed
    _, arn = the_role(PRINCIPAL)
    assert read_role(aws, PRINCIPAL, arn, threads=2) == []
