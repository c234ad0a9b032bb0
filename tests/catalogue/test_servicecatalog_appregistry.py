"""AWS Service Catalog AppRegistry's reader (roles/aws/readers/servicecatalog_appregistry.py)
against the emulator."""

from tests.support.catalogue import holds_to_the_contract


def test_an_application_blocks_the_role_until_it_is_deleted(emulator):
    def make(client_for, region):
        app = client_for("servicecatalog-appregistry", region).create_application(name="payments")[
            "application"
        ]
        assert (
            app["arn"] == f"arn:aws:servicecatalog:{region}:222222222222:/applications/{app['id']}"
        )
        return [app["arn"]]

    def remove(client_for, region):
        client_for("servicecatalog-appregistry", region).delete_application(application="payments")

    holds_to_the_contract("servicecatalog-appregistry.amazonaws.com", make, remove)
