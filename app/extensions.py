"""Unbound extension objects; create_app binds them to an app.

Extensions that keep per-app state on themselves are created per app instead, and reached
through ``app.extensions``: Socket.IO (``app/realtime``), Flask-Security and the rate
limiter (``app/accounts``), flask-mongoengine (``app/database.py``). See
docs/architecture.rst.
"""

from flask_babel import Babel
from flask_bootstrap import Bootstrap5
from flask_wtf import CSRFProtect

babel = Babel()
bootstrap = Bootstrap5()
csrf = CSRFProtect()
