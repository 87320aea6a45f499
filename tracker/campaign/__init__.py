"""The campaign: the letter as data (definition files such as lanzhou-2023.toml), the loader
that brings a file into the database idempotently (``flask campaign load``), and the page
that shows the letter with what was logged under each call."""
