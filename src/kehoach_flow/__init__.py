"""kehoach-flow: a yearly plan (Kế hoạch) that runs itself."""
