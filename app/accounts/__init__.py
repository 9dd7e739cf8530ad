"""Who may see what: users, their login sessions and the properties they own."""
