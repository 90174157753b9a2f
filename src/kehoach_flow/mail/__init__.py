"""Sending built messages: SMTP and a folder of .eml files."""
