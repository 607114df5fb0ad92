"""Bank connections through Plaid: the API client, webhook verification and token encryption."""
