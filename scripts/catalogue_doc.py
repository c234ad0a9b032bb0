"""Write docs/catalogue.md from roles/inventory/catalogue.json and the readers rolecall has.

    .venv/bin/python scripts/catalogue_doc.py          # write it
    .venv/bin/python scripts/catalogue_doc.py --check  # exit 1 if it is out of date

tests/inventory/test_catalogue.py runs the check, so the page always says what the code does.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "catalogue.md"

HEAD = """# The catalogue: every service with a service-linked role

Written by `scripts/catalogue_doc.py` from `roles/inventory/catalogue.json`; do not edit by
hand. The services are those AWS's table "AWS services that work with IAM" marks for
service-linked roles (<https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_aws-services-that-work-with-iam.html>;
the newest copy found was the IAM User Guide's source as of {date}, `awsdocs/iam-user-guide`
`doc_source/reference_aws-services-that-work-with-iam.md`), plus services that table
missed (Control Tower, Directory Service, WorkSpaces, Billing, DynamoDB replication,
CloudFront, Transit Gateway). Each entry was read from the service's own page about its
service-linked role; the quote is AWS's words, and "Unconfirmed" says what the reading
left open. The first sixteen services have a fuller reading in [readiness.md](readiness.md).

What the verdict column means:

- **read**: rolecall reads what blocks the role (the IAM actions given) and says
  "Blocked" with the resources, or "Can be deleted now" with what it read;
- **not read yet**: AWS names something a read call can see, and rolecall has no reader
  for it yet: "Not checked", with that reason on the role page;
- **not checked**: AWS names nothing a read from the account can see (or nothing at
  all): "Not checked", with the reason;
- **AWS refuses**: AWS does not allow deleting the role; rolecall says so and never asks.

{counts}

## Summary

| Service | Role | Service principal | Where it is held | rolecall |
|---|---|---|---|---|
"""


def _cell(text: str) -> str:
    return " ".join(text.replace("|", "\\|").split())


def verdict(principal: str) -> str:
    from roles.aws.blockers import reader_for
    from roles.inventory.models import ECS_PRINCIPAL
    from roles.inventory.rules import rule_for

    rule = rule_for(principal)
    if rule is None:
        return "not checked: no principal named"
    if not rule.deletable:
        return "AWS refuses"
    if principal == ECS_PRINCIPAL:
        return "read: `ecs:ListClusters`, `ecs:DescribeClusters`"
    reader = reader_for(principal)
    if reader is not None:
        return "read: " + ", ".join(f"`{a}`" for a in reader.actions)
    if rule.why.startswith("rolecall does not read"):
        return "not read yet"
    return "not checked"


def render() -> str:
    from emulator.policies import CATALOGUE
    from roles.inventory import catalogue
    from roles.inventory.rules import RULES

    entries = catalogue.entries()
    first = catalogue.by_principal()
    rows, sections = [], []
    hand = [p for p in RULES if p not in first]
    for principal in hand:
        rule = RULES[principal]
        role = CATALOGUE[principal].role_name if principal in CATALOGUE else ""
        rows.append(
            (rule.service, f"`{role}`", f"`{principal}`", "see readiness.md", verdict(principal))
        )
    for e in entries:
        shared = e.shared_principal and first.get(e.principal) is not e
        where = {"refused": "refused"}.get(e.where, e.where)
        rows.append(
            (
                e.service,
                ", ".join(f"`{r}`" for r in e.roles) or "not named",
                f"`{e.principal}`" if e.principal else "not named",
                where,
                "not checked: shares its principal" if shared else verdict(e.principal),
            )
        )
        sections.append(section(e, shared))
    counted = [r[4] for r in rows]
    services = len({r[0] for r in rows})
    read = sum(v.startswith("read") for v in counted)
    counts = (
        f"{len(rows)} role families of {services} services: {read} read, "
        f"{sum(v == 'not read yet' for v in counted)} not read yet, "
        f"{sum(v.startswith('not checked') for v in counted)} not checked, "
        f"{sum(v == 'AWS refuses' for v in counted)} refused by AWS."
    )
    table = "\n".join("| " + " | ".join(_cell(c) for c in row) + " |" for row in rows)
    head = HEAD.format(date=catalogue.TABLE_DATE, counts=counts)
    return head + table + "\n\n## Per service\n\n" + "\n".join(sections)


def section(e, shared: bool) -> str:
    title = e.service + (" — " + ", ".join(f"`{r}`" for r in e.roles) if e.roles else "")
    lines = [f"### {title}", ""]
    lines.append(
        f"- **Principal**: `{e.principal}`" if e.principal else "- **Principal**: not named"
    )
    if e.also_listed_as:
        lines.append(f"- **Also listed in the table as**: {', '.join(e.also_listed_as)}")
    lines.append(f"- **Page**: <{e.page}>" if e.page else "- **Page**: not found")
    lines.append(f"- **Read from**: {_cell(e.source)}")
    if e.quote:
        lines.append(f"- **AWS says**: \u201c{_cell(e.quote)}\u201d")
    lines.append(
        f"- **What must be gone**: {_cell(e.blocks) or 'AWS names nothing'}; where: {e.where}"
    )
    for read in e.reads:
        size = (
            f"{read['page_param']} up to {read['page_max']}"
            if read["page_max"]
            else "page size not stated or unpaginated"
        )
        ref = f" (<{read['api_ref']}>)" if read.get("api_ref") else ""
        lines.append(f"- **Read call**: `{read['operation']}` (`{read['action']}`), {size}{ref}")
    if shared:
        lines.append("- **rolecall**: not checked; its principal's rule is another role's")
    else:
        lines.append(f"- **rolecall**: {verdict(e.principal)}")
    if e.why:
        lines.append(f"- **Why not read**: {_cell(e.why)}")
    if e.unconfirmed:
        lines.append(f"- **Unconfirmed**: {_cell(e.unconfirmed)}")
    return "\n".join(lines) + "\n"


def main(argv: list[str]) -> int:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dashboard.settings_test")
    import django

    django.setup()
    text = render()
    if "--check" in argv:
        if DOC.read_text() != text:
            print(
                f"{DOC.relative_to(ROOT)} is out of date: run scripts/catalogue_doc.py",
                file=sys.stderr,
            )
            return 1
        return 0
    DOC.write_text(text)
    print(f"wrote {DOC.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
