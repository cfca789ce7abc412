"""Public contact details of funded services: kept by the provider, approved by an officer, then published."""
