#!/usr/bin/env python
import os
import sys


def main():
    import config.env  # noqa: F401 - reads .env, which may name the settings module

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.django.base")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
