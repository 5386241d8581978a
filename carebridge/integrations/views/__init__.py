"""The integrations pages: connections, the delivery and poll logs, and providers' API keys."""
