"""Contract suites: one module per behaviour area, every test marked with the behaviour IDs it proves."""
