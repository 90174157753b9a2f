"""`python -m kehoach_flow` runs the `kehoach` command."""

from kehoach_flow.cli import main

main()
