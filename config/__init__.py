"""Settings for Assessment Bridge: typed defaults, ``BRIDGE_*`` environment overrides."""

from config.settings import ENVIRONMENT_VARIABLES
from config.settings import Settings
from config.settings import SettingsError
from config.settings import load_settings

__all__ = ["ENVIRONMENT_VARIABLES", "Settings", "SettingsError", "load_settings"]
