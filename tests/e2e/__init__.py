"""End-to-end image tests (a package, so its conftest and helpers do not shadow other areas' modules)."""
