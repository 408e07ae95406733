"""In-app notifications for users, with e-mail delivery when SMTP is configured."""
