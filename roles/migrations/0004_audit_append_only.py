"""On PostgreSQL, refuse UPDATE, DELETE and TRUNCATE on the audit table.

Two narrow exceptions, both needed by the application itself:
- an UPDATE that only sets actor_id to NULL (a user was deleted; the copied,
  hashed actor_name keeps who it was);
- DELETE inside `manage.py prune_audit`, which sets rolecall.audit_prune for
  its own transaction and writes a checkpoint event so verify_audit still
  passes. TRUNCATE is allowed only in a database flagged
  rolecall.audit_truncate=on, which only the test suite sets on its
  throwaway database (tests/conftest.py).
The hash chain, not these triggers, is the proof: anyone able to drop a
trigger can be caught by `manage.py verify_audit`.
"""

from django.db import migrations

INSTALL = """
CREATE OR REPLACE FUNCTION rolecall_audit_guard() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'UPDATE' THEN
    -- search is a stored generated column: NULL in NEW until after BEFORE triggers.
    IF NEW.actor_id IS NULL
       AND (to_jsonb(NEW) - 'actor_id' - 'search') = (to_jsonb(OLD) - 'actor_id' - 'search') THEN
      RETURN NEW;
    END IF;
  ELSIF TG_OP = 'DELETE' THEN
    IF current_setting('rolecall.audit_prune', true) = 'on' THEN
      RETURN OLD;
    END IF;
  ELSIF TG_OP = 'TRUNCATE' THEN
    IF current_setting('rolecall.audit_truncate', true) = 'on' THEN
      RETURN NULL;
    END IF;
  END IF;
  RAISE EXCEPTION 'roles_auditevent is append-only: % refused', TG_OP
    USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
--
CREATE TRIGGER roles_auditevent_append_only
  BEFORE UPDATE OR DELETE ON roles_auditevent
  FOR EACH ROW EXECUTE FUNCTION rolecall_audit_guard();
--
CREATE TRIGGER roles_auditevent_no_truncate
  BEFORE TRUNCATE ON roles_auditevent
  FOR EACH STATEMENT EXECUTE FUNCTION rolecall_audit_guard();
"""

REMOVE = """
DROP TRIGGER IF EXISTS roles_auditevent_append_only ON roles_auditevent;
--
DROP TRIGGER IF EXISTS roles_auditevent_no_truncate ON roles_auditevent;
--
DROP FUNCTION IF EXISTS rolecall_audit_guard();
"""


def _run(schema_editor, script: str) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    for statement in script.split("--\n"):
        schema_editor.execute(statement, params=None)


def install(apps, schema_editor):
    _run(schema_editor, INSTALL)


def remove(apps, schema_editor):
    _run(schema_editor, REMOVE)


class Migration(migrations.Migration):
    dependencies = [("roles", "0003_audit_event")]

    operations = [migrations.RunPython(install, remove)]
