"""The web side: the FastAPI app that `kehoach serve` and `kehoach web` run."""
