#!/usr/bin/env python
"""Django's command-line entry point; the development settings are the default."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
    from django.core.management import execute_from_command_line  # noqa: PLC0415  # once the settings module is named

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
