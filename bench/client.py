"""A minimal keep-alive JSON client for the API: one connection per client, no dependencies, so
the load generator itself costs as little CPU as possible next to the service it measures."""

from __future__ import annotations

import http.client
import json
from dataclasses import dataclass
from urllib.parse import urlsplit


@dataclass
class ApiResponse:
    status: int
    body: object


class ApiClient:
    def __init__(self, *, base_url: str, token: str | None = None, timeout: float = 30) -> None:
        parts = urlsplit(base_url)
        self.host = parts.hostname or "127.0.0.1"
        self.port = parts.port or 80
        self.token = token
        self.timeout = timeout
        self._connection: http.client.HTTPConnection | None = None

    def _conn(self) -> http.client.HTTPConnection:
        if self._connection is None:
            self._connection = http.client.HTTPConnection(
                self.host, self.port, timeout=self.timeout
            )
        return self._connection

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    def request(self, method: str, path: str, payload: object = None) -> ApiResponse:
        headers = {"Accept": "application/json"}
        if self.token:
            headers["Authorization"] = f"Token {self.token}"
        body = None
        if payload is not None:
            body = json.dumps(payload).encode()
            headers["Content-Type"] = "application/json"
        # One retry on a fresh connection: gunicorn may close an idle keep-alive connection.
        for attempt in (1, 2):
            try:
                conn = self._conn()
                conn.request(method, path, body=body, headers=headers)
                response = conn.getresponse()
                raw = response.read()
                break
            except (http.client.HTTPException, ConnectionError, TimeoutError):
                self.close()
                if attempt == 2:
                    raise
        try:
            data = json.loads(raw) if raw else None
        except ValueError:
            data = raw.decode(errors="replace")
        return ApiResponse(status=response.status, body=data)

    def get(self, path: str) -> ApiResponse:
        return self.request("GET", path)

    def post(self, path: str, payload: object) -> ApiResponse:
        return self.request("POST", path, payload)
