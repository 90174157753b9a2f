"""Storage: tables, engine factory, migrations, and applying definitions to the database."""
