"""The ASGI application for servers: `uvicorn governance.asgi:app`."""

from governance.app import create_app

app = create_app()
