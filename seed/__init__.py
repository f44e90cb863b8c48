"""Seed data: national regions and agencies, and the demo catalog."""
