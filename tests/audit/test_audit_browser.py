import csv
import io

import pytest
from playwright.sync_api import expect

from roles.models import AuditEvent, Outcome

pytestmark = pytest.mark.browser

ECS = "arn:aws:iam::111111111111:role/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS"
RDS = "arn:aws:iam::222222222222:role/aws-service-role/rds.amazonaws.com/AWSServiceRoleForRDS"


def test_filter_the_audit_page_to_one_role_and_download_the_csv(browser, viewer):
    AuditEvent.objects.record(
        "deletion.requested", actor_name="alice", target_arn=ECS, account_id="111111111111"
    )
    AuditEvent.objects.record(
        "deletion.failed",
        target_arn=ECS,
        account_id="111111111111",
        outcome=Outcome.FAILURE,
        aws_request_id="req-1",
    )
    AuditEvent.objects.record(
        "deletion.requested", actor_name="alice", target_arn=RDS, account_id="222222222222"
    )
    browser.login("carol")
    page = browser.page
    page.goto("/audit/")
    page.fill("#id_role", ECS)
    page.click("form.filters button[type=submit]")
    # No string evaluation in the page: its Content Security Policy forbids eval.
    expect(page.locator("[data-testid=audit-table] tbody tr")).to_have_count(2)
    assert "role=" in page.url  # htmx pushed the filtered URL
    browser.screenshot("audit-filtered")
    with page.expect_download() as info:
        page.get_by_test_id("export-csv").click()
    download = info.value
    assert download.suggested_filename.endswith(".csv")
    rows = list(csv.DictReader(io.StringIO(open(download.path(), encoding="utf-8").read())))
    assert [r["target_arn"] for r in rows] == [ECS, ECS]
    assert [r["action"] for r in rows] == ["deletion.failed", "deletion.requested"]
    assert AuditEvent.objects.filter(action="audit.exported", actor_name="carol").count() == 1
