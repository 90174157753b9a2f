"""Task status: the lifecycle, progress and derived states (the tracking issue fills it in)."""
