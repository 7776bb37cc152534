from __future__ import annotations

from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from config import ENVIRONMENT_VARIABLES
from config import SettingsError
from config import load_settings


def test_defaults_derive_from_the_data_dir(tmp_path: Path) -> None:
    settings = load_settings({"BRIDGE_DATA_DIR": str(tmp_path)})
    assert settings.data_dir == tmp_path.resolve()
    assert settings.database_url == f"sqlite:///{tmp_path.resolve() / 'bridge.sqlite3'}"
    assert settings.queue_url == f"sqlite:///{tmp_path.resolve() / 'queue.sqlite3'}"
    assert settings.cache_url == f"filesystem://{tmp_path.resolve() / 'cache'}"
    assert settings.base_url == "http://127.0.0.1:8000"
    assert settings.secret_keys == ()
    assert settings.clock_skew_seconds == 30
    assert not settings.trust_proxy


def test_environment_overrides_are_parsed(tmp_path: Path) -> None:
    key = Fernet.generate_key().decode()
    settings = load_settings(
        {
            "BRIDGE_DATA_DIR": str(tmp_path),
            "BRIDGE_DATABASE_URL": "postgresql://bridge@db/bridge",
            "BRIDGE_QUEUE_URL": "redis://127.0.0.1:6379/1",
            "BRIDGE_CACHE_URL": "redis://127.0.0.1:6379/2",
            "BRIDGE_BASE_URL": "https://bridge.example.edu/",
            "BRIDGE_SECRET_KEYS": f"{key}, {Fernet.generate_key().decode()}",
            "BRIDGE_CLOCK_SKEW_SECONDS": "5",
            "BRIDGE_TRUST_PROXY": "yes",
        }
    )
    assert settings.database_url == "postgresql+psycopg://bridge@db/bridge"
    assert settings.base_url == "https://bridge.example.edu"
    assert settings.is_https
    assert settings.secret_keys[0] == key and len(settings.secret_keys) == 2
    assert settings.clock_skew_seconds == 5
    assert settings.trust_proxy


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("BRIDGE_DATABASE_URL", "mysql://x/y", "sqlite:/// or postgresql://"),
        ("BRIDGE_QUEUE_URL", "amqp://guest@localhost", "redis://"),
        ("BRIDGE_CACHE_URL", "memcached://x", "filesystem:///PATH"),
        ("BRIDGE_BASE_URL", "bridge.example.edu", "absolute http(s) URL"),
        ("BRIDGE_BASE_URL", "https://bridge.example.edu/?x=1", "query"),
        ("BRIDGE_SECRET_KEYS", "not-a-key", "not a Fernet key"),
        ("BRIDGE_SECRET_KEYS", " , ", "holds no key"),
        ("BRIDGE_CLOCK_SKEW_SECONDS", "ten", "not a whole number"),
        ("BRIDGE_CLOCK_SKEW_SECONDS", "3000", "out of range"),
        ("BRIDGE_TRUST_PROXY", "maybe", "not a boolean"),
        ("BRIDGE_HTTP_READ_TIMEOUT", "0", "out of range"),
        ("BRIDGE_DATA_DIR", "  ", "empty"),
    ],
)
def test_bad_values_name_the_variable(tmp_path: Path, name: str, value: str, message: str) -> None:
    environ = {"BRIDGE_DATA_DIR": str(tmp_path), name: value}
    with pytest.raises(SettingsError) as raised:
        load_settings(environ)
    assert name in str(raised.value)
    assert message in str(raised.value)


def test_every_variable_is_prefixed_and_documented() -> None:
    readme = (Path(__file__).parents[3] / "README.md").read_text()
    for variable in ENVIRONMENT_VARIABLES:
        assert variable.name.startswith("BRIDGE_")
        assert variable.help
        assert variable.name in readme, f"{variable.name} missing from README"


def test_metrics_token_is_read_and_empty_means_unset(tmp_path: Path) -> None:
    base = {"BRIDGE_DATA_DIR": str(tmp_path)}
    assert load_settings(base).metrics_token is None
    assert load_settings({**base, "BRIDGE_METRICS_TOKEN": "  "}).metrics_token is None
    assert load_settings({**base, "BRIDGE_METRICS_TOKEN": " tok "}).metrics_token == "tok"
