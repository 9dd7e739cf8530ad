"""The command line and the operator's tools it runs: doctor, demo, backup, export and the local
cluster. They sit above the web app and the worker, which they start and inspect; the shared
core (the `parcours` package) imports nothing from here."""
