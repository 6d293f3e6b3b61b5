"""Unbound extension objects; create_app binds them to an app.

Socket.IO is the exception: it is created per app in ``app/realtime`` because a shared
instance keeps the first app's message queue (see docs/architecture.rst).
"""

from flask_security import Security
from flask_wtf import CSRFProtect

csrf = CSRFProtect()
security = Security()
