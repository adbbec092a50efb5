"""Test rig: local stand-ins for the outside systems the warehouse talks to."""
