"""AWS Directory Service's reader (roles/aws/readers/directory_service.py) against the
emulator: a directory holds the role until it is deleted."""

from tests.support.catalogue import ACCOUNT, holds_to_the_contract


def test_a_directory_blocks_the_role_until_it_is_deleted(emulator):
    made: list[str] = []

    def make(client_for, region):
        ec2 = client_for("ec2", region)
        vpc = ec2.create_vpc(CidrBlock="10.50.0.0/16")["Vpc"]["VpcId"]
        subnets = [
            ec2.create_subnet(
                VpcId=vpc, CidrBlock=f"10.50.{i}.0/24", AvailabilityZone=f"{region}{z}"
            )["Subnet"]["SubnetId"]
            for i, z in enumerate("ab", start=1)
        ]
        directory = client_for("ds", region).create_directory(
            Name="corp.example.com",
            Password="Passw0rd-not-used",
            Size="Small",
            VpcSettings={"VpcId": vpc, "SubnetIds": subnets},
        )["DirectoryId"]
        made.append(directory)
        return [f"arn:aws:ds:{region}:{ACCOUNT}:directory/{directory}"]

    def remove(client_for, region):
        client_for("ds", region).delete_directory(DirectoryId=made[0])

    holds_to_the_contract("ds.amazonaws.com", make, remove)
