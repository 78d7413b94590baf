"""Who is calling: staff logins, invitation tokens, browser sessions and the authorization table."""
