"""The London Crime Prevention Fund formula: its data, versions, consultation and public pages."""
