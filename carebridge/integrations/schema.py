"""How the OpenAPI schema describes our token authentication (imported by the app's ready())."""

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class ApiTokenScheme(OpenApiAuthenticationExtension):
    target_class = "carebridge.integrations.authentication.ApiTokenAuthentication"
    name = "bearerAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, Any]:
        return {
            "type": "http",
            "scheme": "bearer",
            "description": (
                "A council's key, made for one of its systems with "
                "`carebridge api_token_create --council <slug> --name <system>`: every call acts "
                "for that council only. Or a provider's key, made by one of its Super Users at "
                "/organisation/api-keys/: every call under /api/v1/provider/ acts for that "
                "provider with that Super User's rights. Sent as `Authorization: Bearer <key>`."
            ),
        }
