from tests.publishing.conftest import (  # noqa: F401
    _fake_connector,
    access_for,
    contributor_access,
    make_account,
    manager_access,
)
