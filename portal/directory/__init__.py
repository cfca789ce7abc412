"""The public directory of funded services, and the one definition of what the public may see of them."""
