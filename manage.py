#!/usr/bin/env python
"""Django's command-line utility; the installed `carebridge` command does the same."""

from carebridge.__main__ import main

if __name__ == "__main__":
    main()
