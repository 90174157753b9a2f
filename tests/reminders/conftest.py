"""The reminder tests talk to the same real SMTP server as the mail tests."""

from tests.mail.conftest import smtp_sink

__all__ = ["smtp_sink"]
