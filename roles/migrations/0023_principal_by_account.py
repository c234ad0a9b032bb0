"""The role list's service filter in its default order (account, then name) and the
service sort, both a walk along one index: (service_principal, account_name, name, id)
replaces (service_principal, name, id)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("roles", "0022_search_index"),
    ]

    operations = [
        migrations.RemoveIndex(model_name="servicelinkedrole", name="slr_principal"),
        migrations.AddIndex(
            model_name="servicelinkedrole",
            index=models.Index(
                fields=["service_principal", "account_name", "name", "id"],
                name="slr_principal_by_account",
            ),
        ),
    ]
