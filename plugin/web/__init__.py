"""Blueprints: one per module, views that only translate HTTP."""
