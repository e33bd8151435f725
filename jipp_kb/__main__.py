from jipp_kb.cli import cli

cli()
