"""AWS DataSync's reader (roles/aws/readers/datasync.py) against the emulator: a task and
its two locations hold the role until all three are deleted."""

from tests.support.catalogue import holds_to_the_contract

BUCKET_ROLE = "arn:aws:iam::222222222222:role/DataSyncS3Access"


def test_a_task_and_its_locations_block_the_role_until_they_are_deleted(emulator):
    made = {}

    def make(client_for, region):
        datasync = client_for("datasync", region)
        locations = [
            datasync.create_location_s3(
                S3BucketArn=f"arn:aws:s3:::{bucket}",
                S3Config={"BucketAccessRoleArn": BUCKET_ROLE},
            )["LocationArn"]
            for bucket in ("exports", "archive")
        ]
        task = datasync.create_task(
            SourceLocationArn=locations[0], DestinationLocationArn=locations[1], Name="nightly"
        )["TaskArn"]
        made.update(task=task, locations=locations)
        for arn in [task, *locations]:
            assert arn.startswith(f"arn:aws:datasync:{region}:222222222222:"), arn
        return [task, *locations]

    def remove(client_for, region):
        datasync = client_for("datasync", region)
        datasync.delete_task(TaskArn=made["task"])
        for arn in made["locations"]:
            datasync.delete_location(LocationArn=arn)

    holds_to_the_contract("datasync.amazonaws.com", make, remove)
