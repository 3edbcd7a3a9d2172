from tests.inbox.conftest import account  # noqa: F401
from tests.publishing.conftest import access_for, make_account, manager_access  # noqa: F401
