"""AWS accounts: add, edit (never re-pointed while a change bound to it runs), test the
connection, refresh; their list and page, with each one's sync health."""
