"""Importing a plan's appendix from the .docx, .xlsx or .csv it arrived as."""
