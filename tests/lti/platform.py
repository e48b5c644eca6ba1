"""A learning-management system played on 127.0.0.1: its RSA key and JWKS, its OAuth2 token
endpoint (which checks the tool's signed client assertion against the tool's JWKS), a Names and
Role Provisioning membership list and an Assignment and Grade Services line item that records
the scores it receives. Launch JWTs are signed with its key as a platform signs them."""

from __future__ import annotations

import json
import threading
import time
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jwcrypto.jwk import JWK

CLIENT_ID = "dlquiz-tool-client"
DEPLOYMENT_ID = "deployment-1"
KID = "platform-key-1"
ROLE = "http://purl.imsglobal.org/vocab/lis/v2/membership#"
AGS_SCOPES = [
    "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem",
    "https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly",
    "https://purl.imsglobal.org/spec/lti-ags/scope/score",
]
NRPS_SCOPE = "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"


def rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def private_pem(key: rsa.RSAPrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


@dataclass
class Platform:
    key: rsa.RSAPrivateKey = field(default_factory=rsa_key)
    members: list[dict[str, Any]] = field(default_factory=list)
    scores: list[dict[str, Any]] = field(default_factory=list)
    token_requests: list[dict[str, Any]] = field(default_factory=list)
    tool_public_pem: str = ""
    server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    @property
    def issuer(self) -> str:
        return self.url

    def jwks(self) -> dict[str, Any]:
        jwk = JWK.from_pem(private_pem(self.key))
        public = json.loads(jwk.export_public())
        public.update(kid=KID, alg="RS256", use="sig")
        return {"keys": [public]}

    def id_token(
        self,
        *,
        nonce: str,
        sub: str,
        roles: list[str],
        custom: dict[str, str] | None = None,
        key: rsa.RSAPrivateKey | None = None,
        expires_in: int = 300,
        deployment_id: str = DEPLOYMENT_ID,
        resource_link: str = "link-1",
    ) -> str:
        now = int(time.time())
        claims = {
            "iss": self.issuer,
            "aud": CLIENT_ID,
            "sub": sub,
            "iat": now - 5,
            "exp": now + expires_in,
            "nonce": nonce,
            "email": f"{sub}@lms.example",
            "given_name": sub.title(),
            "family_name": "Lms",
            "https://purl.imsglobal.org/spec/lti/claim/deployment_id": deployment_id,
            "https://purl.imsglobal.org/spec/lti/claim/message_type": "LtiResourceLinkRequest",
            "https://purl.imsglobal.org/spec/lti/claim/version": "1.3.0",
            "https://purl.imsglobal.org/spec/lti/claim/target_link_uri": "http://testserver/lti/launch/",
            "https://purl.imsglobal.org/spec/lti/claim/resource_link": {"id": resource_link},
            "https://purl.imsglobal.org/spec/lti/claim/roles": [ROLE + r for r in roles],
            "https://purl.imsglobal.org/spec/lti/claim/context": {
                "id": "course-42",
                "label": "DL101",
                "title": "Deep Learning 101",
                "type": ["http://purl.imsglobal.org/vocab/lis/v2/course#CourseOffering"],
            },
            "https://purl.imsglobal.org/spec/lti/claim/custom": custom or {},
            "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint": {
                "scope": AGS_SCOPES,
                "lineitems": f"{self.url}/lineitems",
                "lineitem": f"{self.url}/lineitems/1/lineitem",
            },
            "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice": {
                "context_memberships_url": f"{self.url}/memberships",
                "service_versions": ["2.0"],
            },
        }
        return jwt.encode(
            claims, private_pem(key or self.key), algorithm="RS256", headers={"kid": KID}
        )

    def start(self) -> None:
        platform = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def reply(self, status: int, body: Any, content_type: str = "application/json"):
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def authorised(self) -> bool:
                return self.headers.get("Authorization") == "Bearer platform-access-token"

            def do_GET(self) -> None:
                if self.path == "/jwks":
                    return self.reply(200, platform.jwks())
                if self.path.startswith("/memberships"):
                    if not self.authorised():
                        return self.reply(401, {"error": "no token"})
                    return self.reply(
                        200,
                        {"id": "m", "context": {"id": "course-42"}, "members": platform.members},
                        "application/vnd.ims.lti-nrps.v2.membershipcontainer+json",
                    )
                self.reply(404, {"error": "unknown"})

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()
                if self.path == "/token":
                    form = {k: v[0] for k, v in parse_qs(body).items()}
                    # The tool proves who it is with a JWT signed by its private key.
                    claims = jwt.decode(
                        form["client_assertion"],
                        platform.tool_public_pem,
                        algorithms=["RS256"],
                        audience=f"{platform.url}/token",
                    )
                    assert claims["iss"] == CLIENT_ID and claims["sub"] == CLIENT_ID
                    platform.token_requests.append({"scope": form.get("scope", "")})
                    return self.reply(
                        200,
                        {
                            "access_token": "platform-access-token",
                            "token_type": "Bearer",
                            "expires_in": 3600,
                            "scope": form.get("scope", ""),
                        },
                    )
                if self.path == "/lineitems/1/lineitem/scores":
                    if not self.authorised():
                        return self.reply(401, {"error": "no token"})
                    assert self.headers["Content-Type"].startswith(
                        "application/vnd.ims.lis.v1.score+json"
                    )
                    platform.scores.append(json.loads(body))
                    return self.reply(200, {})
                self.reply(404, {"error": "unknown"})

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()


def member(sub: str, role: str, *, status: str = "Active") -> dict[str, Any]:
    return {
        "user_id": sub,
        "status": status,
        "email": f"{sub}@lms.example",
        "given_name": sub.title(),
        "family_name": "Lms",
        "roles": [ROLE + role],
    }


def new_nonce() -> str:
    return uuid.uuid4().hex
