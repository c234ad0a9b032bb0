"""Local AWS emulator for rolecall: moto in server mode plus the project's patches.

Run it with ``python -m emulator``; see ``emulator/README.md``.
"""

HUB_ACCOUNT = "123456789012"
