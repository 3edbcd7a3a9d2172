from tests.publishing.conftest import access_for, contributor_access, make_account, manager_access  # noqa: F401
